r"""Lesson 11 -- the training recipe.

Plain functions behind the worked examples and sliders of
``notebooks/11_training_recipe.ipynb``: the KIT deck's seven steps for getting a
network to train, each computed with nnlib on the digits.

* Step 1, :func:`expected_initial_loss`, :func:`initial_loss`: the loss before training
  should be :math:`\log C` for a softmax over C classes.
* Step 2, :func:`overfit_small_sample`: a few mini-batches must be learned perfectly.
* Step 3, :func:`lr_trial`, :func:`lr_range_test`: a learning rate that makes the loss
  drop within about 100 iterations.
* Steps 4 and 5, :func:`coarse_grid`, :func:`log_uniform`, :func:`random_search`: a coarse
  grid of learning rate and weight decay for a few epochs, then a finer random search
  on a log scale, trained longer.
* Step 6, :func:`moving_average`, :func:`loss_curve_pattern`, :func:`diagnose`: reading loss
  curves (too high or too low a learning rate, a bad initialisation, overfitting).
"""

import numpy as np

from nnlib.activations import ReLU, Tanh
from nnlib.datasets import load_digits
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import SGD, Adam
from nnlib.preprocessing import standardize, train_test_split
from nnlib.training import evaluate, fit
from nnlib.validation import as_rng, check_array, check_nonnegative, check_positive_int

#: Number of classes of the digits.
NUM_CLASSES = 10

#: The KIT deck's learning rates to try in step 3.
DECK_LEARNING_RATES = (1e-1, 1e-2, 1e-3, 1e-4)

#: The KIT deck's weight decays to try in step 4.
DECK_WEIGHT_DECAYS = (1e-4, 1e-5, 0.0)

#: Loss-curve patterns of :func:`loss_curve_pattern`.
PATTERNS = ("good", "lr too high", "lr too low", "bad init", "overfitting")

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


def mlp(hidden=64, depth=1, activation="relu", weight_std=None, output_scale=1.0, rng=0):
    """A 64-hidden-...-10 network for the digits (logits out, for ``CrossEntropyLoss``).

    Parameters
    ----------
    hidden : int
        Units per hidden layer.
    depth : int
        Number of hidden layers.
    activation : {"relu", "tanh"}
    weight_std : float or None
        None: He init for ReLU, Xavier for tanh. A number: every hidden layer's weights
        from N(0, weight_std^2) (to build a *bad* initialisation).
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
    if activation not in ("relu", "tanh"):
        raise ValueError(f"mlp: activation must be 'relu' or 'tanh', got {activation!r}")
    output_scale = check_nonnegative(output_scale, "mlp", "output_scale")
    rng = as_rng(rng)
    if weight_std is None:
        init = "he" if activation == "relu" else "xavier"
    else:
        std = check_nonnegative(weight_std, "mlp", "weight_std")

        def init(shape, g):
            return std * g.standard_normal(shape)
    layers, fan_in = [], 64
    for _ in range(depth):
        layers += [Linear(fan_in, hidden, init=init, rng=rng), ReLU() if activation == "relu" else Tanh()]
        fan_in = hidden
    out = Linear(fan_in, NUM_CLASSES, rng=rng)
    out.W *= output_scale
    layers.append(out)
    return Sequential(*layers)


# ---------------------------------------------------------------- step 1: initial loss

def expected_initial_loss(num_classes):
    r"""Cross-entropy of a softmax that gives every one of C classes the same probability: :math:`\log C`.

    At initialisation the logits are small and nearly equal, so
    :math:`a_k \approx 1/C` and :math:`L = -\log a_y \approx \log C`.

    Examples
    --------
    >>> round(expected_initial_loss(10), 4)
    2.3026
    >>> round(expected_initial_loss(2), 4)
    0.6931
    """
    num_classes = check_positive_int(num_classes, "expected_initial_loss", "num_classes")
    return float(np.log(num_classes))


def initial_loss(output_scale=1.0, weight_decay=0.0, hidden=64, rng=0):
    r"""Loss of a freshly initialised 64-``hidden``-10 network on the digits' training set.

    Parameters
    ----------
    output_scale : float
        Multiplies the output layer's initial weights: 1 is the Xavier init, 0.01
        gives logits very close to 0, 10 a badly scaled init.
    weight_decay : float
        If > 0, the L2 penalty :math:`\frac{\lambda}{2}\sum\lVert W\rVert^2` the optimiser
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
    return {"loss": loss, "expected": expected_initial_loss(NUM_CLASSES),
            "total_loss": loss + penalty, "logit_std": float(logits.std())}


# ---------------------------------------------------------------- step 2: overfit a small sample

def overfit_small_sample(n_batches=5, batch_size=10, epochs=100, lr=0.01, hidden=64, rng=0):
    """Train on only ``n_batches * batch_size`` training images until they are learned by heart.

    No regularisation (no weight decay, no dropout), Adam. If the network cannot drive
    the loss on 50 images to about 0, something is broken: the architecture, the
    learning rate, the initialisation or the code.

    Returns
    -------
    dict
        ``history`` (the ``History`` of ``fit``); ``final_loss``, ``final_acc``:
        loss and accuracy on the small sample at the end (eval mode); ``n_examples``.

    Examples
    --------
    >>> r = overfit_small_sample(epochs=5)
    >>> r["n_examples"]
    50
    """
    n_batches = check_positive_int(n_batches, "overfit_small_sample", "n_batches")
    batch_size = check_positive_int(batch_size, "overfit_small_sample", "batch_size")
    n = n_batches * batch_size
    X_train, _, y_train, _ = digits_data(n_train=n)
    model = mlp(hidden, rng=rng)
    loss_fn = CrossEntropyLoss()
    history = fit(model, loss_fn, Adam(model.parameters(), lr=lr), X_train, y_train,
                  epochs=epochs, batch_size=batch_size, rng=rng, verbose=False)
    final_loss, final_acc = evaluate(model, loss_fn, X_train, y_train)
    return {"history": history, "final_loss": final_loss, "final_acc": final_acc, "n_examples": n}


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


def lr_trial(lr, iterations=100, weight_decay=1e-4, batch_size=32, rng=0):
    """Step 3: SGD with momentum 0.9 at learning rate ``lr`` for ``iterations`` mini-batches of all training data.

    The deck's setting: the architecture of step 2, all training data, a small
    weight decay (1e-4).

    Returns
    -------
    dict
        ``losses`` (iterations_run,): batch losses; ``drop``: first loss minus the mean
        of the last 10; ``diverged``: True if training blew up.

    Examples
    --------
    >>> r = lr_trial(1e-2, iterations=20)
    >>> r["losses"].shape
    (20,)
    """
    lr = check_nonnegative(lr, "lr_trial", "lr")
    iterations = check_positive_int(iterations, "lr_trial", "iterations")
    X_train, _, y_train, _ = digits_data()
    model = mlp(64, rng=rng)
    opt = SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    losses = train_iterations(model, opt, X_train, y_train, iterations, batch_size, rng=rng)
    diverged = len(losses) < iterations
    drop = float(losses[0] - np.mean(losses[-10:])) if not diverged else -np.inf
    return {"losses": losses, "drop": drop, "diverged": diverged, "lr": lr}


def lr_range_test(lr_min=1e-5, lr_max=10.0, iterations=100, batch_size=32, rng=0):
    r"""Learning-rate range test: one short run whose learning rate grows geometrically every iteration.

    :math:`\alpha_t = \alpha_{min} (\alpha_{max}/\alpha_{min})^{t/(T-1)}`. The loss
    first barely moves (too small), then falls fastest, then blows up (too large);
    a good learning rate lies somewhat below the one where the loss falls fastest.
    The run stops once the loss exceeds 10 times its first value. The slope is read
    from the smoothed loss after the first 10 iterations.

    Returns
    -------
    dict
        ``lrs`` (T_run,), ``losses`` (T_run,), ``smoothed`` (T_run,): exponential
        moving average of the loss; ``steepest_lr``: the learning rate where the
        smoothed loss fell fastest.

    Examples
    --------
    >>> r = lr_range_test(iterations=30)
    >>> bool(r["lrs"][0] == 1e-5)
    True
    """
    iterations = check_positive_int(iterations, "lr_range_test", "iterations")
    if not 0 < lr_min < lr_max:
        raise ValueError(f"lr_range_test: need 0 < lr_min < lr_max, got {lr_min} and {lr_max}")
    lrs = log_spaced(lr_min, lr_max, iterations)  # (T,)
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


def log_spaced(low, high, n):
    """``n`` values from ``low`` to ``high`` with equal ratios (``np.geomspace``).

    Examples
    --------
    >>> log_spaced(1e-4, 1e-1, 4)
    array([0.0001, 0.001 , 0.01  , 0.1   ])
    """
    n = check_positive_int(n, "log_spaced", "n")
    return np.geomspace(low, high, n)


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


# ---------------------------------------------------------------- steps 4 and 5: grid and random search

def train_config(lr, weight_decay, epochs=2, batch_size=32, rng=0):
    """Train the 64-64-10 network with SGD (momentum 0.9) for ``epochs`` on all training digits.

    Returns
    -------
    dict
        ``lr``, ``weight_decay``, ``val_loss``, ``val_acc`` (last epoch) and ``history``.
    """
    X_train, X_val, y_train, y_val = digits_data()
    model = mlp(64, rng=rng)
    opt = SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    history = fit(model, CrossEntropyLoss(), opt, X_train, y_train, epochs=epochs,
                  batch_size=batch_size, X_val=X_val, y_val=y_val, rng=rng, verbose=False)
    return {"lr": lr, "weight_decay": weight_decay, "val_loss": history["val_loss"][-1],
            "val_acc": history["val_acc"][-1], "history": history}


def coarse_grid(lrs=(1e-1, 3e-2, 1e-2, 3e-3), weight_decays=DECK_WEIGHT_DECAYS, epochs=2, rng=0):
    """Step 4: every combination of a few learning rates and weight decays, trained ``epochs`` epochs.

    Returns
    -------
    dict
        ``lrs`` (L,), ``weight_decays`` (D,), ``val_acc`` (L, D), ``val_loss`` (L, D),
        ``best``: (lr, weight_decay) with the lowest validation loss.

    Examples
    --------
    >>> g = coarse_grid((1e-2,), (0.0,), epochs=1)
    >>> g["val_acc"].shape
    (1, 1)
    """
    epochs = check_positive_int(epochs, "coarse_grid", "epochs")
    lrs, wds = tuple(lrs), tuple(weight_decays)
    acc = np.zeros((len(lrs), len(wds)))
    loss = np.zeros((len(lrs), len(wds)))
    for i, lr in enumerate(lrs):
        for j, wd in enumerate(wds):
            r = train_config(lr, wd, epochs=epochs, rng=rng)
            acc[i, j], loss[i, j] = r["val_acc"], r["val_loss"]
    i, j = np.unravel_index(np.argmin(loss), loss.shape)
    return {"lrs": np.array(lrs), "weight_decays": np.array(wds), "val_acc": acc,
            "val_loss": loss, "best": (lrs[i], wds[j])}


def log_uniform(low, high, size=None, rng=None):
    r"""Draw from a log-uniform distribution: :math:`10^{u}`, :math:`u \sim \mathcal U(\log_{10} low, \log_{10} high)`.

    Every decade between ``low`` and ``high`` gets the same share of the samples,
    which is what a search over learning rates or weight decays needs (0.001 to 0.01
    matters as much as 0.01 to 0.1).

    Parameters
    ----------
    low, high : float > 0
    size : int or tuple, optional
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> samples = log_uniform(1e-4, 1e-1, size=30000, rng=0)
    >>> np.round(np.histogram(np.log10(samples), bins=[-4, -3, -2, -1])[0] / 30000, 2)
    array([0.33, 0.34, 0.33])
    """
    if not (np.isscalar(low) and np.isscalar(high) and 0 < low < high):
        raise ValueError(f"log_uniform: need 0 < low < high, got {low!r} and {high!r}")
    u = as_rng(rng).uniform(np.log10(low), np.log10(high), size=size)  # uniform exponents
    return 10.0 ** u


def random_search(n_trials=8, lr_range=(1e-3, 1e-1), wd_range=(1e-6, 1e-3), epochs=6, rng=0):
    """Step 5: random search around the coarse optimum, each trial trained longer.

    Learning rate and weight decay are drawn log-uniformly (seeded, so the search is
    repeatable). Random search beats a grid with the same budget because every trial
    tries a *new* value of each hyperparameter.

    Returns
    -------
    list of dict
        One per trial (``lr``, ``weight_decay``, ``val_loss``, ``val_acc``), best
        validation loss first.
    """
    n_trials = check_positive_int(n_trials, "random_search", "n_trials")
    rng = as_rng(rng)
    lrs = log_uniform(lr_range[0], lr_range[1], n_trials, rng)  # (n_trials,)
    wds = log_uniform(wd_range[0], wd_range[1], n_trials, rng)  # (n_trials,)
    trials = [train_config(float(lr), float(wd), epochs=epochs, rng=0) for lr, wd in zip(lrs, wds)]
    for t in trials:
        del t["history"]
    return sorted(trials, key=lambda t: t["val_loss"])


# ---------------------------------------------------------------- step 6: loss curves

def moving_average(x, window):
    """Trailing moving average over ``window`` values (shorter at the start).

    ``out[t] = mean(x[max(0, t - window + 1) : t + 1])``: the deck's advice to plot
    noisy batch losses as dots with a moving average on top.

    Examples
    --------
    >>> moving_average([1.0, 2.0, 3.0, 4.0], 2)
    array([1. , 1.5, 2.5, 3.5])
    """
    x = check_array(x, "moving_average", shape=("T",), name="x")
    window = check_positive_int(window, "moving_average", "window")
    csum = np.concatenate([[0.0], np.cumsum(x)])  # (T+1,)
    t = np.arange(1, len(x) + 1)  # (T,)
    start = np.maximum(0, t - window)  # (T,)
    return (csum[t] - csum[start]) / (t - start)


def loss_curve_pattern(pattern="good", epochs=10, rng=0):
    """Produce one of the typical loss curves by actually training a network on the digits.

    ``"good"``: SGD with momentum at lr 0.01. ``"lr too high"``: lr 0.2 (the
    loss falls at first, then jumps up and training blows up in the third epoch).
    ``"lr too low"``: lr 1e-4 (an almost straight, slowly falling line).
    ``"bad init"``: a 6-layer tanh network with weights from N(0, 0.05^2) (a plateau near log 10,
    then a late drop). ``"overfitting"``: 100 training images,
    Adam at 0.01 (the validation loss turns up while the training loss keeps falling).

    Returns
    -------
    dict
        ``batch_losses`` (iterations,): loss of every mini-batch; ``iters_per_epoch``;
        ``train_loss``, ``val_loss`` (epochs_run,): per-epoch means and validation
        losses (from ``fit``, or from the batches for the blow-up);
        ``pattern``.
    """
    if pattern not in PATTERNS:
        raise ValueError(f"loss_curve_pattern: pattern must be one of {PATTERNS}, got {pattern!r}")
    epochs = check_positive_int(epochs, "loss_curve_pattern", "epochs")
    n_train = 100 if pattern == "overfitting" else None
    X_train, X_val, y_train, y_val = digits_data(n_train=n_train)
    batch_size = 32
    if pattern == "bad init":
        model = mlp(32, depth=6, activation="tanh", weight_std=0.05, rng=rng)
    else:
        model = mlp(64, rng=rng)
    if pattern == "overfitting":
        opt = Adam(model.parameters(), lr=0.01)
        batch_size = 10
    else:
        lr = {"good": 0.01, "lr too high": 0.2, "lr too low": 1e-4, "bad init": 0.05}[pattern]
        opt = SGD(model.parameters(), lr=lr, momentum=0.9)
    iters_per_epoch = int(np.ceil(len(X_train) / batch_size))
    rng = as_rng(rng)
    batch_losses, train_loss, val_loss = [], [], []
    loss_fn = CrossEntropyLoss()
    for _ in range(epochs):
        losses = train_iterations(model, opt, X_train, y_train, iters_per_epoch, batch_size,
                                  rng=rng, max_loss=10.0 * expected_initial_loss(NUM_CLASSES))
        batch_losses.extend(losses)
        train_loss.append(float(np.mean(losses)))
        diverged = len(losses) < iters_per_epoch
        if diverged:
            val_loss.append(np.nan)
            break
        val_loss.append(evaluate(model, loss_fn, X_val, y_val)[0])
    return {"batch_losses": np.array(batch_losses), "iters_per_epoch": iters_per_epoch,
            "train_loss": np.array(train_loss), "val_loss": np.array(val_loss), "pattern": pattern}


def diagnose(train_loss, val_loss=None, num_classes=NUM_CLASSES):
    """Read a pair of per-epoch loss curves the way the lesson does and name the pattern.

    Rules, checked in this order:

    1. ``"diverging"``: a loss is NaN/inf, or the last training loss is above the first
       (learning rate too high);
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
    if len(train) < 2:
        raise ValueError("diagnose: train_loss needs at least 2 epochs to judge a trend")
    head = train[:max(2, len(train) // 3)]  # at least 2 epochs
    if np.all(np.abs(head - np.log(num_classes)) < 0.05 * np.log(num_classes)) \
            and train[-1] < 0.9 * train[0]:
        return "plateau then drop"
    if train[-1] > 0.5 * train[0]:
        return "too slow"
    if val is not None and val[-1] > 2 * train[-1] and val[-1] > val.min():
        return "overfitting"
    return "fine"
