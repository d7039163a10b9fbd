r"""Loss functions: ``loss.forward(pred, target) -> float``, ``loss.backward() -> dL/dpred``.

By default every loss is a **mean**: over all entries for the regression and binary
losses (PyTorch's default ``reduction="mean"``), over the N examples for the
classification losses. ``reduction="sum"`` adds the per-entry losses up and
``reduction="none"`` returns them as an array (see ``nnlib.reduction``). ``backward``
returns :math:`\partial L / \partial \text{pred}` with the shape of ``pred``, ready to
feed into the last layer's ``backward``; the :math:`1/N` of the mean is already inside it.

All of them stay finite for extreme inputs: cross-entropy works on logits with
log-sum-exp, ``BCEWithLogitsLoss`` uses :math:`\max(z,0) - zy + \log(1 + e^{-|z|})`,
and ``BCELoss`` clips probabilities by the machine epsilon of their dtype.

This module holds the regression losses, the binary cross-entropies and the hinge loss;
the multi-class family (``CrossEntropyLoss``, ``NLLLoss``, ``KLDivLoss``) lives in
``nnlib.cross_entropy`` and is importable from here too.
"""

import numpy as np

from nnlib import functional as F
from nnlib.cross_entropy import CrossEntropyLoss, KLDivLoss, NLLLoss
from nnlib.reduction import Loss, check_broadcast, check_weight
from nnlib.validation import check_positive

__all__ = [
    "Loss", "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss",
    "CrossEntropyLoss", "NLLLoss", "KLDivLoss",
]


# ---------------------------------------------------------------- regression


class MSELoss(Loss):
    r"""Mean squared error :math:`L = \frac{1}{S} \sum_i (\hat y_i - y_i)^2` over all S entries.

    :math:`\partial L / \partial \hat y_i = 2 (\hat y_i - y_i) / S`.

    Convention: PyTorch's ``MSELoss`` has no factor 1/2. Some slides (the
    Karlsruhe deck's 2-3-1 example) use :math:`\frac12 (\hat y - y)^2`, whose
    gradient is :math:`\hat y - y`, i.e. half of this one; multiply by 1/2 (or
    halve the learning rate) to reproduce such numbers.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
        Mean (default) or sum of the per-entry losses, or the array of them.

    Shape
    -----
    ``pred`` and ``target`` the same shape, e.g. ``(N, 1)``; ``backward`` returns that shape.

    Examples
    --------
    >>> loss = MSELoss()
    >>> round(loss(np.array([[1.4]]), np.array([[1.0]])), 12)
    0.16
    >>> loss.backward()             # 2 (1.4 - 1) / 1
    array([[0.8]])
    >>> MSELoss(reduction="none")(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    array([1., 9.])
    """

    def _losses(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        diff = pred - target  # same shape as pred
        return diff**2, diff.size, diff

    def _backward(self, diff, upstream, divisor):
        return 2.0 * diff * upstream / divisor  # same shape as pred


class L1Loss(Loss):
    r"""Mean absolute error :math:`L = \frac1S \sum_i |\hat y_i - y_i|`.

    :math:`\partial L / \partial \hat y_i = \mathrm{sign}(\hat y_i - y_i) / S` (0 where they are equal).

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
        Mean (default) or sum of the per-entry losses, or the array of them.

    Shape
    -----
    ``pred`` and ``target`` the same shape.

    Examples
    --------
    >>> loss = L1Loss()
    >>> loss(np.array([[1.0], [4.0]]), np.array([[2.0], [2.0]]))
    1.5
    >>> loss.backward()
    array([[-0.5],
           [ 0.5]])
    """

    def _losses(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        diff = pred - target  # same shape as pred
        return np.abs(diff), diff.size, diff

    def _backward(self, diff, upstream, divisor):
        return np.sign(diff) * upstream / divisor  # same shape as pred


class HuberLoss(Loss):
    r"""Huber loss: quadratic for small errors, linear for large ones (robust to outliers).

    With :math:`d = \hat y - y`,

    .. math:: \ell(d) = \begin{cases} \frac12 d^2 & |d| < \delta \\
              \delta (|d| - \frac12 \delta) & \text{otherwise} \end{cases}, \qquad
              L = \frac1S \sum_i \ell(d_i),

    and :math:`\ell'(d) = d` for :math:`|d| < \delta`, else :math:`\delta\,\mathrm{sign}(d)`
    (PyTorch's ``HuberLoss``).

    Parameters
    ----------
    delta : float > 0
        Where the quadratic part turns linear.
    reduction : {"mean", "sum", "none"}
        Mean (default) or sum of the per-entry losses, or the array of them.
        (PyTorch's positional order is ``HuberLoss(reduction, delta)``; pass both by name.)

    Shape
    -----
    ``pred`` and ``target`` the same shape.

    Examples
    --------
    >>> loss = HuberLoss(delta=1.0)
    >>> loss(np.array([0.5, 3.0]), np.array([0.0, 0.0]))   # (0.125 + 2.5) / 2
    1.3125
    >>> loss.backward()
    array([0.25, 0.5 ])
    """

    def __init__(self, delta=1.0, reduction="mean"):
        super().__init__(reduction)
        self.delta = check_positive(delta, "HuberLoss", "delta")

    def _losses(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        diff = pred - target  # same shape as pred
        small = np.abs(diff) < self.delta  # quadratic region
        per_entry = np.where(small, 0.5 * diff**2, self.delta * (np.abs(diff) - 0.5 * self.delta))
        return per_entry, diff.size, (diff, small)

    def _backward(self, cache, upstream, divisor):
        diff, small = cache
        slope = np.where(small, diff, self.delta * np.sign(diff))  # l'(d)
        return slope * upstream / divisor  # same shape as pred

    def _options(self):
        return ", ".join(filter(None, [f"delta={self.delta}", super()._options()]))


# ---------------------------------------------------------------- binary classification


class BCELoss(Loss):
    r"""Binary cross-entropy on probabilities :math:`a \in (0, 1)` (e.g. a ``Sigmoid`` output).

    .. math:: L = -\frac1S \sum_i \big[y_i \log a_i + (1 - y_i) \log(1 - a_i)\big],
              \qquad \frac{\partial L}{\partial a_i} = \frac{a_i - y_i}{a_i (1 - a_i)} \cdot \frac1S .

    Behind a sigmoid the chain rule gives :math:`\delta = (a - y)/S`, the lecture's
    "a minus y". Probabilities are first clipped to
    :math:`[\epsilon, 1 - \epsilon]` with :math:`\epsilon` the machine epsilon of
    the dtype (``np.finfo(a.dtype).eps``), so a saturated sigmoid (exactly 0 or 1)
    gives a large but finite loss. PyTorch instead clamps each log at -100, so the
    two agree except for probabilities within about 1e-16 of 0 or 1. For logits,
    ``BCEWithLogitsLoss`` is stable without any clipping.

    Parameters
    ----------
    weight : array_like, optional
        A rescaling weight :math:`w_i` per entry, broadcast against ``pred``:
        :math:`\ell_i = -w_i[y_i \log a_i + (1 - y_i)\log(1 - a_i)]` (PyTorch's ``weight``).
    reduction : {"mean", "sum", "none"}
        Mean (default) or sum of the per-entry losses, or the array of them.

    Shape
    -----
    ``pred`` and ``target`` the same shape, e.g. ``(N, 1)``. Targets are 0/1 labels
    (soft labels in [0, 1] are accepted too).

    Examples
    --------
    >>> loss = BCELoss()
    >>> round(loss(np.array([[0.8], [0.4]]), np.array([[1.0], [0.0]])), 6)   # -(ln 0.8 + ln 0.6)/2
    0.366985
    >>> loss.backward()
    array([[-0.625     ],
           [ 0.83333333]])
    """

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.weight = check_weight(weight, "BCELoss", "weight")

    def _losses(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        if np.any((pred < 0) | (pred > 1)):
            raise ValueError(
                f"BCELoss.forward: pred must be probabilities in [0, 1], got values in "
                f"[{pred.min():g}, {pred.max():g}]; apply Sigmoid first or use BCEWithLogitsLoss"
            )
        _check_binary_target(target, "BCELoss.forward")
        check_broadcast(self.weight, pred.shape, "BCELoss.forward", "weight")
        eps = np.finfo(pred.dtype).eps
        a = np.clip(pred, eps, 1.0 - eps)  # keeps log(a) and log(1 - a) finite
        per_entry = -(target * np.log(a) + (1.0 - target) * np.log1p(-a))  # same shape as pred
        if self.weight is not None:
            per_entry = per_entry * self.weight
        return per_entry, a.size, (a, target)

    def _backward(self, cache, upstream, divisor):
        a, y = cache
        local = (a - y) / (a * (1.0 - a))  # d l_i / d a_i
        if self.weight is not None:
            local = local * self.weight
        return local * upstream / divisor  # same shape as pred

    def _options(self):
        weight = "" if self.weight is None else f"weight={self.weight}"
        return ", ".join(filter(None, [weight, super()._options()]))


class BCEWithLogitsLoss(Loss):
    r"""Binary cross-entropy on logits :math:`z`, with the sigmoid built in; stable for any z.

    :math:`L = \frac1S \sum_i \ell(z_i, y_i)` with :math:`a = \sigma(z)` and

    .. math:: \ell = -[y \log a + (1-y)\log(1-a)] = \max(z, 0) - z y + \log(1 + e^{-|z|}),

    where the right-hand form never overflows (:math:`e^{-|z|} \le 1`). The gradient
    is the lecture's :math:`\partial L / \partial z = (\sigma(z) - y)/S`.

    ``pos_weight`` :math:`p` multiplies the loss of the positive examples, as PyTorch does:
    :math:`\ell = -[p\,y \log a + (1-y)\log(1-a)]`, with gradient
    :math:`(1 - y)\,\sigma(z) - p\,y\,(1 - \sigma(z))`. With :math:`p = n_{neg}/n_{pos}`
    the rare positive class weighs as much as the negatives in total.

    Parameters
    ----------
    weight : array_like, optional
        A rescaling weight per entry, broadcast against ``pred``.
    reduction : {"mean", "sum", "none"}
        Mean (default) or sum of the per-entry losses, or the array of them.
    pos_weight : array_like, optional
        Weight of the positive examples, one per output column (broadcast against ``pred``,
        e.g. shape ``(K,)`` for ``(N, K)`` logits, or a single number).

    Shape
    -----
    ``pred`` (logits) and ``target`` (0/1) the same shape, e.g. ``(N, 1)``.

    Examples
    --------
    >>> loss = BCEWithLogitsLoss()
    >>> round(loss(np.array([[0.0], [1e4]]), np.array([[1.0], [1.0]])), 6)   # (ln 2 + 0) / 2
    0.346574
    >>> loss.backward()
    array([[-0.25],
           [ 0.  ]])
    >>> round(BCEWithLogitsLoss(pos_weight=3.0)(np.array([0.0]), np.array([1.0])), 6)   # 3 ln 2
    2.079442
    """

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight = check_weight(weight, "BCEWithLogitsLoss", "weight")
        self.pos_weight = check_weight(pos_weight, "BCEWithLogitsLoss", "pos_weight")

    def _losses(self, pred, target):
        where = "BCEWithLogitsLoss.forward"
        Z, Y = self._pred_and_target(pred, target)
        _check_binary_target(Y, where)
        check_broadcast(self.weight, Z.shape, where, "weight")
        check_broadcast(self.pos_weight, Z.shape, where, "pos_weight")
        if self.pos_weight is None:
            per_entry = np.maximum(Z, 0.0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))  # same shape as Z
        else:  # -[p y log sigma(z) + (1 - y) log(1 - sigma(z))], written without overflow
            log_weight = 1.0 + (self.pos_weight - 1.0) * Y  # p for positives, 1 for negatives
            per_entry = (1.0 - Y) * Z + log_weight * (np.log1p(np.exp(-np.abs(Z))) + np.maximum(-Z, 0.0))
        if self.weight is not None:
            per_entry = per_entry * self.weight
        return per_entry, Z.size, (Z, Y)

    def _backward(self, cache, upstream, divisor):
        Z, Y = cache
        a = F.sigmoid(Z)  # same shape as Z
        if self.pos_weight is None:
            local = a - Y  # the lecture's a - y
        else:
            local = (1.0 - Y) * a - self.pos_weight * Y * (1.0 - a)
        if self.weight is not None:
            local = local * self.weight
        return local * upstream / divisor  # same shape as pred

    def _options(self):
        weight = "" if self.weight is None else f"weight={self.weight}"
        pos = "" if self.pos_weight is None else f"pos_weight={self.pos_weight}"
        return ", ".join(filter(None, [weight, super()._options(), pos]))


def _check_binary_target(target, where):
    """Targets of the binary cross-entropies must lie in [0, 1] (0/1 labels or soft labels)."""
    if np.any((target < 0) | (target > 1)):
        raise ValueError(
            f"{where}: target must hold 0/1 labels (values in [0, 1]), got values in "
            f"[{target.min():g}, {target.max():g}]; for -1/+1 labels use (y + 1) / 2"
        )


class HingeLoss(Loss):
    r"""Hinge (maximum-margin) loss for scores :math:`f` and labels :math:`y \in \{-1, +1\}`.

    .. math:: L = \frac1S \sum_i \max(0,\ 1 - y_i f_i), \qquad
              \frac{\partial L}{\partial f_i} = \begin{cases} -y_i / S & y_i f_i < 1 \\ 0 & \text{otherwise}\end{cases}

    Examples outside the margin (:math:`y f \ge 1`) contribute nothing. (PyTorch has no
    such loss; ``torch.clamp(1 - y * f, min=0).mean()`` computes it.)

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
        Mean (default) or sum of the per-entry losses, or the array of them.

    Shape
    -----
    ``pred`` (scores) and ``target`` (-1/+1) the same shape, e.g. ``(N,)`` or ``(N, 1)``.

    Examples
    --------
    >>> loss = HingeLoss()
    >>> loss(np.array([2.0, 0.5, -1.0]), np.array([1.0, 1.0, 1.0]))   # (0 + 0.5 + 2) / 3
    0.8333333333333334
    >>> loss.backward()
    array([ 0.        , -0.33333333, -0.33333333])
    """

    def _losses(self, pred, target):
        f, y = self._pred_and_target(pred, target)
        if not np.all((y == 1) | (y == -1)):
            raise ValueError(
                f"HingeLoss.forward: target must hold labels -1 or +1, got values "
                f"{np.unique(y)[:5]}; convert 0/1 labels with 2 * y - 1"
            )
        margin = 1.0 - y * f  # same shape as f
        return np.maximum(margin, 0.0), y.size, (y, margin > 0)

    def _backward(self, cache, upstream, divisor):
        y, active = cache
        return np.where(active, -y, 0.0) * upstream / divisor  # same shape as pred
