"""Lesson 07 -- activation functions and losses: shapes, derivatives, depth, and the loss per task.

Plain functions behind the worked examples and sliders of
``notebooks/07_activations_losses.ipynb``. The maths comes from ``nnlib.functional``,
``nnlib.activations`` and ``nnlib.losses``; these functions evaluate it on grids, in deep
stacks and in small experiments, and return arrays for the notebook to plot.

Activations (``g`` and its derivative ``g'``, both functions of the pre-activation z):

* sigmoid ``1 / (1 + e^-z)``, ``g' = g (1 - g) <= 1/4``;
* tanh, ``g' = 1 - g^2 <= 1``;
* ReLU ``max(0, z)``, ``g' = 1[z > 0]``;
* leaky ReLU ``max(alpha z, z)``, ``g' = 1`` or ``alpha``;
* ELU ``z`` or ``alpha (e^z - 1)``, ``g' = 1`` or ``g(z) + alpha``;
* softmax (a whole layer), Jacobian ``s_i (delta_ij - s_j)``.
"""

import numpy as np

from nnlib import functional as F
from nnlib.activations import ELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nnlib.datasets import make_moons
from nnlib.functional import softmax_jacobian
from nnlib.layers import BatchNorm1d, Linear
from nnlib.losses import BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss, L1Loss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.training import accuracy, fit
from nnlib.validation import as_rng, check_array, check_positive_int

#: Activation name -> (function, derivative) of z and alpha (alpha is ignored where unused).
ACTIVATION_FUNCTIONS = {
    "sigmoid": (lambda z, alpha: F.sigmoid(z), lambda z, alpha: F.sigmoid_prime(z)),
    "tanh": (lambda z, alpha: F.tanh(z), lambda z, alpha: F.tanh_prime(z)),
    "relu": (lambda z, alpha: F.relu(z), lambda z, alpha: F.relu_prime(z)),
    "leaky_relu": (F.leaky_relu, F.leaky_relu_prime),
    "elu": (F.elu, F.elu_prime),
}

#: Activation name -> nnlib layer class (``alpha`` goes to LeakyReLU's ``negative_slope`` / ELU's ``alpha``).
ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
                     "elu": ELU, "identity": Identity}


def _check_choice(value, options, where, name):
    if value not in options:
        raise ValueError(f"{where}: {name} must be one of {sorted(options)}, got {value!r}")
    return value


def activation_layer(name, alpha=0.1):
    """The nnlib layer for an activation name, e.g. ``LeakyReLU(negative_slope=alpha)``.

    Examples
    --------
    >>> activation_layer("leaky_relu", 0.05)
    LeakyReLU(negative_slope=0.05)
    """
    _check_choice(name, ACTIVATION_LAYERS, "activation_layer", "name")
    if name == "leaky_relu":
        return LeakyReLU(negative_slope=alpha)
    if name == "elu":
        return ELU(alpha=alpha)
    return ACTIVATION_LAYERS[name]()


# ---------------------------------------------------------------------------
# The activation explorer
# ---------------------------------------------------------------------------

def activation_curve(name="sigmoid", alpha=0.1, z0=1.0, z=None):
    """Slider callback: an activation, its derivative, and the tangent at ``z0``.

    The derivative is taken from nnlib twice: the ``*_prime`` function, and the
    activation layer's ``backward`` with upstream gradient 1 (what backpropagation
    multiplies by). A central difference of the function confirms both.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "leaky_relu", "elu"}
    alpha : float
        Slope of leaky ReLU for z <= 0, or ELU's saturation level (ignored otherwise).
    z0 : float
        Where to draw the tangent.
    z : array_like, optional
        Grid; default 401 points in [-5, 5].

    Returns
    -------
    dict
        ``z``, ``g``, ``g_prime`` (arrays), ``g0``, ``slope0`` (value and derivative at
        ``z0``), ``slope0_numeric`` (central difference), ``slope0_backward`` (layer
        backward), ``range`` (min and max of ``g`` on the grid).

    Examples
    --------
    >>> c = activation_curve("sigmoid", z0=0.0)
    >>> c["g0"], c["slope0"], c["slope0_backward"]
    (0.5, 0.25, 0.25)
    """
    _check_choice(name, ACTIVATION_FUNCTIONS, "activation_curve", "name")
    f, df = ACTIVATION_FUNCTIONS[name]
    z = np.linspace(-5.0, 5.0, 401) if z is None else check_array(z, "activation_curve", name="z")
    layer = activation_layer(name, alpha)
    layer(np.array([[z0]]))
    eps = 1e-6
    return {
        "name": name, "alpha": alpha, "z": z, "g": f(z, alpha), "g_prime": df(z, alpha), "z0": z0,
        "g0": float(f(np.array(z0), alpha)), "slope0": float(df(np.array(z0), alpha)),
        "slope0_numeric": float((f(np.array(z0 + eps), alpha) - f(np.array(z0 - eps), alpha)) / (2 * eps)),
        "slope0_backward": float(layer.backward(np.array([[1.0]]))[0, 0]),
        "range": (float(np.min(f(z, alpha))), float(np.max(f(z, alpha)))),
    }


def activation_table(z_values=(-2.0, -1.0, 0.0, 1.0, 2.0), alpha=0.1):
    """Value and derivative of every activation at a few points.

    Returns
    -------
    dict
        name -> ``(g(z), g'(z))`` arrays, each of shape (len(z_values),).

    Examples
    --------
    >>> g, dg = activation_table([0.0])["tanh"]
    >>> float(g[0]), float(dg[0])
    (0.0, 1.0)
    """
    z = check_array(z_values, "activation_table", name="z_values")
    return {name: (f(z, alpha), df(z, alpha)) for name, (f, df) in ACTIVATION_FUNCTIONS.items()}


def max_derivative(name, alpha=0.1):
    """Largest value of ``g'`` on a fine grid in [-10, 10] (sigmoid: 1/4 at z = 0).

    Examples
    --------
    >>> max_derivative("sigmoid")
    0.25
    """
    z = np.linspace(-10.0, 10.0, 20001)  # contains z = 0 exactly
    return float(np.max(ACTIVATION_FUNCTIONS[_check_choice(name, ACTIVATION_FUNCTIONS, "max_derivative",
                                                            "name")][1](z, alpha)))


def softmax_check(z, grad_A=None):
    """Softmax of ``z``, its Jacobian ``s_i (delta_ij - s_j)``, and nnlib's ``Softmax.backward``.

    For an upstream gradient ``g`` (row vector dL/ds) the chain rule gives ``g J``;
    ``Softmax.backward`` computes the same without forming J.

    Returns
    -------
    dict
        ``s`` (K,), ``J`` (K, K), ``via_jacobian`` and ``via_backward`` (K,).

    Examples
    --------
    >>> out = softmax_check([0.0, 0.0])
    >>> out["s"], out["J"][0]
    (array([0.5, 0.5]), array([ 0.25, -0.25]))
    """
    z = check_array(z, "softmax_check", shape=("K",), name="z")
    g = np.arange(1.0, z.size + 1.0) if grad_A is None else check_array(grad_A, "softmax_check",
                                                                         shape=z.shape, name="grad_A")
    layer = Softmax()
    s = layer(z.reshape(1, -1))[0]  # (K,)
    J = softmax_jacobian(z)  # (K, K)
    return {"s": s, "J": J, "via_jacobian": g @ J, "via_backward": layer.backward(g.reshape(1, -1))[0]}


def same_sign_updates(name, n_inputs=8, rng=0):
    """Why zero-centred activations help: the signs of one unit's weight gradient.

    A unit in the next layer receives inputs ``a = g(z)`` from this layer; for one
    example its weight gradient is ``delta * a`` (``dW = delta.T @ A_prev``). If ``g``
    is always positive (sigmoid), every entry has the sign of the scalar ``delta``:
    all weights must move up together or down together, and reaching a mixed
    direction takes a zig-zag of updates.

    Returns
    -------
    dict
        ``a`` (n_inputs,) inputs, ``dW`` (n_inputs,) the weight gradient,
        ``same_sign`` (True if all non-zero entries share one sign).

    Examples
    --------
    >>> same_sign_updates("sigmoid")["same_sign"], same_sign_updates("tanh")["same_sign"]
    (True, False)
    """
    f = ACTIVATION_FUNCTIONS[_check_choice(name, ACTIVATION_FUNCTIONS, "same_sign_updates", "name")][0]
    rng = as_rng(rng)
    a = f(rng.standard_normal(n_inputs), 0.1)  # (n_inputs,) this layer's outputs
    unit = Linear(n_inputs, 1, rng=rng)
    unit(a.reshape(1, -1))
    delta = np.array([[-0.7]])  # (1, 1) the unit's error signal
    unit.backward(delta)
    dW = unit.dW[0]  # (n_inputs,) = delta * a
    signs = np.sign(dW[dW != 0])
    return {"a": a, "dW": dW, "same_sign": bool(signs.size and np.all(signs == signs[0]))}


# ---------------------------------------------------------------------------
# Vanishing gradients across depth
# ---------------------------------------------------------------------------

def deep_network(activation="sigmoid", depth=10, width=32, n_inputs=16, n_classes=4,
                 batchnorm=False, alpha=0.1, rng=0):
    """``depth`` hidden layers ``Linear -> [BatchNorm1d] -> activation`` and a linear output.

    Weights use nnlib's default initialisation (the lecture's Xavier, N(0, 1/fan_in)).

    Examples
    --------
    >>> net = deep_network("tanh", depth=2, width=4)
    >>> [type(l).__name__ for l in net.layers]
    ['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']
    """
    _check_choice(activation, ACTIVATION_FUNCTIONS, "deep_network", "activation")
    depth = check_positive_int(depth, "deep_network", "depth")
    width = check_positive_int(width, "deep_network", "width")
    rng = as_rng(rng)
    layers, fan_in = [], n_inputs
    for _ in range(depth):
        layers.append(Linear(fan_in, width, rng=rng))
        if batchnorm:
            layers.append(BatchNorm1d(width))
        layers.append(activation_layer(activation, alpha))
        fan_in = width
    layers.append(Linear(fan_in, n_classes, rng=rng))
    return Sequential(*layers)


def gradient_norms_per_layer(activation="sigmoid", depth=10, width=32, batchnorm=False,
                             n=128, alpha=0.1, rng=0):
    """Slider callback: the size of the weight gradient in every layer after one backward pass.

    A random batch of ``n`` inputs with random class labels goes through
    :func:`deep_network`; after one backward pass of the cross-entropy we record the
    Frobenius norm of ``dW`` for every ``Linear`` layer (layer 1 = nearest the input).
    Each layer's delta is the next one's times ``W`` times ``g'(Z)``; with the sigmoid
    ``g' <= 1/4``, so the norms shrink roughly geometrically towards the input.

    Returns
    -------
    dict
        ``layer`` (1..depth+1), ``grad_norm`` (depth+1,), ``ratio`` (first / last
        layer's norm), ``activation``, ``depth``, ``batchnorm``.

    Examples
    --------
    >>> out = gradient_norms_per_layer("sigmoid", depth=3)
    >>> out["layer"].tolist(), out["grad_norm"].shape
    ([1, 2, 3, 4], (4,))
    """
    rng = as_rng(rng)
    net = deep_network(activation, depth, width, batchnorm=batchnorm, alpha=alpha, rng=rng)
    X = rng.standard_normal((n, 16))  # (n, 16)
    labels = rng.integers(0, 4, size=n)  # (n,)
    loss = CrossEntropyLoss()
    loss(net(X), labels)
    net.backward(loss.backward())
    norms = np.array([np.linalg.norm(layer.dW) for layer in net.layers if isinstance(layer, Linear)])
    return {"layer": np.arange(1, len(norms) + 1), "grad_norm": norms, "ratio": float(norms[0] / norms[-1]),
            "activation": activation, "depth": depth, "batchnorm": batchnorm}


# ---------------------------------------------------------------------------
# Dying ReLUs
# ---------------------------------------------------------------------------

def dead_units(model, X):
    """Which hidden units of a one-hidden-layer model never fire (``z <= 0`` for every row of X).

    A ReLU unit that is dead on the whole training set gets ``g'(z) = 0`` for every
    example, so its incoming weights and bias receive exactly zero gradient.

    Returns
    -------
    numpy.ndarray of bool, shape (hidden,)

    Examples
    --------
    >>> m = Sequential(Linear(1, 2, init="zeros"), ReLU(), Linear(2, 1))
    >>> m.layers[0].b[...] = [1.0, -1.0]
    >>> dead_units(m, np.zeros((3, 1))).tolist()
    [False, True]
    """
    Z = model.layers[0](check_array(X, "dead_units", name="X"))  # (N, hidden)
    return np.all(Z <= 0, axis=0)


def dying_relu_demo(bias_shift=-2.0, activation="relu", alpha=0.1, hidden=20, epochs=50,
                    lr=0.3, rng=0):
    """Slider callback: shift the hidden biases down and see units die (ReLU) or survive (leaky).

    A 2-``hidden``-2 network on the moons data starts with all hidden biases set to
    ``bias_shift`` (a stand-in for a bad initialisation or one huge update that pushed
    them there). It is then trained with mini-batch SGD.

    Returns
    -------
    dict
        ``dead_before`` and ``dead_after`` (bool arrays, units with z <= 0 on every
        training example), ``weight_change`` (hidden,) change of each unit's incoming
        weights during training, ``accuracy`` (training), ``activation``.

    Examples
    --------
    >>> out = dying_relu_demo(bias_shift=-10.0, epochs=2)
    >>> bool(out["dead_before"].all()), float(out["weight_change"].max())
    (True, 0.0)
    """
    _check_choice(activation, ("relu", "leaky_relu"), "dying_relu_demo", "activation")
    rng = as_rng(rng)
    X, y = make_moons(200, noise=0.15, rng=rng)
    model = Sequential(Linear(2, hidden, rng=rng), activation_layer(activation, alpha),
                       Linear(hidden, 2, rng=rng))
    model.layers[0].b[...] = bias_shift
    W_start = model.layers[0].W.copy()  # (hidden, 2)
    dead_before = dead_units(model, X)
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=lr), X, y, epochs=epochs,
        batch_size=20, rng=rng, verbose=False)
    return {"dead_before": dead_before, "dead_after": dead_units(model, X),
            "weight_change": np.linalg.norm(model.layers[0].W - W_start, axis=1),
            "accuracy": accuracy(model(X), y), "activation": activation, "bias_shift": bias_shift}


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------

def _pointwise(loss, pred, target):
    """Loss value and derivative dl/dpred of ``loss`` for each (pred, target) pair separately."""
    values, slopes = np.empty(pred.size), np.empty(pred.size)
    for i, (p, t) in enumerate(zip(pred, target)):
        values[i] = loss(np.array([p]), np.array([t]))
        slopes[i] = loss.backward()[0]
    return values, slopes


def regression_losses(error=None, delta=1.0):
    """MSE, MAE and Huber loss of one example as functions of the error ``d = y_hat - y``.

    Computed by nnlib's ``MSELoss``, ``L1Loss`` and ``HuberLoss(delta)`` on one example at
    a time, so the values are the per-example losses and ``backward`` gives ``dl/dd``.

    Returns
    -------
    dict
        ``error`` and name -> ``(loss, derivative)`` for ``"MSE"``, ``"MAE"``, ``"Huber"``.

    Examples
    --------
    >>> r = regression_losses([0.5, 3.0], delta=1.0)
    >>> r["MSE"][0], r["Huber"][0]
    (array([0.25, 9.  ]), array([0.125, 2.5  ]))
    """
    d = np.linspace(-3.0, 3.0, 241) if error is None else check_array(error, "regression_losses",
                                                                       shape=("M",), name="error")
    zeros = np.zeros_like(d)
    return {"error": d, "MSE": _pointwise(MSELoss(), d, zeros), "MAE": _pointwise(L1Loss(), d, zeros),
            "Huber": _pointwise(HuberLoss(delta=delta), d, zeros)}


def classification_losses(margin=None):
    """Binary classification losses as functions of the margin ``m = y f`` (label y = +1 or -1).

    * zero-one loss ``1[m < 0]`` (what we would like to minimise; no useful gradient);
    * hinge ``max(0, 1 - m)`` (nnlib's ``HingeLoss``, linear output, labels -1/+1);
    * logistic / BCE on logits ``log(1 + e^{-m})`` (nnlib's ``BCEWithLogitsLoss``: a sigmoid
      output with BCE, label 1 and logit m -- for label -1 the logit is -f, same margin);
    * squared error ``(1 - m)^2`` of the score against the label (nnlib's ``MSELoss``).

    Returns
    -------
    dict
        ``margin`` and name -> ``(loss, derivative dl/dm)`` for ``"zero-one"``, ``"hinge"``,
        ``"logistic (BCE)"``, ``"squared"``.

    Examples
    --------
    >>> c = classification_losses([-1.0, 0.0, 2.0])
    >>> c["hinge"][0], c["zero-one"][0]
    (array([2., 1., 0.]), array([1., 0., 0.]))
    """
    m = np.linspace(-3.0, 3.0, 241) if margin is None else check_array(margin, "classification_losses",
                                                                        shape=("M",), name="margin")
    ones = np.ones_like(m)
    return {"margin": m, "zero-one": ((m < 0).astype(float), np.zeros_like(m)),
            "hinge": _pointwise(HingeLoss(), m, ones),
            "logistic (BCE)": _pointwise(BCEWithLogitsLoss(), m, ones),
            "squared": _pointwise(MSELoss(), m, ones)}


def fit_constant(y, loss="MSE", delta=1.0, lr=0.5, steps=400):
    """Fit one number ``c`` to data ``y`` by gradient descent on a regression loss.

    MSE is minimised by the **mean**, MAE by the **median**, Huber by something in
    between: far-away points (outliers) pull only with force ``delta``.

    Parameters
    ----------
    y : array_like, shape (N,)
    loss : {"MSE", "MAE", "Huber"}
    delta : float
        Huber's threshold.
    lr : float
    steps : int

    Returns
    -------
    float
        The fitted constant.

    Examples
    --------
    >>> round(fit_constant([1.0, 2.0, 3.0, 10.0], "MSE"), 6)
    4.0
    """
    losses = {"MSE": MSELoss, "MAE": L1Loss, "Huber": lambda: HuberLoss(delta=delta)}
    _check_choice(loss, losses, "fit_constant", "loss")
    y = check_array(y, "fit_constant", shape=("N",), name="y")
    steps = check_positive_int(steps, "fit_constant", "steps")
    loss_fn = losses[loss]()
    c = float(np.median(y)) if loss == "MSE" else float(np.mean(y))  # start at the *other* answer
    for step in range(steps):
        loss_fn(np.full_like(y, c), y)
        grad = float(np.sum(loss_fn.backward()))  # dL/dc = sum of dL/dpred_n
        c -= lr * grad * (1.0 - step / steps)  # shrinking steps settle MAE's kink
    return c


def gaussian_nll(y, mu, sigma=1.0):
    """Negative log-likelihood ``-log N(y | mu, sigma^2) = (y - mu)^2 / (2 sigma^2) + log(sigma sqrt(2 pi))``.

    With ``sigma`` fixed, minimising it over ``mu`` is minimising the squared error: the
    probabilistic reading of "linear output + MSE".

    Examples
    --------
    >>> round(gaussian_nll(1.0, 1.0) - gaussian_nll(3.0, 1.0), 6)   # differs by (3 - 1)^2 / 2
    -2.0
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    return float(np.mean((y - mu) ** 2 / (2 * sigma**2) + np.log(sigma * np.sqrt(2 * np.pi))))


def cross_entropy_and_kl(p, q):
    """Cross-entropy ``H(p, q)``, entropy ``H(p)`` and KL divergence ``KL(p || q) = H(p, q) - H(p)``.

    ``H(p, q)`` is computed by nnlib's ``CrossEntropyLoss`` with logits ``log q`` and the
    probability row ``p`` as a soft target. For a one-hot ``p`` the entropy is 0, so
    cross-entropy and KL divergence coincide: minimising one minimises the other.

    Returns
    -------
    dict
        ``cross_entropy``, ``entropy``, ``kl`` (floats, in nats).

    Examples
    --------
    >>> r = cross_entropy_and_kl([0.0, 1.0, 0.0], [0.2, 0.5, 0.3])
    >>> round(r["cross_entropy"], 6), round(r["kl"], 6)
    (0.693147, 0.693147)
    """
    p = check_array(p, "cross_entropy_and_kl", shape=("K",), name="p")
    q = check_array(q, "cross_entropy_and_kl", shape=p.shape, name="q")
    if np.any(q <= 0) or not np.isclose(q.sum(), 1.0) or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
        raise ValueError("cross_entropy_and_kl: p and q must be probability vectors (q > 0, each sums to 1)")
    ce = CrossEntropyLoss()(np.log(q).reshape(1, -1), p.reshape(1, -1))
    nonzero = p > 0
    entropy = float(-np.sum(p[nonzero] * np.log(p[nonzero]))) + 0.0  # + 0.0 turns -0.0 into 0.0
    return {"cross_entropy": ce, "entropy": entropy, "kl": ce - entropy}


#: Output layer and loss per task (the KIT, OTH and Karlsruhe decks agree).
TASK_TABLE = (
    ("regression", "1 linear unit per target", "MSE (Gaussian NLL); MAE or Huber if outliers",
     "MSELoss / L1Loss / HuberLoss", "real numbers"),
    ("binary classification", "1 sigmoid unit", "binary cross-entropy", "BCEWithLogitsLoss (or Sigmoid + BCELoss)",
     "0 / 1"),
    ("binary classification (max margin)", "1 linear unit", "hinge max(0, 1 - y f)", "HingeLoss", "-1 / +1"),
    ("multi-class classification", "K softmax units", "cross-entropy (= KL to one-hot labels)",
     "CrossEntropyLoss on the logits", "class index 0..K-1 or one-hot"),
)
