"""Optional: nnlib against PyTorch in float64 (skipped when torch is not installed).

Same inputs, same weights, same upstream gradients: forward values, input and
parameter gradients, loss values and gradients, and several optimizer steps
must agree to rounding error.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import nnlib.activations as A  # noqa: E402
from nnlib.layers import BatchNorm1d, Dropout, Flatten, Linear  # noqa: E402
from nnlib.losses import (  # noqa: E402
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
)
from nnlib.module import Sequential  # noqa: E402
from nnlib.optim import SGD, Adagrad, Adam, CosineLR, RMSprop, StepLR  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12
RNG = np.random.default_rng(2024)


def t(array, grad=False):
    return torch.tensor(np.asarray(array), dtype=torch.float64, requires_grad=grad)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def compare_layer(ours, theirs, x, param_pairs=()):
    """Forward, input gradient and parameter gradients with a random upstream gradient."""
    ours.zero_grad()
    y = ours(x)
    G = RNG.standard_normal(y.shape)
    dx = ours.backward(G)
    xt = t(x, grad=True)
    yt = theirs(xt)
    yt.backward(t(G))
    close(y, yt)
    close(dx, xt.grad)
    for our_grad, their_param in param_pairs:
        close(our_grad(), their_param.grad)


# ------------------------------------------------------------------ layers


def test_linear():
    ours = Linear(4, 3, rng=0)
    ours.b[...] = RNG.standard_normal(3)
    theirs = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(t(ours.W))
        theirs.bias.copy_(t(ours.b))
    compare_layer(ours, theirs, RNG.standard_normal((5, 4)),
                  [(lambda: ours.dW, theirs.weight), (lambda: ours.db, theirs.bias)])


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (A.Sigmoid(), torch.nn.Sigmoid()),
        (A.Tanh(), torch.nn.Tanh()),
        (A.ReLU(), torch.nn.ReLU()),
        (A.LeakyReLU(0.05), torch.nn.LeakyReLU(0.05)),
        (A.ELU(0.7), torch.nn.ELU(0.7)),
        (A.Identity(), torch.nn.Identity()),
        (A.Softmax(), torch.nn.Softmax(dim=-1)),
    ],
    ids=lambda m: type(m).__name__,
)
def test_activations(ours, theirs):
    x = 3 * RNG.standard_normal((4, 6))
    x += 0.05 * np.sign(x)  # off the kink at 0
    compare_layer(ours, theirs, x)


def test_softmax_huge_logits():
    x = np.array([[1e4, -1e4, 3.0], [0.0, 700.0, 710.0]])
    compare_layer(A.Softmax(), torch.nn.Softmax(dim=-1), x)


def test_flatten():
    compare_layer(Flatten(), torch.nn.Flatten(), RNG.standard_normal((2, 3, 4, 5)))


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_dropout_eval_and_scaling(p):
    ours = Dropout(p, rng=0)
    theirs = torch.nn.Dropout(p)
    x = RNG.standard_normal((50, 40))
    y = ours(x)  # training: kept units scaled by 1/(1-p) exactly like torch
    kept = y != 0
    close(y[kept], x[kept] / (1 - p))
    yt = theirs.train()(t(x))
    close(np.unique(np.round((yt.detach().numpy() / x)[yt.detach().numpy() != 0], 12)),
          np.unique(np.round(y[kept] / x[kept], 12)))
    compare_layer(ours.eval(), theirs.eval(), x)


@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_batchnorm_training_eval_and_running_stats(momentum):
    ours = BatchNorm1d(3, eps=1e-5, momentum=momentum)
    theirs = torch.nn.BatchNorm1d(3, eps=1e-5, momentum=momentum).double()
    gamma, beta = RNG.standard_normal(3), RNG.standard_normal(3)
    ours.gamma[...], ours.beta[...] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(t(gamma))
        theirs.bias.copy_(t(beta))
    for _ in range(3):  # several training batches move the running statistics
        x = 2 * RNG.standard_normal((6, 3)) + 1
        theirs.weight.grad = theirs.bias.grad = None
        compare_layer(ours, theirs, x,
                      [(lambda: ours.dgamma, theirs.weight), (lambda: ours.dbeta, theirs.bias)])
        close(ours.running_mean, theirs.running_mean)
        close(ours.running_var, theirs.running_var)
    ours.eval()
    theirs.eval()
    theirs.weight.grad = theirs.bias.grad = None
    compare_layer(ours, theirs, RNG.standard_normal((4, 3)),
                  [(lambda: ours.dgamma, theirs.weight), (lambda: ours.dbeta, theirs.bias)])


# ------------------------------------------------------------------ losses


def compare_loss(ours, theirs_fn, pred, target, target_t=None):
    value = ours(pred, target)
    grad = ours.backward()
    pt = t(pred, grad=True)
    lt = theirs_fn(pt, t(target) if target_t is None else target_t)
    lt.backward()
    close(value, lt)
    close(grad, pt.grad)


def test_regression_losses():
    pred, target = RNG.standard_normal((6, 2)), RNG.standard_normal((6, 2))
    compare_loss(MSELoss(), torch.nn.MSELoss(), pred, target)
    compare_loss(L1Loss(), torch.nn.L1Loss(), pred, target)
    for delta in [0.5, 1.0, 2.0]:
        compare_loss(HuberLoss(delta), torch.nn.HuberLoss(delta=delta), 2 * pred, target)


def test_binary_losses():
    logits = 4 * RNG.standard_normal((8, 1))
    target = RNG.integers(0, 2, (8, 1)).astype(float)
    compare_loss(BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), logits, target)
    compare_loss(BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), np.array([[1e4], [-1e4]]),
                 np.array([[0.0], [1.0]]))
    probs = 1 / (1 + np.exp(-logits))
    compare_loss(BCELoss(), torch.nn.BCELoss(), probs, target)
    soft = RNG.uniform(0, 1, (8, 1))
    compare_loss(BCELoss(), torch.nn.BCELoss(), probs, soft)


def test_cross_entropy_indices_one_hot_and_extreme():
    logits = 3 * RNG.standard_normal((7, 4))
    labels = RNG.integers(0, 4, 7)
    target_t = torch.tensor(labels)
    compare_loss(CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), logits, labels, target_t)
    compare_loss(CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), logits, np.eye(4)[labels])
    extreme = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    compare_loss(CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), extreme, np.array([1, 1]),
                 torch.tensor([1, 1]))


def test_hinge_loss():
    y = RNG.choice([-1.0, 1.0], size=(9, 1))
    f = 2 * RNG.standard_normal((9, 1))
    f[np.abs(1 - y * f) < 0.05] += 0.2  # off the hinge
    compare_loss(HingeLoss(), lambda p, yt: torch.clamp(1 - yt * p, min=0).mean(), f, y)


# ------------------------------------------------------------------ optimizers


def mlp_pair():
    ours = Sequential(Linear(5, 8, rng=1), A.Tanh(), Linear(8, 3, rng=2))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for i in (0, 2):
            ours[i].b[...] = RNG.standard_normal(ours[i].b.shape) * 0.1
            theirs[i].weight.copy_(t(ours[i].W))
            theirs[i].bias.copy_(t(ours[i].b))
    return ours, theirs


OPTIMIZERS = [
    ("SGD", dict(lr=0.1), dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01), dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("Adagrad", dict(lr=0.1), dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.01), dict(lr=0.1, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9), dict(lr=0.01, alpha=0.9)),
    ("RMSprop", dict(lr=0.01), dict(lr=0.01)),
    ("Adam", dict(lr=0.01), dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
     dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


@pytest.mark.parametrize("name, our_kwargs, their_kwargs", OPTIMIZERS)
def test_optimizer_trajectories(name, our_kwargs, their_kwargs):
    our_class = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam}[name]
    ours, theirs = mlp_pair()
    our_opt = our_class(ours.parameters(), **our_kwargs)
    their_opt = getattr(torch.optim, name)(theirs.parameters(), **their_kwargs)
    loss, their_loss = CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for _step in range(6):
        X = RNG.standard_normal((10, 5))
        y = RNG.integers(0, 3, 10)
        our_opt.zero_grad()
        loss(ours(X), y)
        ours.backward(loss.backward())
        our_opt.step()
        their_opt.zero_grad()
        their_loss(theirs(t(X)), torch.tensor(y)).backward()
        their_opt.step()
    for i in (0, 2):
        close(ours[i].W, theirs[i].weight, rtol=1e-9, atol=1e-12)
        close(ours[i].b, theirs[i].bias, rtol=1e-9, atol=1e-12)


def test_schedules_match_torch():
    ours, theirs = mlp_pair()
    for our_sched_cls, their_sched_cls, kwargs_ours, kwargs_theirs in [
        (CosineLR, torch.optim.lr_scheduler.CosineAnnealingLR, dict(T=8), dict(T_max=8)),
        (StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=3, gamma=0.5), dict(step_size=3, gamma=0.5)),
    ]:
        our_opt = SGD(ours.parameters(), lr=0.3)
        their_opt = torch.optim.SGD(theirs.parameters(), lr=0.3)
        our_sched = our_sched_cls(our_opt, **kwargs_ours)
        their_sched = their_sched_cls(their_opt, **kwargs_theirs)
        for _ in range(8):
            their_opt.step()
            their_sched.step()
            our_sched.step()
            assert our_opt.lr == pytest.approx(their_opt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
