"""Visible tests for solutions/ex15_recurrent_networks.ipynb (RNN step, unrolling, BPTT factors, LSTM step,
the BPTT sums for the shared weights, one LSTM step backwards, quizzes).

Conventions of the exercise (as in ``nnlib.rnn``): batches are rows, ``x_t`` is ``(N, D)``, states
``h`` and ``c`` are ``(N, H)``; the RNN cell is ``h_t = tanh(x_t U^T + h_{t-1} V^T + b)`` with
``U`` (H, D), ``V`` (H, H), ``b`` (H,); a sequence ``X`` is ``(T, N, D)`` (time first). LSTM
parameters come in a dict with ``W_g`` (H, D), ``U_g`` (H, H), ``b_g`` (H,) for the gates
``g`` in ``i, f, o, c``. Expected values and recognised slips are stored numbers from
``solutions/references/ex15.py`` (the gradients come from ``nnlib.rnn``'s ``RNN`` and ``LSTMCell``).
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
    matches,
)
from nncourse.grading.quiz import quiz_item
from nncourse.grading.stored import numbers


def _same(got, candidate):
    return matches(got, candidate, rtol=1e-7, atol=1e-9)


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
    stored = numbers("ex15-rnn-step")
    one = as_array("rnn_step", rnn_step(np.array([[1.0]]), np.array([[0.0]]), np.array([[0.5]]),
                                        np.array([[0.8]]), np.array([0.0])))
    what = "rnn_step(x=[[1]], h_prev=[[0]], U=[[0.5]], V=[[0.8]], b=[0]), the lesson's first step tanh(0.5) = 0.4621"
    if _same(one, [[0.5]]):
        fail(f"{what}: you returned z = 0.5; the tanh is missing, h_t = tanh(z_t)")
    expect_array(what, one, np.array([[0.46211715726000974]]))
    x, h, U, V, b = _rnn_problem(np.random.default_rng(0))
    copies = [a.copy() for a in (x, h, U, V, b)]
    got = rnn_step(x, h, U, V, b)
    for name, a, a_copy in zip(("x", "h_prev", "U", "V", "b"), (x, h, U, V, b), copies):
        expect_unchanged(name, a, a_copy)
    what = "rnn_step(x (4, 3), h_prev (4, 2), U (2, 3), V (2, 2), b (2,))"
    got = expect_shape(what, got, (4, 2))
    if _same(got, stored["without_tanh"]):
        fail(f"{what}: the tanh is missing; h_t = tanh(z_t)")
    if _same(got, stored["sigmoid"]):
        fail(f"{what}: you used the sigmoid; the RNN cell uses tanh")
    if _same(got, stored["V_not_transposed"]):
        fail(f"{what}: V is used without .T; row n of the batch needs h_prev @ V.T (the lecture's V h_(t-1))")
    if _same(got, stored["without_state"]):
        fail(f"{what}: the previous state h_prev is ignored; add h_prev @ V.T")
    if _same(got, stored["without_bias"]):
        fail(f"{what}: the bias b is missing")
    expect_array(what, got, stored["expected"], hint="compute z = x @ U.T + h_prev @ V.T + b, then tanh(z)")


def forward_inputs():
    """A sequence X (5, 2, 3), h0 (2, 4) and the cell's U (4, 3), V (4, 4), b (4,)."""
    rng = np.random.default_rng(1)
    _, h0, U, V, b = _rnn_problem(rng, N=2, D=3, H=4)
    return rng.normal(size=(5, 2, 3)), h0, U, V, b


def check_rnn_forward(rnn_forward):
    """rnn_forward(X, h0, U, V, b) -> all states (T, N, H), state carried from step to step."""
    expect_callable("rnn_forward", rnn_forward)
    stored = numbers("ex15-rnn-forward")
    X = np.array([1.0, 0.5, -1.0]).reshape(3, 1, 1)
    got = as_array("rnn_forward", rnn_forward(X, np.zeros((1, 1)), np.array([[0.5]]), np.array([[0.8]]),
                                              np.zeros(1)))
    what = "rnn_forward on the lesson's example x = (1, 0.5, -1), U = 0.5, V = 0.8, b = 0"
    if got.shape == (1, 1):
        fail(f"{what}: you returned only the last state, shape (1, 1); return all T states, shape (3, 1, 1)")
    if got.shape == (4, 1, 1):
        fail(f"{what}: you returned 4 states; return h_1 .. h_T (T = 3), without h_0")
    expect_shape(what, got, (3, 1, 1))
    if _same(got, stored["lesson_from_h0"]):
        fail(f"{what}: every step starts from h0; carry the new state into the next step (h = rnn_step(x_t, h, ...))")
    expect_array(what, got, stored["lesson"], hint="h_1 = tanh(0.5) = 0.4621, h_2 = tanh(0.25 + 0.8 * 0.4621) = 0.5509")
    X, h0, U, V, b = forward_inputs()
    X_copy, h0_copy = X.copy(), h0.copy()
    what = "rnn_forward(X (5, 2, 3), h0 (2, 4), U (4, 3), V (4, 4), b (4,))"
    got = rnn_forward(X, h0, U, V, b)
    expect_unchanged("X", X, X_copy)
    expect_unchanged("h0", h0, h0_copy)
    expect_array(what, expect_shape(what, got, (5, 2, 4)), stored["random"])


BPTT_H = np.array([0.4621, 0.5509, -0.0592])


def check_bptt(state_gradients):
    """state_gradients(h, V, grad_hT) -> dL/dh_t for t = 0..T of a one-unit RNN."""
    expect_callable("state_gradients", state_gradients)
    stored = numbers("ex15-bptt")
    h = BPTT_H.copy()
    what = "state_gradients(h=[0.4621, 0.5509, -0.0592], V=0.8, grad_hT=h_3 - 1)"
    got = as_array(what, state_gradients(h, 0.8, h[-1] - 1.0))
    expect_unchanged("h", h, BPTT_H)
    g = stored["expected"]
    if got.shape == (3,):
        fail(f"{what}: expected 4 values, dL/dh_0 .. dL/dh_3, got 3; include h_0's gradient (index 0) and "
             "grad_hT at index T")
    expect_shape(what, got, (4,))
    if _same(got, g[::-1]):
        fail(f"{what}: your list is reversed; index t must hold dL/dh_t (index 0 = h_0, index 3 = h_T)")
    if _same(got, stored["without_tanh_derivative"]):
        fail(f"{what}: the tanh derivative is missing; each step back multiplies by V * (1 - h_t^2), not by V alone")
    if _same(got, stored["shifted"]):
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


def _lstm_slips(what, h_new, c_new, slips):
    """Recognise swapped input/forget gates and a missing tanh in h_t."""
    if _same(c_new, slips["c_gates_swapped"]):
        fail(f"{what}: c_t has the input and forget gates swapped; the forget gate multiplies the old cell c_prev, "
             "the input gate the candidate c~_t")
    if _same(h_new, slips["h_without_tanh"]):
        fail(f"{what}: h_t = o_t * c_t is missing the tanh; the state is h_t = o_t * tanh(c_t)")


def lesson_lstm():
    """The lesson's one-unit LSTM example: x, h_prev, c_prev and the parameters."""
    p = {f"{m}_{g}": np.zeros((1, 1)) for m in "WU" for g in "ifoc"}
    p.update({f"b_{g}": np.zeros(1) for g in "ifoc"})
    for g, w, u in (("i", 1.0, -1.0), ("f", 0.5, 2.0), ("o", -1.0, 1.0), ("c", 2.0, -0.5)):
        p[f"W_{g}"][...] = w
        p[f"U_{g}"][...] = u
    return np.array([[1.0]]), np.array([[0.5]]), np.array([[2.0]]), p


def random_lstm():
    """x (4, 3), h_prev (4, 2), c_prev (4, 2) and random parameters with biases."""
    rng = np.random.default_rng(2)
    p = _lstm_params(rng, 3, 2)
    return rng.normal(size=(4, 3)), rng.normal(scale=0.5, size=(4, 2)), rng.normal(size=(4, 2)), p


def check_lstm_step(lstm_step):
    """lstm_step(x, h_prev, c_prev, params) -> (h, c) with the SAP deck's equations (plus biases)."""
    expect_callable("lstm_step", lstm_step)
    stored = numbers("ex15-lstm-step")
    x, h, c, p = lesson_lstm()
    out = expect_tuple("lstm_step", lstm_step(x, h, c, p), 2)
    what = "lstm_step on the lesson's worked example (x = 1, h_prev = 0.5, c_prev = 2)"
    h_new, c_new = (as_array(what, v) for v in out)
    _lstm_slips(what, h_new, c_new, stored["lesson_slips"])
    expect_array(what + ": c_t (f = 0.8176, i = 0.6225, c~ = 0.9414)", c_new, stored["lesson_c"],
                 hint="c_t = f_t * c_prev + i_t * c~_t")
    expect_array(what + ": h_t", h_new, stored["lesson_h"], hint="h_t = o_t * tanh(c_t)")
    x, h, c, p = random_lstm()
    p_copy = {k: v.copy() for k, v in p.items()}
    c_copy = c.copy()
    what = "lstm_step(x (4, 3), h_prev (4, 2), c_prev (4, 2), params with biases)"
    out = expect_tuple("lstm_step", lstm_step(x, h, c, p), 2)
    expect_unchanged("c_prev", c, c_copy)
    for k in p:
        expect_unchanged(f"params['{k}']", p[k], p_copy[k])
    h_new, c_new = (expect_shape(what, v, (4, 2)) for v in out)
    _lstm_slips(what, h_new, c_new, stored["random_slips"])
    expect_array(what + ": c_t", c_new, stored["random_c"],
                 hint="check every gate's biases b_g and that U_g multiplies h_prev")
    expect_array(what + ": h_t", h_new, stored["random_h"])


def weight_problems():
    """(x, h0, u, v, b, y) of the lesson's example and of a longer random sequence."""
    rng = np.random.default_rng(4)
    return [(np.array([1.0, 0.5, -1.0]), 0.0, 0.5, 0.8, 0.0, 1.0),
            (rng.normal(size=6), 0.3, 0.9, -0.7, 0.2, -0.5)]


def check_bptt_weights(rnn_weight_gradients):
    """rnn_weight_gradients(x, h0, u, v, b, y) -> (du, dv, db) of L = (h_T - y)^2 / 2 for a one-unit RNN."""
    expect_callable("rnn_weight_gradients", rnn_weight_gradients)
    stored = numbers("ex15-bptt-weights")
    for (x, h0, u, v, b, y), expected, slips in zip(weight_problems(), stored["expected"], stored["slips"]):
        x_copy = x.copy()
        what = (f"rnn_weight_gradients(x = {np.round(x, 3).tolist()}, h0 = {h0}, u = {u}, v = {v}, b = {b}, "
                f"y = {y})")
        got = expect_tuple(what, rnn_weight_gradients(x, h0, u, v, b, y), ("du", "dv", "db"))
        expect_unchanged("x", x, x_copy)
        got = np.array([float(np.squeeze(as_array(what, g))) for g in got])
        if _same(got, slips["last_step_only"]):
            fail(f"{what}: only the last step counts in your gradients; u, v and b are SHARED by all "
                 f"{len(x)} steps, so each collects a share from every step t (sum over t)")
        if _same(got, slips["no_tanh_derivative"]):
            fail(f"{what}: the tanh derivative is missing; the share of step t goes through "
                 "z_t = u x_t + v h_(t-1) + b, so multiply dL/dh_t by 1 - h_t^2 first")
        if _same(got[1:2], slips["dv_with_h_t"][1:2]):
            fail(f"{what}: dv uses h_t; v multiplies the PREVIOUS state in z_t = u x_t + v h_(t-1) + b, "
                 "so the share of step t is delta_t * h_(t-1)")
        expect_array(f"(du, dv, db) of {what}", got, expected, rtol=1e-6,
                     hint="delta_t = dL/dh_t (1 - h_t^2); du = sum_t delta_t x_t, dv = sum_t delta_t h_(t-1), "
                          "db = sum_t delta_t")


def lstm_backward_problems():
    """The lesson's one-unit step with dh = 0.5, dc = -0.3, and a random batch with random dh, dc."""
    x, h, c, p = lesson_lstm()
    rng = np.random.default_rng(6)
    xr, hr, cr, pr = random_lstm()
    return [(x, h, c, p, np.array([[0.5]]), np.array([[-0.3]])),
            (xr, hr, cr, pr, rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))]


def check_lstm_backward(lstm_step_backward):
    """lstm_step_backward(x, h_prev, c_prev, params, dh, dc) -> (dx, dh_prev, dc_prev), as LSTMCell.step_backward."""
    expect_callable("lstm_step_backward", lstm_step_backward)
    stored = numbers("ex15-lstm-backward")
    names = ("the lesson's one-unit step (x = 1, h_prev = 0.5, c_prev = 2) with dh = 0.5, dc = -0.3",
             "a batch: x (4, 3), h_prev (4, 2), c_prev (4, 2), random dh and dc")
    for name, (x, h, c, p, dh, dc), expected, slips in zip(names, lstm_backward_problems(), stored["expected"],
                                                          stored["slips"]):
        what = f"lstm_step_backward on {name}"
        copies = [a.copy() for a in (x, h, c, dh, dc)]
        result = expect_tuple(what, lstm_step_backward(x, h, c, p, dh, dc), ("dx", "dh_prev", "dc_prev"))
        for label, a, a_copy in zip(("x", "h_prev", "c_prev", "dh", "dc"), (x, h, c, dh, dc), copies):
            expect_unchanged(label, a, a_copy)
        dx, dh_prev, dc_prev = (expect_shape(f"{label} of {what}", value, shape) for label, value, shape in
                                zip(("dx", "dh_prev", "dc_prev"), result, (x.shape, h.shape, c.shape)))
        if _same(dc_prev, slips["dc_prev_only_dc"]):
            fail(f"{what}: dc_prev = dc * f_t misses the path through h_t: h_t = o_t tanh(c_t) depends on c_t "
                 "too, so dL/dc_t = dc + dh * o_t * (1 - tanh(c_t)^2) before it reaches c_prev")
        if _same(dc_prev, slips["no_tanh_derivative"]):
            fail(f"{what}: the derivative of tanh(c_t) is missing on the way from h_t to c_t "
                 "(h_t = o_t tanh(c_t): multiply by o_t (1 - tanh(c_t)^2))")
        if _same(dc_prev, slips["dc_ignored"]):
            fail(f"{what}: the gradient dc that arrives at c_t from the next step is ignored; the cell state has "
                 "two paths into the loss, through h_t and through c_(t+1): add both")
        expect_array(f"dc_prev of {what}", dc_prev, expected["dc_prev"],
                     hint="dL/dc_(t-1) = (dc + dh o_t (1 - tanh(c_t)^2)) * f_t")
        if _same(dh_prev, slips["no_gate_derivatives"]):
            fail(f"{what}: dh_prev misses the derivatives of the gates; each gate g = sigma(a_g) passes "
                 "dL/dg * g (1 - g) to its pre-activation a_g, the candidate c~ = tanh(a_c) passes dL/dc~ (1 - c~^2)")
        expect_array(f"dh_prev of {what}", dh_prev, expected["dh_prev"],
                     hint="sum over the four gates of (dL/da_g) @ U_g, with a_g each gate's pre-activation")
        expect_array(f"dx of {what}", dx, expected["dx"],
                     hint="sum over the four gates of (dL/da_g) @ W_g")


ITEMS = {
    "ex15-rnn-step": Item(check_rnn_step, title="one step of the RNN cell", hidden=1),
    "ex15-rnn-forward": Item(check_rnn_forward, title="unrolling the RNN over a sequence", hidden=1),
    "ex15-bptt": Item(check_bptt, title="backpropagation through time in a one-unit RNN", hidden=1),
    "ex15-lstm-step": Item(check_lstm_step, title="one step of the LSTM cell", hidden=2),
    "ex15-bptt-weights": Item(check_bptt_weights, title="derive it: the BPTT sums for the shared weights", hidden=2),
    "ex15-lstm-backward": Item(check_lstm_backward, title="derive it: one LSTM step backwards", hidden=2),
    "ex15-quiz-lstm-params": quiz_item("ex15-quiz-lstm-params", title="quiz: parameters of an LSTM cell"),
    "ex15-quiz-vanishing": quiz_item("ex15-quiz-vanishing", title="quiz: a bound on a gradient through time"),
    "ex15-quiz-gates": quiz_item("ex15-quiz-gates", title="quiz: what the LSTM's gates do"),
}
