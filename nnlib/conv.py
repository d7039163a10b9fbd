"""Two-dimensional convolution: the output-size formula, ``Conv2d`` and loop references.

What deep-learning libraries call a "convolution" is, strictly, a **cross-correlation**:
the kernel slides over the input *without* being flipped,

    Z[n, o, i, j] = b[o] + sum_{c, u, v} W[o, c, u, v] * A_prev[n, c, s*i + d*u, s*j + d*v]

(``s`` is the stride, ``d`` the dilation -- 1 unless the kernel is spread out --, ``A_prev``
already zero-padded). ``Conv2d`` follows PyTorch and computes exactly this. The DHBW deck
defines the textbook convolution

    O(i, j) = sum_m sum_n I(i - m, j - n) * F(m, n),

which is the same as a cross-correlation with the kernel rotated by 180 degrees;
``convolve2d`` and ``correlate2d`` below show both for one channel, and ``convolve1d``
the SAP deck's one-dimensional ``(f * g)[i] = sum_n f[i - n] g[n]``. (The SAP deck writes the
convolution formula but its 5x5 worked example is a cross-correlation: its numbers come
out of ``correlate2d``, not ``convolve2d``.) For learned kernels the difference does not
matter: a network that needs the flipped kernel simply learns it.

The fast path of ``Conv2d`` uses **im2col**: every receptive field (window) of the
padded input becomes one column of a matrix, so the whole convolution is a single matrix
product, just like ``Linear`` (``im2col``/``col2im`` live in ``nnlib.im2col``).
``conv2d_naive`` is the plain loop that the tests compare it against.

Sizes (``kernel_size``, ``stride``, ``padding``, ``dilation``) are an int, the same for
height and width, or a pair ``(height, width)``, as in PyTorch.
"""

import numbers

import numpy as np

from nnlib import init as initializers
from nnlib.im2col import col2im, im2col, pad2d, pair
from nnlib.module import Module
from nnlib.validation import check_array, check_bool, check_int_pair, check_positive_int

PADDING_MODES = ("valid", "same", "full")

__all__ = ["Conv2d", "conv_output_size", "conv2d_naive", "pad2d", "correlate2d", "convolve2d", "convolve1d"]


def _check_padding(padding, kernel_size, stride, where, dilation=1, uneven=False):
    """Turn ``padding`` (int, pair or mode string) into the zeros added on each side, ``(pH, pW)``.

    ``"valid"`` adds nothing, ``"full"`` adds ``d (k - 1)`` (every overlap of kernel and
    input counts), ``"same"`` adds ``d (k - 1) / 2`` so that the output has the input's
    size; like PyTorch it is only defined for stride 1. An odd ``d (k - 1)`` (an even kernel)
    cannot be split evenly: with ``uneven=True`` (``Conv2d``) the larger half is returned and
    the caller drops one row or column of it at the top or left, as PyTorch pads; otherwise
    it is an error. ``kernel_size``, ``stride`` and ``dilation`` are pairs or ints.
    """
    (kH, kW), (sH, sW), (dH, dW) = pair(kernel_size), pair(stride), pair(dilation)
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ValueError(
                f"{where}: padding must be an int >= 0, a pair or one of 'valid', 'same', 'full', "
                f"got '{padding}'"
            )
        if padding == "valid":
            return 0, 0
        if padding == "full":
            return dH * (kH - 1), dW * (kW - 1)
        if (sH, sW) != (1, 1):
            shown = stride if isinstance(stride, numbers.Integral) else tuple(stride)
            raise ValueError(
                f"{where}: padding='same' needs stride 1, got stride {shown} "
                "(with a larger stride the output is necessarily smaller than the input)"
            )
        if ((dH * (kH - 1)) % 2 or (dW * (kW - 1)) % 2) and not uneven:
            shown = kernel_size if isinstance(kernel_size, numbers.Integral) else tuple(kernel_size)
            raise ValueError(
                f"{where}: padding='same' needs an odd kernel_size, got {shown} "
                "(an even kernel would need different padding on the two sides)"
            )
        return -(-dH * (kH - 1) // 2), -(-dW * (kW - 1) // 2)  # rounded up
    if not isinstance(padding, (tuple, list)) and (
            isinstance(padding, bool) or not isinstance(padding, numbers.Integral)):
        raise TypeError(
            f"{where}: padding must be an int, a pair or one of 'valid', 'same', 'full', "
            f"got {type(padding).__name__}"
        )
    return check_int_pair(padding, where, "padding", minimum=0)


def conv_output_size(n, kernel_size, padding=0, stride=1, dilation=1):
    """Size of a convolution (or pooling) output along one axis.

    The lecture's formula (DHBW deck, eq. 45):

        output size = (input size - kernel size + 2 * padding) / stride + 1

    rounded down when the stride does not divide evenly (PyTorch does the same: the
    last, incomplete window is dropped). A dilated kernel spans ``d (k - 1) + 1`` pixels
    and takes their place in the formula: ``(n + 2p - d (k - 1) - 1) // s + 1``.

    Parameters
    ----------
    n : int
        Input size along the axis (height or width).
    kernel_size : int
        Kernel (window) size ``k``.
    padding : int or {"valid", "same", "full"}
        Zeros added on each side; the strings mean 0, ``d (k - 1) / 2`` and ``d (k - 1)``.
    stride : int
        Step between two window positions.
    dilation : int
        Spacing ``d`` between the kernel's taps (1: a dense kernel).

    Returns
    -------
    int
        ``(n - k + 2 p) // s + 1`` (for ``d = 1``).

    Raises
    ------
    ValueError
        If the window does not fit into the padded input (``n + 2 p < d (k - 1) + 1``).

    Examples
    --------
    The DHBW deck's 4x4 input with a 3x3 kernel:

    >>> conv_output_size(4, 3, padding="valid"), conv_output_size(4, 3, "same")
    (2, 4)
    >>> conv_output_size(4, 3, padding="full")
    6
    >>> conv_output_size(28, 2, stride=2)
    14
    >>> conv_output_size(7, 3, dilation=2)          # the kernel spans 5 pixels
    3
    """
    where = "conv_output_size"
    n = check_positive_int(n, where, "n")
    kernel_size = check_positive_int(kernel_size, where, "kernel_size")
    stride = check_positive_int(stride, where, "stride")
    dilation = check_positive_int(dilation, where, "dilation")
    p = _check_padding(padding, kernel_size, stride, where, dilation)[0]
    span = dilation * (kernel_size - 1) + 1
    if n + 2 * p < span:
        window = f"{kernel_size}-wide" if dilation == 1 else f"{kernel_size}-tap (span {span}, dilation {dilation})"
        raise ValueError(
            f"{where}: the {window} window does not fit into an input of size {n} "
            f"with padding {p} ({n} + 2*{p} < {span})"
        )
    return (n + 2 * p - span) // stride + 1


def conv2d_naive(A_prev, W, b, stride=1, padding=0, dilation=1):
    """Reference convolution (cross-correlation) with plain loops: slow but obvious.

    ``Z[n, o, i, j] = b[o] + sum(W[o] * window)`` where ``window`` is the ``(C, kH, kW)``
    patch of the padded input whose taps start at ``(sH*i, sW*j)`` and lie ``d`` apart.

    Parameters
    ----------
    A_prev : array_like, shape (N, C_in, H, W)
    W : array_like, shape (C_out, C_in, kH, kW)
    b : array_like, shape (C_out,), or None (no bias)
    stride, dilation : int or (int, int)
    padding : int, (int, int) or {"valid", "same", "full"}

    Returns
    -------
    numpy.ndarray, shape (N, C_out, H_out, W_out)

    Examples
    --------
    >>> A = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d_naive(A, np.ones((1, 1, 3, 3)), np.zeros(1))[0, 0]
    array([[45., 54.],
           [81., 90.]])
    """
    A_prev = np.asarray(A_prev, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    N, C_in, H, W_in = A_prev.shape
    C_out, _, kH, kW = W.shape
    (sH, sW), (dH, dW) = pair(stride), pair(dilation)
    pH, pW = _check_padding(padding, (kH, kW), (sH, sW), "conv2d_naive", (dH, dW))
    H_out = conv_output_size(H, kH, pH, sH, dH)
    W_out = conv_output_size(W_in, kW, pW, sW, dW)
    A_pad = pad2d(A_prev, (pH, pW))
    Z = np.zeros((N, C_out, H_out, W_out))
    for n in range(N):
        for o in range(C_out):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * sH, i * sH + dH * (kH - 1) + 1, dH)  # the kH taps of the window
                    cols = slice(j * sW, j * sW + dW * (kW - 1) + 1, dW)
                    Z[n, o, i, j] = np.sum(W[o] * A_pad[n, :, rows, cols])
                    if b is not None:
                        Z[n, o, i, j] += b[o]
    return Z


def correlate2d(I, F, mode="valid"):
    """Single-channel cross-correlation (the kernel is *not* flipped), as in ``Conv2d``.

    ``O(i, j) = sum_{m, n} I(i + m, j + n) * F(m, n)`` over the zero-padded input.

    Parameters
    ----------
    I : array_like, shape (H, W)
        Input image.
    F : array_like, shape (k, k)
        Kernel (filter).
    mode : {"valid", "same", "full"} or int
        Padding, as for ``Conv2d``.

    Returns
    -------
    numpy.ndarray, shape (H_out, W_out)

    Examples
    --------
    The SAP deck's 5x5 example:

    >>> I = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
    >>> F = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
    >>> correlate2d(I, F)
    array([[12., 12., 17.],
           [10., 17., 19.],
           [ 9.,  6., 14.]])
    """
    I = check_array(I, "correlate2d", shape=("H", "W"), name="I")
    F = check_array(F, "correlate2d", shape=("k", "k"), name="F")
    Z = conv2d_naive(I[None, None], F[None, None], np.zeros(1), stride=1, padding=mode)
    return Z[0, 0]


def convolve2d(I, F, mode="valid"):
    """Single-channel convolution with the flipped kernel, as in the DHBW deck.

    ``O(i, j) = sum_m sum_n I(i - m, j - n) * F(m, n)``: while ``F`` is read forwards,
    the input is read backwards, which is the same as sliding the kernel rotated by
    180 degrees: ``convolve2d(I, F) == correlate2d(I, F[::-1, ::-1])``.

    The sum is taken literally: the ``"full"`` output has one entry for every shift
    ``(i, j)`` at which kernel and input overlap (``I`` is zero outside its border);
    ``"valid"`` keeps the shifts where the kernel lies completely inside the input and
    ``"same"`` the centred ones that give an output of the input's size.

    Parameters
    ----------
    I : array_like, shape (H, W)
    F : array_like, shape (k, k)
    mode : {"valid", "same", "full"}

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> I = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> F = np.array([[1.0, 0.0], [0.0, -1.0]])
    >>> convolve2d(I, F, "full")
    array([[ 1.,  2.,  0.],
           [ 3.,  3., -2.],
           [ 0., -3., -4.]])
    >>> np.array_equal(convolve2d(I, F, "full"), correlate2d(I, F[::-1, ::-1], "full"))
    True
    """
    I = check_array(I, "convolve2d", shape=("H", "W"), name="I")
    F = check_array(F, "convolve2d", shape=("k", "k"), name="F")
    if mode not in PADDING_MODES:
        raise ValueError(f"convolve2d: mode must be 'valid', 'same' or 'full', got {mode!r}")
    H, W = I.shape
    k = F.shape[0]
    # "full": O(i, j) for i = 0 .. H + k - 2, reading I(i - m, j - n) (zero outside I).
    full = np.zeros((H + k - 1, W + k - 1))
    for m in range(k):
        for n in range(k):
            full[m:m + H, n:n + W] += F[m, n] * I  # every (i, j) with i - m, j - n inside I
    if mode == "full":
        return full
    if mode == "valid":
        if H < k or W < k:
            raise ValueError(f"convolve2d: the {k}x{k} kernel does not fit into a {H}x{W} input")
        return full[k - 1:H, k - 1:W]
    if k % 2 == 0:
        raise ValueError(f"convolve2d: mode='same' needs an odd kernel size, got {k}")
    c = (k - 1) // 2
    return full[c:c + H, c:c + W]


def convolve1d(f, g, mode="same"):
    """One-dimensional convolution of the SAP deck: ``(f * g)[i] = sum_{n=-N}^{N} f[i - n] g[n]``.

    The kernel ``g`` has ``2N + 1`` entries, ``g[0]`` of the array being the slide's
    ``g[-N]``; ``f`` counts as zero outside its ends. ``"same"`` returns one value per
    position ``i`` of ``f`` (the slide's sum), ``"full"`` every shift at which ``f`` and
    ``g`` overlap, ``"valid"`` only those where ``g`` lies completely inside ``f``.
    The results equal ``np.convolve(f, g, mode)``.

    Parameters
    ----------
    f : array_like, shape (L,)
        Input signal.
    g : array_like, shape (K,)
        Kernel; ``K`` must be odd for ``"same"`` (the window ``-N .. N``).
    mode : {"same", "valid", "full"}

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    A moving sum over three neighbours, and a difference kernel (note the flip:
    ``g = [1, 0, -1]`` computes ``f[i + 1] - f[i - 1]``):

    >>> convolve1d([1, 2, 3, 4], [1, 1, 1])
    array([3., 6., 9., 7.])
    >>> convolve1d([1, 2, 4, 8], [1, 0, -1], "valid")
    array([3., 6.])
    """
    f = check_array(f, "convolve1d", shape=("L",), name="f")
    g = check_array(g, "convolve1d", shape=("K",), name="g")
    if mode not in PADDING_MODES:
        raise ValueError(f"convolve1d: mode must be 'valid', 'same' or 'full', got {mode!r}")
    L, K = f.shape[0], g.shape[0]
    full = np.zeros(L + K - 1)  # one entry per shift at which f and g overlap
    for m in range(K):
        full[m:m + L] += g[m] * f  # f[i - m] g[m] for every i
    if mode == "full":
        return full
    if mode == "valid":
        if L < K:
            raise ValueError(f"convolve1d: the kernel ({K}) is longer than the signal ({L})")
        return full[K - 1:L]
    if K % 2 == 0:
        raise ValueError(f"convolve1d: mode='same' needs an odd kernel length 2N + 1, got {K}")
    N = (K - 1) // 2
    return full[N:N + L]


class Conv2d(Module):
    """2-D convolution layer (cross-correlation, as in PyTorch), batched and multi-channel.

    For each example n and output channel (feature map) o:

        Z[n, o] = b[o] + sum_c  W[o, c] (cross-correlated with) A_prev[n, c]

    computed with im2col: ``Z[n] = W_mat @ cols[n] + b`` where ``W_mat`` is ``W`` with
    each kernel flattened into a row and ``cols[n]`` holds one window per column. That is
    a ``Linear`` layer applied to every window, with the same weights everywhere
    (parameter sharing). Backward mirrors ``Linear``:

        dW     += sum_n delta[n] @ cols[n].T      (shape of W)
        db     += delta summed over n, i, j
        dcols   = W_mat.T @ delta[n]              then col2im -> dL/dA_prev

    Parameters
    ----------
    in_channels : int
        Channels ``C_in`` of the input (1 for grey images).
    out_channels : int
        Number of kernels, i.e. of feature maps ``C_out``.
    kernel_size : int or (int, int)
        Kernels are ``k x k``, or ``kH x kW`` for a pair.
    stride : int or (int, int), default 1
        Step between window positions.
    padding : int, (int, int) or {"valid", "same", "full"}, default 0
        Zeros added on every side (a pair: ``pH`` rows above and below, ``pW`` columns
        left and right); ``"valid"`` = 0, ``"same"`` = ``d (k-1)/2`` (stride 1; for an even
        ``k`` the extra zero goes below and right, as in PyTorch), ``"full"`` = ``d (k - 1)``.
    rng : None, int or numpy.random.Generator
        Seeds the initial weights.
    init : str or callable, default "he"
        Weight initialisation, any scheme of ``nnlib.init`` (as for ``Linear``). The
        fan-in of a kernel is ``C_in * kH * kW`` (the inputs one output sees, as a
        ``Linear`` row sees ``in_features``). The default is He's ``N(0, 2 / fan_in)``
        because a ReLU usually follows a convolution; ``"xavier"`` gives ``1 / fan_in``.
        (PyTorch's default is a uniform distribution instead.)
    dilation : int or (int, int), default 1
        Spacing ``d`` between the kernel's taps: a 3x3 kernel with ``d = 2`` covers 5x5
        pixels with 9 weights (a larger receptive field at the same cost).
    bias : bool, default True
        If False there is no ``b`` (``b`` and ``db`` are None), as before a ``BatchNorm2d``.

    Attributes
    ----------
    W : numpy.ndarray, shape (C_out, C_in, kH, kW)
        Kernels (one ``(C_in, kH, kW)`` kernel per output channel).
    b : numpy.ndarray, shape (C_out,), or None
        One bias per feature map, initialised to zero.
    dW, db : numpy.ndarray
        Accumulated gradients, same shapes.
    pad : int or (int, int)
        Zeros added on each side (an int when height and width get the same).

    Shape
    -----
    Input ``(N, C_in, H, W)``, output ``(N, C_out, H_out, W_out)`` with
    ``H_out = conv_output_size(H, kH, pH, sH, dH)`` (likewise ``W_out``).

    Examples
    --------
    >>> conv = Conv2d(1, 2, kernel_size=3, padding="same", rng=0)
    >>> conv(np.zeros((5, 1, 4, 4))).shape
    (5, 2, 4, 4)
    >>> conv.W.shape, conv.b.shape
    ((2, 1, 3, 3), (2,))
    >>> Conv2d(1, 1, (1, 3), padding=(0, 2), dilation=2, bias=False)(np.ones((1, 1, 2, 5))).shape
    (1, 1, 2, 5)
    """

    param_names = ("W", "b")

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None,
                 init="he", dilation=1, bias=True):
        super().__init__()
        where = "Conv2d"
        self.in_channels = check_positive_int(in_channels, where, "in_channels")
        self.out_channels = check_positive_int(out_channels, where, "out_channels")
        self.kernel_hw = check_int_pair(kernel_size, where, "kernel_size")  # (kH, kW)
        self.stride_hw = check_int_pair(stride, where, "stride")  # (sH, sW)
        self.dilation_hw = check_int_pair(dilation, where, "dilation")  # (dH, dW)
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation  # as given
        self.padding = padding
        self.pad_hw = _check_padding(padding, kernel_size, stride, where, dilation, uneven=True)  # (pH, pW)
        # 'same' with an odd d (k - 1): one zero row (column) fewer at the top (left) than below (right)
        same = isinstance(padding, str) and padding == "same"
        self.trim_hw = tuple(d * (k - 1) % 2 if same else 0 for k, d in zip(self.kernel_hw, self.dilation_hw))
        self.init = init
        shape = (self.out_channels, self.in_channels) + self.kernel_hw
        self.W = initializers.initialize(init, shape, rng=rng)  # (C_out, C_in, kH, kW)
        self.dW = np.zeros_like(self.W)
        if check_bool(bias, where, "bias"):
            self.b = np.zeros(self.out_channels)  # (C_out,)
            self.db = np.zeros_like(self.b)
        else:
            self.b = self.db = None
            self.param_names = ("W",)
        self._cache = None

    @property
    def pad(self):
        pH, pW = self.pad_hw
        return pH if pH == pW else (pH, pW)

    def output_shape(self, H, W):
        """``(H_out, W_out)`` for an ``H x W`` input."""
        if isinstance(self.padding, str) and self.padding == "same":
            return H, W
        (kH, kW), (pH, pW), (sH, sW), (dH, dW) = self.kernel_hw, self.pad_hw, self.stride_hw, self.dilation_hw
        return conv_output_size(H, kH, pH, sH, dH), conv_output_size(W, kW, pW, sW, dW)

    def forward(self, A_prev):
        """Convolve the batch ``A_prev`` (N, C_in, H, W) and return Z (N, C_out, H_out, W_out)."""
        where = "Conv2d.forward"
        A_prev = check_array(A_prev, where, shape=("N", self.in_channels, "H", "W"))
        N, _, H, W = A_prev.shape
        (kH, kW), (pH, pW), (dH, dW) = self.kernel_hw, self.pad_hw, self.dilation_hw
        span_H, span_W = dH * (kH - 1) + 1, dW * (kW - 1) + 1  # pixels one kernel covers
        if H + 2 * pH < span_H or W + 2 * pW < span_W:
            kernel = f"{kH}x{kW} kernel" + ("" if (dH, dW) == (1, 1) else f" (dilation {self.dilation})")
            raise ValueError(
                f"{where}: the {kernel} does not fit into a {H}x{W} input "
                f"with padding {self.pad}"
            )
        H_out, W_out = self.output_shape(H, W)
        tH, tW = self.trim_hw
        A_pad = pad2d(A_prev, self.pad_hw)[:, :, tH:, tW:]  # (N, C_in, H + 2pH - tH, W + 2pW - tW)
        cols = im2col(A_pad, self.kernel_hw, self.stride_hw, self.dilation_hw)  # (N, C_in*kH*kW, H_out*W_out)
        W_mat = self.W.reshape(self.out_channels, -1)  # (C_out, C_in*kH*kW), one kernel per row
        Z = W_mat @ cols  # (N, C_out, H_out*W_out): a Linear layer applied to every window
        if self.b is not None:
            Z += self.b[:, None]  # (N, C_out, H_out*W_out)
        self._cache = (cols, A_pad.shape, (H_out, W_out))
        return Z.reshape(N, self.out_channels, H_out, W_out)

    def backward(self, grad_y):
        """Given delta = dL/dZ (N, C_out, H_out, W_out), accumulate dW, db; return dL/dA_prev."""
        cols, padded_shape, (H_out, W_out) = self._cache_or_raise(self._cache)
        N = padded_shape[0]
        delta = check_array(grad_y, "Conv2d.backward", shape=(N, self.out_channels, H_out, W_out),
                            name="grad_y", allow_nan=True)
        delta = delta.reshape(N, self.out_channels, H_out * W_out)  # (N, C_out, H_out*W_out)
        W_mat = self.W.reshape(self.out_channels, -1)  # (C_out, C_in*kH*kW)
        dW_mat = (delta @ cols.transpose(0, 2, 1)).sum(axis=0)  # (C_out, C_in*kH*kW), summed over images
        self.dW += dW_mat.reshape(self.W.shape)  # (C_out, C_in, kH, kW)
        if self.b is not None:
            self.db += delta.sum(axis=(0, 2))  # (C_out,)
        dcols = W_mat.T @ delta  # (N, C_in*kH*kW, H_out*W_out)
        dA_pad = col2im(dcols, padded_shape, self.kernel_hw, self.stride_hw, self.dilation_hw)
        (pH, pW), (tH, tW), (H_pad, W_pad) = self.pad_hw, self.trim_hw, padded_shape[2:]
        return dA_pad[:, :, pH - tH:H_pad - pH, pW - tW:W_pad - pW]  # (N, C_in, H, W)

    def __repr__(self):
        extra = "" if self.dilation_hw == (1, 1) else f", dilation={self.dilation!r}"
        extra += "" if self.b is not None else ", bias=False"
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size!r}, "
            f"stride={self.stride!r}, padding={self.padding!r}{extra})"
        )
