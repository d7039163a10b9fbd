"""Visible tests for solutions/ex07_activations_losses.ipynb (leaky ReLU, ELU, softmax backward, losses, quiz).

Conventions of the exercise (those of lesson 07 and nnlib): activations act element-wise, keep the
input's shape and use the branch ``z <= 0`` at the kink (so leaky ReLU' and ELU' at 0 are
``alpha``); the softmax runs over the last axis of a batch ``(N, K)``; losses are **means** over all
entries and return ``(loss, grad)`` with ``grad = dL/dpred`` of the shape of ``pred``. The softmax backward
pass, the Huber, hinge and logistic losses are derive-it items: their tasks give the function (and
the softmax's Jacobian), not the gradient, so the
feedback names slips (an uncapped gradient, the sign, a gradient where the margin is already met,
sigma of the wrong argument) instead of the formula. Expected values,
numerical gradients and recognised slips are stored numbers from ``solutions/references/ex07.py``;
"use numpy only": every item is ``numpy_only``.
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

Z_TEST = np.array([[-3.0, -0.5, 0.25], [1.0, 2.0, -1.5]])  # off the kink at 0


ELU_OVERFLOW = ("np.exp of a large positive number overflows (np.where evaluates both branches); "
                "exponentiate only np.minimum(z, 0)")
SOFTMAX_OVERFLOW = ("np.exp of a large logit overflows; subtract each row's maximum before np.exp "
                    "(the softmax does not change)")


def check_leaky_elu(leaky_relu, leaky_relu_prime, elu, elu_prime):
    """Leaky ReLU max(alpha z, z) and ELU alpha(e^z - 1) for z <= 0, with their derivatives."""
    for name, function in [("leaky_relu", leaky_relu), ("leaky_relu_prime", leaky_relu_prime),
                           ("elu", elu), ("elu_prime", elu_prime)]:
        expect_callable(name, function)
    stored = numbers("ex07-leaky-elu")
    z = Z_TEST.copy()
    alpha = 0.1
    got = as_array("leaky_relu(z, 0.1)", leaky_relu(z, alpha))
    expect_unchanged("the input z", z, Z_TEST)
    if got.shape == Z_TEST.shape and np.allclose(got, stored["relu"]):
        fail("leaky_relu(z, 0.1) returns max(0, z), the plain ReLU; negative inputs should give alpha * z")
    expect_array(f"leaky_relu(z, 0.1) for z = {Z_TEST.tolist()}", got, stored["leaky_relu"],
                 hint="z where z > 0, alpha * z elsewhere: np.where(z > 0, z, alpha * z)")
    expect_array(f"leaky_relu_prime(z, 0.1) for z = {Z_TEST.tolist()}", leaky_relu_prime(Z_TEST.copy(), alpha),
                 stored["leaky_relu_prime"], hint="1 where z > 0, alpha elsewhere (an array shaped like z)")
    expect_array("leaky_relu_prime at z = 0 (the lecture's convention: the alpha branch for z <= 0)",
                 leaky_relu_prime(np.array([0.0]), 0.05), np.array([0.05]))
    got = call_quietly("elu(z, 1.0)", elu, Z_TEST.copy(), 1.0, hint=ELU_OVERFLOW)
    expect_array(f"elu(z, 1.0) for z = {Z_TEST.tolist()}", got, stored["elu"],
                 hint="z where z > 0, alpha * (exp(z) - 1) elsewhere")
    big = np.array([-1000.0, 0.0, 1000.0])
    expect_array("elu([-1000, 0, 1000], 1.0)",
                 call_quietly("elu([-1000, 0, 1000], 1.0)", elu, big, 1.0, hint=ELU_OVERFLOW),
                 np.array([-1.0, 0.0, 1000.0]))
    got = as_array("elu_prime(z, 0.5)",
                   call_quietly("elu_prime(z, 0.5)", elu_prime, Z_TEST.copy(), 0.5, hint=ELU_OVERFLOW))
    if got.shape == Z_TEST.shape and np.allclose(got, stored["elu_prime_without_alpha"]):
        fail("elu_prime(z, 0.5): for z <= 0 the derivative of alpha (e^z - 1) is alpha * e^z; the factor "
             "alpha is missing")
    expect_array(f"elu_prime(z, 0.5) for z = {Z_TEST.tolist()}", got, stored["elu_prime"],
                 hint="1 for z > 0, alpha * exp(z) = elu(z) + alpha for z <= 0")
    expect_array("elu_prime([-1000, 1000], 1.0)",
                 call_quietly("elu_prime([-1000, 1000], 1.0)", elu_prime, np.array([-1000.0, 1000.0]), 1.0,
                              hint=ELU_OVERFLOW),
                 np.array([0.0, 1.0]))


def backward_inputs():
    """Logits Z (4, 3) and a random upstream gradient dL/dS (4, 3)."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 3)), rng.normal(size=(4, 3))


HUGE_Z = np.array([[1000.0, 1001.0, 1002.0]])
HUGE_G = np.array([[0.5, -1.0, 2.0]])


def check_softmax_backward(softmax_backward):
    """dL/dZ for S = softmax(Z) given dL/dS, row by row, against central differences and for huge logits."""
    expect_callable("softmax_backward", softmax_backward)
    stored = numbers("ex07-softmax-backward")
    Z, G = backward_inputs()
    Z_copy = Z.copy()
    what = "softmax_backward(Z (4, 3), grad_S (4, 3)) with random numbers"
    got = as_array(what, call_quietly(what, softmax_backward, Z, G.copy(), hint=SOFTMAX_OVERFLOW))
    expect_unchanged("Z", Z, Z_copy)
    if got.shape == Z.shape and np.allclose(got, stored["diagonal_only"]):
        fail(f"{what}: you used only the diagonal s_i (1 - s_i) of the Jacobian; every output depends on "
             "every logit, so also the terms -s_i s_j count: dZ = S * (G - sum(G * S, axis=-1, keepdims=True))")
    expect_gradients(what, {"dZ": got}, {"dZ": stored["dZ"]})
    expect_array("softmax_backward(Z = [[1000, 1001, 1002]], grad_S = [[0.5, -1, 2]])",
                 call_quietly("softmax_backward for logits near 1000", softmax_backward, HUGE_Z.copy(),
                          HUGE_G.copy(), hint=SOFTMAX_OVERFLOW), stored["huge"],
                 hint="subtract each row's maximum before np.exp so the softmax never overflows")


def huber_inputs():
    """Predictions and targets (3, 2) whose differences stay off the threshold delta = 0.7."""
    rng = np.random.default_rng(1)
    P = rng.normal(size=(3, 2)) * 2
    T = rng.normal(size=(3, 2))
    return np.where(np.abs(np.abs(P - T) - 0.7) < 0.05, P + 0.2, P), T


def check_huber(huber):
    """Mean Huber loss (quadratic below delta, linear above) and its gradient with respect to pred."""
    expect_callable("huber", huber)
    what = "huber(pred = [0.5, 3.0], target = [0, 0], delta = 1.0)"
    pred = np.array([0.5, 3.0])
    loss, grad = expect_tuple(what, huber(pred, np.zeros(2), 1.0), ("loss", "grad"))
    expect_unchanged("pred", pred, np.array([0.5, 3.0]))
    expect_close(f"the loss of {what}", loss, (0.125 + 2.5) / 2, batch_size=2,
                 hint="0.5 * 0.5**2 = 0.125 in the quadratic part, 1.0 * (3.0 - 0.5) = 2.5 in the linear "
                      "part; their mean is 1.3125")
    grad = as_array(f"the gradient of {what}", grad)
    if grad.shape == (2,) and np.allclose(grad, [0.25, 1.5]):
        fail(f"the gradient of {what}: the outlier d = 3 pulls with d / S = 1.5; outside |d| < delta the loss "
             "is linear in |d|, so its slope has the constant size delta")
    if grad.shape == (2,) and np.allclose(grad, [0.5, 0.5]):
        fail(f"the gradient of {what}: the small error d = 0.5 got the slope delta too; inside |d| < delta "
             "the loss is quadratic, so its slope grows with d")
    expect_array(f"the gradient of {what}", grad, np.array([0.25, 0.5]), batch_size=2,
                 hint="differentiate each piece of the loss on its own side of the threshold, then take the mean")
    stored = numbers("ex07-huber")
    P, T = huber_inputs()
    what = "huber(pred (3, 2), target (3, 2), delta = 0.7) with random numbers"
    loss, grad = expect_tuple(what, huber(P.copy(), T, 0.7), ("loss", "grad"))
    expect_close(f"the loss of {what}", loss, stored["loss"], batch_size=6)
    grad = as_array(f"the gradient of {what}", grad)
    if grad.shape == stored["grad"].shape and np.allclose(grad, -stored["grad"]):
        fail(f"the gradient of {what}: the sign is flipped; the error is d = pred - target, and the loss "
             "grows as pred moves away from target")
    expect_array(f"the gradient of {what}", grad, stored["grad"], batch_size=6)


def check_hinge(hinge):
    """Mean hinge loss max(0, 1 - y f) for labels -1/+1 and its gradient with respect to the scores."""
    expect_callable("hinge", hinge)
    what = "hinge(scores = [2.0, 0.5, -1.0], y = [1, 1, 1])"
    scores = np.array([2.0, 0.5, -1.0])
    loss, grad = expect_tuple(what, hinge(scores, np.array([1.0, 1.0, 1.0])), ("loss", "grad"))
    expect_unchanged("scores", scores, np.array([2.0, 0.5, -1.0]))
    expect_close(f"the loss of {what}", loss, 2.5 / 3, batch_size=3,
                 hint="max(0, 1 - y f) per example: 0, 0.5 and 2; their mean is 0.8333")
    grad = as_array(f"the gradient of {what}", grad)
    if grad.shape == (3,) and np.allclose(grad, np.array([-1.0, -1.0, -1.0]) / 3):
        fail(f"the gradient of {what}: the first example has margin y f = 2 >= 1, where max(0, 1 - y f) is "
             "the constant 0: it gets no gradient")
    expect_array(f"the gradient of {what}", grad, np.array([0.0, -1.0, -1.0]) / 3, batch_size=3,
                 hint="differentiate max(0, 1 - y f) on each side of the kink y f = 1, then take the mean")
    what = "hinge(scores = [[0.3], [-0.4], [1.5], [-2.0]], y = [[-1], [-1], [1], [1]])"
    f = np.array([[0.3], [-0.4], [1.5], [-2.0]])
    y = np.array([[-1.0], [-1.0], [1.0], [1.0]])
    loss, grad = expect_tuple(what, hinge(f, y), ("loss", "grad"))
    expect_close(f"the loss of {what}", loss, (1.3 + 0.6 + 0.0 + 3.0) / 4, batch_size=4,
                 hint="the margin is y * f: a negative label flips the sign of the score")
    grad = as_array(f"the gradient of {what}", grad)
    if grad.shape == (4, 1) and np.allclose(grad, np.array([[-1.0], [-1.0], [0.0], [-1.0]]) / 4):
        fail(f"the gradient of {what}: the label is missing from the gradient; d/df of 1 - y f is -y, so a "
             "negative label flips the sign")
    expect_array(f"the gradient of {what}", grad, np.array([[1.0], [1.0], [0.0], [-1.0]]) / 4,
                 batch_size=4)


LOGISTIC_SCORES = np.array([[2.0, -0.5], [0.3, -3.0], [1.2, 0.0]])
LOGISTIC_Y = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, 1.0]])
LOGISTIC_SLIPS = [
    ("sigma_of_margin", "your gradient has sigma(y f) where sigma(-y f) belongs; mind the minus in e^(-m) when "
     "you rewrite e^(-m) / (1 + e^(-m)) as a sigmoid. Sanity check: a confident, right example (large margin) "
     "must get almost no gradient"),
    ("zero_one_labels", "that is the cross-entropy gradient sigma(f) - y for labels 0/1; here the labels are -1 "
     "and +1 and the loss is log(1 + e^(-y f)), so differentiate that"),
]
LOGISTIC_OVERFLOW = ("exp of a large number overflows; for m = y f write log(1 + e^(-m)) as max(-m, 0) + "
                     "log1p(exp(-|m|)), and the sigmoid in a form that never exponentiates a large positive number")


def check_logistic_loss(logistic_loss):
    """Mean logistic loss log(1 + e^(-y f)) for labels -1/+1 and its gradient, also for huge margins."""
    expect_callable("logistic_loss", logistic_loss)
    stored = numbers("ex07-logistic-loss")
    f = LOGISTIC_SCORES.copy()
    what = "logistic_loss(scores (3, 2), y (3, 2)) on the numbers of the check cell"
    loss, grad = expect_tuple(what, call_quietly(what, logistic_loss, f, LOGISTIC_Y.copy(), hint=LOGISTIC_OVERFLOW),
                              ("loss", "grad"))
    expect_unchanged("scores", f, LOGISTIC_SCORES)
    expect_close(f"the loss of {what}", loss, stored["loss"], batch_size=6,
                 hint="the margin is m = y * f; the loss is the mean of log(1 + exp(-m))")
    grad = as_array(f"the gradient of {what}", grad)
    if grad.shape == LOGISTIC_SCORES.shape:
        for slip, words in LOGISTIC_SLIPS:
            if np.allclose(grad, stored[slip]):
                fail(f"the gradient of {what}: {words}")
    expect_array(f"the gradient of {what}", grad, stored["grad"], batch_size=6,
                 hint="chain rule: d/df = d/dm * dm/df with m = y f; the mean adds 1/S")
    big = np.array([-1000.0, 1000.0])
    what = "logistic_loss(scores = [-1000, 1000], y = [1, 1])"
    loss, grad = expect_tuple(what, call_quietly(what, logistic_loss, big, np.ones(2), hint=LOGISTIC_OVERFLOW),
                              ("loss", "grad"))
    expect_close(f"the loss of {what} (1000 for the wrong example, 0 for the right one)", loss, 500.0)
    expect_array(f"the gradient of {what}", grad, np.array([-0.5, 0.0]), atol=1e-12)


ITEMS = {
    "ex07-leaky-elu": Item(check_leaky_elu, title="leaky ReLU and ELU with derivatives", hidden=2, numpy_only=True),
    "ex07-softmax-backward": Item(check_softmax_backward, title="derive it: the softmax backward pass without "
                                  "the Jacobian", hidden=2, numpy_only=True),
    "ex07-huber": Item(check_huber, title="derive it: the Huber loss and its gradient", hidden=2, numpy_only=True),
    "ex07-hinge": Item(check_hinge, title="derive it: the hinge loss and its gradient", hidden=2, numpy_only=True),
    "ex07-logistic-loss": Item(check_logistic_loss, title="derive it: the logistic loss on the margin", hidden=2,
                               numpy_only=True),
    "ex07-quiz-vanishing": quiz_item("ex07-quiz-vanishing", title="quiz: vanishing gradients through sigmoids"),
    "ex07-quiz-dead-relu": quiz_item("ex07-quiz-dead-relu", title="quiz: dead ReLU units"),
    "ex07-quiz-robust": quiz_item("ex07-quiz-robust", title="quiz: the constant that minimises the MAE"),
}
