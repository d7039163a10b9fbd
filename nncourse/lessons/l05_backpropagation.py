"""Lesson 05 -- backpropagation.

Plain functions behind ``notebooks/05_backpropagation.ipynb``. They compute, with
nnlib, every number the lesson prints:

* the KIT deck's computation graph ``e = (a + b)(b + 1)`` and its univariate
  logistic least-squares example, with ``nnlib.autodiff.Value``;
* the multivariate chain rule (``f(x, y) = y + exp(x y)``, ``x = cos t``, ``y = t^2``);
* Jacobians and the four matrix-calculus identities of the DHBW deck, checked against
  central differences (``nnlib.gradcheck``);
* the Karlsruhe deck's 2-3-1 linear network and its one SGD step (y_hat = 1.4 ...),
  computed with two ``nnlib.layers.Linear`` layers and ``nnlib.optim.SGD``;
* the DHBW deck's 2-3-1 sigmoid network with binary cross-entropy, by its formulas and
  by nnlib's backward pass;
* the softmax + cross-entropy error signal ``delta = a - y``;
* the general backpropagation algorithm for one example, layer by layer;
* numerical gradient checking (forward vs central differences) and the cost of the
  backward pass (about twice the forward pass).
"""

import numpy as np

from nnlib.activations import Identity, Sigmoid, Tanh
from nnlib.autodiff import Value
from nnlib.functional import sigmoid, sigmoid_prime, softmax, softmax_jacobian
from nnlib.gradcheck import check_layer_gradients, numerical_gradient, numerical_jacobian, relative_error
from nnlib.layers import Linear
from nnlib.losses import BCELoss, CrossEntropyLoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.validation import as_rng

#: The Karlsruhe deck's 2-3-1 example: input, target, learning rate and parameters.
KARLSRUHE = {
    "x": np.array([1.0, 2.0]),
    "y": 1.0,
    "lr": 0.1,
    "W1": np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]]),
    "b1": np.array([0.1, 0.1, 0.1]),
    "W2": np.array([[0.4, 0.3, 0.2]]),
    "b2": np.array([0.1]),
}


# ---------------------------------------------------------------------------
# Computation graphs
# ---------------------------------------------------------------------------

def graph_example(a=2.0, b=1.0):
    """The KIT deck's graph ``c = a + b``, ``d = b + 1``, ``e = c d`` with ``Value``.

    ``b`` fans out into ``c`` and ``d``, so its gradient is the sum over both paths:
    ``de/db = de/dc dc/db + de/dd dd/db = d + c``.

    Returns
    -------
    dict
        The ``Value`` nodes ``a, b, c, d, e`` after ``e.backward()``.

    Examples
    --------
    >>> g = graph_example()
    >>> g["e"].data, g["a"].grad, g["b"].grad
    (6.0, 2.0, 5.0)
    """
    a = Value(float(a), label="a")
    b = Value(float(b), label="b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    e.backward()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def logistic_least_squares(w=1.5, x=2.0, b=-1.0, t=1.0):
    """The KIT deck's univariate logistic least-squares model as a graph.

    ``z = w x + b``, ``y = sigma(z)``, ``L = 1/2 (y - t)^2``. The backward pass by
    hand reads (bars are error signals ``dL/d.``)::

        L_bar = 1,  y_bar = y - t,  z_bar = y_bar sigma'(z),  w_bar = z_bar x,  b_bar = z_bar

    Returns
    -------
    dict
        ``z, y, L`` (floats), ``by_hand`` (dict of the error signals above) and
        ``autodiff`` (``{"w": ..., "b": ...}`` from ``Value.backward``).

    Examples
    --------
    >>> out = logistic_least_squares()
    >>> bool(np.isclose(out["by_hand"]["w_bar"], out["autodiff"]["w"]))
    True
    """
    wv, xv, bv = Value(float(w), label="w"), Value(float(x), label="x"), Value(float(b), label="b")
    z = wv * xv + bv
    y = z.sigmoid()
    L = 0.5 * (y - float(t)) ** 2
    L.backward()
    y_bar = y.data - t
    z_bar = y_bar * float(sigmoid_prime(z.data))
    by_hand = {"L_bar": 1.0, "y_bar": y_bar, "z_bar": z_bar, "w_bar": z_bar * x, "b_bar": z_bar}
    return {"z": z.data, "y": y.data, "L": L.data, "by_hand": by_hand,
            "autodiff": {"w": wv.grad, "b": bv.grad}}


def multivariate_chain_rule(t=1.0):
    """``d/dt f(x(t), y(t))`` for ``f = y + exp(x y)``, ``x = cos t``, ``y = t^2`` (KIT deck).

    Both paths from ``t`` to ``f`` contribute::

        df/dt = df/dx dx/dt + df/dy dy/dt
              = (y exp(xy)) (-sin t) + (1 + x exp(xy)) (2 t)

    Returns
    -------
    dict
        ``via_x`` and ``via_y`` (the two path contributions), ``chain_rule`` (their
        sum) and ``numeric`` (central difference of ``t -> f`` from ``nnlib.gradcheck``).

    Examples
    --------
    >>> out = multivariate_chain_rule(1.0)
    >>> bool(abs(out["chain_rule"] - out["numeric"]) < 1e-6)
    True
    """
    x, y = np.cos(t), t ** 2
    via_x = y * np.exp(x * y) * (-np.sin(t))
    via_y = (1.0 + x * np.exp(x * y)) * (2.0 * t)

    def f(tt):
        xx, yy = np.cos(tt[0]), tt[0] ** 2
        return yy + np.exp(xx * yy)

    numeric = float(numerical_gradient(f, np.array([float(t)]))[0])
    return {"via_x": float(via_x), "via_y": float(via_y), "chain_rule": float(via_x + via_y),
            "numeric": numeric}


def regularised_graph(w=1.5, x=2.0, b=-1.0, t=1.0, lam=0.1):
    """The KIT deck's regularised model ``L_reg = L + lambda R`` with ``R = 1/2 w^2``.

    ``w`` now has two children (``z`` and ``R``), so its error signal sums both::

        L_reg_bar = 1,  R_bar = lambda,  L_bar = 1,  y_bar = y - t,  z_bar = y_bar sigma'(z),
        w_bar = z_bar x + R_bar w,  b_bar = z_bar

    Returns
    -------
    dict
        ``L_reg`` (float), ``root`` (the output ``Value``, for :func:`nncourse.graphs.draw_graph`),
        ``by_hand`` (the error signals above) and ``autodiff`` (``{"w": ..., "b": ...}``).

    Examples
    --------
    >>> out = regularised_graph()
    >>> bool(np.isclose(out["by_hand"]["w_bar"], out["autodiff"]["w"]))
    True
    """
    wv, xv, bv = Value(float(w), label="w"), Value(float(x), label="x"), Value(float(b), label="b")
    z = wv * xv + bv
    z.label = "z"
    y = z.sigmoid()
    y.label = "y"
    L = 0.5 * (y - float(t)) ** 2
    L.label = "L"
    R = 0.5 * wv ** 2
    R.label = "R"
    L_reg = L + float(lam) * R
    L_reg.label = "L_reg"
    L_reg.backward()
    y_bar = y.data - t
    z_bar = y_bar * float(sigmoid_prime(z.data))
    R_bar = float(lam)
    by_hand = {"L_reg_bar": 1.0, "R_bar": R_bar, "L_bar": 1.0, "y_bar": y_bar, "z_bar": z_bar,
               "w_bar": z_bar * x + R_bar * w, "b_bar": z_bar}
    return {"L_reg": L_reg.data, "root": L_reg, "by_hand": by_hand,
            "autodiff": {"w": wv.grad, "b": bv.grad}}


def kit_mlp_backward(n_in=3, n_hidden=4, n_out=2, rng=0):
    """The KIT deck's two-layer MLP with several outputs, backpropagated three ways.

    Forward: ``z_i = sum_j W1_ij x_j + b1_i``, ``h_i = sigma(z_i)``,
    ``y_k = sum_i W2_ki h_i + b2_k``, ``L = 1/2 sum_k (y_k - t_k)^2``.

    1. unit by unit (loops over k, i, j)::

         y_bar_k = y_k - t_k,  W2_bar_ki = y_bar_k h_i,  b2_bar_k = y_bar_k,
         h_bar_i = sum_k y_bar_k W2_ki,  z_bar_i = h_bar_i sigma'(z_i),
         W1_bar_ij = z_bar_i x_j,  b1_bar_i = z_bar_i

    2. in matrix form: ``W2_bar = y_bar h^T`` (an outer product), ``h_bar = W2^T y_bar``,
       ``z_bar = h_bar * sigma'(z)``, ``W1_bar = z_bar x^T``;
    3. nnlib's ``Linear -> Sigmoid -> Linear`` backward pass.

    Returns
    -------
    dict
        ``units``, ``matrix``, ``nnlib``: dicts with ``W1`` (n_hidden, n_in), ``b1``,
        ``W2`` (n_out, n_hidden), ``b2`` gradients; plus ``loss``.

    Examples
    --------
    >>> out = kit_mlp_backward()
    >>> all(np.allclose(out["units"][k], out["nnlib"][k]) for k in ("W1", "b1", "W2", "b2"))
    True
    """
    rng = as_rng(rng)
    hidden = Linear(n_in, n_hidden, rng=rng)
    output = Linear(n_hidden, n_out, rng=rng)
    hidden.b[...] = 0.1 * rng.standard_normal(n_hidden)
    output.b[...] = 0.1 * rng.standard_normal(n_out)
    x = rng.standard_normal(n_in)  # (n_in,)
    t = rng.standard_normal(n_out)  # (n_out,)
    W1, b1, W2, b2 = hidden.W, hidden.b, output.W, output.b

    # forward, one example as plain vectors
    z = W1 @ x + b1  # (n_hidden,)
    h = sigmoid(z)  # (n_hidden,)
    y = W2 @ h + b2  # (n_out,)
    loss = 0.5 * float(np.sum((y - t) ** 2))

    # 1. unit by unit
    y_bar = [y[k] - t[k] for k in range(n_out)]
    W2_bar = np.array([[y_bar[k] * h[i] for i in range(n_hidden)] for k in range(n_out)])
    h_bar = [sum(y_bar[k] * W2[k, i] for k in range(n_out)) for i in range(n_hidden)]
    z_bar = [h_bar[i] * float(sigmoid_prime(z[i])) for i in range(n_hidden)]
    W1_bar = np.array([[z_bar[i] * x[j] for j in range(n_in)] for i in range(n_hidden)])
    units = {"W1": W1_bar, "b1": np.array(z_bar), "W2": W2_bar, "b2": np.array(y_bar)}

    # 2. matrix form
    y_bar_v = y - t  # (n_out,)
    h_bar_v = W2.T @ y_bar_v  # (n_hidden,)
    z_bar_v = h_bar_v * sigmoid_prime(z)  # (n_hidden,)
    matrix = {"W1": np.outer(z_bar_v, x), "b1": z_bar_v, "W2": np.outer(y_bar_v, h), "b2": y_bar_v}

    # 3. nnlib
    net = Sequential(hidden, Sigmoid(), output)
    Y = net(x.reshape(1, n_in))  # (1, n_out)
    net.backward((Y - t.reshape(1, n_out)))  # dL/dy for L = 1/2 ||y - t||^2
    lib = {"W1": hidden.dW.copy(), "b1": hidden.db.copy(), "W2": output.dW.copy(),
           "b2": output.db.copy()}
    return {"units": units, "matrix": matrix, "nnlib": lib, "loss": loss}


# ---------------------------------------------------------------------------
# Jacobians and matrix calculus
# ---------------------------------------------------------------------------

def matrix_identities(rng=0):
    """The DHBW deck's four identities, each as ``(formula, numeric)`` arrays.

    1. ``z = W x``:  ``dz/dx = W``;  and for a row vector ``x``: ``d(x W)/dx = W^T``
    2. ``z = x``:  ``dz/dx = I``
    3. ``z = f(x)`` element-wise (here the sigmoid):  ``dz/dx = diag(f'(x))``
    4. ``l`` scalar, ``z = W x``, ``delta = dl/dz`` (row vector):  ``dl/dW = delta^T x^T``
       (here ``l = 1/2 ||z - t||^2``, so ``delta = (z - t)^T``)

    Returns
    -------
    dict
        ``"1"``, ``"1b"``, ``"2"``, ``"3"``, ``"4"`` -> ``(formula, numeric)``.

    Examples
    --------
    >>> checks = matrix_identities()
    >>> all(np.allclose(a, n, atol=1e-6) for a, n in checks.values())
    True
    """
    rng = as_rng(rng)
    D, L = 3, 2
    W = rng.standard_normal((D, L))  # (D, L)
    x = rng.standard_normal(L)  # (L,)
    t = rng.standard_normal(D)  # (D,)
    xr = rng.standard_normal(D)  # (D,) a row vector for identity 1b
    out = {
        "1": (W, numerical_jacobian(lambda v: W @ v, x)),
        "1b": (W.T, numerical_jacobian(lambda v: v @ W, xr)),
        "2": (np.eye(L), numerical_jacobian(lambda v: v.copy(), x)),
        "3": (np.diag(sigmoid_prime(x)), numerical_jacobian(sigmoid, x)),
    }
    delta = (W @ x - t).reshape(1, D)  # (1, D) row vector dl/dz
    W_work = W.copy()

    def loss_of_W(_):
        z = W_work @ x  # (D,)
        return 0.5 * float(np.sum((z - t) ** 2))

    out["4"] = (delta.T @ x.reshape(1, L), numerical_gradient(loss_of_W, W_work))
    return out


def layout_table():
    """Shapes of the derivatives in numerator and denominator layout (DHBW deck).

    For scalars ``x, y``, column vectors ``x`` (D) and ``y`` (L), and a matrix ``X`` (P x Q).

    Returns
    -------
    list of tuple
        ``(derivative, numerator layout, denominator layout)``.

    Examples
    --------
    >>> layout_table()[3]
    ('dy/dx (vector by vector)', 'L x D', 'D x L')
    """
    return [
        ("dy/dx (scalar by scalar)", "1 x 1", "1 x 1"),
        ("dy/dx (scalar by vector)", "1 x D", "D x 1"),
        ("dy/dx (vector by scalar)", "L x 1", "1 x L"),
        ("dy/dx (vector by vector)", "L x D", "D x L"),
        ("dy/dX (scalar by matrix)", "Q x P", "P x Q"),
        ("dy/dX (vector by matrix)", "tensor", "tensor"),
    ]


# ---------------------------------------------------------------------------
# The Karlsruhe deck's 2-3-1 update step
# ---------------------------------------------------------------------------

def karlsruhe_network():
    """The Karlsruhe deck's 2-3-1 network (linear activations) as two nnlib ``Linear`` layers.

    Returns
    -------
    hidden, output : nnlib.layers.Linear
        ``hidden.W`` = W[1] (3, 2), ``hidden.b`` = b[1] (3,), ``output.W`` = W[2]
        (1, 3), ``output.b`` = b[2] (1,).

    Examples
    --------
    >>> hidden, output = karlsruhe_network()
    >>> output(hidden(np.array([[1.0, 2.0]])))
    array([[1.4]])
    """
    hidden = Linear(2, 3, init="zeros")
    output = Linear(3, 1, init="zeros")
    hidden.W[...] = KARLSRUHE["W1"]
    hidden.b[...] = KARLSRUHE["b1"]
    output.W[...] = KARLSRUHE["W2"]
    output.b[...] = KARLSRUHE["b2"]
    return hidden, output


def karlsruhe_update_step(lr=KARLSRUHE["lr"], x=None, y=None):
    """One SGD step on the Karlsruhe deck's 2-3-1 linear network, every number on the way.

    Forward: ``z1 = W1 x + b1``, ``a1 = z1``, ``z2 = W2 a1 + b2``, ``y_hat = a2 = z2``;
    loss ``L = 1/2 (y_hat - y)^2``, so ``dL/dy_hat = y_hat - y``. Backward (nnlib's
    ``Linear.backward``): ``dW2 = (y_hat - y) a1^T``, ``db2 = y_hat - y``,
    ``dL/da1 = (y_hat - y) W2``, ``dW1 = (dL/dz1)^T x^T``, ``db1 = dL/dz1``. Update
    (nnlib's ``SGD``): ``P <- P - lr dP``.

    The deck's loss has a 1/2 in front; nnlib's ``MSELoss`` is ``mean (y_hat - y)^2``
    without it, so its gradient ``2 (y_hat - y)`` is halved here.

    Parameters
    ----------
    lr : float
        Learning rate ``eta`` (the deck uses 0.1).
    x : array_like of shape (2,), optional
        Input; default the deck's ``(1, 2)``.
    y : float, optional
        Target; default the deck's 1.

    Returns
    -------
    dict
        ``z1, a1`` (3,), ``y_hat``, ``loss``, ``dL_dyhat`` (floats), ``dW2`` (1, 3),
        ``db2`` (1,), ``dL_da1`` (3,), ``dW1`` (3, 2), ``db1`` (3,), and the updated
        ``W1, b1, W2, b2``.

    Examples
    --------
    >>> step = karlsruhe_update_step()
    >>> round(step["y_hat"], 12), np.round(step["W2"], 12).tolist()
    (1.4, [[0.36, 0.22, 0.14]])
    """
    x = KARLSRUHE["x"] if x is None else np.asarray(x, dtype=float)
    y = KARLSRUHE["y"] if y is None else float(y)
    hidden, output = karlsruhe_network()
    net = Sequential(hidden, Identity(), output, Identity())
    X = x.reshape(1, 2)  # (1, 2) one example as a row
    Y = np.array([[y]])  # (1, 1)
    mse = MSELoss()
    y_hat = net(X)  # (1, 1)
    loss = 0.5 * mse(y_hat, Y)
    dL_dyhat = 0.5 * mse.backward()  # (1, 1) the 1/2 of the deck's loss
    z1 = hidden(X)  # (1, 3); a1 = z1 for the linear activation
    net.backward(dL_dyhat)
    dL_da1 = dL_dyhat @ output.W  # (1, 3) what output.backward passed down
    grads = {"dW2": output.dW.copy(), "db2": output.db.copy(),
             "dW1": hidden.dW.copy(), "db1": hidden.db.copy()}
    SGD(net.parameters(), lr=lr).step()
    return {
        "x": x, "y": y, "lr": lr,
        "z1": z1[0], "a1": z1[0], "y_hat": float(y_hat[0, 0]), "loss": float(loss),
        "dL_dyhat": float(dL_dyhat[0, 0]), "dL_da1": dL_da1[0], **grads,
        "W1": hidden.W.copy(), "b1": hidden.b.copy(), "W2": output.W.copy(), "b2": output.b.copy(),
    }


# ---------------------------------------------------------------------------
# The DHBW deck's 2-3-1 sigmoid network with binary cross-entropy
# ---------------------------------------------------------------------------

def sigmoid_bce_backprop(x=None, y=1.0, W1=None, b1=None, W2=None, b2=None):
    """Backpropagation through the DHBW deck's 2-3-1 network ``a2 = sigma(W2 sigma(W1 x + b1) + b2)``.

    The deck derives (numerator layout, ``delta`` are row vectors)::

        delta2 = a2 - y                                  (sigmoid + BCE)
        dl/dW2 = delta2 a1^T,        dl/db2 = delta2
        delta1 = delta2 W2 * (a1 * (1 - a1))^T           (element-wise *)
        dl/dW1 = delta1^T x^T,       dl/db1 = delta1^T

    The deck gives no numbers, so the defaults reuse the Karlsruhe deck's input and
    parameters (x = (1, 2), y = 1) with sigmoid activations and BCE.

    Returns
    -------
    dict
        Forward values ``z1, a1`` (3,), ``z2, a2, loss`` (float); ``formula`` (the deck's
        expressions evaluated) and ``nnlib`` (``Linear``/``Sigmoid``/``BCELoss``
        backward), each with ``delta2``, ``dW2`` (1, 3), ``db2`` (1,), ``delta1`` (3,),
        ``dW1`` (3, 2), ``db1`` (3,).

    Examples
    --------
    >>> out = sigmoid_bce_backprop()
    >>> all(np.allclose(out["formula"][k], out["nnlib"][k]) for k in out["formula"])
    True
    """
    x = KARLSRUHE["x"] if x is None else np.asarray(x, dtype=float)
    W1 = KARLSRUHE["W1"] if W1 is None else np.asarray(W1, dtype=float)
    b1 = KARLSRUHE["b1"] if b1 is None else np.asarray(b1, dtype=float)
    W2 = KARLSRUHE["W2"] if W2 is None else np.asarray(W2, dtype=float)
    b2 = KARLSRUHE["b2"] if b2 is None else np.asarray(b2, dtype=float)

    # the deck's formulas, one example as column vectors
    z1 = W1 @ x + b1  # (3,)
    a1 = sigmoid(z1)  # (3,)
    z2 = float((W2 @ a1 + b2)[0])
    a2 = float(sigmoid(np.array(z2)))
    delta2 = a2 - y
    delta1 = delta2 * W2[0] * (a1 * (1.0 - a1))  # (3,)
    formula = {
        "delta2": delta2,
        "dW2": delta2 * a1.reshape(1, 3),  # (1, 3)
        "db2": np.array([delta2]),  # (1,)
        "delta1": delta1,
        "dW1": np.outer(delta1, x),  # (3, 2)
        "db1": delta1,
    }

    # the same with nnlib layers
    hidden, output = Linear(2, 3, init="zeros"), Linear(3, 1, init="zeros")
    hidden.W[...], hidden.b[...], output.W[...], output.b[...] = W1, b1, W2, b2
    out_act = Sigmoid()
    net = Sequential(hidden, Sigmoid(), output, out_act)
    bce = BCELoss()
    A2 = net(x.reshape(1, 2))  # (1, 1)
    loss = bce(A2, np.array([[y]]))
    grad_A2 = bce.backward()  # (1, 1)
    delta2_nn = out_act.backward(grad_A2)  # (1, 1) dl/dz2
    delta1_nn = net.layers[1].backward(output.backward(delta2_nn))  # (1, 3) dl/dz1
    hidden.backward(delta1_nn)
    nnlib_grads = {"delta2": float(delta2_nn[0, 0]), "dW2": output.dW.copy(),
                   "db2": output.db.copy(), "delta1": delta1_nn[0], "dW1": hidden.dW.copy(),
                   "db1": hidden.db.copy()}
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": float(loss),
            "formula": formula, "nnlib": nnlib_grads}


# ---------------------------------------------------------------------------
# Softmax + cross-entropy
# ---------------------------------------------------------------------------

def softmax_ce_delta(z, label):
    """The error signal of softmax + cross-entropy, three ways: ``delta = dl/dz = a - y``.

    1. the deck's product ``dl/da . da/dz`` with ``dl/da = -(y_1/a_1, ..., y_K/a_K)``
       and the softmax Jacobian,
    2. the simplified ``a - y``,
    3. nnlib's ``CrossEntropyLoss.backward`` on the logits (one example, so no
       division by the batch size).

    Parameters
    ----------
    z : array_like of shape (K,)
        Logits.
    label : int
        The true class.

    Returns
    -------
    dict
        ``a`` (K,), ``y`` (K,) one-hot, ``dl_da`` (K,), ``jacobian`` (K, K), ``product``,
        ``a_minus_y`` and ``nnlib`` (K,) each.

    Examples
    --------
    >>> out = softmax_ce_delta([2.0, 1.0, 0.1], 0)
    >>> bool(np.allclose(out["product"], out["a_minus_y"]) and np.allclose(out["nnlib"], out["a_minus_y"]))
    True
    """
    z = np.asarray(z, dtype=float)  # (K,)
    K = z.size
    a = softmax(z)  # (K,)
    y = np.eye(K)[label]  # (K,)
    dl_da = -y / a + 0.0  # (K,) row vector dl/da (+ 0.0 turns -0.0 into 0.0 for printing)
    J = softmax_jacobian(z)  # (K, K)
    ce = CrossEntropyLoss()
    ce(z.reshape(1, K), np.array([label]))
    return {"a": a, "y": y, "dl_da": dl_da, "jacobian": J, "product": dl_da @ J,
            "a_minus_y": a - y, "nnlib": ce.backward()[0]}


# ---------------------------------------------------------------------------
# The general algorithm for one example
# ---------------------------------------------------------------------------

def backprop_one_example(Ws, bs, x, label):
    """The DHBW deck's backpropagation algorithm for one example, sigmoid hidden layers, softmax output.

    Forward: ``a[0] = x``, ``z[l] = W[l] a[l-1] + b[l]``, ``a[l] = sigma(z[l])``
    for hidden layers and ``a[L] = softmax(z[L])``. Backward::

        delta[L] = (a[L] - y)^T
        for l = L-1 .. 0:
            if l != 0:  delta[l] = (delta[l+1] W[l+1]) * sigma'(z[l])^T
            dl/dW[l+1] = delta[l+1]^T a[l]^T,   dl/db[l+1] = delta[l+1]^T

    Parameters
    ----------
    Ws : list of numpy.ndarray
        ``W[1] .. W[L]``, ``W[l]`` of shape (n_l, n_{l-1}).
    bs : list of numpy.ndarray
        ``b[1] .. b[L]``, ``b[l]`` of shape (n_l,).
    x : numpy.ndarray of shape (n_0,)
    label : int

    Returns
    -------
    dict
        ``deltas`` (list, ``delta[1] .. delta[L]``), ``dW`` and ``db`` (lists, layer 1 first),
        ``loss`` (float).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Ws = [rng.standard_normal((4, 2)), rng.standard_normal((3, 4))]
    >>> bs = [np.zeros(4), np.zeros(3)]
    >>> out = backprop_one_example(Ws, bs, np.array([0.5, -1.0]), 2)
    >>> [d.shape for d in out["dW"]]
    [(4, 2), (3, 4)]
    """
    x = np.asarray(x, dtype=float)
    L = len(Ws)
    a = [x]  # a[0] = x
    z = [None]
    for l in range(1, L + 1):
        z.append(Ws[l - 1] @ a[l - 1] + bs[l - 1])  # (n_l,)
        a.append(softmax(z[l]) if l == L else sigmoid(z[l]))  # (n_l,)
    y = np.eye(a[L].size)[label]  # (K,)
    loss = float(-np.log(a[L][label]))
    deltas = [None] * (L + 1)
    deltas[L] = a[L] - y  # (K,)
    dW, db = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        if l != 0:
            deltas[l] = (deltas[l + 1] @ Ws[l]) * sigmoid_prime(z[l])  # (n_l,)
        dW[l] = np.outer(deltas[l + 1], a[l])  # (n_{l+1}, n_l)
        db[l] = deltas[l + 1].copy()  # (n_{l+1},)
    return {"deltas": deltas[1:], "dW": dW, "db": db, "loss": loss}


def nnlib_mlp_gradients(Ws, bs, x, label):
    """The gradients of :func:`backprop_one_example`, from nnlib layers and ``CrossEntropyLoss``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Ws = [rng.standard_normal((4, 2)), rng.standard_normal((3, 4))]
    >>> bs = [np.zeros(4), np.zeros(3)]
    >>> hand = backprop_one_example(Ws, bs, np.array([0.5, -1.0]), 2)
    >>> lib = nnlib_mlp_gradients(Ws, bs, np.array([0.5, -1.0]), 2)
    >>> all(np.allclose(h, n) for h, n in zip(hand["dW"], lib["dW"]))
    True
    """
    layers = []
    linears = []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        layer = Linear(W.shape[1], W.shape[0], init="zeros")
        layer.W[...], layer.b[...] = W, b
        linears.append(layer)
        layers.append(layer)
        if l < len(Ws) - 1:
            layers.append(Sigmoid())
    net = Sequential(*layers)
    ce = CrossEntropyLoss()
    loss = ce(net(np.asarray(x, dtype=float).reshape(1, -1)), np.array([label]))
    net.backward(ce.backward())
    return {"dW": [layer.dW.copy() for layer in linears],
            "db": [layer.db.copy() for layer in linears], "loss": float(loss)}


#: Input of the OTH deck's forward-propagation exercise (the last entry 1 plays the bias).
OTH_X = np.array([36.0, 70.0, 1.0])


def oth_network(W1=None, W2=None, x=None, y=1.0):
    """Forward and backward pass of a small sigmoid network without biases on the OTH input x = (36, 70, 1).

    The deck's figure with the weights did not survive, so the defaults are our own
    (a 3-2-1 network, ``W1`` (2, 3), ``W2`` (1, 2)); the third input 1 acts as a bias.
    With the loss ``L = 1/2 (y_hat - y)^2`` the deltas for one example are::

        delta2 = (y_hat - y) sigma'(z2)          dL/dW2 = delta2 h1^T
        delta1 = W2^T delta2 * sigma'(z1)        dL/dW1 = delta1 x^T

    Returns
    -------
    dict
        ``z1, h1`` (2,), ``z2, y_hat, loss`` (floats), ``delta2`` (1,), ``delta1`` (2,),
        ``dW1`` (2, 3), ``dW2`` (1, 2) by the formulas, and ``nnlib`` (``dW1``, ``dW2``
        from ``Linear``/``Sigmoid`` backward with the biases held at zero).

    Examples
    --------
    >>> out = oth_network()
    >>> np.round(out["z1"], 4)
    array([0.52, 0.12])
    """
    W1 = np.array([[0.02, -0.01, 0.5], [-0.03, 0.02, -0.2]]) if W1 is None else np.asarray(W1, float)
    W2 = np.array([[1.0, -1.5]]) if W2 is None else np.asarray(W2, float)
    x = OTH_X if x is None else np.asarray(x, dtype=float)
    z1 = W1 @ x  # (2,)
    h1 = sigmoid(z1)  # (2,)
    z2 = W2 @ h1  # (1,)
    y_hat = sigmoid(z2)  # (1,)
    loss = 0.5 * float((y_hat[0] - y) ** 2)
    delta2 = (y_hat - y) * sigmoid_prime(z2)  # (1,)
    delta1 = (W2.T @ delta2) * sigmoid_prime(z1)  # (2,)
    out = {"x": x, "z1": z1, "h1": h1, "z2": float(z2[0]), "y_hat": float(y_hat[0]), "loss": loss,
           "delta2": delta2, "delta1": delta1, "dW2": np.outer(delta2, h1), "dW1": np.outer(delta1, x)}

    hidden, output = Linear(3, 2, init="zeros"), Linear(2, 1, init="zeros")
    hidden.W[...], output.W[...] = W1, W2
    net = Sequential(hidden, Sigmoid(), output, Sigmoid())
    Y = net(x.reshape(1, 3))  # (1, 1)
    net.backward(Y - y)  # dL/dy_hat for L = 1/2 (y_hat - y)^2
    out["nnlib"] = {"dW1": hidden.dW.copy(), "dW2": output.dW.copy()}
    return out


# ---------------------------------------------------------------------------
# Gradient checking and cost
# ---------------------------------------------------------------------------

def small_mlp(rng=0):
    """A 3-4-2 tanh network with fixed seed, used for the gradient-checking demos.

    Examples
    --------
    >>> small_mlp()(np.zeros((1, 3))).shape
    (1, 2)
    """
    rng = as_rng(rng)
    return Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng))


def finite_difference_errors(eps, rng=0):
    """Largest relative error of forward and central differences against backprop, for a step ``eps``.

    The SAP deck's check uses the one-sided (forward) difference
    ``(f(x + eps) - f(x)) / eps``, whose truncation error shrinks like ``eps``; the
    central difference ``(f(x + eps) - f(x - eps)) / (2 eps)`` shrinks like ``eps^2``.
    Both suffer round-off ``~ 1e-16 / eps`` when ``eps`` is tiny. The function checks
    ``W`` of the first layer of :func:`small_mlp` on the scalar ``sum(Y * G)`` with a
    random ``G``.

    Returns
    -------
    dict
        ``eps``, and ``forward`` and ``central`` (largest relative errors, floats).

    Examples
    --------
    >>> err = finite_difference_errors(1e-5)
    >>> bool(err["central"] < err["forward"])
    True
    """
    rng = as_rng(rng)
    net = small_mlp(rng)
    X = rng.standard_normal((5, 3))  # (5, 3)
    G = rng.standard_normal((5, 2))  # (5, 2) random upstream gradient
    W = net.layers[0].W

    def f(_):
        return float(np.sum(net(X) * G))

    net.zero_grad()
    net(X)
    net.backward(G)
    analytic = net.layers[0].dW.copy()  # (4, 3)
    central = numerical_gradient(f, W, eps)
    forward = np.zeros_like(W)
    f0 = f(W)
    for i in np.ndindex(W.shape):
        old = W[i]
        W[i] = old + eps
        forward[i] = (f(W) - f0) / eps
        W[i] = old
    return {"eps": float(eps), "forward": float(np.max(relative_error(analytic, forward))),
            "central": float(np.max(relative_error(analytic, central)))}


def finite_difference_curve(eps_values, rng=0):
    """:func:`finite_difference_errors` over many step sizes, for the eps slider's plot.

    Returns
    -------
    dict
        ``eps`` (E,), ``forward`` (E,), ``central`` (E,).

    Examples
    --------
    >>> curve = finite_difference_curve([1e-2, 1e-4])
    >>> curve["central"].shape
    (2,)
    """
    eps_values = np.asarray(eps_values, dtype=float)
    rows = [finite_difference_errors(eps, rng) for eps in eps_values]
    return {"eps": eps_values, "forward": np.array([r["forward"] for r in rows]),
            "central": np.array([r["central"] for r in rows])}


class SigmoidForgotDerivative(Sigmoid):
    """A deliberately buggy sigmoid whose backward forgets ``sigma'(z)`` -- for gradient checking.

    Examples
    --------
    >>> layer = SigmoidForgotDerivative()
    >>> _ = layer(np.zeros((1, 2)))
    >>> layer.backward(np.ones((1, 2)))
    array([[1., 1.]])
    """

    def backward(self, grad_A):
        return np.asarray(grad_A, dtype=float).copy()


def gradient_check_report(buggy=False, rng=0):
    """``nnlib.gradcheck.check_layer_gradients`` on a 3-4-2 sigmoid network, correct or buggy.

    Returns
    -------
    dict
        ``{"0.W": max_rel, "0.b": ..., "2.W": ..., "2.b": ..., "input": ...}`` -- the
        largest relative error per array.

    Examples
    --------
    >>> good = gradient_check_report()
    >>> max(good.values()) < 1e-6
    True
    >>> bad = gradient_check_report(buggy=True)
    >>> bad["0.W"] > 1e-2
    True
    """
    rng = as_rng(rng)
    act = SigmoidForgotDerivative() if buggy else Sigmoid()
    net = Sequential(Linear(3, 4, rng=rng), act, Linear(4, 2, rng=rng))
    X = rng.standard_normal((5, 3))  # (5, 3)
    report = check_layer_gradients(net, X, rng=rng)
    return {name: entry["max_rel"] for name, entry in report.items()}


def backprop_cost(layer_sizes):
    """Multiply-add counts of the forward and the backward pass of an MLP (per example).

    Forward: one multiply-add per weight (``Z = A_prev W^T``). Backward: one per weight
    for ``dW = delta^T A_prev`` and one per weight for the error ``delta W`` passed down
    to the layer below -- twice the forward pass. (The first layer's input gradient is
    not needed for training; skipping it saves that layer's share.) Element-wise
    activations add only a cost proportional to the number of units, not weights.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_0, n_1, ..., n_L)``.

    Returns
    -------
    dict
        ``weights``, ``forward``, ``backward``, ``backward_skip_input`` (ints) and
        ``ratio`` (backward / forward).

    Examples
    --------
    >>> backprop_cost([2, 3, 1])
    {'weights': 9, 'forward': 9, 'backward': 18, 'backward_skip_input': 12, 'ratio': 2.0}
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"backprop_cost: need at least two positive layer sizes, got {layer_sizes}")
    per_layer = [n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    weights = sum(per_layer)
    return {"weights": weights, "forward": weights, "backward": 2 * weights,
            "backward_skip_input": 2 * weights - per_layer[0], "ratio": 2.0}


def measure_cost(layer_sizes, batch_size=256, repeats=20, rng=0):
    """Measured seconds of one forward and one backward pass of a tanh MLP (for a plot, never printed).

    Returns
    -------
    dict
        ``forward`` and ``backward`` (seconds per pass, best of ``repeats``).

    Examples
    --------
    >>> t = measure_cost([20, 30, 5], batch_size=8, repeats=2)
    >>> t["forward"] > 0 and t["backward"] > 0
    True
    """
    import time

    rng = as_rng(rng)
    layers = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        layers += [Linear(n_in, n_out, rng=rng), Tanh()]
    net = Sequential(*layers[:-1])
    X = rng.standard_normal((batch_size, layer_sizes[0]))  # (N, n_0)
    G = rng.standard_normal((batch_size, layer_sizes[-1]))  # (N, n_L)
    best_f, best_b = np.inf, np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        net(X)
        middle = time.perf_counter()
        net.backward(G)
        end = time.perf_counter()
        best_f, best_b = min(best_f, middle - start), min(best_b, end - middle)
    return {"forward": best_f, "backward": best_b}
