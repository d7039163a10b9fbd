"""Activation layers: element-wise ``A = g(Z)`` and the softmax.

Each layer remembers what it needs from ``forward`` and in ``backward`` applies
the chain rule with the local derivative from ``nnlib.functional``:

    delta = grad_A * g'(Z)        (element-wise, same shape as Z)

They have no parameters and work on arrays of any shape (dense ``(N, features)``
or images ``(N, C, H, W)``); ``Softmax`` and ``LogSoftmax`` act along one axis ``dim``
(the last by default).
"""

import numbers

import numpy as np

from nnlib import functional as F
from nnlib.module import Module
from nnlib.validation import check_array, check_choice, check_nonnegative, check_positive, check_real


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


class GELU(_Elementwise):
    r"""Gaussian error linear unit, :math:`A = Z\,\Phi(Z)` (the activation of BERT and GPT).

    :math:`\Phi` is the standard normal distribution function, so GELU weighs each input by
    how likely a standard normal value lies below it: close to ReLU for large :math:`|z|`,
    smooth around 0 and slightly negative for negative inputs (minimum about -0.17 at
    :math:`z \approx -0.75`). Derivative :math:`\Phi(z) + z\varphi(z)`.

    Parameters
    ----------
    approximate : {"none", "tanh"}
        ``"none"`` (default): the exact erf form. ``"tanh"``: the approximation
        :math:`\frac12 z(1 + \tanh(\sqrt{2/\pi}(z + 0.044715 z^3)))` of the GELU paper.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = GELU()
    >>> layer(np.array([[-1.0, 0.0, 1.0]]))
    array([[-0.15865525,  0.        ,  0.84134475]])
    >>> layer.backward(np.array([[1.0, 1.0, 1.0]]))
    array([[-0.08331547,  0.5       ,  1.08331547]])
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = check_choice(approximate, "GELU", "approximate", ("none", "tanh"))

    def _g(self, Z):
        return F.gelu(Z, self.approximate)

    def _g_prime(self, Z):
        return F.gelu_prime(Z, self.approximate)

    def __repr__(self):
        return f"GELU(approximate={self.approximate!r})"


class SiLU(_Elementwise):
    r"""Sigmoid linear unit (swish), :math:`A = Z\,\sigma(Z)`; derivative :math:`\sigma(z)(1 + z(1 - \sigma(z)))`.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = SiLU()
    >>> layer(np.array([[0.0, 2.0]]))
    array([[0.        , 1.76159416]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[0.5       , 1.09078425]])
    """

    def _g(self, Z):
        return F.silu(Z)

    def _g_prime(self, Z):
        return F.silu_prime(Z)


class Softplus(_Elementwise):
    r"""Softplus, :math:`A = \frac1\beta \log(1 + e^{\beta Z})`: a smooth ReLU; derivative :math:`\sigma(\beta z)`.

    Where :math:`\beta z > \text{threshold}` the layer returns :math:`z` itself (slope 1), as
    PyTorch's ``Softplus`` does; there the two differ by less than :math:`e^{-20}/\beta`.

    Parameters
    ----------
    beta : float > 0
        Sharpness: the larger, the closer to ReLU. Default 1.0.
    threshold : float
        Above ``beta * z > threshold`` the linear function is used. Default 20.0.

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> layer = Softplus()
    >>> layer(np.array([[0.0, 100.0]]))               # log 2, and 100 (linear region)
    array([[  0.69314718, 100.        ]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[0.5, 1. ]])
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = check_positive(beta, "Softplus", "beta")
        self.threshold = check_real(threshold, "Softplus", "threshold")

    def _g(self, Z):
        return F.softplus(Z, self.beta, self.threshold)

    def _g_prime(self, Z):
        return F.softplus_prime(Z, self.beta, self.threshold)

    def __repr__(self):
        return f"Softplus(beta={self.beta}, threshold={self.threshold})"


class _AlongDim(Module):
    """Shared plumbing of ``Softmax`` and ``LogSoftmax``: the ``dim`` argument and its check."""

    def __init__(self, dim=-1):
        super().__init__()
        name = type(self).__name__
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise TypeError(f"{name}: dim must be an int, got {type(dim).__name__}")
        self.dim = int(dim)
        self._A = None

    def _check_input(self, Z):
        where = f"{type(self).__name__}.forward"
        Z = check_array(Z, where)
        if Z.ndim == 0:
            raise ValueError(f"{where}: input must have at least 1 dimension, got a scalar")
        if not -Z.ndim <= self.dim < Z.ndim:
            raise ValueError(
                f"{where}: dim must be in {-Z.ndim}..{Z.ndim - 1} for an input with {Z.ndim} "
                f"dimensions, got dim={self.dim}"
            )
        return Z

    def __repr__(self):
        return f"{type(self).__name__}(dim={self.dim})"


class Softmax(_AlongDim):
    r"""Softmax along ``dim``, :math:`a_k = e^{z_k} / \sum_j e^{z_j}` (max-shifted).

    Its Jacobian is :math:`\partial a_k / \partial z_j = a_k(\mathbb{1}[k=j] - a_j)`,
    so for an upstream gradient :math:`g = \partial L / \partial a` (a row per example)

    .. math:: \delta_j = a_j \left(g_j - \textstyle\sum_k g_k a_k\right).

    For classification prefer ``CrossEntropyLoss`` on the logits: it fuses softmax
    and the log, and its gradient is simply ``(a - y) / N``.

    Parameters
    ----------
    dim : int
        The axis holding the classes; default -1 (the last), so ``(N, K)`` rows sum to 1.
        For images ``(N, C, H, W)``, ``dim=1`` gives a distribution over channels per pixel.

    Shape
    -----
    Input any shape with at least one axis; output the same shape.

    Examples
    --------
    >>> layer = Softmax()
    >>> layer(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    >>> layer.backward(np.array([[1.0, 1.0]]))  # softmax ignores a constant shift
    array([[0., 0.]])
    >>> Softmax(dim=0)(np.array([[0.0], [np.log(3.0)]]))
    array([[0.25],
           [0.75]])
    """

    def forward(self, Z):
        Z = self._check_input(Z)
        self._A = F.softmax(Z, axis=self.dim)  # (N, K)
        return self._A.copy()

    def backward(self, grad_A):
        A = self._cache_or_raise(self._A)
        grad_A = check_array(grad_A, "Softmax.backward", shape=A.shape, name="grad_y")
        weighted = np.sum(grad_A * A, axis=self.dim, keepdims=True)  # (N, 1): sum_k g_k a_k
        return A * (grad_A - weighted)  # (N, K): delta


class LogSoftmax(_AlongDim):
    r"""Log of the softmax along ``dim``, :math:`\log a_k = z_k - \log\sum_j e^{z_j}` (log-sum-exp).

    Finite for any finite logits. With :math:`\partial \log a_k / \partial z_j = \mathbb{1}[k=j] - a_j`
    the backward pass is

    .. math:: \delta_j = g_j - a_j \textstyle\sum_k g_k .

    ``LogSoftmax`` followed by ``NLLLoss`` is the same as ``CrossEntropyLoss`` on the logits.

    Parameters
    ----------
    dim : int
        The axis holding the classes; default -1.

    Shape
    -----
    Input any shape with at least one axis; output the same shape.

    Examples
    --------
    >>> layer = LogSoftmax()
    >>> np.exp(layer(np.array([[0.0, np.log(3.0)]])))
    array([[0.25, 0.75]])
    >>> layer.backward(np.array([[1.0, 0.0]]))       # 1 - 0.25, 0 - 0.75
    array([[ 0.75, -0.75]])
    """

    def forward(self, Z):
        Z = self._check_input(Z)
        log_A = F.log_softmax(Z, axis=self.dim)  # (N, K)
        self._A = np.exp(log_A)  # the softmax, needed by backward
        return log_A

    def backward(self, grad_y):
        A = self._cache_or_raise(self._A)
        grad_y = check_array(grad_y, "LogSoftmax.backward", shape=A.shape, name="grad_y")
        return grad_y - A * np.sum(grad_y, axis=self.dim, keepdims=True)  # (N, K): delta
