"""Lesson 12 -- RBF networks: the data sets and experiments behind ``notebooks/12_rbf_networks.ipynb``.

The lesson computes its worked examples in its own cells with numpy and
:mod:`nnlib.rbf` (a Gaussian unit, the XOR features by hand, k-means step by step,
the output layer's fit). What stays here are the two 2-D problems no perceptron can
solve and the experiments that fit many RBF networks:

* :data:`XOR` and :data:`CIRCLES` (:class:`Problem`): how to make each data set and the
  plotting window around it; :func:`make_problem` splits one into training and test halves;
* :func:`rbf_decision_region`: one fitted :class:`nnlib.rbf.RBFNetwork` and its class-1
  probability on a grid (the figures and the explorer slider);
* :func:`accuracy_sweep`: training and test accuracy over a range of sigma or of the
  number of prototypes.
"""

from typing import Callable, NamedTuple

import numpy as np

from nnlib.datasets import make_circles, make_xor
from nnlib.preprocessing import train_test_split
from nnlib.rbf import RBFNetwork
from nnlib.validation import as_rng, check_positive_int

#: Training settings of every RBF network in the lesson: full-batch gradient steps of the output layer.
OUTPUT_LR, OUTPUT_EPOCHS = 2.0, 300


class Problem(NamedTuple):
    """A 2-D classification problem of the lesson: how to draw it and where to look at it.

    ``make(n_samples, rng) -> (X (n, 2), y (n,))`` draws the data; ``xlim`` and
    ``ylim`` frame the plots.
    """

    name: str
    make: Callable
    xlim: tuple
    ylim: tuple


def _noisy_xor(n_samples, rng):
    return make_xor(n_samples, noise=0.15, rng=rng)


def _two_rings(n_samples, rng):
    return make_circles(n_samples, noise=0.08, factor=0.5, rng=rng)


#: Noisy clouds around the four XOR corners (noise 0.15).
XOR = Problem("XOR", _noisy_xor, (-0.75, 1.75), (-0.75, 1.75))

#: A small ring (class 1, radius 0.5) inside a large one (class 0), noise 0.08.
CIRCLES = Problem("two rings", _two_rings, (-1.6, 1.6), (-1.6, 1.6))


def _check_problem(problem, where):
    if not isinstance(problem, Problem):
        raise TypeError(f"{where}: problem must be a Problem such as XOR or CIRCLES, got {problem!r}")
    return problem


def make_problem(problem, n_samples=200, rng=0):
    """Draw ``n_samples`` points of ``problem`` and split them half/half into training and test sets.

    Parameters
    ----------
    problem : Problem
        :data:`XOR` or :data:`CIRCLES`.
    n_samples : int
        Points in total (train + test).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X_train, X_test : numpy.ndarray (n/2, 2)
    y_train, y_test : numpy.ndarray of int (n/2,)
        Labels 0/1.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = make_problem(XOR, 40, rng=0)
    >>> X_train.shape, X_test.shape, int(y_train.sum()), int(y_test.sum())
    ((20, 2), (20, 2), 10, 10)
    """
    _check_problem(problem, "make_problem")
    n_samples = check_positive_int(n_samples, "make_problem", "n_samples")
    rng = as_rng(rng)
    X, y = problem.make(n_samples, rng)
    return train_test_split(X, y, test_size=0.5, rng=rng)


def rbf_decision_region(problem=XOR, n_centers=4, sigma=0.5, resolution=120, rng=0):
    """An RBF network fitted on ``problem``'s training half and its class-1 probability on a grid.

    ``RBFNetwork(n_centers, sigma, lr=2.0, epochs=300, rng=rng)``: k-means prototypes
    (seeded by ``rng``), Gaussian units of width ``sigma``, a softmax output layer.

    Parameters
    ----------
    problem : Problem
    n_centers : int
        Number of prototypes (RBF units).
    sigma : float
        Width of every unit.
    resolution : int
        Grid points per axis over the problem's plotting window.
    rng : None, int or numpy.random.Generator
        Seeds the data and k-means (the same seed gives the same picture).

    Returns
    -------
    dict
        ``X_train, y_train, X_test, y_test``; ``centers`` (n_centers, 2); ``xx, yy``
        (resolution, resolution) grid coordinates; ``proba`` (resolution, resolution) the
        probability of class 1; ``train_accuracy``, ``test_accuracy``; ``net`` the fitted
        network; ``sigma``, ``n_centers``.

    Examples
    --------
    >>> out = rbf_decision_region(CIRCLES, n_centers=1, sigma=0.5, resolution=5)
    >>> out["proba"].shape, out["test_accuracy"] > 0.9
    ((5, 5), True)
    """
    _check_problem(problem, "rbf_decision_region")
    resolution = check_positive_int(resolution, "rbf_decision_region", "resolution")
    X_train, X_test, y_train, y_test = make_problem(problem, rng=rng)
    net = RBFNetwork(n_centers, sigma, lr=OUTPUT_LR, epochs=OUTPUT_EPOCHS, rng=rng).fit(X_train, y_train)
    xx, yy = np.meshgrid(np.linspace(*problem.xlim, resolution), np.linspace(*problem.ylim, resolution))  # (R, R)
    grid = np.column_stack([xx.ravel(), yy.ravel()])  # (R*R, 2)
    proba = net.predict_proba(grid)[:, 1].reshape(xx.shape)  # (R, R)
    return {
        "X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test,
        "centers": net.centers, "xx": xx, "yy": yy, "proba": proba,
        "train_accuracy": float(np.mean(net.predict(X_train) == y_train)),
        "test_accuracy": float(np.mean(net.predict(X_test) == y_test)),
        "net": net, "sigma": float(sigma), "n_centers": int(n_centers),
    }


def accuracy_sweep(problem, sigmas=None, n_centers=None, rng=0):
    """Train and test accuracy of RBF networks over a range of sigma or of prototype counts.

    Exactly one of ``sigmas`` (then ``n_centers`` is one int) or ``n_centers`` (a
    list; then ``sigmas`` is one float) is a sequence, the other is held fixed. Every
    network is trained on the same data.

    Parameters
    ----------
    problem : Problem
    sigmas : float or sequence of float
    n_centers : int or sequence of int
    rng : int
        Seed of the data and of k-means (the same for every network).

    Returns
    -------
    dict
        ``values`` the swept values, ``train_accuracy`` and ``test_accuracy`` arrays of
        the same length, ``swept`` ("sigma" or "n_centers").

    Examples
    --------
    >>> out = accuracy_sweep(XOR, sigmas=[0.5, 100.0], n_centers=4)
    >>> out["swept"], out["test_accuracy"].tolist()
    ('sigma', [1.0, 0.5])
    """
    _check_problem(problem, "accuracy_sweep")
    sweep_sigma = np.ndim(sigmas) == 1
    sweep_count = np.ndim(n_centers) == 1
    if sweep_sigma == sweep_count:
        raise ValueError("accuracy_sweep: pass a list for exactly one of sigmas and n_centers "
                         "and a single value for the other")
    X_train, X_test, y_train, y_test = make_problem(problem, rng=rng)
    values = list(sigmas) if sweep_sigma else list(n_centers)
    train_acc, test_acc = [], []
    for value in values:
        sigma = value if sweep_sigma else sigmas
        count = n_centers if sweep_sigma else value
        net = RBFNetwork(count, sigma, lr=OUTPUT_LR, epochs=OUTPUT_EPOCHS, rng=rng).fit(X_train, y_train)
        train_acc.append(np.mean(net.predict(X_train) == y_train))
        test_acc.append(np.mean(net.predict(X_test) == y_test))
    return {
        "values": np.array(values),
        "train_accuracy": np.array(train_acc),
        "test_accuracy": np.array(test_acc),
        "swept": "sigma" if sweep_sigma else "n_centers",
    }
