r"""Learning-rate schedules: the lecture's decays as pure functions, and classes that apply them.

The pure functions give the lecture's :math:`a_t` (vectorised over t, for plots); the
classes apply them to any optimizer: call ``scheduler.step()`` once per epoch after the
epoch's optimizer steps (``fit(..., scheduler=...)`` does), and it sets every parameter
group's ``"lr"`` to :math:`a_t` for the next epoch, t = number of ``step()`` calls so far.

Each group decays from its own starting rate :math:`a_0`: as in PyTorch, the first
scheduler built on an optimizer stores every group's rate as ``group["initial_lr"]``,
and all schedulers of that optimizer start from it. The classes compute :math:`a_t` in
closed form from t (PyTorch updates most rates step by step; the two agree to rounding).
"""

import bisect
import numbers

import numpy as np

from nnlib.optim.optimizer import Optimizer
from nnlib.validation import check_nonnegative, check_positive_int


def step_lr(t, lr0, step_size, gamma=0.1):
    r"""Step decay :math:`a_t = a_0 \gamma^{\lfloor t / \text{step\_size} \rfloor}`.

    Examples
    --------
    >>> step_lr(np.arange(7), lr0=1.0, step_size=3, gamma=0.1)
    array([1.  , 1.  , 1.  , 0.1 , 0.1 , 0.1 , 0.01])
    """
    return lr0 * gamma ** (np.asarray(t) // step_size)


def multistep_lr(t, lr0, milestones, gamma=0.1):
    r"""Decay at given epochs: :math:`a_t = a_0 \gamma^{k(t)}`, k(t) = number of milestones :math:`\le t`.

    The slides' ResNet schedule, "times 0.1 after epochs 30, 60 and 90", is
    ``milestones=[30, 60, 90]``.

    Examples
    --------
    >>> multistep_lr(np.array([0, 29, 30, 59, 60, 90]), lr0=0.1, milestones=[30, 60, 90])
    array([0.1   , 0.1   , 0.01  , 0.01  , 0.001 , 0.0001])
    """
    passed = np.searchsorted(np.sort(milestones), np.asarray(t), side="right")  # milestones <= t
    return lr0 * gamma**passed


def exponential_lr(t, lr0, gamma):
    r"""Exponential decay :math:`a_t = a_0 \gamma^t`.

    Examples
    --------
    >>> exponential_lr(np.arange(4), lr0=1.0, gamma=0.5)
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    return lr0 * gamma ** np.asarray(t)


def cosine_lr(t, lr0, T):
    r"""Cosine decay :math:`a_t = \frac12 a_0 (1 + \cos(t\pi / T))`, from :math:`a_0` at 0 to 0 at T.

    For :math:`t > T` it stays at 0.

    Examples
    --------
    >>> cosine_lr(np.array([0, 5, 10, 12]), lr0=1.0, T=10)
    array([1. , 0.5, 0. , 0. ])
    """
    t = np.minimum(np.asarray(t, dtype=np.float64), T)
    return 0.5 * lr0 * (1.0 + np.cos(t * np.pi / T))


def linear_lr(t, lr0, T):
    r"""Linear decay :math:`a_t = a_0 (1 - t / T)`, reaching 0 at T and staying there.

    Examples
    --------
    >>> linear_lr(np.array([0, 5, 10, 12]), lr0=1.0, T=10)
    array([1. , 0.5, 0. , 0. ])
    """
    t = np.minimum(np.asarray(t, dtype=np.float64), T)
    return lr0 * (1.0 - t / T)


def inverse_sqrt_lr(t, lr0):
    r"""Inverse square-root decay :math:`a_t = a_0 / \sqrt{t}`, for :math:`t \ge 1`.

    Examples
    --------
    >>> inverse_sqrt_lr(np.array([1, 4, 16]), lr0=1.0)
    array([1.  , 0.5 , 0.25])
    """
    t = np.asarray(t, dtype=np.float64)
    if np.any(t < 1):
        raise ValueError("inverse_sqrt_lr: t must be >= 1 (a_0 / sqrt(t) is undefined at t = 0)")
    return lr0 / np.sqrt(t)


class LRScheduler:
    """Base class of the schedules: each group's :math:`a_0` (``base_lrs``) and the ``step()`` count ``t``.

    Subclasses implement ``_lr(t, lr0)``, the rate after t steps for a group starting at
    ``lr0``. Building a scheduler sets every group's rate to its value at t = 0.

    Attributes
    ----------
    optimizer : Optimizer
    base_lrs : list of float
        :math:`a_0` of every parameter group (``base_lr`` is the first group's).
    t : int
        Number of ``step()`` calls so far (PyTorch's ``last_epoch``).
    """

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: optimizer must be an nnlib optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.t = 0
        self._apply()

    @property
    def base_lr(self):
        """:math:`a_0` of the first parameter group."""
        return self.base_lrs[0]

    def lr_at(self, t):
        """The first group's rate after ``t`` steps."""
        return self._lr(t, self.base_lrs[0])

    def _lr(self, t, lr0):
        raise NotImplementedError

    def _apply(self):
        """Set every group's ``"lr"`` to its rate at the current ``t``."""
        for group, lr0 in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = float(self._lr(self.t, lr0))

    def step(self):
        """Advance one epoch and set every group's rate to the new :math:`a_t`; returns the first group's."""
        self.t += 1
        self._apply()
        return self.optimizer.lr

    def get_last_lr(self):
        """The current rate of every parameter group (PyTorch's name)."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self):
        return f"{type(self).__name__}(t={self.t}, lr={self.optimizer.lr})"


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs (PyTorch's ``StepLR``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> [sched.step() for _ in range(4)]
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = check_positive_int(step_size, "StepLR", "step_size")
        self.gamma = check_nonnegative(gamma, "StepLR", "gamma")
        super().__init__(optimizer)

    def _lr(self, t, lr0):
        return step_lr(t, lr0, self.step_size, self.gamma)


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each epoch in ``milestones`` (PyTorch's ``MultiStepLR``).

    :math:`a_t = a_0 \gamma^{k(t)}` with k(t) the number of milestones reached (see ``multistep_lr``).

    Parameters
    ----------
    optimizer : Optimizer
    milestones : list of int
        Epochs (counts of ``step()`` calls) at which the rate drops; increasing.
    gamma : float >= 0
        Factor per milestone.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[2, 3], gamma=0.5)
    >>> [sched.step() for _ in range(4)]
    [1.0, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, milestones, gamma=0.1):
        where = "MultiStepLR"
        if not isinstance(milestones, (list, tuple)) or not milestones:
            raise ValueError(f"{where}: milestones must be a non-empty list of epochs, got {milestones!r}")
        self.milestones = [check_positive_int(m, where, "milestone") for m in milestones]
        if self.milestones != sorted(self.milestones):
            raise ValueError(f"{where}: milestones must be increasing, got {list(milestones)}")
        self.gamma = check_nonnegative(gamma, where, "gamma")
        super().__init__(optimizer)

    def _lr(self, t, lr0):
        return lr0 * self.gamma ** bisect.bisect_right(self.milestones, t)


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch, :math:`a_t = a_0 \gamma^t` (PyTorch's ``ExponentialLR``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> [sched.step() for _ in range(3)]
    [0.5, 0.25, 0.125]
    """

    def __init__(self, optimizer, gamma):
        self.gamma = check_nonnegative(gamma, "ExponentialLR", "gamma")
        super().__init__(optimizer)

    def _lr(self, t, lr0):
        return exponential_lr(t, lr0, self.gamma)


class CosineLR(LRScheduler):
    r"""Cosine decay :math:`a_t = \frac12 a_0(1 + \cos(t\pi/T))` over ``T`` epochs.

    Same as PyTorch's ``CosineAnnealingLR(optimizer, T_max=T)`` for t <= T; after T the rate
    stays at 0 here, while PyTorch's cosine rises again (a periodic schedule).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import Adam
    >>> opt = Adam(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = CosineLR(opt, T=4)
    >>> [round(sched.step(), 4) for _ in range(4)]
    [0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, T):
        self.T = check_positive_int(T, "CosineLR", "T")
        super().__init__(optimizer)

    def _lr(self, t, lr0):
        return cosine_lr(t, lr0, self.T)


class LinearLR(LRScheduler):
    r"""Linear decay :math:`a_t = a_0 (1 - t/T)` over ``T`` epochs (the lecture's form).

    This is PyTorch's ``LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=T)``;
    PyTorch's default ``LinearLR`` (a factor rising from 1/3 to 1) is a warm-up, which nnlib
    calls ``LinearWarmupLR``.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = LinearLR(opt, T=4)
    >>> [sched.step() for _ in range(5)]
    [0.75, 0.5, 0.25, 0.0, 0.0]
    """

    def __init__(self, optimizer, T):
        self.T = check_positive_int(T, "LinearLR", "T")
        super().__init__(optimizer)

    def _lr(self, t, lr0):
        return linear_lr(t, lr0, self.T)


class InverseSqrtLR(LRScheduler):
    r"""Inverse square-root decay :math:`a_t = a_0 / \sqrt{t}`, epochs counted from t = 1.

    The first epoch (before any ``step()``) uses :math:`a_0 = a_0/\sqrt1`; after
    k calls of ``step()`` the rate is :math:`a_0 / \sqrt{k + 1}`.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = InverseSqrtLR(opt)
    >>> [round(sched.step(), 4) for _ in range(3)]
    [0.7071, 0.5774, 0.5]
    """

    def _lr(self, t, lr0):
        return inverse_sqrt_lr(t + 1, lr0)


def check_number_list(values, n_groups, where, name, check):
    """One checked number per parameter group from a number or a list of ``n_groups`` numbers."""
    if isinstance(values, (list, tuple)):
        if len(values) != n_groups:
            raise ValueError(f"{where}: {name} must have one entry per parameter group ({n_groups}), "
                             f"got {len(values)}")
        return [check(v, where, name) for v in values]
    if isinstance(values, bool) or not isinstance(values, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number or a list of numbers, got {type(values).__name__}")
    return [check(values, where, name)] * n_groups
