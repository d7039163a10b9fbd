r"""Adam (momentum + RMSProp with bias correction), its AMSGrad variant, and AdamW."""

import math

import numpy as np

from nnlib.optim.optimizer import Optimizer, check_betas
from nnlib.validation import check_bool, check_nonnegative


class Adam(Optimizer):
    r"""Adam: momentum (first moment) + RMSProp (second moment), with bias correction.

    PyTorch's algorithm, at step :math:`t = 1, 2, \dots` of each parameter:

    .. code-block:: text

        theta <- theta (1 - lr * weight_decay)            (decoupled_weight_decay, i.e. AdamW)
        g     <- g + weight_decay * theta                 (otherwise, if weight_decay > 0: L2)
        m     <- beta1 * m + (1 - beta1) * g              (m, v start at 0)
        v     <- beta2 * v + (1 - beta2) * g * g
        m_hat <- m / (1 - beta1^t)                        (bias correction: the averages
        v_hat <- v / (1 - beta2^t)                         start at 0 and are too small early)
        if amsgrad: v_max <- max(v_max, v); v_hat <- v_max / (1 - beta2^t)
        theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    (computed in PyTorch's order, ``sqrt(v) / sqrt(1 - beta2^t)``, to match it to the last bit).
    AMSGrad (Reddi et al., 2018) divides by the largest second moment seen so far, so the
    effective step size never grows again; this repairs a case where Adam fails to converge.

    Parameters
    ----------
    params : iterable of Parameter, or of dict (parameter groups)
    lr : float >= 0
        Learning rate.
    betas : (float, float) in [0, 1)
        Decay rates :math:`\beta_1` (first moment) and :math:`\beta_2` (second moment).
    eps : float >= 0
        Small constant in the denominator.
    weight_decay : float >= 0
        L2 penalty coefficient added to the gradient (PyTorch's ``Adam``), or, with
        ``decoupled_weight_decay=True``, the decay of ``AdamW``.
    amsgrad : bool
        Use the AMSGrad variant.
    decoupled_weight_decay : bool
        Shrink the weights directly instead of adding the penalty to the gradient (see ``AdamW``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = Adam(layer.parameters(), lr=0.1)
    >>> layer.dW[...] = 3.0
    >>> opt.step(); layer.W                  # first step: lr * g / |g| = 0.1 (up to eps)
    array([[-0.1]])
    """

    hyperparameters = {
        "lr": check_nonnegative,
        "betas": check_betas,
        "eps": check_nonnegative,
        "weight_decay": check_nonnegative,
        "amsgrad": check_bool,
        "decoupled_weight_decay": check_bool,
    }

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @property
    def betas(self):
        return self.param_groups[0]["betas"]

    @property
    def beta1(self):
        return self.betas[0]

    @property
    def beta2(self):
        return self.betas[1]

    @property
    def weight_decay(self):
        return self.param_groups[0]["weight_decay"]

    @property
    def eps(self):
        return self.param_groups[0]["eps"]

    def _repr_values(self):
        text = f"lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay}"
        return text + (", amsgrad=True" if self.param_groups[0]["amsgrad"] else "")

    def _update(self, W, dW, state, group):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        if wd and group["decoupled_weight_decay"]:
            W *= 1.0 - lr * wd  # AdamW: shrink the weights themselves
            g = dW
        else:
            g = dW + wd * W if wd else dW  # same shape as W; L2 penalty in the gradient
        if "m" not in state:
            state["m"], state["v"], state["step"] = np.zeros_like(W), np.zeros_like(W), 0
        state["step"] += 1
        t, m, v = state["step"], state["m"], state["v"]
        m *= beta1
        m += (1.0 - beta1) * g  # first moment
        v *= beta2
        v += (1.0 - beta2) * g * g  # second moment
        if group["amsgrad"]:
            v_max = state.setdefault("v_max", np.zeros_like(W))
            np.maximum(v_max, v, out=v_max)  # the largest second moment so far
            v = v_max
        correction1 = 1.0 - beta1**t
        correction2 = 1.0 - beta2**t
        denom = np.sqrt(v) / math.sqrt(correction2) + group["eps"]  # sqrt(v_hat) + eps
        W -= (lr / correction1) * m / denom  # in place


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter, 2019): Adam with **decoupled** weight decay.

    Adam with ``weight_decay`` adds :math:`\lambda\theta` to the gradient (L2 in the loss);
    that term is then divided by :math:`\sqrt{\hat v}` like the gradient, so weights with
    large gradients are barely decayed. AdamW instead shrinks every weight by the same
    factor before the Adam step,

    .. math:: \theta \leftarrow \theta\,(1 - \text{lr}\,\lambda), \qquad
              \theta \leftarrow \theta - \text{lr}\,\hat m / (\sqrt{\hat v} + \epsilon),

    which is the weight decay of plain SGD (:math:`\theta \leftarrow \theta - \text{lr}(g + \lambda\theta)`)
    carried over to Adam. Note PyTorch's defaults: ``weight_decay=0.01`` (not 0 as in ``Adam``).

    Parameters
    ----------
    params : iterable of Parameter, or of dict (parameter groups)
    lr, betas, eps, amsgrad
        As for ``Adam``.
    weight_decay : float >= 0
        Decoupled decay rate :math:`\lambda` (default 0.01).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros"); layer.W[...] = 1.0
    >>> opt = AdamW(layer.parameters(), lr=0.1, weight_decay=0.5)
    >>> opt.step(); layer.W                  # zero gradient: only the decay, 1 * (1 - 0.1 * 0.5)
    array([[0.95]])
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         decoupled_weight_decay=True)
