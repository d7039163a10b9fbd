r"""Lesson 09 -- optimisation: momentum, adaptive learning rates, schedules, Newton's method.

Plain functions behind the worked examples and sliders of ``notebooks/09_optimisation.ipynb``.

* Three 2-D loss surfaces (:data:`SURFACES`): an ill-conditioned bowl, Rosenbrock's
  banana valley and a plateau. :class:`SurfacePoint` is a tiny ``nnlib`` ``Module``
  whose only parameter is the 2-vector ``w``; its ``backward`` writes the surface's
  gradient into ``dw``, so the **real** optimisers of ``nnlib.optim`` move it
  (:func:`trajectory`).
* :func:`lecture_vs_library` runs the lecture's update rules, written in the
  lecture's symbols (:math:`\alpha, \rho, \gamma, \eta`), next to ``nnlib.optim`` with the
  mapped arguments and reports how far apart they end up (zero up to rounding).
* :func:`schedule_curves` and :func:`scheduler_rates`: the four learning-rate decays.
* :func:`newton_quadratic` and :func:`newton_path`: the second-order step
  :math:`\theta - H^{-1}g` with a Hessian obtained by differentiating the gradient
  numerically (``nnlib.gradcheck.numerical_gradient``).
* :func:`digits_optimizer_run`: the same network on the digits with each optimiser.
"""

import numpy as np

from nnlib.activations import ReLU
from nnlib.datasets import load_digits
from nnlib.gradcheck import numerical_gradient
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Module, Sequential
from nnlib.optim import (
    SGD,
    Adagrad,
    Adam,
    CosineLR,
    InverseSqrtLR,
    LinearLR,
    RMSprop,
    StepLR,
    cosine_lr,
    inverse_sqrt_lr,
    linear_lr,
    step_lr,
)
from nnlib.preprocessing import standardize, train_test_split
from nnlib.training import evaluate, fit
from nnlib.validation import as_rng, check_nonnegative, check_positive_int

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
    """Gradient of :func:`bowl` at ``w`` (2,)."""
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
    """Gradient of :func:`rosenbrock` at ``w`` (2,)."""
    w1, w2 = w
    return np.array([-2.0 * (1.0 - w1) - 400.0 * w1 * (w2 - w1 ** 2), 200.0 * (w2 - w1 ** 2)])


def plateau(w1, w2):
    r"""A flat plateau around a narrow well: :math:`L = 1 - e^{-(w_1^2 + 4 w_2^2)/2}`.

    Far from the origin the loss is almost 1 and the gradient almost 0: plain gradient
    descent barely moves.

    Examples
    --------
    >>> float(plateau(0.0, 0.0)), round(float(plateau(3.5, 0.8)), 4)
    (0.0, 0.9994)
    """
    return 1.0 - np.exp(-(w1 ** 2 + 4.0 * w2 ** 2) / 2.0)


def plateau_grad(w):
    """Gradient of :func:`plateau` at ``w`` (2,)."""
    e = np.exp(-(w[0] ** 2 + 4.0 * w[1] ** 2) / 2.0)
    return np.array([w[0] * e, 4.0 * w[1] * e])


#: The three surfaces: loss, gradient, start, minimum and plot window.
SURFACES = {
    "bowl": {"loss": bowl, "grad": bowl_grad, "start": (-4.5, 1.5), "minimum": (0.0, 0.0),
             "xlim": (-5.0, 5.0), "ylim": (-2.0, 2.0), "log": False},
    "rosenbrock": {"loss": rosenbrock, "grad": rosenbrock_grad, "start": (-1.2, 1.0), "minimum": (1.0, 1.0),
                   "xlim": (-2.0, 2.0), "ylim": (-1.0, 3.0), "log": True},
    "plateau": {"loss": plateau, "grad": plateau_grad, "start": (3.5, 0.8), "minimum": (0.0, 0.0),
                "xlim": (-4.0, 4.0), "ylim": (-1.5, 1.5), "log": False},
}

#: The optimisers compared, in the lecture's order.
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")

#: A reasonable learning rate for each optimiser on each surface (the sliders start here).
DEFAULT_LR = {
    "bowl": {"SGD": 0.9, "Momentum": 0.3, "Nesterov": 0.3, "AdaGrad": 0.5, "RMSProp": 0.1, "Adam": 0.3},
    "rosenbrock": {"SGD": 0.002, "Momentum": 0.001, "Nesterov": 0.001, "AdaGrad": 0.3, "RMSProp": 0.01,
                   "Adam": 0.1},
    "plateau": {"SGD": 1.0, "Momentum": 0.3, "Nesterov": 0.3, "AdaGrad": 0.3, "RMSProp": 0.03, "Adam": 0.1},
}

#: Number of steps shown per surface.
DEFAULT_STEPS = {"bowl": 80, "rosenbrock": 500, "plateau": 100}


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
        self.w = np.array(start, dtype=np.float64).reshape(2)  # (2,)
        self.dw = np.zeros(2)  # (2,)

    def forward(self, x=None):
        return float(self._loss(self.w[0], self.w[1]))

    def __call__(self, x=None):
        return self.forward(x)

    def backward(self, grad_y=1.0):
        self.dw += grad_y * self._grad(self.w)  # (2,)

    def __repr__(self):
        return f"SurfacePoint({self.surface!r}, w={self.w})"


def make_optimizer(name, params, lr, momentum=0.9, rho=0.9, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""Build one of :data:`OPTIMIZERS` from ``nnlib.optim`` with PyTorch-style arguments.

    ``Momentum`` is ``SGD(momentum=momentum)``, ``Nesterov`` adds ``nesterov=True``;
    ``RMSProp`` passes the lecture's decay rate :math:`\rho` as ``alpha``; ``Adam`` gets
    ``betas=(beta1, beta2)``; ``AdaGrad`` uses its default :math:`\epsilon = 10^{-10}`.

    Examples
    --------
    >>> make_optimizer("RMSProp", SurfacePoint().parameters(), lr=0.01, rho=0.9)
    RMSprop(lr=0.01)
    """
    if name == "SGD":
        return SGD(params, lr=lr)
    if name == "Momentum":
        return SGD(params, lr=lr, momentum=momentum)
    if name == "Nesterov":
        return SGD(params, lr=lr, momentum=momentum, nesterov=True)
    if name == "AdaGrad":
        return Adagrad(params, lr=lr)
    if name == "RMSProp":
        return RMSprop(params, lr=lr, alpha=rho, eps=eps)
    if name == "Adam":
        return Adam(params, lr=lr, betas=(beta1, beta2), eps=eps)
    raise ValueError(f"make_optimizer: name must be one of {OPTIMIZERS}, got {name!r}")


def trajectory(surface="bowl", optimizer="SGD", lr=None, steps=100, start=None, momentum=0.9, rho=0.9,
               beta1=0.9, beta2=0.999, blowup=1e6):
    """The path of an ``nnlib.optim`` optimiser on a 2-D surface.

    Parameters
    ----------
    surface : str
        A key of :data:`SURFACES`.
    optimizer : str
        One of :data:`OPTIMIZERS`.
    lr : float or None
        Learning rate; None takes :data:`DEFAULT_LR`.
    steps : int
        Number of ``optimizer.step()`` calls.
    start : array_like (2,), optional
        Starting point; default the surface's own.
    momentum, rho, beta1, beta2 : float
        Hyperparameters (see :func:`make_optimizer`).
    blowup : float
        Stop early once ``|w|`` exceeds this (the run diverged).

    Returns
    -------
    dict
        ``path`` (k+1, 2): the point before the first and after every step;
        ``loss`` (k+1,); ``diverged`` (bool); ``distance``: final distance to the minimum;
        ``lr``, ``optimizer``, ``surface``.

    Examples
    --------
    >>> run = trajectory("bowl", "SGD", lr=0.5, steps=1, start=(1.0, 1.0))
    >>> run["path"]                          # w - 0.5 * (0.01, 2.0)
    array([[1.   , 1.   ],
           [0.995, 0.   ]])
    """
    spec = _surface(surface, "trajectory")
    steps = check_positive_int(steps, "trajectory", "steps")
    lr = DEFAULT_LR[surface].get(optimizer, 0.01) if lr is None else lr
    point = SurfacePoint(surface, start)
    opt = make_optimizer(optimizer, point.parameters(), lr, momentum=momentum, rho=rho, beta1=beta1,
                         beta2=beta2)
    path, losses = [point.w.copy()], [point()]
    diverged = False
    for _ in range(steps):
        opt.zero_grad()
        point.backward()
        opt.step()
        if not np.all(np.abs(point.w) < blowup):
            diverged = True
            break
        path.append(point.w.copy())
        losses.append(point())
    path = np.array(path)  # (k+1, 2)
    return {
        "path": path, "loss": np.array(losses), "diverged": diverged,
        "distance": float(np.linalg.norm(path[-1] - np.array(spec["minimum"]))),
        "lr": float(lr), "optimizer": optimizer, "surface": surface,
    }


def compare_optimizers(surface="bowl", steps=None, names=OPTIMIZERS, lrs=None):
    """:func:`trajectory` for several optimisers on one surface, each at its :data:`DEFAULT_LR` (or ``lrs[name]``).

    ``steps`` defaults to :data:`DEFAULT_STEPS` of the surface.

    Returns
    -------
    dict
        Optimiser name -> the trajectory dict.
    """
    lrs = {} if lrs is None else lrs
    steps = DEFAULT_STEPS.get(surface, 100) if steps is None else steps
    return {name: trajectory(surface, name, lr=lrs.get(name), steps=steps) for name in names}


def surface_grid(surface, resolution=150):
    """Loss of a surface on a grid over its plot window.

    Returns
    -------
    W1, W2, L : ndarray, shape (resolution, resolution)
    """
    spec = _surface(surface, "surface_grid")
    W1, W2 = np.meshgrid(np.linspace(*spec["xlim"], resolution), np.linspace(*spec["ylim"], resolution))
    return W1, W2, spec["loss"](W1, W2)


# ---------------------------------------------------------------- lecture symbols vs library arguments


def _lecture_rule(rule, grad, theta0, steps, eta, gamma, alpha, rho, beta1, beta2, eps):
    """The lecture's update rules in its own symbols (reference loop, numpy only)."""
    theta = np.array(theta0, dtype=np.float64)  # (2,)
    m = np.zeros(2)
    r = np.zeros(2)
    path = [theta.copy()]
    for k in range(1, steps + 1):
        g = grad(theta)  # (2,)
        if rule == "momentum":  # KIT: m <- gamma m + (1 - gamma) g; theta <- theta - eta m
            m = gamma * m + (1.0 - gamma) * g
            theta = theta - eta * m
        elif rule == "adagrad":  # DHBW: r <- r + g*g; theta <- theta - alpha / (eps + sqrt r) * g
            r = r + g * g
            theta = theta - alpha / (eps + np.sqrt(r)) * g
        elif rule == "rmsprop":  # DHBW: r <- rho r + (1 - rho) g*g; same step
            r = rho * r + (1.0 - rho) * g * g
            theta = theta - alpha / (eps + np.sqrt(r)) * g
        else:  # Adam (Kingma & Ba): momentum + RMSProp + bias correction
            m = beta1 * m + (1.0 - beta1) * g
            r = beta2 * r + (1.0 - beta2) * g * g
            m_hat = m / (1.0 - beta1 ** k)
            r_hat = r / (1.0 - beta2 ** k)
            theta = theta - alpha * m_hat / (np.sqrt(r_hat) + eps)
        path.append(theta.copy())
    return np.array(path)


#: The rules :func:`lecture_vs_library` knows.
RULES = ("momentum", "adagrad", "rmsprop", "adam")


def lecture_vs_library(rule, steps=20, surface="rosenbrock", start=(-1.2, 1.0), eta=0.002, gamma=0.9,
                       alpha=0.01, rho=0.9, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""Run a lecture update rule and the mapped ``nnlib.optim`` call side by side.

    The lecture's rules and the ``nnlib.optim`` calls they map onto:

    * momentum, :math:`m \leftarrow \gamma m + (1-\gamma)g,\ \theta \leftarrow \theta - \eta m`:
      ``SGD(lr=eta*(1-gamma), momentum=gamma)``;
    * adagrad, :math:`r \leftarrow r + g\odot g,\ \theta \leftarrow \theta - \frac{\alpha}{\epsilon+\sqrt r}\odot g`:
      ``Adagrad(lr=alpha, eps=eps)``;
    * rmsprop, :math:`r \leftarrow \rho r + (1-\rho)g\odot g` and the same step:
      ``RMSprop(lr=alpha, alpha=rho, eps=eps)``;
    * adam, first and second moments with bias correction: ``Adam(lr=alpha, betas=(beta1, beta2), eps=eps)``.

    Returns
    -------
    dict
        ``lecture`` and ``library`` paths (steps+1, 2), ``max_difference`` between them,
        and ``call``: the library call as text.

    Examples
    --------
    >>> r = lecture_vs_library("momentum", steps=10)
    >>> r["call"], bool(r["max_difference"] < 1e-12)
    ('SGD(lr=0.0002, momentum=0.9)', True)
    """
    if rule not in RULES:
        raise ValueError(f"lecture_vs_library: rule must be one of {RULES}, got {rule!r}")
    steps = check_positive_int(steps, "lecture_vs_library", "steps")
    spec = _surface(surface, "lecture_vs_library")
    lecture = _lecture_rule(rule, spec["grad"], start, steps, eta, gamma, alpha, rho, beta1, beta2, eps)
    point = SurfacePoint(surface, start)
    params = point.parameters()
    if rule == "momentum":
        lr = eta * (1.0 - gamma)
        opt = SGD(params, lr=lr, momentum=gamma)
        call = f"SGD(lr={lr:.6g}, momentum={gamma:g})"
    elif rule == "adagrad":
        opt = Adagrad(params, lr=alpha, eps=eps)
        call = f"Adagrad(lr={alpha:g}, eps={eps:g})"
    elif rule == "rmsprop":
        opt = RMSprop(params, lr=alpha, alpha=rho, eps=eps)
        call = f"RMSprop(lr={alpha:g}, alpha={rho:g}, eps={eps:g})"
    else:
        opt = Adam(params, lr=alpha, betas=(beta1, beta2), eps=eps)
        call = f"Adam(lr={alpha:g}, betas=({beta1:g}, {beta2:g}), eps={eps:g})"
    library = [point.w.copy()]
    for _ in range(steps):
        opt.zero_grad()
        point.backward()
        opt.step()
        library.append(point.w.copy())
    library = np.array(library)  # (steps+1, 2)
    return {"lecture": lecture, "library": library, "call": call,
            "max_difference": float(np.abs(lecture - library).max())}


def momentum_average(gamma, grads):
    r"""The lecture's running average :math:`m_k` of a sequence of gradients, and PyTorch's velocity.

    :math:`m_{k} = \gamma m_{k-1} + (1-\gamma) g_k` (geometric average, :math:`m_0 = 0`) and
    :math:`v_k = \gamma v_{k-1} + g_k` (``SGD``'s buffer, :math:`v_1 = g_1`); always
    :math:`v_k = m_k / (1 - \gamma)`.

    Returns
    -------
    m, v : ndarray, shape like ``grads``

    Examples
    --------
    >>> m, v = momentum_average(0.5, [1.0, 1.0, 1.0])
    >>> m, v
    (array([0.5  , 0.75 , 0.875]), array([1.  , 1.5 , 1.75]))
    """
    gamma = check_nonnegative(gamma, "momentum_average", "gamma")
    grads = np.asarray(grads, dtype=np.float64)
    m, v = np.zeros_like(grads), np.zeros_like(grads)
    m_k, v_k = np.zeros(grads.shape[1:]), np.zeros(grads.shape[1:])
    for k, g in enumerate(grads):
        m_k = gamma * m_k + (1.0 - gamma) * g
        v_k = g.copy() if k == 0 else gamma * v_k + g
        m[k], v[k] = m_k, v_k
    return m, v


# ---------------------------------------------------------------- schedules

#: Schedules of :func:`schedule_curves`.
SCHEDULES = ("constant", "step", "cosine", "linear", "inverse sqrt")


def schedule_curves(lr0=0.1, T=100, step_size=30, gamma=0.1):
    r"""The four decays of the KIT deck for epochs :math:`t = 0 \dots T` (constant for reference).

    step :math:`a_0\gamma^{\lfloor t/\text{step\_size}\rfloor}`; cosine :math:`\frac12 a_0(1+\cos(t\pi/T))`;
    linear :math:`a_0(1 - t/T)`; inverse sqrt :math:`a_0/\sqrt t` (from :math:`t = 1`; at
    :math:`t = 0` it uses :math:`a_0`). Computed with the functions of ``nnlib.optim``.

    Returns
    -------
    dict
        ``t`` (T+1,) and one array (T+1,) per name in :data:`SCHEDULES`.

    Examples
    --------
    >>> c = schedule_curves(lr0=1.0, T=4, step_size=2, gamma=0.5)
    >>> c["step"], c["linear"]
    (array([1.  , 1.  , 0.5 , 0.5 , 0.25]), array([1.  , 0.75, 0.5 , 0.25, 0.  ]))
    """
    T = check_positive_int(T, "schedule_curves", "T")
    t = np.arange(T + 1)  # (T+1,)
    return {
        "t": t,
        "constant": np.full(T + 1, float(lr0)),
        "step": step_lr(t, lr0, step_size, gamma),
        "cosine": cosine_lr(t, lr0, T),
        "linear": linear_lr(t, lr0, T),
        "inverse sqrt": inverse_sqrt_lr(np.maximum(t, 1), lr0),
    }


def scheduler_rates(kind, lr0=0.1, T=100, step_size=30, gamma=0.1):
    """The learning rate an optimiser actually uses in epochs 1..T under a scheduler class.

    The scheduler's ``step()`` is called at the end of every epoch, as ``fit`` does.

    Returns
    -------
    ndarray, shape (T,)
        ``optimizer.lr`` during epoch 1, 2, ..., T.

    Examples
    --------
    >>> scheduler_rates("step", lr0=1.0, T=5, step_size=2, gamma=0.5)
    array([1.  , 1.  , 0.5 , 0.5 , 0.25])
    """
    T = check_positive_int(T, "scheduler_rates", "T")
    opt = SGD(SurfacePoint().parameters(), lr=lr0)
    if kind == "step":
        scheduler = StepLR(opt, step_size=step_size, gamma=gamma)
    elif kind == "cosine":
        scheduler = CosineLR(opt, T=T)
    elif kind == "linear":
        scheduler = LinearLR(opt, T=T)
    elif kind == "inverse sqrt":
        scheduler = InverseSqrtLR(opt)
    else:
        raise ValueError(f"scheduler_rates: kind must be one of {SCHEDULES[1:]}, got {kind!r}")
    rates = []
    for _ in range(T):
        rates.append(opt.lr)  # the rate used during this epoch
        scheduler.step()
    return np.array(rates)


# ---------------------------------------------------------------- second-order methods


def numerical_hessian(grad, w, eps=1e-5):
    r"""Hessian :math:`H_{ij} = \partial g_i / \partial w_j` by central differences of the gradient.

    Row i is ``nnlib.gradcheck.numerical_gradient`` of the i-th gradient component.

    Examples
    --------
    >>> numerical_hessian(bowl_grad, np.array([1.0, 1.0])).round(6)
    array([[0.01, 0.  ],
           [0.  , 2.  ]])
    """
    w = np.array(w, dtype=np.float64)  # (2,) a copy, perturbed in place
    return np.array([numerical_gradient(lambda v, i=i: grad(v)[i], w, eps) for i in range(len(w))])


def newton_quadratic(A, b, theta0):
    r"""One Newton step on :math:`L(\theta) = \frac12\theta^\top A\theta - b^\top\theta`.

    Gradient :math:`g = A\theta_0 - b`, Hessian :math:`H = A`,
    :math:`\theta_1 = \theta_0 - H^{-1}g`, which is exactly the minimum :math:`A^{-1}b`.

    Returns
    -------
    dict
        ``g``, ``H``, ``step`` (:math:`H^{-1}g`), ``theta1``, ``minimum``, ``loss0``, ``loss1``.

    Examples
    --------
    >>> r = newton_quadratic([[2.0, 0.0], [0.0, 8.0]], [2.0, 8.0], [3.0, -1.0])
    >>> r["g"], r["theta1"]
    (array([  4., -16.]), array([1., 1.]))
    """
    A = np.asarray(A, dtype=np.float64)  # (D, D)
    b = np.asarray(b, dtype=np.float64)  # (D,)
    theta0 = np.asarray(theta0, dtype=np.float64)  # (D,)
    g = A @ theta0 - b  # (D,)
    step = np.linalg.solve(A, g)  # (D,) H^-1 g without forming the inverse
    theta1 = theta0 - step  # (D,)

    def loss(theta):
        return float(0.5 * theta @ A @ theta - b @ theta)

    return {"g": g, "H": A, "step": step, "theta1": theta1, "minimum": np.linalg.solve(A, b),
            "loss0": loss(theta0), "loss1": loss(theta1)}


def newton_path(surface="rosenbrock", steps=10, start=None, damping=1.0):
    r"""Newton iterations :math:`\theta \leftarrow \theta - \text{damping}\cdot H^{-1} g` on a surface.

    The Hessian comes from :func:`numerical_hessian`. On a quadratic one undamped step
    lands on the minimum; on Rosenbrock a handful of steps do what gradient descent
    needs thousands for. (On the plateau the Hessian is not positive definite far from
    the well and plain Newton can walk uphill.)

    Returns
    -------
    dict
        ``path`` (steps+1, 2) and ``loss`` (steps+1,).

    Examples
    --------
    >>> run = newton_path("bowl", steps=1)
    >>> np.abs(run["path"][-1]).max() < 1e-6
    np.True_
    """
    spec = _surface(surface, "newton_path")
    steps = check_positive_int(steps, "newton_path", "steps")
    theta = np.array(spec["start"] if start is None else start, dtype=np.float64)  # (2,)
    path = [theta.copy()]
    for _ in range(steps):
        g = spec["grad"](theta)  # (2,)
        H = numerical_hessian(spec["grad"], theta)  # (2, 2)
        theta = theta - damping * np.linalg.solve(H, g)  # (2,)
        path.append(theta.copy())
    path = np.array(path)
    return {"path": path, "loss": spec["loss"](path[:, 0], path[:, 1])}


def steps_to_reach(losses, tol):
    """Index of the first loss ``<= tol`` (number of steps), or None if never reached.

    Examples
    --------
    >>> steps_to_reach(np.array([4.0, 1.0, 0.1, 0.01]), 0.1)
    2
    """
    below = np.flatnonzero(np.asarray(losses) <= tol)
    return int(below[0]) if below.size else None


# ---------------------------------------------------------------- digits


def digits_data(rng=0):
    """Standardised digits (training statistics), split 75/25 with a fixed seed.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
    """
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=rng)
    X_train, mean, std = standardize(X_train)
    X_test, _, _ = standardize(X_test, mean, std)
    return X_train, X_test, y_train, y_test


#: Learning rates for the digits comparison (each a sensible choice for its optimiser).
DIGITS_LR = {"SGD": 0.2, "Momentum": 0.05, "Nesterov": 0.05, "AdaGrad": 0.05, "RMSProp": 0.01,
             "Adam": 0.01}


def digits_optimizer_run(name="Adam", lr=None, epochs=5, hidden=32, batch_size=32, schedule=None,
                         data=None, rng=0):
    """Train a 64-``hidden``-10 ReLU network on the digits with one of :data:`OPTIMIZERS`.

    He weights drawn from the same seed for every optimiser, the same batches
    (``rng``), cross-entropy, ``nnlib.training.fit``. Momentum is 0.9, RMSProp's
    decay 0.9, Adam's betas (0.9, 0.999).

    Parameters
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    lr : float or None
        Learning rate; None takes :data:`DIGITS_LR`.
    epochs, hidden, batch_size : int
    schedule : {None, "step", "cosine", "linear", "inverse sqrt"}
        A learning-rate schedule over ``epochs`` (step: halve every 2 epochs).
    data : tuple, optional
        ``digits_data()`` output, to avoid reloading.
    rng : int
        Seed of the weights and batches.

    Returns
    -------
    dict
        ``history`` (``nnlib.training.History``), ``test_loss``, ``test_acc``, ``lr``.
    """
    epochs = check_positive_int(epochs, "digits_optimizer_run", "epochs")
    X_train, X_test, y_train, y_test = digits_data() if data is None else data
    lr = DIGITS_LR[name] if lr is None else lr
    generator = as_rng(rng)
    model = Sequential(Linear(64, hidden, init="he", rng=generator), ReLU(),
                       Linear(hidden, 10, init="he", rng=generator))
    opt = make_optimizer(name, model.parameters(), lr)
    schedulers = {
        None: lambda: None,
        "step": lambda: StepLR(opt, step_size=2, gamma=0.5),
        "cosine": lambda: CosineLR(opt, T=epochs),
        "linear": lambda: LinearLR(opt, T=epochs),
        "inverse sqrt": lambda: InverseSqrtLR(opt),
    }
    if schedule not in schedulers:
        raise ValueError(f"digits_optimizer_run: schedule must be one of {tuple(schedulers)}, got {schedule!r}")
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, opt, X_train, y_train, epochs=epochs, batch_size=batch_size,
                  X_val=X_test, y_val=y_test, rng=generator, scheduler=schedulers[schedule](), verbose=False)
    test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
    return {"history": history, "test_loss": test_loss, "test_acc": test_acc, "lr": float(lr)}
