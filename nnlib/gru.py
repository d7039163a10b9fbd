"""The gated recurrent unit, ``GRUCell`` (Cho et al., 2014), with PyTorch's equations.

A GRU is a lighter LSTM: no separate memory cell, two gates instead of three. The
**update gate** z decides how much of the old state to keep, the **reset gate** r how
much of it to use when proposing the new state n:

    r_t = sigma(x_t W_r^T + h_{t-1} U_r^T + b_r)                   reset gate
    z_t = sigma(x_t W_z^T + h_{t-1} U_z^T + b_z)                   update gate
    n_t = tanh (x_t W_n^T + b_n + r_t * (h_{t-1} U_n^T + b_hn))    candidate state
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                          new hidden state

Notation. The SAP deck only names GRUs (next to LSTMs, as gated RNNs that keep
gradients alive); its equations for the plain RNN write ``U`` for input -> hidden and
``V`` for hidden -> hidden, while its LSTM slide writes ``W_g`` for input -> gate and
``U_g`` for hidden -> gate. ``GRUCell`` uses the LSTM slide's letters, like ``LSTMCell``.
Sources differ in two places:

* PyTorch (and cuDNN) apply the reset gate *after* the recurrent product,
  ``r * (h U_n^T + b_hn)``; Cho et al. write ``U_n (r * h)``, reset before it. We follow
  PyTorch, which is why the candidate has a second bias ``b_hn`` inside the reset (it is
  not the same as adding it to ``b_n``).
* Some texts (Chung et al., 2014) swap the roles of z and 1 - z:
  ``h_t = (1 - z) h_{t-1} + z n``. Here, as in PyTorch, z = 1 keeps the old state.

PyTorch stacks the three input weights into one ``weight_ih`` (3H, D) in the order
r, z, n (likewise ``weight_hh`` from ``U_r, U_z, U_n``); its ``bias_ih + bias_hh`` is our
``b_r``, ``b_z`` for the gates, and its two n-biases are our ``b_n`` and ``b_hn``.
"""

import numpy as np

from nnlib.functional import sigmoid
from nnlib.rnn import RecurrentCell, _uniform
from nnlib.validation import as_rng, check_array, check_positive_int


class GRUCell(RecurrentCell):
    """One step of a gated recurrent unit: ``h_t = (1 - z) * n + z * h_{t-1}`` (see the module notes).

    Backward for one step, given ``dh`` (everything the loss says about ``h_t``):

        dn = dh * (1 - z),   dz = dh * (h_prev - n),   direct path dh_prev = dh * z
        delta_n = dn * (1 - n^2)                       through the tanh
        delta_r = delta_n * (h_prev U_n^T + b_hn) * r (1 - r)
        delta_z = dz * z (1 - z)
        delta_hn = delta_n * r                         the gradient reaching h_prev U_n^T + b_hn
        dW_g += delta_g^T x,  db_g += sum of delta_g   for g = r, z, n
        dU_r += delta_r^T h_prev,  dU_z += delta_z^T h_prev,  dU_n += delta_hn^T h_prev,  db_hn += sum delta_hn
        dx = delta_r W_r + delta_z W_z + delta_n W_n
        dh_prev = dh * z + delta_r U_r + delta_z U_z + delta_hn U_n

    The path ``dh_prev = dh * z`` has no squashing derivative: with z near 1 the state and
    its gradient pass through many steps, like the LSTM's memory cell.

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
    W_r, W_z, W_n : numpy.ndarray, shape (H, D)
        Input -> reset gate, update gate, candidate.
    U_r, U_z, U_n : numpy.ndarray, shape (H, H)
        Hidden -> reset gate, update gate, candidate.
    b_r, b_z, b_n, b_hn : numpy.ndarray, shape (H,)
        Biases, start at zero (``b_hn`` sits inside the reset gate's product).
    dW_r, ..., db_hn : numpy.ndarray
        Accumulated gradients. Weights start as U(-1/sqrt(H), 1/sqrt(H)), as in PyTorch.

    Shape
    -----
    ``forward``: ``x`` (N, D), ``h_prev`` (N, H) or None (zeros) -> ``h`` (N, H).
    ``backward``: ``grad_h`` (N, H) -> ``dx`` (N, D); ``dL/dh_prev`` is left in ``dh_prev``.
    For sequences (T, N, D) use ``RNN(GRUCell(...))``.

    Examples
    --------
    A cell with all weights zero: r = z = 1/2, n = tanh(0) = 0, so h_t = h_{t-1} / 2.

    >>> cell = GRUCell(1, 1)
    >>> for p in cell.parameters(): p.data[...] = 0.0
    >>> cell(np.array([[5.0]]), np.array([[0.8]]))
    array([[0.4]])
    >>> cell.backward(np.array([[1.0]])), cell.dh_prev      # dh_prev = z = 1/2
    (array([[0.]]), array([[0.5]]))
    """

    param_names = ("W_r", "W_z", "W_n", "U_r", "U_z", "U_n", "b_r", "b_z", "b_n", "b_hn")

    def __init__(self, input_size, hidden_size, rng=None):
        super().__init__()
        self.input_size = check_positive_int(input_size, "GRUCell", "input_size")
        self.hidden_size = check_positive_int(hidden_size, "GRUCell", "hidden_size")
        rng = as_rng(rng)
        D, H = self.input_size, self.hidden_size
        bound = 1.0 / np.sqrt(H)
        self.W_r, self.W_z, self.W_n = (_uniform((H, D), bound, rng) for _ in range(3))
        self.U_r, self.U_z, self.U_n = (_uniform((H, H), bound, rng) for _ in range(3))
        self.b_r, self.b_z, self.b_n, self.b_hn = (np.zeros(H) for _ in range(4))
        self.dW_r, self.dW_z, self.dW_n = (np.zeros((H, D)) for _ in range(3))
        self.dU_r, self.dU_z, self.dU_n = (np.zeros((H, H)) for _ in range(3))
        self.db_r, self.db_z, self.db_n, self.db_hn = (np.zeros(H) for _ in range(4))
        self._cache = None
        self.dh_prev = None

    def init_state(self, N):
        """The zero state ``(h_0,)`` for a batch of N sequences."""
        return (np.zeros((N, self.hidden_size)),)

    def step(self, x_t, state):
        """One time step without remembering anything: returns ``((h,), cache)``."""
        (h_prev,) = state
        r = sigmoid(x_t @ self.W_r.T + h_prev @ self.U_r.T + self.b_r)  # (N, H) reset gate
        z = sigmoid(x_t @ self.W_z.T + h_prev @ self.U_z.T + self.b_z)  # (N, H) update gate
        hn = h_prev @ self.U_n.T + self.b_hn  # (N, H) recurrent part of the candidate
        n = np.tanh(x_t @ self.W_n.T + self.b_n + r * hn)  # (N, H) candidate state
        h = (1.0 - z) * n + z * h_prev  # (N, H) new hidden state
        return (h,), (x_t, h_prev, r, z, n, hn)

    def step_backward(self, dstate, cache):
        """Backward through one step: ``(dL/dh_t,)`` -> ``(dx_t, (dL/dh_prev,))``; accumulates gradients."""
        (dh,) = dstate
        x_t, h_prev, r, z, n, hn = cache
        dn = dh * (1.0 - z)  # (N, H)
        dz = dh * (h_prev - n)  # (N, H)
        delta_n = dn * (1.0 - n**2)  # (N, H) through the tanh
        delta_r = delta_n * hn * r * (1.0 - r)  # (N, H) through the reset gate's sigmoid
        delta_z = dz * z * (1.0 - z)  # (N, H) through the update gate's sigmoid
        delta_hn = delta_n * r  # (N, H) reaching h_prev U_n^T + b_hn
        self.dW_r += delta_r.T @ x_t  # (H, D)
        self.dW_z += delta_z.T @ x_t  # (H, D)
        self.dW_n += delta_n.T @ x_t  # (H, D)
        self.dU_r += delta_r.T @ h_prev  # (H, H)
        self.dU_z += delta_z.T @ h_prev  # (H, H)
        self.dU_n += delta_hn.T @ h_prev  # (H, H)
        self.db_r += delta_r.sum(axis=0)  # (H,)
        self.db_z += delta_z.sum(axis=0)  # (H,)
        self.db_n += delta_n.sum(axis=0)  # (H,)
        self.db_hn += delta_hn.sum(axis=0)  # (H,)
        dx = delta_r @ self.W_r + delta_z @ self.W_z + delta_n @ self.W_n  # (N, D)
        dh_prev = dh * z + delta_r @ self.U_r + delta_z @ self.U_z + delta_hn @ self.U_n  # (N, H)
        return dx, (dh_prev,)

    def forward(self, x, h_prev=None):
        """One step; ``h_prev=None`` means zeros. Returns ``h`` (N, H)."""
        x, state = self._check_step_input(x, h_prev, "GRUCell.forward")
        (h,), self._cache = self.step(x, state)
        return h

    def __call__(self, x, h_prev=None):
        return self.forward(x, h_prev)

    def backward(self, grad_h):
        """Backward through the last ``forward`` step; returns dL/dx, stores dL/dh_prev in ``dh_prev``."""
        cache = self._cache_or_raise(self._cache)
        grad_h = check_array(grad_h, "GRUCell.backward", shape=cache[1].shape, name="grad_h")
        dx, (self.dh_prev,) = self.step_backward((grad_h,), cache)
        return dx

    def __repr__(self):
        return f"GRUCell(input_size={self.input_size}, hidden_size={self.hidden_size})"
