"""Lesson 05 -- backpropagation: the one experiment whose code is not the point of the lesson.

Every worked example of ``notebooks/05_backpropagation.ipynb`` (the KIT deck's graphs, the
Karlsruhe 2-3-1 step, the DHBW sigmoid/BCE network, the softmax-CE delta, the algorithm, the OTH
network, gradient checking) is computed in the notebook's own cells with numpy and nnlib. This
module only times the forward and backward pass of an MLP for the lesson's cost plot.
"""

import time

import numpy as np

from nnlib.activations import Tanh
from nnlib.layers import Linear
from nnlib.module import Sequential
from nnlib.validation import as_rng, check_positive_int


def measure_cost(layer_sizes, batch_size=256, repeats=20, rng=0):
    """Seconds of one forward and one backward pass of a tanh MLP, best of ``repeats``.

    The backward pass does about two multiply-adds per weight (``dW = delta^T A_prev``
    and ``delta W``), the forward pass one (``Z = A_prev W^T``), so the measured ratio
    is about 2. Timings vary from run to run and machine to machine: plot them, never
    print them as results.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_0, n_1, ..., n_L)``, at least two positive sizes.
    batch_size : int
        Rows of the random input batch.
    repeats : int
        Number of timed forward/backward pairs; the fastest of each is returned.
    rng : None, int or numpy.random.Generator
        Source of the weights, the input and the upstream gradient.

    Returns
    -------
    dict
        ``forward`` and ``backward``: seconds per pass (floats).

    Examples
    --------
    >>> t = measure_cost([20, 30, 5], batch_size=8, repeats=2)
    >>> t["forward"] > 0 and t["backward"] > 0
    True
    """
    where = "measure_cost"
    sizes = [check_positive_int(n, where, "each layer size") for n in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"{where}: layer_sizes must hold at least two sizes, got {list(layer_sizes)}")
    batch_size = check_positive_int(batch_size, where, "batch_size")
    repeats = check_positive_int(repeats, where, "repeats")
    rng = as_rng(rng)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(n_in, n_out, rng=rng), Tanh()]
    net = Sequential(*layers[:-1])  # no activation after the last layer
    X = rng.standard_normal((batch_size, sizes[0]))  # (N, n_0)
    G = rng.standard_normal((batch_size, sizes[-1]))  # (N, n_L) upstream gradient
    best_forward, best_backward = np.inf, np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        net(X)
        middle = time.perf_counter()
        net.backward(G)
        end = time.perf_counter()
        best_forward = min(best_forward, middle - start)
        best_backward = min(best_backward, end - middle)
    return {"forward": best_forward, "backward": best_backward}
