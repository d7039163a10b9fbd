r"""Loss functions: ``loss.forward(pred, target) -> float``, ``loss.backward() -> dL/dpred``.

Every loss is a **mean**: over all entries for the regression losses (as in
PyTorch's default ``reduction="mean"``), over the N examples for the
classification losses. ``backward`` returns :math:`\partial L / \partial \text{pred}`
with the shape of ``pred``, ready to feed into the last layer's ``backward``;
the :math:`1/N` of the mean is already inside it.

All of them stay finite for extreme inputs: cross-entropy works on logits with
log-sum-exp, ``BCEWithLogitsLoss`` uses :math:`\max(z,0) - zy + \log(1 + e^{-|z|})`,
and ``BCELoss`` clips probabilities by the machine epsilon of their dtype.
"""

import numpy as np

from nnlib import functional as F
from nnlib.validation import check_array


class Loss:
    """Base class: ``__call__ = forward``; ``backward`` before ``forward`` raises ``RuntimeError``."""

    def __init__(self):
        self._cache = None

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def forward(self, pred, target):
        raise NotImplementedError

    def backward(self):
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

    def __repr__(self):
        return f"{type(self).__name__}()"


# ---------------------------------------------------------------- regression


class MSELoss(Loss):
    r"""Mean squared error :math:`L = \frac{1}{S} \sum_i (\hat y_i - y_i)^2` over all S entries.

    :math:`\partial L / \partial \hat y_i = 2 (\hat y_i - y_i) / S`.

    Convention: PyTorch's ``MSELoss`` has no factor 1/2. Some slides (the
    Karlsruhe deck's 2-3-1 example) use :math:`\frac12 (\hat y - y)^2`, whose
    gradient is :math:`\hat y - y`, i.e. half of this one; multiply by 1/2 (or
    halve the learning rate) to reproduce such numbers.

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
    """

    def forward(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        diff = pred - target  # same shape as pred
        self._cache = diff
        return float(np.mean(diff**2))

    def backward(self):
        diff = self._cache_or_raise()
        return 2.0 * diff / diff.size  # same shape as pred


class L1Loss(Loss):
    r"""Mean absolute error :math:`L = \frac1S \sum_i |\hat y_i - y_i|`.

    :math:`\partial L / \partial \hat y_i = \mathrm{sign}(\hat y_i - y_i) / S` (0 where they are equal).

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

    def forward(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        diff = pred - target  # same shape as pred
        self._cache = diff
        return float(np.mean(np.abs(diff)))

    def backward(self):
        diff = self._cache_or_raise()
        return np.sign(diff) / diff.size  # same shape as pred


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

    def __init__(self, delta=1.0):
        super().__init__()
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not delta > 0:
            raise ValueError(f"HuberLoss: delta must be a number > 0, got {delta!r}")
        self.delta = float(delta)

    def forward(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        diff = pred - target  # same shape as pred
        small = np.abs(diff) < self.delta  # quadratic region
        per_entry = np.where(small, 0.5 * diff**2, self.delta * (np.abs(diff) - 0.5 * self.delta))
        self._cache = (diff, small)
        return float(np.mean(per_entry))

    def backward(self):
        diff, small = self._cache_or_raise()
        slope = np.where(small, diff, self.delta * np.sign(diff))  # l'(d)
        return slope / diff.size  # same shape as pred

    def __repr__(self):
        return f"HuberLoss(delta={self.delta})"


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

    def forward(self, pred, target):
        pred, target = self._pred_and_target(pred, target)
        if np.any((pred < 0) | (pred > 1)):
            raise ValueError(
                f"BCELoss.forward: pred must be probabilities in [0, 1], got values in "
                f"[{pred.min():g}, {pred.max():g}]; apply Sigmoid first or use BCEWithLogitsLoss"
            )
        _check_binary_target(target, "BCELoss.forward")
        eps = np.finfo(pred.dtype).eps
        a = np.clip(pred, eps, 1.0 - eps)  # keeps log(a) and log(1 - a) finite
        self._cache = (a, target)
        return float(-np.mean(target * np.log(a) + (1.0 - target) * np.log1p(-a)))

    def backward(self):
        a, y = self._cache_or_raise()
        return (a - y) / (a * (1.0 - a)) / a.size  # same shape as pred


class BCEWithLogitsLoss(Loss):
    r"""Binary cross-entropy on logits :math:`z`, with the sigmoid built in; stable for any z.

    :math:`L = \frac1S \sum_i \ell(z_i, y_i)` with :math:`a = \sigma(z)` and

    .. math:: \ell = -[y \log a + (1-y)\log(1-a)] = \max(z, 0) - z y + \log(1 + e^{-|z|}),

    where the right-hand form never overflows (:math:`e^{-|z|} \le 1`). The gradient
    is the lecture's :math:`\partial L / \partial z = (\sigma(z) - y)/S`.

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
    """

    def forward(self, pred, target):
        Z, Y = self._pred_and_target(pred, target)
        _check_binary_target(Y, "BCEWithLogitsLoss.forward")
        per_entry = np.maximum(Z, 0.0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))  # same shape as Z
        self._cache = (Z, Y)
        return float(np.mean(per_entry))

    def backward(self):
        Z, Y = self._cache_or_raise()
        return (F.sigmoid(Z) - Y) / Z.size  # (a - y) / S


def _check_binary_target(target, where):
    """Targets of the binary cross-entropies must lie in [0, 1] (0/1 labels or soft labels)."""
    if np.any((target < 0) | (target > 1)):
        raise ValueError(
            f"{where}: target must hold 0/1 labels (values in [0, 1]), got values in "
            f"[{target.min():g}, {target.max():g}]; for -1/+1 labels use (y + 1) / 2"
        )


# ---------------------------------------------------------------- multi-class


class CrossEntropyLoss(Loss):
    r"""Softmax cross-entropy on logits, :math:`L = -\frac1N \sum_n \sum_k y_{nk} \log a_{nk}`.

    :math:`a_n = \mathrm{softmax}(z_n)` is never formed for the loss itself:
    :math:`\log a_{nk} = z_{nk} - \log\sum_j e^{z_{nj}}` (log-sum-exp, max-shifted), so the
    loss is finite for any logits. The gradient with respect to the logits is the
    lecture's softmax + cross-entropy result

    .. math:: \frac{\partial L}{\partial Z} = \frac{A - Y}{N}.

    Do **not** put a ``Softmax`` layer before this loss: it takes raw scores (as PyTorch's).

    Shape
    -----
    ``pred``: logits ``(N, K)``. ``target``: class indices ``(N,)`` with values
    ``0..K-1``, or one-hot rows ``(N, K)`` (any probability rows are accepted).
    ``backward`` returns ``(N, K)``.

    Examples
    --------
    >>> loss = CrossEntropyLoss()
    >>> round(loss(np.array([[0.0, np.log(3.0)]]), np.array([1])), 6)   # -ln 0.75
    0.287682
    >>> loss.backward()                                                 # a - y
    array([[ 0.25, -0.25]])
    """

    def forward(self, pred, target):
        Z = check_array(pred, "CrossEntropyLoss.forward", shape=("N", "K"), name="pred")
        Y = self._target_as_rows(target, Z.shape)  # (N, K)
        log_A = F.log_softmax(Z)  # (N, K)
        self._cache = (np.exp(log_A), Y)
        return float(-np.sum(Y * log_A) / Z.shape[0])

    def backward(self):
        A, Y = self._cache_or_raise()
        return (A - Y) / A.shape[0]  # (N, K)

    @staticmethod
    def _target_as_rows(target, shape):
        """Class indices (N,) -> one-hot (N, K); probability rows (N, K) are checked and kept."""
        where = "CrossEntropyLoss.forward"
        N, K = shape
        target = np.asarray(target)
        if target.shape == (N,):
            if not np.issubdtype(target.dtype, np.number) or np.issubdtype(target.dtype, np.complexfloating):
                raise TypeError(f"{where}: target class indices must be integers, got dtype {target.dtype}")
            if not np.all(np.isfinite(target) & (target == np.round(target))):
                raise ValueError(
                    f"{where}: target class indices must be whole numbers 0..{K - 1}; "
                    "for probabilities pass one-hot rows of shape (N, K)"
                )
            labels = target.astype(np.int64)
            bad = (labels < 0) | (labels >= K)
            if np.any(bad):
                raise ValueError(
                    f"{where}: target class index {labels[bad][0]} is out of range for {K} classes "
                    f"(indices must be in 0..{K - 1}); the last layer needs one output per class"
                )
            return F.one_hot(labels, K)
        if target.shape == (N, K):
            Y = check_array(target, where, name="target")
            if np.any((Y < 0) | (Y > 1)) or not np.allclose(Y.sum(axis=1), 1.0, atol=1e-6):
                raise ValueError(
                    f"{where}: one-hot target rows must be non-negative and sum to 1"
                )
            return Y
        raise ValueError(
            f"{where}: target must have shape ({N},) with class indices or ({N}, {K}) one-hot, "
            f"got {tuple(target.shape)}"
        )


class HingeLoss(Loss):
    r"""Hinge (maximum-margin) loss for scores :math:`f` and labels :math:`y \in \{-1, +1\}`.

    .. math:: L = \frac1S \sum_i \max(0,\ 1 - y_i f_i), \qquad
              \frac{\partial L}{\partial f_i} = \begin{cases} -y_i / S & y_i f_i < 1 \\ 0 & \text{otherwise}\end{cases}

    Examples outside the margin (:math:`y f \ge 1`) contribute nothing.

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

    def forward(self, pred, target):
        f, y = self._pred_and_target(pred, target)
        if not np.all((y == 1) | (y == -1)):
            raise ValueError(
                f"HingeLoss.forward: target must hold labels -1 or +1, got values "
                f"{np.unique(y)[:5]}; convert 0/1 labels with 2 * y - 1"
            )
        margin = 1.0 - y * f  # same shape as f
        self._cache = (y, margin > 0)
        return float(np.mean(np.maximum(margin, 0.0)))

    def backward(self):
        y, active = self._cache_or_raise()
        return np.where(active, -y, 0.0) / y.size  # same shape as pred
