"""Reference answers behind the stored numbers of exercise 13 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex13 as items


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


NUMBERS = {"ex13-conv2d": conv2d_numbers}
