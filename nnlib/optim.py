r"""Optimizers (SGD, Adagrad, RMSprop, Adam) and learning-rate schedules.

Usage is PyTorch's::

    opt = Adam(model.parameters(), lr=1e-3)
    for X, y in batches:
        opt.zero_grad()
        loss(model(X), y)
        model.backward(loss.backward())
        opt.step()

The update rules are PyTorch's, line for line, so a network trained here and one
trained with ``torch.optim`` from the same weights stay equal to rounding error.
Every parameter ``W`` is updated **in place** from its gradient ``dW``.

From the lecture's symbols to the arguments
-------------------------------------------
* learning rate :math:`\alpha` (or :math:`\eta`)  ->  ``lr``
* momentum average :math:`m \leftarrow \gamma m + (1-\gamma) g`, step
  :math:`\theta \leftarrow \theta - \eta m`  ->  ``SGD(lr=eta * (1 - gamma), momentum=gamma)``
  (identical steps)
* AdaGrad :math:`r \leftarrow r + g \odot g`, step size :math:`\alpha`  ->  ``Adagrad(lr=alpha, eps=epsilon)``
* RMSProp decay rate :math:`\rho` (KIT deck: :math:`\gamma`)  ->  ``RMSprop(alpha=rho)``
* Adam's :math:`\beta_1, \beta_2`  ->  ``Adam(betas=(beta1, beta2))``

Why the momentum mapping is exact: PyTorch keeps :math:`v \leftarrow \mu v + g`
(starting with :math:`v_1 = g_1`) and steps :math:`\theta \leftarrow \theta - \text{lr}\, v`.
With :math:`v = m / (1 - \gamma)` this is the lecture's average (whose first value
is :math:`m_1 = (1-\gamma) g_1`), and :math:`\text{lr}\, v = \eta m` when
:math:`\text{lr} = \eta (1 - \gamma)`.

The lecture's RMSProp writes :math:`\alpha / (\epsilon + \sqrt{r})` like PyTorch;
the KIT deck writes :math:`\eta / \sqrt{v + \epsilon}`, which differs only in where the
tiny :math:`\epsilon` goes.
"""

import math

import numpy as np

from nnlib.validation import check_in_range, check_nonnegative, check_positive_int


class Optimizer:
    """Base class: holds the parameter handles, ``lr``, per-parameter state and ``step()``.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``; each has ``.data`` (updated in place) and ``.grad``.
    lr : float >= 0
        Learning rate; schedules change ``opt.lr`` between steps.
    """

    def __init__(self, params, lr):
        where = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{where}: got an empty parameter list; pass model.parameters()")
        for p in self.params:
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(
                    f"{where}: params must be Parameter handles from model.parameters(), "
                    f"got {type(p).__name__}"
                )
        self.lr = check_nonnegative(lr, where, "lr")
        self.state = [{} for _ in self.params]
        self.t = 0  # number of steps taken

    def zero_grad(self):
        """Set every parameter's gradient to zero (in place)."""
        for p in self.params:
            p.grad[...] = 0.0

    def step(self):
        """Update every parameter once from its current gradient."""
        self.t += 1
        for p, state in zip(self.params, self.state):
            self._update(p.data, p.grad, state)

    def _update(self, W, dW, state):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.

    PyTorch's algorithm (dampening 0), for every parameter :math:`\theta` with gradient :math:`g`:

    .. code-block:: text

        g <- g + weight_decay * theta                    (L2 penalty, if weight_decay > 0)
        if momentum > 0:
            v <- g                 on the first step
            v <- momentum * v + g  afterwards
            g <- g + momentum * v  if nesterov  else  g <- v
        theta <- theta - lr * g

    The lecture's momentum (an average :math:`m \leftarrow \gamma m + (1 - \gamma) g`,
    step :math:`\theta \leftarrow \theta - \eta m`) is exactly
    ``SGD(params, lr=eta * (1 - gamma), momentum=gamma)``.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0
        Learning rate (the lecture's :math:`\alpha` or :math:`\eta`).
    momentum : float >= 0
        Momentum factor :math:`\mu`; 0 gives plain SGD.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0``).
    weight_decay : float >= 0
        L2 penalty coefficient :math:`\lambda` (adds :math:`\lambda\theta` to the gradient).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> layer.dW[...] = 2.0
    >>> opt = SGD(layer.parameters(), lr=0.1)
    >>> opt.step(); layer.W                  # 0 - 0.1 * 2
    array([[-0.2]])
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = check_nonnegative(momentum, "SGD", "momentum")
        self.nesterov = bool(nesterov)
        self.weight_decay = check_nonnegative(weight_decay, "SGD", "weight_decay")
        if self.nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0, got momentum=0.0")

    def _update(self, W, dW, state):
        g = dW + self.weight_decay * W if self.weight_decay else dW  # same shape as W
        if self.momentum:
            if "velocity" not in state:
                state["velocity"] = g.copy()  # v_1 = g_1
            else:
                state["velocity"] *= self.momentum
                state["velocity"] += g  # v <- mu v + g
            v = state["velocity"]
            g = g + self.momentum * v if self.nesterov else v
        W -= self.lr * g  # in place

    def __repr__(self):
        return (f"SGD(lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay})")


class Adagrad(Optimizer):
    r"""AdaGrad: per-parameter step sizes shrinking with the sum of all past squared gradients.

    The lecture's algorithm, which is PyTorch's (``lr_decay=0``):

    .. code-block:: text

        r     <- r + g * g                      (r starts at 0)
        theta <- theta - lr * g / (sqrt(r) + eps)

    Parameters with large gradients get their step size reduced more. Because
    ``r`` only grows, the steps can shrink too early on non-convex losses.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0
        Global learning rate :math:`\alpha`.
    eps : float >= 0
        Small constant :math:`\epsilon` in the denominator.
    weight_decay : float >= 0
        L2 penalty coefficient (added to the gradient first), as in PyTorch.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = Adagrad(layer.parameters(), lr=0.5)
    >>> layer.dW[...] = 4.0
    >>> opt.step(); layer.W                  # -0.5 * 4 / sqrt(16): the first step is lr * sign(g)
    array([[-0.5]])
    """

    def __init__(self, params, lr=0.01, eps=1e-10, weight_decay=0.0):
        super().__init__(params, lr)
        self.eps = check_nonnegative(eps, "Adagrad", "eps")
        self.weight_decay = check_nonnegative(weight_decay, "Adagrad", "weight_decay")

    def _update(self, W, dW, state):
        g = dW + self.weight_decay * W if self.weight_decay else dW  # same shape as W
        r = state.setdefault("r", np.zeros_like(W))
        r += g * g  # sum of squared gradients
        W -= self.lr * g / (np.sqrt(r) + self.eps)  # in place


class RMSprop(Optimizer):
    r"""RMSProp: divide by a running root-mean-square of recent gradients.

    The lecture's algorithm with decay rate :math:`\rho` = PyTorch's ``alpha``:

    .. code-block:: text

        r     <- alpha * r + (1 - alpha) * g * g     (r starts at 0)
        theta <- theta - lr * g / (sqrt(r) + eps)

    Unlike AdaGrad the average forgets old gradients, so the step size can recover.
    Note the name clash: the lecture's :math:`\alpha` is the *learning rate*
    (``lr``), PyTorch's ``alpha`` is the lecture's decay rate :math:`\rho`
    (the lecture suggests 0.9; PyTorch's default is 0.99).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0
        Learning rate.
    alpha : float in [0, 1]
        Decay rate :math:`\rho` of the squared-gradient average.
    eps : float >= 0
        Small constant in the denominator.
    weight_decay : float >= 0
        L2 penalty coefficient (added to the gradient first).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = RMSprop(layer.parameters(), lr=0.1, alpha=0.75)
    >>> layer.dW[...] = 2.0
    >>> opt.step(); layer.W.round(6)         # r = 0.25 * 4 = 1; -0.1 * 2 / (1 + eps)
    array([[-0.2]])
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.alpha = check_in_range(alpha, "RMSprop", "alpha", 0.0, 1.0, high_open=False)
        self.eps = check_nonnegative(eps, "RMSprop", "eps")
        self.weight_decay = check_nonnegative(weight_decay, "RMSprop", "weight_decay")

    def _update(self, W, dW, state):
        g = dW + self.weight_decay * W if self.weight_decay else dW  # same shape as W
        r = state.setdefault("r", np.zeros_like(W))
        r *= self.alpha
        r += (1.0 - self.alpha) * g * g  # running mean of g^2
        W -= self.lr * g / (np.sqrt(r) + self.eps)  # in place


class Adam(Optimizer):
    r"""Adam: momentum (first moment) + RMSProp (second moment), with bias correction.

    PyTorch's algorithm, at step :math:`t = 1, 2, \dots`:

    .. code-block:: text

        g     <- g + weight_decay * theta                 (if weight_decay > 0)
        m     <- beta1 * m + (1 - beta1) * g              (m, v start at 0)
        v     <- beta2 * v + (1 - beta2) * g * g
        m_hat <- m / (1 - beta1^t)                        (bias correction: the averages
        v_hat <- v / (1 - beta2^t)                         start at 0 and are too small early)
        theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    (computed in PyTorch's order, ``sqrt(v) / sqrt(1 - beta2^t)``, to match it to the last bit).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0
        Learning rate.
    betas : (float, float) in [0, 1)
        Decay rates :math:`\beta_1` (first moment) and :math:`\beta_2` (second moment).
    eps : float >= 0
        Small constant in the denominator.
    weight_decay : float >= 0
        L2 penalty coefficient added to the gradient (PyTorch's ``Adam``, not ``AdamW``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> layer = Linear(1, 1, init="zeros")
    >>> opt = Adam(layer.parameters(), lr=0.1)
    >>> layer.dW[...] = 3.0
    >>> opt.step(); layer.W                  # first step: lr * g / |g| = 0.1 (up to eps)
    array([[-0.1]])
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = check_in_range(betas[0], "Adam", "beta1", 0.0, 1.0)
        self.beta2 = check_in_range(betas[1], "Adam", "beta2", 0.0, 1.0)
        self.eps = check_nonnegative(eps, "Adam", "eps")
        self.weight_decay = check_nonnegative(weight_decay, "Adam", "weight_decay")

    @property
    def betas(self):
        return (self.beta1, self.beta2)

    def _update(self, W, dW, state):
        g = dW + self.weight_decay * W if self.weight_decay else dW  # same shape as W
        m = state.setdefault("m", np.zeros_like(W))
        v = state.setdefault("v", np.zeros_like(W))
        m *= self.beta1
        m += (1.0 - self.beta1) * g  # first moment
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g  # second moment
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        denom = np.sqrt(v) / math.sqrt(correction2) + self.eps  # sqrt(v_hat) + eps
        W -= (self.lr / correction1) * m / denom  # in place

    def __repr__(self):
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"


# ---------------------------------------------------------------- learning-rate schedules
#
# The pure functions give the lecture's a_t (vectorised over t, for plots); the
# classes apply them to any optimizer: call ``scheduler.step()`` once per epoch
# after the epoch's optimizer steps, and it sets ``optimizer.lr = a_t`` for the
# next epoch (t = number of ``scheduler.step()`` calls so far).


def step_lr(t, lr0, step_size, gamma=0.1):
    r"""Step decay :math:`a_t = a_0 \gamma^{\lfloor t / \text{step\_size} \rfloor}`.

    Examples
    --------
    >>> step_lr(np.arange(7), lr0=1.0, step_size=3, gamma=0.1)
    array([1.  , 1.  , 1.  , 0.1 , 0.1 , 0.1 , 0.01])
    """
    return lr0 * gamma ** (np.asarray(t) // step_size)


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
    """Base class of the schedules: remembers ``a_0 = optimizer.lr`` and counts ``step()`` calls."""

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: optimizer must be an nnlib optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr  # a_0
        self.t = 0

    def lr_at(self, t):
        raise NotImplementedError

    def step(self):
        """Advance one epoch and set ``optimizer.lr`` to the new :math:`a_t`; returns it."""
        self.t += 1
        self.optimizer.lr = float(self.lr_at(self.t))
        return self.optimizer.lr

    def __repr__(self):
        return f"{type(self).__name__}(t={self.t}, lr={self.optimizer.lr})"


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs (PyTorch's ``StepLR``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> [sched.step() for _ in range(4)]
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        super().__init__(optimizer)
        self.step_size = check_positive_int(step_size, "StepLR", "step_size")
        self.gamma = check_nonnegative(gamma, "StepLR", "gamma")

    def lr_at(self, t):
        return step_lr(t, self.base_lr, self.step_size, self.gamma)


class CosineLR(LRScheduler):
    r"""Cosine decay :math:`a_t = \frac12 a_0(1 + \cos(t\pi/T))` over ``T`` epochs.

    Same as PyTorch's ``CosineAnnealingLR(optimizer, T_max=T)`` for t <= T.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> opt = Adam(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = CosineLR(opt, T=4)
    >>> [round(sched.step(), 4) for _ in range(4)]
    [0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, T):
        super().__init__(optimizer)
        self.T = check_positive_int(T, "CosineLR", "T")

    def lr_at(self, t):
        return cosine_lr(t, self.base_lr, self.T)


class LinearLR(LRScheduler):
    r"""Linear decay :math:`a_t = a_0 (1 - t/T)` over ``T`` epochs (the lecture's form).

    Not PyTorch's ``LinearLR`` (which interpolates between two factors).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = LinearLR(opt, T=4)
    >>> [sched.step() for _ in range(5)]
    [0.75, 0.5, 0.25, 0.0, 0.0]
    """

    def __init__(self, optimizer, T):
        super().__init__(optimizer)
        self.T = check_positive_int(T, "LinearLR", "T")

    def lr_at(self, t):
        return linear_lr(t, self.base_lr, self.T)


class InverseSqrtLR(LRScheduler):
    r"""Inverse square-root decay :math:`a_t = a_0 / \sqrt{t}`, epochs counted from t = 1.

    The first epoch (before any ``step()``) uses :math:`a_0 = a_0/\sqrt1`; after
    k calls of ``step()`` the rate is :math:`a_0 / \sqrt{k + 1}`.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    >>> sched = InverseSqrtLR(opt)
    >>> [round(sched.step(), 4) for _ in range(3)]
    [0.7071, 0.5774, 0.5]
    """

    def lr_at(self, t):
        return inverse_sqrt_lr(t + 1, self.base_lr)


__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam",
    "LRScheduler", "StepLR", "CosineLR", "LinearLR", "InverseSqrtLR",
    "step_lr", "cosine_lr", "linear_lr", "inverse_sqrt_lr",
]
