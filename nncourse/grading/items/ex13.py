"""Visible tests for solutions/ex13_convolution.ipynb (output size, naive conv2d, kernel flip, parameters).

Conventions of the exercise: single-channel images ``I`` of shape ``(H, W)`` and square kernels
``F`` of shape ``(k, k)``; ``conv2d_naive`` computes the **cross-correlation** (no flip), as
PyTorch's and nnlib's ``Conv2d`` do: ``O[i, j] = sum_{m, n} I_pad[s*i + m, s*j + n] F[m, n]``
with ``p`` zeros on every side of ``I``; output sizes are ``(n - k + 2p) // s + 1``. Expected values and
recognised slips are stored numbers from ``solutions/references/ex13.py``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_equal,
    expect_shape,
    expect_unchanged,
    fail,
)
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
    candidate = np.asarray(candidate, dtype=float)
    return got.shape == candidate.shape and bool(np.allclose(got, candidate, rtol=1e-9, atol=1e-9))


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


ITEMS = {
    "ex13-output-size": Item(check_output_size, title="the convolution output size", hidden=2),
    "ex13-conv2d": Item(check_conv2d, title="a naive conv2d with stride and padding", hidden=2),
    "ex13-flip": Item(check_flip, title="flipping a kernel: convolution from cross-correlation", hidden=2),
    "ex13-params": Item(check_params, title="parameters of a convolutional layer", hidden=1),
}
