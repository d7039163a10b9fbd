"""Visible tests for solutions/ex17_debugging_training.ipynb (seven broken training set-ups to repair).

Every set-up is a function ``train_setup_N(X_train, y_train, rng)`` returning ``(predict, losses)``:
a function from inputs to class labels, and the training loss per epoch (or per step). The test
trains it on data it draws itself and measures the accuracy on held-out points the function never
saw; a repaired set-up must reach the stated accuracy within the time limit. When it does not, the
message reads the loss curve as lesson 11 does (initial loss against log C, rising, flat, NaN) and
names the bug that set-up was built with. Set-up 3 also has its hand-written gradients checked
against stored central differences. Diagnostic constants (log 10, the lowest loss a doubled softmax
allows) and expected gradients are stored numbers from ``solutions/references/ex17.py``.
"""

import time

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_callable,
    expect_close,
    expect_gradients,
    expect_tuple,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

MAX_SECONDS = 20.0
DIGITS_ACCURACY, BLOBS_ACCURACY = 0.90, 0.95
VISIBLE_SEED, HIDDEN_SEED = 1, 2


def blobs_split(seed):
    """Two clouds in the plane, 90 % of the points around (0, 0), 10 % around (3.5, 3.5): 300 to train, 300 to test."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([0.0, 0.0], 1.0, (540, 2)), rng.normal([3.5, 3.5], 0.7, (60, 2))])  # (600, 2)
    y = np.repeat([0, 1], [540, 60])  # (600,)
    order = rng.permutation(600)
    X, y = X[order], y[order]
    return X[:300], y[:300], X[300:], y[300:]


def digits_split(seed):
    """The 8x8 digits (pixels 0..16), 60 % to train and 40 % held out (stratified), drawn with ``seed``."""
    from nnlib.datasets import load_digits  # the grader's copy
    from nnlib.preprocessing import train_test_split

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, rng=seed)
    return X_train, y_train, X_test, y_test


def split_for(number, seed):
    return blobs_split(seed) if number == 1 else digits_split(seed)


def threshold_for(number):
    return BLOBS_ACCURACY if number == 1 else DIGITS_ACCURACY


def train_and_test(setup, number, seed):
    """Train ``setup`` on the split ``seed``: ``(accuracy on the held-out part, losses, seconds)``."""
    X, y, X_test, y_test = split_for(number, seed)
    name = f"train_setup_{number}"
    start = time.monotonic()
    result = setup(X, y, np.random.default_rng(seed))
    seconds = time.monotonic() - start
    predict, losses = expect_tuple(f"{name}(X_train, y_train, rng)", result, ("predict", "losses"))
    expect_callable(f"the predict returned by {name}", predict)
    losses = as_array(f"the losses returned by {name}", losses).ravel()
    if losses.size == 0:
        fail(f"{name} returned no losses; return the list of the training loss of every epoch")
    labels = as_array(f"predict(X_test) of {name}", predict(X_test))
    if labels.shape != y_test.shape:
        fail(f"predict(X_test) of {name} returned shape {labels.shape}, expected one label per row {y_test.shape}")
    return float(np.mean(labels == y_test)), losses, seconds


def setup_accuracy(setup, number, seed):
    """Held-out accuracy of a set-up trained on the split ``seed`` (for the hidden tests)."""
    return train_and_test(setup, number, seed)[0]


def curve_words(losses):
    """The loss curve in words: first, lowest and last value, and NaN if any."""
    if not np.all(np.isfinite(losses)):
        epoch = int(np.flatnonzero(~np.isfinite(losses))[0]) + 1
        return f"your loss became NaN or infinite at epoch {epoch}"
    return (f"your loss starts at {losses[0]:.3f}, its lowest value is {losses.min():.3f} and its last "
            f"{losses[-1]:.3f}")


def judge(setup, number, diagnose):
    """Train and test one set-up; on failure, say what the curve shows and what ``diagnose`` suspects."""
    expect_callable(f"train_setup_{number}", setup)
    accuracy, losses, seconds = train_and_test(setup, number, VISIBLE_SEED)
    if seconds > MAX_SECONDS:
        fail(f"train_setup_{number} took {seconds:.0f} s, more than the {MAX_SECONDS:.0f} s allowed; the repaired "
             "set-up should train in a few seconds (no need for more epochs or a larger network)")
    threshold = threshold_for(number)
    if accuracy < threshold:
        fail(f"set-up {number} classifies {accuracy:.1%} of the held-out points correctly, at least "
             f"{threshold:.0%} are needed; {curve_words(losses)}. {diagnose(losses, accuracy)}")


def check_setup_1(train_setup_1):
    def diagnose(losses, accuracy):
        return ("Two well separated clouds should let the loss fall towards 0, yet it stalls: the classifier "
                "cannot shift its boundary away from the centre of the data, as if it had no bias. Print the "
                "first rows of the matrix the weights multiply: is the column of ones still a column of ones?")
    judge(train_setup_1, 1, diagnose)


def check_setup_2(train_setup_2):
    stored = numbers("ex17-setup-2")

    def diagnose(losses, accuracy):
        if np.all(np.isfinite(losses)) and losses.min() > stored["floor"] - 0.05:
            return (f"The loss never gets below {stored['floor']:.2f} = -log(e / (e + 9)), the least a "
                    "cross-entropy can reach when its scores are already probabilities between 0 and 1: softmax is "
                    "applied twice (CrossEntropyLoss takes scores, the logits, and applies softmax itself)")
        return "Compare the loss curve with the lesson's: what does the loss function expect as its input?"
    judge(train_setup_2, 2, diagnose)


def gradient_inputs():
    """Weights of a small 8-6-10 sigmoid network and a batch of 5 examples for the gradient check."""
    rng = np.random.default_rng(3)
    params = {"W1": rng.normal(0.0, 0.5, (6, 8)), "b1": rng.normal(0.0, 0.1, 6),
              "W2": rng.normal(0.0, 0.5, (10, 6)), "b2": rng.normal(0.0, 0.1, 10)}
    X = rng.uniform(0.0, 1.0, (5, 8))
    y = np.array([3, 0, 9, 3, 7])
    return params, X, y


def check_setup_3(gradients_3, train_setup_3):
    expect_callable("gradients_3", gradients_3)
    stored = numbers("ex17-setup-3")
    params, X, y = gradient_inputs()
    what = "gradients_3 on a batch of 5 examples of an 8-6-10 sigmoid network"
    loss, grads = expect_tuple(what, gradients_3(params, X, y), ("loss", "grads"))
    expect_close(f"the loss returned by {what}", loss, stored["loss"])
    if not isinstance(grads, dict):
        fail(f"{what}: the gradients must be a dict {{'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}}")
    dW1 = np.asarray(grads.get("W1"), dtype=float) if grads.get("W1") is not None else None
    if dW1 is not None and dW1.shape == stored["W1_without_sigma_prime"].shape \
            and np.allclose(dW1, stored["W1_without_sigma_prime"]):
        fail(f"{what}: W1's gradient disagrees with the numerical one, and equals what backpropagation gives "
             "without the factor sigma'(z1) = a1 (1 - a1): delta1 = (delta2 @ W2) * sigma'(z1)")
    numeric = {name: stored[name] for name in ("W2", "b2", "W1", "b1")}
    expect_gradients(what, grads, numeric)

    def diagnose(losses, accuracy):
        return "Its gradients are right now: look at how train_setup_3 uses them"
    judge(train_setup_3, 3, diagnose)


def check_setup_4(train_setup_4):
    stored = numbers("ex17-setup-4")

    def diagnose(losses, accuracy):
        if accuracy < 0.2 and np.all(np.isfinite(losses)) and losses.min() > 0.9 * stored["log_10"]:
            return (f"That is chance level, and the loss stays near log 10 = {stored['log_10']:.2f}: the network "
                    "finds no relation between the images and their labels. Does every image still have its own "
                    "label after the shuffle? Show a few training images with their labels")
        return "Check what the training loop feeds the network, batch by batch"
    judge(train_setup_4, 4, diagnose)


def check_setup_5(train_setup_5):
    stored = numbers("ex17-setup-5")

    def diagnose(losses, accuracy):
        if not np.all(np.isfinite(losses)) or losses[0] > 1.2 * stored["log_10"]:
            return (f"An untrained network starts near log 10 = {stored['log_10']:.2f}; a first epoch far above "
                    "it (or NaN) means the very first steps threw the weights far away: the learning rate is too "
                    "large. Lesson 11, step 3: try learning rates a factor 10 apart and keep one whose loss falls "
                    "steadily")
        return "Look at the loss curve epoch by epoch: does it fall steadily?"
    judge(train_setup_5, 5, diagnose)


def check_setup_6(train_setup_6):
    stored = numbers("ex17-setup-6")

    def diagnose(losses, accuracy):
        if np.all(np.isfinite(losses)) and np.all(np.abs(losses - stored["log_10"]) < 0.02):
            return (f"It never leaves log 10 = {stored['log_10']:.3f}: nothing learns at all. Print the gradients "
                    "of W1 and W2 after one step: with every weight 0, every hidden unit computes tanh(0) = 0 and "
                    "receives the same zero gradient, so no weight ever moves. Draw the weights at random")
        return "Check how the weights start (lesson 08): can the hidden units become different from each other?"
    judge(train_setup_6, 6, diagnose)


def check_setup_7(train_setup_7):
    def diagnose(losses, accuracy):
        if np.all(np.isfinite(losses)) and losses[-1] > losses.min() + 0.1:
            return ("It fell and then rose again with a fixed learning rate, as if the steps kept growing. They "
                    "do when the gradients of all earlier batches pile up: backward() adds (+=) to the stored "
                    "gradients, so they must be set to zero before every backward pass")
        return "Does every step use the gradient of its own batch only?"
    judge(train_setup_7, 7, diagnose)


ITEMS = {
    "ex17-setup-1": Item(check_setup_1, title="set-up 1 repaired: the bias column", hidden=1),
    "ex17-setup-2": Item(check_setup_2, title="set-up 2 repaired: softmax", hidden=1),
    "ex17-setup-3": Item(check_setup_3, title="set-up 3 repaired: the hand-written gradients", hidden=2),
    "ex17-setup-4": Item(check_setup_4, title="set-up 4 repaired: the shuffle", hidden=1),
    "ex17-setup-5": Item(check_setup_5, title="set-up 5 repaired: the step size", hidden=1),
    "ex17-setup-6": Item(check_setup_6, title="set-up 6 repaired: the initial weights", hidden=1),
    "ex17-setup-7": Item(check_setup_7, title="set-up 7 repaired: the gradients between steps", hidden=1),
    "ex17-quiz-gradcheck": quiz_item("ex17-quiz-gradcheck", title="quiz: which bugs a gradient check finds"),
}
