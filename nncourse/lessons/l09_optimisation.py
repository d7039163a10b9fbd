r"""Lesson 09 -- optimisation: the loss surfaces, their figures, and the digits experiment.

What ``notebooks/09_optimisation.ipynb`` needs besides the update rules, which it writes out in
numpy next to the ``nnlib.optim`` calls:

* three 2-D loss surfaces (:data:`SURFACES`): an ill-conditioned bowl, Rosenbrock's banana
  valley and a plateau, each with its gradient;
* :class:`SurfacePoint`, a tiny ``nnlib`` ``Module`` whose only parameter is the 2-vector ``w`` and
  whose ``backward`` writes the surface's gradient into ``dw``, so the real optimisers of
  ``nnlib.optim`` move it like any network weight;
* :func:`draw_surface` and :func:`draw_path` for the figures;
* :func:`train_digits`, the usual ``nnlib.training.fit`` run on the digits with any optimiser.
"""

import numpy as np

from nncourse.plotting import plot_trajectory
from nnlib.activations import ReLU
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Module, Sequential
from nnlib.training import evaluate, fit
from nnlib.validation import as_rng, check_array, check_positive_int

# ---------------------------------------------------------------- surfaces


def bowl(w1, w2):
    r"""Ill-conditioned quadratic bowl :math:`L = 0.005\,w_1^2 + w_2^2` (curvatures 0.01 and 2, :math:`\kappa = 200`).

    Examples
    --------
    >>> bowl(2.0, 1.0)
    1.02
    """
    return 0.005 * w1 ** 2 + w2 ** 2


def bowl_grad(w):
    """Gradient of :func:`bowl` at ``w`` (2,).

    Examples
    --------
    >>> bowl_grad(np.array([2.0, 1.0]))
    array([0.02, 2.  ])
    """
    return np.array([0.01 * w[0], 2.0 * w[1]])


def rosenbrock(w1, w2):
    r"""Rosenbrock's banana :math:`L = (1 - w_1)^2 + 100\,(w_2 - w_1^2)^2`, minimum 0 at (1, 1).

    Examples
    --------
    >>> rosenbrock(1.0, 1.0), rosenbrock(0.0, 0.0)
    (0.0, 1.0)
    """
    return (1.0 - w1) ** 2 + 100.0 * (w2 - w1 ** 2) ** 2


def rosenbrock_grad(w):
    """Gradient of :func:`rosenbrock` at ``w`` (2,).

    Examples
    --------
    >>> rosenbrock_grad(np.array([-1.2, 1.0]))
    array([-215.6,  -88. ])
    """
    w1, w2 = w
    return np.array([-2.0 * (1.0 - w1) - 400.0 * w1 * (w2 - w1 ** 2), 200.0 * (w2 - w1 ** 2)])


def plateau(w1, w2):
    r"""A flat plateau around a narrow well: :math:`L = 1 - e^{-(w_1^2 + 4 w_2^2)/2}`.

    Far from the origin the loss is almost 1 and the gradient almost 0: plain gradient
    descent barely moves. Computed as ``-expm1(-x)``, which keeps the tiny losses near the
    minimum exact (``1 - exp(-x)`` would round them to multiples of 1.1e-16).

    Examples
    --------
    >>> float(plateau(0.0, 0.0)), round(float(plateau(3.5, 0.8)), 4)
    (0.0, 0.9994)
    >>> round(float(plateau(1e-8, 0.0)) / 5e-17, 6)   # (1e-8)^2 / 2, not rounded to 0
    1.0
    """
    return -np.expm1(-(w1 ** 2 + 4.0 * w2 ** 2) / 2.0)


def plateau_grad(w):
    """Gradient of :func:`plateau` at ``w`` (2,).

    Examples
    --------
    >>> plateau_grad(np.array([0.0, 0.0]))
    array([0., 0.])
    """
    e = np.exp(-(w[0] ** 2 + 4.0 * w[1] ** 2) / 2.0)
    return np.array([w[0] * e, 4.0 * w[1] * e])


#: The three surfaces: loss, gradient, start, minimum, plot window, and whether the contour
#: levels are spaced logarithmically (Rosenbrock's values span six orders of magnitude).
SURFACES = {
    "bowl": {"loss": bowl, "grad": bowl_grad, "start": (-4.5, 1.5), "minimum": (0.0, 0.0),
             "xlim": (-5.0, 5.0), "ylim": (-2.0, 2.0), "log": False},
    "rosenbrock": {"loss": rosenbrock, "grad": rosenbrock_grad, "start": (-1.2, 1.0), "minimum": (1.0, 1.0),
                   "xlim": (-2.0, 2.0), "ylim": (-1.0, 3.0), "log": True},
    "plateau": {"loss": plateau, "grad": plateau_grad, "start": (3.5, 0.8), "minimum": (0.0, 0.0),
                "xlim": (-4.0, 4.0), "ylim": (-1.5, 1.5), "log": False},
}


def _surface(name, where):
    if name not in SURFACES:
        raise ValueError(f"{where}: surface must be one of {tuple(SURFACES)}, got {name!r}")
    return SURFACES[name]


class SurfacePoint(Module):
    r"""A Module whose only parameter is a point ``w`` (2,) on a 2-D loss surface.

    ``forward()`` returns the loss :math:`L(w)`; ``backward()`` adds :math:`\nabla L(w)`
    to ``dw`` (accumulating, like every nnlib layer). So ``SGD(point.parameters(), lr)``
    and the other optimisers of ``nnlib.optim`` move it like any network weight.

    Parameters
    ----------
    surface : str
        A key of :data:`SURFACES`.
    start : array_like of shape (2,), optional
        Starting point; default the surface's own.

    Examples
    --------
    >>> point = SurfacePoint("bowl", start=(2.0, 1.0))
    >>> point()
    1.02
    >>> point.backward(); point.dw
    array([0.02, 2.  ])
    """

    param_names = ("w",)

    def __init__(self, surface="bowl", start=None):
        super().__init__()
        spec = _surface(surface, "SurfacePoint")
        self.surface = surface
        self._loss, self._grad = spec["loss"], spec["grad"]
        start = spec["start"] if start is None else start
        self.w = check_array(start, "SurfacePoint", shape=(2,), name="start").copy()  # (2,)
        self.dw = np.zeros(2)  # (2,)

    def forward(self, x=None):
        return float(self._loss(self.w[0], self.w[1]))

    def __call__(self, x=None):
        return self.forward(x)

    def backward(self, grad_y=1.0):
        self.dw += grad_y * self._grad(self.w)  # (2,)

    def __repr__(self):
        return f"SurfacePoint({self.surface!r}, w={self.w})"


# ---------------------------------------------------------------- figures


def draw_surface(ax, surface, xlim=None, ylim=None, resolution=150, levels=25):
    """Contour lines of a surface of :data:`SURFACES` over its window, with the minimum as a star.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    surface : str
        A key of :data:`SURFACES`.
    xlim, ylim : (float, float), optional
        The window; default the surface's own.
    resolution : int
        Grid points per axis.
    levels : int
        Number of contour levels (spaced logarithmically for Rosenbrock).

    Returns
    -------
    contours : matplotlib.contour.QuadContourSet
    minimum : matplotlib.lines.Line2D
        The star (hide both with ``set_visible(False)`` to switch surfaces in a live figure).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> contours, minimum = draw_surface(ax, "rosenbrock", resolution=20)
    >>> [float(v) for v in ax.get_xlim()], ax.get_xlabel()
    ([-2.0, 2.0], '$w_1$')
    """
    spec = _surface(surface, "draw_surface")
    xlim = spec["xlim"] if xlim is None else xlim
    ylim = spec["ylim"] if ylim is None else ylim
    W1, W2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))  # (R, R)
    L = spec["loss"](W1, W2)  # (R, R)
    spaced = np.geomspace(max(L.min(), 1e-2), L.max(), levels) if spec["log"] else levels
    contours = ax.contour(W1, W2, L, levels=spaced, cmap="viridis", linewidths=0.7, alpha=0.8)
    (minimum,) = ax.plot(*spec["minimum"], "k*", markersize=10)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    return contours, minimum


def draw_path(ax, path, color="#D55E00", label=None, markersize=2.5):
    """An optimiser's path (start marked by a square) on top of :func:`draw_surface`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> draw_path(ax, np.array([[1.0, 1.0], [0.5, 0.0]]), label="SGD").get_label()
    'SGD'
    """
    path = check_array(path, "draw_path", shape=("T", 2), name="path")
    return plot_trajectory(ax, path, label=label, color=color, markersize=markersize)


# ---------------------------------------------------------------- digits


def train_digits(make_optimizer, data, epochs=5, hidden=32, batch_size=32, make_scheduler=None, rng=0,
                 progress=None):
    """Train a 64-``hidden``-10 ReLU network on the digits with the optimiser ``make_optimizer`` returns.

    He weights and the batch order come from ``rng``, so runs with the same seed start from the
    same weights and see the same batches whatever the optimiser; cross-entropy,
    ``nnlib.training.fit``.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(parameters) -> optimizer``, e.g. ``lambda p: Adam(p, lr=0.01)``.
    data : tuple
        ``(X_train, X_test, y_train, y_test)``, standardised.
    epochs, hidden, batch_size : int
    make_scheduler : callable, optional
        ``make_scheduler(optimizer) -> scheduler`` (e.g. ``lambda opt: CosineLR(opt, T=5)``);
        its ``step()`` is called after every epoch.
    rng : None, int or numpy.random.Generator
        Seed of the weights and batches.
    progress : callable, optional
        Called as ``progress(fraction_done)`` after every epoch (a Run button's progress bar).

    Returns
    -------
    dict
        ``history`` (``nnlib.training.History``, with the test set as ``val``), ``test_loss``,
        ``test_acc`` and ``lrs``: the learning rate used in each epoch.
    """
    epochs = check_positive_int(epochs, "train_digits", "epochs")
    X_train, X_test, y_train, y_test = data
    generator = as_rng(rng)
    model = Sequential(Linear(X_train.shape[1], hidden, init="he", rng=generator), ReLU(),
                       Linear(hidden, 10, init="he", rng=generator))
    opt = make_optimizer(model.parameters())
    rates = _EpochRates(opt, None if make_scheduler is None else make_scheduler(opt), epochs, progress)
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, opt, X_train, y_train, epochs=epochs, batch_size=batch_size,
                  X_val=X_test, y_val=y_test, rng=generator, scheduler=rates, verbose=False)
    test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
    return {"history": history, "test_loss": test_loss, "test_acc": test_acc, "lrs": np.array(rates.lrs)}


class _EpochRates:
    """What ``fit`` calls after every epoch: notes the rate the epoch used, then steps the real schedule."""

    def __init__(self, optimizer, scheduler, epochs, progress):
        self.optimizer, self.scheduler = optimizer, scheduler
        self.epochs, self.progress = epochs, progress
        self.lrs = []

    def step(self):
        self.lrs.append(self.optimizer.lr)
        if self.scheduler is not None:
            self.scheduler.step()
        if self.progress is not None:
            self.progress(len(self.lrs) / self.epochs)
