"""Reference answers behind the stored numbers and quizzes of exercise 09 (instructor side only).

The four-step paths come from ``nnlib.optim`` with the lecture's symbols mapped onto its arguments;
the unrolled momentum weights are read off the library's momentum buffer.
"""

import numpy as np

from nncourse.grading.items import ex09 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.module import Module
from nnlib.optim import SGD, Adam, RMSprop, cosine_lr


class Param(Module):
    """A parameter vector fed with the fixed gradient sequence of the item."""

    param_names = ("theta",)

    def __init__(self):
        super().__init__()
        self.theta = items.THETA0.copy()
        self.dtheta = np.zeros_like(items.THETA0)


def library_path(make_optimizer):
    """theta after each of the four steps of the library's optimiser."""
    p = Param()
    opt = make_optimizer(p.parameters())
    path = []
    for g in items.GRADS:
        p.dtheta[...] = g
        opt.step()
        path.append(p.theta.copy())
    return path


def momentum_numbers():
    eta, gamma, g = 0.5, 0.9, items.GRADS[0]
    return {"m1": (1 - gamma) * g, "theta1": items.THETA0 - eta * (1 - gamma) * g,
            "path": library_path(lambda params: SGD(params, lr=eta * (1 - gamma), momentum=gamma))}


def rmsprop_numbers():
    alpha, rho, eps, g = 0.01, 0.9, 1e-8, items.GRADS[0]
    r1 = (1 - rho) * g * g
    return {"r1": r1, "r_adagrad": g * g, "r_swapped": rho * g * g,
            "theta1": items.THETA0 - alpha / (eps + np.sqrt(r1)) * g,
            "theta1_without_root": items.THETA0 - alpha / (eps + r1) * g,
            "path": library_path(lambda params: RMSprop(params, lr=alpha, alpha=rho, eps=eps))}


def adam_numbers():
    alpha, beta1, beta2, eps, g = 0.1, 0.9, 0.999, 1e-8, items.GRADS[0]
    m1, v1 = (1 - beta1) * g, (1 - beta2) * g * g
    m_hat, v_hat = m1 / (1 - beta1), v1 / (1 - beta2)
    return {"m1": m1, "v1": v1, "theta1": items.THETA0 - alpha * m_hat / (np.sqrt(v_hat) + eps),
            "theta1_without_correction": items.THETA0 - alpha * m1 / (np.sqrt(v1) + eps),
            "path": library_path(lambda params: Adam(params, lr=alpha, betas=(beta1, beta2), eps=eps))}


def cosine_numbers():
    return {"start": float(cosine_lr(0, 0.1, 100)), "half_way": float(cosine_lr(50, 0.1, 100)),
            "end": float(cosine_lr(100, 0.1, 100)), "half_way_without_pi": 0.5 * 0.1 * (1 + np.cos(50 / 100)),
            "array": np.asarray(cosine_lr(np.arange(0, 11), 1.0, 10), dtype=float)}


def library_weights(gamma, t):
    """The weight of each g_j in the lecture's m_t, read off nnlib's SGD momentum (one-hot gradients).

    ``SGD(lr=eta (1 - gamma), momentum=gamma)`` moves theta by ``eta m_t`` in step t; feeding g_j = 1 at
    step j only (0 elsewhere) and taking ``eta = 1``, the step at time t is the weight of g_j in m_t.
    """
    weights = np.zeros(t)
    for j in range(t):
        p = Param()
        opt = SGD(p.parameters(), lr=1.0 - gamma, momentum=gamma)
        for step in range(t):
            p.dtheta[...] = 1.0 if step == j else 0.0
            before = p.theta.copy()
            opt.step()
        weights[j] = (before - p.theta)[0]  # the last step: eta m_t with eta = 1
    return weights


def unrolled_numbers():
    weights, slips, corrections, correction_slips = [], [], [], []
    for gamma, t in items.UNROLL_CASES:
        w = library_weights(gamma, t)
        weights.append(w)
        powers = gamma ** np.arange(t - 1, -1, -1.0)  # gamma^(t - j), j = 1..t
        slips.append({"without_one_minus_gamma": powers, "one_power_too_many": (1 - gamma) * gamma * powers,
                      "normalised": w / w.sum()})
        corrections.append(float(1.0 / w.sum()))
        correction_slips.append({"not_inverted": float(w.sum()), "steady_state": 1.0 / (1.0 - gamma)})
    return {"weights": weights, "weight_slips": slips, "corrections": corrections,
            "correction_slips": correction_slips}


def newton_numbers():
    X, y, theta = items.newton_problem()
    N = X.shape[0]
    g = X.T @ (X @ theta - y) / N  # (D,)
    H = X.T @ X / N  # (D, D)
    step = np.linalg.solve(H, g)
    return {"g": g, "H": H, "theta_new": theta - step, "g_without_half": 2 * g, "H_without_half": 2 * H,
            "uphill": theta + step, "H_times_g": theta - H @ g}


NUMBERS = {"ex09-momentum": momentum_numbers, "ex09-rmsprop": rmsprop_numbers, "ex09-adam": adam_numbers,
           "ex09-cosine": cosine_numbers, "ex09-momentum-unrolled": unrolled_numbers,
           "ex09-newton-least-squares": newton_numbers}

QUIZ_BETAS = (0.9, 0.999)  # Adam's betas in ex09-quiz-adam-correction


def first_adam_step(beta1, beta2, corrected):
    """Size of Adam's first step, in units of alpha, for a gradient much larger than eps."""
    m, v = 1.0 - beta1, 1.0 - beta2  # m and v after one step with g = 1
    if corrected:
        m, v = m / (1.0 - beta1), v / (1.0 - beta2)
    return m / np.sqrt(v)


QUIZZES = {
    "ex09-quiz-trajectory": Choice(
        "abcd", correct="c",
        explain={
            "a": "zig-zagging across the valley while crawling along its floor is plain gradient descent, the "
                 "problem momentum fixes: the alternating components cancel in the average",
            "b": "steps of almost the same size in every coordinate come from dividing each component by its own "
                 "size: RMSProp and Adam do that",
            "d": "step sizes that shrink for good are AdaGrad's: its sum of squared gradients only grows",
        }),
    "ex09-quiz-adam-correction": Number(
        first_adam_step(*QUIZ_BETAS, corrected=False) / first_adam_step(*QUIZ_BETAS, corrected=True),
        tolerance=0.02,
        wrong={
            1 - QUIZ_BETAS[0]: "that is the missing correction of m alone; v is uncorrected too, and the step "
                               "divides by its root",
            1 / np.sqrt(1 - QUIZ_BETAS[1]): "that is the missing correction of v alone; m is uncorrected too, "
                                            "which multiplies the step by 1 - beta1 = 0.1",
            1.0: "the corrections do not cancel: m is too small by 1 - beta1, sqrt(v) by sqrt(1 - beta2)",
        }),
    "ex09-quiz-rmsprop-arguments": Choice(
        "abcd", correct="abd", multiple=True,
        explain={
            "c": "PyTorch's (and nnlib's) `alpha` of RMSprop is the decay rate, the lecture's rho; the learning "
                 "rate is `lr`",
        }),
}
