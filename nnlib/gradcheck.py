r"""Numerical gradient checking with central differences.

For a scalar function :math:`f` and a tiny step :math:`\epsilon`,

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon},

whose error shrinks like :math:`\epsilon^2` (the one-sided difference only like
:math:`\epsilon`). To check a layer we turn it into a scalar with a **random**
upstream gradient :math:`G`: :math:`f = \sum_{n,k} Y_{nk} G_{nk}`. Then
:math:`\partial f / \partial Y = G`, so ``layer.backward(G)`` must return
:math:`\partial f / \partial X` and leave :math:`\partial f / \partial P` in every
``dP``. A random ``G`` (rather than all ones) catches transposed or mixed-up
gradients that would cancel out in a plain sum.

Keep inputs away from kinks (ReLU at 0, L1 at 0): there the numerical
derivative straddles two slopes and disagrees with any analytic choice.
"""

import numpy as np

from nnlib.validation import as_rng, check_array


def numerical_gradient(f, x, eps=1e-6):
    r"""Central-difference gradient of a scalar function ``f`` at ``x``.

    ``x`` is perturbed **in place**, one entry at a time, and restored exactly
    afterwards; this lets ``f`` read ``x`` through a closure (e.g. a layer's
    ``W``). Pass a copy if you do not want that.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : numpy.ndarray (float64)
        Point at which to differentiate.
    eps : float
        Step :math:`\epsilon`.

    Returns
    -------
    numpy.ndarray
        :math:`\partial f / \partial x`, same shape as ``x``.

    Examples
    --------
    >>> x = np.array([1.0, -2.0])
    >>> np.round(numerical_gradient(lambda v: float(np.sum(v ** 3)), x), 6)   # 3 x^2
    array([ 3., 12.])
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient: x must be a float64 numpy array (it is perturbed in place)")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old  # restore
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def numerical_jacobian(f, x, eps=1e-6):
    """Jacobian ``J[i, j] = d f_i / d x_j`` (numerator layout) by central differences.

    Shape
    -----
    ``x`` (L,), ``f(x)`` (D,) -> ``J`` (D, L).

    Examples
    --------
    >>> W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> np.round(numerical_jacobian(lambda v: W @ v, np.array([0.5, -1.0])), 6)
    array([[1., 2.],
           [3., 4.],
           [5., 6.]])
    """
    x = check_array(x, "numerical_jacobian", shape=("L",), name="x").copy()  # perturbed by numerical_gradient
    D = np.asarray(f(x)).size
    rows = [numerical_gradient(lambda v, i=i: float(np.ravel(f(v))[i]), x, eps) for i in range(D)]
    return np.array(rows)  # (D, L)


def relative_error(analytic, numeric, floor=1e-8):
    r"""Element-wise :math:`|a - n| / \max(|a| + |n|, \text{floor})`.

    Examples
    --------
    >>> relative_error(np.array([1.0, 0.0]), np.array([1.1, 0.0]))
    array([0.04761905, 0.        ])
    """
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)


def check_layer_gradients(layer, x, rng=None, eps=1e-6, verbose=False):
    """Compare a layer's ``backward`` with central differences, for the input and every parameter.

    Uses the scalar :math:`f = \\sum Y \\odot G` with a random upstream gradient
    ``G`` (standard normal, from ``rng``). The layer's parameters, gradients and
    buffers (e.g. BatchNorm's running statistics) are the same afterwards as
    before, except that the gradients hold the analytic result of one backward pass.

    Parameters
    ----------
    layer : Module
        Any nnlib layer (or ``Sequential``); it must be deterministic in its
        current mode (for ``Dropout`` fix the mask, or call ``eval()``).
    x : array_like
        Input to check at.
    rng : None, int or numpy.random.Generator
        Source of the random upstream gradient.
    eps : float
        Finite-difference step.
    verbose : bool
        Print one line per checked array.

    Returns
    -------
    dict
        ``{"input": entry, "W": entry, ...}`` (parameter names as in
        ``named_parameters()``), each entry a dict with ``"analytic"`` and
        ``"numeric"`` arrays, ``"max_abs"`` (largest absolute difference) and
        ``"max_rel"`` (largest relative error, see ``relative_error``).

    Examples
    --------
    >>> from nnlib.layers import Linear
    >>> report = check_layer_gradients(Linear(3, 2, rng=0), np.ones((4, 3)), rng=1)
    >>> sorted(report)
    ['W', 'b', 'input']
    >>> all(entry["max_rel"] < 1e-6 for entry in report.values())
    True
    """
    x = np.array(x, dtype=np.float64)  # a private copy; perturbed in place below
    G_rng = as_rng(rng)
    saved_state = layer.state_dict()

    layer.zero_grad()
    Y = layer.forward(x.copy())
    G = G_rng.standard_normal(np.shape(Y))  # random upstream gradient dL/dY
    analytic = {"input": layer.backward(G.copy())}
    analytic.update({name: p.grad.copy() for name, p in layer.named_parameters()})

    def f(_):
        return float(np.sum(layer.forward(x.copy()) * G))

    numeric = {"input": numerical_gradient(f, x, eps)}
    for name, p in layer.named_parameters():
        numeric[name] = numerical_gradient(f, p.data, eps)
    layer.load_state_dict(saved_state)  # undo running-statistics updates

    report = {}
    for name, numeric_grad in numeric.items():
        analytic_grad = np.asarray(analytic[name], dtype=np.float64)
        report[name] = {
            "analytic": analytic_grad,
            "numeric": numeric_grad,
            "max_abs": float(np.max(np.abs(analytic_grad - numeric_grad), initial=0.0)),
            "max_rel": float(np.max(relative_error(analytic_grad, numeric_grad), initial=0.0)),
        }
        if verbose:
            print(f"{name:>12}: max abs err {report[name]['max_abs']:.2e}, "
                  f"max rel err {report[name]['max_rel']:.2e}")
    return report
