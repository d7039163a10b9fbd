"""Feedback helpers: each common slip is recognised and explained in plain words."""

import numpy as np
import pytest

from nncourse.grading.feedback import (
    Mistake,
    as_array,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    expect_gradients,
    expect_shape,
    expect_unchanged,
)

EXPECTED = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])  # (2, 3)


def test_correct_answer_passes():
    expect_array("Z", EXPECTED + 1e-12, EXPECTED)
    expect_close("the loss", 0.25 + 1e-12, 0.25)
    expect_equal("the output size", (3, 3), (3, 3))


def test_none_means_forgotten_return():
    with pytest.raises(Mistake, match=r"returned None; did you forget the `return`"):
        expect_array("Z", None, EXPECTED)


def test_not_numbers():
    with pytest.raises(Mistake, match=r"Z: expected numbers \(an array\), got a str"):
        expect_array("Z", "hello", EXPECTED)


def test_tuple_of_arrays_instead_of_one_array():
    with pytest.raises(Mistake, match=r"got a tuple of 2 values; return only the array"):
        as_array("Z", (EXPECTED, EXPECTED))


def test_wrong_shape_says_expected_and_got():
    with pytest.raises(Mistake, match=r"Z: wrong shape, expected \(2, 3\), got \(2, 2\)$"):
        expect_array("Z", np.ones((2, 2)), EXPECTED)


def test_transposed_result_is_named():
    with pytest.raises(Mistake, match=r"expected \(2, 3\), got \(3, 2\): your result is the transpose"):
        expect_array("Z", EXPECTED.T, EXPECTED)


def test_square_transposed_result_is_named():
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(Mistake, match=r"wrong values, the result is transposed"):
        expect_array("W", square.T, square)


def test_right_values_wrong_shape():
    with pytest.raises(Mistake, match=r"right values but wrong shape, expected \(6,\), got \(6, 1\)"):
        expect_array("y", EXPECTED.reshape(6, 1), EXPECTED.reshape(6))


def test_sign_flipped():
    with pytest.raises(Mistake, match=r"the sign is flipped"):
        expect_array("dZ", -EXPECTED, EXPECTED)


@pytest.mark.parametrize("factor, words", [(4, "4 times too large"), (0.25, "4 times too small")])
def test_off_by_batch_size(factor, words):
    with pytest.raises(Mistake, match=words):
        expect_array("dW", EXPECTED * factor, EXPECTED, batch_size=4)


def test_bias_missing_and_subtracted():
    b = np.array([0.5, -1.0, 2.0])
    with pytest.raises(Mistake, match=r"the bias is missing"):
        expect_array("Z", EXPECTED - b, EXPECTED, bias=b)
    with pytest.raises(Mistake, match=r"the bias is subtracted instead of added"):
        expect_array("Z", EXPECTED - 2 * b, EXPECTED, bias=b)


def test_nan_is_reported():
    got = EXPECTED.copy()
    got[0, 1] = np.nan
    with pytest.raises(Mistake, match=r"contains NaN or inf"):
        expect_array("softmax", got, EXPECTED)


def test_other_wrong_values_name_the_first_difference_and_hint():
    got = EXPECTED.copy()
    got[1, 2] = 7.0
    with pytest.raises(Mistake, match=r"1 of 6 entries differ; at index \(1, 2\): expected -1.5, got 7\)\. "
                                      r"Likely cause: check the formula"):
        expect_array("Z", got, EXPECTED, hint="check the formula")


def test_expect_close_rejects_arrays_and_diagnoses_factors():
    with pytest.raises(Mistake, match=r"expected a single number, got an array of shape \(2,\)"):
        expect_close("the loss", np.array([1.0, 2.0]), 1.0)
    with pytest.raises(Mistake, match=r"4 times too small"):
        expect_close("the loss", 0.25, 1.0, batch_size=4)
    with pytest.raises(Mistake, match=r"the loss: wrong value, expected 1, got 2$"):
        expect_close("the loss", 2.0, 1.0)
    with pytest.raises(Mistake, match=r"the loss: your result is inf"):
        expect_close("the loss", np.inf, 1.0)


def test_expect_shape_and_equal_and_callable():
    with pytest.raises(Mistake, match=r"W: wrong shape, expected \(3, 2\), got \(2, 3\)"):
        expect_shape("W", EXPECTED, (3, 2))
    with pytest.raises(Mistake, match=r"the output size: expected 3, got 4"):
        expect_equal("the output size", 4, 3)
    with pytest.raises(Mistake, match=r"expected a function, got a float; pass the function itself"):
        expect_callable("step", 1.0)


def test_in_place_modification_is_reported():
    x = np.array([1.0, 2.0])
    copy = x.copy()
    x[0] = 5.0
    with pytest.raises(Mistake, match=r"the input x was changed in place by your function"):
        expect_unchanged("the input x", x, copy)


def test_expect_gradients_names_the_wrong_parameter_only():
    dW, db = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([0.5, -0.5, 1.0])
    expect_gradients("Linear", {"dW": dW, "db": db}, {"dW": dW, "db": db})
    with pytest.raises(Mistake, match=r"Linear: gradient wrong in dW: dW disagrees with the numerical gradient "
                                      r"\(max \|analytic - numeric\| = 18\): your values are 4 times too large"
                                      r".*; db is correct$"):
        expect_gradients("Linear", {"dW": 4 * dW, "db": db}, {"dW": dW, "db": db}, batch_size=4)
    with pytest.raises(Mistake, match=r"gradient wrong in dW, db: dW has shape \(2, 3\), expected \(3, 2\) like "
                                      r"its parameter \(it looks transposed\); db is None"):
        expect_gradients("Linear", {"dW": dW.T, "db": None}, {"dW": dW, "db": db})
