"""The lecture's worked numbers for dense networks, reproduced with nnlib to the digit."""

import numpy as np
import pytest

from nnlib.activations import Identity, Sigmoid, Softmax
from nnlib.layers import Linear
from nnlib.losses import BCELoss, CrossEntropyLoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD


def karlsruhe_network():
    """The 2-3-1 linear network of the Karlsruhe deck with its initial weights."""
    hidden, output = Linear(2, 3), Linear(3, 1)
    hidden.W[...] = [[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]]
    hidden.b[...] = [0.1, 0.1, 0.1]
    output.W[...] = [[0.4, 0.3, 0.2]]
    output.b[...] = [0.1]
    return Sequential(hidden, Identity(), output, Identity())


X = np.array([[1.0, 2.0]])  # x = (1, 2), one example as one row
Y = np.array([[1.0]])  # y = 1
ETA = 0.1


def test_karlsruhe_forward_pass():
    net = karlsruhe_network()
    y_hat = net(X)
    np.testing.assert_allclose(net[0](X), [[1.0, 2.0, 1.5]], rtol=0, atol=1e-12)  # a^[1] = z^[1]
    np.testing.assert_allclose(y_hat, [[1.4]], rtol=0, atol=1e-12)


def test_karlsruhe_gradients_and_one_sgd_step():
    """The deck uses L = 1/2 (y_hat - y)^2, whose gradient is y_hat - y = 0.4.

    ``MSELoss`` is the mean of (y_hat - y)^2 without the 1/2 (PyTorch's convention),
    so its gradient is 2 (y_hat - y); multiplying it by 1/2 gives the deck's loss
    exactly. (Equivalently: MSELoss with half the learning rate.)
    """
    net = karlsruhe_network()
    loss = MSELoss()
    loss(net(X), Y)
    half_squared_error_grad = 0.5 * loss.backward()  # dL/dy_hat for L = 1/2 (y_hat - y)^2
    np.testing.assert_allclose(half_squared_error_grad, [[0.4]], atol=1e-12)
    net.backward(half_squared_error_grad)

    hidden, output = net[0], net[2]
    np.testing.assert_allclose(output.dW, [[0.4, 0.8, 0.6]], atol=1e-12)
    np.testing.assert_allclose(output.db, [0.4], atol=1e-12)
    np.testing.assert_allclose(hidden.dW, [[0.16, 0.32], [0.12, 0.24], [0.08, 0.16]], atol=1e-12)
    np.testing.assert_allclose(hidden.db, [0.16, 0.12, 0.08], atol=1e-12)

    SGD(net.parameters(), lr=ETA).step()
    np.testing.assert_allclose(output.W, [[0.36, 0.22, 0.14]], atol=1e-12)
    np.testing.assert_allclose(output.b, [0.06], atol=1e-12)
    np.testing.assert_allclose(hidden.W, [[0.484, 0.168], [0.288, 0.776], [0.592, 0.384]], atol=1e-12)
    np.testing.assert_allclose(hidden.b, [0.084, 0.088, 0.092], atol=1e-12)


def test_karlsruhe_step_with_mse_and_half_learning_rate_is_the_same():
    net = karlsruhe_network()
    loss = MSELoss()
    loss(net(X), Y)
    net.backward(loss.backward())
    SGD(net.parameters(), lr=ETA / 2).step()
    np.testing.assert_allclose(net[2].W, [[0.36, 0.22, 0.14]], atol=1e-12)
    np.testing.assert_allclose(net[0].b, [0.084, 0.088, 0.092], atol=1e-12)


def test_karlsruhe_updated_network_predicts_closer_to_target():
    net = karlsruhe_network()
    loss = MSELoss()
    before = loss(net(X), Y)
    net.backward(0.5 * loss.backward())
    SGD(net.parameters(), lr=ETA).step()
    assert loss(net(X), Y) < before


@pytest.mark.parametrize("N", [1, 4])
def test_softmax_cross_entropy_delta_is_a_minus_y(N):
    """Deck 000: for softmax outputs with cross-entropy, dL/dz = a - y (per example)."""
    rng = np.random.default_rng(N)
    Z = rng.standard_normal((N, 5))
    labels = rng.integers(0, 5, N)
    Y = np.eye(5)[labels]
    loss = CrossEntropyLoss()
    loss(Z, labels)
    A = Softmax()(Z)
    np.testing.assert_allclose(N * loss.backward(), A - Y, rtol=1e-12, atol=1e-15)


def test_sigmoid_bce_delta_is_a_minus_y():
    """Deck 000: a sigmoid output with binary cross-entropy gives dL/dz = a - y."""
    Z = np.array([[0.4], [-2.0], [1.1]])
    Y = np.array([[1.0], [0.0], [0.0]])
    sigmoid, loss = Sigmoid(), BCELoss()
    A = sigmoid(Z)
    loss(A, Y)
    delta = sigmoid.backward(loss.backward())
    np.testing.assert_allclose(3 * delta, A - Y, rtol=1e-10, atol=1e-12)
