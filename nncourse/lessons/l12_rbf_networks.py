"""Lesson 12 -- radial basis function (RBF) networks with k-means prototypes.

Plain functions behind the worked examples and sliders of
``notebooks/12_rbf_networks.ipynb``. They compute with :mod:`nnlib.rbf`
(``kmeans``, ``kmeans_step``, ``gaussian_features``, ``RBFNetwork``) and
:class:`nnlib.perceptron.Perceptron`; the notebook only plots what they return.

An RBF network puts a fixed feature map in front of a linear classifier. Hidden
unit ``j`` has a prototype ``z_j`` and answers with a Gaussian bump (SAP deck,
equation (4))

.. math::

    \\varphi_j(x) = \\exp\\left(-\\frac{\\lVert x - z_j \\rVert^2}{2 \\sigma^2}\\right),

so it says "how close is ``x`` to ``z_j``" on a scale of 0 to 1. The prototypes come
from k-means on the inputs, ``sigma`` is picked by hand, and only the output layer
(a perceptron, or softmax + cross-entropy) is trained on ``phi(x)``. Data a
perceptron cannot separate in the input space (XOR, two rings) often become
linearly separable in the ``phi`` space.
"""


import numpy as np

from nnlib.datasets import make_circles, make_xor
from nnlib.perceptron import Perceptron
from nnlib.preprocessing import train_test_split
from nnlib.rbf import RBFNetwork, gaussian_features, kmeans_inertia, kmeans_step
from nnlib.validation import as_rng, check_array, check_positive, check_positive_int

#: The two 2-D problems of the lesson and the plotting window around each.
PROBLEMS = {
    "xor": {"xlim": (-0.75, 1.75), "ylim": (-0.75, 1.75)},
    "circles": {"xlim": (-1.6, 1.6), "ylim": (-1.6, 1.6)},
}

#: Prototypes of the hand-worked XOR example: two of the four corners.
XOR_PROTOTYPES = np.array([[0.0, 0.0], [1.0, 1.0]])

#: sigma of the hand-worked XOR example, chosen so that 2 sigma^2 = 1.
XOR_SIGMA = float(np.sqrt(0.5))


def _check_problem(name, where):
    if name not in PROBLEMS:
        raise ValueError(f"{where}: problem must be one of {sorted(PROBLEMS)}, got {name!r}")
    return name


def gaussian_unit_profile(sigma, r_max=3.0, n_points=301):
    """One Gaussian RBF unit as a function of the distance ``r = ||x - z||``.

    ``phi(r) = exp(-r^2 / (2 sigma^2))``: 1 at the prototype, ``exp(-1/2) = 0.6065`` at
    ``r = sigma``, ``exp(-2) = 0.1353`` at ``r = 2 sigma``. The sigma slider of the
    notebook redraws this curve.

    Parameters
    ----------
    sigma : float
        Width of the unit, > 0.
    r_max : float
        Largest distance shown.
    n_points : int
        Number of distances.

    Returns
    -------
    dict
        ``r`` (n_points,) distances from 0 to ``r_max``; ``phi`` (n_points,) the unit's
        output; ``sigma``; ``phi_at_sigma`` the output at ``r = sigma``.

    Examples
    --------
    >>> out = gaussian_unit_profile(0.5, r_max=1.0, n_points=3)
    >>> out["r"].tolist(), np.round(out["phi"], 4).tolist()
    ([0.0, 0.5, 1.0], [1.0, 0.6065, 0.1353])
    """
    sigma = check_positive(sigma, "gaussian_unit_profile", "sigma")
    n_points = check_positive_int(n_points, "gaussian_unit_profile", "n_points")
    r = np.linspace(0.0, r_max, n_points)  # (n_points,)
    # a 1-D input space with the prototype at 0: ||x - z|| = r
    phi = gaussian_features(r[:, None], [[0.0]], sigma)[:, 0]  # (n_points,)
    phi_at_sigma = float(gaussian_features([[sigma]], [[0.0]], sigma)[0, 0])
    return {"r": r, "phi": phi, "sigma": sigma, "phi_at_sigma": phi_at_sigma}


def perceptron_raw_vs_rbf(X, y, centers, sigma, max_epochs=100):
    """Train a perceptron on the inputs and another on their RBF features.

    The SAP deck's RBF network: the Gaussian units turn ``x`` into
    ``phi(x) = (phi_1(x), ..., phi_J(x))`` and a perceptron is trained on those.

    Parameters
    ----------
    X : array_like (N, D)
        Inputs.
    y : array_like (N,)
        Labels 0/1 (or -1/+1).
    centers : array_like (J, D)
        Prototypes ``z_j``.
    sigma : float
        Width of the units.
    max_epochs : int
        Epoch limit of both perceptrons (the raw one never converges on XOR).

    Returns
    -------
    dict
        ``Phi`` (N, J) the features; ``raw`` and ``rbf``: the two fitted
        :class:`~nnlib.perceptron.Perceptron` objects; ``raw_accuracy`` and
        ``rbf_accuracy`` their training accuracies.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> out = perceptron_raw_vs_rbf(X, [0, 1, 1, 0], XOR_PROTOTYPES, XOR_SIGMA)
    >>> out["raw"].converged, out["rbf"].converged, out["rbf_accuracy"]
    (False, True, 1.0)
    """
    X = check_array(X, "perceptron_raw_vs_rbf", shape=("N", "D"), name="X")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"perceptron_raw_vs_rbf: y must have shape ({X.shape[0]},), got {y.shape}")
    y_signed = np.where(y > 0, 1, -1)  # (N,) labels 0/1 -> -1/+1
    Phi = gaussian_features(X, centers, sigma)  # (N, J)
    raw = Perceptron(max_epochs=max_epochs).fit(X, y_signed)
    rbf = Perceptron(max_epochs=max_epochs).fit(Phi, y_signed)
    return {
        "Phi": Phi,
        "raw": raw,
        "rbf": rbf,
        "raw_accuracy": float(np.mean(raw.predict(X) == y_signed)),
        "rbf_accuracy": float(np.mean(rbf.predict(Phi) == y_signed)),
    }


def kmeans_trajectory(X, k, n_steps=8, rng=0):
    """Run Lloyd's algorithm step by step from ``k`` random data points, keeping every state.

    Step ``t`` of the animation shows the centres ``centers[t]``, the assignment of
    every point to its nearest centre ``labels[t]`` and the objective
    ``J = sum_n ||x_n - mu_{c_n}||^2``. Each :func:`nnlib.rbf.kmeans_step` first assigns
    and then moves every centre to the mean of its points, so ``J`` never grows.

    Parameters
    ----------
    X : array_like (N, D)
    k : int
        Number of prototypes, ``1 <= k <= N``.
    n_steps : int
        Number of k-means steps.
    rng : None, int or numpy.random.Generator
        Chooses the ``k`` starting points (deliberately plain random ones, so the
        animation has something to fix; ``nnlib.rbf.kmeans`` uses k-means++).

    Returns
    -------
    dict
        ``centers`` (n_steps + 1, k, D): the starting centres and those after every
        step; ``labels`` (n_steps + 1, N): the nearest centre of each point for
        ``centers[t]``; ``inertia`` (n_steps + 1,): ``J`` for ``centers[t]`` and
        ``labels[t]``; ``converged_at``: the first step after which the centres no
        longer moved (``None`` if they still moved in the last step).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
    >>> out = kmeans_trajectory(X, 2, n_steps=3, rng=0)
    >>> out["centers"].shape, out["labels"].shape, out["inertia"].shape
    ((4, 2, 1), (4, 4), (4,))
    >>> float(out["inertia"][-1])
    1.0
    """
    X = check_array(X, "kmeans_trajectory", shape=("N", "D"), name="X")
    k = check_positive_int(k, "kmeans_trajectory", "k")
    if k > X.shape[0]:
        raise ValueError(f"kmeans_trajectory: k must be <= the number of points {X.shape[0]}, got {k}")
    n_steps = check_positive_int(n_steps, "kmeans_trajectory", "n_steps")
    rng = as_rng(rng)
    centers = X[rng.choice(X.shape[0], size=k, replace=False)].copy()  # (k, D)
    all_centers, all_labels, inertia = [centers], [], []
    converged_at = None
    for t in range(n_steps):
        new_centers, labels = kmeans_step(X, centers)  # (k, D), (N,) labels for the old centres
        all_labels.append(labels)
        inertia.append(kmeans_inertia(X, centers, labels))
        if converged_at is None and np.array_equal(new_centers, centers):
            converged_at = t
        centers = new_centers
        all_centers.append(centers)
    _, last_labels = kmeans_step(X, centers)  # assignment for the final centres
    all_labels.append(last_labels)
    inertia.append(kmeans_inertia(X, centers, last_labels))
    return {
        "centers": np.array(all_centers),  # (n_steps + 1, k, D)
        "labels": np.array(all_labels),  # (n_steps + 1, N)
        "inertia": np.array(inertia),  # (n_steps + 1,)
        "converged_at": converged_at,
    }


def make_problem(name, n_samples=200, rng=0):
    """The lesson's two problems no perceptron can solve, split half/half into train and test.

    ``"xor"``: noisy clouds around the four XOR corners (noise 0.15);
    ``"circles"``: a small ring (class 1, radius 0.5) inside a large one (class 0),
    noise 0.08.

    Parameters
    ----------
    name : {"xor", "circles"}
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
    >>> X_train, X_test, y_train, y_test = make_problem("xor", 40, rng=0)
    >>> X_train.shape, X_test.shape, int(y_train.sum()), int(y_test.sum())
    ((20, 2), (20, 2), 10, 10)
    """
    _check_problem(name, "make_problem")
    rng = as_rng(rng)
    if name == "xor":
        X, y = make_xor(n_samples, noise=0.15, rng=rng)
    else:
        X, y = make_circles(n_samples, noise=0.08, factor=0.5, rng=rng)
    return train_test_split(X, y, test_size=0.5, rng=rng)


def fit_rbf_network(X, y, n_centers, sigma, rng=0, lr=2.0, epochs=300):
    """Fit an :class:`nnlib.rbf.RBFNetwork` classifier with the lesson's training settings.

    k-means prototypes (seeded by ``rng``), Gaussian units of width ``sigma`` and a
    softmax output layer trained by ``epochs`` full-batch gradient steps of size ``lr``.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> fit_rbf_network(X, [0, 1, 1, 0], n_centers=4, sigma=0.5).predict(X)
    array([0, 1, 1, 0])
    """
    net = RBFNetwork(n_centers=n_centers, sigma=sigma, lr=lr, epochs=epochs, rng=rng)
    return net.fit(X, y)


def rbf_decision_region(problem="xor", n_centers=4, sigma=0.5, resolution=120, rng=0):
    """What the sigma / prototype-count sliders show: an RBF network's decision region.

    Builds the problem with :func:`make_problem`, fits :func:`fit_rbf_network` on the
    training half, and evaluates the class-1 probability on a grid over the plotting
    window.

    Parameters
    ----------
    problem : {"xor", "circles"}
    n_centers : int
        Number of prototypes (RBF units).
    sigma : float
        Width of every unit.
    resolution : int
        Grid points per axis.
    rng : None, int or numpy.random.Generator
        Seeds the data and k-means (the same seed gives the same picture).

    Returns
    -------
    dict
        ``X_train, y_train, X_test, y_test``; ``centers`` (n_centers, 2);
        ``xx, yy`` (resolution, resolution) grid coordinates; ``proba``
        (resolution, resolution) the probability of class 1; ``region`` the predicted
        class (0/1) on the grid; ``train_accuracy``, ``test_accuracy``; ``net`` the
        fitted network; ``sigma``, ``n_centers``.

    Examples
    --------
    >>> out = rbf_decision_region("circles", n_centers=1, sigma=0.5, resolution=5)
    >>> out["proba"].shape, out["test_accuracy"] > 0.9
    ((5, 5), True)
    """
    _check_problem(problem, "rbf_decision_region")
    resolution = check_positive_int(resolution, "rbf_decision_region", "resolution")
    X_train, X_test, y_train, y_test = make_problem(problem, rng=rng)
    net = fit_rbf_network(X_train, y_train, n_centers, sigma, rng=rng)
    xlim, ylim = PROBLEMS[problem]["xlim"], PROBLEMS[problem]["ylim"]
    xx, yy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))  # (R, R)
    grid = np.column_stack([xx.ravel(), yy.ravel()])  # (R*R, 2)
    proba = net.predict_proba(grid)[:, 1].reshape(xx.shape)  # (R, R)
    return {
        "X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test,
        "centers": net.centers, "xx": xx, "yy": yy, "proba": proba,
        "region": (proba >= 0.5).astype(int),
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
    problem : {"xor", "circles"}
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
    >>> out = accuracy_sweep("xor", sigmas=[0.5, 100.0], n_centers=4)
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
        net = fit_rbf_network(X_train, y_train, count, sigma, rng=rng)
        train_acc.append(np.mean(net.predict(X_train) == y_train))
        test_acc.append(np.mean(net.predict(X_test) == y_test))
    return {
        "values": np.array(values),
        "train_accuracy": np.array(train_acc),
        "test_accuracy": np.array(test_acc),
        "swept": "sigma" if sweep_sigma else "n_centers",
    }
