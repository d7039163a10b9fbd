"""nnlib: a small numpy library for learning neural networks beside the lecture.

The public names mirror PyTorch's (``Linear``, ``Sequential``, ``CrossEntropyLoss``,
``optim.Adam`` ...) so what you learn here carries over; the maths and variable
names mirror the lecture slides. nnlib needs numpy and nothing else.
"""

from nnlib import datasets, functional, gradcheck, init, optim, preprocessing, regularization, training
from nnlib.activations import ELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nnlib.autodiff import Value
from nnlib.conv import Conv2d, conv_output_size
from nnlib.layers import BatchNorm1d, Dropout, Flatten, Linear
from nnlib.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss, L1Loss, MSELoss
from nnlib.module import Module, Parameter, Sequential
from nnlib.perceptron import Perceptron
from nnlib.pooling import AvgPool2d, MaxPool2d
from nnlib.rbf import RBFNetwork
from nnlib.regularization import DropConnectLinear
from nnlib.rnn import RNN, LSTMCell, RNNCell
from nnlib.threshold import ThresholdNetwork, ThresholdUnit, threshold_unit
from nnlib.training import evaluate, fit, predict

__version__ = "0.1.0"

__all__ = [
    "datasets", "functional", "gradcheck", "init", "optim", "preprocessing", "regularization", "training",
    "ELU", "Identity", "LeakyReLU", "ReLU", "Sigmoid", "Softmax", "Tanh",
    "Value",
    "Conv2d", "conv_output_size",
    "BatchNorm1d", "Dropout", "Flatten", "Linear",
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HingeLoss", "HuberLoss", "L1Loss", "MSELoss",
    "Module", "Parameter", "Sequential",
    "Perceptron",
    "AvgPool2d", "MaxPool2d",
    "RBFNetwork",
    "DropConnectLinear",
    "RNN", "LSTMCell", "RNNCell",
    "ThresholdNetwork", "ThresholdUnit", "threshold_unit",
    "evaluate", "fit", "predict",
]
