"""Input checks shared by every public entry point.

All messages follow one pattern so students learn to read them:
``"<Where>: <what> must <expectation>, got <what came>"``, e.g.
``"Linear.forward: input must have shape (N, 4), got (32, 3)"``.
"""

import numbers

import numpy as np


def format_shape(shape):
    """Render an expected shape; strings are free dimensions.

    >>> format_shape(("N", 4))
    '(N, 4)'
    >>> format_shape((3,))
    '(3,)'
    """
    parts = [str(d) for d in shape]
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


def check_array(x, where, shape=None, name="input", allow_nan=False):
    """Return ``x`` as a float64 array after checking its shape and values.

    Parameters
    ----------
    x : array_like
        The array to check. It is never modified.
    where : str
        Who is checking, e.g. ``"Linear.forward"``; starts the error message.
    shape : tuple, optional
        Expected shape. Integers must match exactly; strings (``"N"``) match any size.
    name : str
        What the array is called in the message.
    allow_nan : bool
        If False (default), NaN or inf raise ``ValueError``.

    Returns
    -------
    numpy.ndarray
        ``x`` as float64 (the same object when it already is float64).

    Examples
    --------
    >>> check_array([[1, 2]], "Demo", shape=("N", 2)).dtype
    dtype('float64')
    >>> check_array([[1, 2, 3]], "Linear.forward", shape=("N", 2))
    Traceback (most recent call last):
    ...
    ValueError: Linear.forward: input must have shape (N, 2), got (1, 3)
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{where}: {name} must be a numeric array, got {type(x).__name__}") from err
    if shape is not None:
        ok = arr.ndim == len(shape) and all(
            isinstance(d, str) or d == s for d, s in zip(shape, arr.shape)
        )
        if not ok:
            raise ValueError(
                f"{where}: {name} must have shape {format_shape(shape)}, got {tuple(arr.shape)}"
            )
    if not allow_nan and not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: {name} contains NaN or inf; check the data or the learning rate")
    return arr


def check_same_shape(a, b, where, names=("pred", "target")):
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{where}: {names[0]} and {names[1]} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_positive_int(value, where, name):
    """Return ``value`` if it is an int >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{where}: {name} must be >= 1, got {value}")
    return int(value)


def check_int(value, where, name):
    """Return ``value`` if it is an int (Python or numpy, any sign), else raise.

    >>> check_int(-100, "NLLLoss", "ignore_index")
    -100
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__}")
    return int(value)


def check_nonnegative_int(value, where, name):
    """Return ``value`` if it is an int >= 0 (Python or numpy), else raise.

    >>> check_nonnegative_int(0, "ReduceLROnPlateau", "patience")
    0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{where}: {name} must be >= 0, got {value}")
    return int(value)


def check_bool(value, where, name):
    """Return ``value`` as bool if it is True or False (Python or numpy), else raise ``TypeError``.

    >>> check_bool(True, "fit", "verbose")
    True
    >>> check_bool(1, "fit", "verbose")
    Traceback (most recent call last):
    ...
    TypeError: fit: verbose must be True or False, got 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_nonnegative(value, where, name):
    """Return ``value`` as float if it is a finite number >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value}")
    return float(value)


def check_positive(value, where, name):
    """Return ``value`` as float if it is a finite number > 0, else raise.

    >>> check_positive(0.5, "RBFNetwork", "sigma")
    0.5
    >>> check_positive(0, "RBFNetwork", "sigma")
    Traceback (most recent call last):
    ...
    ValueError: RBFNetwork: sigma must be a finite number > 0, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {value}")
    return float(value)


def check_in_range(value, where, name, low, high, low_open=False, high_open=True):
    """Return ``value`` as float if it lies in the interval, else raise.

    >>> check_in_range(0.5, "Dropout", "p", 0.0, 1.0)
    0.5
    >>> check_in_range(1.0, "Dropout", "p", 0.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: Dropout: p must be in [0.0, 1.0), got 1.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high or not np.isfinite(value):
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{where}: {name} must be in {left}{low}, {high}{right}, got {value}")
    return float(value)


def check_real(value, where, name):
    """Return ``value`` as float if it is a finite real number (Python or numpy), else raise.

    >>> check_real(-2, "Softplus", "threshold")
    -2.0
    >>> check_real(True, "Softplus", "threshold")
    Traceback (most recent call last):
    ...
    TypeError: Softplus: threshold must be a number, got bool
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value}")
    return float(value)


def check_int_pair(value, where, name, minimum=1):
    """Return ``(a, b)`` for an int ``n`` (meaning ``(n, n)``) or a pair of ints, each >= ``minimum``.

    Used for the ``kernel_size``, ``stride``, ``padding`` and ``dilation`` of the image
    layers, which accept ``3`` or ``(3, 5)`` (height, width) as in PyTorch.

    >>> check_int_pair(3, "Conv2d", "kernel_size")
    (3, 3)
    >>> check_int_pair((2, 5), "Conv2d", "kernel_size")
    (2, 5)
    >>> check_int_pair((2, 0), "Conv2d", "kernel_size")
    Traceback (most recent call last):
    ...
    ValueError: Conv2d: kernel_size must be >= 1 in both directions, got (2, 0)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{where}: {name} must be an int or a pair (height, width), got {tuple(value)}")
        pair = tuple(value)
    else:
        pair = (value, value)
    for v in pair:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(
                f"{where}: {name} must be an int or a pair of ints, got {type(v).__name__}"
            )
    if min(pair) < minimum:
        shown = tuple(int(v) for v in pair) if isinstance(value, (tuple, list)) else int(value)
        detail = " in both directions" if isinstance(value, (tuple, list)) else ""
        raise ValueError(f"{where}: {name} must be >= {minimum}{detail}, got {shown}")
    return int(pair[0]), int(pair[1])


def check_choice(value, where, name, choices):
    """Return ``value`` if it is one of ``choices`` (strings), else raise ``ValueError``.

    >>> check_choice("sum", "MSELoss", "reduction", ("mean", "sum", "none"))
    'sum'
    >>> check_choice("avg", "MSELoss", "reduction", ("mean", "sum", "none"))
    Traceback (most recent call last):
    ...
    ValueError: MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'
    """
    if not isinstance(value, str) or value not in choices:
        names = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{where}: {name} must be one of {names}, got {value!r}")
    return value


def as_rng(rng):
    """Turn ``None``, an int seed or a ``Generator`` into a ``np.random.Generator``.

    >>> bool(as_rng(0).integers(10) == as_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {type(rng).__name__}")
