"""Optional: nnlib against PyTorch in float64 (skipped when torch is not installed).

Same inputs, same weights, same upstream gradients: forward values, input and
parameter gradients, loss values and gradients, and several optimizer steps
must agree to rounding error.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch_pairs import gru_reference, mlp_pair, t, train_step  # noqa: E402

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
from nnlib.optim import SGD, Adagrad, Adam, CosineLR, RMSprop, StepLR  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12
RNG = np.random.default_rng(2024)


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
    ours, theirs = mlp_pair(RNG)
    our_opt = our_class(ours.parameters(), **our_kwargs)
    their_opt = getattr(torch.optim, name)(theirs.parameters(), **their_kwargs)
    train_pair(ours, theirs, our_opt, their_opt, steps=6)


def test_schedules_match_torch():
    ours, theirs = mlp_pair(RNG)
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


# ================================================================== the options of issue 14
#
# Each block below compares a new piece with PyTorch on the same numbers; the
# "fuzz" tests draw their options at random (seeded) so many combinations are covered.

import nnlib.activations as A2  # noqa: E402
from nnlib.augmentation import apply_plan, apply_plan_transpose, sampling_plan  # noqa: E402
from nnlib.conv import Conv2d  # noqa: E402
from nnlib.cross_entropy import KLDivLoss, NLLLoss  # noqa: E402
from nnlib.gru import GRUCell  # noqa: E402
from nnlib.layers import BatchNorm2d  # noqa: E402
from nnlib.optim import (  # noqa: E402
    Adadelta,
    AdamW,
    ExponentialLR,
    LinearWarmupLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
)
from nnlib.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: E402
from nnlib.residual import basic_block  # noqa: E402
from nnlib.rnn import RNN  # noqa: E402

F = torch.nn.functional
FUZZ = np.random.default_rng(14)


def test_linear_without_bias():
    ours = Linear(4, 3, rng=0, bias=False)
    theirs = torch.nn.Linear(4, 3, bias=False).double()
    with torch.no_grad():
        theirs.weight.copy_(t(ours.W))
    compare_layer(ours, theirs, RNG.standard_normal((5, 4)), [(lambda: ours.dW, theirs.weight)])


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (A2.GELU(), torch.nn.GELU()),
        (A2.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
        (A2.SiLU(), torch.nn.SiLU()),
        (A2.Softplus(), torch.nn.Softplus()),
        (A2.Softplus(beta=2.5, threshold=3.0), torch.nn.Softplus(beta=2.5, threshold=3.0)),
        (A2.Softmax(dim=0), torch.nn.Softmax(dim=0)),
        (A2.Softmax(dim=1), torch.nn.Softmax(dim=1)),
        (A2.LogSoftmax(), torch.nn.LogSoftmax(dim=-1)),
        (A2.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
    ],
    ids=lambda m: repr(m),
)
def test_new_activations(ours, theirs):
    x = 3 * RNG.standard_normal((4, 6, 3))
    x[np.abs(2.5 * x - 3.0) < 0.05] += 0.1  # off Softplus' switch to the linear part
    compare_layer(ours, theirs, x)


def test_new_activations_at_extreme_inputs():
    x = np.array([[-1e4, -40.0, -8.0, 0.0, 8.0, 40.0, 1e4]])
    for ours, theirs in [(A2.GELU(), torch.nn.GELU()), (A2.SiLU(), torch.nn.SiLU()),
                         (A2.Softplus(), torch.nn.Softplus()), (A2.LogSoftmax(), torch.nn.LogSoftmax(dim=-1))]:
        compare_layer(ours, theirs, x)


def conv_options():
    """Random (kernel, stride, padding, dilation, bias, H, W) that fit, drawn from FUZZ."""
    k = tuple(int(v) for v in FUZZ.integers(1, 4, 2))
    d = tuple(int(v) for v in FUZZ.integers(1, 3, 2))
    if FUZZ.random() < 0.25 and all((dd * (kk - 1)) % 2 == 0 for kk, dd in zip(k, d)):
        s, p = 1, "same"
    else:
        s = tuple(int(v) for v in FUZZ.integers(1, 3, 2))
        p = tuple(int(v) for v in FUZZ.integers(0, 3, 2))
    H, W = (int(v) for v in FUZZ.integers(5, 9, 2))
    return k, s, p, d, bool(FUZZ.random() < 0.5), H, W


@pytest.mark.parametrize("case", range(25))
def test_conv2d_fuzz_over_options(case):
    k, s, p, d, bias, H, W = conv_options()
    ours = Conv2d(2, 3, k, stride=s, padding=p, dilation=d, bias=bias, rng=case)
    theirs = torch.nn.Conv2d(2, 3, k, stride=s, padding=p, dilation=d, bias=bias).double()
    with torch.no_grad():
        theirs.weight.copy_(t(ours.W))
        if bias:
            ours.b[...] = RNG.standard_normal(3)
            theirs.bias.copy_(t(ours.b))
    pairs = [(lambda: ours.dW, theirs.weight)] + ([(lambda: ours.db, theirs.bias)] if bias else [])
    compare_layer(ours, theirs, RNG.standard_normal((2, 2, H, W)), pairs)


@pytest.mark.parametrize("case", range(25))
def test_pooling_fuzz_over_options(case):
    k = tuple(int(v) for v in FUZZ.integers(1, 4, 2))
    s = tuple(int(v) for v in FUZZ.integers(1, 4, 2))
    p = tuple(int(FUZZ.integers(0, kk // 2 + 1)) for kk in k)
    include = bool(FUZZ.random() < 0.5)
    x = RNG.permutation(2 * 3 * 7 * 8).reshape(2, 3, 7, 8) * 0.1  # no ties in the maxima
    compare_layer(MaxPool2d(k, s, padding=p), torch.nn.MaxPool2d(k, s, padding=p), x)
    compare_layer(AvgPool2d(k, s, padding=p, count_include_pad=include),
                  torch.nn.AvgPool2d(k, s, padding=p, count_include_pad=include), x)


@pytest.mark.parametrize("output_size", [1, (1, 1), 2, (3, 2), (5, 4), (2, 7)])
def test_adaptive_avg_pool(output_size):
    compare_layer(AdaptiveAvgPool2d(output_size), torch.nn.AdaptiveAvgPool2d(output_size),
                  RNG.standard_normal((2, 3, 5, 7)))


@pytest.mark.parametrize("bn_class, torch_class, shape",
                         [(BatchNorm1d, torch.nn.BatchNorm1d, (6, 3)), (BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 3, 2))])
@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_options_training_eval_and_running_stats(bn_class, torch_class, shape, momentum, affine):
    ours = bn_class(3, eps=1e-5, momentum=momentum, affine=affine)
    theirs = torch_class(3, eps=1e-5, momentum=momentum, affine=affine).double()
    pairs = []
    if affine:
        gamma, beta = RNG.standard_normal(3), RNG.standard_normal(3)
        ours.gamma[...], ours.beta[...] = gamma, beta
        with torch.no_grad():
            theirs.weight.copy_(t(gamma))
            theirs.bias.copy_(t(beta))
        pairs = [(lambda: ours.dgamma, theirs.weight), (lambda: ours.dbeta, theirs.bias)]
    for _ in range(3):
        if affine:
            theirs.weight.grad = theirs.bias.grad = None
            ours.zero_grad()
        compare_layer(ours, theirs, 2 * RNG.standard_normal(shape) + 1, pairs)
        close(ours.running_mean, theirs.running_mean)
        close(ours.running_var, theirs.running_var)
        assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked)
    ours.eval()
    theirs.eval()
    if affine:
        theirs.weight.grad = theirs.bias.grad = None
    compare_layer(ours, theirs, RNG.standard_normal(shape), pairs)


def test_gru_over_a_sequence():
    T, N, D, H = 6, 3, 2, 4
    cell = GRUCell(D, H, rng=3)
    for name in ("b_r", "b_z", "b_n", "b_hn"):
        getattr(cell, name)[...] = RNG.standard_normal(H)
    ref = gru_reference(cell)
    X, h0, G = RNG.standard_normal((T, N, D)), RNG.standard_normal((N, H)), RNG.standard_normal((T, N, H))
    Xt, h0t = t(X, grad=True), t(h0[None], grad=True)
    out, _ = ref(Xt, h0t)
    out.backward(t(G))
    rnn = RNN(cell)
    close(rnn(X, (h0,)), out)
    close(rnn.backward(G), Xt.grad)
    close(rnn.dstate0[0], h0t.grad[0])
    grad_ih, grad_hh = ref.weight_ih_l0.grad.numpy(), ref.weight_hh_l0.grad.numpy()
    close(np.vstack([cell.dW_r, cell.dW_z, cell.dW_n]), grad_ih)
    close(np.vstack([cell.dU_r, cell.dU_z, cell.dU_n]), grad_hh)
    close(np.concatenate([cell.db_r, cell.db_z, cell.db_n]), ref.bias_ih_l0.grad)
    close(cell.db_hn, ref.bias_hh_l0.grad[2 * H:])


def test_residual_basic_block():
    C = 3
    ours = basic_block(C, rng=5)

    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(
                torch.nn.Conv2d(C, C, 3, padding=1, bias=False), torch.nn.BatchNorm2d(C), torch.nn.ReLU(),
                torch.nn.Conv2d(C, C, 3, padding=1, bias=False), torch.nn.BatchNorm2d(C))

        def forward(self, x):
            return torch.relu(x + self.body(x))

    theirs = TorchBlock().double()
    body = ours[0].body
    with torch.no_grad():
        theirs.body[0].weight.copy_(t(body[0].W))
        theirs.body[3].weight.copy_(t(body[3].W))
    compare_layer(ours, theirs, RNG.standard_normal((2, C, 5, 4)),
                  [(lambda: body[0].dW, theirs.body[0].weight), (lambda: body[3].dW, theirs.body[3].weight),
                   (lambda: body[1].dgamma, theirs.body[1].weight), (lambda: body[4].dbeta, theirs.body[4].bias)])


@pytest.mark.parametrize("case", range(12))
def test_augmentation_warp_is_grid_sample(case):
    """Turn + move with bilinear sampling and zero fill = PyTorch's affine_grid + grid_sample (align_corners)."""
    N, C, S = 3, 2, int(FUZZ.integers(4, 9))  # square images
    angles = FUZZ.uniform(-30, 30, N)
    shifts = FUZZ.integers(-2, 3, (N, 2)).astype(float)
    X, G = RNG.standard_normal((N, C, S, S)), RNG.standard_normal((N, C, S, S))
    plan = sampling_plan(X.shape, angles, shifts)
    c = (S - 1) / 2
    th = np.deg2rad(angles)
    cos, sin, sy, sx = np.cos(th), np.sin(th), shifts[:, 0], shifts[:, 1]
    theta = np.stack([np.stack([cos, -sin, -(cos * sx - sin * sy) / c], axis=1),
                      np.stack([sin, cos, -(sin * sx + cos * sy) / c], axis=1)], axis=1)  # (N, 2, 3)
    grid = F.affine_grid(t(theta), (N, C, S, S), align_corners=True)
    Xt = t(X, grad=True)
    out = F.grid_sample(Xt, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    out.backward(t(G))
    close(apply_plan(X, plan), out)
    close(apply_plan_transpose(G, plan), Xt.grad)


# ------------------------------------------------------------------ losses: every loss, reduction and option


def loss_cases():
    """(our loss, torch loss, pred, target, torch target) for every loss and option, for one reduction r."""
    N, K = 6, 4
    logits = 3 * RNG.standard_normal((N, K))
    labels = RNG.integers(0, K, N)
    probs_rows = RNG.dirichlet(np.ones(K), N)
    w = RNG.uniform(0.2, 3.0, K)
    reg_pred, reg_target = RNG.standard_normal((N, 2)), RNG.standard_normal((N, 2))
    binary = RNG.integers(0, 2, (N, 2)).astype(float)
    log_p = np.log(RNG.dirichlet(np.ones(K), N))
    pos_w = RNG.uniform(0.5, 4.0, 2)
    row_w = RNG.uniform(0.5, 2.0, (N, 1))
    return lambda r: [
        (MSELoss(reduction=r), torch.nn.MSELoss(reduction=r), reg_pred, reg_target, None),
        (L1Loss(reduction=r), torch.nn.L1Loss(reduction=r), reg_pred, reg_target, None),
        (HuberLoss(0.6, reduction=r), torch.nn.HuberLoss(reduction=r, delta=0.6), 2 * reg_pred, reg_target, None),
        (BCELoss(reduction=r), torch.nn.BCELoss(reduction=r), 1 / (1 + np.exp(-reg_pred)), binary, None),
        (BCELoss(weight=row_w, reduction=r), torch.nn.BCELoss(weight=t(row_w), reduction=r),
         1 / (1 + np.exp(-reg_pred)), binary, None),
        (BCEWithLogitsLoss(reduction=r), torch.nn.BCEWithLogitsLoss(reduction=r), 3 * reg_pred, binary, None),
        (BCEWithLogitsLoss(weight=row_w, reduction=r, pos_weight=pos_w),
         torch.nn.BCEWithLogitsLoss(weight=t(row_w), reduction=r, pos_weight=t(pos_w)), 3 * reg_pred, binary, None),
        (CrossEntropyLoss(reduction=r), torch.nn.CrossEntropyLoss(reduction=r), logits, labels, torch.tensor(labels)),
        (CrossEntropyLoss(weight=w, reduction=r, label_smoothing=0.15),
         torch.nn.CrossEntropyLoss(weight=t(w), reduction=r, label_smoothing=0.15), logits, labels,
         torch.tensor(labels)),
        (CrossEntropyLoss(weight=w, reduction=r), torch.nn.CrossEntropyLoss(weight=t(w), reduction=r),
         logits, labels, torch.tensor(labels)),
        (CrossEntropyLoss(reduction=r, label_smoothing=0.3), torch.nn.CrossEntropyLoss(reduction=r, label_smoothing=0.3),
         logits, probs_rows, None),
        (CrossEntropyLoss(weight=w, reduction=r, label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(weight=t(w), reduction=r, label_smoothing=0.1), logits, probs_rows, None),
        (NLLLoss(reduction=r), torch.nn.NLLLoss(reduction=r), log_p, labels, torch.tensor(labels)),
        (NLLLoss(weight=w, reduction=r), torch.nn.NLLLoss(weight=t(w), reduction=r), log_p, labels,
         torch.tensor(labels)),
        (KLDivLoss(reduction=r), torch.nn.KLDivLoss(reduction=r), log_p, probs_rows, None),
        (KLDivLoss(reduction=r, log_target=True), torch.nn.KLDivLoss(reduction=r, log_target=True), log_p,
         np.log(probs_rows), None),
    ]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")  # torch's KLDivLoss note
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_every_loss_with_every_reduction(reduction):
    for ours, theirs, pred, target, target_t in loss_cases()(reduction):
        value = ours(pred, target)
        upstream = RNG.standard_normal(np.shape(value)) if reduction == "none" else 1.7
        grad = ours.backward(upstream)
        pt = t(pred, grad=True)
        lt = theirs(pt, t(target) if target_t is None else target_t)
        lt.backward(t(upstream) if reduction == "none" else torch.tensor(1.7, dtype=torch.float64))
        close(value, lt)
        close(grad, pt.grad)


def test_kl_div_batchmean():
    log_p, y = np.log(RNG.dirichlet(np.ones(5), 4)), RNG.dirichlet(np.ones(5), 4)
    y[0, 2] = 0.0  # a zero target: 0 log 0 = 0
    y[0] /= y[0].sum()
    compare_loss(KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"), log_p, y)


# ------------------------------------------------------------------ optimizers: the new options and groups

NEW_OPTIMIZERS = [
    (SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    (SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.8, dampening=1.0, weight_decay=0.05)),
    (Adagrad, torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.2)),
    (Adagrad, torch.optim.Adagrad, dict(lr=0.1, initial_accumulator_value=0.4, weight_decay=0.01)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.9)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    (Adadelta, torch.optim.Adadelta, dict()),
    (Adadelta, torch.optim.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.01)),
    (Adam, torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    (Adam, torch.optim.Adam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    (AdamW, torch.optim.AdamW, dict(lr=0.01)),
    (AdamW, torch.optim.AdamW, dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.3, amsgrad=True)),
]


def train_pair(ours, theirs, our_opt, their_opt, steps=8, after_step=None):
    for step in range(steps):
        X = RNG.standard_normal((10, 5))
        y = RNG.integers(0, 3, 10)
        train_step(ours, theirs, our_opt, their_opt, X, y)
        if after_step is not None:
            after_step(step)
    for i in (0, 2):
        close(ours[i].W, theirs[i].weight, rtol=1e-9, atol=1e-12)
        close(ours[i].b, theirs[i].bias, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("our_class, their_class, kwargs", NEW_OPTIMIZERS,
                         ids=[f"{c.__name__}-{sorted(k)}" for c, _, k in NEW_OPTIMIZERS])
def test_new_optimizer_options(our_class, their_class, kwargs):
    ours, theirs = mlp_pair(RNG)
    train_pair(ours, theirs, our_class(ours.parameters(), **kwargs), their_class(theirs.parameters(), **kwargs))


@pytest.mark.parametrize("our_class, their_class, kwargs", [
    (SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    (Adam, torch.optim.Adam, dict(lr=0.01)),
    (AdamW, torch.optim.AdamW, dict(lr=0.01)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.01, centered=True)),
])
def test_param_groups_with_their_own_lr_and_weight_decay(our_class, their_class, kwargs):
    ours, theirs = mlp_pair(RNG)
    our_groups = [{"params": ours[0].parameters(), "lr": kwargs["lr"] * 3, "weight_decay": 0.05},
                  {"params": ours[2].parameters()}]
    their_groups = [{"params": theirs[0].parameters(), "lr": kwargs["lr"] * 3, "weight_decay": 0.05},
                    {"params": theirs[2].parameters()}]
    our_opt, their_opt = our_class(our_groups, **kwargs), their_class(their_groups, **kwargs)
    our_sched = StepLR(our_opt, step_size=3, gamma=0.5)
    their_sched = torch.optim.lr_scheduler.StepLR(their_opt, step_size=3, gamma=0.5)

    def after_step(_step):
        our_sched.step()
        their_sched.step()
        for ours_lr, group in zip(our_sched.get_last_lr(), their_opt.param_groups):
            assert ours_lr == pytest.approx(group["lr"], rel=1e-12)
    train_pair(ours, theirs, our_opt, their_opt, after_step=after_step)


# ------------------------------------------------------------------ schedules


def schedule_pair(make_ours, make_theirs, steps, lr=0.3, momentum=0.9, groups=False):
    """Drive an nnlib and a torch schedule side by side; compare every group's lr (and momentum) each step."""
    ours, theirs = mlp_pair(RNG)
    if groups:
        our_opt = SGD([{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": lr / 10}],
                      lr=lr, momentum=momentum)
        their_opt = torch.optim.SGD([{"params": theirs[0].parameters()},
                                     {"params": theirs[2].parameters(), "lr": lr / 10}], lr=lr, momentum=momentum)
    else:
        our_opt = SGD(ours.parameters(), lr=lr, momentum=momentum)
        their_opt = torch.optim.SGD(theirs.parameters(), lr=lr, momentum=momentum)
    our_sched, their_sched = make_ours(our_opt), make_theirs(their_opt)

    def compare():
        for ours_group, their_group in zip(our_opt.param_groups, their_opt.param_groups):
            assert ours_group["lr"] == pytest.approx(their_group["lr"], rel=1e-12, abs=1e-15)
            assert ours_group["momentum"] == pytest.approx(their_group["momentum"], rel=1e-12, abs=1e-15)

    compare()
    for _step in range(steps):
        their_opt.step()
        their_sched.step()
        our_sched.step()
        compare()


S = torch.optim.lr_scheduler


@pytest.mark.parametrize("groups", [False, True])
@pytest.mark.parametrize("name, make_ours, make_theirs", [
    ("multistep", lambda o: MultiStepLR(o, [2, 5, 6], gamma=0.3), lambda o: S.MultiStepLR(o, [2, 5, 6], gamma=0.3)),
    ("exponential", lambda o: ExponentialLR(o, gamma=0.8), lambda o: S.ExponentialLR(o, gamma=0.8)),
    ("warmup", lambda o: LinearWarmupLR(o, start_factor=0.1, total_iters=4),
     lambda o: S.LinearLR(o, start_factor=0.1, total_iters=4)),
    ("warmup_end", lambda o: LinearWarmupLR(o, start_factor=0.5, end_factor=0.2, total_iters=3),
     lambda o: S.LinearLR(o, start_factor=0.5, end_factor=0.2, total_iters=3)),
    ("warmup+cosine", lambda o: SequentialLR(o, [LinearWarmupLR(o, 0.2, total_iters=3), CosineLR(o, T=7)], [3]),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.2, total_iters=3), S.CosineAnnealingLR(o, T_max=7)], [3])),
    ("warmup+step+exp", lambda o: SequentialLR(o, [LinearWarmupLR(o, 0.5, total_iters=2), StepLR(o, 2, 0.5),
                                                   ExponentialLR(o, 0.9)], [2, 6]),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.5, total_iters=2), S.StepLR(o, 2, 0.5), S.ExponentialLR(o, 0.9)],
                              [2, 6])),
    ("onecycle", lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10),
     lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10)),
    ("onecycle_linear_3phase", lambda o: OneCycleLR(o, max_lr=[1.0, 0.5][:len(o.param_groups)] if len(o.param_groups) > 1
                                                    else 1.0, epochs=3, steps_per_epoch=4, pct_start=0.25,
                                                    anneal_strategy="linear", three_phase=True, div_factor=10.0,
                                                    final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9),
     lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5][:len(o.param_groups)] if len(o.param_groups) > 1 else 1.0, epochs=3,
                            steps_per_epoch=4, pct_start=0.25, anneal_strategy="linear", three_phase=True,
                            div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9)),
])
def test_new_schedules_match_torch(name, make_ours, make_theirs, groups):
    steps = 12 if "onecycle_linear" in name else 10
    schedule_pair(make_ours, make_theirs, steps, groups=groups)


def test_one_cycle_cycles_adams_beta1_like_torch():
    ours, theirs = mlp_pair(RNG)
    our_opt, their_opt = Adam(ours.parameters(), lr=0.01), torch.optim.Adam(theirs.parameters(), lr=0.01)
    our_sched = OneCycleLR(our_opt, max_lr=0.05, total_steps=8)
    their_sched = S.OneCycleLR(their_opt, max_lr=0.05, total_steps=8)

    def after_step(_step):
        our_sched.step()
        their_sched.step()
        assert our_opt.betas[0] == pytest.approx(their_opt.param_groups[0]["betas"][0], rel=1e-12)
        assert our_opt.lr == pytest.approx(their_opt.param_groups[0]["lr"], rel=1e-12)
    train_pair(ours, theirs, our_opt, their_opt, steps=8, after_step=after_step)


@pytest.mark.parametrize("case", range(12))
def test_reduce_lr_on_plateau_fuzz(case):
    mode = ["min", "max"][case % 2]
    kwargs = dict(mode=mode, factor=float(FUZZ.choice([0.1, 0.5, 0.8])), patience=int(FUZZ.integers(0, 4)),
                  threshold=float(FUZZ.choice([0.0, 1e-4, 0.05])), threshold_mode=["rel", "abs"][case // 2 % 2],
                  cooldown=int(FUZZ.integers(0, 3)), min_lr=float(FUZZ.choice([0.0, 0.01])))
    ours, theirs = mlp_pair(RNG)
    our_opt = SGD([{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": 0.05}], lr=0.3)
    their_opt = torch.optim.SGD([{"params": theirs[0].parameters()}, {"params": theirs[2].parameters(), "lr": 0.05}],
                                lr=0.3)
    our_sched, their_sched = ReduceLROnPlateau(our_opt, **kwargs), S.ReduceLROnPlateau(their_opt, **kwargs)
    metric = 1.0
    for _ in range(30):  # a noisy curve that improves, stalls and gets worse
        metric = metric * float(FUZZ.choice([0.9, 1.0, 0.999, 1.02])) + float(FUZZ.normal(0, 0.005))
        our_sched.step(metric)
        their_sched.step(metric)
        assert our_sched.get_last_lr() == pytest.approx(their_sched.get_last_lr(), rel=1e-12)
