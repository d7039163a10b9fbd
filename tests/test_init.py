"""Tests of the initialisation schemes (variances as in the lecture)."""

import numpy as np
import pytest

from nnlib import init
from nnlib.layers import Linear

M_IN, M_OUT = 300, 500
SHAPE = (M_OUT, M_IN)  # Linear(300, 500).W


@pytest.mark.parametrize(
    "scheme, variance",
    [
        ("xavier", 1 / M_IN),
        ("glorot", 2 / (M_IN + M_OUT)),
        ("he", 2 / M_IN),
        ("he_avg", 2 / ((M_IN + M_OUT) / 2)),
        ("normal", 0.01**2),
    ],
)
def test_variance_matches_formula(scheme, variance):
    W = init.initialize(scheme, SHAPE, rng=0)
    assert W.shape == SHAPE
    assert abs(W.mean()) < 4 * np.sqrt(variance / W.size)
    assert W.var() == pytest.approx(variance, rel=0.02)  # 150,000 draws: sd of estimate ~0.4%


def test_lecture_he_is_twice_glorot_and_he_fan_in_is_twice_xavier():
    np.testing.assert_allclose(init.he(SHAPE, rng=3, mode="avg"), np.sqrt(2) * init.glorot(SHAPE, rng=3))
    np.testing.assert_allclose(init.he(SHAPE, rng=3), np.sqrt(2) * init.xavier(SHAPE, rng=3))
    np.testing.assert_array_equal(init.he_avg(SHAPE, rng=3), init.he(SHAPE, rng=3, mode="avg"))


def test_fans_for_dense_and_conv_weights():
    assert init.fans((3, 2)) == (2, 3)
    assert init.fans((8, 4, 3, 3)) == (36, 72)


def test_zeros_gives_symmetric_hidden_units():
    layer = Linear(3, 4, init="zeros")
    out = layer(np.random.default_rng(0).standard_normal((5, 3)))
    layer.backward(np.ones((5, 4)))
    assert np.all(out == out[:, :1])  # every hidden unit computes the same thing
    assert np.all(layer.dW == layer.dW[:1])  # ...and receives the same gradient


def test_same_seed_same_weights_and_generator_accepted():
    np.testing.assert_array_equal(init.xavier((4, 3), rng=5), init.xavier((4, 3), rng=5))
    assert init.glorot((4, 3), rng=np.random.default_rng(1)).shape == (4, 3)


def test_errors():
    with pytest.raises(ValueError, match=r"init.he: mode must be 'fan_in' or 'avg', got 'fan_out'"):
        init.he((2, 2), mode="fan_out")
    with pytest.raises(ValueError, match=r"init.fans: weight shape must have at least 2 dimensions, got \(5,\)"):
        init.xavier((5,))
    with pytest.raises(ValueError, match=r"init: unknown scheme 'kaiming'"):
        init.initialize("kaiming", (2, 2))
    with pytest.raises(ValueError, match=r"init: the init function returned shape \(2,\), expected \(2, 2\)"):
        init.initialize(lambda shape, rng: np.zeros(2), (2, 2))
    with pytest.raises(ValueError, match=r"init.normal: std must be a finite number >= 0, got -1"):
        init.normal((2, 2), std=-1)
