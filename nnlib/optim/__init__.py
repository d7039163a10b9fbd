r"""Optimizers, learning-rate schedules and their parameter groups, with PyTorch's names and rules.

Usage is PyTorch's::

    opt = Adam(model.parameters(), lr=1e-3)
    for X, y in batches:
        opt.zero_grad()
        loss(model(X), y)
        model.backward(loss.backward())
        opt.step()

The update rules are PyTorch's, line for line, so a network trained here and one
trained with ``torch.optim`` from the same weights stay equal to rounding error.
Every parameter ``W`` is updated **in place** from its gradient ``dW``. Parameter groups
(``param_groups``, PyTorch's list-of-dicts form) give parts of a network their own
learning rate or weight decay; see ``nnlib.optim.optimizer``.

The package, one concept per module:

* ``optimizer``: the base class (parameter groups, checks, ``step``);
* ``sgd``: ``SGD`` (momentum, dampening, Nesterov, weight decay);
* ``adaptive``: ``Adagrad``, ``RMSprop``, ``Adadelta``;
* ``adam``: ``Adam`` (with AMSGrad) and ``AdamW``;
* ``schedules``: the lecture's decays (step, multi-step, exponential, cosine, linear,
  inverse square root) as functions and scheduler classes;
* ``warmup``: ``LinearWarmupLR``, ``SequentialLR`` (warm-up + any decay), ``OneCycleLR``;
* ``plateau``: ``ReduceLROnPlateau``.

From the lecture's symbols to the arguments
-------------------------------------------
* learning rate :math:`\alpha` (or :math:`\eta`)  ->  ``lr``
* momentum average :math:`m \leftarrow \gamma m + (1-\gamma) g`, step
  :math:`\theta \leftarrow \theta - \eta m`  ->  ``SGD(lr=eta * (1 - gamma), momentum=gamma)``
  (identical steps)
* AdaGrad :math:`r \leftarrow r + g \odot g`, step size :math:`\alpha`  ->  ``Adagrad(lr=alpha, eps=epsilon)``
* RMSProp decay rate :math:`\rho` (KIT deck: :math:`\gamma`)  ->  ``RMSprop(alpha=rho)``
* Adam's :math:`\beta_1, \beta_2`  ->  ``Adam(betas=(beta1, beta2))``
* weight decay :math:`\lambda` as an L2 term in the loss  ->  ``weight_decay=lam`` of ``SGD``/``Adam``;
  decoupled from the gradient  ->  ``AdamW(weight_decay=lam)``

Why the momentum mapping is exact: PyTorch keeps :math:`v \leftarrow \mu v + g`
(starting with :math:`v_1 = g_1`) and steps :math:`\theta \leftarrow \theta - \text{lr}\, v`.
With :math:`v = m / (1 - \gamma)` this is the lecture's average (whose first value
is :math:`m_1 = (1-\gamma) g_1`), and :math:`\text{lr}\, v = \eta m` when
:math:`\text{lr} = \eta (1 - \gamma)`.

The lecture's RMSProp writes :math:`\alpha / (\epsilon + \sqrt{r})` like PyTorch;
the KIT deck writes :math:`\eta / \sqrt{v + \epsilon}`, which differs only in where the
tiny :math:`\epsilon` goes.
"""

from nnlib.optim.adam import Adam, AdamW
from nnlib.optim.adaptive import Adadelta, Adagrad, RMSprop
from nnlib.optim.optimizer import Optimizer
from nnlib.optim.plateau import ReduceLROnPlateau
from nnlib.optim.schedules import (
    CosineLR,
    ExponentialLR,
    InverseSqrtLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    StepLR,
    cosine_lr,
    exponential_lr,
    inverse_sqrt_lr,
    linear_lr,
    multistep_lr,
    step_lr,
)
from nnlib.optim.sgd import SGD
from nnlib.optim.warmup import LinearWarmupLR, OneCycleLR, SequentialLR, anneal, linear_warmup_lr

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW",
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineLR", "LinearLR", "InverseSqrtLR",
    "LinearWarmupLR", "SequentialLR", "OneCycleLR", "ReduceLROnPlateau",
    "step_lr", "multistep_lr", "exponential_lr", "cosine_lr", "linear_lr", "inverse_sqrt_lr",
    "linear_warmup_lr", "anneal",
]
