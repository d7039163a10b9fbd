"""McCulloch-Pitts threshold units, logic gates and a two-layer threshold network.

Convention of the SAP deck: with weights ``w`` (the deck calls them theta) and a
threshold ``theta`` (the deck's rho) a unit computes ``p = w . x`` and fires,
``a = 1``, when ``p > theta``; otherwise ``a = 0``. Rosenblatt's perceptron, which
outputs -1/+1 and learns its weights, is in :mod:`nnlib.perceptron`.
"""

import numpy as np

from nnlib.validation import check_array, check_positive_int


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
