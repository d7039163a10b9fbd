"""Benchmark: a 64-128-10 ReLU MLP trained with Adam on the 8x8 digits.

nnlib trains the network with ``nnlib.training.fit``. If PyTorch is installed, the
identical network (same initial weights, copied over; same batches in the same
order; float64) is trained with ``torch.optim.Adam`` and the two are compared:
time per epoch, the ratio nnlib / PyTorch, test accuracy and how far apart the
final weights are.

Run from the repository root:

    .venv/bin/python bench/bench_mlp_digits.py             # 20 epochs, seed 0
    .venv/bin/python bench/bench_mlp_digits.py --epochs 5 --no-torch

Setup (the issue's "Speed and accuracy" section): digits scaled to [0, 1] by /16,
75/25 stratified split, Adam(lr=1e-3), batch size 32, 20 epochs, cross-entropy.
"""

import argparse
import platform

import numpy as np
from common import optional_torch, print_epochs, race, summary, torch_accuracy, weight_gap

import nnlib
from nnlib.activations import ReLU
from nnlib.datasets import load_digits
from nnlib.layers import Linear
from nnlib.losses import CrossEntropyLoss
from nnlib.module import Sequential
from nnlib.preprocessing import train_test_split
from nnlib.training import evaluate

LR = 1e-3
BATCH_SIZE = 32
HIDDEN = 128


def load_data(seed):
    X, y = load_digits()
    X = X / 16.0  # pixel counts 0..16 -> [0, 1]
    return train_test_split(X, y, test_size=0.25, stratify=True, rng=seed)


def torch_copy_of(torch, model):
    """A float64 torch.nn.Sequential with the nnlib model's current weights."""
    first, last = model[0], model[2]
    net = torch.nn.Sequential(
        torch.nn.Linear(first.in_features, first.out_features),
        torch.nn.ReLU(),
        torch.nn.Linear(last.in_features, last.out_features),
    ).double()
    with torch.no_grad():
        for torch_layer, layer in ((net[0], first), (net[2], last)):
            torch_layer.weight.copy_(torch.from_numpy(layer.W))  # both (out, in)
            torch_layer.bias.copy_(torch.from_numpy(layer.b))
    return net


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch.set_num_threads (default 1: fastest for these tiny "
                             "batches; 0 keeps PyTorch's own default)")
    args = parser.parse_args()

    X_train, X_test, y_train, y_test = load_data(args.seed)
    model = Sequential(Linear(64, HIDDEN, rng=args.seed), ReLU(),
                       Linear(HIDDEN, 10, rng=args.seed + 1))

    torch = optional_torch(args.no_torch, args.torch_threads)
    torch_model = torch_copy_of(torch, model) if torch is not None else None  # before any training step

    print(f"python {platform.python_version()}, numpy {np.__version__}, nnlib {nnlib.__version__}"
          + (f", torch {torch.__version__} (threads={torch.get_num_threads()})" if torch else ""))
    print(f"train {X_train.shape}, test {X_test.shape}, 64-{HIDDEN}-10 ReLU MLP, "
          f"Adam lr={LR}, batch {BATCH_SIZE}, {args.epochs} epochs, float64")

    # Epochs alternate between the two libraries so both see the same machine load.
    nn_times, nn_losses, th_times, th_losses = race(model, torch, torch_model, X_train, y_train,
                                                    args.epochs, args.seed, LR, BATCH_SIZE)
    _, nn_acc = evaluate(model, CrossEntropyLoss(), X_test, y_test)
    if torch is not None:
        th_acc = torch_accuracy(torch, torch_model, X_test, y_test)
    print_epochs(nn_times, nn_losses, th_times, th_losses)

    nn_median, nn_total = summary(nn_times)
    print()
    print(f"nnlib  epoch time: median {nn_median * 1e3:.1f} ms, total {nn_total:.2f} s; "
          f"test accuracy {nn_acc:.4f}")
    if torch is not None:
        th_median, th_total = summary(th_times)
        gap = weight_gap(((model[0], torch_model[0]), (model[2], torch_model[2])))
        print(f"torch  epoch time: median {th_median * 1e3:.1f} ms, total {th_total:.2f} s; "
              f"test accuracy {th_acc:.4f}")
        print(f"ratio nnlib/torch epoch time (median): {nn_median / th_median:.2f}  "
              f"(total: {nn_total / th_total:.2f})")
        print(f"accuracy difference nnlib - torch: {nn_acc - th_acc:+.4f}; "
              f"max |W_nnlib - W_torch| after training: {gap:.2e}")


if __name__ == "__main__":
    main()
