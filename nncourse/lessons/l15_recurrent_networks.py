"""Lesson 15 -- the many-to-one network of ``notebooks/15_recurrent_networks.ipynb``.

Every number of the lesson (the RNN and LSTM worked steps, the BPTT table, the gradient against
the time lag, the hand-wired memory cell, the training runs) is computed in the notebook with
numpy and :mod:`nnlib.rnn`. This module holds only :class:`LastStepClassifier`, the glue that
puts an output layer on the last state of an unrolled cell so that
:func:`nnlib.training.fit` can train it on a sequence-classification task.
"""

import numpy as np

from nnlib.layers import Linear
from nnlib.module import Module
from nnlib.rnn import RNN
from nnlib.validation import check_array


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
    >>> from nnlib.rnn import RNNCell
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
