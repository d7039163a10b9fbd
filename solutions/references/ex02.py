"""Reference answers behind the stored numbers of exercise 02 (instructor side only).

The training loop's expected results come from ``nnlib.perceptron.Perceptron``; see
``solutions/README.md`` (section 5) for how these numbers are stored and checked.
"""

import numpy as np

from nncourse.grading.items import ex02 as items
from nnlib.perceptron import Perceptron


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
