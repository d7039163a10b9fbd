"""Pure maths of the activations, softmax and one-hot encoding.

Every function takes numpy arrays and returns new arrays; nothing here keeps
state, so each formula can be checked on its own. The layer classes in
``nnlib.activations`` wrap these functions.

Derivatives are named ``<activation>_prime`` and take the **pre-activation**
``z`` (the lecture's ``g'(z)``), so backpropagation reads
``delta = grad_A * g_prime(Z)``.
"""

import numpy as np

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


# ---------------------------------------------------------------- convolution helpers


def sliding_windows(A, kernel_size, stride=1):
    """All ``k x k`` windows of the last two axes of ``A`` (a read-only view, no copy).

    Shape: ``(N, C, H, W) -> (N, C, H_out, W_out, k, k)``; entry ``[n, c, i, j]`` is the
    window whose top-left corner is ``A[n, c, s*i, s*j]``.

    >>> sliding_windows(np.arange(16.0).reshape(1, 1, 4, 4), 3)[0, 0, 1, 1]
    array([[ 5.,  6.,  7.],
           [ 9., 10., 11.],
           [13., 14., 15.]])
    """
    windows = np.lib.stride_tricks.sliding_window_view(A, (kernel_size, kernel_size), axis=(-2, -1))
    return windows[:, :, ::stride, ::stride]  # (N, C, H_out, W_out, k, k)


def im2col(A, kernel_size, stride=1):
    """Lay every ``k x k`` window of ``A`` out as one column of a matrix.

    Column ``i * W_out + j`` of ``cols[n]`` holds the window at output position
    ``(i, j)`` of image ``n``, flattened in the order ``(channel, row, column)`` -- the
    same order as a flattened kernel ``W[o].ravel()``. A convolution then is one
    matrix product per image: ``Z[n] = W.reshape(C_out, -1) @ cols[n]``.

    Parameters
    ----------
    A : numpy.ndarray
        Input, already padded.
    kernel_size : int
        Window size ``k``.
    stride : int
        Step between windows.

    Shape
    -----
    ``A``: ``(N, C, H, W)``; returns ``(N, C*k*k, H_out*W_out)``.

    Examples
    --------
    >>> A = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> im2col(A, 2)[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    N, C = A.shape[:2]
    windows = sliding_windows(A, kernel_size, stride)  # (N, C, H_out, W_out, k, k)
    H_out, W_out = windows.shape[2:4]
    windows = windows.transpose(0, 1, 4, 5, 2, 3)  # (N, C, k, k, H_out, W_out)
    return windows.reshape(N, C * kernel_size * kernel_size, H_out * W_out)  # copy


def col2im(cols, input_shape, kernel_size, stride=1):
    """Inverse bookkeeping of ``im2col``: add every column back onto its window.

    A pixel that lies in several windows receives the sum of all its entries, which is
    exactly what the backward pass needs (the pixel influenced each of those outputs).
    We loop over the ``k*k`` positions inside the window; for a fixed position the
    strided slice touches every pixel at most once, so a plain ``+=`` is correct.

    Parameters
    ----------
    cols : numpy.ndarray
        Columns as produced by ``im2col`` (usually gradients).
    input_shape : tuple
        ``(N, C, H, W)`` of the (padded) input that ``im2col`` received.
    kernel_size, stride : int
        As for ``im2col``.

    Shape
    -----
    ``cols``: ``(N, C*k*k, H_out*W_out)``; returns ``(N, C, H, W)``.

    Examples
    --------
    Every pixel of a 3x3 image lies in 1, 2 or 4 of the four 2x2 windows:

    >>> col2im(np.ones((1, 4, 4)), (1, 1, 3, 3), 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    N, C, H, W = input_shape
    k, s = kernel_size, stride
    H_out = (H - k) // s + 1
    W_out = (W - k) // s + 1
    cols = cols.reshape(N, C, k, k, H_out, W_out)
    A = np.zeros(input_shape)  # (N, C, H, W)
    for u in range(k):
        for v in range(k):
            A[:, :, u:u + s * H_out:s, v:v + s * W_out:s] += cols[:, :, u, v]  # (N, C, H_out, W_out)
    return A
