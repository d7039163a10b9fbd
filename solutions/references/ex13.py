"""Reference answers behind the stored numbers and quizzes of exercise 13 (instructor side only).

The backward numbers come from ``nnlib.conv.Conv2d.backward``; the recognised slips are computed
here with the slip made on purpose.
"""

import numpy as np

from nncourse.grading.items import ex13 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.conv import Conv2d


def correlate(I, F, stride=1, padding=0):
    """Cross-correlation with loops."""
    I = np.pad(np.asarray(I, dtype=float), padding)
    k = F.shape[0]
    H_out = (I.shape[0] - k) // stride + 1
    W_out = (I.shape[1] - k) // stride + 1
    out = np.zeros((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[i, j] = np.sum(I[i * stride:i * stride + k, j * stride:j * stride + k] * F)
    return out


def conv2d_numbers():
    I, F = items.conv_inputs()
    cases = items.STRIDES_PADDINGS
    return {"sap_flipped": correlate(items.SAP_I, items.SAP_F[::-1, ::-1]),
            "sap_transposed": correlate(items.SAP_I, items.SAP_F.T),
            "expected": [correlate(I, F, stride, padding) for stride, padding in cases],
            "no_padding": [correlate(I, F, stride, 0) for stride, _ in cases],
            "no_stride": [correlate(I, F, 1, padding) for _, padding in cases]}


def dilated_size(n, k, p, s, d, span=None):
    """Output size of a dilated convolution; ``span`` overrides the width d (k - 1) + 1 of one window (slips)."""
    span = d * (k - 1) + 1 if span is None else span
    return (n + 2 * p - span) // s + 1


def dilation_numbers():
    cases = items.DILATION_CASES
    return {"expected": [dilated_size(*case) for case in cases],
            "undilated": [dilated_size(n, k, p, s, 1) for n, k, p, s, _ in cases],
            "span_dk": [dilated_size(n, k, p, s, d, span=d * k) for n, k, p, s, d in cases],
            "span_without_one": [dilated_size(n, k, p, s, d, span=d * (k - 1)) for n, k, p, s, d in cases]}


def layer_backward(A, W, delta, stride, padding):
    """(dA_prev, dW, db) of nnlib's Conv2d holding the kernels W."""
    C_out, C_in, k, _ = W.shape
    conv = Conv2d(C_in, C_out, k, stride=stride, padding=padding, init="zeros")
    conv.W[...] = W
    conv(A)
    dA = conv.backward(delta)
    return dA, conv.dW.copy(), conv.db.copy()


def single_backward(I, F, delta, stride=1, padding=0):
    """(dI, dF, db) for one image and one kernel, through Conv2d."""
    dA, dW, db = layer_backward(I[None, None], F[None, None], delta[None, None], stride, padding)
    return dA[0, 0], dW[0, 0], float(db[0])


def kernel_gradient_slip(I, F, delta, stride, padding, step):
    """The kernel gradient with the windows moved by ``step`` instead of the stride (a slip if step != stride)."""
    I_pad = np.pad(I, padding)
    k = F.shape[0]
    dF = np.zeros_like(F)
    for m in range(k):
        for n in range(k):
            rows = I_pad[m:m + step * (delta.shape[0] - 1) + 1:step, :]
            dF[m, n] = np.sum(delta * rows[:, n:n + step * (delta.shape[1] - 1) + 1:step])
    return dF


def input_gradient_slip(I, F, delta, padding):
    """The input gradient with the stride ignored: delta(i, j) * F added to the window at (i, j)."""
    k = F.shape[0]
    dI_pad = np.zeros((I.shape[0] + 2 * padding, I.shape[1] + 2 * padding))
    for i in range(delta.shape[0]):
        for j in range(delta.shape[1]):
            dI_pad[i:i + k, j:j + k] += delta[i, j] * F
    return dI_pad[padding:padding + I.shape[0], padding:padding + I.shape[1]]


def grad_kernel_numbers():
    _, dF, db = single_backward(items.SAP_I, items.SAP_F, items.SAP_DELTA)
    cases, slips = [], []
    for stride, padding, I, F, delta in items._backward_cases():
        _, dF_case, db_case = single_backward(I, F, delta, stride, padding)
        cases.append({"dF": dF_case, "db": db_case})
        slips.append({"no_stride": kernel_gradient_slip(I, F, delta, stride, padding, step=1)})
    return {"sap_dF": dF, "sap_db": db, "sap_rotated": dF[::-1, ::-1], "cases": cases, "slips": slips}


def grad_input_numbers():
    dI, _, _ = single_backward(items.SAP_I, items.SAP_F, items.SAP_DELTA)
    cases, slips = [], []
    for stride, padding, I, F, delta in items._backward_cases():
        cases.append(single_backward(I, F, delta, stride, padding)[0])
        slips.append({"no_stride": input_gradient_slip(I, F, delta, padding)})
    return {"sap_dI": dI, "sap_not_rotated": correlate(np.pad(items.SAP_DELTA, 2), items.SAP_F),
            "cases": cases, "slips": slips}


def layer_backward_numbers():
    cases, slips = [], []
    for A, W, delta, stride, padding in items.layer_inputs():
        dA, dW, db = layer_backward(A, W, delta, stride, padding)
        cases.append({"dA": dA, "dW": dW, "db": db})
        last = W.shape[0] - 1  # the slip: only the last filter's share reaches dA_prev
        slips.append({"dA_last_filter": layer_backward(A, W[last:], delta[:, last:], stride, padding)[0]})
    return {"cases": cases, "slips": slips}


NUMBERS = {"ex13-conv2d": conv2d_numbers, "ex13-dilation": dilation_numbers,
           "ex13-conv-grad-kernel": grad_kernel_numbers, "ex13-conv-grad-input": grad_input_numbers,
           "ex13-conv-backward": layer_backward_numbers}


def output_size(n, k, p, s):
    return (n - k + 2 * p) // s + 1


QUIZ_N, QUIZ_K, QUIZ_P, QUIZ_S = 32, 5, 2, 2  # the question of ex13-quiz-output-size
QUIZ_C_IN, QUIZ_C_OUT, QUIZ_KERNEL = 16, 32, 5  # Conv2d(16, 32, 5) of ex13-quiz-params

QUIZZES = {
    "ex13-quiz-output-size": Number(
        output_size(QUIZ_N, QUIZ_K, QUIZ_P, QUIZ_S), tolerance=0.2,
        wrong={
            (QUIZ_N - QUIZ_K + 2 * QUIZ_P) / QUIZ_S + 1: "the stride does not divide n - k + 2p = 31 evenly; the "
            "last, incomplete window is dropped, so round (n - k + 2p) / s down before adding 1",
            -(-(QUIZ_N - QUIZ_K + 2 * QUIZ_P) // QUIZ_S) + 1: "you rounded up; the last, incomplete window is "
            "dropped, so round down",
            output_size(QUIZ_N, QUIZ_K, QUIZ_P, QUIZ_S) - 1: "the + 1 is missing: the first window sits at "
            "position 0, the others follow every s pixels",
            output_size(QUIZ_N, QUIZ_K, 0, QUIZ_S): "the padding is missing: p = 2 zeros on each side make the "
            "input 36 wide",
        }),
    "ex13-quiz-params": Number(
        QUIZ_C_OUT * (QUIZ_C_IN * QUIZ_KERNEL ** 2 + 1), tolerance=0.2,
        wrong={
            QUIZ_C_OUT * QUIZ_C_IN * QUIZ_KERNEL ** 2: "the 32 biases (one per filter) are missing",
            QUIZ_C_OUT * (QUIZ_KERNEL ** 2 + 1): "each filter has one 5x5 kernel per input channel, 16 of them",
            QUIZ_C_OUT * QUIZ_C_IN * QUIZ_KERNEL ** 2 + QUIZ_C_IN: "there is one bias per filter (output "
            "channel), not per input channel",
            QUIZ_C_IN * (QUIZ_C_OUT * QUIZ_KERNEL ** 2 + 1): "in and out channels are swapped: 32 filters, each "
            "with a 16 x 5 x 5 kernel and one bias",
        }),
    "ex13-quiz-input-gradient": Choice(
        "abcd", correct="b",
        explain={
            "a": "the correlation of the input with delta is the KERNEL gradient dL/dF (a k x k result)",
            "c": "a valid correlation of delta (3x3) with the 3x3 kernel gives a single number; every input pixel "
                 "needs a gradient, which takes the full correlation, and the kernel must be rotated",
            "d": "the sum of delta is the BIAS gradient",
        }),
}
