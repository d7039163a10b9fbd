"""Visible tests for solutions/ex15_recurrent_networks.ipynb (RNN step, unrolling, BPTT factors, LSTM step).

Conventions of the exercise (as in ``nnlib.rnn``): batches are rows, ``x_t`` is ``(N, D)``, states
``h`` and ``c`` are ``(N, H)``; the RNN cell is ``h_t = tanh(x_t U^T + h_{t-1} V^T + b)`` with
``U`` (H, D), ``V`` (H, H), ``b`` (H,); a sequence ``X`` is ``(T, N, D)`` (time first). LSTM
parameters come in a dict with ``W_g`` (H, D), ``U_g`` (H, H), ``b_g`` (H,) for the gates
``g`` in ``i, f, o, c``.
"""

import numpy as np

from nncourse.grading.feedback import (
    Item,
    as_array,
    expect_array,
    expect_callable,
    expect_shape,
    expect_tuple,
    expect_unchanged,
    fail,
)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _rnn_step(x, h, U, V, b):
    return np.tanh(x @ U.T + h @ V.T + b)


def _rnn_forward(X, h0, U, V, b):
    H, h = [], h0
    for x in X:
        h = _rnn_step(x, h, U, V, b)
        H.append(h)
    return np.array(H)


def _lstm_step(x, h, c, p, tanh_c=True, swap_if=False):
    i = _sigmoid(x @ p["W_i"].T + h @ p["U_i"].T + p["b_i"])
    f = _sigmoid(x @ p["W_f"].T + h @ p["U_f"].T + p["b_f"])
    o = _sigmoid(x @ p["W_o"].T + h @ p["U_o"].T + p["b_o"])
    c_tilde = np.tanh(x @ p["W_c"].T + h @ p["U_c"].T + p["b_c"])
    if swap_if:
        i, f = f, i
    c_new = f * c + i * c_tilde
    h_new = o * (np.tanh(c_new) if tanh_c else c_new)
    return h_new, c_new


def _same(got, candidate):
    candidate = np.asarray(candidate, dtype=float)
    return got.shape == candidate.shape and bool(np.allclose(got, candidate, rtol=1e-7, atol=1e-9))


def _rnn_problem(rng, N=4, D=3, H=2):
    x = rng.normal(size=(N, D))
    h = rng.normal(scale=0.5, size=(N, H))
    U = rng.normal(size=(H, D))
    V = rng.normal(size=(H, H))
    b = rng.normal(size=H)
    return x, h, U, V, b


def check_rnn_step(rnn_step):
    """rnn_step(x, h_prev, U, V, b) -> tanh(x U^T + h_prev V^T + b), shape (N, H)."""
    expect_callable("rnn_step", rnn_step)
    one = as_array("rnn_step", rnn_step(np.array([[1.0]]), np.array([[0.0]]), np.array([[0.5]]),
                                        np.array([[0.8]]), np.array([0.0])))
    what = "rnn_step(x=[[1]], h_prev=[[0]], U=[[0.5]], V=[[0.8]], b=[0]), the lesson's first step tanh(0.5) = 0.4621"
    if _same(one, [[0.5]]):
        fail(f"{what}: you returned z = 0.5; the tanh is missing, h_t = tanh(z_t)")
    expect_array(what, one, np.tanh([[0.5]]))
    x, h, U, V, b = _rnn_problem(np.random.default_rng(0))
    copies = [a.copy() for a in (x, h, U, V, b)]
    got = rnn_step(x, h, U, V, b)
    for name, a, a_copy in zip(("x", "h_prev", "U", "V", "b"), (x, h, U, V, b), copies):
        expect_unchanged(name, a, a_copy)
    what = "rnn_step(x (4, 3), h_prev (4, 2), U (2, 3), V (2, 2), b (2,))"
    got = expect_shape(what, got, (4, 2))
    z = x @ U.T + h @ V.T + b
    if _same(got, z):
        fail(f"{what}: the tanh is missing; h_t = tanh(z_t)")
    if _same(got, _sigmoid(z)):
        fail(f"{what}: you used the sigmoid; the RNN cell uses tanh")
    if _same(got, np.tanh(x @ U.T + h @ V + b)):
        fail(f"{what}: V is used without .T; row n of the batch needs h_prev @ V.T (the lecture's V h_(t-1))")
    if _same(got, np.tanh(x @ U.T + b)):
        fail(f"{what}: the previous state h_prev is ignored; add h_prev @ V.T")
    if _same(got, np.tanh(z - b)):
        fail(f"{what}: the bias b is missing")
    expect_array(what, got, np.tanh(z), hint="compute z = x @ U.T + h_prev @ V.T + b, then tanh(z)")


def check_rnn_forward(rnn_forward):
    """rnn_forward(X, h0, U, V, b) -> all states (T, N, H), state carried from step to step."""
    expect_callable("rnn_forward", rnn_forward)
    X = np.array([1.0, 0.5, -1.0]).reshape(3, 1, 1)
    got = as_array("rnn_forward", rnn_forward(X, np.zeros((1, 1)), np.array([[0.5]]), np.array([[0.8]]),
                                              np.zeros(1)))
    what = "rnn_forward on the lesson's example x = (1, 0.5, -1), U = 0.5, V = 0.8, b = 0"
    expected = _rnn_forward(X, np.zeros((1, 1)), np.array([[0.5]]), np.array([[0.8]]), np.zeros(1))
    if got.shape == (1, 1):
        fail(f"{what}: you returned only the last state, shape (1, 1); return all T states, shape (3, 1, 1)")
    if got.shape == (4, 1, 1):
        fail(f"{what}: you returned 4 states; return h_1 .. h_T (T = 3), without h_0")
    expect_shape(what, got, (3, 1, 1))
    if _same(got, np.tanh(0.5 * X)):
        fail(f"{what}: every step starts from h0; carry the new state into the next step (h = rnn_step(x_t, h, ...))")
    expect_array(what, got, expected, hint="h_1 = tanh(0.5) = 0.4621, h_2 = tanh(0.25 + 0.8 * 0.4621) = 0.5509")
    rng = np.random.default_rng(1)
    x, h0, U, V, b = _rnn_problem(rng, N=2, D=3, H=4)
    X = rng.normal(size=(5, 2, 3))
    X_copy, h0_copy = X.copy(), h0.copy()
    what = "rnn_forward(X (5, 2, 3), h0 (2, 4), U (4, 3), V (4, 4), b (4,))"
    got = rnn_forward(X, h0, U, V, b)
    expect_unchanged("X", X, X_copy)
    expect_unchanged("h0", h0, h0_copy)
    expect_array(what, expect_shape(what, got, (5, 2, 4)), _rnn_forward(X, h0, U, V, b))


def check_bptt(state_gradients):
    """state_gradients(h, V, grad_hT) -> dL/dh_t for t = 0..T of a one-unit RNN."""
    expect_callable("state_gradients", state_gradients)
    h = np.array([0.4621, 0.5509, -0.0592])
    h_copy = h.copy()
    what = "state_gradients(h=[0.4621, 0.5509, -0.0592], V=0.8, grad_hT=h_3 - 1)"
    got = as_array(what, state_gradients(h, 0.8, h[-1] - 1.0))
    expect_unchanged("h", h, h_copy)
    g = np.zeros(4)
    g[3] = h[-1] - 1.0
    for t in (3, 2, 1):
        g[t - 1] = g[t] * 0.8 * (1 - h[t - 1] ** 2)
    if got.shape == (3,):
        fail(f"{what}: expected 4 values, dL/dh_0 .. dL/dh_3, got 3; include h_0's gradient (index 0) and "
             "grad_hT at index T")
    expect_shape(what, got, (4,))
    if _same(got, g[::-1]):
        fail(f"{what}: your list is reversed; index t must hold dL/dh_t (index 0 = h_0, index 3 = h_T)")
    grad = h[-1] - 1.0
    no_tanh = np.array([grad * 0.8**3, grad * 0.8**2, grad * 0.8, grad])
    if _same(got, no_tanh):
        fail(f"{what}: the tanh derivative is missing; each step back multiplies by V * (1 - h_t^2), not by V alone")
    shifted = np.zeros(4)
    shifted[3] = grad
    for t in (3, 2, 1):
        shifted[t - 1] = shifted[t] * 0.8 * (1 - (h[t - 2] if t >= 2 else 0.0) ** 2)
    if _same(got, shifted):
        fail(f"{what}: the step from h_t back to h_(t-1) uses 1 - h_t^2 (the derivative at the later state h_t), "
             "not 1 - h_(t-1)^2")
    expect_array(what, got, g, rtol=1e-6, atol=1e-9,
                 hint="dL/dh_(t-1) = dL/dh_t * V * (1 - h_t^2), from t = T down to 1")


def _lstm_params(rng, D, H):
    p = {}
    for g in "ifoc":
        p[f"W_{g}"] = rng.normal(size=(H, D))
        p[f"U_{g}"] = rng.normal(size=(H, H))
        p[f"b_{g}"] = rng.normal(size=H)
    return p


def _lstm_slips(what, h_new, c_new, x, h, c, p):
    """Recognise swapped input/forget gates and a missing tanh in h_t."""
    if c_new.shape == c.shape and _same(c_new, _lstm_step(x, h, c, p, swap_if=True)[1]):
        fail(f"{what}: c_t has the input and forget gates swapped; the forget gate multiplies the old cell c_prev, "
             "the input gate the candidate c~_t")
    if h_new.shape == c.shape and _same(h_new, _lstm_step(x, h, c, p, tanh_c=False)[0]):
        fail(f"{what}: h_t = o_t * c_t is missing the tanh; the state is h_t = o_t * tanh(c_t)")


def check_lstm_step(lstm_step):
    """lstm_step(x, h_prev, c_prev, params) -> (h, c) with the SAP deck's equations (plus biases)."""
    expect_callable("lstm_step", lstm_step)
    p = {f"{m}_{g}": np.zeros((1, 1)) for m in "WU" for g in "ifoc"}
    p.update({f"b_{g}": np.zeros(1) for g in "ifoc"})
    for g, w, u in (("i", 1.0, -1.0), ("f", 0.5, 2.0), ("o", -1.0, 1.0), ("c", 2.0, -0.5)):
        p[f"W_{g}"][...] = w
        p[f"U_{g}"][...] = u
    x, h, c = np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0]])
    out = expect_tuple("lstm_step", lstm_step(x, h, c, p), 2)
    what = "lstm_step on the lesson's worked example (x = 1, h_prev = 0.5, c_prev = 2)"
    h_new, c_new = (as_array(what, v) for v in out)
    h_exp, c_exp = _lstm_step(x, h, c, p)
    _lstm_slips(what, h_new, c_new, x, h, c, p)
    expect_array(what + ": c_t (f = 0.8176, i = 0.6225, c~ = 0.9414)", c_new, c_exp,
                 hint="c_t = f_t * c_prev + i_t * c~_t")
    expect_array(what + ": h_t", h_new, h_exp, hint="h_t = o_t * tanh(c_t)")
    rng = np.random.default_rng(2)
    p = _lstm_params(rng, 3, 2)
    x, h, c = rng.normal(size=(4, 3)), rng.normal(scale=0.5, size=(4, 2)), rng.normal(size=(4, 2))
    p_copy = {k: v.copy() for k, v in p.items()}
    c_copy = c.copy()
    what = "lstm_step(x (4, 3), h_prev (4, 2), c_prev (4, 2), params with biases)"
    out = expect_tuple("lstm_step", lstm_step(x, h, c, p), 2)
    expect_unchanged("c_prev", c, c_copy)
    for k in p:
        expect_unchanged(f"params['{k}']", p[k], p_copy[k])
    h_new, c_new = (expect_shape(what, v, (4, 2)) for v in out)
    h_exp, c_exp = _lstm_step(x, h, c, p)
    _lstm_slips(what, h_new, c_new, x, h, c, p)
    expect_array(what + ": c_t", c_new, c_exp, hint="check every gate's biases b_g and that U_g multiplies h_prev")
    expect_array(what + ": h_t", h_new, h_exp)


ITEMS = {
    "ex15-rnn-step": Item(check_rnn_step, title="one step of the RNN cell", hidden=1),
    "ex15-rnn-forward": Item(check_rnn_forward, title="unrolling the RNN over a sequence", hidden=1),
    "ex15-bptt": Item(check_bptt, title="backpropagation through time in a one-unit RNN", hidden=1),
    "ex15-lstm-step": Item(check_lstm_step, title="one step of the LSTM cell", hidden=2),
}
