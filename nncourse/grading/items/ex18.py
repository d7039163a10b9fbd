"""Visible tests for solutions/ex18_capstone_digits.ipynb (an MLP from scratch on the digits, then a CNN).

Conventions of the exercise: batches are rows; ``W`` has shape (out, in); the network is
``scores = relu(X W1^T + b1) W2^T + b2`` and ``forward`` returns ``(scores, (X, Z1, A1))``; the loss is
the mean cross-entropy of the softmax over the batch; gradients have their parameter's shape.
Expected values, numerical gradients (central differences of ``sum(scores * G)`` for a random
upstream gradient ``G``) and recognised slips are stored numbers from ``solutions/references/ex18.py``.

The held-out test set stays honest: the training functions receive only a training and a validation
part of a split the grader draws (:func:`digits_splits`); the accuracy is measured on the rest, which
they never see. The from-scratch items are ``numpy_only``, so at grading they also run where
``nnlib`` (and with it the digits file) does not exist: a training function cannot fetch the whole
data set itself. The hidden test draws another split.
"""

import time

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    expect_gradients,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.stored import numbers

MIN_TEST_ACCURACY, MAX_SECONDS, MAX_CNN_SECONDS = 0.95, 15.0, 25.0
VISIBLE_SEED, HIDDEN_SEED = 1, 2
NAMES = ("W1", "b1", "W2", "b2")


def digits_splits(seed):
    """The digits (pixels / 16, rows of 64), stratified: 60 % train, 15 % validation, 25 % test.

    Returns ``X_train, y_train, X_val, y_val, X_test, y_test``.
    """
    from nnlib.datasets import load_digits  # the grader's copy
    from nnlib.preprocessing import train_test_split

    X, y = load_digits()
    X_rest, X_test, y_rest, y_test = train_test_split(X / 16.0, y, test_size=0.25, rng=seed)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2, rng=seed)
    return X_train, y_train, X_val, y_val, X_test, y_test


def small_network(seed=4, n_in=7, n_hidden=5, n_out=3):
    """Parameters of a small ReLU network and a batch of 4 inputs (no pre-activation near 0)."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(0.0, 0.6, (n_hidden, n_in)), "b1": rng.normal(0.0, 0.3, n_hidden),
              "W2": rng.normal(0.0, 0.6, (n_out, n_hidden)), "b2": rng.normal(0.0, 0.3, n_out)}
    X = rng.uniform(-1.0, 1.0, (4, n_in))
    return params, X


def copy_params(params):
    return {name: value.copy() for name, value in params.items()}


def check_init(init_params, forward, softmax_cross_entropy):
    """He-initialised W1, zero biases, shapes, reproducible, and a first loss close to log 10 on the digits."""
    expect_callable("init_params", init_params)
    stored = numbers("ex18-init")
    params = init_params(1000, 400, 10, np.random.default_rng(0))
    if not isinstance(params, dict) or set(params) != set(NAMES):
        fail(f"init_params should return a dict with the keys {list(NAMES)}, got {params!r:.80}")
    for name, shape in (("W1", (400, 1000)), ("b1", (400,)), ("W2", (10, 400)), ("b2", (10,))):
        expect_shape(f"init_params(1000, 400, 10, rng)['{name}']", params[name], shape)
    for name in ("b1", "b2"):
        expect_array(f"init_params(...)['{name}']", params[name], np.zeros_like(params[name]),
                     hint="biases start at 0")
    std = float(np.std(params["W1"]))
    if abs(std - stored["he_std"]) > 0.1 * stored["he_std"]:
        fail(f"the standard deviation of W1 (fan-in 1000) is {std:.4f}; He initialisation for ReLU (lesson 08) "
             f"draws with variance 2 / fan-in, standard deviation sqrt(2 / 1000) = {stored['he_std']:.4f}")
    again = init_params(1000, 400, 10, np.random.default_rng(0))
    expect_array("W1 of a second init_params with the same seed", again["W1"], params["W1"],
                 hint="draw every random number from the rng you are given, never from np.random")
    X, y = digits_splits(VISIBLE_SEED)[:2]
    X, y = X[:100], y[:100]
    loss, _ = expect_tuple("softmax_cross_entropy", softmax_cross_entropy(forward(
        init_params(64, 64, 10, np.random.default_rng(1)), X)[0], y), ("loss", "dscores"))
    if abs(float(loss) - stored["log_10"]) > 0.02 * stored["log_10"]:
        fail(f"the first loss of init_params(64, 64, 10, rng) on 100 digits is {float(loss):.3f}, more than 2 % "
             f"away from log 10 = {stored['log_10']:.3f}. Lesson 11, step 1: an untrained classifier should "
             "be unsure of every class; make the output weights W2 small (scale them down)")


def check_forward(forward, predict):
    """Scores, the cache (X, Z1, A1) and the predicted classes of the small network."""
    expect_callable("forward", forward)
    stored = numbers("ex18-forward")
    params, X = small_network()
    copies = copy_params(params)
    scores, cache = expect_tuple("forward(params, X)", forward(params, X), ("scores", "cache"))
    for name in NAMES:
        expect_unchanged(f"params['{name}']", params[name], copies[name])
    scores = as_array("scores from forward", scores)
    if scores.shape == stored["scores"].shape and np.allclose(scores, stored["without_relu"]):
        fail("forward: your scores are those of the network without the ReLU; the hidden layer is "
             "A1 = max(Z1, 0)")
    expect_array("scores = relu(X W1^T + b1) W2^T + b2 for a 7-5-3 network and 4 rows", scores, stored["scores"],
                 bias=params["b2"])
    X_c, Z1, A1 = expect_tuple("the cache returned by forward", cache, ("X", "Z1", "A1"))
    expect_array("Z1 in the cache", Z1, stored["Z1"], bias=params["b1"])
    expect_array("A1 in the cache", A1, stored["A1"])
    labels = as_array("predict(params, X)", predict(params, X))
    expect_array("predict(params, X): the class of the highest score per row", labels, stored["labels"])


LOSS_SCORES = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-1.5, 3.0, 0.0], [1.0, 1.0, -2.0]])
LOSS_Y = np.array([0, 2, 1, 2])


def check_loss(softmax_cross_entropy):
    """The mean cross-entropy of softmax(scores) and its gradient with respect to the scores."""
    expect_callable("softmax_cross_entropy", softmax_cross_entropy)
    stored = numbers("ex18-loss")
    scores, y = LOSS_SCORES, LOSS_Y
    what = "softmax_cross_entropy(scores, y) for 4 rows of 3 scores"
    loss, dscores = expect_tuple(what, softmax_cross_entropy(scores.copy(), y.copy()), ("loss", "dscores"))
    expect_close(f"the loss of {what}", loss, stored["loss"], batch_size=4,
                 hint="the mean over the rows of -log softmax(scores)[label]")
    dscores = as_array(f"dscores of {what}", dscores)
    if dscores.shape == scores.shape and np.allclose(dscores, stored["softmax_over_n"]):
        fail(f"dscores of {what}: you have softmax(scores) / N; the derivative of -log p_y with respect to the "
             "score of class k also has a term from the label: subtract 1 at the label's column")
    expect_array(f"dscores of {what}", dscores, stored["dscores"], batch_size=4)
    big = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 990.0]])
    loss_big, _ = expect_tuple("softmax_cross_entropy", softmax_cross_entropy(big, np.array([0, 2])),
                               ("loss", "dscores"))
    what = "the loss for the scores [[1000, 0, -1000], [0, 1000, 990]] and labels [0, 2]"
    value = as_array(what, loss_big)
    if value.size == 1 and not np.isfinite(value).all():
        fail(f"{what}: your result is {value.ravel()[0]}, because exp(1000) overflows; subtract each row's largest "
             "score before exp (the softmax of a row does not change when one number is subtracted from all its "
             "scores)")
    expect_close(what, loss_big, stored["big_loss"], hint="subtract each row's largest score before exp "
                 "(exp(1000) overflows)")


def check_backward(backward):
    """Parameter gradients for a random upstream gradient, against central differences."""
    expect_callable("backward", backward)
    stored = numbers("ex18-backward")
    params, X = small_network()
    cache = (X.copy(), stored["Z1"].copy(), stored["A1"].copy())
    G = np.random.default_rng(6).normal(size=(4, 3))  # a random upstream gradient dL/dscores
    grads = backward(copy_params(params), cache, G.copy())
    what = "backward for the 7-5-3 network with a random dscores"
    if not isinstance(grads, dict):
        fail(f"{what}: return a dict {{'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}}, got a {type(grads).__name__}")
    W1 = grads.get("W1")
    if W1 is not None and np.shape(W1) == (5, 7) and np.allclose(np.asarray(W1, dtype=float), stored["W1_no_mask"]):
        fail(f"{what}: dW1 is what backpropagation gives without ReLU's derivative; multiply dscores @ W2 by "
             "(Z1 > 0) before it reaches W1")
    expect_gradients(what, grads, {name: stored[name] for name in NAMES})


def epoch_inputs():
    rng = np.random.default_rng(8)
    params = {"W1": rng.normal(0.0, 0.5, (4, 6)), "b1": np.zeros(4), "W2": rng.normal(0.0, 0.5, (3, 4)),
              "b2": np.zeros(3)}
    X = rng.uniform(0.0, 1.0, (12, 6))
    y = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2])
    return params, X, y


def check_train_epoch(train_epoch):
    """One epoch of mini-batch gradient descent: shuffled batches, in-place updates, the mean loss."""
    expect_callable("train_epoch", train_epoch)
    stored = numbers("ex18-train-epoch")
    params, X, y = epoch_inputs()
    what = "train_epoch(params, X (12 rows), y, lr=0.5, batch_size=5, rng=np.random.default_rng(7))"
    loss = train_epoch(params, X, y, 0.5, 5, np.random.default_rng(7))
    if all(np.allclose(params[name], epoch_inputs()[0][name]) for name in NAMES):
        fail(f"{what}: params did not change; update the arrays of the dict you are given in place "
             "(params[name] -= lr * grads[name])")
    if np.allclose(params["W2"], stored["W2_unshuffled"]):
        fail(f"{what}: the batches are the rows in their original order; visit them in the order "
             "rng.permutation(len(X)) gives (a new order every epoch)")
    for name in NAMES:
        expect_array(f"params['{name}'] after {what}", params[name], stored[name],
                     hint="for each batch of the permuted rows: forward, loss, backward, params -= lr * grads "
                     "(ex18-forward, ex18-loss and ex18-backward must pass first)")
    if np.isclose(float(loss), stored["unweighted_loss"]) and not np.isclose(float(loss), stored["loss"]):
        fail(f"{what}: the returned loss is the plain mean of the 3 batch losses; the last batch has only 2 rows: "
             "weight each batch's loss by its size (the mean over all 12 examples)")
    expect_close(f"the mean loss returned by {what}", loss, stored["loss"])


SEARCH_RATES = [1e-3, 0.1, 1.0, 30.0]


def check_lr_search(lr_search):
    """A learning-rate search: validation accuracy after 3 epochs for each rate, the best rate."""
    expect_callable("lr_search", lr_search)
    X_train, y_train, X_val, y_val, _, _ = digits_splits(VISIBLE_SEED)
    what = f"lr_search(..., lrs={SEARCH_RATES}, rng)"
    accuracies, best = expect_tuple(what, lr_search(X_train, y_train, X_val, y_val, list(SEARCH_RATES),
                                                    np.random.default_rng(0)), ("accuracies", "best_lr"))
    if not isinstance(accuracies, dict) or sorted(accuracies) != sorted(SEARCH_RATES):
        fail(f"{what}: the first value should be a dict with one validation accuracy per learning rate "
             f"(keys {SEARCH_RATES}), got {accuracies!r:.120}")
    values = np.array([float(accuracies[lr]) for lr in SEARCH_RATES])
    if np.any((values < 0) | (values > 1)):
        fail(f"{what}: accuracies must lie between 0 and 1, got {values.tolist()}")
    best_value = max(values)
    if best not in accuracies or float(accuracies[best]) != best_value:
        fail(f"{what}: the best learning rate should be the one with the highest validation accuracy "
             f"({SEARCH_RATES[int(np.argmax(values))]}), got {best}")
    if best_value < 0.8:
        fail(f"{what}: the best validation accuracy after 3 epochs is {best_value:.2f}; a learning rate of 0.1 "
             "or 1 should reach 0.8 or more. Does every trial start from a fresh network and train 3 epochs?")
    if float(accuracies[30.0]) > 0.3:
        fail(f"{what}: with lr = 30 the validation accuracy is {float(accuracies[30.0]):.2f}; such a step "
             "should make training diverge (about 0.1, chance). Does each trial use its own learning rate?")


def run_training(train_mlp, seed):
    """``(params, history, seconds, X_val, y_val, X_test, y_test)`` of ``train_mlp`` on the split ``seed``."""
    X_train, y_train, X_val, y_val, X_test, y_test = digits_splits(seed)
    start = time.monotonic()
    result = train_mlp(X_train, y_train, X_val, y_val, np.random.default_rng(seed))
    seconds = time.monotonic() - start
    params, history = expect_tuple("train_mlp(X_train, y_train, X_val, y_val, rng)", result, ("params", "history"))
    if seconds > MAX_SECONDS:
        fail(f"train_mlp took {seconds:.0f} s, more than the {MAX_SECONDS:.0f} s allowed; a 64-64-10 network "
             "needs well under a second per epoch in numpy; stop early, and check the loops are vectorised")
    return params, history, X_val, y_val, X_test, y_test


def check_early_stopping(train_mlp, predict):
    """The history of train_mlp, and the weights it returns are those of its best validation epoch."""
    expect_callable("train_mlp", train_mlp)
    params, history, X_val, y_val, _, _ = run_training(train_mlp, VISIBLE_SEED)
    if not isinstance(history, dict) or not {"train_loss", "val_loss", "val_acc", "best_epoch"} <= set(history):
        fail("train_mlp's history should be a dict with the keys train_loss, val_loss, val_acc (one value per "
             "epoch) and best_epoch")
    val_loss = as_array("history['val_loss']", history["val_loss"])
    expect_equal("the number of epochs in val_acc and val_loss", len(history["val_acc"]), len(val_loss))
    best = int(history["best_epoch"])
    expect_equal("history['best_epoch'] (counted from 1): the epoch of the lowest validation loss", best,
                 int(np.argmin(val_loss)) + 1)
    accuracy = float(np.mean(as_array("predict(params, X_val)", predict(params, X_val)) == y_val))
    recorded = float(history["val_acc"][best - 1])
    if abs(accuracy - recorded) > 1e-9:
        fail(f"the returned params classify {accuracy:.4f} of the validation set correctly, but the history says "
             f"{recorded:.4f} at the best epoch {best}: return a copy of the weights of the best epoch, not the "
             "last ones (copy them when the validation loss improves; params is changed in place afterwards)")
    if len(val_loss) - best > 20:
        fail(f"training went on for {len(val_loss) - best} epochs after the best one; stop once the validation "
             "loss has not improved for a few epochs (a patience of 5 to 10)")


def check_test_accuracy(train_mlp, predict):
    """train_mlp's network classifies at least 95 % of a held-out test split it never saw."""
    expect_callable("train_mlp", train_mlp)
    params, history, _, _, X_test, y_test = run_training(train_mlp, VISIBLE_SEED)
    accuracy = float(np.mean(as_array("predict(params, X_test)", predict(params, X_test)) == y_test))
    if accuracy < MIN_TEST_ACCURACY:
        fail(f"your network classifies {accuracy:.1%} of the {len(y_test)} held-out test digits correctly, at least "
             f"{MIN_TEST_ACCURACY:.0%} are needed. Follow the recipe: first loss near log 10, overfit 20 examples, "
             "a learning rate from the search, enough epochs with early stopping (a 64-64-10 network gets 96-97 %)")


def check_cnn(train_cnn):
    """The small CNN classifies at least 95 % of a held-out test split of the images it never saw."""
    expect_callable("train_cnn", train_cnn)
    X_train, y_train, X_val, y_val, X_test, y_test = digits_splits(VISIBLE_SEED)
    images = [X.reshape(-1, 1, 8, 8) for X in (X_train, X_val, X_test)]
    start = time.monotonic()
    model = train_cnn(images[0], y_train, images[1], y_val, np.random.default_rng(0))
    seconds = time.monotonic() - start
    if model is None:
        fail("train_cnn returned None; return the trained model")
    if seconds > MAX_CNN_SECONDS:
        fail(f"train_cnn took {seconds:.0f} s, more than {MAX_CNN_SECONDS:.0f} s; use few filters (8) and epochs "
             "(10-15), with early stopping")
    if hasattr(model, "eval"):
        model.eval()
    scores = as_array("model(X_test) of your CNN", model(images[2]))
    expect_shape("model(X_test) of your CNN", scores, (len(y_test), 10))
    accuracy = float(np.mean(np.argmax(scores, axis=1) == y_test))
    if accuracy < MIN_TEST_ACCURACY:
        fail(f"your CNN classifies {accuracy:.1%} of the {len(y_test)} held-out test images correctly, at least "
             f"{MIN_TEST_ACCURACY:.0%} are needed; lesson 14's Conv2d(1, 8, 3, padding='same') - ReLU - "
             "MaxPool2d(2) - Flatten - Linear(128, 10) with Adam (lr 0.005) gets there in 10-15 epochs")


MIN_WORDS = 80


def check_written(written_comparison):
    """The written comparison is there (an instructor grades it with the rubric; no automatic points)."""
    expect_callable("written_comparison", written_comparison)
    text = written_comparison()
    if not isinstance(text, str):
        fail(f"written_comparison should return your text as a string, got a {type(text).__name__}")
    words = len(text.split())
    if words < MIN_WORDS:
        fail(f"your comparison has {words} words; write at least {MIN_WORDS} (about 150-300), answering the "
             "questions of the task")


ITEMS = {
    "ex18-init": Item(check_init, title="initial weights and a first loss near log 10", hidden=1, numpy_only=True),
    "ex18-forward": Item(check_forward, title="forward pass and predictions", hidden=1, numpy_only=True),
    "ex18-loss": Item(check_loss, title="derive it: softmax cross-entropy and its gradient", hidden=1, numpy_only=True),
    "ex18-backward": Item(check_backward, title="derive it: the backward pass, gradient-checked", hidden=1,
                          numpy_only=True),
    "ex18-train-epoch": Item(check_train_epoch, title="one epoch of mini-batch gradient descent", hidden=1,
                             numpy_only=True),
    "ex18-lr-search": Item(check_lr_search, title="a learning-rate search", hidden=1, numpy_only=True),
    "ex18-early-stopping": Item(check_early_stopping, title="early stopping on the validation split",
                                numpy_only=True),
    "ex18-test-accuracy": Item(check_test_accuracy, title="at least 95 % on a held-out test split", hidden=1,
                               numpy_only=True),
    "ex18-cnn": Item(check_cnn, title="a small CNN from nnlib, at least 95 % held out"),
    "ex18-written": Item(check_written, title="written comparison: graded by hand with the rubric (0 automatic "
                         "points)"),
}
