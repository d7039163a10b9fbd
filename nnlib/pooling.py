"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d`` (the lecture's max- and mean-pooling).

A pooling layer slides a ``k x k`` window over every feature map with a given stride and
replaces each window by one number: its maximum or its mean. There are no parameters;
the layer only shrinks the maps (``H_out = (H - k) // s + 1``, the convolution formula
with no padding) and makes the result less sensitive to small shifts.

Backward:

* max-pooling passes each output's gradient to the one input that was the maximum of
  its window (the other inputs did not influence the output);
* mean-pooling spreads each output's gradient evenly, ``delta / (k*k)``, over its window.

When windows overlap (stride < kernel size) an input can receive gradient from several
windows; the contributions add up.
"""

import numpy as np

from nnlib.conv import conv_output_size
from nnlib.functional import sliding_windows
from nnlib.module import Module
from nnlib.validation import check_array, check_positive_int


class _Pool2d(Module):
    """Shared bookkeeping of the pooling layers (argument checks, output size)."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = check_positive_int(kernel_size, name, "kernel_size")
        self.stride = self.kernel_size if stride is None else check_positive_int(stride, name, "stride")
        self._cache = None

    def _check_input(self, A_prev):
        where = f"{type(self).__name__}.forward"
        A_prev = check_array(A_prev, where, shape=("N", "C", "H", "W"))
        H, W = A_prev.shape[2:]
        k = self.kernel_size
        if H < k or W < k:
            raise ValueError(
                f"{where}: the {k}x{k} pooling window does not fit into a {H}x{W} input"
            )
        return A_prev

    def output_shape(self, H, W):
        """``(H_out, W_out)`` for an ``H x W`` input."""
        k, s = self.kernel_size, self.stride
        return conv_output_size(H, k, 0, s), conv_output_size(W, k, 0, s)

    def _check_grad(self, grad_y, out_shape):
        where = f"{type(self).__name__}.backward"
        return check_array(grad_y, where, shape=out_shape, name="grad_y", allow_nan=True)

    def __repr__(self):
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride})"


class MaxPool2d(_Pool2d):
    """Max-pooling: each ``k x k`` window of each feature map is replaced by its maximum.

        A[n, c, i, j] = max_{u, v} A_prev[n, c, s*i + u, s*j + v]

    Backward: ``dL/dA_prev`` is ``delta[n, c, i, j]`` at the position of that maximum
    and 0 elsewhere. If a window holds the maximum twice, the first one (in row-major
    order inside the window) gets the gradient.

    Parameters
    ----------
    kernel_size : int
        Window size ``k``.
    stride : int, optional
        Step between windows; defaults to ``kernel_size`` (non-overlapping windows).

    Shape
    -----
    Input ``(N, C, H, W)``, output ``(N, C, H_out, W_out)`` with
    ``H_out = (H - k) // s + 1`` (incomplete windows at the border are dropped, as in PyTorch).

    Examples
    --------
    >>> A = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    >>> pool = MaxPool2d(2)
    >>> pool(A[None, None])[0, 0]
    array([[6., 8.],
           [3., 4.]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [1., 0., 0., 0.],
           [0., 0., 0., 1.]])
    """

    def forward(self, A_prev):
        """Max over every window of ``A_prev`` (N, C, H, W)."""
        A_prev = self._check_input(A_prev)
        k, s = self.kernel_size, self.stride
        windows = sliding_windows(A_prev, k, s)  # (N, C, H_out, W_out, k, k), a view
        # walk through the k*k positions of the window, keeping the best value so far
        A = windows[..., 0, 0].copy()  # (N, C, H_out, W_out)
        argmax = np.zeros(A.shape, dtype=np.intp)  # (N, C, H_out, W_out), index u*k + v
        for u in range(k):
            for v in range(k):
                candidate = windows[..., u, v]  # (N, C, H_out, W_out)
                better = candidate > A  # strict: on a tie the first position wins
                A = np.where(better, candidate, A)  # (N, C, H_out, W_out)
                argmax[better] = u * k + v
        self._cache = (argmax, A_prev.shape)
        return A

    def backward(self, grad_y):
        """Route ``delta`` (N, C, H_out, W_out) to the maxima; return dL/dA_prev (N, C, H, W)."""
        argmax, input_shape = self._cache_or_raise(self._cache)
        delta = self._check_grad(grad_y, argmax.shape)
        k, s = self.kernel_size, self.stride
        H_out, W_out = argmax.shape[2:]
        dA_prev = np.zeros(input_shape)  # (N, C, H, W)
        for u in range(k):
            for v in range(k):
                winner = argmax == u * k + v  # (N, C, H_out, W_out): was (u, v) the maximum?
                dA_prev[:, :, u:u + s * H_out:s, v:v + s * W_out:s] += delta * winner
        return dA_prev


class AvgPool2d(_Pool2d):
    """Mean-pooling: each ``k x k`` window of each feature map is replaced by its mean.

        A[n, c, i, j] = 1/(k*k) * sum_{u, v} A_prev[n, c, s*i + u, s*j + v]

    Backward: every input of a window receives ``delta[n, c, i, j] / (k*k)``.

    Parameters
    ----------
    kernel_size : int
        Window size ``k``.
    stride : int, optional
        Step between windows; defaults to ``kernel_size``.

    Shape
    -----
    Input ``(N, C, H, W)``, output ``(N, C, H_out, W_out)``, ``H_out = (H - k) // s + 1``.

    Examples
    --------
    >>> A = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    >>> AvgPool2d(2)(A[None, None])[0, 0]
    array([[3.25, 5.25],
           [2.  , 2.  ]])
    """

    def forward(self, A_prev):
        """Mean over every window of ``A_prev`` (N, C, H, W)."""
        A_prev = self._check_input(A_prev)
        k, s = self.kernel_size, self.stride
        windows = sliding_windows(A_prev, k, s)  # (N, C, H_out, W_out, k, k), a view
        A = np.zeros(windows.shape[:4])  # (N, C, H_out, W_out)
        for u in range(k):
            for v in range(k):
                A += windows[..., u, v]  # add position (u, v) of every window
        A /= k * k  # the mean
        self._cache = A_prev.shape
        return A

    def backward(self, grad_y):
        """Spread ``delta`` (N, C, H_out, W_out) evenly over the windows; return dL/dA_prev."""
        input_shape = self._cache_or_raise(self._cache)
        N, C, H, W = input_shape
        H_out, W_out = self.output_shape(H, W)
        delta = self._check_grad(grad_y, (N, C, H_out, W_out))
        k, s = self.kernel_size, self.stride
        share = delta / (k * k)  # (N, C, H_out, W_out)
        dA_prev = np.zeros(input_shape)  # (N, C, H, W)
        for u in range(k):
            for v in range(k):
                dA_prev[:, :, u:u + s * H_out:s, v:v + s * W_out:s] += share
        return dA_prev


def max_pool2d_naive(A_prev, kernel_size, stride=None):
    """Loop reference for ``MaxPool2d.forward``: ``(N, C, H, W) -> (N, C, H_out, W_out)``.

    >>> max_pool2d_naive(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    return _pool_naive(A_prev, kernel_size, stride, np.max)


def avg_pool2d_naive(A_prev, kernel_size, stride=None):
    """Loop reference for ``AvgPool2d.forward``: ``(N, C, H, W) -> (N, C, H_out, W_out)``.

    >>> avg_pool2d_naive(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    return _pool_naive(A_prev, kernel_size, stride, np.mean)


def _pool_naive(A_prev, kernel_size, stride, reduce):
    A_prev = np.asarray(A_prev, dtype=np.float64)
    k = kernel_size
    s = k if stride is None else stride
    N, C, H, W = A_prev.shape
    H_out, W_out = conv_output_size(H, k, 0, s), conv_output_size(W, k, 0, s)
    A = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    A[n, c, i, j] = reduce(A_prev[n, c, i * s:i * s + k, j * s:j * s + k])
    return A
