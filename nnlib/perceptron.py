"""Rosenblatt's perceptron, its learning rule and its convergence theorem.

The perceptron (DHBW/SAP deck) outputs -1 or +1: ``h(x) = sign(w . x + b)`` with
``sign(0) = +1``. The convergence theorem is made runnable with :func:`margin`,
:func:`data_radius` and :func:`novikoff_bound`. Threshold units with 0/1 outputs
(McCulloch-Pitts) are in :mod:`nnlib.threshold`.
"""

from dataclasses import dataclass

import numpy as np

from nnlib.validation import as_rng, check_array, check_bool, check_positive, check_positive_int

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
        self.lr = check_positive(lr, "Perceptron", "lr")
        self.shuffle = check_bool(shuffle, "Perceptron", "shuffle")
        self.max_epochs = check_positive_int(max_epochs, "Perceptron", "max_epochs")
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
