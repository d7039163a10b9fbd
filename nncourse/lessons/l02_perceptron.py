"""Lesson 02: the perceptron (what the sliders, the player and the worked examples compute).

Every function computes what a cell of ``notebooks/02_perceptron.ipynb`` shows and returns
plain numbers and arrays; the notebook only plots. Training is always done by
:class:`nnlib.perceptron.Perceptron`, the convergence quantities by
:func:`nnlib.perceptron.margin`, :func:`~nnlib.perceptron.data_radius` and
:func:`~nnlib.perceptron.novikoff_bound`; this module adds the lecture's error function
(the perceptron criterion), data sets made for the demonstrations, and the bookkeeping to
replay training step by step.
"""

import numpy as np

from nnlib.datasets import load_digits, make_xor
from nnlib.perceptron import Perceptron, data_radius, margin, novikoff_bound, sign
from nnlib.threshold import pre_activation, threshold_unit
from nnlib.validation import as_rng, check_array, check_positive_int

# A fixed separator for the convergence experiments: u* = (w*, b*) (not normalised).
W_STAR = np.array([1.0, -2.0])
B_STAR = 0.25


# ---------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------


def quick_example(x=(1.0, 0.0, 0.5), theta=(1.0, -0.5, -1.0), rho=0.0):
    """The SAP deck's quick example of one threshold neuron.

    .. math:: p = \\theta^\\top x = \\sum_j \\theta_j x_j, \\qquad
              a = \\sigma_\\rho(p) = [\\, p > \\rho \\,]

    and, for comparison, the perceptron's output ``sign(p - rho)`` (bias ``b = -rho``).

    Parameters
    ----------
    x : array_like (m,)
        Input.
    theta : array_like (m,)
        Weights (the SAP deck's theta).
    rho : float
        Threshold.

    Returns
    -------
    dict
        ``terms`` (m,) the products ``theta_j x_j``; ``p`` the pre-activation;
        ``a`` the threshold unit's output 0/1; ``h`` the perceptron's output -1/+1.

    Examples
    --------
    >>> ex = quick_example()
    >>> ex["terms"].tolist(), ex["p"], ex["a"], ex["h"]
    ([1.0, 0.0, -0.5], 0.5, 1, 1)
    """
    x = check_array(x, "quick_example", ("m",), "x")
    theta = check_array(theta, "quick_example", (x.shape[0],), "theta")
    p = float(pre_activation(x, theta))  # scalar theta . x
    return {
        "terms": theta * x + 0.0,  # (m,); + 0.0 turns -0.0 into 0.0
        "p": p,
        "a": threshold_unit(x, theta, rho),
        "h": int(sign(p - rho)),
    }


# ---------------------------------------------------------------------------------------
# The perceptron criterion and its gradient
# ---------------------------------------------------------------------------------------


def perceptron_criterion(w, b, X, y):
    """The perceptron criterion and its gradient (DHBW deck, equations (3)-(5)).

    .. math::

        J_P(w, b) = -\\sum_{n \\in \\mathcal{M}} y_n (w^\\top x_n + b), \\qquad
        \\frac{\\partial J_P}{\\partial w} = -\\sum_{n \\in \\mathcal{M}} y_n x_n, \\qquad
        \\frac{\\partial J_P}{\\partial b} = -\\sum_{n \\in \\mathcal{M}} y_n

    where :math:`\\mathcal{M}` holds the examples the current ``(w, b)`` misclassifies,
    ``sign(w . x_n + b) != y_n`` with ``sign(0) = +1`` (the same test
    :class:`~nnlib.perceptron.Perceptron` uses). Every term is >= 0, so ``J_P >= 0``, and
    ``J_P = 0`` with an empty set when all examples are right. The set changes whenever
    ``(w, b)`` does, so ``J_P`` is piecewise linear.

    Parameters
    ----------
    w : array_like (M,)
    b : float
    X : array_like (N, M)
    y : array_like (N,) of -1/+1

    Shape
    -----
    X (N, M), y (N,) -> grad_w (M,).

    Returns
    -------
    dict
        ``J`` (float), ``grad_w`` (M,), ``grad_b`` (float), ``misclassified`` (int array
        of the indices in M).

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, -1.0]])
    >>> out = perceptron_criterion([1.0, -1.0], 0.0, X, [1, 1, -1])
    >>> out["misclassified"].tolist(), out["J"], out["grad_w"].tolist(), out["grad_b"]
    ([0, 2], 1.0, [-2.0, -3.0], 0.0)
    """
    X = check_array(X, "perceptron_criterion", ("N", "M"), "X")
    w = check_array(w, "perceptron_criterion", (X.shape[1],), "w")
    y = check_array(y, "perceptron_criterion", (X.shape[0],), "y")
    if np.any((y != 1) & (y != -1)):
        raise ValueError("perceptron_criterion: labels y must be -1 or +1")
    z = X @ w + b  # (N,) pre-activations
    wrong = sign(z) != y  # (N,) the set M as a mask
    J = -np.sum(y[wrong] * z[wrong])  # scalar
    grad_w = -(y[wrong] @ X[wrong])  # (M,) = -sum y_n x_n over M
    grad_b = -np.sum(y[wrong])  # scalar
    return {
        "J": float(J) + 0.0,
        "grad_w": grad_w + 0.0,
        "grad_b": float(grad_b) + 0.0,
        "misclassified": np.flatnonzero(wrong),
    }


def error_driven_update(theta, x, y, alpha=1.0, rho=0.0):
    """One step of the SAP deck's Algorithm 1 with 0/1 labels, for one example.

    With the threshold unit ``a = [theta . x > rho]`` and the squared error
    ``J = (a - y)^2 / 2``, the deck's step "update the weights based on the prediction
    error" reads

    .. math:: \\theta \\leftarrow \\theta + \\alpha\\,(y - a)\\,x .

    ``y - a`` is 0 on a correct example and ``+1``/``-1`` on a mistake, so this is the
    perceptron rule ``w <- w + alpha y_pm x`` with the signed label ``y_pm = 2y - 1``.

    Parameters
    ----------
    theta : array_like (m,)
    x : array_like (m,)
    y : {0, 1}
    alpha : float
    rho : float

    Returns
    -------
    dict
        ``a`` the prediction, ``error`` = ``y - a``, ``theta`` (m,) the new weights.

    Examples
    --------
    >>> out = error_driven_update([1.0, -0.5, -1.0], [1.0, 0.0, 0.5], y=0, alpha=0.5)
    >>> out["a"], out["error"], out["theta"].tolist()
    (1, -1, [0.5, -0.5, -1.25])
    """
    theta = check_array(theta, "error_driven_update", ("m",), "theta")
    x = check_array(x, "error_driven_update", theta.shape, "x")
    if y not in (0, 1):
        raise ValueError(f"error_driven_update: y must be 0 or 1, got {y!r}")
    a = threshold_unit(x, theta, rho)  # 0 or 1
    error = int(y) - a  # -1, 0 or +1
    return {"a": a, "error": error, "theta": theta + alpha * error * x}


# ---------------------------------------------------------------------------------------
# Data for the demonstrations
# ---------------------------------------------------------------------------------------


def toy_data(n_samples=20, rng=3):
    """The small 2-D data set of the step-through player: separable, labels -1/+1.

    It is :func:`make_margin_data` with margin 0.05; with the default seed the
    perceptron needs 12 updates in 5 epochs, enough to watch the boundary move.

    Parameters
    ----------
    n_samples : int
        Number of points.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray (N, 2)
    y : ndarray (N,) of -1/+1

    Examples
    --------
    >>> X, y = toy_data()
    >>> X.shape, np.bincount((y + 1) // 2).tolist()
    ((20, 2), [10, 10])
    """
    return make_margin_data(0.05, n_samples=n_samples, rng=rng)


def make_margin_data(gamma, n_samples=40, rng=0):
    """Linearly separable 2-D data whose separator ``u* = (w*, b*)`` has margin >= gamma.

    Points are drawn uniformly from the square ``[-1, 1]^2``; those closer than ``gamma``
    to the hyperplane ``u*`` (in the augmented space of :func:`nnlib.perceptron.margin`)
    are thrown away and redrawn, and the rest are labelled by the side of ``u*`` they lie
    on. A smaller ``gamma`` lets points come closer to the boundary.

    Parameters
    ----------
    gamma : float
        Required margin, ``0 < gamma < 0.5``.
    n_samples : int
        Number of points kept.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray (N, 2)
    y : ndarray (N,) of -1/+1

    Examples
    --------
    >>> X, y = make_margin_data(0.1, rng=0)
    >>> bool(margin(W_STAR, B_STAR, X, y) >= 0.1)
    True
    """
    gamma = float(gamma)
    if not 0 < gamma < 0.5:
        raise ValueError(f"make_margin_data: gamma must be in (0, 0.5), got {gamma}")
    n_samples = check_positive_int(n_samples, "make_margin_data", "n_samples")
    rng = as_rng(rng)
    norm_u = np.sqrt(W_STAR @ W_STAR + B_STAR**2)  # ||(w*, b*)||
    kept = []
    while len(kept) < n_samples:
        P = rng.uniform(-1.0, 1.0, size=(4 * n_samples, 2))  # (4N, 2) candidates
        d = (P @ W_STAR + B_STAR) / norm_u  # (4N,) signed augmented distances
        kept.extend(P[np.abs(d) >= gamma])
    X = np.array(kept[:n_samples])  # (N, 2)
    y = sign(X @ W_STAR + B_STAR)  # (N,)
    return X, y


# ---------------------------------------------------------------------------------------
# Replaying training: the step-through player and the geometric view
# ---------------------------------------------------------------------------------------


def trace_frame(model, k):
    """State of a fitted perceptron after its first ``k`` updates (the player's slider).

    Parameters
    ----------
    model : Perceptron
        A fitted perceptron; its ``trace`` lists every update.
    k : int
        Number of updates applied, ``0 <= k <= len(model.trace)``. ``k = 0`` is the start.

    Returns
    -------
    dict
        ``k``; ``w`` (M,), ``b``: the parameters after ``k`` updates; ``step``: the
        :class:`~nnlib.perceptron.PerceptronStep` that produced them (``None`` for k = 0);
        ``n_steps``: ``len(model.trace)``.

    Examples
    --------
    >>> X, y = toy_data()
    >>> model = Perceptron().fit(X, y)
    >>> frame = trace_frame(model, len(model.trace))
    >>> bool(np.all(frame["w"] == model.w)), frame["b"] == model.b
    (True, True)
    """
    if not isinstance(model, Perceptron) or model.w is None:
        raise TypeError("trace_frame: model must be a fitted Perceptron (call fit first)")
    n_steps = len(model.trace)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n_steps:
        raise ValueError(f"trace_frame: k must be an int in [0, {n_steps}], got {k!r}")
    if k == 0:
        if n_steps == 0:
            return {"k": 0, "w": model.w.copy(), "b": model.b, "step": None, "n_steps": 0}
        first = model.trace[0]
        return {"k": 0, "w": first.w_before.copy(), "b": first.b_before, "step": None, "n_steps": n_steps}
    step = model.trace[k - 1]
    return {"k": int(k), "w": step.w_after.copy(), "b": step.b_after, "step": step, "n_steps": n_steps}


def update_geometry(step, lr=1.0):
    """The geometric view of one update, with the bias folded in.

    With ``u = (w, b)`` and ``x~ = (x, 1)`` the update is ``u' = u + alpha y x~``, so

    .. math:: y\\,\\langle u', \\tilde x \\rangle = y\\,\\langle u, \\tilde x \\rangle
              + \\alpha \\lVert \\tilde x \\rVert^2 ,

    the score of the misclassified example rises by ``alpha ||x~||^2``: ``u`` turns
    towards ``y x~``. (For a positive example and no bias this is the deck's
    ``<w + x, x> = <w, x> + ||x||^2``.)

    Parameters
    ----------
    step : PerceptronStep
        One entry of ``Perceptron.trace``.
    lr : float
        The learning rate the perceptron used.

    Returns
    -------
    dict
        ``before`` = y <u, x~>, ``after`` = y <u', x~>, ``norm_sq`` = ||x~||^2,
        ``cos_before``/``cos_after``: cosine of the angle between ``u`` and ``y x~``
        (``nan`` when ``u = 0``).

    Examples
    --------
    >>> X = np.array([[2.0, 1.0], [1.0, 3.0], [-1.0, -1.0], [-2.0, 0.5]])
    >>> model = Perceptron().fit(X, [1, 1, -1, -1])
    >>> step = model.trace[0]            # x = (-1, -1), y = -1, from u = 0
    >>> g = update_geometry(step)
    >>> g["before"], g["after"], g["norm_sq"]
    (0.0, 3.0, 3.0)
    """
    x_aug = np.append(step.x, 1.0)  # (M+1,)
    u_before = np.append(step.w_before, step.b_before)  # (M+1,)
    u_after = np.append(step.w_after, step.b_after)  # (M+1,)
    target = step.y * x_aug  # (M+1,) the direction u turns to

    def cos(u):
        norm = np.linalg.norm(u) * np.linalg.norm(target)
        return float(u @ target / norm) if norm > 0 else float("nan")

    return {
        "before": float(step.y * (u_before @ x_aug)) + 0.0,
        "after": float(step.y * (u_after @ x_aug)) + 0.0,
        "norm_sq": float(x_aug @ x_aug),
        "cos_before": cos(u_before),
        "cos_after": cos(u_after),
    }


def learning_rate_runs(X, y, lrs=(0.1, 1.0, 10.0)):
    """Train with several learning rates from zero: only the scale of ``(w, b)`` changes.

    Returns
    -------
    list of dict
        Per learning rate: ``lr``, ``w``, ``b``, ``n_updates`` and ``mistakes`` (the
        indices of the misclassified examples, in update order).

    Examples
    --------
    >>> X, y = toy_data()
    >>> runs = learning_rate_runs(X, y, lrs=(0.5, 2.0))
    >>> runs[0]["mistakes"] == runs[1]["mistakes"], np.allclose(4 * runs[0]["w"], runs[1]["w"])
    (True, True)
    """
    runs = []
    for lr in lrs:
        model = Perceptron(lr=lr).fit(X, y)
        runs.append({
            "lr": float(lr),
            "w": model.w,
            "b": model.b,
            "n_updates": model.n_updates,
            "mistakes": [step.index for step in model.trace],
        })
    return runs


# ---------------------------------------------------------------------------------------
# The convergence theorem
# ---------------------------------------------------------------------------------------


def convergence_experiment(gamma, n_samples=40, n_orders=20, rng=0):
    """Measure the number of updates against Novikoff's bound ``(R / gamma)^2``.

    Draws :func:`make_margin_data` with margin ``gamma``, computes ``R``
    (:func:`~nnlib.perceptron.data_radius`) and the margin of the known separator ``u*``
    (:func:`~nnlib.perceptron.margin`), and trains the perceptron once in the data's
    order and ``n_orders - 1`` times in random orders (``shuffle=True``). The theorem
    promises that **every** run makes at most ``(R / gamma_*)^2`` updates.

    Parameters
    ----------
    gamma : float
        Margin required of the data, in (0, 0.5).
    n_samples : int
        Number of points.
    n_orders : int
        Number of training runs (presentation orders), >= 1.
    rng : int
        Seed for the data and for the orders.

    Returns
    -------
    dict
        ``X``, ``y``; ``R``; ``gamma`` (the margin of ``u*`` on the data, >= the requested
        one); ``bound``; ``updates`` (n_orders,) the number of updates of each run;
        ``converged`` (bool, all runs); ``model`` the first (unshuffled) fitted perceptron.

    Examples
    --------
    >>> out = convergence_experiment(0.1, n_orders=5)
    >>> bool(out["converged"]), bool(out["updates"].max() <= out["bound"])
    (True, True)
    """
    n_orders = check_positive_int(n_orders, "convergence_experiment", "n_orders")
    seeds = np.random.SeedSequence(rng).spawn(n_orders + 1)
    X, y = make_margin_data(gamma, n_samples=n_samples, rng=np.random.default_rng(seeds[0]))
    R = data_radius(X)
    gamma_star = margin(W_STAR, B_STAR, X, y)
    bound = novikoff_bound(R, gamma_star)
    max_epochs = int(bound) + 2  # each non-final epoch makes >= 1 update, so this suffices
    models = [Perceptron(max_epochs=max_epochs).fit(X, y)]
    for seed in seeds[2:]:
        models.append(
            Perceptron(max_epochs=max_epochs, shuffle=True, rng=np.random.default_rng(seed)).fit(X, y)
        )
    return {
        "X": X,
        "y": y,
        "R": R,
        "gamma": gamma_star,
        "bound": bound,
        "updates": np.array([m.n_updates for m in models]),
        "converged": all(m.converged for m in models),
        "model": models[0],
    }


def convergence_sweep(gammas=(0.02, 0.05, 0.1, 0.2, 0.3), n_samples=40, n_orders=10, rng=0):
    """:func:`convergence_experiment` for several margins (the table and plot of the lesson).

    Returns
    -------
    dict
        Arrays over the margins: ``gamma`` (requested), ``gamma_star`` (measured margin of
        ``u*``), ``R``, ``bound``, ``max_updates`` and ``mean_updates`` over the orders.

    Examples
    --------
    >>> sweep = convergence_sweep((0.05, 0.2), n_orders=3)
    >>> bool(np.all(sweep["max_updates"] <= sweep["bound"]))
    True
    """
    rows = [convergence_experiment(g, n_samples, n_orders, rng) for g in gammas]
    return {
        "gamma": np.array(gammas, dtype=float),
        "gamma_star": np.array([r["gamma"] for r in rows]),
        "R": np.array([r["R"] for r in rows]),
        "bound": np.array([r["bound"] for r in rows]),
        "max_updates": np.array([r["updates"].max() for r in rows]),
        "mean_updates": np.array([r["updates"].mean() for r in rows]),
    }


# ---------------------------------------------------------------------------------------
# Non-uniqueness, XOR, more classes
# ---------------------------------------------------------------------------------------


def solutions_by_order(X, y, seeds=(0, 1, 2, 3)):
    """Final ``(w, b)`` of perceptrons that see the same data in different orders.

    Returns
    -------
    list of dict
        ``label``, ``w``, ``b``, ``n_updates``, ``errors`` (training mistakes left, 0 when
        converged) per run: first the data's own order, then one shuffled run per seed.

    Examples
    --------
    >>> X, y = toy_data()
    >>> [run["errors"] for run in solutions_by_order(X, y, seeds=(0, 1))]
    [0, 0, 0]
    """
    models = [("data order", Perceptron().fit(X, y))]
    for seed in seeds:
        models.append((f"shuffled, seed {seed}", Perceptron(shuffle=True, rng=seed).fit(X, y)))
    return [_summary(label, m, X, y) for label, m in models]


def solutions_by_init(X, y, inits=(((0.0, 0.0), 0.0), ((-3.0, 1.0), 2.0), ((0.5, -2.0), -1.0))):
    """Final ``(w, b)`` of perceptrons started from different weights (same order).

    Parameters
    ----------
    inits : sequence of ((w1, w2), b)
        Starting points.

    Returns
    -------
    list of dict
        As :func:`solutions_by_order`, one per starting point.

    Examples
    --------
    >>> X, y = toy_data()
    >>> [run["errors"] for run in solutions_by_init(X, y)]
    [0, 0, 0]
    """
    out = []
    for w0, b0 in inits:
        model = Perceptron().fit(X, y, w_init=np.asarray(w0, dtype=float), b_init=b0)
        out.append(_summary(f"start w = {tuple(float(v) for v in w0)}, b = {float(b0)}", model, X, y))
    return out


def _summary(label, model, X, y):
    return {
        "label": label,
        "w": model.w,
        "b": model.b,
        "n_updates": model.n_updates,
        "errors": int(np.sum(model.predict(X) != y)),
    }


def xor_run(max_epochs=12):
    """Train the perceptron on the XOR truth table (labels -1/+1) and watch it cycle.

    Returns
    -------
    dict
        ``model`` the fitted perceptron (``converged`` is False); ``history`` mistakes per
        epoch; ``states`` (max_epochs + 1, 3) the parameters ``(w1, w2, b)`` at the start
        and after every epoch; ``period``: the smallest ``p`` such that the state after
        the last epoch equals the state ``p`` epochs earlier (``None`` if no repeat).

    Examples
    --------
    >>> out = xor_run(12)
    >>> out["model"].converged, out["history"][:4], out["period"]
    (False, [3, 3, 4, 4], 1)
    """
    max_epochs = check_positive_int(max_epochs, "xor_run", "max_epochs")
    X, y = make_xor(signed=True)  # (4, 2), (4,)
    model = Perceptron(max_epochs=max_epochs).fit(X, y)
    states = [np.zeros(3)]
    for epoch in range(max_epochs):
        steps = [s for s in model.trace if s.epoch <= epoch]
        last = steps[-1] if steps else None
        states.append(states[-1] if last is None else np.append(last.w_after, last.b_after))
    states = np.array(states)  # (max_epochs + 1, 3)
    period = None
    for p in range(1, max_epochs + 1):
        if np.array_equal(states[-1], states[-1 - p]):
            period = p
            break
    return {"model": model, "history": list(model.history), "states": states, "period": period}


def xor_with_product_feature():
    """XOR becomes separable after the feature map ``(x1, x2) -> (x1, x2, x1 x2)``.

    Returns
    -------
    dict
        ``Phi`` (4, 3) mapped inputs, ``y`` (4,), and the fitted ``model``.

    Examples
    --------
    >>> out = xor_with_product_feature()
    >>> out["model"].converged, out["model"].predict(out["Phi"]).tolist()
    (True, [-1, 1, 1, -1])
    """
    X, y = make_xor(signed=True)  # (4, 2), (4,)
    Phi = np.column_stack([X, X[:, 0] * X[:, 1]])  # (4, 3)
    return {"Phi": Phi, "y": y, "model": Perceptron(max_epochs=100).fit(Phi, y)}


def one_vs_rest(X, y, n_classes):
    """One perceptron per class: class k against the rest, predict the largest score.

    Parameters
    ----------
    X : array_like (N, M)
    y : array_like (N,) of ints 0..K-1
    n_classes : int

    Returns
    -------
    dict
        ``models`` (K perceptrons), ``targets`` (N, K) the one-hot targets as -1/+1,
        ``scores`` (N, K) each perceptron's ``w . x + b``, ``predict`` a function
        ``(P, M) -> (P,)`` giving the class of the largest score.

    Examples
    --------
    >>> from nnlib.datasets import make_blobs
    >>> X, y = make_blobs(60, centers=[[0, 3], [3, -2], [-3, -2]], cluster_std=0.5, rng=0)
    >>> out = one_vs_rest(X, y, 3)
    >>> float(np.mean(out["predict"](X) == y))
    1.0
    """
    X = check_array(X, "one_vs_rest", ("N", "M"), "X")
    y = np.asarray(y)
    n_classes = check_positive_int(n_classes, "one_vs_rest", "n_classes")
    targets = np.where(y[:, None] == np.arange(n_classes)[None, :], 1, -1)  # (N, K)
    models = [Perceptron(max_epochs=200).fit(X, targets[:, k]) for k in range(n_classes)]

    def predict(P):
        S = np.column_stack([m.decision_function(P) for m in models])  # (P, K)
        return np.argmax(S, axis=1)  # (P,)

    scores = np.column_stack([m.decision_function(X) for m in models])  # (N, K)
    return {"models": models, "targets": targets, "scores": scores, "predict": predict}


def digits_perceptron(class_a=0, class_b=1):
    """A perceptron on the 8x8 digits (a 64-pixel "retina"), one digit against another.

    Returns
    -------
    dict
        ``model``, ``n_images``, ``accuracy`` on the training images, ``W_image`` the
        weights as an (8, 8) image.

    Examples
    --------
    >>> out = digits_perceptron(0, 1)
    >>> out["model"].converged, out["accuracy"]
    (True, 1.0)
    """
    X, labels = load_digits()  # (1797, 64), (1797,)
    keep = (labels == class_a) | (labels == class_b)  # (1797,)
    X = X[keep] / 16.0  # (N, 64) pixel intensities in [0, 1]
    y = np.where(labels[keep] == class_b, 1, -1)  # (N,)
    model = Perceptron(max_epochs=200).fit(X, y)
    return {
        "model": model,
        "n_images": int(keep.sum()),
        "accuracy": float(np.mean(model.predict(X) == y)),
        "W_image": model.w.reshape(8, 8),
    }
