"""Visible tests for solutions/ex10_regularisation.ipynb (dropout, L2 penalty, early stopping, ensembles,
the batch-norm backward pass, quizzes).

Conventions of the exercise (those of lesson 10 and nnlib): ``p`` is the probability of
**dropping** a unit; inverted dropout scales the kept units by ``1 / (1 - p)`` in training and does
nothing at test time; the L2 penalty is ``lam / 2 * sum of squared weights`` (gradient ``lam * W``);
epochs are counted from 1; batch norm normalises every feature (column) with the batch's mean and
biased variance. Expected values and recognised slips are stored numbers from
``solutions/references/ex10.py`` (the batch-norm gradients come from ``nnlib.layers.BatchNorm1d``);
dropout is checked against the mask the student's code returns.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
    matches,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers


def check_dropout(dropout_forward, dropout_backward):
    """Inverted dropout: out = A * mask / (1 - p) in training, A at test time; backward uses the same mask."""
    expect_callable("dropout_forward", dropout_forward)
    expect_callable("dropout_backward", dropout_backward)
    p = 0.25
    A = np.random.default_rng(0).uniform(0.5, 1.5, size=(400, 50))
    A_copy = A.copy()
    what = "dropout_forward(A (400, 50), p = 0.25, rng, training=True)"
    out, mask = expect_tuple(what, dropout_forward(A, p, np.random.default_rng(1), True), 2)
    expect_unchanged("A", A, A_copy)
    out = as_array(f"the output of {what}", out)
    mask = as_array(f"the mask of {what}", mask)
    expect_shape(f"the output of {what}", out, A.shape)
    expect_shape(f"the mask of {what}", mask, A.shape)
    kept = mask.astype(bool)
    fraction = kept.mean()
    if abs(fraction - p) < 0.03:
        fail(f"{what}: {fraction:.1%} of the units are kept, about p = 0.25; p is the probability of "
             "DROPPING a unit, so keep a unit with probability 1 - p: mask = rng.random(A.shape) < 1 - p")
    if abs(fraction - (1 - p)) > 0.03:
        fail(f"{what}: {fraction:.1%} of the units are kept, expected about 1 - p = 75%")
    if np.any(out[~kept] != 0):
        fail(f"{what}: units where the mask is 0 (False) must be exactly 0 in the output")
    if np.allclose(out[kept], A[kept]):
        fail(f"{what}: the kept units are not scaled; inverted dropout divides them by the keep "
             "probability 1 - p = 0.75 so that the expected output equals A")
    if np.allclose(out[kept], A[kept] * (1 - p)):
        fail(f"{what}: the kept units are multiplied by 1 - p; inverted dropout DIVIDES them by 1 - p "
             "(multiplying by the keep probability is what the other convention does at test time)")
    expect_array(f"the kept units of {what}", out[kept], A[kept] / (1 - p),
                 hint="out = A * mask / (1 - p)")

    what = "dropout_forward(A, p = 0.25, rng, training=False)"
    out_test, mask_test = expect_tuple(what, dropout_forward(A, p, np.random.default_rng(1), False), 2)
    out_test = as_array(f"the output of {what}", out_test)
    if out_test.shape == A.shape and np.allclose(out_test, A * (1 - p)):
        fail(f"{what}: at test time inverted dropout does nothing (the scaling happened in training); "
             "you multiplied by 1 - p")
    expect_array(f"the output of {what}", out_test, A,
                 hint="at test time every unit is kept and nothing is scaled: return A (a copy) unchanged")
    expect_array(f"the mask of {what}", as_array("the test-time mask", mask_test).astype(float),
                 np.ones(A.shape), hint="at test time the mask keeps every unit: np.ones(A.shape, dtype=bool)")

    G = np.random.default_rng(2).normal(size=(400, 50))  # a random upstream gradient
    what = "dropout_backward(grad_out (400, 50), mask, p = 0.25)"
    got = as_array(what, dropout_backward(G, mask, p))
    expected = G * kept / (1 - p)
    if got.shape == G.shape and np.allclose(got, G * kept):
        fail(f"{what}: the gradient must be scaled like the forward pass, by 1 / (1 - p)")
    if got.shape == G.shape and np.allclose(got, G / (1 - p)):
        fail(f"{what}: dropped units passed no signal forward, so they get no gradient either; "
             "multiply by the mask")
    expect_array(what, got, expected, hint="grad_A = grad_out * mask / (1 - p)")


L2_W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
L2_W2 = np.array([[3.0, 1.0, -1.0]])
DECAY_W = np.array([[0.5, -1.0], [2.0, 0.25]])
DECAY_DW = np.array([[0.1, 0.2], [-0.3, 0.0]])


def check_l2(l2_penalty, weight_decay_step):
    """L2 penalty lam/2 sum ||W||^2 with gradients lam W, and one SGD step with weight decay."""
    expect_callable("l2_penalty", l2_penalty)
    expect_callable("weight_decay_step", weight_decay_step)
    stored = numbers("ex10-l2")
    W1, W2 = L2_W1.copy(), L2_W2.copy()
    copies = [W1.copy(), W2.copy()]
    what = "l2_penalty([W1, W2], lam = 0.1) with W1 = [[1, -2], [0.5, 0]], W2 = [[3, 1, -1]]"
    value, grads = expect_tuple(what, l2_penalty([W1, W2], 0.1), 2)
    expect_unchanged("W1", W1, copies[0])
    expect_unchanged("W2", W2, copies[1])
    if np.isscalar(value) and np.isclose(value, stored["without_half"]):
        fail(f"{what}: got {value:.4f} = lam * sum(W**2); the lecture's L2 penalty has a factor 1/2, "
             f"lam / 2 * sum(W**2) = {stored['penalty']:.4f}, so that its gradient is exactly lam * W")
    expect_close(f"the penalty value of {what}", value, stored["penalty"],
                 hint="lam / 2 times the sum of the squares of all entries of all matrices")
    if not isinstance(grads, (list, tuple)) or len(grads) != 2:
        fail(f"{what}: the second return value must be a list with one gradient per weight matrix (2 here)")
    expect_array(f"the gradient for W1 in {what}", grads[0], stored["grad_W1"],
                 hint="the derivative of lam/2 * w**2 is lam * w")
    expect_array(f"the gradient for W2 in {what}", grads[1], stored["grad_W2"],
                 hint="the derivative of lam/2 * w**2 is lam * w")

    W = DECAY_W.copy()
    what = "weight_decay_step(W, dW, lr = 0.1, lam = 0.01)"
    got = as_array(what, weight_decay_step(W, DECAY_DW.copy(), 0.1, 0.01))
    expect_unchanged("W", W, DECAY_W)
    if got.shape == W.shape and np.allclose(got, stored["not_decayed"]):
        fail(f"{what}: the weights were not decayed; add lam * W to the gradient before the step")
    expect_array(what, got, stored["decayed"],
                 hint="W - lr * (dW + lam * W), which is (1 - lr * lam) * W - lr * dW")


STOPPING_CASES = [
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], 3, 0.0),
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], 4, 0.0),
    ([0.9, 0.5, 0.5, 0.6, 0.4], 2, 0.0),
    ([1.0, 0.7, 0.69, 0.68, 0.66], 3, 0.05),
    ([2.0, 1.5, 1.2, 1.0], 2, 0.0),
    ([1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7], 2, 0.0),
]


def check_early_stopping(early_stopping):
    """(best_epoch, stop_epoch), counted from 1, for the patience rule with min_delta."""
    expect_callable("early_stopping", early_stopping)
    stored = numbers("ex10-early-stopping")
    for (losses, patience, min_delta), expected, not_strict in zip(STOPPING_CASES, stored["expected"],
                                                                   stored["not_strict"]):
        expected, not_strict = tuple(expected), tuple(not_strict)
        what = f"early_stopping({losses}, patience={patience}, min_delta={min_delta})"
        got = expect_tuple(what, early_stopping(list(losses), patience, min_delta), 2)
        if tuple(got) == (expected[0] - 1, expected[1] - 1):
            fail(f"{what}: got {tuple(got)}, expected {expected}; count epochs from 1, not from 0")
        if tuple(got) == not_strict != expected:
            fail(f"{what}: got {tuple(got)}, expected {expected}; an equal loss (0.5 again) is not an "
                 "improvement: use loss < best - min_delta, not <=")
        if losses[:2] == [1.0, 1.1] and tuple(got) == (3, 4):
            fail(f"{what}: got {tuple(got)}, expected {expected}; the counter of epochs without "
                 "improvement must start again at 0 whenever an epoch improves (patience counts "
                 "epochs in a row)")
        expect_equal(f"(best_epoch, stop_epoch) of {what}", tuple(int(v) for v in got), expected)


ENSEMBLE_P = np.array([
    [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]],
    [[0.4, 0.5, 0.1], [0.1, 0.45, 0.45]],
    [[0.1, 0.7, 0.2], [0.3, 0.2, 0.5]],
])  # (M=3 models, N=2 examples, C=3 classes)


def check_ensemble(ensemble_predict):
    """Average the members' probabilities over axis 0, then argmax over the classes."""
    expect_callable("ensemble_predict", ensemble_predict)
    stored = numbers("ex10-ensemble")
    P = ENSEMBLE_P.copy()
    P_copy = P.copy()
    what = "ensemble_predict(P) for 3 models, 2 examples and 3 classes"
    avg, labels = expect_tuple(what, ensemble_predict(P), 2)
    expect_unchanged("P", P, P_copy)
    avg = as_array(f"the averaged probabilities of {what}", avg)
    if avg.shape == (3, 3) or avg.shape == (3, 2):
        fail(f"{what}: the averaged probabilities have shape {avg.shape}; average over the models "
             "(axis 0) to get one row per example, shape (2, 3)")
    expect_array(f"the averaged probabilities of {what}", avg, stored["average"], hint="np.mean(P, axis=0)")
    labels = as_array(f"the predicted classes of {what}", labels)
    votes = stored["majority_vote"]
    if labels.shape == (2,) and np.array_equal(labels, votes) and not np.array_equal(votes, stored["classes"]):
        fail(f"{what}: you took a majority vote of the members' classes; the lecture averages the "
             "probability distributions first and then takes the argmax")
    expect_array(f"the predicted classes of {what}", labels, stored["classes"],
                 hint="the argmax over the classes (axis 1) of the averaged probabilities")


def batchnorm_problem():
    """x (6, 3) with features of different scales, gamma (3,) and a random upstream gradient dy (6, 3)."""
    rng = np.random.default_rng(12)
    x = rng.normal(size=(6, 3)) * np.array([1.0, 4.0, 0.5]) + np.array([0.0, 2.0, -1.0])
    return x, np.array([1.5, 0.5, -2.0]), rng.normal(size=(6, 3))


def _same(got, candidate):
    return matches(got, candidate, rtol=1e-6, atol=1e-9)


def check_batchnorm_backward(batchnorm_backward):
    """batchnorm_backward(dy, x, gamma, eps) -> (dx, dgamma, dbeta) of y = gamma x_hat + beta (training mode)."""
    expect_callable("batchnorm_backward", batchnorm_backward)
    stored = numbers("ex10-batchnorm-backward")
    x, gamma, dy = batchnorm_problem()
    copies = [dy.copy(), x.copy(), gamma.copy()]
    what = "batchnorm_backward(dy (6, 3), x (6, 3), gamma (3,), eps=1e-5)"
    result = expect_tuple(what, batchnorm_backward(dy, x, gamma, 1e-5), ("dx", "dgamma", "dbeta"))
    for name, array, original in zip(("dy", "x", "gamma"), (dy, x, gamma), copies):
        expect_unchanged(name, array, original)
    dx, dgamma, dbeta = (as_array(what, value) for value in result)
    if dgamma.shape == (6, 3) or dbeta.shape == (6, 3):
        fail(f"{what}: dgamma and dbeta have shape (6, 3); gamma and beta are shared by all examples, so sum "
             "their shares over the batch: shape (3,)")
    if _same(dgamma, stored["dbeta"]) and not _same(dgamma, stored["dgamma"]):
        fail(f"dgamma of {what}: that is the sum of dy, beta's gradient; gamma multiplies x_hat, so each example "
             "contributes dy * x_hat")
    if _same(dgamma, stored["slips"]["dgamma_unbiased"]):
        fail(f"dgamma of {what}: you normalised with the unbiased variance (divided by B - 1); batch norm divides "
             "by B (np.var's default), as the forward pass of the lesson")
    expect_array(f"dgamma of {what}", dgamma, stored["dgamma"], hint="sum over the batch of dy * x_hat")
    expect_array(f"dbeta of {what}", dbeta, stored["dbeta"], hint="sum over the batch of dy")
    dx = expect_shape(f"dx of {what}", dx, (6, 3))
    slips = stored["slips"]
    if _same(dx, slips["no_corrections"]):
        fail(f"dx of {what}: you treated the batch mean and variance as constants (gamma dy / sigma); they are "
             "computed from x, every example moves them, so two correction terms appear, one through the mean "
             "and one through the variance")
    if _same(dx, slips["mean_term_only"]):
        fail(f"dx of {what}: the correction through the mean is there, the one through the VARIANCE is missing "
             "(sigma^2 depends on every x_n too)")
    if _same(dx, slips["variance_term_only"]):
        fail(f"dx of {what}: the correction through the variance is there, the one through the MEAN is missing "
             "(mu depends on every x_n: dmu/dx_n = 1/B)")
    if _same(dx, slips["sums_not_means"]):
        fail(f"dx of {what}: the correction terms are B = 6 times too large; mu and sigma^2 are AVERAGES over "
             "the batch, so their derivatives carry a factor 1/B")
    if _same(dx, slips["unbiased_variance"]):
        fail(f"dx of {what}: you normalised with the unbiased variance (divided by B - 1); batch norm divides "
             "by B (np.var's default), as the forward pass of the lesson")
    expect_array(f"dx of {what}", dx, stored["dx"],
                 hint="through x_hat = (x - mu) / sigma, where both mu and sigma^2 depend on every row of x")


ITEMS = {
    "ex10-dropout": Item(check_dropout, title="inverted dropout forward and backward", hidden=2),
    "ex10-l2": Item(check_l2, title="derive it: the L2 penalty's gradient and the weight-decay step", hidden=2),
    "ex10-early-stopping": Item(check_early_stopping, title="the early-stopping rule", hidden=2),
    "ex10-ensemble": Item(check_ensemble, title="averaging an ensemble's probabilities", hidden=2),
    "ex10-batchnorm-backward": Item(check_batchnorm_backward, title="derive it: the backward pass of batch "
                                    "normalisation", hidden=2),
    "ex10-quiz-dropout-scale": quiz_item("ex10-quiz-dropout-scale", title="quiz: a kept unit in inverted dropout"),
    "ex10-quiz-weight-decay": quiz_item("ex10-quiz-weight-decay", title="quiz: weight decay over 100 steps"),
    "ex10-quiz-batchnorm": quiz_item("ex10-quiz-batchnorm", title="quiz: batch normalisation"),
}
