"""Visible tests for solutions/ex08_initialisation_preprocessing.ipynb (Xavier, Glorot, He, standardising).

Conventions of the exercise (those of lesson 08 and nnlib): a weight matrix has shape
``(out, in)``, so ``M_in = shape[1]`` and ``M_out = shape[0]``; every scheme draws
``w ~ N(0, variance)`` from the generator ``rng`` that is passed in; the *variance* is
``1 / M_in`` (Xavier), ``1 / M_avg`` with ``M_avg = (M_in + M_out) / 2`` (Glorot) and
``2 / M_in`` or ``2 / M_avg`` (He); ``standardise`` uses the training mean and the
population standard deviation (``np.std``, ddof 0) for both sets and divides constant
features by 1. The expected results of ``standardise`` and its recognised slips are stored numbers from
``solutions/references/ex08.py``.
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
        fail(f"{what}: the mean of the weights is {W.mean():.4g}, expected about 0 (zero-mean Gaussian)")
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


ITEMS = {
    "ex08-xavier": Item(check_xavier, title="Xavier initialisation N(0, 1/M_in)", hidden=2),
    "ex08-glorot": Item(check_glorot, title="Glorot initialisation N(0, 1/M_avg)", hidden=1),
    "ex08-he": Item(check_he, title="He initialisation N(0, 2/M_in) and the lecture's 2/M_avg", hidden=2),
    "ex08-standardise": Item(check_standardise, title="standardising with training statistics", hidden=2),
}
