"""Benchmark: a small CNN (conv16 -> ReLU -> 2x2 max-pool -> Flatten -> Linear) on the 8x8 digits.

nnlib trains the network with ``nnlib.training.fit``. If PyTorch is installed, the same
network (initial weights copied over; same batches in the same order; float64, like
nnlib) is trained with ``torch.optim.Adam``; the script prints the time of every epoch,
the ratio nnlib / PyTorch, both test accuracies (they should agree within 0.01) and how
far apart the final weights are.

Run from the repository root:

    .venv/bin/python bench/bench_cnn_digits.py               # 20 epochs, seed 0
    .venv/bin/python bench/bench_cnn_digits.py --epochs 5 --no-torch
    .venv/bin/python bench/bench_cnn_digits.py --threads 1     # both single-threaded

Setup (the issue's "Speed and accuracy" section): digits scaled to [0, 1] by /16 and
shaped (N, 1, 8, 8), 75/25 stratified split, Conv2d(1, 16, 3, padding=1) -> ReLU ->
MaxPool2d(2) -> Flatten -> Linear(16*4*4, 10), Adam(lr=5e-3), batch 32, 20 epochs, cross-entropy.
"""

import argparse
import platform

from threads import use_threads_from_argv

use_threads_from_argv()  # before numpy is imported: OpenBLAS reads its thread count at start-up

import numpy as np  # noqa: E402  (after setting the thread count)
from common import optional_torch, print_epochs, race, summary, torch_accuracy, weight_gap  # noqa: E402

import nnlib  # noqa: E402
from nnlib.activations import ReLU  # noqa: E402
from nnlib.conv import Conv2d  # noqa: E402
from nnlib.datasets import load_digits  # noqa: E402
from nnlib.layers import Flatten, Linear  # noqa: E402
from nnlib.losses import CrossEntropyLoss  # noqa: E402
from nnlib.module import Sequential  # noqa: E402
from nnlib.pooling import MaxPool2d  # noqa: E402
from nnlib.preprocessing import train_test_split  # noqa: E402
from nnlib.training import evaluate  # noqa: E402

LR = 5e-3
BATCH_SIZE = 32
MAPS = 16


def load_data(seed):
    X, y = load_digits()
    X = (X / 16.0).reshape(-1, 1, 8, 8)  # pixel counts 0..16 -> [0, 1]; one grey channel
    return train_test_split(X, y, test_size=0.25, stratify=True, rng=seed)


def build_model(seed):
    return Sequential(
        Conv2d(1, MAPS, kernel_size=3, padding=1, rng=seed),  # (N, 16, 8, 8)
        ReLU(),
        MaxPool2d(2),  # (N, 16, 4, 4)
        Flatten(),  # (N, 256)
        Linear(MAPS * 4 * 4, 10, rng=seed + 1),  # (N, 10) logits
    )


def torch_copy_of(torch, model):
    """A float64 torch.nn.Sequential with the nnlib model's current weights."""
    conv, linear = model[0], model[4]
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, MAPS, kernel_size=3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(MAPS * 4 * 4, 10),
    ).double()
    with torch.no_grad():
        for torch_layer, layer in ((net[0], conv), (net[4], linear)):
            torch_layer.weight.copy_(torch.from_numpy(layer.W))  # same layouts
            torch_layer.bias.copy_(torch.from_numpy(layer.b))
    return net


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS and PyTorch (default: their own choice)")
    args = parser.parse_args()

    X_train, X_test, y_train, y_test = load_data(args.seed)
    model = build_model(args.seed)

    torch = optional_torch(args.no_torch, args.threads)
    torch_net = torch_copy_of(torch, model) if torch is not None else None  # before training

    print(f"python {platform.python_version()}, numpy {np.__version__}, nnlib {nnlib.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ""))
    print(f"train {X_train.shape}, test {X_test.shape}; conv{MAPS}(3x3, padding 1) -> ReLU -> "
          f"maxpool 2x2 -> Flatten -> Linear(256, 10); Adam lr={LR}, batch {BATCH_SIZE}, "
          f"{args.epochs} epochs, float64")

    # epochs alternate between the two libraries, so both see the same machine load
    nn_times, nn_losses, th_times, th_losses = race(model, torch, torch_net, X_train, y_train,
                                                    args.epochs, args.seed, LR, BATCH_SIZE)
    _, nn_acc = evaluate(model, CrossEntropyLoss(), X_test, y_test)
    if torch is not None:
        th_acc = torch_accuracy(torch, torch_net, X_test, y_test)
    print_epochs(nn_times, nn_losses, th_times, th_losses)

    nn_median, nn_total = summary(nn_times)
    print()
    print(f"nnlib  epoch time: median {nn_median * 1e3:.1f} ms, total {nn_total:.2f} s; "
          f"test accuracy {nn_acc:.4f} (target >= 0.97)")
    if torch is not None:
        th_median, th_total = summary(th_times)
        gap = weight_gap(((model[0], torch_net[0]), (model[4], torch_net[4])))
        print(f"torch  epoch time: median {th_median * 1e3:.1f} ms, total {th_total:.2f} s; "
              f"test accuracy {th_acc:.4f}")
        print(f"ratio nnlib/torch epoch time (median): {nn_median / th_median:.2f}")
        print(f"accuracy difference nnlib - torch: {nn_acc - th_acc:+.4f} (target within 0.01); "
              f"max |W_nnlib - W_torch| after training: {gap:.2e}")


if __name__ == "__main__":
    main()
