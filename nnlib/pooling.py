"""Pooling layers: ``MaxPool2d``, ``AvgPool2d`` (the lecture's max- and mean-pooling) and
``AdaptiveAvgPool2d`` (global average pooling).

A pooling layer slides a ``kH x kW`` window over every feature map with a given stride and
replaces each window by one number: its maximum or its mean. There are no parameters;
the layer only shrinks the maps (``H_out = (H + 2p - k) // s + 1``, the convolution
formula) and makes the result less sensitive to small shifts. Window sizes, strides and
paddings are an int or a pair ``(height, width)``, as in PyTorch.

Padding (at most half the window, as in PyTorch) adds a frame that never wins a maximum
(max-pooling pads with :math:`-\\infty`) and counts as zeros in a mean (``AvgPool2d``'s
``count_include_pad=True``, PyTorch's default; ``False`` averages over the real pixels only).

Backward:

* max-pooling passes each output's gradient to the one input that was the maximum of
  its window (the other inputs did not influence the output);
* mean-pooling spreads each output's gradient evenly, ``delta / (kH*kW)``, over its window.

When windows overlap (stride < kernel size) an input can receive gradient from several
windows; the contributions add up.
"""

import numpy as np

from nnlib.conv import conv_output_size
from nnlib.im2col import pad2d, pair, sliding_windows
from nnlib.module import Module
from nnlib.validation import check_array, check_int_pair


class _Pool2d(Module):
    """Shared bookkeeping of the window pooling layers (argument checks, padding, output size)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_hw = check_int_pair(kernel_size, name, "kernel_size")  # (kH, kW)
        self.stride_hw = self.kernel_hw if stride is None else check_int_pair(stride, name, "stride")
        self.pad_hw = check_int_pair(padding, name, "padding", minimum=0)  # (pH, pW)
        self.kernel_size = kernel_size  # as given: an int or a pair
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        if any(2 * p > k for p, k in zip(self.pad_hw, self.kernel_hw)):
            raise ValueError(
                f"{name}: padding must be at most half the kernel_size, got padding {padding} "
                f"for kernel_size {kernel_size} (a window would see padding only)"
            )
        self._cache = None

    def _check_input(self, A_prev):
        where = f"{type(self).__name__}.forward"
        A_prev = check_array(A_prev, where, shape=("N", "C", "H", "W"))
        H, W = A_prev.shape[2:]
        (kH, kW), (pH, pW) = self.kernel_hw, self.pad_hw
        if H + 2 * pH < kH or W + 2 * pW < kW:
            padded = "" if (pH, pW) == (0, 0) else f" with padding {self.padding}"
            raise ValueError(
                f"{where}: the {kH}x{kW} pooling window does not fit into a {H}x{W} input{padded}"
            )
        return A_prev

    def output_shape(self, H, W):
        """``(H_out, W_out)`` for an ``H x W`` input."""
        (kH, kW), (pH, pW), (sH, sW) = self.kernel_hw, self.pad_hw, self.stride_hw
        return conv_output_size(H, kH, pH, sH), conv_output_size(W, kW, pW, sW)

    def _check_grad(self, grad_y, out_shape):
        where = f"{type(self).__name__}.backward"
        return check_array(grad_y, where, shape=out_shape, name="grad_y", allow_nan=True)

    def _taps(self, A_pad):
        """Every window's kH*kW taps, tap first: ``T[u*kW + v, n, c, i, j] = A_pad[n, c, sH*i + u, sW*j + v]``.

        One contiguous copy of shape (kH*kW, N, C, H_out, W_out); with the taps first, the
        per-tap arrays are contiguous and a max or sum over taps is fast.
        """
        (kH, kW), (sH, sW) = self.kernel_hw, self.stride_hw
        if (sH, sW) == (kH, kW):  # windows tile the map: cut it into blocks, no window view needed
            N, C, H_pad, W_pad = A_pad.shape
            H_out, W_out = H_pad // kH, W_pad // kW
            blocks = A_pad[:, :, :H_out * kH, :W_out * kW].reshape(N, C, H_out, kH, W_out, kW)
            taps = np.ascontiguousarray(blocks.transpose(3, 5, 0, 1, 2, 4))  # (kH, kW, N, C, H_out, W_out)
            return taps.reshape(kH * kW, N, C, H_out, W_out)
        windows = sliding_windows(A_pad, self.kernel_hw, self.stride_hw)  # (N, C, H_out, W_out, kH, kW), a view
        taps = np.ascontiguousarray(windows.transpose(4, 5, 0, 1, 2, 3))  # (kH, kW, N, C, H_out, W_out)
        return taps.reshape((kH * kW,) + windows.shape[:4])

    def _spread(self, share_of_tap, padded_shape):
        """Add ``share_of_tap(u, v)`` (N, C, H_out, W_out) onto tap (u, v) of every window; crop the padding.

        For a fixed tap the strided slice touches every pixel at most once, so ``+=`` is
        right; overlapping windows add up over the taps.
        """
        (kH, kW), (sH, sW), (pH, pW) = self.kernel_hw, self.stride_hw, self.pad_hw
        H_pad, W_pad = padded_shape[2:]
        dA_pad = np.zeros(padded_shape)  # (N, C, H + 2pH, W + 2pW)
        for u in range(kH):
            for v in range(kW):
                share = share_of_tap(u, v)  # (N, C, H_out, W_out)
                H_out, W_out = share.shape[2:]
                dA_pad[:, :, u:u + sH * H_out:sH, v:v + sW * W_out:sW] += share
        return dA_pad[:, :, pH:H_pad - pH, pW:W_pad - pW]  # (N, C, H, W)

    def __repr__(self):
        extra = "" if self.pad_hw == (0, 0) else f", padding={self.padding!r}"
        return f"{type(self).__name__}(kernel_size={self.kernel_size!r}, stride={self.stride!r}{extra})"


class MaxPool2d(_Pool2d):
    """Max-pooling: each ``kH x kW`` window of each feature map is replaced by its maximum.

        A[n, c, i, j] = max_{u, v} A_pad[n, c, sH*i + u, sW*j + v]

    Backward: ``dL/dA_prev`` is ``delta[n, c, i, j]`` at the position of that maximum
    and 0 elsewhere. If a window holds the maximum twice, the first one (in row-major
    order inside the window) gets the gradient, as in PyTorch.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Window size ``k`` or ``(kH, kW)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int), default 0
        A frame of :math:`-\\infty` around each map (at most half the window), so border
        pixels can be the maximum of windows that stick out.

    Shape
    -----
    Input ``(N, C, H, W)``, output ``(N, C, H_out, W_out)`` with
    ``H_out = (H + 2p - k) // s + 1`` (incomplete windows at the border are dropped, as in PyTorch).

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
    >>> MaxPool2d((1, 4))(A[None, None])[0, 0]           # a non-square window: row maxima
    array([[4.],
           [8.],
           [3.],
           [4.]])
    """

    def forward(self, A_prev):
        """Max over every window of ``A_prev`` (N, C, H, W)."""
        A_prev = self._check_input(A_prev)
        A_pad = pad2d(A_prev, self.pad_hw, value=-np.inf)  # (N, C, H + 2pH, W + 2pW)
        taps = self._taps(A_pad)  # (kH*kW, N, C, H_out, W_out)
        A = taps.max(axis=0)  # (N, C, H_out, W_out)
        argmax = np.full(A.shape, len(taps) - 1, dtype=np.intp)  # which tap u*kW + v was the maximum
        for t in range(len(taps) - 2, -1, -1):  # backwards, so on a tie the first tap wins
            np.copyto(argmax, t, where=taps[t] == A)
        self._cache = (argmax, A_pad.shape)
        return A

    def backward(self, grad_y):
        """Route ``delta`` (N, C, H_out, W_out) to the maxima; return dL/dA_prev (N, C, H, W)."""
        argmax, padded_shape = self._cache_or_raise(self._cache)
        delta = self._check_grad(grad_y, argmax.shape)
        kW = self.kernel_hw[1]
        # tap (u, v) of a window gets delta where it was the maximum
        return self._spread(lambda u, v: delta * (argmax == u * kW + v), padded_shape)


class AvgPool2d(_Pool2d):
    """Mean-pooling: each ``kH x kW`` window of each feature map is replaced by its mean.

        A[n, c, i, j] = 1/(kH*kW) * sum_{u, v} A_pad[n, c, sH*i + u, sW*j + v]

    Backward: every input of a window receives ``delta[n, c, i, j] / (kH*kW)``.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Window size ``k`` or ``(kH, kW)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        A frame of zeros around each map (at most half the window).
    count_include_pad : bool, default True
        Divide by ``kH*kW`` even where the window covers padding (PyTorch's default);
        False divides by the number of real pixels in the window.

    Shape
    -----
    Input ``(N, C, H, W)``, output ``(N, C, H_out, W_out)``, ``H_out = (H + 2p - k) // s + 1``.

    Examples
    --------
    >>> A = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    >>> AvgPool2d(2)(A[None, None])[0, 0]
    array([[3.25, 5.25],
           [2.  , 2.  ]])
    >>> AvgPool2d(2, padding=1, count_include_pad=False)(A[None, None])[0, 0, 0]   # 1/1, (1+2)/2, 4/1
    array([1. , 1.5, 4. ])
    """

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad=True):
        super().__init__(kernel_size, stride, padding)
        if not isinstance(count_include_pad, (bool, np.bool_)):
            raise TypeError(f"AvgPool2d: count_include_pad must be True or False, got {count_include_pad!r}")
        self.count_include_pad = bool(count_include_pad)

    def _divisor(self, shape):
        """What each window's sum is divided by: kH*kW, or per window the real pixels it covers."""
        kH, kW = self.kernel_hw
        if self.count_include_pad or self.pad_hw == (0, 0):
            return float(kH * kW)
        ones = pad2d(np.ones((1, 1) + shape), self.pad_hw)  # 1 on real pixels, 0 on the frame
        return sliding_windows(ones, self.kernel_hw, self.stride_hw).sum(axis=(-2, -1))  # (1, 1, H_out, W_out)

    def forward(self, A_prev):
        """Mean over every window of ``A_prev`` (N, C, H, W)."""
        A_prev = self._check_input(A_prev)
        A_pad = pad2d(A_prev, self.pad_hw)  # (N, C, H + 2pH, W + 2pW)
        A = self._taps(A_pad).sum(axis=0)  # (N, C, H_out, W_out): the sum of every window
        divisor = self._divisor(A_prev.shape[2:])  # a number or (1, 1, H_out, W_out)
        A /= divisor  # the mean
        self._cache = (A_pad.shape, A.shape, divisor)
        return A

    def backward(self, grad_y):
        """Spread ``delta`` (N, C, H_out, W_out) evenly over the windows; return dL/dA_prev."""
        padded_shape, out_shape, divisor = self._cache_or_raise(self._cache)
        delta = self._check_grad(grad_y, out_shape)
        share = delta / divisor  # (N, C, H_out, W_out)
        return self._spread(lambda u, v: share, padded_shape)  # the same share for every tap

    def __repr__(self):
        extra = "" if self.count_include_pad else ", count_include_pad=False"
        return super().__repr__()[:-1] + extra + ")"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, whatever the input size (PyTorch's ``AdaptiveAvgPool2d``).

    Output row i averages the input rows ``floor(i H / H_out) .. ceil((i + 1) H / H_out) - 1``
    (likewise for columns), so the windows tile the map and may differ in size by one.
    ``AdaptiveAvgPool2d(1)`` (or ``(1, 1)``) is **global average pooling**: each feature map
    becomes its mean, ``A[n, c, 0, 0] = mean_{i, j} A_prev[n, c, i, j]``; followed by
    ``Flatten`` it replaces the large ``Linear`` layer at the end of a CNN by one number per
    channel. Backward spreads each output's gradient evenly over its window.

    Parameters
    ----------
    output_size : int or (int, int)
        ``H_out`` (= ``W_out``) or ``(H_out, W_out)``.

    Shape
    -----
    Input ``(N, C, H, W)``; output ``(N, C, H_out, W_out)``. An output larger than the input is
    allowed, as in PyTorch: the windows then overlap and some pixels are repeated.

    Examples
    --------
    >>> A = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> AdaptiveAvgPool2d((1, 1))(A)                 # the mean of 0..15
    array([[[[7.5]]]])
    >>> AdaptiveAvgPool2d(2)(A)[0, 0]                 # here the same as AvgPool2d(2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_hw = check_int_pair(output_size, "AdaptiveAvgPool2d", "output_size")
        self.output_size = output_size
        self._cache = None

    @staticmethod
    def bins(n, n_out):
        """``[(start, stop), ...]`` of the ``n_out`` windows along an axis of size ``n``.

        >>> AdaptiveAvgPool2d.bins(5, 3)
        [(0, 2), (1, 4), (3, 5)]
        >>> AdaptiveAvgPool2d.bins(2, 3)                  # more windows than pixels: they overlap
        [(0, 1), (0, 2), (1, 2)]
        """
        return [((i * n) // n_out, -(-((i + 1) * n) // n_out)) for i in range(n_out)]

    def forward(self, A_prev):
        """Mean over every adaptive window of ``A_prev`` (N, C, H, W)."""
        where = "AdaptiveAvgPool2d.forward"
        A_prev = check_array(A_prev, where, shape=("N", "C", "H", "W"))
        (H, W), (H_out, W_out) = A_prev.shape[2:], self.output_hw
        rows, cols = self.bins(H, H_out), self.bins(W, W_out)
        A = np.empty(A_prev.shape[:2] + (H_out, W_out))  # (N, C, H_out, W_out)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                A[:, :, i, j] = A_prev[:, :, r0:r1, c0:c1].mean(axis=(2, 3))  # (N, C)
        self._cache = (A_prev.shape, rows, cols)
        return A

    def backward(self, grad_y):
        """Spread ``delta`` (N, C, H_out, W_out) evenly over each window; return dL/dA_prev."""
        input_shape, rows, cols = self._cache_or_raise(self._cache)
        delta = check_array(grad_y, "AdaptiveAvgPool2d.backward", name="grad_y",
                            shape=input_shape[:2] + self.output_hw, allow_nan=True)
        dA_prev = np.zeros(input_shape)  # (N, C, H, W)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                size = (r1 - r0) * (c1 - c0)
                dA_prev[:, :, r0:r1, c0:c1] += delta[:, :, i, j, None, None] / size
        return dA_prev

    def __repr__(self):
        return f"AdaptiveAvgPool2d(output_size={self.output_size!r})"


def max_pool2d_naive(A_prev, kernel_size, stride=None, padding=0):
    """Loop reference for ``MaxPool2d.forward``: ``(N, C, H, W) -> (N, C, H_out, W_out)``.

    >>> max_pool2d_naive(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    A_pad = pad2d(np.asarray(A_prev, dtype=np.float64), pair(padding), value=-np.inf)
    return _pool_naive(A_pad, kernel_size, stride, np.max)


def avg_pool2d_naive(A_prev, kernel_size, stride=None, padding=0):
    """Loop reference for ``AvgPool2d.forward`` (zeros counted): ``(N, C, H, W) -> (N, C, H_out, W_out)``.

    >>> avg_pool2d_naive(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    A_pad = pad2d(np.asarray(A_prev, dtype=np.float64), pair(padding))
    return _pool_naive(A_pad, kernel_size, stride, np.mean)


def _pool_naive(A_pad, kernel_size, stride, reduce):
    kH, kW = pair(kernel_size)
    sH, sW = (kH, kW) if stride is None else pair(stride)
    N, C, H, W = A_pad.shape
    H_out, W_out = (H - kH) // sH + 1, (W - kW) // sW + 1
    A = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    A[n, c, i, j] = reduce(A_pad[n, c, i * sH:i * sH + kH, j * sW:j * sW + kW])
    return A
