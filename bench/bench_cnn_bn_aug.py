"""Benchmark: a small CNN with BatchNorm2d, trained on augmented 8x8 digits, nnlib vs PyTorch.

Network: Conv2d(1, 16, 3, padding=1, bias=False) -> BatchNorm2d(16) -> ReLU -> MaxPool2d(2)
-> Flatten -> Linear(256, 10), cross-entropy, Adam(lr=5e-3), batch 32, 20 epochs, float64.
Every epoch trains on a fresh augmented copy of the training images, made once with
``nnlib.augmentation.augment`` (random whole-pixel moves of up to one pixel and turns of up
to 10 degrees, from a seeded generator); nnlib and PyTorch train on that same array, with
the same initial weights and the same batches in the same order. Batch norm makes the
comparison strict: training uses batch statistics, evaluation the running averages, which
must agree between the libraries too.

The script prints the time of every epoch in each library (training only), the time of the
augmentation per epoch (nnlib, numpy), the ratio nnlib / PyTorch, both test accuracies
(evaluation mode, running statistics) and the largest difference between the final weights.

Run from the repository root:

    .venv/bin/python bench/bench_cnn_bn_aug.py --threads 1     # as quoted in bench/README.md
    .venv/bin/python bench/bench_cnn_bn_aug.py --seed 1 --no-torch
"""

import argparse
import platform
import statistics
import time

from threads import use_threads_from_argv

use_threads_from_argv()  # before numpy is imported: OpenBLAS reads its thread count at start-up

import numpy as np  # noqa: E402  (after setting the thread count)
from common import optional_torch, print_epochs, race, summary, torch_accuracy, weight_gap  # noqa: E402

import nnlib  # noqa: E402
from nnlib.activations import ReLU  # noqa: E402
from nnlib.augmentation import augment  # noqa: E402
from nnlib.conv import Conv2d  # noqa: E402
from nnlib.datasets import load_digits  # noqa: E402
from nnlib.layers import BatchNorm2d, Flatten, Linear  # noqa: E402
from nnlib.losses import CrossEntropyLoss  # noqa: E402
from nnlib.module import Sequential  # noqa: E402
from nnlib.pooling import MaxPool2d  # noqa: E402
from nnlib.preprocessing import train_test_split  # noqa: E402
from nnlib.training import evaluate  # noqa: E402

LR = 5e-3
BATCH_SIZE = 32
MAPS = 16
MAX_SHIFT, DEGREES = 1, 10.0


def load_data(seed):
    X, y = load_digits()
    X = (X / 16.0).reshape(-1, 1, 8, 8)  # pixel counts 0..16 -> [0, 1]; one grey channel
    return train_test_split(X, y, test_size=0.25, stratify=True, rng=seed)


def build_model(seed):
    return Sequential(
        Conv2d(1, MAPS, kernel_size=3, padding=1, rng=seed, bias=False),  # (N, 16, 8, 8)
        BatchNorm2d(MAPS),
        ReLU(),
        MaxPool2d(2),  # (N, 16, 4, 4)
        Flatten(),  # (N, 256)
        Linear(MAPS * 4 * 4, 10, rng=seed + 1),  # (N, 10) logits
    )


def torch_copy_of(torch, model):
    """A float64 torch.nn.Sequential with the nnlib model's current weights (batch norm: 1 and 0)."""
    conv, linear = model[0], model[5]
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, MAPS, kernel_size=3, padding=1, bias=False),
        torch.nn.BatchNorm2d(MAPS),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(MAPS * 4 * 4, 10),
    ).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(conv.W))
        net[5].weight.copy_(torch.from_numpy(linear.W))
        net[5].bias.copy_(torch.from_numpy(linear.b))
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

    augment_rng = np.random.default_rng(args.seed + 1000)  # its own generator: the batches stay fit's
    augment_times = []

    def augmented(X):
        start = time.perf_counter()
        X_epoch = augment(X, max_shift=MAX_SHIFT, degrees=DEGREES, rng=augment_rng)
        augment_times.append(time.perf_counter() - start)
        return X_epoch

    print(f"python {platform.python_version()}, numpy {np.__version__}, nnlib {nnlib.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ""))
    print(f"train {X_train.shape}, test {X_test.shape}; conv{MAPS}(3x3, padding 1, no bias) -> BatchNorm2d -> "
          f"ReLU -> maxpool 2x2 -> Flatten -> Linear(256, 10); augmentation: moves <= {MAX_SHIFT} px, "
          f"turns <= {DEGREES:g} deg; Adam lr={LR}, batch {BATCH_SIZE}, {args.epochs} epochs, float64")

    nn_times, nn_losses, th_times, th_losses = race(model, torch, torch_net, X_train, y_train, args.epochs,
                                                    args.seed, LR, BATCH_SIZE, augment=augmented)
    _, nn_acc = evaluate(model, CrossEntropyLoss(), X_test, y_test)
    if torch is not None:
        th_acc = torch_accuracy(torch, torch_net, X_test, y_test)
    print_epochs(nn_times, nn_losses, th_times, th_losses)

    nn_median, nn_total = summary(nn_times)
    print()
    print(f"augmentation (nnlib, numpy): median {statistics.median(augment_times) * 1e3:.1f} ms per epoch "
          f"({len(X_train)} images)")
    print(f"nnlib  epoch time: median {nn_median * 1e3:.1f} ms, total {nn_total:.2f} s; "
          f"test accuracy {nn_acc:.4f}")
    if torch is not None:
        th_median, th_total = summary(th_times)
        gap = weight_gap(((model[0], torch_net[0]), (model[5], torch_net[5])))
        print(f"torch  epoch time: median {th_median * 1e3:.1f} ms, total {th_total:.2f} s; "
              f"test accuracy {th_acc:.4f}")
        print(f"ratio nnlib/torch epoch time (median): {nn_median / th_median:.2f}")
        print(f"accuracy difference nnlib - torch: {nn_acc - th_acc:+.4f}; "
              f"max |W_nnlib - W_torch| after training: {gap:.2e}")


if __name__ == "__main__":
    main()
