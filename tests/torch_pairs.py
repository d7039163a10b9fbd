"""What both PyTorch parity test files build the same way: tensors, a small MLP pair, a GRU reference.

Imported only after ``pytest.importorskip("torch")`` in those files.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")   # also skips this module's doctest collection without torch

import nnlib.activations as A  # noqa: E402
from nnlib.cross_entropy import CrossEntropyLoss  # noqa: E402
from nnlib.layers import Linear  # noqa: E402
from nnlib.module import Sequential  # noqa: E402


def t(array, grad=False):
    """A float64 tensor of ``array`` (optionally recording its gradient)."""
    return torch.tensor(np.asarray(array), dtype=torch.float64, requires_grad=grad)


def mlp_pair(rng):
    """A 5-8-3 tanh MLP in nnlib and the same network (same weights and biases) in PyTorch."""
    ours = Sequential(Linear(5, 8, rng=1), A.Tanh(), Linear(8, 3, rng=2))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for i in (0, 2):
            ours[i].b[...] = rng.standard_normal(ours[i].b.shape) * 0.1
            theirs[i].weight.copy_(t(ours[i].W))
            theirs[i].bias.copy_(t(ours[i].b))
    return ours, theirs


def train_step(ours, theirs, our_opt, their_opt, X, y):
    """One cross-entropy step on the batch (X, y) in both libraries."""
    loss = CrossEntropyLoss()
    our_opt.zero_grad()
    loss(ours(X), y)
    ours.backward(loss.backward())
    our_opt.step()
    their_opt.zero_grad()
    torch.nn.CrossEntropyLoss()(theirs(t(X)), torch.tensor(y)).backward()
    their_opt.step()


def gru_reference(cell):
    """``torch.nn.GRU`` with the weights of nnlib's ``GRUCell`` ``cell``.

    PyTorch stacks the gates as (r, z, n) and has two biases, which add up for r and z; only the
    candidate's recurrent bias (b_hn, inside the reset gate's product) stands apart.
    """
    H = cell.U_r.shape[0]
    ref = torch.nn.GRU(cell.W_r.shape[1], H).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(t(np.vstack([cell.W_r, cell.W_z, cell.W_n])))
        ref.weight_hh_l0.copy_(t(np.vstack([cell.U_r, cell.U_z, cell.U_n])))
        ref.bias_ih_l0.copy_(t(np.concatenate([cell.b_r, cell.b_z, cell.b_n])))
        ref.bias_hh_l0.copy_(t(np.concatenate([np.zeros(2 * H), cell.b_hn])))
    return ref
