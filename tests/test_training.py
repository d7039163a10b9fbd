"""Tests for nnlib.training: the mini-batch loop, history, early stopping, progress display.

The first tests use tiny hand-written modules, losses and optimizers so each
behaviour of the loop can be watched directly; the last ones train real nnlib
networks.
"""

import numpy as np
import pytest

from nnlib.module import Module
from nnlib.training import History, accuracy, evaluate, fit, predict

# ---------------------------------------------------------------- tiny helpers

class Scale(Module):
    """y = w * x for a single feature; records what it sees."""

    param_names = ("w",)

    def __init__(self, w=0.0):
        super().__init__()
        self.w = np.array([w])
        self.dw = np.zeros(1)
        self.seen = []  # (training flag, copy of the batch)
        self._x = None

    def forward(self, x):
        self.seen.append((self.training, x.copy()))
        self._x = x
        return self.w * x  # (N, 1)

    def backward(self, grad_y):
        self.dw += np.sum(grad_y * self._x, keepdims=True).reshape(1)
        return grad_y * self.w


class MeanSquared:
    """L = mean((pred - target)^2) without the 1/2, like PyTorch's MSELoss."""

    def forward(self, pred, target):
        self._diff = pred - target.reshape(pred.shape)
        return float(np.mean(self._diff ** 2))

    __call__ = forward

    def backward(self):
        return 2.0 * self._diff / self._diff.size


class PlainSGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            p.grad[...] = 0.0

    def step(self):
        for p in self.params:
            p.data[...] -= self.lr * p.grad


class WeightRecorder:
    """A 'scheduler' that remembers the weights at the end of each epoch."""

    def __init__(self, module):
        self.module = module
        self.weights = []

    def step(self):
        self.weights.append(float(self.module.w[0]))


def line_data(slope, n=40, seed=0):
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 1))
    return x, slope * x


# ---------------------------------------------------------------- the loop

def test_fit_learns_a_slope_and_records_one_value_per_epoch():
    X, y = line_data(3.0)
    model = Scale()
    history = fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.3), X, y,
                  epochs=30, batch_size=8, rng=0, verbose=False)
    assert isinstance(history, History)
    np.testing.assert_allclose(model.w, [3.0], atol=1e-3)
    assert list(history.history) == ["train_loss"]  # regression: no accuracy
    assert len(history) == len(history["train_loss"]) == 30
    assert history["train_loss"][-1] < 1e-5 < history["train_loss"][0]
    assert history.best_epoch is None and not history.stopped_early


def test_full_batch_epoch_is_one_gradient_step_computed_by_hand():
    # w0 = 0, L = mean((w x - 2 x)^2), dL/dw = mean(2 (w - 2) x^2) = -4 mean(x^2)
    X = np.array([[1.0], [2.0], [-1.0]])
    y = 2.0 * X
    model = Scale()
    history = fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.1), X, y,
                  epochs=1, batch_size=3, rng=0, verbose=False)
    mean_x2 = (1 + 4 + 1) / 3
    np.testing.assert_allclose(model.w, [0.0 + 0.1 * 4.0 * mean_x2])
    np.testing.assert_allclose(history["train_loss"], [4.0 * mean_x2])  # loss before the step


def test_train_loss_is_the_batch_size_weighted_mean():
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.zeros((3, 1))
    model = Scale(1.0)
    # lr 0: weights never move, so the epoch loss is the plain mean of x^2 over all rows
    history = fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.0), X, y,
                  epochs=1, batch_size=2, rng=0, verbose=False)
    np.testing.assert_allclose(history["train_loss"], [(1 + 4 + 9) / 3])


def _training_batches(model):
    return [batch for training, batch in model.seen if training]


def test_shuffle_is_deterministic_per_seed_and_covers_every_row():
    X = np.arange(10.0).reshape(10, 1)
    y = np.zeros((10, 1))

    def batches(seed, shuffle=True):
        model = Scale()
        fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.0), X, y, epochs=2,
            batch_size=4, shuffle=shuffle, rng=seed, verbose=False)
        return [b.ravel().tolist() for b in _training_batches(model)]

    first = batches(3)
    assert first == batches(3)
    assert first == batches(np.random.default_rng(3))
    assert first != batches(4)
    assert [len(b) for b in first] == [4, 4, 2, 4, 4, 2]  # last batch is smaller
    epoch1, epoch2 = sum(first[:3], []), sum(first[3:], [])
    assert sorted(epoch1) == sorted(epoch2) == list(range(10))
    assert epoch1 != epoch2  # reshuffled every epoch
    assert sum(batches(3, shuffle=False)[:3], []) == list(range(10))


def test_each_epoch_uses_one_permutation_from_the_generator():
    # the benchmark relies on this to replay fit's batches in PyTorch
    X = np.arange(7.0).reshape(7, 1)
    y = np.zeros((7, 1))
    model = Scale()
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.0), X, y, epochs=3,
        batch_size=3, rng=11, verbose=False)
    seen = np.concatenate([b.ravel() for b in _training_batches(model)])
    rng = np.random.default_rng(11)
    expected = np.concatenate([rng.permutation(7) for _ in range(3)]).astype(float)
    np.testing.assert_array_equal(seen, expected)


def test_fit_does_not_change_the_callers_data():
    X, y = line_data(1.0, n=12)
    X_copy, y_copy = X.copy(), y.copy()
    model = Scale()
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.1), X, y, epochs=2,
        batch_size=5, rng=0, verbose=False)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_train_mode_for_batches_eval_mode_for_validation_and_after():
    X, y = line_data(1.0, n=6)
    model = Scale()
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.1), X, y, epochs=2,
        batch_size=3, X_val=X[:2], y_val=y[:2], rng=0, verbose=False)
    modes = [(training, len(batch)) for training, batch in model.seen]
    # per epoch: two training batches of 3, then one validation pass over 2 rows
    assert modes == [(True, 3), (True, 3), (False, 2)] * 2
    assert model.training is False


def test_scheduler_steps_once_per_epoch():
    X, y = line_data(1.0, n=8)
    model = Scale()
    recorder = WeightRecorder(model)
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.1), X, y, epochs=5,
        batch_size=3, scheduler=recorder, rng=0, verbose=False)
    assert len(recorder.weights) == 5
    assert recorder.weights[-1] == float(model.w[0])


# ---------------------------------------------------------------- early stopping

def test_early_stopping_restores_the_weights_of_the_best_epoch():
    # Training pulls w from 0 towards 2; the validation data has slope 0.5, so the
    # validation loss falls while w approaches 0.5 and rises once w passes it.
    X, y = line_data(2.0, n=40, seed=0)
    X_val, y_val = line_data(0.5, n=20, seed=1)
    model = Scale()
    recorder = WeightRecorder(model)
    patience = 3
    history = fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.02), X, y,
                  epochs=200, batch_size=10, X_val=X_val, y_val=y_val, rng=0,
                  early_stopping_patience=patience, scheduler=recorder, verbose=False)
    val = np.array(history["val_loss"])
    best = int(np.argmin(val)) + 1
    assert history.stopped_early
    assert history.best_epoch == best > 1
    assert len(history) == best + patience < 200
    assert np.all(np.diff(val[best - 1:]) > 0)  # it really got worse afterwards
    assert recorder.weights[-1] > recorder.weights[best - 1]  # training went past the best
    np.testing.assert_array_equal(model.w, [recorder.weights[best - 1]])
    val_loss, _ = evaluate(model, MeanSquared(), X_val, y_val)
    np.testing.assert_allclose(val_loss, val.min(), rtol=1e-12)


def test_min_delta_counts_small_improvements_as_none():
    X, y = line_data(2.0)
    model = Scale()
    history = fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.05), X, y,
                  epochs=50, batch_size=40, X_val=X, y_val=y, early_stopping_patience=1,
                  min_delta=10.0, rng=0, verbose=False)
    # no epoch beats the first by 10, so training stops after epoch 2 and keeps epoch 1
    assert len(history) == 2 and history.best_epoch == 1 and history.stopped_early


def test_without_early_stopping_the_last_weights_are_kept():
    X, y = line_data(2.0, n=40, seed=0)
    X_val, y_val = line_data(0.5, n=20, seed=1)
    model = Scale()
    recorder = WeightRecorder(model)
    history = fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.02), X, y,
                  epochs=30, batch_size=10, X_val=X_val, y_val=y_val, scheduler=recorder,
                  rng=0, verbose=False)
    assert len(history["val_loss"]) == 30 and not history.stopped_early
    assert history.best_epoch == int(np.argmin(history["val_loss"])) + 1
    assert float(model.w[0]) == recorder.weights[-1]


# ---------------------------------------------------------------- progress display

def test_progress_prints_losses_without_timings(capsys):
    X, y = line_data(2.0, n=8)
    model = Scale()
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.0), X, y, epochs=3,
        batch_size=8, X_val=X, y_val=y, rng=0, print_every=2)
    lines = capsys.readouterr().out.splitlines()
    loss = float(np.mean((2.0 * X) ** 2))  # w = 0 throughout
    assert lines == [
        f"epoch 1/3  train_loss {loss:.4f}  val_loss {loss:.4f}",
        f"epoch 2/3  train_loss {loss:.4f}  val_loss {loss:.4f}",
        f"epoch 3/3  train_loss {loss:.4f}  val_loss {loss:.4f}",
    ]


def test_default_progress_is_about_ten_lines_and_reports_restoring(capsys):
    X, y = line_data(2.0, n=8)
    model = Scale()
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.1), X, y, epochs=100,
        batch_size=8, rng=0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11  # epoch 1, 10, 20, ..., 100
    assert lines[1].startswith("epoch  10/100  train_loss ")
    X_val, y_val = line_data(0.5, n=8, seed=1)
    fit(Scale(), MeanSquared(), PlainSGD(Scale().parameters(), lr=0.0), X, y, epochs=5,
        batch_size=8, X_val=X_val, y_val=y_val, early_stopping_patience=2, rng=0)
    out = capsys.readouterr().out
    assert "restored the weights of epoch 1" in out


def test_verbose_false_prints_nothing(capsys):
    X, y = line_data(2.0, n=8)
    model = Scale()
    fit(model, MeanSquared(), PlainSGD(model.parameters(), lr=0.1), X, y, epochs=3,
        batch_size=4, X_val=X, y_val=y, early_stopping_patience=1, rng=0, verbose=False)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- bad arguments

def _fit_args(**overrides):
    X, y = line_data(1.0, n=6)
    model = Scale()
    kwargs = dict(model=model, loss_fn=MeanSquared(), optimizer=PlainSGD(model.parameters(), 0.1),
                  X=X, y=y, epochs=2, batch_size=2, verbose=False)
    kwargs.update(overrides)
    return kwargs


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        (dict(epochs=0), ValueError, "fit: epochs must be >= 1, got 0"),
        (dict(epochs=2.5), TypeError, "fit: epochs must be an int, got float"),
        (dict(batch_size=0), ValueError, "fit: batch_size must be >= 1, got 0"),
        (dict(y=np.zeros((5, 1))), ValueError, r"fit: y must have one row per row of X \(6\), got 5"),
        (dict(X=np.full((6, 1), np.nan)), ValueError, "fit: X contains NaN or inf"),
        (dict(y=np.full((6, 1), np.inf)), ValueError, "fit: y contains NaN or inf"),
        (dict(y=np.array(["a"] * 6)), TypeError, "fit: y must be numeric, got dtype <U1"),
        (dict(X_val=np.zeros((2, 1))), ValueError, "fit: give both X_val and y_val, or neither"),
        (dict(X_val=np.zeros((2, 1)), y_val=np.zeros(3)), ValueError,
         r"fit: y_val must have one row per row of X_val \(2\), got 3"),
        (dict(X_val=np.zeros((2, 3)), y_val=np.zeros(2)), ValueError,
         r"fit: X_val rows must have the shape of X rows \(1,\), got \(3,\)"),
        (dict(early_stopping_patience=2), ValueError,
         "fit: early_stopping_patience needs a validation set; pass X_val and y_val"),
        (dict(early_stopping_patience=0, X_val=np.zeros((2, 1)), y_val=np.zeros((2, 1))), ValueError,
         "fit: early_stopping_patience must be >= 1, got 0"),
        (dict(min_delta=-0.1), ValueError, "fit: min_delta must be a number >= 0, got -0.1"),
        (dict(verbose=1), TypeError, "fit: verbose must be True or False, got 1"),
        (dict(shuffle="yes"), TypeError, "fit: shuffle must be True or False, got 'yes'"),
        (dict(print_every=0), ValueError, "fit: print_every must be >= 1, got 0"),
        (dict(scheduler=0.5), TypeError, "fit: scheduler must have a step\\(\\) method, got float"),
        (dict(rng="seed"), TypeError, "rng must be None, an int seed or a numpy Generator"),
    ],
)
def test_fit_bad_arguments(overrides, error, message):
    with pytest.raises(error, match=message):
        fit(**_fit_args(**overrides))


def test_fit_stops_with_a_clear_message_when_the_loss_diverges():
    class InfiniteLoss(MeanSquared):
        def forward(self, pred, target):
            super().forward(pred, target)
            return np.inf

    with pytest.raises(ValueError, match="fit: the training loss became inf in epoch 1; "
                                         "the learning rate is probably too large"):
        fit(**_fit_args(loss_fn=InfiniteLoss()))


# ---------------------------------------------------------------- accuracy, predict, evaluate

def test_accuracy_rules():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [1.0, 0.0, 0.0]])
    assert accuracy(logits, np.array([0, 1, 2, 2])) == 0.75
    assert accuracy(logits, np.eye(3)[[0, 1, 0, 1]]) == 0.5  # one-hot targets
    probs = np.array([[0.9], [0.4], [0.5], [0.1]])
    assert accuracy(probs, np.array([[1], [0], [1], [1]])) == 0.75  # 0.5 counts as positive
    assert accuracy(np.array([0.3, -0.2, 2.0]), np.array([1, -1, -1]), threshold=0.0) == 2 / 3
    with pytest.raises(ValueError, match=r"accuracy: outputs must have shape \(N,\) or \(N, K\) "
                                         r"and targets N rows, got \(4, 3\) and \(3,\)"):
        accuracy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"accuracy: one-hot targets must have shape \(4, 3\), got \(4, 2\)"):
        accuracy(logits, np.zeros((4, 2)))


def test_predict_uses_eval_mode_and_restores_the_mode():
    model = Scale(2.0)
    X = np.arange(5.0).reshape(5, 1)
    np.testing.assert_array_equal(predict(model, X, batch_size=2), 2.0 * X)
    assert [(training, len(b)) for training, b in model.seen] == [(False, 2), (False, 2), (False, 1)]
    assert model.training is True
    model.eval()
    predict(model, X)
    assert model.training is False
    with pytest.raises(ValueError, match="predict: batch_size must be >= 1, got 0"):
        predict(model, X, batch_size=0)


def test_evaluate_chunked_equals_whole_and_no_accuracy_for_regression():
    X, y = line_data(1.0, n=7)
    model = Scale(0.5)
    whole = evaluate(model, MeanSquared(), X, y)
    chunked = evaluate(model, MeanSquared(), X, y, batch_size=3)
    np.testing.assert_allclose(chunked[0], whole[0], rtol=1e-12)
    np.testing.assert_allclose(whole[0], np.mean((0.5 * X - y) ** 2))
    assert whole[1] is None
    with pytest.raises(ValueError, match="evaluate: X and y must have the same number of rows, got 7 and 6"):
        evaluate(model, MeanSquared(), X, y[:6])


# ---------------------------------------------------------------- real nnlib networks

def test_mlp_with_cross_entropy_learns_the_spirals():
    from nnlib.activations import ReLU
    from nnlib.datasets import make_spirals
    from nnlib.layers import Linear
    from nnlib.losses import CrossEntropyLoss
    from nnlib.module import Sequential
    from nnlib.optim import Adam
    from nnlib.preprocessing import train_test_split

    X, y = make_spirals(300, n_classes=3, noise=0.1, rng=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, rng=0)
    model = Sequential(Linear(2, 64, init="he", rng=1), ReLU(), Linear(64, 3, rng=2))
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.02), X_train, y_train,
                  epochs=150, batch_size=32, X_val=X_val, y_val=y_val, rng=0, verbose=False)
    assert list(history.history) == ["train_loss", "train_acc", "val_loss", "val_acc"]
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert history["val_acc"][-1] >= 0.9
    loss, acc = evaluate(model, CrossEntropyLoss(), X_val, y_val)
    assert acc == history["val_acc"][-1] and loss == history["val_loss"][-1]


def test_same_seed_same_training_run_with_sgd():
    from nnlib.activations import Tanh
    from nnlib.datasets import make_moons
    from nnlib.layers import Linear
    from nnlib.losses import CrossEntropyLoss
    from nnlib.module import Sequential
    from nnlib.optim import SGD

    X, y = make_moons(100, noise=0.1, rng=0)

    def run(seed):
        model = Sequential(Linear(2, 8, rng=0), Tanh(), Linear(8, 2, rng=1))
        history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1, momentum=0.9),
                      X, y, epochs=5, batch_size=10, rng=seed, verbose=False)
        return history["train_loss"], model.state_dict()

    loss_a, state_a = run(0)
    loss_b, state_b = run(0)
    loss_c, _ = run(1)
    assert loss_a == loss_b and loss_a != loss_c
    for key in state_a:
        np.testing.assert_array_equal(state_a[key], state_b[key])


def test_single_logit_with_bce_uses_threshold_zero():
    from nnlib.datasets import make_blobs
    from nnlib.layers import Linear
    from nnlib.losses import BCEWithLogitsLoss
    from nnlib.optim import SGD

    X, y = make_blobs(100, centers=[[-2.0, 0.0], [2.0, 0.0]], cluster_std=0.5, rng=0)
    y_col = y.reshape(-1, 1).astype(float)  # BCE targets 0/1 as floats, one column
    model = Linear(2, 1, rng=0)
    history = fit(model, BCEWithLogitsLoss(), SGD(model.parameters(), lr=0.5), X, y_col,
                  epochs=20, batch_size=20, X_val=X, y_val=y_col, rng=0, verbose=False)
    assert history["val_acc"][-1] == 1.0
    logits = predict(model, X)
    assert history["val_acc"][-1] == accuracy(logits, y_col, threshold=0.0)
