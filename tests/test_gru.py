"""Tests of nnlib.gru.GRUCell: PyTorch's equations by hand, gradients through time, a sequence task, errors."""

import math

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.gru import GRUCell
from nnlib.rnn import RNN, RNNCell


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_gru_cell_step_by_hand():
    # D = H = 1: W_r = 0.5, W_z = -0.5, W_n = 1, U_r = 0.2, U_z = 0.1, U_n = 1, b_n = 0.1, b_hn = 0.2
    cell = GRUCell(1, 1)
    values = dict(W_r=0.5, W_z=-0.5, W_n=1.0, U_r=0.2, U_z=0.1, U_n=1.0, b_r=0.0, b_z=0.0, b_n=0.1, b_hn=0.2)
    for name, value in values.items():
        getattr(cell, name)[...] = value
    x, h_prev = 2.0, 0.5
    r = sigmoid(0.5 * 2.0 + 0.2 * 0.5)  # reset gate: sigma(1.1)
    z = sigmoid(-0.5 * 2.0 + 0.1 * 0.5)  # update gate: sigma(-0.95)
    n = math.tanh(1.0 * 2.0 + 0.1 + r * (1.0 * 0.5 + 0.2))  # the reset acts after U_n h + b_hn
    expected = (1 - z) * n + z * h_prev
    h = cell(np.array([[x]]), np.array([[h_prev]]))
    assert h[0, 0] == pytest.approx(expected, rel=1e-14)
    assert cell(np.array([[x]]))[0, 0] == pytest.approx(  # h_prev = 0
        (1 - sigmoid(-1.0)) * math.tanh(2.1 + sigmoid(1.0) * 0.2), rel=1e-14)


def test_update_gate_keeps_or_replaces_the_state():
    cell = GRUCell(1, 1)
    for p in cell.parameters():
        p.data[...] = 0.0
    cell.W_n[...] = 1.0
    x, h_prev = np.array([[0.7]]), np.array([[-0.4]])
    cell.b_z[...] = 50.0  # z = 1: h_t = h_{t-1}
    assert cell(x, h_prev)[0, 0] == pytest.approx(-0.4)
    cell.b_z[...] = -50.0  # z = 0: h_t = n = tanh(0.7)
    assert cell(x, h_prev)[0, 0] == pytest.approx(math.tanh(0.7))


def test_unrolled_gru_equals_manual_loop():
    rng = np.random.default_rng(0)
    cell = GRUCell(3, 4, rng=1)
    for name in ("b_r", "b_z", "b_n", "b_hn"):
        getattr(cell, name)[...] = rng.normal(size=4)
    X = rng.normal(size=(5, 2, 3))
    H = RNN(cell)(X)
    h = np.zeros((2, 4))

    def sig(a):
        return 1 / (1 + np.exp(-a))

    for t in range(5):
        r = sig(X[t] @ cell.W_r.T + h @ cell.U_r.T + cell.b_r)
        z = sig(X[t] @ cell.W_z.T + h @ cell.U_z.T + cell.b_z)
        n = np.tanh(X[t] @ cell.W_n.T + cell.b_n + r * (h @ cell.U_n.T + cell.b_hn))
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(H[t], h, rtol=1e-12, atol=1e-12)


def test_single_step_gradients_with_random_upstream():
    rng = np.random.default_rng(2)
    cell = GRUCell(3, 4, rng=3)
    for p in cell.parameters():
        p.data[...] = rng.normal(scale=0.5, size=p.shape)
    x, h_prev, G = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))

    def loss():
        return float(np.sum(cell.forward(x, h_prev) * G))

    loss()
    dx = cell.backward(G)
    np.testing.assert_allclose(dx, numerical_gradient(lambda _: loss(), x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cell.dh_prev, numerical_gradient(lambda _: loss(), h_prev), rtol=1e-6, atol=1e-8)
    for p in cell.parameters():
        np.testing.assert_allclose(p.grad, numerical_gradient(lambda _: loss(), p.data), rtol=1e-6, atol=1e-8,
                                   err_msg=p.name)


def test_backpropagation_through_time_gradients():
    rng = np.random.default_rng(4)
    T, N, D, H = 6, 2, 3, 4
    rnn = RNN(GRUCell(D, H, rng=5))
    for p in rnn.parameters():
        p.data[...] = rng.normal(scale=0.6, size=p.shape)
    X, h0, G = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(T, N, H))

    def loss():
        return float(np.sum(rnn.forward(X, (h0,)) * G))

    loss()
    dX = rnn.backward(G)
    np.testing.assert_allclose(dX, numerical_gradient(lambda _: loss(), X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(rnn.dstate0[0], numerical_gradient(lambda _: loss(), h0), rtol=1e-6, atol=1e-8)
    for p in rnn.parameters():
        np.testing.assert_allclose(p.grad, numerical_gradient(lambda _: loss(), p.data), rtol=1e-6, atol=1e-8,
                                   err_msg=p.name)
    assert [p.name for p in rnn.parameters()] == list(GRUCell.param_names)


def test_update_gate_path_keeps_gradients_that_vanish_in_a_plain_rnn():
    """dL/dh_0 after T = 40 steps: tiny for RNNCell, sizeable through the GRU's z * h_{t-1} path."""
    rng = np.random.default_rng(8)
    T, N, H = 40, 4, 8
    X = rng.normal(size=(T, N, 1))
    G = np.zeros((T, N, H))
    G[-1] = rng.normal(size=(N, H))
    norms = {}
    for cell in (RNNCell(1, H, rng=9), GRUCell(1, H, rng=9)):
        if isinstance(cell, GRUCell):
            cell.b_z[...] = 4.0  # update gate nearly 1: h_t ~ h_{t-1}
        rnn = RNN(cell)
        rnn(X)
        rnn.backward(G)
        norms[type(cell).__name__] = np.linalg.norm(rnn.dstate0[0])
    assert norms["RNNCell"] < 1e-6
    assert norms["GRUCell"] > 1e-2


def test_gru_learns_sign_of_running_sum():
    """Many-to-many: at every step, is x_1 + ... + x_t > 0? Needs memory; nnlib's Adam and BCE loss."""
    from nnlib.layers import Linear
    from nnlib.losses import BCEWithLogitsLoss
    from nnlib.optim import Adam

    rng = np.random.default_rng(0)
    T, N, H = 10, 32, 8
    rnn, readout, loss = RNN(GRUCell(1, H, rng=1)), Linear(H, 1, rng=2), BCEWithLogitsLoss()
    opt = Adam(rnn.parameters() + readout.parameters(), lr=0.02)
    for _ in range(150):
        X = rng.normal(size=(T, N, 1))
        y = (np.cumsum(X, axis=0) > 0).astype(float).reshape(T * N, 1)
        opt.zero_grad()
        hidden = rnn(X)  # (T, N, H)
        loss(readout(hidden.reshape(T * N, H)), y)
        rnn.backward(readout.backward(loss.backward()).reshape(T, N, H))
        opt.step()
    X = np.random.default_rng(100).normal(size=(T, 1000, 1))
    y = np.cumsum(X, axis=0) > 0
    accuracy = float(((readout(rnn(X).reshape(-1, H)) > 0).reshape(T, 1000, 1) == y).mean())
    assert accuracy >= 0.95 and accuracy > float(((X > 0) == y).mean()) + 0.2


def test_gru_cell_errors():
    with pytest.raises(ValueError, match="GRUCell: hidden_size must be >= 1, got 0"):
        GRUCell(2, 0)
    with pytest.raises(TypeError, match="GRUCell: input_size must be an int, got float"):
        GRUCell(2.0, 3)
    cell = GRUCell(2, 3)
    with pytest.raises(RuntimeError, match="GRUCell.backward called before forward"):
        cell.backward(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"GRUCell.forward: input must have shape \(N, 2\), got \(4, 3\)"):
        cell(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"GRUCell.forward: h_prev must have shape \(4, 3\), got \(4, 2\)"):
        cell(np.zeros((4, 2)), np.zeros((4, 2)))
    cell(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"GRUCell.backward: grad_h must have shape \(4, 3\), got \(4, 2\)"):
        cell.backward(np.zeros((4, 2)))
    with pytest.raises(TypeError, match=r"RNN.forward: state0 must be a tuple \(h0,\) or None"):
        RNN(GRUCell(2, 3))(np.zeros((5, 1, 2)), np.zeros((1, 3)))
