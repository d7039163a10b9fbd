"""Headless tests of lesson 06's callbacks (batches, broadcasting, summed deltas, mini-batch loop)."""

import numpy as np
import pytest

from nncourse.lessons import l06_training_in_batches as l06
from nnlib.activations import ReLU
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss, MSELoss
from nnlib.module import Sequential
from nnlib.optim import SGD
from nnlib.training import fit


def test_stacked_forward_reproduces_the_karlsruhe_hidden_layer_in_row_zero():
    # deck: z1 = W1 x + b1 = (0.5+0.4+0.1, 0.3+1.6+0.1, 0.6+0.8+0.1) = (1.0, 2.0, 1.5)
    out = l06.stacked_forward([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(out["Z_rows"][0], [1.0, 2.0, 1.5], rtol=1e-12)
    # row 2 by hand: (1.0 - 0.2 + 0.1, 0.6 - 0.8 + 0.1, 1.2 - 0.4 + 0.1)
    np.testing.assert_allclose(out["Z_rows"][2], [0.9, -0.1, 0.9], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["Z_columns"].T, out["Z_rows"], rtol=1e-12)
    np.testing.assert_allclose(out["Z_loop"], out["Z_rows"], rtol=1e-12)
    assert out["B"].shape == (3, 3) and np.all(out["B"] == 0.1)


def test_stacked_forward_rejects_wrong_weight_shape():
    with pytest.raises(ValueError, match=r"stacked_forward: W must have shape \(H, 2\)"):
        l06.stacked_forward([[1.0, 2.0]], W=np.ones((3, 3)), b=np.zeros(3))


@pytest.mark.parametrize("n, h, shape, correct", [(3, 3, (3, 3), False), (1, 3, (3, 3), False),
                                                   (4, 3, None, False)])
def test_bias_as_column_is_wrong_or_fails(n, h, shape, correct):
    r = l06.bias_broadcast_pitfall(n, h)
    assert r["flat_shape"] == (n, h)
    assert r["column_shape"] == shape
    assert r["column_correct"] is correct
    assert (r["column_error"] != "") == (shape is None)


def test_batch_bias_gradient_is_sum_of_deltas_and_matches_per_example_passes():
    g = l06.karlsruhe_batch_gradients(reduction="sum")
    for key in ("dW1", "db1", "dW2", "db2"):
        np.testing.assert_allclose(g["batch"][key], g["per_example"][key], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g["batch"]["db1"], g["Delta1"].sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(g["batch"]["db2"], g["Delta2"].sum(axis=0), rtol=1e-12)
    # deck: for x = (1, 2), y = 1 the output delta is y_hat - y = 0.4 and db1 = 0.4 W2 = (0.16, 0.12, 0.08)
    np.testing.assert_allclose(g["Delta2"][0], [0.4], rtol=1e-12)
    np.testing.assert_allclose(g["Delta1"][0], [0.16, 0.12, 0.08], rtol=1e-12)


def test_mean_reduction_divides_by_batch_size_and_copies_of_one_example_give_deck_numbers():
    X = [[1.0, 2.0]] * 4
    total = l06.karlsruhe_batch_gradients(X=X, y=[1.0] * 4, reduction="sum")
    mean = l06.karlsruhe_batch_gradients(X=X, y=[1.0] * 4, reduction="mean")
    np.testing.assert_allclose(total["batch"]["db1"], 4 * np.array([0.16, 0.12, 0.08]), rtol=1e-12)
    np.testing.assert_allclose(mean["batch"]["db1"], [0.16, 0.12, 0.08], rtol=1e-12)
    np.testing.assert_allclose(mean["batch"]["dW2"], [[0.4, 0.8, 0.6]], rtol=1e-12)


def test_batch_gradients_match_a_numeric_gradient():
    X = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])
    y = np.array([1.0, 0.0, 2.0])
    g = l06.karlsruhe_batch_gradients(X=X, y=y, reduction="mean")
    hidden, output = l06.karlsruhe_network()
    eps = 1e-6

    def loss():
        return 0.5 * np.mean((output(hidden(X))[:, 0] - y) ** 2)

    numeric = np.zeros(3)
    for j in range(3):
        hidden.b[j] += eps
        up = loss()
        hidden.b[j] -= 2 * eps
        down = loss()
        hidden.b[j] += eps
        numeric[j] = (up - down) / (2 * eps)
    np.testing.assert_allclose(g["batch"]["db1"], numeric, rtol=1e-6, atol=1e-9)


def test_karlsruhe_batch_gradients_rejects_bad_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        l06.karlsruhe_batch_gradients(reduction="max")


def test_batch_backprop_formulas_equal_nnlib_and_numeric_gradient():
    rng = np.random.default_rng(3)
    Ws = [rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), rng.standard_normal((3, 5))]
    bs = [rng.standard_normal(4), rng.standard_normal(5), rng.standard_normal(3)]
    X = rng.standard_normal((6, 3))
    labels = np.array([0, 1, 2, 2, 1, 0])
    out = l06.batch_backprop(X, labels, Ws, bs)
    for (dW, db), (dW_nn, db_nn), delta in zip(out["formula"], out["nnlib"], out["deltas"]):
        np.testing.assert_allclose(dW, dW_nn, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(db, db_nn, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(db, delta.sum(axis=0), rtol=1e-12)
    eps = 1e-6
    W = Ws[0]
    numeric = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        old = W[idx]
        W[idx] = old + eps
        up = l06.batch_backprop(X, labels, Ws, bs)["loss"]
        W[idx] = old - eps
        down = l06.batch_backprop(X, labels, Ws, bs)["loss"]
        W[idx] = old
        numeric[idx] = (up - down) / (2 * eps)
    np.testing.assert_allclose(out["formula"][0][0], numeric, rtol=1e-5, atol=1e-8)


def test_batch_backprop_needs_one_bias_per_layer():
    with pytest.raises(ValueError, match="one bias per weight matrix"):
        l06.batch_backprop([[1.0, 2.0]], [0], [np.ones((2, 2))], [])


def test_minibatch_indices_cover_every_example_once_and_are_seeded():
    batches = l06.minibatch_indices(10, 4, rng=0)
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = l06.minibatch_indices(10, 4, rng=0)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    assert not np.array_equal(np.concatenate(batches), np.arange(10))
    assert [b.tolist() for b in l06.minibatch_indices(3, 5, shuffle=False)] == [[0, 1, 2]]


def test_minibatch_indices_validates():
    with pytest.raises(ValueError, match="batch_size"):
        l06.minibatch_indices(10, 0)


def test_train_by_hand_ends_with_the_same_weights_as_fit():
    X, y = l06.three_class_data(60, rng=1)
    models = [Sequential(Linear(2, 5, rng=2), ReLU(), Linear(5, 3, rng=3)) for _ in range(2)]
    run = l06.train_by_hand(models[0], CrossEntropyLoss(), SGD(models[0].parameters(), lr=0.3),
                            X, y, epochs=4, batch_size=16, rng=7)
    history = fit(models[1], CrossEntropyLoss(), SGD(models[1].parameters(), lr=0.3),
                  X, y, epochs=4, batch_size=16, rng=7, verbose=False)
    for p, q in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run["epoch_loss"], history["train_loss"], rtol=1e-12)
    assert run["updates_per_epoch"] == 4 and len(run["iteration_loss"]) == 16


def test_one_sgd_update_is_mean_of_example_gradients():
    # theta <- theta - eta/b sum_i grad l_i for one batch of b = 2 with a linear unit
    model = Sequential(Linear(1, 1, init="zeros"))
    X = np.array([[1.0], [3.0]])
    y = np.array([[2.0], [4.0]])
    l06.train_by_hand(model, MSELoss(), SGD(model.parameters(), lr=0.1), X, y, 1, 2, rng=0)
    # per-example gradients of (w x + b - y)^2 at w = b = 0: dw = -2 y x, db = -2 y
    grad_w = np.mean([-2 * 2 * 1, -2 * 4 * 3])
    grad_b = np.mean([-2 * 2, -2 * 4])
    np.testing.assert_allclose(model.layers[0].W, [[-0.1 * grad_w]], rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].b, [-0.1 * grad_b], rtol=1e-12)


def test_three_class_training_reduces_error_and_hidden_features_are_linearly_separable():
    run = l06.train_three_class(batch_size=32, epochs=150, n=300, rng=0)
    assert run["epoch_loss"][-1] < 0.3 * run["epoch_loss"][0]
    assert run["accuracy"] > 0.9
    H = l06.hidden_features(run["model"], run["X"])
    assert H.shape == (300, 32)
    assert l06.linear_readout(H, run["y"]) > 0.9
    assert l06.linear_readout(run["X"], run["y"]) < 0.7


@pytest.mark.parametrize("batch_size, updates", [(1, 150 * 2), (16, 10 * 2), (150, 2)])
def test_batch_size_run_counts_updates(batch_size, updates):
    run = l06.batch_size_run(batch_size=batch_size, epochs=2)
    assert run["n_updates"] == updates == len(run["iteration_loss"])


def test_three_class_mlp_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        l06.three_class_mlp(activation="swish")


def test_digit_feature_detectors_learn_and_change_weights():
    out = l06.digits_feature_detectors(hidden=8, epochs=5, snapshots=(0, 5))
    assert out["weights"][0].shape == (8, 64)
    assert not np.allclose(out["weights"][0], out["weights"][5])
    assert out["test_accuracy"] > 0.85


@pytest.mark.parametrize("task", l06.TASKS)
def test_mlp_for_task_outputs_fit_the_task(task):
    out = l06.mlp_for_task(task)
    if task == "regression":
        assert out["outputs"].shape == (50, 1) and out["score"] < 0.05
    elif task == "binary":
        assert np.all((out["outputs"] > 0) & (out["outputs"] < 1))
        assert set(np.unique(out["predictions"])) <= {0, 1} and out["score"] > 0.85
    else:
        np.testing.assert_allclose(out["outputs"].sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_array_equal(out["predictions"], out["outputs"].argmax(axis=1))
        assert out["score"] > 0.8


def test_deck_probabilities_give_the_deck_classes():
    assert l06.DECK_PROBABILITIES.argmax(axis=1).tolist() == [1, 0, 2]
