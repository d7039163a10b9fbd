"""Benchmark: one Conv2d layer, forward + backward, nnlib vs PyTorch CPU.

Batch 64 x 1 x 28 x 28 -> 32 feature maps, 3x3 kernel, padding 1 (an MNIST-sized first
layer). Both libraries get the same input, weights and upstream gradient; the script checks
that they agree and prints the time of one forward + backward pass (median and best of
``--repeats`` runs, interleaved so both see the same machine load) and the ratio
nnlib / PyTorch. The target is a ratio <= 1.5 against PyTorch's default float32;
the float64 comparison (same precision as nnlib) is printed too.

Run from the repository root:

    .venv/bin/python bench/bench_conv.py                 # both libraries' default threading
    .venv/bin/python bench/bench_conv.py --threads 1     # both single-threaded

PyTorch is optional (``.venv/bin/pip install torch==2.13.0``); without it only nnlib's
time is printed. ``--threads N`` sets OpenBLAS's threads (numpy's matrix products) and
PyTorch's intra-op threads to N; on a busy machine single-threaded runs are the most
repeatable, because multi-threaded libraries lose a lot when cores are shared.
"""

import argparse
import time

from threads import use_threads_from_argv

use_threads_from_argv()  # before numpy is imported: OpenBLAS reads its thread count at start-up

import numpy as np  # noqa: E402  (after setting the thread count)

from nnlib.conv import Conv2d  # noqa: E402


def time_once(step):
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS and PyTorch (default: their own choice)")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    N, C_in, H, W, C_out, k, p = 64, 1, 28, 28, 32, 3, 1
    x = rng.normal(size=(N, C_in, H, W))
    grad_y = rng.normal(size=(N, C_out, H, W))
    conv = Conv2d(C_in, C_out, k, padding=p, rng=1)

    def nnlib_step():
        conv.zero_grad()
        conv.forward(x)
        return conv.backward(grad_y)

    steps = {"nnlib (float64)": nnlib_step}
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch not installed: printing nnlib's time only")

    if torch is not None:
        if args.threads is not None:
            torch.set_num_threads(args.threads)
        torch.manual_seed(0)
        for dtype, label in ((torch.float32, "torch (float32)"), (torch.float64, "torch (float64)")):
            layer = torch.nn.Conv2d(C_in, C_out, k, padding=p).to(dtype)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(conv.W))
                layer.bias.copy_(torch.from_numpy(conv.b))
            xt = torch.tensor(x, dtype=dtype, requires_grad=True)
            gt = torch.tensor(grad_y, dtype=dtype)

            def torch_step(layer=layer, xt=xt, gt=gt):
                layer.zero_grad()
                xt.grad = None
                layer(xt).backward(gt)
                return xt.grad

            # correctness first: same outputs and gradients
            dx = nnlib_step()
            dx_t = torch_step().double().numpy()
            tol = 1e-3 if dtype == torch.float32 else 1e-9
            np.testing.assert_allclose(dx, dx_t, rtol=tol, atol=tol)
            np.testing.assert_allclose(conv.dW, layer.weight.grad.double().numpy(), rtol=tol, atol=tol * 100)
            steps[label] = torch_step

    for step in steps.values():  # warm-up
        for _ in range(3):
            step()
    times = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            times[name].append(time_once(step))

    print(f"Conv2d forward+backward, input {N}x{C_in}x{H}x{W} -> {C_out} maps, {k}x{k}, padding {p}; "
          f"threads: {'library defaults' if args.threads is None else args.threads}"
          + (f" (torch uses {torch.get_num_threads()})" if torch is not None else ""))
    for name, ts in times.items():
        print(f"  {name:16s} median {1e3 * np.median(ts):7.2f} ms   best {1e3 * np.min(ts):7.2f} ms")
    if torch is not None:
        ours = np.median(times["nnlib (float64)"])
        for name in ("torch (float32)", "torch (float64)"):
            ratio = ours / np.median(times[name])
            print(f"  ratio nnlib / {name}: {ratio:.2f} (median){'   target <= 1.5' if '32' in name else ''}")


if __name__ == "__main__":
    main()
