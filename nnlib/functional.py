"""Pure maths of the activations, softmax and one-hot encoding.

Every function takes numpy arrays and returns new arrays; nothing here keeps
state, so each formula can be checked on its own. The layer classes in
``nnlib.activations`` wrap these functions.

Derivatives are named ``<activation>_prime`` and take the **pre-activation**
``z`` (the lecture's ``g'(z)``), so backpropagation reads
``delta = grad_A * g_prime(Z)``.
"""

import math

import numpy as np

# The window bookkeeping of convolution and pooling lives in nnlib.im2col; re-exported here.
from nnlib.im2col import col2im, im2col, sliding_windows  # noqa: F401
from nnlib.validation import check_array

# ---------------------------------------------------------------- sigmoid


def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`, overflow-free.

    Written with :math:`e^{-|z|}` (which never overflows) in two pieces:
    :math:`1/(1+e^{-z})` for :math:`z \ge 0` and :math:`e^{z}/(1+e^{z})` for
    :math:`z < 0`.

    Parameters
    ----------
    z : array_like
        Pre-activation, any shape.

    Returns
    -------
    numpy.ndarray
        :math:`\sigma(z)` in [0, 1], same shape as ``z``.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # e^{-|z|} in (0, 1], never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # same shape as z


def sigmoid_prime(z):
    r"""Derivative of the sigmoid, :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`.

    Examples
    --------
    >>> sigmoid_prime(np.array([0.0]))
    array([0.25])
    """
    s = sigmoid(z)
    return s * (1.0 - s)  # same shape as z


# ---------------------------------------------------------------- tanh


def tanh(z):
    r"""Hyperbolic tangent :math:`\tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z})`.

    Examples
    --------
    >>> tanh(np.array([0.0]))
    array([0.])
    """
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z):
    r"""Derivative of tanh, :math:`\tanh'(z) = 1 - \tanh^2(z)`.

    Examples
    --------
    >>> tanh_prime(np.array([0.0]))
    array([1.])
    """
    t = tanh(z)
    return 1.0 - t * t  # same shape as z


# ---------------------------------------------------------------- ReLU family


def relu(z):
    r"""Rectified linear unit :math:`\mathrm{ReLU}(z) = \max(0, z)`.

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_prime(z):
    r"""Derivative of ReLU: 1 where :math:`z > 0`, else 0 (the lecture's choice 0 at z = 0).

    Examples
    --------
    >>> relu_prime(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    return (np.asarray(z) > 0).astype(np.float64)


def leaky_relu(z, negative_slope=0.01):
    r"""Leaky ReLU: :math:`g(z) = z` for :math:`z > 0`, :math:`\alpha z` for :math:`z \le 0`.

    ``negative_slope`` is the lecture's :math:`\alpha` (PyTorch's name).

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 3.0]), negative_slope=0.1)
    array([-0.2,  3. ])
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, negative_slope * z)  # same shape as z


def leaky_relu_prime(z, negative_slope=0.01):
    r"""Derivative of leaky ReLU: 1 for :math:`z > 0`, :math:`\alpha` for :math:`z \le 0`.

    Examples
    --------
    >>> leaky_relu_prime(np.array([-2.0, 3.0]), negative_slope=0.1)
    array([0.1, 1. ])
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, negative_slope)  # same shape as z


def elu(z, alpha=1.0):
    r"""Exponential linear unit: :math:`z` for :math:`z > 0`, :math:`\alpha (e^z - 1)` for :math:`z \le 0`.

    ``expm1`` of ``min(z, 0)`` keeps large positive inputs from overflowing.

    Examples
    --------
    >>> elu(np.array([-1000.0, 0.0, 2.0]))
    array([-1.,  0.,  2.])
    """
    z = np.asarray(z, dtype=np.float64)
    negative_part = alpha * np.expm1(np.minimum(z, 0.0))  # alpha (e^z - 1), z <= 0
    return np.where(z > 0, z, negative_part)  # same shape as z


def elu_prime(z, alpha=1.0):
    r"""Derivative of ELU: 1 for :math:`z > 0`, :math:`\alpha e^z` for :math:`z \le 0`.

    Examples
    --------
    >>> elu_prime(np.array([0.0, 2.0]), alpha=0.5)
    array([0.5, 1. ])
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))  # same shape as z


# ---------------------------------------------------------------- smooth ReLUs: GELU, SiLU, Softplus

_erfc = np.frompyfunc(math.erfc, 1, 1)  # numpy has no erf; math.erfc element by element
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def normal_cdf(z):
    r"""Standard normal distribution function :math:`\Phi(z) = \frac12 \operatorname{erfc}(-z/\sqrt2)`.

    (The same as :math:`\frac12(1 + \operatorname{erf}(z/\sqrt2))`, but accurate far in the left tail.)

    Examples
    --------
    >>> normal_cdf(np.array([0.0, 1.96]))
    array([0.5      , 0.9750021])
    """
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * np.asarray(_erfc(-z / math.sqrt(2.0)), dtype=np.float64)  # same shape as z


def gelu(z, approximate="none"):
    r"""Gaussian error linear unit :math:`\mathrm{GELU}(z) = z\,\Phi(z)` (PyTorch's ``F.gelu``).

    :math:`\Phi` is the standard normal distribution function: the input is scaled by the
    probability that a standard normal variable lies below it. ``approximate="tanh"`` uses
    :math:`\frac12 z \left(1 + \tanh\left(\sqrt{2/\pi}\,(z + 0.044715 z^3)\right)\right)`.

    Examples
    --------
    >>> gelu(np.array([-1.0, 0.0, 1.0]))
    array([-0.15865525,  0.        ,  0.84134475])
    >>> gelu(np.array([1.0]), approximate="tanh")
    array([0.84119199])
    """
    z = np.asarray(z, dtype=np.float64)
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (z + 0.044715 * z**3)  # same shape as z
        return 0.5 * z * (1.0 + np.tanh(inner))
    return z * normal_cdf(z)  # same shape as z


def gelu_prime(z, approximate="none"):
    r"""Derivative of GELU: :math:`\Phi(z) + z\,\varphi(z)`, :math:`\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}`.

    For ``approximate="tanh"`` the derivative of the tanh form,
    :math:`\frac12(1 + t) + \frac12 z (1 - t^2)\sqrt{2/\pi}(1 + 3 \cdot 0.044715 z^2)`.

    Examples
    --------
    >>> gelu_prime(np.array([0.0]))
    array([0.5])
    """
    z = np.asarray(z, dtype=np.float64)
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3))  # same shape as z
        d_inner = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * z**2)
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * d_inner
    density = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)  # phi(z)
    return normal_cdf(z) + z * density  # same shape as z


def silu(z):
    r"""Sigmoid linear unit (swish) :math:`\mathrm{SiLU}(z) = z\,\sigma(z)`.

    Examples
    --------
    >>> silu(np.array([-1000.0, 0.0, 2.0]))
    array([-0.        ,  0.        ,  1.76159416])
    """
    z = np.asarray(z, dtype=np.float64)
    return z * sigmoid(z)  # same shape as z


def silu_prime(z):
    r"""Derivative of SiLU: :math:`\sigma(z)\,(1 + z(1 - \sigma(z)))`.

    Examples
    --------
    >>> silu_prime(np.array([0.0]))
    array([0.5])
    """
    s = sigmoid(z)
    return s * (1.0 + np.asarray(z, dtype=np.float64) * (1.0 - s))  # same shape as z


def softplus(z, beta=1.0, threshold=20.0):
    r"""Softplus :math:`\frac1\beta \log(1 + e^{\beta z})`, a smooth ReLU (PyTorch's ``F.softplus``).

    Where :math:`\beta z > \text{threshold}` it returns :math:`z` itself (the two differ by
    less than :math:`e^{-20}/\beta` there), which also keeps ``exp`` from overflowing.

    Examples
    --------
    >>> softplus(np.array([0.0, 1000.0]))
    array([6.93147181e-01, 1.00000000e+03])
    >>> softplus(np.array([0.0]), beta=2.0)          # log(2) / 2
    array([0.34657359])
    """
    z = np.asarray(z, dtype=np.float64)
    bz = beta * z  # same shape as z
    smooth = np.log1p(np.exp(np.minimum(bz, threshold))) / beta  # exp never sees more than threshold
    return np.where(bz > threshold, z, smooth)


def softplus_prime(z, beta=1.0, threshold=20.0):
    r"""Derivative of softplus: :math:`\sigma(\beta z)`, and 1 in the linear region :math:`\beta z > \text{threshold}`.

    Examples
    --------
    >>> softplus_prime(np.array([0.0, 50.0]))
    array([0.5, 1. ])
    """
    bz = beta * np.asarray(z, dtype=np.float64)  # same shape as z
    return np.where(bz > threshold, 1.0, sigmoid(bz))


# ---------------------------------------------------------------- softmax


def softmax(z, axis=-1):
    r"""Softmax :math:`a_k = e^{z_k} / \sum_j e^{z_j}` over ``axis`` (default: last).

    The maximum is subtracted first, :math:`a_k = e^{z_k - m} / \sum_j e^{z_j - m}`
    with :math:`m = \max_j z_j`; this changes nothing mathematically (softmax is
    shift-invariant) but keeps ``exp`` from overflowing for huge logits.

    Parameters
    ----------
    z : array_like
        Logits; for a batch ``(N, K)``, one row per example.
    axis : int
        Axis holding the K classes.

    Returns
    -------
    numpy.ndarray
        Probabilities, same shape as ``z``; they sum to 1 along ``axis``.

    Examples
    --------
    >>> softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=axis, keepdims=True)  # (N, K), max entry is 0
    e = np.exp(shifted)  # (N, K), in (0, 1]
    return e / np.sum(e, axis=axis, keepdims=True)  # (N, K)


def softmax_jacobian(z):
    """Jacobian of the softmax: ``da_k/dz_j = a_k (1[k = j] - a_j)``, i.e. ``diag(a) - a a^T``.

    Shape
    -----
    ``z`` (K,) -> (K, K).

    Examples
    --------
    >>> J = softmax_jacobian(np.zeros(2))
    >>> J
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    z = check_array(z, "softmax_jacobian", shape=("K",), name="z")
    a = softmax(z)  # (K,)
    return np.diag(a) - np.outer(a, a)  # (K, K)


def logsumexp(z, axis=-1, keepdims=False):
    r"""Stable :math:`\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}`, :math:`m = \max_j z_j`.

    Examples
    --------
    >>> logsumexp(np.array([[1000.0, 1000.0]]))      # 1000 + log 2, no overflow
    array([1000.69314718])
    """
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)  # (N, 1)
    out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))  # (N, 1)
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis=-1):
    r"""Log of the softmax, :math:`\log a_k = z_k - \log \sum_j e^{z_j}`, computed stably.

    Never takes the log of a rounded-to-zero probability, so it stays finite
    for any finite logits.

    Examples
    --------
    >>> log_softmax(np.array([[0.0, 0.0]]))
    array([[-0.69314718, -0.69314718]])
    >>> bool(np.isfinite(log_softmax(np.array([[-1e4, 1e4]]))).all())
    True
    """
    z = np.asarray(z, dtype=np.float64)
    return z - logsumexp(z, axis=axis, keepdims=True)  # (N, K)


# ---------------------------------------------------------------- labels


def one_hot(y, num_classes):
    """One-hot encode integer class labels.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class indices in ``0 .. num_classes - 1``.
    num_classes : int
        Number of classes K.

    Returns
    -------
    numpy.ndarray, shape (N, K)
        Row n is 1 at column ``y[n]`` and 0 elsewhere (float64).

    Raises
    ------
    ValueError
        If ``y`` is not 1-D, not integral, or holds a label outside ``0 .. K-1``.

    Examples
    --------
    >>> one_hot([2, 0], num_classes=3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"one_hot: labels must have shape (N,), got {tuple(y.shape)}")
    if y.size and not np.all(np.isfinite(y) & (y == np.round(y))):
        raise ValueError("one_hot: labels must be whole numbers (class indices)")
    labels = y.astype(np.int64)
    bad = (labels < 0) | (labels >= num_classes)
    if np.any(bad):
        raise ValueError(
            f"one_hot: label {labels[bad][0]} is out of range for {num_classes} classes "
            f"(labels must be in 0..{num_classes - 1})"
        )
    Y = np.zeros((labels.shape[0], num_classes))  # (N, K)
    Y[np.arange(labels.shape[0]), labels] = 1.0
    return Y


# ---------------------------------------------------------------- batch normalisation


def feature_sum(X, axes):
    """Sum over ``axes`` (all axes but the feature/channel axis), keeping them with size 1.

    For images ``(N, C, H, W)`` summed over ``(0, 2, 3)`` ``np.einsum`` does it in one pass,
    about twice as fast as ``X.sum(axis=(0, 2, 3))``; other shapes use ``np.sum``.

    >>> feature_sum(np.ones((2, 3, 4, 5)), (0, 2, 3)).ravel()
    array([40., 40., 40.])
    """
    if X.ndim == 4 and tuple(axes) == (0, 2, 3):
        return np.einsum("nchw->c", X).reshape(1, -1, 1, 1)  # (1, C, 1, 1)
    return X.sum(axis=axes, keepdims=True)


def feature_dot(A, B, axes):
    """``feature_sum(A * B, axes)``, for images without forming the product ``A * B``.

    >>> feature_dot(np.ones((2, 3)), np.full((2, 3), 2.0), (0,))
    array([[4., 4., 4.]])
    """
    if A.ndim == 4 and tuple(axes) == (0, 2, 3):
        return np.einsum("nchw,nchw->c", A, B).reshape(1, -1, 1, 1)  # (1, C, 1, 1)
    return (A * B).sum(axis=axes, keepdims=True)


def batch_norm_train(Z, axes, eps):
    r"""Normalise ``Z`` with the mean and (biased) variance over ``axes``.

    .. math:: \mu = \operatorname{mean}(z), \quad \sigma^2 = \operatorname{mean}((z - \mu)^2), \quad
              \hat z = (z - \mu) / \sqrt{\sigma^2 + \epsilon}

    per feature (``axes=(0,)`` for ``(N, D)``) or per channel (``axes=(0, 2, 3)`` for images).

    Returns
    -------
    Z_hat, mu, var, inv_std : numpy.ndarray
        ``Z_hat`` has the shape of ``Z``; the statistics keep the reduced axes with size 1.

    Examples
    --------
    >>> Z_hat, mu, var, inv_std = batch_norm_train(np.array([[1.0], [3.0]]), axes=(0,), eps=0.0)
    >>> Z_hat.ravel(), mu.ravel(), var.ravel()
    (array([-1.,  1.]), array([2.]), array([1.]))
    """
    M = Z.size // Z.shape[1]  # values per feature (features are axis 1: (N, D) or (N, C, H, W))
    mu = feature_sum(Z, axes) / M  # (1, D) or (1, C, 1, 1)
    centered = Z - mu  # same shape as Z
    var = feature_dot(centered, centered, axes) / M  # biased: divides by the number of values
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_hat = centered * inv_std  # same shape as Z
    return Z_hat, mu, var, inv_std


def batch_norm_backward(grad_y, Z_hat, scale, mean_grad, mean_grad_zhat):
    r"""Gradient through :math:`y = \gamma \hat z + \beta` when the statistics are the batch's.

    :math:`\mu` and :math:`\sigma^2` depend on every value they average, which adds two
    correction terms to the plain ``grad_y * gamma / sqrt(var + eps)``:

    .. math:: \frac{\partial L}{\partial z} = \frac{\gamma}{\sqrt{\sigma^2 + \epsilon}}
              \left(g - \operatorname{mean}(g) - \hat z \operatorname{mean}(g \hat z)\right),
              \qquad g = \frac{\partial L}{\partial y}

    Parameters
    ----------
    grad_y, Z_hat : numpy.ndarray
        :math:`g` and :math:`\hat z`, the same shape.
    scale : numpy.ndarray
        :math:`\gamma / \sqrt{\sigma^2 + \epsilon}` per feature (just the inverse standard
        deviation without ``gamma``), shaped to broadcast.
    mean_grad, mean_grad_zhat : numpy.ndarray
        :math:`\operatorname{mean}(g)` and :math:`\operatorname{mean}(g \hat z)` per feature (the
        layer has the sums already, for ``dbeta`` and ``dgamma``).

    Returns
    -------
    numpy.ndarray
        :math:`\partial L / \partial z`, the shape of ``grad_y``.

    Examples
    --------
    >>> Z_hat, g = np.array([[-1.0], [1.0]]), np.array([[1.0], [1.0]])
    >>> batch_norm_backward(g, Z_hat, 1.0, g.mean(axis=0), (g * Z_hat).mean(axis=0))   # a shift changes nothing
    array([[0.],
           [0.]])
    """
    return scale * (grad_y - mean_grad - Z_hat * mean_grad_zhat)  # same shape as grad_y
