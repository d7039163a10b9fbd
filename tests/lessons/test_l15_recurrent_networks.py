"""Headless tests of lesson 15's callbacks (RNN and LSTM worked examples, BPTT, gradients in time, the task)."""

import math

import numpy as np
import pytest

from nncourse.lessons import l15_recurrent_networks as l15
from nnlib.gradcheck import numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.rnn import LSTMCell, RNNCell


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_rnn_worked_example_by_hand():
    out = l15.rnn_worked_example()
    h1 = math.tanh(0.5 * 1.0)
    h2 = math.tanh(0.5 * 0.5 + 0.8 * h1)
    h3 = math.tanh(0.5 * -1.0 + 0.8 * h2)
    np.testing.assert_allclose(out["h"], [h1, h2, h3], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["z"], [0.5, 0.25 + 0.8 * h1, -0.5 + 0.8 * h2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["h_prev"], [0.0, h1, h2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["o"], [sig(2 * h1), sig(2 * h2), sig(2 * h3)], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out["h_unrolled"], out["h"])
    assert round(h2, 4) == 0.5509


def test_bptt_worked_example_against_central_differences():
    out = l15.bptt_worked_example()
    h = out["h"]
    assert out["loss"] == pytest.approx(0.5 * (h[-1] - 1.0) ** 2, rel=1e-12)
    # the chain: dL/dh_3 = h_3 - 1, then multiply by V (1 - h_t^2) per step back
    assert out["dh"][2] == pytest.approx(h[2] - 1.0, rel=1e-12)
    assert out["dh"][1] == pytest.approx(out["dh"][2] * 0.8 * (1 - h[2] ** 2), rel=1e-12)
    assert out["dh"][0] == pytest.approx(out["dh"][1] * out["factor"][1], rel=1e-12)
    assert out["dh0"] == pytest.approx(out["dh"][0] * out["factor"][0], rel=1e-12)
    for name in ("dU", "dV", "db"):
        assert out[f"{name}_t"].sum() == pytest.approx(out[name], rel=1e-12, abs=1e-15)
    # totals against numerical derivatives of the loss
    params = np.array([0.5, 0.8, 0.0])

    def loss():
        example = dict(l15.RNN_EXAMPLE, U=params[0], V=params[1], b=params[2])
        return 0.5 * (l15.rnn_worked_example(example)["h"][-1] - 1.0) ** 2

    numeric = numerical_gradient(lambda _: loss(), params)
    np.testing.assert_allclose([out["dU"], out["dV"], out["db"]], numeric, rtol=1e-6, atol=1e-10)
    # the first step contributes nothing to dV because h_0 = 0
    assert out["dV_t"][0] == 0.0


def test_gradient_vs_lag_rnn_vanishes_lstm_keeps():
    rnn = l15.gradient_vs_lag("rnn", weight_scale=0.5, T=40, rng=0)
    lstm = l15.gradient_vs_lag("lstm", weight_scale=0.5, T=40, forget_bias=3.0, rng=0)
    closed = l15.gradient_vs_lag("lstm", weight_scale=0.5, T=40, forget_bias=-3.0, rng=0)
    assert rnn["norm"][0] == lstm["norm"][0] == 1.0
    assert rnn["norm"].shape == (40,) and list(rnn["lag"][:3]) == [0, 1, 2]
    assert rnn["norm"][-1] < 1e-8
    assert lstm["norm"][-1] > 1e-2
    assert closed["norm"][-1] < 1e-8  # a closed forget gate cuts the cell path
    # a plain RNN with small recurrent weights shrinks the gradient at every step
    assert np.all(np.diff(rnn["norm"][:20]) < 0)


def test_gradient_vs_lag_is_seeded_and_validates():
    a = l15.gradient_vs_lag("lstm", 1.0, 10, rng=3)["norm"]
    np.testing.assert_array_equal(a, l15.gradient_vs_lag("lstm", 1.0, 10, rng=3)["norm"])
    with pytest.raises(ValueError, match="gradient_vs_lag: cell_type must be 'rnn' or 'lstm', got 'gru'"):
        l15.gradient_vs_lag("gru")
    with pytest.raises(ValueError, match="gradient_vs_lag: weight_scale must be > 0, got 0"):
        l15.gradient_vs_lag("rnn", weight_scale=0)


def test_lstm_worked_example_by_hand():
    out = l15.lstm_worked_example()
    # x = 1, h_prev = 0.5, c_prev = 2
    i, f, o = sig(1 - 0.5), sig(0.5 + 1.0), sig(-1 + 0.5)
    c_tilde = math.tanh(2 - 0.25)
    c = f * 2.0 + i * c_tilde
    h = o * math.tanh(c)
    for name, value in (("i", i), ("f", f), ("o", o), ("c_tilde", c_tilde), ("c", c), ("h", h)):
        assert out[name] == pytest.approx(value, rel=1e-12), name
    assert out["h_cell"] == pytest.approx(h, rel=1e-12)
    assert out["c_cell"] == pytest.approx(c, rel=1e-12)


def test_memory_cell_keeps_what_it_wrote_while_the_forget_gate_is_open():
    keep = l15.memory_cell_trace(forget_bias=5.0, T=20, value=0.8, write_at=2, rng=0)
    forget = l15.memory_cell_trace(forget_bias=0.0, T=20, value=0.8, write_at=2, rng=0)
    assert keep["stored"] == pytest.approx(math.tanh(1.6), rel=1e-12)
    assert keep["i"][2] > 0.99 and np.all(keep["i"][3:] < 0.01)
    # after writing, c decays like f^steps (plus the little the almost-closed input gate lets in)
    steps = 20 - 1 - 2
    assert abs(keep["c"][-1] - keep["stored"] * keep["f_keep"] ** steps) < 0.05
    assert keep["c"][-1] > 0.8 * keep["stored"]
    assert abs(forget["c"][-1]) < 0.05
    np.testing.assert_allclose(keep["h"], keep["o"] * np.tanh(keep["c"]), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"memory_cell_trace: write_at must be an int in 0\.\.4, got 5"):
        l15.memory_cell_trace(T=5, write_at=5)


def test_running_sum_data_labels():
    X, y = l15.running_sum_data(50, 6, rng=1)
    assert X.shape == (50, 6, 1) and y.shape == (50, 1)
    np.testing.assert_array_equal(y[:, 0], (X.sum(axis=(1, 2)) > 0).astype(float))


@pytest.mark.parametrize("cell_class", [RNNCell, LSTMCell])
def test_last_step_classifier_gradients(cell_class):
    rng = np.random.default_rng(0)
    model = l15.LastStepClassifier(cell_class(2, 3, rng=1), rng=2)
    X = rng.normal(size=(4, 5, 2))
    G = rng.normal(size=(4, 1))  # random upstream gradient

    def loss():
        return float(np.sum(model(X) * G))

    model.forward(X)
    dX = model.backward(G)
    np.testing.assert_allclose(dX, numerical_gradient(lambda _: loss(), X), rtol=1e-6, atol=1e-8)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, numerical_gradient(lambda _: loss(), p.data), rtol=1e-6, atol=1e-8,
                                   err_msg=name)
    assert set(model.state_dict()) == {name for name, _ in model.named_parameters()}


def test_last_step_classifier_errors():
    model = l15.make_sequence_model("rnn", 4)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        model.backward(np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"LastStepClassifier.forward: input must have shape \(N, T, 1\)"):
        model(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="make_sequence_model: cell_type must be 'rnn' or 'lstm'"):
        l15.make_sequence_model("gru")


def test_training_beats_the_memoryless_guess():
    r = l15.train_sequence_task("rnn", T=6, epochs=3, n_train=400, n_test=300, verbose=False)
    assert r["test_acc"] > r["last_input_acc"] + 0.1
    assert r["test_acc"] > r["untrained_acc"] + 0.1
    assert len(r["history"]["train_loss"]) == 3
