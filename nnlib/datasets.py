"""Small offline data sets for the course: logic gates, 2-D toy problems, 8x8 digits.

Everything here works with the network switched off: the toy sets are generated
from formulas and the digits ship inside the package (``nnlib/data/digits.csv.gz``).
Every generator takes ``rng`` (``None``, an int seed or a ``np.random.Generator``),
so the same seed always gives the same points.

Conventions
-----------
* Inputs ``X`` are float64 with one example per row, shape ``(N, D)``.
* Labels ``y`` are int64 class indices ``0 .. K-1``, shape ``(N,)``; the logic
  gates can instead give the perceptron's labels ``-1 / +1`` (``signed=True``).

The 8x8 digits are the test part of the UCI "Optical Recognition of Handwritten
Digits" data set by E. Alpaydin and C. Kaynak (1998), licensed CC BY 4.0; see
``nnlib/data/README.md``.
"""

import functools
import gzip
import numbers
from pathlib import Path

import numpy as np

from nnlib.threshold import truth_table
from nnlib.validation import as_rng, check_bool, check_nonnegative, check_positive_int

DATA_DIR = Path(__file__).resolve().parent / "data"
DIGITS_FILE = DATA_DIR / "digits.csv.gz"

# ---------------------------------------------------------------------------
# Argument checks used by several generators
# ---------------------------------------------------------------------------

def _check_n_samples(n_samples, where, minimum):
    n_samples = check_positive_int(n_samples, where, "n_samples")
    if n_samples < minimum:
        raise ValueError(f"{where}: n_samples must be >= {minimum}, got {n_samples}")
    return n_samples


def _split_evenly(n_samples, n_parts):
    """Sizes of ``n_parts`` groups summing to ``n_samples``; the first groups get the extras.

    >>> _split_evenly(10, 3)
    [4, 3, 3]
    """
    base, extra = divmod(n_samples, n_parts)
    return [base + (1 if k < extra else 0) for k in range(n_parts)]


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))  # (N,)
    return X[order], y[order]


# ---------------------------------------------------------------------------
# Logic gates
# ---------------------------------------------------------------------------

def _gate_data(gate, n_inputs, signed):
    """A logic gate's truth table as a tiny classification data set.

    Rows are all 0/1 inputs in counting order (``00, 01, 10, 11``) from
    :func:`nnlib.threshold.truth_table`; ``X`` is float64 and ``y`` holds the gate's
    output as int64 0/1 labels, or -1/+1 with ``signed=True`` (what the perceptron
    rule ``w <- w + alpha y x`` expects). The inputs stay 0/1 either way.
    """
    check_bool(signed, "make_gate", "signed")
    X, y = truth_table(gate, n_inputs)  # (2**m, m), (2**m,)
    y = y.astype(np.int64)
    if signed:
        y = 2 * y - 1  # {0, 1} -> {-1, +1}
    return X.astype(np.float64), y


def make_and(signed=False):
    """AND truth table ``(X, y)``; see :func:`nnlib.threshold.truth_table`.

    >>> make_and()[1]
    array([0, 0, 0, 1])
    """
    return _gate_data(lambda X: X[:, 0] & X[:, 1], 2, signed)


def make_or(signed=False):
    """OR truth table ``(X, y)``; see :func:`nnlib.threshold.truth_table`.

    >>> make_or(signed=True)[1]
    array([-1,  1,  1,  1])
    """
    return _gate_data(lambda X: X[:, 0] | X[:, 1], 2, signed)


def make_nand(signed=False):
    """NAND truth table ``(X, y)``; see :func:`nnlib.threshold.truth_table`.

    >>> make_nand()[1]
    array([1, 1, 1, 0])
    """
    return _gate_data(lambda X: 1 - (X[:, 0] & X[:, 1]), 2, signed)


def make_nor(signed=False):
    """NOR truth table ``(X, y)``; see :func:`nnlib.threshold.truth_table`.

    >>> make_nor()[1]
    array([1, 0, 0, 0])
    """
    return _gate_data(lambda X: 1 - (X[:, 0] | X[:, 1]), 2, signed)


def make_not(signed=False):
    """NOT truth table ``(X, y)`` with one input column; see :func:`nnlib.threshold.truth_table`.

    >>> X, y = make_not()
    >>> X.ravel(), y
    (array([0., 1.]), array([1, 0]))
    """
    return _gate_data(lambda X: 1 - X[:, 0], 1, signed)


def make_xor(n_samples=None, noise=0.1, signed=False, rng=None):
    """The XOR problem: the exact truth table, or noisy clouds around its four corners.

    With ``n_samples=None`` this is the 4-row XOR truth table (no randomness).
    Otherwise ``n_samples`` points are spread as evenly as possible over the corners
    ``(0,0), (0,1), (1,0), (1,1)``, each moved by Gaussian noise of standard
    deviation ``noise``; the label is the XOR of the corner. No single line
    separates the two classes, which is why XOR needs a hidden layer.

    Parameters
    ----------
    n_samples : int or None
        Number of points (>= 4), or None for the truth table.
    noise : float
        Standard deviation of the Gaussian jitter (ignored for the truth table).
    signed : bool
        Labels -1/+1 instead of 0/1.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray of float64, shape (N, 2)
    y : ndarray of int64, shape (N,)

    Examples
    --------
    >>> make_xor()[1]
    array([0, 1, 1, 0])
    >>> X, y = make_xor(100, noise=0.2, rng=0)
    >>> X.shape, y.shape, int(y.sum())
    ((100, 2), (100,), 50)
    """
    if n_samples is None:
        return _gate_data(lambda X: X[:, 0] ^ X[:, 1], 2, signed)
    n_samples = _check_n_samples(n_samples, "make_xor", minimum=4)
    noise = check_nonnegative(noise, "make_xor", "noise")
    rng = as_rng(rng)
    corners, labels = make_xor(signed=signed)  # (4, 2), (4,)
    corner_index = np.repeat(np.arange(4), _split_evenly(n_samples, 4))  # (N,)
    X = corners[corner_index] + noise * rng.standard_normal((n_samples, 2))  # (N, 2)
    y = labels[corner_index]  # (N,)
    return _shuffled(X, y, rng)


# ---------------------------------------------------------------------------
# Two-dimensional toy problems
# ---------------------------------------------------------------------------

def make_blobs(n_samples=100, centers=3, n_features=2, cluster_std=1.0,
               center_box=(-5.0, 5.0), rng=None):
    """Gaussian blobs: class k is drawn from ``N(mu_k, cluster_std^2 I)``.

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible over the classes.
    centers : int or array_like of shape (K, n_features)
        Number of classes (centres drawn uniformly in ``center_box``), or the centres.
    n_features : int
        Dimension of each point (ignored when ``centers`` is an array).
    cluster_std : float
        Standard deviation of every blob.
    center_box : (float, float)
        Range for randomly drawn centres.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
    y : ndarray of int64, shape (n_samples,)

    Examples
    --------
    >>> X, y = make_blobs(90, centers=[[0, 0], [5, 5], [0, 5]], cluster_std=0.5, rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    """
    where = "make_blobs"
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        n_classes = check_positive_int(centers, where, "centers")
        n_features = check_positive_int(n_features, where, "n_features")
        low, high = _check_box(center_box, where)
        mu = None
    else:
        mu = np.asarray(centers, dtype=np.float64)
        if mu.ndim != 2 or mu.shape[0] < 1 or mu.shape[1] < 1:
            raise ValueError(
                f"{where}: centers must be an int or an array of shape (K, n_features), "
                f"got shape {mu.shape}"
            )
        n_classes, n_features = mu.shape
    n_samples = _check_n_samples(n_samples, where, minimum=n_classes)
    cluster_std = check_nonnegative(cluster_std, where, "cluster_std")
    rng = as_rng(rng)
    if mu is None:
        mu = rng.uniform(low, high, size=(n_classes, n_features))  # (K, D)
    y = np.repeat(np.arange(n_classes), _split_evenly(n_samples, n_classes))  # (N,)
    X = mu[y] + cluster_std * rng.standard_normal((n_samples, n_features))  # (N, D)
    return _shuffled(X, y, rng)


def _check_box(box, where):
    try:
        low, high = (float(v) for v in box)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{where}: center_box must be a pair (low, high), got {box!r}") from err
    if not low < high:
        raise ValueError(f"{where}: center_box must satisfy low < high, got {box!r}")
    return low, high


def make_moons(n_samples=100, noise=0.1, rng=None):
    """Two interleaving half circles ("two moons"), a classic non-linear problem.

    Class 0 lies on the upper half circle ``(cos t, sin t)``, class 1 on the lower one
    ``(1 - cos t, 0.5 - sin t)``, with ``t`` evenly spaced in ``[0, pi]``; then
    Gaussian noise of standard deviation ``noise`` is added.

    Parameters
    ----------
    n_samples : int
        Total number of points (>= 2), split evenly between the moons.
    noise : float
        Standard deviation of the added Gaussian noise.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)

    Examples
    --------
    >>> X, y = make_moons(6, noise=0.0, rng=0)
    >>> np.round(X[y == 0], 3)[np.argsort(X[y == 0, 0])]
    array([[-1.,  0.],
           [ 0.,  1.],
           [ 1.,  0.]])
    """
    n_samples = _check_n_samples(n_samples, "make_moons", minimum=2)
    noise = check_nonnegative(noise, "make_moons", "noise")
    rng = as_rng(rng)
    n_upper, n_lower = _split_evenly(n_samples, 2)
    t_upper = np.linspace(0.0, np.pi, n_upper)  # (n_upper,)
    t_lower = np.linspace(0.0, np.pi, n_lower)  # (n_lower,)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])  # (n_upper, 2)
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])  # (n_lower, 2)
    X = np.vstack([upper, lower])  # (N, 2)
    X = X + noise * rng.standard_normal(X.shape)  # (N, 2)
    y = np.repeat([0, 1], [n_upper, n_lower])  # (N,)
    return _shuffled(X, y, rng)


def make_circles(n_samples=100, noise=0.05, factor=0.5, rng=None):
    """A small circle (class 1) inside a large one (class 0), radii ``factor`` and 1.

    Parameters
    ----------
    n_samples : int
        Total number of points (>= 2), split evenly between the circles.
    noise : float
        Standard deviation of the added Gaussian noise.
    factor : float
        Radius of the inner circle, in (0, 1).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)

    Examples
    --------
    >>> X, y = make_circles(100, noise=0.0, factor=0.3, rng=0)
    >>> radius = np.hypot(X[:, 0], X[:, 1])
    >>> bool(np.allclose(radius[y == 0], 1.0)), bool(np.allclose(radius[y == 1], 0.3))
    (True, True)
    """
    where = "make_circles"
    n_samples = _check_n_samples(n_samples, where, minimum=2)
    noise = check_nonnegative(noise, where, "noise")
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
        raise TypeError(f"{where}: factor must be a number, got {type(factor).__name__}")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"{where}: factor must be in (0, 1), got {factor}")
    rng = as_rng(rng)
    n_outer, n_inner = _split_evenly(n_samples, 2)
    # endpoint=False so the first and last angle do not land on the same point
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)  # (n_outer,)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)  # (n_inner,)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])  # (n_outer, 2)
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])  # (n_inner, 2)
    X = np.vstack([outer, inner])  # (N, 2)
    X = X + noise * rng.standard_normal(X.shape)  # (N, 2)
    y = np.repeat([0, 1], [n_outer, n_inner])  # (N,)
    return _shuffled(X, y, rng)


def make_spirals(n_samples=300, n_classes=3, noise=0.2, rng=None):
    """``n_classes`` interleaved spiral arms (the CS231n spiral data).

    Arm k has points at radius ``r`` evenly spaced in ``[0, 1]`` and angle
    ``theta = 4 k + 4 r + noise * N(0, 1)`` (radians), i.e. ``x = r (sin theta, cos theta)``.
    A linear classifier gets about ``1 / n_classes`` right; a small MLP gets nearly all.

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible over the arms.
    n_classes : int
        Number of arms (classes), >= 2.
    noise : float
        Standard deviation of the angular noise in radians.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)

    Examples
    --------
    >>> X, y = make_spirals(300, n_classes=3, rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    >>> bool(np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0))
    True
    """
    where = "make_spirals"
    n_classes = check_positive_int(n_classes, where, "n_classes")
    if n_classes < 2:
        raise ValueError(f"{where}: n_classes must be >= 2, got {n_classes}")
    n_samples = _check_n_samples(n_samples, where, minimum=n_classes)
    noise = check_nonnegative(noise, where, "noise")
    rng = as_rng(rng)
    X_parts, y_parts = [], []
    for k, n_k in enumerate(_split_evenly(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n_k)  # (n_k,)
        theta = 4.0 * k + 4.0 * r + noise * rng.standard_normal(n_k)  # (n_k,)
        X_parts.append(np.column_stack([r * np.sin(theta), r * np.cos(theta)]))  # (n_k, 2)
        y_parts.append(np.full(n_k, k))  # (n_k,)
    X = np.vstack(X_parts)  # (N, 2)
    y = np.concatenate(y_parts)  # (N,)
    return _shuffled(X, y, rng)


# ---------------------------------------------------------------------------
# 8x8 handwritten digits
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _read_digits():
    with gzip.open(DIGITS_FILE, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)  # (1797, 65)
    table.setflags(write=False)
    return table


def load_digits(as_images=False):
    """The 8x8 handwritten digits: 1,797 grey images with values 0..16, labels 0..9.

    Read from the copy shipped with nnlib (``nnlib/data/digits.csv.gz``), so no
    network is needed. Source: UCI Machine Learning Repository, "Optical
    Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998),
    CC BY 4.0. Each image is a 32x32 bitmap of a handwritten digit, counted in
    non-overlapping 4x4 blocks, so every pixel is the number of "on" bits (0..16).

    Parameters
    ----------
    as_images : bool
        If False (default) ``X`` has one flattened image per row, shape (1797, 64),
        ready for a dense network. If True ``X`` has shape (1797, 8, 8) for plotting
        (``X.reshape(-1, 64)`` turns it back; row-major, row 0 at the top).

    Returns
    -------
    X : ndarray of float64, shape (1797, 64) or (1797, 8, 8)
        Pixel values 0..16 (divide by 16 to scale them to [0, 1]).
    y : ndarray of int64, shape (1797,)
        The digit shown, 0..9.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, y.shape, X.min(), X.max()
    ((1797, 64), (1797,), np.float64(0.0), np.float64(16.0))
    >>> np.bincount(y).tolist()
    [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    >>> load_digits(as_images=True)[0].shape
    (1797, 8, 8)
    """
    check_bool(as_images, "load_digits", "as_images")
    table = _read_digits()  # (1797, 65)
    X = table[:, :64].astype(np.float64)  # (1797, 64), a fresh copy
    y = table[:, 64].copy()  # (1797,)
    if as_images:
        X = X.reshape(-1, 8, 8)  # (1797, 8, 8)
    return X, y
