"""Lesson 13 -- the convolution operator, stride and padding, channels and filters.

Plain functions behind the worked examples and sliders of
``notebooks/13_convolution.ipynb``. They compute with :mod:`nnlib.conv`
(``correlate2d``, ``convolve2d``, ``conv_output_size``, ``Conv2d``) and
:class:`nnlib.layers.Linear`; the notebook only plots and prints what they return.

Two operators carry the name "convolution":

* the textbook **convolution** of the DHBW deck, which reads the input backwards,
  ``O(i, j) = sum_m sum_n I(i - m, j - n) F(m, n)`` (the kernel is flipped), and
* the **cross-correlation** that deep-learning libraries (PyTorch, ``nnlib.Conv2d``)
  compute, ``O(i, j) = sum_m sum_n I(i + m, j + n) F(m, n)`` (no flip).

They differ only by rotating the kernel by 180 degrees. The output size along one
axis is ``(n - k + 2p) / s + 1`` (DHBW deck, eq. 45).
"""

import numbers

import numpy as np

from nnlib.conv import Conv2d, conv_output_size, convolve1d, convolve2d, correlate2d, pad2d
from nnlib.layers import Linear
from nnlib.validation import as_rng, check_array, check_positive_int

#: The SAP deck's worked example: a 5x5 input and the 3x3 kernel written in its corner.
SAP_INPUT = np.array([
    [3.0, 3.0, 2.0, 1.0, 0.0],
    [0.0, 0.0, 1.0, 3.0, 1.0],
    [3.0, 1.0, 2.0, 2.0, 3.0],
    [2.0, 0.0, 0.0, 2.0, 2.0],
    [2.0, 0.0, 0.0, 0.0, 1.0],
])
SAP_KERNEL = np.array([
    [0.0, 1.0, 2.0],
    [2.0, 2.0, 0.0],
    [0.0, 1.0, 2.0],
])

#: Hand-made 3x3 kernels for the edge-detection demo (applied as cross-correlations).
EDGE_KERNELS = {
    "vertical edges (Sobel x)": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    "horizontal edges (Sobel y)": np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
    "all edges (Laplacian)": np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
    "blur (mean)": np.full((3, 3), 1.0 / 9.0),
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
}


def sap_example():
    """The SAP deck's 5x5 input and 3x3 kernel, as cross-correlation and as convolution.

    Returns
    -------
    dict
        ``I`` (5, 5), ``F`` (3, 3), ``F_flipped`` the kernel rotated by 180 degrees;
        ``correlation = correlate2d(I, F)`` -- the deck's numbers
        ``[[12, 12, 17], [10, 17, 19], [9, 6, 14]]``; ``convolution = convolve2d(I, F)``
        (flipped kernel, different numbers); ``convolution_of_flipped =
        convolve2d(I, F_flipped)``, equal to ``correlation`` because flipping twice
        gives the kernel back.

    Examples
    --------
    >>> out = sap_example()
    >>> out["correlation"]
    array([[12., 12., 17.],
           [10., 17., 19.],
           [ 9.,  6., 14.]])
    >>> bool(np.array_equal(out["convolution_of_flipped"], out["correlation"]))
    True
    """
    F_flipped = SAP_KERNEL[::-1, ::-1]  # (3, 3) rotated by 180 degrees
    return {
        "I": SAP_INPUT.copy(),
        "F": SAP_KERNEL.copy(),
        "F_flipped": F_flipped.copy(),
        "correlation": correlate2d(SAP_INPUT, SAP_KERNEL),  # (3, 3)
        "convolution": convolve2d(SAP_INPUT, SAP_KERNEL),  # (3, 3)
        "convolution_of_flipped": convolve2d(SAP_INPUT, F_flipped),  # (3, 3)
    }


def window_at(I, F, i, j, stride=1, padding=0):
    """One position of the sliding kernel: the window it covers and the sum it computes.

    Output entry ``(i, j)`` of the cross-correlation is
    ``sum(window * F)`` where ``window`` is the ``k x k`` patch of the zero-padded input
    with top-left corner ``(s i, s j)``. The notebook's slider moves ``(i, j)``.

    Parameters
    ----------
    I : array_like (H, W)
        Input image.
    F : array_like (k, k)
        Kernel.
    i, j : int
        Output position (row, column).
    stride : int
    padding : int or {"valid", "same", "full"}

    Returns
    -------
    dict
        ``I_padded``; ``top, left`` the window's corner in ``I_padded``; ``window``
        (k, k); ``products`` (k, k) ``window * F``; ``value`` their sum; ``output``
        the complete output ``correlate``-d with the same stride and padding.

    Examples
    --------
    >>> out = window_at(SAP_INPUT, SAP_KERNEL, 0, 2)
    >>> out["window"]
    array([[2., 1., 0.],
           [1., 3., 1.],
           [2., 2., 3.]])
    >>> out["value"]
    17.0
    """
    I = check_array(I, "window_at", shape=("H", "W"), name="I")
    F = check_array(F, "window_at", shape=("k", "k"), name="F")
    stride = check_positive_int(stride, "window_at", "stride")
    k = F.shape[0]
    conv = Conv2d(1, 1, k, stride=stride, padding=padding, init="zeros")
    conv.W[0, 0] = F  # (k, k)
    output = conv(I[None, None])[0, 0]  # (H_out, W_out)
    H_out, W_out = output.shape
    for name, value, limit in (("i", i, H_out), ("j", j, W_out)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < limit:
            raise ValueError(f"window_at: {name} must be an int in 0..{limit - 1} "
                             f"(the output is {H_out}x{W_out}), got {value!r}")
    I_padded = pad2d(I, conv.pad)  # (H + 2p, W + 2p)
    top, left = stride * i, stride * j
    window = I_padded[top:top + k, left:left + k]  # (k, k)
    products = window * F  # (k, k)
    return {"I_padded": I_padded, "top": top, "left": left, "window": window.copy(),
            "products": products, "value": float(products.sum()), "output": output}


def convolve1d_terms(f, g, i):
    """The terms of the SAP deck's sum ``(f * g)[i] = sum_{n=-N}^{N} f[i - n] g[n]`` at one ``i``.

    ``g`` has odd length ``2N + 1`` and is indexed from ``-N`` to ``N`` (its middle entry
    is ``g[0]``); ``f`` counts as zero outside its ends. The whole output comes from
    :func:`nnlib.conv.convolve1d` (``"same"`` mode, one value per position of ``f``);
    this function spells out the single entry ``i`` term by term.

    Parameters
    ----------
    f : array_like (L,)
        Input sequence.
    g : array_like (2N + 1,)
        Filter.
    i : int
        Output position, ``0 <= i < L``.

    Returns
    -------
    dict
        ``n`` the filter indices ``-N .. N``; ``f_index`` the positions ``i - n`` of ``f``
        that are read (backwards!); ``f_values`` (0 outside ``f``), ``g_values``,
        ``products`` their products; ``value`` their sum; ``output`` the complete
        ``convolve1d(f, g)``.

    Examples
    --------
    ``g = (1, 0, -1)`` at indices ``-1, 0, 1`` computes ``f[i + 1] - f[i - 1]``:

    >>> out = convolve1d_terms([1.0, 2.0, 4.0, 8.0], [1.0, 0.0, -1.0], 1)
    >>> out["n"], out["f_index"], out["products"].tolist(), out["value"]
    ([-1, 0, 1], [2, 1, 0], [4.0, 0.0, -1.0], 3.0)
    >>> out["output"]
    array([ 2.,  3.,  6., -4.])
    """
    f = check_array(f, "convolve1d_terms", shape=("L",), name="f")
    g = check_array(g, "convolve1d_terms", shape=("K",), name="g")
    output = convolve1d(f, g, mode="same")  # (L,), raises for an even-length g
    L, N = f.shape[0], g.shape[0] // 2
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < L:
        raise ValueError(f"convolve1d_terms: i must be an int in 0..{L - 1}, got {i!r}")
    n = list(range(-N, N + 1))
    f_index = [i - m for m in n]
    f_values = np.array([f[q] if 0 <= q < L else 0.0 for q in f_index])  # (2N+1,) zero outside f
    g_values = g.copy()  # (2N+1,) g[-N] .. g[N]
    products = f_values * g_values  # (2N+1,)
    return {"n": n, "f_index": f_index, "f_values": f_values, "g_values": g_values,
            "products": products, "value": float(products.sum()), "output": output}


def output_size_demo(n=4, kernel_size=3, padding=0, stride=1):
    """What the stride / padding / kernel-size sliders show along one axis.

    Parameters
    ----------
    n : int
        Input size.
    kernel_size : int
        Kernel size ``k``.
    padding : int or {"valid", "same", "full"}
        Zeros on each side (a string is turned into the number, as in ``Conv2d``).
    stride : int
        Step ``s``.

    Returns
    -------
    dict
        ``fits`` (False when the window is larger than the padded input, or the padding
        string is not defined for these settings; then only ``message`` is filled in);
        ``p`` padding per side; ``padded`` ``n + 2p``; ``out`` the output size from
        :func:`nnlib.conv.conv_output_size`; ``exact`` the formula's value before
        rounding down; ``divides`` whether the stride fits evenly; ``starts`` the first
        index of every window in the padded input; ``unused`` the padded positions no
        window reaches (dropped at the end when the stride does not divide);
        ``formula`` the formula with the numbers filled in.

    Examples
    --------
    >>> out = output_size_demo(4, 3, "full")
    >>> out["p"], out["out"], out["formula"]
    (2, 6, '(4 - 3 + 2*2) / 1 + 1 = 6')
    >>> out = output_size_demo(6, 3, 0, 2)
    >>> out["out"], out["exact"], out["starts"], out["unused"]
    (2, 2.5, [0, 2], [5])
    """
    for name, value in (("n", n), ("kernel_size", kernel_size), ("stride", stride)):
        check_positive_int(value, "output_size_demo", name)
    try:
        out = conv_output_size(n, kernel_size, padding, stride)
    except ValueError as err:
        return {"fits": False, "message": str(err)}
    conv = Conv2d(1, 1, kernel_size, stride=stride, padding=padding, init="zeros")
    p = conv.pad
    padded = n + 2 * p
    exact = (n - kernel_size + 2 * p) / stride + 1
    starts = [stride * t for t in range(out)]
    reached = set()
    for start in starts:
        reached.update(range(start, start + kernel_size))
    unused = [pos for pos in range(padded) if pos not in reached]
    number = f"{exact:g}" if exact == out else f"{exact:g} -> rounded down to {out}"
    formula = f"({n} - {kernel_size} + 2*{p}) / {stride} + 1 = {number}"
    return {"fits": True, "n": n, "kernel_size": kernel_size, "stride": stride, "p": p,
            "padded": padded, "out": out, "exact": exact, "divides": exact == out,
            "starts": starts, "unused": unused, "formula": formula, "message": ""}


def padding_modes_table(n=4, kernel_size=3):
    """Valid, same and full convolution of an ``n x n`` input with a ``k x k`` kernel (stride 1).

    For each mode the padding, the formula's output size and the shape that
    ``nnlib.Conv2d`` really produces (they must agree).

    Returns
    -------
    list of dict
        One per mode with keys ``mode``, ``p``, ``out`` (formula) and ``shape``
        (``Conv2d`` output, height x width).

    Examples
    --------
    The DHBW deck's 4x4 input with a 3x3 kernel:

    >>> [(row["mode"], row["p"], row["out"]) for row in padding_modes_table()]
    [('valid', 0, 2), ('same', 1, 4), ('full', 2, 6)]
    """
    rows = []
    A = np.zeros((1, 1, n, n))  # (N=1, C=1, n, n)
    for mode in ("valid", "same", "full"):
        conv = Conv2d(1, 1, kernel_size, padding=mode, init="zeros")
        rows.append({"mode": mode, "p": conv.pad,
                     "out": conv_output_size(n, kernel_size, mode),
                     "shape": conv(A).shape[2:]})
    return rows


def edge_feature_maps(images, kernel_names=None, padding="same"):
    """Apply hand-made kernels to grey images with one ``nnlib.Conv2d`` layer.

    The layer has one input channel and one output channel (feature map) per
    kernel; its weights are set to the kernels of :data:`EDGE_KERNELS` and its biases
    to 0, so no training is involved.

    Parameters
    ----------
    images : array_like (N, H, W)
        Grey images, e.g. 8x8 digits scaled to [0, 1].
    kernel_names : sequence of str, optional
        Keys of :data:`EDGE_KERNELS`; default all of them.
    padding : int or {"valid", "same", "full"}

    Returns
    -------
    dict
        ``maps`` (N, C_out, H_out, W_out); ``names`` the kernel names in channel
        order; ``kernels`` (C_out, 3, 3); ``layer`` the ``Conv2d``.

    Examples
    --------
    A vertical step from 0 to 1 lights up the vertical-edge kernel only:

    >>> step = np.tile([0.0, 0.0, 1.0, 1.0], (4, 1))[None]
    >>> out = edge_feature_maps(step, ["vertical edges (Sobel x)", "horizontal edges (Sobel y)"],
    ...                         padding="valid")
    >>> out["maps"][0]
    array([[[4., 4.],
            [4., 4.]],
    <BLANKLINE>
           [[0., 0.],
            [0., 0.]]])
    """
    images = check_array(images, "edge_feature_maps", shape=("N", "H", "W"), name="images")
    names = list(EDGE_KERNELS) if kernel_names is None else list(kernel_names)
    unknown = [name for name in names if name not in EDGE_KERNELS]
    if unknown:
        raise ValueError(f"edge_feature_maps: unknown kernel {unknown[0]!r}; "
                         f"choose from {list(EDGE_KERNELS)}")
    kernels = np.array([EDGE_KERNELS[name] for name in names])  # (C_out, 3, 3)
    layer = Conv2d(1, len(names), 3, padding=padding, init="zeros")
    layer.W[:, 0] = kernels  # (C_out, 3, 3)
    maps = layer(images[:, None])  # (N, C_out, H_out, W_out)
    return {"maps": maps, "names": names, "kernels": kernels, "layer": layer}


def channels_demo(in_channels=3, out_channels=2, size=5, kernel_size=3, rng=0):
    """A multi-channel convolution computed twice: by ``Conv2d`` and channel by channel.

    Each output channel ``o`` has one ``k x k`` kernel per input channel; it
    cross-correlates every input channel with its kernel, **adds** the results over the
    channels, and adds one bias:
    ``Z[o] = b[o] + sum_c correlate2d(A[c], W[o, c])``.

    Parameters
    ----------
    in_channels, out_channels, size, kernel_size : int
    rng : None, int or numpy.random.Generator
        Draws small integer inputs, kernels and biases (so the sums are easy to check).

    Returns
    -------
    dict
        ``A`` (C_in, size, size), ``W`` (C_out, C_in, k, k), ``b`` (C_out,);
        ``Z`` (C_out, H_out, W_out) from ``Conv2d``; ``Z_by_hand`` the same from the
        sum above; ``per_channel`` (C_out, C_in, H_out, W_out) the single terms.

    Examples
    --------
    >>> out = channels_demo(rng=0)
    >>> out["Z"].shape, bool(np.array_equal(out["Z"], out["Z_by_hand"]))
    ((2, 3, 3), True)
    """
    rng = as_rng(rng)
    A = rng.integers(0, 4, size=(in_channels, size, size)).astype(float)  # (C_in, H, W)
    layer = Conv2d(in_channels, out_channels, kernel_size, init="zeros")
    layer.W[...] = rng.integers(-1, 2, size=layer.W.shape)  # (C_out, C_in, k, k)
    layer.b[...] = rng.integers(-2, 3, size=out_channels)  # (C_out,)
    Z = layer(A[None])[0]  # (C_out, H_out, W_out)
    per_channel = np.array([[correlate2d(A[c], layer.W[o, c]) for c in range(in_channels)]
                            for o in range(out_channels)])  # (C_out, C_in, H_out, W_out)
    Z_by_hand = per_channel.sum(axis=1) + layer.b[:, None, None]  # (C_out, H_out, W_out)
    return {"A": A, "W": layer.W.copy(), "b": layer.b.copy(), "Z": Z, "Z_by_hand": Z_by_hand,
            "per_channel": per_channel}


def parameter_counts(height, width, in_channels, out_channels, kernel_size, padding=0, stride=1):
    """Parameters of a convolutional layer vs a dense layer with the same input and output sizes.

    * Convolution: one ``C_in x k x k`` kernel and one bias per output channel,
      ``C_out (C_in k^2 + 1)``, independent of the image size (parameter sharing).
    * Dense: every one of the ``C_out H_out W_out`` outputs has its own weight for each
      of the ``C_in H W`` inputs, plus a bias: ``(C_in H W + 1) C_out H_out W_out``.

    Parameters
    ----------
    height, width : int
        Input image size.
    in_channels, out_channels, kernel_size : int
    padding : int or {"valid", "same", "full"}
    stride : int

    Returns
    -------
    dict
        ``conv``, ``dense`` parameter counts, ``ratio = dense / conv``, ``out_shape``
        ``(C_out, H_out, W_out)``, ``connections_per_output`` (``C_in k^2`` for the
        convolution vs ``C_in H W`` for the dense layer).

    Examples
    --------
    An 8x8 grey digit, 8 filters of 3x3, "same" padding:

    >>> out = parameter_counts(8, 8, 1, 8, 3, padding="same")
    >>> out["conv"], out["dense"], out["out_shape"]
    (80, 33280, (8, 8, 8))
    """
    conv = Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                  init="zeros")
    H_out, W_out = conv.output_shape(height, width)
    n_conv = sum(p.data.size for p in conv.parameters())
    n_in = in_channels * height * width
    n_out = out_channels * H_out * W_out
    n_dense = (n_in + 1) * n_out  # W (n_out, n_in) and b (n_out,)
    return {"conv": int(n_conv), "dense": int(n_dense), "ratio": n_dense / n_conv,
            "out_shape": (out_channels, H_out, W_out),
            "connections_per_output": (in_channels * kernel_size**2, n_in)}


def dense_parameter_count(in_features, out_features):
    """Parameters of ``nnlib.Linear(in_features, out_features)``, counted from the layer.

    Examples
    --------
    >>> dense_parameter_count(64, 512)
    33280
    """
    layer = Linear(in_features, out_features, init="zeros")
    return int(sum(p.data.size for p in layer.parameters()))


def conv_as_dense_matrix(n, F):
    """The matrix ``M`` of a single-channel "valid" cross-correlation of an ``n x n`` image.

    A convolution is linear, so it is a dense layer with a special weight matrix:
    ``correlate2d(I, F).ravel() == M @ I.ravel()``. Column ``q`` of ``M`` is the output
    for the image that is 1 at pixel ``q`` and 0 elsewhere. Every row holds the same
    ``k^2`` kernel values (parameter sharing), and all other entries are 0 (sparse
    connectivity: an output sees only its window).

    Parameters
    ----------
    n : int
        Input height and width.
    F : array_like (k, k)

    Returns
    -------
    dict
        ``M`` ((n - k + 1)^2, n^2); ``nonzero_per_row`` (number of pixels each output
        sees); ``fraction_nonzero``.

    Examples
    --------
    >>> out = conv_as_dense_matrix(3, [[1.0, 2.0], [3.0, 4.0]])
    >>> out["M"]
    array([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
           [0., 1., 2., 0., 3., 4., 0., 0., 0.],
           [0., 0., 0., 1., 2., 0., 3., 4., 0.],
           [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    """
    n = check_positive_int(n, "conv_as_dense_matrix", "n")
    F = check_array(F, "conv_as_dense_matrix", shape=("k", "k"), name="F")
    columns = []
    for q in range(n * n):
        unit = np.zeros(n * n)  # (n^2,)
        unit[q] = 1.0
        columns.append(correlate2d(unit.reshape(n, n), F).ravel())  # (H_out*W_out,)
    M = np.column_stack(columns)  # (H_out*W_out, n^2)
    nonzero = np.count_nonzero(M, axis=1)  # (H_out*W_out,)
    return {"M": M, "nonzero_per_row": nonzero, "fraction_nonzero": float(np.count_nonzero(M) / M.size)}
