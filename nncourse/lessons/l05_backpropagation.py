"""Lesson 05 -- backpropagation: a figure helper and the one experiment whose code is not the point.

Every worked example of ``notebooks/05_backpropagation.ipynb`` (the KIT deck's graphs, the
Karlsruhe 2-3-1 step, the DHBW sigmoid/BCE network, the softmax-CE delta, the algorithm, the OTH
network, gradient checking) is computed in the notebook's own cells with numpy and nnlib. This
module only

* refreshes the numbers in a computation graph drawn by :func:`nncourse.graphs.draw_graph` when the
  graph is recomputed at other inputs (:func:`refresh_graph`, for the lesson's live slider), and
* times the forward and backward pass of an MLP for the lesson's cost plot (:func:`measure_cost`).
"""

import time

import numpy as np

from nncourse.graphs import math_formula, math_name
from nnlib.activations import Tanh
from nnlib.autodiff import Value
from nnlib.layers import Linear
from nnlib.module import Sequential
from nnlib.validation import as_rng, check_positive_int


def refresh_graph(ax, root, digits=4):
    """Write the values and gradients of ``root``'s graph into the boxes ``draw_graph`` drew on ``ax``.

    ``root`` is a graph of the same shape as the one drawn (the same computation at other
    inputs), whose nodes have distinct names. Each box is found by its first line, the node's
    name and formula, and gets the new value and gradient; nothing is drawn anew, so a live
    figure only redraws the changed texts.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes that :func:`nncourse.graphs.draw_graph` drew on.
    root : Value
        The output node, after ``root.backward()``.
    digits : int
        Significant digits, as given to ``draw_graph``.

    Returns
    -------
    int
        How many boxes were refreshed (one per node).

    Examples
    --------
    >>> from nncourse.graphs import draw_graph
    >>> def graph(a):
    ...     av = Value(a, label="a"); e = av * av; e.label = "e"; e.backward(); return e
    >>> ax = draw_graph(graph(2.0))
    >>> refresh_graph(ax, graph(3.0)), ax.texts[1].get_text().splitlines()[1:]
    (2, ['value 9', 'grad 1'])
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    if not isinstance(root, Value):
        raise TypeError(f"refresh_graph: root must be a Value, got {type(root).__name__}")
    names = root.display_names()
    nodes = {}
    for node in root.topological_order():
        name = math_name(names[id(node)])
        nodes[f"${name} = {math_formula(node, names)}$" if node.op else f"${name}$"] = node
    refreshed = 0
    for text in ax.texts:
        title = text.get_text().split("\n")[0]
        node = nodes.get(title)
        if node is not None:
            text.set_text(f"{title}\nvalue {node.data:.{digits}g}\ngrad {node.grad:.{digits}g}")
            refreshed += 1
    if refreshed != len(nodes):
        raise ValueError(f"refresh_graph: the drawing has {refreshed} of the graph's {len(nodes)} nodes; "
                         "draw the same computation first")
    return refreshed


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
