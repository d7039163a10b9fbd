"""Reference answers behind the stored numbers of exercise 14 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex14 as items
from nnlib.gradcheck import numerical_gradient


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


NUMBERS = {"ex14-max-pool": max_pool_numbers, "ex14-max-pool-backward": max_pool_backward_numbers,
           "ex14-avg-pool": avg_pool_numbers}
