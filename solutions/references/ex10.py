"""Reference answers behind the stored numbers and quizzes of exercise 10 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex10 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.layers import BatchNorm1d


def l2_numbers():
    total = float(np.sum(items.L2_W1 ** 2) + np.sum(items.L2_W2 ** 2))
    W, dW = items.DECAY_W, items.DECAY_DW
    return {"penalty": 0.1 / 2 * total, "without_half": 0.1 * total, "grad_W1": 0.1 * items.L2_W1,
            "grad_W2": 0.1 * items.L2_W2, "decayed": W - 0.1 * (dW + 0.01 * W), "not_decayed": W - 0.1 * dW}


def replay(losses, patience, min_delta, strict=True):
    """(best_epoch, stop_epoch) of the patience rule; strict=False counts an equal loss as better (a slip)."""
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if (loss < best - min_delta) if strict else (loss <= best - min_delta):
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
        if waited >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses)


def early_stopping_numbers():
    cases = items.STOPPING_CASES
    return {"expected": [list(replay(*case)) for case in cases],
            "not_strict": [list(replay(*case, strict=False)) for case in cases]}


def ensemble_numbers():
    P = items.ENSEMBLE_P
    votes = np.array([np.bincount(P[:, n].argmax(axis=1), minlength=P.shape[2]).argmax() for n in range(P.shape[1])])
    return {"average": P.mean(axis=0), "classes": P.mean(axis=0).argmax(axis=1), "majority_vote": votes}


def library_batchnorm(x, gamma, dy, eps=1e-5):
    """(dx, dgamma, dbeta) of nnlib's BatchNorm1d in training mode."""
    bn = BatchNorm1d(x.shape[1], eps=eps)
    bn.gamma[...] = gamma
    bn(x)
    dx = bn.backward(dy)
    return dx, bn.dgamma.copy(), bn.dbeta.copy()


def batchnorm_slips(x, gamma, dy, eps=1e-5):
    """dx with one slip each (the corrections left out, summed instead of averaged, B - 1 in the variance)."""
    def dx(mean_term, variance_term, reduce=np.mean, ddof=0):
        sigma = np.sqrt(x.var(axis=0, ddof=ddof) + eps)  # (D,)
        x_hat = (x - x.mean(axis=0)) / sigma  # (B, D)
        g = dy * gamma  # (B, D) dL/dx_hat
        result = g.copy()
        if mean_term:
            result = result - reduce(g, axis=0)
        if variance_term:
            result = result - x_hat * reduce(g * x_hat, axis=0)
        return result / sigma

    x_hat_unbiased = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps)
    return {"no_corrections": dx(False, False), "mean_term_only": dx(True, False),
            "dgamma_unbiased": np.sum(dy * x_hat_unbiased, axis=0),
            "variance_term_only": dx(False, True), "sums_not_means": dx(True, True, reduce=np.sum),
            "unbiased_variance": dx(True, True, ddof=1)}


def batchnorm_numbers():
    x, gamma, dy = items.batchnorm_problem()
    dx, dgamma, dbeta = library_batchnorm(x, gamma, dy)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta, "slips": batchnorm_slips(x, gamma, dy)}


NUMBERS = {"ex10-l2": l2_numbers, "ex10-early-stopping": early_stopping_numbers, "ex10-ensemble": ensemble_numbers,
           "ex10-batchnorm-backward": batchnorm_numbers}

QUIZ_P = 0.2  # drop probability in ex10-quiz-dropout-scale
QUIZ_LR, QUIZ_LAM, QUIZ_STEPS = 0.1, 0.01, 100  # ex10-quiz-weight-decay

QUIZZES = {
    "ex10-quiz-dropout-scale": Number(
        1.0 / (1.0 - QUIZ_P), tolerance=0.01,
        wrong={
            1.0 - QUIZ_P: "multiplying by the keep probability is what the original dropout does at TEST time; "
                          "inverted dropout divides the kept units by it during training",
            1.0 / QUIZ_P: "p is the probability of dropping a unit; divide by the probability of keeping it, 1 - p",
            1.0: "inverted dropout scales the kept units in training, so that the expected output stays 1.0",
            0.0: "the unit was kept; only dropped units become 0",
        }),
    "ex10-quiz-weight-decay": Number(
        (1.0 - QUIZ_LR * QUIZ_LAM) ** QUIZ_STEPS, tolerance=0.002,
        wrong={
            1.0 - QUIZ_LR * QUIZ_LAM: "that is one step; each of the 100 steps multiplies by 1 - lr * lam again",
            (1.0 - QUIZ_LAM) ** QUIZ_STEPS: "the learning rate is missing: one step subtracts lr * lam * W",
            1.0 - QUIZ_STEPS * QUIZ_LR * QUIZ_LAM: "the factors multiply: (1 - lr lam)^100, not 1 - 100 lr lam",
            1.0: "with a zero loss gradient the penalty's gradient lam W still shrinks the weights every step",
        }),
    "ex10-quiz-batchnorm": Choice(
        "abcd", correct="ab", multiple=True,
        explain={
            "c": "one example has no variance (x - mu = 0 for it): the normalised output is 0 whatever the input; "
                 "nnlib refuses a training batch of one",
            "d": "gamma and beta are trained like weights, so the network can undo the normalisation where that helps",
        }),
}
