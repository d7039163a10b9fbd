"""Reference answers behind the stored numbers and quizzes of exercise 02 (instructor side only).

The training loop's expected results come from ``nnlib.perceptron.Perceptron``; see
``solutions/README.md`` (section 5) for how these numbers are stored and checked.
"""

import numpy as np

from nncourse.grading.items import ex02 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.perceptron import Perceptron, novikoff_bound


def criterion_numbers():
    z = items.X_HAND @ items.W_HAND + items.B_HAND  # (3,)
    return {"J_all_rows": float(-np.sum(items.Y_HAND * z))}  # the slip: summing over every row


def train_numbers():
    ref = Perceptron(lr=1.0, max_epochs=100).fit(items.X_AND, items.Y_AND)
    xor = Perceptron(max_epochs=7).fit(items.X_XOR, items.Y_XOR)
    return {"history": list(ref.history), "n_updates": int(ref.n_updates), "w": ref.w, "b": float(ref.b),
            "xor_history": list(xor.history)}


def margin_numbers():
    scores = items.Y_MARGIN * (items.X_MARGIN @ items.W_MARGIN + items.B_MARGIN)  # (3,)
    norm = np.linalg.norm(np.append(items.W_MARGIN, items.B_MARGIN))
    return {"gamma_without_bias": float(scores.min() / np.linalg.norm(items.W_MARGIN)),
            "gamma_largest": float(scores.max() / norm)}


NUMBERS = {"ex02-criterion": criterion_numbers, "ex02-train": train_numbers, "ex02-margin": margin_numbers}


def or_updates_quiz():
    """Updates of the perceptron (w = 0, b = 0, lr = 1, examples in order) on OR with labels -1/+1."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([-1, 1, 1, 1])
    model = Perceptron().fit(X, y)
    epochs = len(model.history)
    return Number(model.n_updates, tolerance=0.5, wrong={
        epochs: "that is the number of epochs (the last one without a mistake included); count the updates, "
                "one per misclassified example",
        epochs - 1: "that is the number of epochs with mistakes; several epochs make more than one update",
    })


def margin_quiz():
    R, gamma = 2.0, 0.4  # any radius and margin: the bound (R / gamma)^2 is what matters
    factor = novikoff_bound(R, gamma / 2) / novikoff_bound(R, gamma)
    return Number(factor, tolerance=0.05, wrong={
        2.0: "the bound is (R / gamma)^2: halving gamma doubles R / gamma and so multiplies its square by 4",
        0.5: "a smaller margin makes the problem harder: the bound grows",
        0.25: "a smaller margin makes the problem harder: the bound grows, by the square of the factor",
    })


QUIZZES = {
    "ex02-quiz-or-updates": or_updates_quiz(),
    "ex02-quiz-learning-rate": Choice(
        "abcd", correct="a",
        explain={
            "b": "from w = 0 every weight vector on the way is alpha times the one of alpha = 1, and scaling (w, b) "
                 "does not move the boundary: the same mistakes happen in the same order",
            "c": "the predictions depend only on the sign of w.x + b, which scaling does not change; both make "
                 "exactly the same updates",
            "d": "the final (w, b) differ only by the factor 0.01, and w.x + b = 0 is the same line for both",
        }),
    "ex02-quiz-margin": margin_quiz(),
    "ex02-quiz-xor": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "the theorem assumes linearly separable data; for XOR no separator exists, so there is no margin "
                 "gamma and no bound",
            "d": "from a zero start the learning rate only scales the weights; the same mistakes repeat in the "
                 "same cycle",
        }),
}
