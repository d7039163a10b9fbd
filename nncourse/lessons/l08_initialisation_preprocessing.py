r"""Lesson 08 -- initialisation and preprocessing.

Plain functions behind the worked examples and sliders of
``notebooks/08_initialisation_preprocessing.ipynb``. Each one *computes* what the
notebook shows with nnlib's ``Linear`` layers, activations, losses, optimisers and
``nnlib.init`` schemes; the notebook only plots.

* :func:`symmetry_demo`: a 2-H-1 network on XOR started from all-zero (or constant)
  weights: every hidden unit gets the same gradient and stays a copy of the others.
* :func:`activation_statistics`: unit-variance inputs through a deep stack of
  ``Linear`` + ``Tanh`` (or ``ReLU``) layers, with the layer-by-layer mean, standard
  deviation and histogram of the activations (the KIT deck's 6-layer experiment).
* :func:`layer_variance_check`: the Xavier/Glorot/He variance formulas measured on one
  layer, forward (:math:`M_{in}\,\mathbb V\{w\}`) and backward (:math:`M_{out}\,\mathbb V\{w\}`).
* :func:`conditioning_demo` and :func:`digits_preprocessing_demo`: why inputs are
  standardised (round loss bowls; faster, steadier training).
"""

import numpy as np
from matplotlib import colormaps as mpl_colormaps

from nnlib import init as initializers
from nnlib.activations import ReLU, Sigmoid, Tanh
from nnlib.datasets import load_digits, make_xor
from nnlib.layers import Linear
from nnlib.losses import BCELoss, CrossEntropyLoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.preprocessing import standardize, train_test_split
from nnlib.training import accuracy, evaluate, fit
from nnlib.validation import as_rng, check_array, check_nonnegative, check_positive_int

#: Units per layer in the KIT deck's activation-statistics experiment.
DECK_WIDTH = 4096

#: Initial weights offered by :func:`symmetry_demo`.
SYMMETRY_INITS = ("zeros", "constant", "normal", "xavier")

#: Activations offered by :func:`activation_statistics`.
STAT_ACTIVATIONS = {"tanh": Tanh, "relu": ReLU}

#: Preprocessing choices of :func:`digits_preprocessing_demo`.
PREPROCESSING = ("raw", "scaled", "standardised")


def constant_init(value):
    """An init function ``f(shape, rng)`` for ``Linear(init=...)`` that fills every weight with ``value``.

    Examples
    --------
    >>> Linear(2, 3, init=constant_init(0.5)).W
    array([[0.5, 0.5],
           [0.5, 0.5],
           [0.5, 0.5]])
    """
    value = float(value)

    def fill(shape, rng):
        return np.full(shape, value)

    return fill


def _symmetry_init(init):
    if init not in SYMMETRY_INITS:
        raise ValueError(f"symmetry_demo: init must be one of {SYMMETRY_INITS}, got {init!r}")
    if init == "constant":
        return constant_init(0.5)
    return init


def symmetry_demo(init="zeros", hidden=4, epochs=300, lr=2.0, rng=0):
    """Train a 2-``hidden``-1 sigmoid network on XOR from the given initial weights.

    Both ``Linear`` layers start with ``init``; full-batch gradient descent with BCE.
    With ``"zeros"`` or ``"constant"`` (all weights 0.5) every hidden unit computes
    the same function and receives the same gradient, so the rows of ``W1`` (and the
    entries of ``W2``) stay identical for ever: the network behaves like one hidden
    unit and cannot solve XOR. Random inits (``"normal"``, ``"xavier"``) break the symmetry.

    Parameters
    ----------
    init : {"zeros", "constant", "normal", "xavier"}
        Weight initialisation of both layers (biases always start at 0).
    hidden : int
        Number of hidden units H.
    epochs : int
        Number of full-batch gradient steps.
    lr : float
        Learning rate of ``nnlib.optim.SGD``.
    rng : None, int or numpy.random.Generator
        Seed of the random inits.

    Returns
    -------
    dict
        ``W1`` (epochs+1, H, 2) and ``W2`` (epochs+1, 1, H): the weights after each step;
        ``loss`` (epochs+1,): BCE before each step and at the end;
        ``spread`` (epochs+1,): largest difference between any hidden unit's incoming and
        outgoing weights and those of unit 0 (0 means all units are copies);
        ``hidden_out`` (4, H): hidden activations on the four XOR inputs at the end;
        ``output`` (4,): network outputs; ``accuracy``: fraction of the 4 inputs right.

    Examples
    --------
    >>> run = symmetry_demo("zeros", epochs=50)
    >>> float(run["spread"].max())
    0.0
    >>> run = symmetry_demo("xavier", epochs=50)
    >>> bool(run["spread"][-1] > 0)
    True
    """
    hidden = check_positive_int(hidden, "symmetry_demo", "hidden")
    epochs = check_positive_int(epochs, "symmetry_demo", "epochs")
    lr = check_nonnegative(lr, "symmetry_demo", "lr")
    scheme = _symmetry_init(init)
    rng = as_rng(rng)
    X, y = make_xor()  # (4, 2), (4,)
    y = y.reshape(-1, 1).astype(np.float64)  # (4, 1)
    layer1 = Linear(2, hidden, init=scheme, rng=rng)
    layer2 = Linear(hidden, 1, init=scheme, rng=rng)
    model = Sequential(layer1, Sigmoid(), layer2, Sigmoid())
    loss_fn = BCELoss()
    opt = SGD(model.parameters(), lr=lr)

    W1s, W2s, losses = [layer1.W.copy()], [layer2.W.copy()], []
    for _ in range(epochs):
        opt.zero_grad()
        losses.append(loss_fn(model(X), y))
        model.backward(loss_fn.backward())
        opt.step()
        W1s.append(layer1.W.copy())
        W2s.append(layer2.W.copy())
    output = model(X)  # (4, 1)
    losses.append(loss_fn(output, y))
    W1 = np.array(W1s)  # (epochs+1, H, 2)
    W2 = np.array(W2s)  # (epochs+1, 1, H)
    spread = np.maximum(
        np.abs(W1 - W1[:, :1, :]).max(axis=(1, 2)),  # (epochs+1,) rows of W1 vs unit 0
        np.abs(W2 - W2[:, :, :1]).max(axis=(1, 2)),  # (epochs+1,) entries of W2 vs unit 0
    )
    hidden_out = model.layers[1](layer1(X))  # (4, H)
    return {
        "W1": W1,
        "W2": W2,
        "loss": np.array(losses),
        "spread": spread,
        "hidden_out": hidden_out,
        "output": output.ravel(),
        "accuracy": accuracy(output, y.ravel()),
    }


def deck_equivalent_std(std, width, deck_width=DECK_WIDTH):
    r"""The weight std that gives a ``width``-unit layer the same gain as ``std`` at ``deck_width`` units.

    Each unit sums :math:`M_{in}` terms, so its output std is about
    :math:`\sigma_w \sqrt{M_{in}}\,\text{std}(a)`: what matters is the *gain*
    :math:`\sigma_w\sqrt{M_{in}}`. Keeping it fixed, :math:`\sigma_w' = \sigma_w\sqrt{4096/M_{in}'}`.

    Examples
    --------
    >>> deck_equivalent_std(0.01, 1024)
    0.02
    >>> round(deck_equivalent_std(0.05, 512), 4)
    0.1414
    """
    std = check_nonnegative(std, "deck_equivalent_std", "std")
    width = check_positive_int(width, "deck_equivalent_std", "width")
    return std * float(np.sqrt(deck_width / width))


def activation_statistics(weight_std=0.01, activation="tanh", n_layers=6, width=256,
                          n_samples=500, bins=40, rng=0):
    r"""Push unit-variance inputs through ``n_layers`` of ``Linear`` + activation and record the activations.

    Every layer is ``Linear(width, width)`` with zero bias and weights drawn with
    ``weight_std`` (a float: :math:`w \sim \mathcal N(0, \sigma^2)`) or a scheme name of
    ``nnlib.init`` (``"xavier"``, ``"glorot"``, ``"he"``, ``"he_avg"``); inputs are
    :math:`\mathcal N(0, 1)`. Too small weights make the activations shrink towards 0
    layer by layer, too large ones saturate tanh at :math:`\pm 1`; Xavier keeps them spread
    for tanh, He does for ReLU.

    Parameters
    ----------
    weight_std : float or str
        Weight standard deviation, or an ``nnlib.init`` scheme name.
    activation : {"tanh", "relu"}
    n_layers : int
        Number of hidden layers (the deck uses 6).
    width : int
        Units per layer (the deck uses 4096; see :func:`deck_equivalent_std`).
    n_samples : int
        Number of input vectors.
    bins : int
        Histogram bins per layer.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``mean``, ``std`` (n_layers,): statistics of each layer's activations;
        ``saturated`` (n_layers,): share with :math:`|a| > 0.99` (tanh) and
        ``zero`` (n_layers,): share exactly 0 (ReLU dead outputs);
        ``edges`` (bins+1,) and ``counts`` (n_layers, bins): histograms as shares of all
        activations of the layer (each row sums to 1 for tanh; for ReLU only the positive
        outputs are binned, so a row sums to ``1 - zero``);
        ``input_std``: std of the inputs; ``gain``: :math:`\sigma_w\sqrt{\text{width}}`.

    Examples
    --------
    >>> s = activation_statistics(0.01, width=100, n_samples=200)
    >>> bool(s["std"][-1] < 1e-4)             # gain 0.1 per layer: the signal dies out
    True
    >>> s = activation_statistics("xavier", width=100, n_samples=200)
    >>> bool(0.1 < s["std"][-1] < 1.0)
    True
    """
    where = "activation_statistics"
    if activation not in STAT_ACTIVATIONS:
        raise ValueError(f"{where}: activation must be one of {tuple(STAT_ACTIVATIONS)}, got {activation!r}")
    n_layers = check_positive_int(n_layers, where, "n_layers")
    width = check_positive_int(width, where, "width")
    n_samples = check_positive_int(n_samples, where, "n_samples")
    bins = check_positive_int(bins, where, "bins")
    if isinstance(weight_std, str):
        if weight_std not in initializers.SCHEMES or weight_std in ("zeros", "normal"):
            raise ValueError(
                f"{where}: weight_std must be a number or one of 'xavier', 'glorot', 'he', 'he_avg', "
                f"got {weight_std!r}"
            )
        scheme = weight_std
        sigma = float(np.sqrt(2.0 / width)) if weight_std in ("he", "he_avg") else float(np.sqrt(1.0 / width))
    else:
        sigma = check_nonnegative(weight_std, where, "weight_std")

        def scheme(shape, generator):
            return sigma * generator.standard_normal(shape)

    rng = as_rng(rng)
    A = rng.standard_normal((n_samples, width))  # (N, width) zero mean, unit variance
    input_std = float(A.std())
    if activation == "tanh":
        edges = np.linspace(-1.0, 1.0, bins + 1)  # (bins+1,)
    else:
        edges = np.linspace(0.0, 4.0, bins + 1)  # (bins+1,)
    means, stds, saturated, zero, counts = [], [], [], [], []
    for _ in range(n_layers):
        layer = Linear(width, width, init=scheme, rng=rng)
        A = STAT_ACTIVATIONS[activation]()(layer(A))  # (N, width)
        means.append(A.mean())
        stds.append(A.std())
        saturated.append(np.mean(np.abs(A) > 0.99))
        zero.append(np.mean(A == 0.0))
        shown = A if activation == "tanh" else A[A > 0]  # ReLU: the zeros are counted in `zero`
        hist, _ = np.histogram(np.clip(shown, edges[0], edges[-1]), bins=edges)  # (bins,)
        counts.append(hist / A.size)
    return {
        "mean": np.array(means),
        "std": np.array(stds),
        "saturated": np.array(saturated),
        "zero": np.array(zero),
        "edges": edges,
        "counts": np.array(counts),
        "input_std": input_std,
        "gain": sigma * float(np.sqrt(width)),
    }


def theoretical_variance(scheme, M_in, M_out):
    r"""The weight variance :math:`\mathbb V\{w\}` a scheme of ``nnlib.init`` aims for.

    ``xavier`` :math:`1/M_{in}` (eq. 42), ``glorot`` :math:`1/M_{avg}` (eq. 43),
    ``he_avg`` :math:`2/M_{avg}` (the deck's eq. 44), ``he`` :math:`2/M_{in}` (He et al., PyTorch),
    with :math:`M_{avg} = (M_{in} + M_{out})/2`.

    Examples
    --------
    >>> theoretical_variance("glorot", 100, 300)
    0.005
    >>> theoretical_variance("he", 100, 300)
    0.02
    """
    M_in = check_positive_int(M_in, "theoretical_variance", "M_in")
    M_out = check_positive_int(M_out, "theoretical_variance", "M_out")
    M_avg = (M_in + M_out) / 2.0
    table = {"xavier": 1.0 / M_in, "glorot": 1.0 / M_avg, "he": 2.0 / M_in, "he_avg": 2.0 / M_avg}
    if scheme not in table:
        raise ValueError(f"theoretical_variance: scheme must be one of {tuple(table)}, got {scheme!r}")
    return table[scheme]


def layer_variance_check(scheme, M_in, M_out, n_samples=2000, rng=0):
    r"""Measure how one ``Linear`` layer initialised with ``scheme`` scales variances.

    Forward: inputs :math:`x \sim \mathcal N(0, 1)`, output :math:`z = W x`; the lecture's
    derivation predicts :math:`\mathbb V\{z\} = M_{in}\,\mathbb V\{w\}\,\mathbb V\{x\}`.
    Backward: an upstream gradient :math:`\delta \sim \mathcal N(0, 1)`; the gradient
    :math:`W^\top\delta` reaching the inputs has variance :math:`M_{out}\,\mathbb V\{w\}\,\mathbb V\{\delta\}`.

    Parameters
    ----------
    scheme : {"xavier", "glorot", "he", "he_avg"}
    M_in, M_out : int
        Fan-in and fan-out of the layer.
    n_samples : int
        Number of input (and upstream-gradient) vectors.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``var_w`` measured and ``var_w_theory``; ``forward_gain`` = Var(z)/Var(x) measured
        and ``forward_theory`` = :math:`M_{in}\mathbb V\{w\}`; ``backward_gain`` and
        ``backward_theory`` = :math:`M_{out}\mathbb V\{w\}`.

    Examples
    --------
    >>> r = layer_variance_check("xavier", 200, 50, rng=0)
    >>> r["forward_theory"], r["backward_theory"]
    (1.0, 0.25)
    """
    var_theory = theoretical_variance(scheme, M_in, M_out)
    n_samples = check_positive_int(n_samples, "layer_variance_check", "n_samples")
    rng = as_rng(rng)
    layer = Linear(M_in, M_out, init=scheme, rng=rng)
    X = rng.standard_normal((n_samples, M_in))  # (N, M_in)
    Z = layer(X)  # (N, M_out)
    delta = rng.standard_normal((n_samples, M_out))  # (N, M_out)
    grad_X = layer.backward(delta)  # (N, M_in)
    return {
        "var_w": float(layer.W.var()),
        "var_w_theory": var_theory,
        "forward_gain": float(Z.var() / X.var()),
        "forward_theory": M_in * var_theory,
        "backward_gain": float(grad_X.var() / delta.var()),
        "backward_theory": M_out * var_theory,
    }


def make_offset_data(n=200, offset=5.0, scale=4.0, w_true=(1.0, -2.0), noise=0.1, rng=0):
    """Two features on very different footings: feature 1 ~ N(offset, 1), feature 2 ~ N(offset, scale^2).

    Targets ``y = x @ w_true + noise`` for a linear unit without bias.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n, 1)

    Examples
    --------
    >>> X, y = make_offset_data(n=5, rng=0)
    >>> X.shape, y.shape
    ((5, 2), (5, 1))
    """
    n = check_positive_int(n, "make_offset_data", "n")
    rng = as_rng(rng)
    X = offset + rng.standard_normal((n, 2)) * np.array([1.0, scale])  # (n, 2)
    y = X @ np.asarray(w_true, dtype=np.float64) + noise * rng.standard_normal(n)  # (n,)
    return X, y.reshape(-1, 1)


def mse_hessian(X):
    r"""Hessian :math:`H = \frac2N X^\top X` of the MSE of a linear unit :math:`\hat y = Xw` (no bias).

    Examples
    --------
    >>> mse_hessian(np.array([[1.0, 0.0], [0.0, 2.0]]))
    array([[1., 0.],
           [0., 4.]])
    """
    X = check_array(X, "mse_hessian", shape=("N", "D"), name="X")
    return 2.0 / len(X) * X.T @ X  # (D, D)


def _gd_path(X, y, steps, lr, w0):
    """Full-batch gradient descent of a bias-free linear unit with nnlib's SGD on ``W`` only."""
    unit = Linear(X.shape[1], 1, init="zeros")
    unit.W[...] = w0
    weights = [p for p in unit.parameters() if p.name == "W"]  # the bias stays 0
    opt = SGD(weights, lr=lr)
    loss_fn = MSELoss()
    path, losses = [unit.W.ravel().copy()], []
    for _ in range(steps):
        opt.zero_grad()
        losses.append(loss_fn(unit(X), y))
        unit.backward(loss_fn.backward())
        opt.step()
        path.append(unit.W.ravel().copy())
    losses.append(loss_fn(unit(X), y))
    return np.array(path), np.array(losses)


def conditioning_demo(offset=10.0, scale=3.0, steps=50, n=200, rng=0):
    r"""Gradient descent on a linear unit's MSE with raw and with standardised inputs.

    For a bias-free linear unit the MSE is a quadratic bowl with Hessian
    :math:`H = \frac2N X^\top X`. Offsets and unequal scales of the features make it a
    long, thin valley (large condition number :math:`\kappa = \lambda_{max}/\lambda_{min}`);
    standardised features make it nearly round (:math:`\kappa \approx 1`). Both runs use the
    learning rate :math:`1/\lambda_{max}` (half the divergence limit) and start from :math:`w = 0`.
    The raw data need no bias (``y = x @ w_true + noise``); after standardising, the bias
    decouples from the weights and equals the mean target, so the standardised run fits
    the centred targets ``y - mean(y)`` without one.

    Parameters
    ----------
    offset, scale : float
        Mean of both features and std of feature 2 (feature 1 has std 1).
    steps : int
        Gradient steps per run.
    n : int
        Number of examples.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``raw`` and ``standardised``, each a dict with ``X`` (n, 2), ``y`` (n, 1),
        ``kappa``, ``lr``, ``path`` (steps+1, 2), ``loss`` (steps+1,), ``w_star`` (2,)
        (least-squares minimum) and ``loss_star``.

    Examples
    --------
    >>> d = conditioning_demo(offset=10.0, scale=3.0)
    >>> bool(d["raw"]["kappa"] > 20), bool(d["standardised"]["kappa"] < 2)
    (True, True)
    """
    steps = check_positive_int(steps, "conditioning_demo", "steps")
    X, y = make_offset_data(n=n, offset=offset, scale=scale, rng=rng)
    X_std, _, _ = standardize(X)
    result = {}
    for name, inputs, targets in (("raw", X, y), ("standardised", X_std, y - y.mean())):
        eigenvalues = np.linalg.eigvalsh(mse_hessian(inputs))  # (2,) ascending
        lr = 1.0 / eigenvalues[-1]
        path, losses = _gd_path(inputs, targets, steps, lr, w0=0.0)
        w_star = np.linalg.lstsq(inputs, targets, rcond=None)[0].ravel()  # (2,)
        residual = inputs @ w_star - targets.ravel()  # (n,)
        result[name] = {
            "X": inputs, "y": targets, "kappa": float(eigenvalues[-1] / eigenvalues[0]), "lr": float(lr),
            "path": path, "loss": losses, "w_star": w_star, "loss_star": float(np.mean(residual ** 2)),
        }
    return result


def mse_surface(X, y, w1_range, w2_range, resolution=80):
    """MSE of the bias-free linear unit on a grid of weights ``(w1, w2)``.

    Returns
    -------
    W1, W2, L : ndarray, shape (resolution, resolution)

    Examples
    --------
    >>> W1, W2, L = mse_surface(np.eye(2), np.array([[1.0], [1.0]]), (0, 2), (0, 2), resolution=3)
    >>> float(L[1, 1])                      # w = (1, 1) fits both points exactly
    0.0
    """
    X = check_array(X, "mse_surface", shape=("N", 2), name="X")
    y = np.asarray(y, dtype=np.float64).reshape(-1)  # (N,)
    W1, W2 = np.meshgrid(np.linspace(*w1_range, resolution), np.linspace(*w2_range, resolution))  # (R, R)
    pred = W1[..., None] * X[:, 0] + W2[..., None] * X[:, 1]  # (R, R, N)
    L = np.mean((pred - y) ** 2, axis=-1)  # (R, R)
    return W1, W2, L


def digits_split(rng=0):
    """The digits split into 75 % training and 25 % test rows (stratified, seeded).

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Raw pixel values 0..16.
    """
    X, y = load_digits()
    return train_test_split(X, y, test_size=0.25, rng=rng)


def preprocess_digits(X_train, X_test, preprocessing):
    """Apply one of :data:`PREPROCESSING` to training and test pixels (statistics from the training set only).

    ``"raw"``: pixel values 0..16 unchanged; ``"scaled"``: divided by 16 (range 0..1);
    ``"standardised"``: every pixel to mean 0, std 1 with ``nnlib.datasets.standardize``
    using the *training* mean and std for both sets.

    Examples
    --------
    >>> Xtr = np.array([[0.0, 4.0], [2.0, 8.0]]); Xte = np.array([[1.0, 6.0]])
    >>> preprocess_digits(Xtr, Xte, "standardised")[1]
    array([[0., 0.]])
    """
    if preprocessing not in PREPROCESSING:
        raise ValueError(f"preprocess_digits: preprocessing must be one of {PREPROCESSING}, got {preprocessing!r}")
    if preprocessing == "raw":
        return np.asarray(X_train, dtype=np.float64), np.asarray(X_test, dtype=np.float64)
    if preprocessing == "scaled":
        return np.asarray(X_train, dtype=np.float64) / 16.0, np.asarray(X_test, dtype=np.float64) / 16.0
    X_train_std, mean, std = standardize(X_train)
    X_test_std, _, _ = standardize(X_test, mean, std)
    return X_train_std, X_test_std


def digits_preprocessing_demo(preprocessing="standardised", epochs=5, lr=0.1, hidden=32, rng=0):
    """Train the same 64-``hidden``-10 tanh network on the digits after one preprocessing.

    Xavier weights, plain SGD (``lr``), mini-batches of 32, cross-entropy; the split,
    the weights and the batch order are the same for every preprocessing.

    Returns
    -------
    dict
        ``history`` (``nnlib.training.History``), ``test_loss``, ``test_acc``,
        ``first_layer_saturated``: share of hidden tanh outputs with ``|a| > 0.99`` on the
        test set at the start (before training).
    """
    epochs = check_positive_int(epochs, "digits_preprocessing_demo", "epochs")
    X_train, X_test, y_train, y_test = digits_split(rng=0)
    X_train, X_test = preprocess_digits(X_train, X_test, preprocessing)
    generator = as_rng(rng)
    model = Sequential(Linear(64, hidden, rng=generator), Tanh(), Linear(hidden, 10, rng=generator))
    saturated = float(np.mean(np.abs(model.layers[1](model.layers[0](X_test))) > 0.99))
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, SGD(model.parameters(), lr=lr), X_train, y_train, epochs=epochs,
                  batch_size=32, rng=generator, verbose=False)
    test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
    return {"history": history, "test_loss": test_loss, "test_acc": test_acc,
            "first_layer_saturated": saturated}


# ---------------------------------------------------------------- figures and the digits experiment


def draw_layer_histograms(ax, layers, edges, positive_only=False):
    """Stack one histogram per layer on ``ax``: layer 1 at the bottom, each row labelled with its std.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    layers : sequence of ndarray
        The activations of each layer (any shape); values outside ``edges`` count in the end bins.
    edges : ndarray, shape (bins + 1,)
        Bin edges, the same for every layer.
    positive_only : bool
        Bin only the positive values (ReLU: the exact zeros would dwarf the rest); the bars are
        then shares of *all* values of the layer, so a row holds ``1 - share of zeros``.

    Returns
    -------
    list of matplotlib.collections.PolyCollection
        One filled histogram per layer.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> rows = draw_layer_histograms(ax, [np.zeros(5), np.ones(5)], edges=np.linspace(-1, 1, 5))
    >>> len(rows), [t.get_text() for t in ax.get_yticklabels()]
    (2, ['layer 1', 'layer 2'])
    """
    edges = check_array(edges, "draw_layer_histograms", shape=("B",), name="edges")
    centres = 0.5 * (edges[1:] + edges[:-1])  # (bins,)
    shares = []
    for A in layers:
        A = np.asarray(A, dtype=np.float64).ravel()
        shown = A[A > 0] if positive_only else A
        counts, _ = np.histogram(np.clip(shown, edges[0], edges[-1]), bins=edges)  # (bins,)
        shares.append(counts / A.size)
    top = max(float(np.max(shares)), 1e-12)
    colors = mpl_colormaps["viridis"](np.linspace(0.0, 0.85, len(layers)))
    rows = []
    for l, (share, A) in enumerate(zip(shares, layers)):
        rows.append(ax.fill_between(centres, l, l + 0.9 * share / top, step="mid", color=colors[l], alpha=0.9))
        ax.text(edges[-1], l + 0.3, f" std {np.std(A):.3f}", fontsize=10, va="center")
    ax.set_yticks(np.arange(len(layers)) + 0.3, [f"layer {l + 1}" for l in range(len(layers))])
    ax.set_xlim(edges[0], edges[-1] + 0.55 * (edges[-1] - edges[0]))
    ax.set_xlabel("activation $a$")
    return rows


def draw_bowl_path(ax, X, y, path, resolution=80):
    r"""Contours of the MSE :math:`\frac1N\lVert X\mathbf w - \mathbf y\rVert^2` of a bias-free linear unit, and a path.

    The window is centred on the least-squares minimum (a star) and wide enough for the path.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,)
    path : ndarray, shape (T, 2)
        Weights after each step (row 0 is the start).
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib.lines.Line2D
        The path.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, 1.0])
    >>> line = draw_bowl_path(ax, X, y, np.array([[0.0, 0.0], [1.0, 1.0]]))
    >>> line.get_xydata().tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    X = check_array(X, "draw_bowl_path", shape=("N", 2), name="X")
    y = check_array(y, "draw_bowl_path", shape=(X.shape[0],), name="y")
    path = check_array(path, "draw_bowl_path", shape=("T", 2), name="path")
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]  # (2,)
    span = max(2.0, 1.15 * float(np.abs(path - w_star).max()))
    w1 = np.linspace(w_star[0] - span, w_star[0] + span, resolution)  # (R,)
    w2 = np.linspace(w_star[1] - span, w_star[1] + span, resolution)  # (R,)
    W1, W2 = np.meshgrid(w1, w2)  # (R, R)
    L = np.mean((W1[..., None] * X[:, 0] + W2[..., None] * X[:, 1] - y) ** 2, axis=-1)  # (R, R)
    ax.contour(W1, W2, L, levels=np.geomspace(L.min() + 1e-3, L.max(), 20), cmap="viridis", linewidths=0.8)
    (line,) = ax.plot(path[:, 0], path[:, 1], "o-", color="#D55E00", markersize=2.5, linewidth=1)
    ax.plot(*w_star, "k*", markersize=10)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    return line


def train_digits(X_train, y_train, X_test, y_test, lr=0.1, epochs=5, hidden=32, rng=0):
    """Train a 64-``hidden``-10 tanh network on (preprocessed) digits with SGD and report it.

    Xavier weights and the batch order come from ``rng``, so runs with the same seed differ only in
    the inputs; mini-batches of 32, cross-entropy, ``nnlib.training.fit``.

    Returns
    -------
    dict
        ``history`` (``nnlib.training.History``), ``test_loss``, ``test_acc`` and
        ``saturated_at_start``: share of hidden tanh outputs with ``|a| > 0.99`` on the test set
        before training.
    """
    epochs = check_positive_int(epochs, "train_digits", "epochs")
    generator = as_rng(rng)
    model = Sequential(Linear(X_train.shape[1], hidden, rng=generator), Tanh(), Linear(hidden, 10, rng=generator))
    saturated = float(np.mean(np.abs(model.layers[1](model.layers[0](X_test))) > 0.99))
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, SGD(model.parameters(), lr=lr), X_train, y_train, epochs=epochs,
                  batch_size=32, rng=generator, verbose=False)
    test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
    return {"history": history, "test_loss": test_loss, "test_acc": test_acc, "saturated_at_start": saturated}
