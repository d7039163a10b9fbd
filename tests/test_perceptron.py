"""Threshold units, logic gates, the perceptron and its convergence theorem."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.perceptron import Perceptron, data_radius, margin, novikoff_bound, sign
from nnlib.threshold import (
    AND,
    NAND,
    NOT,
    OR,
    XOR_NETWORK,
    ThresholdNetwork,
    ThresholdUnit,
    pre_activation,
    threshold_unit,
    truth_table,
)

BINARY_2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([-1, 1, 1, -1])


# --- threshold units and gates ----------------------------------------------

def test_sap_quick_example():
    # SAP deck: x = (1, 0, 0.5), theta = (1, -0.5, -1), rho = 0 -> p = 0.5, a = 1
    x = [1.0, 0.0, 0.5]
    weights = [1.0, -0.5, -1.0]
    p = pre_activation(x, weights)
    assert p == pytest.approx(1 * 1 + (-0.5) * 0 + (-1) * 0.5)
    assert p == 0.5
    assert threshold_unit(x, weights, theta=0.0) == 1


def test_threshold_is_strict():
    # the SAP deck's sigma(p) = 0 for p <= rho
    assert threshold_unit([1.0, 1.0], [0.5, 0.5], theta=1.0) == 0
    assert threshold_unit([1.0, 1.0], [0.5, 0.5], theta=0.999) == 1


def test_threshold_unit_batch_matches_single():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 3))
    w = rng.normal(size=3)
    batch = threshold_unit(X, w, theta=0.2)
    assert batch.shape == (7,)
    assert batch.tolist() == [threshold_unit(x, w, theta=0.2) for x in X]


@pytest.mark.parametrize(
    "gate, expected",
    [(AND, [0, 0, 0, 1]), (OR, [0, 1, 1, 1]), (NAND, [1, 1, 1, 0])],
)
def test_two_input_gates(gate, expected):
    X, y = truth_table(gate)
    assert X.tolist() == BINARY_2.tolist()
    assert y.tolist() == expected


def test_not_gate():
    X, y = truth_table(NOT)
    assert X.tolist() == [[0], [1]]
    assert y.tolist() == [1, 0]


def test_gates_never_sit_on_their_threshold():
    for gate in (AND, OR, NOT, NAND):
        X, _ = truth_table(gate)
        assert np.all(X @ gate.w != gate.theta), gate


def test_xor_network_weights_and_outputs():
    assert XOR_NETWORK.W.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert XOR_NETWORK.theta.tolist() == [0.5, 1.5]
    assert XOR_NETWORK.w_out.tolist() == [1.0, -1.0]
    H = XOR_NETWORK.hidden(BINARY_2)
    assert H[:, 0].tolist() == OR(BINARY_2).tolist()  # h1 = OR
    assert H[:, 1].tolist() == AND(BINARY_2).tolist()  # h2 = AND
    assert XOR_NETWORK(BINARY_2).tolist() == [0, 1, 1, 0]
    _, y = truth_table(XOR_NETWORK, n_inputs=2)
    assert y.tolist() == [0, 1, 1, 0]


def test_no_single_threshold_unit_on_a_grid_computes_xor():
    grid = np.arange(-3.0, 3.01, 0.25)
    xor = np.array([0, 1, 1, 0])
    for w1, w2, theta in itertools.product(grid, grid, grid):
        assert not np.array_equal(threshold_unit(BINARY_2, [w1, w2], theta), xor)


def test_threshold_errors():
    with pytest.raises(ValueError, match=r"threshold_unit: x must have shape \(3,\), got \(2,\)"):
        threshold_unit([1.0, 2.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"threshold_unit: x must have shape \(N, 2\), got \(4, 3\)"):
        threshold_unit(np.ones((4, 3)), [1.0, 1.0])
    with pytest.raises(ValueError, match=r"ThresholdNetwork: theta must have shape \(2,\), got \(3,\)"):
        ThresholdNetwork([[1, 1], [1, 1]], [0.5, 1.5, 2.0], [1, -1], 0.5)
    with pytest.raises(TypeError, match="truth_table: pass n_inputs"):
        truth_table(lambda X: X[:, 0])
    with pytest.raises(ValueError, match="truth_table: n_inputs must be >= 1, got 0"):
        truth_table(AND, n_inputs=0)


def test_threshold_unit_copies_weights():
    w = np.array([1.0, 1.0])
    unit = ThresholdUnit(w, 1.5)
    w[0] = -5.0
    assert unit.w.tolist() == [1.0, 1.0]
    assert "theta=1.5" in repr(unit)


# --- the perceptron ----------------------------------------------------------

def test_sign_of_zero_is_plus_one():
    assert sign(np.array([-1e-12, 0.0, 1e-12])).tolist() == [-1, 1, 1]


def test_learns_and_by_hand():
    # First epoch by hand, from w = 0, b = 0, alpha = 1:
    # (0,0), y=-1: z = 0 -> sign +1, mistake: w = (0,0), b = -1
    # (0,1), y=-1: z = -1 -> correct
    # (1,0), y=-1: z = -1 -> correct
    # (1,1), y=+1: z = -1 -> mistake: w = (1,1), b = 0
    X = XOR_X
    y = np.array([-1, -1, -1, 1])
    p = Perceptron().fit(X, y)
    steps = [(s.epoch, s.index, s.w_after.tolist(), s.b_after) for s in p.trace[:2]]
    assert steps == [(0, 0, [0.0, 0.0], -1.0), (0, 3, [1.0, 1.0], 0.0)]
    assert p.history[0] == 2
    assert p.converged
    assert p.predict(X).tolist() == y.tolist()
    assert p.decision_function(X) == pytest.approx(X @ p.w + p.b)


def test_update_only_on_mistakes():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2))
    y = np.where(X @ np.array([1.0, -2.0]) + 0.3 >= 0, 1, -1)
    p = Perceptron(lr=0.5).fit(X, y)
    w, b = np.zeros(2), 0.0
    for step in p.trace:
        # the point was misclassified by the weights before the update
        assert step.w_before.tolist() == w.tolist() and step.b_before == b
        assert sign(step.x @ step.w_before + step.b_before) != step.y
        assert step.x.tolist() == X[step.index].tolist() and step.y == y[step.index]
        # w <- w + alpha y x, b <- b + alpha y
        np.testing.assert_allclose(step.w_after, w + 0.5 * step.y * step.x, rtol=0, atol=1e-12)
        assert step.b_after == pytest.approx(b + 0.5 * step.y, abs=1e-12)
        w, b = step.w_after, step.b_after
    np.testing.assert_array_equal(p.w, w)
    assert p.b == b
    assert len(p.trace) == p.n_updates == sum(p.history)
    # replaying one epoch with the final weights makes no mistake
    assert np.all(p.predict(X) == y)


def test_history_counts_mistakes_per_epoch():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3))
    y = np.where(X @ np.array([0.5, 1.0, -1.0]) - 0.2 >= 0, 1, -1)
    p = Perceptron().fit(X, y)
    per_epoch = np.bincount([s.epoch for s in p.trace], minlength=len(p.history))
    assert per_epoch.tolist() == p.history
    assert p.history[-1] == 0 and all(m > 0 for m in p.history[:-1])


def test_learning_rate_only_scales_the_weights():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(25, 2))
    y = np.where(X[:, 0] - X[:, 1] + 0.1 >= 0, 1, -1)
    p1 = Perceptron(lr=1.0).fit(X, y)
    p2 = Perceptron(lr=0.25).fit(X, y)
    assert [s.index for s in p1.trace] == [s.index for s in p2.trace]
    np.testing.assert_allclose(p2.w, 0.25 * p1.w, rtol=1e-12, atol=1e-12)
    assert p2.b == pytest.approx(0.25 * p1.b)


def test_shuffle_is_seeded():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 2))
    y = np.where(X @ np.array([2.0, 1.0]) >= 0, 1, -1)
    a = Perceptron(shuffle=True, rng=11).fit(X, y)
    b = Perceptron(shuffle=True, rng=11).fit(X, y)
    c = Perceptron(shuffle=False).fit(X, y)
    assert [s.index for s in a.trace] == [s.index for s in b.trace]
    np.testing.assert_array_equal(a.w, b.w)
    orders = {tuple(s.index for s in Perceptron(shuffle=True, rng=k).fit(X, y).trace) for k in range(5)}
    assert len(orders) > 1  # different seeds visit the points in different orders
    assert a.converged and c.converged


def test_xor_stops_after_max_epochs():
    p = Perceptron(max_epochs=50).fit(XOR_X, XOR_Y)
    assert p.converged is False
    assert len(p.history) == 50
    assert all(m > 0 for m in p.history)
    assert np.mean(p.predict(XOR_X) == XOR_Y) < 1.0


def test_refit_starts_from_zero():
    p = Perceptron(max_epochs=10).fit(XOR_X, XOR_Y)
    y_and = np.array([-1, -1, -1, 1])
    p.fit(XOR_X, y_and)
    fresh = Perceptron(max_epochs=10).fit(XOR_X, y_and)
    np.testing.assert_array_equal(p.w, fresh.w)
    assert p.history == fresh.history and p.converged


def test_fit_does_not_mutate_inputs():
    X = XOR_X.copy()
    y = np.array([-1, -1, -1, 1])
    Perceptron().fit(X, y)
    np.testing.assert_array_equal(X, XOR_X)
    assert y.tolist() == [-1, -1, -1, 1]


def test_perceptron_errors():
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1, got \[0\]; for 0/1 labels use y = 2 \* y - 1"):
        Perceptron().fit(XOR_X, [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1, got \[2\]"):
        Perceptron().fit(XOR_X, [1, 2, 1, -1])
    with pytest.raises(ValueError, match=r"Perceptron.fit: y must have shape \(4,\) to match X, got \(3,\)"):
        Perceptron().fit(XOR_X, [1, -1, 1])
    with pytest.raises(ValueError, match=r"Perceptron.fit: X must have shape \(N, M\), got \(4,\)"):
        Perceptron().fit([1.0, 2.0, 3.0, 4.0], [1, -1, 1, -1])
    with pytest.raises(ValueError, match="Perceptron.fit: X contains NaN or inf"):
        Perceptron().fit([[np.nan, 0.0], [1.0, 1.0]], [1, -1])
    with pytest.raises(RuntimeError, match=r"Perceptron.predict: call fit\(X, y\) before predict"):
        Perceptron().predict(XOR_X)
    with pytest.raises(RuntimeError, match="Perceptron.decision_function: call fit"):
        Perceptron().decision_function(XOR_X)
    p = Perceptron().fit(XOR_X, [-1, -1, -1, 1])
    with pytest.raises(ValueError, match=r"Perceptron.predict: X must have shape \(N, 2\), got \(4, 3\)"):
        p.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match="Perceptron: lr must be a finite number > 0, got 0"):
        Perceptron(lr=0)
    with pytest.raises(TypeError, match="Perceptron: lr must be a number, got str"):
        Perceptron(lr="1")
    with pytest.raises(ValueError, match="Perceptron: max_epochs must be >= 1, got 0"):
        Perceptron(max_epochs=0)
    with pytest.raises(TypeError, match="Perceptron: shuffle must be True or False, got 1"):
        Perceptron(shuffle=1)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        Perceptron(rng="seed")


# --- the convergence theorem -------------------------------------------------

def test_margin_and_radius_by_hand():
    X = np.array([[2.0, 0.0], [0.0, 1.0]])
    y = np.array([1, -1])
    # u = (w, b) = (1, -1, 0): y * (w.x + b) = 2 and 1, ||u|| = sqrt(2)
    assert margin([1.0, -1.0], 0.0, X, y) == pytest.approx(1 / np.sqrt(2))
    # with a bias: w = (1, 0), b = -1: values 1 and 1, ||u|| = sqrt(2)
    assert margin([1.0, 0.0], -1.0, X, y) == pytest.approx(1 / np.sqrt(2))
    # a separator that gets one point wrong has a negative margin
    assert margin([-1.0, 0.0], 0.5, X, y) < 0
    # R = max ||(x, 1)|| = max(sqrt(5), sqrt(2))
    assert data_radius(X) == pytest.approx(np.sqrt(5))
    assert novikoff_bound(np.sqrt(5), 1 / np.sqrt(2)) == pytest.approx(10.0)


def test_margin_is_scale_invariant():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(10, 3))
    w, b = rng.normal(size=3), 0.4
    y = sign(X @ w + b)
    assert margin(3.7 * w, 3.7 * b, X, y) == pytest.approx(margin(w, b, X, y), rel=1e-12)


def test_theorem_errors():
    with pytest.raises(ValueError, match="margin: w and b are all zero"):
        margin([0.0, 0.0], 0.0, XOR_X, XOR_Y)
    with pytest.raises(ValueError, match="margin: labels y must be -1 or"):
        margin([1.0, 0.0], 0.0, XOR_X, [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"margin: w must have shape \(2,\), got \(3,\)"):
        margin([1.0, 0.0, 1.0], 0.0, XOR_X, XOR_Y)
    with pytest.raises(ValueError, match="novikoff_bound: gamma must be > 0, got -0.5; the separator does not"):
        novikoff_bound(1.0, -0.5)
    with pytest.raises(ValueError, match="novikoff_bound: R must be a finite number > 0, got 0.0"):
        novikoff_bound(0.0, 1.0)
    with pytest.raises(ValueError, match=r"data_radius: X must have shape \(N, M\), got \(3,\)"):
        data_radius([1.0, 2.0, 3.0])


@st.composite
def separable_sets(draw):
    """A random separator (w*, b*) and points at least a fixed margin away from it."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_features = draw(st.integers(1, 4))
    n_points = draw(st.integers(2, 40))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    lr = draw(st.sampled_from([0.01, 1.0, 3.0]))
    shuffle = draw(st.booleans())
    rng = np.random.default_rng(seed)
    w_star = rng.normal(size=n_features)
    b_star = rng.normal()
    u_norm = np.sqrt(w_star @ w_star + b_star**2)
    X = rng.uniform(-2, 2, size=(4 * n_points, n_features)) * scale
    # keep points at least 5% of R away from the separator, so (R / gamma)^2 <= 400
    R = np.sqrt(np.max(np.sum(X**2, axis=1)) + 1)
    gap = np.abs(X @ w_star + b_star) / u_norm
    X = X[gap >= 0.05 * R][:n_points]
    if X.shape[0] < 2:
        X = np.vstack([w_star, -w_star]) * 10 * scale / np.linalg.norm(w_star)
    y = sign(X @ w_star + b_star)
    return X, y, w_star, b_star, lr, shuffle, seed


@settings(max_examples=150, deadline=None)
@given(separable_sets())
def test_novikoff_bound_holds(case):
    X, y, w_star, b_star, lr, shuffle, seed = case
    gamma = margin(w_star, b_star, X, y)
    assert gamma > 0
    bound = novikoff_bound(data_radius(X), gamma)
    # at most `bound` updates, so at most bound + 1 epochs are ever needed
    p = Perceptron(lr=lr, max_epochs=int(bound) + 2, shuffle=shuffle, rng=seed).fit(X, y)
    assert p.converged
    assert p.n_updates <= bound
    assert np.all(p.predict(X) == y)


def test_fit_from_a_given_start():
    y = np.array([-1, -1, -1, 1])
    w0 = np.array([0.5, -1.0])
    p = Perceptron().fit(XOR_X, y, w_init=w0, b_init=2.0)
    first = p.trace[0]
    # (0, 0) scores b = 2 -> +1, a mistake on y = -1: the start is really used
    assert first.index == 0
    assert first.w_before.tolist() == [0.5, -1.0] and first.b_before == 2.0
    assert w0.tolist() == [0.5, -1.0]  # the caller's array is not changed
    assert p.converged and p.predict(XOR_X).tolist() == y.tolist()
    # a zero start is the default
    zero = Perceptron().fit(XOR_X, y, w_init=[0.0, 0.0], b_init=0.0)
    np.testing.assert_array_equal(zero.w, Perceptron().fit(XOR_X, y).w)
    with pytest.raises(ValueError, match=r"Perceptron.fit: w_init must have shape \(2,\), got \(3,\)"):
        Perceptron().fit(XOR_X, y, w_init=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"Perceptron.fit: b_init must have shape \(\), got \(2,\)"):
        Perceptron().fit(XOR_X, y, b_init=[0.0, 1.0])
    with pytest.raises(ValueError, match="Perceptron.fit: b_init contains NaN or inf"):
        Perceptron().fit(XOR_X, y, b_init=float("nan"))
