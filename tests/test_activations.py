"""Tests of the activation layers: values, gradients, errors."""

import numpy as np
import pytest

from nnlib.activations import ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from nnlib.gradcheck import check_layer_gradients, numerical_gradient


def assert_report_close(report, rtol=1e-6, atol=1e-8):
    for name, entry in report.items():
        np.testing.assert_allclose(entry["analytic"], entry["numeric"], rtol=rtol, atol=atol,
                                   err_msg=f"gradient of {name}")


def off_kink_input(shape, seed=0):
    """Random input whose entries are at least 0.05 away from 0 (the ReLU kink)."""
    x = np.random.default_rng(seed).standard_normal(shape)
    return x + 0.05 * np.sign(x)


LAYERS = [Sigmoid, Tanh, ReLU, lambda: LeakyReLU(0.1), lambda: ELU(0.5), Identity, Softmax]


@pytest.mark.parametrize("make_layer", LAYERS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
def test_gradients_with_random_upstream(make_layer, shape):
    report = check_layer_gradients(make_layer(), off_kink_input(shape), rng=1)
    assert set(report) == {"input"}
    assert_report_close(report)


def test_values_hand_computed():
    z = np.array([[-2.0, 0.5]])
    np.testing.assert_allclose(Sigmoid()(np.array([[0.0]])), [[0.5]])
    np.testing.assert_allclose(ReLU()(z), [[0.0, 0.5]])
    np.testing.assert_allclose(LeakyReLU(0.1)(z), [[-0.2, 0.5]])
    np.testing.assert_allclose(ELU(1.0)(z), [[np.exp(-2.0) - 1.0, 0.5]])
    np.testing.assert_allclose(Identity()(z), z)
    np.testing.assert_allclose(Tanh()(z), np.tanh(z))


def test_softmax_backward_uses_full_jacobian():
    z = np.array([[0.3, -1.2, 2.0]])
    layer = Softmax()
    a = layer(z)[0]
    jacobian = np.diag(a) - np.outer(a, a)  # da_k/dz_j = a_k (1[k=j] - a_j)
    g = np.array([[0.7, -0.1, 1.3]])
    np.testing.assert_allclose(layer.backward(g)[0], g[0] @ jacobian, rtol=1e-12, atol=1e-14)


def test_softmax_stable_for_huge_logits():
    out = Softmax()(np.array([[1e4, -1e4, 0.0]]))
    np.testing.assert_allclose(out, [[1.0, 0.0, 0.0]])


def test_layers_do_not_mutate_input():
    x = np.array([[-1.0, 2.0]])
    before = x.copy()
    for make_layer in LAYERS:
        layer = make_layer()
        layer(x)
        layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(x, before)


def test_elu_derivative_matches_at_negative_side():
    z = np.array([-0.8])
    numeric = numerical_gradient(lambda v: float(ELU(2.0)(v[None])[0, 0]), z.copy())
    layer = ELU(2.0)
    layer(z[None])
    np.testing.assert_allclose(layer.backward(np.ones((1, 1)))[0], numeric, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("make_layer", LAYERS)
def test_backward_before_forward(make_layer):
    layer = make_layer()
    with pytest.raises(RuntimeError, match=r"backward called before forward"):
        layer.backward(np.ones((1, 2)))


@pytest.mark.parametrize("make_layer", LAYERS)
def test_nan_input_rejected(make_layer):
    layer = make_layer()
    with pytest.raises(ValueError, match=r"\.forward: input contains NaN or inf"):
        layer(np.array([[np.nan, 1.0]]))


def test_backward_shape_mismatch():
    layer = ReLU()
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"ReLU.backward: grad_y must have shape \(2, 3\), got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match=r"LeakyReLU: negative_slope must be a finite number >= 0, got -0.1"):
        LeakyReLU(-0.1)
    with pytest.raises(TypeError, match=r"ELU: alpha must be a number, got str"):
        ELU("1")


def test_softmax_rejects_scalar():
    with pytest.raises(ValueError, match=r"Softmax.forward: input must have at least 1 dimension, got a scalar"):
        Softmax()(3.0)


def test_public_names_exported():
    import nnlib

    assert nnlib.Sigmoid is Sigmoid and nnlib.Softmax is Softmax
    assert nnlib.functional.softmax is not None and nnlib.init.xavier is not None
    assert nnlib.optim.Adam is not None and nnlib.gradcheck.check_layer_gradients is not None


# ------------------------------------------------------------------ GELU, SiLU, Softplus, Softmax(dim), LogSoftmax



NEW_LAYERS = [GELU, lambda: GELU(approximate="tanh"), SiLU, Softplus, lambda: Softplus(beta=2.0, threshold=3.0),
              lambda: Softmax(dim=0), lambda: Softmax(dim=1), LogSoftmax, lambda: LogSoftmax(dim=0)]


@pytest.mark.parametrize("make_layer", NEW_LAYERS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2, 2)])
def test_new_activation_gradients_with_random_upstream(make_layer, shape):
    x = 3 * off_kink_input(shape, seed=4)
    x[np.abs(2.0 * x - 3.0) < 0.1] += 0.3  # keep beta * z off Softplus(beta=2, threshold=3)'s switch
    report = check_layer_gradients(make_layer(), x, rng=2)
    assert_report_close(report)


def test_gelu_silu_softplus_hand_computed():
    z = np.array([[-1.0, 0.0, 1.0]])
    Phi = np.array([0.15865525393145707, 0.5, 0.8413447460685429])  # standard normal cdf at -1, 0, 1
    np.testing.assert_allclose(GELU()(z), z * Phi, rtol=1e-14)
    tanh_form = 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
    np.testing.assert_allclose(GELU(approximate="tanh")(z), tanh_form, rtol=1e-14)
    np.testing.assert_allclose(SiLU()(z), z / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(Softplus()(z), np.log1p(np.exp(z)), rtol=1e-14)
    np.testing.assert_allclose(Softplus(beta=2.0)(np.array([[0.0]])), [[np.log(2) / 2]], rtol=1e-14)
    # the linear region: beta * z > threshold returns z itself, slope 1
    layer = Softplus(beta=1.0, threshold=20.0)
    np.testing.assert_array_equal(layer(np.array([[25.0, 1e4]])), [[25.0, 1e4]])
    np.testing.assert_array_equal(layer.backward(np.ones((1, 2))), [[1.0, 1.0]])


def test_gelu_tails_are_accurate_and_finite():
    out = GELU()(np.array([[-40.0, -8.0, 40.0]]))
    assert out[0, 0] == 0.0 or abs(out[0, 0]) < 1e-300
    assert -1e-13 < out[0, 1] < 0 and out[0, 2] == 40.0
    assert np.isfinite(SiLU()(np.array([[-1e4, 1e4]]))).all()
    assert np.isfinite(Softplus()(np.array([[-1e4, 1e4]]))).all()


def test_softmax_and_log_softmax_along_dim():
    Z = np.random.default_rng(3).standard_normal((2, 3, 4))
    for dim in (0, 1, 2, -1):
        A = Softmax(dim=dim)(Z)
        np.testing.assert_allclose(A.sum(axis=dim), 1.0)
        np.testing.assert_allclose(LogSoftmax(dim=dim)(Z), np.log(A), rtol=1e-12, atol=1e-14)


def test_log_softmax_finite_for_huge_logits_and_backward_formula():
    layer = LogSoftmax()
    out = layer(np.array([[1e4, -1e4, 0.0]]))
    assert np.isfinite(out).all() and out[0, 0] == 0.0
    z = np.array([[0.2, -0.4, 1.1]])
    a = np.exp(z) / np.exp(z).sum()
    layer(z)
    g = np.array([[1.0, 2.0, -0.5]])
    np.testing.assert_allclose(layer.backward(g), g - a * g.sum(), rtol=1e-12)  # delta = g - a sum(g)


def test_new_activation_errors():
    with pytest.raises(ValueError, match=r"GELU: approximate must be one of 'none', 'tanh', got 'erf'"):
        GELU(approximate="erf")
    with pytest.raises(ValueError, match=r"Softplus: beta must be a finite number > 0, got 0"):
        Softplus(beta=0)
    with pytest.raises(TypeError, match=r"Softplus: threshold must be a number, got str"):
        Softplus(threshold="20")
    with pytest.raises(TypeError, match=r"Softmax: dim must be an int, got float"):
        Softmax(dim=1.0)
    with pytest.raises(ValueError, match=r"LogSoftmax.forward: dim must be in -2..1 for an input with 2 dimensions, got dim=2"):
        LogSoftmax(dim=2)(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"LogSoftmax.forward: input must have at least 1 dimension, got a scalar"):
        LogSoftmax()(1.0)
    layer = LogSoftmax()
    with pytest.raises(RuntimeError, match=r"LogSoftmax.backward called before forward"):
        layer.backward(np.ones((1, 2)))
    layer(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"LogSoftmax.backward: grad_y must have shape \(2, 3\), got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))
