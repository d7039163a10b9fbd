"""Reference answers behind the stored numbers and quizzes of exercise 11 (instructor side only).

``QUIZZES`` holds the quiz answers in clear; ``python -m nncourse.grading.store`` writes only their
salted hashes (and the explanations, obfuscated) to ``nncourse/grading/items/ex11.json``.
"""

import numpy as np

from nncourse.grading.items import ex11 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.losses import BCEWithLogitsLoss, CrossEntropyLoss


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


def loss_with_bias(counts, bias):
    """nnlib's CrossEntropyLoss over a data set with these class counts when every row of logits is bias."""
    labels = np.repeat(np.arange(len(counts)), counts)  # (N,) n_c examples of class c
    logits = np.tile(np.asarray(bias, dtype=float), (len(labels), 1))  # (N, C): tiny weights, logits = bias
    return CrossEntropyLoss()(logits, labels)


def initial_loss_prior_numbers():
    expected, slips = [], []
    for counts in items.PRIOR_CASES:
        counts = np.asarray(counts, dtype=float)
        frequencies = counts / counts.sum()
        zero = loss_with_bias(counts.astype(int), np.zeros(len(counts)))
        prior = loss_with_bias(counts.astype(int), np.log(frequencies))
        expected.append([zero, prior])
        slips.append({"entropy": prior, "log10": [zero / np.log(10), prior / np.log(10)],
                      "class_average": float(-np.mean(np.log(frequencies)))})
    return {"expected": expected, "slips": slips}


NUMBERS = {"ex11-initial-loss": initial_loss_numbers, "ex11-moving-average": moving_average_numbers,
           "ex11-overfitting": overfitting_numbers, "ex11-initial-loss-prior": initial_loss_prior_numbers}

RANGE_TEST = (1e-5, 10.0, 100)  # lr_min, lr_max, iterations of the lesson's range test (lr_range_test)
RANGE_RATES = np.geomspace(*RANGE_TEST)  # (100,) the rates lr_range_test uses, equal ratios
BINARY_LOSS = BCEWithLogitsLoss()(np.zeros((4, 1)), np.array([[0.0], [1.0], [1.0], [0.0]]))

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
    "ex11-quiz-binary-loss": Number(
        BINARY_LOSS, tolerance=0.005,
        wrong={
            float(np.log10(2)): "that is log10(2); the binary cross-entropy uses the natural logarithm",
            0.5: "that is the probability the untrained network gives each label; the loss is -log(0.5)",
            1.0: "that is the base-2 logarithm of 2; the binary cross-entropy uses the natural logarithm",
            0.0: "a loss of 0 needs probability 1 for the right label; an untrained network gives 0.5",
        }),
    "ex11-quiz-range-factor": Number(
        float(RANGE_RATES[1] / RANGE_RATES[0]), tolerance=0.0005,
        wrong={
            float((RANGE_TEST[1] / RANGE_TEST[0]) ** (1 / RANGE_TEST[2])): "100 rates have 99 steps between them: "
            "the exponent is 1/99, so that the last rate is exactly 10",
            float((RANGE_TEST[1] - RANGE_TEST[0]) / (RANGE_TEST[2] - 1)): "that is the step of a linear schedule; "
            "the range test multiplies the rate by the same factor every iteration",
            float(RANGE_TEST[1] / RANGE_TEST[0]): "that is the factor over the whole run; spread it over the 99 "
            "steps: the 99th root",
        }),
    "ex11-quiz-plateau": Choice(
        "abcd", correct="b",
        explain={
            "a": "a learning rate that is too large makes the loss fall and then jump up, or turn into inf/NaN",
            "c": "overfitting shows in the validation loss rising while the training loss keeps falling, not in a "
                 "training loss stuck at log C",
            "d": "a learning rate slightly too small gives a slow, steady, almost linear decrease from the start",
        }),
}
