"""Dense layers: ``Linear``, ``Dropout``, ``BatchNorm1d``, ``BatchNorm2d`` and ``Flatten``.

Batches are rows. For one example the lecture writes ``z = W a + b``; for N
examples stacked as the rows of ``A_prev`` (N, in) the layer computes
``Z = A_prev @ W.T + b`` (N, out). Backward reads like the slides:

    dW += delta.T @ A_prev      # (out, in), the shape of W
    db += delta.sum(axis=0)     # (out,)
    grad_A_prev = delta @ W     # (N, in)
"""

import numpy as np

from nnlib import init as initializers
from nnlib.functional import batch_norm_backward, batch_norm_train, feature_dot, feature_sum
from nnlib.module import Module
from nnlib.validation import (
    as_rng,
    check_array,
    check_bool,
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
    bias : bool
        If False the layer has no ``b`` (``b`` and ``db`` are None and ``parameters()``
        holds ``W`` only): :math:`z = W a`, as ``torch.nn.Linear(..., bias=False)``. Used
        before a ``BatchNorm1d``, whose shift :math:`\beta` makes a bias redundant.

    Attributes
    ----------
    W : numpy.ndarray, shape (out_features, in_features)
    b : numpy.ndarray, shape (out_features,), or None
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
    >>> [p.name for p in Linear(2, 3, bias=False).parameters()]
    ['W']
    """

    param_names = ("W", "b")

    def __init__(self, in_features, out_features, init="xavier", rng=None, bias=True):
        super().__init__()
        self.in_features = check_positive_int(in_features, "Linear", "in_features")
        self.out_features = check_positive_int(out_features, "Linear", "out_features")
        self.init = init
        shape = (self.out_features, self.in_features)
        self.W = initializers.initialize(init, shape, rng=rng)  # (out, in)
        self.dW = np.zeros_like(self.W)  # (out, in)
        if check_bool(bias, "Linear", "bias"):
            self.b = np.zeros(self.out_features)  # (out,)
            self.db = np.zeros_like(self.b)  # (out,)
        else:
            self.b = self.db = None
            self.param_names = ("W",)
        self._A_prev = None

    def forward(self, A_prev):
        A_prev = check_array(A_prev, "Linear.forward", shape=("N", self.in_features))
        self._A_prev = A_prev
        Z = A_prev @ self.W.T  # (N, out)
        if self.b is not None:
            Z += self.b  # (N, out)
        return Z

    def backward(self, delta):
        A_prev = self._cache_or_raise(self._A_prev)
        delta = check_array(delta, "Linear.backward", name="grad_y",
                            shape=(A_prev.shape[0], self.out_features))
        self.dW += delta.T @ A_prev  # (out, in)
        if self.b is not None:
            self.db += delta.sum(axis=0)  # (out,)
        return delta @ self.W  # (N, in)

    def __repr__(self):
        extra = "" if self.b is not None else ", bias=False"
        return f"Linear(in_features={self.in_features}, out_features={self.out_features}{extra})"


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


class _BatchNorm(Module):
    """What ``BatchNorm1d`` and ``BatchNorm2d`` share; they differ only in the input shapes they take.

    ``shapes`` lists the accepted input shapes (strings are free sizes); axis 1 holds the
    features (channels), and the statistics are taken over every other axis.
    """

    shapes = (("N", "D"),)

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        name = type(self).__name__
        self.num_features = check_positive_int(num_features, name, "num_features")
        self.eps = check_nonnegative(eps, name, "eps")
        self.momentum = None if momentum is None else check_in_range(
            momentum, name, "momentum", 0.0, 1.0, high_open=False)
        self.affine = check_bool(affine, name, "affine")
        D = self.num_features
        if self.affine:
            self.gamma = np.ones(D)  # (D,)
            self.beta = np.zeros(D)  # (D,)
            self.dgamma = np.zeros(D)
            self.dbeta = np.zeros(D)
        else:
            self.gamma = self.beta = self.dgamma = self.dbeta = None
            self.param_names = ()
        self.running_mean = np.zeros(D)
        self.running_var = np.ones(D)
        self.num_batches_tracked = np.zeros((), dtype=np.int64)  # batches seen in training
        self._cache = None

    @staticmethod
    def _axes(ndim):
        """The axes of the statistics: all but the feature axis 1, e.g. (0,) or (0, 2, 3)."""
        return (0,) + tuple(range(2, ndim))

    @staticmethod
    def _per_feature(v, ndim):
        """A (D,) vector shaped to broadcast against an input of ``ndim`` axes: (D,), (1, C, 1) or (1, C, 1, 1)."""
        return v if ndim == 2 else v.reshape((1, -1) + (1,) * (ndim - 2))

    def forward(self, Z):
        name = type(self).__name__
        template = next((s for s in self.shapes if len(s) == np.ndim(Z)), self.shapes[0])
        Z = check_array(Z, f"{name}.forward", shape=(template[0], self.num_features) + template[2:])
        if self.training:
            Z_hat = self._forward_train(Z)
        else:
            inv_std = 1.0 / np.sqrt(self._per_feature(self.running_var, Z.ndim) + self.eps)  # (D,)
            Z_hat = (Z - self._per_feature(self.running_mean, Z.ndim)) * inv_std  # same shape as Z
            self._cache = (Z_hat, inv_std, False)
        if not self.affine:
            return Z_hat
        Y = Z_hat * self._per_feature(self.gamma, Z.ndim)  # same shape as Z
        Y += self._per_feature(self.beta, Z.ndim)
        return Y

    def _forward_train(self, Z):
        M = Z.size // self.num_features  # values averaged per feature: N, N*L or N*H*W
        if M < 2:
            what = {2: "examples per batch", 3: "values per channel (N*L)"}.get(Z.ndim, "values per channel (N*H*W)")
            raise ValueError(
                f"{type(self).__name__}.forward: training needs at least 2 {what} to "
                f"estimate a variance, got input shape {tuple(Z.shape)}; use eval() for single examples"
            )
        Z_hat, mu, var, inv_std = batch_norm_train(Z, self._axes(Z.ndim), self.eps)
        self.num_batches_tracked += 1
        # PyTorch: momentum=None means the cumulative average 1/k of the k-th batch
        m = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        self.running_mean[...] = (1 - m) * self.running_mean + m * mu.ravel()  # (D,)
        self.running_var[...] = (1 - m) * self.running_var + m * var.ravel() * M / (M - 1)  # (D,) unbiased
        self._cache = (Z_hat, inv_std, True)
        return Z_hat

    def backward(self, grad_y):
        Z_hat, inv_std, batch_stats = self._cache_or_raise(self._cache)
        name = type(self).__name__
        grad_y = check_array(grad_y, f"{name}.backward", shape=Z_hat.shape, name="grad_y")
        axes = self._axes(Z_hat.ndim)
        sum_grad = feature_sum(grad_y, axes)  # (1, D) or (1, C, 1, 1): sum of g
        sum_grad_zhat = feature_dot(grad_y, Z_hat, axes)  # sum of g * z_hat
        scale = inv_std  # dL/dz_hat = gamma * g: gamma joins the per-feature scale
        if self.affine:
            self.dgamma += sum_grad_zhat.ravel()  # (D,)
            self.dbeta += sum_grad.ravel()  # (D,)
            scale = self._per_feature(self.gamma, Z_hat.ndim) * inv_std
        if not batch_stats:  # eval: mean and variance are constants
            return grad_y * scale
        # training: mu and sigma^2 depend on every value, which gives the two correction terms
        M = Z_hat.size // self.num_features  # values per feature
        return batch_norm_backward(grad_y, Z_hat, scale, sum_grad / M, sum_grad_zhat / M)

    def __repr__(self):
        extra = "" if self.affine else ", affine=False"
        return (f"{type(self).__name__}({self.num_features}, eps={self.eps}, "
                f"momentum={self.momentum}{extra})")


class BatchNorm1d(_BatchNorm):
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
    With ``momentum=None`` the k-th training batch gets weight :math:`1/k`, so the running
    statistics are the plain average over all batches so far (PyTorch's cumulative average).
    Evaluation uses ``running_mean`` and ``running_var`` instead of the batch's.

    Parameters
    ----------
    num_features : int
        Number of features D.
    eps : float
        Added to the variance to avoid dividing by zero.
    momentum : float in [0, 1] or None
        Weight of the new batch in the running averages (PyTorch's convention;
        Keras' ``momentum`` is ``1 -`` this); None for the cumulative average.
    affine : bool
        If False there is no :math:`\gamma, \beta` (``y = z_hat``, no parameters).

    Attributes
    ----------
    gamma, beta : numpy.ndarray, shape (D,), or None
        Learnable scale (starts at 1) and shift (starts at 0), gradients ``dgamma``, ``dbeta``.
    running_mean, running_var : numpy.ndarray, shape (D,)
        Buffers (saved in ``state_dict``), start at 0 and 1.
    num_batches_tracked : numpy.ndarray, shape ()
        Buffer: training batches seen so far.

    Shape
    -----
    Input ``(N, D)``, or ``(N, C, L)`` (C features along a sequence of length L, normalised over
    N and L, as in PyTorch); output the same shape. Training needs N >= 2 (N*L >= 2).

    Examples
    --------
    >>> bn = BatchNorm1d(1)
    >>> bn(np.array([[1.0], [3.0]]))
    array([[-0.999995],
           [ 0.999995]])
    >>> bn.running_mean, bn.running_var       # 0.9*0 + 0.1*2, 0.9*1 + 0.1*2 (unbiased var 2)
    (array([0.2]), array([1.1]))
    >>> cumulative = BatchNorm1d(1, momentum=None)
    >>> _ = cumulative(np.array([[1.0], [3.0]])); _ = cumulative(np.array([[5.0], [7.0]]))
    >>> cumulative.running_mean                # (2 + 6) / 2
    array([4.])
    """

    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var", "num_batches_tracked")
    shapes = (("N", "D"), ("N", "C", "L"))


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation of images per channel (PyTorch's ``BatchNorm2d``).

    Like ``BatchNorm1d`` with the channels as features: each channel c is normalised with
    the mean and variance over the batch **and** all positions,

    .. math::
        \mu_c = \frac{1}{NHW} \sum_{n,i,j} z_{ncij}, \quad
        \sigma_c^2 = \frac{1}{NHW} \sum_{n,i,j} (z_{ncij} - \mu_c)^2, \quad
        y_{ncij} = \gamma_c \frac{z_{ncij} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta_c ,

    so a feature map keeps one scale and shift, as it keeps one kernel (parameter sharing).
    The running variance uses the unbiased :math:`\frac{M}{M-1}\sigma_c^2`, :math:`M = NHW`.

    Parameters
    ----------
    num_features : int
        Number of channels C.
    eps, momentum, affine
        As for ``BatchNorm1d``.

    Attributes
    ----------
    gamma, beta, running_mean, running_var : numpy.ndarray, shape (C,)
    num_batches_tracked : numpy.ndarray, shape ()

    Shape
    -----
    Input ``(N, C, H, W)``; output the same shape.

    Examples
    --------
    >>> bn = BatchNorm2d(2)
    >>> x = np.zeros((1, 2, 2, 2)); x[0, 0] = [[1.0, 3.0], [1.0, 3.0]]; x[0, 1] = 7.0
    >>> bn(x)[0, 0].round(4)                   # channel 0: mean 2, variance 1
    array([[-1.,  1.],
           [-1.,  1.]])
    >>> bn.running_mean, bn.running_var.round(4)  # 0.1 * mean; 0.9 + 0.1 * unbiased var (4/3, 0)
    (array([0.2, 0.7]), array([1.0333, 0.9   ]))
    """

    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var", "num_batches_tracked")
    shapes = (("N", "C", "H", "W"),)


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
