r"""The base class of every loss: per-entry losses, their reduction, and the backward pass.

A loss first computes one value :math:`\ell_i` per entry (regression, binary losses,
``KLDivLoss``) or per example (``CrossEntropyLoss``, ``NLLLoss``) and then **reduces**
them, with PyTorch's ``reduction`` argument:

* ``"mean"`` (default): :math:`L = \frac1S \sum_i \ell_i`, S the number of values
  (for class-weighted ``CrossEntropyLoss``/``NLLLoss``: the sum of the weights of the
  targets, PyTorch's weighted mean; examples whose label is ``ignore_index`` count for nothing,
  and a mean over no example at all is NaN with gradient 0, as in PyTorch);
* ``"sum"``: :math:`L = \sum_i \ell_i`;
* ``"none"``: no reduction, ``forward`` returns the array of the :math:`\ell_i`.

``backward(grad=None)`` returns :math:`\partial L / \partial \text{pred}` with the shape of
``pred``. ``grad`` is the upstream gradient of whatever uses the loss's output: a number
for ``"mean"``/``"sum"`` (default 1, i.e. the loss itself is minimised), an array of the
output's shape for ``"none"`` (default all ones: the gradient of the *sum* of the
:math:`\ell_i`). The :math:`1/S` of the mean is already inside the result, so it goes
straight into the last layer's ``backward``.
"""

import numbers

import numpy as np

from nnlib.validation import check_array, check_choice

REDUCTIONS = ("mean", "sum", "none")


class Loss:
    """Base class: ``__call__ = forward``; ``backward`` before ``forward`` raises ``RuntimeError``.

    Subclasses implement ``_losses(pred, target) -> (per_entry, count, cache)`` (the
    :math:`\\ell_i`, the divisor of the mean, what backward needs) and
    ``_backward(cache, upstream, divisor)``, which returns
    ``local_derivative * upstream / divisor`` with the shape of ``pred``.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}
        How the per-entry losses are combined (see the module notes).
    """

    reductions = REDUCTIONS

    def __init__(self, reduction="mean"):
        self.reduction = check_choice(reduction, type(self).__name__, "reduction", self.reductions)
        self._cache = None

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def forward(self, pred, target):
        """The loss of ``pred`` against ``target``: a float, or an array for ``reduction="none"``."""
        per_entry, count, cache = self._losses(pred, target)
        divisor = 1.0 if self.reduction in ("sum", "none") else count
        self._cache = (cache, per_entry.shape, divisor)
        if self.reduction == "none":
            return per_entry
        if divisor == 0:  # a mean over no example (every label ignored): NaN, as in PyTorch
            return float("nan")
        return float(np.sum(per_entry) / divisor)

    def backward(self, grad=None):
        """:math:`\\partial L / \\partial \\text{pred}` times the upstream ``grad`` (see the module notes)."""
        cache, shape, divisor = self._cache_or_raise()
        divisor = divisor if divisor != 0 else 1.0  # nothing was averaged: every gradient entry is 0
        return self._backward(cache, self._upstream(grad, shape), divisor)

    def _upstream(self, grad, shape):
        where = f"{type(self).__name__}.backward"
        if self.reduction == "none":
            if grad is None:
                return np.ones(shape)
            return check_array(grad, where, shape=shape, name="grad")
        if grad is None:
            return 1.0
        if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
            raise TypeError(
                f"{where}: grad must be a number for reduction={self.reduction!r} "
                f"(the loss is a number), got {type(grad).__name__}"
            )
        return float(grad)

    def _losses(self, pred, target):
        raise NotImplementedError

    def _backward(self, cache, upstream, divisor):
        raise NotImplementedError

    def _cache_or_raise(self):
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward: "
                "compute the loss first, then call backward()"
            )
        return self._cache

    def _pred_and_target(self, pred, target):
        """Both as float64 arrays of the same shape, without NaN or inf."""
        where = f"{type(self).__name__}.forward"
        pred = check_array(pred, where, name="pred")
        target = check_array(target, where, name="target")
        if pred.shape != target.shape:
            hint = ""
            if pred.size == target.size:
                hint = f"; reshape the target, e.g. target.reshape{tuple(pred.shape)}"
            raise ValueError(
                f"{where}: pred and target must have the same shape, "
                f"got {tuple(pred.shape)} and {tuple(target.shape)}{hint}"
            )
        return pred, target

    def _options(self):
        """Constructor arguments that differ from the defaults, for ``repr``."""
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"

    def __repr__(self):
        return f"{type(self).__name__}({self._options()})"


def check_weight(weight, where, name, ndim=None):
    """``None``, or ``weight`` as a float64 array without NaN/inf (of ``ndim`` dimensions if given)."""
    if weight is None:
        return None
    weight = check_array(weight, where, name=name)
    if ndim is not None and weight.ndim != ndim:
        expected = "(K,), one weight per class" if ndim == 1 else f"{ndim} dimensions"
        raise ValueError(f"{where}: {name} must have shape {expected}, got {tuple(weight.shape)}")
    return weight.copy()


def check_broadcast(weight, shape, where, name):
    """Raise unless ``weight`` broadcasts to ``shape`` (the shape of ``pred``)."""
    if weight is None:
        return
    try:
        ok = np.broadcast_shapes(weight.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{where}: {name} of shape {tuple(weight.shape)} must broadcast to pred's shape "
            f"{tuple(shape)}, got a mismatch"
        )
