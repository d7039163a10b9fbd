"""Cutting images into windows: zero padding, sliding windows, im2col and col2im.

A convolution or pooling layer looks at every ``kH x kW`` window of its (padded) input.
These helpers lay the windows out so that the layer becomes one matrix product
(``im2col``) and add gradients back onto the pixels they came from (``col2im``).

Sizes may be given as one int (the same for height and width) or as a pair
``(height, width)``, as in PyTorch. A window with **dilation** ``d`` reads every
``d``-th pixel: its taps sit at offsets ``0, d, 2d, ..., d (k - 1)``, so it spans
``d (k - 1) + 1`` pixels (``d = 1`` is the ordinary, dense window).

``nnlib.functional`` re-exports ``sliding_windows``, ``im2col`` and ``col2im``; ``nnlib.conv``
re-exports ``pad2d``.
"""

import numpy as np


def pair(value):
    """``n -> (n, n)``; a pair stays a pair (as a tuple).

    >>> pair(3), pair((2, 5))
    ((3, 3), (2, 5))
    """
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value, value)


def pad2d(A, p, value=0.0):
    """Add ``p`` entries of ``value`` around the last two axes of ``A`` (``A`` is unchanged).

    ``p`` is an int (the same on all four sides) or a pair ``(pH, pW)``: ``pH`` rows above
    and below, ``pW`` columns left and right. Shape: ``(..., H, W) -> (..., H + 2pH, W + 2pW)``.
    With ``p = 0`` the input itself is returned (no copy).

    >>> pad2d(np.ones((1, 1, 2, 2)), 1)[0, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]])
    >>> pad2d(np.ones((1, 2)), (0, 1))
    array([[0., 1., 1., 0.]])
    """
    pH, pW = pair(p)
    if pH == 0 and pW == 0:
        return A
    H, W = A.shape[-2:]
    A_pad = np.full(A.shape[:-2] + (H + 2 * pH, W + 2 * pW), value)  # (..., H + 2pH, W + 2pW)
    A_pad[..., pH:pH + H, pW:pW + W] = A  # the original in the middle, a frame around it
    return A_pad


def sliding_windows(A, kernel_size, stride=1, dilation=1):
    """All windows of the last two axes of ``A`` (a read-only view, no copy).

    Shape: ``(N, C, H, W) -> (N, C, H_out, W_out, kH, kW)``; entry ``[n, c, i, j, u, v]`` is
    ``A[n, c, sH*i + dH*u, sW*j + dW*v]``: window ``(i, j)`` starts at ``(sH*i, sW*j)`` and
    its tap ``(u, v)`` sits ``(dH*u, dW*v)`` further.

    >>> sliding_windows(np.arange(16.0).reshape(1, 1, 4, 4), 3)[0, 0, 1, 1]
    array([[ 5.,  6.,  7.],
           [ 9., 10., 11.],
           [13., 14., 15.]])
    >>> sliding_windows(np.arange(16.0).reshape(1, 1, 4, 4), 2, dilation=2)[0, 0, 0, 0]
    array([[ 0.,  2.],
           [ 8., 10.]])
    """
    (kH, kW), (sH, sW), (dH, dW) = pair(kernel_size), pair(stride), pair(dilation)
    span = (dH * (kH - 1) + 1, dW * (kW - 1) + 1)  # pixels one window covers
    windows = np.lib.stride_tricks.sliding_window_view(A, span, axis=(-2, -1))
    return windows[:, :, ::sH, ::sW, ::dH, ::dW]  # (N, C, H_out, W_out, kH, kW)


def im2col(A, kernel_size, stride=1, dilation=1):
    """Lay every window of ``A`` out as one column of a matrix.

    Column ``i * W_out + j`` of ``cols[n]`` holds the window at output position
    ``(i, j)`` of image ``n``, flattened in the order ``(channel, row, column)`` -- the
    same order as a flattened kernel ``W[o].ravel()``. A convolution then is one
    matrix product per image: ``Z[n] = W.reshape(C_out, -1) @ cols[n]``.

    Parameters
    ----------
    A : numpy.ndarray
        Input, already padded.
    kernel_size : int or (int, int)
        Window size ``k`` or ``(kH, kW)``.
    stride : int or (int, int)
        Step between windows.
    dilation : int or (int, int)
        Spacing between the taps of a window.

    Shape
    -----
    ``A``: ``(N, C, H, W)``; returns ``(N, C*kH*kW, H_out*W_out)``.

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
    windows = sliding_windows(A, kernel_size, stride, dilation)  # (N, C, H_out, W_out, kH, kW)
    H_out, W_out, kH, kW = windows.shape[2:]
    windows = windows.transpose(0, 1, 4, 5, 2, 3)  # (N, C, kH, kW, H_out, W_out)
    return windows.reshape(N, C * kH * kW, H_out * W_out)  # copy


def col2im(cols, input_shape, kernel_size, stride=1, dilation=1):
    """Inverse bookkeeping of ``im2col``: add every column back onto its window.

    A pixel that lies in several windows receives the sum of all its entries, which is
    exactly what the backward pass needs (the pixel influenced each of those outputs).
    We loop over the ``kH*kW`` taps of the window; for a fixed tap the strided slice
    touches every pixel at most once, so a plain ``+=`` is correct.

    Parameters
    ----------
    cols : numpy.ndarray
        Columns as produced by ``im2col`` (usually gradients).
    input_shape : tuple
        ``(N, C, H, W)`` of the (padded) input that ``im2col`` received.
    kernel_size, stride, dilation : int or (int, int)
        As for ``im2col``.

    Shape
    -----
    ``cols``: ``(N, C*kH*kW, H_out*W_out)``; returns ``(N, C, H, W)``.

    Examples
    --------
    Every pixel of a 3x3 image lies in 1, 2 or 4 of the four 2x2 windows:

    >>> col2im(np.ones((1, 4, 4)), (1, 1, 3, 3), 2)[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    N, C, H, W = input_shape
    (kH, kW), (sH, sW), (dH, dW) = pair(kernel_size), pair(stride), pair(dilation)
    H_out = (H - dH * (kH - 1) - 1) // sH + 1
    W_out = (W - dW * (kW - 1) - 1) // sW + 1
    cols = cols.reshape(N, C, kH, kW, H_out, W_out)
    A = np.zeros(input_shape)  # (N, C, H, W)
    for u in range(kH):
        for v in range(kW):
            top, left = dH * u, dW * v  # where tap (u, v) of the first window sits
            A[:, :, top:top + sH * H_out:sH, left:left + sW * W_out:sW] += cols[:, :, u, v]
    return A
