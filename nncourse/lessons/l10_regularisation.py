r"""Lesson 10 -- regularisation: the longer experiments behind ``notebooks/10_regularisation.ipynb``.

The lesson computes its worked examples (the penalties and their gradients, one
weight-decay step, the early-stopping rule, dropout and DropConnect masks, the 16
thinned networks, batch-normalisation statistics, averaging an ensemble) in its
own cells with numpy and nnlib. What stays here are the runs whose code is not the
point of the lesson:

* :func:`random_feature_fit`, :func:`capacity_curve`, :func:`sample_size_curve`: under-
  and overfitting as the number of hidden units grows, the double descent past the
  interpolation threshold, and more data hurting near it;
* :func:`train_penalised`: softmax regression on the digits with an explicit L1 or L2
  penalty (``nnlib.regularization``);
* :func:`early_stopping_replay`, :func:`train_digits_model`, :func:`early_stopping_run`:
  the patience rule of ``nnlib.training.EarlyStopping`` and whole training runs;
* :func:`batchnorm_training_comparison`: a badly initialised deep tanh network with and
  without ``BatchNorm1d``;
* :func:`ensemble_member_probabilities`: the predicted probabilities of independently
  trained networks, which the lesson averages.
"""

import numpy as np

from nnlib.activations import ReLU, Tanh
from nnlib.datasets import load_digits
from nnlib.functional import softmax
from nnlib.layers import BatchNorm1d, Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Module, Sequential
from nnlib.optim import SGD, Adam, AdamW
from nnlib.preprocessing import standardize, train_test_split
from nnlib.regularization import add_penalty_gradients
from nnlib.training import EarlyStopping, evaluate, fit
from nnlib.validation import as_rng, check_array, check_nonnegative, check_positive_int

#: Widths of the capacity sweep (hidden units of the random-feature network).
CAPACITY_WIDTHS = (5, 10, 20, 40, 60, 80, 90, 100, 110, 120, 150, 200, 300, 500, 1000)


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
        raise ValueError(f"small_digits: n_train + n_val must be at most {len(X)}, got {n_train + n_val}")
    rng = as_rng(rng)
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=len(X) - n_train, rng=rng)
    X_val, _, y_val, _ = train_test_split(X_rest, y_rest, test_size=len(X_rest) - n_val, rng=rng)
    X_train, mean, std = standardize(X_train)
    X_val, _, _ = standardize(X_val, mean, std)
    return X_train, X_val, y_train, y_val


# ---------------------------------------------------------------- capacity and double descent

def random_feature_fit(width, n_train=100, n_test=500, seed=0, split_rng=0):
    r"""Fit the output layer of a 64-P-10 network whose hidden layer is random and frozen.

    Hidden layer :math:`A = \mathrm{ReLU}(X W^\top)` with ``W`` (P, 64) from
    ``Linear(64, P, init="xavier", rng=seed)`` (:math:`\mathcal N(0, 1/64)`), no bias;
    output weights :math:`V` (P, 10) the **minimum-norm** least-squares solution of
    :math:`A V \approx Y` (one-hot targets, ``np.linalg.lstsq``), the solution gradient
    descent from :math:`V = 0` converges to. Pixels are scaled to [0, 1].

    Parameters
    ----------
    width : int
        Hidden units P (the model's capacity).
    n_train, n_test : int
        Training and test images.
    seed : int
        Seed of the random hidden weights.
    split_rng : int
        Seed of which images are used for training and testing.

    Returns
    -------
    dict
        ``train_mse``, ``test_mse``: squared error per example (summed over the 10
        outputs); ``test_error``: fraction of test images misclassified;
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
            f"random_feature_fit: n_train + n_test must be at most {len(X)}, got {n_train + n_test}")
    X = X / 16.0  # (1797, 64) in [0, 1]
    order = as_rng(split_rng).permutation(len(X))  # (1797,)
    train, test = order[:n_train], order[n_train:n_train + n_test]
    Y = np.eye(10)[y]  # (1797, 10) one-hot
    hidden = Linear(64, width, init="xavier", rng=seed)
    A_train = np.maximum(X[train] @ hidden.W.T, 0.0)  # (N, P)
    A_test = np.maximum(X[test] @ hidden.W.T, 0.0)  # (N_test, P)
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


def _sweep(widths, sizes, n_test, seeds, split_rng, where):
    """:func:`random_feature_fit` for every (width, n_train) pair, summarised over ``seeds`` hidden layers.

    The training error and the test error rate are averaged; the test MSE and the weight
    norm, which have huge outliers at the threshold, are medians.
    """
    seeds = check_positive_int(seeds, where, "seeds")
    rows = [[random_feature_fit(w, n, n_test, seed=s, split_rng=split_rng) for s in range(seeds)]
            for w, n in zip(widths, sizes)]

    def summary(key, how):
        return np.array([how([r[key] for r in row]) for row in rows])  # (W,)

    return {"train_mse": summary("train_mse", np.mean), "test_mse": summary("test_mse", np.median),
            "test_error": summary("test_error", np.mean), "weight_norm": summary("weight_norm", np.median)}


def capacity_curve(widths=CAPACITY_WIDTHS, n_train=100, n_test=500, seeds=3, split_rng=0):
    """Training and test error of :func:`random_feature_fit` for every width.

    Returns
    -------
    dict
        ``widths`` (W,), ``train_mse`` (W,) means, ``test_mse`` (W,) medians over the
        seeds, ``test_error`` (W,) means, ``weight_norm`` (W,) medians, ``n_train``.

    Examples
    --------
    >>> c = capacity_curve((5, 200), n_train=40, n_test=40, seeds=1)
    >>> bool(c["train_mse"][0] > c["train_mse"][1])
    True
    """
    widths = np.array([check_positive_int(w, "capacity_curve", "widths") for w in widths])
    out = _sweep(widths, [n_train] * len(widths), n_test, seeds, split_rng, "capacity_curve")
    return {"widths": widths, "n_train": n_train, **out}


def sample_size_curve(sizes, width=100, n_test=500, seeds=3, split_rng=0):
    """Test error of a fixed random-feature network (``width`` units) as the training set grows.

    Near ``n_train == width`` the network can just interpolate the data and the test
    error jumps up: there, *more* data makes the model worse.

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
    out = _sweep([width] * len(sizes), sizes, n_test, seeds, split_rng, "sample_size_curve")
    return {"sizes": sizes, "width": width, **out}


# ---------------------------------------------------------------- L1 and L2 penalties

def train_penalised(penalty=None, lam=0.01, epochs=30, lr=0.1, batch_size=32, n_train=300, rng=0,
                    progress=None):
    """Softmax regression (one ``Linear(64, 10)``) on digits with an explicit weight penalty.

    The loop is ``fit``'s loop with one extra line between backward and the SGD step,
    ``add_penalty_gradients(model, penalty, lam)``. A linear model keeps the picture
    simple: each class has one 8x8 weight image.

    Parameters
    ----------
    penalty : callable or None
        ``nnlib.regularization.l1_penalty`` or ``l2_penalty`` (any
        ``f(weights, lam) -> (value, grads)``); None trains without a penalty.
    lam : float >= 0
        Penalty strength.
    epochs, lr, batch_size : training settings (plain SGD).
    n_train : int
        Training images (400 others are the validation set).
    rng : None, int or numpy.random.Generator
        Seed of the split, the initial weights and the shuffles.
    progress : callable, optional
        Called with the fraction of epochs done after every epoch (a widget's progress bar).

    Returns
    -------
    dict
        ``W`` (10, 64): final weights; ``train_loss``, ``penalty`` (epochs,): data loss
        and penalty after every epoch; ``train_acc``, ``val_acc``: final accuracies;
        ``weight_norm_l1``, ``weight_norm_l2``: :math:`\\sum|w|` and :math:`\\sqrt{\\sum w^2}`;
        ``near_zero``: fraction of weights with :math:`|w| < 10^{-3}`.

    Examples
    --------
    >>> from nnlib.regularization import l1_penalty
    >>> train_penalised(l1_penalty, 0.01, epochs=2)["W"].shape
    (10, 64)
    """
    if penalty is not None and not callable(penalty):
        raise TypeError(f"train_penalised: penalty must be a function such as l1_penalty or None, "
                        f"got {type(penalty).__name__}")
    lam = check_nonnegative(lam, "train_penalised", "lam")
    epochs = check_positive_int(epochs, "train_penalised", "epochs")
    batch_size = check_positive_int(batch_size, "train_penalised", "batch_size")
    rng = as_rng(rng)
    X_train, X_val, y_train, y_val = small_digits(n_train, 400, rng=rng)
    model = Linear(64, 10, rng=rng)
    loss_fn = CrossEntropyLoss()
    opt = SGD(model.parameters(), lr=lr)
    losses, penalties = [], []
    for epoch in range(epochs):
        order = rng.permutation(len(X_train))  # (N,)
        for start in range(0, len(X_train), batch_size):
            batch = order[start:start + batch_size]
            loss_fn.forward(model(X_train[batch]), y_train[batch])
            opt.zero_grad()
            model.backward(loss_fn.backward())
            if penalty is not None:
                add_penalty_gradients(model, penalty, lam)  # the only new line
            opt.step()
        losses.append(evaluate(model, loss_fn, X_train, y_train)[0])
        penalties.append(penalty([model.W], lam)[0] if penalty is not None else 0.0)
        if progress is not None:
            progress((epoch + 1) / epochs)
    W = model.W.copy()  # (10, 64)
    return {
        "W": W, "train_loss": np.array(losses), "penalty": np.array(penalties),
        "train_acc": evaluate(model, loss_fn, X_train, y_train)[1],
        "val_acc": evaluate(model, loss_fn, X_val, y_val)[1],
        "weight_norm_l1": float(np.sum(np.abs(W))),
        "weight_norm_l2": float(np.sqrt(np.sum(W ** 2))),
        "near_zero": float(np.mean(np.abs(W) < 1e-3)),
    }


# ---------------------------------------------------------------- early stopping

def early_stopping_replay(val_losses, patience, min_delta=0.0):
    """Replay ``nnlib.training.EarlyStopping`` (the rule ``fit`` uses) on a list of validation losses.

    An epoch *improves* if its loss is below ``best - min_delta``. After ``patience``
    epochs in a row without improvement training stops; the weights of the best epoch
    are then restored.

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
    stopper = EarlyStopping(patience, min_delta)
    no_weights = Sequential()  # a replay has no weights to keep
    for epoch, loss in enumerate(losses, start=1):
        if stopper.update(epoch, float(loss), no_weights):
            return stopper.best_epoch, epoch
    return stopper.best_epoch, len(losses)


def train_digits_model(model, epochs=40, patience=None, weight_decay=0.0, lr=0.003, n_train=200,
                       rng=0, verbose=False, optimizer=Adam):
    """Train a digits network on :func:`small_digits` with ``fit`` (Adam or AdamW, batch size 32).

    200 training images are few for a 64-128-10 network, so without regularisation
    its training loss goes to almost 0 while the validation loss stops improving: the
    setting in which the lesson compares regularisers.

    Parameters
    ----------
    model : Module
        A network with 64 inputs and 10 outputs (logits); trained in place.
    epochs : int
        Maximum number of epochs.
    patience : int or None
        ``fit``'s ``early_stopping_patience`` (None: train all epochs, no restore).
    weight_decay : float
        Adam's ``weight_decay`` (the L2 penalty's gradient added to every gradient), or
        AdamW's (the weights shrink by the factor ``1 - lr * weight_decay`` every step).
    lr : float
        Adam's learning rate.
    n_train : int
        Training images (validation: 400 others).
    rng : int
        Seed of the split and the shuffles.
    verbose : bool
        Let ``fit`` print its progress lines.
    optimizer : {Adam, AdamW}
        The optimiser class (``nnlib.optim``).

    Returns
    -------
    dict
        ``history`` (the ``History``), ``val_loss``, ``val_acc``: evaluation of the
        returned weights (the model is left in eval mode).
    """
    if not isinstance(model, Module):
        raise TypeError(f"train_digits_model: model must be an nnlib Module, got {type(model).__name__}")
    X_train, X_val, y_train, y_val = small_digits(n_train, 400, rng=rng)
    if optimizer not in (Adam, AdamW):
        raise ValueError(f"train_digits_model: optimizer must be nnlib.optim.Adam or AdamW, got {optimizer!r}")
    opt = optimizer(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, opt, X_train, y_train, epochs=epochs, batch_size=32,
                  X_val=X_val, y_val=y_val, rng=rng, early_stopping_patience=patience, verbose=verbose)
    val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val)
    return {"history": history, "val_loss": val_loss, "val_acc": val_acc}


def plain_mlp(hidden=64, rng=0):
    """The lesson's unregularised 64-``hidden``-10 ReLU network (He init).

    Examples
    --------
    >>> plain_mlp(8)
    Sequential(
      Linear(in_features=64, out_features=8),
      ReLU(),
      Linear(in_features=8, out_features=10)
    )
    """
    rng = as_rng(rng)
    return Sequential(Linear(64, hidden, init="he", rng=rng), ReLU(), Linear(hidden, 10, rng=rng))


def early_stopping_run(patience=5, epochs=60, lr=0.01, rng=0):
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
    full = train_digits_model(plain_mlp(64, rng=rng), epochs=epochs, lr=lr, rng=rng)
    stopped = train_digits_model(plain_mlp(64, rng=rng), epochs=epochs, patience=patience, lr=lr, rng=rng)
    h = stopped["history"]
    return {"full": full["history"], "stopped": h, "best_epoch": h.best_epoch,
            "stop_epoch": len(h), "val_loss_full": full["val_loss"],
            "val_loss_restored": stopped["val_loss"]}


# ---------------------------------------------------------------- batch normalisation

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

def ensemble_member_probabilities(n_models=5, epochs=20, rng=0):
    """Train ``n_models`` plain 64-64-10 digits networks that differ only in their seed.

    Every member sees the same 200 training images (Adam, learning rate 0.01) and
    predicts the same 400 validation images.

    Returns
    -------
    P : ndarray, shape (n_models, 400, 10)
        Predicted class probabilities of every member for every validation image.
    y_val : ndarray of int, shape (400,)
    """
    n_models = check_positive_int(n_models, "ensemble_member_probabilities", "n_models")
    base = int(as_rng(rng).integers(0, 2**31))
    X_train, X_val, y_train, y_val = small_digits(200, 400, rng=0)  # the same data for all
    P = []
    for k in range(n_models):
        model = plain_mlp(64, rng=base + k)
        fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X_train, y_train,
            epochs=epochs, batch_size=32, rng=base + k, verbose=False)
        P.append(softmax(model(X_val)))  # (400, 10)
    return np.stack(P), y_val  # (K, 400, 10), (400,)
