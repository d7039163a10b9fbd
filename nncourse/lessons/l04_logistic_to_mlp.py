"""Lesson 04 -- from logistic regression to the multi-layer perceptron.

Plain functions behind ``notebooks/04_logistic_to_mlp.ipynb``:

* the DHBW deck's roadmap NW1 -> NW4 (one sigmoid unit; K sigmoid outputs; a softmax
  output; a hidden layer) built from nnlib layers and trained on a three-class problem
  that no linear classifier can solve;
* why stacked linear layers collapse into one (``W2 (W1 x + b1) + b2 = W~ x + b~``);
* XOR: the hand-built threshold network and a trained hidden layer;
* universal approximation: one hidden layer of H sigmoid units fitting a 1-D function,
  both by an explicit "staircase" construction and by gradient descent;
* width versus depth: a deep ReLU network whose number of linear pieces doubles with
  every layer, against the H + 1 pieces a single hidden layer of H units can make.

Everything is computed with nnlib's ``Linear``, activations, losses and optimisers.
"""

import numpy as np

from nnlib.activations import ReLU, Sigmoid, Softmax, Tanh
from nnlib.functional import sigmoid, softmax
from nnlib.layers import Linear
from nnlib.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import Adam
from nnlib.validation import as_rng, check_positive_int

ROADMAP = ("NW1", "NW2", "NW3", "NW4")

ROADMAP_DESCRIPTION = {
    "NW1": "one sigmoid unit (logistic regression, binary)",
    "NW2": "K sigmoid outputs (K logistic regressions side by side)",
    "NW3": "K softmax outputs (softmax regression)",
    "NW4": "hidden layer + softmax outputs (a multi-layer perceptron)",
}


# ---------------------------------------------------------------------------
# The roadmap NW1 -> NW4
# ---------------------------------------------------------------------------

def train_full_batch(net, loss, X, target, lr, epochs):
    """Adam on the whole data set at once (no mini-batches); the loss before and after each step.

    Returns a list of ``epochs + 1`` floats: the loss at the start, then after every step.
    """
    opt = Adam(net.parameters(), lr=lr)
    history = [float(loss(net(X), target))]
    for _ in range(epochs):
        opt.zero_grad()
        loss(net(X), target)
        net.backward(loss.backward())
        opt.step()
        history.append(float(loss(net(X), target)))
    return history


def make_disc_and_ring(n=300, inner=0.5, outer=0.7, rng=0):
    """Three classes no linear classifier can separate: a disc and the two halves of a ring.

    Points are spread uniformly over the unit disc; those with radius below ``inner``
    are class 0, those with radius above ``outer`` are class 1 (upper half, ``x2 > 0``)
    or class 2 (lower half); the band between is left empty so the classes are
    cleanly apart. Class 0 sits *inside* the others, so no set of straight lines
    (a linear classifier, NW1 to NW3) can cut it out; a hidden layer can.

    Parameters
    ----------
    n : int
        Number of points drawn before the empty band is removed (about 76 % remain).
    inner, outer : float
        Radius of the disc and inner radius of the ring.
    rng : None, int or numpy.random.Generator

    Shape
    -----
    Returns ``X`` (N, 2) float and ``y`` (N,) int labels 0, 1, 2.

    Examples
    --------
    >>> X, y = make_disc_and_ring(rng=0)
    >>> X.shape[1], sorted(set(y.tolist()))
    (2, [0, 1, 2])
    """
    n = check_positive_int(n, "make_disc_and_ring", "n")
    rng = as_rng(rng)
    r = np.sqrt(rng.uniform(0.0, 1.0, n))  # (n,) uniform over the disc's area
    theta = rng.uniform(0.0, 2.0 * np.pi, n)  # (n,)
    keep = (r < inner) | (r > outer)
    r, theta = r[keep], theta[keep]
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])  # (N, 2)
    y = np.where(r < inner, 0, np.where(X[:, 1] > 0, 1, 2))  # (N,)
    return X, y.astype(np.int64)


def roadmap_network(name, n_features=2, n_classes=3, n_hidden=4, rng=0):
    """Build one network of the roadmap, ending in its output activation.

    * NW1: ``Linear(M, 1) -> Sigmoid`` -- logistic regression ("is it class 0?"),
    * NW2: ``Linear(M, K) -> Sigmoid`` -- K logistic regressions in parallel,
    * NW3: ``Linear(M, K) -> Softmax`` -- softmax regression, outputs sum to 1,
    * NW4: ``Linear(M, H) -> Sigmoid -> Linear(H, K) -> Softmax`` -- the MLP
      (the deck's NW4 has H = 4 hidden neurons).

    Parameters
    ----------
    name : {"NW1", "NW2", "NW3", "NW4"}
    n_features : int
        Inputs ``M``.
    n_classes : int
        Classes ``K``.
    n_hidden : int
        Hidden units ``H`` of NW4.
    rng : None, int or numpy.random.Generator
        Seed of the initial weights.

    Returns
    -------
    nnlib.Sequential

    Examples
    --------
    >>> net = roadmap_network("NW3")
    >>> [type(layer).__name__ for layer in net.layers]
    ['Linear', 'Softmax']
    >>> round(float(net(np.array([[0.3, -0.7]])).sum()), 12)
    1.0
    """
    rng = as_rng(rng)
    if name == "NW1":
        return Sequential(Linear(n_features, 1, rng=rng), Sigmoid())
    if name == "NW2":
        return Sequential(Linear(n_features, n_classes, rng=rng), Sigmoid())
    if name == "NW3":
        return Sequential(Linear(n_features, n_classes, rng=rng), Softmax())
    if name == "NW4":
        return Sequential(Linear(n_features, n_hidden, rng=rng), Sigmoid(),
                          Linear(n_hidden, n_classes, rng=rng), Softmax())
    raise ValueError(f"roadmap_network: name must be one of {ROADMAP}, got {name!r}")


def parameter_count(net):
    """Number of trainable numbers in a network.

    Examples
    --------
    >>> parameter_count(roadmap_network("NW4", n_features=2, n_classes=3, n_hidden=4))
    27
    """
    return int(sum(p.data.size for p in net.parameters()))


def parameter_shapes(net):
    """``[(name, shape), ...]`` of every parameter, e.g. to compare with the slide's W[1], b[1].

    Examples
    --------
    >>> parameter_shapes(roadmap_network("NW4", n_features=2))
    [('W[1]', (4, 2)), ('b[1]', (4,)), ('W[2]', (3, 4)), ('b[2]', (3,))]
    """
    shapes = []
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    for k, layer in enumerate(linears, start=1):
        shapes.append((f"W[{k}]", layer.W.shape))
        shapes.append((f"b[{k}]", layer.b.shape))
    return shapes


def train_roadmap_network(name, X, y, n_hidden=4, lr=0.05, epochs=600, rng=0):
    """Train one roadmap network with full-batch Adam and return it with its history.

    The loss matches the output: NW1 learns "class 0 or not" with the binary
    cross-entropy, NW2 learns K independent yes/no questions (binary cross-entropy on
    the one-hot targets), NW3 and NW4 use the cross-entropy of the softmax. For
    numerical stability the losses act on the pre-activations (``BCEWithLogitsLoss``,
    ``CrossEntropyLoss``), which is the same maths as sigmoid/softmax followed by
    (binary) cross-entropy.

    Parameters
    ----------
    name : {"NW1", "NW2", "NW3", "NW4"}
    X : numpy.ndarray, shape (N, M)
    y : numpy.ndarray of int, shape (N,)
        Class labels 0 .. K-1.
    n_hidden : int
        Hidden units of NW4.
    lr : float
        Adam's learning rate.
    epochs : int
        Number of full-batch updates.
    rng : None, int or numpy.random.Generator
        Seed of the initial weights.

    Returns
    -------
    dict
        ``net`` (the roadmap network, with its output activation), ``loss`` (epochs + 1,)
        training losses, ``predict`` (function X -> class labels; for NW1 1 means
        class 0), ``accuracy`` (float, on ``X``; for NW1 on the binary task).

    Examples
    --------
    >>> X, y = make_disc_and_ring(rng=0)
    >>> out = train_roadmap_network("NW4", X, y, n_hidden=4, epochs=600)
    >>> bool(out["accuracy"] > 0.95)
    True
    """
    X = np.asarray(X, dtype=float)  # (N, M)
    y = np.asarray(y)  # (N,)
    K = int(y.max()) + 1
    net = roadmap_network(name, X.shape[1], K, n_hidden, rng=rng)
    logits_net = Sequential(*net.layers[:-1])  # everything but the output activation
    if name == "NW1":
        target = (y == 0).astype(float).reshape(-1, 1)  # (N, 1)
        loss = BCEWithLogitsLoss()
    elif name == "NW2":
        target = np.eye(K)[y]  # (N, K)
        loss = BCEWithLogitsLoss()
    else:
        target = y
        loss = CrossEntropyLoss()
    history = train_full_batch(logits_net, loss, X, target, lr, epochs)

    if name == "NW1":
        def predict(X_new):
            return (net(np.asarray(X_new, dtype=float))[:, 0] >= 0.5).astype(np.int64)
        accuracy = float(np.mean(predict(X) == (y == 0)))
    else:
        def predict(X_new):
            return np.argmax(net(np.asarray(X_new, dtype=float)), axis=1)
        accuracy = float(np.mean(predict(X) == y))
    return {"net": net, "loss": np.array(history), "predict": predict, "accuracy": accuracy}


def output_sums(net, X):
    """Row sums of a network's outputs: 1 for softmax (NW3, NW4), anything in (0, K) for NW2.

    Shape
    -----
    ``X`` (N, M) -> (N,).

    Examples
    --------
    >>> X = np.array([[0.5, -0.5], [1.0, 1.0]])
    >>> np.round(output_sums(roadmap_network("NW3"), X), 12)
    array([1., 1.])
    """
    return net(np.asarray(X, dtype=float)).sum(axis=1)  # (N,)


# ---------------------------------------------------------------------------
# Why stacked linear layers collapse
# ---------------------------------------------------------------------------

def collapse_linear_layers(layers):
    """Fold a stack of ``Linear`` layers (no activations) into one equivalent layer.

    ``W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)``, so the stack is the single
    affine map ``W~ x + b~`` -- extra linear layers add parameters, not expressiveness.

    Parameters
    ----------
    layers : sequence of nnlib.layers.Linear
        Applied first to last.

    Returns
    -------
    nnlib.layers.Linear
        One layer with ``W = W_L ... W_1`` and the matching bias.

    Examples
    --------
    >>> stack = [Linear(2, 5, rng=0), Linear(5, 4, rng=1), Linear(4, 1, rng=2)]
    >>> one = collapse_linear_layers(stack)
    >>> x = np.array([[0.3, -1.2]])
    >>> y = x
    >>> for layer in stack:
    ...     y = layer(y)
    >>> bool(np.allclose(one(x), y))
    True
    """
    W = np.eye(layers[0].in_features)  # (in, in)
    b = np.zeros(layers[0].in_features)  # (in,)
    for layer in layers:
        b = layer.W @ b + layer.b  # (out,)
        W = layer.W @ W  # (out, in_0)
    one = Linear(layers[0].in_features, layers[-1].out_features, init="zeros")
    one.W[...] = W
    one.b[...] = b
    return one


# ---------------------------------------------------------------------------
# XOR with a hidden layer
# ---------------------------------------------------------------------------

def train_xor_mlp(n_hidden=2, lr=0.1, epochs=1000, rng=3):
    """Train ``Linear(2, H) -> Tanh -> Linear(H, 1) -> Sigmoid`` on the XOR truth table.

    Full-batch Adam on the binary cross-entropy (on the output pre-activation).

    Parameters
    ----------
    n_hidden : int
        Hidden units ``H``.
    lr : float
        Adam's learning rate.
    epochs : int
        Number of updates.
    rng : None, int or numpy.random.Generator
        Seed of the initial weights.

    Returns
    -------
    dict
        ``X`` (4, 2), ``y`` (4,), ``net`` (with the output sigmoid), ``prob`` (4,)
        predicted probabilities, ``hidden`` (4, H) hidden activations, ``loss``
        (epochs + 1,) training loss.

    Examples
    --------
    >>> out = train_xor_mlp()
    >>> (out["prob"] > 0.5).astype(int).tolist()
    [0, 1, 1, 0]
    """
    from nnlib.datasets import make_xor

    X, y = make_xor()
    X = X.astype(float)  # (4, 2)
    target = y.astype(float).reshape(-1, 1)  # (4, 1)
    rng = as_rng(rng)
    hidden = Linear(2, n_hidden, rng=rng)
    output = Linear(n_hidden, 1, rng=rng)
    logits_net = Sequential(hidden, Tanh(), output)
    loss = BCEWithLogitsLoss()
    history = train_full_batch(logits_net, loss, X, target, lr, epochs)
    net = Sequential(hidden, logits_net.layers[1], output, Sigmoid())
    H = Sequential(hidden, Tanh())(X)  # (4, H)
    return {"X": X, "y": y, "net": net, "prob": net(X)[:, 0], "hidden": H,
            "loss": np.array(history)}


def xor_success_rate(n_hidden, seeds=range(10), epochs=300, lr=0.1):
    """Fraction of random initialisations from which :func:`train_xor_mlp` solves XOR.

    With only two hidden units gradient descent often ends in a local minimum that gets
    two of the four inputs right; wider hidden layers make this rare.

    Examples
    --------
    >>> xor_success_rate(8, seeds=range(2))
    1.0
    """
    solved = [
        (train_xor_mlp(n_hidden, lr=lr, epochs=epochs, rng=seed)["prob"] > 0.5).astype(int).tolist()
        == [0, 1, 1, 0]
        for seed in seeds
    ]
    return float(np.mean(solved))


# ---------------------------------------------------------------------------
# Universal approximation with one hidden layer
# ---------------------------------------------------------------------------

def target_function(x):
    """The 1-D function the approximation slider fits: ``sin(2 pi x) + 0.5 cos(5 pi x) + x``.

    Examples
    --------
    >>> float(target_function(np.array(0.0)))
    0.5
    """
    x = np.asarray(x, dtype=float)
    return np.sin(2 * np.pi * x) + 0.5 * np.cos(5 * np.pi * x) + x


def staircase_network(f, n_hidden, steepness=None, interval=(0.0, 1.0)):
    """One hidden layer of H sigmoid units that approximates ``f`` on an interval as a staircase.

    The interval is cut into H + 1 equal cells with centres ``c_0 .. c_H``. Hidden
    unit i is a steep sigmoid ``sigma(k (x - s_i))`` that switches on at the border
    ``s_i`` between cells i - 1 and i, and its outgoing weight is the jump
    ``f(c_i) - f(c_{i-1})``; the output bias is ``f(c_0)``. The network thus equals
    ``f(c_i)`` in the middle of cell i, and refining the cells (more units) makes the
    staircase hug ``f`` ever closer -- the idea behind the universal approximation
    theorem.

    Parameters
    ----------
    f : callable
        Vectorised function of one variable.
    n_hidden : int
        Number of hidden units (steps) H.
    steepness : float, optional
        Slope ``k`` of each sigmoid; default ``40 (H + 1) / width`` (steep against a cell).
    interval : (float, float)

    Returns
    -------
    nnlib.Sequential
        ``Linear(1, H) -> Sigmoid -> Linear(H, 1)`` with the weights set as above.

    Examples
    --------
    >>> net = staircase_network(target_function, 50)
    >>> x = np.linspace(0, 1, 201).reshape(-1, 1)
    >>> bool(np.max(np.abs(net(x) - target_function(x))) < 0.5)
    True
    """
    n_hidden = check_positive_int(n_hidden, "staircase_network", "n_hidden")
    lo, hi = interval
    width = (hi - lo) / (n_hidden + 1)
    centres = lo + width * (np.arange(n_hidden + 1) + 0.5)  # (H + 1,)
    borders = lo + width * np.arange(1, n_hidden + 1)  # (H,)
    k = 40.0 / width if steepness is None else float(steepness)
    heights = np.asarray(f(centres), dtype=float)  # (H + 1,)
    hidden = Linear(1, n_hidden, init="zeros")
    hidden.W[:, 0] = k  # (H,)
    hidden.b[...] = -k * borders  # (H,)
    output = Linear(n_hidden, 1, init="zeros")
    output.W[0, :] = np.diff(heights)  # (H,) the jumps
    output.b[...] = heights[0]
    return Sequential(hidden, Sigmoid(), output)


def fit_one_hidden_layer(f, n_hidden, epochs=1000, lr=0.05, n_points=100, rng=0):
    """Fit ``Linear(1, H) -> Sigmoid -> Linear(H, 1)`` to ``f`` on [0, 1] by gradient descent.

    Full-batch Adam on the mean squared error over ``n_points`` evenly spaced inputs.
    Each hidden sigmoid ``sigma(w x + b)`` starts with a random slope ``|w|`` in [5, 30]
    (either sign) and switches at a random place ``-b / w`` in [0, 1], so the units begin
    spread over the interval instead of saturated outside it.

    Returns
    -------
    dict
        ``net``, ``x`` (n_points, 1), ``loss`` (epochs + 1,).

    Examples
    --------
    >>> out = fit_one_hidden_layer(target_function, 10, epochs=300)
    >>> bool(out["loss"][-1] < out["loss"][0])
    True
    """
    n_hidden = check_positive_int(n_hidden, "fit_one_hidden_layer", "n_hidden")
    rng = as_rng(rng)
    x = np.linspace(0.0, 1.0, n_points).reshape(-1, 1)  # (P, 1)
    t = np.asarray(f(x), dtype=float)  # (P, 1)
    hidden = Linear(1, n_hidden, rng=rng)
    slopes = rng.choice([-1.0, 1.0], n_hidden) * rng.uniform(5.0, 30.0, n_hidden)  # (H,)
    centres = rng.uniform(0.0, 1.0, n_hidden)  # (H,) where each sigmoid switches
    hidden.W[:, 0] = slopes  # (H,)
    hidden.b[...] = -slopes * centres  # (H,)
    output = Linear(n_hidden, 1, rng=rng)
    net = Sequential(hidden, Sigmoid(), output)
    loss = MSELoss()
    history = train_full_batch(net, loss, x, t, lr, epochs)
    return {"net": net, "x": x, "loss": np.array(history)}


def approximation_demo(n_hidden, train=True, epochs=1000, rng=0):
    """What the hidden-units slider shows: f, its staircase and a trained fit with H units.

    Returns
    -------
    dict
        ``x`` (400,), ``f`` (400,), ``staircase`` (400,), ``staircase_error`` (root mean
        squared error on [0, 1]), and if ``train``: ``trained`` (400,), ``trained_error``
        (root mean squared error), ``loss`` (training history).

    Examples
    --------
    >>> out = approximation_demo(5, train=False)
    >>> sorted(out)
    ['f', 'staircase', 'staircase_error', 'x']
    """
    x = np.linspace(0.0, 1.0, 400).reshape(-1, 1)  # (400, 1)
    fx = target_function(x)[:, 0]  # (400,)
    stair = staircase_network(target_function, n_hidden)(x)[:, 0]  # (400,)
    out = {"x": x[:, 0], "f": fx, "staircase": stair,
           "staircase_error": float(np.sqrt(np.mean((stair - fx) ** 2)))}
    if train:
        fit = fit_one_hidden_layer(target_function, n_hidden, epochs=epochs, rng=rng)
        trained = fit["net"](x)[:, 0]  # (400,)
        out.update(trained=trained, trained_error=float(np.sqrt(np.mean((trained - fx) ** 2))),
                   loss=fit["loss"])
    return out


# ---------------------------------------------------------------------------
# Width versus depth
# ---------------------------------------------------------------------------

def tent_network(depth):
    """A deep ReLU network of ``depth`` hidden layers of 2 units computing the tent map ``depth`` times.

    The tent map ``t(x) = 2x`` for ``x < 1/2`` and ``2 - 2x`` otherwise maps [0, 1] onto
    itself and equals ``2 relu(x) - 4 relu(x - 1/2)`` there. Composing it ``depth``
    times gives a zig-zag with ``2^depth`` linear pieces, yet the network has only
    ``2 depth`` hidden units.

    Returns
    -------
    nnlib.Sequential
        ``Linear(1, 2) -> ReLU -> [Linear(2, 2) -> ReLU] * (depth - 1) -> Linear(2, 1)``.

    Examples
    --------
    >>> net = tent_network(2)
    >>> net(np.array([[0.0], [0.25], [0.5], [0.75], [1.0]]))[:, 0]
    array([0., 1., 0., 1., 0.])
    """
    depth = check_positive_int(depth, "tent_network", "depth")
    first = Linear(1, 2, init="zeros")
    first.W[...] = [[1.0], [1.0]]  # (2, 1)
    first.b[...] = [0.0, -0.5]  # (2,)
    layers = [first, ReLU()]
    for _ in range(depth - 1):
        middle = Linear(2, 2, init="zeros")
        middle.W[...] = [[2.0, -4.0], [2.0, -4.0]]  # (2, 2) tent output fed to both units
        middle.b[...] = [0.0, -0.5]  # (2,)
        layers += [middle, ReLU()]
    last = Linear(2, 1, init="zeros")
    last.W[...] = [[2.0, -4.0]]  # (1, 2)
    layers.append(last)
    return Sequential(*layers)


def count_linear_pieces(x, y, tol=1e-6):
    """Number of straight pieces of a piecewise-linear curve sampled at ``x``.

    The grid must contain every kink (as the dyadic grids of this lesson do).

    Examples
    --------
    >>> x = np.linspace(0, 1, 5)
    >>> count_linear_pieces(x, np.abs(x - 0.5))
    2
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    slopes = np.diff(y) / np.diff(x)  # (P - 1,)
    return int(1 + np.sum(np.abs(np.diff(slopes)) > tol))


def width_vs_depth(depth):
    """Compare the deep tent network of a given depth with the shallow network it would need.

    A ReLU network with one hidden layer of H units on a 1-D input is piecewise linear
    with at most H + 1 pieces (each unit adds at most one kink). To match the
    ``2^depth`` pieces of :func:`tent_network` it therefore needs ``2^depth - 1``
    hidden units.

    Returns
    -------
    dict
        ``x``, ``y`` (the deep network's zig-zag on [0, 1]), ``pieces``, ``deep_units``,
        ``deep_params``, ``shallow_units``, ``shallow_params`` (for 1 input and 1 output:
        3 H + 1).

    Examples
    --------
    >>> row = width_vs_depth(5)
    >>> row["pieces"], row["deep_units"], row["shallow_units"]
    (32, 10, 31)
    """
    net = tent_network(depth)
    x = np.linspace(0.0, 1.0, 2 ** depth * 8 + 1).reshape(-1, 1)  # (P, 1), contains every kink
    y = net(x)[:, 0]  # (P,)
    pieces = count_linear_pieces(x, y)
    shallow_units = pieces - 1
    return {"x": x[:, 0], "y": y, "pieces": pieces, "deep_units": 2 * depth,
            "deep_params": parameter_count(net), "shallow_units": shallow_units,
            "shallow_params": 3 * shallow_units + 1}


def nw_outputs_example(rng=0):
    """Outputs of untrained NW2 and NW3 on three inputs, to compare their row sums.

    Returns
    -------
    dict
        ``X`` (3, 2), ``NW2`` (3, 3) sigmoid outputs, ``NW3`` (3, 3) softmax outputs.

    Examples
    --------
    >>> out = nw_outputs_example()
    >>> np.round(out["NW3"].sum(axis=1), 12).tolist()
    [1.0, 1.0, 1.0]
    """
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -2.0]])  # (3, 2)
    rng = as_rng(rng)
    linear = Linear(2, 3, rng=rng)
    Z = linear(X)  # (3, 3) the same pre-activations for both
    return {"X": X, "Z": Z, "NW2": sigmoid(Z), "NW3": softmax(Z)}
