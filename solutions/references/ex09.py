"""Reference answers behind the stored numbers of exercise 09 (instructor side only).

The four-step paths come from ``nnlib.optim`` with the lecture's symbols mapped onto its arguments.
"""

import numpy as np

from nncourse.grading.items import ex09 as items
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


NUMBERS = {"ex09-momentum": momentum_numbers, "ex09-rmsprop": rmsprop_numbers, "ex09-adam": adam_numbers,
           "ex09-cosine": cosine_numbers}
