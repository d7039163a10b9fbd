"""Reference answers behind the stored numbers and quizzes of exercise 14 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex14 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.activations import ReLU
from nnlib.conv import Conv2d
from nnlib.gradcheck import numerical_gradient
from nnlib.layers import Flatten, Linear
from nnlib.module import Sequential
from nnlib.pooling import MaxPool2d


def windows(H, W, k, s):
    for i in range((H - k) // s + 1):
        for j in range((W - k) // s + 1):
            yield i, j, slice(s * i, s * i + k), slice(s * j, s * j + k)


def pool(A, k, s, reduce):
    H, W = A.shape
    out = np.zeros(((H - k) // s + 1, (W - k) // s + 1))
    for i, j, rows, cols in windows(H, W, k, s):
        out[i, j] = reduce(A[rows, cols])
    return out


def max_backward(A, delta, k, s, accumulate=True):
    dA = np.zeros_like(A)
    for i, j, rows, cols in windows(*A.shape, k, s):
        u, v = np.unravel_index(np.argmax(A[rows, cols]), (k, k))
        if accumulate:
            dA[rows.start + u, cols.start + v] += delta[i, j]
        else:
            dA[rows.start + u, cols.start + v] = delta[i, j]
    return dA


def avg_backward(shape, delta, k, s):
    dA = np.zeros(shape)
    for i, j, rows, cols in windows(*shape, k, s):
        dA[rows, cols] += delta[i, j] / (k * k)
    return dA


def forward_numbers(reduce, other):
    A = items.forward_map()
    return {"lesson": pool(items.FEATURE_MAP, 2, 2, reduce), "lesson_other": pool(items.FEATURE_MAP, 2, 2, other),
            "map": [pool(A, k, s, reduce) for k, s in items.FORWARD_CASES]}


def max_pool_numbers():
    return forward_numbers(np.max, np.mean)


def max_pool_backward_numbers():
    A, delta, A_random, delta_random = items.backward_inputs()

    def loss(_):
        return float(np.sum(pool(A_random, 3, 2, np.max) * delta_random))

    return {"lesson": max_backward(items.FEATURE_MAP, items.DELTA, 2, 2),
            "lesson_everywhere": avg_backward((4, 4), items.DELTA, 2, 2) * 4,
            "lesson_mean": avg_backward((4, 4), items.DELTA, 2, 2),
            "overlapping": max_backward(A, delta, 3, 1),
            "overlapping_assigned": max_backward(A, delta, 3, 1, accumulate=False),
            "numeric": numerical_gradient(loss, A_random)}  # A_random is perturbed in place and restored


def avg_pool_numbers():
    numbers = forward_numbers(np.mean, np.max)
    delta = np.random.default_rng(2).normal(size=(3, 3))
    numbers["backward_lesson"] = avg_backward((4, 4), items.DELTA, 2, 2)
    numbers["backward_overlapping"] = avg_backward((5, 5), delta, 3, 1)
    return numbers


def block_backward(I, F, b, delta_P):
    """(dF, db) of conv -> ReLU -> 2x2 max-pooling in nnlib, for the loss sum(delta_P * P)."""
    conv = Conv2d(1, 1, F.shape[0], init="zeros")
    conv.W[0, 0] = F
    conv.b[0] = b
    block = Sequential(conv, ReLU(), MaxPool2d(2))
    block(I[None, None])
    block.backward(delta_P[None, None])
    return conv.dW[0, 0].copy(), float(conv.db[0])


def correlate(I, delta):
    """Valid cross-correlation of I with delta (the kernel gradient of lesson 13)."""
    h, w = delta.shape
    size = (I.shape[0] - h + 1, I.shape[1] - w + 1)
    return np.array([[np.sum(I[m:m + h, n:n + w] * delta) for n in range(size[1])] for m in range(size[0])])


def block_slips(I, F, b, delta_P):
    """The kernel gradient without ReLU's mask and with mean-pooling's routing (slips)."""
    Z = correlate(I, F) + b  # (4, 4)
    A = np.maximum(Z, 0.0)
    routed = max_backward(A, delta_P, 2, 2)  # first maximum on a tie, as np.argmax
    return {"no_relu": correlate(I, routed),
            "mean_routing": correlate(I, avg_backward(Z.shape, delta_P, 2, 2) * (Z > 0))}


def block_gradient_numbers():
    I, F, b, delta_P = items.block_inputs()
    dF, db = block_backward(I, F, b, delta_P)
    return {"dF": dF, "db": db, "rotated": dF[::-1, ::-1], **block_slips(I, F, b, delta_P)}


def two_block_counts(n, C_in, F1, F2, k, classes, padding=0, pools=2):
    """(flat features, parameters) of the network built with nnlib (padding and pools make the slips)."""
    layers = [Conv2d(C_in, F1, k, padding=padding, rng=0), ReLU(), MaxPool2d(2),
              Conv2d(F1, F2, k, padding=padding, rng=1), ReLU()]
    if pools == 2:
        layers.append(MaxPool2d(2))
    features = Sequential(*layers, Flatten())
    flat = features(np.zeros((1, C_in, n, n))).shape[1]
    network = Sequential(features, Linear(flat, classes, rng=2))
    return flat, sum(p.data.size for p in network.parameters())


def ceil_flat(n, F2, k):
    """Features after Flatten when both poolings round up (a slip)."""
    size = -(-(n - k + 1) // 2)
    size = -(-(size - k + 1) // 2)
    return F2 * size * size


def two_block_numbers():
    expected, slips = [], []
    for n, C_in, F1, F2, k, classes in items.TWO_BLOCK_CASES:
        flat, total = two_block_counts(n, C_in, F1, F2, k, classes)
        expected.append({"flat": flat, "total": total})
        conv1 = F1 * (C_in * k * k + 1)
        conv2 = F2 * (F1 * k * k + 1)
        slips.append({"same_flat": two_block_counts(n, C_in, F1, F2, k, classes, padding="same")[0],
                      "ceil_flat": ceil_flat(n, F2, k),
                      "one_pool_flat": two_block_counts(n, C_in, F1, F2, k, classes, pools=1)[0],
                      "conv2_from_C_in": total - conv2 + F2 * (C_in * k * k + 1),
                      "no_biases": total - F1 - F2 - classes,
                      "no_linear": conv1 + conv2})
    return {"expected": expected, "slips": slips}


NUMBERS = {"ex14-max-pool": max_pool_numbers, "ex14-max-pool-backward": max_pool_backward_numbers,
           "ex14-avg-pool": avg_pool_numbers, "ex14-block-gradient": block_gradient_numbers,
           "ex14-two-blocks": two_block_numbers}


QUIZ_MAP, QUIZ_CONV = 6, (28, 8, 5)  # a 6x6 map pooled 2x2; a 28x28 image through Conv2d(1, 8, 5)


def features_after_block(n, filters, k, padding=0, pool=2):
    """Numbers left after Conv2d(1, filters, k, padding) -> ReLU -> MaxPool2d(pool) -> Flatten, with nnlib."""
    layers = [Conv2d(1, filters, k, padding=padding, rng=0), ReLU()] + ([MaxPool2d(pool)] if pool else []) + [Flatten()]
    return Sequential(*layers)(np.zeros((1, 1, n, n))).shape[1]


QUIZZES = {
    "ex14-quiz-routing": Number(
        (QUIZ_MAP // 2) ** 2, tolerance=0.2,
        wrong={
            QUIZ_MAP ** 2: "that is mean-pooling, which shares delta with every entry of the window; max-pooling "
                           "sends each window's delta to its maximum only",
            4: "each 2x2 window has one maximum, but there are (6/2) x (6/2) windows, not 4",
            1: "every window passes its delta to its own maximum, not only the largest entry of the whole map",
        }),
    "ex14-quiz-features": Number(
        features_after_block(*QUIZ_CONV), tolerance=0.2,
        wrong={
            features_after_block(*QUIZ_CONV, padding="same"): "without padding the 5x5 convolution shrinks the "
                                                              "28x28 image to 24x24 before the pooling",
            features_after_block(*QUIZ_CONV, pool=0): "the 2x2 max-pooling halves the height and the width",
            features_after_block(*QUIZ_CONV) // QUIZ_CONV[1]: "there are 8 feature maps, one per filter; Flatten "
                                                              "keeps all of them",
        }),
    "ex14-quiz-pooling": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "pooling has no parameters: it takes the maximum (or the mean) of fixed windows",
            "d": "pooling works on every feature map separately: it shrinks height and width, the number of "
                 "channels stays the same",
        }),
}
