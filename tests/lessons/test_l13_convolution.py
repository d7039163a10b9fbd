"""Headless tests of lesson 13's callbacks (convolution operator, output size, channels, filters)."""

import numpy as np
import pytest

from nncourse.lessons import l13_convolution as l13
from nnlib.conv import Conv2d, correlate2d


def test_sap_example_reproduces_the_deck():
    out = l13.sap_example()
    np.testing.assert_array_equal(out["correlation"], [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    # the top-left entry by hand: window [[3,3,2],[0,0,1],[3,1,2]] times [[0,1,2],[2,2,0],[0,1,2]]
    assert 3 * 0 + 3 * 1 + 2 * 2 + 0 * 2 + 0 * 2 + 1 * 0 + 3 * 0 + 1 * 1 + 2 * 2 == 12


def test_flipped_convolution_differs_and_flipping_twice_restores():
    out = l13.sap_example()
    np.testing.assert_array_equal(out["F_flipped"], [[2, 1, 0], [0, 2, 2], [2, 1, 0]])
    # convolution = correlation with the rotated kernel; by hand at (0, 0):
    # [[3,3,2],[0,0,1],[3,1,2]] * [[2,1,0],[0,2,2],[2,1,0]] = 6+3+0 + 0+0+2 + 6+1+0 = 18
    assert out["convolution"][0, 0] == 18
    assert not np.array_equal(out["convolution"], out["correlation"])
    np.testing.assert_array_equal(out["convolution_of_flipped"], out["correlation"])


def test_window_at_matches_every_output_entry():
    for i in range(3):
        for j in range(3):
            out = l13.window_at(l13.SAP_INPUT, l13.SAP_KERNEL, i, j)
            np.testing.assert_array_equal(out["window"], l13.SAP_INPUT[i:i + 3, j:j + 3])
            assert out["value"] == out["output"][i, j]
    np.testing.assert_array_equal(out["output"], [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_window_at_with_stride_and_padding():
    out = l13.window_at(l13.SAP_INPUT, l13.SAP_KERNEL, 1, 2, stride=2, padding=1)
    assert out["I_padded"].shape == (7, 7)
    assert (out["top"], out["left"]) == (2, 4)
    assert out["output"].shape == (3, 3)
    expected = correlate2d(l13.SAP_INPUT, l13.SAP_KERNEL, mode=1)[::2, ::2]
    np.testing.assert_array_equal(out["output"], expected)
    assert out["value"] == expected[1, 2]


def test_window_at_rejects_positions_outside_the_output():
    with pytest.raises(ValueError, match=r"window_at: i must be an int in 0\.\.2 \(the output is 3x3\), got 3"):
        l13.window_at(l13.SAP_INPUT, l13.SAP_KERNEL, 3, 0)


def test_convolve1d_terms_spell_out_the_formula():
    rng = np.random.default_rng(0)
    f = rng.standard_normal(9)
    g = rng.standard_normal(5)
    for i in range(9):
        out = l13.convolve1d_terms(f, g, i)
        # the sum of the terms is the library's (and numpy's) "same" convolution entry
        np.testing.assert_allclose(out["value"], out["output"][i], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["output"], np.convolve(f, g, mode="same"), rtol=1e-12, atol=1e-12)
    # by hand at the left border: i = 0, N = 2 reads f[2], f[1], f[0], f[-1] = 0, f[-2] = 0
    out = l13.convolve1d_terms(f, g, 0)
    assert out["f_index"] == [2, 1, 0, -1, -2]
    np.testing.assert_allclose(out["products"], [f[2] * g[0], f[1] * g[1], f[0] * g[2], 0.0, 0.0])


def test_convolve1d_terms_rejects_bad_positions_and_even_filters():
    with pytest.raises(ValueError, match=r"convolve1d_terms: i must be an int in 0\.\.2, got 3"):
        l13.convolve1d_terms([1.0, 2.0, 3.0], [1.0, 0.0, 1.0], 3)
    with pytest.raises(ValueError, match="odd kernel length"):
        l13.convolve1d_terms([1.0, 2.0], [1.0, 1.0], 0)


def test_dhbw_valid_same_full_on_4x4_with_3x3():
    rows = l13.padding_modes_table(4, 3)
    assert [(r["mode"], r["p"], r["out"], r["shape"]) for r in rows] == [
        ("valid", 0, 2, (2, 2)), ("same", 1, 4, (4, 4)), ("full", 2, 6, (6, 6))]


@pytest.mark.parametrize("n, k, p, s, out, unused", [
    (4, 3, 0, 1, 2, []),
    (4, 3, 2, 1, 6, []),
    (7, 3, 0, 2, 3, []),
    (6, 3, 0, 2, 2, [5]),       # (6 - 3) / 2 + 1 = 2.5: the last pixel is dropped
    (8, 2, 0, 2, 4, []),
])
def test_output_size_demo(n, k, p, s, out, unused):
    demo = l13.output_size_demo(n, k, p, s)
    assert demo["fits"] and demo["out"] == out and demo["unused"] == unused
    assert demo["starts"] == [s * t for t in range(out)]
    assert demo["divides"] == (demo["exact"] == out)
    # the formula agrees with what Conv2d really produces
    conv = Conv2d(1, 1, k, stride=s, padding=p, init="zeros")
    assert conv(np.zeros((1, 1, n, n))).shape[2:] == (out, out)


def test_output_size_demo_reports_impossible_settings_instead_of_raising():
    demo = l13.output_size_demo(4, 7, 0, 1)
    assert not demo["fits"] and "does not fit" in demo["message"]
    demo = l13.output_size_demo(5, 3, "same", 2)
    assert not demo["fits"] and "needs stride 1" in demo["message"]


def test_edge_kernels_respond_to_the_right_edges():
    vertical = np.tile([0.0, 0.0, 0.0, 1.0, 1.0, 1.0], (6, 1))  # dark left, bright right
    horizontal = vertical.T
    out = l13.edge_feature_maps(np.stack([vertical, horizontal]), padding="valid")
    names = out["names"]
    maps = out["maps"]
    assert maps.shape == (2, len(l13.EDGE_KERNELS), 4, 4)
    sx, sy = names.index("vertical edges (Sobel x)"), names.index("horizontal edges (Sobel y)")
    assert np.abs(maps[0, sx]).max() == 4 and np.abs(maps[0, sy]).max() == 0
    assert np.abs(maps[1, sy]).max() == 4 and np.abs(maps[1, sx]).max() == 0
    # identity gives back the (cropped) image, blur keeps a constant image constant
    np.testing.assert_allclose(maps[0, names.index("identity")], vertical[1:5, 1:5])
    flat = l13.edge_feature_maps(np.ones((1, 5, 5)), ["blur (mean)", "all edges (Laplacian)"], "valid")
    np.testing.assert_allclose(flat["maps"][0, 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(flat["maps"][0, 1], 0.0, atol=1e-12)


def test_edge_feature_maps_rejects_unknown_kernels():
    with pytest.raises(ValueError, match="edge_feature_maps: unknown kernel 'sharpen'"):
        l13.edge_feature_maps(np.zeros((1, 4, 4)), ["sharpen"])


def test_channels_are_summed_and_one_bias_per_filter():
    out = l13.channels_demo(in_channels=3, out_channels=2, size=5, rng=1)
    assert out["Z"].shape == (2, 3, 3) and out["per_channel"].shape == (2, 3, 3, 3)
    np.testing.assert_allclose(out["Z"], out["Z_by_hand"], rtol=1e-12, atol=1e-12)
    # one entry by hand from the raw arrays
    A, W, b = out["A"], out["W"], out["b"]
    assert out["Z"][1, 2, 0] == np.sum(A[:, 2:5, 0:3] * W[1]) + b[1]


def test_parameter_counts_match_the_layers():
    out = l13.parameter_counts(8, 8, 1, 8, 3, padding="same")
    assert out["conv"] == 8 * (1 * 9 + 1) == 80
    assert out["dense"] == l13.dense_parameter_count(64, 8 * 8 * 8) == 65 * 512
    out = l13.parameter_counts(6, 6, 3, 4, 3)  # valid: 4x4 outputs
    assert out["out_shape"] == (4, 4, 4)
    assert out["conv"] == 4 * (27 + 1)
    assert out["dense"] == l13.dense_parameter_count(108, 64)
    assert out["connections_per_output"] == (27, 108)
    # the convolution's count does not depend on the image size
    assert l13.parameter_counts(28, 28, 3, 4, 3)["conv"] == out["conv"]


def test_conv_as_dense_matrix_is_sparse_and_shared():
    rng = np.random.default_rng(2)
    F = rng.standard_normal((3, 3))
    I = rng.standard_normal((5, 5))
    out = l13.conv_as_dense_matrix(5, F)
    M = out["M"]
    assert M.shape == (9, 25)
    np.testing.assert_allclose(M @ I.ravel(), correlate2d(I, F).ravel(), rtol=1e-12, atol=1e-12)
    assert np.all(out["nonzero_per_row"] == 9)
    np.testing.assert_allclose(out["fraction_nonzero"], 9 / 25)
    for row in M:  # every row holds the same nine kernel values (parameter sharing)
        np.testing.assert_allclose(np.sort(row[row != 0]), np.sort(F.ravel()))
