"""Lesson 09 callbacks: optimiser trajectories, lecture symbols vs nnlib.optim, schedules, Newton, digits."""

import numpy as np
import pytest

from nncourse.lessons.l09_optimisation import (
    DEFAULT_LR,
    OPTIMIZERS,
    RULES,
    SCHEDULES,
    SURFACES,
    SurfacePoint,
    compare_optimizers,
    digits_data,
    digits_optimizer_run,
    lecture_vs_library,
    make_optimizer,
    momentum_average,
    newton_path,
    newton_quadratic,
    numerical_hessian,
    schedule_curves,
    scheduler_rates,
    steps_to_reach,
    surface_grid,
    trajectory,
)
from nnlib.gradcheck import numerical_gradient
from nnlib.optim import SGD, Adam

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


def test_surface_point_rejects_unknown_surface():
    with pytest.raises(ValueError, match="SurfacePoint: surface must be one of"):
        SurfacePoint("saddle")


def test_sgd_step_by_hand_on_the_bowl():
    # bowl gradient (0.01 w1, 2 w2): from (2, 1) with lr 0.25 -> (2 - 0.005, 1 - 0.5)
    run = trajectory("bowl", "SGD", lr=0.25, steps=2, start=(2.0, 1.0))
    np.testing.assert_allclose(run["path"][1], [1.995, 0.5])
    np.testing.assert_allclose(run["path"][2], [1.995 * (1 - 0.0025), 0.25])
    assert run["loss"][0] == pytest.approx(0.005 * 4 + 1)


def test_sgd_diverges_above_two_over_the_largest_curvature():
    # largest curvature of the bowl is 2 -> SGD diverges for lr > 1
    assert trajectory("bowl", "SGD", lr=1.05, steps=400)["diverged"]
    assert not trajectory("bowl", "SGD", lr=0.95, steps=400)["diverged"]


def test_momentum_beats_sgd_in_the_ill_conditioned_bowl():
    runs = compare_optimizers("bowl", steps=80, names=("SGD", "Momentum", "Adam"))
    assert runs["Momentum"]["distance"] < 0.2 * runs["SGD"]["distance"]
    assert len(runs["SGD"]["path"]) == 81


def test_plateau_stalls_sgd_but_not_adaptive_methods():
    runs = compare_optimizers("plateau", steps=100, names=("SGD", "RMSProp", "Adam"))
    assert runs["SGD"]["distance"] > 1.0
    assert runs["Adam"]["distance"] < 0.05 and runs["RMSProp"]["distance"] < 0.05


def test_adam_first_step_has_length_lr_per_coordinate():
    run = trajectory("rosenbrock", "Adam", lr=0.1, steps=1, start=(-1.2, 1.0))
    np.testing.assert_allclose(np.abs(run["path"][1] - run["path"][0]), [0.1, 0.1], rtol=1e-6)


def test_every_default_runs_without_diverging():
    for surface in SURFACES:
        for name in OPTIMIZERS:
            assert not trajectory(surface, name, steps=60)["diverged"], (surface, name)
    assert set(DEFAULT_LR["bowl"]) == set(OPTIMIZERS)


def test_make_optimizer_maps_names_and_rejects_unknown():
    params = SurfacePoint().parameters()
    opt = make_optimizer("Nesterov", params, lr=0.1, momentum=0.8)
    assert isinstance(opt, SGD) and opt.nesterov and opt.momentum == 0.8
    opt = make_optimizer("Adam", params, lr=0.1, beta1=0.8, beta2=0.99)
    assert isinstance(opt, Adam) and opt.betas == (0.8, 0.99)
    with pytest.raises(ValueError, match="make_optimizer: name must be one of"):
        make_optimizer("LBFGS", params, lr=0.1)


# ---------------------------------------------------------------- lecture symbols vs library

@pytest.mark.parametrize("rule", RULES)
def test_lecture_rules_equal_the_library_with_mapped_arguments(rule):
    r = lecture_vs_library(rule, steps=30)
    assert r["max_difference"] < 1e-12
    assert not np.allclose(r["lecture"][-1], r["lecture"][0])  # it really moved


def test_momentum_mapping_needs_the_one_minus_gamma_factor():
    # giving SGD the lecture's eta directly (no 1 - gamma) takes 10x larger steps
    r = lecture_vs_library("momentum", steps=1, eta=0.002, gamma=0.9)
    point = SurfacePoint("rosenbrock", start=(-1.2, 1.0))
    opt = SGD(point.parameters(), lr=0.002, momentum=0.9)
    point.backward()
    opt.step()
    wrong_step = point.w - r["lecture"][0]
    right_step = r["library"][1] - r["lecture"][0]
    np.testing.assert_allclose(wrong_step, 10 * right_step)


def test_momentum_average_by_hand():
    m, v = momentum_average(0.9, [2.0, 0.0, 1.0])
    np.testing.assert_allclose(m, [0.2, 0.18, 0.262])
    np.testing.assert_allclose(v, m / 0.1)


def test_lecture_vs_library_rejects_unknown_rule():
    with pytest.raises(ValueError, match="rule must be one of"):
        lecture_vs_library("adadelta")


# ---------------------------------------------------------------- schedules

def test_schedule_curves_lecture_numbers():
    c = schedule_curves(lr0=0.1, T=100, step_size=30, gamma=0.1)
    # ResNet recipe: x0.1 after epochs 30, 60, 90
    np.testing.assert_allclose(c["step"][[0, 29, 30, 59, 60, 90, 100]], [0.1, 0.1, 0.01, 0.01, 0.001, 1e-4, 1e-4])
    np.testing.assert_allclose(c["cosine"][[0, 50, 100]], [0.1, 0.05, 0.0], atol=1e-15)
    np.testing.assert_allclose(c["linear"][[0, 25, 100]], [0.1, 0.075, 0.0])
    np.testing.assert_allclose(c["inverse sqrt"][[0, 1, 4, 100]], [0.1, 0.1, 0.05, 0.01])
    assert set(SCHEDULES) <= set(c)


@pytest.mark.parametrize("kind", ["step", "cosine", "linear"])
def test_scheduler_classes_follow_the_formulas(kind):
    rates = scheduler_rates(kind, lr0=0.1, T=100, step_size=30, gamma=0.1)
    np.testing.assert_allclose(rates, schedule_curves(0.1, 100, 30, 0.1)[kind][:100], atol=1e-15)


def test_inverse_sqrt_scheduler_counts_epochs_from_one():
    rates = scheduler_rates("inverse sqrt", lr0=1.0, T=4)
    np.testing.assert_allclose(rates, [1.0, 1 / np.sqrt(2), 1 / np.sqrt(3), 0.5])
    with pytest.raises(ValueError, match="kind must be one of"):
        scheduler_rates("exponential")


# ---------------------------------------------------------------- Newton

def test_newton_step_by_hand():
    # A = [[3, 1], [1, 2]], b = [1, 1], theta0 = [1, 1]: g = [3, 2], H^-1 g = [0.8, 0.6]
    r = newton_quadratic([[3.0, 1.0], [1.0, 2.0]], [1.0, 1.0], [1.0, 1.0])
    np.testing.assert_allclose(r["g"], [3.0, 2.0])
    np.testing.assert_allclose(r["step"], [0.8, 0.6])
    np.testing.assert_allclose(r["theta1"], [0.2, 0.4])
    np.testing.assert_allclose(r["theta1"], r["minimum"])
    assert r["loss1"] == pytest.approx(-0.3) and r["loss0"] == pytest.approx(1.5)


def test_numerical_hessian_of_rosenbrock():
    w = np.array([-1.2, 1.0])
    exact = np.array([[1200 * w[0] ** 2 - 400 * w[1] + 2, -400 * w[0]], [-400 * w[0], 200.0]])
    np.testing.assert_allclose(numerical_hessian(SURFACES["rosenbrock"]["grad"], w), exact, rtol=1e-6)
    assert w.tolist() == [-1.2, 1.0]  # not changed


def test_newton_solves_the_bowl_in_one_step_and_rosenbrock_in_a_few():
    bowl = newton_path("bowl", steps=1)
    assert np.abs(bowl["path"][-1]).max() < 1e-6
    rosen = newton_path("rosenbrock", steps=6)
    assert rosen["loss"][-1] < 1e-10
    gd = trajectory("rosenbrock", "SGD", steps=500)
    assert gd["loss"][-1] > 0.1


def test_steps_to_reach():
    assert steps_to_reach([3.0, 2.0, 0.5], 1.0) == 2
    assert steps_to_reach([3.0, 2.0], 1.0) is None


def test_surface_grid_shape_and_minimum():
    W1, W2, L = surface_grid("bowl", resolution=11)
    assert W1.shape == L.shape == (11, 11)
    assert L.min() == pytest.approx(0.0) and L[5, 5] == pytest.approx(0.0)


# ---------------------------------------------------------------- digits

def test_digits_optimizers_train_and_schedules_apply():
    data = digits_data()
    assert np.allclose(data[0].mean(axis=0), 0.0)
    sgd = digits_optimizer_run("SGD", epochs=2, data=data)
    adam = digits_optimizer_run("Adam", epochs=2, data=data)
    for run in (sgd, adam):
        assert run["history"]["train_loss"][-1] < run["history"]["train_loss"][0] < np.log(10) + 0.5
        assert run["test_acc"] > 0.85
    same = digits_optimizer_run("SGD", epochs=2, data=data)
    assert same["history"]["train_loss"] == sgd["history"]["train_loss"]  # seeded
    zero = digits_optimizer_run("SGD", epochs=2, schedule="linear", data=data)
    # linear decay over 2 epochs: the second epoch uses lr/2, so training differs from constant
    assert zero["history"]["train_loss"][0] == sgd["history"]["train_loss"][0]
    assert zero["history"]["train_loss"][1] != sgd["history"]["train_loss"][1]
    with pytest.raises(ValueError, match="schedule must be one of"):
        digits_optimizer_run("SGD", epochs=1, schedule="cyclic", data=data)
