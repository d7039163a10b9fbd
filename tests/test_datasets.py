"""Tests for nnlib.datasets: gates, toy problems, digits, splitting, scaling."""

import numpy as np
import pytest

from nnlib import datasets
from nnlib.datasets import (
    load_digits,
    make_and,
    make_blobs,
    make_circles,
    make_moons,
    make_nand,
    make_nor,
    make_not,
    make_or,
    make_spirals,
    make_xor,
)
from nnlib.preprocessing import standardize, train_test_split
from nnlib.threshold import AND, truth_table

GENERATORS = [
    lambda rng: make_xor(40, noise=0.1, rng=rng),
    lambda rng: make_blobs(40, centers=3, rng=rng),
    lambda rng: make_moons(40, noise=0.1, rng=rng),
    lambda rng: make_circles(40, noise=0.1, rng=rng),
    lambda rng: make_spirals(40, n_classes=4, rng=rng),
]


# ---------------------------------------------------------------- logic gates

@pytest.mark.parametrize(
    "maker, gate",
    [(make_and, np.logical_and), (make_or, np.logical_or),
     (make_nand, lambda a, b: ~np.logical_and(a, b)),
     (make_nor, lambda a, b: ~np.logical_or(a, b)),
     (lambda signed=False: make_xor(signed=signed), np.logical_xor)],
)
def test_gate_tables_match_boolean_logic(maker, gate):
    X, y = maker()
    assert X.shape == (4, 2) and X.dtype == np.float64 and y.dtype == np.int64
    expected = gate(X[:, 0] == 1, X[:, 1] == 1).astype(int)
    np.testing.assert_array_equal(y, expected)
    X_signed, y_signed = maker(signed=True)
    np.testing.assert_array_equal(X_signed, X)
    np.testing.assert_array_equal(y_signed, 2 * expected - 1)


def test_not_gate_and_case_insensitive_names():
    X, y = make_not()
    np.testing.assert_array_equal(X, [[0.0], [1.0]])
    np.testing.assert_array_equal(y, [1, 0])
    np.testing.assert_array_equal(make_not(signed=True)[1], [1, -1])


def test_xor_is_and_of_or_and_nand():
    # the lecture's decomposition XOR(a, b) = (a OR b) AND NOT (a AND b)
    _, y_or = make_or()
    _, y_nand = make_nand()
    np.testing.assert_array_equal(make_xor()[1], y_or & y_nand)


def test_gate_data_is_the_truth_table_of_a_threshold_unit():
    # one truth_table in nnlib: the data sets are the tables of the gates' threshold units
    X, y = make_and()
    X_unit, y_unit = truth_table(AND)
    np.testing.assert_array_equal(X, X_unit)
    np.testing.assert_array_equal(y, y_unit)


def test_gate_data_bad_arguments():
    with pytest.raises(TypeError, match="make_gate: signed must be True or False, got 1"):
        make_and(signed=1)


def test_noisy_xor_labels_follow_nearest_corner():
    X, y = make_xor(200, noise=0.1, rng=1)
    corner = (X > 0.5).astype(int)  # noise 0.1 almost never crosses 0.5
    agree = np.mean(y == (corner[:, 0] ^ corner[:, 1]))
    assert agree > 0.99
    np.testing.assert_array_equal(np.bincount(y), [100, 100])
    assert set(make_xor(8, signed=True, rng=0)[1]) == {-1, 1}


# ---------------------------------------------------------------- toy problems

@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_seeded_and_typed(make):
    X1, y1 = make(7)
    X2, y2 = make(np.random.default_rng(7))
    X3, _ = make(8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.dtype == np.float64 and y1.dtype == np.int64
    assert X1.shape[0] == y1.shape[0] == 40
    assert y1.min() == 0


def test_make_blobs_with_given_centres_puts_means_near_them():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X, y = make_blobs(3000, centers=centres, cluster_std=0.5, rng=0)
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centres[k], atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, rtol=0.1)


def test_make_blobs_uneven_split_and_dimension():
    X, y = make_blobs(10, centers=3, n_features=5, rng=0)
    assert X.shape == (10, 5)
    np.testing.assert_array_equal(np.bincount(y), [4, 3, 3])


def test_make_moons_without_noise_lie_on_half_circles():
    X, y = make_moons(50, noise=0.0, rng=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= -1e-12) and np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_make_circles_radii():
    X, y = make_circles(101, noise=0.0, factor=0.25, rng=3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.25)
    np.testing.assert_array_equal(np.bincount(y), [51, 50])


def test_make_spirals_angles_follow_formula_without_noise():
    X, y = make_spirals(30, n_classes=3, noise=0.0, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    theta = np.arctan2(X[:, 0], X[:, 1])  # x = r sin(theta), y = r cos(theta)
    expected = 4.0 * y + 4.0 * r
    keep = r > 1e-9  # the centre has no angle
    diff = np.angle(np.exp(1j * (theta[keep] - expected[keep])))
    np.testing.assert_allclose(diff, 0.0, atol=1e-9)
    np.testing.assert_array_equal(np.bincount(y), [10, 10, 10])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_xor(3), ValueError, "make_xor: n_samples must be >= 4, got 3"),
        (lambda: make_xor(10, noise=-1.0), ValueError, "make_xor: noise must be a finite number >= 0, got -1.0"),
        (lambda: make_moons(0), ValueError, "make_moons: n_samples must be >= 1, got 0"),
        (lambda: make_moons(1), ValueError, "make_moons: n_samples must be >= 2, got 1"),
        (lambda: make_moons(10.5), TypeError, "make_moons: n_samples must be an int, got float"),
        (lambda: make_moons(10, noise="a lot"), TypeError, "make_moons: noise must be a number, got str"),
        (lambda: make_circles(10, factor=1.0), ValueError, r"make_circles: factor must be in \(0, 1\), got 1.0"),
        (lambda: make_circles(10, noise=np.nan), ValueError, "make_circles: noise must be a finite number >= 0, got nan"),
        (lambda: make_spirals(10, n_classes=1), ValueError, "make_spirals: n_classes must be >= 2, got 1"),
        (lambda: make_spirals(2, n_classes=3), ValueError, "make_spirals: n_samples must be >= 3, got 2"),
        (lambda: make_blobs(10, centers=0), ValueError, "make_blobs: centers must be >= 1, got 0"),
        (lambda: make_blobs(10, centers=[1.0, 2.0]), ValueError,
         r"make_blobs: centers must be an int or an array of shape \(K, n_features\), got shape \(2,\)"),
        (lambda: make_blobs(10, cluster_std=-0.5), ValueError,
         "make_blobs: cluster_std must be a finite number >= 0, got -0.5"),
        (lambda: make_blobs(10, center_box=(1, 1)), ValueError, r"make_blobs: center_box must satisfy low < high"),
        (lambda: make_blobs(10, rng="seed"), TypeError, "rng must be None, an int seed or a numpy Generator"),
    ],
)
def test_generator_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- digits

def test_load_digits_shapes_values_and_first_image():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    # the first image is a zero; its top row in the data file is 0,0,5,13,9,1,0,0
    assert y[0] == 0
    np.testing.assert_array_equal(X[0, :8], [0, 0, 5, 13, 9, 1, 0, 0])


def test_load_digits_images_are_the_rows_reshaped_and_fresh_copies():
    X, y = load_digits()
    images, y_img = load_digits(as_images=True)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(-1, 64), X)
    np.testing.assert_array_equal(y_img, y)
    X[:] = -1.0  # a caller scribbling on its copy must not change the next load
    y[:] = 99
    X_again, y_again = load_digits()
    assert X_again.min() == 0.0 and y_again.max() == 9


def test_load_digits_bad_argument():
    with pytest.raises(TypeError, match="load_digits: as_images must be True or False, got 'yes'"):
        load_digits(as_images="yes")


def test_data_attribution_ships_with_the_package():
    readme = (datasets.DATA_DIR / "README.md").read_text()
    assert "Alpaydin" in readme and "Kaynak" in readme and "CC BY 4.0" in readme


# ---------------------------------------------------------------- splitting

def test_stratified_split_of_digits_keeps_class_shares():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=0)
    assert X_test.shape == (450, 64) and X_train.shape == (1347, 64)  # ceil(0.25 * 1797) = 450
    test_counts = np.bincount(y_test, minlength=10)
    np.testing.assert_allclose(test_counts, 0.25 * np.bincount(y), atol=1.0)
    assert test_counts.sum() == 450


def test_split_is_a_partition_and_rows_stay_paired():
    X = np.arange(30.0).reshape(15, 2)
    y = np.array([0] * 5 + [1] * 5 + [2] * 5)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=6, rng=2)
    rows = np.vstack([X_train, X_test])
    np.testing.assert_array_equal(np.sort(rows[:, 0]), X[:, 0])
    # each X row stays with its own label
    for Xs, ys in ((X_train, y_train), (X_test, y_test)):
        np.testing.assert_array_equal(ys, y[(Xs[:, 0] // 2).astype(int)])
    np.testing.assert_array_equal(np.bincount(y_test), [2, 2, 2])


def test_split_is_seeded_and_leaves_inputs_untouched():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20) % 2
    X_copy, y_copy = X.copy(), y.copy()
    a = train_test_split(X, y, rng=5)
    b = train_test_split(X, y, rng=5)
    c = train_test_split(X, y, rng=6)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_unstratified_split_and_custom_groups():
    X = np.arange(12.0).reshape(12, 1)
    y = np.linspace(0.0, 1.0, 12)  # regression targets: cannot stratify on them sensibly
    X_train, X_test, _, _ = train_test_split(X, y, test_size=0.25, stratify=False, rng=0)
    assert len(X_test) == 3 and len(X_train) == 9
    groups = np.array([0] * 8 + [1] * 4)
    _, X_test, _, _ = train_test_split(X, y, test_size=0.5, stratify=groups, rng=0)
    np.testing.assert_array_equal(np.bincount(groups[X_test[:, 0].astype(int)]), [4, 2])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(test_size=0.0), ValueError, r"train_test_split: test_size as a fraction must be in \(0, 1\), got 0.0"),
        (dict(test_size=1.5), ValueError, r"train_test_split: test_size as a fraction must be in \(0, 1\), got 1.5"),
        (dict(test_size=10), ValueError, r"train_test_split: test_size as a count must be in \[1, 9\], got 10"),
        (dict(test_size="half"), TypeError, "train_test_split: test_size must be a float or an int, got str"),
        (dict(test_size=0.99), ValueError, "train_test_split: test_size=0.99 leaves no training examples out of 10"),
        (dict(test_size=1), ValueError, "with 2 classes both parts need at least 2 examples, got 1 test"),
        (dict(stratify=np.zeros(3)), ValueError,
         r"train_test_split: stratify must be True, False or labels of shape \(10,\), got shape \(3,\)"),
    ],
)
def test_split_bad_arguments(kwargs, error, message):
    X = np.zeros((10, 2))
    y = np.array([0, 1] * 5)
    with pytest.raises(error, match=message):
        train_test_split(X, y, **kwargs)


def test_split_mismatched_rows_and_bad_stratify_target():
    with pytest.raises(ValueError, match="X and y must have the same number of rows, got 4 and 3"):
        train_test_split(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="need at least 2 examples to split, got 1"):
        train_test_split(np.zeros((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match=r"stratify=True needs class labels y of shape \(N,\), got \(6, 2\)"):
        train_test_split(np.zeros((6, 2)), np.zeros((6, 2)))


# ---------------------------------------------------------------- scaling

def test_standardize_uses_training_statistics():
    rng = np.random.default_rng(0)
    X_train = rng.normal(3.0, 2.0, size=(200, 3))
    X_train[:, 2] = 7.0  # a constant feature, like a blank border pixel
    X_std, mean, std = standardize(X_train)
    np.testing.assert_allclose(X_std[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_std[:, :2].std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(X_std[:, 2], 0.0)
    assert std[2] == 1.0
    X_test = np.array([[3.0, 3.0, 7.0]])
    expected = (X_test - X_train.mean(axis=0)) / np.array([X_train[:, 0].std(), X_train[:, 1].std(), 1.0])
    np.testing.assert_allclose(standardize(X_test, mean, std)[0], expected)


def test_standardize_bad_arguments():
    with pytest.raises(ValueError, match=r"standardize: X must have shape \(N, D\), got \(3,\)"):
        standardize(np.zeros(3))
    with pytest.raises(ValueError, match="standardize: give both mean and std, or neither"):
        standardize(np.zeros((2, 2)), mean=np.zeros(2))
    with pytest.raises(ValueError, match=r"standardize: std must have shape \(2,\), got \(3,\)"):
        standardize(np.zeros((2, 2)), mean=np.zeros(2), std=np.ones(3))
    with pytest.raises(ValueError, match="standardize: std must be >= 0"):
        standardize(np.zeros((2, 2)), mean=np.zeros(2), std=-np.ones(2))
