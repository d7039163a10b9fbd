"""Lesson 14: the lesson's pooling and CNN facts checked on nnlib, and the lesson's helpers.

The notebook computes the pooling example, its backward pass, the splits and the training runs in
its cells (nbval re-checks the printed numbers); these tests pin the same facts on the library and
test the figure helpers and the CNN that exercise 14 imports.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from notebook_functions import notebook_function  # noqa: E402

from nncourse.lessons import l14_pooling_cnns as l14  # noqa: E402
from nnlib.conv import correlate2d  # noqa: E402
from nnlib.datasets import load_digits  # noqa: E402
from nnlib.gradcheck import numerical_gradient  # noqa: E402
from nnlib.layers import BatchNorm2d  # noqa: E402
from nnlib.losses import CrossEntropyLoss  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.pooling import AvgPool2d, MaxPool2d  # noqa: E402
from nnlib.preprocessing import train_test_split  # noqa: E402
from nnlib.training import evaluate, fit  # noqa: E402

FEATURE_MAP = np.array([[1.0, 1.0, 2.0, 4.0],
                        [5.0, 6.0, 7.0, 8.0],
                        [3.0, 2.0, 1.0, 0.0],
                        [1.0, 2.0, 3.0, 4.0]])


def lesson_splits():
    """The notebook's three sets: 20 % test, then 20 % of the rest for validation (stratified, seeded)."""
    X, y = load_digits(as_images=True)
    X = (X / 16.0)[:, None]
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, rng=0)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2, rng=1)
    return X_train, X_val, X_test, y_train, y_val, y_test


# ---------------------------------------------------------------- pooling: the lesson's example on nnlib

def test_pooling_example_by_hand():
    # windows [[1,1],[5,6]], [[2,4],[7,8]], [[3,2],[1,2]], [[1,0],[3,4]]
    np.testing.assert_array_equal(MaxPool2d(2)(FEATURE_MAP[None, None])[0, 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(AvgPool2d(2)(FEATURE_MAP[None, None])[0, 0], [[13 / 4, 21 / 4], [8 / 4, 8 / 4]])


def test_pooling_backward_routes_to_maxima_and_spreads_means():
    delta = np.array([[10.0, 20.0], [30.0, 40.0]])
    max_pool, mean_pool = MaxPool2d(2), AvgPool2d(2)
    max_pool(FEATURE_MAP[None, None])
    mean_pool(FEATURE_MAP[None, None])
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[2, 0], expected[3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(max_pool.backward(delta[None, None])[0, 0], expected)
    np.testing.assert_array_equal(mean_pool.backward(delta[None, None])[0, 0], np.kron(delta / 4, np.ones((2, 2))))


@pytest.mark.parametrize("Pool", [MaxPool2d, AvgPool2d])
def test_overlapping_windows_add_up_and_match_central_differences(Pool):
    rng = np.random.default_rng(0)
    A = rng.permutation(36).reshape(6, 6) * 0.1 + rng.uniform(0, 0.01, size=(6, 6))  # no ties
    pool = Pool(3, stride=2)
    pool(A[None, None])
    delta = rng.normal(size=(2, 2))  # a random upstream gradient
    dA = pool.backward(delta[None, None])[0, 0]

    def loss(_):
        return float(np.sum(Pool(3, stride=2)(A[None, None])[0, 0] * delta))

    np.testing.assert_allclose(dA, numerical_gradient(loss, A), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dA.sum(), delta.sum(), rtol=1e-12, atol=1e-12)  # passed on, not lost


def test_gradient_of_ones_through_the_slider_settings():
    A = np.random.default_rng(0).permutation(36).reshape(6, 6).astype(float)
    for k, s in [(2, 2), (3, 1), (2, 3), (4, 4)]:
        m = (6 - k) // s + 1
        for Pool in (MaxPool2d, AvgPool2d):
            pool = Pool(k, stride=s)
            out = pool(A[None, None])
            assert out.shape == (1, 1, m, m)
            grad = pool.backward(np.ones_like(out))[0, 0]
            np.testing.assert_allclose(grad.sum(), m * m, rtol=1e-12, atol=1e-12)
            if Pool is MaxPool2d:
                assert np.count_nonzero(grad) <= m * m


def test_a_shift_inside_the_window_leaves_max_pooling_unchanged():
    before, after, far = np.zeros((3, 4, 4))
    before[0, 0], after[1, 1], far[2, 2] = 1.0, 1.0, 1.0
    pooled = [MaxPool2d(2)(A[None, None])[0, 0] for A in (before, after, far)]
    np.testing.assert_array_equal(pooled[0], pooled[1])
    assert not np.array_equal(pooled[0], pooled[2])


# ---------------------------------------------------------------- the CNN on train / validation / test

def test_the_three_sets_are_disjoint_stratified_and_seeded():
    X_train, X_val, X_test, y_train, y_val, y_test = lesson_splits()
    assert (len(X_train), len(X_val), len(X_test)) == (1149, 288, 360)
    rows = {tuple(x.ravel()) for x in X_train}
    assert not rows & {tuple(x.ravel()) for x in X_test}
    for part in (y_train, y_val, y_test):  # every digit keeps its share (about 10 %)
        assert np.all(np.abs(np.bincount(part, minlength=10) / len(part) - 0.1) < 0.015)
    np.testing.assert_array_equal(lesson_splits()[4], y_val)


def test_cnn_learns_the_digits_in_two_epochs():
    X_train, X_val, X_test, y_train, y_val, y_test = lesson_splits()
    cnn = l14.make_cnn(8, rng=0)
    history = fit(cnn, CrossEntropyLoss(), Adam(cnn.parameters(), lr=5e-3), X_train, y_train, epochs=2,
                  X_val=X_val, y_val=y_val, rng=0, verbose=False)
    assert len(history["val_acc"]) == 2 and history["val_acc"][-1] > 0.85
    assert evaluate(cnn, CrossEntropyLoss(), X_test, y_test)[1] > 0.85


def test_conv_kernel_gradient_in_the_cnn_is_the_correlation_of_input_and_delta():
    cnn = l14.make_cnn(4, rng=0)
    conv, relu, pool, flatten, linear = cnn.layers
    # a little noise keeps Z off the ReLU kink and the pooling windows free of ties on blank areas
    x = lesson_splits()[1][:1] + np.random.default_rng(0).uniform(0.0, 0.05, size=(1, 1, 8, 8))
    loss_fn = CrossEntropyLoss()
    Z = conv(x)
    loss_fn(linear(flatten(pool(relu(Z)))), np.array([3]))
    dA = pool.backward(flatten.backward(linear.backward(loss_fn.backward())))
    assert np.count_nonzero(dA) <= 4 * 16  # one entry per 2x2 window
    dZ = relu.backward(dA)
    dx = conv.backward(dZ)
    for f in range(4):
        np.testing.assert_allclose(conv.dW[f, 0], correlate2d(np.pad(x[0, 0], 1), dZ[0, f]), rtol=1e-12, atol=1e-12)
    x_check = x.copy()

    def loss(_):
        return loss_fn.forward(cnn(x_check), np.array([3]))

    np.testing.assert_allclose(dx, numerical_gradient(loss, x_check), rtol=1e-5, atol=1e-8)


def test_parameter_table_of_the_lesson_cnn():
    rows, total = l14.parameter_table(l14.make_cnn(8, kernel_size=5))
    # conv: F (C_in k^2 + 1); dense: (F * 4 * 4 + 1) * 10
    assert [r["count"] for r in rows] == [8 * 25, 8, 8 * 16 * 10, 10]
    assert total == 8 * (25 + 1) + (8 * 16 + 1) * 10
    assert l14.parameter_table(l14.make_cnn(16))[1] == 2730
    with pytest.raises(ValueError, match="make_cnn: kernel_size must be odd"):
        l14.make_cnn(4, kernel_size=2)


# ---------------------------------------------------------------- figure helpers

def test_draw_pooling_frames_every_window_and_rings_the_maxima():
    fig, ax = plt.subplots()
    frames = l14.draw_pooling(ax, FEATURE_MAP, 2, 2, winners=[(1, 1), (1, 3)])
    assert [tuple(np.round(f.get_xy(), 2)) for f in frames] == [(-0.43, -0.43), (1.57, -0.43), (-0.43, 1.57),
                                                               (1.57, 1.57)]
    assert len({f.get_edgecolor() for f in frames}) == 4
    assert all(f.get_path_effects() and f.get_zorder() > 1 for f in frames)  # halo: visible on dark cells
    rings = [p for p in ax.patches if p not in frames]
    assert [r.center for r in rings] == [(1, 1), (3, 1)]
    plt.close(fig)


def test_draw_pooling_first_and_last_and_too_large_windows():
    fig, ax = plt.subplots()
    A = np.arange(36.0).reshape(6, 6)
    frames = l14.draw_pooling(ax, A, 3, 1, first_and_last=True)
    assert len(frames) == 2 and tuple(np.round(frames[1].get_xy(), 2)) == (2.57, 2.57)
    assert l14.draw_pooling(ax, A, 7, 1) == []
    plt.close(fig)


def test_draw_feature_maps_shows_the_digit_beside_every_filter():
    rng = np.random.default_rng(0)
    fig = plt.figure()
    image_ax = l14.draw_feature_maps(fig, rng.uniform(size=(8, 8)), 2, rng.normal(size=(16, 3, 3)),
                                     rng.uniform(size=(16, 8, 8)), rng.uniform(size=(16, 4, 4)))
    assert image_ax.get_title() == "input: digit 2"
    assert len(fig.axes) == 1 + 3 * 16 + 2  # the digit, three panels per filter, two colour bars
    plt.close(fig)
    with pytest.raises(ValueError, match=r"draw_feature_maps: A must have shape \(16, H, W\)"):
        l14.draw_feature_maps(plt.figure(), np.zeros((8, 8)), 0, np.zeros((16, 3, 3)), np.zeros((4, 8, 8)),
                              np.zeros((16, 4, 4)))


# ---------------------------------------------------------------- batch norm and augmentation on little data


def test_batchnorm2d_normalises_each_feature_map_over_batch_and_positions():
    """The lesson's hand calculation: one mean and variance per channel over N, H, W."""
    Z = np.random.default_rng(0).normal(2.0, 3.0, size=(4, 2, 3, 3))
    mu, var = Z.mean(axis=(0, 2, 3)), Z.var(axis=(0, 2, 3))
    bn = BatchNorm2d(2)
    out = bn(Z)
    np.testing.assert_allclose(out, (Z - mu[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5),
                               atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.1 * mu)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * var * 36 / 35)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)


def test_augmentation_makes_the_little_data_cnn_robust_to_moved_digits():
    X, y = load_digits(as_images=True)
    X = (X / 16.0)[:, None]
    X_rest, _, y_rest, _ = train_test_split(X, y, test_size=0.2, rng=0)       # as in the lesson
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2, rng=1)
    nb = "14_pooling_cnns.ipynb"
    shift = notebook_function(nb, "shift")
    train_little_data = notebook_function(nb, "train_little_data", X_train=X_train, y_train=y_train,
                                          X_val=X_val, y_val=y_val, shift=shift)
    plain = train_little_data(epochs=15)
    augmented = train_little_data(batchnorm=True, augmentation=True, epochs=15)
    assert plain[0] > 0.85 and augmented[0] > 0.85                     # both learn the centred digits
    assert augmented[1] > plain[1] + 0.2                               # moved digits: far better with augmentation
