"""The visible tests of exercises 09-15 recognise the slips they promise to name.

Each case passes a deliberately wrong answer (one typical slip) to an item's visible tests and
expects the plain-words diagnosis; the right answers themselves are the solution notebooks (their
checks pass in the committed outputs, tests/test_grading_authoring.py).
"""

import numpy as np
import pytest

from nncourse.grading.checking import run_item


def verdict(item_id, *objects):
    return run_item(item_id, *objects)


def expect_words(item_id, objects, *words):
    result = verdict(item_id, *objects)
    assert not result.passed, f"{item_id} accepted a wrong answer"
    for word in words:
        assert word in result.message, result.message


# ----------------------------------------------------------------------------------------- exercise 13

def dilated(n, k, p, s, d, span=None):
    span = d * (k - 1) + 1 if span is None else span
    return (n + 2 * p - span) // s + 1


@pytest.mark.parametrize("slip, words", [
    (lambda n, k, p, s, d: (n - k + 2 * p) // s + 1, "the dilation is ignored"),
    (lambda n, k, p, s, d: dilated(n, k, p, s, d, span=d * k), "d * k"),
    (lambda n, k, p, s, d: dilated(n, k, p, s, d, span=d * (k - 1)), "off by one"),
    (lambda n, k, p, s, d: (n + 2 * p - d * (k - 1) - 1) / s + 1, "float"),
])
def test_ex13_dilation_slips(slip, words):
    expect_words("ex13-dilation", (slip,), words)
    assert verdict("ex13-dilation", dilated).passed


def grad_kernel(I, F, delta, stride=1, padding=0, step=None, rotate=False, mean=False):
    step = stride if step is None else step
    I_pad = np.pad(I, padding)
    k = F.shape[0]
    dF = np.zeros((k, k))
    for i in range(delta.shape[0]):
        for j in range(delta.shape[1]):
            dF += delta[i, j] * I_pad[step * i:step * i + k, step * j:step * j + k]
    return (dF[::-1, ::-1] if rotate else dF), float(delta.mean() if mean else delta.sum())


def grad_input(I, F, delta, stride=1, padding=0, step=None, rotate=False, crop=True):
    step = stride if step is None else step
    k = F.shape[0]
    dI = np.zeros((I.shape[0] + 2 * padding, I.shape[1] + 2 * padding))
    for i in range(delta.shape[0]):
        for j in range(delta.shape[1]):
            dI[step * i:step * i + k, step * j:step * j + k] += delta[i, j] * (F[::-1, ::-1] if rotate else F)
    return dI[padding:padding + I.shape[0], padding:padding + I.shape[1]] if crop else dI


def test_ex13_conv_grad_kernel_slips():
    assert verdict("ex13-conv-grad-kernel", grad_kernel).passed
    expect_words("ex13-conv-grad-kernel", (lambda *a, **kw: grad_kernel(*a, **kw, rotate=True),), "rotated")
    expect_words("ex13-conv-grad-kernel", (lambda *a, **kw: grad_kernel(*a, **kw, mean=True),), "SUM of delta")
    expect_words("ex13-conv-grad-kernel", (lambda *a, **kw: grad_kernel(*a, **kw, step=1),), "ignores the stride")


def test_ex13_conv_grad_input_slips():
    assert verdict("ex13-conv-grad-input", grad_input).passed
    expect_words("ex13-conv-grad-input", (lambda *a, **kw: grad_input(*a, **kw, rotate=True),), "not rotated")
    expect_words("ex13-conv-grad-input", (lambda *a, **kw: grad_input(*a, **kw, step=1),), "stride is ignored")
    expect_words("ex13-conv-grad-input", (lambda *a, **kw: grad_input(*a, **kw, crop=False),), "crop")
    expect_words("ex13-conv-grad-input", (lambda I, F, delta, **kw: np.zeros((1, 1)),), "full correlation")


def conv_backward(A, W, delta, stride=1, padding=0, average=False, last_filter_only=False, per_example=False):
    N, C_in = A.shape[:2]
    C_out = W.shape[0]
    dA, dW, db = np.zeros(A.shape), np.zeros((N,) + W.shape), np.zeros((N, C_out))
    for n in range(N):
        for o in range(C_out):
            db[n, o] = delta[n, o].sum()
            for c in range(C_in):
                dW[n, o, c] = grad_kernel(A[n, c], W[o, c], delta[n, o], stride, padding)[0]
                share = grad_input(A[n, c], W[o, c], delta[n, o], stride, padding)
                dA[n, c] = share if last_filter_only else dA[n, c] + share
    if per_example:
        return dA, dW, db.sum(axis=0)
    reduce = np.mean if average else np.sum
    return dA, reduce(dW, axis=0), reduce(db, axis=0)


def test_ex13_conv_backward_slips():
    assert verdict("ex13-conv-backward", conv_backward).passed
    expect_words("ex13-conv-backward", (lambda *a, **kw: conv_backward(*a, **kw, average=True),), "times too small")
    expect_words("ex13-conv-backward", (lambda *a, **kw: conv_backward(*a, **kw, last_filter_only=True),),
                 "only the share of the last filter")
    expect_words("ex13-conv-backward", (lambda *a, **kw: conv_backward(*a, **kw, per_example=True),),
                 "one kernel gradient per example")


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex13-quiz-output-size", 16.5, "round"),
    ("ex13-quiz-output-size", 14, "padding is missing"),
    ("ex13-quiz-params", 12800, "biases"),
    ("ex13-quiz-input-gradient", "a", "KERNEL gradient"),
])
def test_ex13_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)


# ----------------------------------------------------------------------------------------- exercise 14

def correlate(I, K):
    h, w = K.shape
    return np.array([[np.sum(I[m:m + h, n:n + w] * K) for n in range(I.shape[1] - w + 1)]
                     for m in range(I.shape[0] - h + 1)])


def block_gradients(I, F, b, delta_P, relu=True, routing="max", rotate=False):
    Z = correlate(I, F) + b
    A = np.maximum(Z, 0.0)
    delta_A = np.zeros_like(Z)
    for i in range(delta_P.shape[0]):
        for j in range(delta_P.shape[1]):
            window = A[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            if routing == "max":
                u, v = np.unravel_index(np.argmax(window), (2, 2))
                delta_A[2 * i + u, 2 * j + v] += delta_P[i, j]
            else:
                delta_A[2 * i:2 * i + 2, 2 * j:2 * j + 2] += delta_P[i, j] / 4
    delta_Z = delta_A * (Z > 0) if relu else delta_A
    dF = correlate(I, delta_Z)
    return (dF[::-1, ::-1] if rotate else dF), float(delta_Z.sum())


def test_ex14_block_gradient_slips():
    assert verdict("ex14-block-gradient", block_gradients).passed
    expect_words("ex14-block-gradient", (lambda *a: block_gradients(*a, relu=False),), "ReLU is missing")
    expect_words("ex14-block-gradient", (lambda *a: block_gradients(*a, routing="mean"),), "mean-pooling")
    expect_words("ex14-block-gradient", (lambda *a: block_gradients(*a, rotate=True),), "rotated")


def two_blocks(n, C_in, F1, F2, k, classes, pad=False, ceil=False, pools=2, conv2_in=None, biases=True):
    shrink = 0 if pad else k - 1
    size = n - shrink
    size = -(-size // 2) if ceil else size // 2
    size -= shrink
    if pools == 2:
        size = -(-size // 2) if ceil else size // 2
    flat = F2 * size * size
    bias = 1 if biases else 0
    conv2_in = F1 if conv2_in is None else conv2_in
    total = F1 * (C_in * k * k + bias) + F2 * (conv2_in * k * k + bias) + (flat + bias) * classes
    return flat, total


@pytest.mark.parametrize("options, words", [
    ({"pad": True}, "no padding"),
    ({"ceil": True}, "round down"),
    ({"pools": 1}, "two in all"),
    ({"conv2_in": 1}, "not the C_in"),
    ({"biases": False}, "biases are missing"),
])
def test_ex14_two_blocks_slips(options, words):
    assert verdict("ex14-two-blocks", two_blocks).passed
    expect_words("ex14-two-blocks", (lambda *a: two_blocks(*a, **options),), words)


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex14-quiz-routing", 36, "mean-pooling"),
    ("ex14-quiz-features", 1568, "shrinks"),
    ("ex14-quiz-features", 4608, "halves"),
    ("ex14-quiz-pooling", "a, b, c", "no parameters"),
])
def test_ex14_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)


# ----------------------------------------------------------------------------------------- exercise 15

def weight_gradients(x, h0, u, v, b, y, last_only=False, tanh_derivative=True, dv_with_h_t=False):
    h = [h0]
    for x_t in x:
        h.append(np.tanh(u * x_t + v * h[-1] + b))
    h = np.array(h)
    T = len(x)
    dh = np.zeros(T + 1)
    dh[T] = h[T] - y
    for t in range(T, 0, -1):
        dh[t - 1] = dh[t] * v * (1 - h[t] ** 2)
    delta = dh[1:] * (1 - h[1:] ** 2) if tanh_derivative else dh[1:]
    if last_only:
        delta = np.where(np.arange(T) == T - 1, delta, 0.0)
    states = h[1:] if dv_with_h_t else h[:-1]
    return float(delta @ x), float(delta @ states), float(delta.sum())


def test_ex15_bptt_weights_slips():
    assert verdict("ex15-bptt-weights", weight_gradients).passed
    expect_words("ex15-bptt-weights", (lambda *a: weight_gradients(*a, last_only=True),), "SHARED")
    expect_words("ex15-bptt-weights", (lambda *a: weight_gradients(*a, tanh_derivative=False),), "tanh derivative")
    expect_words("ex15-bptt-weights", (lambda *a: weight_gradients(*a, dv_with_h_t=True),), "PREVIOUS state")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_backward(x, h, c, p, dh, dc, h_path=True, tanh_derivative=True, use_dc=True, gate_derivatives=True):
    a = {g: x @ p[f"W_{g}"].T + h @ p[f"U_{g}"].T + p[f"b_{g}"] for g in "ifoc"}
    i, f, o, c_tilde = sigmoid(a["i"]), sigmoid(a["f"]), sigmoid(a["o"]), np.tanh(a["c"])
    tanh_c = np.tanh(f * c + i * c_tilde)
    through_h = dh * o * ((1 - tanh_c ** 2) if tanh_derivative else 1.0)
    dc_t = (dc if use_dc else 0.0) + (through_h if h_path else 0.0)
    local = {"i": i * (1 - i), "f": f * (1 - f), "o": o * (1 - o), "c": 1 - c_tilde ** 2}
    if not gate_derivatives:
        local = {g: 1.0 for g in "ifoc"}
    da = {"i": dc_t * c_tilde * local["i"], "f": dc_t * c * local["f"], "o": dh * tanh_c * local["o"],
          "c": dc_t * i * local["c"]}
    return (sum(da[g] @ p[f"W_{g}"] for g in "ifoc"), sum(da[g] @ p[f"U_{g}"] for g in "ifoc"), dc_t * f)


@pytest.mark.parametrize("options, words", [
    ({"h_path": False}, "misses the path through h_t"),
    ({"tanh_derivative": False}, "derivative of tanh(c_t) is missing"),
    ({"use_dc": False}, "is ignored"),
    ({"gate_derivatives": False}, "derivatives of the gates"),
])
def test_ex15_lstm_backward_slips(options, words):
    assert verdict("ex15-lstm-backward", lstm_backward).passed
    expect_words("ex15-lstm-backward", (lambda *a: lstm_backward(*a, **options),), words)


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex15-quiz-lstm-params", 620, "plain RNN cell"),
    ("ex15-quiz-lstm-params", 2560, "two bias vectors"),
    ("ex15-quiz-vanishing", 18, "multiply"),
    ("ex15-quiz-gates", "b", "input gate"),
])
def test_ex15_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)


# ----------------------------------------------------------------------------------------- exercise 09

def weights(gamma, t):
    return (1 - gamma) * gamma ** np.arange(t - 1, -1, -1.0)


def correction(gamma, t):
    return 1 / (1 - gamma ** t)


@pytest.mark.parametrize("wrong_weights, words", [
    (lambda gamma, t: weights(gamma, t)[::-1], "reverse order"),
    (lambda gamma, t: weights(gamma, t) / (1 - gamma), "(1 - gamma) is missing"),
    (lambda gamma, t: weights(gamma, t) * gamma, "one factor gamma too many"),
    (lambda gamma, t: weights(gamma, t) / weights(gamma, t).sum(), "sum to 1"),
])
def test_ex09_momentum_weights_slips(wrong_weights, words):
    assert verdict("ex09-momentum-unrolled", weights, correction).passed
    expect_words("ex09-momentum-unrolled", (wrong_weights, correction), words)


@pytest.mark.parametrize("wrong_correction, words", [
    (lambda gamma, t: 1 - gamma ** t, "DIVIDES"),
    (lambda gamma, t: 1 / (1 - gamma), "geometric series"),
])
def test_ex09_bias_correction_slips(wrong_correction, words):
    expect_words("ex09-momentum-unrolled", (weights, wrong_correction), words)


def newton(theta, X, y, factor_g=1.0, factor_H=1.0, outer=False, uphill=False, times_H=False):
    N = X.shape[0]
    g = factor_g * X.T @ (X @ theta - y) / N
    H = factor_H * ((X @ X.T) if outer else X.T @ X) / N
    if outer:
        return g, H, theta
    step = H @ g if times_H else np.linalg.solve(H, g)
    return g, H, theta + step if uphill else theta - step


@pytest.mark.parametrize("options, words", [
    ({"factor_g": 2.0}, "twice the right one"),
    ({"factor_g": 6.0}, "6 times too large"),
    ({"factor_g": -1.0}, "sign is flipped"),
    ({"factor_H": 2.0}, "Hessian is twice"),
    ({"outer": True}, "X^T X, not X X^T"),
    ({"uphill": True}, "added the Newton step"),
    ({"times_H": True}, "INVERSE"),
])
def test_ex09_newton_slips(options, words):
    assert verdict("ex09-newton-least-squares", newton).passed
    expect_words("ex09-newton-least-squares", (lambda *a: newton(*a, **options),), words)


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex09-quiz-trajectory", "a", "plain gradient descent"),
    ("ex09-quiz-adam-correction", 31.62, "v alone"),
    ("ex09-quiz-rmsprop-arguments", "a, c", "decay rate"),
])
def test_ex09_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)


# ----------------------------------------------------------------------------------------- exercise 10

def batchnorm(dy, x, gamma, eps=1e-5, mean_term=True, variance_term=True, reduce=np.mean, ddof=0,
              swap=False, per_example=False):
    sigma = np.sqrt(x.var(axis=0, ddof=ddof) + eps)
    x_hat = (x - x.mean(axis=0)) / sigma
    g = dy * gamma
    dx = g - (reduce(g, axis=0) if mean_term else 0.0) - (x_hat * reduce(g * x_hat, axis=0) if variance_term else 0.0)
    dgamma, dbeta = (dy * x_hat, dy) if per_example else (np.sum(dy * x_hat, axis=0), np.sum(dy, axis=0))
    return dx / sigma, (dbeta if swap else dgamma), dbeta


@pytest.mark.parametrize("options, words", [
    ({"mean_term": False, "variance_term": False}, "as constants"),
    ({"variance_term": False}, "through the VARIANCE is missing"),
    ({"mean_term": False}, "through the MEAN is missing"),
    ({"reduce": np.sum}, "1/B"),
    ({"ddof": 1}, "unbiased variance"),
    ({"swap": True}, "beta's gradient"),
    ({"per_example": True}, "sum their shares"),
])
def test_ex10_batchnorm_slips(options, words):
    assert verdict("ex10-batchnorm-backward", batchnorm).passed
    expect_words("ex10-batchnorm-backward", (lambda *a: batchnorm(*a, **options),), words)


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex10-quiz-dropout-scale", 0.8, "TEST time"),
    ("ex10-quiz-dropout-scale", 5.0, "probability of keeping"),
    ("ex10-quiz-weight-decay", 0.999, "one step"),
    ("ex10-quiz-weight-decay", 0.366, "learning rate is missing"),
    ("ex10-quiz-batchnorm", "a, b, c", "no variance"),
])
def test_ex10_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)


# ----------------------------------------------------------------------------------------- exercise 11

def initial_losses(counts, zero_as_entropy=False, log=np.log, class_average=False, ignore_bias=False):
    frequencies = np.asarray(counts, dtype=float) / np.sum(counts)
    entropy = float(-np.sum(frequencies * log(frequencies)))
    zero = entropy if zero_as_entropy else float(log(len(counts)))
    prior = float(-np.mean(log(frequencies))) if class_average else entropy
    return zero, (zero if ignore_bias else prior)


@pytest.mark.parametrize("options, words", [
    ({"zero_as_entropy": True}, "1/C whatever the class counts"),
    ({"log": np.log10}, "base-10"),
    ({"class_average": True}, "over the CLASSES"),
    ({"ignore_bias": True}, "not log C any more"),
])
def test_ex11_initial_loss_prior_slips(options, words):
    assert verdict("ex11-initial-loss-prior", initial_losses).passed
    expect_words("ex11-initial-loss-prior", (lambda counts: initial_losses(counts, **options),), words)


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex11-quiz-binary-loss", 0.5, "probability"),
    ("ex11-quiz-range-factor", 10 ** (6 / 100), "99 steps"),
    ("ex11-quiz-plateau", "d", "almost linear"),
])
def test_ex11_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)


# ----------------------------------------------------------------------------------------- exercise 12

def rbf_gradients(X, y, C, sigma, w, b, sign=1.0, power=2, with_w=True, with_phi=True, average=True):
    Phi = np.exp(-((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2) / (2 * sigma ** 2))
    r = Phi @ w + b - y
    N = len(X) if average else 1
    diff = sign * (X[:, None, :] - C[None, :, :])
    weights = (r[:, None] * (Phi if with_phi else 1.0))[:, :, None] * diff
    dC = (w[:, None] if with_w else 1.0) * weights.sum(axis=0) / (N * sigma ** power)
    return Phi.T @ r / N, float(r.sum() / N), dC


@pytest.mark.parametrize("options, words", [
    ({"sign": -1.0}, "sign is flipped"),
    ({"power": 1}, "divided by sigma"),
    ({"with_w": False}, "output weight w_j is missing"),
    ({"with_phi": False}, "phi_j(x_n) is missing"),
    ({"average": False}, "5 times too large"),
])
def test_ex12_output_gradient_slips(options, words):
    assert verdict("ex12-output-gradient", rbf_gradients).passed
    expect_words("ex12-output-gradient", (lambda *a: rbf_gradients(*a, **options),), words)


@pytest.mark.parametrize("wrong, words", [
    (lambda r, level: r / np.sqrt(2 * np.log10(1 / level)), "base-10"),
    (lambda r, level: r / np.sqrt(np.log(1 / level)), "factor 2"),
    (lambda r, level: r ** 2 / (2 * np.log(1 / level)), "sigma^2"),
])
def test_ex12_width_slips(wrong, words):
    assert verdict("ex12-width", lambda r, level: r / np.sqrt(2 * np.log(1 / level))).passed
    expect_words("ex12-width", (wrong,), words)


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex12-quiz-feature", np.exp(-8), "factor 2"),
    ("ex12-quiz-feature", np.exp(-2), "2 sigma"),
    ("ex12-quiz-sigma", "a", "too SMALL"),
    ("ex12-quiz-kmeans", "a, c", "unsupervised"),
])
def test_ex12_quiz_explanations(item_id, answer, words):
    expect_words(item_id, (lambda: answer,), words)
