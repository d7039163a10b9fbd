"""Lesson 07: the numbers and claims of the lesson, checked on the nnlib objects it teaches.

The lesson computes every activation, derivative and loss in visible numpy cells (nbval re-checks
their printed numbers). These tests pin the same facts on the library: the lecture's derivative
formulas and values, a gradient check of every activation and loss with a random upstream
gradient, the hand examples of the loss section, the zero gradient of a dead ReLU unit, and the
vanishing gradient of a deep sigmoid network.
"""

import numpy as np
import pytest

from nnlib import functional as F
from nnlib.activations import ELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nnlib.gradcheck import check_layer_gradients, numerical_gradient, numerical_jacobian
from nnlib.layers import BatchNorm1d, Linear
from nnlib.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss, L1Loss, MSELoss
from nnlib.module import Sequential

Z = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])  # the lesson's points, away from the kink at 0

LECTURE_FORMULAS = {  # layer: (g, g') as the lesson writes them, alpha = 0.1
    "sigmoid": (Sigmoid(), lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (Tanh(), np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (ReLU(), lambda z: np.maximum(0.0, z), lambda z: (z > 0).astype(float)),
    "leaky_relu": (LeakyReLU(negative_slope=0.1), lambda z: np.where(z > 0, z, 0.1 * z),
                   lambda z: np.where(z > 0, 1.0, 0.1)),
    "elu": (ELU(alpha=0.1), lambda z: np.where(z > 0, z, 0.1 * (np.exp(z) - 1)),
            lambda z: np.where(z > 0, 1.0, 0.1 * np.exp(z))),
}


@pytest.mark.parametrize("name", list(LECTURE_FORMULAS))
def test_activation_layers_follow_the_lecture_formulas(name):
    layer, g, g_prime = LECTURE_FORMULAS[name]
    A = layer(Z.reshape(1, -1))
    np.testing.assert_allclose(A[0], g(Z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.backward(np.ones((1, Z.size)))[0], g_prime(Z), rtol=1e-12, atol=1e-15)
    central = (g(Z + 1e-5) - g(Z - 1e-5)) / 2e-5
    np.testing.assert_allclose(g_prime(Z), central, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(LECTURE_FORMULAS))
def test_activation_layers_pass_a_gradient_check_with_a_random_upstream_gradient(name):
    layer = LECTURE_FORMULAS[name][0]
    x = np.random.default_rng(1).uniform(0.2, 2.0, size=(3, 4)) * np.array([1, -1, 1, -1])  # off the kink
    report = check_layer_gradients(layer, x, rng=0)
    np.testing.assert_allclose(report["input"]["analytic"], report["input"]["numeric"], rtol=1e-6, atol=1e-8)


def test_the_decks_numbers():
    # sigma'(0) = 1/4 is the largest slope of the sigmoid, tanh'(0) = 1; tanh(z) = 2 sigma(2z) - 1
    z = np.linspace(-10.0, 10.0, 20001)
    assert F.sigmoid_prime(z).max() == 0.25 and z[np.argmax(F.sigmoid_prime(z))] == 0.0
    assert F.tanh_prime(z).max() == 1.0
    np.testing.assert_allclose(F.tanh(0.7), 2 * F.sigmoid(1.4) - 1, rtol=1e-12)
    # leaky ReLU with the KIT deck's 0.1 and the Karlsruhe deck's 0.05 at z = -2
    assert F.leaky_relu(-2.0, 0.1) == pytest.approx(-0.2) and F.leaky_relu(-2.0, 0.05) == pytest.approx(-0.1)
    # ELU: g'(z) = g(z) + alpha for z <= 0, and it saturates at -alpha
    np.testing.assert_allclose(F.elu_prime(np.array([-3.0, -0.2]), 1.0), F.elu(np.array([-3.0, -0.2]), 1.0) + 1.0)
    assert F.elu(-30.0, 1.0) == pytest.approx(-1.0, abs=1e-12)


def test_softmax_jacobian_and_backward_of_the_lesson_example():
    z, g = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    s = F.softmax(z)
    J = np.diag(s) - np.outer(s, s)
    np.testing.assert_allclose(F.softmax_jacobian(z), J, rtol=1e-12)
    np.testing.assert_allclose(numerical_jacobian(F.softmax, z), J, atol=1e-8)
    layer = Softmax()
    layer(z.reshape(1, -1))
    np.testing.assert_allclose(layer.backward(g.reshape(1, -1))[0], g @ J, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g @ J, [-0.0568, -0.5215, 0.5782], atol=5e-5)   # as the lesson prints


def test_a_sigmoid_chain_loses_more_than_a_factor_four_per_layer():
    a, z = 1.0, []
    for _ in range(10):
        z.append(a)
        a = F.sigmoid(a)
    factors = F.sigmoid_prime(np.array(z))
    assert np.all(factors <= 0.25)
    assert np.prod(factors) == pytest.approx(2.785e-7, rel=1e-3)   # the lesson's dL/dz of layer 1


def weight_gradient_norms(Activation, depth, batchnorm=False, seed=0):
    rng = np.random.default_rng(seed)
    layers, fan_in = [], 16
    for _ in range(depth):
        layers += [Linear(fan_in, 32, rng=rng)] + ([BatchNorm1d(32)] if batchnorm else []) + [Activation()]
        fan_in = 32
    net = Sequential(*layers, Linear(fan_in, 4, rng=rng))
    loss = CrossEntropyLoss()
    loss(net(rng.standard_normal((128, 16))), rng.integers(0, 4, size=128))
    net.backward(loss.backward())
    return np.array([np.linalg.norm(layer.dW) for layer in net.layers if isinstance(layer, Linear)])


def test_sigmoid_gradients_vanish_towards_the_input_but_not_with_batchnorm_or_relu():
    plain = weight_gradient_norms(Sigmoid, depth=10)
    assert plain[0] / plain[-1] < 1e-4 and np.all(np.diff(plain) > 0)
    assert weight_gradient_norms(Sigmoid, depth=10, batchnorm=True)[0] / plain[-1] > 0.05
    relu = weight_gradient_norms(ReLU, depth=10)
    assert relu[0] / relu[-1] > 0.05
    ratios = [weight_gradient_norms(Sigmoid, depth=d) for d in (2, 5, 10)]
    assert ratios[0][0] / ratios[0][-1] > ratios[1][0] / ratios[1][-1] > ratios[2][0] / ratios[2][-1]


def test_a_dead_relu_unit_gets_exactly_zero_gradient_and_an_inactive_leaky_unit_does_not():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.0, 1.0, size=(50, 2))
    for Activation, zero in [(ReLU, True), (lambda: LeakyReLU(negative_slope=0.1), False)]:
        hidden = Linear(2, 3, rng=0)
        hidden.b[...] = [-5.0, -5.0, 5.0]              # units 1 and 2: z <= 0 on every example
        net = Sequential(hidden, Activation(), Linear(3, 2, rng=1))
        assert np.all(hidden(X)[:, :2] <= 0)
        loss = CrossEntropyLoss()
        loss(net(X), rng.integers(0, 2, size=50))
        net.backward(loss.backward())
        assert np.all(hidden.dW[:2] == 0) == zero and np.all(hidden.db[:2] == 0) == zero
        assert np.any(hidden.dW[2] != 0)


# ---------------------------------------------------------------- the losses of the lesson, by hand

Y_HAT, Y = np.array([1.5, 0.5, 3.2, 7.0]), np.array([1.0, 2.0, 3.0, 4.0])   # errors 0.5, -1.5, 0.2, 3


@pytest.mark.parametrize("loss, value, grad", [
    (MSELoss(), 2.885, [0.25, -0.75, 0.1, 1.5]),
    (L1Loss(), 1.3, [0.25, -0.25, 0.25, 0.25]),
    (HuberLoss(delta=1.0), 0.91125, [0.125, -0.25, 0.05, 0.25]),
])
def test_regression_losses_of_the_lesson_by_hand(loss, value, grad):
    assert loss(Y_HAT, Y) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-12)


def test_binary_losses_of_the_lesson_by_hand():
    f, c = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    bce = BCELoss()
    assert bce(f, c) == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.4)) / 3, rel=1e-12)
    np.testing.assert_allclose(bce.backward(), (f - c) / (f * (1 - f)) / 3, rtol=1e-10)
    logits = BCEWithLogitsLoss()
    assert logits(np.log(f / (1 - f)), c) == pytest.approx(bce(f, c), rel=1e-10)
    np.testing.assert_allclose(logits.backward(), (f - c) / 3, rtol=1e-10)
    hinge = HingeLoss()
    assert hinge(np.array([2.0, 0.5, -1.0, 0.3]), np.array([1.0, 1.0, 1.0, -1.0])) == pytest.approx(0.95)
    np.testing.assert_allclose(hinge.backward(), [0.0, -0.25, -0.25, 0.25])


def test_cross_entropy_is_entropy_plus_kl_and_its_gradient_is_q_minus_p():
    ce = CrossEntropyLoss()
    assert ce(np.array([[2.0, 1.0, 0.1]]), np.array([0])) == pytest.approx(0.4170, abs=5e-5)
    p, q = np.array([0.1, 0.6, 0.3]), np.array([0.2, 0.5, 0.3])
    cross_entropy = ce(np.log(q).reshape(1, -1), p.reshape(1, -1))
    entropy, kl = -np.sum(p * np.log(p)), np.sum(p * np.log(p / q))
    assert cross_entropy == pytest.approx(entropy + kl, rel=1e-12)
    assert kl == pytest.approx(0.0401, abs=5e-5) and kl > 0
    np.testing.assert_allclose(ce.backward()[0], q - p, atol=1e-15)
    one_hot = np.array([0.0, 1.0, 0.0])
    assert ce(np.log(q).reshape(1, -1), one_hot.reshape(1, -1)) == pytest.approx(np.log(2.0), rel=1e-12)


@pytest.mark.parametrize("loss, pred, target", [
    (MSELoss(), Y_HAT, Y), (L1Loss(), Y_HAT, Y), (HuberLoss(delta=1.0), Y_HAT, Y),
    (BCELoss(), np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])),
    (BCEWithLogitsLoss(), np.array([2.2, -1.4, 0.4]), np.array([1.0, 0.0, 0.0])),
    (HingeLoss(), np.array([2.0, 0.5, -1.0, 0.3]), np.array([1.0, 1.0, 1.0, -1.0])),
    (CrossEntropyLoss(), np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 1])),
])
def test_every_loss_backward_is_the_central_difference_of_its_forward(loss, pred, target):
    loss(pred, target)
    numeric = numerical_gradient(lambda v: loss(v, target), pred.copy())
    loss(pred, target)
    np.testing.assert_allclose(loss.backward(), numeric, rtol=1e-6, atol=1e-9)


def test_best_constants_under_mse_mae_and_huber():
    y = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 20.0])
    c = np.linspace(0.0, 8.0, 8001)
    d = c[:, None] - y[None, :]
    assert c[np.argmin(np.mean(d ** 2, axis=1))] == pytest.approx(y.mean())
    mae = np.mean(np.abs(d), axis=1)
    flat = c[np.isclose(mae, mae.min(), rtol=1e-9, atol=1e-12)]
    assert flat[0] == pytest.approx(2.0) and flat[-1] == pytest.approx(2.5)
    huber = np.mean(np.where(np.abs(d) < 1.0, 0.5 * d ** 2, np.abs(d) - 0.5), axis=1)
    assert c[np.argmin(huber)] == pytest.approx(2.25)
    # the grid search agrees with nnlib's losses
    assert HuberLoss(delta=1.0)(np.full(6, 2.25), y) == pytest.approx(huber.min(), rel=1e-9)


def test_gaussian_nll_is_half_the_mse_plus_a_constant():
    y, mu = np.array([0.3, -1.0, 2.0]), np.array([0.0, 0.5, 1.0])
    density = np.exp(-(y - mu) ** 2 / 2) / np.sqrt(2 * np.pi)       # N(y | mu, 1)
    nll = np.mean(-np.log(density))
    assert nll == pytest.approx(0.5 * MSELoss()(mu, y) + np.log(np.sqrt(2 * np.pi)), rel=1e-12)
    assert nll == pytest.approx(1.4756, abs=5e-5)                     # as the lesson prints


def test_sigmoid_outputs_give_one_signed_weight_gradients_and_tanh_outputs_mixed_ones():
    a_prev = np.random.default_rng(0).standard_normal((1, 8))
    for Activation, one_sign in [(Sigmoid, True), (Tanh, False)]:
        unit = Linear(8, 1, rng=0)
        unit(Activation()(a_prev))
        unit.backward(np.array([[-0.7]]))                          # delta of the next unit
        signs = np.sign(unit.dW[0])
        assert bool(np.all(signs == signs[0])) == one_sign
