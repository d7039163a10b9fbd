"""Optional: nnlib against PyTorch on randomly drawn options (skipped when torch is not installed).

Where tests/test_torch_parity.py pins chosen cases, this file draws them: every case number
seeds its own generator, which picks a family member, its options, the shapes and the numbers,
so each case is reproducible alone (``pytest tests/test_torch_parity_fuzz.py -k "losses and 17"``).
Per family a few dozen cases: losses (every reduction, class weights, label smoothing, ignored
labels, probability targets, broadcast weights, extreme logits), layers (activations along any
dim, Linear, batch norm, Conv2d and pooling with stride/padding/dilation combinations), GRUCell
over sequences, optimisers with random options and parameter groups, schedules stepped 60 times.
All in float64; the tolerance is the rounding error of the two computations, the same as in
tests/test_torch_parity.py. Run with ``-s`` to see the largest difference met per family.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")


from torch_pairs import gru_reference, mlp_pair, t, train_step  # noqa: E402

import nnlib.activations as A  # noqa: E402
from nnlib.conv import Conv2d  # noqa: E402
from nnlib.cross_entropy import CrossEntropyLoss, KLDivLoss, NLLLoss  # noqa: E402
from nnlib.gru import GRUCell  # noqa: E402
from nnlib.layers import BatchNorm1d, BatchNorm2d, Linear  # noqa: E402
from nnlib.losses import BCELoss, BCEWithLogitsLoss, HuberLoss, L1Loss, MSELoss  # noqa: E402
from nnlib.optim import (  # noqa: E402
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    CosineLR,
    ExponentialLR,
    LinearWarmupLR,
    MultiStepLR,
    OneCycleLR,
    RMSprop,
    SequentialLR,
    StepLR,
)
from nnlib.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: E402
from nnlib.rnn import RNN  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12
S = torch.optim.lr_scheduler
WORST = {}  # family -> (cases compared, largest absolute difference)


def close(family, ours, theirs, rtol=RTOL, atol=ATOL):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours, dtype=float)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
    finite = np.isfinite(ours) & np.isfinite(theirs)
    gap = float(np.max(np.abs(ours - theirs)[finite], initial=0.0))
    WORST[family] = max(WORST.get(family, 0.0), gap)


@pytest.fixture(scope="module", autouse=True)
def report_worst():
    yield
    for family, gap in sorted(WORST.items()):
        print(f"\nlargest |nnlib - torch| for {family}: {gap:.2e}")


# ------------------------------------------------------------------ losses


def index_targets(rng, N, K, ignore_index):
    """Class indices with some rows (never all) set to ``ignore_index``."""
    labels = rng.integers(0, K, N)
    if rng.random() < 0.5 and N > 1:
        labels[rng.choice(N, int(rng.integers(1, N)), replace=False)] = ignore_index
    return labels


def draw_loss(rng, r):
    """(our loss, torch loss, pred, target, torch target or None), drawn for reduction r."""
    N, K = int(rng.integers(1, 9)), int(rng.integers(2, 7))
    scale = float(rng.choice([0.1, 1.0, 5.0, 50.0]))
    family = rng.choice(["ce", "ce_probs", "nll", "ce_positions", "bce", "bce_logits", "regression", "kl"])
    w = rng.uniform(0.1, 3.0, K) if rng.random() < 0.5 else None
    tw = None if w is None else t(w)
    ignore = int(rng.choice([-100, -1, K + 2]))
    if family == "ce":
        eps = float(rng.choice([0.0, 0.05, 0.3, 1.0]))
        y = index_targets(rng, N, K, ignore)
        return (CrossEntropyLoss(w, r, eps, ignore), torch.nn.CrossEntropyLoss(tw, reduction=r, label_smoothing=eps,
                ignore_index=ignore), scale * rng.standard_normal((N, K)), y, torch.tensor(y))
    if family == "ce_probs":
        eps = float(rng.choice([0.0, 0.2]))
        return (CrossEntropyLoss(w, r, eps), torch.nn.CrossEntropyLoss(tw, reduction=r, label_smoothing=eps),
                scale * rng.standard_normal((N, K)), rng.dirichlet(np.ones(K), N), None)
    if family == "nll":
        y = index_targets(rng, N, K, ignore)
        return (NLLLoss(w, r, ignore), torch.nn.NLLLoss(tw, reduction=r, ignore_index=ignore),
                np.log(rng.dirichlet(np.ones(K), N)), y, torch.tensor(y))
    if family == "ce_positions":  # a class score per position: (N, K, d1, ...) with targets (N, d1, ...)
        positions = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(1, 3))))
        eps = float(rng.choice([0.0, 0.1]))
        y = index_targets(rng, N * int(np.prod(positions)), K, ignore).reshape((N, *positions))
        Z = scale * rng.standard_normal((N, K, *positions))
        if rng.random() < 0.5:
            return (NLLLoss(w, r, ignore), torch.nn.NLLLoss(tw, reduction=r, ignore_index=ignore), Z, y, torch.tensor(y))
        return (CrossEntropyLoss(w, r, eps, ignore), torch.nn.CrossEntropyLoss(tw, reduction=r, label_smoothing=eps,
                ignore_index=ignore), Z, y, torch.tensor(y))
    shape = tuple(int(v) for v in rng.integers(1, 5, int(rng.integers(1, 4))))
    row_w = rng.uniform(0.2, 2.0, shape[-1:] if rng.random() < 0.5 else shape) if rng.random() < 0.6 else None
    trow = None if row_w is None else t(row_w)
    binary = rng.integers(0, 2, shape).astype(float)
    if rng.random() < 0.3:
        binary = rng.uniform(0, 1, shape)  # soft labels
    if family == "bce":
        probs = 1 / (1 + np.exp(-rng.standard_normal(shape) * min(scale, 5.0)))
        return BCELoss(row_w, r), torch.nn.BCELoss(trow, reduction=r), probs, binary, None
    if family == "bce_logits":
        pos = rng.uniform(0.3, 4.0, shape[-1:]) if rng.random() < 0.6 else None
        return (BCEWithLogitsLoss(row_w, r, pos), torch.nn.BCEWithLogitsLoss(
                trow, reduction=r, pos_weight=None if pos is None else t(pos)),
                scale * rng.standard_normal(shape), binary, None)
    if family == "regression":
        pred, target = scale * rng.standard_normal(shape), rng.standard_normal(shape)
        delta = float(rng.choice([0.3, 1.0, 4.0]))
        pred[np.abs(np.abs(pred - target) - delta) < 1e-3] += 0.01  # off Huber's switch
        pred[np.abs(pred - target) < 1e-3] += 0.01  # off L1's kink
        ours, theirs = [(MSELoss(r), torch.nn.MSELoss(reduction=r)), (L1Loss(r), torch.nn.L1Loss(reduction=r)),
                        (HuberLoss(delta, r), torch.nn.HuberLoss(reduction=r, delta=delta))][int(rng.integers(3))]
        return ours, theirs, pred, target, None
    log_target = bool(rng.random() < 0.5)
    r = "batchmean" if r == "mean" and rng.random() < 0.5 else r
    y = rng.dirichlet(np.ones(K), N)
    y[rng.random((N, K)) < 0.2] = 0.0  # zero targets: 0 log 0 = 0
    return (KLDivLoss(r, log_target), torch.nn.KLDivLoss(reduction=r, log_target=log_target),
            np.log(rng.dirichlet(np.ones(K), N)), np.log(y + 1e-300) if log_target else y, None)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")  # torch's KLDivLoss note
@pytest.mark.parametrize("case", range(80))
def test_losses_fuzz(case):
    rng = np.random.default_rng(1000 + case)
    reduction = ["mean", "sum", "none"][case % 3]
    ours, theirs, pred, target, target_t = draw_loss(rng, reduction)
    value = ours(pred, target)
    upstream = rng.standard_normal(np.shape(value)) if ours.reduction == "none" else float(rng.normal())
    grad = ours.backward(upstream)
    pt = t(pred, grad=True)
    lt = theirs(pt, t(target) if target_t is None else target_t)
    lt.backward(t(upstream))
    close("losses", value, lt)
    close("losses", grad, pt.grad)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_every_label_ignored_gives_nan_mean_and_zero_gradient(smoothing):
    logits, labels = np.random.default_rng(3).standard_normal((3, 4)), np.full(3, -100)
    for ours, theirs in [(CrossEntropyLoss(label_smoothing=smoothing), torch.nn.CrossEntropyLoss(
            label_smoothing=smoothing)), (NLLLoss(), torch.nn.NLLLoss())]:
        value = ours(logits, labels)
        pt = t(logits, grad=True)
        lt = theirs(pt, torch.tensor(labels))
        lt.backward()
        assert np.isnan(value) and torch.isnan(lt)
        close("losses", ours.backward(), pt.grad)


# ------------------------------------------------------------------ layers


def compare_layer(family, ours, theirs, x, rng, pairs=()):
    """Forward, input gradient and parameter gradients with a random upstream gradient."""
    ours.zero_grad()
    y = ours(x)
    G = rng.standard_normal(y.shape)
    dx = ours.backward(G)
    xt = t(x, grad=True)
    yt = theirs(xt)
    yt.backward(t(G))
    close(family, y, yt)
    close(family, dx, xt.grad)
    for our_grad, their_param in pairs:
        close(family, our_grad(), their_param.grad)


def random_shape(rng, low=1, high=5, ndim=None):
    ndim = int(rng.integers(1, 5)) if ndim is None else ndim
    return tuple(int(v) for v in rng.integers(low, high, ndim))


def fuzz_activation(rng):
    x = float(rng.choice([0.5, 3.0, 30.0])) * rng.standard_normal(random_shape(rng))
    x[np.abs(x) < 1e-3] += 0.01  # off ReLU-style kinks at 0
    choice = int(rng.integers(5))
    if choice == 0:
        approximate = str(rng.choice(["none", "tanh"]))
        return A.GELU(approximate=approximate), torch.nn.GELU(approximate=approximate), x
    if choice == 1:
        return A.SiLU(), torch.nn.SiLU(), x
    if choice == 2:
        beta, threshold = float(rng.choice([0.5, 1.0, 3.0])), float(rng.choice([1.0, 20.0]))
        x[np.abs(beta * x - threshold) < 1e-3] += 0.01  # off the switch to the linear part
        return A.Softplus(beta, threshold), torch.nn.Softplus(beta, threshold), x
    dim = int(rng.integers(-x.ndim, x.ndim))
    if choice == 3:
        return A.Softmax(dim=dim), torch.nn.Softmax(dim=dim), x
    return A.LogSoftmax(dim=dim), torch.nn.LogSoftmax(dim=dim), x


@pytest.mark.parametrize("case", range(30))
def test_activations_fuzz(case):
    rng = np.random.default_rng(2000 + case)
    ours, theirs, x = fuzz_activation(rng)
    compare_layer("activations", ours, theirs, x, rng)


@pytest.mark.parametrize("case", range(20))
def test_linear_fuzz(case):
    rng = np.random.default_rng(3000 + case)
    n_in, n_out, bias = int(rng.integers(1, 9)), int(rng.integers(1, 9)), bool(rng.random() < 0.5)
    ours = Linear(n_in, n_out, rng=case, bias=bias)
    theirs = torch.nn.Linear(n_in, n_out, bias=bias).double()
    pairs = [(lambda: ours.dW, theirs.weight)]
    with torch.no_grad():
        theirs.weight.copy_(t(ours.W))
        if bias:
            ours.b[...] = rng.standard_normal(n_out)
            theirs.bias.copy_(t(ours.b))
            pairs.append((lambda: ours.db, theirs.bias))
    compare_layer("Linear", ours, theirs, rng.standard_normal((int(rng.integers(1, 7)), n_in)), rng, pairs)


@pytest.mark.parametrize("case", range(30))
def test_batchnorm_fuzz(case):
    rng = np.random.default_rng(4000 + case)
    two_d = case % 2 == 1
    sequences = int(case % 4 == 2)  # BatchNorm1d on (N, C, L) in every other 1-d case
    C = int(rng.integers(1, 5))
    momentum = [0.1, float(rng.uniform(0.01, 1.0)), None][int(rng.integers(3))]
    affine, eps = bool(rng.random() < 0.6), float(rng.choice([1e-5, 1e-3, 0.1]))
    ours = (BatchNorm2d if two_d else BatchNorm1d)(C, eps=eps, momentum=momentum, affine=affine)
    theirs = (torch.nn.BatchNorm2d if two_d else torch.nn.BatchNorm1d)(C, eps=eps, momentum=momentum,
                                                                       affine=affine).double()
    pairs = []
    if affine:
        ours.gamma[...], ours.beta[...] = rng.standard_normal(C), rng.standard_normal(C)
        with torch.no_grad():
            theirs.weight.copy_(t(ours.gamma))
            theirs.bias.copy_(t(ours.beta))
        pairs = [(lambda: ours.dgamma, theirs.weight), (lambda: ours.dbeta, theirs.bias)]
    for _batch in range(int(rng.integers(1, 6))):
        N = int(rng.integers(1 if two_d else 2, 7))
        shape = (N, C, *random_shape(rng, 1, 5, 2)) if two_d else (N, C, *random_shape(rng, 1, 5, sequences))
        if two_d and np.prod(shape) // C < 2:
            shape = (2, *shape[1:])  # batch norm needs more than one value per channel
        if affine:
            theirs.weight.grad = theirs.bias.grad = None
        compare_layer("batch norm", ours, theirs, float(rng.uniform(0.1, 10)) * rng.standard_normal(shape) + 1,
                      rng, pairs)
        close("batch norm", ours.running_mean, theirs.running_mean)
        close("batch norm", ours.running_var, theirs.running_var)
    ours.eval()
    theirs.eval()
    if affine:
        theirs.weight.grad = theirs.bias.grad = None
    compare_layer("batch norm", ours, theirs, rng.standard_normal(shape), rng, pairs)


def conv_options(rng):
    """(kernel, stride, padding, dilation) as ints or pairs, mixed, with 'same' sometimes."""
    def pair_or_int(low, high):
        return int(rng.integers(low, high)) if rng.random() < 0.4 else tuple(int(v) for v in rng.integers(low, high, 2))
    k, d = pair_or_int(1, 5), pair_or_int(1, 4)
    if rng.random() < 0.25:  # an even d (k - 1) is padded unevenly, as in PyTorch
        return k, 1, "same", d
    return k, pair_or_int(1, 4), pair_or_int(0, 4), d


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's note on its own copy
@pytest.mark.parametrize("case", range(40))
def test_conv2d_fuzz(case):
    rng = np.random.default_rng(5000 + case)
    c_in, c_out, N = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
    k, s, p, d = conv_options(rng)
    bias = bool(rng.random() < 0.5)
    kk, dd = np.broadcast_to(k, 2), np.broadcast_to(d, 2)
    pp = (np.array([0, 0]) if p == "same" else np.broadcast_to(p, 2))
    low = dd * (kk - 1) + 1 - 2 * pp  # the smallest input that gives one output
    H, W = (int(max(lo, 1) + rng.integers(0, 6)) for lo in low)
    ours = Conv2d(c_in, c_out, k, stride=s, padding=p, dilation=d, bias=bias, rng=case)
    theirs = torch.nn.Conv2d(c_in, c_out, k, stride=s, padding=p, dilation=d, bias=bias).double()
    pairs = [(lambda: ours.dW, theirs.weight)]
    with torch.no_grad():
        theirs.weight.copy_(t(ours.W))
        if bias:
            ours.b[...] = rng.standard_normal(c_out)
            theirs.bias.copy_(t(ours.b))
            pairs.append((lambda: ours.db, theirs.bias))
    compare_layer("Conv2d", ours, theirs, rng.standard_normal((N, c_in, H, W)), rng, pairs)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("kernel_size, dilation", [(2, 1), (4, 1), ((2, 3), 1), ((3, 4), (2, 3)), (2, 3), ((1, 2), 5)])
def test_conv2d_same_padding_of_an_even_span_is_pytorchs(kernel_size, dilation):
    rng = np.random.default_rng(sum(np.ravel(kernel_size)) + 10 * sum(np.ravel(dilation)))
    ours = Conv2d(2, 3, kernel_size, padding="same", dilation=dilation, rng=0)
    theirs = torch.nn.Conv2d(2, 3, kernel_size, padding="same", dilation=dilation).double()
    ours.b[...] = rng.standard_normal(3)
    with torch.no_grad():
        theirs.weight.copy_(t(ours.W))
        theirs.bias.copy_(t(ours.b))
    compare_layer("Conv2d", ours, theirs, rng.standard_normal((2, 2, 5, 7)), rng,
                  [(lambda: ours.dW, theirs.weight), (lambda: ours.db, theirs.bias)])


@pytest.mark.parametrize("case", range(40))
def test_pooling_fuzz(case):
    rng = np.random.default_rng(6000 + case)
    k = int(rng.integers(1, 5)) if rng.random() < 0.4 else tuple(int(v) for v in rng.integers(1, 5, 2))
    kk = np.broadcast_to(k, 2)
    s = None if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(1, 4, 2))
    p = tuple(int(rng.integers(0, v // 2 + 1)) for v in kk)
    N, C = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    H, W = (int(v + rng.integers(0, 6)) for v in kk)
    x = rng.permutation(N * C * H * W).reshape(N, C, H, W) * 0.1 - 3  # no ties in the maxima
    if case % 3 == 0:
        compare_layer("pooling", MaxPool2d(k, s, padding=p), torch.nn.MaxPool2d(k, s, padding=p), x, rng)
    elif case % 3 == 1:
        include = bool(rng.random() < 0.5)
        compare_layer("pooling", AvgPool2d(k, s, padding=p, count_include_pad=include),
                      torch.nn.AvgPool2d(k, s, padding=p, count_include_pad=include), x, rng)
    else:
        size = int(rng.integers(1, 5)) if rng.random() < 0.4 else tuple(int(v) for v in rng.integers(1, 6, 2))
        compare_layer("pooling", AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x, rng)


@pytest.mark.parametrize("case", range(15))
def test_gru_fuzz(case):
    rng = np.random.default_rng(7000 + case)
    T, N, D, H = (int(v) for v in rng.integers(1, 7, 4))
    cell = GRUCell(D, H, rng=case)
    for name in ("b_r", "b_z", "b_n", "b_hn"):
        getattr(cell, name)[...] = rng.standard_normal(H)
    ref = gru_reference(cell)
    X, G = 2 * rng.standard_normal((T, N, D)), rng.standard_normal((T, N, H))
    h0 = rng.standard_normal((N, H)) if rng.random() < 0.7 else np.zeros((N, H))
    Xt, h0t = t(X, grad=True), t(h0[None], grad=True)
    out, _ = ref(Xt, h0t)
    out.backward(t(G))
    rnn = RNN(cell)
    close("GRUCell", rnn(X, (h0,)), out)
    close("GRUCell", rnn.backward(G), Xt.grad)
    close("GRUCell", rnn.dstate0[0], h0t.grad[0])
    close("GRUCell", np.vstack([cell.dW_r, cell.dW_z, cell.dW_n]), ref.weight_ih_l0.grad)
    close("GRUCell", np.vstack([cell.dU_r, cell.dU_z, cell.dU_n]), ref.weight_hh_l0.grad)
    close("GRUCell", np.concatenate([cell.db_r, cell.db_z, cell.db_n]), ref.bias_ih_l0.grad)
    close("GRUCell", cell.db_hn, ref.bias_hh_l0.grad[2 * H:])


# ------------------------------------------------------------------ optimizers and schedules


def draw_optimizer(rng):
    """(nnlib class, torch class, options, options a group may change)."""
    u = rng.uniform
    pick = int(rng.integers(7))
    if pick == 0:
        momentum = float(rng.choice([0.0, 0.5, 0.9]))
        nesterov = bool(momentum > 0 and rng.random() < 0.4)
        dampening = 0.0 if nesterov else float(rng.choice([0.0, 0.3, 1.0]))
        return SGD, torch.optim.SGD, dict(lr=u(0.01, 0.3), momentum=momentum, dampening=dampening,
                                          weight_decay=float(rng.choice([0.0, 0.05])), nesterov=nesterov), ["lr"]
    if pick in (1, 2):
        kwargs = dict(lr=u(1e-3, 0.05), betas=(u(0.5, 0.95), u(0.9, 0.9999)), eps=float(rng.choice([1e-8, 1e-4])),
                      weight_decay=float(rng.choice([0.0, 0.1])), amsgrad=bool(rng.random() < 0.5))
        if pick == 1:
            kwargs["decoupled_weight_decay"] = bool(rng.random() < 0.3)
            return Adam, torch.optim.Adam, kwargs, ["lr", "betas"]
        return AdamW, torch.optim.AdamW, kwargs, ["lr", "betas"]
    if pick == 3:
        return RMSprop, torch.optim.RMSprop, dict(lr=u(1e-3, 0.03), alpha=u(0.8, 0.99), eps=float(rng.choice(
            [1e-8, 1e-3])), weight_decay=float(rng.choice([0.0, 0.02])), momentum=float(rng.choice([0.0, 0.7])),
            centered=bool(rng.random() < 0.5)), ["lr", "momentum"]
    if pick == 4:
        return Adagrad, torch.optim.Adagrad, dict(lr=u(0.01, 0.3), lr_decay=float(rng.choice([0.0, 0.1])),
                                                  weight_decay=float(rng.choice([0.0, 0.03])),
                                                  initial_accumulator_value=float(rng.choice([0.0, 0.5]))), ["lr"]
    if pick == 5:
        return Adadelta, torch.optim.Adadelta, dict(lr=u(0.1, 1.0), rho=u(0.7, 0.95), eps=float(rng.choice(
            [1e-6, 1e-3])), weight_decay=float(rng.choice([0.0, 0.02]))), ["lr"]
    return AdamW, torch.optim.AdamW, dict(lr=u(1e-3, 0.05)), ["lr", "weight_decay"]


def as_groups(model, rng, kwargs, own):
    """Two groups (first and last layer); the first changes some of ``own`` (and weight_decay)."""
    first = {"params": model[0].parameters(), "lr": kwargs["lr"] * float(rng.choice([0.3, 3.0]))}
    if "betas" in own:
        first["betas"] = (0.7, 0.95)
    if "momentum" in own:
        first["momentum"] = 0.3
    if "weight_decay" in own:
        first["weight_decay"] = 0.2
    return [first, {"params": model[2].parameters()}]


@pytest.mark.parametrize("case", range(40))
def test_optimizers_fuzz(case):
    rng = np.random.default_rng(8000 + case)
    our_class, their_class, kwargs, own = draw_optimizer(rng)
    ours, theirs = mlp_pair(rng)
    if case % 2:
        group_rng = np.random.default_rng(case)  # the same draws for both libraries
        our_params, their_params = as_groups(ours, group_rng, kwargs, own), as_groups(
            theirs, np.random.default_rng(case), kwargs, own)
    else:
        our_params, their_params = ours.parameters(), theirs.parameters()
    our_opt, their_opt = our_class(our_params, **kwargs), their_class(their_params, **kwargs)
    for _step in range(15):
        X = rng.standard_normal((int(rng.integers(2, 12)), 5))
        y = rng.integers(0, 3, X.shape[0])
        train_step(ours, theirs, our_opt, their_opt, X, y)
    for i in (0, 2):
        close("optimizers", ours[i].W, theirs[i].weight, rtol=1e-9)
        close("optimizers", ours[i].b, theirs[i].bias, rtol=1e-9)


def draw_schedule(rng, steps):
    """Two functions optimizer -> schedule (nnlib, torch), drawn at random."""
    pick = int(rng.integers(7))
    if pick == 0:
        n, g = int(rng.integers(1, 15)), float(rng.uniform(0.1, 0.9))
        return lambda o: StepLR(o, n, g), lambda o: S.StepLR(o, n, g)
    if pick == 1:
        ms, g = sorted(int(v) for v in rng.choice(np.arange(1, steps), int(rng.integers(1, 5)), replace=False)), \
            float(rng.uniform(0.1, 0.9))
        return lambda o: MultiStepLR(o, ms, g), lambda o: S.MultiStepLR(o, ms, g)
    if pick == 2:
        g = float(rng.uniform(0.9, 1.0))
        return lambda o: ExponentialLR(o, g), lambda o: S.ExponentialLR(o, g)
    if pick == 3:
        start, end, n = float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.1, 1.0)), int(rng.integers(1, 30))
        return (lambda o: LinearWarmupLR(o, start, end, n), lambda o: S.LinearLR(o, start, end, n))
    if pick == 4:  # cosine within its T (after T nnlib's documented choice differs)
        w = int(rng.integers(1, 10))
        return (lambda o: SequentialLR(o, [LinearWarmupLR(o, 0.1, total_iters=w), CosineLR(o, T=steps - w)], [w]),
                lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=w), S.CosineAnnealingLR(o, steps - w)],
                                         [w]))
    if pick == 5:
        w, n, g = int(rng.integers(1, 10)), int(rng.integers(1, 10)), float(rng.uniform(0.3, 0.9))
        return (lambda o: SequentialLR(o, [LinearWarmupLR(o, 0.2, total_iters=w), StepLR(o, n, g)], [w]),
                lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.2, total_iters=w), S.StepLR(o, n, g)], [w]))
    kwargs = dict(max_lr=float(rng.uniform(0.1, 2.0)), total_steps=steps + 1, pct_start=float(rng.uniform(0.1, 0.6)),
                  anneal_strategy=str(rng.choice(["cos", "linear"])), three_phase=bool(rng.random() < 0.4),
                  div_factor=float(rng.choice([5.0, 25.0])), final_div_factor=float(rng.choice([1e2, 1e4])),
                  base_momentum=0.8, max_momentum=float(rng.choice([0.9, 0.95])))
    return lambda o: OneCycleLR(o, **kwargs), lambda o: S.OneCycleLR(o, **kwargs)


@pytest.mark.parametrize("case", range(35))
def test_schedules_fuzz(case):
    steps = 60
    rng = np.random.default_rng(9000 + case)
    make_ours, make_theirs = draw_schedule(rng, steps)
    ours, theirs = mlp_pair(rng)
    lr, momentum = float(rng.uniform(0.05, 1.0)), 0.9
    if case % 2:
        our_opt = SGD([{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": lr / 7}],
                      lr=lr, momentum=momentum)
        their_opt = torch.optim.SGD([{"params": theirs[0].parameters()}, {"params": theirs[2].parameters(),
                                     "lr": lr / 7}], lr=lr, momentum=momentum)
    else:
        our_opt = SGD(ours.parameters(), lr=lr, momentum=momentum)
        their_opt = torch.optim.SGD(theirs.parameters(), lr=lr, momentum=momentum)
    our_sched, their_sched = make_ours(our_opt), make_theirs(their_opt)
    for _step in range(steps + 1):
        for ours_group, their_group in zip(our_opt.param_groups, their_opt.param_groups, strict=True):
            close("schedules", [ours_group["lr"], ours_group["momentum"]], [their_group["lr"], their_group["momentum"]],
                  atol=1e-15)
        if _step < steps:
            their_opt.step()
            their_sched.step()
            our_sched.step()
