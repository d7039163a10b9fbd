"""nnlib: a small numpy library for learning neural networks beside the lecture.

The public names mirror PyTorch's (``Linear``, ``Sequential``, ``CrossEntropyLoss``,
``optim.Adam`` ...) so what you learn here carries over; the maths and variable
names mirror the lecture slides. nnlib needs numpy and nothing else.
"""

from nnlib import (
    augmentation,
    datasets,
    functional,
    gradcheck,
    init,
    optim,
    preprocessing,
    regularization,
    training,
)
from nnlib.activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from nnlib.augmentation import RandomAugment
from nnlib.autodiff import Value
from nnlib.conv import Conv2d, conv_output_size
from nnlib.gru import GRUCell
from nnlib.layers import BatchNorm1d, BatchNorm2d, Dropout, Flatten, Linear
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
from nnlib.module import Module, Parameter, Sequential
from nnlib.perceptron import Perceptron
from nnlib.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from nnlib.rbf import RBFNetwork
from nnlib.regularization import DropConnectLinear
from nnlib.residual import Residual, basic_block
from nnlib.rnn import RNN, LSTMCell, RNNCell
from nnlib.threshold import ThresholdNetwork, ThresholdUnit, threshold_unit
from nnlib.training import evaluate, fit, predict

__version__ = "0.1.0"

__all__ = [
    "augmentation", "datasets", "functional", "gradcheck", "init", "optim", "preprocessing", "regularization",
    "training",
    "ELU", "GELU", "Identity", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU", "Softmax", "Softplus", "Tanh",
    "RandomAugment",
    "Value",
    "Conv2d", "conv_output_size",
    "GRUCell",
    "BatchNorm1d", "BatchNorm2d", "Dropout", "Flatten", "Linear",
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HingeLoss", "HuberLoss", "KLDivLoss", "L1Loss", "MSELoss",
    "NLLLoss",
    "Module", "Parameter", "Sequential",
    "Perceptron",
    "AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d",
    "RBFNetwork",
    "DropConnectLinear",
    "Residual", "basic_block",
    "RNN", "LSTMCell", "RNNCell",
    "ThresholdNetwork", "ThresholdUnit", "threshold_unit",
    "evaluate", "fit", "predict",
]
