"""Reference answers behind the stored numbers of exercise 15 (instructor side only)."""

import numpy as np

from nncourse.grading.items import ex15 as items


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


NUMBERS = {"ex15-rnn-step": rnn_step_numbers, "ex15-rnn-forward": rnn_forward_numbers, "ex15-bptt": bptt_numbers,
           "ex15-lstm-step": lstm_step_numbers}
