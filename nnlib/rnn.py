"""Recurrent cells (``RNNCell``, ``LSTMCell``) and ``RNN``, which unrolls a cell through time.

(``GRUCell`` lives in ``nnlib.gru``; ``RNN`` unrolls it the same way.)

The SAP deck (002) writes the plain recurrent network as

    h_t = sigma_h(U x_t + V h_{t-1} + b_h)          (here sigma_h = tanh)
    o_t = sigma_o(W h_t + b_o)

``RNNCell`` computes the first line with the deck's names ``U`` (input -> hidden),
``V`` (hidden -> hidden) and ``b`` (= ``b_h``); the output line is an ordinary
``Linear`` layer (plus activation) applied to every ``h_t``. In PyTorch's ``nn.RNNCell``
the same arrays are called ``weight_ih`` (= U), ``weight_hh`` (= V) and
``bias_ih + bias_hh`` (= b; PyTorch keeps two biases that always appear as a sum).

The LSTM slide uses other letters: ``W_g`` for input -> hidden and ``U_g`` for
hidden -> hidden, one pair per gate g in {i, f, o, c}. ``LSTMCell`` keeps those names
and adds a bias ``b_g`` per gate (the slide omits biases; ours start at zero, so a fresh
cell computes exactly the slide's equations). PyTorch stacks the four gates into one
``weight_ih`` of shape (4H, D) in the order i, f, c, o.

Batches are rows, as everywhere in nnlib: ``x_t`` is ``(N, D)``, ``h_t`` is ``(N, H)``,
so ``U x_t`` becomes ``x_t @ U.T``. A sequence is ``(T, N, D)``: time first, as in
PyTorch's default (``batch_first=False``).

Backpropagation through time (BPTT)
-----------------------------------
Unrolled over T steps, the network is a deep feed-forward net whose layers all share
U, V, b. ``RNN.backward`` walks the steps backwards: the gradient reaching ``h_t`` is
the gradient from the loss at step t **plus** the gradient flowing back from step t+1,
and every step adds its contribution to ``dU``, ``dV``, ``db`` (shared weights: the
gradient is the sum over time).
"""

import numpy as np

from nnlib.functional import sigmoid
from nnlib.module import Module
from nnlib.validation import as_rng, check_array, check_positive_int


def _uniform(shape, bound, rng):
    """Weights drawn from U(-bound, bound)."""
    return rng.uniform(-bound, bound, size=shape)


class RecurrentCell(Module):
    """Base class of the cells that ``RNN`` can unroll.

    A cell has ``input_size`` and ``hidden_size`` and three methods that keep no state of
    their own: ``init_state(N)`` (the zero state, a tuple whose first entry is ``h``),
    ``step(x_t, state) -> (new_state, cache)`` and
    ``step_backward(dstate, cache) -> (dx_t, dstate_prev)``, which also accumulates the
    parameter gradients of that step.
    """

    def init_state(self, N):
        raise NotImplementedError

    def step(self, x_t, state):
        raise NotImplementedError

    def step_backward(self, dstate, cache):
        raise NotImplementedError

    def _check_step_input(self, x, h_prev, where):
        """For cells whose state is ``h`` alone: x (N, input_size), h_prev (N, hidden_size) or None (zeros)."""
        x = check_array(x, where, shape=("N", self.input_size))
        if h_prev is None:
            return x, self.init_state(x.shape[0])
        h_prev = check_array(h_prev, where, shape=(x.shape[0], self.hidden_size), name="h_prev")
        return x, (h_prev,)


class RNNCell(RecurrentCell):
    """One step of the plain (Elman) recurrent network: h_t = tanh(U x_t + V h_{t-1} + b).

    For a batch (rows are examples):

        Z_t = X_t @ U.T + H_prev @ V.T + b        (N, H)
        H_t = tanh(Z_t)                            (N, H)

    Backward for one step, given ``dH_t`` (everything the loss says about ``H_t``):

        delta  = dH_t * (1 - H_t**2)               tanh'(z) = 1 - tanh(z)^2
        dU    += delta.T @ X_t,   dV += delta.T @ H_prev,   db += sum of delta over rows
        dX_t   = delta @ U,       dH_prev = delta @ V

    Parameters
    ----------
    input_size : int
        Features ``D`` of each ``x_t``.
    hidden_size : int
        Size ``H`` of the hidden state.
    rng : None, int or numpy.random.Generator
        Seeds the weights.

    Attributes
    ----------
    U : numpy.ndarray, shape (H, D)
        Input -> hidden weights (PyTorch: ``weight_ih``).
    V : numpy.ndarray, shape (H, H)
        Hidden -> hidden (recurrent) weights (PyTorch: ``weight_hh``).
    b : numpy.ndarray, shape (H,)
        Bias ``b_h`` (PyTorch: ``bias_ih + bias_hh``), starts at zero.
    dU, dV, db : numpy.ndarray
        Accumulated gradients. Weights start as U(-1/sqrt(H), 1/sqrt(H)), PyTorch's choice.

    Shape
    -----
    ``forward``: ``x`` (N, D), ``h_prev`` (N, H) or None (zeros) -> ``h`` (N, H).
    ``backward``: ``grad_h`` (N, H) -> ``dx`` (N, D); ``dL/dh_prev`` is left in ``dh_prev``.
    To run a whole sequence (T, N, D) use ``RNN(cell)``.

    Examples
    --------
    >>> cell = RNNCell(1, 1)
    >>> cell.U[...] = 0.5; cell.V[...] = 1.0
    >>> h1 = cell(np.array([[2.0]]))                 # tanh(0.5*2 + 1*0)
    >>> np.round(h1, 4)
    array([[0.7616]])
    >>> np.round(cell(np.array([[0.0]]), h1), 4)     # tanh(0 + 1*0.7616)
    array([[0.642]])
    """

    param_names = ("U", "V", "b")

    def __init__(self, input_size, hidden_size, rng=None):
        super().__init__()
        self.input_size = check_positive_int(input_size, "RNNCell", "input_size")
        self.hidden_size = check_positive_int(hidden_size, "RNNCell", "hidden_size")
        rng = as_rng(rng)
        D, H = self.input_size, self.hidden_size
        bound = 1.0 / np.sqrt(H)
        self.U = _uniform((H, D), bound, rng)  # (H, D)
        self.V = _uniform((H, H), bound, rng)  # (H, H)
        self.b = np.zeros(H)  # (H,)
        self.dU = np.zeros_like(self.U)
        self.dV = np.zeros_like(self.V)
        self.db = np.zeros_like(self.b)
        self._cache = None
        self.dh_prev = None

    def init_state(self, N):
        """The zero state ``(h_0,)`` for a batch of N sequences."""
        return (np.zeros((N, self.hidden_size)),)

    def step(self, x_t, state):
        """One time step without remembering anything: returns ``(new_state, cache)``.

        ``state`` is the tuple ``(h_prev,)``; ``cache`` is what ``step_backward`` needs.
        """
        (h_prev,) = state
        Z = x_t @ self.U.T + h_prev @ self.V.T + self.b  # (N, H)
        h = np.tanh(Z)  # (N, H)
        return (h,), (x_t, h_prev, h)

    def step_backward(self, dstate, cache):
        """Backward through one step: ``dstate = (dL/dh_t,)`` -> ``(dx_t, (dL/dh_prev,))``.

        Accumulates this step's share of ``dU``, ``dV``, ``db``.
        """
        (dh,) = dstate
        x_t, h_prev, h = cache
        delta = dh * (1.0 - h**2)  # (N, H), dL/dZ_t
        self.dU += delta.T @ x_t  # (H, D)
        self.dV += delta.T @ h_prev  # (H, H)
        self.db += delta.sum(axis=0)  # (H,)
        dx = delta @ self.U  # (N, D)
        dh_prev = delta @ self.V  # (N, H)
        return dx, (dh_prev,)

    def forward(self, x, h_prev=None):
        """One step: ``h = tanh(x U^T + h_prev V^T + b)``; ``h_prev=None`` means zeros."""
        x, state = self._check_step_input(x, h_prev, "RNNCell.forward")
        (h,), self._cache = self.step(x, state)
        return h

    def __call__(self, x, h_prev=None):
        return self.forward(x, h_prev)

    def backward(self, grad_h):
        """Backward through the last ``forward`` step; returns dL/dx, stores dL/dh_prev."""
        cache = self._cache_or_raise(self._cache)
        grad_h = check_array(grad_h, "RNNCell.backward", shape=cache[2].shape, name="grad_h")
        dx, (self.dh_prev,) = self.step_backward((grad_h,), cache)
        return dx

    def __repr__(self):
        return f"RNNCell(input_size={self.input_size}, hidden_size={self.hidden_size})"


class LSTMCell(RecurrentCell):
    """One step of a Long Short-Term Memory cell (Hochreiter and Schmidhuber, 1997).

    The SAP deck's equations, for a batch (rows are examples; sigma is the sigmoid,
    * the element-wise product):

        i_t       = sigma(x_t W_i^T + h_{t-1} U_i^T + b_i)      input gate
        f_t       = sigma(x_t W_f^T + h_{t-1} U_f^T + b_f)      forget gate
        o_t       = sigma(x_t W_o^T + h_{t-1} U_o^T + b_o)      output gate
        c~_t      = tanh (x_t W_c^T + h_{t-1} U_c^T + b_c)      new memory (candidate)
        c_t       = f_t * c_{t-1} + i_t * c~_t                 final memory cell
        h_t       = o_t * tanh(c_t)                            final hidden state

    Backward for one step, given ``dh`` and ``dc`` arriving at ``h_t`` and ``c_t``:

        do   = dh * tanh(c_t)
        dc   = dc + dh * o_t * (1 - tanh(c_t)^2)      both paths into c_t
        di   = dc * c~_t,   df = dc * c_{t-1},   dc~ = dc * i_t,   dc_prev = dc * f_t
        delta_g = dg * g (1 - g) for the gates g = i, f, o;  delta_c = dc~ * (1 - c~^2)
        dW_g += delta_g^T x_t,  dU_g += delta_g^T h_{t-1},  db_g += sum of delta_g
        dx = sum_g delta_g W_g,   dh_prev = sum_g delta_g U_g

    The cell state ``c`` is updated by an addition gated by ``f``, so its gradient
    ``dc_prev = dc * f`` is not squashed by a tanh derivative at every step: this is why
    an LSTM keeps gradients alive over longer sequences than ``RNNCell``.

    Parameters
    ----------
    input_size : int
        Features ``D`` of each ``x_t``.
    hidden_size : int
        Size ``H`` of ``h`` and ``c``.
    rng : None, int or numpy.random.Generator
        Seeds the weights.

    Attributes
    ----------
    W_i, W_f, W_o, W_c : numpy.ndarray, shape (H, D)
        Input -> gate weights.
    U_i, U_f, U_o, U_c : numpy.ndarray, shape (H, H)
        Hidden -> gate weights.
    b_i, b_f, b_o, b_c : numpy.ndarray, shape (H,)
        Gate biases (not on the slide), start at zero.
    dW_i, ..., db_c : numpy.ndarray
        Accumulated gradients. Weights start as U(-1/sqrt(H), 1/sqrt(H)), as in PyTorch.

    Shape
    -----
    ``forward``: ``x`` (N, D), ``state`` = ``(h_prev, c_prev)`` each (N, H) or None
    -> ``(h, c)``. ``backward(grad_h, grad_c=None)`` -> ``dx`` (N, D), storing
    ``dh_prev``, ``dc_prev``. For sequences (T, N, D) use ``RNN(cell)``.

    Examples
    --------
    >>> cell = LSTMCell(2, 3, rng=0)
    >>> h, c = cell(np.ones((4, 2)))
    >>> h.shape, c.shape
    ((4, 3), (4, 3))
    >>> bool(np.all(np.abs(h) < 1))
    True
    """

    param_names = (
        "W_i", "W_f", "W_o", "W_c",
        "U_i", "U_f", "U_o", "U_c",
        "b_i", "b_f", "b_o", "b_c",
    )

    def __init__(self, input_size, hidden_size, rng=None):
        super().__init__()
        self.input_size = check_positive_int(input_size, "LSTMCell", "input_size")
        self.hidden_size = check_positive_int(hidden_size, "LSTMCell", "hidden_size")
        rng = as_rng(rng)
        D, H = self.input_size, self.hidden_size
        bound = 1.0 / np.sqrt(H)
        self.W_i, self.W_f, self.W_o, self.W_c = (_uniform((H, D), bound, rng) for _ in range(4))
        self.U_i, self.U_f, self.U_o, self.U_c = (_uniform((H, H), bound, rng) for _ in range(4))
        self.b_i, self.b_f, self.b_o, self.b_c = (np.zeros(H) for _ in range(4))
        self.dW_i, self.dW_f, self.dW_o, self.dW_c = (np.zeros((H, D)) for _ in range(4))
        self.dU_i, self.dU_f, self.dU_o, self.dU_c = (np.zeros((H, H)) for _ in range(4))
        self.db_i, self.db_f, self.db_o, self.db_c = (np.zeros(H) for _ in range(4))
        self._cache = None
        self.dh_prev = None
        self.dc_prev = None

    def init_state(self, N):
        """The zero state ``(h_0, c_0)`` for a batch of N sequences."""
        H = self.hidden_size
        return (np.zeros((N, H)), np.zeros((N, H)))

    def step(self, x_t, state):
        """One time step without remembering anything: returns ``((h, c), cache)``."""
        h_prev, c_prev = state
        i = sigmoid(x_t @ self.W_i.T + h_prev @ self.U_i.T + self.b_i)  # (N, H) input gate
        f = sigmoid(x_t @ self.W_f.T + h_prev @ self.U_f.T + self.b_f)  # (N, H) forget gate
        o = sigmoid(x_t @ self.W_o.T + h_prev @ self.U_o.T + self.b_o)  # (N, H) output gate
        c_tilde = np.tanh(x_t @ self.W_c.T + h_prev @ self.U_c.T + self.b_c)  # (N, H) new memory
        c = f * c_prev + i * c_tilde  # (N, H) final memory cell
        tanh_c = np.tanh(c)  # (N, H)
        h = o * tanh_c  # (N, H) final hidden state
        return (h, c), (x_t, h_prev, c_prev, i, f, o, c_tilde, tanh_c)

    def step_backward(self, dstate, cache):
        """Backward through one step: ``(dh, dc)`` -> ``(dx_t, (dh_prev, dc_prev))``.

        Accumulates this step's share of every gate's ``dW_g``, ``dU_g``, ``db_g``.
        """
        dh, dc = dstate
        x_t, h_prev, c_prev, i, f, o, c_tilde, tanh_c = cache
        do = dh * tanh_c  # (N, H)
        dc = dc + dh * o * (1.0 - tanh_c**2)  # (N, H) both paths into c_t
        di = dc * c_tilde  # (N, H)
        df = dc * c_prev  # (N, H)
        dc_tilde = dc * i  # (N, H)
        dc_prev = dc * f  # (N, H)
        delta_i = di * i * (1.0 - i)  # (N, H) through the sigmoid
        delta_f = df * f * (1.0 - f)  # (N, H)
        delta_o = do * o * (1.0 - o)  # (N, H)
        delta_c = dc_tilde * (1.0 - c_tilde**2)  # (N, H) through the tanh
        self.dW_i += delta_i.T @ x_t  # (H, D)
        self.dW_f += delta_f.T @ x_t  # (H, D)
        self.dW_o += delta_o.T @ x_t  # (H, D)
        self.dW_c += delta_c.T @ x_t  # (H, D)
        self.dU_i += delta_i.T @ h_prev  # (H, H)
        self.dU_f += delta_f.T @ h_prev  # (H, H)
        self.dU_o += delta_o.T @ h_prev  # (H, H)
        self.dU_c += delta_c.T @ h_prev  # (H, H)
        self.db_i += delta_i.sum(axis=0)  # (H,)
        self.db_f += delta_f.sum(axis=0)  # (H,)
        self.db_o += delta_o.sum(axis=0)  # (H,)
        self.db_c += delta_c.sum(axis=0)  # (H,)
        dx = delta_i @ self.W_i + delta_f @ self.W_f + delta_o @ self.W_o + delta_c @ self.W_c  # (N, D)
        dh_prev = delta_i @ self.U_i + delta_f @ self.U_f + delta_o @ self.U_o + delta_c @ self.U_c  # (N, H)
        return dx, (dh_prev, dc_prev)

    def forward(self, x, state=None):
        """One step; ``state`` is ``(h_prev, c_prev)`` or None (zeros). Returns ``(h, c)``."""
        where = "LSTMCell.forward"
        x = check_array(x, where, shape=("N", self.input_size))
        if state is None:
            state = self.init_state(x.shape[0])
        else:
            if not isinstance(state, tuple) or len(state) != 2:
                raise TypeError(f"{where}: state must be a tuple (h_prev, c_prev) or None")
            shape = (x.shape[0], self.hidden_size)
            state = (
                check_array(state[0], where, shape=shape, name="h_prev"),
                check_array(state[1], where, shape=shape, name="c_prev"),
            )
        (h, c), self._cache = self.step(x, state)
        return h, c

    def __call__(self, x, state=None):
        return self.forward(x, state)

    def backward(self, grad_h, grad_c=None):
        """Backward through the last ``forward`` step; returns dL/dx.

        ``grad_c`` (dL/dc_t from later steps) defaults to zero. ``dL/dh_prev`` and
        ``dL/dc_prev`` are stored in ``dh_prev`` and ``dc_prev``.
        """
        cache = self._cache_or_raise(self._cache)
        shape = cache[1].shape
        grad_h = check_array(grad_h, "LSTMCell.backward", shape=shape, name="grad_h")
        grad_c = np.zeros(shape) if grad_c is None else check_array(
            grad_c, "LSTMCell.backward", shape=shape, name="grad_c")
        dx, (self.dh_prev, self.dc_prev) = self.step_backward((grad_h, grad_c), cache)
        return dx

    def __repr__(self):
        return f"LSTMCell(input_size={self.input_size}, hidden_size={self.hidden_size})"


class RNN(Module):
    """Unroll a recurrent cell over a whole sequence, with backpropagation through time.

    ``forward`` runs ``state_t = cell(x_t, state_{t-1})`` for t = 1..T and returns all
    hidden states ``h_1..h_T``; ``backward`` takes the loss gradient for every ``h_t``
    and runs the steps in reverse, adding the gradient that flows back from step t+1:

        dh = grad_H[t] + (dL/dh_t from step t+1)
        dX[t], (dL/dh_{t-1}, ...) = cell.step_backward(dh, cache_t)

    The cell's parameters are shared by all steps, so their gradients are sums over t.
    (Unlike ``torch.nn.RNN``, which builds its own weights, this wraps a cell you
    create, so ``RNN(LSTMCell(...))`` plays the role of ``torch.nn.LSTM`` and
    ``RNN(GRUCell(...))`` that of ``torch.nn.GRU``.)

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell
        The cell to unroll; its parameters are this module's parameters.

    Attributes
    ----------
    state : tuple of numpy.ndarray
        The state after the last step of ``forward``: ``(h_T,)`` or ``(h_T, c_T)``.
    dstate0 : tuple of numpy.ndarray
        After ``backward``: gradient of the loss w.r.t. the initial state.

    Shape
    -----
    ``forward``: ``X`` (T, N, D), optional ``state0`` (a tuple like ``cell.init_state(N)``)
    -> ``H`` (T, N, hidden). ``backward``: ``grad_H`` (T, N, hidden) -> ``dX`` (T, N, D).
    For a many-to-one task pass a ``grad_H`` that is zero except at the last step.

    Examples
    --------
    >>> rnn = RNN(RNNCell(input_size=1, hidden_size=4, rng=0))
    >>> X = np.ones((5, 2, 1))                  # T = 5 steps, N = 2 sequences, D = 1
    >>> H = rnn(X)
    >>> H.shape
    (5, 2, 4)
    >>> rnn.backward(np.ones_like(H)).shape
    (5, 2, 1)
    >>> [p.name for p in rnn.parameters()]
    ['U', 'V', 'b']
    """

    def __init__(self, cell):
        super().__init__()
        if not isinstance(cell, RecurrentCell):
            raise TypeError(f"RNN: cell must be an RNNCell, LSTMCell or GRUCell, got {type(cell).__name__}")
        self.cell = cell
        self.state = None
        self.dstate0 = None
        self._caches = None

    def forward(self, X, state0=None):
        """Run the cell over ``X`` (T, N, D); return all hidden states (T, N, hidden)."""
        where = "RNN.forward"
        X = check_array(X, where, shape=("T", "N", self.cell.input_size))
        T, N, _ = X.shape
        if T == 0:
            raise ValueError(f"{where}: the sequence is empty (T = 0)")
        state = self._check_state0(state0, N, where)
        H = np.empty((T, N, self.cell.hidden_size))  # (T, N, hidden)
        caches = []
        for t in range(T):
            state, cache = self.cell.step(X[t], state)  # state_t from x_t and state_{t-1}
            H[t] = state[0]  # (N, hidden)
            caches.append(cache)
        self.state = state
        self._caches = caches
        return H

    def __call__(self, X, state0=None):
        return self.forward(X, state0)

    def backward(self, grad_H):
        """Backpropagation through time; returns dL/dX (T, N, D)."""
        caches = self._cache_or_raise(self._caches)
        T = len(caches)
        N = caches[0][0].shape[0]
        grad_H = check_array(grad_H, "RNN.backward", shape=(T, N, self.cell.hidden_size),
                             name="grad_H")
        dX = np.empty((T, N, self.cell.input_size))  # (T, N, D)
        dstate = tuple(np.zeros_like(s) for s in self.state)  # nothing flows back from t = T+1
        for t in reversed(range(T)):
            dstate = (dstate[0] + grad_H[t],) + dstate[1:]  # loss at step t + the future's share
            dX[t], dstate = self.cell.step_backward(dstate, caches[t])
        self.dstate0 = dstate
        return dX

    def _check_state0(self, state0, N, where):
        if state0 is None:
            return self.cell.init_state(N)
        expected = len(self.cell.init_state(1))
        if not isinstance(state0, tuple) or len(state0) != expected:
            names = "(h0,)" if expected == 1 else "(h0, c0)"
            raise TypeError(f"{where}: state0 must be a tuple {names} or None")
        shape = (N, self.cell.hidden_size)
        return tuple(check_array(s, where, shape=shape, name="state0") for s in state0)

    def parameters(self):
        return self.cell.parameters()

    def named_parameters(self, prefix=""):
        return self.cell.named_parameters(prefix)

    def zero_grad(self):
        self.cell.zero_grad()

    def _state_arrays(self):
        return self.cell._state_arrays()

    def __repr__(self):
        return f"RNN({self.cell!r})"
