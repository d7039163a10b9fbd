"""The base class every layer derives from, and ``Sequential``.

Conventions shared by every layer in nnlib
------------------------------------------
* Batches are rows. For one example the lecture writes ``z = W a + b``; for a batch
  of N examples stacked as rows of ``A_prev`` (N, in) we compute
  ``Z = A_prev @ W.T + b`` (N, out), whose row n is the lecture's ``z`` for example n.
* ``backward(grad_y)`` receives ``dL/dY`` with the shape of the layer's output and
  returns ``dL/dX`` with the shape of its input. Row n of ``grad_y`` is the lecture's
  numerator-layout row vector ``dL/dy`` for example n.
* Parameters are plain numpy arrays held as attributes named as in the lecture
  (``W``, ``b``, ``gamma``, ...). The gradient of parameter ``P`` lives in ``dP``
  and has **the parameter's shape** (that is, the transpose of the numerator-layout
  derivative ``dL/dP``), so an update reads ``W -= lr * dW``.
* ``backward`` *accumulates* (``dW += ...``) exactly like PyTorch; call
  ``zero_grad()`` between steps. Parameter and gradient arrays are always updated
  in place, never rebound, so an optimizer holding them stays in sync.
"""

import numpy as np


class Parameter:
    """A handle on one trainable array of a module and its gradient.

    ``p.data`` is the module's array (e.g. ``layer.W``) and ``p.grad`` its gradient
    (``layer.dW``). Both are the module's own arrays, so ``p.data -= lr * p.grad``
    updates the layer in place.

    Parameters
    ----------
    module : Module
        The module that owns the array.
    name : str
        Attribute name of the array, e.g. ``"W"``; the gradient is ``"d" + name``.
    """

    def __init__(self, module, name):
        self.module = module
        self.name = name

    @property
    def data(self):
        return getattr(self.module, self.name)

    @property
    def grad(self):
        return getattr(self.module, "d" + self.name)

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Parameter({type(self.module).__name__}.{self.name}, shape={self.shape})"


class Module:
    """Base class of all layers.

    Subclasses list their trainable arrays in ``param_names`` (e.g. ``("W", "b")``)
    and any non-trainable state that should be saved with the weights (such as
    BatchNorm's running statistics) in ``buffer_names``; they implement ``forward``
    and ``backward``.

    Examples
    --------
    >>> class Scale(Module):
    ...     param_names = ("w",)
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = np.array([2.0]); self.dw = np.zeros(1)
    ...     def forward(self, x):
    ...         self._x = x
    ...         return self.w * x
    ...     def backward(self, grad_y):
    ...         self.dw += np.sum(grad_y * self._x)
    ...         return grad_y * self.w
    >>> m = Scale()
    >>> m(np.array([3.0]))
    array([6.])
    >>> m.backward(np.array([1.0])); m.dw
    array([2.])
    array([3.])
    """

    param_names = ()
    buffer_names = ()

    def __init__(self):
        self.training = True

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, grad_y):
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """List of ``Parameter`` handles (``.data``, ``.grad``) of this module."""
        return [Parameter(self, name) for name in self.param_names]

    def named_parameters(self, prefix=""):
        """List of ``(name, Parameter)`` pairs, e.g. ``[("W", ...), ("b", ...)]``."""
        return [(prefix + name, Parameter(self, name)) for name in self.param_names]

    def zero_grad(self):
        """Set every stored gradient to zero (in place)."""
        for p in self.parameters():
            p.grad[...] = 0.0

    def train(self):
        """Switch to training mode (dropout active, batch statistics in BatchNorm)."""
        self.training = True
        return self

    def eval(self):
        """Switch to evaluation mode (dropout off, running statistics in BatchNorm)."""
        self.training = False
        return self

    def state_dict(self):
        """Copies of all parameters and buffers, keyed by name (e.g. ``"0.W"`` in a Sequential)."""
        return {key: array.copy() for key, array in self._state_arrays().items()}

    def load_state_dict(self, state):
        """Copy arrays from ``state`` into this module's parameters and buffers, in place."""
        own = self.state_dict()
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: keys do not match "
                f"(missing {missing}, unexpected {unexpected})"
            )
        for key, array in self._state_arrays().items():
            value = np.asarray(state[key], dtype=array.dtype)
            if value.shape != array.shape:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: '{key}' must have shape "
                    f"{array.shape}, got {value.shape}"
                )
            array[...] = value

    def _state_arrays(self):
        """The live arrays behind ``state_dict``, keyed the same way."""
        arrays = {name: p.data for name, p in self.named_parameters()}
        for name in self.buffer_names:
            arrays[name] = getattr(self, name)
        return arrays

    def _cache_or_raise(self, cache):
        """Return ``cache``; raise a clear error if ``forward`` has not run yet."""
        if cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward: "
                "run a forward pass first so the layer can remember its input"
            )
        return cache

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sequential(Module):
    """A chain of layers applied one after the other.

    ``forward`` runs the layers in order; ``backward`` runs their ``backward`` in
    reverse order, passing ``dL/dA`` from each layer to the one before it.

    Parameters
    ----------
    *layers : Module
        The layers, first to last.

    Examples
    --------
    >>> from nnlib.module import Module
    >>> class Double(Module):
    ...     def forward(self, x): return 2 * x
    ...     def backward(self, g): return 2 * g
    >>> net = Sequential(Double(), Double())
    >>> net(np.array([1.0, 2.0]))
    array([4., 8.])
    >>> net.backward(np.array([1.0, 1.0]))
    array([4., 4.])
    """

    def __init__(self, *layers):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {i} must be an nnlib Module, got {type(layer).__name__}"
                )
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_y):
        for layer in reversed(self.layers):
            grad_y = layer.backward(grad_y)
        return grad_y

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self, prefix=""):
        named = []
        for i, layer in enumerate(self.layers):
            named.extend(layer.named_parameters(prefix=f"{prefix}{i}."))
        return named

    def zero_grad(self):
        for layer in self.layers:
            layer.zero_grad()

    def train(self):
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self):
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def _state_arrays(self):
        arrays = {}
        for i, layer in enumerate(self.layers):
            for key, array in layer._state_arrays().items():
                arrays[f"{i}.{key}"] = array
        return arrays

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"
