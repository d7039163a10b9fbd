"""Tests of the loss functions: values, gradients, stability, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.activations import Sigmoid
from nnlib.gradcheck import numerical_gradient
from nnlib.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
)

RNG = np.random.default_rng(0)


def gradcheck_loss(loss, pred, target):
    """Central differences of the loss value against loss.backward()."""
    loss(pred, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda p: loss.forward(p, target), pred.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def away_from(values, kinks, gap=0.05):
    """Push entries that lie within `gap` of any kink away from it."""
    values = values.copy()
    for kink in kinks:
        close = np.abs(values - kink) < gap
        values[close] += 2 * gap
    return values


# ------------------------------------------------------------------ gradient checks


@pytest.mark.parametrize("shape", [(5, 1), (4, 3), (6,)])
def test_mse_and_l1_gradients(shape):
    pred, target = RNG.standard_normal(shape), RNG.standard_normal(shape)
    gradcheck_loss(MSELoss(), pred, target)
    gradcheck_loss(L1Loss(), target + away_from(pred - target, [0.0]), target)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_gradients_both_regions(delta):
    target = RNG.standard_normal((6, 2))
    diff = away_from(RNG.uniform(-3 * delta, 3 * delta, (6, 2)), [-delta, delta])
    gradcheck_loss(HuberLoss(delta), target + diff, target)


@pytest.mark.parametrize("shape", [(5, 1), (4, 3)])
@pytest.mark.parametrize("soft", [False, True])
def test_bce_gradients(shape, soft):
    pred = RNG.uniform(0.05, 0.95, shape)
    target = RNG.uniform(0, 1, shape) if soft else RNG.integers(0, 2, shape).astype(float)
    gradcheck_loss(BCELoss(), pred, target)


@pytest.mark.parametrize("soft", [False, True])
def test_bce_with_logits_gradients(soft):
    pred = 3 * RNG.standard_normal((7, 2))
    target = RNG.uniform(0, 1, (7, 2)) if soft else RNG.integers(0, 2, (7, 2)).astype(float)
    gradcheck_loss(BCEWithLogitsLoss(), pred, target)


@pytest.mark.parametrize("target_kind", ["indices", "one_hot", "soft"])
def test_cross_entropy_gradients(target_kind):
    logits = 2 * RNG.standard_normal((6, 4))
    labels = RNG.integers(0, 4, 6)
    if target_kind == "indices":
        target = labels
    elif target_kind == "one_hot":
        target = np.eye(4)[labels]
    else:
        target = RNG.dirichlet(np.ones(4), size=6)
    gradcheck_loss(CrossEntropyLoss(), logits, target)


@pytest.mark.parametrize("shape", [(8,), (8, 1)])
def test_hinge_gradients(shape):
    target = RNG.choice([-1.0, 1.0], size=shape)
    margin = away_from(RNG.uniform(-2, 3, shape), [1.0])  # y f, kept off the hinge at 1
    gradcheck_loss(HingeLoss(), margin * target, target)


# ------------------------------------------------------------------ hand-computed values


def test_hand_computed_values():
    assert MSELoss()(np.array([1.0, 3.0]), np.array([0.0, 0.0])) == pytest.approx(5.0)
    assert L1Loss()(np.array([1.0, -3.0]), np.array([0.0, 0.0])) == pytest.approx(2.0)
    assert HuberLoss(1.0)(np.array([0.5, -3.0]), np.zeros(2)) == pytest.approx((0.125 + 2.5) / 2)
    assert BCELoss()(np.array([0.8]), np.array([1.0])) == pytest.approx(-np.log(0.8))
    assert BCEWithLogitsLoss()(np.array([0.0]), np.array([0.0])) == pytest.approx(np.log(2.0))
    assert CrossEntropyLoss()(np.zeros((2, 10)), np.array([3, 7])) == pytest.approx(np.log(10.0))
    assert HingeLoss()(np.array([0.5, 2.0]), np.array([1.0, -1.0])) == pytest.approx((0.5 + 3.0) / 2)


def test_mse_gradient_is_twice_the_half_squared_error_gradient():
    # the Karlsruhe deck's L = 1/2 (y_hat - y)^2 has gradient y_hat - y = 0.4
    loss = MSELoss()
    loss(np.array([[1.4]]), np.array([[1.0]]))
    np.testing.assert_allclose(0.5 * loss.backward(), [[0.4]])


def test_softmax_cross_entropy_delta_is_a_minus_y():
    logits = np.array([[1.0, -0.5, 2.0], [0.3, 0.1, -1.0]])
    y = np.array([2, 0])
    loss = CrossEntropyLoss()
    loss(logits, y)
    a = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward() * 2, a - np.eye(3)[y], rtol=1e-12, atol=1e-15)


def test_cross_entropy_same_for_indices_and_one_hot():
    logits = RNG.standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    a, b = CrossEntropyLoss(), CrossEntropyLoss()
    assert a(logits, labels) == pytest.approx(b(logits, np.eye(3)[labels]), rel=1e-12)
    np.testing.assert_allclose(a.backward(), b.backward())
    # integer-valued floats are accepted as indices too
    assert CrossEntropyLoss()(logits, labels.astype(float)) == pytest.approx(a(logits, labels))


def test_sigmoid_bce_delta_is_a_minus_y():
    z = np.array([[0.7], [-1.3], [2.2]])
    y = np.array([[1.0], [0.0], [0.0]])
    sigmoid, loss = Sigmoid(), BCELoss()
    a = sigmoid(z)
    loss(a, y)
    delta = sigmoid.backward(loss.backward())
    np.testing.assert_allclose(delta * 3, a - y, rtol=1e-10, atol=1e-12)
    logits_loss = BCEWithLogitsLoss()
    logits_loss(z, y)
    np.testing.assert_allclose(logits_loss.backward() * 3, a - y, rtol=1e-12, atol=1e-15)


def test_bce_matches_bce_with_logits_for_moderate_logits():
    z = RNG.standard_normal((6, 1)) * 3
    y = RNG.integers(0, 2, (6, 1)).astype(float)
    a = 1 / (1 + np.exp(-z))
    assert BCELoss()(a, y) == pytest.approx(BCEWithLogitsLoss()(z, y), rel=1e-10)


# ------------------------------------------------------------------ extreme inputs


@settings(max_examples=50, deadline=None, derandomize=True)
@given(arrays(np.float64, (4, 3), elements=st.sampled_from([-1e4, -50.0, 0.0, 50.0, 1e4])),
       st.integers(0, 2))
def test_logit_losses_finite_at_extreme_logits(z, label):
    y01 = (z > 0).astype(float)[:, :1]
    losses = [
        (CrossEntropyLoss(), z, np.full(4, label)),
        (BCEWithLogitsLoss(), z[:, :1], 1.0 - y01),
        (HingeLoss(), z[:, 0], np.where(y01[:, 0] > 0, -1.0, 1.0)),
        (MSELoss(), z, np.zeros_like(z)),
        (HuberLoss(), z, np.zeros_like(z)),
        (L1Loss(), z, np.zeros_like(z)),
    ]
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for loss, pred, target in losses:
            assert np.isfinite(loss(pred, target))
            assert np.all(np.isfinite(loss.backward()))


def test_cross_entropy_wrong_class_at_extreme_logit_is_large_but_finite():
    value = CrossEntropyLoss()(np.array([[1e4, -1e4]]), np.array([1]))
    assert value == pytest.approx(2e4)


def test_bce_saturated_probabilities_stay_finite():
    loss = BCELoss()
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = loss(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
        grad = loss.backward()
    eps = np.finfo(np.float64).eps
    assert value == pytest.approx(-np.log(eps))
    assert np.all(np.isfinite(grad))


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "target, match",
    [
        (np.array([0, 3]), r"target class index 3 is out of range for 3 classes \(indices must be in 0..2\)"),
        (np.array([-1, 0]), r"target class index -1 is out of range"),
        (np.array([0.5, 1.0]), r"class indices must be whole numbers 0..2"),
        (np.array([[1.0, 0.0, 0.0], [0.5, 0.0, 0.0]]), r"one-hot target rows must be non-negative and sum to 1"),
        (np.array([0, 1, 2]), r"target must have shape \(2,\) with class indices or \(2, 3\) one-hot, got \(3,\)"),
    ],
)
def test_cross_entropy_bad_targets(target, match):
    with pytest.raises(ValueError, match=match):
        CrossEntropyLoss()(np.zeros((2, 3)), target)


def test_cross_entropy_bad_pred_rank_and_nan():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.forward: pred must have shape \(N, K\), got \(3,\)"):
        CrossEntropyLoss()(np.zeros(3), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.forward: pred contains NaN or inf"):
        CrossEntropyLoss()(np.array([[np.nan, 0.0]]), np.array([0]))


@pytest.mark.parametrize("loss_class", [BCELoss, BCEWithLogitsLoss])
def test_binary_losses_reject_minus_one_labels(loss_class):
    with pytest.raises(ValueError, match=r"target must hold 0/1 labels \(values in \[0, 1\]\), got values in \[-1, 1\]"):
        loss_class()(np.array([0.3, 0.6]), np.array([-1.0, 1.0]))


def test_bce_rejects_non_probabilities():
    with pytest.raises(ValueError, match=r"BCELoss.forward: pred must be probabilities in \[0, 1\], got values in \[-0.5, 2\]; apply Sigmoid first"):
        BCELoss()(np.array([-0.5, 2.0]), np.array([0.0, 1.0]))


def test_hinge_rejects_zero_one_labels():
    with pytest.raises(ValueError, match=r"HingeLoss.forward: target must hold labels -1 or \+1.*2 \* y - 1"):
        HingeLoss()(np.array([0.3, 0.6]), np.array([0.0, 1.0]))


def test_shape_mismatch_names_both_shapes_and_suggests_reshape():
    with pytest.raises(ValueError, match=r"MSELoss.forward: pred and target must have the same shape, got \(4, 1\) and \(4,\); reshape the target, e.g. target.reshape\(4, 1\)"):
        MSELoss()(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"L1Loss.forward: pred and target must have the same shape, got \(4, 1\) and \(3, 1\)$"):
        L1Loss()(np.zeros((4, 1)), np.zeros((3, 1)))


def test_nan_in_target_rejected():
    with pytest.raises(ValueError, match=r"MSELoss.forward: target contains NaN or inf"):
        MSELoss()(np.zeros(2), np.array([0.0, np.nan]))


def test_huber_bad_delta():
    with pytest.raises(ValueError, match=r"HuberLoss: delta must be a finite number > 0, got 0"):
        HuberLoss(delta=0)


@pytest.mark.parametrize(
    "loss_class", [MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss]
)
def test_backward_before_forward(loss_class):
    with pytest.raises(RuntimeError, match=rf"{loss_class.__name__}.backward called before forward"):
        loss_class().backward()


def test_losses_do_not_mutate_inputs():
    pred = np.array([[0.0, 1.0]])
    target = np.array([[1.0, 0.0]])
    for loss in [BCELoss(), CrossEntropyLoss(), MSELoss()]:
        loss(pred, target)
        loss.backward()
    np.testing.assert_array_equal(pred, [[0.0, 1.0]])
    np.testing.assert_array_equal(target, [[1.0, 0.0]])


def test_cross_entropy_rejects_text_labels():
    with pytest.raises(TypeError, match=r"CrossEntropyLoss.forward: target class indices must be integers, got dtype <U3"):
        CrossEntropyLoss()(np.zeros((2, 3)), np.array(["cat", "dog"]))
