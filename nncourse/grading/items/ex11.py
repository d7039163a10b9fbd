"""Visible tests for solutions/ex11_training_recipe.ipynb (initial loss, log-uniform sampling,
moving average, detecting overfitting, the initial loss with an output bias set to the class
frequencies, quizzes).

Conventions of the exercise (those of lesson 11): natural logarithms; epochs are counted from 1;
the moving average is trailing and keeps the length of its input. Expected values are stored numbers
from ``solutions/references/ex11.py`` (the initial losses computed with ``nnlib``'s
``CrossEntropyLoss``), which also holds the answers of the quiz questions.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers

PLAUSIBLE_CASES = [(2.40, 10, 0.1, True), (2.60, 10, 0.1, False), (0.70, 2, 0.05, True), (14.0, 10, 0.1, False),
                   (2.05, 10, 0.1, False), (2.50, 10, 0.1, True)]


def check_initial_loss(expected_initial_loss, initial_loss_is_plausible):
    """log C, and whether a measured first loss is within a relative tolerance of it."""
    expect_callable("expected_initial_loss", expected_initial_loss)
    expect_callable("initial_loss_is_plausible", initial_loss_is_plausible)
    stored = numbers("ex11-initial-loss")
    got = expected_initial_loss(10)
    if got is not None and np.isscalar(got) and np.isclose(got, 1.0):
        fail("expected_initial_loss(10) returned 1.0 = log10(10); the cross-entropy uses the natural "
             "logarithm: np.log(10) = 2.3026")
    if got is not None and np.isscalar(got) and np.isclose(got, 0.1):
        fail("expected_initial_loss(10) returned 0.1, the probability 1/C of each class; the loss is "
             "-log(1/C) = log C")
    if got is not None and np.isscalar(got) and np.isclose(got, -stored["log_10"]):
        fail("expected_initial_loss(10) returned -2.3026; the cross-entropy -log(1/C) is positive: log C")
    expect_close("expected_initial_loss(10)", got, stored["log_10"], hint="log C with the natural logarithm")
    expect_close("expected_initial_loss(2)", expected_initial_loss(2), stored["log_2"])
    for (loss, C, tol, expected), absolute, threshold in zip(PLAUSIBLE_CASES, stored["absolute_tolerance"],
                                                             stored["threshold"]):
        what = f"initial_loss_is_plausible(loss={loss}, num_classes={C}, rel_tol={tol})"
        got = bool(initial_loss_is_plausible(loss, C, tol))
        if got != expected and got == absolute:
            fail(f"{what}: expected {expected}, got {got}; rel_tol is relative: compare "
                 f"|loss - log C| with rel_tol * log C = {threshold:.4f}, not with rel_tol itself")
        expect_equal(what, got, expected)


def check_log_uniform(log_uniform):
    """Samples 10**u with u uniform between log10(low) and log10(high)."""
    expect_callable("log_uniform", log_uniform)
    what = "log_uniform(1e-5, 1e-1, 20000, rng)"
    s = as_array(what, log_uniform(1e-5, 1e-1, 20000, np.random.default_rng(0)))
    expect_shape(what, s, (20000,))
    if s.min() < 1e-5 * (1 - 1e-9) or s.max() > 1e-1 * (1 + 1e-9):
        fail(f"{what}: samples must lie between low = 1e-5 and high = 1e-1, got {s.min():.3g} to {s.max():.3g}")
    top = np.mean(s >= 1e-2)
    if top > 0.8:
        fail(f"{what}: {top:.0%} of the samples lie in the top decade [0.01, 0.1]; that is uniform "
             "sampling. Sample the exponent uniformly: 10 ** rng.uniform(log10(low), log10(high), size)")
    shares = np.histogram(np.log10(s), bins=[-5, -4, -3, -2, -1])[0] / len(s)
    if np.any(np.abs(shares - 0.25) > 0.02):
        fail(f"{what}: each of the 4 decades should get about 25% of the samples, got "
             f"{', '.join(f'{x:.1%}' for x in shares)}")
    a = as_array("log_uniform with seed 7", log_uniform(1e-3, 1.0, 5, np.random.default_rng(7)))
    b = as_array("log_uniform with seed 7 again", log_uniform(1e-3, 1.0, 5, np.random.default_rng(7)))
    expect_array("two calls of log_uniform(1e-3, 1.0, 5, rng) with the same seed", a, b,
                 hint="draw every random number from the rng you are given, never from np.random")


def check_moving_average(moving_average):
    """Trailing moving average, out[t] = mean(x[max(0, t-window+1) : t+1])."""
    expect_callable("moving_average", moving_average)
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x_copy = x.copy()
    what = "moving_average([1, 2, 3, 4, 5], window=3)"
    got = as_array(what, moving_average(x, 3))
    expect_unchanged("x", x, x_copy)
    if got.shape == (3,):
        fail(f"{what}: got {len(got)} values; keep one value per input (the first ones average fewer "
             "values), e.g. [1, 1.5, 2, 3, 4]; np.convolve(..., 'valid') drops the start")
    if got.shape == (5,) and np.allclose(got, [1.0, 2.0, 3.0, 4.0, 3.0]):
        fail(f"{what}: this is a centred average; the lesson's average is trailing (only past values)")
    expect_array(what, got, np.array([1.0, 1.5, 2.0, 3.0, 4.0]),
                 hint="out[t] = mean of the last `window` values up to and including t")
    y = np.random.default_rng(0).normal(size=50)
    expect_array("moving_average(50 random numbers, window=10)", moving_average(y, 10),
                 numbers("ex11-moving-average")["random_window_10"])
    expect_array("moving_average(x, window=1)", moving_average(x, 1), x,
                 hint="a window of 1 returns the input")


OVERFITTING_CASES = [
    ([2.0, 1.0, 0.5, 0.3, 0.2, 0.1], [2.1, 1.2, 0.8, 0.85, 0.9, 1.0], 3),
    ([2.0, 1.0, 0.5, 0.3, 0.2, 0.1], [2.1, 1.2, 0.8, 0.7, 0.65, 0.6], 3),
    ([2.0, 1.0, 0.5, 0.3, 0.2, 0.1], [2.1, 1.2, 0.8, 0.75, 0.8, 0.85], 3),
    ([2.3, 2.3, 2.3, 2.3, 2.3], [2.0, 2.2, 2.3, 2.3, 2.3], 2),
    ([1.5, 1.0, 0.6, 0.4], [1.4, 1.0, 1.1, 1.2], 2),
]


def check_overfitting(detect_overfitting):
    """(overfitting?, best_epoch): val loss not improved for `patience` epochs while the training loss fell."""
    expect_callable("detect_overfitting", detect_overfitting)
    stored = numbers("ex11-overfitting")
    for (train, val, patience), expected_flag, expected_best in zip(OVERFITTING_CASES, stored["flags"], stored["best"]):
        what = f"detect_overfitting(train_loss={train}, val_loss={val}, patience={patience})"
        result = expect_tuple(what, detect_overfitting(np.array(train), np.array(val), patience), 2)
        flag, best = result
        if int(best) == expected_best - 1:
            fail(f"{what}: best epoch {best}, expected {expected_best}; count epochs from 1")
        expect_equal(f"the best epoch of {what}", int(best), expected_best)
        if val == [2.0, 2.2, 2.3, 2.3, 2.3] and bool(flag):
            fail(f"{what}: the validation loss went up, but the training loss did not fall either; that "
                 "is not overfitting (the network is not learning at all)")
        expect_equal(f"the overfitting flag of {what}", bool(flag), expected_flag)


PRIOR_CASES = ([50, 30, 20], [10, 10, 10, 10], [90, 10], [5, 1, 1, 1, 2])  # examples per class


def check_initial_loss_prior(initial_losses):
    """initial_losses(class_counts) -> (loss with zero output bias, loss with the bias log(n_c / N))."""
    expect_callable("initial_losses", initial_losses)
    stored = numbers("ex11-initial-loss-prior")
    for counts, expected, slips in zip(PRIOR_CASES, stored["expected"], stored["slips"]):
        what = f"initial_losses(class_counts={counts})"
        zero, prior = (float(np.squeeze(as_array(what, value)))
                       for value in expect_tuple(what, initial_losses(list(counts)), ("zero_bias", "prior_bias")))
        balanced = len(set(counts)) == 1
        if not balanced and np.isclose(zero, slips["entropy"]):
            fail(f"{what}: with a zero bias the loss is {zero:.4f}, the value for the frequency bias; with b = 0 "
                 "all logits are equal, so every class gets probability 1/C whatever the class counts")
        for value, log10, name in ((zero, slips["log10"][0], "the loss with b = 0"),
                                   (prior, slips["log10"][1], "the loss with b_c = log(n_c / N)")):
            if np.isclose(value, log10):
                fail(f"{what}: {name} uses the base-10 logarithm; the cross-entropy uses the natural one (np.log)")
        expect_close(f"the loss with b = 0 of {what}", zero, expected[0], hint="every class gets 1/C: -log(1/C)")
        if not balanced and np.isclose(prior, expected[0]):
            fail(f"{what}: with b_c = log(n_c / N) the loss is not log C any more; the softmax of these logits gives "
                 "class c the probability n_c / N")
        if not balanced and np.isclose(prior, slips["class_average"]):
            fail(f"{what}: you averaged -log(n_c / N) over the CLASSES; the loss is averaged over the N EXAMPLES, "
                 "and class c has n_c of them")
        expect_close(f"the loss with b_c = log(n_c / N) of {what}", prior, expected[1], rtol=1e-6,
                     hint="an example of class c gets probability n_c / N; average -log of it over all examples")


ITEMS = {
    "ex11-initial-loss": Item(check_initial_loss, title="derive it: the expected initial loss", hidden=2),
    "ex11-log-uniform": Item(check_log_uniform, title="log-uniform sampling for a random search", hidden=2),
    "ex11-moving-average": Item(check_moving_average, title="moving average of noisy losses", hidden=2),
    "ex11-overfitting": Item(check_overfitting, title="detecting overfitting from a history", hidden=2),
    "ex11-quiz-signs": quiz_item("ex11-quiz-signs", title="quiz: signs of overfitting"),
    "ex11-quiz-first-loss": quiz_item("ex11-quiz-first-loss", title="quiz: the first loss of a 26-class classifier"),
    "ex11-initial-loss-prior": Item(check_initial_loss_prior, title="derive it: the initial loss with the output "
                                    "bias at the class frequencies", hidden=2),
    "ex11-quiz-binary-loss": quiz_item("ex11-quiz-binary-loss", title="quiz: the first loss of a binary classifier"),
    "ex11-quiz-range-factor": quiz_item("ex11-quiz-range-factor", title="quiz: the factor of a learning-rate range "
                                        "test"),
    "ex11-quiz-plateau": quiz_item("ex11-quiz-plateau", title="quiz: a long plateau at log C"),
}
