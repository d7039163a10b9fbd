r"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from nnlib.optim.optimizer import Optimizer, check_unit_interval
from nnlib.validation import check_bool, check_nonnegative


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.

    PyTorch's algorithm, for every parameter :math:`\theta` with gradient :math:`g`:

    .. code-block:: text

        g <- g + weight_decay * theta                    (L2 penalty, if weight_decay > 0)
        if momentum > 0:
            v <- g                                       on the first step
            v <- momentum * v + (1 - dampening) * g      afterwards
            g <- g + momentum * v  if nesterov  else  g <- v
        theta <- theta - lr * g

    The lecture's momentum (an average :math:`m \leftarrow \gamma m + (1 - \gamma) g`,
    step :math:`\theta \leftarrow \theta - \eta m`) is exactly
    ``SGD(params, lr=eta * (1 - gamma), momentum=gamma)``. With ``dampening=momentum`` (and
    ``lr=eta``) the buffer follows the average's recursion :math:`v \leftarrow \gamma v + (1 - \gamma) g`
    itself, but PyTorch starts it at :math:`v_1 = g_1` rather than :math:`(1 - \gamma) g_1`, so
    its steps differ from the lecture's by :math:`\eta\gamma^t g_1`, which dies out.

    Parameters
    ----------
    params : iterable of Parameter, or of dict (parameter groups)
    lr : float >= 0
        Learning rate (the lecture's :math:`\alpha` or :math:`\eta`).
    momentum : float >= 0
        Momentum factor :math:`\mu`; 0 gives plain SGD.
    dampening : float in [0, 1]
        Share of the new gradient that is *not* added to the buffer (default 0).
    weight_decay : float >= 0
        L2 penalty coefficient :math:`\lambda` (adds :math:`\lambda\theta` to the gradient).
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> layer.dW[...] = 2.0
    >>> opt = SGD(layer.parameters(), lr=0.1)
    >>> opt.step(); layer.W                  # 0 - 0.1 * 2
    array([[-0.2]])
    >>> opt = SGD([{"params": [layer.parameters()[0]], "lr": 0.5}], lr=0.1)   # a group with its own lr
    >>> opt.step(); layer.W                  # -0.2 - 0.5 * 2
    array([[-1.2]])
    """

    hyperparameters = {
        "lr": check_nonnegative,
        "momentum": check_nonnegative,
        "dampening": check_unit_interval,
        "nesterov": check_bool,
        "weight_decay": check_nonnegative,
    }

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group, where):
        if group["nesterov"] and (group["momentum"] == 0 or group["dampening"] != 0):
            raise ValueError(
                f"{where}: nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']} and dampening={group['dampening']}"
            )

    def _update(self, W, dW, state, group):
        momentum, wd = group["momentum"], group["weight_decay"]
        g = dW + wd * W if wd else dW  # same shape as W
        if momentum:
            if "velocity" not in state:
                state["velocity"] = g.copy()  # v_1 = g_1
            else:
                state["velocity"] *= momentum
                state["velocity"] += (1.0 - group["dampening"]) * g if group["dampening"] else g  # v <- mu v + g
            v = state["velocity"]
            g = g + momentum * v if group["nesterov"] else v
        W -= group["lr"] * g  # in place

    def _repr_values(self):
        text = (f"lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay}")
        dampening = self.param_groups[0]["dampening"]
        return text + ("" if dampening == 0 else f", dampening={dampening}")

    @property
    def momentum(self):
        return self.param_groups[0]["momentum"]

    @property
    def nesterov(self):
        return self.param_groups[0]["nesterov"]

    @property
    def weight_decay(self):
        return self.param_groups[0]["weight_decay"]
