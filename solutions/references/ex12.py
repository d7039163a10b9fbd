"""Reference answers behind the stored numbers of exercise 12 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex12 as items


def squared_distances(X, C):
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)  # (N, K)


def features_numbers():
    D2, sigma = squared_distances(items.X_DEMO, items.CENTERS_DEMO), 0.8
    return {"expected": np.exp(-D2 / (2.0 * sigma ** 2)), "without_2": np.exp(-D2 / sigma ** 2),
            "distance_not_squared": np.exp(-np.sqrt(D2) / (2 * sigma ** 2)),
            "sigma_not_squared": np.exp(-D2 / (2 * sigma)), "sign_flipped": np.exp(D2 / (2 * sigma ** 2))}


def assign_numbers():
    D2 = squared_distances(items.X_DEMO, items.CENTERS_DEMO)
    return {"nearest": np.argmin(D2, axis=1), "farthest": np.argmax(D2, axis=1)}


def update_numbers():
    X, C = items.X_DEMO, items.CENTERS_DEMO
    return {"means": np.array([X[[0, 1, 4]].mean(axis=0), X[2], X[3]]),
            "sums": np.array([X[[0, 1, 4]].sum(axis=0), X[2], X[3]]),
            "with_empty_cluster": np.array([X[[0, 1, 2, 4]].mean(axis=0), C[1], X[3]])}


NUMBERS = {"ex12-features": features_numbers, "ex12-assign": assign_numbers, "ex12-update": update_numbers}
