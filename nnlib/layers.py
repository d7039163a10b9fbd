"""Dense layers: ``Linear``, ``Dropout``, ``BatchNorm1d`` and ``Flatten``.

Batches are rows. For one example the lecture writes ``z = W a + b``; for N
examples stacked as the rows of ``A_prev`` (N, in) the layer computes
``Z = A_prev @ W.T + b`` (N, out). Backward reads like the slides:

    dW += delta.T @ A_prev      # (out, in), the shape of W
    db += delta.sum(axis=0)     # (out,)
    grad_A_prev = delta @ W     # (N, in)
"""

import numpy as np

from nnlib import init as initializers
from nnlib.module import Module
from nnlib.validation import (
    as_rng,
    check_array,
    check_in_range,
    check_nonnegative,
    check_positive_int,
)


class Linear(Module):
    r"""Fully connected layer :math:`z = W a + b`; for a batch :math:`Z = A_{prev} W^\top + b`.

    Parameters
    ----------
    in_features : int
        Number of inputs :math:`M_{in}` per example.
    out_features : int
        Number of outputs (units) :math:`M_{out}`.
    init : str or callable
        Weight initialisation: ``"xavier"`` (default, the lecture's
        :math:`\mathcal{N}(0, 1/M_{in})`), ``"glorot"``, ``"he"``, ``"he_avg"``,
        ``"normal"``, ``"zeros"`` or a function ``f(shape, rng)``; see ``nnlib.init``.
        The bias always starts at zero.
    rng : None, int or numpy.random.Generator
        Source of randomness for the weights.

    Attributes
    ----------
    W : numpy.ndarray, shape (out_features, in_features)
    b : numpy.ndarray, shape (out_features,)
    dW, db : numpy.ndarray
        Accumulated gradients, same shapes as ``W`` and ``b``.

    Shape
    -----
    Input ``(N, in_features)``; output ``(N, out_features)``.

    Examples
    --------
    >>> layer = Linear(2, 3)
    >>> layer.W[...] = [[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]]; layer.b[...] = 0.1
    >>> layer(np.array([[1.0, 2.0]]))          # the Karlsruhe deck's hidden layer
    array([[1. , 2. , 1.5]])
    >>> layer.backward(np.array([[1.0, 0.0, 0.0]]))
    array([[0.5, 0.2]])
    >>> layer.dW
    array([[1., 2.],
           [0., 0.],
           [0., 0.]])
    """

    param_names = ("W", "b")

    def __init__(self, in_features, out_features, init="xavier", rng=None):
        super().__init__()
        self.in_features = check_positive_int(in_features, "Linear", "in_features")
        self.out_features = check_positive_int(out_features, "Linear", "out_features")
        self.init = init
        shape = (self.out_features, self.in_features)
        self.W = initializers.initialize(init, shape, rng=rng)  # (out, in)
        self.b = np.zeros(self.out_features)  # (out,)
        self.dW = np.zeros_like(self.W)  # (out, in)
        self.db = np.zeros_like(self.b)  # (out,)
        self._A_prev = None

    def forward(self, A_prev):
        A_prev = check_array(A_prev, "Linear.forward", shape=("N", self.in_features))
        self._A_prev = A_prev
        return A_prev @ self.W.T + self.b  # (N, out)

    def backward(self, delta):
        A_prev = self._cache_or_raise(self._A_prev)
        delta = check_array(delta, "Linear.backward", name="grad_y",
                            shape=(A_prev.shape[0], self.out_features))
        self.dW += delta.T @ A_prev  # (out, in)
        self.db += delta.sum(axis=0)  # (out,)
        return delta @ self.W  # (N, in)

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"


class Dropout(Module):
    r"""Dropout: in training, zero each unit with probability ``p`` (PyTorch's *drop* probability).

    Two equivalent conventions exist; both keep the expected input of the next
    layer the same in training and at test time.

    ``mode="inverted"`` (default, PyTorch): scale the kept units up while training,
    do nothing at test time,

    .. math:: \text{train: } A = \frac{m \odot A_{prev}}{1 - p},\ m_i \sim \text{Bernoulli}(1-p);
              \qquad \text{test: } A = A_{prev}.

    ``mode="scale_at_test"`` (the lecture's description, Srivastava et al. 2014): keep
    units unscaled while training and multiply by the keep probability
    :math:`1 - p` at test time ("multiply each weight by the keep probability"),

    .. math:: \text{train: } A = m \odot A_{prev}; \qquad \text{test: } A = (1 - p) A_{prev}.

    Note the lecture (Karlsruhe deck) writes ``p`` for the *keep* probability; here
    ``p`` is the probability of *dropping*, as in PyTorch and Keras' ``Dropout(0.5)``.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping a unit.
    rng : None, int or numpy.random.Generator
        Source of the random masks.
    mode : {"inverted", "scale_at_test"}
        Where the :math:`1-p` scaling happens (see above).

    Shape
    -----
    Input any shape; output the same shape.

    Examples
    --------
    >>> drop = Dropout(p=0.5, rng=0)
    >>> drop(np.ones((1, 6)))                    # kept units are scaled by 1/(1-p) = 2
    array([[0., 2., 2., 2., 0., 0.]])
    >>> drop.eval()(np.ones((1, 3)))
    array([[1., 1., 1.]])
    >>> Dropout(p=0.5, mode="scale_at_test").eval()(np.ones((1, 3)))
    array([[0.5, 0.5, 0.5]])
    """

    MODES = ("inverted", "scale_at_test")

    def __init__(self, p=0.5, rng=None, mode="inverted"):
        super().__init__()
        self.p = check_in_range(p, "Dropout", "p", 0.0, 1.0)
        if mode not in self.MODES:
            raise ValueError(
                f"Dropout: mode must be 'inverted' or 'scale_at_test', got {mode!r}"
            )
        self.mode = mode
        self.rng = as_rng(rng)
        self._scale = None

    def forward(self, A_prev):
        A_prev = check_array(A_prev, "Dropout.forward")
        keep = 1.0 - self.p
        if self.training:
            mask = self.rng.random(A_prev.shape) < keep  # True = unit kept
            self._scale = mask / keep if self.mode == "inverted" else mask.astype(np.float64)
        else:
            self._scale = np.full(A_prev.shape, 1.0 if self.mode == "inverted" else keep)
        return A_prev * self._scale  # same shape as A_prev

    def backward(self, grad_A):
        scale = self._cache_or_raise(self._scale)
        grad_A = check_array(grad_A, "Dropout.backward", shape=scale.shape, name="grad_y")
        return grad_A * scale  # same mask and scale as in forward

    def __repr__(self):
        return f"Dropout(p={self.p}, mode={self.mode!r})"


class BatchNorm1d(Module):
    r"""Batch normalisation over the batch axis, with PyTorch's semantics.

    Training (statistics of the current batch, per feature j):

    .. math::
        \mu_j = \frac1N \sum_n z_{nj}, \quad
        \sigma_j^2 = \frac1N \sum_n (z_{nj} - \mu_j)^2, \quad
        \hat z_{nj} = \frac{z_{nj} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}}, \quad
        y_{nj} = \gamma_j \hat z_{nj} + \beta_j

    and the running statistics move towards the batch's:
    ``running_mean = (1 - momentum) * running_mean + momentum * mu`` and likewise
    ``running_var`` with the **unbiased** batch variance :math:`\frac{N}{N-1}\sigma^2`
    (the normalisation itself uses the biased :math:`\sigma^2`, as PyTorch does).
    Evaluation uses ``running_mean`` and ``running_var`` instead of the batch's.

    Parameters
    ----------
    num_features : int
        Number of features D.
    eps : float
        Added to the variance to avoid dividing by zero.
    momentum : float in [0, 1]
        Weight of the new batch in the running averages (PyTorch's convention;
        Keras' ``momentum`` is ``1 -`` this).

    Attributes
    ----------
    gamma, beta : numpy.ndarray, shape (D,)
        Learnable scale (starts at 1) and shift (starts at 0), gradients ``dgamma``, ``dbeta``.
    running_mean, running_var : numpy.ndarray, shape (D,)
        Buffers (saved in ``state_dict``), start at 0 and 1.

    Shape
    -----
    Input ``(N, D)``; output ``(N, D)``. Training needs N >= 2.

    Examples
    --------
    >>> bn = BatchNorm1d(1)
    >>> bn(np.array([[1.0], [3.0]]))
    array([[-0.999995],
           [ 0.999995]])
    >>> bn.running_mean, bn.running_var       # 0.9*0 + 0.1*2, 0.9*1 + 0.1*2 (unbiased var 2)
    (array([0.2]), array([1.1]))
    """

    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features = check_positive_int(num_features, "BatchNorm1d", "num_features")
        self.eps = check_nonnegative(eps, "BatchNorm1d", "eps")
        self.momentum = check_in_range(momentum, "BatchNorm1d", "momentum", 0.0, 1.0,
                                       high_open=False)
        D = self.num_features
        self.gamma = np.ones(D)  # (D,)
        self.beta = np.zeros(D)  # (D,)
        self.dgamma = np.zeros(D)
        self.dbeta = np.zeros(D)
        self.running_mean = np.zeros(D)
        self.running_var = np.ones(D)
        self._cache = None

    def forward(self, Z):
        Z = check_array(Z, "BatchNorm1d.forward", shape=("N", self.num_features))
        if self.training:
            return self._forward_train(Z)
        inv_std = 1.0 / np.sqrt(self.running_var + self.eps)  # (D,)
        Z_hat = (Z - self.running_mean) * inv_std  # (N, D)
        self._cache = (Z_hat, inv_std, False)
        return self.gamma * Z_hat + self.beta  # (N, D)

    def _forward_train(self, Z):
        N = Z.shape[0]
        if N < 2:
            raise ValueError(
                "BatchNorm1d.forward: training needs at least 2 examples per batch to "
                f"estimate a variance, got input shape {tuple(Z.shape)}; use eval() for single examples"
            )
        mu = Z.mean(axis=0)  # (D,)
        var = Z.var(axis=0)  # (D,) biased: divides by N
        inv_std = 1.0 / np.sqrt(var + self.eps)  # (D,)
        Z_hat = (Z - mu) * inv_std  # (N, D)
        m = self.momentum
        self.running_mean[...] = (1 - m) * self.running_mean + m * mu  # (D,)
        self.running_var[...] = (1 - m) * self.running_var + m * var * N / (N - 1)  # (D,) unbiased
        self._cache = (Z_hat, inv_std, True)
        return self.gamma * Z_hat + self.beta  # (N, D)

    def backward(self, grad_y):
        Z_hat, inv_std, batch_stats = self._cache_or_raise(self._cache)
        grad_y = check_array(grad_y, "BatchNorm1d.backward", shape=Z_hat.shape, name="grad_y")
        self.dgamma += np.sum(grad_y * Z_hat, axis=0)  # (D,)
        self.dbeta += np.sum(grad_y, axis=0)  # (D,)
        grad_Z_hat = grad_y * self.gamma  # (N, D)
        if not batch_stats:  # eval: mean and variance are constants
            return grad_Z_hat * inv_std  # (N, D)
        # training: mu and sigma^2 depend on every row, which gives the two correction terms
        mean_grad = grad_Z_hat.mean(axis=0)  # (D,)
        mean_grad_zhat = np.mean(grad_Z_hat * Z_hat, axis=0)  # (D,)
        return inv_std * (grad_Z_hat - mean_grad - Z_hat * mean_grad_zhat)  # (N, D)

    def __repr__(self):
        return (f"BatchNorm1d({self.num_features}, eps={self.eps}, "
                f"momentum={self.momentum})")


class Flatten(Module):
    """Flatten every example into one row: ``(N, C, H, W) -> (N, C*H*W)``.

    Used between the convolutional part of a network and its dense part. Any
    input with at least 2 dimensions works: ``(N, d1, d2, ...) -> (N, d1*d2*...)``.
    Backward reshapes the gradient back to the input's shape.

    Shape
    -----
    Input ``(N, C, H, W)``; output ``(N, C*H*W)``.

    Examples
    --------
    >>> flat = Flatten()
    >>> flat(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    >>> flat.backward(np.zeros((2, 48))).shape
    (2, 3, 4, 4)
    """

    def __init__(self):
        super().__init__()
        self._input_shape = None

    def forward(self, X):
        X = check_array(X, "Flatten.forward")
        if X.ndim < 2:
            raise ValueError(
                f"Flatten.forward: input must have shape (N, ...) with at least 2 dimensions, "
                f"got {tuple(X.shape)}"
            )
        self._input_shape = X.shape
        return X.reshape(X.shape[0], -1).copy()  # (N, C*H*W)

    def backward(self, grad_y):
        input_shape = self._cache_or_raise(self._input_shape)
        N = input_shape[0]
        flat_size = int(np.prod(input_shape[1:]))
        grad_y = check_array(grad_y, "Flatten.backward", shape=(N, flat_size), name="grad_y")
        return grad_y.reshape(input_shape)  # (N, C, H, W)
