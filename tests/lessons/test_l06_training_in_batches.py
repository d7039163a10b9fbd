"""Lesson 06: the batch calculations checked on the library, and the lesson's figure and experiment helpers.

The notebook writes the batch forward and backward pass, the mini-batch update and the training
loop in its own cells (their printed numbers are pinned by nbval). These tests check that nnlib's
layers, losses, optimiser and ``fit`` do the same, with the Karlsruhe deck's numbers where there
are some, and test the helpers that stay in ``nncourse.lessons.l06_training_in_batches``.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nncourse.lessons import l06_training_in_batches as l06  # noqa: E402
from nnlib.activations import ReLU, Sigmoid  # noqa: E402
from nnlib.datasets import make_spirals  # noqa: E402
from nnlib.functional import one_hot, sigmoid, sigmoid_prime, softmax  # noqa: E402
from nnlib.gradcheck import numerical_gradient  # noqa: E402
from nnlib.layers import Linear  # noqa: E402
from nnlib.losses import CrossEntropyLoss  # noqa: E402
from nnlib.module import Sequential  # noqa: E402
from nnlib.optim import SGD  # noqa: E402
from nnlib.training import accuracy, fit  # noqa: E402

W1 = np.array([[0.5, 0.2], [0.3, 0.8], [0.6, 0.4]])
B1 = np.array([0.1, 0.1, 0.1])
W2 = np.array([[0.4, 0.3, 0.2]])
B2 = np.array([0.1])
X = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])   # row 0: the Karlsruhe deck's x
Y = np.array([[1.0], [0.0], [2.0]])


def karlsruhe_net():
    hidden, output = Linear(2, 3), Linear(3, 1)
    hidden.W[...], hidden.b[...], output.W[...], output.b[...] = W1, B1, W2, B2
    return hidden, output, Sequential(hidden, output)


# ---------------------------------------------------------------- stacking and the bias

def test_linear_forward_on_rows_is_the_lecture_column_layout_transposed():
    hidden, _, _ = karlsruhe_net()
    Z = hidden(X)
    np.testing.assert_allclose(Z[0], [1.0, 2.0, 1.5], rtol=1e-12)               # the deck's z[1]
    np.testing.assert_allclose(Z[2], [0.9, -0.1, 0.9], rtol=1e-12, atol=1e-12)  # by hand
    Z_col = W1 @ X.T + np.tile(B1.reshape(3, 1), (1, 3))                          # W X + B
    np.testing.assert_allclose(Z, Z_col.T, rtol=1e-12)


def test_linear_backward_sums_the_deltas_over_the_batch():
    hidden, output, net = karlsruhe_net()
    net.backward(net(X) - Y)                      # summed loss sum_n 1/2 (y_hat_n - y_n)^2
    A1 = X @ W1.T + B1                            # (3, 3) linear hidden units
    Delta2 = A1 @ W2.T + B2 - Y                   # (3, 1)
    Delta1 = Delta2 @ W2                          # (3, 3)
    np.testing.assert_allclose(Delta1[0], [0.16, 0.12, 0.08], rtol=1e-12)  # the deck's hidden delta
    np.testing.assert_allclose(hidden.db, Delta1.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(hidden.db, [-0.16, -0.12, -0.08], rtol=1e-12, atol=1e-15)  # the lesson's number
    np.testing.assert_allclose(hidden.dW, Delta1.T @ X, rtol=1e-12)
    per_example = sum(np.outer(d, x) for d, x in zip(Delta1, X))
    np.testing.assert_allclose(hidden.dW, per_example, rtol=1e-12)


def test_mean_over_copies_of_the_deck_example_gives_the_deck_gradients():
    hidden, output, net = karlsruhe_net()
    X4, Y4 = np.tile([1.0, 2.0], (4, 1)), np.ones((4, 1))
    net.backward((net(X4) - Y4) / 4)
    np.testing.assert_allclose(hidden.db, [0.16, 0.12, 0.08], rtol=1e-12)
    np.testing.assert_allclose(output.dW, [[0.4, 0.8, 0.6]], rtol=1e-12)


def test_batch_backprop_formulas_equal_nnlib_and_a_numeric_gradient():
    rng = np.random.default_rng(3)
    sizes = [3, 4, 5, 3]
    W = {l: rng.standard_normal((sizes[l], sizes[l - 1])) for l in range(1, 4)}
    b = {l: rng.standard_normal(sizes[l]) for l in range(1, 4)}
    Xb, labels = rng.standard_normal((6, 3)), np.array([0, 1, 2, 2, 1, 0])
    Yb, N = one_hot(labels, 3), 6

    def forward(W1_):
        Ws = {1: W1_, 2: W[2], 3: W[3]}
        H, Z = {0: Xb}, {}
        for l in range(1, 4):
            Z[l] = H[l - 1] @ Ws[l].T + b[l]
            H[l] = softmax(Z[l]) if l == 3 else sigmoid(Z[l])
        return H, Z

    H, Z = forward(W[1])
    Delta = {3: (H[3] - Yb) / N}
    for l in (2, 1):
        Delta[l] = (Delta[l + 1] @ W[l + 1]) * sigmoid_prime(Z[l])
    linears = [Linear(sizes[l - 1], sizes[l]) for l in range(1, 4)]
    for l, layer in zip(range(1, 4), linears):
        layer.W[...], layer.b[...] = W[l], b[l]
    net, ce = Sequential(linears[0], Sigmoid(), linears[1], Sigmoid(), linears[2]), CrossEntropyLoss()
    ce(net(Xb), labels)
    net.backward(ce.backward())
    for l, layer in zip(range(1, 4), linears):
        np.testing.assert_allclose(layer.dW, Delta[l].T @ H[l - 1], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.db, Delta[l].sum(axis=0), rtol=1e-10, atol=1e-12)
    numeric = numerical_gradient(lambda M: -np.sum(Yb * np.log(forward(M)[0][3])) / N, W[1].copy())
    np.testing.assert_allclose(Delta[1].T @ H[0], numeric, rtol=1e-5, atol=1e-8)


# ---------------------------------------------------------------- the mini-batch update and loop

def test_sgd_step_on_the_mean_loss_is_the_average_of_the_example_gradients():
    hidden, output, net = karlsruhe_net()
    X_B, Y_B = X[:2], Y[:2]
    net.backward((net(X_B) - Y_B) / 2)
    SGD(net.parameters(), lr=0.1).step()
    grads_W2 = [np.outer((W2 @ (W1 @ x + B1) + B2) - y, W1 @ x + B1) for x, y in zip(X_B, Y_B)]
    np.testing.assert_allclose(output.W, W2 - 0.1 * (grads_W2[0] + grads_W2[1]) / 2, rtol=1e-12)
    np.testing.assert_allclose(output.W, [[0.37115, 0.23345, 0.15525]], rtol=1e-12)  # the lesson's numbers


def hand_written_loop(model, optimizer, X, y, epochs, batch_size, rng):
    """The notebook's ``train`` loop (shuffle per epoch, consecutive batches)."""
    loss_fn, epoch_losses = CrossEntropyLoss(), []
    for _ in range(epochs):
        order, total = rng.permutation(len(X)), 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = loss_fn(model(X[idx]), y[idx])
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
            total += loss * len(idx)
        epoch_losses.append(total / len(X))
    return epoch_losses


def test_fit_is_the_hand_written_mini_batch_loop():
    X_s, y_s = make_spirals(60, n_classes=3, noise=0.2, rng=1)
    models = [Sequential(Linear(2, 5, rng=2), ReLU(), Linear(5, 3, rng=3)) for _ in range(2)]
    losses = hand_written_loop(models[0], SGD(models[0].parameters(), lr=0.3), X_s, y_s, 4, 16,
                               np.random.default_rng(7))
    history = fit(models[1], CrossEntropyLoss(), SGD(models[1].parameters(), lr=0.3), X_s, y_s,
                  epochs=4, batch_size=16, rng=np.random.default_rng(7), verbose=False)
    for p, q in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    np.testing.assert_allclose(losses, history["train_loss"], rtol=1e-12)


def test_three_class_mlp_learns_features_a_linear_model_can_use():
    X_tc, y_tc = make_spirals(300, n_classes=3, noise=0.2, rng=0)
    rng = np.random.default_rng(0)
    model = Sequential(Linear(2, 32, rng=rng), ReLU(), Linear(32, 3, rng=rng))
    losses = hand_written_loop(model, SGD(model.parameters(), lr=0.5), X_tc, y_tc, 150, 32, rng)
    assert losses[-1] < 0.3 * losses[0]
    assert accuracy(model(X_tc), y_tc) > 0.9
    psi = np.maximum(0.0, X_tc @ model.layers[0].W.T + model.layers[0].b)
    np.testing.assert_allclose(psi, model.layers[1](model.layers[0](X_tc)), rtol=1e-12)

    def readout(features):
        clf = Sequential(Linear(features.shape[1], 3, rng=0))
        fit(clf, CrossEntropyLoss(), SGD(clf.parameters(), lr=0.5), features, y_tc, epochs=300,
            batch_size=len(features), rng=0, verbose=False)
        return accuracy(clf(features), y_tc)

    assert readout(psi) > 0.9
    assert readout(X_tc) < 0.7


# ---------------------------------------------------------------- helpers: experiment

def test_digit_feature_detectors_learn_and_change_weights():
    out = l06.digits_feature_detectors(hidden=8, epochs=5, snapshots=(0, 5))
    assert sorted(out["weights"]) == [0, 5]
    assert out["weights"][0].shape == (8, 64)
    assert np.abs(out["weights"][0]).max() < 0.1       # tiny start: std 0.01
    assert not np.allclose(out["weights"][0], out["weights"][5])
    assert out["test_accuracy"] > 0.85


@pytest.mark.parametrize("kwargs, error, match", [
    ({"snapshots": (0, 3)}, ValueError, r"snapshots must lie in 0..2 \(the epochs\), got \[3\]"),
    ({"hidden": 0}, ValueError, "hidden must be >= 1"),
    ({"lr": 0.0}, ValueError, "lr must be a finite number > 0"),
    ({"batch_size": 2.0}, TypeError, "batch_size must be an int"),
])
def test_digit_feature_detectors_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=f"digits_feature_detectors: {match}"):
        l06.digits_feature_detectors(**{"epochs": 2, **kwargs})


# ---------------------------------------------------------------- helpers: figures

def test_plot_unit_maps_scales_each_unit_to_its_maximum_with_one_colour_bar():
    g1, g2 = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 7))
    acts = np.maximum(0.0, np.column_stack([g1.ravel(), 3 * g2.ravel(), np.zeros(49)]))
    fig = l06.plot_unit_maps(g1, g2, acts, [0, 1, 2], title="t")
    panels, bar = fig.axes[:3], fig.axes[3]
    assert len(fig.axes) == 4 and bar.get_ylabel() == "activation / its max"
    assert [ax.get_title() for ax in panels] == ["unit 0\nmax 1", "unit 1\nmax 3", "unit 2\nmax 0"]
    for ax in panels:
        assert ax.images[0].get_clim() == (0.0, 1.0)
    assert panels[1].images[0].get_array().max() == 1.0
    plt.close(fig)


def test_plot_unit_maps_rejects_mismatched_activations():
    g1, g2 = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 4))
    with pytest.raises(ValueError, match=r"plot_unit_maps: activations must have shape \(16, H\)"):
        l06.plot_unit_maps(g1, g2, np.ones((15, 2)), [0])


def test_plot_weight_images_share_one_scale_centred_on_zero():
    W = np.array([np.linspace(-1.0, 0.5, 64), np.linspace(0.0, 2.0, 64)])
    fig = l06.plot_weight_images(W, ncols=8, title="weights")
    cells = fig.axes[0].collections[0]                       # one mosaic of every unit's 8x8 image
    assert cells.get_clim() == (-2.0, 2.0) and cells.get_cmap().name.startswith("RdBu_r")
    mosaic = cells.get_array()                                # (3 + 8, 2 * 9 - 1): a label row above each row
    assert mosaic.shape == (11, 17)
    np.testing.assert_array_equal(mosaic[3:, :8], W[0].reshape(8, 8))
    np.testing.assert_array_equal(mosaic[3:, 9:], W[1].reshape(8, 8))
    assert np.ma.getmaskarray(mosaic)[:, 8].all() or np.isnan(np.ma.filled(mosaic, np.nan)[:, 8]).all()
    assert [t.get_text() for t in fig.axes[0].texts] == ["unit 0", "unit 1"]
    assert fig.axes[-1].get_ylabel() == "weight" and fig.axes[0].get_title() == "weights"   # the colour bar
    plt.close(fig)


def test_weight_images_relative_scale_keeps_the_colour_bar_and_reports_the_largest_weight():
    W = np.array([np.linspace(-1.0, 0.5, 64), np.linspace(0.0, 2.0, 64)])
    fig = l06.plot_weight_images(W / 2, title="before", relative=True)
    l06.update_weight_images(fig, W, title="after", relative=True)
    cells = fig.axes[0].collections[0]
    assert cells.get_clim() == (-1.0, 1.0) and fig.axes[-1].get_ylabel() == "weight / largest |weight|"
    np.testing.assert_allclose(cells.get_array()[3:, 9:], W[1].reshape(8, 8) / 2.0)
    assert fig.axes[0].get_title() == "after (largest |weight| 2.000)"
    with pytest.raises(ValueError, match="update_weight_images: the figure shows 2 units, got weights of 3"):
        l06.update_weight_images(fig, np.ones((3, 64)))
    plt.close(fig)


def test_plot_weight_images_needs_square_images():
    with pytest.raises(ValueError, match="plot_weight_images: each row of W must hold a square image, got 10"):
        l06.plot_weight_images(np.ones((2, 10)))
