r"""Weight initialisation with the lecture's variance formulas.

All schemes draw :math:`w \sim \mathcal{N}(0, \sigma^2)` (except ``zeros``). For a
weight array of shape ``(out, in)`` (or ``(out, in, kH, kW)`` for a convolution):

* :math:`M_{in}` = fan-in = ``in * kH * kW`` (inputs feeding one output unit),
* :math:`M_{out}` = fan-out = ``out * kH * kW``,
* :math:`M_{avg} = (M_{in} + M_{out}) / 2`.

=================  =========================  =====================================
name               variance                   where from
=================  =========================  =====================================
``zeros``          0                          shows the symmetry problem
``normal``         ``std**2`` (std 0.01)      "small random numbers"
``xavier``         :math:`1/M_{in}`           lecture eq. (42), keeps forward variance
``glorot``         :math:`1/M_{avg}`          lecture eq. (43), forward + backward
``he``             :math:`2/M_{in}`           He et al. 2015, PyTorch ``kaiming_normal_``
``he_avg``         :math:`2/M_{avg}`          lecture eq. (44) ("Glorot times 2")
=================  =========================  =====================================

Conventions differ between sources: the lecture's He variance uses
:math:`M_{avg}`, while the He et al. paper and most libraries use the fan-in,
:math:`2/M_{in}`. Both are offered; ``he`` is the common fan-in form. Also note that
PyTorch's ``xavier_normal_`` is what the lecture calls *Glorot* (the average form),
and PyTorch's default ``nn.Linear`` init is a uniform distribution, none of these.

Each function takes the weight shape and an ``rng`` (``None``, an int seed or a
``numpy.random.Generator``) and returns a new float64 array.
"""

import numpy as np

from nnlib.validation import as_rng, check_nonnegative


def fans(shape):
    """Fan-in and fan-out :math:`(M_{in}, M_{out})` of a weight array of this shape.

    Examples
    --------
    >>> fans((3, 2))            # Linear(2, 3): W is (out=3, in=2)
    (2, 3)
    >>> fans((8, 4, 3, 3))      # Conv2d(4, 8, 3): receptive field 3*3
    (36, 72)
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) < 2:
        raise ValueError(f"init.fans: weight shape must have at least 2 dimensions, got {shape}")
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def zeros(shape, rng=None):
    """All-zero weights. Every hidden unit then computes the same thing and gets the
    same gradient, so they never become different: the symmetry problem.

    Examples
    --------
    >>> zeros((2, 3))
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    return np.zeros(shape)


def normal(shape, std=0.01, rng=None):
    r"""Small random weights :math:`w \sim \mathcal{N}(0, \text{std}^2)`.

    Examples
    --------
    >>> normal((2, 3), std=0.01, rng=0).shape
    (2, 3)
    """
    std = check_nonnegative(std, "init.normal", "std")
    return std * as_rng(rng).standard_normal(shape)


def xavier(shape, rng=None):
    r"""Xavier initialisation as in the lecture: :math:`w \sim \mathcal{N}(0, 1/M_{in})`.

    Keeps the variance of a layer's output equal to the variance of its input
    (forward direction): :math:`M_{in} \cdot \mathbb{V}\{w\} = 1`.

    Examples
    --------
    >>> W = xavier((400, 100), rng=0)
    >>> round(float(W.var() * 100), 1)      # variance close to 1/M_in = 1/100
    1.0
    """
    fan_in, _ = fans(shape)
    return np.sqrt(1.0 / fan_in) * as_rng(rng).standard_normal(shape)


def glorot(shape, rng=None):
    r"""Glorot initialisation: :math:`w \sim \mathcal{N}(0, 1/M_{avg})`, :math:`M_{avg} = (M_{in}+M_{out})/2`.

    Compromise between the forward (:math:`1/M_{in}`) and backward
    (:math:`1/M_{out}`) conditions. Equal to PyTorch's ``xavier_normal_``.

    Examples
    --------
    >>> W = glorot((300, 100), rng=0)         # M_avg = 200
    >>> round(float(W.var() * 200), 1)
    1.0
    """
    fan_in, fan_out = fans(shape)
    return np.sqrt(2.0 / (fan_in + fan_out)) * as_rng(rng).standard_normal(shape)


def he(shape, rng=None, mode="fan_in"):
    r"""He initialisation for ReLU networks: :math:`w \sim \mathcal{N}(0, 2/M)`.

    ReLU zeroes half of its inputs, halving the variance; the factor 2 restores it.

    Parameters
    ----------
    shape : tuple
        Weight shape ``(out, in, ...)``.
    rng : None, int or numpy.random.Generator
        Source of randomness.
    mode : {"fan_in", "avg"}
        ``"fan_in"`` (default): :math:`M = M_{in}`, the form of He et al. and of
        PyTorch's ``kaiming_normal_``. ``"avg"``: :math:`M = M_{avg}`, the lecture's
        eq. (44), i.e. exactly twice the Glorot variance.

    Examples
    --------
    >>> W = he((300, 100), rng=0)             # 2 / M_in = 0.02
    >>> round(float(W.var() / 0.02), 1)
    1.0
    >>> W = he((300, 100), rng=0, mode="avg") # 2 / M_avg = 0.01
    >>> round(float(W.var() / 0.01), 1)
    1.0
    """
    fan_in, fan_out = fans(shape)
    if mode == "fan_in":
        M = fan_in
    elif mode == "avg":
        M = (fan_in + fan_out) / 2.0
    else:
        raise ValueError(f"init.he: mode must be 'fan_in' or 'avg', got {mode!r}")
    return np.sqrt(2.0 / M) * as_rng(rng).standard_normal(shape)


def he_avg(shape, rng=None):
    r"""The lecture's He form :math:`\mathcal{N}(0, 2/M_{avg})`; same as ``he(shape, rng, mode="avg")``."""
    return he(shape, rng=rng, mode="avg")


#: Names accepted by ``Linear(..., init=name)`` and ``initialize``.
SCHEMES = {
    "zeros": zeros,
    "normal": normal,
    "xavier": xavier,
    "glorot": glorot,
    "he": he,
    "he_avg": he_avg,
}


def initialize(scheme, shape, rng=None):
    """Draw weights of ``shape`` with a scheme given by name (see ``SCHEMES``) or as a function.

    Parameters
    ----------
    scheme : str or callable
        One of ``"zeros"``, ``"normal"``, ``"xavier"``, ``"glorot"``, ``"he"``, ``"he_avg"``,
        or a function ``f(shape, rng) -> array``.
    shape : tuple
        Weight shape.
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> initialize("zeros", (1, 2))
    array([[0., 0.]])
    >>> initialize("uniform", (1, 2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: init: unknown scheme 'uniform'; choose one of 'zeros', 'normal', ... f(shape, rng)
    """
    if callable(scheme):
        W = np.asarray(scheme(tuple(shape), as_rng(rng)), dtype=np.float64)
        if W.shape != tuple(shape):
            raise ValueError(
                f"init: the init function returned shape {W.shape}, expected {tuple(shape)}"
            )
        return W
    if scheme not in SCHEMES:
        names = ", ".join(repr(name) for name in SCHEMES)
        raise ValueError(
            f"init: unknown scheme {scheme!r}; choose one of {names} or pass a function f(shape, rng)"
        )
    return SCHEMES[scheme](shape, rng=rng)
