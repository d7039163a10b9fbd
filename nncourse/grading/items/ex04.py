"""Visible tests for solutions/ex04_logistic_to_mlp.ipynb (softmax, BCE, cross-entropy, Linear, quiz).

Conventions of the exercise (those of lessons 04 and 05 and nnlib): batches are rows; the softmax
acts on the last axis; losses are means over the batch (the BCE over every entry); a Linear
layer has ``W`` of shape (out, in) and ``b`` of shape (out,) and computes
``Z = A_prev @ W.T + b``; its backward pass receives ``delta = dL/dZ`` (N, out) and returns
``(dA_prev, dW, db)`` with the shapes of ``A_prev``, ``W`` and ``b``. The two losses are derive-it
items: their tasks give the loss, not its gradient, so the feedback names slips (a missing term, the
inner derivative of log(1 - a), the gradient with respect to the wrong variable) instead of stating
the formula. Expected values, numerical
gradients and recognised slips are stored numbers from ``solutions/references/ex04.py``; "use numpy
only": every item is ``numpy_only``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    call_quietly,
    expect_array,
    expect_callable,
    expect_close,
    expect_gradients,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

SHIFT_HINT = ("exp overflows for large logits; subtract each row's maximum before np.exp "
              "(the softmax does not change)")
CLIP_HINT = ("log(0) or a division by 0 for probabilities of exactly 0 or 1; clip a into "
             "[eps, 1 - eps] (np.clip) before the log and the division")


SOFTMAX_Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
SOFTMAX_BIG = np.array([[1000.0, 1001.0], [-1000.0, -1000.0]])
SOFTMAX_VECTOR = np.array([2.0, 1.0, 0.1])


def check_softmax(softmax):
    """Row-wise, max-shifted softmax; works for 1-D and 2-D input."""
    expect_callable("softmax", softmax)
    stored = numbers("ex04-softmax")
    Z = SOFTMAX_Z.copy()
    got = as_array("softmax(Z)", call_quietly("softmax(Z)", softmax, Z, hint=SHIFT_HINT))
    expect_unchanged("the input Z", Z, SOFTMAX_Z)
    if got.shape == Z.shape and np.allclose(got, stored["per_column"]):
        fail("softmax(Z) normalises each column; the softmax runs over the classes of each example, "
             "i.e. the last axis: use axis=-1 with keepdims=True")
    if got.shape == Z.shape and np.allclose(got, stored["whole_batch"]):
        fail("softmax(Z) divides by the sum over the whole batch; each row (example) must sum to 1: "
             "sum over axis=-1 with keepdims=True")
    expect_array("softmax(Z) for Z = [[1, 2, 3], [0, 0, 0]]", got, stored["expected"],
                 hint="exp(z_k) / sum_j exp(z_j), row by row")
    got = as_array("softmax of huge logits", call_quietly("softmax([[1000, 1001], [-1000, -1000]])", softmax,
                                                          SOFTMAX_BIG.copy(), hint=SHIFT_HINT))
    expect_array("softmax([[1000, 1001], [-1000, -1000]])", got, stored["big"])
    got = as_array("softmax of a 1-D vector", softmax(SOFTMAX_VECTOR.copy()))
    expect_array("softmax([2, 1, 0.1]) (a single example as a 1-D array)", got, stored["vector"])


BCE_A = np.array([[0.9], [0.2], [0.6], [0.5]])
BCE_Y = np.array([[1.0], [0.0], [0.0], [1.0]])


BCE_SLIPS = [
    ("grad_z", "it equals (a - y) / N, the gradient with respect to the pre-activation z (where the sigmoid's "
     "derivative has cancelled). Here bce receives the probabilities a, so return dL/da"),
    ("only_y_term", "only the y ln a term was differentiated; (1 - y) ln(1 - a) depends on a as well"),
    ("inner_sign", "the derivative of ln(1 - a) with respect to a is -1 / (1 - a): the inner derivative -1 "
     "of (1 - a) is missing"),
]


def check_bce(bce):
    """Mean binary cross-entropy of probabilities and its gradient dL/da."""
    expect_callable("bce", bce)
    stored = numbers("ex04-bce")
    what = "bce(a = [0.9, 0.2, 0.6, 0.5], y = [1, 0, 0, 1]) (a column of 4 examples)"
    loss, grad = expect_tuple(what, call_quietly(what, bce, BCE_A.copy(), BCE_Y.copy(), hint=CLIP_HINT),
                              ("loss", "grad"))
    expect_close(f"loss from {what}", loss, stored["loss"], batch_size=4,
                 hint="-mean(y log a + (1 - y) log(1 - a)); note the minus sign")
    grad = as_array(f"grad from {what}", grad)
    if grad.shape == BCE_A.shape:
        for slip, words in BCE_SLIPS:
            if np.allclose(grad, stored[slip]):
                fail(f"grad from {what}: {words}")
    expect_array(f"grad dL/da from {what}", grad, stored["grad"], batch_size=4,
                 hint="differentiate both terms of the loss with respect to a_n, the mean included")
    # certain and right: no log(0) trouble, loss 0 up to clipping
    loss0, _ = expect_tuple("bce on certain, correct predictions", call_quietly(
        "bce(a = [1, 0], y = [1, 0])", bce, np.array([1.0, 0.0]), np.array([1.0, 0.0]), hint=CLIP_HINT),
        ("loss", "grad"))
    expect_close("loss of bce(a = [1, 0], y = [1, 0]) (certain and right; clip a to [eps, 1 - eps] "
                 "before the log)", loss0, 0.0, atol=1e-6)


CE_Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
CE_LABELS = np.array([0, 2])


CE_SLIPS = [
    ("softmax_only", "it equals softmax(Z) / N: the contribution of the label is missing (the loss picks the "
     "true class, so the one-hot labels appear in the gradient)"),
    ("grad_probabilities", "it equals -onehot / (N softmax(Z)), the gradient with respect to the probabilities; "
     "the task asks for the logits Z, one more step of the chain rule through the softmax"),
    ("diagonal_only", "only the diagonal of the softmax Jacobian was used; every probability depends on every "
     "logit, so the terms -zeta_k zeta_j for k != j count too"),
]


def check_cross_entropy(cross_entropy):
    """Mean cross-entropy of the softmax of logits and dL/dZ, against stored values and recognised slips."""
    expect_callable("cross_entropy", cross_entropy)
    stored = numbers("ex04-cross-entropy")
    what = "cross_entropy(Z = [[2, 1, 0.1], [0.5, 2.5, -1]], labels = [0, 2])"
    loss, dZ = expect_tuple(what, call_quietly(what, cross_entropy, CE_Z.copy(), CE_LABELS.copy(), hint=SHIFT_HINT),
                            ("loss", "dZ"))
    expect_close(f"loss from {what}", loss, stored["loss"], batch_size=2,
                 hint="-mean over examples of log softmax(Z)[n, labels[n]]")
    dZ = as_array(f"dL/dZ from {what}", dZ)
    if dZ.shape == CE_Z.shape:
        for slip, words in CE_SLIPS:
            if np.allclose(dZ, stored[slip]):
                fail(f"dL/dZ from {what}: {words}")
    expect_array(f"dL/dZ from {what}", dZ, stored["dZ"], batch_size=2,
                 hint="the chain rule sums over k: dL/dzeta_k times dzeta_k/dz_j, and the one-hot labels of "
                      "an example sum to 1")
    big = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    loss_big, _ = expect_tuple("cross_entropy on huge logits", call_quietly(
        "cross_entropy([[1000, 0], [0, 1000]], [1, 1])", cross_entropy, big, np.array([1, 1]),
        hint=SHIFT_HINT + ", and compute log softmax as Z - max - log(sum exp(Z - max))"), ("loss", "dZ"))
    expect_close("loss of cross_entropy([[1000, 0], [0, 1000]], labels = [1, 1]) (use the log-sum-exp "
                 "trick: log softmax = Z - max - log(sum exp(Z - max)))", loss_big, 500.0)


# The Karlsruhe deck's hidden layer: x = (1, 2) -> z = (1.0, 2.0, 1.5).
W_KA = np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]])
B_KA = np.array([0.1, 0.1, 0.1])


SQUARE_W = np.array([[1.0, 2.0], [-1.0, 0.5]])  # a square W catches a missing transpose
SQUARE_A = np.array([[1.0, 0.0], [0.5, -2.0], [3.0, 1.0]])
SQUARE_B = np.array([0.3, -0.7])


def check_linear_forward(linear_forward):
    """Z = A_prev @ W.T + b, rows are examples."""
    expect_callable("linear_forward", linear_forward)
    stored = numbers("ex04-linear-forward")
    W = W_KA.copy()
    what = "linear_forward(A_prev = [[1, 2]], W = the Karlsruhe W[1] (3, 2), b = [0.1, 0.1, 0.1])"
    got = linear_forward(np.array([[1.0, 2.0]]), W, B_KA.copy())
    expect_unchanged("W", W, W_KA)
    expect_array(what, got, np.array([[1.0, 2.0, 1.5]]), bias=B_KA,
                 hint="each row of the result is W @ x + b for one example: A_prev @ W.T + b")
    expect_array("linear_forward on 3 examples with W = [[1, 2], [-1, 0.5]], b = [0.3, -0.7]",
                 linear_forward(SQUARE_A.copy(), SQUARE_W.copy(), SQUARE_B.copy()), stored["square"], bias=SQUARE_B,
                 hint="W has one row per output unit, so a batch needs W.T: A_prev @ W.T + b")


def backward_inputs():
    """A_prev (4, 3), W (2, 3), b (2,) and a random upstream gradient delta = dL/dZ (4, 2)."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(4, 2))


def check_linear_backward(linear_backward):
    """dA_prev = delta @ W, dW = delta.T @ A_prev, db = delta.sum(axis=0); checked against numerical gradients."""
    expect_callable("linear_backward", linear_backward)
    numeric = numbers("ex04-linear-backward")  # central differences of sum((A W^T + b) * delta)
    A, W, b, G = backward_inputs()
    what = "linear_backward(delta (4, 2), A_prev (4, 3), W (2, 3)) with a random delta"
    dA, dW, db = expect_tuple(what, linear_backward(G, A, W), ("dA_prev", "dW", "db"))
    expect_gradients(what, {"dA_prev": dA, "dW": dW, "db": db}, numeric, batch_size=4)


ITEMS = {
    "ex04-softmax": Item(check_softmax, title="numerically stable softmax", hidden=2, numpy_only=True),
    "ex04-bce": Item(check_bce, title="derive it: binary cross-entropy and its gradient", hidden=2,
                     numpy_only=True),
    "ex04-cross-entropy": Item(check_cross_entropy, title="derive it: cross-entropy on logits and dL/dZ", hidden=2,
                               numpy_only=True),
    "ex04-linear-forward": Item(check_linear_forward, title="Linear forward pass", hidden=2, numpy_only=True),
    "ex04-linear-backward": Item(check_linear_backward, title="Linear backward pass", hidden=2, numpy_only=True),
    "ex04-quiz-parameters": quiz_item("ex04-quiz-parameters", title="quiz: the parameters of an MLP"),
    "ex04-quiz-collapse": quiz_item("ex04-quiz-collapse", title="quiz: linear layers without activations"),
    "ex04-quiz-outputs": quiz_item("ex04-quiz-outputs", title="quiz: output layer and loss per task"),
    "ex04-quiz-depth": quiz_item("ex04-quiz-depth", title="quiz: linear pieces of a deep ReLU network"),
}
