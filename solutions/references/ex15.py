"""Reference answers behind the stored numbers and quizzes of exercise 15 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex15 as items
from nncourse.grading.quiz import Choice, Number
from nnlib.rnn import RNN, LSTMCell, RNNCell


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rnn_step(x, h, U, V, b):
    return np.tanh(x @ U.T + h @ V.T + b)


def rnn_forward(X, h0, U, V, b):
    H, h = [], h0
    for x in X:
        h = rnn_step(x, h, U, V, b)
        H.append(h)
    return np.array(H)


def lstm_step(x, h, c, p, tanh_c=True, swap_if=False):
    i = sigmoid(x @ p["W_i"].T + h @ p["U_i"].T + p["b_i"])
    f = sigmoid(x @ p["W_f"].T + h @ p["U_f"].T + p["b_f"])
    o = sigmoid(x @ p["W_o"].T + h @ p["U_o"].T + p["b_o"])
    c_tilde = np.tanh(x @ p["W_c"].T + h @ p["U_c"].T + p["b_c"])
    if swap_if:
        i, f = f, i
    c_new = f * c + i * c_tilde
    h_new = o * (np.tanh(c_new) if tanh_c else c_new)
    return h_new, c_new


def rnn_step_numbers():
    x, h, U, V, b = items._rnn_problem(np.random.default_rng(0))
    z = x @ U.T + h @ V.T + b
    return {"expected": np.tanh(z), "without_tanh": z, "sigmoid": sigmoid(z),
            "V_not_transposed": np.tanh(x @ U.T + h @ V + b), "without_state": np.tanh(x @ U.T + b),
            "without_bias": np.tanh(z - b)}


def rnn_forward_numbers():
    X = np.array([1.0, 0.5, -1.0]).reshape(3, 1, 1)
    U, V, h0, b = np.array([[0.5]]), np.array([[0.8]]), np.zeros((1, 1)), np.zeros(1)
    return {"lesson": rnn_forward(X, h0, U, V, b), "lesson_from_h0": np.tanh(0.5 * X),
            "random": rnn_forward(*items.forward_inputs())}


def bptt_numbers():
    h, V = items.BPTT_H, 0.8
    grad = h[-1] - 1.0
    g = np.zeros(4)
    g[3] = grad
    for t in (3, 2, 1):
        g[t - 1] = g[t] * V * (1 - h[t - 1] ** 2)
    shifted = np.zeros(4)  # the slip: 1 - h_(t-1)^2 instead of 1 - h_t^2
    shifted[3] = grad
    for t in (3, 2, 1):
        shifted[t - 1] = shifted[t] * V * (1 - (h[t - 2] if t >= 2 else 0.0) ** 2)
    return {"expected": g, "without_tanh_derivative": np.array([grad * V ** 3, grad * V ** 2, grad * V, grad]),
            "shifted": shifted}


def lstm_numbers(x, h, c, p):
    h_new, c_new = lstm_step(x, h, c, p)
    return h_new, c_new, {"c_gates_swapped": lstm_step(x, h, c, p, swap_if=True)[1],
                          "h_without_tanh": lstm_step(x, h, c, p, tanh_c=False)[0]}


def lstm_step_numbers():
    lesson_h, lesson_c, lesson_slips = lstm_numbers(*items.lesson_lstm())
    random_h, random_c, random_slips = lstm_numbers(*items.random_lstm())
    return {"lesson_h": lesson_h, "lesson_c": lesson_c, "lesson_slips": lesson_slips,
            "random_h": random_h, "random_c": random_c, "random_slips": random_slips}


def library_weight_gradients(x, h0, u, v, b, y):
    """(du, dv, db) of L = (h_T - y)^2 / 2 from nnlib's RNN with one unit."""
    cell = RNNCell(1, 1)
    cell.U[...], cell.V[...], cell.b[...] = u, v, b
    rnn = RNN(cell)
    H = rnn(np.asarray(x, dtype=float).reshape(-1, 1, 1), (np.full((1, 1), h0),))  # (T, 1, 1)
    grad_H = np.zeros_like(H)
    grad_H[-1] = H[-1] - y  # the loss looks at the last state only
    cell.zero_grad()
    rnn.backward(grad_H)
    return np.array([cell.dU[0, 0], cell.dV[0, 0], cell.db[0]])


def weight_gradient_slips(x, h0, u, v, b, y):
    """The BPTT sums with one slip each, walked by hand."""
    h = [h0]
    for x_t in x:
        h.append(np.tanh(u * x_t + v * h[-1] + b))
    T = len(x)
    dh = np.zeros(T + 1)
    dh[T] = h[T] - y
    for t in range(T, 1, -1):
        dh[t - 1] = dh[t] * v * (1 - h[t] ** 2)
    delta = np.array([dh[t] * (1 - h[t] ** 2) for t in range(1, T + 1)])  # dL/dz_t
    previous, current = np.array(h[:-1]), np.array(h[1:])
    return {"last_step_only": np.array([delta[-1] * x[-1], delta[-1] * h[T - 1], delta[-1]]),
            "no_tanh_derivative": np.array([dh[1:] @ x, dh[1:] @ previous, dh[1:].sum()]),
            "dv_with_h_t": np.array([delta @ x, delta @ current, delta.sum()])}


def bptt_weights_numbers():
    problems = items.weight_problems()
    return {"expected": [library_weight_gradients(*problem) for problem in problems],
            "slips": [weight_gradient_slips(*problem) for problem in problems]}


def library_lstm_backward(x, h, c, p, dh, dc):
    """(dx, dh_prev, dc_prev) of nnlib's LSTMCell.step_backward with the parameters p."""
    cell = LSTMCell(x.shape[1], h.shape[1])
    for name in cell.param_names:
        getattr(cell, name)[...] = p[name]
    _, cache = cell.step(x, (h, c))
    dx, (dh_prev, dc_prev) = cell.step_backward((dh, dc), cache)
    return {"dx": dx, "dh_prev": dh_prev, "dc_prev": dc_prev}


def lstm_backward_slips(x, h, c, p, dh, dc):
    """dc_prev and dh_prev with one slip each."""
    i = sigmoid(x @ p["W_i"].T + h @ p["U_i"].T + p["b_i"])
    f = sigmoid(x @ p["W_f"].T + h @ p["U_f"].T + p["b_f"])
    o = sigmoid(x @ p["W_o"].T + h @ p["U_o"].T + p["b_o"])
    c_tilde = np.tanh(x @ p["W_c"].T + h @ p["U_c"].T + p["b_c"])
    tanh_c = np.tanh(f * c + i * c_tilde)
    dc_total = dc + dh * o * (1 - tanh_c ** 2)
    # the slip in dh_prev: the gates' gradients without sigma' and tanh'
    dh_prev = (dc_total * c_tilde) @ p["U_i"] + (dc_total * c) @ p["U_f"] + (dh * tanh_c) @ p["U_o"] \
        + (dc_total * i) @ p["U_c"]
    return {"dc_prev_only_dc": dc * f, "no_tanh_derivative": (dc + dh * o) * f,
            "dc_ignored": dh * o * (1 - tanh_c ** 2) * f, "no_gate_derivatives": dh_prev}


def lstm_backward_numbers():
    problems = items.lstm_backward_problems()
    return {"expected": [library_lstm_backward(*problem) for problem in problems],
            "slips": [lstm_backward_slips(*problem) for problem in problems]}


NUMBERS = {"ex15-rnn-step": rnn_step_numbers, "ex15-rnn-forward": rnn_forward_numbers, "ex15-bptt": bptt_numbers,
           "ex15-lstm-step": lstm_step_numbers, "ex15-bptt-weights": bptt_weights_numbers,
           "ex15-lstm-backward": lstm_backward_numbers}


def parameter_count(module):
    return sum(p.data.size for p in module.parameters())


QUIZ_D, QUIZ_H = 10, 20  # LSTMCell(10, 20) of ex15-quiz-lstm-params
QUIZ_V, QUIZ_LAG = 0.9, 20  # recurrent weight and lag of ex15-quiz-vanishing
LSTM_PARAMETERS = parameter_count(LSTMCell(QUIZ_D, QUIZ_H, rng=0))

QUIZZES = {
    "ex15-quiz-lstm-params": Number(
        LSTM_PARAMETERS, tolerance=0.2,
        wrong={
            parameter_count(RNNCell(QUIZ_D, QUIZ_H, rng=0)): "that is one set of W, U and b, a plain RNN cell; the "
                                                           "LSTM has four: the input, forget and output gates and "
                                                           "the candidate",
            LSTM_PARAMETERS - 4 * QUIZ_H: "the biases are missing: one vector of 20 per gate",
            LSTM_PARAMETERS + 4 * QUIZ_H: "that counts two bias vectors per gate (PyTorch's b_ih and b_hh); the "
                                          "lesson's LSTMCell has one per gate",
            4 * QUIZ_H * (QUIZ_D + 1): "the recurrent weights U_g (20 x 20 per gate) are missing",
        }),
    "ex15-quiz-vanishing": Number(
        QUIZ_V ** QUIZ_LAG, tolerance=0.002,
        wrong={
            QUIZ_V * QUIZ_LAG: "the factors of the steps multiply, they do not add: v (1 - h^2) per step",
            QUIZ_V: "that is one step back; 20 steps multiply 20 such factors",
            QUIZ_V ** (QUIZ_LAG - 1): "count the factors: from h_(T-20) to h_T there are 20 steps",
        }),
    "ex15-quiz-gates": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "what is written into the cell is the input gate's job (i_t times the candidate); the output gate "
                 "decides how much of tanh(c_t) is shown as h_t",
            "d": "an LSTM has four sets of W, U and b (three gates and the candidate), so about four times the "
                 "parameters of an RNN cell of the same size",
        }),
}
