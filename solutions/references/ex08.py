"""Reference answers behind the stored numbers and quizzes of exercise 08 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex08 as items
from nncourse.grading.quiz import Choice, Number


def standardise(X, mean, std):
    return (X - mean) / np.where(std > 0, std, 1.0)


def standardise_numbers():
    X_train, X_test = items.X_TRAIN, items.X_TEST
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return {"mean": mean, "std": np.where(std > 0, std, 1.0), "sample_std": X_train.std(axis=0, ddof=1),
            "X_train_std": standardise(X_train, mean, std), "X_test_std": standardise(X_test, mean, std),
            "X_test_own_statistics": standardise(X_test, X_test.mean(axis=0), X_test.std(axis=0))}


def relu_variance_case(M_in, M_out, var_w, var_u, var_delta):
    """V{z} and V{dL/du} for z = W relu(u), and the values of the recognised slips."""
    second_moment = var_u / 2  # E{relu(u)^2} for a symmetric zero-mean u
    variance_of_relu = var_u * (0.5 - 1 / (2 * np.pi))  # V{relu(u)} of a Gaussian u: E{x^2} - E{x}^2
    M_avg = (M_in + M_out) / 2
    return {"var_z": M_in * var_w * second_moment, "var_du": M_out * var_w * var_delta / 2,
            "variance_of_relu": M_in * var_w * variance_of_relu, "forward_no_half": M_in * var_w * var_u,
            "forward_fan_out": M_out * var_w * second_moment, "forward_average": M_avg * var_w * second_moment,
            "backward_no_half": M_out * var_w * var_delta, "backward_fan_in": M_in * var_w * var_delta / 2,
            "backward_average": M_avg * var_w * var_delta / 2}


def relu_variances_numbers():
    return {"cases": [relu_variance_case(*case) for case in items.VARIANCE_CASES]}


def glorot_uniform_numbers():
    M_out, M_in = items.SHAPE
    M_avg = (M_in + M_out) / 2
    return {"variance": 1 / M_avg, "limit": float(np.sqrt(3 / M_avg)),  # U(-a, a) has variance a^2 / 3
            "limit_is_std": 1 / M_avg / 3, "limit_fan_in": 1 / M_in, "limit_six_over_avg": 2 / M_avg}


NUMBERS = {"ex08-standardise": standardise_numbers, "ex08-relu-variances": relu_variances_numbers,
           "ex08-glorot-uniform": glorot_uniform_numbers}


def he_std_quiz():
    M_out, M_in = 256, 512  # Linear(512, 256): W has shape (256, 512)
    M_avg = (M_in + M_out) / 2
    return Number(np.sqrt(2 / M_in), tolerance=0.0005, wrong={
        2 / M_in: "that is the variance 2 / M_in; the standard deviation is its square root (numpy's scale)",
        np.sqrt(2 / M_out): "W has shape (out, in) = (256, 512): the fan-in is 512, the number of inputs",
        np.sqrt(2 / M_avg): "that is the lecture's He with M_avg; the question asks for the fan-in convention "
                            "(He et al., PyTorch, nnlib.init.he)",
        np.sqrt(1 / M_in): "that is Xavier's 1 / M_in; He doubles the variance for ReLU",
    })


QUIZZES = {
    "ex08-quiz-he-std": he_std_quiz(),
    "ex08-quiz-constant": Choice(
        "abcd", correct="a",
        explain={
            "b": "every hidden unit sees the same inputs through the same weights, so it computes the same value "
                 "and receives the same gradient; different inputs change all units alike",
            "c": "the weights move, but all four rows of W1 move together; four copies of one unit act like a "
                 "single unit, which cannot separate XOR",
            "d": "nothing moves for all-zero weights on XOR (the output gradients cancel); with 0.5 the weights "
                 "do move, only all in the same way",
        }),
    "ex08-quiz-leak": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "then the test set's values shape the statistics the model is trained with: information about "
                 "the test set leaks into training",
            "d": "the model was trained on inputs transformed with the training statistics; the test inputs must "
                 "go through the same transformation (and a single test example has no statistics of its own)",
        }),
}
