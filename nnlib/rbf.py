"""Radial basis function (RBF) networks with k-means prototypes.

An RBF network has one hidden layer of Gaussian units. Unit j has a prototype
``z_j`` and answers how close the input is to it (SAP deck, equation (4)):

.. math::

    \\varphi_j(x) = \\exp\\left(-\\frac{\\lVert x - z_j \\rVert^2}{2 \\sigma^2}\\right).

These units have no weights to train: the prototypes come from k-means
clustering of the inputs (so no unit sits where there is no data) and ``sigma``
is chosen by hand, neither too small nor too big. Only the output layer is
trained, on the features ``phi(x)``: softmax + cross-entropy for classes, a
linear least-squares fit for regression. Data a perceptron cannot separate (XOR,
two circles) often becomes linearly separable in the ``phi`` features.
"""


import numpy as np

from nnlib import functional as F
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.validation import as_rng, check_array, check_positive, check_positive_int

# ---------------------------------------------------------------------------
# k-means
# ---------------------------------------------------------------------------

def squared_distances(X, centers):
    """All squared distances ``D[n, j] = ||x_n - z_j||^2``.

    Shape
    -----
    X (N, D), centers (K, D) -> (N, K).

    Examples
    --------
    >>> squared_distances(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 0.0]]))
    array([[ 0.],
           [25.]])
    """
    diff = X[:, None, :] - centers[None, :, :]  # (N, K, D)
    return np.sum(diff**2, axis=2)  # (N, K)


def kmeans_step(X, centers):
    """One iteration of Lloyd's algorithm: assign every point, then move the centres.

    1. Assignment: ``c_n = argmin_j ||x_n - mu_j||^2``.
    2. Update: ``mu_j = mean of the points with c_n = j``.

    A centre that gets no points (an empty cluster) is moved onto the point that
    is currently farthest from its own centre, so every cluster stays in use.

    Parameters
    ----------
    X : numpy.ndarray (N, D)
    centers : numpy.ndarray (K, D)
        Current centres; not modified.

    Returns
    -------
    new_centers : numpy.ndarray (K, D)
    labels : numpy.ndarray of int (N,)
        The assignment of step 1 (to the *old* centres).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [9.0], [10.0]])
    >>> new_centers, labels = kmeans_step(X, np.array([[0.0], [3.0]]))
    >>> new_centers.ravel().tolist(), labels.tolist()
    ([0.5, 9.5], [0, 0, 1, 1])

    The third centre below gets no point, so it moves onto 10, the point farthest
    from its own centre:

    >>> new_centers, labels = kmeans_step(X, np.array([[0.0], [1.0], [100.0]]))
    >>> np.round(new_centers.ravel(), 3).tolist(), labels.tolist()
    ([0.0, 6.667, 10.0], [0, 1, 1, 1])
    """
    D2 = squared_distances(X, centers)  # (N, K)
    labels = np.argmin(D2, axis=1)  # (N,)
    new_centers = centers.copy()  # (K, D)
    distance_to_own = D2[np.arange(X.shape[0]), labels]  # (N,)
    farthest_first = np.argsort(-distance_to_own, kind="stable")  # (N,)
    n_reseeded = 0
    for j in range(centers.shape[0]):
        members = labels == j  # (N,)
        if np.any(members):
            new_centers[j] = X[members].mean(axis=0)  # (D,)
        else:
            new_centers[j] = X[farthest_first[n_reseeded]]  # empty cluster: reseed
            n_reseeded += 1
    return new_centers, labels


def kmeans_inertia(X, centers, labels):
    """The k-means objective ``J = sum_n ||x_n - mu_{c_n}||^2``.

    Examples
    --------
    >>> kmeans_inertia(np.array([[0.0], [2.0]]), np.array([[1.0]]), np.array([0, 0]))
    2.0
    """
    return float(np.sum((X - centers[labels]) ** 2))


def _init_centers(X, k, rng, init):
    """``k`` starting centres: k-means++ or ``k`` distinct random rows."""
    N = X.shape[0]
    if init == "random":
        return X[rng.choice(N, size=k, replace=False)].copy()  # (k, D)
    # k-means++: the first centre uniformly, then each next one with probability
    # proportional to the squared distance to the nearest centre chosen so far.
    centers = [X[rng.integers(N)]]
    closest = np.sum((X - centers[0]) ** 2, axis=1)  # (N,)
    for _ in range(1, k):
        total = closest.sum()
        if total > 0:
            index = rng.choice(N, p=closest / total)
        else:  # every point already coincides with a centre
            index = rng.integers(N)
        centers.append(X[index])
        closest = np.minimum(closest, np.sum((X - X[index]) ** 2, axis=1))  # (N,)
    return np.array(centers)  # (k, D)


def kmeans(X, k, rng=None, n_init=10, max_iter=100, init="k-means++"):
    """Cluster the rows of ``X`` into ``k`` groups with Lloyd's algorithm.

    Minimises ``J = sum_n ||x_n - mu_{c_n}||^2`` by alternating assignment and
    update steps (:func:`kmeans_step`) until the centres stop moving or
    ``max_iter`` steps are done. This is repeated from ``n_init`` starting points
    and the run with the smallest ``J`` is returned, because k-means only finds a
    local minimum.

    Parameters
    ----------
    X : array_like (N, D)
    k : int
        Number of clusters, ``1 <= k <= N``.
    rng : None, int or numpy.random.Generator
        Source of the starting centres; the same seed gives the same result.
    n_init : int
        Number of restarts.
    max_iter : int
        Maximum number of steps per restart.
    init : {"k-means++", "random"}
        k-means++ seeding (spread-out starting centres) or ``k`` random points.

    Returns
    -------
    centers : numpy.ndarray (k, D)
    labels : numpy.ndarray of int (N,)
        Index of the nearest centre of every point.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])
    >>> centers, labels = kmeans(X, 2, rng=0)
    >>> centers[np.argsort(centers[:, 0])]
    array([[ 0. ,  0.5],
           [10. , 10.5]])
    >>> bool(labels[0] == labels[1] != labels[2] == labels[3])
    True
    """
    X = check_array(X, "kmeans", shape=("N", "D"), name="X")
    k = check_positive_int(k, "kmeans", "k")
    if k > X.shape[0]:
        raise ValueError(f"kmeans: k must be <= the number of points {X.shape[0]}, got {k}")
    n_init = check_positive_int(n_init, "kmeans", "n_init")
    max_iter = check_positive_int(max_iter, "kmeans", "max_iter")
    if init not in ("k-means++", "random"):
        raise ValueError(f"kmeans: init must be 'k-means++' or 'random', got {init!r}")
    rng = as_rng(rng)
    best = None
    for _ in range(n_init):
        centers = _init_centers(X, k, rng, init)  # (k, D)
        for _ in range(max_iter):
            new_centers, _ = kmeans_step(X, centers)  # (k, D)
            converged = np.array_equal(new_centers, centers)
            centers = new_centers
            if converged:
                break
        labels = np.argmin(squared_distances(X, centers), axis=1)  # (N,)
        J = kmeans_inertia(X, centers, labels)
        if best is None or J < best[0]:
            best = (J, centers, labels)
    return best[1], best[2]


# ---------------------------------------------------------------------------
# Gaussian features and the network
# ---------------------------------------------------------------------------

def gaussian_features(X, centers, sigma):
    """Outputs of the Gaussian RBF units, ``phi_j(x) = exp(-||x - z_j||^2 / (2 sigma^2))``.

    Each value is in (0, 1]: 1 at the prototype, ``exp(-1/2)`` at distance
    ``sigma``, near 0 far away.

    Parameters
    ----------
    X : array_like (N, D)
    centers : array_like (K, D)
        Prototypes ``z_j``, one per row.
    sigma : float
        Width of every unit, > 0.

    Shape
    -----
    X (N, D), centers (K, D) -> Phi (N, K).

    Examples
    --------
    >>> gaussian_features([[1.0, 1.0]], [[1.0, 1.0], [0.0, 0.0]], sigma=1.0)
    array([[1.        , 0.36787944]])
    """
    sigma = check_positive(sigma, "gaussian_features", "sigma")
    X = check_array(X, "gaussian_features", shape=("N", "D"), name="X")
    centers = check_array(centers, "gaussian_features", shape=("K", X.shape[1]), name="centers")
    D2 = squared_distances(X, centers)  # (N, K)
    return np.exp(-D2 / (2.0 * sigma**2))  # (N, K)


class RBFNetwork:
    """An RBF network: Gaussian units around k-means prototypes, then a trained output layer.

    .. math::

        \\varphi_j(x) = \\exp\\left(-\\frac{\\lVert x - z_j\\rVert^2}{2\\sigma^2}\\right),
        \\qquad z = W \\varphi(x) + b

    ``fit`` runs in two stages:

    1. the prototypes ``z_1..z_J`` are the centres of :func:`kmeans` on the inputs;
    2. the output layer (an :class:`nnlib.layers.Linear` in ``self.output``) is
       trained on the features ``Phi`` with everything else fixed:

       * ``task="classification"``: softmax outputs and cross-entropy, minimised by
         full-batch gradient descent, ``W <- W - lr dL/dW`` for ``epochs`` steps,
         starting from zero weights (the problem is convex, so the start does not
         matter);
       * ``task="regression"``: linear outputs fitted by least squares on ``[Phi, 1]``
         (solved exactly; ``lr`` and ``epochs`` are not used).

    Parameters
    ----------
    n_centers : int
        Number of RBF units (prototypes), at least 1 and at most the number of samples.
    sigma : float
        Width of the Gaussian units, > 0.
    task : {"classification", "regression"}
    lr : float
        Learning rate of the output layer (classification).
    epochs : int
        Gradient steps of the output layer (classification).
    rng : None, int or numpy.random.Generator
        Source of the k-means starting points.

    Attributes
    ----------
    centers : numpy.ndarray (n_centers, D)
        The prototypes.
    output : nnlib.layers.Linear
        The output layer; ``output.W`` is ``(K, n_centers)``.
    classes : numpy.ndarray (K,)
        The class labels in the order of the output units (classification).
    history : list of float
        Cross-entropy before each gradient step (classification).

    Shape
    -----
    X (N, D) -> features (N, n_centers) -> predict (N,) (or (N, outputs) for
    2-D regression targets); predict_proba (N, K).

    Examples
    --------
    XOR, which no perceptron can learn:

    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> net = RBFNetwork(n_centers=4, sigma=0.5, lr=1.0, epochs=200, rng=0).fit(X, [0, 1, 1, 0])
    >>> net.predict(X)
    array([0, 1, 1, 0])
    >>> net.predict_proba(X).shape
    (4, 2)
    """

    def __init__(self, n_centers=10, sigma=1.0, task="classification", lr=0.5, epochs=500, rng=None):
        self.n_centers = check_positive_int(n_centers, "RBFNetwork", "n_centers")
        self.sigma = check_positive(sigma, "RBFNetwork", "sigma")
        if task not in ("classification", "regression"):
            raise ValueError(f"RBFNetwork: task must be 'classification' or 'regression', got {task!r}")
        self.task = task
        self.lr = check_positive(lr, "RBFNetwork", "lr")
        self.epochs = check_positive_int(epochs, "RBFNetwork", "epochs")
        self.rng = as_rng(rng)
        self.centers = None
        self.output = None
        self.classes = None
        self.history = []

    def features(self, X):
        """Gaussian features ``Phi`` (N, n_centers) of ``X`` around the fitted prototypes."""
        return self._features(X, "features")

    def _features(self, X, where):
        self._check_fitted(where)
        X = check_array(X, f"RBFNetwork.{where}", shape=("N", self.centers.shape[1]), name="X")
        return gaussian_features(X, self.centers, self.sigma)  # (N, J)

    def fit(self, X, y):
        """Find the prototypes with k-means, then train the output layer.

        Parameters
        ----------
        X : array_like (N, D)
        y : array_like
            Class labels (N,) of any values for classification; targets (N,) or
            (N, outputs) for regression.

        Returns
        -------
        RBFNetwork
            ``self``.
        """
        X = check_array(X, "RBFNetwork.fit", shape=("N", "D"), name="X")
        N = X.shape[0]
        if self.n_centers > N:
            raise ValueError(
                f"RBFNetwork.fit: n_centers must be <= the number of samples {N}, got {self.n_centers}"
            )
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != N or (self.task == "classification" and y.ndim != 1):
            expected = f"({N},)" if self.task == "classification" else f"({N},) or ({N}, outputs)"
            raise ValueError(f"RBFNetwork.fit: y must have shape {expected}, got {tuple(y.shape)}")
        self.centers, _ = kmeans(X, self.n_centers, rng=self.rng)  # (J, D)
        Phi = gaussian_features(X, self.centers, self.sigma)  # (N, J)
        if self.task == "classification":
            self._fit_softmax(Phi, y)
        else:
            self._fit_least_squares(Phi, y)
        return self

    def _fit_softmax(self, Phi, y):
        self.classes, y_index = np.unique(y, return_inverse=True)  # (K,), (N,)
        if self.classes.shape[0] < 2:
            raise ValueError("RBFNetwork.fit: classification needs at least 2 classes in y, got 1")
        self.output = Linear(self.n_centers, self.classes.shape[0], init="zeros")
        loss = CrossEntropyLoss()
        self.history = []
        for _ in range(self.epochs):
            Z = self.output(Phi)  # (N, K) logits
            self.history.append(loss(Z, y_index))
            self.output.zero_grad()
            self.output.backward(loss.backward())  # dW (K, J), db (K,)
            self.output.W -= self.lr * self.output.dW  # (K, J), in place
            self.output.b -= self.lr * self.output.db  # (K,)

    def _fit_least_squares(self, Phi, y):
        Y = check_array(y, "RBFNetwork.fit", name="y")
        Y2 = Y.reshape(Y.shape[0], -1)  # (N, outputs)
        self._y_ndim = Y.ndim
        Phi1 = np.hstack([Phi, np.ones((Phi.shape[0], 1))])  # (N, J+1): bias column
        beta, *_ = np.linalg.lstsq(Phi1, Y2, rcond=None)  # (J+1, outputs)
        self.output = Linear(self.n_centers, Y2.shape[1], init="zeros")
        self.output.W[...] = beta[:-1].T  # (outputs, J)
        self.output.b[...] = beta[-1]  # (outputs,)
        self.history = []

    def _check_fitted(self, where):
        if self.centers is None:
            raise RuntimeError(f"RBFNetwork.{where}: call fit(X, y) before {where}")

    def decision_function(self, X):
        """Output-layer values ``Z = Phi W^T + b`` (N, K): logits or regression outputs."""
        return self._outputs(X, "decision_function")

    def _outputs(self, X, where):
        Phi = self._features(X, where)  # (N, J)
        return Phi @ self.output.W.T + self.output.b  # (N, K)

    def predict_proba(self, X):
        """Class probabilities ``softmax(Z)`` (N, K), columns in the order of ``classes``."""
        self._check_fitted("predict_proba")
        if self.task != "classification":
            raise ValueError("RBFNetwork.predict_proba: only defined for task='classification'")
        return F.softmax(self._outputs(X, "predict_proba"))  # (N, K)

    def predict(self, X):
        """Predicted classes (N,), or regression outputs with the shape of the fitted ``y``."""
        Z = self._outputs(X, "predict")  # (N, K)
        if self.task == "classification":
            return self.classes[np.argmax(Z, axis=1)]  # (N,)
        return Z[:, 0] if self._y_ndim == 1 else Z  # (N,) or (N, outputs)
