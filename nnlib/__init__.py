"""nnlib: a small numpy library for learning neural networks beside the lecture.

The public names mirror PyTorch's (``Linear``, ``Sequential``, ``CrossEntropyLoss``,
``optim.Adam`` ...) so what you learn here carries over; the maths and variable
names mirror the lecture slides.
"""

from nnlib.module import Module, Parameter, Sequential

__version__ = "0.1.0"
from nnlib import datasets
from nnlib.perceptron import Perceptron, ThresholdUnit, threshold_unit
from nnlib import functional, gradcheck, init
from nnlib.activations import ELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nnlib.layers import BatchNorm1d, Dropout, Flatten, Linear
from nnlib.conv import Conv2d, conv_output_size
from nnlib.pooling import AvgPool2d, MaxPool2d
from nnlib.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
)
from nnlib.autodiff import Value
from nnlib import optim
from nnlib.rnn import RNN, LSTMCell, RNNCell
from nnlib import training
from nnlib.training import evaluate, fit, predict
from nnlib.rbf import RBFNetwork
