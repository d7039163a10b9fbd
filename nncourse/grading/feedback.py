"""Feedback helpers: compare a student's answer with the expected one and explain the difference.

Every helper takes a plain-words description ``what`` of the thing being checked
(e.g. ``"Z for the 2x3 batch above"``) and raises :class:`Mistake` with a sentence a
student can act on. Besides "wrong values", they recognise the common slips of the
course: wrong shape, transposed weights, flipped sign, a missing bias, summing where
the lecture averages over the batch (or the reverse), and which parameter's gradient
disagrees with the numerical one.

Item files in ``nncourse/grading/items/`` use these helpers so each visible test stays a
few lines long; see ``solutions/README.md``.
"""

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np


class Mistake(Exception):
    """A mistake in a student's answer, described in plain words."""


@dataclass(frozen=True)
class Item:
    """One graded item's visible tests.

    Parameters
    ----------
    test : callable
        Receives the objects passed to ``check`` after the item id; raises
        :class:`Mistake` (through the helpers) when something is wrong.
    title : str
        Short description shown in grading reports.
    hidden : int
        Number of hidden tests (``assert`` statements in the test cell's hidden
        region of ``solutions/``); kept in sync by ``tests/test_grading_authoring.py``.
    numpy_only : bool
        The task says "numpy only": at grading, an answer that needs ``nnlib`` scores 0
        (the grader runs these items a second time with ``nnlib`` absent).
    """

    test: Callable
    title: str
    hidden: int = 0
    numpy_only: bool = False


def fail(message):
    """Raise a :class:`Mistake` with ``message``."""
    raise Mistake(message)


def _fmt(value):
    """Short, deterministic text for a number or an array."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, suppress_small=True, threshold=12, edgeitems=2)
        return " ".join(text.split())
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)


def _describe_type(value):
    """The name of ``value``'s class; for a stand-in of an object in a sandboxed notebook, the original's."""
    remote = getattr(type(value), "remote_type", None)
    return value.remote_type if isinstance(remote, property) else type(value).__name__


def as_array(what, got):
    """Convert ``got`` to a float array, or raise a plain-words :class:`Mistake`."""
    if got is None:
        fail(f"{what}: your function returned None; did you forget the `return` statement?")
    if isinstance(got, tuple) and len(got) > 1 and all(np.ndim(g) > 0 for g in got):
        fail(f"{what}: expected one array, got a tuple of {len(got)} values; return only the array")
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(f"{what}: expected numbers (an array), got a {_describe_type(got)}: {_fmt(got)[:80]}")
    return array


def matches(got, candidate, rtol, atol):
    """True when ``got`` has ``candidate``'s shape and its numbers within the tolerances."""
    candidate = np.asarray(candidate, dtype=float)
    return got.shape == candidate.shape and bool(np.allclose(got, candidate, rtol=rtol, atol=atol))


def _diagnose_values(got, expected, rtol, atol, bias, batch_size):
    """Return the likely cause when ``got`` matches a classic slip of ``expected``, else None."""
    nonzero = np.any(np.abs(expected) > atol)
    if nonzero and matches(got, -expected, rtol, atol):
        return "the sign is flipped (you have -1 times the expected values)"
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and matches(got, expected.T, rtol, atol):
        return "the result is transposed; check the order of the matrix product and whether W needs .T"
    if batch_size is not None and batch_size > 1 and nonzero:
        if matches(got, expected * batch_size, rtol, atol):
            return (f"your values are {batch_size} times too large (the batch size); "
                    "average over the batch (divide by N) instead of summing")
        if matches(got, expected / batch_size, rtol, atol):
            return (f"your values are {batch_size} times too small (the batch size); "
                    "sum over the batch here instead of averaging")
    if bias is not None and np.any(np.asarray(bias) != 0):
        if matches(got, expected - bias, rtol, atol):
            return "the bias is missing: your values equal the expected ones minus b; add the bias"
        if matches(got, expected - 2 * np.asarray(bias), rtol, atol):
            return "the bias is subtracted instead of added"
    return None


def _first_difference(got, expected, rtol, atol):
    """Index and count of entries that differ, for the plain-words message."""
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    index = tuple(int(i) for i in np.argwhere(wrong)[0]) if got.ndim else ()
    return index, int(wrong.sum())


def expect_shape(what, got, shape):
    """Check that ``got`` is an array of exactly ``shape``."""
    array = as_array(what, got)
    shape = tuple(shape)
    if array.shape != shape:
        fail(f"{what}: wrong shape, expected {shape}, got {array.shape}")
    return array


def expect_array(what, got, expected, *, rtol=1e-6, atol=1e-9, bias=None, batch_size=None, hint=None):
    """Check an array answer and explain the most likely slip when it is wrong.

    Parameters
    ----------
    what : str
        What is being checked, in plain words (include the input used).
    got : array_like
        The student's result.
    expected : array_like
        The correct result.
    rtol, atol : float
        Tolerances as in ``np.allclose``.
    bias : array_like, optional
        The bias that belongs in the result; recognises "bias missing" / "bias subtracted".
    batch_size : int, optional
        Recognises results off by exactly this factor (sum vs mean over the batch).
    hint : str, optional
        Appended as "Likely cause: ..." when no specific slip is recognised.

    Examples
    --------
    >>> expect_array("Z", np.array([[1.0, 2.0]]), np.array([[1.0, 2.0]]))
    >>> expect_array("Z", np.array([1.0, 2.0]), np.array([-1.0, -2.0]))
    Traceback (most recent call last):
    ...
    nncourse.grading.feedback.Mistake: Z: wrong values, the sign is flipped (you have -1 times the expected values)
    """
    expected = np.asarray(expected, dtype=float)
    got = as_array(what, got)
    if got.shape != expected.shape:
        if got.shape == expected.T.shape and matches(got, expected.T, rtol, atol):
            fail(f"{what}: wrong shape, expected {expected.shape}, got {got.shape}: your result is the "
                 "transpose of the expected one; check the order of the product and whether W needs .T")
        if got.size == expected.size and matches(got.reshape(expected.shape), expected, rtol, atol):
            fail(f"{what}: right values but wrong shape, expected {expected.shape}, got {got.shape}; "
                 "reshape (or keep the input's shape)")
        fail(f"{what}: wrong shape, expected {expected.shape}, got {got.shape}")
    if not np.all(np.isfinite(got)):
        fail(f"{what}: your result contains NaN or inf: {_fmt(got)}; look for overflow in exp or log(0)")
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    cause = _diagnose_values(got, expected, rtol, atol, bias, batch_size)
    if cause is not None:
        fail(f"{what}: wrong values, {cause}")
    index, count = _first_difference(got, expected, rtol, atol)
    where = f"at index {index}: " if index else ""
    message = (f"{what}: wrong values, expected {_fmt(expected)}, got {_fmt(got)} "
               f"({count} of {got.size} entries differ; {where}expected {_fmt(expected[index])}, "
               f"got {_fmt(got[index])})")
    if hint:
        message += f". Likely cause: {hint}"
    fail(message)


def expect_close(what, got, expected, *, rtol=1e-6, atol=1e-9, batch_size=None, hint=None):
    """Check a single number (a loss, a learning rate, an output size ...).

    Examples
    --------
    >>> expect_close("the loss", 0.25, 0.25)
    >>> expect_close("the loss", 1.0, 0.25, batch_size=4)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nncourse.grading.feedback.Mistake: the loss: wrong value, your values are 4 times too large (the batch size); ...
    """
    array = as_array(what, got)
    if array.size != 1:
        fail(f"{what}: expected a single number, got an array of shape {array.shape}")
    value = array.reshape(())
    if not np.isfinite(value):
        fail(f"{what}: your result is {_fmt(float(value))}; look for overflow in exp or log(0)")
    if np.isclose(value, expected, rtol=rtol, atol=atol):
        return
    cause = _diagnose_values(value, np.asarray(expected, dtype=float), rtol, atol, None, batch_size)
    if cause is not None:
        fail(f"{what}: wrong value, {cause}")
    message = f"{what}: wrong value, expected {_fmt(float(expected))}, got {_fmt(float(value))}"
    if hint:
        message += f". Likely cause: {hint}"
    fail(message)


def expect_equal(what, got, expected):
    """Check exact equality (ints, tuples, strings, bools).

    Examples
    --------
    >>> expect_equal("the output size", 3, 3)
    """
    if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
        fail(f"{what}: expected {_fmt(expected)}, got {_fmt(got)}")
    if got != expected:
        fail(f"{what}: expected {_fmt(expected)}, got {_fmt(got)}")


def expect_tuple(what, got, expected):
    """Check that a function returned a tuple of the expected size (e.g. ``(w, b)``); return it.

    ``expected`` is the number of values, or their names, which then appear in the message.

    Examples
    --------
    >>> expect_tuple("perceptron_update", (1.0, 2.0), 2)
    (1.0, 2.0)
    >>> expect_tuple("perceptron_update", [1.0, 2.0], 2)
    Traceback (most recent call last):
    ...
    nncourse.grading.feedback.Mistake: perceptron_update should return a tuple of 2 values, got a list
    >>> expect_tuple("huber", 0.5, ("loss", "grad"))
    Traceback (most recent call last):
    ...
    nncourse.grading.feedback.Mistake: huber: should return the tuple (loss, grad), got a float
    """
    length = expected if isinstance(expected, int) else len(expected)
    if got is None:
        fail(f"{what}: your function returned None; did you forget the `return` statement?")
    if not isinstance(got, tuple) or len(got) != length:
        kind = f"a tuple of {len(got)} values" if isinstance(got, tuple) else f"a {_describe_type(got)}"
        if isinstance(expected, int):
            fail(f"{what} should return a tuple of {length} values, got {kind}")
        fail(f"{what}: should return the tuple ({', '.join(expected)}), got {kind}")
    return got


def call_quietly(what, function, *args, hint):
    """Call the student's ``function(*args)``; a numpy RuntimeWarning (overflow, log(0)) becomes a Mistake.

    Examples
    --------
    >>> call_quietly("exp(1000)", np.exp, np.array([1000.0]), hint="shift first")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nncourse.grading.feedback.Mistake: exp(1000): numpy warned 'overflow encountered in exp'; shift first
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return function(*args)
        except RuntimeWarning as warning:
            fail(f"{what}: numpy warned '{warning}'; {hint}")


def expect_callable(what, obj):
    """Check that ``obj`` can be called (a function or a class)."""
    if not callable(obj):
        fail(f"{what}: expected a function, got a {_describe_type(obj)}; pass the function itself, "
             "without calling it (no parentheses)")


def expect_unchanged(what, array, copy):
    """Check that the student's code did not modify ``array`` in place (``copy`` was taken before)."""
    if not np.array_equal(np.asarray(array), np.asarray(copy)):
        fail(f"{what} was changed in place by your function; work on a copy (e.g. x = x.copy()) "
             "or build a new array instead of assigning into the argument")


def _gradient_problem(name, got, numeric, rtol, atol, batch_size):
    """Plain-words problem with one parameter's analytic gradient, or None when it is right."""
    if got is None:
        return f"{name} is None (was it never computed or returned?)"
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"{name} is a {_describe_type(got)}, not an array"
    if got.shape != numeric.shape:
        transposed = " (it looks transposed)" if got.shape == numeric.T.shape else ""
        return f"{name} has shape {got.shape}, expected {numeric.shape} like its parameter{transposed}"
    if np.allclose(got, numeric, rtol=rtol, atol=atol):
        return None
    cause = _diagnose_values(got, numeric, rtol, atol, None, batch_size)
    error = float(np.max(np.abs(got - numeric)))
    text = f"{name} disagrees with the numerical gradient (max |analytic - numeric| = {error:.3g})"
    return f"{text}: {cause}" if cause else text


def expect_gradients(what, analytic, numeric, *, rtol=1e-5, atol=1e-7, batch_size=None):
    """Compare analytic gradients with numerical ones, parameter by parameter.

    Parameters
    ----------
    what : str
        Which computation, in plain words.
    analytic, numeric : dict of str to array
        ``{"dW": ..., "db": ...}``: the student's gradients and the numerical ones
        (same keys; ``numeric`` is the reference).
    batch_size : int, optional
        Recognises gradients off by exactly this factor.

    Examples
    --------
    >>> expect_gradients("Linear.backward", {"db": np.array([2.0])}, {"db": np.array([2.0])})
    >>> expect_gradients("Linear.backward", {"dW": np.ones(2), "db": np.array([2.0])},
    ...                  {"dW": np.ones(2), "db": np.array([-2.0])})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nncourse.grading.feedback.Mistake: Linear.backward: gradient wrong in db: ... the sign is flipped ...; dW is correct
    """
    problems, correct = [], []
    for name, reference in numeric.items():
        problem = _gradient_problem(name, analytic.get(name), np.asarray(reference, dtype=float),
                                    rtol, atol, batch_size)
        if problem is None:
            correct.append(name)
        else:
            problems.append((name, problem))
    if not problems:
        return
    names = ", ".join(name for name, _ in problems)
    message = f"{what}: gradient wrong in {names}: " + "; ".join(text for _, text in problems)
    if correct:
        message += f"; {', '.join(correct)} {'is' if len(correct) == 1 else 'are'} correct"
    fail(message)
