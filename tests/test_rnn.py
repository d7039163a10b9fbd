"""Tests of nnlib.rnn: the lecture's equations, BPTT gradient checks, a tiny sequence task, errors."""

import math

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.rnn import RNN, LSTMCell, RNNCell


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# ---------------------------------------------------------------- the lecture's equations


def test_rnn_cell_step_by_hand():
    # h_t = tanh(U x_t + V h_{t-1} + b) with D = 2, H = 1
    cell = RNNCell(2, 1)
    cell.U[...] = [[0.5, -1.0]]
    cell.V[...] = [[2.0]]
    cell.b[...] = [0.1]
    h = cell(np.array([[1.0, 0.2]]), np.array([[0.3]]))
    assert h[0, 0] == pytest.approx(math.tanh(0.5 - 0.2 + 0.6 + 0.1))  # tanh(1.0)
    assert cell(np.array([[1.0, 0.2]]))[0, 0] == pytest.approx(math.tanh(0.4))  # h_prev = 0


def test_lstm_cell_step_by_hand():
    # D = H = 1; every W_g = 1, U_g = 0.5, b_g = 0; x = 1, h_prev = 0.2, c_prev = 1
    cell = LSTMCell(1, 1)
    for name in ("W_i", "W_f", "W_o", "W_c"):
        getattr(cell, name)[...] = 1.0
    for name in ("U_i", "U_f", "U_o", "U_c"):
        getattr(cell, name)[...] = 0.5
    h, c = cell(np.array([[1.0]]), (np.array([[0.2]]), np.array([[1.0]])))
    gate = sigmoid(1.0 + 0.5 * 0.2)  # i = f = o = sigma(1.1)
    c_tilde = math.tanh(1.1)
    c_expected = gate * 1.0 + gate * c_tilde
    assert c[0, 0] == pytest.approx(c_expected)
    assert h[0, 0] == pytest.approx(gate * math.tanh(c_expected))


def test_lstm_forget_gate_keeps_or_erases_memory():
    cell = LSTMCell(1, 1)
    c_prev = np.array([[3.0]])
    x = np.zeros((1, 1))
    h_prev = np.zeros((1, 1))
    cell.b_i[...] = -50.0  # input gate shut: nothing new is written
    cell.b_f[...] = 50.0  # forget gate open: c_t = c_{t-1}
    assert cell(x, (h_prev, c_prev))[1][0, 0] == pytest.approx(3.0)
    cell.b_f[...] = -50.0  # forget gate shut: the memory is erased
    assert cell(x, (h_prev, c_prev))[1][0, 0] == pytest.approx(0.0, abs=1e-12)


def test_unrolled_rnn_equals_manual_loop():
    rng = np.random.default_rng(0)
    cell = RNNCell(3, 4, rng=1)
    X = rng.normal(size=(5, 2, 3))
    H = RNN(cell)(X)
    h = np.zeros((2, 4))
    for t in range(5):
        h = np.tanh(X[t] @ cell.U.T + h @ cell.V.T + cell.b)
        np.testing.assert_allclose(H[t], h, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("cell_class", [RNNCell, LSTMCell])
def test_single_step_gradients(cell_class):
    rng = np.random.default_rng(2)
    cell = cell_class(3, 4, rng=3)
    for p in cell.parameters():
        p.data[...] = rng.normal(scale=0.5, size=p.shape)
    x = rng.normal(size=(2, 3))
    state = tuple(rng.normal(size=(2, 4)) for _ in cell.init_state(1))
    G = [rng.normal(size=(2, 4)) for _ in state]  # random upstream gradients for h (and c)

    def loss():
        out = cell.forward(x, state[0] if cell_class is RNNCell else state)
        out = (out,) if cell_class is RNNCell else out
        return float(sum(np.sum(o * g) for o, g in zip(out, G)))

    loss()
    dx = cell.backward(*G)
    np.testing.assert_allclose(dx, numerical_gradient(lambda _: loss(), x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cell.dh_prev, numerical_gradient(lambda _: loss(), state[0]), rtol=1e-6, atol=1e-8)
    if cell_class is LSTMCell:
        np.testing.assert_allclose(cell.dc_prev, numerical_gradient(lambda _: loss(), state[1]), rtol=1e-6, atol=1e-8)
    for p in cell.parameters():
        np.testing.assert_allclose(p.grad, numerical_gradient(lambda _: loss(), p.data), rtol=1e-6, atol=1e-8,
                                   err_msg=p.name)


@pytest.mark.parametrize("cell_class", [RNNCell, LSTMCell])
def test_backpropagation_through_time_gradients(cell_class):
    """Gradient check of the whole unrolled sequence: inputs, initial state, all parameters."""
    rng = np.random.default_rng(4)
    T, N, D, H = 6, 2, 3, 4
    rnn = RNN(cell_class(D, H, rng=5))
    for p in rnn.parameters():
        p.data[...] = rng.normal(scale=0.6, size=p.shape)
    X = rng.normal(size=(T, N, D))
    state0 = tuple(rng.normal(size=(N, H)) for _ in rnn.cell.init_state(1))
    G = rng.normal(size=(T, N, H))  # random dL/dh_t at every step

    def loss():
        return float(np.sum(rnn.forward(X, state0) * G))

    loss()
    dX = rnn.backward(G)
    np.testing.assert_allclose(dX, numerical_gradient(lambda _: loss(), X), rtol=1e-6, atol=1e-8)
    for ds, s in zip(rnn.dstate0, state0):
        np.testing.assert_allclose(ds, numerical_gradient(lambda _: loss(), s), rtol=1e-6, atol=1e-8)
    for p in rnn.parameters():
        np.testing.assert_allclose(p.grad, numerical_gradient(lambda _: loss(), p.data), rtol=1e-6, atol=1e-8,
                                   err_msg=p.name)


def test_lstm_cell_path_keeps_gradients_that_vanish_in_a_plain_rnn():
    """dL/dh_0 after T = 40 steps: tiny for RNNCell, still sizeable through the LSTM's cell path."""
    rng = np.random.default_rng(8)
    T, N, H = 40, 4, 8
    X = rng.normal(size=(T, N, 1))
    G = np.zeros((T, N, H))
    G[-1] = rng.normal(size=(N, H))  # the loss only looks at the last hidden state
    norms = {}
    for cell in (RNNCell(1, H, rng=9), LSTMCell(1, H, rng=9)):
        if isinstance(cell, LSTMCell):
            cell.b_f[...] = 5.0  # forget gate nearly open: c_t ~ c_{t-1}
        rnn = RNN(cell)
        rnn(X)
        rnn.backward(G)
        dstate0 = rnn.dstate0[-1]  # dL/dh_0 for the RNN, dL/dc_0 for the LSTM
        norms[type(cell).__name__] = np.linalg.norm(dstate0)
    assert norms["RNNCell"] < 1e-6
    assert norms["LSTMCell"] > 1e-2


def test_gradients_accumulate_and_zero_grad_resets():
    rng = np.random.default_rng(6)
    rnn = RNN(LSTMCell(2, 3, rng=0))
    X = rng.normal(size=(4, 2, 2))
    G = rng.normal(size=(4, 2, 3))
    assert all(not p.grad.any() for p in rnn.parameters())
    rnn(X)
    rnn.backward(G)
    once = [p.grad.copy() for p in rnn.parameters()]
    rnn(X)
    rnn.backward(G)
    for p, g in zip(rnn.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-12, atol=1e-12)
    rnn.zero_grad()
    assert all(not p.grad.any() for p in rnn.parameters())
    assert [p.name for p in rnn.parameters()][:4] == ["W_i", "W_f", "W_o", "W_c"]


def test_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    T, N, D, H = 5, 3, 2, 4
    X = rng.normal(size=(T, N, D))
    G = rng.normal(size=(T, N, H))

    # RNNCell: weight_ih = U, weight_hh = V, bias_ih + bias_hh = b
    cell = RNNCell(D, H, rng=8)
    cell.b[...] = rng.normal(size=H)
    ref = torch.nn.RNN(D, H, nonlinearity="tanh").double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.from_numpy(cell.U))
        ref.weight_hh_l0.copy_(torch.from_numpy(cell.V))
        ref.bias_ih_l0.copy_(torch.from_numpy(cell.b))
        ref.bias_hh_l0.zero_()
    Xt = torch.tensor(X, requires_grad=True)
    out, _ = ref(Xt)
    out.backward(torch.tensor(G))
    rnn = RNN(cell)
    np.testing.assert_allclose(rnn(X), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rnn.backward(G), Xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cell.dV, ref.weight_hh_l0.grad.numpy(), rtol=1e-10, atol=1e-12)

    # LSTMCell: PyTorch stacks the gates as (i, f, c, o)
    cell = LSTMCell(D, H, rng=9)
    ref = torch.nn.LSTM(D, H).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.from_numpy(np.vstack([cell.W_i, cell.W_f, cell.W_c, cell.W_o])))
        ref.weight_hh_l0.copy_(torch.from_numpy(np.vstack([cell.U_i, cell.U_f, cell.U_c, cell.U_o])))
        ref.bias_ih_l0.zero_()
        ref.bias_hh_l0.zero_()
    Xt = torch.tensor(X, requires_grad=True)
    out, _ = ref(Xt)
    out.backward(torch.tensor(G))
    rnn = RNN(cell)
    np.testing.assert_allclose(rnn(X), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rnn.backward(G), Xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        np.vstack([cell.dU_i, cell.dU_f, cell.dU_c, cell.dU_o]), ref.weight_hh_l0.grad.numpy(),
        rtol=1e-10, atol=1e-12,
    )


# ---------------------------------------------------------------- a tiny sequence task


def running_sum_sign(rng, T, N):
    """x_t ~ N(0, 1); the target at every step is 1 if x_1 + ... + x_t > 0, else 0."""
    X = rng.normal(size=(T, N, 1))
    y = (np.cumsum(X, axis=0) > 0).astype(float)  # (T, N, 1)
    return X, y


def train_running_sum_sign(cell, steps, lr=0.02, T=10, N=32, seed=0):
    """Train cell + a linear read-out w h_t + c with a sigmoid output and Adam; return test accuracy."""
    rng = np.random.default_rng(seed)
    rnn = RNN(cell)
    H = cell.hidden_size
    w = rng.normal(scale=0.1, size=(H, 1))
    c = np.zeros(1)
    dw, dc = np.zeros_like(w), np.zeros_like(c)
    pairs = [(p.data, p.grad) for p in rnn.parameters()] + [(w, dw), (c, dc)]
    m = [np.zeros_like(a) for a, _ in pairs]
    v = [np.zeros_like(a) for a, _ in pairs]
    for step in range(1, steps + 1):
        X, y = running_sum_sign(rng, T, N)
        rnn.zero_grad()
        dw[...] = 0.0
        dc[...] = 0.0
        Hs = rnn(X)  # (T, N, H)
        prob = 1.0 / (1.0 + np.exp(-(Hs @ w + c)))  # (T, N, 1)
        delta = (prob - y) / (T * N)  # d(mean BCE)/d logits
        dw += np.einsum("tnh,tnk->hk", Hs, delta)
        dc += delta.sum(axis=(0, 1))
        rnn.backward(delta @ w.T)  # dL/dh_t at every step
        for k, (a, g) in enumerate(pairs):  # Adam
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            a -= lr * (m[k] / (1 - 0.9**step)) / (np.sqrt(v[k] / (1 - 0.999**step)) + 1e-8)
    X, y = running_sum_sign(np.random.default_rng(seed + 100), T, 1000)
    return float((((rnn(X) @ w + c) > 0) == y).mean())


@pytest.mark.parametrize("cell_class, steps", [(RNNCell, 200), (LSTMCell, 150)])
def test_learns_sign_of_running_sum(cell_class, steps):
    untrained = train_running_sum_sign(cell_class(1, 8, rng=0), steps=0)
    trained = train_running_sum_sign(cell_class(1, 8, rng=0), steps=steps)
    # guessing from the current input alone is right only about 2/3 of the time
    X, y = running_sum_sign(np.random.default_rng(100), 10, 1000)
    last_input_only = float(((X > 0) == y).mean())
    assert trained >= 0.95
    assert trained > last_input_only + 0.2
    assert trained > untrained + 0.1


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("cell_class", [RNNCell, LSTMCell])
def test_cell_errors(cell_class):
    name = cell_class.__name__
    with pytest.raises(ValueError, match=f"{name}: hidden_size must be >= 1, got 0"):
        cell_class(2, 0)
    with pytest.raises(TypeError, match=f"{name}: input_size must be an int, got float"):
        cell_class(2.0, 3)
    cell = cell_class(2, 3)
    with pytest.raises(RuntimeError, match=f"{name}.backward called before forward"):
        cell.backward(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=rf"{name}.forward: input must have shape \(N, 2\), got \(4, 3\)"):
        cell(np.zeros((4, 3)))
    cell(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=rf"{name}.backward: grad_h must have shape \(4, 3\), got \(4, 2\)"):
        cell.backward(np.zeros((4, 2)))


def test_cell_state_errors():
    with pytest.raises(ValueError, match=r"RNNCell.forward: h_prev must have shape \(4, 3\), got \(4, 2\)"):
        RNNCell(2, 3)(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(TypeError, match=r"LSTMCell.forward: state must be a tuple \(h_prev, c_prev\)"):
        LSTMCell(2, 3)(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"LSTMCell.forward: c_prev must have shape \(4, 3\), got \(3,\)"):
        LSTMCell(2, 3)(np.zeros((4, 2)), (np.zeros((4, 3)), np.zeros(3)))


def test_rnn_errors():
    with pytest.raises(TypeError, match="RNN: cell must be an RNNCell, LSTMCell or GRUCell, got str"):
        RNN("lstm")
    rnn = RNN(LSTMCell(2, 3))
    with pytest.raises(RuntimeError, match="RNN.backward called before forward"):
        rnn.backward(np.zeros((5, 1, 3)))
    with pytest.raises(ValueError, match=r"RNN.forward: input must have shape \(T, N, 2\), got \(4, 2\)"):
        rnn(np.zeros((4, 2)))  # forgot the time (or batch) axis
    with pytest.raises(ValueError, match=r"the sequence is empty \(T = 0\)"):
        rnn(np.zeros((0, 1, 2)))
    with pytest.raises(TypeError, match=r"RNN.forward: state0 must be a tuple \(h0, c0\) or None"):
        rnn(np.zeros((5, 1, 2)), (np.zeros((1, 3)),))
    rnn(np.zeros((5, 1, 2)))
    with pytest.raises(ValueError, match=r"RNN.backward: grad_H must have shape \(5, 1, 3\), got \(1, 3\)"):
        rnn.backward(np.zeros((1, 3)))
