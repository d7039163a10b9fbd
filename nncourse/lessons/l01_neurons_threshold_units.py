"""Lesson 01: neurons and threshold units (what the sliders and worked examples compute).

The notebook ``notebooks/01_neurons_threshold_units.ipynb`` computes every worked example
in its own cells, in a few lines of numpy a student can read and change. The functions here
are the tested reference of the same maths (``tests/lessons/test_l01_neurons_threshold_units.py``
checks them against hand-computed numbers), and :func:`prediction_error_table` runs the
reward-learning experiment the notebook only reports. The maths of threshold units and logic
gates lives in :mod:`nnlib.threshold`; what is here is the psychology of the lecture's first
slides, which the library has no other use for:

* Hebbian learning, ``dw = eta * x * y`` (strengthen a synapse whenever its input and
  the neuron's output are active together);
* learning from a prediction error (the Rescorla-Wagner rule of animal conditioning),
  ``dV_i = alpha * x_i * (lam * r - sum_j V_j x_j)``, which explains *blocking* where the
  Hebbian rule cannot.
"""

import numpy as np

from nnlib.threshold import XOR_NETWORK, ThresholdUnit, threshold_unit, truth_table
from nnlib.validation import check_array, check_nonnegative, check_positive_int

STIMULI = ("L", "N")
"""Names of the two conditioned stimuli of the blocking experiment: light and noise."""


# ---------------------------------------------------------------------------------------
# Hebbian learning: Pavlov's dog
# ---------------------------------------------------------------------------------------


def pavlov_hebbian(n_pairings=10, eta=0.15, w_food=1.0, threshold=0.5):
    """Condition a threshold neuron to a bell with Hebb's rule.

    The neuron "salivates" (``y = 1``) when its weighted input exceeds the threshold
    (a McCulloch-Pitts unit, :func:`nnlib.perceptron.threshold_unit`):

    .. math:: y = [\\, w_{food} x_{food} + w_{bell} x_{bell} > \\theta \\,].

    Food (the unconditioned stimulus) is wired in with ``w_food > threshold``, so food
    alone makes the neuron fire. The bell (the conditioned stimulus) starts with
    ``w_bell = 0``. On every pairing both inputs are on, the neuron fires because of the
    food, and Hebb's rule strengthens the bell's synapse because its input and the output
    were active together:

    .. math:: w_{bell} \\leftarrow w_{bell} + \\eta \\, x_{bell} \\, y .

    Parameters
    ----------
    n_pairings : int
        Number of bell + food trials (>= 1).
    eta : float
        Hebbian learning rate (>= 0).
    w_food : float
        Fixed weight of the food input.
    threshold : float
        Firing threshold ``theta`` of the neuron.

    Returns
    -------
    dict
        ``w_bell``: array (n_pairings + 1,), the bell weight before trial 1 and after each
        trial; ``bell_alone``: int array (n_pairings + 1,), whether the bell alone makes the
        neuron fire at that point; ``first_response``: the number of pairings after which
        the bell alone first triggers a response (``None`` if it never does).

    Examples
    --------
    >>> out = pavlov_hebbian(n_pairings=5, eta=0.15, threshold=0.5)
    >>> out["w_bell"].round(2).tolist()
    [0.0, 0.15, 0.3, 0.45, 0.6, 0.75]
    >>> out["first_response"]
    4
    """
    n_pairings = check_positive_int(n_pairings, "pavlov_hebbian", "n_pairings")
    check_nonnegative(eta, "pavlov_hebbian", "eta")
    w_bell = 0.0
    weights = [w_bell]
    for _ in range(n_pairings):
        x_food, x_bell = 1.0, 1.0
        y = threshold_unit([x_food, x_bell], [w_food, w_bell], threshold)  # food makes it fire
        w_bell = w_bell + eta * x_bell * y  # Hebb: active together -> stronger
        weights.append(w_bell)
    weights = np.array(weights)  # (n_pairings + 1,)
    bell_alone = np.array(  # (n_pairings + 1,) the bell on, the food off
        [threshold_unit([0.0, 1.0], [w_food, wb], threshold) for wb in weights]
    )
    hits = np.flatnonzero(bell_alone)
    first = int(hits[0]) if hits.size else None
    return {"w_bell": weights, "bell_alone": bell_alone, "first_response": first}


# ---------------------------------------------------------------------------------------
# Two learning rules for conditioning experiments
# ---------------------------------------------------------------------------------------


def _trial_arrays(trials, where):
    """Turn ``[("LN", 1), ("N", 1), ...]`` into a (T, 2) stimulus matrix and (T,) rewards."""
    X, r = [], []
    for k, trial in enumerate(trials):
        if len(trial) != 2:
            raise ValueError(f"{where}: trial {k} must be a pair (stimuli, reward), got {trial!r}")
        present, reward = trial
        unknown = set(present) - set(STIMULI)
        if unknown:
            raise ValueError(
                f"{where}: trial {k} names unknown stimuli {sorted(unknown)}; use 'L' and/or 'N'"
            )
        if reward not in (0, 1):
            raise ValueError(f"{where}: trial {k} reward must be 0 or 1, got {reward!r}")
        X.append([float(s in present) for s in STIMULI])
        r.append(float(reward))
    return np.array(X).reshape(-1, len(STIMULI)), np.array(r)


def run_conditioning(trials, rule="prediction-error", alpha=0.3, lam=1.0, V0=None):
    """Learn associative strengths ``V`` of the stimuli L and N over a list of trials.

    Each trial presents some stimuli (``x_i = 1`` if stimulus ``i`` is present) and
    either the unconditioned stimulus (``r = 1``, written ``+``) or not (``r = 0``, ``-``).
    The animal's prediction of the US is the summed strength of what is present,
    :math:`\\hat r = \\sum_j V_j x_j`. Two rules are available:

    * ``"prediction-error"`` (Rescorla-Wagner): learn only from the surprise
      :math:`\\delta = \\lambda r - \\hat r`, :math:`V_i \\leftarrow V_i + \\alpha x_i \\delta`;
    * ``"hebbian"``: strengthen whatever co-occurs with the US,
      :math:`V_i \\leftarrow V_i + \\alpha x_i \\lambda r`.

    Parameters
    ----------
    trials : sequence of (str, int)
        E.g. ``[("N", 1), ("LN", 1)]``; stimuli are named by the letters ``"L"``, ``"N"``.
    rule : {"prediction-error", "hebbian"}
        Learning rule.
    alpha : float
        Learning rate (>= 0; the rule's salience times rate).
    lam : float
        Maximum strength the US supports (``lambda``).
    V0 : array_like of shape (2,), optional
        Initial strengths of (L, N); zeros by default.

    Shape
    -----
    With ``T`` trials: ``V`` history (T + 1, 2), predictions and errors (T,).

    Returns
    -------
    dict
        ``V``: (T + 1, 2) strengths of (L, N) before the first and after every trial;
        ``prediction``: (T,) the prediction made on each trial; ``error``: (T,) the
        prediction error ``lam * r - prediction`` of each trial (whatever the rule).

    Examples
    --------
    >>> out = run_conditioning([("L", 1), ("L", 1)], alpha=0.5)
    >>> out["V"][:, 0].tolist()       # 0 -> 0.5 -> 0.75: halves the gap each time
    [0.0, 0.5, 0.75]
    >>> out["error"].tolist()
    [1.0, 0.5]
    """
    if rule not in ("prediction-error", "hebbian"):
        raise ValueError(
            f"run_conditioning: rule must be 'prediction-error' or 'hebbian', got {rule!r}"
        )
    check_nonnegative(alpha, "run_conditioning", "alpha")
    X, r = _trial_arrays(trials, "run_conditioning")  # (T, 2), (T,)
    V = np.zeros(len(STIMULI)) if V0 is None else check_array(V0, "run_conditioning", (2,), "V0").copy()
    history, predictions, errors = [V.copy()], [], []
    for x, reward in zip(X, r):
        prediction = V @ x  # scalar: summed strength of the present stimuli
        delta = lam * reward - prediction  # scalar: the surprise
        if rule == "prediction-error":
            V = V + alpha * x * delta  # (2,) learn only from surprise
        else:
            V = V + alpha * x * lam * reward  # (2,) learn from co-occurrence
        history.append(V.copy())
        predictions.append(prediction)
        errors.append(delta)
    return {
        "V": np.array(history).reshape(-1, len(STIMULI)),
        "prediction": np.array(predictions),
        "error": np.array(errors),
    }


def blocking_experiment(n_pretrain=20, n_compound=20, alpha=0.3, rule="prediction-error", lam=1.0):
    """The blocking experiment of the lecture, for one learning rule.

    =========  =============  ==============  =========
    group      phase 1        phase 2         test
    =========  =============  ==============  =========
    A          N+ (pretrain)  LN+ (compound)  L-
    B          --             LN+ (compound)  L-
    =========  =============  ==============  =========

    The fear response at test is the strength ``V_L`` of the light. With learning from
    prediction error, group A's noise already predicts the shock when the light joins it,
    so the light learns (almost) nothing: *N blocks L*. The Hebbian rule gives both groups
    the same ``V_L``.

    Parameters
    ----------
    n_pretrain : int
        Number of N+ trials of group A (>= 0; 0 makes both groups identical).
    n_compound : int
        Number of LN+ trials of both groups (>= 1).
    alpha, lam : float
        Learning rate and maximum strength, as in :func:`run_conditioning`.
    rule : {"prediction-error", "hebbian"}
        Learning rule.

    Returns
    -------
    dict
        ``A`` and ``B``: the :func:`run_conditioning` results of each group (group B's
        history is padded at the start with ``n_pretrain`` rows of zeros so both
        histories share a trial axis); ``V_L_test``: dict ``{"A": ..., "B": ...}`` with
        the light's strength at test; ``n_pretrain``: the trial at which phase 2 starts.

    Examples
    --------
    >>> out = blocking_experiment(n_pretrain=20, n_compound=20, alpha=0.3)
    >>> round(out["V_L_test"]["A"], 4), round(out["V_L_test"]["B"], 4)
    (0.0004, 0.5)
    """
    n_pretrain = int(n_pretrain)
    if n_pretrain < 0:
        raise ValueError(f"blocking_experiment: n_pretrain must be >= 0, got {n_pretrain}")
    n_compound = check_positive_int(n_compound, "blocking_experiment", "n_compound")
    group_a = run_conditioning(
        [("N", 1)] * n_pretrain + [("LN", 1)] * n_compound, rule=rule, alpha=alpha, lam=lam
    )
    group_b = run_conditioning([("LN", 1)] * n_compound, rule=rule, alpha=alpha, lam=lam)
    padding = np.zeros((n_pretrain, len(STIMULI)))  # group B rests during phase 1
    group_b["V"] = np.vstack([padding, group_b["V"]])  # (n_pretrain + n_compound + 1, 2)
    return {
        "A": group_a,
        "B": group_b,
        "V_L_test": {"A": float(group_a["V"][-1, 0]), "B": float(group_b["V"][-1, 0])},
        "n_pretrain": n_pretrain,
    }


def prediction_error_table(n_train=50, alpha=0.3, lam=1.0):
    """Signs of the prediction error in the reward experiment of the lecture's figure.

    Part (a): stimulus A is always followed by reward (A+), stimulus B never (B-).
    Afterwards A+ and B- are *predicted* (no error), A- is an unpredicted omission
    (negative error) and B+ an unpredicted reward (positive error).

    Part (b): then the compounds AX+ and BY+ are trained, with A+ and B- trials still
    mixed in. X is blocked by A (the reward was already predicted), Y is not (B predicted
    nothing, so BY+ is a surprise that Y takes over). So at test X- causes no error
    (nothing was expected), Y- a negative one, X+ a positive one, and Y+ none.

    The rule is :func:`run_conditioning`'s prediction-error rule with four stimuli
    A, B, X, Y (implemented here on the same update line).

    Parameters
    ----------
    n_train : int
        Trials per training phase and stimulus (>= 1).
    alpha, lam : float
        Learning rate and maximum strength.

    Returns
    -------
    list of (str, float)
        ``(test trial, prediction error)`` for A+, B-, A-, B+, X-, Y-, X+, Y+ in that order.

    Examples
    --------
    >>> rows = prediction_error_table()
    >>> [(name, int(np.sign(round(err, 1)))) for name, err in rows]
    [('A+', 0), ('B-', 0), ('A-', -1), ('B+', 1), ('X-', 0), ('Y-', -1), ('X+', 1), ('Y+', 0)]
    """
    n_train = check_positive_int(n_train, "prediction_error_table", "n_train")
    names = "ABXY"
    V = np.zeros(len(names))  # (4,) strengths of A, B, X, Y

    def code(present):
        return np.array([float(s in present) for s in names])  # (4,)

    def train(present, reward, repeats):
        nonlocal V
        for _ in range(repeats):
            x = code(present)  # (4,)
            V = V + alpha * x * (lam * reward - V @ x)  # (4,) Rescorla-Wagner

    def error(present, reward):
        return float(lam * reward - V @ code(present))  # prediction error of a test trial

    for _ in range(n_train):  # part (a): A+ and B- interleaved
        train("A", 1, 1)
        train("B", 0, 1)
    rows = [("A+", error("A", 1)), ("B-", error("B", 0)), ("A-", error("A", 0)), ("B+", error("B", 1))]
    for _ in range(n_train):  # part (b): AX+ and BY+, with A+ and B- still mixed in
        train("A", 1, 1)
        train("B", 0, 1)
        train("AX", 1, 1)
        train("BY", 1, 1)
    rows += [("X-", error("X", 0)), ("Y-", error("Y", 0)), ("X+", error("X", 1)), ("Y+", error("Y", 1))]
    return rows


# ---------------------------------------------------------------------------------------
# McCulloch-Pitts threshold units and logic gates
# ---------------------------------------------------------------------------------------

BOOLEAN_FUNCTION_NAMES = {
    (0, 0, 0, 0): "always 0",
    (0, 0, 0, 1): "AND",
    (0, 0, 1, 0): "x1 AND NOT x2",
    (0, 0, 1, 1): "x1",
    (0, 1, 0, 0): "NOT x1 AND x2",
    (0, 1, 0, 1): "x2",
    (0, 1, 1, 0): "XOR",
    (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR",
    (1, 0, 0, 1): "XNOR",
    (1, 0, 1, 0): "NOT x2",
    (1, 0, 1, 1): "x1 OR NOT x2",
    (1, 1, 0, 0): "NOT x1",
    (1, 1, 0, 1): "NOT x1 OR x2",
    (1, 1, 1, 0): "NAND",
    (1, 1, 1, 1): "always 1",
}
"""The 16 Boolean functions of two inputs, keyed by their outputs on 00, 01, 10, 11."""


def gate_view(w1=1.0, w2=1.0, theta=1.5, xlim=(-0.5, 1.5)):
    """Truth table and decision line of a two-input McCulloch-Pitts unit (what the gate slider shows).

    The unit fires when :math:`p = w_1 x_1 + w_2 x_2 > \\theta`
    (:func:`nnlib.perceptron.threshold_unit`). Its decision line is
    :math:`w_1 x_1 + w_2 x_2 = \\theta`; the unit fires on the side the weight vector
    :math:`(w_1, w_2)` points to.

    Parameters
    ----------
    w1, w2 : float
        Weights of the inputs ``x1`` and ``x2``.
    theta : float
        Threshold.
    xlim : (float, float)
        Range of ``x1`` over which to return the decision line.

    Returns
    -------
    dict
        ``w`` (2,) and ``theta``: the unit's weights and threshold as floats;
        ``X`` (4, 2) the inputs 00, 01, 10, 11; ``p`` (4,) the pre-activations;
        ``a`` (4,) the outputs 0/1; ``name`` which Boolean function the table is
        (see :data:`BOOLEAN_FUNCTION_NAMES`); ``line`` a (2, 2) array of two points
        ``[[x1, x2], [x1, x2]]`` on the decision line, or ``None`` when
        ``w1 = w2 = 0`` (then there is no line and the unit is constant).

    Examples
    --------
    >>> view = gate_view(1.0, 1.0, 1.5)
    >>> view["a"].tolist(), view["name"]
    ([0, 0, 0, 1], 'AND')
    >>> view["line"].tolist()       # x1 + x2 = 1.5 from x1 = -0.5 to 1.5
    [[-0.5, 2.0], [1.5, 0.0]]
    >>> gate_view(1.0, 1.0, 0.5)["name"]
    'OR'
    """
    unit = ThresholdUnit([w1, w2], theta, name="slider unit")
    X, a = truth_table(unit)  # (4, 2), (4,)
    p = X @ unit.w  # (4,) pre-activations
    w = unit.w  # (2,)
    if w[1] != 0:
        x1 = np.array(xlim, dtype=float)  # (2,)
        x2 = (theta - w[0] * x1) / w[1]  # (2,) solve w1 x1 + w2 x2 = theta
        line = np.column_stack([x1, x2])  # (2, 2)
    elif w[0] != 0:
        x1 = np.full(2, theta / w[0])  # (2,) a vertical line
        line = np.column_stack([x1, np.array(xlim, dtype=float)])  # (2, 2)
    else:
        line = None
    return {
        "w": w,
        "theta": unit.theta,
        "X": X,
        "p": p,
        "a": a,
        "name": BOOLEAN_FUNCTION_NAMES[tuple(int(v) for v in a)],
        "line": line,
    }


def reachable_functions(values=None):
    """Which of the 16 Boolean functions of two inputs one threshold unit can compute.

    Tries every combination of ``w1``, ``w2`` and ``theta`` from ``values`` and collects
    the truth tables that come out. Linear separability decides: 14 of the 16 appear,
    XOR and XNOR never do, however fine the grid.

    Parameters
    ----------
    values : array_like of shape (K,), optional
        Values tried for each of ``w1``, ``w2`` and ``theta`` (K^3 units in total);
        default 17 values from -2 to 2 in steps of 0.25.

    Returns
    -------
    dict
        ``found``: sorted list of the names of the functions reached;
        ``missing``: sorted list of the names never reached;
        ``n_units``: number of (w1, w2, theta) combinations tried.

    Examples
    --------
    >>> out = reachable_functions()
    >>> len(out["found"]), out["missing"]
    (14, ['XNOR', 'XOR'])
    """
    if values is None:
        values = np.linspace(-2.0, 2.0, 17)
    values = check_array(values, "reachable_functions", ("K",), "values")
    tables = set()
    for w1 in values:
        for w2 in values:
            for theta in values:
                _, a = truth_table(ThresholdUnit([w1, w2], theta))  # (4,) outputs on 00..11
                tables.add(tuple(int(v) for v in a))
    found = sorted(BOOLEAN_FUNCTION_NAMES[t] for t in tables)
    missing = sorted(set(BOOLEAN_FUNCTION_NAMES.values()) - set(found))
    return {"found": found, "missing": missing, "n_units": int(values.size ** 3)}


def xor_network_table():
    """Truth table of the hand-built two-layer XOR network, with its hidden units.

    The network is :data:`nnlib.perceptron.XOR_NETWORK`: ``h1 = x1 OR x2``,
    ``h2 = x1 AND x2`` and ``y = h1 AND NOT h2``.

    Returns
    -------
    dict
        ``X`` (4, 2) inputs, ``H`` (4, 2) hidden outputs ``(h1, h2)``, ``y`` (4,) outputs.

    Examples
    --------
    >>> t = xor_network_table()
    >>> t["H"].tolist(), t["y"].tolist()
    ([[0, 0], [1, 0], [1, 0], [1, 1]], [0, 1, 1, 0])
    """
    X, y = truth_table(XOR_NETWORK, n_inputs=2)  # (4, 2), (4,)
    H = XOR_NETWORK.hidden(X)  # (4, 2)
    return {"X": X, "H": H, "y": y}
