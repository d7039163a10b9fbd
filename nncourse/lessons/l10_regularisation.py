r"""Lesson 10 -- regularisation.

Plain functions behind the worked examples and sliders of
``notebooks/10_regularisation.ipynb``. Each one *computes* what the notebook shows
with nnlib's layers, losses, optimisers and ``fit``; the notebook only plots.

* :func:`random_feature_fit` and :func:`capacity_curve`: under- and overfitting as
  the number of hidden units grows, and the double descent past the interpolation
  threshold (a network whose hidden layer is random and frozen, output layer fitted
  by minimum-norm least squares); :func:`sample_size_curve` for more data hurting.
* :func:`l1_penalty`, :func:`l2_penalty`, :func:`train_penalised`: explicit weight
  penalties, their gradients, and what they do to the weights;
  :func:`weight_decay_step_matches_l2` checks that ``SGD(weight_decay=lam)`` is the
  L2 penalty :math:`\frac{\lambda}{2}\lVert W\rVert^2`.
* :func:`early_stopping_replay` and :func:`early_stopping_run`: the patience rule
  and ``fit``'s best-weight restore.
* :func:`dropout_statistics`, :func:`thinned_networks`, :func:`mask_count_log10`:
  dropout in training and at test time, inverted vs test-time scaling, and the
  ensemble of thinned networks.
* :func:`train_digits_model`, :func:`ensemble_demo`: dropout, batch normalisation,
  DropConnect and independent-model ensembles on a small digits training set.
* :func:`batchnorm_running_stats`: how ``BatchNorm1d``'s running statistics follow
  the batches in training and are used in evaluation.
* :func:`dropconnect_forward` and :class:`DropConnectLinear`: drop weights instead
  of activations.
"""

import numpy as np

from nnlib.activations import ReLU, Tanh
from nnlib.datasets import load_digits
from nnlib.functional import softmax
from nnlib.layers import BatchNorm1d, Dropout, Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import SGD, Adam
from nnlib.preprocessing import standardize, train_test_split
from nnlib.regularization import DropConnectLinear, add_penalty_gradients, l1_penalty, l2_penalty
from nnlib.training import accuracy, evaluate, fit
from nnlib.validation import (
    as_rng,
    check_array,
    check_in_range,
    check_nonnegative,
    check_positive_int,
)

#: Units of the fully connected layer in the KIT deck's mask count (2^4096 masks).
DECK_MASK_UNITS = 4096

#: Patience of the Karlsruhe deck's ``EarlyStopping(monitor='val_loss', patience=5)``.
DECK_PATIENCE = 5

#: Widths of the capacity sweep (hidden units of the random-feature network).
CAPACITY_WIDTHS = (5, 10, 20, 40, 60, 80, 90, 100, 110, 120, 150, 200, 300, 500, 1000)

#: Model variants offered by :func:`train_digits_model`.
VARIANTS = ("plain", "dropout", "dropconnect", "batchnorm", "weight_decay")

PENALTIES = ("none", "l1", "l2")


# ---------------------------------------------------------------- data

def small_digits(n_train=200, n_val=400, rng=0):
    """A small, standardised digits split that a 64-64-10 network overfits quickly.

    Parameters
    ----------
    n_train, n_val : int
        Number of training and validation images (stratified by class).
    rng : None, int or numpy.random.Generator
        Seed of the split.

    Returns
    -------
    X_train, X_val : ndarray, shape (n_train, 64), (n_val, 64)
        Pixels standardised with the training statistics.
    y_train, y_val : ndarray of int, shape (n_train,), (n_val,)

    Examples
    --------
    >>> X_train, X_val, y_train, y_val = small_digits(100, 50)
    >>> X_train.shape, X_val.shape
    ((100, 64), (50, 64))
    """
    n_train = check_positive_int(n_train, "small_digits", "n_train")
    n_val = check_positive_int(n_val, "small_digits", "n_val")
    X, y = load_digits()  # (1797, 64), (1797,)
    if n_train + n_val > len(X):
        raise ValueError(
            f"small_digits: n_train + n_val must be at most {len(X)}, got {n_train + n_val}"
        )
    rng = as_rng(rng)
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=len(X) - n_train, rng=rng)
    X_val, _, y_val, _ = train_test_split(X_rest, y_rest, test_size=len(X_rest) - n_val, rng=rng)
    X_train, mean, std = standardize(X_train)
    X_val, _, _ = standardize(X_val, mean, std)
    return X_train, X_val, y_train, y_val


# ---------------------------------------------------------------- capacity and double descent

def random_features(X, width, rng=0):
    r"""Hidden layer of a network with **random, frozen** weights: :math:`A = \mathrm{ReLU}(X W^\top)`.

    ``W`` (width, D) is drawn from :math:`\mathcal N(0, 1/D)` (``Linear(..., init="xavier")``),
    the bias is zero. Only the output layer on top of these features is learned.

    Parameters
    ----------
    X : array_like, shape (N, D)
    width : int
        Number of hidden units P.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    layer : Linear
        The frozen hidden layer (use it again for new inputs).
    A : ndarray, shape (N, P)

    Examples
    --------
    >>> layer, A = random_features(np.ones((3, 4)), 5)
    >>> A.shape, bool(np.all(A >= 0))
    ((3, 5), True)
    """
    X = check_array(X, "random_features", shape=("N", "D"), name="X")
    width = check_positive_int(width, "random_features", "width")
    layer = Linear(X.shape[1], width, init="xavier", rng=rng)
    relu = ReLU()
    return layer, relu(layer(X))  # (N, P)


def random_feature_fit(width, n_train=100, n_test=500, seed=0, split_rng=0):
    r"""Fit the output layer of a 64-P-10 random-feature network on ``n_train`` digits.

    The hidden layer is random (see :func:`random_features`); the output weights
    :math:`V` (P, 10) are the **minimum-norm** least-squares solution of
    :math:`A V \approx Y` (one-hot targets), ``np.linalg.lstsq``. That is the
    solution gradient descent started from :math:`V = 0` converges to, so it shows
    which of the many interpolating networks training picks once P > N.

    Parameters
    ----------
    width : int
        Hidden units P (the model's capacity).
    n_train, n_test : int
        Training and test images (pixels scaled to [0, 1]).
    seed : int
        Seed of the random hidden weights.
    split_rng : int
        Seed of which images are used for training and testing.

    Returns
    -------
    dict
        ``train_mse``, ``test_mse``: mean squared error per example (summed over
        the 10 outputs); ``test_error``: fraction of test images misclassified;
        ``weight_norm``: Frobenius norm of V; ``n_params``: P * 10 output weights.

    Examples
    --------
    >>> r = random_feature_fit(1000, n_train=50, n_test=50)
    >>> r["train_mse"] < 1e-12            # far past the threshold: zero training error
    True
    """
    width = check_positive_int(width, "random_feature_fit", "width")
    n_train = check_positive_int(n_train, "random_feature_fit", "n_train")
    n_test = check_positive_int(n_test, "random_feature_fit", "n_test")
    X, y = load_digits()  # (1797, 64), (1797,)
    if n_train + n_test > len(X):
        raise ValueError(
            f"random_feature_fit: n_train + n_test must be at most {len(X)}, got {n_train + n_test}"
        )
    X = X / 16.0  # (1797, 64) in [0, 1]
    order = as_rng(split_rng).permutation(len(X))  # (1797,)
    train, test = order[:n_train], order[n_train:n_train + n_test]
    Y = np.eye(10)[y]  # (1797, 10) one-hot
    layer, A_train = random_features(X[train], width, rng=seed)  # (N, P)
    A_test = np.maximum(layer(X[test]), 0.0)  # (N_test, P)
    V, *_ = np.linalg.lstsq(A_train, Y[train], rcond=None)  # (P, 10) minimum norm
    out_train = A_train @ V  # (N, 10)
    out_test = A_test @ V  # (N_test, 10)
    return {
        "train_mse": float(np.mean(np.sum((out_train - Y[train]) ** 2, axis=1))),
        "test_mse": float(np.mean(np.sum((out_test - Y[test]) ** 2, axis=1))),
        "test_error": float(np.mean(out_test.argmax(axis=1) != y[test])),
        "weight_norm": float(np.linalg.norm(V)),
        "n_params": width * 10,
    }


def capacity_curve(widths=CAPACITY_WIDTHS, n_train=100, n_test=500, seeds=3, split_rng=0):
    """Training and test error of :func:`random_feature_fit` for every width.

    Averages over ``seeds`` random hidden layers (the median for the test MSE, which
    has huge outliers at the threshold).

    Returns
    -------
    dict
        ``widths`` (W,), ``train_mse`` (W,), ``test_mse`` (W,), ``test_error`` (W,),
        ``weight_norm`` (W,) and ``n_train``.

    Examples
    --------
    >>> c = capacity_curve((5, 200), n_train=40, n_test=40, seeds=1)
    >>> bool(c["train_mse"][0] > c["train_mse"][1])
    True
    """
    widths = np.array([check_positive_int(w, "capacity_curve", "widths") for w in widths])
    seeds = check_positive_int(seeds, "capacity_curve", "seeds")
    rows = [[random_feature_fit(w, n_train, n_test, seed=s, split_rng=split_rng)
             for s in range(seeds)] for w in widths]
    train_mse = np.array([np.mean([r["train_mse"] for r in row]) for row in rows])  # (W,)
    test_mse = np.array([np.median([r["test_mse"] for r in row]) for row in rows])  # (W,)
    test_error = np.array([np.mean([r["test_error"] for r in row]) for row in rows])  # (W,)
    norm = np.array([np.median([r["weight_norm"] for r in row]) for row in rows])  # (W,)
    return {"widths": widths, "train_mse": train_mse, "test_mse": test_mse,
            "test_error": test_error, "weight_norm": norm, "n_train": n_train}


def sample_size_curve(sizes, width=100, n_test=500, seeds=3, split_rng=0):
    """Test error of a fixed random-feature network (``width`` units) as the training set grows.

    Near ``n_train == width`` the network can just interpolate the data and the
    test error jumps up: there, *more* data makes the model worse.

    Returns
    -------
    dict
        ``sizes`` (S,), ``train_mse`` (S,), ``test_mse`` (S,) medians, ``test_error`` (S,), ``width``.

    Examples
    --------
    >>> c = sample_size_curve((20, 40), width=30, n_test=40, seeds=1)
    >>> c["test_mse"].shape
    (2,)
    """
    sizes = np.array([check_positive_int(n, "sample_size_curve", "sizes") for n in sizes])
    seeds = check_positive_int(seeds, "sample_size_curve", "seeds")
    rows = [[random_feature_fit(width, n, n_test, seed=s, split_rng=split_rng)
             for s in range(seeds)] for n in sizes]
    return {
        "sizes": sizes,
        "train_mse": np.array([np.mean([r["train_mse"] for r in row]) for row in rows]),
        "test_mse": np.array([np.median([r["test_mse"] for r in row]) for row in rows]),
        "test_error": np.array([np.mean([r["test_error"] for r in row]) for row in rows]),
        "width": width,
    }


# ---------------------------------------------------------------- L1 and L2 penalties

def weight_decay_step_matches_l2(lam=0.01, lr=0.1, rng=0):
    """One SGD step with ``weight_decay=lam`` vs one step on loss + :math:`\\frac{\\lambda}{2}\\lVert\\theta\\rVert^2`.

    Both start from the same ``Linear(3, 2)`` and batch; the explicit penalty is
    applied to **all** parameters (weights and bias), as ``weight_decay`` does.

    Returns
    -------
    dict
        ``W_decay``, ``W_penalty`` (2, 3) and ``b_decay``, ``b_penalty`` (2,): the
        parameters after the two steps; ``max_difference``.

    Examples
    --------
    >>> weight_decay_step_matches_l2()["max_difference"] < 1e-15
    True
    """
    lam = check_nonnegative(lam, "weight_decay_step_matches_l2", "lam")
    rng = as_rng(rng)
    X = rng.standard_normal((5, 3))  # (5, 3)
    y = rng.integers(0, 2, 5)  # (5,)
    results = {}
    for how in ("decay", "penalty"):
        layer = Linear(3, 2, rng=7)
        layer.b[...] = [0.3, -0.2]
        loss_fn = CrossEntropyLoss()
        opt = SGD(layer.parameters(), lr=lr, weight_decay=lam if how == "decay" else 0.0)
        opt.zero_grad()
        loss_fn.forward(layer(X), y)
        layer.backward(loss_fn.backward())
        if how == "penalty":
            _, grads = l2_penalty([layer.W, layer.b], lam)
            layer.dW += grads[0]  # (2, 3)
            layer.db += grads[1]  # (2,)
        opt.step()
        results[f"W_{how}"] = layer.W.copy()
        results[f"b_{how}"] = layer.b.copy()
    results["max_difference"] = float(max(np.max(np.abs(results["W_decay"] - results["W_penalty"])),
                                          np.max(np.abs(results["b_decay"] - results["b_penalty"]))))
    return results


def train_penalised(kind="l2", lam=0.01, epochs=30, lr=0.1, batch_size=32, n_train=300,
                    rng=0):
    """Softmax regression (one ``Linear(64, 10)``) on digits with an explicit L1 or L2 penalty.

    The loop is ``fit``'s loop with one extra line, :func:`add_penalty_gradients`,
    between backward and the SGD step. A linear model keeps the picture simple:
    each class has one 8x8 weight image.

    Parameters
    ----------
    kind : {"none", "l1", "l2"}
    lam : float >= 0
        Penalty strength.
    epochs, lr, batch_size : training settings (plain SGD).
    n_train : int
        Training images (the rest of a 400-image validation split is used for validation).
    rng : None, int or numpy.random.Generator
        Seed of the split, the initial weights and the shuffles.

    Returns
    -------
    dict
        ``W`` (10, 64): final weights; ``train_loss``, ``penalty`` (epochs,): data loss
        and penalty after every epoch; ``train_acc``, ``val_acc``: final accuracies;
        ``weight_norm_l1``, ``weight_norm_l2``: :math:`\\sum|w|` and
        :math:`\\sqrt{\\sum w^2}`; ``near_zero``: fraction of weights with
        :math:`|w| < 10^{-3}`.

    Examples
    --------
    >>> r = train_penalised("l1", 0.01, epochs=5)
    >>> r["W"].shape
    (10, 64)
    """
    if kind not in PENALTIES:
        raise ValueError(f"train_penalised: kind must be one of {PENALTIES}, got {kind!r}")
    lam = check_nonnegative(lam, "train_penalised", "lam")
    epochs = check_positive_int(epochs, "train_penalised", "epochs")
    batch_size = check_positive_int(batch_size, "train_penalised", "batch_size")
    rng = as_rng(rng)
    X_train, X_val, y_train, y_val = small_digits(n_train, 400, rng=rng)
    model = Linear(64, 10, rng=rng)
    loss_fn = CrossEntropyLoss()
    opt = SGD(model.parameters(), lr=lr)
    penalty_fn = {"none": None, "l1": l1_penalty, "l2": l2_penalty}[kind]
    losses, penalties = [], []
    n = len(X_train)
    for _ in range(epochs):
        order = rng.permutation(n)  # (N,)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss_fn.forward(model(X_train[batch]), y_train[batch])
            opt.zero_grad()
            model.backward(loss_fn.backward())
            if penalty_fn is not None:
                add_penalty_gradients(model, penalty_fn, lam)  # the only new line
            opt.step()
        losses.append(evaluate(model, loss_fn, X_train, y_train)[0])
        penalty = penalty_fn([model.W], lam)[0] if penalty_fn is not None else 0.0
        penalties.append(penalty)
    W = model.W.copy()  # (10, 64)
    return {
        "W": W,
        "train_loss": np.array(losses),
        "penalty": np.array(penalties),
        "train_acc": evaluate(model, loss_fn, X_train, y_train)[1],
        "val_acc": evaluate(model, loss_fn, X_val, y_val)[1],
        "weight_norm_l1": float(np.sum(np.abs(W))),
        "weight_norm_l2": float(np.sqrt(np.sum(W ** 2))),
        "near_zero": float(np.mean(np.abs(W) < 1e-3)),
    }


# ---------------------------------------------------------------- early stopping

def early_stopping_replay(val_losses, patience, min_delta=0.0):
    """Replay the early-stopping rule of ``nnlib.training.fit`` on a list of validation losses.

    An epoch *improves* if its loss is below ``best - min_delta``. After
    ``patience`` epochs in a row without improvement training stops; the weights
    of the best epoch are then restored.

    Parameters
    ----------
    val_losses : sequence of float
        Validation loss after epochs 1, 2, ...
    patience : int >= 1
    min_delta : float >= 0

    Returns
    -------
    best_epoch : int
        Epoch (from 1) whose weights are restored.
    stop_epoch : int
        Last epoch that runs (``len(val_losses)`` if the rule never fires).

    Examples
    --------
    >>> early_stopping_replay([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], patience=3)
    (3, 6)
    >>> early_stopping_replay([1.0, 0.8, 0.7], patience=3)
    (3, 3)
    """
    patience = check_positive_int(patience, "early_stopping_replay", "patience")
    min_delta = check_nonnegative(min_delta, "early_stopping_replay", "min_delta")
    losses = check_array(val_losses, "early_stopping_replay", shape=("E",), name="val_losses")
    if len(losses) == 0:
        raise ValueError("early_stopping_replay: val_losses must contain at least one epoch")
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
        if waited >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses)


def digits_mlp(variant="plain", hidden=64, p=0.5, rng=0):
    """A 64-``hidden``-10 ReLU network for the digits, in one of the lesson's variants.

    ``"plain"``: Linear-ReLU-Linear. ``"dropout"``: Dropout(p) after the ReLU.
    ``"dropconnect"``: the hidden layer is a :class:`DropConnectLinear` dropping
    weights with probability p. ``"batchnorm"``: BatchNorm1d before the ReLU.
    ``"weight_decay"``: the plain network (the decay goes into the optimiser).

    Examples
    --------
    >>> digits_mlp("batchnorm")
    Sequential(
      Linear(in_features=64, out_features=64),
      BatchNorm1d(64, eps=1e-05, momentum=0.1),
      ReLU(),
      Linear(in_features=64, out_features=10)
    )
    """
    if variant not in VARIANTS:
        raise ValueError(f"digits_mlp: variant must be one of {VARIANTS}, got {variant!r}")
    hidden = check_positive_int(hidden, "digits_mlp", "hidden")
    rng = as_rng(rng)
    if variant == "dropconnect":
        first = DropConnectLinear(64, hidden, p=p, rng=rng)
    else:
        first = Linear(64, hidden, init="he", rng=rng)
    layers = [first]
    if variant == "batchnorm":
        layers.append(BatchNorm1d(hidden))
    layers.append(ReLU())
    if variant == "dropout":
        layers.append(Dropout(p, rng=rng))
    layers.append(Linear(hidden, 10, rng=rng))
    return Sequential(*layers)


def train_digits_model(variant="plain", epochs=40, patience=None, p=0.5, weight_decay=1e-3,
                       lr=0.003, hidden=128, n_train=200, rng=0, verbose=False):
    """Train :func:`digits_mlp` on :func:`small_digits` with ``fit`` (Adam, batch size 32).

    200 training images are few for 64 * 128 + 128 * 10 weights, so the plain network
    drives its training loss to almost 0 while the validation loss stops improving:
    the setting in which the regularisers of this lesson can be compared.

    Parameters
    ----------
    variant : one of ``VARIANTS``
    epochs : int
        Maximum number of epochs.
    patience : int or None
        ``fit``'s ``early_stopping_patience`` (None: train all epochs, no restore).
    p : float
        Dropout / DropConnect probability.
    weight_decay : float
        Used only by the ``"weight_decay"`` variant.
    lr : float
        Adam's learning rate.
    hidden : int
        Hidden units.
    n_train : int
        Training images (validation: 400 others).
    rng : int
        Seed of the split, the weights, the masks and the shuffles.
    verbose : bool
        Let ``fit`` print its progress lines.

    Returns
    -------
    dict
        ``history`` (the ``History``), ``model`` (left in eval mode), ``val_loss``,
        ``val_acc``: evaluation of the returned weights; ``probs`` (400, 10): the
        validation set's predicted class probabilities; ``y_val``.
    """
    X_train, X_val, y_train, y_val = small_digits(n_train, 400, rng=rng)
    model = digits_mlp(variant, hidden=hidden, p=p, rng=rng)
    wd = weight_decay if variant == "weight_decay" else 0.0
    opt = Adam(model.parameters(), lr=lr, weight_decay=wd)
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, opt, X_train, y_train, epochs=epochs, batch_size=32,
                  X_val=X_val, y_val=y_val, rng=rng, early_stopping_patience=patience,
                  verbose=verbose)
    val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val)
    probs = softmax(model(X_val))  # (400, 10), model is in eval mode
    return {"history": history, "model": model, "val_loss": val_loss, "val_acc": val_acc,
            "probs": probs, "y_val": y_val}


def early_stopping_run(patience=DECK_PATIENCE, epochs=60, lr=0.01, rng=0):
    """Train the plain 64-64-10 digits network twice: all ``epochs``, and with early stopping.

    Adam's learning rate 0.01 makes it overfit quickly: the validation loss is
    lowest after about 10 epochs and then creeps up again.

    Returns
    -------
    dict
        ``full``: history of the run without stopping; ``stopped``: history with
        ``early_stopping_patience=patience``; ``best_epoch``, ``stop_epoch``;
        ``val_loss_full``, ``val_loss_restored``: validation loss of the final
        weights of each run.
    """
    patience = check_positive_int(patience, "early_stopping_run", "patience")
    full = train_digits_model("plain", epochs=epochs, patience=None, lr=lr, hidden=64, rng=rng)
    stopped = train_digits_model("plain", epochs=epochs, patience=patience, lr=lr, hidden=64,
                                 rng=rng)
    h = stopped["history"]
    return {"full": full["history"], "stopped": h, "best_epoch": h.best_epoch,
            "stop_epoch": len(h), "val_loss_full": full["val_loss"],
            "val_loss_restored": stopped["val_loss"]}


# ---------------------------------------------------------------- dropout

def mask_count_log10(n_units=DECK_MASK_UNITS):
    r"""Base-10 logarithm of the number of dropout masks of ``n_units`` units, :math:`\log_{10} 2^n = n \log_{10} 2`.

    Examples
    --------
    >>> round(mask_count_log10(4096), 1)      # 2^4096 ~ 10^1233
    1233.0
    """
    n_units = check_positive_int(n_units, "mask_count_log10", "n_units")
    return n_units * float(np.log10(2.0))


def dropout_statistics(p=0.5, mode="inverted", n_units=8, n_masks=2000, rng=0):
    """What ``Dropout(p, mode=...)`` does to an all-ones activation vector, in training and at test time.

    Parameters
    ----------
    p : float in [0, 1)
        Drop probability.
    mode : {"inverted", "scale_at_test"}
    n_units : int
        Length of the activation vector.
    n_masks : int
        Number of training-mode forward passes.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``samples`` (n_masks, n_units): training outputs; ``train_mean`` (n_units,):
        their average; ``test_output`` (n_units,): the eval-mode output;
        ``kept_fraction``: fraction of units kept over all passes; ``train_values``:
        the distinct non-zero training values.

    Examples
    --------
    >>> s = dropout_statistics(0.5, "inverted", n_masks=4)
    >>> s["train_values"], s["test_output"][0]
    (array([2.]), np.float64(1.0))
    >>> s = dropout_statistics(0.5, "scale_at_test", n_masks=4)
    >>> s["train_values"], s["test_output"][0]
    (array([1.]), np.float64(0.5))
    """
    n_units = check_positive_int(n_units, "dropout_statistics", "n_units")
    n_masks = check_positive_int(n_masks, "dropout_statistics", "n_masks")
    drop = Dropout(p, rng=rng, mode=mode)
    A = np.ones((n_masks, n_units))  # the same input in every row: one mask per row
    samples = drop.train()(A)  # (n_masks, n_units)
    test_output = drop.eval()(np.ones((1, n_units)))[0]  # (n_units,)
    nonzero = samples[samples != 0]
    return {
        "samples": samples,
        "train_mean": samples.mean(axis=0),
        "test_output": test_output,
        "kept_fraction": float(np.mean(samples != 0)),
        "train_values": np.unique(nonzero),
    }


def dropout_conventions_agree(p=0.5, rng=0):
    r"""The two dropout conventions describe the same network once the next layer's weights are rescaled.

    Builds ``Linear(2, 4) - ReLU - Dropout(p) - Linear(4, 3)`` twice: with
    ``mode="inverted"`` and weights :math:`W_2`, and with ``mode="scale_at_test"`` and
    weights :math:`W_2/(1-p)`. Both dropout layers use the same seed, hence the same
    masks. In training the inverted layer outputs :math:`m a/(1-p)` and the other
    :math:`m a`, which the larger :math:`W_2` turns into the same :math:`Z_2`; at test time
    :math:`a` against :math:`(1-p) a`, again the same :math:`Z_2`.

    Returns
    -------
    dict
        ``train_difference``, ``test_difference``: largest absolute difference of the two
        networks' outputs on a batch of 5 inputs, in training and at test time;
        ``test_inverted`` (5, 3): the test outputs.

    Examples
    --------
    >>> r = dropout_conventions_agree(0.3)
    >>> r["train_difference"] < 1e-12, r["test_difference"] < 1e-12
    (True, True)
    """
    p = check_in_range(p, "dropout_conventions_agree", "p", 0.0, 1.0)
    X = as_rng(rng).standard_normal((5, 2))  # (5, 2)
    outputs = {}
    for mode in Dropout.MODES:
        first = Linear(2, 4, rng=1)
        second = Linear(4, 3, rng=2)
        if mode == "scale_at_test":
            second.W /= 1.0 - p  # (3, 4) the larger weights of a network trained without scaling
        net = Sequential(first, ReLU(), Dropout(p, rng=3, mode=mode), second)
        outputs[mode] = (net.train()(X), net.eval()(X))
    (train_a, test_a), (train_b, test_b) = outputs["inverted"], outputs["scale_at_test"]
    return {"train_difference": float(np.max(np.abs(train_a - train_b))),
            "test_difference": float(np.max(np.abs(test_a - test_b))),
            "test_inverted": test_a}


def karlsruhe_dropout_network(rng=68):
    """The Karlsruhe deck's 2-4-3-1 ReLU network with ``Dropout(0.5)`` after the first hidden layer.

    ``Dense(4, relu), Dropout(0.5), Dense(3, relu), Dense(1, linear)`` in the deck's
    Keras code; the deck gives no weights, so here they are He-initialised with the
    seed 68 (biases 0.1), chosen so that all four dropout units are active for the
    deck's input ``x = (1, 2)`` and all 16 thinned networks give different outputs.

    Returns
    -------
    Sequential
        Linear(2, 4), ReLU, Dropout(0.5), Linear(4, 3), ReLU, Linear(3, 1).

    Examples
    --------
    >>> len(karlsruhe_dropout_network())
    6
    """
    rng = as_rng(rng)
    layers = [Linear(2, 4, init="he", rng=rng), ReLU(), Dropout(0.5, rng=rng),
              Linear(4, 3, init="he", rng=rng), ReLU(), Linear(3, 1, init="he", rng=rng)]
    layers[0].b[...] = 0.1
    layers[3].b[...] = 0.1
    return Sequential(*layers)


def thinned_networks(x=(1.0, 2.0), p=0.5, n_samples=100, rng=0, net_rng=68):
    r"""Every thinned network of :func:`karlsruhe_dropout_network`, averaged, vs the scaled network.

    With 4 droppable units there are :math:`2^4 = 16` masks :math:`m`; mask m has
    probability :math:`(1-p)^{|m|} p^{4-|m|}`. The **ensemble view** evaluates the
    expectation of the output over all masks (here exactly, by enumerating them;
    in practice by averaging ``n_samples`` random masks). The **expectation view**
    evaluates one network whose dropped layer is multiplied by the keep
    probability :math:`1-p`. Both agree exactly for the *input* of the next layer
    (:math:`\mathbb E[m_i a_i] = (1-p) a_i`); after the next non-linearity they
    differ slightly, because :math:`\mathbb E[f(z)] \ne f(\mathbb E[z])`.

    Parameters
    ----------
    x : sequence of 2 floats
        Input (the Karlsruhe deck's x = (1, 2)).
    p : float in [0, 1)
        Drop probability.
    n_samples : int
        Random masks for the Monte-Carlo average.
    rng : None, int or numpy.random.Generator
        Seed of the Monte-Carlo masks.
    net_rng : int
        Seed of the network's weights.

    Returns
    -------
    dict
        ``masks`` (16, 4); ``probabilities`` (16,); ``outputs`` (16,): output of each
        thinned network (inverted scaling 1/(1-p) on the kept units, as in training);
        ``z2_mean`` (3,), ``z2_scaled`` (3,): expected input of the second hidden layer
        over the masks and that of the scaled network; ``ensemble``: exact expected
        output; ``scaled``: the eval-mode (weight-scaled) output; ``mc_running``
        (n_samples,): running mean of the Monte-Carlo outputs.

    Examples
    --------
    >>> t = thinned_networks()
    >>> t["masks"].shape, float(t["probabilities"].sum())
    ((16, 4), 1.0)
    >>> bool(np.allclose(t["z2_mean"], t["z2_scaled"]))
    True
    """
    p = check_in_range(p, "thinned_networks", "p", 0.0, 1.0)
    n_samples = check_positive_int(n_samples, "thinned_networks", "n_samples")
    x = check_array(np.asarray(x, dtype=np.float64).reshape(1, -1), "thinned_networks",
                    shape=(1, 2), name="x")
    net = karlsruhe_dropout_network(net_rng)
    lin1, relu1, lin2, relu2, lin3 = net[0], net[1], net[3], net[4], net[5]
    keep = 1.0 - p
    A1 = relu1(lin1(x))  # (1, 4)
    masks = np.array([[(k >> j) & 1 for j in range(4)] for k in range(16)], dtype=np.float64)  # (16, 4)
    kept = masks.sum(axis=1)  # (16,)
    probabilities = keep ** kept * p ** (4 - kept)  # (16,)
    A1_thinned = A1 * masks / keep  # (16, 4) inverted scaling as in training
    Z2 = lin2(A1_thinned)  # (16, 3)
    outputs = lin3(relu2(Z2))[:, 0]  # (16,)
    net.eval()
    scaled = float(net(x)[0, 0])  # eval mode: no masks, no scaling (inverted dropout)
    Z2_scaled = lin2(A1)[0]  # (3,)
    rng = as_rng(rng)
    draws = (rng.random((n_samples, 4)) < keep).astype(np.float64)  # (S, 4)
    mc = lin3(relu2(lin2(A1 * draws / keep)))[:, 0]  # (S,)
    return {
        "masks": masks,
        "probabilities": probabilities,
        "outputs": outputs,
        "z2_mean": probabilities @ Z2,
        "z2_scaled": Z2_scaled,
        "ensemble": float(probabilities @ outputs),
        "scaled": scaled,
        "mc_running": np.cumsum(mc) / np.arange(1, n_samples + 1),
    }


# ---------------------------------------------------------------- DropConnect

# ---------------------------------------------------------------- batch normalisation

def batchnorm_running_stats(momentum=0.1, steps=40, batch_size=16, mean=5.0, std=3.0, rng=0):
    """Feed ``steps`` training batches drawn from N(mean, std^2) into ``BatchNorm1d(1)``.

    Returns
    -------
    dict
        ``running_mean``, ``running_var`` (steps + 1,): the buffers before the first
        and after every batch; ``batch_mean`` (steps,): each batch's mean;
        ``train_out_mean``: mean of the last batch's output in training mode (0);
        ``eval_out``: eval-mode output for the input ``mean`` (close to 0 once the
        running mean has converged).

    Examples
    --------
    >>> r = batchnorm_running_stats(momentum=0.1, steps=1, batch_size=2, mean=0.0, std=1.0)
    >>> r["running_mean"].shape
    (2,)
    """
    steps = check_positive_int(steps, "batchnorm_running_stats", "steps")
    batch_size = check_positive_int(batch_size, "batchnorm_running_stats", "batch_size")
    rng = as_rng(rng)
    bn = BatchNorm1d(1, momentum=momentum)
    running_mean, running_var, batch_mean = [0.0], [1.0], []
    out = None
    for _ in range(steps):
        Z = mean + std * rng.standard_normal((batch_size, 1))  # (B, 1)
        out = bn.train()(Z)  # (B, 1)
        batch_mean.append(float(Z.mean()))
        running_mean.append(float(bn.running_mean[0]))
        running_var.append(float(bn.running_var[0]))
    eval_out = float(bn.eval()(np.array([[mean]]))[0, 0])
    return {"running_mean": np.array(running_mean), "running_var": np.array(running_var),
            "batch_mean": np.array(batch_mean), "train_out_mean": float(out.mean()),
            "eval_out": eval_out}


def deep_tanh_net(depth=6, width=32, batchnorm=False, weight_std=0.05, rng=0):
    """A ``depth``-hidden-layer tanh network 64-width-...-10, optionally with BatchNorm1d before every tanh.

    The hidden weights are drawn from N(0, weight_std^2) (a badly scaled init, as in
    lesson 08), which batch normalisation repairs by rescaling every layer's input.

    Examples
    --------
    >>> len(deep_tanh_net(depth=2, batchnorm=True))
    7
    """
    depth = check_positive_int(depth, "deep_tanh_net", "depth")
    width = check_positive_int(width, "deep_tanh_net", "width")
    weight_std = check_nonnegative(weight_std, "deep_tanh_net", "weight_std")
    rng = as_rng(rng)

    def init(shape, g):
        return weight_std * g.standard_normal(shape)

    layers, fan_in = [], 64
    for _ in range(depth):
        layers.append(Linear(fan_in, width, init=init, rng=rng))
        if batchnorm:
            layers.append(BatchNorm1d(width))
        layers.append(Tanh())
        fan_in = width
    layers.append(Linear(fan_in, 10, rng=rng))
    return Sequential(*layers)


def batchnorm_training_comparison(lr=0.1, weight_std=0.05, depth=6, epochs=8, rng=0):
    """Train the deep tanh net with and without BatchNorm1d (SGD, momentum 0.9) on digits.

    Returns
    -------
    dict
        ``plain``, ``batchnorm``: the two ``History`` objects (1,347 training images,
        450 validation images); ``val_acc_plain``, ``val_acc_batchnorm``.
    """
    X, y = load_digits()
    X_train, X_val, y_train, y_val = train_test_split(X, y, rng=0)
    X_train, mean, std = standardize(X_train)
    X_val, _, _ = standardize(X_val, mean, std)
    out = {}
    for name, bn in (("plain", False), ("batchnorm", True)):
        model = deep_tanh_net(depth, 32, batchnorm=bn, weight_std=weight_std, rng=rng)
        opt = SGD(model.parameters(), lr=lr, momentum=0.9)
        out[name] = fit(model, CrossEntropyLoss(), opt, X_train, y_train, epochs=epochs,
                        batch_size=64, X_val=X_val, y_val=y_val, rng=rng, verbose=False)
        out[f"val_acc_{name}"] = out[name]["val_acc"][-1]
    return out


# ---------------------------------------------------------------- ensembles

def ensemble_demo(n_models=5, epochs=30, rng=0):
    """Train ``n_models`` plain digits networks that differ only in their seed and average them.

    The ensemble averages the predicted class **probabilities** of the members and
    then takes the argmax (the KIT deck's recipe).

    Returns
    -------
    dict
        ``member_acc`` (n_models,): validation accuracy of each member;
        ``ensemble_acc`` (n_models,): accuracy of the average of the first k members,
        k = 1..n_models; ``member_loss``, ``ensemble_loss``: the same for the
        cross-entropy of the averaged probabilities.
    """
    n_models = check_positive_int(n_models, "ensemble_demo", "n_models")
    base = int(as_rng(rng).integers(0, 2**31))
    runs = []
    for k in range(n_models):
        seed = base + k
        X_train, X_val, y_train, y_val = small_digits(200, 400, rng=0)  # same data for all
        model = digits_mlp("plain", rng=seed)
        fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X_train, y_train,
            epochs=epochs, batch_size=32, rng=seed, verbose=False)
        runs.append(softmax(model(X_val)))  # (400, 10)
    probs = np.stack(runs)  # (K, 400, 10)
    eps = np.finfo(np.float64).tiny

    def nll(P):
        return float(-np.mean(np.log(P[np.arange(len(y_val)), y_val] + eps)))

    running = np.cumsum(probs, axis=0) / np.arange(1, n_models + 1)[:, None, None]  # (K, 400, 10)
    return {
        "member_acc": np.array([accuracy(P, y_val) for P in probs]),
        "ensemble_acc": np.array([accuracy(P, y_val) for P in running]),
        "member_loss": np.array([nll(P) for P in probs]),
        "ensemble_loss": np.array([nll(P) for P in running]),
    }
