"""Visible tests for solutions/ex08_initialisation_preprocessing.ipynb (initialisations, standardising, quiz).

Conventions of the exercise (those of lesson 08 and nnlib): a weight matrix has shape
``(out, in)``, so ``M_in = shape[1]`` and ``M_out = shape[0]``; every scheme draws
``w ~ N(0, variance)`` from the generator ``rng`` that is passed in; the *variance* is
``1 / M_in`` (Xavier), ``1 / M_avg`` with ``M_avg = (M_in + M_out) / 2`` (Glorot) and
``2 / M_in`` or ``2 / M_avg`` (He); ``standardise`` uses the training mean and the
population standard deviation (``np.std``, ddof 0) for both sets and divides constant
features by 1. Two derive-it items give a setup and no formula: the forward and backward variances
of a layer fed by ReLU units (slips: the variance instead of the second moment, the lost half, fan-in
and fan-out swapped or averaged) and the half-width of a uniform initialisation with Glorot's
variance. The expected results of ``standardise``, of the two derive-it items and their recognised
slips are stored numbers from ``solutions/references/ex08.py``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

SHAPE = (300, 600)  # (out, in): M_in = 600, M_out = 300, M_avg = 450


def _draw(init, what, shape=SHAPE, seed=0, **kwargs):
    W = as_array(what, init(shape, np.random.default_rng(seed), **kwargs))
    expect_shape(what, W, shape)
    return W


def _check_variance(name, init, variance, candidates, **kwargs):
    """Draw a large matrix and compare its variance with the expected one and with common slips."""
    what = f"{name}({SHAPE}, rng{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
    W = _draw(init, what, **kwargs)
    if np.all(W == W.flat[0]):
        fail(f"{what}: every weight has the same value {W.flat[0]:.4g}; draw random numbers with "
             "rng.normal(0.0, std, size=shape) so the units start different")
    again = _draw(init, what, **kwargs)
    if not np.array_equal(W, again):
        fail(f"{what}: two calls with the same seed gave different weights; draw from the rng that is "
             "passed in (rng.normal or rng.standard_normal), not from np.random")
    other = _draw(init, what, seed=1, **kwargs)
    if np.array_equal(W, other):
        fail(f"{what}: different seeds gave the same weights; use the rng argument to draw them")
    if abs(W.mean()) > 5 * np.sqrt(variance / W.size) + 1e-12:
        fail(f"{what}: the mean of the weights is {W.mean():.4g}, expected about 0 (a zero-mean distribution)")
    got = W.var()
    if abs(got / variance - 1) < 0.03:
        return
    for description, wrong in candidates:
        if wrong > 0 and abs(got / wrong - 1) < 0.03:
            fail(f"{what}: the weight variance is {got:.4g}, expected {variance:.4g}; {description}")
    fail(f"{what}: the weight variance is {got:.4g}, expected {variance:.4g} "
         f"(M_in = {SHAPE[1]}, M_out = {SHAPE[0]})")


def check_xavier(xavier_normal):
    """Xavier: w ~ N(0, 1 / M_in) with M_in = shape[1]."""
    expect_callable("xavier_normal", xavier_normal)
    M_out, M_in = SHAPE
    _check_variance("xavier_normal", xavier_normal, 1 / M_in, [
        ("you used M_out = shape[0]; a weight matrix is (out, in), so the fan-in is shape[1]", 1 / M_out),
        ("you passed the variance 1/M_in as the standard deviation; numpy's scale is the std, "
         "so use np.sqrt(1 / M_in)", 1 / M_in ** 2),
        ("that is Glorot's 1/M_avg; Xavier uses only the fan-in", 2 / (M_in + M_out)),
        ("that is He's 2/M_in; Xavier has no factor 2", 2 / M_in),
    ])


def check_glorot(glorot_normal):
    """Glorot: w ~ N(0, 1 / M_avg), M_avg = (M_in + M_out) / 2."""
    expect_callable("glorot_normal", glorot_normal)
    M_out, M_in = SHAPE
    M_avg = (M_in + M_out) / 2
    _check_variance("glorot_normal", glorot_normal, 1 / M_avg, [
        ("that is Xavier's 1/M_in; Glorot averages fan-in and fan-out: M_avg = (M_in + M_out) / 2", 1 / M_in),
        ("that is 1/M_out; Glorot averages fan-in and fan-out: M_avg = (M_in + M_out) / 2", 1 / M_out),
        ("you divided by M_in + M_out instead of their average (M_in + M_out) / 2", 1 / (M_in + M_out)),
        ("you passed the variance as the standard deviation; use np.sqrt(1 / M_avg)", 1 / M_avg ** 2),
    ])


def check_he(he_normal):
    """He: w ~ N(0, 2 / M_in) (mode 'fan_in', default) or N(0, 2 / M_avg) (mode 'avg')."""
    expect_callable("he_normal", he_normal)
    M_out, M_in = SHAPE
    M_avg = (M_in + M_out) / 2
    _check_variance("he_normal", he_normal, 2 / M_in, [
        ("the factor 2 is missing: ReLU zeroes half of its inputs, He doubles Xavier's 1/M_in", 1 / M_in),
        ("that is the lecture's 2/M_avg; with mode='fan_in' (the default) use 2/M_in", 2 / M_avg),
        ("you used M_out = shape[0]; the fan-in of an (out, in) matrix is shape[1]", 2 / M_out),
        ("you passed the variance as the standard deviation; use np.sqrt(2 / M_in)", (2 / M_in) ** 2),
    ])
    _check_variance("he_normal", he_normal, 2 / M_avg, [
        ("with mode='avg' use the lecture's 2/M_avg, M_avg = (M_in + M_out) / 2", 2 / M_in),
        ("the factor 2 is missing: He is Glorot's variance times 2", 1 / M_avg),
    ], mode="avg")


X_TRAIN = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0], [7.0, 40.0, 5.0]])
X_TEST = np.array([[4.0, 25.0, 5.0], [9.0, 0.0, 6.0]])


def check_standardise(standardise):
    """Standardise with the TRAINING mean and std; constant features divided by 1."""
    expect_callable("standardise", standardise)
    stored = numbers("ex08-standardise")
    X_train, X_test = X_TRAIN.copy(), X_TEST.copy()
    copies = (X_train.copy(), X_test.copy())
    what = "standardise(X_train, X_test)"
    result = expect_tuple(what, standardise(X_train, X_test), 4)
    expect_unchanged("X_train", X_train, copies[0])
    expect_unchanged("X_test", X_test, copies[1])
    train_std, test_std, mean, std = (as_array(f"{name} returned by {what}", value) for name, value in
                                      zip(("X_train_std", "X_test_std", "mean", "std"), result))
    expect_array(f"the mean returned by {what} (X_train = {X_TRAIN.tolist()})", mean, stored["mean"],
                 hint="the mean of every column (feature) of X_train: X_train.mean(axis=0)")
    if std.shape == (3,) and np.allclose(std[:2], stored["sample_std"][:2]):
        fail(f"{what}: std uses ddof=1 (the sample std); use the population std X_train.std(axis=0)")
    if std.shape == (3,) and std[2] == 0:
        fail(f"{what}: the third feature never changes (std 0); return std 1 for it so it is only "
             "centred and never divided by zero")
    expect_array(f"the std returned by {what}", std, stored["std"],
                 hint="X_train.std(axis=0), with zeros replaced by 1")
    expect_array(f"X_train_std returned by {what}", train_std, stored["X_train_std"], hint="(X_train - mean) / std")
    if test_std.shape == X_TEST.shape and np.allclose(test_std, stored["X_test_own_statistics"]):
        fail(f"{what}: X_test was standardised with its own mean and std; use the TRAINING statistics "
             "for the test set as well, otherwise test information leaks into the model")
    expect_array(f"X_test_std returned by {what}", test_std, stored["X_test_std"],
                 hint="(X_test - mean) / std with the training mean and std")


# (M_in, M_out, var_w, var_u, var_delta) for relu_layer_variances; the first is the task's worked number
VARIANCE_CASES = [(100, 400, 0.02, 1.0, 1.0), (256, 64, 0.005, 2.5, 0.4), (30, 30, 0.1, 0.3, 2.0)]
FORWARD_SLIPS = [
    ("variance_of_relu", "you used the variance of relu(u); w x has variance V{w} E{x^2}, the second moment, "
     "and x = relu(u) is not zero-mean, so E{x^2} is not V{x}"),
    ("forward_no_half", "the ReLU zeroes the negative half of its inputs: E{relu(u)^2} is half of var_u"),
    ("forward_fan_out", "z_j sums one term per input, M_in of them; M_out counts the outputs"),
    ("forward_average", "that uses M_avg = (M_in + M_out) / 2, Glorot's compromise; the forward sum has exactly "
     "M_in terms"),
]
BACKWARD_SLIPS = [
    ("backward_no_half", "relu'(u) is 0 for the negative half of the u, so it halves the variance of the "
     "gradient on the way back too"),
    ("backward_fan_in", "the gradient of u_i sums one term per unit that x_i feeds, M_out of them (the column "
     "i of W)"),
    ("backward_average", "that uses M_avg; the backward sum has exactly M_out terms"),
]


def check_relu_variances(relu_layer_variances):
    """Variances of z = W relu(u) and of dL/du, against stored values and recognised slips."""
    expect_callable("relu_layer_variances", relu_layer_variances)
    stored = numbers("ex08-relu-variances")
    for case, expected in zip(VARIANCE_CASES, stored["cases"]):
        M_in, M_out, var_w, var_u, var_delta = case
        what = (f"relu_layer_variances(M_in={M_in}, M_out={M_out}, var_w={var_w}, var_u={var_u}, "
                f"var_delta={var_delta})")
        var_z, var_du = expect_tuple(what, relu_layer_variances(*case), ("var_z", "var_du"))
        var_z = float(as_array(f"var_z from {what}", var_z).reshape(-1)[0])
        var_du = float(as_array(f"var_du from {what}", var_du).reshape(-1)[0])
        if not np.isclose(var_z, expected["var_z"]):
            for slip, words in FORWARD_SLIPS:
                if np.isclose(var_z, expected[slip]):
                    fail(f"var_z from {what}: {words}")
            fail(f"var_z from {what}: expected {expected['var_z']:.6g}, got {var_z:.6g}; add up the variances of "
                 "the independent terms w x of one output")
        if not np.isclose(var_du, expected["var_du"]):
            for slip, words in BACKWARD_SLIPS:
                if np.isclose(var_du, expected[slip]):
                    fail(f"var_du from {what}: {words}")
            fail(f"var_du from {what}: expected {expected['var_du']:.6g}, got {var_du:.6g}; (W^T delta)_i is a sum "
                 "of independent terms, then relu'(u_i) multiplies it")


def check_glorot_uniform(glorot_uniform):
    """Glorot's uniform initialisation U(-a, a) with variance 1 / M_avg: variance, range, independent draws."""
    expect_callable("glorot_uniform", glorot_uniform)
    stored = numbers("ex08-glorot-uniform")
    what = f"glorot_uniform({SHAPE}, rng)"
    W = _draw(glorot_uniform, what)
    if len(np.unique(np.round(W, 12))) < W.size // 2:
        fail(f"{what}: most weights repeat; draw each weight independently from U(-a, a)")
    _check_variance("glorot_uniform", glorot_uniform, stored["variance"],
                    [(words, stored[slip]) for slip, words in UNIFORM_SLIPS])
    largest = float(np.abs(W).max())
    if largest > stored["limit"] * (1 + 1e-9):
        fail(f"{what}: the variance is right, but a weight of size {largest:.4g} lies outside [-a, a] with "
             f"a = {stored['limit']:.4g}: draw from the uniform distribution, rng.uniform(-a, a, size=shape)")
    if largest < 0.99 * stored["limit"]:
        fail(f"{what}: the weights fill only [-{largest:.4g}, {largest:.4g}], expected the whole interval "
             f"[-a, a] with a = {stored['limit']:.4g}")


UNIFORM_SLIPS = [
    ("limit_is_std", "you took a as the standard deviation; a uniform distribution on [-a, a] has variance "
     "a^2 / 3, so a must be larger than the std"),
    ("limit_fan_in", "that is 1/M_in, the fan-in alone; Glorot's variance averages fan-in and fan-out"),
    ("limit_six_over_avg", "6 / M_avg doubles the variance: 6 / (M_in + M_out) = 3 / M_avg, the sum and the "
     "average differ by the factor 2"),
]


ITEMS = {
    "ex08-xavier": Item(check_xavier, title="Xavier initialisation N(0, 1/M_in)", hidden=2),
    "ex08-glorot": Item(check_glorot, title="Glorot initialisation N(0, 1/M_avg)", hidden=1),
    "ex08-he": Item(check_he, title="He initialisation N(0, 2/M_in) and the lecture's 2/M_avg", hidden=2),
    "ex08-standardise": Item(check_standardise, title="standardising with training statistics", hidden=2),
    "ex08-relu-variances": Item(check_relu_variances, title="derive it: variances through a layer fed by ReLUs",
                                hidden=2),
    "ex08-glorot-uniform": Item(check_glorot_uniform, title="derive it: the half-width of Glorot's uniform "
                                "initialisation", hidden=1),
    "ex08-quiz-he-std": quiz_item("ex08-quiz-he-std", title="quiz: the standard deviation of He's initialisation"),
    "ex08-quiz-constant": quiz_item("ex08-quiz-constant", title="quiz: a constant initialisation"),
    "ex08-quiz-leak": quiz_item("ex08-quiz-leak", title="quiz: standardising training and test data"),
}
