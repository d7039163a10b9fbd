"""Threshold units, logic gates and Rosenblatt's perceptron.

Two conventions meet in this file, one per lecture deck; both are written out
where they are used:

* **Threshold units** (McCulloch-Pitts, SAP deck) output 0 or 1. With weights
  ``w`` (the SAP deck calls them theta) and a threshold ``theta`` (the SAP deck's
  rho) a unit computes ``p = w . x`` and fires, ``a = 1``, when ``p > theta``.
* **The perceptron** (DHBW/SAP deck) outputs -1 or +1:
  ``h(x) = sign(w . x + b)`` with ``sign(0) = +1``.

The perceptron convergence theorem is made runnable with :func:`margin`,
:func:`data_radius` and :func:`novikoff_bound`.
"""

from dataclasses import dataclass

import numpy as np

from nnlib.validation import as_rng, check_array, check_positive_int


# ---------------------------------------------------------------------------
# McCulloch-Pitts threshold units and logic gates
# ---------------------------------------------------------------------------

def threshold_unit(x, w, theta=0.0):
    """Output of a McCulloch-Pitts threshold unit: 1 if ``w . x > theta``, else 0.

    .. math::

        p = \\sum_j w_j x_j, \\qquad a = \\begin{cases} 1 & p > \\theta \\\\
        0 & p \\le \\theta \\end{cases}

    This is the SAP deck's threshold activation (there the weights are called
    theta and the threshold rho). The unit fires only when ``p`` is strictly above
    the threshold, so ``p == theta`` gives 0.

    Parameters
    ----------
    x : array_like
        One input ``(m,)`` or a batch of inputs ``(N, m)``.
    w : array_like
        Weights ``(m,)``.
    theta : float
        Threshold.

    Shape
    -----
    x (m,) -> int; x (N, m) -> (N,) ints.

    Returns
    -------
    int or numpy.ndarray
        1 where the unit fires, 0 elsewhere.

    Examples
    --------
    The SAP deck's quick example: x = (1, 0, 0.5), weights (1, -0.5, -1),
    threshold 0 gives p = 0.5 and a = 1.

    >>> threshold_unit([1, 0, 0.5], [1, -0.5, -1], theta=0.0)
    1
    >>> threshold_unit([[0, 0], [1, 1]], [1, 1], theta=1.5)
    array([0, 1])
    """
    w = check_array(w, "threshold_unit", shape=("m",), name="w")
    m = w.shape[0]
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = check_array(x, "threshold_unit", shape=(m,), name="x")
        p = x @ w  # scalar
        return int(p > theta)
    x = check_array(x, "threshold_unit", shape=("N", m), name="x")
    p = x @ w  # (N,)
    return (p > theta).astype(int)  # (N,)


def pre_activation(x, w, b=0.0):
    """Pre-activation ``p = w . x + b`` of one neuron (the SAP deck's equation (1)).

    Examples
    --------
    >>> float(pre_activation([1, 0, 0.5], [1, -0.5, -1]))
    0.5
    """
    w = check_array(w, "pre_activation", shape=("m",), name="w")
    x = check_array(x, "pre_activation", shape=(w.shape[0],), name="x")
    return x @ w + b  # scalar


class ThresholdUnit:
    """A McCulloch-Pitts unit with visible weights ``w`` and threshold ``theta``.

    Calling the unit applies :func:`threshold_unit`: output 1 if ``w . x > theta``.

    Parameters
    ----------
    w : array_like
        Weights ``(m,)``.
    theta : float
        Threshold.
    name : str
        Shown in ``repr`` and truth tables.

    Shape
    -----
    x (m,) -> int; x (N, m) -> (N,).

    Examples
    --------
    >>> AND.w, AND.theta
    (array([1., 1.]), 1.5)
    >>> AND([[0, 0], [0, 1], [1, 0], [1, 1]])
    array([0, 0, 0, 1])
    """

    def __init__(self, w, theta, name="unit"):
        self.w = check_array(w, "ThresholdUnit", shape=("m",), name="w").copy()
        self.theta = float(theta)
        self.name = name

    def __call__(self, x):
        return threshold_unit(x, self.w, self.theta)

    def __repr__(self):
        return f"ThresholdUnit(w={self.w.tolist()}, theta={self.theta}, name={self.name!r})"


# Weights and thresholds chosen so no binary input lands exactly on a threshold.
AND = ThresholdUnit([1.0, 1.0], 1.5, name="AND")     # fires only for (1, 1): 2 > 1.5
OR = ThresholdUnit([1.0, 1.0], 0.5, name="OR")       # fires when at least one input is 1
NOT = ThresholdUnit([-1.0], -0.5, name="NOT")        # x = 0: 0 > -0.5 fires; x = 1: -1 does not
NAND = ThresholdUnit([-1.0, -1.0], -1.5, name="NAND")  # NOT AND: only (1, 1) gives -2 <= -1.5


def truth_table(unit, n_inputs=None):
    """All binary inputs of a unit (or network) and its outputs.

    Parameters
    ----------
    unit : callable
        Takes a batch ``(2**m, m)`` of 0/1 inputs and returns ``(2**m,)`` outputs.
    n_inputs : int, optional
        Number of inputs ``m``; defaults to ``len(unit.w)`` for a :class:`ThresholdUnit`.

    Returns
    -------
    X : numpy.ndarray of int, shape (2**m, m)
        Inputs in counting order (00, 01, 10, 11 for m = 2).
    y : numpy.ndarray of int, shape (2**m,)

    Examples
    --------
    >>> X, y = truth_table(NAND)
    >>> X.tolist(), y.tolist()
    ([[0, 0], [0, 1], [1, 0], [1, 1]], [1, 1, 1, 0])
    """
    if n_inputs is None:
        if not hasattr(unit, "w"):
            raise TypeError("truth_table: pass n_inputs for a unit without weights w")
        n_inputs = len(unit.w)
    n_inputs = check_positive_int(n_inputs, "truth_table", "n_inputs")
    rows = np.arange(2 ** n_inputs)  # (2**m,)
    shifts = np.arange(n_inputs - 1, -1, -1)  # (m,) most significant bit first
    X = (rows[:, None] >> shifts[None, :]) & 1  # (2**m, m)
    y = np.asarray(unit(X)).astype(int)  # (2**m,)
    return X, y


class ThresholdNetwork:
    """Two layers of threshold units: hidden units, then one output unit.

    .. math::

        h_k = [\\,W_k \\cdot x > \\theta_k\\,], \\qquad
        y = [\\,w_{out} \\cdot h > \\theta_{out}\\,]

    Parameters
    ----------
    W : array_like
        Hidden weights ``(H, m)``; row k belongs to hidden unit k.
    theta : array_like
        Hidden thresholds ``(H,)``.
    w_out : array_like
        Output weights ``(H,)``.
    theta_out : float
        Output threshold.

    Shape
    -----
    x (N, m) -> hidden (N, H) -> output (N,).

    Examples
    --------
    The KIT deck's XOR network (h1 = OR, h2 = AND, y = h1 AND NOT h2):

    >>> XOR_NETWORK([[0, 0], [0, 1], [1, 0], [1, 1]])
    array([0, 1, 1, 0])
    >>> XOR_NETWORK.hidden([[1, 1]])
    array([[1, 1]])
    """

    def __init__(self, W, theta, w_out, theta_out):
        self.W = check_array(W, "ThresholdNetwork", shape=("H", "m"), name="W").copy()
        H = self.W.shape[0]
        self.theta = check_array(theta, "ThresholdNetwork", shape=(H,), name="theta").copy()
        self.w_out = check_array(w_out, "ThresholdNetwork", shape=(H,), name="w_out").copy()
        self.theta_out = float(theta_out)

    def hidden(self, x):
        """Hidden outputs ``h`` (N, H) of 0/1 for a batch ``x`` (N, m)."""
        x = check_array(x, "ThresholdNetwork.hidden", shape=("N", self.W.shape[1]), name="x")
        P = x @ self.W.T  # (N, H) pre-activations of the hidden units
        return (P > self.theta).astype(int)  # (N, H)

    def __call__(self, x):
        h = self.hidden(x)  # (N, H)
        p = h @ self.w_out  # (N,)
        return (p > self.theta_out).astype(int)  # (N,)


# The KIT deck's hand-built XOR network.
# h1 = x1 OR x2   (weights 1, 1; threshold 0.5)
# h2 = x1 AND x2  (weights 1, 1; threshold 1.5)
# y  = h1 AND NOT h2: weights (1, -1), threshold 0.5, i.e. fires for h = (1, 0) only.
XOR_NETWORK = ThresholdNetwork(
    W=[[1.0, 1.0], [1.0, 1.0]],
    theta=[0.5, 1.5],
    w_out=[1.0, -1.0],
    theta_out=0.5,
)


# ---------------------------------------------------------------------------
# Rosenblatt's perceptron
# ---------------------------------------------------------------------------

def sign(z):
    """The perceptron's step function with ``sign(0) = +1``.

    Examples
    --------
    >>> sign(np.array([-2.0, 0.0, 3.0]))
    array([-1,  1,  1])
    """
    return np.where(np.asarray(z) >= 0, 1, -1)


@dataclass
class PerceptronStep:
    """One update of the perceptron, recorded so lessons can replay training.

    Attributes
    ----------
    epoch : int
        Epoch of the update, counting from 0.
    index : int
        Row of ``X`` that was misclassified.
    x : numpy.ndarray (M,)
    y : int
        Its label, -1 or +1.
    w_before, w_after : numpy.ndarray (M,)
    b_before, b_after : float
    """

    epoch: int
    index: int
    x: np.ndarray
    y: int
    w_before: np.ndarray
    w_after: np.ndarray
    b_before: float
    b_after: float


class Perceptron:
    """Rosenblatt's perceptron trained with the perceptron learning rule.

    Model (DHBW deck, equations (1)-(2)), labels ``y`` in {-1, +1}:

    .. math::

        h(x) = \\operatorname{sign}(w^\\top x + b), \\qquad
        \\operatorname{sign}(z) = +1 \\text{ if } z \\ge 0, \\text{ else } -1.

    Training starts from ``w = 0, b = 0`` (or ``fit(X, y, w_init, b_init)``) and
    visits the examples one by one. An example is a mistake when
    ``h(x_n) != y_n``; only then (equation (6))

    .. math::

        w \\leftarrow w + \\alpha\\, y_n x_n, \\qquad b \\leftarrow b + \\alpha\\, y_n .

    An epoch is one pass over the data. Training stops after the first epoch
    without mistakes (``converged = True``) or after ``max_epochs`` epochs
    (``converged = False``, e.g. on XOR), so it never loops forever. Starting from
    zero, the learning rate only scales ``w`` and ``b``; the mistakes made, and so
    the decision boundary, are the same for every ``lr > 0``.

    Parameters
    ----------
    lr : float
        Learning rate alpha > 0.
    max_epochs : int
        Upper limit on the number of passes over the data.
    shuffle : bool
        If True, visit the examples in a new random order every epoch.
    rng : None, int or numpy.random.Generator
        Source of the shuffling order.

    Attributes
    ----------
    w : numpy.ndarray (M,)
        Weights after ``fit``.
    b : float
        Bias after ``fit``.
    converged : bool
        True if the last epoch made no mistake.
    n_updates : int
        Total number of updates (mistakes) over all epochs.
    history : list of int
        Mistakes per epoch; when converged, the last entry is 0.
    trace : list of PerceptronStep
        Every update in order: epoch, index, x, y, w and b before and after.

    Shape
    -----
    X (N, M), y (N,) -> predict (N,) of -1/+1.

    Examples
    --------
    Learning the AND gate with labels -1/+1:

    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([-1, -1, -1, 1])
    >>> p = Perceptron().fit(X, y)
    >>> p.converged, p.n_updates, p.history
    (True, 11, [2, 3, 3, 2, 1, 0])
    >>> p.w, p.b
    (array([2., 1.]), -3.0)
    >>> p.predict(X)
    array([-1, -1, -1,  1])
    >>> first = p.trace[0]
    >>> first.epoch, first.index, first.w_after, first.b_after
    (0, 0, array([0., 0.]), -1.0)
    """

    def __init__(self, lr=1.0, max_epochs=1000, shuffle=False, rng=None):
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)):
            raise TypeError(f"Perceptron: lr must be a number, got {type(lr).__name__}")
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"Perceptron: lr must be a finite number > 0, got {lr}")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"Perceptron: shuffle must be True or False, got {type(shuffle).__name__}")
        self.lr = float(lr)
        self.max_epochs = check_positive_int(max_epochs, "Perceptron", "max_epochs")
        self.shuffle = bool(shuffle)
        self.rng = as_rng(rng)
        self.w = None
        self.b = None
        self.converged = False
        self.n_updates = 0
        self.history = []
        self.trace = []

    def _check_labels(self, y, n_samples):
        y = np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(
                f"Perceptron.fit: y must have shape ({n_samples},) to match X, got {tuple(y.shape)}"
            )
        y = check_array(y, "Perceptron.fit", name="y")
        bad = np.unique(y[(y != 1) & (y != -1)])
        if bad.size:
            shown = "[" + ", ".join(f"{v:g}" for v in bad[:5]) + "]"
            raise ValueError(
                f"Perceptron.fit: labels must be -1 or +1, got {shown}; "
                "for 0/1 labels use y = 2 * y - 1"
            )
        return y.astype(int)

    def fit(self, X, y, w_init=None, b_init=0.0):
        """Run the perceptron learning rule from ``w = 0, b = 0`` (or a given start).

        Parameters
        ----------
        X : array_like (N, M)
        y : array_like (N,)
            Labels -1 or +1.
        w_init : array_like (M,), optional
            Starting weights instead of zeros (the lessons show that the solution
            depends on them). Novikoff's bound assumes the zero start.
        b_init : float
            Starting bias.

        Returns
        -------
        Perceptron
            ``self``.
        """
        X = check_array(X, "Perceptron.fit", shape=("N", "M"), name="X")
        y = self._check_labels(y, X.shape[0])
        N, M = X.shape
        if w_init is None:
            w = np.zeros(M)  # (M,)
        else:
            w = check_array(w_init, "Perceptron.fit", shape=(M,), name="w_init").copy()  # (M,)
        b = float(check_array(b_init, "Perceptron.fit", shape=(), name="b_init"))
        self.history = []
        self.trace = []
        self.n_updates = 0
        self.converged = False
        for epoch in range(self.max_epochs):
            order = self.rng.permutation(N) if self.shuffle else np.arange(N)  # (N,)
            mistakes = 0
            for n in order:
                x_n, y_n = X[n], int(y[n])  # (M,), -1 or +1
                z = float(x_n @ w + b)  # scalar pre-activation
                y_hat = 1 if z >= 0 else -1  # sign(0) = +1
                if y_hat == y_n:
                    continue  # correct: do nothing
                w_new = w + self.lr * y_n * x_n  # (M,) equation (6)
                b_new = b + self.lr * y_n
                self.trace.append(PerceptronStep(
                    epoch=epoch, index=int(n), x=x_n.copy(), y=y_n,
                    w_before=w.copy(), w_after=w_new.copy(), b_before=b, b_after=b_new,
                ))
                w, b = w_new, b_new
                mistakes += 1
            self.history.append(mistakes)
            self.n_updates += mistakes
            if mistakes == 0:
                self.converged = True
                break
        self.w = w
        self.b = float(b)
        return self

    def _check_fitted(self, where):
        if self.w is None:
            raise RuntimeError(f"Perceptron.{where}: call fit(X, y) before {where}")

    def decision_function(self, X):
        """Pre-activations ``z = X w + b`` (N,); the sign gives the class."""
        self._check_fitted("decision_function")
        X = check_array(X, "Perceptron.decision_function", shape=("N", self.w.shape[0]), name="X")
        return X @ self.w + self.b  # (N,)

    def predict(self, X):
        """Predicted labels ``sign(X w + b)`` (N,) in {-1, +1}, with ``sign(0) = +1``."""
        self._check_fitted("predict")
        X = check_array(X, "Perceptron.predict", shape=("N", self.w.shape[0]), name="X")
        return sign(X @ self.w + self.b)  # (N,)


# ---------------------------------------------------------------------------
# The convergence theorem (Novikoff 1962) made runnable
# ---------------------------------------------------------------------------

def _augment(X, where):
    X = check_array(X, where, shape=("N", "M"), name="X")
    return np.hstack([X, np.ones((X.shape[0], 1))])  # (N, M+1): x~ = (x, 1)


def margin(w, b, X, y):
    """Geometric margin gamma of the separator ``(w, b)`` on labelled data.

    The bias is folded into the weights, as the learning rule (6) treats it:
    augmented inputs ``x~ = (x, 1)`` and weights ``u = (w, b)``. Then

    .. math::

        \\gamma = \\min_n \\frac{y_n (w^\\top x_n + b)}{\\sqrt{\\lVert w \\rVert^2 + b^2}}
               = \\min_n \\frac{y_n\\, u^\\top \\tilde x_n}{\\lVert u \\rVert}.

    This is the distance of the closest point to the separating hyperplane in the
    augmented space (not in the original one, where the denominator would be
    ``||w||``). ``gamma > 0`` means ``(w, b)`` separates the data; a negative value
    means at least one point is on the wrong side. The decks state the convergence
    theorem without constants; this is the normalisation of Novikoff's bound
    (see :func:`novikoff_bound`).

    Parameters
    ----------
    w : array_like (M,)
    b : float
    X : array_like (N, M)
    y : array_like (N,) of -1/+1

    Returns
    -------
    float

    Examples
    --------
    >>> margin([1.0, 0.0], 0.0, [[2.0, 0.0], [-1.0, 5.0]], [1, -1])
    1.0
    """
    X = check_array(X, "margin", shape=("N", "M"), name="X")
    w = check_array(w, "margin", shape=(X.shape[1],), name="w")
    y = check_array(y, "margin", shape=(X.shape[0],), name="y")
    if np.any((y != 1) & (y != -1)):
        raise ValueError("margin: labels y must be -1 or +1")
    norm_u = np.sqrt(w @ w + float(b) ** 2)  # ||(w, b)||
    if norm_u == 0:
        raise ValueError("margin: w and b are all zero, which defines no separating hyperplane")
    return float(np.min(y * (X @ w + b)) / norm_u)  # min over (N,)


def data_radius(X):
    """Radius R of the data with the bias folded in: ``R = max_n ||(x_n, 1)||``.

    .. math::

        R = \\max_n \\lVert \\tilde x_n \\rVert = \\max_n \\sqrt{\\lVert x_n \\rVert^2 + 1}

    Examples
    --------
    >>> data_radius([[3.0, 0.0], [0.0, 1.0]])
    3.1622776601683795
    """
    X_aug = _augment(X, "data_radius")  # (N, M+1)
    return float(np.max(np.linalg.norm(X_aug, axis=1)))


def novikoff_bound(R, gamma):
    """Novikoff's bound on the number of perceptron updates, ``(R / gamma)^2``.

    Perceptron convergence theorem (Novikoff 1962): if some ``u = (w*, b*)``
    separates the data with margin ``gamma > 0`` (:func:`margin`) and every
    augmented input has ``||(x_n, 1)|| <= R`` (:func:`data_radius`), then the
    perceptron started at ``w = 0, b = 0`` makes at most

    .. math::

        k \\le \\left(\\frac{R}{\\gamma}\\right)^2

    updates, whatever the learning rate and the order of the examples. Proof idea,
    with ``u`` scaled to length 1: each update raises ``u . (w, b)`` by at least
    ``alpha gamma`` and, because the point was misclassified
    (``y (w . x + b) <= 0``), raises ``||(w, b)||^2`` by at most ``alpha^2 R^2``.
    After k updates Cauchy-Schwarz gives ``k alpha gamma <= u . (w, b) <=
    ||(w, b)|| <= alpha R sqrt(k)``, i.e. ``k <= (R / gamma)^2``.

    Examples
    --------
    >>> novikoff_bound(2.0, 0.5)
    16.0
    """
    R = float(R)
    gamma = float(gamma)
    if not np.isfinite(R) or R <= 0:
        raise ValueError(f"novikoff_bound: R must be a finite number > 0, got {R}")
    if not np.isfinite(gamma) or gamma <= 0:
        raise ValueError(
            f"novikoff_bound: gamma must be > 0, got {gamma}; "
            "the separator does not separate the data, so the theorem gives no bound"
        )
    return (R / gamma) ** 2
