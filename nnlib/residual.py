"""Residual connections: ``Residual(body)`` computes ``x + body(x)`` (He et al., 2016).

A residual block adds its input to what its layers compute, so the layers only have to
learn the *change* ``F(x) = y - x``. Backward follows the two paths of the sum: the
gradient reaches ``x`` once directly (the "skip connection", untouched by any weight or
activation) and once through the body,

    y = x + F(x)        ->        dL/dx = dL/dy + F.backward(dL/dy).

That direct path is why very deep networks of such blocks still train: the gradient of
the last layer arrives undiminished at every block. PyTorch has no ``Residual`` module;
a ``torch.nn.Module`` whose ``forward`` returns ``x + self.body(x)`` is the same thing.

The classic ResNet "basic block" is built from existing modules, as ``basic_block`` shows:
two 3x3 convolutions with batch norm and a ReLU in between, the skip connection around
them, and a ReLU after the sum::

    x -> [Conv2d -> BatchNorm2d -> ReLU -> Conv2d -> BatchNorm2d] -> (+ x) -> ReLU
"""

from nnlib.activations import ReLU
from nnlib.conv import Conv2d
from nnlib.layers import BatchNorm2d
from nnlib.module import Module, Sequential
from nnlib.validation import as_rng, check_array, check_positive_int


class Residual(Module):
    """``y = x + body(x)``: a skip connection around any module whose output has its input's shape.

    Parameters
    ----------
    body : Module
        The layers the skip connection jumps over (often a ``Sequential``); its
        parameters are this module's parameters.

    Shape
    -----
    Input any shape the body accepts; the body's output must have the same shape.

    Examples
    --------
    >>> import numpy as np
    >>> from nnlib.layers import Linear
    >>> body = Linear(2, 2, init="zeros")            # F(x) = 0 at first: the block is the identity
    >>> block = Residual(body)
    >>> block(np.array([[1.0, -2.0]]))
    array([[ 1., -2.]])
    >>> block.backward(np.array([[0.5, 0.5]]))       # dL/dx = dL/dy + F.backward(dL/dy) = g + g @ W
    array([[0.5, 0.5]])
    >>> body.dW                                       # the body still learns: dW = g^T x
    array([[ 0.5, -1. ],
           [ 0.5, -1. ]])
    """

    def __init__(self, body):
        super().__init__()
        if not isinstance(body, Module):
            raise TypeError(f"Residual: body must be an nnlib Module, got {type(body).__name__}")
        self.body = body
        self._input_shape = None

    def forward(self, x):
        x = check_array(x, "Residual.forward")
        F_x = self.body.forward(x)
        if F_x.shape != x.shape:
            raise ValueError(
                f"Residual.forward: the body's output must have the input's shape {tuple(x.shape)}, "
                f"got {tuple(F_x.shape)}; x + body(x) needs equal shapes"
            )
        self._input_shape = x.shape
        return x + F_x  # the skip connection adds the input

    def backward(self, grad_y):
        shape = self._cache_or_raise(self._input_shape)
        grad_y = check_array(grad_y, "Residual.backward", shape=shape, name="grad_y")
        return grad_y + self.body.backward(grad_y)  # direct path + path through the body

    def parameters(self):
        return self.body.parameters()

    def named_parameters(self, prefix=""):
        return self.body.named_parameters(prefix)

    def zero_grad(self):
        self.body.zero_grad()

    def train(self):
        self.training = True
        self.body.train()
        return self

    def eval(self):
        self.training = False
        self.body.eval()
        return self

    def _state_arrays(self):
        return self.body._state_arrays()

    def __repr__(self):
        return f"Residual({self.body!r})"


def basic_block(channels, rng=None):
    """A ResNet basic block on ``channels`` feature maps, built from existing nnlib modules.

    ``Sequential(Residual(Sequential(conv3x3, BatchNorm2d, ReLU, conv3x3, BatchNorm2d)), ReLU())``;
    the convolutions have ``padding=1`` (the maps keep their size, so the sum is defined)
    and no bias (the batch norm's shift takes its place).

    Parameters
    ----------
    channels : int
        Feature maps in and out.
    rng : None, int or numpy.random.Generator
        Seeds the two convolutions.

    Shape
    -----
    Input ``(N, C, H, W)``; output the same shape.

    Examples
    --------
    >>> import numpy as np
    >>> block = basic_block(4, rng=0)
    >>> block(np.random.default_rng(1).standard_normal((2, 4, 5, 5))).shape
    (2, 4, 5, 5)
    >>> [name for name, _ in block.named_parameters()]
    ['0.0.W', '0.1.gamma', '0.1.beta', '0.3.W', '0.4.gamma', '0.4.beta']
    """
    channels = check_positive_int(channels, "basic_block", "channels")
    rng = as_rng(rng)
    body = Sequential(
        Conv2d(channels, channels, 3, padding=1, rng=rng, bias=False),  # (N, C, H, W)
        BatchNorm2d(channels),
        ReLU(),
        Conv2d(channels, channels, 3, padding=1, rng=rng, bias=False),  # (N, C, H, W)
        BatchNorm2d(channels),
    )
    return Sequential(Residual(body), ReLU())
