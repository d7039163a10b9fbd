"""Regularisation: L1/L2 weight penalties and DropConnect.

* :func:`l2_penalty` and :func:`l1_penalty` return a penalty's value and its
  gradient for a list of weight matrices; :func:`add_penalty_gradients` adds the
  gradient to every ``Linear`` layer's ``dW`` after ``backward``. L2 with the factor
  1/2 is exactly ``SGD(..., weight_decay=lam)``.
* :func:`dropconnect_forward` and :class:`DropConnectLinear` drop **weights**
  instead of activations (Wan et al., 2013), with the inverted-dropout scaling
  ``1/(1-p)`` in training so the test-time layer is the plain one.

Dropout itself is :class:`nnlib.layers.Dropout`; batch normalisation is
:class:`nnlib.layers.BatchNorm1d`.
"""

import numpy as np

from nnlib.layers import Linear
from nnlib.module import Sequential
from nnlib.validation import as_rng, check_array, check_in_range, check_nonnegative


def _weights(model):
    """The weight matrices ``W`` (not the biases) of every ``Linear`` in ``model``."""
    layers = model.layers if isinstance(model, Sequential) else [model]
    return [layer for layer in layers if isinstance(layer, Linear)]


def l2_penalty(weights, lam):
    r"""L2 penalty and its gradients.

    :math:`\Omega = \frac{\lambda}{2}\sum_l \lVert W^{[l]}\rVert_F^2`, with gradients :math:`\lambda W^{[l]}`.

    The factor 1/2 makes the gradient :math:`\lambda W`, exactly what
    ``SGD(..., weight_decay=lam)`` adds to every gradient.

    Parameters
    ----------
    weights : list of ndarray
        The arrays to penalise (usually the ``W`` of every layer, not the biases).
    lam : float >= 0
        Strength :math:`\lambda`.

    Returns
    -------
    value : float
    grads : list of ndarray
        One gradient per array, same shapes.

    Examples
    --------
    >>> value, grads = l2_penalty([np.array([[1.0, -2.0]])], 0.1)
    >>> round(value, 10), grads[0]
    (0.25, array([[ 0.1, -0.2]]))
    """
    lam = check_nonnegative(lam, "l2_penalty", "lam")
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    value = 0.5 * lam * sum(float(np.sum(W ** 2)) for W in weights)
    return value, [lam * W for W in weights]


def l1_penalty(weights, lam):
    r"""L1 penalty and its (sub)gradients.

    :math:`\Omega = \lambda\sum_l \sum_{ij} |W^{[l]}_{ij}|`, with (sub)gradients :math:`\lambda\,\mathrm{sign}(W)`.

    The gradient has the same size :math:`\lambda` for every non-zero weight, however
    small: L1 keeps pushing small weights to zero (sparse weights), while L2's push
    :math:`\lambda w` fades as :math:`w` shrinks. At exactly 0 the subgradient 0 is used.

    Examples
    --------
    >>> value, grads = l1_penalty([np.array([[1.0, -2.0, 0.0]])], 0.1)
    >>> round(value, 10), grads[0]
    (0.3, array([[ 0.1, -0.1,  0. ]]))
    """
    lam = check_nonnegative(lam, "l1_penalty", "lam")
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    value = lam * sum(float(np.sum(np.abs(W))) for W in weights)
    return value, [lam * np.sign(W) for W in weights]


def add_penalty_gradients(model, penalty, lam):
    """Add a penalty's gradient to ``dW`` of every ``Linear`` in ``model`` (in place); return its value.

    Call it after ``model.backward(...)`` and before ``optimizer.step()``. Biases are
    not penalised.

    Parameters
    ----------
    model : Linear or Sequential
    penalty : callable
        :func:`l1_penalty` or :func:`l2_penalty` (any ``f(weights, lam) -> (value, grads)``).
    lam : float >= 0

    Returns
    -------
    float
        The penalty value to add to the data loss.

    Examples
    --------
    >>> layer = Linear(2, 1); layer.W[...] = [[1.0, -2.0]]
    >>> add_penalty_gradients(layer, l1_penalty, 0.5), layer.dW
    (1.5, array([[ 0.5, -0.5]]))
    """
    if not callable(penalty):
        raise TypeError(f"add_penalty_gradients: penalty must be a function such as l1_penalty or l2_penalty, "
                        f"got {type(penalty).__name__}")
    layers = _weights(model)
    value, grads = penalty([layer.W for layer in layers], lam)
    for layer, grad in zip(layers, grads):
        layer.dW += grad  # (out, in)
    return value


def dropconnect_forward(A_prev, W, b, p=0.5, rng=None, training=True):
    r"""DropConnect for a dense layer: drop **weights** instead of activations.

    Training: :math:`Z = A_{prev} (M \odot W)^\top / (1-p) + b` with one Bernoulli
    mask :math:`M` (same shape as W, :math:`M_{ij} = 1` with probability
    :math:`1-p`) per forward pass. Test: all connections, :math:`Z = A_{prev} W^\top + b`
    (the :math:`1/(1-p)` in training keeps the expected :math:`Z` equal, as in
    inverted dropout).

    Parameters
    ----------
    A_prev : array_like, shape (N, in)
    W : array_like, shape (out, in)
    b : array_like, shape (out,)
    p : float in [0, 1)
        Probability of dropping a weight.
    rng : None, int or numpy.random.Generator
    training : bool

    Returns
    -------
    Z : ndarray, shape (N, out)
    mask : ndarray, shape (out, in)
        The mask used (all ones at test time).

    Examples
    --------
    >>> Z, M = dropconnect_forward(np.ones((1, 3)), np.ones((2, 3)), np.zeros(2), p=0.5, rng=0)
    >>> M
    array([[0., 1., 1.],
           [1., 0., 0.]])
    >>> Z                                         # kept weights count twice
    array([[4., 2.]])
    """
    p = check_in_range(p, "dropconnect_forward", "p", 0.0, 1.0)
    W = check_array(W, "dropconnect_forward", shape=("out", "in"), name="W")
    A_prev = check_array(A_prev, "dropconnect_forward", shape=("N", W.shape[1]), name="A_prev")
    b = check_array(b, "dropconnect_forward", shape=(W.shape[0],), name="b")
    if not training:
        return A_prev @ W.T + b, np.ones_like(W)  # (N, out)
    keep = 1.0 - p
    mask = (as_rng(rng).random(W.shape) < keep).astype(np.float64)  # (out, in)
    W_thinned = mask * W / keep  # (out, in)
    return A_prev @ W_thinned.T + b, mask  # (N, out)


class DropConnectLinear(Linear):
    """A ``Linear`` layer with DropConnect (see :func:`dropconnect_forward`) in training mode.

    One weight mask per forward pass (per mini-batch). Backward uses the same
    thinned weights: ``dW += (delta.T @ A_prev) * M / (1-p)``, ``grad = delta @ W_thinned``.

    Examples
    --------
    >>> layer = DropConnectLinear(3, 2, p=0.5, rng=0)
    >>> layer.eval()(np.ones((1, 3))).shape
    (1, 2)
    """

    def __init__(self, in_features, out_features, p=0.5, rng=None):
        rng = as_rng(rng)
        super().__init__(in_features, out_features, init="he", rng=rng)
        self.p = check_in_range(p, "DropConnectLinear", "p", 0.0, 1.0)
        self.rng = rng
        self._scale = None

    def forward(self, A_prev):
        A_prev = check_array(A_prev, "DropConnectLinear.forward", shape=("N", self.in_features))
        Z, mask = dropconnect_forward(A_prev, self.W, self.b, self.p, self.rng, self.training)
        self._A_prev = A_prev
        self._scale = mask / (1.0 - self.p) if self.training else mask  # (out, in)
        return Z  # (N, out)

    def backward(self, delta):
        A_prev = self._cache_or_raise(self._A_prev)
        delta = check_array(delta, "DropConnectLinear.backward", name="grad_y",
                            shape=(A_prev.shape[0], self.out_features))
        self.dW += (delta.T @ A_prev) * self._scale  # (out, in): only kept weights learn
        self.db += delta.sum(axis=0)  # (out,)
        return delta @ (self.W * self._scale)  # (N, in)

    def __repr__(self):
        return f"DropConnectLinear(in_features={self.in_features}, out_features={self.out_features}, p={self.p})"
