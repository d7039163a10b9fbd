"""Tests of nnlib.augmentation: exact shifts and turns by hand, seeding, the adjoint, the layer, errors."""

import numpy as np
import pytest

from nnlib.augmentation import (
    RandomAugment,
    apply_plan,
    apply_plan_transpose,
    augment,
    gaussian_noise,
    random_rotation,
    random_shift,
    rotate_images,
    sampling_plan,
    shift_images,
)
from nnlib.datasets import load_digits
from nnlib.gradcheck import check_layer_gradients


def digits(n=20):
    X, y = load_digits()
    return (X[:n] / 16.0).reshape(-1, 1, 8, 8), y[:n]


def test_integer_shifts_copy_pixels_and_fill_zeros():
    X = np.arange(16.0).reshape(1, 1, 4, 4)
    out = shift_images(np.concatenate([X, X]), [[1, 0], [0, -2]])
    np.testing.assert_array_equal(out[0, 0], np.vstack([np.zeros(4), X[0, 0, :3]]))  # down by one
    np.testing.assert_array_equal(out[1, 0], np.hstack([X[0, 0, :, 2:], np.zeros((4, 2))]))  # left by two
    np.testing.assert_array_equal(shift_images(X, [[0, 0]]), X)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_quarter_turns_are_np_rot90(k):
    X = np.random.default_rng(0).normal(size=(2, 3, 5, 5))
    np.testing.assert_allclose(rotate_images(X, [90.0 * k] * 2), np.rot90(X, k, axes=(2, 3)), atol=1e-12)


def test_small_turn_is_bilinear_interpolation_by_hand():
    # output (0, 1) of a 3x3 image turned by 30 degrees reads the point (1 - cos 30, 1 + sin 30) = (0.134, 1.5)
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    fr, fc = 1 - np.cos(np.pi / 6), 0.5  # position inside the cell of the pixels (0, 1), (0, 2), (1, 1), (1, 2)
    expected = (1 - fr) * (1 - fc) * 1 + (1 - fr) * fc * 2 + fr * (1 - fc) * 4 + fr * fc * 5
    out = rotate_images(X, [30.0])[0, 0]
    assert out[0, 1] == pytest.approx(expected, rel=1e-12)  # 1.5 + 3 (1 - cos 30) = 1.9019
    assert out[1, 1] == pytest.approx(4.0)  # the centre stays


def test_same_seed_same_augmentation_and_generator_advances():
    X, _ = digits()
    np.testing.assert_array_equal(augment(X, 2, 15.0, 0.1, rng=3), augment(X, 2, 15.0, 0.1, rng=3))
    rng = np.random.default_rng(3)
    assert not np.array_equal(random_shift(X, 1, rng), random_shift(X, 1, rng))
    assert random_rotation(X, 10.0, rng=0).shape == X.shape


def test_shifts_keep_the_ink_of_a_centred_digit():
    X, _ = digits()
    X[:, :, 0, :] = X[:, :, -1, :] = X[:, :, :, 0] = X[:, :, :, -1] = 0.0  # a blank border
    np.testing.assert_allclose(random_shift(X, 1, rng=0).sum(axis=(1, 2, 3)), X.sum(axis=(1, 2, 3)))


def test_noise_has_the_asked_standard_deviation():
    noise = gaussian_noise(np.zeros((200, 1, 8, 8)), std=0.3, rng=0)
    assert abs(noise.std() - 0.3) < 0.01 and abs(noise.mean()) < 0.01


def test_transpose_is_the_adjoint():
    rng = np.random.default_rng(4)
    X, G = rng.normal(size=(3, 2, 6, 7)), rng.normal(size=(3, 2, 6, 7))
    plan = sampling_plan(X.shape, rng.uniform(-30, 30, 3), rng.integers(-2, 3, (3, 2)))
    np.testing.assert_allclose(np.sum(apply_plan(X, plan) * G), np.sum(X * apply_plan_transpose(G, plan)),
                               rtol=1e-12)


@pytest.mark.parametrize("max_shift, degrees, noise_std", [(1, 0.0, 0.0), (0, 20.0, 0.0), (2, 10.0, 0.1)])
def test_layer_gradients_with_a_fixed_generator(max_shift, degrees, noise_std):
    class Fixed(RandomAugment):  # the same draw on every forward pass, as for Dropout's gradient check
        def forward(self, X):
            self.rng = np.random.default_rng(5)
            return super().forward(X)

    x = np.random.default_rng(6).normal(size=(2, 1, 5, 6))
    fixed = Fixed(max_shift, degrees, noise_std)
    assert not np.allclose(fixed(x), x)  # the draw really moves or turns the images
    report = check_layer_gradients(fixed, x, rng=7)
    np.testing.assert_allclose(report["input"]["analytic"], report["input"]["numeric"], rtol=1e-6, atol=1e-8)
    layer = RandomAugment(max_shift, degrees, noise_std, rng=5).eval()  # eval mode: the identity
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


def test_shift_augmentation_makes_a_small_cnn_robust_to_shifts():
    """100 training digits; on test digits moved by up to one pixel the plain CNN falls apart."""
    from nnlib.activations import ReLU
    from nnlib.conv import Conv2d
    from nnlib.layers import Flatten, Linear
    from nnlib.losses import CrossEntropyLoss
    from nnlib.module import Sequential
    from nnlib.optim import Adam
    from nnlib.pooling import MaxPool2d
    from nnlib.preprocessing import train_test_split
    from nnlib.training import evaluate, fit

    X, y = load_digits()
    X = (X / 16.0).reshape(-1, 1, 8, 8)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=True, rng=0)
    X_train, y_train = X_train[:100], y_train[:100]
    X_moved = random_shift(X_test, 1, rng=100)
    accuracy = {}
    for name, first in (("plain", []), ("augmented", [RandomAugment(max_shift=1, rng=0)])):
        model = Sequential(*first, Conv2d(1, 16, 3, padding=1, rng=0), ReLU(), MaxPool2d(2), Flatten(),
                           Linear(256, 10, rng=1))
        fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.005), X_train, y_train, epochs=40,
            batch_size=32, rng=0, verbose=False)
        accuracy[name] = evaluate(model, CrossEntropyLoss(), X_moved, y_test)[1]
    assert accuracy["plain"] < 0.6 < accuracy["plain"] + 0.15 < accuracy["augmented"]


def test_augmentation_errors():
    with pytest.raises(ValueError, match=r"random_shift: images must have shape \(N, C, H, W\), got \(5, 64\); reshape flat 8x8 digits"):
        random_shift(np.zeros((5, 64)))
    with pytest.raises(ValueError, match=r"random_shift: max_shift must be >= 0, got -1"):
        random_shift(np.zeros((1, 1, 8, 8)), max_shift=-1)
    with pytest.raises(ValueError, match=r"random_rotation: degrees must be a finite number >= 0, got -5"):
        random_rotation(np.zeros((1, 1, 8, 8)), degrees=-5)
    with pytest.raises(ValueError, match=r"shift_images: shifts must be whole numbers of shape \(2, 2\), got shape \(2,\)"):
        shift_images(np.zeros((2, 1, 3, 3)), [1, 1])
    with pytest.raises(ValueError, match=r"rotate_images: angles must have shape \(2,\), got \(3,\)"):
        rotate_images(np.zeros((2, 1, 3, 3)), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"RandomAugment: max_shift must be an int, got float"):
        RandomAugment(max_shift=1.5)
    layer = RandomAugment(rng=0)
    with pytest.raises(RuntimeError, match=r"RandomAugment.backward called before forward"):
        layer.backward(np.zeros((1, 1, 8, 8)))
    layer(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"RandomAugment.backward: grad_y must have shape \(2, C, H, W\), got \(3, 1, 8, 8\)"):
        layer.backward(np.zeros((3, 1, 8, 8)))
