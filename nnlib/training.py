"""A small training loop for the notebooks: mini-batches, history, early stopping.

``fit`` is the loop every lesson would otherwise write by hand::

    for epoch in range(epochs):
        shuffle the training set (seeded)
        for each mini-batch (X_batch, y_batch):
            outputs = model(X_batch)                  # forward
            loss = loss_fn(outputs, y_batch)          # mean loss of the batch
            optimizer.zero_grad()
            model.backward(loss_fn.backward())        # backpropagation
            optimizer.step()                          # gradient step
        evaluate on the validation set; keep the best weights

It records, per epoch, the training and validation loss and (for classification)
accuracy, can stop early when the validation loss stops improving and then puts
back the best weights, and prints one short line per epoch (never timings) unless
``verbose=False``.
"""

import numbers

import numpy as np

from nnlib.losses import BCEWithLogitsLoss, HingeLoss
from nnlib.optim import ReduceLROnPlateau
from nnlib.validation import as_rng, check_array, check_bool, check_positive_int


class History:
    """What happened during ``fit``: per-epoch curves and the early-stopping outcome.

    Attributes
    ----------
    history : dict of str -> list of float
        ``"train_loss"`` and, when recorded, ``"train_acc"``, ``"val_loss"``,
        ``"val_acc"``; one value per epoch that ran. ``nncourse.plotting.plot_history``
        plots it directly.
    best_epoch : int or None
        Epoch (counted from 1) with the lowest validation loss, or None without
        validation data.
    stopped_early : bool
        True if early stopping ended training before ``epochs``.

    Examples
    --------
    >>> h = History(["train_loss", "val_loss"])
    >>> h.history["train_loss"].append(0.5); h.history["val_loss"].append(0.7)
    >>> h["train_loss"], len(h), "val_acc" in h
    ([0.5], 1, False)
    """

    def __init__(self, keys):
        self.history = {key: [] for key in keys}
        self.best_epoch = None
        self.stopped_early = False

    def __getitem__(self, key):
        return self.history[key]

    def __contains__(self, key):
        return key in self.history

    def __len__(self):
        return len(self.history["train_loss"])

    def __repr__(self):
        return (f"History(epochs={len(self)}, keys={list(self.history)}, "
                f"best_epoch={self.best_epoch}, stopped_early={self.stopped_early})")


def accuracy(outputs, targets, threshold=0.5):
    """Fraction of examples whose predicted class equals the target class.

    * Several outputs per example (``(N, K)``, K >= 2): the prediction is the
      index of the largest output (``argmax``); targets are class indices ``(N,)``
      or one-hot rows ``(N, K)``.
    * One output per example (``(N,)`` or ``(N, 1)``): the prediction is the
      positive class when ``output >= threshold``. With targets 0/1 that is 1/0;
      with targets -1/+1 (perceptron, hinge loss) it is +1/-1.

    Parameters
    ----------
    outputs : array_like, shape (N, K), (N, 1) or (N,)
        Network outputs (logits, probabilities or scores).
    targets : array_like, shape (N,), (N, 1) or (N, K)
    threshold : float
        Decision threshold for a single output: 0.5 for probabilities, 0 for
        logits or scores.

    Returns
    -------
    float
        Accuracy in [0, 1].

    Examples
    --------
    >>> accuracy(np.array([[2.0, 1.0], [0.1, 0.3], [5.0, -1.0]]), np.array([0, 1, 1]))
    0.6666666666666666
    >>> accuracy(np.array([0.9, 0.2, 0.6]), np.array([1, 0, 0]))
    0.6666666666666666
    >>> accuracy(np.array([1.5, -0.3]), np.array([1, -1]), threshold=0.0)
    1.0
    """
    outputs = np.asarray(outputs)
    targets = np.asarray(targets)
    n = outputs.shape[0] if outputs.ndim else 0
    if outputs.ndim not in (1, 2) or n == 0 or targets.shape[:1] != (n,):
        raise ValueError(
            f"accuracy: outputs must have shape (N,) or (N, K) and targets N rows, "
            f"got {outputs.shape} and {targets.shape}"
        )
    if outputs.ndim == 2 and outputs.shape[1] >= 2:
        predicted = outputs.argmax(axis=1)  # (N,)
        if targets.ndim == 2:
            if targets.shape != outputs.shape:
                raise ValueError(
                    f"accuracy: one-hot targets must have shape {outputs.shape}, got {targets.shape}"
                )
            targets = targets.argmax(axis=1)  # (N,)
        return float(np.mean(predicted == targets))
    scores = outputs.reshape(n)  # (N,)
    targets = targets.reshape(n)  # (N,)
    positive = scores >= threshold  # (N,)
    if np.any(targets < 0):
        predicted = np.where(positive, 1, -1)  # (N,) labels -1/+1
    else:
        predicted = positive.astype(np.int64)  # (N,) labels 0/1
    return float(np.mean(predicted == targets))


def _is_class_labels(y):
    """True if ``y`` looks like classification targets (ints, 0/1, -1/+1 or one-hot)."""
    if np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_:
        return True
    values = np.unique(y)
    return bool(np.all(np.isin(values, (0.0, 1.0))) or np.all(np.isin(values, (-1.0, 1.0))))


def _default_threshold(loss_fn, y):
    """0 for logits and -1/+1 scores, 0.5 for probabilities."""
    if isinstance(loss_fn, (BCEWithLogitsLoss, HingeLoss)) or np.any(y < 0):
        return 0.0
    return 0.5


def predict(model, X, batch_size=None):
    """Outputs of ``model`` for ``X`` in evaluation mode (dropout off, BatchNorm running stats).

    The model's previous mode (train or eval) is restored afterwards.

    Parameters
    ----------
    model : Module
    X : array_like, shape (N, ...)
    batch_size : int or None
        Process ``X`` in chunks of this many rows (None: all at once).

    Returns
    -------
    numpy.ndarray
        Row n is the model's output for row n of ``X``.
    """
    X = check_array(X, "predict", name="X")
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "predict", "batch_size")
    was_training = model.training
    model.eval()
    try:
        if batch_size is None or batch_size >= len(X):
            return model.forward(X)
        chunks = [model.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
        return np.concatenate(chunks, axis=0)
    finally:
        if was_training:
            model.train()


def evaluate(model, loss_fn, X, y, batch_size=None, threshold=None):
    """Mean loss and accuracy of ``model`` on ``(X, y)`` in evaluation mode.

    Parameters
    ----------
    model : Module
    loss_fn : loss object with ``forward(pred, target) -> float``
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
    batch_size : int or None
        Evaluate in chunks of this many rows (None: all at once).
    threshold : float or None
        Decision threshold for single-output classifiers; None picks 0 for
        ``BCEWithLogitsLoss``/``HingeLoss`` or -1/+1 labels and 0.5 otherwise.

    Returns
    -------
    loss : float
        Mean loss over all N examples.
    acc : float or None
        Accuracy, or None when ``y`` does not look like class labels (regression).
    """
    X = check_array(X, "evaluate", name="X")
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"evaluate: X and y must have the same number of rows, got {len(X)} and {len(y)}")
    if batch_size is None:
        batch_size = len(X)
    batch_size = check_positive_int(batch_size, "evaluate", "batch_size")
    if threshold is None:
        threshold = _default_threshold(loss_fn, y)
    outputs = predict(model, X, batch_size=batch_size)
    total = 0.0
    for i in range(0, len(X), batch_size):
        # the loss is a mean over the chunk; weight it by the chunk size
        total += loss_fn.forward(outputs[i:i + batch_size], y[i:i + batch_size]) * len(y[i:i + batch_size])
    acc = accuracy(outputs, y, threshold) if _is_class_labels(y) else None
    return total / len(X), acc


def fit(model, loss_fn, optimizer, X, y, epochs=10, batch_size=32, X_val=None, y_val=None,
        shuffle=True, rng=None, early_stopping_patience=None, min_delta=0.0,
        scheduler=None, threshold=None, verbose=True, print_every=None):
    """Train ``model`` with mini-batch gradient descent and return its ``History``.

    Each epoch shuffles the training rows with ``rng`` (so the same seed gives the
    same batches), then for every batch of ``batch_size`` rows runs forward, loss,
    ``optimizer.zero_grad()``, backward and ``optimizer.step()``. The last batch
    may be smaller. After each epoch the model is evaluated on the validation set
    in eval mode.

    The recorded training loss (accuracy) of an epoch is the mean over the batches,
    weighted by batch size, measured *while* training (in train mode, with the
    weights changing between batches), as Keras and most PyTorch loops report it.

    Early stopping watches the validation loss: an epoch improves if its loss is
    below ``best - min_delta``. After ``early_stopping_patience`` epochs in a row
    without improvement training stops, and in any case the weights (and buffers)
    of the best epoch are copied back into the model at the end.

    ``fit`` switches the model to train mode for the batches and to eval mode for
    the validation pass, and leaves it in **eval mode** when it returns, ready for
    predictions (dropout off, BatchNorm using its running statistics).

    Parameters
    ----------
    model : Module
        The network, e.g. a ``Sequential``; its weights are changed in place.
    loss_fn : loss object
        ``forward(pred, target) -> float`` (mean over the batch) and ``backward()``.
    optimizer : optimizer object
        Built on ``model.parameters()``; needs ``zero_grad()`` and ``step()``.
    X : array_like, shape (N, ...)
        Training inputs, one example per row.
    y : array_like, shape (N,) or (N, ...)
        Training targets: class indices for ``CrossEntropyLoss``, 0/1 for BCE, ...
    epochs : int
        Maximum number of passes over the training set.
    batch_size : int
        Rows per mini-batch (``batch_size >= N`` is full-batch gradient descent,
        1 is stochastic gradient descent).
    X_val, y_val : array_like, optional
        Validation set (both or neither).
    shuffle : bool
        Reshuffle the training rows every epoch (default True).
    rng : None, int or numpy.random.Generator
        Source of the shuffles.
    early_stopping_patience : int or None
        Stop after this many epochs without improvement of the validation loss
        and restore the best weights. Needs a validation set.
    min_delta : float
        Smallest decrease of the validation loss that counts as improvement.
    scheduler : learning-rate schedule, optional
        Anything with ``step()``; called once at the end of every epoch. A
        ``ReduceLROnPlateau`` is given the epoch's validation loss (the training loss
        when there is no validation set): ``scheduler.step(loss)``.
    threshold : float or None
        Decision threshold for single-output classifiers (see :func:`evaluate`).
    verbose : bool
        Print one line per reported epoch (losses and accuracies only; no timings).
    print_every : int or None
        Report every this many epochs (and the last one); None picks about ten lines.

    Returns
    -------
    History
        ``history.history["train_loss"]`` etc., one value per epoch that ran.

    Examples
    --------
    >>> from nnlib.module import Sequential
    >>> from nnlib.layers import Linear
    >>> from nnlib.activations import ReLU
    >>> from nnlib.losses import CrossEntropyLoss
    >>> from nnlib.optim import Adam
    >>> from nnlib.datasets import make_moons
    >>> from nnlib.preprocessing import train_test_split
    >>> X, y = make_moons(200, noise=0.2, rng=0)
    >>> X_train, X_val, y_train, y_val = train_test_split(X, y, rng=0)
    >>> model = Sequential(Linear(2, 16, rng=0), ReLU(), Linear(16, 2, rng=1))
    >>> history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.02),
    ...               X_train, y_train, epochs=30, batch_size=16, X_val=X_val, y_val=y_val,
    ...               rng=0, early_stopping_patience=5, print_every=10)
    epoch  1/30  train_loss 0.4996  train_acc 0.8000  val_loss 0.5362  val_acc 0.6600
    epoch 10/30  train_loss 0.2073  train_acc 0.9200  val_loss 0.4558  val_acc 0.7800
    epoch 20/30  train_loss 0.1591  train_acc 0.9267  val_loss 0.3680  val_acc 0.7800
    epoch 30/30  train_loss 0.1082  train_acc 0.9667  val_loss 0.2905  val_acc 0.8800
    restored the weights of epoch 29 (val_loss 0.2770)
    >>> len(history["val_loss"]), history.best_epoch, history.stopped_early
    (30, 29, False)
    """
    X, y, X_val, y_val = _check_data(X, y, X_val, y_val)
    epochs = check_positive_int(epochs, "fit", "epochs")
    batch_size = check_positive_int(batch_size, "fit", "batch_size")
    stopper = EarlyStopping(early_stopping_patience, min_delta, has_val=X_val is not None)
    check_bool(verbose, "fit", "verbose")
    check_bool(shuffle, "fit", "shuffle")
    print_every = check_positive_int(max(1, epochs // 10) if print_every is None else print_every,
                                     "fit", "print_every")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"fit: scheduler must have a step() method, got {type(scheduler).__name__}")
    rng = as_rng(rng)
    if threshold is None:
        threshold = _default_threshold(loss_fn, y)
    history = _new_history(classify=_is_class_labels(y), has_val=X_val is not None)

    for epoch in range(1, epochs + 1):
        train_loss, train_acc = train_epoch(model, loss_fn, optimizer, X, y, batch_size,
                                            rng if shuffle else None, threshold)
        _record(history, "train", train_loss, train_acc)
        if not np.isfinite(train_loss):
            raise ValueError(f"fit: the training loss became {train_loss} in epoch {epoch}; "
                             "the learning rate is probably too large")
        stop, monitored = False, train_loss
        if X_val is not None:
            val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val, threshold=threshold)
            _record(history, "val", val_loss, val_acc)
            stop = stopper.update(epoch, val_loss, model)
            history.best_epoch = stopper.best_epoch
            monitored = val_loss
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(monitored)  # reacts to the loss
        elif scheduler is not None:
            scheduler.step()
        if verbose and (epoch % print_every == 0 or epoch in (1, epochs) or stop):
            print(_progress_line(history, epoch, epochs))
        if stop:
            history.stopped_early = True
            break

    if stopper.restore_best(model) and verbose:
        print(f"restored the weights of epoch {stopper.best_epoch} (val_loss {stopper.best_loss:.4f})")
    model.eval()
    return history


def train_epoch(model, loss_fn, optimizer, X, y, batch_size, rng=None, threshold=0.5):
    """One pass over the training set in mini-batches; return the epoch's (loss, accuracy).

    With a ``rng`` the rows are shuffled first (one permutation per epoch); without
    one they are used in order. For every batch of ``batch_size`` rows: forward,
    loss, ``optimizer.zero_grad()``, backward, ``optimizer.step()``. The last batch
    may be smaller. The returned loss (accuracy) is the mean over the batches,
    weighted by batch size and measured *while* the weights change; accuracy is
    None unless ``y`` holds class labels.

    Shape
    -----
    X (N, ...), y (N,) or (N, ...).
    """
    model.train()
    n = len(X)
    if rng is not None:
        order = rng.permutation(n)  # (N,)
        X, y = X[order], y[order]  # one gather per epoch; batches are views
    classify = _is_class_labels(y)
    loss_sum, correct = 0.0, 0.0
    for start in range(0, n, batch_size):
        X_batch, y_batch = X[start:start + batch_size], y[start:start + batch_size]  # (B, ...)
        outputs = model.forward(X_batch)
        loss = loss_fn.forward(outputs, y_batch)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        loss_sum += loss * len(y_batch)
        if classify:
            correct += accuracy(outputs, y_batch, threshold) * len(y_batch)
    return loss_sum / n, (correct / n if classify else None)


class EarlyStopping:
    """Watch the validation loss; say when to stop and keep the best weights.

    An epoch improves if its validation loss is below ``best - min_delta``. After
    ``patience`` epochs in a row without improvement :meth:`update` returns True;
    :meth:`restore_best` copies the best epoch's weights (and buffers) back.
    With ``patience=None`` it only records the best epoch and never stops.

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> stopper, model = EarlyStopping(patience=2), Linear(1, 1)
    >>> [stopper.update(epoch, loss, model) for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7], start=1)]
    [False, False, False, True]
    >>> stopper.best_epoch, stopper.best_loss
    (2, 0.5)
    """

    def __init__(self, patience=None, min_delta=0.0, has_val=True):
        if patience is not None:
            patience = check_positive_int(patience, "fit", "early_stopping_patience")
            if not has_val:
                raise ValueError("fit: early_stopping_patience needs a validation set; pass X_val and y_val")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) or not min_delta >= 0:
            raise ValueError(f"fit: min_delta must be a number >= 0, got {min_delta!r}")
        self.patience = patience
        self.min_delta = float(min_delta)
        self.best_loss = np.inf
        self.best_epoch = None
        self.best_state = None
        self.epochs_without_improvement = 0

    def update(self, epoch, val_loss, model):
        """Record one epoch's validation loss; return True when training should stop."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, epoch
            self.epochs_without_improvement = 0
            if self.patience is not None:
                self.best_state = model.state_dict()
        else:
            self.epochs_without_improvement += 1
        return self.patience is not None and self.epochs_without_improvement >= self.patience

    def restore_best(self, model):
        """Load the best epoch's weights into ``model``; return whether there were any to load."""
        if self.best_state is None:
            return False
        model.load_state_dict(self.best_state)
        return True


def _check_data(X, y, X_val, y_val):
    """Validate the training (and optional validation) arrays of :func:`fit`."""
    X = check_array(X, "fit", name="X")
    y = _check_targets(y, X, "fit", "y")
    if (X_val is None) != (y_val is None):
        raise ValueError("fit: give both X_val and y_val, or neither")
    if X_val is not None:
        X_val = check_array(X_val, "fit", name="X_val")
        y_val = _check_targets(y_val, X_val, "fit", "y_val")
        if X_val.shape[1:] != X.shape[1:]:
            raise ValueError(f"fit: X_val rows must have the shape of X rows {X.shape[1:]}, got {X_val.shape[1:]}")
    return X, y, X_val, y_val


def _new_history(classify, has_val):
    """An empty ``History`` with the keys ``fit`` records."""
    keys = ["train_loss"] + (["train_acc"] if classify else [])
    if has_val:
        keys += ["val_loss"] + (["val_acc"] if classify else [])
    return History(keys)


def _record(history, part, loss, acc):
    """Append one epoch's loss (and accuracy, for classifiers) of ``part`` ("train" or "val")."""
    history.history[f"{part}_loss"].append(loss)
    if f"{part}_acc" in history.history:
        history.history[f"{part}_acc"].append(acc)


def _check_targets(y, X, where, name):
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        x_name = "X" if name == "y" else "X_val"
        got = "a scalar" if y.ndim == 0 else str(len(y))
        raise ValueError(
            f"{where}: {name} must have one row per row of {x_name} ({len(X)}), got {got}"
        )
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must be numeric, got dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{where}: {name} contains NaN or inf")
    return y


def _progress_line(history, epoch, epochs):
    width = len(str(epochs))
    parts = [f"epoch {epoch:>{width}}/{epochs}"]
    for key, values in history.history.items():
        parts.append(f"{key} {values[-1]:.4f}")
    return "  ".join(parts)
