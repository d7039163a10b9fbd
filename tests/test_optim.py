"""Tests of the optimizers and learning-rate schedules."""

import numpy as np
import pytest

from nnlib.layers import Linear
from nnlib.optim import (
    SGD,
    Adagrad,
    Adam,
    CosineLR,
    InverseSqrtLR,
    LinearLR,
    RMSprop,
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
