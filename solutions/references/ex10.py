"""Reference answers behind the stored numbers of exercise 10 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex10 as items


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


NUMBERS = {"ex10-l2": l2_numbers, "ex10-early-stopping": early_stopping_numbers, "ex10-ensemble": ensemble_numbers}
