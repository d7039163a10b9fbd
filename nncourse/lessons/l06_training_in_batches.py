"""Lesson 06 -- training in batches: stacked examples, broadcast bias, summed deltas, mini-batches.

Plain functions behind the worked examples and sliders of
``notebooks/06_training_in_batches.ipynb``. They compute with nnlib's ``Linear``,
activations, losses, ``SGD`` and ``nnlib.training.fit``; the notebook only plots.

The lecture stacks a batch of :math:`N_b` examples as the **columns** of
:math:`X \\in \\mathbb{R}^{M \\times N_b}` and writes :math:`Z = W X + b`. nnlib (like
PyTorch) stacks them as **rows**, ``X`` of shape (N, M), and computes
``Z = X @ W.T + b``: the same numbers, transposed. Row n of every batch matrix
(``Z``, ``A``, ``delta``) belongs to example n.

Backward for a batch, rows as examples (the OTH deck's "B > 1" formulas)::

    delta_L = dL/dA_L * f_L'(Z_L)                 # (N, out)
    delta_l = (delta_{l+1} @ W_{l+1}) * f_l'(Z_l)  # (N, units of layer l)
    dW_l    = delta_l.T @ A_{l-1}                  # (units, inputs): sum over the batch
    db_l    = delta_l.sum(axis=0)                  # (units,): the deltas summed over the batch
"""

import numpy as np

from nncourse.lessons.l05_backpropagation import KARLSRUHE, karlsruhe_network
from nnlib.activations import ReLU, Sigmoid, Softmax, Tanh
from nnlib.datasets import load_digits, make_spirals
from nnlib.functional import one_hot, sigmoid, sigmoid_prime, softmax
from nnlib.layers import Linear
from nnlib.losses import BCELoss, CrossEntropyLoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.preprocessing import train_test_split
from nnlib.training import accuracy, fit
from nnlib.validation import as_rng, check_array, check_positive_int

ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def _check_choice(value, options, where, name):
    if value not in options:
        raise ValueError(f"{where}: {name} must be one of {sorted(options)}, got {value!r}")
    return value


# ---------------------------------------------------------------------------
# Stacking examples and broadcasting the bias
# ---------------------------------------------------------------------------

def stacked_forward(X, W=None, b=None):
    """One layer's pre-activations computed three ways: per example, as columns, as rows.

    * per example (the single-example formula): ``z_n = W x_n + b``, one at a time;
    * the lecture's column layout: ``Z_col = W X^T + b`` with ``b`` repeated column-wise,
      shape (out, N);
    * nnlib's row layout: ``Z = X W^T + b`` (``Linear.forward``), shape (N, out).

    All three hold the same numbers: ``Z_col.T == Z`` and row n of ``Z`` is ``z_n``.

    Parameters
    ----------
    X : array_like, shape (N, in)
        The batch, one example per row.
    W : array_like, shape (out, in), optional
        Weights; default the Karlsruhe deck's hidden layer ``W[1]`` (3, 2).
    b : array_like, shape (out,), optional
        Bias; default the Karlsruhe deck's ``b[1] = (0.1, 0.1, 0.1)``.

    Returns
    -------
    dict
        ``Z_loop`` (N, out), ``Z_columns`` (out, N), ``Z_rows`` (N, out), ``B`` (out, N)
        the bias repeated column-wise as on the slide.

    Examples
    --------
    >>> out = stacked_forward([[1.0, 2.0], [0.0, 1.0]])
    >>> out["Z_rows"]
    array([[1. , 2. , 1.5],
           [0.3, 0.9, 0.5]])
    >>> bool(np.allclose(out["Z_columns"].T, out["Z_loop"]))
    True
    """
    X = check_array(X, "stacked_forward", shape=("N", "M"), name="X")
    W = KARLSRUHE["W1"] if W is None else check_array(W, "stacked_forward", shape=("H", X.shape[1]), name="W")
    b = KARLSRUHE["b1"] if b is None else check_array(b, "stacked_forward", shape=(W.shape[0],), name="b")
    layer = Linear(W.shape[1], W.shape[0], init="zeros")
    layer.W[...] = W
    layer.b[...] = b
    Z_loop = np.array([W @ x + b for x in X])  # (N, out), one example at a time
    B = np.tile(b.reshape(-1, 1), (1, X.shape[0]))  # (out, N): b repeated column-wise
    Z_columns = W @ X.T + B  # (out, N), the lecture's layout
    Z_rows = layer(X)  # (N, out), nnlib's layout (broadcasting adds b to every row)
    return {"Z_loop": Z_loop, "Z_columns": Z_columns, "Z_rows": Z_rows, "B": B}


def bias_broadcast_pitfall(n_examples, n_units):
    """What happens when the bias is stored as a column ``(H, 1)`` and added to ``Z`` of shape (N, H).

    Broadcasting lines up shapes from the right: ``(N, H) + (H, 1)`` only works when
    ``N == H`` or ``N == 1`` -- and then it silently builds the wrong matrix (for
    ``N == H`` the entry ``[n, h]`` gets ``b[n]`` instead of ``b[h]``). With the bias
    as a flat vector ``(H,)`` the sum is right for every N.

    Parameters
    ----------
    n_examples : int
        Batch size N.
    n_units : int
        Number of units H.

    Returns
    -------
    dict
        ``flat_shape`` (shape of ``Z + b`` for ``b`` of shape (H,)), ``column_shape``
        (shape for ``b`` of shape (H, 1), or None if numpy refused), ``column_error``
        (numpy's message or ""), ``column_correct`` (True if the column version gave
        the right numbers).

    Examples
    --------
    >>> r = bias_broadcast_pitfall(3, 3)
    >>> r["flat_shape"], r["column_shape"], r["column_correct"]
    ((3, 3), (3, 3), False)
    >>> bias_broadcast_pitfall(4, 3)["column_shape"] is None
    True
    """
    n_examples = check_positive_int(n_examples, "bias_broadcast_pitfall", "n_examples")
    n_units = check_positive_int(n_units, "bias_broadcast_pitfall", "n_units")
    Z = np.zeros((n_examples, n_units))  # (N, H)
    b = np.arange(1.0, n_units + 1.0)  # (H,) distinct values 1..H
    right = Z + b  # (N, H), row n = b
    try:
        wrong = Z + b.reshape(-1, 1)  # (N, H) + (H, 1)
    except ValueError as err:
        return {"flat_shape": right.shape, "column_shape": None, "column_error": str(err),
                "column_correct": False}
    correct = wrong.shape == right.shape and bool(np.array_equal(wrong, right))
    return {"flat_shape": right.shape, "column_shape": wrong.shape, "column_error": "",
            "column_correct": correct}


# ---------------------------------------------------------------------------
# Summing the deltas over the batch
# ---------------------------------------------------------------------------

def karlsruhe_batch_gradients(X=None, y=None, reduction="sum"):
    """Gradients of the Karlsruhe 2-3-1 linear network for a whole batch, two ways.

    Loss per example ``l_n = 1/2 (y_hat_n - y_n)^2`` (the deck's loss); the batch loss
    is their sum (``reduction="sum"``) or mean (``"mean"``). First one backward pass
    through nnlib's ``Linear`` layers on the whole batch, then one backward pass per
    example whose gradients are added up. They agree because

        dW = Delta^T A_prev = sum_n delta_n^T a_n^T,     db = sum_n delta_n,

    i.e. the bias gradient is the **sum of the rows of the delta matrix** (the deck's
    ``np.sum(Delta.T, axis=1, keepdims=True)`` in its column layout).

    Parameters
    ----------
    X : array_like, shape (N, 2), optional
        Inputs; default the deck's example ``x = (1, 2)`` and two more rows.
    y : array_like, shape (N,), optional
        Targets; default ``(1, 0, 2)``.
    reduction : {"sum", "mean"}
        How the batch loss combines the examples' losses.

    Returns
    -------
    dict
        ``Delta1`` (N, 3) and ``Delta2`` (N, 1), the delta matrices; ``batch`` and
        ``per_example``: dicts ``dW1, db1, dW2, db2`` from the batch backward pass
        and from the sum (or mean) of per-example passes; ``loss`` (float).

    Examples
    --------
    >>> g = karlsruhe_batch_gradients(X=[[1.0, 2.0]], y=[1.0])
    >>> np.round(g["batch"]["db1"], 12)          # the deck's 0.16, 0.12, 0.08
    array([0.16, 0.12, 0.08])
    """
    where = "karlsruhe_batch_gradients"
    _check_choice(reduction, ("sum", "mean"), where, "reduction")
    if X is None:
        X = [KARLSRUHE["x"], [0.0, 1.0], [2.0, -1.0]]
        y = [KARLSRUHE["y"], 0.0, 2.0] if y is None else y
    X = check_array(X, where, shape=("N", 2), name="X")
    y = check_array([KARLSRUHE["y"]] * len(X) if y is None else y, where, shape=(len(X),), name="y")
    Y = y.reshape(-1, 1)  # (N, 1)
    n = len(X)
    scale = 1.0 if reduction == "sum" else 1.0 / n

    def backward_pass(X_part, Y_part):
        hidden, output = karlsruhe_network()
        y_hat = output(hidden(X_part))  # (B, 1)
        Delta2 = scale * (y_hat - Y_part)  # (B, 1): dL/dz2 of 1/2 (y_hat - y)^2, linear output
        Delta1 = output.backward(Delta2)  # (B, 3): Delta2 @ W2, linear hidden units
        hidden.backward(Delta1)
        grads = {"dW1": hidden.dW.copy(), "db1": hidden.db.copy(),
                 "dW2": output.dW.copy(), "db2": output.db.copy()}
        loss = scale * 0.5 * float(np.sum((y_hat - Y_part) ** 2))
        return grads, Delta1, Delta2, loss

    batch, Delta1, Delta2, loss = backward_pass(X, Y)
    per_example = {key: np.zeros_like(value) for key, value in batch.items()}
    for i in range(n):
        grads_i = backward_pass(X[i:i + 1], Y[i:i + 1])[0]
        for key in per_example:
            per_example[key] += grads_i[key]
    return {"Delta1": Delta1, "Delta2": Delta2, "batch": batch, "per_example": per_example,
            "loss": loss}


def batch_backprop(X, labels, Ws, bs):
    """Backpropagation for a batch (B > 1) written out with the lecture's formulas.

    A sigmoid MLP with a softmax output and mean cross-entropy. Forward:
    ``Z_l = A_{l-1} W_l^T + b_l``, ``A_l = sigma(Z_l)``, output ``A_L = softmax(Z_L)``.
    Backward, rows are examples::

        Delta_L = (A_L - Y) / N
        Delta_l = (Delta_{l+1} @ W_{l+1}) * sigma'(Z_l)
        dW_l = Delta_l^T A_{l-1},   db_l = Delta_l summed over the rows

    The same gradients come out of nnlib's ``Sequential.backward``; both are returned.

    Parameters
    ----------
    X : array_like, shape (N, M)
        Inputs.
    labels : array_like of int, shape (N,)
        Class indices.
    Ws, bs : list of array_like
        Weights ``W_l`` (units, inputs) and biases ``b_l`` (units,), first layer first.

    Returns
    -------
    dict
        ``deltas`` (list, layer 1 first, each (N, units)), ``formula`` and ``nnlib``:
        lists of ``(dW_l, db_l)``, layer 1 first; ``loss`` (float).

    Examples
    --------
    >>> Ws = [np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]]), np.array([[0.4, 0.3, 0.2], [0.1, -0.2, 0.3]])]
    >>> bs = [np.zeros(3), np.zeros(2)]
    >>> out = batch_backprop([[1.0, 2.0], [0.5, -1.0]], [0, 1], Ws, bs)
    >>> [d.shape for d in out["deltas"]]
    [(2, 3), (2, 2)]
    >>> bool(np.allclose(out["formula"][0][0], out["nnlib"][0][0]))
    True
    """
    where = "batch_backprop"
    X = check_array(X, where, shape=("N", "M"), name="X")
    Ws = [check_array(W, where, name="W") for W in Ws]
    bs = [check_array(b, where, name="b") for b in bs]
    if len(Ws) != len(bs) or not Ws:
        raise ValueError(f"{where}: need one bias per weight matrix, got {len(Ws)} and {len(bs)}")
    Y = one_hot(labels, Ws[-1].shape[0])  # (N, K)
    n = len(X)
    # forward, keeping every Z and A (A[0] is the input)
    As, Zs = [X], []
    for layer, (W, b) in enumerate(zip(Ws, bs), start=1):
        Z = As[-1] @ W.T + b  # (N, units)
        Zs.append(Z)
        As.append(softmax(Z) if layer == len(Ws) else sigmoid(Z))  # (N, units)
    loss = float(-np.sum(Y * np.log(As[-1])) / n)
    # backward with the lecture's formulas
    deltas = [None] * len(Ws)
    deltas[-1] = (As[-1] - Y) / n  # (N, K)
    for layer in range(len(Ws) - 2, -1, -1):
        deltas[layer] = (deltas[layer + 1] @ Ws[layer + 1]) * sigmoid_prime(Zs[layer])  # (N, units)
    formula = [(delta.T @ A_prev, delta.sum(axis=0)) for delta, A_prev in zip(deltas, As[:-1])]
    # the same with nnlib
    layers = []
    for W, b in zip(Ws, bs):
        linear = Linear(W.shape[1], W.shape[0], init="zeros")
        linear.W[...] = W
        linear.b[...] = b
        layers += [linear, Sigmoid()]
    net = Sequential(*layers[:-1])
    ce = CrossEntropyLoss()
    ce(net(X), labels)
    net.backward(ce.backward())
    nn = [(layer.dW.copy(), layer.db.copy()) for layer in net.layers if isinstance(layer, Linear)]
    return {"deltas": deltas, "formula": formula, "nnlib": nn, "loss": loss}


# ---------------------------------------------------------------------------
# The mini-batch loop
# ---------------------------------------------------------------------------

def minibatch_indices(n, batch_size, rng=None, shuffle=True):
    """Index arrays of the mini-batches of one epoch, in the order ``fit`` visits them.

    The rows are shuffled with ``rng.permutation(n)`` (if ``shuffle``) and cut into
    consecutive pieces of ``batch_size``; the last piece may be smaller.

    Parameters
    ----------
    n : int
        Number of training examples.
    batch_size : int
        Examples per batch.
    rng : None, int or numpy.random.Generator
        Source of the shuffle.
    shuffle : bool
        False keeps the order 0, 1, ..., n-1.

    Returns
    -------
    list of numpy.ndarray
        ``ceil(n / batch_size)`` index arrays that together hold every index once.

    Examples
    --------
    >>> [b.tolist() for b in minibatch_indices(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    n = check_positive_int(n, "minibatch_indices", "n")
    batch_size = check_positive_int(batch_size, "minibatch_indices", "batch_size")
    order = as_rng(rng).permutation(n) if shuffle else np.arange(n)  # (n,)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


def train_by_hand(model, loss_fn, optimizer, X, y, epochs, batch_size, rng=None):
    """The mini-batch loop written out, recording the loss of every single update.

    Per epoch: shuffle (``minibatch_indices``), then for each batch forward, loss,
    ``zero_grad``, backward, ``step`` -- the update
    ``theta <- theta - eta * 1/b sum_{i in batch} grad l_i`` (the loss is a batch mean).
    With the same ``rng`` it visits the same batches as ``nnlib.training.fit`` and
    ends with the same weights.

    Parameters
    ----------
    model : Module
    loss_fn : loss object
    optimizer : optimizer object built on ``model.parameters()``
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
    epochs, batch_size : int
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``iteration_loss`` (one batch loss per update), ``epoch_loss`` (per epoch, the
        batch losses weighted by batch size, as ``fit`` reports), ``updates_per_epoch``.

    Examples
    --------
    >>> model = Sequential(Linear(1, 1, init="zeros"))
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]]); y = 2 * X
    >>> run = train_by_hand(model, MSELoss(), SGD(model.parameters(), lr=0.05), X, y, 3, 2, rng=0)
    >>> len(run["iteration_loss"]), run["updates_per_epoch"]
    (6, 2)
    """
    X = check_array(X, "train_by_hand", name="X")
    y = np.asarray(y)
    epochs = check_positive_int(epochs, "train_by_hand", "epochs")
    batch_size = check_positive_int(batch_size, "train_by_hand", "batch_size")
    rng = as_rng(rng)
    iteration_loss, epoch_loss = [], []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for idx in minibatch_indices(len(X), batch_size, rng):
            outputs = model.forward(X[idx])  # (b, ...)
            loss = loss_fn.forward(outputs, y[idx])  # mean over the b examples
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
            iteration_loss.append(loss)
            total += loss * len(idx)
        epoch_loss.append(total / len(X))
    model.eval()
    return {"iteration_loss": np.array(iteration_loss), "epoch_loss": np.array(epoch_loss),
            "updates_per_epoch": -(-len(X) // batch_size)}


# ---------------------------------------------------------------------------
# The three-class problem
# ---------------------------------------------------------------------------

def three_class_data(n=300, noise=0.2, rng=0):
    """The three-class problem: three interleaved spiral arms in the plane (``make_spirals``).

    Examples
    --------
    >>> X, y = three_class_data(30)
    >>> X.shape, np.bincount(y).tolist()
    ((30, 2), [10, 10, 10])
    """
    return make_spirals(n, n_classes=3, noise=noise, rng=rng)


def three_class_mlp(hidden=32, activation="relu", rng=0):
    """A 2-``hidden``-3 MLP for the three-class problem (logits out; use ``CrossEntropyLoss``).

    Examples
    --------
    >>> three_class_mlp(8).layers[0].W.shape
    (8, 2)
    """
    _check_choice(activation, ACTIVATIONS, "three_class_mlp", "activation")
    hidden = check_positive_int(hidden, "three_class_mlp", "hidden")
    rng = as_rng(rng)
    return Sequential(Linear(2, hidden, rng=rng), ACTIVATIONS[activation](), Linear(hidden, 3, rng=rng))


def train_three_class(batch_size=32, epochs=150, lr=0.5, hidden=32, activation="relu",
                      n=300, rng=0):
    """Train the three-class MLP with plain mini-batch SGD and record the error per update.

    Parameters
    ----------
    batch_size : int
        Examples per update (``n`` gives full-batch gradient descent, 1 gives SGD).
    epochs : int
        Passes over the data.
    lr : float
        Learning rate :math:`\\eta`.
    hidden : int
        Hidden units.
    activation : {"relu", "tanh", "sigmoid"}
        Hidden activation.
    n : int
        Number of points of the spiral data.
    rng : int
        Seed of data, weights and shuffles.

    Returns
    -------
    dict
        ``model``, ``X``, ``y``, ``iteration_loss``, ``epoch_loss``,
        ``updates_per_epoch``, ``accuracy`` (training accuracy after the last epoch).

    Examples
    --------
    >>> run = train_three_class(batch_size=30, epochs=2, n=60)
    >>> len(run["iteration_loss"]), len(run["epoch_loss"])
    (4, 2)
    """
    X, y = three_class_data(n, rng=rng)
    model = three_class_mlp(hidden, activation, rng=rng)
    run = train_by_hand(model, CrossEntropyLoss(), SGD(model.parameters(), lr=lr), X, y,
                        epochs, batch_size, rng=rng)
    return {"model": model, "X": X, "y": y, **run, "accuracy": accuracy(model(X), y)}


def batch_size_run(batch_size=16, epochs=20, lr=0.2, n=150, rng=0):
    """Slider callback: the same budget of epochs with a different batch size.

    Smaller batches make more (and noisier) updates per epoch; the full batch makes
    one smooth update per epoch. Returns what :func:`train_three_class` returns plus
    ``n_updates``.

    Examples
    --------
    >>> batch_size_run(batch_size=150, epochs=3)["n_updates"]
    3
    """
    run = train_three_class(batch_size=batch_size, epochs=epochs, lr=lr, n=n, rng=rng)
    run["n_updates"] = len(run["iteration_loss"])
    run["batch_size"] = batch_size
    return run


# ---------------------------------------------------------------------------
# Hidden units as feature learners
# ---------------------------------------------------------------------------

def hidden_features(model, X):
    """The hidden layer's activations :math:`\\psi(x)` of a one-hidden-layer model (``layers[1]`` output).

    Shape
    -----
    ``X`` (N, M) -> (N, hidden).

    Examples
    --------
    >>> hidden_features(three_class_mlp(4), np.zeros((2, 2))).shape
    (2, 4)
    """
    return model.layers[1](model.layers[0](check_array(X, "hidden_features", name="X")))


def linear_readout(features, y, epochs=300, lr=0.5, rng=0):
    """Train a softmax-regression (linear) classifier on fixed features and return its accuracy.

    On the raw inputs of the spirals a linear classifier is stuck near 1/3 plus a bit;
    on the hidden features :math:`\\psi(x)` learned by the MLP it is as good as the MLP,
    because the MLP's last layer *is* such a linear classifier.

    Examples
    --------
    >>> X = np.array([[-1.0], [-2.0], [1.0], [2.0]]); y = np.array([0, 0, 1, 1])
    >>> linear_readout(X, y, epochs=50)
    1.0
    """
    features = check_array(features, "linear_readout", shape=("N", "D"), name="features")
    y = np.asarray(y)
    k = int(y.max()) + 1
    rng = as_rng(rng)
    model = Sequential(Linear(features.shape[1], k, init="zeros"))
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=lr), features, y,
        epochs=epochs, batch_size=len(features), rng=rng, verbose=False)
    return accuracy(model(features), y)


def digits_feature_detectors(hidden=16, epochs=30, snapshots=(0, 1, 5, 30), batch_size=32,
                             lr=1.0, init="normal", rng=0):
    """Train a 64-``hidden``-10 sigmoid MLP on the 8x8 digits and keep its first-layer weights.

    Each hidden unit computes :math:`\\sigma(w_i^\\top x + b_i)`: a template matcher whose
    weight vector :math:`w_i` (64 numbers) can be shown as an 8x8 image.

    Parameters
    ----------
    hidden : int
        Hidden units.
    epochs : int
        Training epochs (mini-batch SGD, cross-entropy).
    snapshots : sequence of int
        Epochs after which ``W1`` is stored (0 = the random start).
    batch_size : int
    lr : float
    init : str
        Initialisation of ``W1``; the default ``"normal"`` (std 0.01) starts so small that
        the pictures show only what training put there.
    rng : int

    Returns
    -------
    dict
        ``weights`` (dict epoch -> W1 (hidden, 64)), ``test_accuracy``,
        ``train_accuracy``, ``model``, ``X_test``, ``y_test``.

    Examples
    --------
    >>> out = digits_feature_detectors(hidden=4, epochs=1, snapshots=(0, 1))
    >>> sorted(out["weights"]), out["weights"][1].shape
    ([0, 1], (4, 64))
    """
    hidden = check_positive_int(hidden, "digits_feature_detectors", "hidden")
    epochs = check_positive_int(epochs, "digits_feature_detectors", "epochs")
    rng = as_rng(rng)
    X, y = load_digits()
    X = X / 16.0  # (1797, 64) pixels in [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=rng)
    model = Sequential(Linear(64, hidden, init=init, rng=rng), Sigmoid(), Linear(hidden, 10, rng=rng))
    loss_fn, opt = CrossEntropyLoss(), SGD(model.parameters(), lr=lr)
    weights = {0: model.layers[0].W.copy()} if 0 in snapshots else {}
    for epoch in range(1, epochs + 1):
        fit(model, loss_fn, opt, X_train, y_train, epochs=1, batch_size=batch_size, rng=rng,
            verbose=False)
        if epoch in snapshots:
            weights[epoch] = model.layers[0].W.copy()
    return {"weights": weights, "model": model, "X_test": X_test, "y_test": y_test,
            "train_accuracy": accuracy(model(X_train), y_train),
            "test_accuracy": accuracy(model(X_test), y_test)}


# ---------------------------------------------------------------------------
# One hidden layer for three tasks
# ---------------------------------------------------------------------------

TASKS = ("regression", "binary", "multiclass")


def mlp_for_task(task, epochs=100, batch_size=10, lr=0.05, rng=0):
    """A one-hidden-layer network (3 hidden units) for regression, binary or multi-class data.

    As in the Karlsruhe deck's code: the output layer and loss follow the task --
    linear output with MSE (regression), sigmoid output with BCE (binary; class = output
    > 0.5), softmax output with cross-entropy (multi-class; class = argmax of the
    probabilities). The data are two-feature toy problems.

    Parameters
    ----------
    task : {"regression", "binary", "multiclass"}
    epochs, batch_size : int
    lr : float
    rng : int

    Returns
    -------
    dict
        ``model``, ``X_test``, ``y_test``, ``outputs`` (network outputs on the test set),
        ``predictions`` (values, or classes), ``score`` (test MSE for regression,
        accuracy otherwise).

    Examples
    --------
    >>> out = mlp_for_task("multiclass", epochs=2)
    >>> out["outputs"].shape[1], bool(np.allclose(out["outputs"].sum(axis=1), 1.0))
    (3, True)
    """
    _check_choice(task, TASKS, "mlp_for_task", "task")
    rng = as_rng(rng)
    X = rng.uniform(0.0, 2.0, size=(200, 2))  # (200, 2)
    if task == "regression":
        y = (X[:, :1] + 0.5 * X[:, 1:]) + 0.05 * rng.standard_normal((200, 1))  # (200, 1)
        out_units, loss_fn, head = 1, MSELoss(), []
    elif task == "binary":
        y = (X[:, :1] + X[:, 1:] > 2.0).astype(float)  # (200, 1) labels 0/1
        out_units, loss_fn, head = 1, BCELoss(), [Sigmoid()]
    else:
        y = np.digitize(X[:, 0] + X[:, 1], [1.5, 2.5])  # (200,) classes 0, 1, 2
        out_units, loss_fn, head = 3, CrossEntropyLoss(), []
    X_train, X_test, y_train, y_test = X[:150], X[150:], y[:150], y[150:]
    model = Sequential(Linear(2, 3, rng=rng), Tanh(), Linear(3, out_units, rng=rng), *head)
    lr_used = lr if task == "regression" else 10 * lr
    fit(model, loss_fn, SGD(model.parameters(), lr=lr_used), X_train, y_train,
        epochs=epochs, batch_size=batch_size, rng=rng, verbose=False)
    logits = model(X_test)
    if task == "regression":
        outputs = logits  # (50, 1)
        predictions = outputs[:, 0]
        score = float(np.mean((outputs - y_test) ** 2))
    elif task == "binary":
        outputs = logits  # (50, 1) probabilities
        predictions = (outputs[:, 0] > 0.5).astype(int)
        score = float(np.mean(predictions == y_test[:, 0]))
    else:
        outputs = Softmax()(logits)  # (50, 3) probabilities
        predictions = outputs.argmax(axis=1)
        score = float(np.mean(predictions == y_test))
    return {"model": model, "X_test": X_test, "y_test": y_test, "outputs": outputs,
            "predictions": predictions, "score": score}


#: The Karlsruhe deck's printed class probabilities of its multi-class network (3 examples).
DECK_PROBABILITIES = np.array([
    [0.00105427, 0.8269877, 0.17195807],
    [9.9458069e-01, 5.4192585e-03, 9.1416874e-11],
    [7.6710682e-10, 6.6285819e-04, 9.9933714e-01],
])
