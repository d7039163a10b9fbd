"""Lesson 13: the lecture's convolution numbers checked on nnlib, and the lesson's figure helpers.

The notebook computes every worked example in its cells (nbval re-checks the printed numbers);
these tests pin the same facts on the library, independently of the notebook, with loops written
out here, and test the figure helpers of ``nncourse.lessons.l13_convolution``.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nncourse.lessons import l13_convolution as l13  # noqa: E402
from nnlib.conv import Conv2d, conv_output_size, convolve1d, convolve2d, correlate2d  # noqa: E402
from nnlib.gradcheck import numerical_gradient  # noqa: E402

SAP_I = np.array([[3, 3, 2, 1, 0],
                  [0, 0, 1, 3, 1],
                  [3, 1, 2, 2, 3],
                  [2, 0, 0, 2, 2],
                  [2, 0, 0, 0, 1]], dtype=float)
SAP_F = np.array([[0, 1, 2],
                  [2, 2, 0],
                  [0, 1, 2]], dtype=float)
SAP_OUT = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def sap_conv():
    conv = Conv2d(1, 1, 3, init="zeros")
    conv.W[0, 0] = SAP_F
    return conv


def corr_loops(X, K, stride=1):
    """Valid cross-correlation of one 2-D array, written as loops."""
    k = K.shape[0]
    H_out = (X.shape[0] - k) // stride + 1
    W_out = (X.shape[1] - k) // stride + 1
    out = np.zeros((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[i, j] = np.sum(X[stride * i:stride * i + k, stride * j:stride * j + k] * K)
    return out


# ---------------------------------------------------------------- forward: the decks' numbers

def test_conv2d_reproduces_the_sap_example():
    np.testing.assert_array_equal(sap_conv()(SAP_I[None, None])[0, 0], SAP_OUT)
    np.testing.assert_array_equal(corr_loops(SAP_I, SAP_F), SAP_OUT)
    # the top-left entry by hand: window [[3,3,2],[0,0,1],[3,1,2]] times [[0,1,2],[2,2,0],[0,1,2]]
    assert 3 * 0 + 3 * 1 + 2 * 2 + 0 * 2 + 0 * 2 + 1 * 0 + 3 * 0 + 1 * 1 + 2 * 2 == 12


def test_the_sap_formula_with_the_flip_gives_other_numbers():
    flipped = convolve2d(SAP_I, SAP_F)
    # by hand at (0, 0): [[3,3,2],[0,0,1],[3,1,2]] * rot180(F) = [[2,1,0],[0,2,2],[2,1,0]] = 6+3+0 + 0+0+2 + 6+1+0
    np.testing.assert_array_equal(flipped, [[18, 20, 19], [10, 9, 17], [11, 8, 14]])
    np.testing.assert_array_equal(convolve2d(SAP_I, SAP_F[::-1, ::-1]), SAP_OUT)  # flipping twice


def test_convolve1d_is_the_sap_sum():
    f = np.array([0.0, 0.0, 1.0, 2.0, 3.0, 3.0, 3.0, 0.0])
    g = np.array([1.0, 0.0, -1.0])  # g[-1], g[0], g[1]: f[i + 1] - f[i - 1]
    padded = np.pad(f, 1)
    np.testing.assert_array_equal(convolve1d(f, g), padded[2:] - padded[:-2])
    np.testing.assert_array_equal(convolve1d(f, g), [0, 1, 2, 2, 1, 0, -3, -3])


@pytest.mark.parametrize("mode, p, out", [("valid", 0, 2), ("same", 1, 4), ("full", 2, 6)])
def test_dhbw_valid_same_full_on_4x4_with_3x3(mode, p, out):
    assert conv_output_size(4, 3, mode) == conv_output_size(4, 3, p) == (4 - 3 + 2 * p) // 1 + 1 == out
    layer = Conv2d(1, 1, 3, padding=mode, init="zeros")
    assert layer.pad == p
    assert layer(np.zeros((1, 1, 4, 4))).shape == (1, 1, out, out)


def test_stride_and_padding_on_the_sap_example():
    conv = Conv2d(1, 1, 3, stride=2, padding=1, init="zeros")
    conv.W[0, 0] = SAP_F
    expected = corr_loops(np.pad(SAP_I, 1), SAP_F, stride=2)
    np.testing.assert_array_equal(conv(SAP_I[None, None])[0, 0], expected)
    # by hand at (0, 1): the padded window rows 0-2, columns 2-4 = [[0,0,0],[3,2,1],[0,1,3]]
    assert expected[0, 1] == 0 + 0 + 0 + 3 * 2 + 2 * 2 + 1 * 0 + 0 + 1 * 1 + 3 * 2 == 17


def test_channels_are_summed_and_one_bias_per_filter():
    rng = np.random.default_rng(1)
    A = rng.integers(0, 4, size=(3, 5, 5)).astype(float)
    layer = Conv2d(3, 2, 3, init="zeros")
    layer.W[...] = rng.integers(-1, 2, size=layer.W.shape)
    layer.b[...] = [-1.0, 2.0]
    Z = layer(A[None])[0]
    for o in range(2):
        np.testing.assert_array_equal(Z[o], sum(corr_loops(A[c], layer.W[o, c]) for c in range(3)) + layer.b[o])
    assert Z[1, 2, 0] == np.sum(A[:, 2:5, 0:3] * layer.W[1]) + layer.b[1]


@pytest.mark.parametrize("C_in, C_out, k", [(1, 8, 3), (3, 64, 3), (3, 16, 5)])
def test_parameter_counts_follow_the_formula(C_in, C_out, k):
    layer = Conv2d(C_in, C_out, k, init="zeros")
    assert sum(p.data.size for p in layer.parameters()) == C_out * (C_in * k**2 + 1)


def test_convolution_is_a_sparse_shared_matrix():
    n, rng = 5, np.random.default_rng(2)
    K = rng.standard_normal((3, 3))
    M = np.column_stack([correlate2d(np.eye(n * n)[q].reshape(n, n), K).ravel() for q in range(n * n)])
    X = rng.standard_normal((n, n))
    np.testing.assert_allclose(M @ X.ravel(), correlate2d(X, K).ravel(), rtol=1e-12, atol=1e-12)
    assert np.all(np.count_nonzero(M, axis=1) == 9)
    for row in M:  # every row holds the same nine kernel values (parameter sharing)
        np.testing.assert_allclose(np.sort(row[row != 0]), np.sort(K.ravel()))


# ---------------------------------------------------------------- backward: the derivation of the lesson

def test_conv2d_backward_on_the_sap_example_by_hand():
    delta = np.array([[3.0, 1.0, 1.0], [2.0, -2.0, -1.0], [-2.0, -3.0, 0.0]])  # the notebook's seeded delta
    conv = sap_conv()
    conv(SAP_I[None, None])
    dI = conv.backward(delta[None, None])[0, 0]
    # dF = corr(I, delta); by hand at (0, 0): sum of delta(i, j) I(i, j)
    np.testing.assert_array_equal(conv.dW[0, 0], corr_loops(SAP_I, delta))
    assert conv.dW[0, 0, 0, 0] == 3 * 3 + 1 * 3 + 1 * 2 + 2 * 0 - 2 * 0 - 1 * 1 - 2 * 3 - 3 * 1 + 0 * 2 == 4
    assert conv.db[0] == delta.sum() == -1
    # dI = full correlation of delta with the kernel rotated by 180 degrees
    np.testing.assert_array_equal(dI, corr_loops(np.pad(delta, 2), SAP_F[::-1, ::-1]))
    np.testing.assert_array_equal(dI, convolve2d(delta, SAP_F, mode="full"))
    # the corner pixel (0, 4) lies in window (0, 2) only, under F(0, 2) = 2
    assert dI[0, 4] == delta[0, 2] * SAP_F[0, 2] == 2


def test_conv2d_backward_matches_central_differences_with_a_random_delta():
    rng = np.random.default_rng(0)
    delta = rng.standard_normal((3, 3))
    conv = sap_conv()
    X = SAP_I.copy()
    conv(X[None, None])
    dI = conv.backward(delta[None, None])[0, 0]

    def loss(_):
        return float(np.sum(delta * conv(X[None, None])[0, 0]))

    np.testing.assert_allclose(dI, numerical_gradient(loss, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(conv.dW, numerical_gradient(loss, conv.W), rtol=1e-6, atol=1e-8)


def test_conv2d_backward_with_stride_is_the_full_correlation_of_the_dilated_delta():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 5))
    conv = Conv2d(1, 1, 3, stride=2, rng=4)
    conv(X[None, None])
    delta = rng.standard_normal((2, 2))
    dI = conv.backward(delta[None, None])[0, 0]
    dilated = np.zeros((3, 3))
    dilated[::2, ::2] = delta  # s - 1 = 1 zero between the entries
    np.testing.assert_allclose(dI, corr_loops(np.pad(dilated, 2), conv.W[0, 0, ::-1, ::-1]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.dW[0, 0], corr_loops(X, dilated), rtol=1e-12, atol=1e-12)


def test_conv2d_backward_with_channels_sums_over_filters():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((1, 3, 6, 6))
    conv = Conv2d(3, 2, 3, rng=6)
    conv(A)
    delta = rng.standard_normal((1, 2, 4, 4))
    dA = conv.backward(delta)[0]
    for c in range(3):
        expected = sum(corr_loops(np.pad(delta[0, o], 2), conv.W[o, c, ::-1, ::-1]) for o in range(2))
        np.testing.assert_allclose(dA[c], expected, rtol=1e-12, atol=1e-12)
        for o in range(2):
            np.testing.assert_allclose(conv.dW[o, c], corr_loops(A[0, c], delta[0, o]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.db, delta.sum(axis=(0, 2, 3)), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- figure helpers

def test_show_grid_writes_readable_numbers_and_frames_the_window():
    fig, ax = plt.subplots()
    image = l13.show_grid(ax, SAP_I, box=(1, 2, 3))
    texts = image.texts
    assert [t.get_text() for t in texts[:5]] == ["3", "3", "2", "1", "0"]
    colours = {t.get_text(): t.get_color() for t in texts}
    assert colours["3"] == "white" and colours["0"] == "black"  # the darkest and the lightest cells
    patch = image.frame
    assert patch.get_xy() == (1.5, 0.5) and patch.get_width() == patch.get_height() == 3
    assert patch.get_zorder() > image.get_zorder() and patch.get_path_effects()  # halo keeps it visible
    plt.close(fig)


def test_update_grid_and_move_frame_change_the_figure_in_place():
    fig, ax = plt.subplots()
    image = l13.show_grid(ax, np.zeros((3, 3)), box=(0, 0, 3), cmap="Oranges", vmax=9.0)
    artists = len(ax.get_children())
    l13.update_grid(image, SAP_I[:3, :3] * SAP_F)
    l13.move_frame(image.frame, 1, 2, 3)
    assert len(ax.get_children()) == artists  # nothing new drawn, only changed
    assert [t.get_text() for t in image.texts[:3]] == ["0", "3", "4"]
    assert image.texts[2].get_color() == "black" and image.frame.get_xy() == (1.5, 0.5)
    l13.update_grid(image, np.full((3, 3), 9.0))
    assert image.texts[0].get_color() == "white"  # the darkest colour gets white text
    with pytest.raises(ValueError, match=r"update_grid: the grid has 9 cells, got values of shape \(2, 2\)"):
        l13.update_grid(image, np.zeros((2, 2)))
    plt.close(fig)


def test_show_grid_centres_signed_values():
    fig, ax = plt.subplots()
    image = l13.show_grid(ax, [[-2.0, 1.0]], cmap="RdBu_r")
    assert image.norm.vmin == -2.0 and image.norm.vmax == 2.0
    plt.close(fig)


@pytest.mark.parametrize("n, k, p, s, out, unused", [
    (4, 3, 0, 1, 2, []),
    (4, 3, 2, 1, 6, []),
    (7, 3, 0, 2, 3, []),
    (6, 3, 0, 2, 2, [5]),       # (6 - 3) / 2 + 1 = 2.5: the last pixel is dropped
    (8, 2, 0, 2, 4, []),
])
def test_output_size_picture(n, k, p, s, out, unused):
    starts, never = l13.window_starts(n, k, p, s)
    assert starts == [s * t for t in range(out)] and never == unused
    fig, ax = plt.subplots()
    artists = l13.output_size_figure(ax)
    assert l13.update_output_size(artists, n, k, p, s) == out
    cells = artists["cells"].get_array()
    assert cells.shape == (n + 2 * p, n + 2 * p)
    assert np.count_nonzero(cells == 2) == (2 * (n + 2 * p) - len(unused)) * len(unused)
    assert np.count_nonzero(cells == 1) == (n - len([u for u in unused if p <= u < n + p])) ** 2
    assert len(artists["centres"].get_xdata()) == out * out
    assert artists["last"].get_xy() == (starts[-1] - 0.5, starts[-1] - 0.5)
    assert f"output {out} x {out}" in artists["title"].get_text()
    plt.close(fig)


def test_output_size_picture_explains_a_kernel_that_does_not_fit_and_recovers():
    fig, ax = plt.subplots()
    artists = l13.output_size_figure(ax)
    assert l13.update_output_size(artists, 4, 7, 0, 1) is None
    assert "does not fit" in artists["message"].get_text() and not artists["cells"].get_visible()
    assert l13.update_output_size(artists, 4, 3, 0, 1) == 2
    assert artists["message"].get_text() == "" and artists["cells"].get_visible()
    with pytest.raises(ValueError, match="update_output_size: s must be >= 1, got 0"):
        l13.update_output_size(artists, 4, 3, 0, 0)
    plt.close(fig)
