"""Preparing data for training: a (stratified) train/test split and standardisation.

Data sets themselves are in :mod:`nnlib.datasets`; these functions work on any
``X`` with one example per row, shape ``(N, D)``, and labels ``y`` of shape ``(N,)``.
Both take their statistics or randomness explicitly: ``standardize`` returns the
training mean and standard deviation so the same scaling can be applied to the
validation and test data, and ``train_test_split`` takes ``rng``.
"""

import numbers

import numpy as np

from nnlib.validation import as_rng


def train_test_split(X, y, test_size=0.25, stratify=True, rng=None):
    """Split ``X, y`` at random into a training and a test part.

    With ``stratify=True`` (default) every class keeps (as nearly as whole numbers
    allow) the same share in both parts, so a 25 % test set of the digits holds
    about 25 % of every digit. The test part has ``ceil(test_size * N)`` rows when
    ``test_size`` is a fraction, as in scikit-learn.

    Parameters
    ----------
    X : array_like, shape (N, ...)
        Inputs, one example per row (any trailing shape, e.g. images).
    y : array_like, shape (N,) or (N, ...)
        Targets, one per row of ``X``.
    test_size : float in (0, 1) or int in [1, N-1]
        Fraction or number of examples for the test part.
    stratify : bool or array_like of shape (N,)
        True: keep class shares of ``y`` (needs class labels); False: plain random
        split; an array: keep the shares of these group labels instead.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Rows of the inputs, in random order; the caller's arrays are not changed.

    Examples
    --------
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, rng=0)
    >>> X_train.shape, X_test.shape, np.bincount(y_test).tolist()
    ((5, 2), (5, 2), [3, 2])
    """
    where = "train_test_split"
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 1 or y.ndim < 1:
        raise ValueError(f"{where}: X and y must have one row per example, got scalars")
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(
            f"{where}: X and y must have the same number of rows, got {n} and {y.shape[0]}"
        )
    if n < 2:
        raise ValueError(f"{where}: need at least 2 examples to split, got {n}")
    n_test = _check_test_size(test_size, n, where)
    rng = as_rng(rng)

    if isinstance(stratify, (bool, np.bool_)):
        groups = y if stratify else None
        if stratify and y.ndim != 1:
            raise ValueError(
                f"{where}: stratify=True needs class labels y of shape (N,), got {y.shape}; "
                "pass stratify=False or an array of group labels"
            )
    else:
        groups = np.asarray(stratify)
        if groups.shape != (n,):
            raise ValueError(
                f"{where}: stratify must be True, False or labels of shape ({n},), "
                f"got shape {groups.shape}"
            )

    if groups is None:
        order = rng.permutation(n)  # (N,)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        test_idx, train_idx = _stratified_indices(groups, n_test, rng, where)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def _check_test_size(test_size, n, where):
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"{where}: test_size must be a float or an int, got {type(test_size).__name__}")
    if isinstance(test_size, numbers.Integral):
        if not 1 <= test_size <= n - 1:
            raise ValueError(f"{where}: test_size as a count must be in [1, {n - 1}], got {test_size}")
        return int(test_size)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"{where}: test_size as a fraction must be in (0, 1), got {test_size}")
    n_test = int(np.ceil(test_size * n))
    if n_test > n - 1:
        raise ValueError(
            f"{where}: test_size={test_size} leaves no training examples out of {n}"
        )
    return n_test


def _stratified_indices(groups, n_test, rng, where):
    """Test and train indices with each group's share preserved (largest remainders)."""
    classes, group_index = np.unique(groups, return_inverse=True)  # (K,), (N,)
    counts = np.bincount(group_index)  # (K,)
    if len(classes) > n_test or len(classes) > len(groups) - n_test:
        raise ValueError(
            f"{where}: with {len(classes)} classes both parts need at least {len(classes)} "
            f"examples, got {n_test} test and {len(groups) - n_test} train; "
            "use a different test_size or stratify=False"
        )
    exact = counts * n_test / len(groups)  # (K,) ideal test count per class
    per_class = np.floor(exact).astype(np.int64)  # (K,)
    leftover = n_test - per_class.sum()
    # hand the remaining test slots to the classes with the largest remainders,
    # ties broken at random so no class is always favoured
    remainder = exact - per_class  # (K,)
    tie_break = rng.permutation(len(classes))  # (K,)
    priority = np.lexsort((tie_break, -remainder))  # (K,)
    per_class[priority[:leftover]] += 1
    test_parts, train_parts = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(group_index == k))  # (counts[k],)
        test_parts.append(members[:per_class[k]])
        train_parts.append(members[per_class[k]:])
    test_idx = rng.permutation(np.concatenate(test_parts))  # (n_test,)
    train_idx = rng.permutation(np.concatenate(train_parts))  # (N - n_test,)
    return test_idx, train_idx


def standardize(X, mean=None, std=None):
    """Scale every feature to mean 0 and standard deviation 1: ``(X - mean) / std``.

    Compute ``mean`` and ``std`` on the training set only and reuse them for the
    validation and test sets, otherwise information from the test set leaks into
    training. Features that never change (``std == 0``, like the always-blank
    border pixels of the digits) are only centred, never divided by zero.

    Parameters
    ----------
    X : array_like, shape (N, D)
    mean, std : array_like of shape (D,), optional
        Statistics to use; both None (default) means "compute them from ``X``".

    Returns
    -------
    X_std : ndarray, shape (N, D)
    mean : ndarray, shape (D,)
    std : ndarray, shape (D,)
        The statistics used, with zero standard deviations replaced by 1.

    Examples
    --------
    >>> X_train = np.array([[1.0, 5.0], [3.0, 5.0]])
    >>> X_std, mean, std = standardize(X_train)
    >>> X_std
    array([[-1.,  0.],
           [ 1.,  0.]])
    >>> standardize(np.array([[5.0, 6.0]]), mean, std)[0]
    array([[3., 1.]])
    """
    where = "standardize"
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{where}: X must have shape (N, D), got {X.shape}")
    if (mean is None) != (std is None):
        raise ValueError(f"{where}: give both mean and std, or neither")
    if mean is None:
        if X.shape[0] < 1:
            raise ValueError(f"{where}: X must have at least one row to compute statistics")
        mean = X.mean(axis=0)  # (D,)
        std = X.std(axis=0)  # (D,)
    else:
        mean = np.asarray(mean, dtype=np.float64)
        std = np.asarray(std, dtype=np.float64)
        for name, stat in (("mean", mean), ("std", std)):
            if stat.shape != (X.shape[1],):
                raise ValueError(f"{where}: {name} must have shape ({X.shape[1]},), got {stat.shape}")
        if np.any(std < 0):
            raise ValueError(f"{where}: std must be >= 0")
    std = np.where(std > 0, std, 1.0)  # (D,) constant features are only centred
    X_std = (X - mean) / std  # (N, D)
    return X_std, mean, std
