"""Reference answers behind the stored numbers and quizzes of exercise 06 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex06 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.gradcheck import numerical_gradient


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def mean_cross_entropy(Z2, labels):
    Z2 = Z2 - Z2.max(axis=1, keepdims=True)
    log_S = Z2 - np.log(np.exp(Z2).sum(axis=1, keepdims=True))
    return float(-np.mean(log_S[np.arange(len(labels)), labels]))


def batch_forward_numbers():
    X, W1, b1, W2, b2 = items.X_KA, items.W1_KA, items.B1_KA, items.W2_KA, items.B2_KA
    A1 = sigmoid(X @ W1.T + b1)  # (3, 3)
    return {"A1": A1, "Z2": A1 @ W2.T + b2, "A1_column_bias": sigmoid(X @ W1.T + b1.reshape(-1, 1)),
            "A1_without_bias": sigmoid(X @ W1.T)}


def batch_backward_numbers():
    X, labels, W1, b1, W2, b2 = items.backward_inputs()

    def loss(_):
        return mean_cross_entropy(sigmoid(X @ W1.T + b1) @ W2.T + b2, labels)

    A1 = sigmoid(X @ W1.T + b1)
    return {"A1": A1, "Z2": A1 @ W2.T + b2, "dW1": numerical_gradient(loss, W1), "db1": numerical_gradient(loss, b1),
            "dW2": numerical_gradient(loss, W2), "db2": numerical_gradient(loss, b2)}


def batches(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_numbers():
    return {"batches": batches(10, 4, 0)}


def epoch(params, X, y, lr, shuffle=True):
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    losses = []
    order = batches(len(X), 4, 0) if shuffle else [np.arange(len(X))[i:i + 4] for i in range(0, len(X), 4)]
    for idx in order:
        loss, grads = items.logcosh_grad_fn(params, X[idx], y[idx])
        params = {key: value - lr * grads["d" + key] for key, value in params.items()}
        losses.append(loss)
    return params, losses


def sgd_epoch_numbers():
    X, y, start = items.epoch_inputs()
    params, losses = epoch(start, X, y, 0.1)
    return {"w": params["w"], "b": float(params["b"]), "losses": np.array(losses),
            "w_uphill": epoch(start, X, y, -0.1)[0]["w"],
            "w_unshuffled": epoch(start, X, y, 0.1, shuffle=False)[0]["w"]}


NUMBERS = {"ex06-batch-forward": batch_forward_numbers, "ex06-batch-backward": batch_backward_numbers,
           "ex06-minibatches": minibatches_numbers, "ex06-sgd-epoch": sgd_epoch_numbers}


def regression_loss(X, Y, W1, b1, W2, b2):
    """Batch mean of 1/2 ||y_hat - y||^2 for a tanh hidden layer and a linear output layer."""
    Y_hat = np.tanh(X @ W1.T + b1) @ W2.T + b2  # (N, K)
    return float(np.mean(0.5 * np.sum((Y_hat - Y) ** 2, axis=1)))


def regression_gradients(X, Y, W1, b1, W2, b2, hidden_derivative):
    """Backprop by hand, with the hidden layer's derivative passed in (to make the slips on purpose)."""
    A1 = np.tanh(X @ W1.T + b1)  # (N, H)
    Delta2 = (A1 @ W2.T + b2 - Y) / len(X)  # (N, K)
    Delta1 = (Delta2 @ W2) * hidden_derivative(A1)  # (N, H)
    return {"dW2": Delta2.T @ A1, "db2": Delta2.sum(axis=0), "dW1": Delta1.T @ X, "db1": Delta1.sum(axis=0)}


def regression_backward_numbers():
    X, Y, W1, b1, W2, b2 = items.regression_inputs()
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    numbers = {}
    for name in params:
        def loss(value, name=name):
            return regression_loss(X, Y, **{**params, name: value})
        numbers["d" + name] = numerical_gradient(loss, params[name])
    right = regression_gradients(X, Y, W1, b1, W2, b2, lambda A: 1 - A ** 2)
    numbers["over_all_entries"] = {key: value / Y.shape[1] for key, value in right.items()}
    numbers["without_tanh_prime"] = regression_gradients(X, Y, W1, b1, W2, b2, lambda A: 1.0)
    numbers["sigmoid_prime"] = regression_gradients(X, Y, W1, b1, W2, b2, lambda A: A * (1 - A))
    return numbers


NUMBERS["ex06-regression-backward"] = regression_backward_numbers

DELTA = np.array([[0.1, -0.2], [0.3, 0.05], [-0.25, 0.4]])  # the quiz's Delta: 3 examples, 2 units


def bias_gradient_quiz():
    db = DELTA.sum(axis=0)  # one entry per unit: the sum over the examples
    return Number(db[1], tolerance=0.005, wrong={
        db[1] / len(DELTA): "the 1/N of the mean loss is already inside Delta; dividing again makes it 1/N^2",
        DELTA[1].sum(): "that sums the row of example 2 (both units); the bias of a unit collects its column, "
                        "one entry from every example",
        db[0]: "that is the first unit's bias gradient; the question asks for the second unit",
        DELTA[0, 1]: "that is example 1's contribution only; the bias gradient adds up all examples",
    })


def learning_rate_quiz():
    lr, small, large = 0.1, 8, 64
    return Number(lr * small / large, tolerance=0.0005, wrong={
        lr * large / small: "the summed gradient grows with the batch (64 terms instead of 8), so the rate must "
                            "shrink by the same factor, not grow",
        lr: "with a summed cost the gradient of 64 examples is about 8 times that of 8 examples; the same rate "
            "makes 8 times larger steps",
        lr / large: "the rate that worked for the sum over 8 examples needs to shrink by 64 / 8, not by 64",
    })


QUIZZES = {
    "ex06-quiz-broadcast": Choice(
        "abcd", correct="b",
        explain={
            "a": "numpy raises only when the shapes cannot be stretched to match; (3, 3) and (3, 1) can, so no "
                 "error appears: that is what makes this bug dangerous",
            "c": "broadcasting never adds an axis to the longer operand; (3, 3) + (3, 1) gives (3, 3)",
            "d": "broadcasting aligns shapes from the right: the (3, 1) column is stretched along the columns, "
                 "so row n gets b_n in every entry",
        }),
    "ex06-quiz-bias-gradient": bias_gradient_quiz(),
    "ex06-quiz-learning-rate": learning_rate_quiz(),
}
