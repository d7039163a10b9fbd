"""Lesson 09: the surfaces and SurfacePoint, the figure helpers, the digits run, and the lesson's numbers.

The update rules themselves are written out in the notebook (nbval re-checks its printed numbers);
here the same rules, in the lecture's symbols, are checked against ``nnlib.optim`` on the lesson's
Rosenbrock start, together with the worked numbers the lesson quotes.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

from nncourse.lessons.l09_optimisation import SURFACES, SurfacePoint, draw_path, draw_surface, train_digits
from nnlib.datasets import load_digits
from nnlib.gradcheck import numerical_gradient, numerical_jacobian
from nnlib.optim import SGD, Adagrad, Adam, CosineLR, InverseSqrtLR, LinearLR, RMSprop, StepLR
from nnlib.preprocessing import standardize, train_test_split

ROSENBROCK_START = (-1.2, 1.0)


def steps_of(optimizer_factory, surface="rosenbrock", start=ROSENBROCK_START, steps=30):
    point = SurfacePoint(surface, start)
    opt = optimizer_factory(point.parameters())
    path = [point.w.copy()]
    for _ in range(steps):
        opt.zero_grad()
        point.backward()
        opt.step()
        path.append(point.w.copy())
    return np.array(path)


# ---------------------------------------------------------------- surfaces and the 2-vector module

@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_gradients_match_central_differences(name):
    spec = SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(3):
        w = rng.uniform(-1.5, 1.5, size=2)
        numeric = numerical_gradient(lambda v: spec["loss"](v[0], v[1]), w.copy())
        np.testing.assert_allclose(spec["grad"](w), numeric, rtol=1e-6, atol=1e-8)
    assert spec["loss"](*spec["minimum"]) == pytest.approx(0.0, abs=1e-12)


def test_surface_point_is_a_module_with_accumulating_gradient():
    point = SurfacePoint("rosenbrock", start=(0.0, 0.0))
    assert point() == 1.0
    [p] = point.parameters()
    assert p.name == "w" and p.data is point.w and p.grad is point.dw
    point.backward()
    point.backward()
    np.testing.assert_allclose(point.dw, 2 * np.array([-2.0, 0.0]))
    point.zero_grad()
    assert np.all(point.dw == 0)


def test_surface_point_errors():
    with pytest.raises(ValueError, match="SurfacePoint: surface must be one of"):
        SurfacePoint("saddle")
    with pytest.raises(ValueError, match="SurfacePoint"):
        SurfacePoint("bowl", start=(1.0, 2.0, 3.0))


def test_sgd_step_by_hand_on_the_bowl():
    # bowl gradient (0.01 w1, 2 w2): from (2, 1) with lr 0.25 -> (2 - 0.005, 1 - 0.5), as the lesson prints
    path = steps_of(lambda p: SGD(p, lr=0.25), "bowl", start=(2.0, 1.0), steps=2)
    np.testing.assert_allclose(path[1], [1.995, 0.5])
    np.testing.assert_allclose(path[2], [1.995 * (1 - 0.0025), 0.25])


def test_sgd_diverges_above_two_over_the_largest_curvature():
    # the largest curvature of the bowl is 2: SGD diverges for lr > 1
    assert np.abs(steps_of(lambda p: SGD(p, lr=1.05), "bowl", start=(0.0, 1.0), steps=400)[-1, 1]) > 1e6
    assert np.abs(steps_of(lambda p: SGD(p, lr=0.95), "bowl", start=(0.0, 1.0), steps=400)[-1, 1]) < 1e-6


# ---------------------------------------------------------------- the lecture's rules against nnlib.optim

def test_momentum_average_equals_sgd_with_lr_eta_times_one_minus_gamma():
    eta, gamma = 0.002, 0.9
    grad = SURFACES["rosenbrock"]["grad"]
    theta, m = np.array(ROSENBROCK_START), np.zeros(2)
    lecture = [theta.copy()]
    for _ in range(30):
        m = gamma * m + (1 - gamma) * grad(theta)
        theta = theta - eta * m
        lecture.append(theta.copy())
    library = steps_of(lambda p: SGD(p, lr=eta * (1 - gamma), momentum=gamma))
    np.testing.assert_allclose(library, np.array(lecture), rtol=0, atol=1e-12)
    np.testing.assert_allclose(lecture[1], [-1.15688, 1.0176], rtol=1e-12)   # the lesson's first step
    # giving SGD the lecture's eta directly takes 10x larger steps
    wrong = steps_of(lambda p: SGD(p, lr=eta, momentum=gamma), steps=1)
    np.testing.assert_allclose(wrong[1] - wrong[0], 10 * (lecture[1] - lecture[0]))


def test_adagrad_and_rmsprop_rules_equal_the_library():
    grad = SURFACES["rosenbrock"]["grad"]
    alpha, rho, eps = 0.01, 0.9, 1e-7
    for decay, factory in [(None, lambda p: Adagrad(p, lr=alpha, eps=eps)),
                           (rho, lambda p: RMSprop(p, lr=alpha, alpha=rho, eps=eps))]:
        theta, r = np.array(ROSENBROCK_START), np.zeros(2)
        lecture = [theta.copy()]
        for _ in range(30):
            g = grad(theta)
            r = r + g * g if decay is None else decay * r + (1 - decay) * g * g
            theta = theta - alpha / (eps + np.sqrt(r)) * g
            lecture.append(theta.copy())
        np.testing.assert_allclose(steps_of(factory), np.array(lecture), rtol=0, atol=1e-12)


def test_adam_rule_and_its_first_step_of_length_alpha():
    grad = SURFACES["rosenbrock"]["grad"]
    alpha, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    theta, m, v = np.array(ROSENBROCK_START), np.zeros(2), np.zeros(2)
    lecture = [theta.copy()]
    for t in range(1, 31):
        g = grad(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - alpha * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
        lecture.append(theta.copy())
    library = steps_of(lambda p: Adam(p, lr=alpha, betas=(beta1, beta2), eps=eps))
    np.testing.assert_allclose(library, np.array(lecture), rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.abs(library[1] - library[0]), [alpha, alpha], rtol=1e-6)


def test_nesterov_steps_along_gradient_plus_momentum_times_velocity():
    grad = SURFACES["rosenbrock"]["grad"]
    lr, mu = 0.0002, 0.9
    w, v = np.array(ROSENBROCK_START), np.zeros(2)
    expected = [w.copy()]
    for _ in range(30):
        g = grad(w)
        v = mu * v + g
        w = w - lr * (g + mu * v)
        expected.append(w.copy())
    np.testing.assert_allclose(steps_of(lambda p: SGD(p, lr=lr, momentum=mu, nesterov=True)),
                               np.array(expected), rtol=0, atol=1e-12)


def test_plateau_stalls_sgd_but_not_adaptive_methods():
    start, minimum = SURFACES["plateau"]["start"], np.zeros(2)
    sgd = steps_of(lambda p: SGD(p, lr=1.0), "plateau", start=start, steps=100)
    adam = steps_of(lambda p: Adam(p, lr=0.1), "plateau", start=start, steps=100)
    rms = steps_of(lambda p: RMSprop(p, lr=0.03, alpha=0.9), "plateau", start=start, steps=100)
    assert np.linalg.norm(sgd[-1] - minimum) > 1.0
    assert np.linalg.norm(adam[-1] - minimum) < 0.05 and np.linalg.norm(rms[-1] - minimum) < 0.05


def test_momentum_beats_sgd_in_the_ill_conditioned_bowl():
    start = SURFACES["bowl"]["start"]
    sgd = steps_of(lambda p: SGD(p, lr=0.9), "bowl", start=start, steps=80)
    momentum = steps_of(lambda p: SGD(p, lr=0.3, momentum=0.9), "bowl", start=start, steps=80)
    assert np.linalg.norm(momentum[-1]) < 0.1 * np.linalg.norm(sgd[-1])
    assert abs(momentum[20, 1]) > 10 * abs(sgd[20, 1])   # but it still swings across the valley


# ---------------------------------------------------------------- schedules and Newton

def test_scheduler_classes_follow_the_lecture_formulas():
    alpha0, T = 0.1, 100
    t = np.arange(T + 1)
    formulas = {StepLR: alpha0 * 0.1 ** (t // 30), CosineLR: 0.5 * alpha0 * (1 + np.cos(t * np.pi / T)),
                LinearLR: alpha0 * (1 - t / T), InverseSqrtLR: alpha0 / np.sqrt(t + 1)}
    arguments = {StepLR: {"step_size": 30, "gamma": 0.1}, CosineLR: {"T": T}, LinearLR: {"T": T}, InverseSqrtLR: {}}
    for cls, expected in formulas.items():
        opt = SGD(SurfacePoint().parameters(), lr=alpha0)
        scheduler = cls(opt, **arguments[cls])
        rates = [opt.lr] + [scheduler.step() for _ in range(T)]
        np.testing.assert_allclose(rates, expected, rtol=1e-12, atol=1e-15, err_msg=cls.__name__)
    # the lesson's self-test: all three equal 0.05 at t = T/2 (cosine, linear) and t = 4 (inverse sqrt)
    assert formulas[CosineLR][50] == pytest.approx(0.05) and formulas[LinearLR][50] == pytest.approx(0.05)
    assert alpha0 / np.sqrt(4) == pytest.approx(0.05)


def test_newton_step_by_hand_and_the_half_of_the_taylor_model():
    # A = [[3, 1], [1, 2]], b = [1, 1], theta0 = [1, 1]: g = [3, 2], H^-1 g = [0.8, 0.6]
    A, b, theta0 = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, 1.0]), np.array([1.0, 1.0])
    g = A @ theta0 - b
    step = np.linalg.solve(A, g)
    np.testing.assert_allclose(g, [3.0, 2.0])
    np.testing.assert_allclose(step, [0.8, 0.6])
    np.testing.assert_allclose(theta0 - step, np.linalg.solve(A, b))
    # without the 1/2 the model's minimum is half a Newton step: (0.6, 0.7), loss 0.15 instead of -0.3
    half = theta0 - 0.5 * step
    np.testing.assert_allclose(half, [0.6, 0.7])
    assert 0.5 * half @ A @ half - b @ half == pytest.approx(0.15)


def test_numerical_hessian_of_rosenbrock_and_six_newton_steps():
    grad = SURFACES["rosenbrock"]["grad"]
    w = np.array(ROSENBROCK_START)
    exact = np.array([[1200 * w[0] ** 2 - 400 * w[1] + 2, -400 * w[0]], [-400 * w[0], 200.0]])
    np.testing.assert_allclose(numerical_jacobian(grad, w), exact, rtol=1e-6)
    assert w.tolist() == [-1.2, 1.0]  # not changed
    for _ in range(6):
        w = w - np.linalg.solve(numerical_jacobian(grad, w), grad(w))
    assert SURFACES["rosenbrock"]["loss"](*w) < 1e-10


# ---------------------------------------------------------------- figures and digits

def test_draw_surface_and_path():
    ax = Figure().subplots()
    draw_surface(ax, "plateau", ylim=(-3.0, 1.0), resolution=20)
    assert ax.get_ylim() == (-3.0, 1.0) and ax.get_ylabel() == "$w_2$"
    line = draw_path(ax, np.array([[3.5, 0.8], [3.0, 0.5], [2.0, 0.1]]), label="SGD")
    assert line.get_label() == "SGD" and len(line.get_xdata()) == 3
    with pytest.raises(ValueError, match="draw_surface: surface must be one of"):
        draw_surface(ax, "saddle")
    with pytest.raises(ValueError, match="draw_path"):
        draw_path(ax, np.zeros((3, 3)))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=0)
    X_train, mean, std = standardize(X_train)
    return X_train, standardize(X_test, mean, std)[0], y_train, y_test


def test_train_digits_is_seeded_and_records_the_rates_of_a_schedule(digits):
    sgd = train_digits(lambda p: SGD(p, lr=0.2), digits, epochs=2)
    again = train_digits(lambda p: SGD(p, lr=0.2), digits, epochs=2)
    assert sgd["history"]["train_loss"] == again["history"]["train_loss"]
    assert sgd["history"]["train_loss"][-1] < sgd["history"]["train_loss"][0] < np.log(10) + 0.5
    assert sgd["test_acc"] > 0.85
    np.testing.assert_allclose(sgd["lrs"], [0.2, 0.2])
    linear = train_digits(lambda p: SGD(p, lr=0.2), digits, epochs=2, make_scheduler=lambda o: LinearLR(o, T=2))
    np.testing.assert_allclose(linear["lrs"], [0.2, 0.1])
    # the same first epoch (same weights and batches), a different second one
    assert linear["history"]["train_loss"][0] == sgd["history"]["train_loss"][0]
    assert linear["history"]["train_loss"][1] != sgd["history"]["train_loss"][1]
    adam = train_digits(lambda p: Adam(p, lr=0.01), digits, epochs=2)
    assert adam["test_acc"] > 0.85


def test_train_digits_rejects_a_bad_number_of_epochs(digits):
    with pytest.raises(ValueError, match="train_digits: epochs"):
        train_digits(lambda p: SGD(p, lr=0.2), digits, epochs=0)
