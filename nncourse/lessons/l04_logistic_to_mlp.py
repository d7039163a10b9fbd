"""Lesson 04: from logistic regression to the MLP (data, training loop, long experiments).

The roadmap networks NW1 to NW4, their forward passes and losses, the collapse of stacked linear
layers, the XOR network, the hand-set staircase of the universal approximation theorem and the
deep tent network are all built and computed in ``notebooks/04_logistic_to_mlp.ipynb`` itself.
This module holds what is not the point of the lesson: the three-class data set, a full-batch
training loop, and the gradient-descent fit of a one-hidden-layer network to a 1-D function.
"""

import numpy as np

from nnlib.activations import Sigmoid
from nnlib.layers import Linear
from nnlib.losses import MSELoss
from nnlib.module import Sequential
from nnlib.optim import Adam
from nnlib.validation import as_rng, check_array, check_positive, check_positive_int


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
        Radius of the disc and inner radius of the ring, ``0 < inner <= outer < 1``.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X : numpy.ndarray, shape (N, 2)
    y : numpy.ndarray of int64, shape (N,), labels 0, 1, 2

    Examples
    --------
    >>> X, y = make_disc_and_ring(rng=0)
    >>> X.shape, np.bincount(y).tolist()
    ((235, 2), [66, 79, 90])
    """
    n = check_positive_int(n, "make_disc_and_ring", "n")
    if not 0 < inner <= outer < 1:
        raise ValueError(f"make_disc_and_ring: need 0 < inner <= outer < 1, got inner={inner}, outer={outer}")
    rng = as_rng(rng)
    r = np.sqrt(rng.uniform(0.0, 1.0, n))  # (n,) uniform over the disc's area
    theta = rng.uniform(0.0, 2.0 * np.pi, n)  # (n,)
    keep = (r < inner) | (r > outer)
    r, theta = r[keep], theta[keep]
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])  # (N, 2)
    y = np.where(r < inner, 0, np.where(X[:, 1] > 0, 1, 2))  # (N,)
    return X, y.astype(np.int64)


def train_full_batch(net, loss, X, target, lr, epochs, progress=None):
    """Adam on the whole data set at once (no mini-batches); the loss before and after each step.

    Each step is ``zero_grad``, forward, ``loss``, backward, ``step``, as in lesson 03's loop
    with a single batch.

    Parameters
    ----------
    net : nnlib.module.Module
        Trained in place.
    loss : nnlib loss object
        Called as ``loss(net(X), target)``.
    X : numpy.ndarray, shape (N, M)
    target : numpy.ndarray
        Whatever ``loss`` expects.
    lr : float
        Adam's learning rate.
    epochs : int
        Number of steps.
    progress : callable, optional
        Called as ``progress(fraction_done)`` about a hundred times during training (a Run
        button's progress bar).

    Returns
    -------
    numpy.ndarray, shape (epochs + 1,)
        The loss at the start, then after every step.

    Examples
    --------
    >>> net = Sequential(Linear(1, 1, rng=0))
    >>> x = np.array([[0.0], [1.0]])
    >>> history = train_full_batch(net, MSELoss(), x, 2 * x + 1, lr=0.1, epochs=300)
    >>> bool(history[-1] < 1e-3 * history[0])
    True
    """
    lr = check_positive(lr, "train_full_batch", "lr")
    epochs = check_positive_int(epochs, "train_full_batch", "epochs")
    opt = Adam(net.parameters(), lr=lr)
    every = max(1, epochs // 100)
    history = [float(loss(net(X), target))]
    for epoch in range(1, epochs + 1):
        opt.zero_grad()
        loss(net(X), target)
        net.backward(loss.backward())
        opt.step()
        history.append(float(loss(net(X), target)))
        if progress is not None and (epoch % every == 0 or epoch == epochs):
            progress(epoch / epochs)
    return np.array(history)


def fit_one_hidden_layer(f, n_hidden, epochs=1000, lr=0.05, n_points=100, rng=0, progress=None):
    """Fit ``Linear(1, H) -> Sigmoid -> Linear(H, 1)`` to ``f`` on [0, 1] by gradient descent.

    Full-batch Adam on the mean squared error over ``n_points`` evenly spaced inputs.
    Each hidden sigmoid ``sigma(w x + b)`` starts with a random slope ``|w|`` in [5, 30]
    (either sign) and switches at a random place ``-b / w`` in [0, 1], so the units begin
    spread over the interval instead of saturated outside it.

    Parameters
    ----------
    f : callable
        Vectorised function of one variable, called on an ``(n_points, 1)`` array.
    n_hidden : int
        Hidden units ``H``.
    epochs : int
        Adam steps.
    lr : float
        Adam's learning rate.
    n_points : int
        Training inputs on [0, 1].
    rng : None, int or numpy.random.Generator
        Seed of the initial weights.
    progress : callable, optional
        Passed to :func:`train_full_batch`.

    Returns
    -------
    dict
        ``net`` (the trained network), ``x`` (n_points, 1), ``loss`` (epochs + 1,).

    Examples
    --------
    >>> out = fit_one_hidden_layer(np.sin, 10, epochs=300)
    >>> bool(out["loss"][-1] < out["loss"][0])
    True
    """
    n_hidden = check_positive_int(n_hidden, "fit_one_hidden_layer", "n_hidden")
    n_points = check_positive_int(n_points, "fit_one_hidden_layer", "n_points")
    rng = as_rng(rng)
    x = np.linspace(0.0, 1.0, n_points).reshape(-1, 1)  # (P, 1)
    t = check_array(f(x), "fit_one_hidden_layer", (n_points, 1), "f(x)")  # (P, 1)
    hidden = Linear(1, n_hidden, rng=rng)
    slopes = rng.choice([-1.0, 1.0], n_hidden) * rng.uniform(5.0, 30.0, n_hidden)  # (H,)
    centres = rng.uniform(0.0, 1.0, n_hidden)  # (H,) where each sigmoid switches
    hidden.W[:, 0] = slopes  # (H,)
    hidden.b[...] = -slopes * centres  # (H,)
    output = Linear(n_hidden, 1, rng=rng)
    net = Sequential(hidden, Sigmoid(), output)
    history = train_full_batch(net, MSELoss(), x, t, lr, epochs, progress=progress)
    return {"net": net, "x": x, "loss": history}
