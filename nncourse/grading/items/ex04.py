"""Visible tests for solutions/ex04_logistic_to_mlp.ipynb (softmax, BCE, cross-entropy, Linear).

Conventions of the exercise (those of lessons 04 and 05 and nnlib): batches are rows; the softmax
acts on the last axis; losses are means over the batch (the BCE over every entry); a Linear
layer has ``W`` of shape (out, in) and ``b`` of shape (out,) and computes
``Z = A_prev @ W.T + b``; its backward pass receives ``delta = dL/dZ`` (N, out) and returns
``(dA_prev, dW, db)`` with the shapes of ``A_prev``, ``W`` and ``b``.
"""

import warnings

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_gradients,
    expect_tuple,
    expect_unchanged,
    fail,
    numerical_gradient,
)


def _softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


SHIFT_HINT = ("exp overflows for large logits; subtract each row's maximum before np.exp "
              "(the softmax does not change)")
CLIP_HINT = ("log(0) or a division by 0 for probabilities of exactly 0 or 1; clip a into "
             "[eps, 1 - eps] (np.clip) before the log and the division")


def _quietly(what, function, *args, hint=SHIFT_HINT):
    """Call the student's function; numpy's overflow warnings become plain words."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return function(*args)
        except RuntimeWarning as warning:
            fail(f"{what}: numpy warned '{warning}': {hint}")


def check_softmax(softmax):
    """Row-wise, max-shifted softmax; works for 1-D and 2-D input."""
    expect_callable("softmax", softmax)
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    Z_copy = Z.copy()
    got = as_array("softmax(Z)", _quietly("softmax(Z)", softmax, Z))
    expect_unchanged("the input Z", Z, Z_copy)
    if got.shape == Z.shape and np.allclose(got, np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)):
        fail("softmax(Z) normalises each column; the softmax runs over the classes of each example, "
             "i.e. the last axis: use axis=-1 with keepdims=True")
    if got.shape == Z.shape and np.allclose(got, np.exp(Z) / np.exp(Z).sum()):
        fail("softmax(Z) divides by the sum over the whole batch; each row (example) must sum to 1: "
             "sum over axis=-1 with keepdims=True")
    expect_array("softmax(Z) for Z = [[1, 2, 3], [0, 0, 0]]", got, _softmax(Z),
                 hint="exp(z_k) / sum_j exp(z_j), row by row")
    big = np.array([[1000.0, 1001.0], [-1000.0, -1000.0]])
    got = as_array("softmax of huge logits", _quietly("softmax([[1000, 1001], [-1000, -1000]])", softmax, big))
    expect_array("softmax([[1000, 1001], [-1000, -1000]])", got, _softmax(big))
    got = as_array("softmax of a 1-D vector", softmax(np.array([2.0, 1.0, 0.1])))
    expect_array("softmax([2, 1, 0.1]) (a single example as a 1-D array)", got, _softmax([2.0, 1.0, 0.1]))


def check_bce(bce):
    """Mean binary cross-entropy of probabilities and its gradient dL/da."""
    expect_callable("bce", bce)
    a = np.array([[0.9], [0.2], [0.6], [0.5]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    what = "bce(a = [0.9, 0.2, 0.6, 0.5], y = [1, 0, 0, 1]) (a column of 4 examples)"
    loss, grad = expect_tuple(what, _quietly(what, bce, a.copy(), y.copy(), hint=CLIP_HINT), ("loss", "grad"))
    expected = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    expect_close(f"loss from {what}", loss, expected, batch_size=4,
                 hint="-mean(y log a + (1 - y) log(1 - a)); note the minus sign")
    g = (a - y) / (a * (1 - a)) / a.size
    if as_array(f"grad from {what}", grad).shape == a.shape and np.allclose(grad, (a - y) / a.size):
        fail(f"grad from {what} equals (a - y) / N: that is the gradient with respect to the "
             "pre-activation z (after the sigmoid's derivative cancels). Here bce receives probabilities, "
             "so return dL/da = (a - y) / (a (1 - a)) / N")
    expect_array(f"grad dL/da from {what}", grad, g, batch_size=4,
                 hint="dL/da = (-y / a + (1 - y) / (1 - a)) / N")
    # certain and right: no log(0) trouble, loss 0 up to clipping
    loss0, _ = expect_tuple("bce on certain, correct predictions", _quietly(
        "bce(a = [1, 0], y = [1, 0])", bce, np.array([1.0, 0.0]), np.array([1.0, 0.0]), hint=CLIP_HINT),
        ("loss", "grad"))
    expect_close("loss of bce(a = [1, 0], y = [1, 0]) (certain and right; clip a to [eps, 1 - eps] "
                 "before the log)", loss0, 0.0, atol=1e-6)


def check_cross_entropy(cross_entropy):
    """Mean cross-entropy of the softmax of logits; dL/dZ = (softmax(Z) - onehot) / N."""
    expect_callable("cross_entropy", cross_entropy)
    Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    labels = np.array([0, 2])
    what = "cross_entropy(Z = [[2, 1, 0.1], [0.5, 2.5, -1]], labels = [0, 2])"
    loss, dZ = expect_tuple(what, _quietly(what, cross_entropy, Z.copy(), labels.copy()), ("loss", "dZ"))
    P = _softmax(Z)
    onehot = np.eye(3)[labels]
    expected = -np.mean(np.log(P[np.arange(2), labels]))
    expect_close(f"loss from {what}", loss, expected, batch_size=2,
                 hint="-mean over examples of log softmax(Z)[n, labels[n]]")
    expect_array(f"dL/dZ from {what}", dZ, (P - onehot) / 2, batch_size=2,
                 hint="(softmax(Z) - onehot(labels)) / N")
    big = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    loss_big, _ = expect_tuple("cross_entropy on huge logits", _quietly(
        "cross_entropy([[1000, 0], [0, 1000]], [1, 1])", cross_entropy, big, np.array([1, 1]),
        hint=SHIFT_HINT + ", and compute log softmax as Z - max - log(sum exp(Z - max))"), ("loss", "dZ"))
    expect_close("loss of cross_entropy([[1000, 0], [0, 1000]], labels = [1, 1]) (use the log-sum-exp "
                 "trick: log softmax = Z - max - log(sum exp(Z - max)))", loss_big, 500.0)


# The Karlsruhe deck's hidden layer: x = (1, 2) -> z = (1.0, 2.0, 1.5).
W_KA = np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]])
B_KA = np.array([0.1, 0.1, 0.1])


def check_linear_forward(linear_forward):
    """Z = A_prev @ W.T + b, rows are examples."""
    expect_callable("linear_forward", linear_forward)
    A = np.array([[1.0, 2.0]])
    W = W_KA.copy()
    what = "linear_forward(A_prev = [[1, 2]], W = the Karlsruhe W[1] (3, 2), b = [0.1, 0.1, 0.1])"
    got = linear_forward(A, W, B_KA.copy())
    expect_unchanged("W", W, W_KA)
    expect_array(what, got, A @ W_KA.T + B_KA, bias=B_KA,
                 hint="each row of the result is W @ x + b for one example: A_prev @ W.T + b")
    # a square W catches a missing transpose
    W2 = np.array([[1.0, 2.0], [-1.0, 0.5]])
    A2 = np.array([[1.0, 0.0], [0.5, -2.0], [3.0, 1.0]])
    b2 = np.array([0.3, -0.7])
    expect_array("linear_forward on 3 examples with W = [[1, 2], [-1, 0.5]], b = [0.3, -0.7]",
                 linear_forward(A2, W2, b2), A2 @ W2.T + b2, bias=b2,
                 hint="W has one row per output unit, so a batch needs W.T: A_prev @ W.T + b")


def check_linear_backward(linear_backward):
    """dA_prev = delta @ W, dW = delta.T @ A_prev, db = delta.sum(axis=0); checked numerically."""
    expect_callable("linear_backward", linear_backward)
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 3))
    W = rng.normal(size=(2, 3))
    b = rng.normal(size=2)
    G = rng.normal(size=(4, 2))  # a random upstream gradient dL/dZ
    what = "linear_backward(delta (4, 2), A_prev (4, 3), W (2, 3)) with a random delta"
    dA, dW, db = expect_tuple(what, linear_backward(G.copy(), A.copy(), W.copy()), ("dA_prev", "dW", "db"))

    def loss():
        return float(np.sum((A @ W.T + b) * G))  # dL/dZ = G

    numeric = {"dA_prev": numerical_gradient(loss, A), "dW": numerical_gradient(loss, W),
               "db": numerical_gradient(loss, b)}
    expect_gradients(what, {"dA_prev": dA, "dW": dW, "db": db}, numeric, batch_size=4)


ITEMS = {
    "ex04-softmax": Item(check_softmax, title="numerically stable softmax", hidden=2),
    "ex04-bce": Item(check_bce, title="binary cross-entropy and its gradient", hidden=2),
    "ex04-cross-entropy": Item(check_cross_entropy, title="cross-entropy on logits and dL/dZ", hidden=2),
    "ex04-linear-forward": Item(check_linear_forward, title="Linear forward pass", hidden=2),
    "ex04-linear-backward": Item(check_linear_backward, title="Linear backward pass", hidden=2),
}
