r"""The cross-entropy family on class distributions: ``CrossEntropyLoss``, ``NLLLoss``, ``KLDivLoss``.

All three compare a predicted distribution over K classes with a target one, with
PyTorch's names, arguments and semantics:

* ``CrossEntropyLoss`` takes **logits** and applies log-softmax itself (the usual choice);
* ``NLLLoss`` takes **log-probabilities** (e.g. from ``LogSoftmax``) and class indices:
  ``LogSoftmax`` + ``NLLLoss`` is ``CrossEntropyLoss``;
* ``KLDivLoss`` takes log-probabilities and a target distribution and measures
  :math:`\mathrm{KL}(y \,\|\, p) = \sum_k y_k (\log y_k - \log p_k)`, the cross-entropy
  minus the target's own entropy (so it is 0 when the prediction equals the target).

Class weights :math:`w_k` make mistakes on some classes count more. PyTorch's weighted
**mean** for class-index targets divides by the total weight of the targets,
:math:`L = \sum_n w_{y_n} \ell_n / \sum_n w_{y_n}`, not by N; for probability targets
``(N, K)`` it divides by N. Both are reproduced exactly.
"""

import numpy as np

from nnlib import functional as F
from nnlib.reduction import Loss, check_weight
from nnlib.validation import check_array, check_bool, check_in_range, check_int

IGNORE_INDEX = -100  # PyTorch's default: a label that marks an example to leave out


def class_indices(target, N, K, where, ignore_index=IGNORE_INDEX):
    """``target`` as int64 class indices (N,) and the mask (N,) of the kept examples, with clear errors.

    Examples whose label equals ``ignore_index`` are left out (mask False, label set to 0).
    """
    target = np.asarray(target)
    if target.dtype.kind not in "iuf":  # ints, or floats holding whole numbers
        raise TypeError(f"{where}: target class indices must be integers, got dtype {target.dtype}")
    if target.dtype.kind == "f" and not np.all(np.isfinite(target) & (target == np.round(target))):
        raise ValueError(
            f"{where}: target class indices must be whole numbers 0..{K - 1}; "
            "for probabilities pass one-hot rows of shape (N, K)"
        )
    labels = target.astype(np.int64)
    kept = labels != ignore_index  # (N,)
    bad = kept & ((labels < 0) | (labels >= K))
    if np.any(bad):
        raise ValueError(
            f"{where}: target class index {labels[bad][0]} is out of range for {K} classes "
            f"(indices must be in 0..{K - 1}); the last layer needs one output per class "
            f"(label {ignore_index}, the ignore_index, leaves an example out)"
        )
    return np.where(kept, labels, 0), kept


class _ClassWeighted(Loss):
    """Shared by ``CrossEntropyLoss`` and ``NLLLoss``: the optional class weights (K,) and ``ignore_index``."""

    def __init__(self, weight=None, reduction="mean", ignore_index=IGNORE_INDEX):
        super().__init__(reduction)
        self.weight = check_weight(weight, type(self).__name__, "weight", ndim=1)
        self.ignore_index = check_int(ignore_index, type(self).__name__, "ignore_index")

    def _check_weight_length(self, K, where):
        if self.weight is not None and self.weight.shape[0] != K:
            raise ValueError(
                f"{where}: weight must have one entry per class, shape ({K},), got {self.weight.shape}"
            )

    def _losses(self, pred, target):
        """Per-example losses of the rows; (N, K, d1, ...) inputs are rows (N*d1*..., K) here (PyTorch's)."""
        rows, target, shape = self._as_rows(pred, target, f"{type(self).__name__}.forward")
        per_example, count, cache = self._row_losses(rows, target)  # (M,)
        if shape is not None:
            per_example = per_example.reshape(shape[:1] + shape[2:])  # (N, d1, ...)
        return per_example, count, (cache, shape)

    def _backward(self, cache, upstream, divisor):
        cache, shape = cache
        if shape is None:
            return self._row_backward(cache, upstream, divisor)  # (N, K)
        if not np.isscalar(upstream):
            upstream = upstream.reshape(-1)  # (M,): one value per position
        grad = self._row_backward(cache, upstream, divisor)  # (M, K)
        return np.moveaxis(grad.reshape(shape[:1] + shape[2:] + shape[1:2]), -1, 1)  # (N, K, d1, ...)

    @staticmethod
    def _as_rows(pred, target, where):
        """(N, K, d1, ...) scores with (N, d1, ...) class indices (or (N, K, d1, ...) probabilities) as
        rows (N*d1*..., K) and targets (N*d1*...,) or (N*d1*..., K); 2-d inputs are returned as they are."""
        pred = check_array(pred, where, name="pred")
        if pred.ndim < 3:
            return pred, target, None
        K = pred.shape[1]
        rows = np.moveaxis(pred, 1, -1).reshape(-1, K)  # (M, K): one row per example and position
        target = np.asarray(target)
        if target.shape == pred.shape:
            return rows, np.moveaxis(target, 1, -1).reshape(-1, K), pred.shape  # probability rows (M, K)
        if target.shape != pred.shape[:1] + pred.shape[2:]:
            raise ValueError(f"{where}: for pred of shape {pred.shape} the target must have shape "
                             f"{pred.shape[:1] + pred.shape[2:]} (class indices) or {pred.shape}, got {target.shape}")
        return rows, target.reshape(-1), pred.shape

    def _index_weights(self, labels, kept, K, eps):
        """For class-index targets: C (N, K) with c_nk = (1-eps) w_{y_n} [k = y_n] + eps w_k / K
        (rows of ignored examples 0), and the mean's divisor, the kept examples' total weight."""
        N = labels.shape[0]
        w = np.ones(K) if self.weight is None else self.weight  # (K,)
        w_target = w[labels] * kept  # (N,): w_{y_n}, 0 for an ignored example
        C = np.zeros((N, K))  # (N, K)
        C[np.arange(N), labels] = (1.0 - eps) * w_target
        if eps != 0.0:
            C += (eps / K) * w * kept[:, None]
        return C, float(np.sum(w_target))

    def _options(self):
        weight = "" if self.weight is None else f"weight={self.weight}"
        ignore = "" if self.ignore_index == IGNORE_INDEX else f"ignore_index={self.ignore_index}"
        return ", ".join(filter(None, [weight, super()._options(), ignore]))


class CrossEntropyLoss(_ClassWeighted):
    r"""Softmax cross-entropy on logits, :math:`L = -\frac1N \sum_n \sum_k y_{nk} \log a_{nk}`.

    :math:`a_n = \mathrm{softmax}(z_n)` is never formed for the loss itself:
    :math:`\log a_{nk} = z_{nk} - \log\sum_j e^{z_{nj}}` (log-sum-exp, max-shifted), so the
    loss is finite for any logits. The gradient with respect to the logits is the
    lecture's softmax + cross-entropy result

    .. math:: \frac{\partial L}{\partial Z} = \frac{A - Y}{N}.

    Do **not** put a ``Softmax`` layer before this loss: it takes raw scores (as PyTorch's).

    With class weights and label smoothing (PyTorch's definitions) example n's loss is
    :math:`\ell_n = -\sum_k c_{nk} \log a_{nk}` with

    * class-index targets: :math:`c_{nk} = (1 - \varepsilon)\, w_{y_n} [k = y_n] + \frac{\varepsilon}{K} w_k`,
      mean over the batch :math:`\sum_n \ell_n / \sum_n w_{y_n}`;
    * probability rows :math:`y_n`: :math:`c_{nk} = w_k \left((1 - \varepsilon) y_{nk} + \frac{\varepsilon}{K}\right)`,
      mean :math:`\sum_n \ell_n / N`,

    (:math:`w_k = 1` without weights), and the gradient is
    :math:`\partial \ell_n / \partial z_n = a_n \sum_k c_{nk} - c_n`. Label smoothing moves the
    target a little away from one-hot, so the network is not pushed to ever larger logits.

    Parameters
    ----------
    weight : array_like, shape (K,), optional
        Weight :math:`w_k` of each class.
    reduction : {"mean", "sum", "none"}
        Weighted mean (default), sum, or the per-example losses ``(N,)``.
    label_smoothing : float in [0, 1]
        :math:`\varepsilon`: the target becomes :math:`(1 - \varepsilon)\,y + \varepsilon / K`.
    ignore_index : int
        Examples whose class index equals it (default -100, PyTorch's) add nothing to the loss,
        its gradient or the mean's divisor; ``"none"`` gives them 0. Not used with probability rows.

    Shape
    -----
    ``pred``: logits ``(N, K)``. ``target``: class indices ``(N,)`` with values
    ``0..K-1``, or one-hot rows ``(N, K)`` (any probability rows are accepted).
    ``backward`` returns ``(N, K)``. As in PyTorch, ``pred`` may also be ``(N, K, d1, ...)``
    (a class score per position, e.g. per pixel) with targets ``(N, d1, ...)`` or
    ``(N, K, d1, ...)``: every position is one more example, ``"none"`` returns ``(N, d1, ...)``.

    Examples
    --------
    >>> loss = CrossEntropyLoss()
    >>> round(loss(np.array([[0.0, np.log(3.0)]]), np.array([1])), 6)   # -ln 0.75
    0.287682
    >>> loss.backward()                                                 # a - y
    array([[ 0.25, -0.25]])
    >>> smooth = CrossEntropyLoss(label_smoothing=0.2)                  # target (0.1, 0.9)
    >>> round(smooth(np.array([[0.0, np.log(3.0)]]), np.array([1])), 6)  # -(0.1 ln 0.25 + 0.9 ln 0.75)
    0.397543
    """

    def __init__(self, weight=None, reduction="mean", label_smoothing=0.0, ignore_index=IGNORE_INDEX):
        super().__init__(weight, reduction, ignore_index)
        self.label_smoothing = check_in_range(label_smoothing, "CrossEntropyLoss", "label_smoothing",
                                              0.0, 1.0, high_open=False)

    def _row_losses(self, pred, target):
        where = "CrossEntropyLoss.forward"
        Z = check_array(pred, where, shape=("N", "K"), name="pred")
        N, K = Z.shape
        self._check_weight_length(K, where)
        log_A = F.log_softmax(Z)  # (N, K)
        if np.shape(target) == (N,):
            labels, kept = class_indices(target, N, K, where, self.ignore_index)
            if self.weight is None and self.label_smoothing == 0.0 and kept.all():  # the common case
                rows = np.arange(N)
                C = np.zeros((N, K))  # (N, K): one-hot
                C[rows, labels] = 1.0
                return -log_A[rows, labels], N, (np.exp(log_A), C, None)  # -log a_{n, y_n}
            C, count = self._index_weights(labels, kept, K, self.label_smoothing)  # (N, K): the c_nk above
        else:
            C, count = self._probability_weights(target, N, K)
        per_example = -np.sum(C * log_A, axis=1)  # (N,)
        return per_example, count, (np.exp(log_A), C, C.sum(axis=1, keepdims=True))

    def _row_backward(self, cache, upstream, divisor):
        A, C, C_sum = cache
        grad = A - C if C_sum is None else A * C_sum - C  # (N, K): a_n sum_k c_nk - c_n
        if not np.isscalar(upstream):
            upstream = upstream[:, None]  # (N, 1): one upstream value per example
        return grad * upstream / divisor  # (N, K)

    def _probability_weights(self, target, N, K):
        """For probability rows: C (N, K) with c_nk = w_k ((1-eps) y_nk + eps / K), and the divisor N."""
        Y = self._probability_rows(target, N, K)  # (N, K)
        if self.label_smoothing != 0.0:
            Y = (1.0 - self.label_smoothing) * Y + self.label_smoothing / K
        return (Y if self.weight is None else Y * self.weight), N

    @staticmethod
    def _probability_rows(target, N, K):
        """One-hot or probability rows (N, K), checked."""
        where = "CrossEntropyLoss.forward"
        if np.shape(target) != (N, K):
            raise ValueError(
                f"{where}: target must have shape ({N},) with class indices or ({N}, {K}) one-hot, "
                f"got {tuple(np.shape(target))}"
            )
        Y = check_array(target, where, name="target")
        if np.any((Y < 0) | (Y > 1)) or not np.allclose(Y.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError(f"{where}: one-hot target rows must be non-negative and sum to 1")
        return Y

    def _options(self):
        smoothing = "" if self.label_smoothing == 0.0 else f"label_smoothing={self.label_smoothing}"
        return ", ".join(filter(None, [super()._options(), smoothing]))


class NLLLoss(_ClassWeighted):
    r"""Negative log-likelihood of the target class, given **log-probabilities** (PyTorch's ``NLLLoss``).

    .. math:: \ell_n = -w_{y_n}\, x_{n, y_n}, \qquad L = \frac{\sum_n \ell_n}{\sum_n w_{y_n}}
              \qquad (w_k = 1 \text{ without weights: } L = -\tfrac1N \textstyle\sum_n x_{n, y_n})

    The gradient is :math:`-w_{y_n}` (divided by the weight sum) at the target entry of
    each row and 0 elsewhere. ``LogSoftmax`` followed by ``NLLLoss`` equals
    ``CrossEntropyLoss`` on the logits.

    Parameters
    ----------
    weight : array_like, shape (K,), optional
        Weight :math:`w_k` of each class.
    reduction : {"mean", "sum", "none"}
        Weighted mean (default), sum, or the per-example losses ``(N,)``.
    ignore_index : int
        Examples whose class index equals it (default -100) are left out, as in ``CrossEntropyLoss``.

    Shape
    -----
    ``pred``: log-probabilities ``(N, K)``; ``target``: class indices ``(N,)``. Or, as for
    ``CrossEntropyLoss``, ``(N, K, d1, ...)`` with targets ``(N, d1, ...)``.

    Examples
    --------
    >>> loss = NLLLoss()
    >>> log_p = np.log(np.array([[0.25, 0.75], [0.5, 0.5]]))
    >>> round(loss(log_p, np.array([1, 0])), 6)             # -(ln 0.75 + ln 0.5) / 2
    0.490415
    >>> loss.backward()
    array([[ 0. , -0.5],
           [-0.5,  0. ]])
    """

    def _row_losses(self, pred, target):
        where = "NLLLoss.forward"
        X = check_array(pred, where, shape=("N", "K"), name="pred")
        N, K = X.shape
        self._check_weight_length(K, where)
        if np.shape(target) != (N,):
            raise ValueError(f"{where}: target must have shape ({N},) with class indices, "
                             f"got {tuple(np.shape(target))}")
        labels, kept = class_indices(target, N, K, where, self.ignore_index)
        w_target = (np.ones(N) if self.weight is None else self.weight[labels]) * kept  # (N,), 0 if ignored
        per_example = -w_target * X[np.arange(N), labels]  # (N,)
        count = float(np.sum(w_target))
        return per_example, count, (X.shape, labels, w_target)

    def _row_backward(self, cache, upstream, divisor):
        shape, labels, w_target = cache
        grad = np.zeros(shape)  # (N, K)
        grad[np.arange(shape[0]), labels] = -w_target * upstream / divisor  # only the target entries
        return grad


class KLDivLoss(Loss):
    r"""Kullback-Leibler divergence :math:`y (\log y - x)` between a target and a prediction (PyTorch's ``KLDivLoss``).

    ``pred`` :math:`x` holds **log-probabilities** (e.g. from ``LogSoftmax``); ``target`` holds
    probabilities :math:`y` (or log-probabilities :math:`t` with ``log_target=True``). Per entry

    .. math:: \ell_i = y_i (\log y_i - x_i) \quad (0 \text{ where } y_i = 0), \qquad
              \text{or } \ell_i = e^{t_i} (t_i - x_i) \text{ with log\_target},

    and :math:`\partial \ell_i / \partial x_i = -y_i` (:math:`-e^{t_i}`). Summed over the classes
    of one example this is :math:`\mathrm{KL}(y_n \| p_n)`.

    Note PyTorch's reductions: ``"mean"`` divides by the number of **entries** N*K, which is
    not the KL divergence; ``"batchmean"`` divides the sum by N and gives the mean KL per
    example, the mathematically meaningful choice (PyTorch recommends it).

    Parameters
    ----------
    reduction : {"mean", "batchmean", "sum", "none"}
        See above; ``"none"`` returns the per-entry array.
    log_target : bool
        Whether ``target`` holds log-probabilities.

    Shape
    -----
    ``pred`` and ``target`` the same shape, e.g. ``(N, K)``.

    Examples
    --------
    >>> loss = KLDivLoss(reduction="batchmean")
    >>> p = np.array([[0.5, 0.5]]); y = np.array([[0.75, 0.25]])
    >>> round(loss(np.log(p), y), 6)                      # 0.75 ln 1.5 + 0.25 ln 0.5
    0.130812
    >>> loss.backward()
    array([[-0.75, -0.25]])
    """

    reductions = ("mean", "batchmean", "sum", "none")

    def __init__(self, reduction="mean", log_target=False):
        super().__init__(reduction)
        self.log_target = check_bool(log_target, "KLDivLoss", "log_target")

    def _losses(self, pred, target):
        X, T = self._pred_and_target(pred, target)
        if self.log_target:
            Y = np.exp(T)  # same shape as X
            per_entry = Y * (T - X)
        else:
            if np.any(T < 0):
                raise ValueError(
                    f"KLDivLoss.forward: target must hold probabilities >= 0, got a minimum of "
                    f"{T.min():g}; for log-probabilities pass log_target=True"
                )
            Y = T
            y_log_y = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0)), 0.0)  # 0 log 0 = 0
            per_entry = y_log_y - Y * X
        if self.reduction == "batchmean":
            count = X.shape[0] if X.ndim else 1
        else:
            count = X.size
        return per_entry, count, Y

    def _backward(self, Y, upstream, divisor):
        return -Y * upstream / divisor  # same shape as pred

    def _options(self):
        log_target = "log_target=True" if self.log_target else ""
        return ", ".join(filter(None, [super()._options(), log_target]))
