"""Lesson 15 -- recurrent networks: the RNN cell, unrolling, BPTT, vanishing gradients, the LSTM.

Plain functions behind the worked examples and sliders of
``notebooks/15_recurrent_networks.ipynb``. They compute with :mod:`nnlib.rnn`
(``RNNCell``, ``LSTMCell``, ``RNN``), :class:`nnlib.layers.Linear` and
:func:`nnlib.training.fit`; the notebook only prints and plots what they return.

The SAP deck's recurrent network, with its names::

    h_t = tanh(U x_t + V h_{t-1} + b)        U: input -> hidden, V: hidden -> hidden
    o_t = sigma_o(W h_t + b_o)               an ordinary output layer on every h_t

and its LSTM (sigma the sigmoid, * element-wise)::

    i_t = sigma(W_i x_t + U_i h_{t-1})       input gate
    f_t = sigma(W_f x_t + U_f h_{t-1})       forget gate
    o_t = sigma(W_o x_t + U_o h_{t-1})       output gate
    c~_t = tanh(W_c x_t + U_c h_{t-1})       new memory (candidate)
    c_t = f_t * c_{t-1} + i_t * c~_t         final memory cell
    h_t = o_t * tanh(c_t)                    final hidden state

(``nnlib`` adds a bias ``b_g`` per gate, zero unless set.)
"""

import numpy as np

from nnlib.functional import sigmoid
from nnlib.layers import Linear
from nnlib.losses import BCEWithLogitsLoss
from nnlib.module import Module
from nnlib.optim import Adam
from nnlib.rnn import RNN, LSTMCell, RNNCell
from nnlib.training import evaluate, fit
from nnlib.validation import as_rng, check_array, check_positive_int

#: The lesson's worked RNN example: one input, one hidden unit.
RNN_EXAMPLE = {"U": 0.5, "V": 0.8, "b": 0.0, "x": (1.0, 0.5, -1.0), "W": 2.0, "b_o": 0.0, "y": 1.0}

#: The lesson's worked LSTM step: one input, one hidden unit, weights per gate.
LSTM_EXAMPLE = {
    "x": 1.0, "h_prev": 0.5, "c_prev": 2.0,
    "W": {"i": 1.0, "f": 0.5, "o": -1.0, "c": 2.0},
    "U": {"i": -1.0, "f": 2.0, "o": 1.0, "c": -0.5},
}


def _scalar_rnn(U, V, b):
    """An ``RNNCell(1, 1)`` with the given numbers as weights."""
    cell = RNNCell(1, 1)
    cell.U[...] = U
    cell.V[...] = V
    cell.b[...] = b
    return cell


def rnn_worked_example(example=None):
    """The lesson's 1-unit RNN run over a 3-step sequence, by the cell and by the unrolled ``RNN``.

    Parameters
    ----------
    example : dict, optional
        ``U``, ``V``, ``b``, the inputs ``x`` (T numbers), the output weights ``W``, ``b_o``
        (``o_t = sigmoid(W h_t + b_o)``); default :data:`RNN_EXAMPLE`.

    Returns
    -------
    dict
        ``x`` (T,); ``z`` (T,) the pre-activations ``U x_t + V h_{t-1} + b``; ``h`` (T,) the
        states from ``RNNCell`` step by step; ``h_unrolled`` (T,) from ``RNN`` (equal);
        ``h_prev`` (T,) the state each step starts from; ``o`` (T,) the outputs.

    Examples
    --------
    >>> out = rnn_worked_example()
    >>> np.round(out["h"], 4)
    array([ 0.4621,  0.5509, -0.0592])
    >>> bool(np.array_equal(out["h"], out["h_unrolled"]))
    True
    """
    ex = RNN_EXAMPLE if example is None else example
    x = np.asarray(ex["x"], dtype=float)  # (T,)
    T = len(x)
    cell = _scalar_rnn(ex["U"], ex["V"], ex["b"])
    h_prev = np.zeros(T)
    z = np.zeros(T)
    h = np.zeros(T)
    state = np.zeros((1, 1))  # h_0 = 0
    for t in range(T):
        h_prev[t] = state[0, 0]
        z[t] = ex["U"] * x[t] + ex["V"] * h_prev[t] + ex["b"]  # the formula, for the table
        state = cell(np.array([[x[t]]]), state)  # (1, 1) = tanh(z_t)
        h[t] = state[0, 0]
    h_unrolled = RNN(cell)(x.reshape(T, 1, 1))[:, 0, 0]  # (T,)
    o = sigmoid(ex["W"] * h + ex["b_o"])  # (T,)
    return {"x": x, "z": z, "h": h, "h_unrolled": h_unrolled, "h_prev": h_prev, "o": o}


def bptt_worked_example(example=None):
    """Backpropagation through time for the worked RNN, loss ``L = (h_T - y)^2 / 2`` on the last state.

    Walks back through the steps with ``RNNCell.step_backward`` and records, per step t,
    the gradient arriving at ``h_t``, the local factor ``dh_{t-1}/dh_t = V (1 - h_t^2)``, and
    the step's share of ``dL/dU``, ``dL/dV``, ``dL/db`` (the shared weights' gradients are the
    sums of the shares).

    Returns
    -------
    dict
        ``h`` (T,); ``loss``; ``dh`` (T,) = dL/dh_t; ``delta`` (T,) = dL/dz_t;
        ``factor`` (T,) = V (1 - h_t^2); ``dU_t``, ``dV_t``, ``db_t`` (T,) per-step shares;
        ``dU``, ``dV``, ``db`` the totals from ``RNN.backward``; ``dh0`` = dL/dh_0.

    Examples
    --------
    >>> out = bptt_worked_example()
    >>> bool(np.isclose(out["dV_t"].sum(), out["dV"]))
    True
    >>> bool(np.isclose(out["dh"][0] * out["factor"][0], out["dh0"]))
    True
    """
    ex = RNN_EXAMPLE if example is None else example
    x = np.asarray(ex["x"], dtype=float)
    T = len(x)
    cell = _scalar_rnn(ex["U"], ex["V"], ex["b"])
    rnn = RNN(cell)
    H = rnn(x.reshape(T, 1, 1))  # (T, 1, 1)
    h = H[:, 0, 0]
    loss = 0.5 * (h[-1] - ex["y"]) ** 2
    grad_H = np.zeros_like(H)
    grad_H[-1] = h[-1] - ex["y"]  # the loss only looks at h_T
    rnn.backward(grad_H)
    totals = {name: float(getattr(cell, name)[...].sum()) for name in ("dU", "dV", "db")}
    dh0 = float(rnn.dstate0[0][0, 0])

    # the same walk, one step at a time, to see each step's share
    cell.zero_grad()
    state = cell.init_state(1)
    caches = []
    for t in range(T):
        state, cache = cell.step(x[t].reshape(1, 1), state)
        caches.append(cache)
    dh, delta, factor = np.zeros(T), np.zeros(T), np.zeros(T)
    shares = {name: np.zeros(T) for name in ("dU", "dV", "db")}
    dstate = (np.zeros((1, 1)),)
    for t in reversed(range(T)):
        dstate = (dstate[0] + grad_H[t],)
        dh[t] = dstate[0][0, 0]
        before = {name: float(getattr(cell, name)[...].sum()) for name in shares}
        _, dstate = cell.step_backward(dstate, caches[t])
        for name in shares:
            shares[name][t] = float(getattr(cell, name)[...].sum()) - before[name]
        delta[t] = dh[t] * (1.0 - h[t] ** 2)
        factor[t] = ex["V"] * (1.0 - h[t] ** 2)
    return {
        "h": h, "loss": float(loss), "dh": dh, "delta": delta, "factor": factor,
        "dU_t": shares["dU"], "dV_t": shares["dV"], "db_t": shares["db"],
        "dU": totals["dU"], "dV": totals["dV"], "db": totals["db"], "dh0": dh0,
    }


def _set_recurrent_weights(cell, weight_scale, rng):
    """Recurrent matrices ``scale * N(0, 1/H)``: their spectral radius is about ``scale``."""
    H = cell.hidden_size
    names = ("V",) if isinstance(cell, RNNCell) else ("U_i", "U_f", "U_o", "U_c")
    for name in names:
        getattr(cell, name)[...] = weight_scale * rng.normal(size=(H, H)) / np.sqrt(H)  # (H, H)


def gradient_vs_lag(cell_type="rnn", weight_scale=1.0, T=50, forget_bias=3.0, hidden=16, n=8, rng=0):
    """How much gradient from a loss at the last step reaches the state ``lag`` steps earlier.

    A cell with random weights (recurrent matrices ``weight_scale * N(0, 1/H)``) runs over T
    random inputs; a random upstream gradient arrives at ``h_T`` only. Walking back with
    ``step_backward`` we record the norm of the gradient with respect to the state at every
    step (for the LSTM, ``(dL/dh_t, dL/dc_t)`` together), divided by its norm at the last step.

    Parameters
    ----------
    cell_type : {"rnn", "lstm"}
    weight_scale : float
        Scale of the recurrent weights (> 0).
    T : int
        Sequence length.
    forget_bias : float
        Bias of the LSTM's forget gate (``sigmoid(3) = 0.95``: the gate starts almost open).
    hidden, n : int
        Hidden units and number of sequences.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``lag`` (T,) = 0..T-1; ``norm`` (T,) relative gradient norm at each lag;
        ``cell_type``, ``T``.

    Examples
    --------
    >>> rnn = gradient_vs_lag("rnn", weight_scale=0.5, T=30)
    >>> bool(rnn["norm"][0] == 1.0 and rnn["norm"][-1] < 1e-6)
    True
    >>> bool(gradient_vs_lag("lstm", weight_scale=0.5, T=30)["norm"][-1] > 1e-2)
    True
    """
    where = "gradient_vs_lag"
    if cell_type not in ("rnn", "lstm"):
        raise ValueError(f"{where}: cell_type must be 'rnn' or 'lstm', got {cell_type!r}")
    if not weight_scale > 0:
        raise ValueError(f"{where}: weight_scale must be > 0, got {weight_scale!r}")
    T = check_positive_int(T, where, "T")
    H = check_positive_int(hidden, where, "hidden")
    N = check_positive_int(n, where, "n")
    rng = as_rng(rng)
    cell = RNNCell(1, H, rng=rng) if cell_type == "rnn" else LSTMCell(1, H, rng=rng)
    _set_recurrent_weights(cell, weight_scale, rng)
    if cell_type == "lstm":
        cell.b_f[...] = forget_bias
    X = rng.normal(size=(T, N, 1))  # (T, N, 1)
    state = cell.init_state(N)
    caches = []
    for t in range(T):
        state, cache = cell.step(X[t], state)
        caches.append(cache)
    dstate = (rng.normal(size=(N, H)),) + tuple(np.zeros((N, H)) for _ in state[1:])
    norms = np.zeros(T)
    for t in reversed(range(T)):
        norms[T - 1 - t] = np.sqrt(sum(np.sum(d**2) for d in dstate))  # at lag T-1-t
        _, dstate = cell.step_backward(dstate, caches[t])
    return {"lag": np.arange(T), "norm": norms / norms[0], "cell_type": cell_type, "T": T}


def lstm_worked_example(example=None):
    """One step of a 1-unit LSTM with the lesson's numbers: every gate, the cell and the state.

    Returns
    -------
    dict
        ``pre`` dict of pre-activations per gate (``W_g x + U_g h_prev``); ``i``, ``f``, ``o``,
        ``c_tilde``, ``c``, ``h`` (floats) by the formulas; ``h_cell``, ``c_cell`` from
        ``LSTMCell`` (equal).

    Examples
    --------
    >>> out = lstm_worked_example()
    >>> round(out["f"], 4), round(out["c"], 4), round(out["h"], 4)
    (0.8176, 2.2211, 0.3688)
    """
    ex = LSTM_EXAMPLE if example is None else example
    x, h_prev, c_prev = ex["x"], ex["h_prev"], ex["c_prev"]
    cell = LSTMCell(1, 1)
    for g in "ifoc":
        getattr(cell, f"W_{g}")[...] = ex["W"][g]
        getattr(cell, f"U_{g}")[...] = ex["U"][g]
    h_cell, c_cell = cell(np.array([[x]]), (np.array([[h_prev]]), np.array([[c_prev]])))
    pre = {g: ex["W"][g] * x + ex["U"][g] * h_prev for g in "ifoc"}
    i, f, o = (float(sigmoid(pre[g])) for g in "ifo")
    c_tilde = float(np.tanh(pre["c"]))
    c = f * c_prev + i * c_tilde
    h = o * float(np.tanh(c))
    return {"pre": pre, "i": i, "f": f, "o": o, "c_tilde": c_tilde, "c": c, "h": h,
            "h_cell": float(h_cell[0, 0]), "c_cell": float(c_cell[0, 0])}


def memory_cell_trace(forget_bias=3.0, T=30, value=0.8, write_at=0, rng=0):
    """A hand-wired 1-unit LSTM that stores one number: how long does it keep it?

    The input at each step is ``(v_t, w_t)``: a value and a write flag. The gates are wired so
    that the cell writes ``c~ = tanh(2 v)`` when ``w = 1`` (input gate ``sigmoid(10 w - 5)``,
    forget gate ``sigmoid(forget_bias - 10 w)`` so that writing also erases), and otherwise
    keeps its content multiplied by ``f = sigmoid(forget_bias)`` per step. The output gate is
    open (``sigmoid(5)``). ``value`` is written at step ``write_at``; the other values are noise.

    Returns
    -------
    dict
        ``t`` (T,); ``v``, ``w`` (T,) inputs; ``i``, ``f``, ``o``, ``c_tilde``, ``c``, ``h`` (T,)
        traces; ``stored`` = tanh(2 value), the content written; ``f_keep`` = sigmoid(forget_bias).

    Examples
    --------
    >>> out = memory_cell_trace(forget_bias=5.0, T=10)
    >>> bool(abs(out["c"][-1] - out["stored"] * out["f_keep"] ** 9) < 0.01)
    True
    """
    where = "memory_cell_trace"
    T = check_positive_int(T, where, "T")
    if not isinstance(write_at, (int, np.integer)) or not 0 <= write_at < T:
        raise ValueError(f"{where}: write_at must be an int in 0..{T - 1}, got {write_at!r}")
    rng = as_rng(rng)
    v = rng.uniform(-1.0, 1.0, size=T)  # (T,) noise values
    v[write_at] = value
    w = np.zeros(T)
    w[write_at] = 1.0
    cell = LSTMCell(2, 1)
    for g in "ifoc":
        getattr(cell, f"U_{g}")[...] = 0.0  # gates look at the input only
    cell.W_i[...] = [[0.0, 10.0]]
    cell.b_i[...] = -5.0
    cell.W_f[...] = [[0.0, -10.0]]
    cell.b_f[...] = forget_bias
    cell.W_o[...] = 0.0
    cell.b_o[...] = 5.0
    cell.W_c[...] = [[2.0, 0.0]]
    X = np.stack([v, w], axis=1)[:, None, :]  # (T, 1, 2)
    state = cell.init_state(1)
    trace = {name: np.zeros(T) for name in ("i", "f", "o", "c_tilde", "c", "h")}
    for t in range(T):
        state, cache = cell.step(X[t], state)
        _, _, _, i, f, o, c_tilde, _ = cache
        for name, val in (("i", i), ("f", f), ("o", o), ("c_tilde", c_tilde),
                          ("h", state[0]), ("c", state[1])):
            trace[name][t] = val[0, 0]
    return {"t": np.arange(T), "v": v, "w": w, **trace,
            "stored": float(np.tanh(2.0 * value)), "f_keep": float(sigmoid(forget_bias))}


# ---------------------------------------------------------------- a tiny sequence task


def running_sum_data(n, T, rng=0):
    """Sequences of T numbers ~ N(0, 1); the label says whether their sum is positive.

    Returns
    -------
    X : numpy.ndarray, shape (n, T, 1)
        One sequence per row (batch first, so ``fit`` can cut mini-batches of rows).
    y : numpy.ndarray, shape (n, 1)
        1.0 if ``x_1 + ... + x_T > 0`` else 0.0.

    Examples
    --------
    >>> X, y = running_sum_data(4, 5)
    >>> X.shape, y.shape
    ((4, 5, 1), (4, 1))
    >>> bool(np.array_equal(y[:, 0], X.sum(axis=(1, 2)) > 0))
    True
    """
    n = check_positive_int(n, "running_sum_data", "n")
    T = check_positive_int(T, "running_sum_data", "T")
    X = as_rng(rng).normal(size=(n, T, 1))  # (n, T, 1)
    y = (X.sum(axis=(1, 2)) > 0).astype(float)[:, None]  # (n, 1)
    return X, y


class LastStepClassifier(Module):
    """Many-to-one network: a recurrent cell reads the sequence, a ``Linear`` layer reads ``h_T``.

    ``o = W h_T + b_o`` is the deck's output layer (a logit; the sigmoid sits in
    ``BCEWithLogitsLoss``). Sequences come batch first, ``(N, T, D)``, so that ``fit`` can
    cut mini-batches of rows; inside they are turned into ``RNN``'s ``(T, N, D)``.

    Backward: the loss looks only at the last step, so ``RNN.backward`` gets a gradient
    that is zero except at ``t = T``; BPTT carries it back to every step.

    Parameters
    ----------
    cell : RNNCell or LSTMCell
    rng : None, int or numpy.random.Generator
        Seeds the output layer.

    Shape
    -----
    Input ``(N, T, D)``, output ``(N, 1)``.

    Examples
    --------
    >>> model = LastStepClassifier(RNNCell(1, 4, rng=0), rng=0)
    >>> model(np.zeros((3, 7, 1))).shape
    (3, 1)
    >>> [name for name, _ in model.named_parameters()]
    ['rnn.U', 'rnn.V', 'rnn.b', 'head.W', 'head.b']
    """

    def __init__(self, cell, rng=None):
        super().__init__()
        self.rnn = RNN(cell)
        self.head = Linear(cell.hidden_size, 1, rng=rng)
        self._H_shape = None

    def forward(self, X):
        X = check_array(X, "LastStepClassifier.forward", shape=("N", "T", self.rnn.cell.input_size))
        H = self.rnn(np.transpose(X, (1, 0, 2)))  # (T, N, hidden)
        self._H_shape = H.shape
        return self.head(H[-1])  # (N, 1)

    def backward(self, grad_y):
        H_shape = self._cache_or_raise(self._H_shape)
        grad_H = np.zeros(H_shape)  # (T, N, hidden)
        grad_H[-1] = self.head.backward(grad_y)  # only h_T feeds the output
        dX = self.rnn.backward(grad_H)  # (T, N, D)
        return np.transpose(dX, (1, 0, 2))  # (N, T, D)

    def parameters(self):
        return self.rnn.parameters() + self.head.parameters()

    def named_parameters(self, prefix=""):
        return self.rnn.named_parameters(prefix + "rnn.") + self.head.named_parameters(prefix + "head.")

    def _state_arrays(self):
        return {name: p.data for name, p in self.named_parameters()}

    def __repr__(self):
        return f"LastStepClassifier({self.rnn.cell!r}, head={self.head!r})"


def make_sequence_model(cell_type="rnn", hidden=8, rng=0):
    """A :class:`LastStepClassifier` with an ``RNNCell`` or ``LSTMCell`` of ``hidden`` units."""
    if cell_type not in ("rnn", "lstm"):
        raise ValueError(f"make_sequence_model: cell_type must be 'rnn' or 'lstm', got {cell_type!r}")
    rng = as_rng(rng)
    Cell = RNNCell if cell_type == "rnn" else LSTMCell
    return LastStepClassifier(Cell(1, hidden, rng=rng), rng=rng)


def train_sequence_task(cell_type="rnn", T=10, hidden=8, epochs=8, n_train=1000, n_test=500,
                        lr=0.01, batch_size=32, rng=0, verbose=True):
    """Train a many-to-one RNN or LSTM on the sign of the sum of T numbers with ``fit``.

    Returns
    -------
    dict
        ``history``; ``test_acc`` of the trained model; ``untrained_acc`` of the same model
        before training; ``last_input_acc``, the accuracy of guessing from the sign of the last
        number alone (what a network without memory could do); ``model``.

    Examples
    --------
    >>> r = train_sequence_task("rnn", T=5, epochs=2, n_train=200, n_test=200, verbose=False)
    >>> r["test_acc"] > r["last_input_acc"]
    True
    """
    rng = as_rng(rng)
    X_train, y_train = running_sum_data(n_train, T, rng)
    X_test, y_test = running_sum_data(n_test, T, rng)
    model = make_sequence_model(cell_type, hidden, rng)
    loss_fn = BCEWithLogitsLoss()
    _, untrained_acc = evaluate(model, loss_fn, X_test, y_test)
    history = fit(model, loss_fn, Adam(model.parameters(), lr=lr), X_train, y_train, epochs=epochs,
                  batch_size=batch_size, X_val=X_test, y_val=y_test, rng=rng, verbose=verbose,
                  print_every=max(1, epochs // 4))
    _, test_acc = evaluate(model, loss_fn, X_test, y_test)
    last_input_acc = float(np.mean((X_test[:, -1, 0] > 0) == (y_test[:, 0] == 1)))
    return {"history": history, "test_acc": test_acc, "untrained_acc": untrained_acc,
            "last_input_acc": last_input_acc, "model": model}
