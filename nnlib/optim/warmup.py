r"""Warm-up and one-cycle schedules: ``LinearWarmupLR``, ``SequentialLR`` and ``OneCycleLR``.

Large learning rates at the very start of training can throw a freshly initialised
network (and Adam's still uncertain moment estimates) far off; a **warm-up** raises the
rate over the first few epochs. ``SequentialLR`` chains schedules, so a warm-up composes
with any decay, exactly as in PyTorch::

    warmup = LinearWarmupLR(opt, start_factor=0.1, total_iters=5)   # PyTorch: LinearLR(opt, 0.1, total_iters=5)
    decay = CosineLR(opt, T=45)                                     # PyTorch: CosineAnnealingLR(opt, T_max=45)
    scheduler = SequentialLR(opt, [warmup, decay], milestones=[5])

``OneCycleLR`` (Smith, 2018) is warm-up and decay in one: the rate rises from
``max_lr / div_factor`` to ``max_lr`` and anneals to a tiny value, while the momentum
moves the opposite way.
"""

import bisect
import math

from nnlib.optim.schedules import LRScheduler, check_number_list
from nnlib.validation import (
    check_bool,
    check_choice,
    check_in_range,
    check_nonnegative,
    check_positive,
    check_positive_int,
)


def linear_warmup_lr(t, lr0, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    r"""Linear warm-up :math:`a_t = a_0 \left(s + (e - s)\,\min(t, T)/T\right)`, s = start, e = end factor.

    Examples
    --------
    >>> [linear_warmup_lr(t, 1.0, start_factor=0.25, total_iters=3) for t in range(5)]
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return lr0 * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)


class LinearWarmupLR(LRScheduler):
    r"""Scale the rate by a factor moving linearly from ``start_factor`` to ``end_factor`` in ``total_iters`` epochs.

    :math:`a_t = a_0 (s + (e - s) \min(t, T) / T)`. This is PyTorch's ``LinearLR`` with the
    same arguments and defaults; nnlib's ``LinearLR`` is the lecture's linear *decay* to zero,
    so the warm-up has its own name. Combine it with a decay through ``SequentialLR``.

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float in (0, 1]
        Factor of the first epoch (default 1/3).
    end_factor : float in [0, 1]
        Factor from epoch ``total_iters`` on (default 1).
    total_iters : int >= 1
        Length of the warm-up in epochs (default 5).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = LinearWarmupLR(opt, start_factor=0.25, total_iters=3)
    >>> [opt.lr] + [sched.step() for _ in range(4)]
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        where = "LinearWarmupLR"
        self.start_factor = check_in_range(start_factor, where, "start_factor", 0.0, 1.0,
                                           low_open=True, high_open=False)
        self.end_factor = check_in_range(end_factor, where, "end_factor", 0.0, 1.0, high_open=False)
        self.total_iters = check_positive_int(total_iters, where, "total_iters")
        super().__init__(optimizer)

    def _lr(self, t, lr0):
        return linear_warmup_lr(t, lr0, self.start_factor, self.end_factor, self.total_iters)


class SequentialLR:
    """Run schedules one after the other, switching at the given epochs (PyTorch's ``SequentialLR``).

    ``schedulers[0]`` runs until epoch ``milestones[0]``, then ``schedulers[1]`` starts
    from its own t = 0 (at the groups' starting rates), and so on.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer all the schedulers belong to.
    schedulers : list of LRScheduler
        Built on ``optimizer`` (not ``ReduceLROnPlateau``, which needs a metric).
    milestones : list of int
        Increasing epochs at which to switch; one fewer than ``schedulers``.

    Examples
    --------
    Two epochs of warm-up, then a step decay:

    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD, StepLR
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> warmup = LinearWarmupLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = StepLR(opt, step_size=2, gamma=0.1)
    >>> sched = SequentialLR(opt, [warmup, decay], milestones=[2])
    >>> [opt.lr] + [round(sched.step(), 6) for _ in range(5)]
    [0.5, 0.75, 1.0, 1.0, 0.1, 0.1]
    """

    def __init__(self, optimizer, schedulers, milestones):
        where = "SequentialLR"
        if not isinstance(schedulers, (list, tuple)) or not schedulers:
            raise ValueError(f"{where}: schedulers must be a non-empty list, got {schedulers!r}")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(
                    f"{where}: schedulers[{i}] must be a schedule such as StepLR or LinearWarmupLR, "
                    f"got {type(scheduler).__name__}"
                )
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{where}: schedulers[{i}] belongs to another optimizer; build every "
                                 "scheduler on the optimizer given to SequentialLR")
        if not isinstance(milestones, (list, tuple)) or len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{where}: milestones must be a list of {len(schedulers) - 1} epochs (one fewer than "
                f"the {len(schedulers)} schedulers), got {milestones!r}"
            )
        self.milestones = [check_positive_int(m, where, "milestone") for m in milestones]
        if any(b <= a for a, b in zip(self.milestones, self.milestones[1:])):
            raise ValueError(f"{where}: milestones must be strictly increasing, got {list(milestones)}")
        self.optimizer = optimizer
        self.schedulers = list(schedulers)
        self.t = 0
        for scheduler in self.schedulers:  # undo what building them did
            scheduler.t = 0
        self.schedulers[0]._apply()  # the first schedule's rate at t = 0

    def step(self):
        """Advance one epoch in the schedule that is active now; returns the first group's rate."""
        self.t += 1
        index = bisect.bisect_right(self.milestones, self.t)
        scheduler = self.schedulers[index]
        if index > 0 and self.milestones[index - 1] == self.t:
            scheduler.t = 0  # a new schedule starts from its beginning
            scheduler._apply()
        else:
            scheduler.step()
        return self.optimizer.lr

    def get_last_lr(self):
        """The current rate of every parameter group."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self):
        names = ", ".join(type(s).__name__ for s in self.schedulers)
        return f"SequentialLR([{names}], milestones={self.milestones}, t={self.t})"


def anneal(start, end, pct, strategy="cos"):
    r"""Go from ``start`` (pct = 0) to ``end`` (pct = 1): cosine :math:`e + \frac{s - e}2(1 + \cos \pi p)` or linear.

    >>> anneal(1.0, 0.0, 0.5), anneal(1.0, 0.0, 0.25, "linear")
    (0.5, 0.75)
    """
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith, 2018), PyTorch's ``OneCycleLR``: warm up to ``max_lr``, then anneal far below.

    Over ``total_steps`` calls of ``step()`` (usually one per mini-batch; once per epoch with
    ``fit``) the rate goes from ``initial_lr = max_lr / div_factor`` up to ``max_lr`` in the first
    ``pct_start`` of the steps, then down to ``initial_lr / final_div_factor``; each piece is a
    half cosine (or linear). The momentum (SGD's ``momentum``, Adam's :math:`\beta_1`) moves
    the other way, from ``max_momentum`` down to ``base_momentum`` and back. With
    ``three_phase=True`` the rate first returns to ``initial_lr`` symmetrically and only then
    anneals to the minimum.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
        Peak rate (one per parameter group, or one for all).
    total_steps : int, optional
        Length of the cycle; or give ``epochs`` and ``steps_per_epoch`` (their product).
    epochs, steps_per_epoch : int, optional
    pct_start : float in [0, 1]
        Share of the cycle spent rising (default 0.3).
    anneal_strategy : {"cos", "linear"}
    cycle_momentum : bool
        Also cycle the momentum (needs an optimizer with ``momentum`` or ``betas``).
    base_momentum, max_momentum : float
        Momentum at the peak rate and at the ends (defaults 0.85 and 0.95).
    div_factor, final_div_factor : float > 0
        ``initial_lr = max_lr / div_factor``, final rate ``initial_lr / final_div_factor``.
    three_phase : bool

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    >>> rates = [opt.lr] + [sched.step() for _ in range(9)]
    >>> [round(r, 4) for r in rates]                 # up in 3 steps (pct_start 0.3), then down
    [0.04, 0.52, 1.0, 0.8571, 0.7143, 0.5714, 0.4286, 0.2857, 0.1429, 0.0]
    >>> round(opt.param_groups[0]["momentum"], 4)    # back at max_momentum
    0.95
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False):
        where = "OneCycleLR"
        if not isinstance(getattr(optimizer, "param_groups", None), list):
            raise TypeError(f"{where}: optimizer must be an nnlib optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = check_positive_int(total_steps, where, "total_steps")
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (check_positive_int(epochs, where, "epochs")
                                * check_positive_int(steps_per_epoch, where, "steps_per_epoch"))
        else:
            raise ValueError(f"{where}: give total_steps, or epochs and steps_per_epoch")
        self.pct_start = check_in_range(pct_start, where, "pct_start", 0.0, 1.0, high_open=False)
        self.anneal_strategy = check_choice(anneal_strategy, where, "anneal_strategy", ("cos", "linear"))
        self.cycle_momentum = check_bool(cycle_momentum, where, "cycle_momentum")
        self.three_phase = check_bool(three_phase, where, "three_phase")
        div_factor = check_positive(div_factor, where, "div_factor")
        final_div_factor = check_positive(final_div_factor, where, "final_div_factor")
        groups = optimizer.param_groups
        max_lrs = check_number_list(max_lr, len(groups), where, "max_lr", check_nonnegative)
        for group, peak in zip(groups, max_lrs):
            group["initial_lr"] = peak / div_factor
            group["max_lr"] = peak
            group["min_lr"] = group["initial_lr"] / final_div_factor
        if self.cycle_momentum:
            self.use_beta1 = "betas" in optimizer.defaults
            if not self.use_beta1 and "momentum" not in optimizer.defaults:
                raise ValueError(f"{where}: cycle_momentum=True needs an optimizer with momentum or betas, "
                                 f"got {type(optimizer).__name__}; pass cycle_momentum=False")
            highs = check_number_list(max_momentum, len(groups), where, "max_momentum", check_nonnegative)
            lows = check_number_list(base_momentum, len(groups), where, "base_momentum", check_nonnegative)
            for group, high, low in zip(groups, highs, lows):
                group["max_momentum"], group["base_momentum"] = high, low
        self.phases = self._phases()
        ends = [0.0] + [phase[0] for phase in self.phases]
        if any(b <= a for a, b in zip(ends, ends[1:])):
            raise ValueError(f"{where}: with total_steps={self.total_steps} and pct_start={self.pct_start} "
                             "a phase of the cycle has no steps; use more steps or another pct_start")
        super().__init__(optimizer)

    def _phases(self):
        """``(end_step, start_lr, end_lr, start_momentum, end_momentum)`` per phase (group keys)."""
        T, pct = self.total_steps, self.pct_start
        if self.three_phase:
            return [(float(pct * T) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (float(2 * pct * T) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                    (T - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        return [(float(pct * T) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (T - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]

    def _position(self, t):
        """The phase that step t falls into and how far along it is (0..1)."""
        start = 0.0
        for i, phase in enumerate(self.phases):
            end = phase[0]
            if t <= end or i == len(self.phases) - 1:
                return phase, (t - start) / (end - start)
            start = end

    def lr_at(self, t):
        (_, lr_from, lr_to, _, _), pct = self._position(t)
        group = self.optimizer.param_groups[0]
        return anneal(group[lr_from], group[lr_to], pct, self.anneal_strategy)

    def _apply(self):
        if self.t > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {self.t} times; the cycle has total_steps "
                             f"= {self.total_steps}")
        (_, lr_from, lr_to, m_from, m_to), pct = self._position(self.t)
        for group in self.optimizer.param_groups:
            group["lr"] = anneal(group[lr_from], group[lr_to], pct, self.anneal_strategy)
            if self.cycle_momentum:
                momentum = anneal(group[m_from], group[m_to], pct, self.anneal_strategy)
                if self.use_beta1:
                    group["betas"] = (momentum, group["betas"][1])
                else:
                    group["momentum"] = momentum
