"""Lesson 14 -- pooling layers and a whole convolutional network on the 8x8 digits.

Plain functions behind the worked examples and sliders of ``notebooks/14_pooling_cnns.ipynb``.
They compute with :mod:`nnlib.pooling` (``MaxPool2d``, ``AvgPool2d`` and their loop
references), :mod:`nnlib.conv` (``Conv2d``), :mod:`nnlib.layers` and
:func:`nnlib.training.fit`; the notebook only prints and plots what they return.

A pooling layer slides a ``k x k`` window with stride ``s`` over every feature map and
keeps one number per window, the maximum (max-pooling) or the mean (mean-pooling). It has
no parameters. Along one axis the output has ``(n - k) // s + 1`` entries, the
convolution formula with no padding. Backward, max-pooling hands each output's gradient
to the one input that was the maximum of its window; mean-pooling shares it equally,
``delta / k^2``, among the window's inputs.
"""

import numpy as np

from nnlib.activations import ReLU
from nnlib.conv import Conv2d, conv_output_size
from nnlib.datasets import load_digits
from nnlib.functional import softmax
from nnlib.layers import Flatten, Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import Adam
from nnlib.pooling import AvgPool2d, MaxPool2d, avg_pool2d_naive, max_pool2d_naive
from nnlib.preprocessing import train_test_split
from nnlib.training import evaluate, fit
from nnlib.validation import as_rng, check_array, check_positive_int

#: The 4x4 feature map of the pooling example (2x2 windows, stride 2).
FEATURE_MAP = np.array([
    [1.0, 1.0, 2.0, 4.0],
    [5.0, 6.0, 7.0, 8.0],
    [3.0, 2.0, 1.0, 0.0],
    [1.0, 2.0, 3.0, 4.0],
])

_POOLS = {"max": MaxPool2d, "mean": AvgPool2d}


def _check_map(A, where):
    """A single feature map (H, W) as float64."""
    return check_array(A, where, shape=("H", "W"), name="feature map")


def _check_mode(mode, where):
    if mode not in _POOLS:
        raise ValueError(f"{where}: mode must be 'max' or 'mean', got {mode!r}")
    return mode


def pooling_example(A=None, kernel_size=2, stride=None):
    """Max- and mean-pooling of one feature map, with the windows and where each maximum sits.

    Parameters
    ----------
    A : array_like, shape (H, W), optional
        The feature map; default :data:`FEATURE_MAP`.
    kernel_size : int
        Window size ``k``.
    stride : int, optional
        Step between windows; default ``kernel_size``.

    Returns
    -------
    dict
        ``input`` (H, W); ``windows`` (H_out, W_out, k, k), the window of every output entry;
        ``max`` and ``mean`` (H_out, W_out) from ``MaxPool2d`` / ``AvgPool2d``;
        ``max_naive`` and ``mean_naive`` from the loop references (equal to them);
        ``argmax`` (H_out, W_out, 2), the (row, column) in ``A`` of each window's maximum.

    Examples
    --------
    >>> out = pooling_example()
    >>> out["max"]
    array([[6., 8.],
           [3., 4.]])
    >>> out["mean"]
    array([[3.25, 5.25],
           [2.  , 2.  ]])
    >>> out["argmax"][0, 1].tolist()
    [1, 3]
    """
    where = "pooling_example"
    A = _check_map(FEATURE_MAP if A is None else A, where)
    k = check_positive_int(kernel_size, where, "kernel_size")
    s = k if stride is None else check_positive_int(stride, where, "stride")
    batch = A[None, None]  # (1, 1, H, W): one example, one channel
    A_max = MaxPool2d(k, s)(batch)[0, 0]  # (H_out, W_out)
    A_mean = AvgPool2d(k, s)(batch)[0, 0]  # (H_out, W_out)
    H_out, W_out = A_max.shape
    windows = np.empty((H_out, W_out, k, k))
    argmax = np.empty((H_out, W_out, 2), dtype=np.int64)
    for i in range(H_out):
        for j in range(W_out):
            windows[i, j] = A[i * s:i * s + k, j * s:j * s + k]
            u, v = np.unravel_index(np.argmax(windows[i, j]), (k, k))  # first maximum, row-major
            argmax[i, j] = (i * s + u, j * s + v)
    return {
        "input": A.copy(),
        "windows": windows,
        "max": A_max,
        "mean": A_mean,
        "max_naive": max_pool2d_naive(batch, k, s)[0, 0],
        "mean_naive": avg_pool2d_naive(batch, k, s)[0, 0],
        "argmax": argmax,
    }


def pooling_backward_example(delta, A=None, kernel_size=2, stride=None):
    """Send an upstream gradient ``delta`` back through max- and mean-pooling.

    Parameters
    ----------
    delta : array_like, shape (H_out, W_out)
        ``dL/dA`` at the pooling output.
    A : array_like, shape (H, W), optional
        The feature map that was pooled; default :data:`FEATURE_MAP`.
    kernel_size, stride : int
        As in :func:`pooling_example`.

    Returns
    -------
    dict
        ``delta`` (H_out, W_out); ``dA_max`` and ``dA_mean`` (H, W), the gradients with respect
        to the feature map from ``MaxPool2d.backward`` and ``AvgPool2d.backward``;
        ``sum_max`` and ``sum_mean``, their totals (both equal ``delta.sum()`` for
        non-overlapping windows: pooling passes the gradient on, it neither creates nor loses any).

    Examples
    --------
    >>> out = pooling_backward_example(np.array([[10.0, 20.0], [30.0, 40.0]]))
    >>> out["dA_max"]
    array([[ 0.,  0.,  0.,  0.],
           [ 0., 10.,  0., 20.],
           [30.,  0.,  0.,  0.],
           [ 0.,  0.,  0., 40.]])
    >>> out["dA_mean"][:2]
    array([[2.5, 2.5, 5. , 5. ],
           [2.5, 2.5, 5. , 5. ]])
    """
    where = "pooling_backward_example"
    A = _check_map(FEATURE_MAP if A is None else A, where)
    k = check_positive_int(kernel_size, where, "kernel_size")
    s = k if stride is None else check_positive_int(stride, where, "stride")
    out = {}
    for mode, Pool in _POOLS.items():
        pool = Pool(k, s)
        A_pooled = pool(A[None, None])  # (1, 1, H_out, W_out)
        delta = check_array(delta, where, shape=A_pooled.shape[2:], name="delta")
        out[f"dA_{mode}"] = pool.backward(delta[None, None])[0, 0]  # (H, W)
        out[f"sum_{mode}"] = float(out[f"dA_{mode}"].sum())
    out["delta"] = delta
    return out


def pooling_slider(kernel_size=2, stride=2, mode="max", size=6, rng=0):
    """What a pooling window of size ``k`` and stride ``s`` does to a ``size x size`` map.

    The input is a seeded shuffle of the numbers ``0 .. size^2 - 1`` (no ties, so every
    window has one clear maximum).

    Parameters
    ----------
    kernel_size : int
        Window size ``k`` (at most ``size``).
    stride : int
        Step ``s`` between windows.
    mode : {"max", "mean"}
    size : int
        Height and width of the input.
    rng : None, int or numpy.random.Generator
        Seeds the input.

    Returns
    -------
    dict
        ``input`` (size, size); ``output`` (H_out, H_out); ``out_size`` = ``(size - k) // s + 1``;
        ``formula`` (text); ``coverage`` (size, size), in how many windows each input lies
        (0 = never looked at, > 1 = windows overlap); ``grad`` (size, size), the gradient that
        reaches each input when every output has gradient 1 (``backward`` of ones);
        ``starts``, the first row (= column) of every window; ``fits`` False (with ``message``)
        if the window is larger than the input.

    Examples
    --------
    >>> out = pooling_slider(kernel_size=3, stride=1, mode="mean", size=4)
    >>> out["out_size"], out["formula"]
    (2, '(4 - 3) // 1 + 1 = 2')
    >>> out["coverage"][1:3, 1:3].tolist()      # the centre is in all 4 windows
    [[4.0, 4.0], [4.0, 4.0]]
    """
    where = "pooling_slider"
    k = check_positive_int(kernel_size, where, "kernel_size")
    s = check_positive_int(stride, where, "stride")
    n = check_positive_int(size, where, "size")
    mode = _check_mode(mode, where)
    A = as_rng(rng).permutation(n * n).reshape(n, n).astype(float)  # (n, n), distinct values
    if k > n:
        return {"fits": False, "input": A, "kernel_size": k, "stride": s,
                "message": f"{where}: the {k}x{k} window does not fit into the {n}x{n} input"}
    pool = _POOLS[mode](k, s)
    A_pooled = pool(A[None, None])  # (1, 1, H_out, W_out)
    grad = pool.backward(np.ones_like(A_pooled))[0, 0]  # (n, n)
    coverage = AvgPool2d(k, s)
    coverage(A[None, None])
    windows_per_input = coverage.backward(np.full(A_pooled.shape, float(k * k)))[0, 0]  # (n, n)
    out_size = conv_output_size(n, k, 0, s)
    return {
        "fits": True,
        "input": A,
        "output": A_pooled[0, 0],
        "out_size": out_size,
        "formula": f"({n} - {k}) // {s} + 1 = {out_size}",
        "coverage": windows_per_input,
        "grad": grad,
        "starts": [i * s for i in range(out_size)],
        "kernel_size": k,
        "stride": s,
        "mode": mode,
    }


def shift_example(shift=1):
    """Max-pooling ignores small shifts: a single strong response moved inside its window.

    A 4x4 feature map holds one response of 1 at (0, 0) (all else 0); the same response moved
    ``shift`` pixels right and down lands at (shift, shift). With 2x2 windows and stride 2, a
    shift of 1 keeps it in the same window, so the max-pooled map does not change, although
    every entry of the feature map did.

    Parameters
    ----------
    shift : int
        Pixels to move, 0..3.

    Returns
    -------
    dict
        ``before``, ``after`` (4, 4) feature maps; ``pooled_before``, ``pooled_after`` (2, 2);
        ``map_changed`` and ``pooled_changed`` (bool).

    Examples
    --------
    >>> out = shift_example(1)
    >>> out["map_changed"], out["pooled_changed"]
    (True, False)
    >>> shift_example(2)["pooled_changed"]
    True
    """
    if not isinstance(shift, (int, np.integer)) or not 0 <= shift <= 3:
        raise ValueError(f"shift_example: shift must be an int in 0..3, got {shift!r}")
    before = np.zeros((4, 4))
    before[0, 0] = 1.0
    after = np.zeros((4, 4))
    after[shift, shift] = 1.0
    pool = MaxPool2d(2)
    pooled_before = pool(before[None, None])[0, 0]  # (2, 2)
    pooled_after = pool(after[None, None])[0, 0]  # (2, 2)
    return {
        "before": before, "after": after,
        "pooled_before": pooled_before, "pooled_after": pooled_after,
        "map_changed": bool(not np.array_equal(before, after)),
        "pooled_changed": bool(not np.array_equal(pooled_before, pooled_after)),
    }


def digits_images(test_size=0.25, rng=0):
    """The 8x8 digits scaled to [0, 1] as one-channel images, split (stratified) into train and test.

    Returns
    -------
    X_train, X_test : numpy.ndarray, shape (N, 1, 8, 8)
    y_train, y_test : numpy.ndarray of int, shape (N,)

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = digits_images()
    >>> X_train.shape, X_test.shape
    ((1347, 1, 8, 8), (450, 1, 8, 8))
    """
    X, y = load_digits(as_images=True)
    X = (X / 16.0)[:, None]  # (1797, 1, 8, 8)
    return train_test_split(X, y, test_size=test_size, rng=rng)


def make_cnn(n_filters=16, kernel_size=3, rng=0):
    """The lesson's CNN: Conv2d(1, F, 3, padding same) -> ReLU -> 2x2 max-pool -> Flatten -> Linear(F*16, 10).

    Examples
    --------
    >>> cnn = make_cnn()
    >>> cnn(np.zeros((2, 1, 8, 8))).shape
    (2, 10)
    """
    F = check_positive_int(n_filters, "make_cnn", "n_filters")
    k = check_positive_int(kernel_size, "make_cnn", "kernel_size")
    if k % 2 == 0:
        raise ValueError(f"make_cnn: kernel_size must be odd (for 'same' padding), got {k}")
    rng = as_rng(rng)
    return Sequential(
        Conv2d(1, F, k, padding="same", rng=rng),  # (N, F, 8, 8)
        ReLU(),
        MaxPool2d(2),  # (N, F, 4, 4)
        Flatten(),  # (N, F*16)
        Linear(F * 4 * 4, 10, rng=rng),  # (N, 10) logits
    )


def make_mlp(hidden=32, rng=0):
    """An MLP on the same images: Flatten -> Linear(64, hidden) -> ReLU -> Linear(hidden, 10).

    Examples
    --------
    >>> make_mlp(32)(np.zeros((2, 1, 8, 8))).shape
    (2, 10)
    """
    h = check_positive_int(hidden, "make_mlp", "hidden")
    rng = as_rng(rng)
    return Sequential(Flatten(), Linear(64, h, rng=rng), ReLU(), Linear(h, 10, rng=rng))


def parameter_table(model):
    """One row per parameter array of ``model``: name, shape, count; and the total.

    Returns
    -------
    rows : list of dict
        ``name`` (e.g. ``"0.W"``), ``shape`` (tuple), ``count`` (int).
    total : int

    Examples
    --------
    >>> rows, total = parameter_table(make_cnn(16))
    >>> [(r["name"], r["count"]) for r in rows]
    [('0.W', 144), ('0.b', 16), ('4.W', 2560), ('4.b', 10)]
    >>> total
    2730
    """
    rows = [{"name": name, "shape": p.data.shape, "count": int(p.data.size)}
            for name, p in model.named_parameters()]
    return rows, sum(r["count"] for r in rows)


def train_on_digits(model, data, epochs=5, lr=5e-3, batch_size=32, rng=0, verbose=True):
    """Train ``model`` on the digits with Adam and :func:`nnlib.training.fit`; report test accuracy.

    Parameters
    ----------
    model : Module
        Takes images (N, 1, 8, 8) and returns 10 logits per image.
    data : tuple
        ``(X_train, X_test, y_train, y_test)`` from :func:`digits_images`.
    epochs, lr, batch_size : training settings.
    rng : None, int or numpy.random.Generator
        Seeds the shuffles.
    verbose : bool
        Let ``fit`` print one line per epoch.

    Returns
    -------
    dict
        ``history`` (``fit``'s History, the test set used as validation set),
        ``test_loss``, ``test_acc``, ``n_params``, and the trained ``model`` itself.
    """
    X_train, X_test, y_train, y_test = data
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, Adam(model.parameters(), lr=lr), X_train, y_train,
                  epochs=epochs, batch_size=batch_size, X_val=X_test, y_val=y_test, rng=rng,
                  verbose=verbose, print_every=1)
    test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
    return {"history": history, "test_loss": test_loss, "test_acc": test_acc,
            "n_params": parameter_table(model)[1], "model": model}


def shift_images(X, dx=0, dy=0):
    """Move images ``dx`` pixels right and ``dy`` down (negative: left/up), filling with 0.

    Examples
    --------
    >>> shift_images(np.arange(4.0).reshape(1, 1, 2, 2), dx=1)[0, 0]
    array([[0., 0.],
           [0., 2.]])
    """
    X = check_array(X, "shift_images", shape=("N", "C", "H", "W"))
    H, W = X.shape[2:]
    out = np.zeros_like(X)  # (N, C, H, W)
    rows_src = slice(max(-dy, 0), H - max(dy, 0))
    rows_dst = slice(max(dy, 0), H - max(-dy, 0))
    cols_src = slice(max(-dx, 0), W - max(dx, 0))
    cols_dst = slice(max(dx, 0), W - max(-dx, 0))
    out[:, :, rows_dst, cols_dst] = X[:, :, rows_src, cols_src]
    return out


def feature_maps(cnn, image, label=None):
    """Everything the CNN of :func:`make_cnn` computes for one image, and where its gradient goes.

    Runs the layers one at a time, then backpropagates the cross-entropy loss of ``label``
    (default: the predicted class) through them, keeping the gradient at every stage.
    The model's stored gradients are reset to zero afterwards.

    Parameters
    ----------
    cnn : Sequential
        ``Conv2d -> ReLU -> MaxPool2d -> Flatten -> Linear``.
    image : array_like, shape (8, 8) or (1, 8, 8)
    label : int, optional

    Returns
    -------
    dict
        ``image`` (8, 8); ``Z`` (F, 8, 8) convolution outputs; ``A`` (F, 8, 8) after ReLU;
        ``P`` (F, 4, 4) after max-pooling; ``logits`` and ``probs`` (10,); ``predicted``;
        ``label``; ``loss``; ``dP``, ``dA``, ``dZ`` the loss gradients at those stages and
        ``dimage`` (8, 8) at the input; ``routed`` (F, 8, 8) True where max-pooling let
        gradient through (one position per window).
    """
    image = check_array(image, "feature_maps", name="image").reshape(1, 1, 8, 8)
    conv, relu, pool, flatten, linear = cnn.layers
    Z = conv(image)  # (1, F, 8, 8)
    A = relu(Z)  # (1, F, 8, 8)
    P = pool(A)  # (1, F, 4, 4)
    logits = linear(flatten(P))  # (1, 10)
    predicted = int(np.argmax(logits))
    label = predicted if label is None else int(label)
    loss_fn = CrossEntropyLoss()
    loss = loss_fn.forward(logits, np.array([label]))
    dP = flatten.backward(linear.backward(loss_fn.backward()))  # (1, F, 4, 4)
    dA = pool.backward(dP)  # (1, F, 8, 8)
    dZ = relu.backward(dA)  # (1, F, 8, 8)
    dimage = conv.backward(dZ)  # (1, 1, 8, 8)
    cnn.zero_grad()
    routed = pool.backward(np.ones_like(dP)) > 0  # (1, F, 8, 8)
    return {
        "image": image[0, 0], "Z": Z[0], "A": A[0], "P": P[0],
        "logits": logits[0], "probs": softmax(logits)[0], "predicted": predicted, "label": label,
        "loss": loss, "dP": dP[0], "dA": dA[0], "dZ": dZ[0], "dimage": dimage[0, 0],
        "routed": routed[0],
    }
