"""Reference answers behind the stored numbers and quizzes of exercise 12 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex12 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.gradcheck import numerical_gradient
from nnlib.rbf import gaussian_features


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


def rbf_loss(X, y, centers, sigma, w, b):
    """L = sum_n (f(x_n) - y_n)^2 / (2N) with f(x) = sum_j w_j phi_j(x) + b, phi from nnlib."""
    residual = gaussian_features(X, centers, sigma) @ w + b - y  # (N,)
    return float(np.mean(residual ** 2) / 2)


def output_gradient_numbers():
    X, y, sigma = items.X_DEMO, items.Y_DEMO, 0.8
    centers, w, b = items.CENTERS_DEMO.copy(), items.W_DEMO.copy(), np.array([items.B_DEMO])
    numeric = {"dw": numerical_gradient(lambda _: rbf_loss(X, y, centers, sigma, w, b[0]), w),
               "db": numerical_gradient(lambda _: rbf_loss(X, y, centers, sigma, w, b[0]), b)[0],
               "dcenters": numerical_gradient(lambda _: rbf_loss(X, y, centers, sigma, w, b[0]), centers)}
    Phi = gaussian_features(X, centers, sigma)  # (N, K)
    residual = Phi @ w + b[0] - y  # (N,)
    diff = X[:, None, :] - centers[None, :, :]  # (N, K, D) x_n - z_j
    share = (residual[:, None] * Phi)[:, :, None] * diff  # (N, K, D) without w_j and 1/sigma^2
    N = len(X)
    slips = {"dC_sigma_not_squared": w[:, None] * share.sum(axis=0) / (N * sigma),
             "dC_without_w": share.sum(axis=0) / (N * sigma ** 2),
             "dC_without_phi": w[:, None] * (residual[:, None, None] * diff).sum(axis=0) / (N * sigma ** 2)}
    return {"numeric": numeric, "slips": slips}


def width_numbers():
    expected, slips = [], []
    for r, level in items.WIDTH_CASES:
        expected.append(float(r / np.sqrt(2 * np.log(1 / level))))
        slips.append({"log10": float(r / np.sqrt(2 * np.log10(1 / level))),
                      "without_2": float(r / np.sqrt(np.log(1 / level))),
                      "variance": float(r ** 2 / (2 * np.log(1 / level)))})
    return {"expected": expected, "slips": slips}


NUMBERS = {"ex12-features": features_numbers, "ex12-assign": assign_numbers, "ex12-update": update_numbers,
           "ex12-output-gradient": output_gradient_numbers, "ex12-width": width_numbers}

QUIZ_X, QUIZ_Z, QUIZ_SIGMA = np.array([[1.0, 1.0]]), np.array([[0.0, 0.0]]), 0.5  # ex12-quiz-feature


def quiz_feature(sigma=QUIZ_SIGMA, squared=True):
    """The feature of the quiz from nnlib (sigma and squared vary for the slips)."""
    if squared:
        return float(gaussian_features(QUIZ_X, QUIZ_Z, sigma)[0, 0])
    return float(np.exp(-np.sqrt(2.0) / (2 * sigma ** 2)))


QUIZZES = {
    "ex12-quiz-feature": Number(
        quiz_feature(), tolerance=0.0005,
        wrong={
            quiz_feature(sigma=QUIZ_SIGMA / np.sqrt(2)): "the factor 2 is missing: the exponent is "
                                                         "-||x - z||^2 / (2 sigma^2)",
            quiz_feature(sigma=np.sqrt(QUIZ_SIGMA)): "that divides by 2 sigma; the exponent has 2 sigma^2 = 0.5",
            quiz_feature(squared=False): "the exponent needs the SQUARED distance, ||x - z||^2 = 2",
        }),
    "ex12-quiz-sigma": Choice(
        "abcd", correct="b",
        explain={
            "a": "islands around the prototypes with gaps in between are the sign of a width that is too SMALL",
            "c": "a very large width makes the features nearly equal, the opposite of memorising: the network "
                 "learns almost nothing",
            "d": "k-means places the prototypes from the inputs alone and does not look at sigma at all",
        }),
    "ex12-quiz-kmeans": Choice(
        "abcd", correct="ad", multiple=True,
        explain={
            "b": "k-means finds a local minimum of J that depends on the starting centres; that is why nnlib "
                 "restarts it from several starts and keeps the best run",
            "c": "k-means looks only at the inputs: it is unsupervised, the labels are used later by the output layer",
        }),
}
