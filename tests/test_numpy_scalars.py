"""Every hyperparameter accepts numpy numbers (np.float32, np.int64, ...) and still rejects booleans.

A number computed with numpy (``np.float32(0.5)``, ``np.int64(3)``, ``arr.max()``) must work
wherever a Python number does: hyperparameters are checked with ``numbers.Real`` and
``numbers.Integral`` in ``nnlib.validation``, never with ``isinstance(x, (int, float))``.
This test sweeps the constructors (and the public functions with hyperparameters) with
every numpy scalar type, one hyperparameter at a time.
"""

import numpy as np
import pytest

import nnlib
from nnlib import datasets, init, optim, preprocessing, regularization, training
from nnlib.augmentation import RandomAugment, augment, gaussian_noise, random_rotation, random_shift
from nnlib.conv import conv_output_size

FLOATS = [np.float16, np.float32, np.float64, np.longdouble]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16]


def params():
    return nnlib.Linear(2, 2, rng=0).parameters()


def opt():
    return optim.SGD(params(), lr=0.1, momentum=0.9)


# (label, build(**kwargs), base kwargs, {hyperparameter: "real" or "int"})
CASES = [
    ("Linear", nnlib.Linear, dict(in_features=2, out_features=3), dict(in_features="int", out_features="int")),
    ("Dropout", nnlib.Dropout, dict(p=0.25), dict(p="real")),
    ("BatchNorm1d", nnlib.BatchNorm1d, dict(num_features=2, eps=1e-5, momentum=0.25),
     dict(num_features="int", eps="real", momentum="real")),
    ("BatchNorm2d", nnlib.BatchNorm2d, dict(num_features=2, eps=1e-5, momentum=0.25),
     dict(num_features="int", eps="real", momentum="real")),
    ("Conv2d", nnlib.Conv2d, dict(in_channels=1, out_channels=2, kernel_size=3, stride=1, padding=1, dilation=1),
     dict(in_channels="int", out_channels="int", kernel_size="int", stride="int", padding="int", dilation="int")),
    ("MaxPool2d", nnlib.MaxPool2d, dict(kernel_size=2, stride=1, padding=1),
     dict(kernel_size="int", stride="int", padding="int")),
    ("AvgPool2d", nnlib.AvgPool2d, dict(kernel_size=2, stride=1, padding=1),
     dict(kernel_size="int", stride="int", padding="int")),
    ("AdaptiveAvgPool2d", nnlib.AdaptiveAvgPool2d, dict(output_size=2), dict(output_size="int")),
    ("LeakyReLU", nnlib.LeakyReLU, dict(negative_slope=0.5), dict(negative_slope="real")),
    ("ELU", nnlib.ELU, dict(alpha=0.5), dict(alpha="real")),
    ("Softplus", nnlib.Softplus, dict(beta=2.0, threshold=10.0), dict(beta="real", threshold="real")),
    ("Softmax", nnlib.Softmax, dict(dim=1), dict(dim="int")),
    ("LogSoftmax", nnlib.LogSoftmax, dict(dim=1), dict(dim="int")),
    ("RNNCell", nnlib.RNNCell, dict(input_size=2, hidden_size=3), dict(input_size="int", hidden_size="int")),
    ("LSTMCell", nnlib.LSTMCell, dict(input_size=2, hidden_size=3), dict(input_size="int", hidden_size="int")),
    ("GRUCell", nnlib.GRUCell, dict(input_size=2, hidden_size=3), dict(input_size="int", hidden_size="int")),
    ("DropConnectLinear", regularization.DropConnectLinear, dict(in_features=2, out_features=3, p=0.5),
     dict(in_features="int", out_features="int", p="real")),
    ("basic_block", nnlib.basic_block, dict(channels=2), dict(channels="int")),
    ("RandomAugment", RandomAugment, dict(max_shift=1, degrees=10.0, noise_std=0.5),
     dict(max_shift="int", degrees="real", noise_std="real")),
    ("HuberLoss", nnlib.HuberLoss, dict(delta=0.5), dict(delta="real")),
    ("CrossEntropyLoss", nnlib.CrossEntropyLoss, dict(label_smoothing=0.25), dict(label_smoothing="real")),
    ("SGD", lambda **kw: optim.SGD(params(), **kw), dict(lr=0.5, momentum=0.5, dampening=0.25, weight_decay=0.5),
     dict(lr="real", momentum="real", dampening="real", weight_decay="real")),
    ("Adagrad", lambda **kw: optim.Adagrad(params(), **kw),
     dict(lr=0.5, lr_decay=0.5, weight_decay=0.5, initial_accumulator_value=0.5, eps=1e-10),
     dict(lr="real", lr_decay="real", weight_decay="real", initial_accumulator_value="real", eps="real")),
    ("RMSprop", lambda **kw: optim.RMSprop(params(), **kw),
     dict(lr=0.5, alpha=0.5, eps=1e-8, weight_decay=0.5, momentum=0.5),
     dict(lr="real", alpha="real", eps="real", weight_decay="real", momentum="real")),
    ("Adadelta", lambda **kw: optim.Adadelta(params(), **kw), dict(lr=0.5, rho=0.5, eps=1e-6, weight_decay=0.5),
     dict(lr="real", rho="real", eps="real", weight_decay="real")),
    ("Adam", lambda beta1=0.5, beta2=0.75, **kw: optim.Adam(params(), betas=(beta1, beta2), **kw),
     dict(lr=0.5, eps=1e-8, weight_decay=0.5, beta1=0.5, beta2=0.75),
     dict(lr="real", eps="real", weight_decay="real", beta1="real", beta2="real")),
    ("AdamW", lambda **kw: optim.AdamW(params(), **kw), dict(lr=0.5, eps=1e-8, weight_decay=0.5),
     dict(lr="real", eps="real", weight_decay="real")),
    ("StepLR", lambda **kw: optim.StepLR(opt(), **kw), dict(step_size=2, gamma=0.5),
     dict(step_size="int", gamma="real")),
    ("MultiStepLR", lambda m=2, **kw: optim.MultiStepLR(opt(), milestones=[m], **kw), dict(m=2, gamma=0.5),
     dict(m="int", gamma="real")),
    ("ExponentialLR", lambda **kw: optim.ExponentialLR(opt(), **kw), dict(gamma=0.5), dict(gamma="real")),
    ("CosineLR", lambda **kw: optim.CosineLR(opt(), **kw), dict(T=4), dict(T="int")),
    ("LinearLR", lambda **kw: optim.LinearLR(opt(), **kw), dict(T=4), dict(T="int")),
    ("LinearWarmupLR", lambda **kw: optim.LinearWarmupLR(opt(), **kw),
     dict(start_factor=0.25, end_factor=0.75, total_iters=3),
     dict(start_factor="real", end_factor="real", total_iters="int")),
    ("SequentialLR", lambda m=2: optim.SequentialLR(o := opt(), [optim.LinearWarmupLR(o), optim.StepLR(o, 2)], [m]),
     dict(m=2), dict(m="int")),
    ("OneCycleLR", lambda **kw: optim.OneCycleLR(opt(), **kw),
     dict(max_lr=0.5, total_steps=20, pct_start=0.25, base_momentum=0.75, max_momentum=0.875, div_factor=4.0,
          final_div_factor=8.0),
     dict(max_lr="real", total_steps="int", pct_start="real", base_momentum="real", max_momentum="real",
          div_factor="real", final_div_factor="real")),
    ("ReduceLROnPlateau", lambda **kw: optim.ReduceLROnPlateau(opt(), **kw),
     dict(factor=0.5, patience=2, threshold=0.25, cooldown=1, min_lr=0.125, eps=1e-8),
     dict(factor="real", patience="int", threshold="real", cooldown="int", min_lr="real", eps="real")),
    ("Perceptron", nnlib.Perceptron, dict(lr=0.5, max_epochs=3), dict(lr="real", max_epochs="int")),
    ("RBFNetwork", nnlib.RBFNetwork, dict(n_centers=3, sigma=0.5, lr=0.5, epochs=3),
     dict(n_centers="int", sigma="real", lr="real", epochs="int")),
    ("EarlyStopping", training.EarlyStopping, dict(patience=2, min_delta=0.5), dict(patience="int", min_delta="real")),
    ("init.normal", lambda **kw: init.normal((2, 2), rng=0, **kw), dict(std=0.5), dict(std="real")),
    ("conv_output_size", conv_output_size, dict(n=8, kernel_size=3, padding=1, stride=2, dilation=1),
     dict(n="int", kernel_size="int", padding="int", stride="int", dilation="int")),
    ("train_test_split", lambda **kw: preprocessing.train_test_split(np.zeros((10, 1)), np.arange(10) % 2, rng=0, **kw),
     dict(test_size=0.5), dict(test_size="real")),
    ("make_moons", datasets.make_moons, dict(n_samples=10, noise=0.5), dict(n_samples="int", noise="real")),
    ("make_circles", datasets.make_circles, dict(n_samples=10, noise=0.5, factor=0.5),
     dict(n_samples="int", noise="real", factor="real")),
    ("random_shift", lambda **kw: random_shift(np.zeros((2, 1, 4, 4)), rng=0, **kw), dict(max_shift=1),
     dict(max_shift="int")),
    ("random_rotation", lambda **kw: random_rotation(np.zeros((2, 1, 4, 4)), rng=0, **kw), dict(degrees=5.0),
     dict(degrees="real")),
    ("gaussian_noise", lambda **kw: gaussian_noise(np.zeros((2, 1, 4, 4)), rng=0, **kw), dict(std=0.5),
     dict(std="real")),
    ("augment", lambda **kw: augment(np.zeros((2, 1, 4, 4)), rng=0, **kw),
     dict(max_shift=1, degrees=5.0, noise_std=0.5), dict(max_shift="int", degrees="real", noise_std="real")),
    ("l2_penalty", lambda **kw: regularization.l2_penalty([np.ones((2, 2))], **kw), dict(lam=0.5), dict(lam="real")),
]

SWEEP = [(label, build, base, name, numpy_type)
         for label, build, base, kinds in CASES
         for name, kind in kinds.items()
         for numpy_type in (FLOATS if kind == "real" else INTS)]


@pytest.mark.parametrize("label, build, base, name, numpy_type", SWEEP,
                         ids=[f"{case[0]}-{case[3]}-{case[4].__name__}" for case in SWEEP])
def test_numpy_scalars_are_accepted(label, build, base, name, numpy_type):
    build(**{**base, name: numpy_type(base[name])})


BOOLS = [(label, build, base, name) for label, build, base, kinds in CASES for name in kinds]


@pytest.mark.parametrize("label, build, base, name", BOOLS, ids=[f"{case[0]}-{case[3]}" for case in BOOLS])
@pytest.mark.parametrize("flag", [True, np.bool_(True)], ids=["bool", "numpy_bool"])
def test_booleans_are_rejected(label, build, base, name, flag):
    with pytest.raises((TypeError, ValueError), match=r"must be|must have"):
        build(**{**base, name: flag})


def test_huber_loss_from_the_issue_accepts_float32():
    loss = nnlib.HuberLoss(delta=np.float32(0.5))
    assert loss.delta == 0.5 and type(loss.delta) is float
    assert loss(np.array([0.25, 2.0]), np.zeros(2)) == pytest.approx((0.5 * 0.25**2 + 0.5 * (2.0 - 0.25)) / 2)
