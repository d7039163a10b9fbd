"""Visible tests for solutions/ex13_convolution.ipynb (output size, naive conv2d, kernel flip, parameters,
the output size with dilation, the backward pass of a convolution, quizzes).

Conventions of the exercise: single-channel images ``I`` of shape ``(H, W)`` and square kernels
``F`` of shape ``(k, k)``; ``conv2d_naive`` computes the **cross-correlation** (no flip), as
PyTorch's and nnlib's ``Conv2d`` do: ``O[i, j] = sum_{m, n} I_pad[s*i + m, s*j + n] F[m, n]``
with ``p`` zeros on every side of ``I``; output sizes are ``(n - k + 2p) // s + 1``. The backward
items receive ``delta = dL/dZ`` of the output's shape; the layer item uses ``Conv2d``'s shapes
``(N, C_in, H, W)``, ``(C_out, C_in, k, k)``, ``(C_out,)``. Expected values and recognised slips are
stored numbers from ``solutions/references/ex13.py`` (the backward numbers come from
``nnlib.conv.Conv2d.backward``).
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

SAP_I = np.array([
    [3.0, 3.0, 2.0, 1.0, 0.0],
    [0.0, 0.0, 1.0, 3.0, 1.0],
    [3.0, 1.0, 2.0, 2.0, 3.0],
    [2.0, 0.0, 0.0, 2.0, 2.0],
    [2.0, 0.0, 0.0, 0.0, 1.0],
])
SAP_F = np.array([[0.0, 1.0, 2.0], [2.0, 2.0, 0.0], [0.0, 1.0, 2.0]])
SAP_OUT = np.array([[12.0, 12.0, 17.0], [10.0, 17.0, 19.0], [9.0, 6.0, 14.0]])


STRIDES_PADDINGS = ((2, 0), (1, 1), (2, 1), (3, 2))


def conv_inputs():
    """A 7x6 image and a 3x3 kernel of small integers."""
    rng = np.random.default_rng(0)
    return rng.integers(-3, 4, size=(7, 6)).astype(float), rng.integers(-2, 3, size=(3, 3)).astype(float)


def _same(got, candidate):
    return matches(got, candidate, rtol=1e-9, atol=1e-9)


def check_output_size(output_size):
    """output_size(n, k, p, s) = (n - k + 2p) // s + 1 as an int."""
    expect_callable("output_size", output_size)
    for mode, p, expected in (("valid", 0, 2), ("same", 1, 4), ("full", 2, 6)):
        got = output_size(4, 3, p, 1)
        if got is None:
            fail("output_size returned None; did you forget the `return` statement?")
        if isinstance(got, float) and got == expected:
            fail(f"output_size(4, 3, {p}, 1) returned the float {got}; return an int (use // for the division)")
        if got == expected - 1:
            fail(f"output_size(4, 3, {p}, 1) (the DHBW deck's {mode} convolution) gives {got}, expected {expected}: "
                 "the + 1 is missing")
        if p and got == 4 - 3 + 1:
            fail(f"output_size(4, 3, {p}, 1) gives {got}, expected {expected}: the padding is ignored; "
                 "it adds 2p (p zeros on each side)")
        if p and got == 4 - 3 + p + 1:
            fail(f"output_size(4, 3, {p}, 1) gives {got}, expected {expected}: add 2p, not p "
                 "(the zeros go on both sides)")
        expect_equal(f"output_size(4, 3, {p}, 1), the DHBW deck's {mode} convolution of a 4x4 input "
                     "with a 3x3 kernel", got, expected)
    got = output_size(28, 5, 0, 2)
    if isinstance(got, float):
        fail(f"output_size(28, 5, 0, 2) returned the float {got}; (28 - 5) / 2 + 1 = 12.5 must be rounded "
             "down to the int 12 (the last incomplete window is dropped): use //")
    if got == (28 - 5) // 2:
        fail("output_size(28, 5, 0, 2) gives 11, expected 12: the + 1 is missing")
    if got == 13:
        fail("output_size(28, 5, 0, 2) gives 13, expected 12: round down, not up")
    expect_equal("output_size(28, 5, 0, 2) (stride 2 does not divide 28 - 5 evenly)", got, 12)
    expect_equal("output_size(7, 3, 1, 2)", output_size(7, 3, 1, 2), 4)


def check_conv2d(conv2d_naive):
    """conv2d_naive(I, F, stride, padding): the SAP example, then stride and padding."""
    expect_callable("conv2d_naive", conv2d_naive)
    stored = numbers("ex13-conv2d")
    I, F = SAP_I.copy(), SAP_F.copy()
    got = as_array("conv2d_naive(I, F)", conv2d_naive(I, F))
    expect_unchanged("I", I, SAP_I)
    expect_unchanged("F", F, SAP_F)
    what = "conv2d_naive(I, F) on the SAP deck's 5x5 example (stride 1, no padding)"
    expect_shape(what, got, (3, 3))
    if _same(got, stored["sap_flipped"]):
        fail(f"{what}: you flipped the kernel (that is the textbook convolution); conv2d_naive must "
             "compute the cross-correlation, I[i + m, j + n] * F[m, n], like Conv2d")
    if _same(got, stored["sap_transposed"]):
        fail(f"{what}: the kernel is transposed; multiply window[m, n] with F[m, n]")
    expect_array(what, got, SAP_OUT)
    I, F = conv_inputs()
    for (stride, padding), expected, no_padding, no_stride in zip(STRIDES_PADDINGS, stored["expected"],
                                                                  stored["no_padding"], stored["no_stride"]):
        what = f"conv2d_naive(I, F, stride={stride}, padding={padding}) for a 7x6 input and a 3x3 kernel"
        got = as_array(what, conv2d_naive(I.copy(), F.copy(), stride=stride, padding=padding))
        if padding and _same(got, no_padding):
            fail(f"{what}: the padding is ignored; add `padding` zeros on every side first (np.pad)")
        if stride > 1 and _same(got, no_stride):
            fail(f"{what}: the stride is ignored; window (i, j) starts at row stride*i, column stride*j")
        if stride > 1 and got.shape != expected.shape:
            fail(f"{what}: wrong shape, expected {expected.shape}, got {got.shape}; the output size is "
                 "(n - k + 2p) // s + 1 along each axis")
        expect_array(what, got, expected)


def check_flip(flip_kernel):
    """flip_kernel(F) = F rotated by 180 degrees (both axes reversed), a new array."""
    expect_callable("flip_kernel", flip_kernel)
    F = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    F_copy = F.copy()
    got = as_array("flip_kernel(F)", flip_kernel(F))
    what = "flip_kernel([[1, 2, 3], [4, 5, 6], [7, 8, 9]])"
    expect_shape(what, got, (3, 3))
    expected = np.array([[9.0, 8.0, 7.0], [6.0, 5.0, 4.0], [3.0, 2.0, 1.0]])
    if _same(got, F_copy.T):
        fail(f"{what}: you transposed the kernel; the convolution needs it rotated by 180 degrees "
             "(rows AND columns reversed): F[::-1, ::-1]")
    if _same(got, F_copy[::-1, :]):
        fail(f"{what}: only the rows are reversed; reverse the columns too (F[::-1, ::-1])")
    if _same(got, F_copy[:, ::-1]):
        fail(f"{what}: only the columns are reversed; reverse the rows too (F[::-1, ::-1])")
    expect_array(what, got, expected)
    expect_unchanged("F", F, F_copy)


def check_params(conv_parameters):
    """conv_parameters(in_channels, out_channels, kernel_size) = C_out * (C_in * k^2 + 1)."""
    expect_callable("conv_parameters", conv_parameters)
    got = conv_parameters(3, 16, 3)
    if got == 16 * 3 * 9:
        fail("conv_parameters(3, 16, 3) gives 432, expected 448: the 16 biases (one per filter) are missing")
    if got == 16 * (9 + 1):
        fail("conv_parameters(3, 16, 3) gives 160, expected 448: each filter has one 3x3 kernel per input "
             "channel, so C_in * k * k weights")
    if got == 16 * 3 * 9 + 3:
        fail("conv_parameters(3, 16, 3) gives 435, expected 448: there is one bias per output channel (filter), "
             "not per input channel")
    expect_equal("conv_parameters(3, 16, 3): 16 filters of 3 x 3 x 3 plus 16 biases", got, 448)
    expect_equal("conv_parameters(1, 8, 5)", conv_parameters(1, 8, 5), 8 * 26)


DILATION_CASES = ((7, 3, 0, 1, 2), (28, 3, 2, 1, 2), (32, 5, 4, 2, 2), (10, 3, 1, 2, 3), (15, 2, 0, 1, 4),
                  (9, 3, 1, 1, 1))  # (n, k, p, s, d)


def check_dilation(dilated_output_size):
    """dilated_output_size(n, k, p, s, d): the output size when the k taps of the kernel are d apart."""
    expect_callable("dilated_output_size", dilated_output_size)
    stored = numbers("ex13-dilation")
    slips = zip(stored["expected"], stored["undilated"], stored["span_dk"], stored["span_without_one"])
    for (n, k, p, s, d), (expected, undilated, span_dk, span_without_one) in zip(DILATION_CASES, slips):
        what = f"dilated_output_size(n={n}, k={k}, p={p}, s={s}, d={d})"
        got = dilated_output_size(n, k, p, s, d)
        if got is None:
            fail(f"{what} returned None; did you forget the `return` statement?")
        if isinstance(got, float):
            fail(f"{what} returned the float {got}; return an int (round down with //)")
        if got == expected:
            continue
        taps = ", ".join(str(d * m) for m in range(k))
        if d > 1 and got == undilated:
            fail(f"{what} gives {got}, expected {expected}: the dilation is ignored. With d = {d} the {k} taps "
                 f"sit at offsets {taps}, so one window covers more than {k} pixels")
        if got == span_dk:
            fail(f"{what} gives {got}, expected {expected}: you took the window as d * k = {d * k} pixels wide. "
                 f"The taps sit at offsets {taps}: count the pixels from the first to the last tap")
        if got == span_without_one:
            fail(f"{what} gives {got}, expected {expected}: off by one. The taps sit at offsets {taps}; a window "
                 f"from offset 0 to offset {d * (k - 1)} covers {d * (k - 1) + 1} pixels, not {d * (k - 1)}")
        expect_equal(what, got, expected)


SAP_DELTA = np.array([[3.0, 1.0, 1.0], [2.0, -2.0, -1.0], [-2.0, -3.0, 0.0]])  # lesson 13's upstream gradient
BACKWARD_CASES = ((2, 0, (3, 2)), (1, 1, (7, 6)), (2, 1, (4, 3)), (3, 2, (3, 3)))  # (stride, padding, delta shape)


def backward_delta(shape, case):
    """A random upstream gradient of the given output shape (one seed per case)."""
    return np.random.default_rng(10 + case).integers(-3, 4, size=shape).astype(float)


def _backward_cases():
    """(stride, padding, I, F, delta) for the 7x6 image and 3x3 kernel of conv_inputs()."""
    I, F = conv_inputs()
    return [(stride, padding, I, F, backward_delta(shape, case))
            for case, (stride, padding, shape) in enumerate(BACKWARD_CASES)]


def check_grad_kernel(conv2d_grad_kernel):
    """conv2d_grad_kernel(I, F, delta, stride, padding) -> (dF (k, k), db): the SAP example, then stride/padding."""
    expect_callable("conv2d_grad_kernel", conv2d_grad_kernel)
    stored = numbers("ex13-conv-grad-kernel")
    I, F, delta = SAP_I.copy(), SAP_F.copy(), SAP_DELTA.copy()
    what = "conv2d_grad_kernel(I, F, delta) on the SAP example with the lesson's delta (stride 1, no padding)"
    dF, db = expect_tuple(what, conv2d_grad_kernel(I, F, delta), ("dF", "db"))
    for name, array, original in (("I", I, SAP_I), ("F", F, SAP_F), ("delta", delta, SAP_DELTA)):
        expect_unchanged(name, array, original)
    dF = as_array(f"dF of {what}", dF)
    if _same(dF, stored["sap_rotated"]):
        fail(f"{what}: dF is rotated by 180 degrees; F(m, n) multiplies I(i + m, j + n) in window (i, j), "
             "so dL/dF(m, n) collects delta(i, j) * I(i + m, j + n): the input correlated with delta, no rotation")
    expect_array(f"dF of {what}", dF, stored["sap_dF"],
                 hint="dL/dF(m, n) = sum over (i, j) of delta(i, j) * I(i + m, j + n)")
    if np.size(db) == 1 and np.isclose(float(np.squeeze(db)), stored["sap_db"] / delta.size):
        fail(f"db of {what}: you averaged delta; the bias is added to every output, so db is the SUM of delta")
    expect_close(f"db of {what}", db, stored["sap_db"], hint="the bias is added to every output: sum all of delta")
    for (stride, padding, I, F, delta), expected, slips in zip(_backward_cases(), stored["cases"], stored["slips"]):
        what = f"conv2d_grad_kernel(I (7, 6), F (3, 3), delta {delta.shape}, stride={stride}, padding={padding})"
        dF, db = expect_tuple(what, conv2d_grad_kernel(I.copy(), F.copy(), delta.copy(), stride=stride,
                                                       padding=padding), ("dF", "db"))
        dF = expect_shape(f"dF of {what} (the kernel's shape)", dF, (3, 3))
        if stride > 1 and _same(dF, slips["no_stride"]):
            fail(f"{what}: dF ignores the stride; output (i, j) read the window whose corner is at row "
                 f"{stride}*i, column {stride}*j, so delta(i, j) multiplies I_pad({stride}i + m, {stride}j + n)")
        expect_array(f"dF of {what}", dF, expected["dF"])
        expect_close(f"db of {what}", db, expected["db"])


def check_grad_input(conv2d_grad_input):
    """conv2d_grad_input(I, F, delta, stride, padding) -> dI of I's shape: the SAP example, then stride/padding."""
    expect_callable("conv2d_grad_input", conv2d_grad_input)
    stored = numbers("ex13-conv-grad-input")
    I, F, delta = SAP_I.copy(), SAP_F.copy(), SAP_DELTA.copy()
    what = "conv2d_grad_input(I, F, delta) on the SAP example with the lesson's delta (stride 1, no padding)"
    dI = as_array(what, conv2d_grad_input(I, F, delta))
    for name, array, original in (("I", I, SAP_I), ("F", F, SAP_F), ("delta", delta, SAP_DELTA)):
        expect_unchanged(name, array, original)
    if dI.shape == (1, 1):
        fail(f"{what}: got shape (1, 1); a valid correlation of delta (3x3) with the kernel (3x3) is too small. "
             "Every one of the 25 input pixels needs its gradient: pad delta with k - 1 = 2 zeros on every side "
             "(a full correlation)")
    expect_shape(f"{what} (the input's shape)", dI, (5, 5))
    if _same(dI, stored["sap_not_rotated"]):
        fail(f"{what}: the kernel is not rotated; pixel I(r, c) meets F(r - i, c - j) in window (i, j), which "
             "read as a correlation of the padded delta uses the kernel rotated by 180 degrees (F[::-1, ::-1])")
    expect_array(what, dI, stored["sap_dI"],
                 hint="dL/dI(r, c) = sum over the windows (i, j) that contain (r, c) of delta(i, j) * F(r - i, c - j)")
    for (stride, padding, I, F, delta), expected, slips in zip(_backward_cases(), stored["cases"], stored["slips"]):
        what = f"conv2d_grad_input(I (7, 6), F (3, 3), delta {delta.shape}, stride={stride}, padding={padding})"
        dI = as_array(what, conv2d_grad_input(I.copy(), F.copy(), delta.copy(), stride=stride, padding=padding))
        if padding and dI.shape == (7 + 2 * padding, 6 + 2 * padding):
            fail(f"{what}: got shape {dI.shape}, the padded input's; the zeros of the padding are not inputs: "
                 f"crop {padding} rows and columns from every side, to the shape of I (7, 6)")
        expect_shape(f"{what} (the input's shape)", dI, (7, 6))
        if stride > 1 and _same(dI, slips["no_stride"]):
            fail(f"{what}: the stride is ignored; window (i, j) starts at row {stride}*i, column {stride}*j of the "
                 f"padded input, so delta(i, j) * F goes there (equivalently: put {stride - 1} zeros between the "
                 "entries of delta first)")
        expect_array(what, dI, expected,
                     hint="add delta(i, j) * F to the window (i, j) of a zero array of the padded input's shape, "
                          "then crop the padding")


def layer_inputs():
    """Two layer cases: (A_prev, W, delta, stride, padding) with Conv2d's shapes."""
    rng = np.random.default_rng(3)
    first = (rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=(2, 4, 3, 3)), 2, 1)
    second = (rng.normal(size=(3, 2, 5, 5)), rng.normal(size=(3, 2, 2, 2)), rng.normal(size=(3, 3, 4, 4)), 1, 0)
    return [first, second]


def check_layer_backward(conv_backward):
    """conv_backward(A_prev, W, delta, stride, padding) -> (dA_prev, dW, db), compared with Conv2d's numbers."""
    expect_callable("conv_backward", conv_backward)
    stored = numbers("ex13-conv-backward")
    for (A, W, delta, stride, padding), expected, slips in zip(layer_inputs(), stored["cases"], stored["slips"]):
        N = A.shape[0]
        what = (f"conv_backward(A_prev {A.shape}, W {W.shape}, delta {delta.shape}, stride={stride}, "
                f"padding={padding})")
        copies = [A.copy(), W.copy(), delta.copy()]
        result = expect_tuple(what, conv_backward(A, W, delta, stride=stride, padding=padding), ("dA_prev", "dW", "db"))
        for name, array, original in zip(("A_prev", "W", "delta"), (A, W, delta), copies):
            expect_unchanged(name, array, original)
        dA, dW, db = (as_array(what, value) for value in result)
        if dW.shape == (N,) + W.shape:
            fail(f"{what}: dW has shape {dW.shape}, one kernel gradient per example; the kernels are shared by "
                 "all examples, so sum over the batch: dW has W's shape")
        if db.shape == (N, W.shape[0]):
            fail(f"{what}: db has shape {db.shape}; sum over the batch too, db has shape ({W.shape[0]},)")
        if _same(dA, slips["dA_last_filter"]):
            fail(f"{what}: dA_prev holds only the share of the last filter; every filter read every input "
                 "channel, so add (+=) the shares of all output channels")
        expect_array(f"dW of {what}", dW, expected["dW"], batch_size=N,
                     hint="dW[o, c] = correlation of the padded A_prev[n, c] with delta[n, o], summed over n")
        expect_array(f"db of {what}", db, expected["db"], batch_size=N, hint="db[o] = sum of delta[:, o]")
        expect_array(f"dA_prev of {what}", dA, expected["dA"],
                     hint="dA_prev[n, c] = sum over o of the input gradient of delta[n, o] with the kernel W[o, c]")


ITEMS = {
    "ex13-output-size": Item(check_output_size, title="the convolution output size", hidden=2),
    "ex13-conv2d": Item(check_conv2d, title="a naive conv2d with stride and padding", hidden=2),
    "ex13-flip": Item(check_flip, title="flipping a kernel: convolution from cross-correlation", hidden=2),
    "ex13-params": Item(check_params, title="parameters of a convolutional layer", hidden=1),
    "ex13-dilation": Item(check_dilation, title="derive it: the output size with dilation", hidden=2),
    "ex13-conv-grad-kernel": Item(check_grad_kernel, title="derive it: convolution backward, kernel and bias gradients",
                                  hidden=2, numpy_only=True),
    "ex13-conv-grad-input": Item(check_grad_input, title="derive it: convolution backward, the input gradient",
                                 hidden=2, numpy_only=True),
    "ex13-conv-backward": Item(check_layer_backward, title="convolution backward for a batch with channels",
                               hidden=2, numpy_only=True),
    "ex13-quiz-output-size": quiz_item("ex13-quiz-output-size", title="quiz: an output size with stride"),
    "ex13-quiz-params": quiz_item("ex13-quiz-params", title="quiz: parameters of Conv2d(16, 32, 5)"),
    "ex13-quiz-input-gradient": quiz_item("ex13-quiz-input-gradient", title="quiz: which operation gives dL/dI"),
}
