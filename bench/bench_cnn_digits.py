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
import os
import platform
import statistics
import sys
import time


def _threads_from_argv(argv):
    """``--threads N`` must act before numpy is imported (OpenBLAS reads it at start-up)."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return None


THREADS = _threads_from_argv(sys.argv)
if THREADS is not None:
    os.environ["OPENBLAS_NUM_THREADS"] = THREADS
    os.environ["OMP_NUM_THREADS"] = THREADS

import numpy as np  # noqa: E402  (after setting the thread count)

import nnlib  # noqa: E402
from nnlib.activations import ReLU  # noqa: E402
from nnlib.conv import Conv2d  # noqa: E402
from nnlib.datasets import load_digits, train_test_split  # noqa: E402
from nnlib.layers import Flatten, Linear  # noqa: E402
from nnlib.losses import CrossEntropyLoss  # noqa: E402
from nnlib.module import Sequential  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.pooling import MaxPool2d  # noqa: E402
from nnlib.training import evaluate, fit  # noqa: E402

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


def epoch_orders(n, epochs, seed):
    """The row order of every epoch, drawn exactly as ``fit`` draws it from ``rng=seed``."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


def nnlib_epoch(model, loss_fn, optimizer, X_train, y_train, rng):
    """One epoch with ``fit``; returns (seconds, training loss)."""
    start = time.perf_counter()
    history = fit(model, loss_fn, optimizer, X_train, y_train, epochs=1,
                  batch_size=BATCH_SIZE, rng=rng, verbose=False)
    return time.perf_counter() - start, history["train_loss"][0]


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


def torch_epoch(torch, net, loss_fn, optimizer, X_t, y_t, order):
    """One epoch over the rows in ``order``; returns (seconds, training loss)."""
    start = time.perf_counter()
    net.train()
    index = torch.from_numpy(order)
    X_epoch, y_epoch = X_t[index], y_t[index]
    n = len(order)
    loss_sum = 0.0
    for first in range(0, n, BATCH_SIZE):
        X_batch = X_epoch[first:first + BATCH_SIZE]
        y_batch = y_epoch[first:first + BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_fn(net(X_batch), y_batch)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y_batch)
    return time.perf_counter() - start, loss_sum / n


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

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch not installed: nnlib only")
    if torch is not None and args.threads is not None:
        torch.set_num_threads(args.threads)
    torch_net = torch_copy_of(torch, model) if torch is not None else None  # before training

    print(f"python {platform.python_version()}, numpy {np.__version__}, nnlib {nnlib.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ""))
    print(f"train {X_train.shape}, test {X_test.shape}; conv{MAPS}(3x3, padding 1) -> ReLU -> "
          f"maxpool 2x2 -> Flatten -> Linear(256, 10); Adam lr={LR}, batch {BATCH_SIZE}, "
          f"{args.epochs} epochs, float64")

    # epochs alternate between the two libraries, so both see the same machine load
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=LR)
    rng = np.random.default_rng(args.seed)  # one generator: same shuffles as a single fit call
    if torch is not None:
        orders = epoch_orders(len(X_train), args.epochs, args.seed)
        th_loss_fn = torch.nn.CrossEntropyLoss()
        th_optimizer = torch.optim.Adam(torch_net.parameters(), lr=LR)
        X_t, y_t = torch.from_numpy(X_train), torch.from_numpy(y_train)
    nn_times, nn_losses, th_times, th_losses = [], [], [], []
    for epoch in range(args.epochs):
        seconds, loss = nnlib_epoch(model, loss_fn, optimizer, X_train, y_train, rng)
        nn_times.append(seconds)
        nn_losses.append(loss)
        if torch is not None:
            seconds, loss = torch_epoch(torch, torch_net, th_loss_fn, th_optimizer, X_t, y_t,
                                        orders[epoch])
            th_times.append(seconds)
            th_losses.append(loss)
    _, nn_acc = evaluate(model, CrossEntropyLoss(), X_test, y_test)
    if torch is not None:
        torch_net.eval()
        with torch.no_grad():
            logits = torch_net(torch.from_numpy(X_test)).numpy()
        th_acc = float(np.mean(logits.argmax(axis=1) == y_test))

    print()
    header = f"{'epoch':>5}  {'nnlib s':>8}  {'nnlib loss':>10}"
    if torch is not None:
        header += f"  {'torch s':>8}  {'torch loss':>10}"
    print(header)
    for i in range(args.epochs):
        row = f"{i + 1:>5}  {nn_times[i]:8.4f}  {nn_losses[i]:10.6f}"
        if torch is not None:
            row += f"  {th_times[i]:8.4f}  {th_losses[i]:10.6f}"
        print(row)

    nn_median = statistics.median(nn_times)
    print()
    print(f"nnlib  epoch time: median {nn_median * 1e3:.1f} ms, total {sum(nn_times):.2f} s; "
          f"test accuracy {nn_acc:.4f} (target >= 0.97)")
    if torch is not None:
        th_median = statistics.median(th_times)
        weight_gap = max(
            float(np.max(np.abs(layer.W - torch_layer.weight.detach().numpy())))
            for layer, torch_layer in ((model[0], torch_net[0]), (model[4], torch_net[4]))
        )
        print(f"torch  epoch time: median {th_median * 1e3:.1f} ms, total {sum(th_times):.2f} s; "
              f"test accuracy {th_acc:.4f}")
        print(f"ratio nnlib/torch epoch time (median): {nn_median / th_median:.2f}")
        print(f"accuracy difference nnlib - torch: {nn_acc - th_acc:+.4f} (target within 0.01); "
              f"max |W_nnlib - W_torch| after training: {weight_gap:.2e}")


if __name__ == "__main__":
    main()
