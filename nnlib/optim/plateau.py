r"""``ReduceLROnPlateau``: lower the learning rate when a monitored metric stops improving.

The schedules in ``nnlib.optim.schedules`` fix the rates in advance; this one reacts to
training. After every epoch it is told a metric (usually the validation loss):
``scheduler.step(val_loss)``; ``fit(..., scheduler=...)`` passes the validation loss (or the
training loss when there is no validation set) by itself. When the metric has not
improved for more than ``patience`` epochs, every group's rate is multiplied by ``factor``.
This is the "reduce the learning rate when the validation loss plateaus" step of the
training recipe.
"""

import math
import numbers

import numpy as np

from nnlib.optim.optimizer import Optimizer
from nnlib.optim.schedules import check_number_list
from nnlib.validation import check_choice, check_in_range, check_nonnegative, check_nonnegative_int


class ReduceLROnPlateau:
    r"""Multiply the rate by ``factor`` once the metric has stalled for ``patience`` epochs (PyTorch's semantics).

    After each ``step(metric)``:

    .. code-block:: text

        if metric is better than best:  best <- metric; bad_epochs <- 0
        else:                           bad_epochs <- bad_epochs + 1
        if in cooldown:                 cooldown_counter -= 1; bad_epochs <- 0
        if bad_epochs > patience:       lr <- max(lr * factor, min_lr)  (every group, if it changes by > eps)
                                        cooldown_counter <- cooldown; bad_epochs <- 0

    "Better" for ``mode="min"``: below ``best * (1 - threshold)`` (``threshold_mode="rel"``) or
    below ``best - threshold`` (``"abs"``); for ``mode="max"`` above ``best * (1 + threshold)``
    or ``best + threshold``. So with ``patience=2`` the rate drops after the third epoch in a
    row without a (significant) improvement.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {"min", "max"}
        Whether the metric should go down (a loss) or up (an accuracy).
    factor : float in [0, 1)
        New rate = rate * factor (default 0.1).
    patience : int >= 0
        Epochs without improvement that are tolerated (default 10).
    threshold : float >= 0
        How much better counts as an improvement (default 1e-4).
    threshold_mode : {"rel", "abs"}
        Relative or absolute threshold.
    cooldown : int >= 0
        Epochs after a reduction during which bad epochs are not counted.
    min_lr : float or list of float
        Lower bound of the rate (one per group, or one for all); default 0.
    eps : float >= 0
        Reductions smaller than this are skipped (default 1e-8).

    Attributes
    ----------
    best : float
        Best metric so far.
    num_bad_epochs : int
        Epochs since the last improvement (reset by a reduction).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> from nnlib.optim import SGD
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> [sched.step(loss) for loss in [1.0, 0.8, 0.8, 0.8, 0.8, 0.7]]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        where = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: optimizer must be an nnlib optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.mode = check_choice(mode, where, "mode", ("min", "max"))
        self.factor = check_in_range(factor, where, "factor", 0.0, 1.0)
        self.patience = check_nonnegative_int(patience, where, "patience")
        self.threshold = check_nonnegative(threshold, where, "threshold")
        self.threshold_mode = check_choice(threshold_mode, where, "threshold_mode", ("rel", "abs"))
        self.cooldown = check_nonnegative_int(cooldown, where, "cooldown")
        self.min_lrs = check_number_list(min_lr, len(optimizer.param_groups), where, "min_lr", check_nonnegative)
        self.eps = check_nonnegative(eps, where, "eps")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.t = 0

    def is_better(self, metric):
        """Whether ``metric`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            limit = self.best * (1.0 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return metric < limit
        limit = self.best * (1.0 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return metric > limit

    def step(self, metrics):
        """Record one epoch's metric; lower the rates if it has stalled. Returns the first group's rate."""
        if isinstance(metrics, bool) or not isinstance(metrics, (numbers.Real, np.ndarray)) or np.ndim(metrics):
            raise TypeError(f"ReduceLROnPlateau.step: metrics must be a number (e.g. the validation loss), "
                            f"got {type(metrics).__name__}")
        current = float(metrics)
        self.t += 1
        if self.is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.optimizer.lr

    def _reduce(self):
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def get_last_lr(self):
        """The current rate of every parameter group."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self):
        return (f"ReduceLROnPlateau(mode={self.mode!r}, factor={self.factor}, patience={self.patience}, "
                f"best={self.best}, lr={self.optimizer.lr})")
