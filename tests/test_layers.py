"""Tests of Linear, Dropout, BatchNorm1d and Flatten."""

import numpy as np
import pytest

from nnlib.gradcheck import check_layer_gradients, numerical_gradient
from nnlib.layers import BatchNorm1d, BatchNorm2d, Dropout, Flatten, Linear
from nnlib.module import Sequential


def assert_report_close(report, rtol=1e-6, atol=1e-8):
    for name, entry in report.items():
        np.testing.assert_allclose(entry["analytic"], entry["numeric"], rtol=rtol, atol=atol,
                                   err_msg=f"gradient of {name}")


# ------------------------------------------------------------------ Linear


def test_linear_karlsruhe_forward():
    layer = Linear(2, 3)
    layer.W[...] = [[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]]
    layer.b[...] = 0.1
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0]])), [[1.0, 2.0, 1.5]])


@pytest.mark.parametrize("init", ["xavier", "glorot", "he", "he_avg", "normal", "zeros"])
def test_linear_gradients(init):
    layer = Linear(4, 3, init=init, rng=0)
    layer.W += np.random.default_rng(5).standard_normal(layer.W.shape)  # nonzero also for "zeros"
    layer.b[...] = [0.1, -0.2, 0.3]
    report = check_layer_gradients(layer, np.random.default_rng(1).standard_normal((5, 4)), rng=2)
    assert set(report) == {"input", "W", "b"}
    assert_report_close(report)


def test_linear_shapes_and_fresh_zero_grads():
    layer = Linear(4, 3, rng=0)
    assert layer.W.shape == (3, 4) and layer.b.shape == (3,)
    assert not layer.dW.any() and not layer.db.any()
    assert [p.name for p in layer.parameters()] == ["W", "b"]


def test_linear_gradients_accumulate_and_zero_grad_resets():
    layer = Linear(2, 2, rng=0)
    x, g = np.ones((3, 2)), np.random.default_rng(1).standard_normal((3, 2))
    layer(x)
    layer.backward(g)
    once = layer.dW.copy()
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.dW, 2 * once)
    dW_array = layer.dW
    layer.zero_grad()
    assert layer.dW is dW_array and not layer.dW.any()


def test_linear_rng_is_reproducible_and_init_variance():
    np.testing.assert_array_equal(Linear(5, 4, rng=3).W, Linear(5, 4, rng=3).W)
    W = Linear(200, 400, init="xavier", rng=0).W
    assert abs(W.var() * 200 - 1.0) < 0.05


def test_linear_custom_init_function():
    layer = Linear(2, 3, init=lambda shape, rng: np.full(shape, 0.5))
    np.testing.assert_array_equal(layer.W, np.full((3, 2), 0.5))


@pytest.mark.parametrize(
    "x, match",
    [
        (np.ones((32, 3)), r"Linear.forward: input must have shape \(N, 4\), got \(32, 3\)"),
        (np.ones(4), r"Linear.forward: input must have shape \(N, 4\), got \(4,\)"),
        (np.ones((2, 2, 4)), r"Linear.forward: input must have shape \(N, 4\), got \(2, 2, 4\)"),
        (np.array([[1.0, np.nan, 0.0, 0.0]]), r"Linear.forward: input contains NaN or inf"),
    ],
)
def test_linear_bad_input(x, match):
    with pytest.raises(ValueError, match=match):
        Linear(4, 2, rng=0)(x)


def test_linear_bad_arguments():
    with pytest.raises(ValueError, match=r"Linear: in_features must be >= 1, got 0"):
        Linear(0, 2)
    with pytest.raises(TypeError, match=r"Linear: out_features must be an int, got float"):
        Linear(2, 2.5)
    with pytest.raises(ValueError, match=r"init: unknown scheme 'uniform'"):
        Linear(2, 2, init="uniform")


def test_linear_backward_before_forward_and_bad_grad():
    layer = Linear(2, 3, rng=0)
    with pytest.raises(RuntimeError, match=r"Linear.backward called before forward"):
        layer.backward(np.ones((1, 3)))
    layer(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"Linear.backward: grad_y must have shape \(4, 3\), got \(4, 2\)"):
        layer.backward(np.ones((4, 2)))


# ------------------------------------------------------------------ Dropout


@pytest.mark.parametrize("mode", ["inverted", "scale_at_test"])
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5])
def test_dropout_gradient_with_fixed_mask(mode, p):
    x = np.random.default_rng(0).standard_normal((6, 5))
    G = np.random.default_rng(1).standard_normal((6, 5))
    layer = Dropout(p, rng=7, mode=mode)
    layer(x)
    analytic = layer.backward(G)

    def f(v):  # same mask every evaluation: fresh generator with the same seed
        layer.rng = np.random.default_rng(7)
        return float(np.sum(layer(v) * G))

    numeric = numerical_gradient(f, x.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", ["inverted", "scale_at_test"])
def test_dropout_expected_value_is_same_in_train_and_eval(mode):
    x = np.full((200, 500), 2.0)
    layer = Dropout(0.3, rng=0, mode=mode)
    train_mean = layer(x).mean()
    eval_out = layer.eval()(x)
    assert abs(train_mean - eval_out.mean()) < 0.02
    assert np.allclose(eval_out, 2.0 if mode == "inverted" else 2.0 * 0.7)


def test_dropout_inverted_scales_kept_units_and_drops_about_p():
    out = Dropout(0.25, rng=0)(np.ones((100, 100)))
    assert set(np.unique(out)) == {0.0, 1.0 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.02


def test_dropout_eval_backward_passes_gradient():
    layer = Dropout(0.5, rng=0).eval()
    layer(np.ones((2, 2)))
    np.testing.assert_array_equal(layer.backward(np.full((2, 2), 3.0)), np.full((2, 2), 3.0))


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_p_outside_range(p):
    with pytest.raises(ValueError, match=rf"Dropout: p must be in \[0.0, 1.0\), got {p}"):
        Dropout(p)


def test_dropout_bad_mode_and_order():
    with pytest.raises(ValueError, match=r"Dropout: mode must be 'inverted' or 'scale_at_test', got 'keep'"):
        Dropout(0.5, mode="keep")
    with pytest.raises(RuntimeError, match=r"Dropout.backward called before forward"):
        Dropout(0.5).backward(np.ones((1, 1)))


# ------------------------------------------------------------------ BatchNorm1d


def test_batchnorm_hand_example_and_running_stats():
    bn = BatchNorm1d(2, momentum=0.1)
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    y = bn(x)
    # feature 0: mean 3, biased var 8/3; feature 1: mean 12, biased var 8
    np.testing.assert_allclose(y[:, 0], np.array([-2.0, 0.0, 2.0]) / np.sqrt(8 / 3 + 1e-5))
    np.testing.assert_allclose(bn.running_mean, [0.3, 1.2])
    # running variance uses the unbiased estimate: 4 and 12
    np.testing.assert_allclose(bn.running_var, [0.9 + 0.4, 0.9 + 1.2])


def test_batchnorm_eval_uses_running_stats():
    bn = BatchNorm1d(1)
    bn.running_mean[...] = 2.0
    bn.running_var[...] = 4.0
    bn.gamma[...] = 3.0
    bn.beta[...] = 1.0
    out = bn.eval()(np.array([[6.0]]))
    np.testing.assert_allclose(out, [[3.0 * 4.0 / np.sqrt(4.0 + 1e-5) + 1.0]])


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients(training):
    rng = np.random.default_rng(0)
    bn = BatchNorm1d(3, eps=1e-3)
    bn.gamma[...] = rng.standard_normal(3)
    bn.beta[...] = rng.standard_normal(3)
    bn.running_mean[...] = rng.standard_normal(3)
    bn.running_var[...] = rng.uniform(0.5, 2.0, 3)
    if not training:
        bn.eval()
    report = check_layer_gradients(bn, rng.standard_normal((5, 3)) * 2 + 1, rng=1)
    assert set(report) == {"input", "gamma", "beta"}
    assert_report_close(report, rtol=1e-5, atol=1e-7)


def test_batchnorm_state_dict_contains_buffers():
    bn = BatchNorm1d(2)
    bn(np.array([[1.0, 2.0], [3.0, 5.0]]))
    state = bn.state_dict()
    assert set(state) == {"gamma", "beta", "running_mean", "running_var", "num_batches_tracked"}
    fresh = BatchNorm1d(2)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.running_var, bn.running_var)


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d.forward: training needs at least 2 examples"):
        BatchNorm1d(2)(np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.forward: input must have shape \(N, 2\), got \(4, 3\)"):
        BatchNorm1d(2)(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"BatchNorm1d: momentum must be in \[0.0, 1.0\], got 1.5"):
        BatchNorm1d(2, momentum=1.5)
    with pytest.raises(RuntimeError, match=r"BatchNorm1d.backward called before forward"):
        BatchNorm1d(2).backward(np.ones((2, 2)))


# ------------------------------------------------------------------ Flatten


def test_flatten_shapes_order_and_gradient():
    x = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    flat = Flatten()
    out = flat(x)
    assert out.shape == (2, 12)
    np.testing.assert_array_equal(out[1], x[1].ravel())  # C-order, like torch.flatten
    assert_report_close(check_layer_gradients(Flatten(), x, rng=0))


def test_flatten_errors():
    with pytest.raises(ValueError, match=r"Flatten.forward: input must have shape \(N, ...\) with at least 2 dimensions, got \(3,\)"):
        Flatten()(np.ones(3))
    flat = Flatten()
    flat(np.ones((2, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"Flatten.backward: grad_y must have shape \(2, 12\), got \(2, 11\)"):
        flat.backward(np.ones((2, 11)))


# ------------------------------------------------------------------ a small network


def test_sequential_mlp_gradients():
    net = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4), Linear(4, 2, rng=1))
    report = check_layer_gradients(net, np.random.default_rng(2).standard_normal((6, 3)), rng=3)
    assert set(report) == {"input", "0.W", "0.b", "1.gamma", "1.beta", "2.W", "2.b"}
    assert_report_close(report, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------ Linear(bias=False), BatchNorm options, BatchNorm2d




def test_linear_without_bias():
    layer = Linear(2, 3, rng=0, bias=False)
    layer.W[...] = [[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]]
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0]])), [[0.9, 1.9, 1.4]])  # the Karlsruhe layer minus b
    assert layer.b is None and [p.name for p in layer.parameters()] == ["W"]
    assert set(layer.state_dict()) == {"W"} and repr(layer) == "Linear(in_features=2, out_features=3, bias=False)"
    report = check_layer_gradients(layer, np.random.default_rng(1).standard_normal((4, 2)), rng=2)
    assert set(report) == {"input", "W"}
    assert_report_close(report)
    with pytest.raises(TypeError, match=r"Linear: bias must be True or False, got 'no'"):
        Linear(2, 3, bias="no")


@pytest.mark.parametrize("bn_class, shape", [(BatchNorm1d, (6, 3)), (BatchNorm2d, (4, 3, 2, 3))])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_options_gradients(bn_class, shape, affine, momentum, training):
    rng = np.random.default_rng(3)
    bn = bn_class(3, eps=1e-3, momentum=momentum, affine=affine)
    if affine:
        bn.gamma[...] = rng.standard_normal(3)
        bn.beta[...] = rng.standard_normal(3)
    bn.running_mean[...] = rng.standard_normal(3)
    bn.running_var[...] = rng.uniform(0.5, 2.0, 3)
    if not training:
        bn.eval()
    report = check_layer_gradients(bn, rng.standard_normal(shape) * 2 + 1, rng=4)
    assert set(report) == ({"input", "gamma", "beta"} if affine else {"input"})
    assert_report_close(report, rtol=1e-5, atol=1e-7)


def test_batchnorm2d_normalises_each_channel_over_batch_and_positions():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 5, 6)) * [[[[1.0]], [[3.0]], [[0.5]]]] + [[[[2.0]], [[-1.0]], [[7.0]]]]
    bn = BatchNorm2d(3)
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), x.var(axis=(0, 2, 3)) / (x.var(axis=(0, 2, 3)) + 1e-5))
    M = 4 * 5 * 6  # values per channel; the running variance is the unbiased one
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(axis=(0, 2, 3)) * M / (M - 1))
    # BatchNorm2d is BatchNorm1d applied to the pixels as examples
    flat = BatchNorm1d(3)
    np.testing.assert_allclose(flat(x.transpose(0, 2, 3, 1).reshape(-1, 3)).reshape(4, 5, 6, 3).transpose(0, 3, 1, 2), y)


def test_batchnorm_momentum_none_is_the_cumulative_average():
    bn = BatchNorm1d(1, momentum=None)
    batches = [np.array([[1.0], [3.0]]), np.array([[5.0], [9.0]]), np.array([[0.0], [4.0]])]
    for x in batches:
        bn(x)
    np.testing.assert_allclose(bn.running_mean, [(2 + 7 + 2) / 3])
    np.testing.assert_allclose(bn.running_var, [(2 + 8 + 8) / 3])  # unbiased variances 2, 8, 8
    assert int(bn.num_batches_tracked) == 3
    bn.eval()(np.array([[1.0]]))
    assert int(bn.num_batches_tracked) == 3  # eval does not count


def test_batchnorm_without_affine_has_no_parameters():
    bn = BatchNorm2d(2, affine=False)
    x = np.random.default_rng(6).standard_normal((3, 2, 2, 2))
    y = bn(x)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + 1e-5))
    assert bn.parameters() == [] and bn.gamma is None
    assert set(bn.state_dict()) == {"running_mean", "running_var", "num_batches_tracked"}
    assert repr(bn) == "BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=False)"
    bn.zero_grad()


def test_batchnorm2d_errors():
    with pytest.raises(ValueError, match=r"BatchNorm2d.forward: input must have shape \(N, 2, H, W\), got \(4, 2\)"):
        BatchNorm2d(2)(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"BatchNorm2d.forward: training needs at least 2 values per channel \(N\*H\*W\)"):
        BatchNorm2d(2)(np.ones((1, 2, 1, 1)))
    BatchNorm2d(2)(np.random.default_rng(0).standard_normal((1, 2, 2, 1)))  # one image, two pixels: fine
    with pytest.raises(TypeError, match=r"BatchNorm2d: affine must be True or False, got None"):
        BatchNorm2d(2, affine=None)
    with pytest.raises(TypeError, match=r"BatchNorm1d: momentum must be a number, got str"):
        BatchNorm1d(2, momentum="none")


def test_batchnorm1d_on_sequences_normalises_each_channel_over_batch_and_length():
    """(N, C, L) input, as PyTorch's BatchNorm1d: one mean and variance per channel over N and L."""
    x = np.array([[[1.0, 3.0], [0.0, 0.0]], [[1.0, 3.0], [4.0, 8.0]]])   # (2, 2, 2)
    bn = BatchNorm1d(2)
    y = bn(x)
    np.testing.assert_allclose(y[:, 0], [[-1, 1], [-1, 1]], atol=1e-5)      # channel 0: mean 2, variance 1
    np.testing.assert_allclose(bn.running_mean, [0.2, 0.3])                # 0.1 * (2, 3)
    np.testing.assert_allclose(bn.running_var, [0.9 + 0.1 * 4 / 3, 0.9 + 0.1 * 11 * 4 / 3])
    for affine in (True, False):
        layer = BatchNorm1d(3, affine=affine, momentum=None)
        if affine:
            layer.gamma[...], layer.beta[...] = [0.5, 2.0, -1.0], [0.1, 0.0, 0.3]
        x = np.random.default_rng(0).normal(size=(2, 3, 4))
        report = check_layer_gradients(layer, x, rng=1)
        for name, r in report.items():
            np.testing.assert_allclose(r["analytic"], r["numeric"], rtol=1e-6, atol=1e-8, err_msg=name)
        np.testing.assert_allclose(layer.eval()(x), (x - layer.running_mean[:, None]) /
                                   np.sqrt(layer.running_var[:, None] + 1e-5) * (layer.gamma[:, None] if affine else 1)
                                   + (layer.beta[:, None] if affine else 0))
    with pytest.raises(ValueError, match=r"BatchNorm1d.forward: training needs at least 2 values per channel \(N\*L\)"):
        BatchNorm1d(2)(np.ones((1, 2, 1)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.forward: input must have shape \(N, 2, L\), got \(4, 3, 5\)"):
        BatchNorm1d(2)(np.ones((4, 3, 5)))
