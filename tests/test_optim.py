"""Tests of the optimizers and learning-rate schedules."""

import numpy as np
import pytest

from nnlib.layers import Linear
from nnlib.optim import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    CosineLR,
    ExponentialLR,
    InverseSqrtLR,
    LinearLR,
    LinearWarmupLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    RMSprop,
    SequentialLR,
    StepLR,
    cosine_lr,
    inverse_sqrt_lr,
    linear_lr,
    step_lr,
)

GRADS = [np.array([[0.5, -1.0]]), np.array([[0.2, 0.3]]), np.array([[-0.7, 0.1]]), np.array([[1.5, -0.4]])]
W0 = np.array([[0.3, -0.2]])


def run(make_opt, grads=GRADS):
    """Apply the given gradient sequence to a Linear(2, 1) weight; return W after each step."""
    layer = Linear(2, 1)
    layer.W[...] = W0
    opt = make_opt(layer.parameters())
    history = []
    for g in grads:
        opt.zero_grad()
        layer.dW += g
        opt.step()
        history.append(layer.W.copy())
    return history


def textbook(update, grads=GRADS):
    W, state, history = W0.copy(), {}, []
    for t, g in enumerate(grads, start=1):
        W = update(W, g, state, t)
        history.append(W.copy())
    return history


def assert_same(history, reference):
    for k, (got, want) in enumerate(zip(history, reference)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=f"step {k + 1}")


def test_plain_sgd_and_weight_decay():
    def reference(W, g, state, t):
        return W - 0.1 * (g + 0.01 * W)
    assert_same(run(lambda p: SGD(p, lr=0.1, weight_decay=0.01)), textbook(reference))


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    def reference(W, g, state, t):
        g = g + 0.05 * W
        state["v"] = g if t == 1 else 0.9 * state["v"] + g
        step = g + 0.9 * state["v"] if nesterov else state["v"]
        return W - 0.1 * step
    got = run(lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=nesterov, weight_decay=0.05))
    assert_same(got, textbook(reference))


def test_lecture_momentum_average_maps_onto_sgd():
    eta, gamma = 0.1, 0.8

    def lecture(W, g, state, t):  # m <- gamma m + (1 - gamma) g; theta <- theta - eta m
        state["m"] = gamma * state.get("m", 0.0) + (1 - gamma) * g
        return W - eta * state["m"]
    assert_same(run(lambda p: SGD(p, lr=eta * (1 - gamma), momentum=gamma)), textbook(lecture))


def test_adagrad_lecture_algorithm():
    def reference(W, g, state, t):
        state["r"] = state.get("r", 0.0) + g * g
        return W - 0.5 / (1e-10 + np.sqrt(state["r"])) * g
    assert_same(run(lambda p: Adagrad(p, lr=0.5)), textbook(reference))


def test_rmsprop_lecture_algorithm_rho_is_alpha():
    rho = 0.9

    def reference(W, g, state, t):
        state["r"] = rho * state.get("r", 0.0) + (1 - rho) * g * g
        return W - 0.01 / (1e-8 + np.sqrt(state["r"])) * g
    assert_same(run(lambda p: RMSprop(p, lr=0.01, alpha=rho)), textbook(reference))


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adam_with_bias_correction(weight_decay):
    b1, b2 = 0.8, 0.95

    def reference(W, g, state, t):
        g = g + weight_decay * W
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        m_hat = state["m"] / (1 - b1**t)
        v_hat = state["v"] / (1 - b2**t)
        return W - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    got = run(lambda p: Adam(p, lr=0.01, betas=(b1, b2), weight_decay=weight_decay))
    np.testing.assert_allclose(got, textbook(reference), rtol=1e-12, atol=1e-15)


def test_adam_first_step_is_lr_times_sign():
    got = run(lambda p: Adam(p, lr=0.1), grads=[np.array([[3.0, -0.001]])])
    np.testing.assert_allclose(got[0], W0 - 0.1 * np.array([[1.0, -1.0]]), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "make_opt",
    [lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adagrad(p, lr=0.5),
     lambda p: RMSprop(p, lr=0.05), lambda p: Adam(p, lr=0.1)],
)
def test_optimizers_minimise_a_quadratic_in_place(make_opt):
    layer = Linear(2, 1, rng=0)
    W_array = layer.W
    target = np.array([[1.0, -2.0]])
    opt = make_opt(layer.parameters())
    for _ in range(300):
        opt.zero_grad()
        layer.dW += layer.W - target  # gradient of 1/2 ||W - target||^2
        opt.step()
    assert layer.W is W_array  # updated in place, never rebound
    np.testing.assert_allclose(layer.W, target, atol=0.05)


@pytest.mark.parametrize("opt_class", [SGD, Adagrad, RMSprop, Adam])
def test_negative_learning_rate_rejected(opt_class):
    with pytest.raises(ValueError, match=rf"{opt_class.__name__}: lr must be a finite number >= 0, got -0.1"):
        opt_class(Linear(1, 1, rng=0).parameters(), lr=-0.1)


def test_bad_optimizer_arguments():
    params = Linear(1, 1, rng=0).parameters()
    with pytest.raises(ValueError, match=r"SGD: nesterov=True needs momentum > 0"):
        SGD(params, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"SGD: momentum must be a finite number >= 0, got -0.5"):
        SGD(params, lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match=r"Adam: beta2 must be in \[0.0, 1.0\), got 1.0"):
        Adam(params, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"):
        Adam(params, betas=0.9)
    with pytest.raises(ValueError, match=r"RMSprop: alpha must be in \[0.0, 1.0\], got 1.5"):
        RMSprop(params, alpha=1.5)
    with pytest.raises(ValueError, match=r"Adam: got an empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match=r"SGD: params must be Parameter handles from model.parameters\(\), got ndarray"):
        SGD([np.zeros(2)], lr=0.1)


# ------------------------------------------------------------------ schedules


def test_schedule_formulas_lecture():
    t = np.array([0, 25, 50, 75, 100])
    np.testing.assert_allclose(cosine_lr(t, 0.1, 100), 0.05 * (1 + np.cos(t * np.pi / 100)))
    np.testing.assert_allclose(linear_lr(t, 0.1, 100), [0.1, 0.075, 0.05, 0.025, 0.0])
    np.testing.assert_allclose(inverse_sqrt_lr([1, 4, 100], 0.1), [0.1, 0.05, 0.01])
    # ResNet example from the slides: times 0.1 after epochs 30, 60, 90
    np.testing.assert_allclose(step_lr([29, 30, 60, 90], 0.1, 30), [0.1, 0.01, 0.001, 0.0001])


def test_schedulers_drive_any_optimizer():
    layer = Linear(1, 1, rng=0)
    for opt in [SGD(layer.parameters(), lr=0.2), Adam(layer.parameters(), lr=0.2)]:
        sched = CosineLR(opt, T=10)
        seen = [opt.lr] + [sched.step() for _ in range(10)]
        np.testing.assert_allclose(seen, cosine_lr(np.arange(11), 0.2, 10))
        assert opt.lr == pytest.approx(0.0, abs=1e-15)


def test_step_linear_inverse_sqrt_schedulers():
    layer = Linear(1, 1, rng=0)
    opt = SGD(layer.parameters(), lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    assert [sched.step() for _ in range(5)] == [1.0, 0.5, 0.5, 0.25, 0.25]
    opt = SGD(layer.parameters(), lr=1.0)
    sched = LinearLR(opt, T=4)
    assert [sched.step() for _ in range(5)] == [0.75, 0.5, 0.25, 0.0, 0.0]
    opt = RMSprop(layer.parameters(), lr=1.0)
    sched = InverseSqrtLR(opt)
    np.testing.assert_allclose([sched.step() for _ in range(3)], 1 / np.sqrt([2, 3, 4]))


def test_schedule_errors():
    opt = SGD(Linear(1, 1, rng=0).parameters(), lr=1.0)
    with pytest.raises(ValueError, match=r"inverse_sqrt_lr: t must be >= 1"):
        inverse_sqrt_lr(0, 1.0)
    with pytest.raises(ValueError, match=r"CosineLR: T must be >= 1, got 0"):
        CosineLR(opt, T=0)
    with pytest.raises(TypeError, match=r"StepLR: optimizer must be an nnlib optimizer, got dict"):
        StepLR({}, step_size=2)


# ------------------------------------------------------------------ the new options, against textbook loops



def test_sgd_dampening():
    def reference(W, g, state, t):
        state["v"] = g if t == 1 else 0.9 * state["v"] + (1 - 0.3) * g  # the first step is not dampened
        return W - 0.1 * state["v"]
    assert_same(run(lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.3)), textbook(reference))


@pytest.mark.parametrize("lr_decay, initial", [(0.0, 0.0), (0.5, 0.0), (0.0, 0.3), (0.1, 1.0)])
def test_adagrad_lr_decay_and_initial_accumulator(lr_decay, initial):
    def reference(W, g, state, t):
        state["r"] = state.get("r", initial) + g * g
        return W - 0.5 / (1 + (t - 1) * lr_decay) * g / (np.sqrt(state["r"]) + 1e-10)
    got = run(lambda p: Adagrad(p, lr=0.5, lr_decay=lr_decay, initial_accumulator_value=initial))
    assert_same(got, textbook(reference))


@pytest.mark.parametrize("momentum", [0.0, 0.8])
@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_momentum_and_centered(momentum, centered):
    def reference(W, g, state, t):
        state["r"] = 0.9 * state.get("r", 0.0) + 0.1 * g * g
        r_hat = state["r"]
        if centered:
            state["m"] = 0.9 * state.get("m", 0.0) + 0.1 * g
            r_hat = state["r"] - state["m"] ** 2  # a variance instead of a second moment
        step = g / (np.sqrt(r_hat) + 1e-8)
        if momentum:
            state["b"] = momentum * state.get("b", 0.0) + step
            step = state["b"]
        return W - 0.01 * step
    got = run(lambda p: RMSprop(p, lr=0.01, alpha=0.9, momentum=momentum, centered=centered))
    np.testing.assert_allclose(got, textbook(reference), rtol=1e-12, atol=1e-15)


def test_adadelta_zeiler_algorithm():
    rho, eps = 0.9, 1e-6

    def reference(W, g, state, t):
        state["r"] = rho * state.get("r", 0.0) + (1 - rho) * g * g
        delta = np.sqrt(state.get("u", 0.0) + eps) / np.sqrt(state["r"] + eps) * g
        state["u"] = rho * state.get("u", 0.0) + (1 - rho) * delta * delta
        return W - 1.0 * delta
    np.testing.assert_allclose(run(lambda p: Adadelta(p)), textbook(reference), rtol=1e-12, atol=1e-15)


def test_adam_amsgrad_divides_by_the_largest_second_moment():
    b1, b2 = 0.9, 0.999

    def reference(W, g, state, t):
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        state["v_max"] = np.maximum(state.get("v_max", 0.0), state["v"])
        return W - 0.01 * (state["m"] / (1 - b1**t)) / (np.sqrt(state["v_max"] / (1 - b2**t)) + 1e-8)
    got = run(lambda p: Adam(p, lr=0.01, amsgrad=True))
    np.testing.assert_allclose(got, textbook(reference), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_decays_the_weights_not_the_gradient(amsgrad):
    b1, b2, lam, lr = 0.9, 0.999, 0.1, 0.01

    def reference(W, g, state, t):
        W = W * (1 - lr * lam)  # decoupled: shrink the weights themselves
        state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g  # the gradient has no lam * W term
        state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        v = state["v"]
        if amsgrad:
            state["v_max"] = v = np.maximum(state.get("v_max", 0.0), v)
        return W - lr * (state["m"] / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    got = run(lambda p: AdamW(p, lr=lr, weight_decay=lam, amsgrad=amsgrad))
    np.testing.assert_allclose(got, textbook(reference), rtol=1e-12, atol=1e-15)
    assert AdamW(Linear(1, 1).parameters()).weight_decay == 0.01  # PyTorch's default


def test_adamw_differs_from_adam_with_l2():
    adam = run(lambda p: Adam(p, lr=0.01, weight_decay=0.1))
    adamw = run(lambda p: AdamW(p, lr=0.01, weight_decay=0.1))
    assert np.abs(adam[-1] - adamw[-1]).max() > 1e-4


# ------------------------------------------------------------------ parameter groups


def test_param_groups_have_their_own_lr_and_defaults():
    first, second = Linear(2, 1, init="zeros"), Linear(2, 1, init="zeros")
    opt = SGD([{"params": first.parameters()}, {"params": second.parameters(), "lr": 0.5}],
              lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.0 and len(opt.params) == 4
    for layer in (first, second):
        layer.dW[...] = 1.0
    opt.step()
    np.testing.assert_allclose(first.W, [[-0.1, -0.1]])
    np.testing.assert_allclose(second.W, [[-0.5, -0.5]])
    opt.lr = 0.2  # sets every group
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]
    opt.add_param_group({"params": Linear(1, 1).parameters(), "momentum": 0.9})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.9


def test_schedules_decay_every_group_from_its_own_rate():
    a, b = Linear(1, 1), Linear(1, 1)
    opt = Adam([{"params": a.parameters(), "lr": 1.0}, {"params": b.parameters(), "lr": 0.1}])
    sched = StepLR(opt, step_size=1, gamma=0.5)
    sched.step()
    assert sched.get_last_lr() == [0.5, 0.05] and sched.base_lrs == [1.0, 0.1]
    plateau = ReduceLROnPlateau(opt, factor=0.5, patience=0, min_lr=[0.0, 0.04])
    plateau.step(1.0)
    plateau.step(2.0)  # worse: reduce, but not below each group's min_lr
    assert plateau.get_last_lr() == [0.25, 0.04]


def test_param_group_errors():
    layer = Linear(1, 1, rng=0)
    with pytest.raises(ValueError, match=r"SGD \(param group 1\): some parameters appear in more than one parameter group"):
        SGD([{"params": layer.parameters()}, {"params": layer.parameters()}], lr=0.1)
    with pytest.raises(ValueError, match=r"SGD \(param group 0\): unknown hyperparameter 'betas'; known are params, lr"):
        SGD([{"params": layer.parameters(), "betas": (0.9, 0.99)}], lr=0.1)
    with pytest.raises(ValueError, match=r"Adam \(param group 0\): lr must be a finite number >= 0, got -1"):
        Adam([{"params": layer.parameters(), "lr": -1}])
    with pytest.raises(TypeError, match=r"Adam \(param group 1\): a parameter group must be a dict with a 'params' entry, got list"):
        Adam([{"params": layer.parameters()}, [1, 2]])
    with pytest.raises(ValueError, match=r"SGD: nesterov=True needs momentum > 0 and dampening = 0, got momentum=0.9 and dampening=0.1"):
        SGD(layer.parameters(), lr=0.1, momentum=0.9, nesterov=True, dampening=0.1)
    with pytest.raises(TypeError, match=r"RMSprop: centered must be True or False, got 1"):
        RMSprop(layer.parameters(), centered=1)
    with pytest.raises(ValueError, match=r"Adadelta: rho must be in \[0.0, 1.0\], got 1.1"):
        Adadelta(layer.parameters(), rho=1.1)


# ------------------------------------------------------------------ the new schedules


def sgd(lr=1.0):
    return SGD(Linear(1, 1, rng=0).parameters(), lr=lr, momentum=0.9)


def test_multistep_and_exponential_hand_computed():
    opt = sgd()
    sched = MultiStepLR(opt, milestones=[2, 5], gamma=0.1)
    np.testing.assert_allclose([opt.lr] + [sched.step() for _ in range(6)], [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])
    opt = sgd(0.8)
    sched = ExponentialLR(opt, gamma=0.5)
    np.testing.assert_allclose([sched.step() for _ in range(3)], [0.4, 0.2, 0.1])


def test_warmup_then_cosine():
    opt = sgd(1.0)
    warmup = LinearWarmupLR(opt, start_factor=0.1, total_iters=4)
    decay = CosineLR(opt, T=4)
    sched = SequentialLR(opt, [warmup, decay], milestones=[4])
    rates = [opt.lr] + [sched.step() for _ in range(8)]
    np.testing.assert_allclose(rates[:5], [0.1, 0.325, 0.55, 0.775, 1.0])  # linear from 0.1 to 1
    np.testing.assert_allclose(rates[4:], cosine_lr(np.arange(5), 1.0, 4))  # then the full cosine


def test_one_cycle_shape_and_momentum():
    opt = sgd(0.1)
    sched = OneCycleLR(opt, max_lr=2.0, epochs=4, steps_per_epoch=5)
    rates, momenta = [opt.lr], [opt.param_groups[0]["momentum"]]
    for _ in range(20):
        rates.append(sched.step())
        momenta.append(opt.param_groups[0]["momentum"])
    peak = int(np.argmax(rates))
    assert rates[0] == pytest.approx(2.0 / 25) and rates[peak] == pytest.approx(2.0) and peak == 5
    assert rates[19] == pytest.approx(2.0 / 25 / 1e4)  # the minimum at step total_steps - 1
    assert momenta[0] == pytest.approx(0.95) and momenta[peak] == pytest.approx(0.85) and momenta[19] == pytest.approx(0.95)
    with pytest.raises(ValueError, match=r"OneCycleLR: tried to step 21 times; the cycle has total_steps = 20"):
        sched.step()
    adam = Adam(Linear(1, 1).parameters())
    OneCycleLR(adam, max_lr=0.01, total_steps=10, three_phase=True)
    assert adam.betas == (0.95, 0.999)  # Adam's beta1 plays the momentum


def test_reduce_on_plateau_modes_thresholds_and_cooldown():
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=1, threshold=0.1, threshold_mode="abs", cooldown=1)
    seen = [sched.step(acc) for acc in [0.5, 0.55, 0.58, 0.9, 0.91, 0.92, 0.93, 0.94]]
    # 0.55 and 0.58 are not 0.1 better than 0.5: reduce after the second; 0.9 improves;
    # 0.91, 0.92 not enough -> reduce at 0.92 ... with one epoch of cooldown in between
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=0.3)
    assert [sched.step(v) for v in [1.0, 1.0, 1.0, 0.5]] == [1.0, 0.3, 0.3, 0.3]
    opt = sgd(1e-8)
    sched = ReduceLROnPlateau(opt, patience=0)
    assert [sched.step(v) for v in [1.0, 2.0]] == [1e-8, 1e-8]  # a change below eps is skipped


def test_fit_feeds_the_validation_loss_to_reduce_on_plateau():
    from nnlib.datasets import make_moons
    from nnlib.losses import CrossEntropyLoss
    from nnlib.module import Sequential
    from nnlib.training import fit

    X, y = make_moons(100, noise=0.3, rng=0)
    model = Sequential(Linear(2, 2, rng=0))
    opt = SGD(model.parameters(), lr=0.5)
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    fit(model, CrossEntropyLoss(), opt, X[:80], y[:80], epochs=60, X_val=X[80:], y_val=y[80:], rng=0,
        scheduler=sched, verbose=False)
    assert sched.t == 60 and opt.lr < 0.5 and sched.best < 1.0


def test_new_schedule_errors():
    opt = sgd()
    with pytest.raises(ValueError, match=r"MultiStepLR: milestones must be increasing, got \[5, 2\]"):
        MultiStepLR(opt, milestones=[5, 2])
    with pytest.raises(ValueError, match=r"LinearWarmupLR: start_factor must be in \(0.0, 1.0\], got 0"):
        LinearWarmupLR(opt, start_factor=0)
    warmup = LinearWarmupLR(opt)
    with pytest.raises(ValueError, match=r"SequentialLR: milestones must be a list of 1 epochs \(one fewer than the 2 schedulers\), got \[\]"):
        SequentialLR(opt, [warmup, StepLR(opt, 2)], milestones=[])
    with pytest.raises(ValueError, match=r"SequentialLR: schedulers\[1\] belongs to another optimizer"):
        SequentialLR(opt, [warmup, StepLR(sgd(), 2)], milestones=[3])
    with pytest.raises(TypeError, match=r"SequentialLR: schedulers\[1\] must be a schedule such as StepLR or LinearWarmupLR, got ReduceLROnPlateau"):
        SequentialLR(opt, [warmup, ReduceLROnPlateau(opt)], milestones=[3])
    with pytest.raises(ValueError, match=r"OneCycleLR: give total_steps, or epochs and steps_per_epoch"):
        OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match=r"OneCycleLR: cycle_momentum=True needs an optimizer with momentum or betas, got Adagrad"):
        OneCycleLR(Adagrad(Linear(1, 1).parameters()), max_lr=1.0, total_steps=10)
    with pytest.raises(ValueError, match=r"OneCycleLR: with total_steps=3 and pct_start=0.3 a phase of the cycle has no steps"):
        OneCycleLR(opt, max_lr=1.0, total_steps=3)
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: factor must be in \[0.0, 1.0\), got 1.0"):
        ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: mode must be one of 'min', 'max', got 'down'"):
        ReduceLROnPlateau(opt, mode="down")
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: min_lr must have one entry per parameter group \(1\), got 2"):
        ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau.step: metrics must be a number \(e.g. the validation loss\), got list"):
        ReduceLROnPlateau(opt).step([0.5])


def test_optimizer_reprs_keep_their_lesson_form():
    params = Linear(1, 1, rng=0).parameters()
    assert repr(RMSprop(params, lr=0.01)) == "RMSprop(lr=0.01)"  # printed by lesson 09's helper
    assert repr(SGD(params, lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0)"
    assert repr(Adam(params)) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"
    assert repr(AdamW(params, amsgrad=True)) == "AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=True)"
    assert repr(SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1)).endswith(", 2 param groups)")
