"""Visible tests for solutions/ex14_pooling_cnns.ipynb (max/mean pooling forward and backward, CNN parameters,
the gradient of a convolutional block, the shapes of a two-block CNN, quizzes).

Conventions of the exercise: one feature map ``A`` of shape ``(H, W)``, a ``k x k`` window moved with
stride ``s``; output entry ``(i, j)`` summarises ``A[s*i : s*i + k, s*j : s*j + k]``; the output has
``(H - k) // s + 1`` rows (incomplete windows at the border are dropped, as in PyTorch). Backward
functions receive ``delta = dL/dA_out`` of the output's shape and return ``dL/dA`` of ``A``'s shape.
Expected values, numerical gradients and recognised slips are stored numbers from
``solutions/references/ex14.py`` (the block gradient comes from nnlib's ``Conv2d``, ``ReLU`` and
``MaxPool2d``, the two-block counts from a network built with nnlib).
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

FEATURE_MAP = np.array([
    [1.0, 1.0, 2.0, 4.0],
    [5.0, 6.0, 7.0, 8.0],
    [3.0, 2.0, 1.0, 0.0],
    [1.0, 2.0, 3.0, 4.0],
])
DELTA = np.array([[10.0, 20.0], [30.0, 40.0]])


def _same(got, candidate):
    return matches(got, candidate, rtol=1e-9, atol=1e-9)


def _no_ties(rng, shape):
    """Random values without ties, so every window has one clear maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 + rng.uniform(0, 0.01, size=shape)


def forward_map():
    """A 5x7 map without ties for the forward tests."""
    return _no_ties(np.random.default_rng(0), (5, 7))


FORWARD_CASES = ((3, 1), (2, 3))  # (k, s) on the 5x7 map


def _check_forward(name, pool, kind, other_kind):
    expect_callable(name, pool)
    stored = numbers("ex14-max-pool" if kind == "max" else "ex14-avg-pool")
    A = FEATURE_MAP.copy()
    got = pool(A, 2, 2)
    expect_unchanged("A", A, FEATURE_MAP)
    what = f"{name}(FEATURE_MAP, k=2, s=2), the lesson's 4x4 example"
    got = as_array(what, got)
    if _same(got, stored["lesson_other"]):
        fail(f"{what}: you computed the {other_kind} of each window; {name} takes the {kind}")
    expect_array(what, got, stored["lesson"])
    A = forward_map()
    for (k, s), expected in zip(FORWARD_CASES, stored["map"]):
        what = f"{name}(A, k={k}, s={s}) on a 5x7 map"
        got = as_array(what, pool(A.copy(), k, s))
        if got.shape != expected.shape:
            ceil = (-(-(5 - k) // s) + 1, -(-(7 - k) // s) + 1)
            if got.shape == ceil:
                fail(f"{what}: wrong shape, expected {expected.shape}, got {got.shape}; the last, incomplete "
                     "window must be dropped: the output has (H - k) // s + 1 rows (round down)")
            if s != k and got.shape == ((5 - k) // k + 1, (7 - k) // k + 1):
                fail(f"{what}: wrong shape, expected {expected.shape}, got {got.shape}; it looks like you used "
                     "k as the stride; use s")
        expect_array(what, got, expected)


def check_max_pool(max_pool2d):
    """max_pool2d(A, k, s) -> the maximum of every window."""
    _check_forward("max_pool2d", max_pool2d, "max", "mean")


def backward_inputs():
    """A 5x5 map whose centre is the maximum of every 3x3 window, its delta (3, 3); a 6x6 map and delta (2, 2)."""
    rng = np.random.default_rng(1)
    A = _no_ties(rng, (5, 5))
    A[2, 2] = 10.0  # the maximum of all 9 windows of a 3x3 pooling with stride 1
    delta = rng.normal(size=(3, 3))
    return A, delta, _no_ties(rng, (6, 6)), rng.normal(size=(2, 2))


def check_max_pool_backward(max_pool2d_backward):
    """max_pool2d_backward(A, delta, k, s) -> delta at each window's maximum, summed over windows."""
    expect_callable("max_pool2d_backward", max_pool2d_backward)
    stored = numbers("ex14-max-pool-backward")
    A, delta = FEATURE_MAP.copy(), DELTA.copy()
    got = max_pool2d_backward(A, delta, 2, 2)
    expect_unchanged("A", A, FEATURE_MAP)
    expect_unchanged("delta", delta, DELTA)
    what = "max_pool2d_backward(FEATURE_MAP, delta=[[10, 20], [30, 40]], k=2, s=2)"
    got = as_array(what, got)
    expect_shape(what + " must have the shape of A", got, (4, 4))
    if _same(got, stored["lesson_everywhere"]):
        fail(f"{what}: you gave delta to every entry of the window; only the window's maximum influenced "
             "the output, so only it receives delta (the others get 0)")
    if _same(got, stored["lesson_mean"]):
        fail(f"{what}: that is the mean-pooling gradient (delta / k^2 everywhere); max-pooling sends all of "
             "delta to the position of the maximum")
    expect_array(what, got, stored["lesson"],
                 hint="the gradient belongs at the (row, column) in A of each window's maximum")
    # overlapping windows: an entry that is the maximum of several windows collects all their deltas
    A, delta, A_random, delta_random = backward_inputs()
    what = "max_pool2d_backward(A, delta, k=3, s=1) with overlapping windows"
    got = as_array(what, max_pool2d_backward(A.copy(), delta.copy(), 3, 1))
    expect_shape(what, got, (5, 5))
    if _same(got, stored["overlapping_assigned"]):
        fail(f"{what}: A[2, 2] is the maximum of all 9 windows, so it must receive the sum of their 9 deltas; "
             "you kept only the last one. Add (+=) instead of assigning (=)")
    expect_array(what, got, stored["overlapping"])
    expect_array("max_pool2d_backward(A, delta, k=3, s=2) against central differences of sum(delta * max_pool2d(A))",
                 max_pool2d_backward(A_random, delta_random, 3, 2), stored["numeric"], rtol=1e-5, atol=1e-7)


def check_avg_pool(avg_pool2d, avg_pool2d_backward):
    """avg_pool2d(A, k, s) -> window means; avg_pool2d_backward(shape, delta, k, s) -> delta / k^2 spread."""
    _check_forward("avg_pool2d", avg_pool2d, "mean", "maximum")
    expect_callable("avg_pool2d_backward", avg_pool2d_backward)
    stored = numbers("ex14-avg-pool")
    delta = DELTA.copy()
    what = "avg_pool2d_backward((4, 4), delta=[[10, 20], [30, 40]], k=2, s=2)"
    got = as_array(what, avg_pool2d_backward((4, 4), delta, 2, 2))
    expect_unchanged("delta", delta, DELTA)
    expect_shape(what + " must have the given shape", got, (4, 4))
    expected = stored["backward_lesson"]
    if _same(got, expected * 4):
        fail(f"{what}: every entry got the whole delta; each entry contributes 1/k^2 of the mean, so it "
             "receives delta / k^2 (here delta / 4)")
    if _same(got, expected * 2):
        fail(f"{what}: you divided by k instead of k^2 (the window has k*k entries)")
    expect_array(what, got, expected)
    delta = np.random.default_rng(2).normal(size=(3, 3))
    what = "avg_pool2d_backward((5, 5), delta, k=3, s=1) with overlapping windows"
    got = as_array(what, avg_pool2d_backward((5, 5), delta.copy(), 3, 1))
    expect_shape(what, got, (5, 5))
    expect_array(what, got, stored["backward_overlapping"],
                 hint="an entry inside several windows receives the sum of their shares (use +=)")


def check_params(cnn_parameter_count):
    """cnn_parameter_count(C_in, F, k, n, classes) -> (conv, dense, total).

    The network is conv (same padding) -> ReLU -> pool 2 -> Linear.
    """
    expect_callable("cnn_parameter_count", cnn_parameter_count)
    cases = [((1, 16, 3, 8, 10), (160, 2570)), ((3, 32, 5, 32, 10), (2432, 81930)), ((1, 8, 3, 28, 10), (80, 15690))]
    for args, (conv, dense) in cases:
        C_in, F, k, n, classes = args
        what = (f"cnn_parameter_count(C_in={C_in}, F={F}, k={k}, n={n}, classes={classes}) "
                f"for Conv2d({C_in}, {F}, {k}, padding='same') -> ReLU -> MaxPool2d(2) -> Flatten -> Linear")
        got = expect_tuple(what, cnn_parameter_count(*args), 3)
        got_conv, got_dense, got_total = (int(round(float(v))) for v in got)
        if got_conv == conv - F:
            fail(f"{what}: conv parameters {got_conv}, expected {conv}: the {F} biases (one per filter) are missing")
        if got_conv == F * k * k + F and C_in > 1:
            fail(f"{what}: conv parameters {got_conv}, expected {conv}: each filter has one k x k kernel per "
                 f"input channel, so F * (C_in * k^2 + 1)")
        if got_conv == F * (C_in * k * k + 1) * n * n:
            fail(f"{what}: conv parameters {got_conv}, expected {conv}: the kernel is shared by all positions, "
                 "so the count does not depend on the image size")
        expect_equal(what + ": conv parameters", got_conv, conv)
        flat = F * (n // 2) ** 2
        if got_dense == F * n * n * classes + classes:
            fail(f"{what}: dense parameters {got_dense}, expected {dense}: the 2x2 max-pooling halves height and "
                 f"width, so the Linear layer sees F * (n/2)^2 = {flat} inputs, not F * n^2")
        if got_dense == flat * classes:
            fail(f"{what}: dense parameters {got_dense}, expected {dense}: "
                 f"the {classes} biases of the Linear layer are missing")
        expect_equal(what + ": dense parameters", got_dense, dense)
        if got_total != conv + dense:
            fail(f"{what}: total {got_total}, expected {conv + dense}; ReLU, pooling and Flatten add no parameters")


def block_inputs():
    """A 6x6 image without ties, a 3x3 kernel, the bias -0.5 and delta_P (2, 2); one pooling window of the
    4x4 convolution output is all negative, the others are mixed."""
    rng = np.random.default_rng(48)
    I = rng.permutation(36).reshape(6, 6) * 0.1 + rng.uniform(0, 0.01, size=(6, 6))
    F = rng.normal(size=(3, 3)).round(1)
    return I, F, -0.5, np.array([[1.0, -2.0], [0.5, 3.0]])


def check_block_gradient(conv_block_gradients):
    """conv_block_gradients(I, F, b, delta_P) -> (dF, db) through max_pool2d(relu(corr(I, F) + b), 2, 2)."""
    expect_callable("conv_block_gradients", conv_block_gradients)
    stored = numbers("ex14-block-gradient")
    I, F, b, delta_P = block_inputs()
    copies = [I.copy(), F.copy(), delta_P.copy()]
    what = ("conv_block_gradients(I (6, 6), F (3, 3), b = -0.5, delta_P = [[1, -2], [0.5, 3]]), "
            "conv -> ReLU -> 2x2 max-pooling")
    dF, db = expect_tuple(what, conv_block_gradients(I, F, b, delta_P), ("dF", "db"))
    for name, array, original in zip(("I", "F", "delta_P"), (I, F, delta_P), copies):
        expect_unchanged(name, array, original)
    dF = expect_shape(f"dF of {what} (the kernel's shape)", dF, (3, 3))
    if _same(dF, stored["no_relu"]):
        fail(f"{what}: the ReLU is missing in the backward pass. In the bottom-right pooling window every "
             "convolution output is negative, so ReLU made them all 0 and their derivative is 0: nothing of "
             "delta_P may reach the kernel through that window")
    if _same(dF, stored["mean_routing"]):
        fail(f"{what}: you spread delta_P over the whole window (mean-pooling's rule); max-pooling sends it "
             "only to the position of each window's maximum")
    if _same(dF, stored["rotated"]):
        fail(f"{what}: dF is rotated by 180 degrees; the kernel gradient is the input correlated with delta_Z "
             "(lesson 13), no rotation")
    expect_array(f"dF of {what}", dF, stored["dF"],
                 hint="route delta_P to the maxima (delta_A), multiply by relu'(Z) (delta_Z), then correlate "
                      "I with delta_Z")
    expect_close(f"db of {what}", db, stored["db"], hint="db is the sum of delta_Z (after the ReLU's mask)")


TWO_BLOCK_CASES = ((28, 1, 8, 16, 5, 10), (29, 1, 8, 8, 3, 10), (14, 3, 6, 12, 3, 5))  # (n, C_in, F1, F2, k, classes)


def check_two_blocks(two_block_cnn):
    """two_block_cnn(n, C_in, F1, F2, k, classes) -> (flat_features, parameters) of two valid conv blocks."""
    expect_callable("two_block_cnn", two_block_cnn)
    stored = numbers("ex14-two-blocks")
    for args, expected, slips in zip(TWO_BLOCK_CASES, stored["expected"], stored["slips"]):
        n, C_in, F1, F2, k, classes = args
        what = (f"two_block_cnn(n={n}, C_in={C_in}, F1={F1}, F2={F2}, k={k}, classes={classes})")
        flat, total = (int(round(float(v))) for v in expect_tuple(what, two_block_cnn(*args),
                                                                 ("flat_features", "parameters")))
        if flat != expected["flat"]:
            if flat == slips["same_flat"]:
                fail(f"{what}: {flat} features after Flatten, expected {expected['flat']}: the convolutions have "
                     f"no padding, so each one shrinks the maps by k - 1 = {k - 1} pixels")
            if flat == slips["ceil_flat"]:
                fail(f"{what}: {flat} features after Flatten, expected {expected['flat']}: MaxPool2d(2) drops a "
                     "last row or column that does not fill a window (round down)")
            if flat == slips["one_pool_flat"]:
                fail(f"{what}: {flat} features after Flatten, expected {expected['flat']}: each block has its own "
                     "2x2 max-pooling, two in all")
            expect_equal(f"the features after Flatten in {what}", flat, expected["flat"])
        if total == slips["conv2_from_C_in"]:
            fail(f"{what}: {total} parameters, expected {expected['total']}: the second convolution reads the "
                 f"F1 = {F1} feature maps of the first block, not the C_in = {C_in} input channels")
        if total == slips["no_biases"]:
            fail(f"{what}: {total} parameters, expected {expected['total']}: the biases are missing "
                 "(one per filter and one per output of the Linear layer)")
        if total == slips["no_linear"]:
            fail(f"{what}: {total} parameters, expected {expected['total']}: the Linear layer's weights and "
                 "biases are part of the network")
        expect_equal(f"the parameters of {what}", total, expected["total"])


ITEMS = {
    "ex14-max-pool": Item(check_max_pool, title="max pooling forward", hidden=2),
    "ex14-max-pool-backward": Item(check_max_pool_backward, title="max pooling backward", hidden=1),
    "ex14-avg-pool": Item(check_avg_pool, title="mean pooling forward and backward", hidden=2),
    "ex14-params": Item(check_params, title="parameters of a small CNN", hidden=1),
    "ex14-block-gradient": Item(check_block_gradient, title="derive it: the kernel gradient through ReLU and "
                                "max-pooling", hidden=2, numpy_only=True),
    "ex14-two-blocks": Item(check_two_blocks, title="derive it: features and parameters of two conv blocks",
                            hidden=1),
    "ex14-quiz-routing": quiz_item("ex14-quiz-routing", title="quiz: how many entries max-pooling's gradient reaches"),
    "ex14-quiz-features": quiz_item("ex14-quiz-features", title="quiz: features after a conv block"),
    "ex14-quiz-pooling": quiz_item("ex14-quiz-pooling", title="quiz: what pooling does"),
}
