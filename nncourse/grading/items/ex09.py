"""Visible tests for solutions/ex09_optimisation.ipynb (momentum, RMSProp and Adam steps, cosine schedule,
momentum unrolled into a weighted average, a Newton step for least squares, quizzes).

Conventions of the exercise (those of lesson 09, in the lecture's symbols): every step function
takes the current parameters ``theta``, the gradient ``grad`` and the optimiser's state, and
returns NEW arrays (the inputs are left unchanged):

* momentum: ``m <- gamma m + (1 - gamma) g``, ``theta <- theta - eta m``;
* RMSProp: ``r <- rho r + (1 - rho) g * g``, ``theta <- theta - alpha / (eps + sqrt(r)) * g``;
* Adam (step ``t`` counted from 1): ``m <- beta1 m + (1 - beta1) g``,
  ``v <- beta2 v + (1 - beta2) g * g``, ``m_hat = m / (1 - beta1^t)``,
  ``v_hat = v / (1 - beta2^t)``, ``theta <- theta - alpha m_hat / (sqrt(v_hat) + eps)``;
* cosine schedule ``a_t = a_0 (1 + cos(t pi / T)) / 2``.

The expected values are stored numbers from ``solutions/references/ex09.py``, which runs ``nnlib.optim``
with the mapped arguments (``SGD(lr=eta (1 - gamma), momentum=gamma)``, ``RMSprop(lr=alpha, alpha=rho)``,
``Adam(lr=alpha, betas=...)``) and ``nnlib.optim.cosine_lr``. The least-squares problem of the
Newton item has one example per row of ``X`` and the loss ``||X theta - y||^2 / (2N)``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
    matches,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

GRADS = np.array([[0.5, -2.0, 1.0], [0.3, -1.0, 2.0], [-0.4, 0.5, 1.5], [0.2, -0.3, 0.1]])  # four steps
THETA0 = np.array([1.0, -1.0, 0.5])


def _run(step, state, what, n_state, **hyper):
    """Call the student's step four times; return the thetas and check inputs stay unchanged."""
    theta = THETA0.copy()
    thetas = []
    for k, g in enumerate(GRADS, start=1):
        g = g.copy()
        copies = [theta.copy(), g.copy()] + [s.copy() for s in state]
        args = (theta, g, *state, k) if "t" in hyper else (theta, g, *state)
        kwargs = {key: value for key, value in hyper.items() if key != "t"}
        result = expect_tuple(f"{what} in step {k}", step(*args, **kwargs), 1 + n_state)
        expect_unchanged("theta", theta, copies[0])
        expect_unchanged("grad", g, copies[1])
        for i, s in enumerate(state):
            expect_unchanged("the state you were given", s, copies[2 + i])
        theta = as_array(f"theta returned by {what} in step {k}", result[0])
        state = [as_array(f"the state returned by {what} in step {k}", s) for s in result[1:]]
        thetas.append(theta)
    return thetas


def check_momentum(momentum_step):
    """The lecture's momentum: m <- gamma m + (1 - gamma) g; theta <- theta - eta m."""
    expect_callable("momentum_step", momentum_step)
    stored = numbers("ex09-momentum")
    eta, gamma = 0.5, 0.9
    theta, g, m = THETA0.copy(), GRADS[0].copy(), np.zeros(3)
    what = f"momentum_step(theta = {THETA0.tolist()}, grad = {GRADS[0].tolist()}, m = 0, eta = {eta}, gamma = {gamma})"
    theta1, m1 = expect_tuple(what, momentum_step(theta, g, m, eta=eta, gamma=gamma), 2)
    theta1 = as_array(f"theta returned by {what}", theta1)
    m1 = as_array(f"m returned by {what}", m1)
    if m1.shape == g.shape and np.allclose(m1, g):
        fail(f"{what}: m = grad after the first step; the lecture's m is an AVERAGE, "
             "m = gamma m + (1 - gamma) grad, so the first m is (1 - gamma) grad = 0.1 grad "
             "(m = gamma m + grad is PyTorch's velocity, which needs lr = eta (1 - gamma))")
    expect_array(f"m returned by {what}", m1, stored["m1"], hint="m = gamma * m + (1 - gamma) * grad")
    if theta1.shape == THETA0.shape and np.allclose(theta1, THETA0 + eta * m1):
        fail(f"{what}: theta moved uphill; subtract the step: theta - eta * m")
    expect_array(f"theta returned by {what}", theta1, stored["theta1"],
                 hint="theta_new = theta - eta * m_new (with the NEW m)")
    thetas = _run(momentum_step, [np.zeros(3)], "momentum_step", 1, eta=eta, gamma=gamma)
    for k, (got, want) in enumerate(zip(thetas, stored["path"]), start=1):
        expect_array(f"theta after step {k} of four momentum steps (eta {eta}, gamma {gamma})", got, want,
                     hint="carry the returned m into the next step")


def check_rmsprop(rmsprop_step):
    """RMSProp: r <- rho r + (1 - rho) g*g; theta <- theta - alpha / (eps + sqrt(r)) * g."""
    expect_callable("rmsprop_step", rmsprop_step)
    stored = numbers("ex09-rmsprop")
    alpha, rho, eps = 0.01, 0.9, 1e-8
    theta, g, r = THETA0.copy(), GRADS[0].copy(), np.zeros(3)
    what = f"rmsprop_step(theta = {THETA0.tolist()}, grad = {GRADS[0].tolist()}, r = 0, alpha = {alpha}, rho = {rho})"
    theta1, r1 = expect_tuple(what, rmsprop_step(theta, g, r, alpha=alpha, rho=rho, eps=eps), 2)
    r1 = as_array(f"r returned by {what}", r1)
    theta1 = as_array(f"theta returned by {what}", theta1)
    if r1.shape == g.shape and np.allclose(r1, stored["r_adagrad"]):
        fail(f"{what}: r = grad * grad after the first step; that is AdaGrad's sum. RMSProp keeps a "
             "decaying average: r = rho * r + (1 - rho) * grad * grad")
    if r1.shape == g.shape and np.allclose(r1, stored["r_swapped"]):
        fail(f"{what}: rho and 1 - rho are swapped: r = rho * r + (1 - rho) * grad * grad")
    expect_array(f"r returned by {what}", r1, stored["r1"], hint="r = rho * r + (1 - rho) * grad * grad")
    if theta1.shape == THETA0.shape and np.allclose(theta1, stored["theta1_without_root"]):
        fail(f"{what}: divide by the ROOT of r: alpha / (eps + sqrt(r)) * grad")
    expect_array(f"theta returned by {what}", theta1, stored["theta1"], rtol=1e-6,
                 hint="theta_new = theta - alpha / (eps + sqrt(r_new)) * grad")
    thetas = _run(rmsprop_step, [np.zeros(3)], "rmsprop_step", 1, alpha=alpha, rho=rho, eps=eps)
    for k, (got, want) in enumerate(zip(thetas, stored["path"]), start=1):
        expect_array(f"theta after step {k} of four RMSProp steps", got, want, rtol=1e-6,
                     hint="carry the returned r into the next step")


def check_adam(adam_step):
    """Adam with bias correction, t counted from 1."""
    expect_callable("adam_step", adam_step)
    stored = numbers("ex09-adam")
    alpha, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    theta, g = THETA0.copy(), GRADS[0].copy()
    what = (f"adam_step(theta = {THETA0.tolist()}, grad = {GRADS[0].tolist()}, m = 0, v = 0, t = 1, "
            f"alpha = {alpha})")
    theta1, m1, v1 = expect_tuple(what, adam_step(theta, g, np.zeros(3), np.zeros(3), 1, alpha=alpha,
                                                  beta1=beta1, beta2=beta2, eps=eps), 3)
    theta1 = as_array(f"theta returned by {what}", theta1)
    expect_array(f"m returned by {what}", m1, stored["m1"],
                 hint="store the raw average m = beta1 * m + (1 - beta1) * grad (not m_hat)")
    expect_array(f"v returned by {what}", v1, stored["v1"],
                 hint="store the raw average v = beta2 * v + (1 - beta2) * grad * grad (not v_hat)")
    if theta1.shape == THETA0.shape and np.allclose(theta1, stored["theta1_without_correction"]):
        fail(f"{what}: the bias correction is missing; use m_hat = m / (1 - beta1**t) and "
             "v_hat = v / (1 - beta2**t) in the step (after the first step it moves every "
             "component by about alpha)")
    expect_array(f"theta returned by {what}", theta1, stored["theta1"], rtol=1e-6,
                 hint="the first Adam step moves every component by alpha against the sign of its gradient")
    thetas = _run(adam_step, [np.zeros(3), np.zeros(3)], "adam_step", 2, t=True, alpha=alpha, beta1=beta1,
                  beta2=beta2, eps=eps)
    for k, (got, want) in enumerate(zip(thetas, stored["path"]), start=1):
        expect_array(f"theta after step {k} of four Adam steps (t = 1, 2, 3, 4)", got, want, rtol=1e-6,
                     hint="carry m and v into the next step and use the step number t in the bias correction")


def check_cosine(cosine_schedule):
    """a_t = a_0 (1 + cos(t pi / T)) / 2 for t = 0..T, scalar or array t."""
    expect_callable("cosine_schedule", cosine_schedule)
    stored = numbers("ex09-cosine")
    lr0, T = 0.1, 100
    for t, name, expected in ((0, "the start", stored["start"]), (50, "half-way", stored["half_way"]),
                              (100, "the end", stored["end"])):
        got = cosine_schedule(t, lr0, T)
        what = f"cosine_schedule(t = {t}, lr0 = {lr0}, T = {T}) at {name}"
        value = float(np.squeeze(as_array(what, got)))
        if expected > 0 and np.isclose(value, 2 * expected):
            fail(f"{what}: got {value:.6g}, expected {expected:.6g}; the factor 1/2 is missing: "
                 "a_t = a_0 (1 + cos(t pi / T)) / 2")
        if t == 50 and np.isclose(value, stored["half_way_without_pi"]):
            fail(f"{what}: pi is missing in the angle: np.cos(t * np.pi / T) goes from cos 0 = 1 to cos pi = -1")
        expect_close(what, value, expected,
                     hint="a_t = 0.5 * lr0 * (1 + np.cos(t * np.pi / T))")
    t = np.arange(0, 11)
    what = "cosine_schedule(np.arange(11), lr0 = 1.0, T = 10)"
    expect_array(what, as_array(what, cosine_schedule(t, 1.0, 10)), stored["array"],
                 hint="use numpy functions (np.cos, np.pi) so an array of epochs works too")


UNROLL_CASES = ((0.9, 4), (0.5, 6), (0.8, 1))  # (gamma, t)


def _same(got, candidate):
    return matches(got, candidate, rtol=1e-7, atol=1e-12)


def check_unrolled(momentum_weights, bias_correction):
    """momentum_weights(gamma, t) -> the weights of g_1..g_t in m_t; bias_correction(gamma, t) -> 1 / their sum."""
    expect_callable("momentum_weights", momentum_weights)
    expect_callable("bias_correction", bias_correction)
    stored = numbers("ex09-momentum-unrolled")
    for (gamma, t), expected, slips in zip(UNROLL_CASES, stored["weights"], stored["weight_slips"]):
        what = f"momentum_weights(gamma={gamma}, t={t})"
        got = as_array(what, momentum_weights(gamma, t))
        if got.shape != (t,):
            fail(f"{what}: expected {t} weights, one for each of g_1 .. g_{t}, got shape {got.shape}")
        if t > 1 and _same(got, expected[::-1]):
            fail(f"{what}: your weights are in reverse order; index 0 holds the weight of the OLDEST gradient g_1, "
                 f"which has been multiplied by gamma at each of the {t - 1} later steps")
        if _same(got, slips["without_one_minus_gamma"]):
            fail(f"{what}: the factor (1 - gamma) is missing; every gradient enters the average as (1 - gamma) g_j")
        if _same(got, slips["one_power_too_many"]):
            fail(f"{what}: one factor gamma too many; the newest gradient g_{t} enters m_{t} as (1 - gamma) g_{t}, "
                 "not yet multiplied by gamma")
        if t > 1 and _same(got, slips["normalised"]):
            fail(f"{what}: your weights sum to 1; those are the weights after the bias correction. The weights of "
                 "m_t itself (from m_0 = 0) sum to less than 1")
        expect_array(what, got, expected, rtol=1e-9, atol=1e-12)
    for (gamma, t), expected, slips in zip(UNROLL_CASES, stored["corrections"], stored["correction_slips"]):
        what = f"bias_correction(gamma={gamma}, t={t})"
        got = bias_correction(gamma, t)
        value = float(np.squeeze(as_array(what, got)))
        if np.isclose(value, slips["not_inverted"]):
            fail(f"{what}: got {value:.6g}, the sum of the weights; the correction DIVIDES by that sum, so that "
                 "the corrected weights sum to 1")
        if np.isclose(value, slips["steady_state"]) and not np.isclose(value, expected):
            fail(f"{what}: got {value:.6g} = 1 / (1 - gamma), the limit for a long run; after t = {t} steps "
                 "the weights sum to less than 1: add up the t weights (a geometric series)")
        expect_close(what, value, expected, rtol=1e-9,
                     hint="the factor that makes the t weights sum to 1: one over their sum")


def newton_problem():
    """X (6, 3), y (6,) and theta (3,) of a least-squares problem."""
    rng = np.random.default_rng(9)
    return rng.normal(size=(6, 3)), rng.normal(size=6), np.array([0.5, -1.0, 2.0])


def check_newton(least_squares_newton):
    """least_squares_newton(theta, X, y) -> (g, H, theta_new) for L = ||X theta - y||^2 / (2N)."""
    expect_callable("least_squares_newton", least_squares_newton)
    stored = numbers("ex09-newton-least-squares")
    X, y, theta = newton_problem()
    copies = [theta.copy(), X.copy(), y.copy()]
    what = "least_squares_newton(theta (3,), X (6, 3), y (6,))"
    g, H, theta_new = expect_tuple(what, least_squares_newton(theta, X, y), ("g", "H", "theta_new"))
    for name, array, original in zip(("theta", "X", "y"), (theta, X, y), copies):
        expect_unchanged(name, array, original)
    g = as_array(f"g of {what}", g)
    if g.shape == (6,):
        fail(f"g of {what}: got shape (6,), one number per example; the gradient has one entry per parameter, "
             "shape (3,): multiply the residuals X theta - y by X^T")
    if _same(g, stored["g_without_half"]):
        fail(f"g of {what}: your gradient is twice the right one; the loss has the factor 1/(2N), and the 2 from "
             "the square cancels the 2 in it")
    expect_array(f"g of {what}", g, stored["g"], batch_size=X.shape[0],
                 hint="the derivative of (x_n . theta - y_n)^2 / 2 is (x_n . theta - y_n) x_n; average over n")
    H = as_array(f"H of {what}", H)
    if H.shape == (6, 6):
        fail(f"H of {what}: got shape (6, 6); the Hessian has one row and column per parameter, (3, 3): "
             "X^T X, not X X^T")
    if _same(H, stored["H_without_half"]):
        fail(f"H of {what}: your Hessian is twice the right one; mind the factor 1/(2N) of the loss")
    expect_array(f"H of {what}", H, stored["H"], batch_size=X.shape[0],
                 hint="differentiate g once more: each entry H_kl = dg_k / dtheta_l")
    theta_new = expect_shape(f"theta_new of {what}", theta_new, (3,))
    if _same(theta_new, stored["uphill"]):
        fail(f"theta_new of {what}: you added the Newton step; Newton's update is theta - H^-1 g")
    if _same(theta_new, stored["H_times_g"]):
        fail(f"theta_new of {what}: you multiplied g by H; Newton's step multiplies by the INVERSE, H^-1 g "
             "(np.linalg.solve(H, g))")
    expect_array(f"theta_new of {what}", theta_new, stored["theta_new"], rtol=1e-6,
                 hint="one Newton step on a quadratic lands on its minimum: theta - np.linalg.solve(H, g)")


ITEMS = {
    "ex09-momentum": Item(check_momentum, title="momentum step in the lecture's form", hidden=1),
    "ex09-rmsprop": Item(check_rmsprop, title="RMSProp step", hidden=1),
    "ex09-adam": Item(check_adam, title="Adam step with bias correction", hidden=2),
    "ex09-cosine": Item(check_cosine, title="cosine learning-rate schedule", hidden=2),
    "ex09-momentum-unrolled": Item(check_unrolled, title="derive it: momentum unrolled, and its bias correction",
                                   hidden=2),
    "ex09-newton-least-squares": Item(check_newton, title="derive it: gradient, Hessian and a Newton step for "
                                      "least squares", hidden=2),
    "ex09-quiz-trajectory": quiz_item("ex09-quiz-trajectory", title="quiz: which trajectory is momentum"),
    "ex09-quiz-adam-correction": quiz_item("ex09-quiz-adam-correction", title="quiz: Adam's first step without "
                                           "bias correction"),
    "ex09-quiz-rmsprop-arguments": quiz_item("ex09-quiz-rmsprop-arguments", title="quiz: RMSprop's arguments"),
}
