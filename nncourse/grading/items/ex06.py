"""Visible tests for solutions/ex06_training_in_batches.ipynb (batched forward/backward, mini-batches, quiz).

Conventions of the exercise (those of lesson 06 and nnlib): a batch holds one example per **row**;
weights ``W`` have shape (out, in), biases ``b`` shape (out,); the two-layer network is
``A1 = sigmoid(X @ W1.T + b1)``, ``Z2 = A1 @ W2.T + b2`` (logits) with the mean softmax
cross-entropy over the batch; gradients have the shapes of their parameters. A mini-batch epoch
shuffles with **one** call ``rng.permutation(n)`` and cuts the order into consecutive pieces.
The derive-it item is a regression network (tanh hidden layer, linear outputs, the batch mean of
``1/2 ||y_hat - y||^2``) whose task gives no gradient; its feedback names the missing 1/N, the
average over all entries, the missing tanh' and a bias gradient left unsummed. Expected values,
numerical gradients and recognised slips are stored numbers from ``solutions/references/ex06.py``;
"use numpy only": every item is ``numpy_only``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    expect_gradients,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

# The Karlsruhe deck's hidden layer, a 3-class output layer, and a batch whose first row is the deck's x.
X_KA = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])
W1_KA = np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]])
B1_KA = np.array([0.1, 0.2, -0.3])
W2_KA = np.array([[0.4, 0.3, 0.2], [-0.5, 0.1, 0.6]])
B2_KA = np.array([0.05, -0.1])


def check_batch_forward(two_layer_forward):
    """A1 = sigmoid(X W1^T + b1), Z2 = A1 W2^T + b2 for all rows at once."""
    expect_callable("two_layer_forward", two_layer_forward)
    stored = numbers("ex06-batch-forward")
    X, W1 = X_KA.copy(), W1_KA.copy()
    what = "two_layer_forward(X (3, 2), W1 (3, 2), b1 (3,), W2 (2, 3), b2 (2,))"
    A1, Z2 = expect_tuple(what, two_layer_forward(X, W1, B1_KA.copy(), W2_KA.copy(), B2_KA.copy()),
                          ("A1", "Z2"))
    expect_unchanged("X", X, X_KA)
    expect_unchanged("W1", W1, W1_KA)
    A1_got = as_array(f"A1 from {what}", A1)
    if A1_got.shape == (3, 3) and np.allclose(A1_got, stored["A1_column_bias"]):
        fail(f"A1 from {what}: b1 was added as a column (shape (3, 1)), so row n got b1[n] instead of "
             "b1; with examples as rows the bias must be the flat vector b1 of shape (H,), which "
             "broadcasting adds to every row")
    if A1_got.shape == (3, 3) and np.allclose(A1_got, stored["A1_without_bias"]):
        fail(f"A1 from {what}: the bias b1 is missing; A1 = sigmoid(X @ W1.T + b1)")
    expect_array(f"A1 from {what}", A1_got, stored["A1"],
                 hint="row n of A1 is sigmoid(W1 @ x_n + b1): A1 = sigmoid(X @ W1.T + b1)")
    expect_array(f"Z2 from {what}", Z2, stored["Z2"], bias=B2_KA,
                 hint="the output layer is linear: Z2 = A1 @ W2.T + b2 (no activation)")
    # one example as a batch of one
    A1_one, Z2_one = expect_tuple("two_layer_forward on the single example [[1, 2]]",
                                  two_layer_forward(X_KA[:1], W1_KA, B1_KA, W2_KA, B2_KA), ("A1", "Z2"))
    expect_array("Z2 for the single example [[1, 2]] (a batch of one row)", Z2_one, stored["Z2"][:1])


def backward_inputs():
    """X (5, 3), labels (5,), W1 (4, 3), b1 (4,), W2 (3, 4), b2 (3,) drawn from a fixed seed."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(3, 4)), rng.normal(size=3)
    return X, np.array([0, 2, 1, 2, 0]), W1, b1, W2, b2


def _gradient_dict(what, grads, N, widths):
    """The student's {"dW1", "db1", "dW2", "db2"} as arrays (or None), after the checks common to both passes.

    ``widths`` maps each bias gradient to its length; a bias gradient with one row per example (N rows)
    was not summed over the batch.
    """
    if grads is None:
        fail(f"{what}: your function returned None; did you forget the `return` statement?")
    if not isinstance(grads, dict):
        fail(f"{what}: should return a dict with the keys 'dW1', 'db1', 'dW2', 'db2', "
             f"got a {type(grads).__name__}")
    missing = [key for key in ("dW1", "db1", "dW2", "db2") if key not in grads]
    if missing:
        fail(f"{what}: the returned dict lacks the key(s) {missing}")
    got = {key: (None if grads[key] is None else as_array(f"{key} from {what}", grads[key]))
           for key in ("dW1", "db1", "dW2", "db2")}
    for key, width in widths.items():
        if got[key] is not None and got[key].shape == (N, width):
            fail(f"{what}: {key} has one row per example, shape {got[key].shape}; every example contributes to "
                 f"the same bias, so add the contributions up over the batch, shape ({width},)")
    return got


def check_batch_backward(two_layer_backward):
    """Batch gradients of the mean softmax cross-entropy against central differences; bias gradients summed."""
    expect_callable("two_layer_backward", two_layer_backward)
    stored = numbers("ex06-batch-backward")  # the forward pass's A1, Z2 and the numerical gradients
    N, H, K = 5, 4, 3
    X, labels, W1, b1, W2, b2 = backward_inputs()
    A1, Z2 = stored["A1"], stored["Z2"]
    what = "two_layer_backward(X (5, 3), labels (5,), A1 (5, 4), Z2 (5, 3), W2 (3, 4)) on random numbers"
    W2_copy = W2.copy()
    grads = two_layer_backward(X.copy(), labels.copy(), A1.copy(), Z2.copy(), W2)
    expect_unchanged("W2", W2, W2_copy)
    got = _gradient_dict(what, grads, N, {"db1": H, "db2": K})
    numeric = {name: stored[name] for name in ("dW1", "db1", "dW2", "db2")}
    expect_gradients(what, got, numeric, batch_size=N)


def check_minibatches(minibatches):
    """One rng.permutation(n) per epoch, cut into consecutive pieces of batch_size; last may be smaller."""
    expect_callable("minibatches", minibatches)
    what = "minibatches(10, 4, np.random.default_rng(0))"
    got = minibatches(10, 4, np.random.default_rng(0))
    if got is None:
        fail(f"{what}: your function returned None; did you forget the `return` statement?")
    try:
        batches = [np.asarray(batch) for batch in got]
    except TypeError:
        fail(f"{what}: should return a list of index arrays, got a {type(got).__name__}")
    sizes = [len(batch) for batch in batches]
    if sizes == [4, 4]:
        fail(f"{what}: the last, smaller batch is missing; 10 examples in batches of 4 give sizes "
             "[4, 4, 2] (range(0, n, batch_size) reaches the rest)")
    expect_equal(f"the batch sizes from {what}", sizes, [4, 4, 2])
    everything = np.sort(np.concatenate(batches))
    if not np.array_equal(everything, np.arange(10)):
        fail(f"{what}: every example must appear exactly once per epoch, got the indices "
             f"{everything.tolist()}; shuffle with rng.permutation(n) instead of drawing with replacement")
    if np.array_equal(np.concatenate(batches), np.arange(10)):
        fail(f"{what}: the batches are not shuffled (0, 1, 2, ... in order); start from "
             "order = rng.permutation(n)")
    reference = numbers("ex06-minibatches")["batches"]
    if not all(np.array_equal(a, b) for a, b in zip(batches, reference)):
        fail(f"{what}: the batches are shuffled, but not as expected: got {[b.tolist() for b in batches]}, "
             f"expected {[b.tolist() for b in reference]}; call rng.permutation(n) once (with the rng "
             "you are given, no new generator and no np.random.seed) and cut the order into consecutive pieces")
    big = [np.asarray(batch) for batch in minibatches(3, 8, np.random.default_rng(1))]
    expect_equal("the number of batches from minibatches(3, 8, rng) (batch larger than the data)", len(big), 1)


def logcosh_grad_fn(params, X, y):
    """The grad_fn given to sgd_epoch: mean log(cosh(error)) of a linear model, and its gradients."""
    err = X @ params["w"] + params["b"] - y  # (B,)
    return float(np.mean(np.log(np.cosh(err)))), {"dw": X.T @ np.tanh(err) / len(y), "db": np.mean(np.tanh(err))}


def epoch_inputs():
    """X (10, 2), y (10,) and the starting parameters of the sgd_epoch test."""
    X = np.random.default_rng(3).normal(size=(10, 2))
    y = X @ np.array([1.5, -2.0]) + 0.5
    return X, y, {"w": np.array([0.2, 0.1]), "b": np.array(0.0)}


def check_sgd_epoch(sgd_epoch):
    """One epoch of mini-batch SGD: for each batch, loss and gradients from grad_fn, then p <- p - lr dp."""
    expect_callable("sgd_epoch", sgd_epoch)
    stored = numbers("ex06-sgd-epoch")
    X, y, start = epoch_inputs()
    what = ("sgd_epoch(params {'w': [0.2, 0.1], 'b': 0}, X (10, 2), y (10,), grad_fn = mean log cosh "
            "error of a linear model, batch_size=4, lr=0.1, rng=np.random.default_rng(0))")
    params_in = {key: value.copy() for key, value in start.items()}
    result = expect_tuple(what, sgd_epoch(params_in, X.copy(), y.copy(), logcosh_grad_fn, 4, 0.1,
                                          np.random.default_rng(0)), ("params", "losses"))
    new_params, losses = result
    expect_unchanged("params['w'] passed to sgd_epoch", params_in["w"], start["w"])
    if not isinstance(new_params, dict) or set(new_params) != {"w", "b"}:
        fail(f"{what}: the first value returned should be a dict with the same keys as params ('w', 'b')")
    w_got = as_array(f"params['w'] after {what}", new_params["w"])
    if w_got.shape == (2,) and np.allclose(w_got, stored["w_uphill"]):
        fail(f"{what}: the parameters moved uphill; subtract lr * gradient, do not add it")
    if w_got.shape == (2,) and np.allclose(w_got, stored["w_unshuffled"]):
        fail(f"{what}: the batches were taken in the order 0, 1, 2, ... without shuffling; go through "
             "minibatches(len(X), batch_size, rng)")
    expect_array(f"params['w'] after {what}", w_got, stored["w"],
                 hint="for every batch idx of minibatches(len(X), batch_size, rng): loss, grads = "
                      "grad_fn(params, X[idx], y[idx]); then params[k] - lr * grads['d' + k] for every key k")
    expect_close(f"params['b'] after {what}", new_params["b"], stored["b"])
    losses = as_array(f"the losses from {what}", losses)
    if losses.shape != (3,):
        fail(f"{what}: return one loss per batch (3 batches here: sizes 4, 4, 2), got shape {losses.shape}")
    expect_array(f"the batch losses from {what}", losses, stored["losses"],
                 hint="record the loss grad_fn returns for each batch, in the order of the batches")


def regression_inputs():
    """X (5, 3), targets Y (5, 2), W1 (4, 3), b1 (4,), W2 (2, 4), b2 (2,) drawn from a fixed seed."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    W1, b1 = rng.normal(size=(4, 3)), 0.5 * rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), 0.5 * rng.normal(size=2)
    return X, Y, W1, b1, W2, b2


REGRESSION_SLIPS = [
    ("over_all_entries", "every gradient is 2 times too small, the number of outputs K: the loss averages over "
     "the N examples and sums over the K outputs of each (the 1/2 ||.||^2 is one example's loss), so divide by "
     "N only"),
    ("without_tanh_prime", "dW1 and db1 miss the derivative of tanh: the error that comes back through W2 is "
     "multiplied element-wise by tanh'(Z1) = 1 - A1^2 before it reaches the first layer; dW2 and db2 are right"),
    ("sigmoid_prime", "dW1 and db1 use A1 (1 - A1), the sigmoid's derivative; this hidden layer is tanh, whose "
     "derivative is 1 - tanh^2 = 1 - A1^2"),
]


def check_regression_backward(regression_backward):
    """Gradients of the batch mean of 1/2 ||y_hat - y||^2 for a tanh-hidden, linear-output network."""
    expect_callable("regression_backward", regression_backward)
    stored = numbers("ex06-regression-backward")  # numerical gradients and the slips
    N, H, K = 5, 4, 2
    X, Y, W1, b1, W2, b2 = regression_inputs()
    copies = [a.copy() for a in (X, Y, W1, b1, W2, b2)]
    what = "regression_backward(X (5, 3), Y (5, 2), W1 (4, 3), b1 (4,), W2 (2, 4), b2 (2,)) on random numbers"
    grads = regression_backward(X, Y, W1, b1, W2, b2)
    for name, array, copy in zip(("X", "Y", "W1", "b1", "W2", "b2"), (X, Y, W1, b1, W2, b2), copies):
        expect_unchanged(f"the {name} passed to regression_backward", array, copy)
    got = _gradient_dict(what, grads, N, {"db1": H, "db2": K})
    for slip, words in REGRESSION_SLIPS:
        slipped = stored[slip]
        if all(got[key] is not None and got[key].shape == slipped[key].shape and np.allclose(got[key], slipped[key])
               for key in ("dW1", "db1")):
            fail(f"{what}: {words}")
    numeric = {name: stored[name] for name in ("dW2", "db2", "dW1", "db1")}
    expect_gradients(what, got, numeric, batch_size=N)


ITEMS = {
    "ex06-batch-forward": Item(check_batch_forward, title="two-layer forward pass on a batch", hidden=2,
                               numpy_only=True),
    "ex06-batch-backward": Item(check_batch_backward, title="batch backward pass, bias gradients summed",
                                hidden=2, numpy_only=True),
    "ex06-minibatches": Item(check_minibatches, title="seeded mini-batch indices", hidden=2, numpy_only=True),
    "ex06-sgd-epoch": Item(check_sgd_epoch, title="one epoch of mini-batch SGD", hidden=2, numpy_only=True),
    "ex06-regression-backward": Item(check_regression_backward, title="derive it: batch gradients of a regression "
                                     "network", hidden=2, numpy_only=True),
    "ex06-quiz-broadcast": quiz_item("ex06-quiz-broadcast", title="quiz: a bias of the wrong shape"),
    "ex06-quiz-bias-gradient": quiz_item("ex06-quiz-bias-gradient", title="quiz: the bias gradient of a batch"),
    "ex06-quiz-learning-rate": quiz_item("ex06-quiz-learning-rate", title="quiz: summed loss and batch size"),
}
