"""Tests of nnlib.conv: lecture numbers, vectorised vs loop reference, gradients, errors."""

import numpy as np
import pytest

from nnlib.activations import ReLU
from nnlib.conv import (
    Conv2d,
    conv2d_naive,
    conv_output_size,
    convolve1d,
    convolve2d,
    correlate2d,
)
from nnlib.datasets import load_digits
from nnlib.functional import col2im, im2col
from nnlib.gradcheck import check_layer_gradients, numerical_gradient  # f(x) -> float; x perturbed in place
from nnlib.layers import Flatten, Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.optim import Adam
from nnlib.pooling import MaxPool2d
from nnlib.preprocessing import train_test_split
from nnlib.training import evaluate, fit

# SAP deck (002), "Convolutional Neural Networks - Representation": 5x5 input, 3x3 kernel
SAP_INPUT = np.array(
    [
        [3, 3, 2, 1, 0],
        [0, 0, 1, 3, 1],
        [3, 1, 2, 2, 3],
        [2, 0, 0, 2, 2],
        [2, 0, 0, 0, 1],
    ],
    dtype=float,
)
SAP_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=float)
SAP_OUTPUT = np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]], dtype=float)


# ---------------------------------------------------------------- lecture numbers


def test_sap_deck_5x5_example_is_a_cross_correlation():
    np.testing.assert_array_equal(correlate2d(SAP_INPUT, SAP_KERNEL), SAP_OUTPUT)
    # the deck's numbers do not come from the flipped-kernel convolution ...
    assert not np.array_equal(convolve2d(SAP_INPUT, SAP_KERNEL), SAP_OUTPUT)
    # ... unless the kernel is rotated by 180 degrees first
    np.testing.assert_array_equal(convolve2d(SAP_INPUT, SAP_KERNEL[::-1, ::-1]), SAP_OUTPUT)


def test_sap_deck_example_through_conv2d_layer():
    conv = Conv2d(1, 1, 3, rng=0)
    conv.W[...] = SAP_KERNEL
    Z = conv(SAP_INPUT[None, None])
    np.testing.assert_array_equal(Z[0, 0], SAP_OUTPUT)


def test_dhbw_deck_output_sizes_on_4x4_with_3x3():
    # DHBW deck (000), eq. (45): valid 2x2, same 4x4, full 6x6
    assert conv_output_size(4, 3, padding=0, stride=1) == 2
    assert conv_output_size(4, 3, padding=1, stride=1) == 4
    assert conv_output_size(4, 3, padding=2, stride=1) == 6
    I = np.arange(16.0).reshape(4, 4)
    F = np.arange(9.0).reshape(3, 3) - 4
    for mode, size in (("valid", 2), ("same", 4), ("full", 6)):
        assert correlate2d(I, F, mode).shape == (size, size)
        assert convolve2d(I, F, mode).shape == (size, size)
        conv = Conv2d(1, 1, 3, padding=mode, rng=0)
        assert conv(I[None, None]).shape == (1, 1, size, size)


def test_4x4_with_3x3_hand_computed_values():
    I = np.arange(16.0).reshape(4, 4)
    ones = np.ones((3, 3))
    # valid: sums of the four 3x3 blocks
    np.testing.assert_array_equal(correlate2d(I, ones, "valid"), [[45, 54], [81, 90]])
    # same: the top-left output only sees the 2x2 corner 0 + 1 + 4 + 5
    assert correlate2d(I, ones, "same")[0, 0] == 10
    # full: the corners see exactly one pixel each
    full = correlate2d(I, ones, "full")
    assert (full[0, 0], full[0, 5], full[5, 0], full[5, 5]) == (0, 3, 12, 15)
    # full convolution of a one-hot kernel copies the image shifted by the hot position
    F = np.zeros((3, 3))
    F[1, 2] = 1.0
    np.testing.assert_array_equal(convolve2d(I, F, "full")[1:5, 2:6], I)


def test_convolution_formula_literally():
    """convolve2d "full" equals the DHBW formula sum_m sum_n I(i-m, j-n) F(m, n)."""
    rng = np.random.default_rng(3)
    I = rng.normal(size=(5, 4))
    F = rng.normal(size=(3, 3))
    O = np.zeros((7, 6))
    for i in range(7):
        for j in range(6):
            for m in range(3):
                for n in range(3):
                    if 0 <= i - m < 5 and 0 <= j - n < 4:
                        O[i, j] += I[i - m, j - n] * F[m, n]
    np.testing.assert_allclose(convolve2d(I, F, "full"), O, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_convolution_is_correlation_with_flipped_kernel(mode):
    rng = np.random.default_rng(4)
    I = rng.normal(size=(6, 7))
    F = rng.normal(size=(3, 3))
    np.testing.assert_allclose(
        convolve2d(I, F, mode), correlate2d(I, F[::-1, ::-1], mode), rtol=1e-12, atol=1e-12
    )


def test_convolve1d_is_the_decks_sum_with_half_width_N():
    """(f * g)[i] = sum_{n=-N}^{N} f[i - n] g[n], f zero outside, g[n] stored at index n + N."""
    rng = np.random.default_rng(14)
    f = rng.normal(size=9)
    g = rng.normal(size=5)  # N = 2
    N = 2
    expected = [
        sum(f[i - n] * g[n + N] for n in range(-N, N + 1) if 0 <= i - n < len(f))
        for i in range(len(f))
    ]
    np.testing.assert_allclose(convolve1d(f, g), expected, rtol=1e-12, atol=1e-12)
    for mode in ("valid", "same", "full"):
        np.testing.assert_allclose(convolve1d(f, g, mode), np.convolve(f, g, mode),
                                   rtol=1e-12, atol=1e-12)


def test_convolve1d_errors():
    with pytest.raises(ValueError, match="convolve1d: mode='same' needs an odd kernel length"):
        convolve1d(np.ones(5), np.ones(2))
    with pytest.raises(ValueError, match=r"convolve1d: the kernel \(4\) is longer than the signal \(3\)"):
        convolve1d(np.ones(3), np.ones(4), "valid")
    with pytest.raises(ValueError, match=r"convolve1d: f must have shape \(L,\), got \(2, 2\)"):
        convolve1d(np.ones((2, 2)), np.ones(3))
    with pytest.raises(ValueError, match="convolve1d: mode must be 'valid', 'same' or 'full'"):
        convolve1d(np.ones(3), np.ones(3), "circular")


# ---------------------------------------------------------------- output size


@pytest.mark.parametrize(
    "n, k, p, s, expected",
    [(28, 3, 1, 1, 28), (28, 3, 0, 2, 13), (7, 3, 0, 2, 3), (8, 3, 0, 2, 3), (5, 5, 0, 1, 1),
     (4, 3, "full", 1, 6), (32, 5, 2, 1, 32)],
)
def test_conv_output_size(n, k, p, s, expected):
    assert conv_output_size(n, k, p, s) == expected


def test_conv_output_size_errors():
    with pytest.raises(ValueError, match="does not fit into an input of size 2"):
        conv_output_size(2, 3)
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        conv_output_size(5, 3, stride=0)
    with pytest.raises(ValueError, match="padding must be >= 0, got -1"):
        conv_output_size(5, 3, padding=-1)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        conv_output_size(5, 3, padding="same", stride=2)
    with pytest.raises(ValueError, match="padding='same' needs an odd kernel_size, got 2"):
        conv_output_size(5, 2, padding="same")
    with pytest.raises(ValueError, match="one of 'valid', 'same', 'full', got 'half'"):
        conv_output_size(5, 3, padding="half")
    with pytest.raises(TypeError, match="kernel_size must be an int, got float"):
        conv_output_size(5, 3.0)


# ---------------------------------------------------------------- im2col / col2im


def test_im2col_columns_are_flattened_windows():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(2, 3, 5, 6))
    cols = im2col(A, 3, stride=2)  # outputs 2 x 2
    assert cols.shape == (2, 27, 4)
    np.testing.assert_array_equal(cols[1, :, 3], A[1, :, 2:5, 2:5].ravel())


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(A), G> == <A, col2im(G)> for every A, G: col2im is im2col's transpose."""
    rng = np.random.default_rng(6)
    for stride in (1, 2, 3):
        A = rng.normal(size=(2, 2, 7, 8))
        cols = im2col(A, 3, stride)
        G = rng.normal(size=cols.shape)
        lhs = np.sum(cols * G)
        rhs = np.sum(A * col2im(G, A.shape, 3, stride))
        np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- vectorised vs loops


STRIDE_PADDING = [
    (stride, padding)
    for stride in (1, 2)
    for padding in (0, 1, 2, "valid", "same", "full")
    if not (padding == "same" and stride != 1)  # 'same' is only defined for stride 1
]


@pytest.mark.parametrize("stride, padding", STRIDE_PADDING)
@pytest.mark.parametrize("C_in, C_out, k, H, W", [(1, 1, 3, 5, 5), (3, 2, 3, 7, 6), (2, 4, 5, 9, 8)])
def test_conv2d_matches_loop_reference(stride, padding, C_in, C_out, k, H, W):
    rng = np.random.default_rng(7)
    conv = Conv2d(C_in, C_out, k, stride=stride, padding=padding, rng=8)
    conv.b[...] = rng.normal(size=C_out)
    A_prev = rng.normal(size=(2, C_in, H, W))
    Z = conv(A_prev)
    np.testing.assert_allclose(
        Z, conv2d_naive(A_prev, conv.W, conv.b, stride, padding), rtol=1e-12, atol=1e-12
    )
    if padding == "same":
        assert Z.shape[2:] == (H, W)


def test_conv2d_kernel_of_ones_on_one_channel_sums_windows():
    conv = Conv2d(2, 1, 2, stride=2, rng=0)
    conv.W[...] = 1.0
    conv.b[...] = 0.5
    A = np.arange(32.0).reshape(1, 2, 4, 4)
    # channel 0 windows sum to 10, 18, 42, 50; channel 1 adds 4 * 16 = 64 to each
    expected = np.array([[10 + 74, 18 + 82], [42 + 106, 50 + 114]]) + 0.5
    np.testing.assert_array_equal(conv(A)[0, 0], expected)


def test_conv2d_does_not_modify_input():
    A = np.random.default_rng(9).normal(size=(2, 1, 5, 5))
    before = A.copy()
    conv = Conv2d(1, 2, 3, padding=1, rng=0)
    conv.backward(np.ones_like(conv(A)))
    np.testing.assert_array_equal(A, before)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize(
    "C_in, C_out, k, stride, padding, H, W",
    [(1, 2, 3, 1, 0, 5, 5), (2, 3, 3, 2, 1, 7, 6), (3, 2, 2, 1, "full", 4, 5),
     (2, 2, 3, 1, "same", 5, 4), (1, 1, 3, 3, 2, 8, 7)],
)
def test_conv2d_gradients(C_in, C_out, k, stride, padding, H, W):
    rng = np.random.default_rng(10)
    conv = Conv2d(C_in, C_out, k, stride=stride, padding=padding, rng=11)
    conv.b[...] = rng.normal(size=C_out)
    A_prev = rng.normal(size=(2, C_in, H, W))
    G = rng.normal(size=conv(A_prev).shape)  # random upstream gradient dL/dZ

    def loss():
        return float(np.sum(conv.forward(A_prev) * G))

    conv.forward(A_prev)
    dA = conv.backward(G)
    np.testing.assert_allclose(dA, numerical_gradient(lambda _: loss(), A_prev), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(conv.dW, numerical_gradient(lambda _: loss(), conv.W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(conv.db, numerical_gradient(lambda _: loss(), conv.b), rtol=1e-6, atol=1e-8)


def test_conv2d_gradients_accumulate_and_reset():
    rng = np.random.default_rng(12)
    conv = Conv2d(1, 2, 3, rng=0)
    A = rng.normal(size=(3, 1, 5, 5))
    G = rng.normal(size=(3, 2, 3, 3))
    assert not conv.dW.any() and not conv.db.any()
    conv(A)
    conv.backward(G)
    dW_once, db_once = conv.dW.copy(), conv.db.copy()
    conv(A)
    conv.backward(G)
    np.testing.assert_allclose(conv.dW, 2 * dW_once, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.db, 2 * db_once, rtol=1e-12, atol=1e-12)
    conv.zero_grad()
    assert not conv.dW.any() and not conv.db.any()
    assert [p.name for p in conv.parameters()] == ["W", "b"]


def test_conv2d_init_is_he_fan_in_and_seeded():
    a = Conv2d(4, 64, 5, rng=1)
    b = Conv2d(4, 64, 5, rng=1)
    np.testing.assert_array_equal(a.W, b.W)
    assert a.W.shape == (64, 4, 5, 5) and a.b.shape == (64,)
    np.testing.assert_allclose(a.W.std(), np.sqrt(2 / (4 * 25)), rtol=0.05)
    assert not a.b.any()
    c = Conv2d(4, 64, 5, rng=1, init="xavier")
    np.testing.assert_allclose(c.W.std(), np.sqrt(1 / (4 * 25)), rtol=0.05)


def test_parameter_sharing_keeps_the_parameter_count_independent_of_image_size():
    conv = Conv2d(3, 16, 5, rng=0)
    n_params = sum(p.data.size for p in conv.parameters())
    assert n_params == 16 * 3 * 5 * 5 + 16  # 1216, for 32x32 images as for 256x256 ones
    assert conv(np.zeros((1, 3, 32, 32))).shape == (1, 16, 28, 28)
    assert conv(np.zeros((1, 3, 40, 36))).shape == (1, 16, 36, 32)
    # a dense layer from a 32x32x3 image to the same 16x28x28 outputs would need
    dense = (3 * 32 * 32) * (16 * 28 * 28) + 16 * 28 * 28
    assert dense > 30_000 * n_params


def test_conv_relu_pool_block_gradients():
    """Backpropagation through a whole convolutional block, checked numerically."""
    rng = np.random.default_rng(15)
    block = Sequential(Conv2d(2, 3, 3, padding=1, rng=16), ReLU(), MaxPool2d(2),
                       Flatten(), Linear(3 * 3 * 3, 4, rng=17))
    X = rng.normal(size=(2, 2, 6, 7))
    G = rng.normal(size=(2, 4))

    def loss():
        return float(np.sum(block.forward(X) * G))

    block.forward(X)
    dX = block.backward(G)
    np.testing.assert_allclose(dX, numerical_gradient(lambda _: loss(), X), rtol=1e-5, atol=1e-7)
    conv = block[0]
    np.testing.assert_allclose(conv.dW, numerical_gradient(lambda _: loss(), conv.W), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(conv.db, numerical_gradient(lambda _: loss(), conv.b), rtol=1e-5, atol=1e-7)


def test_small_cnn_learns_the_digits():
    """conv8 (3x3, padding 1) -> ReLU -> 2x2 max-pool -> Linear on the 8x8 digits, 3 epochs."""
    X, y = load_digits()
    X = (X / 16.0).reshape(-1, 1, 8, 8)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, rng=0)
    net = Sequential(Conv2d(1, 8, 3, padding=1, rng=0), ReLU(), MaxPool2d(2), Flatten(),
                     Linear(8 * 4 * 4, 10, rng=1))
    loss_fn = CrossEntropyLoss()
    _, accuracy_before = evaluate(net, loss_fn, X_test, y_test)
    fit(net, loss_fn, Adam(net.parameters(), lr=0.01), X_train, y_train, epochs=3,
        batch_size=32, rng=0, verbose=False)
    _, accuracy = evaluate(net, loss_fn, X_test, y_test)
    assert accuracy_before < 0.3
    assert accuracy >= 0.9


def test_conv2d_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(13)
    conv = Conv2d(3, 4, 3, stride=2, padding=1, rng=14)
    conv.b[...] = rng.normal(size=4)
    A = rng.normal(size=(2, 3, 7, 8))
    G = rng.normal(size=conv(A).shape)
    At = torch.tensor(A, requires_grad=True)
    Wt = torch.tensor(conv.W, requires_grad=True)
    bt = torch.tensor(conv.b, requires_grad=True)
    Zt = torch.nn.functional.conv2d(At, Wt, bt, stride=2, padding=1)
    Zt.backward(torch.tensor(G))
    np.testing.assert_allclose(conv(A), Zt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.backward(G), At.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.dW, Wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.db, bt.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- errors


def test_conv2d_constructor_errors():
    with pytest.raises(ValueError, match="Conv2d: in_channels must be >= 1, got 0"):
        Conv2d(0, 1, 3)
    with pytest.raises(TypeError, match="Conv2d: kernel_size must be an int or a pair of ints, got float"):
        Conv2d(1, 1, 2.5)
    with pytest.raises(ValueError, match=r"Conv2d: kernel_size must be an int or a pair \(height, width\), got \(3, 3, 3\)"):
        Conv2d(1, 1, (3, 3, 3))
    with pytest.raises(ValueError, match="Conv2d: padding must be an int >= 0, a pair or one of"):
        Conv2d(1, 1, 3, padding="circular")
    with pytest.raises(ValueError, match="Conv2d: padding='same' needs stride 1, got stride 2"):
        Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(TypeError, match="Conv2d: padding must be an int, a pair or one of"):
        Conv2d(1, 1, 3, padding=1.5)


def test_conv2d_forward_errors():
    conv = Conv2d(3, 2, 5)
    with pytest.raises(ValueError, match=r"Conv2d.forward: input must have shape \(N, 3, H, W\), got \(2, 1, 8, 8\)"):
        conv(np.zeros((2, 1, 8, 8)))  # wrong number of channels
    with pytest.raises(ValueError, match=r"must have shape \(N, 3, H, W\), got \(3, 8, 8\)"):
        conv(np.zeros((3, 8, 8)))  # a single image without the batch axis
    with pytest.raises(ValueError, match="the 5x5 kernel does not fit into a 4x6 input with padding 0"):
        conv(np.zeros((1, 3, 4, 6)))
    with pytest.raises(ValueError, match="contains NaN or inf"):
        conv(np.full((1, 3, 5, 5), np.nan))


def test_conv2d_backward_errors():
    conv = Conv2d(1, 2, 3)
    with pytest.raises(RuntimeError, match="Conv2d.backward called before forward"):
        conv.backward(np.zeros((1, 2, 3, 3)))
    conv(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"Conv2d.backward: grad_y must have shape \(1, 2, 3, 3\), got \(1, 3, 3, 3\)"):
        conv.backward(np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"grad_y must have shape \(1, 2, 3, 3\), got \(1, 2, 4, 4\)"):
        conv.backward(np.zeros((1, 2, 4, 4)))


def test_single_channel_helper_errors():
    with pytest.raises(ValueError, match=r"correlate2d: F must have shape \(k, k\)"):
        correlate2d(np.zeros((4, 4)), np.zeros((3,)))
    with pytest.raises(ValueError, match="convolve2d: mode must be 'valid', 'same' or 'full', got 'wide'"):
        convolve2d(np.zeros((4, 4)), np.zeros((3, 3)), "wide")
    with pytest.raises(ValueError, match="convolve2d: the 3x3 kernel does not fit into a 2x5 input"):
        convolve2d(np.zeros((2, 5)), np.zeros((3, 3)))


# ---------------------------------------------------------------- tuple sizes, dilation, bias=False



# (kernel_size, stride, padding, dilation, bias, H, W): every option, square and not
OPTIONS = [
    ((2, 3), 1, 0, 1, True, 5, 6),
    ((3, 1), (2, 1), (1, 0), 1, False, 7, 5),
    (3, 1, "same", 2, True, 7, 7),
    ((3, 3), (1, 2), (2, 1), (2, 1), False, 6, 7),
    (2, 2, "full", (1, 2), True, 5, 6),
    ((1, 3), 1, (0, 2), 3, True, 4, 9),
    (3, (2, 3), 1, 1, False, 8, 9),
]


@pytest.mark.parametrize("k, s, p, d, bias, H, W", OPTIONS)
def test_conv2d_options_match_loop_reference(k, s, p, d, bias, H, W):
    rng = np.random.default_rng(21)
    conv = Conv2d(2, 3, k, stride=s, padding=p, dilation=d, bias=bias, rng=22)
    if bias:
        conv.b[...] = rng.normal(size=3)
    A_prev = rng.normal(size=(2, 2, H, W))
    Z = conv(A_prev)
    np.testing.assert_allclose(Z, conv2d_naive(A_prev, conv.W, conv.b, s, p, d), rtol=1e-12, atol=1e-12)
    assert Z.shape[2:] == conv.output_shape(H, W)
    if p == "same":
        assert Z.shape[2:] == (H, W)


@pytest.mark.parametrize("k, s, p, d, bias, H, W", OPTIONS)
def test_conv2d_options_gradients_with_random_upstream(k, s, p, d, bias, H, W):
    conv = Conv2d(2, 3, k, stride=s, padding=p, dilation=d, bias=bias, rng=23)
    if bias:
        conv.b[...] = np.random.default_rng(24).normal(size=3)
    x = np.random.default_rng(25).normal(size=(2, 2, H, W))
    report = check_layer_gradients(conv, x, rng=26)
    assert set(report) == ({"input", "W", "b"} if bias else {"input", "W"})
    for name, entry in report.items():
        np.testing.assert_allclose(entry["analytic"], entry["numeric"], rtol=1e-6, atol=1e-8, err_msg=name)


def test_dilated_kernel_hand_computed():
    # a 3x3 kernel of ones with dilation 2 reads every second pixel of the 5x5 ramp 0..24
    conv = Conv2d(1, 1, 3, dilation=2, init="zeros", bias=False)
    conv.W[...] = 1.0
    Z = conv(np.arange(25.0).reshape(1, 1, 5, 5))
    np.testing.assert_array_equal(Z, [[[[0 + 2 + 4 + 10 + 12 + 14 + 20 + 22 + 24]]]])  # 108
    assert conv_output_size(5, 3, dilation=2) == 1 and conv_output_size(7, 3, padding="same", dilation=3) == 7


def test_non_square_kernel_hand_computed():
    # a (1, 2) kernel [1, -1] computes horizontal differences
    conv = Conv2d(1, 1, (1, 2), init="zeros", bias=False)
    conv.W[0, 0] = [[1.0, -1.0]]
    A = np.array([[[[1.0, 4.0, 9.0], [2.0, 2.0, 5.0]]]])
    np.testing.assert_array_equal(conv(A)[0, 0], [[-3.0, -5.0], [0.0, -3.0]])
    np.testing.assert_array_equal(conv.backward(np.ones((1, 1, 2, 2)))[0, 0], [[1, 0, -1], [1, 0, -1]])


def test_conv2d_without_bias_has_only_W():
    conv = Conv2d(1, 2, 3, rng=0, bias=False)
    assert conv.b is None and conv.db is None
    assert [p.name for p in conv.parameters()] == ["W"] and set(conv.state_dict()) == {"W"}
    assert repr(conv) == "Conv2d(1, 2, kernel_size=3, stride=1, padding=0, bias=False)"
    conv.zero_grad()
    assert repr(Conv2d(1, 1, (1, 3), padding=(0, 1), dilation=2)) == \
        "Conv2d(1, 1, kernel_size=(1, 3), stride=1, padding=(0, 1), dilation=2)"
    assert Conv2d(1, 1, 3, padding=(1, 2)).pad == (1, 2) and Conv2d(1, 1, 3, padding="same").pad == 1


def test_conv2d_option_errors():
    with pytest.raises(ValueError, match=r"Conv2d: dilation must be >= 1, got 0"):
        Conv2d(1, 1, 3, dilation=0)
    with pytest.raises(ValueError, match=r"Conv2d: stride must be >= 1 in both directions, got \(1, 0\)"):
        Conv2d(1, 1, 3, stride=(1, 0))
    with pytest.raises(ValueError, match=r"Conv2d: padding must be >= 0 in both directions, got \(1, -1\)"):
        Conv2d(1, 1, 3, padding=(1, -1))
    with pytest.raises(TypeError, match=r"Conv2d: bias must be True or False, got 0"):
        Conv2d(1, 1, 3, bias=0)
    with pytest.raises(ValueError, match=r"Conv2d: padding='same' needs stride 1, got stride 2"):
        Conv2d(1, 1, (3, 2), padding="same", stride=2)
    Conv2d(1, 1, 2, padding="same", dilation=2)  # d (k - 1) = 2 is even: allowed
    with pytest.raises(ValueError, match=r"the 3x3 kernel \(dilation 2\) does not fit into a 4x4 input with padding 0"):
        Conv2d(1, 1, 3, dilation=2)(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"conv_output_size: the 3-tap \(span 5, dilation 2\) window does not fit"):
        conv_output_size(4, 3, dilation=2)


def test_im2col_with_dilation_and_rectangular_windows_is_adjoint_of_col2im():
    rng = np.random.default_rng(27)
    for k, s, d in [((2, 3), (1, 2), (2, 1)), (3, 2, 2), ((1, 2), 1, (1, 3))]:
        A = rng.normal(size=(2, 3, 8, 9))
        cols = im2col(A, k, s, d)
        G = rng.normal(size=cols.shape)
        np.testing.assert_allclose(np.sum(cols * G), np.sum(A * col2im(G, A.shape, k, s, d)), rtol=1e-12)


def test_same_padding_with_an_even_kernel_puts_the_extra_zero_below_and_right():
    """PyTorch's rule: d (k - 1) = 1 zero in all, none on the left and one on the right."""
    conv = Conv2d(1, 1, (1, 2), padding="same", bias=False)
    conv.W[...] = [[[[10.0, 1.0]]]]                          # (1, 1, 1, 2): w0 = 10, w1 = 1
    out = conv(np.array([[[[1.0, 2.0, 3.0]]]]))               # (1, 1, 1, 3)
    np.testing.assert_array_equal(out[0, 0, 0], [10 * 1 + 2, 10 * 2 + 3, 10 * 3 + 0])
    np.testing.assert_array_equal(conv.backward(np.ones((1, 1, 1, 3)))[0, 0, 0], [10.0, 11.0, 11.0])


@pytest.mark.parametrize("kernel_size, dilation", [(2, 1), ((4, 3), 1), ((2, 3), (3, 2)), (4, 3)])
def test_same_padding_with_an_even_span_keeps_the_size_and_its_gradients(kernel_size, dilation):
    conv = Conv2d(2, 3, kernel_size, padding="same", dilation=dilation, rng=0)
    conv.b[...] = np.random.default_rng(1).normal(size=3)
    x = np.random.default_rng(2).normal(size=(2, 2, 5, 6))
    assert conv(x).shape == (2, 3, 5, 6)
    report = check_layer_gradients(conv, x, rng=3)
    for name, r in report.items():
        np.testing.assert_allclose(r["analytic"], r["numeric"], rtol=1e-6, atol=1e-8, err_msg=name)
