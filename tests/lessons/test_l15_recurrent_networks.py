"""Lesson 15: the lesson's RNN and LSTM numbers checked on nnlib, and ``LastStepClassifier``.

The notebook computes the worked steps, the BPTT table, the gradient against the lag, the memory
cell and the training runs in its cells (nbval re-checks the printed numbers); these tests pin the
same facts on the library, with the formulas written out here.
"""

import math

import numpy as np
import pytest
from notebook_functions import notebook_function

from nncourse.lessons import l15_recurrent_networks as l15
from nnlib.gradcheck import numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.gru import GRUCell
from nnlib.losses import BCEWithLogitsLoss
from nnlib.optim import Adam
from nnlib.rnn import RNN, LSTMCell, RNNCell
from nnlib.training import evaluate, fit


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def worked_rnn(U=0.5, V=0.8, b=0.0):
    cell = RNNCell(1, 1)
    cell.U[...], cell.V[...], cell.b[...] = U, V, b
    return cell


X_WORKED = np.array([1.0, 0.5, -1.0]).reshape(3, 1, 1)


def test_rnn_worked_example_by_hand():
    H = RNN(worked_rnn())(X_WORKED)[:, 0, 0]
    h1 = math.tanh(0.5 * 1.0)
    h2 = math.tanh(0.5 * 0.5 + 0.8 * h1)
    h3 = math.tanh(0.5 * -1.0 + 0.8 * h2)
    np.testing.assert_allclose(H, [h1, h2, h3], rtol=1e-12, atol=1e-12)
    assert (round(h1, 4), round(h2, 4), round(h3, 4)) == (0.4621, 0.5509, -0.0592)
    assert round(sig(2 * h2), 4) == 0.7506  # o_2 = sigmoid(W h_2), W = 2
    # the slide's U x without the time index: the first input at every step gives another state
    h = 0.0
    for _ in range(3):
        h = math.tanh(0.5 * 1.0 + 0.8 * h)
    assert round(h, 4) == 0.786


def test_bptt_of_the_worked_example_by_hand_and_against_central_differences():
    cell = worked_rnn()
    rnn = RNN(cell)
    H = rnn(X_WORKED)
    h = [0.0] + list(H[:, 0, 0])
    grad_H = np.zeros_like(H)
    grad_H[-1] = h[3] - 1.0  # L = (h_3 - 1)^2 / 2
    rnn.backward(grad_H)
    # the walk of the notebook: delta_t = dh_t (1 - h_t^2), dh_(t-1) = delta_t V
    dh, shares = h[3] - 1.0, {"U": 0.0, "V": 0.0, "b": 0.0}
    for t in (3, 2, 1):
        delta = dh * (1 - h[t] ** 2)
        shares["U"] += delta * X_WORKED[t - 1, 0, 0]
        shares["V"] += delta * h[t - 1]
        shares["b"] += delta
        dh = delta * 0.8
    np.testing.assert_allclose([cell.dU[0, 0], cell.dV[0, 0], cell.db[0]], list(shares.values()), rtol=1e-12)
    assert rnn.dstate0[0][0, 0] == pytest.approx(dh, rel=1e-12)
    assert (round(cell.dU[0, 0], 4), round(cell.dV[0, 0], 4), round(cell.db[0], 4)) == (0.3914, -0.8533, -2.0136)
    params = np.array([0.5, 0.8, 0.0])

    def loss(_):
        return 0.5 * (RNN(worked_rnn(*params))(X_WORKED)[-1, 0, 0] - 1.0) ** 2

    np.testing.assert_allclose([cell.dU[0, 0], cell.dV[0, 0], cell.db[0]], numerical_gradient(loss, params),
                               rtol=1e-6, atol=1e-10)


def relative_gradient_by_lag(Cell, scale, T, forget_bias=3.0, hidden=16, n=8, seed=0):
    """The notebook's experiment: norm of dL/dstate at every lag, relative to the last step."""
    rng = np.random.default_rng(seed)
    cell = Cell(1, hidden, rng=rng)
    for name in (["V"] if Cell is RNNCell else ["U_i", "U_f", "U_o", "U_c"]):
        getattr(cell, name)[...] = scale * rng.normal(size=(hidden, hidden)) / np.sqrt(hidden)
    if Cell is LSTMCell:
        cell.b_f[...] = forget_bias
    X = rng.normal(size=(T, n, 1))
    state, caches = cell.init_state(n), []
    for t in range(T):
        state, cache = cell.step(X[t], state)
        caches.append(cache)
    dstate = (rng.normal(size=(n, hidden)),) + tuple(np.zeros((n, hidden)) for _ in state[1:])
    norms = []
    for t in reversed(range(T)):
        norms.append(np.sqrt(sum(np.sum(d**2) for d in dstate)))
        _, dstate = cell.step_backward(dstate, caches[t])
    return np.array(norms) / norms[0]


def test_gradient_vanishes_in_time_for_the_rnn_and_survives_an_open_forget_gate():
    rnn = relative_gradient_by_lag(RNNCell, 0.5, 40)
    lstm = relative_gradient_by_lag(LSTMCell, 0.5, 40, forget_bias=3.0)
    closed = relative_gradient_by_lag(LSTMCell, 0.5, 40, forget_bias=-3.0)
    assert rnn[-1] < 1e-8 and np.all(np.diff(rnn[:20]) < 0)  # shrinks at every step
    assert lstm[-1] > 1e-2
    assert closed[-1] < 1e-8  # a closed forget gate cuts the cell path
    assert relative_gradient_by_lag(RNNCell, 3.0, 40)[-1] > 1.0  # large recurrent weights: it explodes


def test_rnn_step_backward_multiplies_by_the_lecture_factor():
    rng = np.random.default_rng(1)
    cell = RNNCell(2, 3, rng=rng)
    (h,), cache = cell.step(rng.normal(size=(1, 2)), (rng.normal(size=(1, 3)),))
    dh = rng.normal(size=(1, 3))
    _, (dh_prev,) = cell.step_backward((dh,), cache)
    # dL/dh_(t-1) = dL/dh_t diag(1 - h_t^2) V, as a row vector
    np.testing.assert_allclose(dh_prev, dh @ np.diag(1 - h[0] ** 2) @ cell.V, rtol=1e-12, atol=1e-12)


def test_lstm_worked_example_by_hand():
    W_g = {"i": 1.0, "f": 0.5, "o": -1.0, "c": 2.0}
    U_g = {"i": -1.0, "f": 2.0, "o": 1.0, "c": -0.5}
    cell = LSTMCell(1, 1)
    for g in "ifoc":
        getattr(cell, f"W_{g}")[...] = W_g[g]
        getattr(cell, f"U_{g}")[...] = U_g[g]
    (h, c), cache = cell.step(np.array([[1.0]]), (np.array([[0.5]]), np.array([[2.0]])))
    i, f, o = sig(1 - 0.5), sig(0.5 + 1.0), sig(-1 + 0.5)
    c_tilde = math.tanh(2 - 0.25)
    for value, expected in zip(cache[3:7], (i, f, o, c_tilde)):
        assert value[0, 0] == pytest.approx(expected, rel=1e-12)
    assert c[0, 0] == pytest.approx(f * 2.0 + i * c_tilde, rel=1e-12)
    assert h[0, 0] == pytest.approx(o * math.tanh(f * 2.0 + i * c_tilde), rel=1e-12)
    assert (round(f, 4), round(c[0, 0], 4), round(h[0, 0], 4)) == (0.8176, 2.2211, 0.3688)


def test_a_hand_wired_lstm_keeps_what_it_wrote_while_the_forget_gate_is_open():
    def run(forget_bias, T=20, write_at=2, value=0.8):
        cell = LSTMCell(2, 1)
        for g in "ifoc":
            getattr(cell, f"U_{g}")[...] = 0.0
        cell.W_i[...], cell.b_i[...] = [[0.0, 10.0]], -5.0
        cell.W_f[...], cell.b_f[...] = [[0.0, -10.0]], forget_bias
        cell.W_o[...], cell.b_o[...] = [[0.0, 0.0]], 5.0
        cell.W_c[...] = [[2.0, 0.0]]
        v = np.random.default_rng(0).uniform(-1.0, 1.0, size=T)
        v[write_at] = value
        w = (np.arange(T) == write_at).astype(float)
        state, cs = cell.init_state(1), []
        for t in range(T):
            state, _ = cell.step(np.array([[v[t], w[t]]]), state)
            cs.append(state[1][0, 0])
        return np.array(cs)

    keep, forget = run(5.0), run(0.0)
    stored = math.tanh(1.6)
    assert keep[2] == pytest.approx(stored, abs=0.01)
    assert abs(keep[-1] - stored * sig(5.0) ** 17) < 0.05  # decays like f^steps
    assert abs(forget[-1]) < 0.05


# ---------------------------------------------------------------- LastStepClassifier

@pytest.mark.parametrize("cell_class", [RNNCell, LSTMCell])
def test_last_step_classifier_gradients(cell_class):
    rng = np.random.default_rng(0)
    model = l15.LastStepClassifier(cell_class(2, 3, rng=1), rng=2)
    X = rng.normal(size=(4, 5, 2))
    G = rng.normal(size=(4, 1))  # random upstream gradient

    def loss(_):
        return float(np.sum(model(X) * G))

    model.forward(X)
    dX = model.backward(G)
    np.testing.assert_allclose(dX, numerical_gradient(loss, X), rtol=1e-6, atol=1e-8)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, numerical_gradient(loss, p.data), rtol=1e-6, atol=1e-8, err_msg=name)
    assert set(model.state_dict()) == {name for name, _ in model.named_parameters()}


def test_last_step_classifier_errors():
    model = l15.LastStepClassifier(RNNCell(1, 4, rng=0), rng=0)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        model.backward(np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"LastStepClassifier.forward: input must have shape \(N, T, 1\)"):
        model(np.zeros((2, 3)))


def test_training_beats_the_memoryless_guess():
    rng = np.random.default_rng(0)

    def data(n, T=6):
        X = rng.normal(size=(n, T, 1))
        return X, (X.sum(axis=(1, 2)) > 0).astype(float)[:, None]

    (X_train, y_train), (X_val, y_val), (X_test, y_test) = data(400), data(200), data(300)
    model = l15.LastStepClassifier(RNNCell(1, 8, rng=rng), rng=rng)
    loss_fn = BCEWithLogitsLoss()
    untrained = evaluate(model, loss_fn, X_test, y_test)[1]
    history = fit(model, loss_fn, Adam(model.parameters(), lr=0.01), X_train, y_train, epochs=3,
                  X_val=X_val, y_val=y_val, rng=rng, verbose=False)
    test_acc = evaluate(model, loss_fn, X_test, y_test)[1]
    last_input = np.mean((X_test[:, -1, 0] > 0) == (y_test[:, 0] == 1))
    assert len(history["val_acc"]) == 3
    assert test_acc > last_input + 0.1 and test_acc > untrained + 0.1


# ---------------------------------------------------------------- the GRU


def test_gru_step_by_hand_is_the_lessons():
    gru = GRUCell(1, 1)
    for name, value in dict(W_r=0.5, U_r=-1.0, b_r=0.0, W_z=1.0, U_z=1.0, b_z=-1.0,
                            W_n=2.0, U_n=1.0, b_n=0.0, b_hn=0.5).items():
        getattr(gru, name)[...] = value
    z = 1 / (1 + np.exp(-0.5))
    expected = (1 - z) * np.tanh(2.5) + z * 0.5                       # r = 0.5, n = tanh(2 + 0.5 * 1)
    assert gru(np.array([[1.0]]), np.array([[0.5]]))[0, 0] == pytest.approx(expected, abs=1e-12)
    assert round(expected, 4) == 0.6837


def test_gru_learns_the_sum_task_with_the_lessons_training_function():
    train_on_sums = notebook_function("15_recurrent_networks.ipynb", "train_on_sums",
                                      sum_sign_data=notebook_function("15_recurrent_networks.ipynb", "sum_sign_data"))
    run = train_on_sums(GRUCell, T=10, epochs=2)
    assert run["history"]["val_acc"][-1] > 0.85 > run["untrained_acc"]
