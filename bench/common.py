"""What the benchmark scripts share: one epoch in each library, the interleaved race, reporting.

(The ``--threads`` setting lives in ``threads.py``: it must act before numpy is imported.)
"""

import statistics
import time

import numpy as np

from nnlib.losses import CrossEntropyLoss
from nnlib.optim import Adam
from nnlib.training import fit


def optional_torch(skip=False, threads=None):
    """PyTorch, or None when ``skip`` is set or it is not installed; ``threads`` (> 0) sets its thread count."""
    if skip:
        return None
    try:
        import torch
    except ImportError:
        print("PyTorch not installed: nnlib only")
        return None
    if threads:
        torch.set_num_threads(threads)
    return torch


def epoch_orders(n, epochs, seed):
    """The row order of every epoch, drawn exactly as ``fit`` draws it from ``rng=seed``."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


def nnlib_epoch(model, loss_fn, optimizer, X_train, y_train, rng, batch_size):
    """One epoch with ``nnlib.training.fit``; returns (seconds, mean training loss)."""
    start = time.perf_counter()
    history = fit(model, loss_fn, optimizer, X_train, y_train, epochs=1,
                  batch_size=batch_size, rng=rng, verbose=False)
    return time.perf_counter() - start, history["train_loss"][0]


def torch_epoch(torch, net, loss_fn, optimizer, X_t, y_t, order, batch_size):
    """One epoch of the textbook PyTorch loop over the rows in ``order``; returns (seconds, loss)."""
    start = time.perf_counter()
    net.train()
    index = torch.from_numpy(order)
    X_epoch, y_epoch = X_t[index], y_t[index]
    n = len(order)
    loss_sum = 0.0
    for first in range(0, n, batch_size):
        X_batch = X_epoch[first:first + batch_size]
        y_batch = y_epoch[first:first + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(net(X_batch), y_batch)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y_batch)
    return time.perf_counter() - start, loss_sum / n


def race(model, torch, net, X_train, y_train, epochs, seed, lr, batch_size, augment=None):
    """Train the nnlib ``model`` and (if ``torch``) its copy ``net`` with Adam, epoch by epoch.

    Epochs alternate between the libraries so both see the same machine load; both see the
    same batches in the same order (one generator, as in a single long ``fit`` call).
    ``augment(X_train) -> X_epoch``, if given, makes each epoch's (augmented) training images
    once; both libraries train on that same array (its time is not part of either epoch).
    Returns the per-epoch times and losses: ``(nn_times, nn_losses, th_times, th_losses)``.
    """
    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    if torch is not None:
        orders = epoch_orders(len(X_train), epochs, seed)
        th_loss_fn = torch.nn.CrossEntropyLoss()
        th_optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        X_t, y_t = torch.from_numpy(X_train), torch.from_numpy(y_train)
    nn_times, nn_losses, th_times, th_losses = [], [], [], []
    for epoch in range(epochs):
        X_epoch = X_train if augment is None else augment(X_train)
        seconds, loss = nnlib_epoch(model, loss_fn, optimizer, X_epoch, y_train, rng, batch_size)
        nn_times.append(seconds)
        nn_losses.append(loss)
        if torch is not None:
            if augment is not None:
                X_t = torch.from_numpy(X_epoch)
            seconds, loss = torch_epoch(torch, net, th_loss_fn, th_optimizer, X_t, y_t,
                                        orders[epoch], batch_size)
            th_times.append(seconds)
            th_losses.append(loss)
    return nn_times, nn_losses, th_times, th_losses


def torch_accuracy(torch, net, X_test, y_test):
    """Share of test rows whose largest logit is the true class."""
    net.eval()
    with torch.no_grad():
        logits = net(torch.from_numpy(X_test)).numpy()
    return float((logits.argmax(axis=1) == y_test).mean())


def print_epochs(nn_times, nn_losses, th_times, th_losses):
    """One row per epoch: seconds and training loss of each library."""
    print()
    header = f"{'epoch':>5}  {'nnlib s':>8}  {'nnlib loss':>10}"
    if th_times:
        header += f"  {'torch s':>8}  {'torch loss':>10}"
    print(header)
    for i in range(len(nn_times)):
        row = f"{i + 1:>5}  {nn_times[i]:8.4f}  {nn_losses[i]:10.6f}"
        if th_times:
            row += f"  {th_times[i]:8.4f}  {th_losses[i]:10.6f}"
        print(row)


def summary(times):
    """Median epoch time (robust to the first, warm-up epoch) and the total."""
    return statistics.median(times), sum(times)


def weight_gap(layer_pairs):
    """Largest absolute difference between nnlib's and PyTorch's weights over (layer, torch_layer)."""
    return max(float(np.max(np.abs(layer.W - torch_layer.weight.detach().numpy())))
               for layer, torch_layer in layer_pairs)
