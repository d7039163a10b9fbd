"""Activation layers: element-wise ``A = g(Z)`` and the softmax.

Each layer remembers what it needs from ``forward`` and in ``backward`` applies
the chain rule with the local derivative from ``nnlib.functional``:

    delta = grad_A * g'(Z)        (element-wise, same shape as Z)

They have no parameters and work on arrays of any shape (dense ``(N, features)``
or images ``(N, C, H, W)``); ``Softmax`` acts over the last axis.
"""

import numpy as np

from nnlib import functional as F
from nnlib.module import Module
from nnlib.validation import check_array, check_nonnegative


class _Elementwise(Module):
    """Shared plumbing of the element-wise activations: cache ``Z``, check shapes."""

    def __init__(self):
        super().__init__()
        self._Z = None

    def forward(self, Z):
        Z = check_array(Z, f"{type(self).__name__}.forward")
        self._Z = Z
        return self._g(Z)

    def backward(self, grad_A):
        Z = self._cache_or_raise(self._Z)
        grad_A = check_array(grad_A, f"{type(self).__name__}.backward", shape=Z.shape,
                             name="grad_y")
        return grad_A * self._g_prime(Z)  # delta, same shape as Z

    def _g(self, Z):
        raise NotImplementedError

    def _g_prime(self, Z):
        raise NotImplementedError


class Sigmoid(_Elementwise):
    r"""Logistic sigmoid layer, :math:`A = \sigma(Z) = 1 / (1 + e^{-Z})`.

    Backward: :math:`\delta = \text{grad}_A \odot \sigma(Z)(1 - \sigma(Z))`.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = Sigmoid()
    >>> layer(np.array([[0.0, 1000.0]]))
    array([[0.5, 1. ]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[0.25, 0.  ]])
    """

    def _g(self, Z):
        return F.sigmoid(Z)

    def _g_prime(self, Z):
        return F.sigmoid_prime(Z)


class Tanh(_Elementwise):
    r"""Hyperbolic tangent layer, :math:`A = \tanh(Z)`; :math:`\tanh'(Z) = 1 - \tanh^2(Z)`.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = Tanh()
    >>> layer(np.array([[0.0]]))
    array([[0.]])
    >>> layer.backward(np.array([[2.0]]))
    array([[2.]])
    """

    def _g(self, Z):
        return F.tanh(Z)

    def _g_prime(self, Z):
        return F.tanh_prime(Z)


class ReLU(_Elementwise):
    r"""Rectified linear unit layer, :math:`A = \max(0, Z)`; derivative 1 for Z > 0, else 0.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = ReLU()
    >>> layer(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    def _g(self, Z):
        return F.relu(Z)

    def _g_prime(self, Z):
        return F.relu_prime(Z)


class LeakyReLU(_Elementwise):
    r"""Leaky ReLU layer: :math:`A = Z` for Z > 0, :math:`\alpha Z` otherwise.

    Parameters
    ----------
    negative_slope : float
        The lecture's :math:`\alpha` (slope for negative inputs), default 0.01 as in PyTorch.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = LeakyReLU(negative_slope=0.1)
    >>> layer(np.array([[-1.0, 2.0]]))
    array([[-0.1,  2. ]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[0.1, 1. ]])
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = check_nonnegative(negative_slope, "LeakyReLU", "negative_slope")

    def _g(self, Z):
        return F.leaky_relu(Z, self.negative_slope)

    def _g_prime(self, Z):
        return F.leaky_relu_prime(Z, self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class ELU(_Elementwise):
    r"""Exponential linear unit layer: :math:`A = Z` for Z > 0, :math:`\alpha(e^Z - 1)` otherwise.

    Parameters
    ----------
    alpha : float
        Value the unit saturates to is :math:`-\alpha`; default 1.0.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = ELU()
    >>> layer(np.array([[0.0, 2.0]]))
    array([[0., 2.]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[1., 1.]])
    """

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = check_nonnegative(alpha, "ELU", "alpha")

    def _g(self, Z):
        return F.elu(Z, self.alpha)

    def _g_prime(self, Z):
        return F.elu_prime(Z, self.alpha)

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class Identity(_Elementwise):
    r"""Identity (linear) activation, :math:`A = Z`; used for regression outputs.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = Identity()
    >>> layer(np.array([[1.4]]))
    array([[1.4]])
    >>> layer.backward(np.array([[0.4]]))
    array([[0.4]])
    """

    def _g(self, Z):
        return Z.copy()

    def _g_prime(self, Z):
        return np.ones_like(Z)


class Softmax(Module):
    r"""Softmax over the last axis, :math:`a_k = e^{z_k} / \sum_j e^{z_j}` (max-shifted).

    Its Jacobian is :math:`\partial a_k / \partial z_j = a_k(\mathbb{1}[k=j] - a_j)`,
    so for an upstream gradient :math:`g = \partial L / \partial a` (a row per example)

    .. math:: \delta_j = a_j \left(g_j - \textstyle\sum_k g_k a_k\right).

    For classification prefer ``CrossEntropyLoss`` on the logits: it fuses softmax
    and the log, and its gradient is simply ``(a - y) / N``.

    Shape
    -----
    Input ``(N, K)`` (or any shape, classes on the last axis); output the same shape.

    Examples
    --------
    >>> layer = Softmax()
    >>> layer(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    >>> layer.backward(np.array([[1.0, 1.0]]))  # softmax ignores a constant shift
    array([[0., 0.]])
    """

    def __init__(self):
        super().__init__()
        self._A = None

    def forward(self, Z):
        Z = check_array(Z, "Softmax.forward")
        if Z.ndim == 0:
            raise ValueError("Softmax.forward: input must have at least 1 dimension, got a scalar")
        self._A = F.softmax(Z, axis=-1)  # (N, K)
        return self._A.copy()

    def backward(self, grad_A):
        A = self._cache_or_raise(self._A)
        grad_A = check_array(grad_A, "Softmax.backward", shape=A.shape, name="grad_y")
        weighted = np.sum(grad_A * A, axis=-1, keepdims=True)  # (N, 1): sum_k g_k a_k
        return A * (grad_A - weighted)  # (N, K): delta
