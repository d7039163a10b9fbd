"""Lesson 03 -- a single neuron: linear unit, logistic unit, and gradient descent.

Plain functions behind the worked examples and sliders of
``notebooks/03_single_neuron.ipynb``. Every function *computes* what the notebook
shows (data, trajectories, losses, regimes) with nnlib's ``Linear``, ``Sigmoid``,
``MSELoss`` and ``BCELoss``; the notebook only plots.

One neuron with pre-activation ``z = w^T x + b`` and activation ``g``:

* ``g(z) = z`` (linear unit) is **linear regression**, trained with the mean squared
  error ``L = 1/n sum (a - y)^2`` whose gradient is ``2/n sum (a - y) x``;
* ``g(z) = sigma(z)`` (logistic unit) is **logistic regression**, trained with the
  binary cross-entropy ``L = -1/n sum (y ln a + (1 - y) ln(1 - a))`` whose gradient
  simplifies to ``1/n sum (a - y) x``.

The one-feature problems used here keep the parameters two numbers ``(w, b)`` so the
loss surface and the path of gradient descent can be drawn in the plane.
"""

import numpy as np

from nnlib.activations import Sigmoid
from nnlib.layers import Linear
from nnlib.losses import BCELoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.validation import as_rng, check_positive_int

UNITS = ("linear", "logistic")

#: Largest full-data loss a trajectory may reach before it is stopped as diverged.
DIVERGED_LOSS = 1e12


def make_line_data(n=40, w_true=2.0, b_true=-1.0, noise=0.5, x_std=2.0, rng=0):
    """Noisy points around the line ``y = w_true x + b_true`` for the linear unit.

    The inputs are centred and scaled to standard deviation exactly ``x_std``, so the
    mean squared error is a bowl whose curvature along ``w`` is ``2 x_std^2`` and
    along ``b`` is ``2`` (see :func:`mse_hessian`).

    Parameters
    ----------
    n : int
        Number of examples.
    w_true, b_true : float
        The line the data scatter around.
    noise : float
        Standard deviation of the Gaussian noise on ``y``.
    x_std : float
        Standard deviation of the inputs.
    rng : None, int or numpy.random.Generator
        Seed or generator.

    Shape
    -----
    Returns ``X`` of shape (n, 1) and ``y`` of shape (n, 1).

    Returns
    -------
    X, y : numpy.ndarray

    Examples
    --------
    >>> X, y = make_line_data(n=10, rng=0)
    >>> X.shape, y.shape
    ((10, 1), (10, 1))
    >>> round(float(X.mean()), 12), round(float(X.std()), 12)
    (0.0, 2.0)
    """
    n = check_positive_int(n, "make_line_data", "n")
    rng = as_rng(rng)
    x = rng.uniform(-1.0, 1.0, size=(n, 1))  # (n, 1)
    x = (x - x.mean()) / x.std() * x_std  # (n, 1) mean 0, std x_std
    y = w_true * x + b_true + noise * rng.standard_normal((n, 1))  # (n, 1)
    return x, y


def make_two_class_data(n=40, centres=(-1.0, 1.5), spread=1.2, rng=0):
    """One-feature, two-class data for the logistic unit (labels 0 and 1).

    Parameters
    ----------
    n : int
        Total number of examples (half per class, rounded down for class 0).
    centres : tuple of float
        Mean input of class 0 and of class 1.
    spread : float
        Standard deviation of each class around its centre.
    rng : None, int or numpy.random.Generator
        Seed or generator.

    Shape
    -----
    Returns ``X`` of shape (n, 1) and ``y`` of shape (n, 1) with entries 0.0 or 1.0.

    Examples
    --------
    >>> X, y = make_two_class_data(n=6, rng=0)
    >>> X.shape, y.ravel().tolist()
    ((6, 1), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    n = check_positive_int(n, "make_two_class_data", "n")
    rng = as_rng(rng)
    n0 = n // 2
    labels = np.concatenate([np.zeros(n0), np.ones(n - n0)])  # (n,)
    means = np.where(labels == 1.0, centres[1], centres[0])  # (n,)
    x = means + spread * rng.standard_normal(n)  # (n,)
    return x.reshape(-1, 1), labels.reshape(-1, 1)


def single_neuron(unit="linear", w=0.0, b=0.0, n_features=1):
    """Build one neuron as an nnlib network: ``Linear`` (+ ``Sigmoid`` for the logistic unit).

    Parameters
    ----------
    unit : {"linear", "logistic"}
        Linear unit (linear regression) or logistic unit (logistic regression).
    w : float or array_like
        Initial weight(s); a scalar is used for every input.
    b : float
        Initial bias.
    n_features : int
        Number of inputs ``m``.

    Returns
    -------
    nnlib.Sequential
        ``Sequential(Linear(m, 1))`` or ``Sequential(Linear(m, 1), Sigmoid())``; the
        neuron's parameters are ``net.layers[0].W`` (1, m) and ``net.layers[0].b`` (1,).

    Examples
    --------
    >>> net = single_neuron("logistic", w=0.0, b=0.0)
    >>> float(net(np.array([[3.0]]))[0, 0])
    0.5
    """
    _check_unit(unit, "single_neuron")
    linear = Linear(n_features, 1, rng=0)
    linear.W[...] = np.broadcast_to(np.asarray(w, dtype=float), linear.W.shape)  # (1, m)
    linear.b[...] = b  # (1,)
    if unit == "linear":
        return Sequential(linear)
    return Sequential(linear, Sigmoid())


def loss_for(unit):
    """The loss that belongs to a unit: ``MSELoss`` (linear) or ``BCELoss`` (logistic).

    Examples
    --------
    >>> type(loss_for("logistic")).__name__
    'BCELoss'
    """
    _check_unit(unit, "loss_for")
    return MSELoss() if unit == "linear" else BCELoss()


def neuron_gradients(X, y, w, b, unit="linear"):
    """Loss and gradients of one neuron, by nnlib's backward pass and by the lecture formula.

    For the linear unit with the mean squared error (no 1/2 in front)::

        dL/dw_j = 2/n sum_i (a_i - y_i) x_ij,      dL/db = 2/n sum_i (a_i - y_i)

    and for the logistic unit with binary cross-entropy::

        dL/dw_j = 1/n sum_i (a_i - y_i) x_ij,      dL/db = 1/n sum_i (a_i - y_i)

    Parameters
    ----------
    X : array_like
        Inputs.
    y : array_like
        Targets (real numbers for the linear unit, 0/1 for the logistic unit).
    w : float or array_like
        Weight(s) of the neuron.
    b : float
        Bias of the neuron.
    unit : {"linear", "logistic"}

    Shape
    -----
    ``X`` is (n, m), ``y`` is (n, 1); the returned gradients ``dW`` are (1, m) and
    ``db`` are (1,).

    Returns
    -------
    dict
        ``loss`` (float), ``a`` (n, 1) outputs, ``dW``/``db`` from nnlib's backward,
        ``dW_formula``/``db_formula`` from the formula above.

    Examples
    --------
    >>> g = neuron_gradients([[1.0], [2.0], [3.0]], [[2.0], [4.0], [7.0]], 0.5, 0.0)
    >>> float(g["dW"][0, 0]), round(float(g["db"][0]), 4)
    (-16.0, -6.6667)
    """
    X = np.asarray(X, dtype=float)  # (n, m)
    y = np.asarray(y, dtype=float)  # (n, 1)
    net = single_neuron(unit, w, b, n_features=X.shape[1])
    loss = loss_for(unit)
    a = net(X)  # (n, 1)
    value = loss(a, y)
    net.backward(loss.backward())
    linear = net.layers[0]
    factor = 2.0 if unit == "linear" else 1.0
    n = X.shape[0]
    error = a - y  # (n, 1)
    dW_formula = factor / n * error.T @ X  # (1, m)
    db_formula = factor / n * error.sum(axis=0)  # (1,)
    return {
        "loss": float(value),
        "a": a,
        "dW": linear.dW.copy(),
        "db": linear.db.copy(),
        "dW_formula": dW_formula,
        "db_formula": db_formula,
    }


def mse_hessian(X):
    """Hessian of the mean squared error of a linear unit with respect to ``(w, b)``.

    ``L(w, b) = 1/n sum (w^T x_i + b - y_i)^2`` is a quadratic bowl; its Hessian
    ``H = 2/n [X 1]^T [X 1]`` does not depend on the targets or the current point.
    Gradient descent with step ``eta`` multiplies the error along each eigenvector of
    ``H`` (eigenvalue ``lambda``) by ``1 - eta lambda`` per step.

    Shape
    -----
    ``X`` is (n, m); the result is (m + 1, m + 1), ordered ``(w_1, ..., w_m, b)``.

    Examples
    --------
    >>> mse_hessian([[-1.0], [1.0]])
    array([[2., 0.],
           [0., 2.]])
    """
    X = np.asarray(X, dtype=float)  # (n, m)
    X1 = np.hstack([X, np.ones((X.shape[0], 1))])  # (n, m + 1)
    return 2.0 / X.shape[0] * X1.T @ X1  # (m + 1, m + 1)


def learning_rate_regime(lr, X):
    """Name what batch gradient descent on the MSE bowl does for learning rate ``lr``.

    With ``lambda_max`` the largest eigenvalue of :func:`mse_hessian`, the error in the
    steepest direction is multiplied by ``1 - lr lambda_max`` per step:

    * ``lr lambda_max < 0.1``: ``"too small"`` (monotone, but crawls),
    * ``0.1 <= lr lambda_max < 1``: ``"good"`` (monotone and reasonably fast),
    * ``1 <= lr lambda_max < 2``: ``"oscillating"`` (jumps across the valley, still converges),
    * ``lr lambda_max >= 2``: ``"diverging"`` (each jump lands higher than the last).

    Examples
    --------
    >>> X = [[-2.0], [2.0]]          # curvature 8 along w, 2 along b
    >>> [learning_rate_regime(lr, X) for lr in (0.005, 0.05, 0.2, 0.3)]
    ['too small', 'good', 'oscillating', 'diverging']
    """
    if lr <= 0:
        raise ValueError(f"learning_rate_regime: lr must be positive, got {lr}")
    lam_max = float(np.linalg.eigvalsh(mse_hessian(X))[-1])
    step = lr * lam_max
    if step < 0.1:
        return "too small"
    if step < 1.0:
        return "good"
    if step < 2.0:
        return "oscillating"
    return "diverging"


def train_single_neuron(X, y, unit="linear", lr=0.1, epochs=20, batch_size=None, w0=0.0,
                        b0=0.0, shuffle=True, rng=0):
    """Gradient descent on one neuron: batch (``batch_size=None``), stochastic (1) or mini-batch.

    Every epoch visits each example once. With ``batch_size = n`` (or None) this is batch
    gradient descent (one update per epoch); with 1 it is stochastic gradient descent
    (n updates per epoch, examples in a fresh random order each epoch when ``shuffle``);
    anything in between is mini-batch gradient descent. Each update is
    ``W <- W - lr dL/dW`` on the mean loss of the current batch, done by nnlib's
    ``SGD``. Training stops early if the full-data loss exceeds ``DIVERGED_LOSS``.

    Parameters
    ----------
    X, y : array_like
        Data, (n, 1) each for the one-feature problems of this lesson ((n, m) for X works too).
    unit : {"linear", "logistic"}
    lr : float
        Learning rate ``eta``.
    epochs : int
        Number of passes over the data.
    batch_size : int or None
        Examples per update; None means all n.
    w0, b0 : float
        Starting weight(s) and bias.
    shuffle : bool
        Reshuffle the examples every epoch (ignored for batch gradient descent).
    rng : None, int or numpy.random.Generator
        Seed for the shuffling.

    Returns
    -------
    dict
        ``params`` (U + 1, m + 1): ``(w, b)`` before the first and after every update;
        ``loss`` (U + 1,): full-data loss at those points; ``epoch_loss`` (E + 1,):
        full-data loss at the start and after each epoch; ``updates_per_epoch``;
        ``diverged`` (bool).

    Examples
    --------
    >>> X, y = make_line_data(n=20, rng=0)
    >>> out = train_single_neuron(X, y, lr=0.05, epochs=3, batch_size=5)
    >>> out["params"].shape, out["updates_per_epoch"]
    ((13, 2), 4)
    >>> bool(out["loss"][-1] < out["loss"][0])
    True
    """
    X = np.asarray(X, dtype=float)  # (n, m)
    y = np.asarray(y, dtype=float)  # (n, 1)
    _check_unit(unit, "train_single_neuron")
    if lr <= 0:
        raise ValueError(f"train_single_neuron: lr must be positive, got {lr}")
    epochs = check_positive_int(epochs, "train_single_neuron", "epochs")
    n = X.shape[0]
    if batch_size is None:
        batch_size = n
    batch_size = check_positive_int(batch_size, "train_single_neuron", "batch_size")
    if batch_size > n:
        raise ValueError(
            f"train_single_neuron: batch_size must be at most the number of examples {n}, got {batch_size}"
        )
    rng = as_rng(rng)
    net = single_neuron(unit, w0, b0, n_features=X.shape[1])
    linear = net.layers[0]
    loss = loss_for(unit)
    opt = SGD(net.parameters(), lr=lr)

    def snapshot():
        return np.concatenate([linear.W.ravel(), linear.b])  # (m + 1,)

    params = [snapshot()]
    losses = [float(loss(net(X), y))]
    epoch_loss = [losses[0]]
    diverged = False
    starts = range(0, n, batch_size)
    for _ in range(epochs):
        order = rng.permutation(n) if (shuffle and batch_size < n) else np.arange(n)
        for start in starts:
            idx = order[start:start + batch_size]
            opt.zero_grad()
            loss(net(X[idx]), y[idx])
            net.backward(loss.backward())
            opt.step()
            params.append(snapshot())
            losses.append(float(loss(net(X), y)))
            if not losses[-1] < DIVERGED_LOSS:
                diverged = True
                break
        epoch_loss.append(losses[-1])
        if diverged:
            break
    return {
        "params": np.array(params),
        "loss": np.array(losses),
        "epoch_loss": np.array(epoch_loss),
        "updates_per_epoch": len(starts),
        "diverged": diverged,
    }


def loss_surface(X, y, unit="linear", w_range=(-2.0, 6.0), b_range=(-5.0, 3.0), num=61):
    """The full-data loss ``L(w, b)`` of a one-feature neuron on a grid, for contour plots.

    Parameters
    ----------
    X, y : array_like
        One-feature data, (n, 1) each.
    unit : {"linear", "logistic"}
    w_range, b_range : tuple of float
        Plotted intervals.
    num : int
        Grid points per axis.

    Returns
    -------
    w_grid, b_grid, L : numpy.ndarray
        ``w_grid`` (num,), ``b_grid`` (num,), ``L`` (num, num) with ``L[i, j]`` the loss
        at ``b = b_grid[i]``, ``w = w_grid[j]`` (the layout ``plt.contour`` expects).

    Examples
    --------
    >>> w, b, L = loss_surface([[0.0], [1.0]], [[0.0], [1.0]], num=3,
    ...                        w_range=(0.0, 2.0), b_range=(-1.0, 1.0))
    >>> float(L[1, 1])                 # w = 1, b = 0 fits both points exactly
    0.0
    """
    X = np.asarray(X, dtype=float)  # (n, 1)
    y = np.asarray(y, dtype=float)  # (n, 1)
    num = check_positive_int(num, "loss_surface", "num")
    w_grid = np.linspace(*w_range, num)  # (num,)
    b_grid = np.linspace(*b_range, num)  # (num,)
    Wg, Bg = np.meshgrid(w_grid, b_grid)  # (num, num) each; row i is b_grid[i]
    # one layer with num * num units: unit k is the neuron with (w, b) = grid point k
    grid_layer = Linear(1, num * num, init="zeros")
    grid_layer.W[:, 0] = Wg.ravel()  # (num * num,)
    grid_layer.b[...] = Bg.ravel()  # (num * num,)
    net = Sequential(grid_layer) if unit == "linear" else Sequential(grid_layer, Sigmoid())
    A = net(X)  # (n, num * num) the outputs of every grid neuron
    loss = loss_for(unit)
    L = np.array([loss(A[:, [k]], y) for k in range(num * num)])  # (num * num,)
    return w_grid, b_grid, L.reshape(num, num)


def learning_rate_demo(lr, epochs=15, w0=-1.0, b0=2.0, rng=0):
    """What the learning-rate slider shows: batch gradient descent on the line data.

    Parameters
    ----------
    lr : float
        Learning rate ``eta``.
    epochs : int
        Number of batch updates.
    w0, b0 : float
        Starting point.
    rng : None, int or numpy.random.Generator
        Seed of the data set.

    Returns
    -------
    dict
        ``X``, ``y`` (the data), ``lr``, ``regime`` (see :func:`learning_rate_regime`),
        ``lambda_max`` (largest curvature), and the keys of :func:`train_single_neuron`.

    Examples
    --------
    >>> [learning_rate_demo(lr)["regime"] for lr in (0.005, 0.05, 0.2, 0.3)]
    ['too small', 'good', 'oscillating', 'diverging']
    """
    X, y = make_line_data(rng=rng)
    out = train_single_neuron(X, y, "linear", lr=lr, epochs=epochs, w0=w0, b0=b0)
    out["X"], out["y"], out["lr"] = X, y, lr
    out["regime"] = learning_rate_regime(lr, X)
    out["lambda_max"] = float(np.linalg.eigvalsh(mse_hessian(X))[-1])
    return out


def batch_size_demo(batch_size, lr=0.02, epochs=10, w0=-1.0, b0=2.0, rng=0):
    """What the batch-size slider shows: batch, mini-batch or stochastic GD on the line data.

    Parameters
    ----------
    batch_size : int
        1 (stochastic), 40 (batch; the data set has 40 examples) or anything between.
    lr, epochs, w0, b0 :
        As in :func:`train_single_neuron`.
    rng : int
        Seed of both the data and the shuffling.

    Returns
    -------
    dict
        The keys of :func:`train_single_neuron` plus ``X``, ``y`` and ``name``
        (``"batch"``, ``"stochastic"`` or ``"mini-batch"``).

    Examples
    --------
    >>> out = batch_size_demo(1, epochs=2)
    >>> out["name"], len(out["loss"]) - 1
    ('stochastic', 80)
    """
    X, y = make_line_data(rng=rng)
    out = train_single_neuron(X, y, "linear", lr=lr, epochs=epochs, batch_size=batch_size,
                              w0=w0, b0=b0, rng=rng)
    out["X"], out["y"] = X, y
    n = X.shape[0]
    out["name"] = "batch" if batch_size == n else ("stochastic" if batch_size == 1 else "mini-batch")
    return out


def _check_unit(unit, where):
    if unit not in UNITS:
        raise ValueError(f"{where}: unit must be one of {UNITS}, got {unit!r}")
