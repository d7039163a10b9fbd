"""Tests of the losses' options: reduction, class weights, label smoothing, pos_weight, NLLLoss, KLDivLoss."""

import numpy as np
import pytest

from nnlib.activations import LogSoftmax
from nnlib.gradcheck import numerical_gradient
from nnlib.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)

RNG = np.random.default_rng(0)


def gradcheck_with_upstream(loss, pred, target, seed=1):
    """backward(random upstream) against central differences of <upstream, loss(pred)>."""
    rng = np.random.default_rng(seed)
    out = loss(pred, target)
    upstream = rng.standard_normal(np.shape(out)) if loss.reduction == "none" else float(rng.standard_normal())
    analytic = loss.backward(upstream)
    numeric = numerical_gradient(lambda p: float(np.sum(np.asarray(loss.forward(p, target)) * upstream)),
                                 pred.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def regression_case():
    pred, target = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    pred[np.abs(pred - target) < 0.05] += 0.2  # off the L1 kink
    return pred, target


def logits_and_labels(N=6, K=4):
    return 2 * RNG.standard_normal((N, K)), RNG.integers(0, K, N)


def labels_with_ignored(N=6, K=4, ignore_index=-100):
    logits, labels = logits_and_labels(N, K)
    labels[[1, 4]] = ignore_index
    return logits, labels


CASES = {
    "mse": (lambda r: MSELoss(reduction=r), regression_case),
    "l1": (lambda r: L1Loss(reduction=r), regression_case),
    "huber": (lambda r: HuberLoss(delta=0.7, reduction=r), regression_case),
    "bce": (lambda r: BCELoss(reduction=r), lambda: (RNG.uniform(0.1, 0.9, (4, 2)), RNG.integers(0, 2, (4, 2)) * 1.0)),
    "bce_weight": (lambda r: BCELoss(weight=[0.5, 2.0], reduction=r),
                   lambda: (RNG.uniform(0.1, 0.9, (4, 2)), RNG.uniform(0, 1, (4, 2)))),
    "bce_logits": (lambda r: BCEWithLogitsLoss(reduction=r),
                   lambda: (3 * RNG.standard_normal((4, 3)), RNG.integers(0, 2, (4, 3)) * 1.0)),
    "bce_logits_pos_weight": (lambda r: BCEWithLogitsLoss(reduction=r, pos_weight=[3.0, 0.5, 1.0], weight=[[2.0]] * 4),
                              lambda: (3 * RNG.standard_normal((4, 3)), RNG.uniform(0, 1, (4, 3)))),
    "hinge": (lambda r: HingeLoss(reduction=r),
              lambda: (np.array([2.0, 0.5, -1.0, 0.3]), np.array([1.0, 1.0, 1.0, -1.0]))),
    "ce": (lambda r: CrossEntropyLoss(reduction=r), logits_and_labels),
    "ce_weight_smoothing": (lambda r: CrossEntropyLoss(weight=[1.0, 2.0, 0.5, 3.0], reduction=r, label_smoothing=0.1),
                            logits_and_labels),
    "ce_prob_targets_weight": (lambda r: CrossEntropyLoss(weight=[1.0, 2.0, 0.5, 3.0], reduction=r,
                                                          label_smoothing=0.2),
                               lambda: (RNG.standard_normal((5, 4)), RNG.dirichlet(np.ones(4), 5))),
    "ce_ignored_weight_smoothing": (lambda r: CrossEntropyLoss(weight=[1.0, 2.0, 0.5, 3.0], reduction=r,
                                                               label_smoothing=0.1), labels_with_ignored),
    "ce_ignore_index_7": (lambda r: CrossEntropyLoss(reduction=r, ignore_index=7),
                          lambda: labels_with_ignored(ignore_index=7)),
    "ce_kdim": (lambda r: CrossEntropyLoss(reduction=r), lambda: (RNG.standard_normal((2, 3, 4, 2)),
                                                                   RNG.integers(0, 3, (2, 4, 2)))),
    "ce_prob_kdim_weight": (lambda r: CrossEntropyLoss(weight=[1.0, 2.0, 0.5], reduction=r, label_smoothing=0.1),
                            lambda: (RNG.standard_normal((2, 3, 5)),
                                     np.moveaxis(RNG.dirichlet(np.ones(3), (2, 5)), -1, 1))),
    "nll": (lambda r: NLLLoss(reduction=r), logits_and_labels),
    "nll_ignored_kdim": (lambda r: NLLLoss(weight=[1.0, 2.0, 0.5], reduction=r),
                         lambda: (RNG.standard_normal((3, 3, 4)), np.where(RNG.random((3, 4)) < 0.3, -100,
                                                                           RNG.integers(0, 3, (3, 4))))),
    "nll_ignored_weight": (lambda r: NLLLoss(weight=[1.0, 2.0, 0.5, 3.0], reduction=r), labels_with_ignored),
    "nll_weight": (lambda r: NLLLoss(weight=[1.0, 2.0, 0.5, 3.0], reduction=r), logits_and_labels),
    "kl": (lambda r: KLDivLoss(reduction=r),
           lambda: (np.log(RNG.dirichlet(np.ones(4), 3)), RNG.dirichlet(np.ones(4), 3))),
    "kl_log_target": (lambda r: KLDivLoss(reduction=r, log_target=True),
                      lambda: (np.log(RNG.dirichlet(np.ones(4), 3)), np.log(RNG.dirichlet(np.ones(4), 3)))),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_loss_and_option_gradient_with_random_upstream(case, reduction):
    make, data = CASES[case]
    gradcheck_with_upstream(make(reduction), *data())


@pytest.mark.parametrize("case", sorted(CASES))
def test_reductions_agree(case):
    make, data = CASES[case]
    pred, target = data()
    none = make("none")(pred, target)
    assert make("sum")(pred, target) == pytest.approx(np.sum(none), rel=1e-12)
    if case == "ce_ignore_index_7":  # the mean is over the kept examples only
        assert make("mean")(pred, target) == pytest.approx(np.sum(none) / np.sum(target != 7), rel=1e-12)
    elif not case.startswith(("ce_weight", "nll_weight", "ce_prob", "ce_ignored", "nll_ignored")):  # weighted
        assert make("mean")(pred, target) == pytest.approx(np.mean(none), rel=1e-12)


def test_kl_batchmean_divides_by_the_batch_size():
    pred, target = np.log(RNG.dirichlet(np.ones(4), 3)), RNG.dirichlet(np.ones(4), 3)
    total = KLDivLoss(reduction="sum")(pred, target)
    assert KLDivLoss(reduction="batchmean")(pred, target) == pytest.approx(total / 3)
    assert KLDivLoss()(pred, target) == pytest.approx(total / 12)  # "mean" divides by all N*K entries
    gradcheck_with_upstream(KLDivLoss(reduction="batchmean"), pred, target)


def test_kl_hand_computed_and_zero_for_equal_distributions():
    y = np.array([[0.75, 0.25, 0.0]])
    p = np.array([[0.5, 0.25, 0.25]])
    expected = 0.75 * np.log(0.75 / 0.5) + 0.25 * np.log(1.0)  # the 0 * log 0 term is 0
    assert KLDivLoss(reduction="sum")(np.log(p), y) == pytest.approx(expected, rel=1e-14)
    assert KLDivLoss(reduction="sum", log_target=True)(np.log(p), np.log(p)) == pytest.approx(0.0, abs=1e-15)


def test_weighted_cross_entropy_is_pytorchs_weighted_mean():
    Z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.0], [0.0, 1.0, 3.0]])
    labels = np.array([0, 1, 2])
    w = np.array([1.0, 2.0, 4.0])
    log_A = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    nll = -log_A[np.arange(3), labels]
    expected = np.sum(w[labels] * nll) / np.sum(w[labels])  # divided by 1 + 2 + 4, not by 3
    assert CrossEntropyLoss(weight=w)(Z, labels) == pytest.approx(expected, rel=1e-14)
    assert NLLLoss(weight=w)(log_A, labels) == pytest.approx(expected, rel=1e-14)
    # probability (one-hot) targets: PyTorch divides by N instead
    assert CrossEntropyLoss(weight=w)(Z, np.eye(3)[labels]) == pytest.approx(np.sum(w[labels] * nll) / 3, rel=1e-14)


def test_label_smoothing_hand_computed():
    Z = np.array([[0.0, np.log(3.0)]])
    eps = 0.2
    loss = CrossEntropyLoss(label_smoothing=eps)
    assert loss(Z, np.array([1])) == pytest.approx(-(0.1 * np.log(0.25) + 0.9 * np.log(0.75)), rel=1e-14)
    np.testing.assert_allclose(loss.backward(), [[0.25 - 0.1, 0.75 - 0.9]], rtol=1e-14)  # a - smoothed y


def test_pos_weight_counts_the_positives_more():
    z, y = np.array([[0.3], [-1.2]]), np.array([[1.0], [0.0]])
    s = 1 / (1 + np.exp(-z))
    loss = BCEWithLogitsLoss(pos_weight=[4.0])
    expected = -(4.0 * np.log(s[0, 0]) + np.log(1 - s[1, 0])) / 2
    assert loss(z, y) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(loss.backward(), [[-4.0 * (1 - s[0, 0]) / 2], [s[1, 0] / 2]], rtol=1e-14)
    assert np.isfinite(BCEWithLogitsLoss(pos_weight=[3.0])(np.array([[1e4], [-1e4]]), np.array([[0.0], [1.0]])))


def test_log_softmax_then_nll_is_cross_entropy():
    Z, labels = logits_and_labels()
    layer, nll, ce = LogSoftmax(), NLLLoss(), CrossEntropyLoss()
    assert nll(layer(Z), labels) == pytest.approx(ce(Z, labels), rel=1e-13)
    np.testing.assert_allclose(layer.backward(nll.backward()), ce.backward(), rtol=1e-12, atol=1e-15)


def test_default_mean_backward_is_bit_for_bit_the_plain_formula():
    """reduction="mean" without options computes exactly (a - y) / S etc., so lesson outputs do not move."""
    pred, target = regression_case()
    loss = MSELoss()
    loss(pred, target)
    np.testing.assert_array_equal(loss.backward(), 2.0 * (pred - target) / pred.size)
    Z, labels = logits_and_labels()
    ce = CrossEntropyLoss()
    ce(Z, labels)
    A = np.exp(Z - Z.max(axis=1, keepdims=True))
    A /= A.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ce.backward(), (A - np.eye(4)[labels]) / 6, rtol=1e-14, atol=1e-17)
    probs, y = RNG.uniform(0.1, 0.9, (4, 1)), RNG.integers(0, 2, (4, 1)) * 1.0
    bce = BCELoss()
    bce(probs, y)
    np.testing.assert_array_equal(bce.backward(), (probs - y) / (probs * (1.0 - probs)) / probs.size)


def test_scores_per_position_are_examples_of_their_own():
    """(N, K, d1, d2) logits with (N, d1, d2) labels: the loss of the rows (N*d1*d2, K), as in PyTorch."""
    Z, labels = RNG.standard_normal((2, 4, 3, 5)), RNG.integers(0, 4, (2, 3, 5))
    loss, rows = CrossEntropyLoss(reduction="none"), CrossEntropyLoss(reduction="none")
    per_position = loss(Z, labels)
    assert per_position.shape == (2, 3, 5)
    np.testing.assert_allclose(per_position.ravel(), rows(np.moveaxis(Z, 1, -1).reshape(-1, 4), labels.ravel()))
    G = RNG.standard_normal((2, 3, 5))
    np.testing.assert_allclose(loss.backward(G), np.moveaxis(rows.backward(G.ravel()).reshape(2, 3, 5, 4), -1, 1))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.forward: for pred of shape \(2, 4, 3, 5\) the target must "
                                         r"have shape \(2, 3, 5\) \(class indices\) or \(2, 4, 3, 5\), got \(2, 3\)"):
        loss(Z, labels[:, :, 0])


def test_ignored_examples_count_for_nothing():
    logits = np.array([[0.0, np.log(3.0)], [5.0, -2.0], [1.0, 1.0]])
    loss = CrossEntropyLoss()
    value = loss(logits, np.array([1, -100, 0]))
    assert value == pytest.approx((-np.log(0.75) - np.log(0.5)) / 2)  # the mean of the two kept examples
    np.testing.assert_allclose(loss.backward(), [[0.125, -0.125], [0.0, 0.0], [-0.25, 0.25]])
    per_example = CrossEntropyLoss(reduction="none", ignore_index=1)(logits, np.array([1, 1, 0]))
    np.testing.assert_allclose(per_example, [0.0, 0.0, np.log(2.0)])
    nll = NLLLoss(weight=[2.0, 1.0])
    assert nll(np.log([[0.25, 0.75], [0.5, 0.5]]), np.array([-100, 0])) == pytest.approx(-np.log(0.5))
    everything_ignored = CrossEntropyLoss()
    assert np.isnan(everything_ignored(logits, np.full(3, -100)))  # a mean over nothing, as in PyTorch
    np.testing.assert_array_equal(everything_ignored.backward(), np.zeros((3, 2)))


def test_loss_option_errors():
    with pytest.raises(TypeError, match=r"CrossEntropyLoss: ignore_index must be an int, got float"):
        CrossEntropyLoss(ignore_index=-1.0)
    with pytest.raises(ValueError, match=r"target class index -1 is out of range for 2 classes .*ignore_index"):
        NLLLoss()(np.zeros((2, 2)), np.array([0, -1]))
    with pytest.raises(ValueError, match=r"MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: reduction must be one of 'mean', 'sum', 'none', got 'batchmean'"):
        CrossEntropyLoss(reduction="batchmean")
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: label_smoothing must be in \[0.0, 1.0\], got 1.5"):
        CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: weight must have shape \(K,\), one weight per class, got \(2, 2\)"):
        CrossEntropyLoss(weight=np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.forward: weight must have one entry per class, shape \(3,\), got \(2,\)"):
        CrossEntropyLoss(weight=[1.0, 2.0])(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"NLLLoss.forward: target must have shape \(2,\) with class indices, got \(2, 3\)"):
        NLLLoss()(np.zeros((2, 3)), np.eye(3)[:2])
    with pytest.raises(ValueError, match=r"NLLLoss.forward: target class index 3 is out of range for 3 classes"):
        NLLLoss()(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"KLDivLoss: reduction must be one of 'mean', 'batchmean', 'sum', 'none', got 'avg'"):
        KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"KLDivLoss.forward: target must hold probabilities >= 0, got a minimum of -0.5"):
        KLDivLoss()(np.zeros((1, 2)), np.array([[-0.5, 1.5]]))
    with pytest.raises(TypeError, match=r"KLDivLoss: log_target must be True or False, got 'yes'"):
        KLDivLoss(log_target="yes")
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss.forward: pos_weight of shape \(3,\) must broadcast to pred's shape \(4, 2\)"):
        BCEWithLogitsLoss(pos_weight=[1.0, 2.0, 3.0])(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"BCELoss: weight contains NaN or inf"):
        BCELoss(weight=[np.nan])
    loss = MSELoss()
    loss(np.zeros(2), np.ones(2))
    with pytest.raises(TypeError, match=r"MSELoss.backward: grad must be a number for reduction='mean' \(the loss is a number\), got ndarray"):
        loss.backward(np.ones(2))
    loss = MSELoss(reduction="none")
    loss(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match=r"MSELoss.backward: grad must have shape \(2,\), got \(3,\)"):
        loss.backward(np.ones(3))


def test_reprs_name_the_options():
    assert repr(MSELoss()) == "MSELoss()" and repr(HuberLoss()) == "HuberLoss(delta=1.0)"
    assert repr(CrossEntropyLoss(reduction="sum", label_smoothing=0.1)) == \
        "CrossEntropyLoss(reduction='sum', label_smoothing=0.1)"
    assert repr(NLLLoss(ignore_index=0)) == "NLLLoss(ignore_index=0)"
    assert repr(KLDivLoss(reduction="batchmean", log_target=True)) == "KLDivLoss(reduction='batchmean', log_target=True)"
