r"""Seeded data augmentation for image batches ``(N, C, H, W)``: shifts, small rotations, noise.

With few training images a CNN learns them by heart. **Augmentation** shows it a
slightly different version of every image in every epoch -- moved by a pixel, turned by
a few degrees, with a little noise -- that still shows the same digit, so the network
has to learn what does not change under these transformations.

Moves and turns are one geometric map per image: output pixel :math:`(r, c)` takes the
input's value at the point

.. math:: \begin{pmatrix} r_s \\ c_s \end{pmatrix} = \begin{pmatrix} c_y \\ c_x \end{pmatrix} +
          \begin{pmatrix} \cos\theta & \sin\theta \\ -\sin\theta & \cos\theta \end{pmatrix}
          \begin{pmatrix} r - c_y - \Delta r \\ c - c_x - \Delta c \end{pmatrix}

(the image turned by :math:`\theta` counter-clockwise about its centre :math:`(c_y, c_x)`, then
moved by :math:`(\Delta r, \Delta c)` pixels), read by **bilinear interpolation** between the
four surrounding pixels, and 0 outside the image (zero fill). Integer moves without a turn
copy pixels exactly. Each output pixel is a fixed linear combination of input pixels, so
the map has an exact transpose, which ``RandomAugment.backward`` uses.

In PyTorch these are torchvision's transforms (``RandomAffine(degrees, translate)``,
``GaussianNoise``) in the data pipeline; ``RandomAugment`` is the same idea as a layer that
is active in training mode only (like Keras' ``RandomTranslation``/``RandomRotation``), so
``fit`` augments every mini-batch afresh.
"""

import numpy as np

from nnlib.module import Module
from nnlib.validation import as_rng, check_array, check_nonnegative, check_nonnegative_int


def _check_images(X, where):
    X = check_array(X, where, name="images")
    if X.ndim != 4:
        hint = "; reshape flat 8x8 digits with X.reshape(-1, 1, 8, 8)" if X.ndim == 2 else ""
        raise ValueError(f"{where}: images must have shape (N, C, H, W), got {tuple(X.shape)}{hint}")
    return X


def sampling_plan(shape, angles=None, shifts=None):
    """Where every output pixel reads the input: four source pixels and their bilinear weights.

    Parameters
    ----------
    shape : tuple
        ``(N, C, H, W)`` of the batch.
    angles : array_like, shape (N,), optional
        Counter-clockwise turn of each image in degrees (default 0).
    shifts : array_like, shape (N, 2), optional
        ``(rows down, columns right)`` move of each image in pixels (default 0).

    Returns
    -------
    index : numpy.ndarray of int, shape (N, H*W, 4)
        Flat positions ``r * W + c`` of the four neighbours of each output pixel's source point.
    weight : numpy.ndarray, shape (N, H*W, 4)
        Their bilinear weights (0 for neighbours outside the image: zero fill).

    Examples
    --------
    >>> index, weight = sampling_plan((1, 1, 2, 2), shifts=[[0, 1]])    # move right by one pixel
    >>> (index[0] * (weight[0] > 0)).max(axis=1), weight[0].sum(axis=1)  # sources; 0 weight = fill
    (array([0, 0, 0, 2]), array([0., 1., 0., 1.]))
    """
    N, _, H, W = shape
    angles = np.zeros(N) if angles is None else np.asarray(angles, dtype=np.float64).reshape(N)
    shifts = np.zeros((N, 2)) if shifts is None else np.asarray(shifts, dtype=np.float64).reshape(N, 2)
    cy, cx = (H - 1) / 2.0, (W - 1) / 2.0  # the centre of the image
    rows, cols = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")  # (H, W)
    dy = rows.ravel()[None, :] - cy - shifts[:, :1]  # (N, H*W): undo the move
    dx = cols.ravel()[None, :] - cx - shifts[:, 1:]  # (N, H*W)
    theta = np.deg2rad(angles)[:, None]  # (N, 1)
    r_s = cy + np.cos(theta) * dy + np.sin(theta) * dx  # (N, H*W): undo the turn
    c_s = cx - np.sin(theta) * dy + np.cos(theta) * dx  # (N, H*W)
    r_s = np.where(np.abs(r_s - np.round(r_s)) < 1e-9, np.round(r_s), r_s)  # cos(90 deg) is not exactly 0
    c_s = np.where(np.abs(c_s - np.round(c_s)) < 1e-9, np.round(c_s), c_s)
    r0, c0 = np.floor(r_s), np.floor(c_s)  # top-left neighbour
    fr, fc = r_s - r0, c_s - c0  # position inside the cell, in [0, 1)
    index, weight = [], []
    for r, c, w in ((r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                    (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)):
        inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)  # (N, H*W)
        index.append(np.where(inside, r * W + c, 0).astype(np.intp))
        weight.append(np.where(inside, w, 0.0))
    return np.stack(index, axis=-1), np.stack(weight, axis=-1)  # (N, H*W, 4) each


def apply_plan(X, plan):
    r"""Output pixels as the weighted sums of their four source pixels: ``Y = A X`` per image.

    :math:`y_p = \sum_{k=1}^{4} w_{pk}\, x_{s_{pk}}` for every output pixel p, with the
    sources :math:`s_{pk}` and weights :math:`w_{pk}` of ``sampling_plan``.

    Parameters
    ----------
    X : numpy.ndarray, shape (N, C, H, W)
    plan : (index, weight)
        From ``sampling_plan(X.shape, ...)``; every channel of an image moves alike.

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> X = np.arange(4.0).reshape(1, 1, 2, 2)
    >>> apply_plan(X, sampling_plan(X.shape, shifts=[[1, 0]]))[0, 0]      # one row down
    array([[0., 0.],
           [0., 1.]])
    """
    index, weight = plan
    N, C, H, W = X.shape
    flat = X.reshape(N, C, H * W)  # (N, C, H*W)
    picked = np.take_along_axis(flat, index.reshape(N, 1, -1), axis=2)  # (N, C, H*W*4)
    Y = np.sum(picked.reshape(N, C, H * W, 4) * weight[:, None], axis=-1)  # (N, C, H*W)
    return Y.reshape(N, C, H, W)


def apply_plan_transpose(G, plan):
    r"""The transpose ``A^T G`` of ``apply_plan``: each output's value goes back to its four sources.

    :math:`(A^\top g)_q = \sum_{p,k:\, s_{pk} = q} w_{pk}\, g_p`: the backward pass of the warp,
    ``dL/dX = A^T dL/dY``.

    Parameters
    ----------
    G : numpy.ndarray, shape (N, C, H, W)
        Upstream gradient ``dL/dY``.
    plan : (index, weight)
        The plan ``apply_plan`` used.

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> G = np.ones((1, 1, 2, 2))
    >>> apply_plan_transpose(G, sampling_plan(G.shape, shifts=[[1, 0]]))[0, 0]  # row 1 fed nothing
    array([[1., 1.],
           [0., 0.]])
    """
    index, weight = plan
    N, C, H, W = G.shape
    slot = (np.arange(N * C).reshape(N, C, 1, 1) * (H * W) + index[:, None])  # (N, C, H*W, 4): flat target
    amount = G.reshape(N, C, H * W, 1) * weight[:, None]  # (N, C, H*W, 4)
    dX = np.bincount(slot.ravel(), weights=amount.ravel(), minlength=N * C * H * W)  # sums repeated targets
    return dX.reshape(N, C, H, W)


def shift_images(X, shifts):
    r"""Move every image by whole pixels, filling with zeros: ``shifts[n] = (down, right)``.

    :math:`y_{r, c} = x_{r - \Delta r,\, c - \Delta c}` (0 where that lies outside the image).

    Parameters
    ----------
    X : array_like, shape (N, C, H, W)
    shifts : array_like of int, shape (N, 2)

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> X = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> shift_images(X, [[1, -1]])[0, 0]                  # one row down, one column left
    array([[0., 0., 0.],
           [1., 2., 0.],
           [4., 5., 0.]])
    """
    X = _check_images(X, "shift_images")
    shifts = np.asarray(shifts)
    if shifts.shape != (X.shape[0], 2) or not np.all(shifts == np.round(shifts)):
        raise ValueError(f"shift_images: shifts must be whole numbers of shape ({X.shape[0]}, 2), "
                         f"got shape {shifts.shape}")
    return apply_plan(X, sampling_plan(X.shape, shifts=shifts))


def rotate_images(X, angles):
    r"""Turn every image counter-clockwise about its centre by ``angles[n]`` degrees (bilinear, zero fill).

    Output pixel p reads the input at :math:`c + R(-\theta)(p - c)` (see the module notes).

    Parameters
    ----------
    X : array_like, shape (N, C, H, W)
    angles : array_like, shape (N,)

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> X = np.arange(4.0).reshape(1, 1, 2, 2)
    >>> rotate_images(X, [90.0])[0, 0]                      # the same as np.rot90
    array([[1., 3.],
           [0., 2.]])
    """
    X = _check_images(X, "rotate_images")
    angles = check_array(angles, "rotate_images", shape=(X.shape[0],), name="angles")
    return apply_plan(X, sampling_plan(X.shape, angles=angles))


def random_shift(X, max_shift=1, rng=None):
    """Move every image by a random whole number of pixels in ``-max_shift..max_shift`` (each axis).

    Parameters
    ----------
    X : array_like, shape (N, C, H, W)
    max_shift : int >= 0
    rng : None, int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> X = np.zeros((2, 1, 8, 8)); X[:, :, 3:5, 3:5] = 1.0
    >>> moved = random_shift(X, max_shift=2, rng=0)
    >>> moved.shape, moved.sum(axis=(1, 2, 3))              # the 2x2 square moved, nothing lost
    ((2, 1, 8, 8), array([4., 4.]))
    """
    X = _check_images(X, "random_shift")
    max_shift = check_nonnegative_int(max_shift, "random_shift", "max_shift")
    shifts = as_rng(rng).integers(-max_shift, max_shift + 1, size=(X.shape[0], 2))  # (N, 2)
    return apply_plan(X, sampling_plan(X.shape, shifts=shifts))


def random_rotation(X, degrees=10.0, rng=None):
    """Turn every image by a random angle drawn uniformly from ``[-degrees, degrees]``.

    Parameters
    ----------
    X : array_like, shape (N, C, H, W)
    degrees : float >= 0
    rng : None, int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> random_rotation(np.ones((3, 1, 8, 8)), degrees=10.0, rng=0).shape
    (3, 1, 8, 8)
    """
    X = _check_images(X, "random_rotation")
    degrees = check_nonnegative(degrees, "random_rotation", "degrees")
    angles = as_rng(rng).uniform(-degrees, degrees, size=X.shape[0])  # (N,)
    return apply_plan(X, sampling_plan(X.shape, angles=angles))


def gaussian_noise(X, std=0.1, rng=None):
    r"""Add independent noise :math:`\mathcal N(0, \text{std}^2)` to every pixel.

    Parameters
    ----------
    X : array_like, shape (N, C, H, W)
    std : float >= 0
    rng : None, int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> noisy = gaussian_noise(np.zeros((100, 1, 8, 8)), std=0.1, rng=0)
    >>> round(float(noisy.std()), 2)
    0.1
    """
    X = _check_images(X, "gaussian_noise")
    std = check_nonnegative(std, "gaussian_noise", "std")
    return X + std * as_rng(rng).standard_normal(X.shape)


def augment(X, max_shift=1, degrees=10.0, noise_std=0.0, rng=None):
    """A random turn, a random whole-pixel move and noise for every image, all drawn from ``rng``.

    The turn and the move are one bilinear warp (see the module notes); the noise is added
    afterwards. The same ``rng`` seed gives the same augmented batch.

    Parameters
    ----------
    X : array_like, shape (N, C, H, W)
    max_shift : int >= 0
        Largest move in pixels along each axis.
    degrees : float >= 0
        Largest turn, in degrees, either way.
    noise_std : float >= 0
        Standard deviation of the added noise.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> from nnlib.datasets import load_digits
    >>> X, _ = load_digits()
    >>> X = (X / 16.0).reshape(-1, 1, 8, 8)
    >>> a, b = augment(X[:5], rng=0), augment(X[:5], rng=0)
    >>> a.shape, bool(np.array_equal(a, b)), bool(np.array_equal(a, X[:5]))
    ((5, 1, 8, 8), True, False)
    """
    return RandomAugment(max_shift, degrees, noise_std, rng)(X)


class RandomAugment(Module):
    """A layer that augments its input in training mode and passes it through in eval mode.

    Put it first in a network, ``Sequential(RandomAugment(1, 10.0, rng=0), Conv2d(...), ...)``,
    and ``fit`` shows the network a freshly moved, turned and noised version of every
    mini-batch; ``predict``/``evaluate`` (eval mode) see the original images. Backward
    applies the transpose of the warp (the noise is additive, its derivative is 1), so
    the layer is an honest ``Module`` whose gradient checks pass for a fixed ``rng``.

    Parameters
    ----------
    max_shift : int >= 0
        Largest whole-pixel move along each axis (default 1).
    degrees : float >= 0
        Largest turn either way, in degrees (default 0: no turns).
    noise_std : float >= 0
        Standard deviation of the Gaussian noise (default 0).
    rng : None, int or numpy.random.Generator
        Source of the random moves, turns and noise.

    Shape
    -----
    Input ``(N, C, H, W)``; output the same shape.

    Examples
    --------
    >>> layer = RandomAugment(max_shift=1, degrees=10.0, rng=0)
    >>> X = np.ones((4, 1, 8, 8))
    >>> bool(np.array_equal(layer(X), X)), bool(np.array_equal(layer.eval()(X), X))
    (False, True)
    """

    def __init__(self, max_shift=1, degrees=0.0, noise_std=0.0, rng=None):
        super().__init__()
        self.max_shift = check_nonnegative_int(max_shift, "RandomAugment", "max_shift")
        self.degrees = check_nonnegative(degrees, "RandomAugment", "degrees")
        self.noise_std = check_nonnegative(noise_std, "RandomAugment", "noise_std")
        self.rng = as_rng(rng)
        self._plan = None

    def forward(self, X):
        X = _check_images(X, "RandomAugment.forward")
        if not self.training:
            self._plan = "identity"
            return X.copy()
        N = X.shape[0]
        shifts = self.rng.integers(-self.max_shift, self.max_shift + 1, size=(N, 2))  # (N, 2) pixels
        angles = self.rng.uniform(-self.degrees, self.degrees, size=N)  # (N,) degrees
        self._plan = sampling_plan(X.shape, angles, shifts)
        Y = apply_plan(X, self._plan)  # (N, C, H, W)
        if self.noise_std > 0:
            Y += self.noise_std * self.rng.standard_normal(X.shape)
        return Y

    def backward(self, grad_y):
        plan = self._cache_or_raise(self._plan)
        if isinstance(plan, str):  # eval mode: the identity
            return check_array(grad_y, "RandomAugment.backward", name="grad_y").copy()
        N, HW = plan[0].shape[:2]
        grad_y = check_array(grad_y, "RandomAugment.backward", name="grad_y", shape=(N, "C", "H", "W"))
        if grad_y.shape[2] * grad_y.shape[3] != HW:
            raise ValueError(f"RandomAugment.backward: grad_y must have the shape of the last output, "
                             f"got {tuple(grad_y.shape)}")
        return apply_plan_transpose(grad_y, plan)  # dL/dX = A^T dL/dY

    def __repr__(self):
        return f"RandomAugment(max_shift={self.max_shift}, degrees={self.degrees}, noise_std={self.noise_std})"
