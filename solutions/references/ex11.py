"""Reference answers behind the stored numbers and quizzes of exercise 11 (instructor side only).

``QUIZZES`` holds the quiz answers in clear; ``python -m nncourse.grading.store`` writes only their
salted hashes (and the explanations, obfuscated) to ``nncourse/grading/items/ex11.json``.
"""

import numpy as np

from nncourse.grading.items import ex11 as items
from nncourse.grading.quiz import Choice, Number


def initial_loss_numbers():
    return {"log_10": float(np.log(10)), "log_2": float(np.log(2)),
            "absolute_tolerance": [bool(abs(loss - np.log(C)) <= tol) for loss, C, tol, _ in items.PLAUSIBLE_CASES],
            "threshold": [float(tol * np.log(C)) for _, C, tol, _ in items.PLAUSIBLE_CASES]}


def moving_average_numbers():
    y = np.random.default_rng(0).normal(size=50)
    return {"random_window_10": np.array([y[max(0, t - 9):t + 1].mean() for t in range(50)])}


def overfitting_numbers():
    flags, best_epochs = [], []
    for train, val, patience in items.OVERFITTING_CASES:
        best = int(np.argmin(val)) + 1
        flags.append(bool(len(val) - best >= patience and train[-1] < train[best - 1]))
        best_epochs.append(best)
    return {"flags": flags, "best": best_epochs}


NUMBERS = {"ex11-initial-loss": initial_loss_numbers, "ex11-moving-average": moving_average_numbers,
           "ex11-overfitting": overfitting_numbers}

QUIZZES = {
    "ex11-quiz-signs": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "losses that stay at log C mean the network learns nothing at all (check the learning rate "
                 "and the data); overfitting needs a falling training loss",
            "d": "a validation loss that falls is good news; overfitting shows when it stops falling or rises "
                 "while the training loss still falls",
        }),
    "ex11-quiz-first-loss": Number(
        float(np.log(26)), tolerance=0.01,
        wrong={
            float(np.log10(26)): "that is log10(26); the cross-entropy uses the natural logarithm, log C",
            1 / 26: "that is the probability 1/C the network gives each class at the start; the loss is "
                    "-log(1/C) = log C",
            -float(np.log(26)): "the cross-entropy -log(1/C) is positive: log C",
        }),
}
