r"""Per-parameter step sizes from the gradients' history: AdaGrad, RMSProp and AdaDelta.

All three divide the step of each parameter by a root of its squared gradients, so
parameters with large gradients move less and rarely updated ones more. They differ in
how much history they remember: AdaGrad sums *all* past squared gradients (its steps
only shrink), RMSProp keeps a running average (old gradients are forgotten), AdaDelta
additionally replaces the learning rate by a running RMS of its own past steps.
"""

import numpy as np

from nnlib.optim.optimizer import Optimizer, check_unit_interval
from nnlib.validation import check_bool, check_nonnegative


class Adagrad(Optimizer):
    r"""AdaGrad: per-parameter step sizes shrinking with the sum of all past squared gradients.

    The lecture's algorithm, which is PyTorch's:

    .. code-block:: text

        g     <- g + weight_decay * theta               (if weight_decay > 0)
        lr_t  <- lr / (1 + (t - 1) * lr_decay)          (t = 1, 2, ...: this parameter's steps)
        r     <- r + g * g                              (r starts at initial_accumulator_value)
        theta <- theta - lr_t * g / (sqrt(r) + eps)

    Parameters with large gradients get their step size reduced more. Because
    ``r`` only grows, the steps can shrink too early on non-convex losses.

    Parameters
    ----------
    params : iterable of Parameter, or of dict (parameter groups)
    lr : float >= 0
        Global learning rate :math:`\alpha`.
    lr_decay : float >= 0
        Extra decay of the learning rate with the number of steps (default 0).
    weight_decay : float >= 0
        L2 penalty coefficient (added to the gradient first), as in PyTorch.
    initial_accumulator_value : float >= 0
        Start value of :math:`r` (default 0); a positive value damps the first steps.
    eps : float >= 0
        Small constant :math:`\epsilon` in the denominator.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = Adagrad(layer.parameters(), lr=0.5)
    >>> layer.dW[...] = 4.0
    >>> opt.step(); layer.W                  # -0.5 * 4 / sqrt(16): the first step is lr * sign(g)
    array([[-0.5]])
    """

    hyperparameters = {
        "lr": check_nonnegative,
        "lr_decay": check_nonnegative,
        "weight_decay": check_nonnegative,
        "initial_accumulator_value": check_nonnegative,
        "eps": check_nonnegative,
    }

    def __init__(self, params, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _update(self, W, dW, state, group):
        wd = group["weight_decay"]
        g = dW + wd * W if wd else dW  # same shape as W
        if "r" not in state:
            state["r"] = np.full_like(W, group["initial_accumulator_value"])
            state["step"] = 0
        state["step"] += 1
        lr = group["lr"] / (1.0 + (state["step"] - 1) * group["lr_decay"])  # lr_t
        r = state["r"]
        r += g * g  # sum of squared gradients
        W -= lr * g / (np.sqrt(r) + group["eps"])  # in place


class RMSprop(Optimizer):
    r"""RMSProp: divide by a running root-mean-square of recent gradients.

    The lecture's algorithm with decay rate :math:`\rho` = PyTorch's ``alpha``:

    .. code-block:: text

        g     <- g + weight_decay * theta              (if weight_decay > 0)
        r     <- alpha * r + (1 - alpha) * g * g       (r starts at 0)
        if centered:                                   (divide by the standard deviation
            m <- alpha * m + (1 - alpha) * g             of the gradient instead of its RMS)
            r_hat <- r - m * m
        else:
            r_hat <- r
        if momentum > 0:
            b     <- momentum * b + g / (sqrt(r_hat) + eps)
            theta <- theta - lr * b
        else:
            theta <- theta - lr * g / (sqrt(r_hat) + eps)

    Unlike AdaGrad the average forgets old gradients, so the step size can recover.
    Note the name clash: the lecture's :math:`\alpha` is the *learning rate*
    (``lr``), PyTorch's ``alpha`` is the lecture's decay rate :math:`\rho`
    (the lecture suggests 0.9; PyTorch's default is 0.99).

    Parameters
    ----------
    params : iterable of Parameter, or of dict (parameter groups)
    lr : float >= 0
        Learning rate.
    alpha : float in [0, 1]
        Decay rate :math:`\rho` of the squared-gradient average.
    eps : float >= 0
        Small constant in the denominator.
    weight_decay : float >= 0
        L2 penalty coefficient (added to the gradient first).
    momentum : float >= 0
        Momentum on the normalised steps (default 0: none).
    centered : bool
        Subtract the square of the running mean gradient, i.e. normalise by an estimate
        of the gradient's variance rather than its second moment.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = RMSprop(layer.parameters(), lr=0.1, alpha=0.75)
    >>> layer.dW[...] = 2.0
    >>> opt.step(); layer.W.round(6)         # r = 0.25 * 4 = 1; -0.1 * 2 / (1 + eps)
    array([[-0.2]])
    """

    hyperparameters = {
        "lr": check_nonnegative,
        "alpha": check_unit_interval,
        "eps": check_nonnegative,
        "weight_decay": check_nonnegative,
        "momentum": check_nonnegative,
        "centered": check_bool,
    }

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered)
        super().__init__(params, defaults)

    def _update(self, W, dW, state, group):
        alpha, wd = group["alpha"], group["weight_decay"]
        g = dW + wd * W if wd else dW  # same shape as W
        r = state.setdefault("r", np.zeros_like(W))
        r *= alpha
        r += (1.0 - alpha) * g * g  # running mean of g^2
        if group["centered"]:
            m = state.setdefault("grad_avg", np.zeros_like(W))
            m *= alpha
            m += (1.0 - alpha) * g  # running mean of g
            denom = np.sqrt(r - m * m) + group["eps"]  # standard deviation of g
        else:
            denom = np.sqrt(r) + group["eps"]  # RMS of g
        if group["momentum"] > 0:
            b = state.setdefault("momentum_buffer", np.zeros_like(W))
            b *= group["momentum"]
            b += g / denom
            W -= group["lr"] * b  # in place
        else:
            W -= group["lr"] * g / denom  # in place


class Adadelta(Optimizer):
    r"""AdaDelta (Zeiler, 2012): RMSProp whose step size is a running RMS of its own past steps.

    PyTorch's algorithm:

    .. code-block:: text

        g     <- g + weight_decay * theta                       (if weight_decay > 0)
        r     <- rho * r + (1 - rho) * g * g                    (r, u start at 0)
        delta <- sqrt(u + eps) / sqrt(r + eps) * g              (RMS of past steps / RMS of gradients)
        u     <- rho * u + (1 - rho) * delta * delta
        theta <- theta - lr * delta

    Zeiler's point: ``delta`` has the units of :math:`\theta` (a ratio of step sizes times
    a gradient), so no learning rate is needed -- PyTorch keeps ``lr`` as a multiplier with
    default 1.0. The KIT deck calls its RMSProp slide (:math:`\eta / \sqrt{v + \epsilon}`)
    "ADADELTA or RMSProp": that slide is RMSProp; AdaDelta is this algorithm, whose first
    line is the same running average :math:`r`.

    Parameters
    ----------
    params : iterable of Parameter, or of dict (parameter groups)
    lr : float >= 0
        Multiplier of the step (default 1.0).
    rho : float in [0, 1]
        Decay rate of both running averages (default 0.9).
    eps : float >= 0
        Added inside both square roots (default 1e-6); it also sets the size of the first steps.
    weight_decay : float >= 0
        L2 penalty coefficient.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = Adadelta(layer.parameters(), eps=1e-2)
    >>> layer.dW[...] = 1.0
    >>> opt.step(); layer.W.round(6)          # sqrt(0.01) / sqrt(0.1 + 0.01) * 1
    array([[-0.301511]])
    """

    hyperparameters = {
        "lr": check_nonnegative,
        "rho": check_unit_interval,
        "eps": check_nonnegative,
        "weight_decay": check_nonnegative,
    }

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _update(self, W, dW, state, group):
        rho, eps, wd = group["rho"], group["eps"], group["weight_decay"]
        g = dW + wd * W if wd else dW  # same shape as W
        r = state.setdefault("square_avg", np.zeros_like(W))
        u = state.setdefault("acc_delta", np.zeros_like(W))
        r *= rho
        r += (1.0 - rho) * g * g  # running mean of g^2
        delta = np.sqrt(u + eps) / np.sqrt(r + eps) * g  # same shape as W
        u *= rho
        u += (1.0 - rho) * delta * delta  # running mean of the squared steps
        W -= group["lr"] * delta  # in place
