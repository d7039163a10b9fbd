r"""Lesson 11 -- the training recipe: data, networks and the longer runs behind ``notebooks/11_training_recipe.ipynb``.

The lesson computes the recipe's steps in its own cells (the expected initial loss
:math:`\log C`, overfitting 50 images, the deck's learning rates, the coarse grid, the
seeded log-uniform random search, moving averages). What stays here:

* :func:`digits_data`, :func:`mlp`, :func:`scaled_normal`: the data split and the networks;
* :func:`initial_loss`: the loss of an untrained network (its slider and exercise 11);
* :func:`train_iterations`: a training loop counted in mini-batch steps, as the KIT
  deck's "drop within about 100 iterations";
* :func:`lr_range_test`: one run whose learning rate grows every iteration;
* :data:`PATTERNS`, :func:`loss_curve_pattern`, :func:`diagnose`: real runs that show the
  typical loss curves (too high or too low a learning rate, a bad initialisation,
  overfitting) and the rules that name them.
"""

import numpy as np

from nnlib.activations import ReLU, Tanh
from nnlib.datasets import load_digits
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import SGD, Adam
from nnlib.preprocessing import standardize, train_test_split
from nnlib.training import evaluate
from nnlib.validation import as_rng, check_array, check_nonnegative, check_positive_int

#: Number of classes of the digits.
NUM_CLASSES = 10

#: The KIT deck's learning rates to try in step 3.
DECK_LEARNING_RATES = (1e-1, 1e-2, 1e-3, 1e-4)

#: The KIT deck's weight decays to try in step 4.
DECK_WEIGHT_DECAYS = (1e-4, 1e-5, 0.0)

#: What :func:`diagnose` can answer.
DIAGNOSES = ("diverging", "plateau then drop", "too slow", "overfitting", "fine")


# ---------------------------------------------------------------- data and model

def digits_data(n_train=None, rng=0):
    """The digits, split 75/25 (stratified) and standardised with the training statistics.

    Parameters
    ----------
    n_train : int or None
        Keep only the first ``n_train`` training images (None: all 1,347).
    rng : None, int or numpy.random.Generator
        Seed of the split.

    Returns
    -------
    X_train (n, 64), X_val (450, 64), y_train (n,), y_val (450,)

    Examples
    --------
    >>> X_train, X_val, y_train, y_val = digits_data()
    >>> X_train.shape, X_val.shape
    ((1347, 64), (450, 64))
    """
    X, y = load_digits()
    X_train, X_val, y_train, y_val = train_test_split(X, y, rng=rng)
    if n_train is not None:
        n_train = check_positive_int(n_train, "digits_data", "n_train")
        X_train, y_train = X_train[:n_train], y_train[:n_train]
    X_train, mean, std = standardize(X_train)
    X_val, _, _ = standardize(X_val, mean, std)
    return X_train, X_val, y_train, y_val


def scaled_normal(std):
    """An initialiser drawing weights from N(0, std^2), for ``Linear(..., init=scaled_normal(0.05))``.

    Examples
    --------
    >>> float(np.abs(scaled_normal(0.0)((2, 3), np.random.default_rng(0))).max())
    0.0
    """
    std = check_nonnegative(std, "scaled_normal", "std")

    def init(shape, rng):
        return std * rng.standard_normal(shape)
    return init


def mlp(hidden=64, depth=1, activation=ReLU, init="he", output_scale=1.0, rng=0):
    """A 64-hidden-...-10 network for the digits (logits out, for ``CrossEntropyLoss``).

    Parameters
    ----------
    hidden : int
        Units per hidden layer.
    depth : int
        Number of hidden layers.
    activation : class
        An nnlib activation class (``ReLU``, ``Tanh``, ...), one instance per hidden layer.
    init : str or callable
        The hidden layers' ``Linear(..., init=...)``; e.g. ``"he"`` for ReLU, ``"xavier"``
        for tanh, or :func:`scaled_normal` for a deliberately bad scale. The output layer
        uses Xavier.
    output_scale : float
        Multiplies the output layer's initial weights (small values give logits near 0).
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> mlp(hidden=8)
    Sequential(
      Linear(in_features=64, out_features=8),
      ReLU(),
      Linear(in_features=8, out_features=10)
    )
    """
    hidden = check_positive_int(hidden, "mlp", "hidden")
    depth = check_positive_int(depth, "mlp", "depth")
    if not isinstance(activation, type):
        raise TypeError(f"mlp: activation must be a class such as ReLU or Tanh, got {activation!r}")
    output_scale = check_nonnegative(output_scale, "mlp", "output_scale")
    rng = as_rng(rng)
    layers, fan_in = [], 64
    for _ in range(depth):
        layers += [Linear(fan_in, hidden, init=init, rng=rng), activation()]
        fan_in = hidden
    out = Linear(fan_in, NUM_CLASSES, rng=rng)
    out.W *= output_scale
    layers.append(out)
    return Sequential(*layers)


# ---------------------------------------------------------------- step 1: initial loss

def initial_loss(output_scale=1.0, weight_decay=0.0, hidden=64, rng=0):
    r"""Loss of a freshly initialised 64-``hidden``-10 network on the digits' training set.

    Parameters
    ----------
    output_scale : float
        Multiplies the output layer's initial weights: 1 is the Xavier init, 0.01
        gives logits very close to 0, 10 a badly scaled init.
    weight_decay : float
        If > 0, the L2 penalty :math:`\frac{\lambda}{2}\sum\lVert\theta\rVert^2` the optimiser
        would add is included in ``total_loss`` (why the deck turns it off for this check).
    hidden : int
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``loss``: mean cross-entropy; ``expected``: :math:`\log 10`; ``total_loss``:
        loss plus the L2 penalty; ``logit_std``: standard deviation of the logits.

    Examples
    --------
    >>> r = initial_loss(output_scale=0.01)
    >>> abs(r["loss"] - r["expected"]) < 1e-3
    True
    """
    weight_decay = check_nonnegative(weight_decay, "initial_loss", "weight_decay")
    X_train, _, y_train, _ = digits_data()
    model = mlp(hidden, output_scale=output_scale, rng=rng)
    logits = model(X_train)  # (N, 10)
    loss = CrossEntropyLoss().forward(logits, y_train)
    penalty = 0.5 * weight_decay * sum(float(np.sum(p.data ** 2)) for p in model.parameters())
    return {"loss": loss, "expected": float(np.log(NUM_CLASSES)),
            "total_loss": loss + penalty, "logit_std": float(logits.std())}


# ---------------------------------------------------------------- step 3: a learning rate

def train_iterations(model, optimizer, X, y, iterations, batch_size=32, rng=0, lr_schedule=None,
                     max_loss=None):
    """Run ``iterations`` mini-batch steps and record the loss of every batch.

    Like ``fit`` but counted in iterations (one step per mini-batch), which is how the
    KIT deck's "drop within ~100 iterations" is measured. Batches are drawn from a
    fresh permutation of the training set each time the previous one is used up.

    Parameters
    ----------
    model, optimizer
        A network and an optimiser built on its parameters.
    X, y : arrays
    iterations : int
    batch_size : int
    rng : None, int or numpy.random.Generator
    lr_schedule : sequence of float, optional
        Learning rate for every iteration (sets ``optimizer.lr`` before each step).
    max_loss : float or None
        Stop early once a batch loss exceeds this (divergence; default: 10 times the
        first loss); the remaining iterations are not run.

    Returns
    -------
    numpy.ndarray, shape (iterations_run,)
        The batch losses, before each step.

    Examples
    --------
    >>> X_train, _, y_train, _ = digits_data(n_train=64)
    >>> model = mlp(8)
    >>> train_iterations(model, SGD(model.parameters(), lr=0.1), X_train, y_train, 5).shape
    (5,)
    """
    iterations = check_positive_int(iterations, "train_iterations", "iterations")
    batch_size = check_positive_int(batch_size, "train_iterations", "batch_size")
    rng = as_rng(rng)
    loss_fn = CrossEntropyLoss()
    model.train()
    n = len(X)
    order, pos = rng.permutation(n), 0
    losses = []
    for t in range(iterations):
        if pos + batch_size > n:
            order, pos = rng.permutation(n), 0
        batch = order[pos:pos + batch_size]
        pos += batch_size
        if lr_schedule is not None:
            optimizer.lr = float(lr_schedule[t])
        loss = loss_fn.forward(model(X[batch]), y[batch])
        losses.append(loss)
        limit = 10.0 * losses[0] if max_loss is None else max_loss
        if not np.isfinite(loss) or loss > limit:
            break
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    model.eval()
    return np.array(losses)


def lr_range_test(lr_min=1e-5, lr_max=10.0, iterations=100, batch_size=32, rng=0):
    r"""Learning-rate range test: one short run whose learning rate grows geometrically every iteration.

    :math:`\alpha_t = \alpha_{min} (\alpha_{max}/\alpha_{min})^{t/(T-1)}` (``np.geomspace``).
    The loss first barely moves (too small), then falls fastest, then blows up (too
    large); a good learning rate lies somewhat below the one where the loss falls
    fastest. SGD with momentum 0.9 on all training digits; the run stops once the loss
    exceeds 10 times its first value. The slope is read from the smoothed loss
    (:func:`exponential_moving_average`) after the first 10 iterations.

    Returns
    -------
    dict
        ``lrs`` (T_run,), ``losses`` (T_run,), ``smoothed`` (T_run,); ``steepest_lr``: the
        learning rate where the smoothed loss fell fastest.

    Examples
    --------
    >>> r = lr_range_test(iterations=30)
    >>> bool(r["lrs"][0] == 1e-5)
    True
    """
    iterations = check_positive_int(iterations, "lr_range_test", "iterations")
    if not 0 < lr_min < lr_max:
        raise ValueError(f"lr_range_test: need 0 < lr_min < lr_max, got {lr_min} and {lr_max}")
    lrs = np.geomspace(lr_min, lr_max, iterations)  # (T,) equal ratios
    X_train, _, y_train, _ = digits_data()
    model = mlp(64, rng=rng)
    opt = SGD(model.parameters(), lr=lr_min, momentum=0.9)
    losses = train_iterations(model, opt, X_train, y_train, iterations, batch_size, rng=rng,
                              lr_schedule=lrs)
    smoothed = exponential_moving_average(losses, beta=0.9)
    slope = np.diff(smoothed)  # (T_run - 1,), change per step of the log learning rate
    skip = min(10, len(slope) - 1) if len(slope) > 1 else 0  # the first averages are too noisy
    steepest = lrs[skip + int(np.argmin(slope[skip:]))] if len(slope) else lrs[0]
    return {"lrs": lrs[:len(losses)], "losses": losses, "smoothed": smoothed,
            "steepest_lr": float(steepest)}


def exponential_moving_average(x, beta=0.9):
    r"""Bias-corrected exponential moving average.

    :math:`m_t = \beta m_{t-1} + (1-\beta)x_t`, :math:`\hat m_t = m_t/(1-\beta^t)`.

    Examples
    --------
    >>> exponential_moving_average([1.0, 1.0, 1.0], beta=0.9)
    array([1., 1., 1.])
    """
    x = check_array(x, "exponential_moving_average", shape=("T",), name="x")
    m, out = 0.0, np.empty_like(x)
    for t, value in enumerate(x, start=1):
        m = beta * m + (1 - beta) * value
        out[t - 1] = m / (1 - beta ** t)
    return out


# ---------------------------------------------------------------- step 6: loss curves

def _good(rng):
    model = mlp(64, rng=rng)
    return model, SGD(model.parameters(), lr=0.01, momentum=0.9), None, 32


def _lr_too_high(rng):
    model = mlp(64, rng=rng)
    return model, SGD(model.parameters(), lr=0.2, momentum=0.9), None, 32


def _lr_too_low(rng):
    model = mlp(64, rng=rng)
    return model, SGD(model.parameters(), lr=1e-4, momentum=0.9), None, 32


def _bad_init(rng):
    model = mlp(32, depth=6, activation=Tanh, init=scaled_normal(0.05), rng=rng)
    return model, SGD(model.parameters(), lr=0.05, momentum=0.9), None, 32


def _overfitting(rng):
    model = mlp(64, rng=rng)
    return model, Adam(model.parameters(), lr=0.01), 100, 10


#: The typical loss curves of step 6. Each entry builds ``(model, optimizer, n_train, batch_size)``
#: from a seed: "good" SGD with momentum at lr 0.01; "lr too high" lr 0.2 (falls, then blows up
#: in the third epoch); "lr too low" lr 1e-4 (an almost straight, slowly falling line); "bad init"
#: a 6-layer tanh network with weights from N(0, 0.05^2) (a plateau near log 10, then a late drop);
#: "overfitting" only 100 training images and Adam at 0.01.
PATTERNS = {"good": _good, "lr too high": _lr_too_high, "lr too low": _lr_too_low,
            "bad init": _bad_init, "overfitting": _overfitting}


def loss_curves(model, optimizer, n_train=None, batch_size=32, epochs=10, rng=0):
    """Train on the digits epoch by epoch and record every batch loss and the per-epoch losses.

    Stops at the first epoch whose batch loss exceeds 10 log 10 (a blow-up); that epoch's
    validation loss is recorded as NaN.

    Returns
    -------
    dict
        ``batch_losses`` (iterations,): loss of every mini-batch; ``iters_per_epoch``;
        ``train_loss``, ``val_loss`` (epochs_run,): per-epoch mean of the batch losses and
        the validation loss after the epoch.
    """
    epochs = check_positive_int(epochs, "loss_curves", "epochs")
    X_train, X_val, y_train, y_val = digits_data(n_train=n_train)
    iters_per_epoch = int(np.ceil(len(X_train) / batch_size))
    rng = as_rng(rng)
    batch_losses, train_loss, val_loss = [], [], []
    for _ in range(epochs):
        losses = train_iterations(model, optimizer, X_train, y_train, iters_per_epoch, batch_size,
                                  rng=rng, max_loss=10.0 * np.log(NUM_CLASSES))
        batch_losses.extend(losses)
        train_loss.append(float(np.mean(losses)))
        if len(losses) < iters_per_epoch:  # diverged
            val_loss.append(np.nan)
            break
        val_loss.append(evaluate(model, CrossEntropyLoss(), X_val, y_val)[0])
    return {"batch_losses": np.array(batch_losses), "iters_per_epoch": iters_per_epoch,
            "train_loss": np.array(train_loss), "val_loss": np.array(val_loss)}


def loss_curve_pattern(pattern="good", epochs=10, rng=0):
    """:func:`loss_curves` of one of the named :data:`PATTERNS`, a real training run on the digits.

    Returns
    -------
    dict
        What :func:`loss_curves` returns, plus ``pattern``.

    Examples
    --------
    >>> r = loss_curve_pattern("lr too high")
    >>> len(r["train_loss"]), bool(np.isnan(r["val_loss"][-1]))       # blew up in epoch 4
    (4, True)
    """
    if pattern not in PATTERNS:
        raise ValueError(f"loss_curve_pattern: pattern must be one of {tuple(PATTERNS)}, got {pattern!r}")
    model, optimizer, n_train, batch_size = PATTERNS[pattern](rng)
    out = loss_curves(model, optimizer, n_train, batch_size, epochs, rng)
    return {**out, "pattern": pattern}


def diagnose(train_loss, val_loss=None, num_classes=NUM_CLASSES):
    """Read a pair of per-epoch loss curves the way the lesson does and name the pattern.

    Rules, checked in this order:

    1. ``"diverging"``: a loss is NaN/inf, or the last training loss is above the first, or the
       loss rose far above :math:`\\log C` (half as much again) and ended no better than guessing
       (learning rate too high: the first steps overshoot, the network is left at chance);
    2. ``"plateau then drop"``: the first third of the epochs (at least 2) stays within 5 % of
       :math:`\\log C` (no progress at all) and the loss falls afterwards (a bad initialisation);
    3. ``"too slow"``: the training loss has not even halved (learning rate too low,
       or a network that cannot learn);
    4. ``"overfitting"``: the validation loss is more than twice the training loss
       and was lower at an earlier epoch;
    5. ``"fine"`` otherwise.

    Parameters
    ----------
    train_loss : sequence of float, length E >= 2 (1 is enough to see NaN or inf)
    val_loss : sequence of float, length E, optional
    num_classes : int

    Returns
    -------
    str
        One of ``DIAGNOSES``.

    Examples
    --------
    >>> diagnose([2.3, 1.0, 0.5, 0.3], [2.3, 1.1, 0.7, 0.6])
    'fine'
    >>> diagnose([2.3, 1.0, 0.5, 0.3, 0.1], [2.3, 1.0, 0.6, 0.7, 0.9])
    'overfitting'
    """
    train = np.asarray(train_loss, dtype=np.float64)
    val = None if val_loss is None else np.asarray(val_loss, dtype=np.float64)
    if train.ndim != 1 or len(train) < 1:
        raise ValueError(f"diagnose: train_loss must be a 1-D sequence of epochs, got shape {train.shape}")
    if val is not None and val.shape != train.shape:
        raise ValueError(f"diagnose: val_loss must have the shape of train_loss {train.shape}, got {val.shape}")
    if not np.all(np.isfinite(train)) or (val is not None and not np.all(np.isfinite(val))) \
            or train[-1] > train[0]:
        return "diverging"
    chance = np.log(num_classes)
    if train.max() > 1.5 * chance and train[-1] >= 0.95 * chance:
        return "diverging"                  # blew up, then settled at guessing
    if len(train) < 2:
        raise ValueError("diagnose: train_loss needs at least 2 epochs to judge a trend")
    head = train[:max(2, len(train) // 3)]  # at least 2 epochs
    if np.all(np.abs(head - chance) < 0.05 * chance) \
            and train[-1] < 0.9 * train[0]:
        return "plateau then drop"
    if train[-1] > 0.5 * train[0]:
        return "too slow"
    if val is not None and val[-1] > 2 * train[-1] and val[-1] > val.min():
        return "overfitting"
    return "fine"
