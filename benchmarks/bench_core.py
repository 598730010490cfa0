"""Time one mini-batch gradient-descent step of the core, and the same step in PyTorch autograd if installed.

    python benchmarks/bench_core.py            # the full measurement (a few seconds)
    python benchmarks/bench_core.py --quick    # a few repeats, to see that it runs (CI smoke test)

One step is bp.batch_gradients + bp.gradient_descent_step on a batch of 32, quadratic cost, float64. BLAS is
limited to one thread (DESIGN.md: on a 2-core machine two OpenBLAS threads made the 784-100-10 products
~8× slower), through threadpoolctl when it is installed, else through the environment before NumPy loads.
PyTorch runs on one thread too, in float64, with the same weights and batch; its gradients are first
checked against the core's. PyTorch is not a dependency of the project: without it only the core is timed.
Each time is the median over many repeats of the mean of a short inner loop (timeit). The core's step
builds a new immutable network; PyTorch's updates its tensors in place. The "of which gradients" column
times bp.batch_gradients alone; the rest of the step is the update.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
from pathlib import Path

from one_blas_thread import threadpool_limits  # noqa: E402  (before NumPy)

# isort: split

import numpy as np  # noqa: E402  (after the thread limits above)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import backprop as bp  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

BATCH = 32
LEARNING_RATE = 0.5
CASES = [("2-8-8-1 sigmoid", (2, 8, 8, 1)), ("784-100-10 sigmoid", (784, 100, 10))]


def problem(sizes, seed=0):
    """A seeded network and a batch X (32, n₀), Y (32, n_L) with targets in [0, 1]."""
    net = bp.Network.random(sizes, activation="sigmoid", seed=seed)
    rng = np.random.default_rng(seed + 1)
    return net, rng.normal(size=(BATCH, sizes[0])), rng.uniform(size=(BATCH, sizes[-1]))


def core_step(net, X, Y):
    """One mini-batch step of the core: a new network."""
    return bp.gradient_descent_step(net, bp.batch_gradients(net, X, Y, "quadratic"), LEARNING_RATE)


def torch_setup(net, X, Y):
    """The same network and batch as float64 tensors; parameters are leaves that require gradients."""
    params = []
    for l in range(1, net.L + 1):
        params.append(torch.tensor(np.array(net.W(l)), dtype=torch.float64, requires_grad=True))
        params.append(torch.tensor(np.array(net.b(l)), dtype=torch.float64, requires_grad=True))
    return params, torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)


def torch_step(params, X, Y):
    """The same step with autograd: C = mean over rows of ½‖σ(…) − y‖², then W ← W − η ∂C/∂W in place."""
    A = X
    for W, b in zip(params[0::2], params[1::2], strict=True):
        A = torch.sigmoid(A @ W.T + b)
    C = 0.5 * ((A - Y) ** 2).sum(dim=1).mean()
    C.backward()
    with torch.no_grad():
        for p in params:
            p -= LEARNING_RATE * p.grad
            p.grad = None


def check_torch_agrees(net, X, Y):
    """PyTorch's gradients and step equal the core's (else the comparison would be of different work)."""
    params, tX, tY = torch_setup(net, X, Y)
    torch_step(params, tX, tY)
    new = core_step(net, X, Y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(params[2 * l - 2].detach().numpy(), new.W(l), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(params[2 * l - 1].detach().numpy(), new.b(l), rtol=1e-10, atol=1e-12)


def median_seconds(fn, repeat, min_time):
    """Median over `repeat` runs of the mean time of one call; each run loops long enough to last
    `min_time` seconds, so the clock's resolution does not matter."""
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < min_time:
        number *= 2
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


def fmt(seconds):
    return f"{seconds * 1e3:8.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:8.1f} µs"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="very few repeats: check it runs, not timing")
    args = parser.parse_args(argv)
    repeat, min_time = (3, 1e-4) if args.quick else (101, 5e-3)

    if torch is not None:
        torch.set_num_threads(1)
    limiter = threadpool_limits(limits=1) if threadpool_limits else None
    try:
        blas = "threadpoolctl, 1 thread" if limiter else "environment, 1 thread"
        print(
            f"One mini-batch gradient-descent step, batch {BATCH}, quadratic cost, float64; BLAS: {blas}; "
            f"median of {repeat} repeats{' (--quick: not a measurement)' if args.quick else ''}"
        )
        print(
            f"numpy {np.__version__}, python {sys.version.split()[0]}"
            + (f", torch {torch.__version__} ({torch.get_num_threads()} thread)" if torch else ", torch not installed")
        )
        header = f"{'network':<20} {'backprop step':>13} {'of which gradients':>18}"
        if torch is not None:
            header += f" {'torch autograd step':>19} {'torch ÷ backprop':>17}"
        print(header)
        print("-" * len(header))
        for name, sizes in CASES:
            net, X, Y = problem(sizes)
            t_core = median_seconds(lambda net=net, X=X, Y=Y: core_step(net, X, Y), repeat, min_time)
            t_grad = median_seconds(
                lambda net=net, X=X, Y=Y: bp.batch_gradients(net, X, Y, "quadratic"), repeat, min_time
            )
            line = f"{name:<20} {fmt(t_core):>13} {fmt(t_grad):>18}"
            if torch is not None:
                check_torch_agrees(net, X, Y)
                params, tX, tY = torch_setup(net, X, Y)
                t_torch = median_seconds(lambda p=params, tX=tX, tY=tY: torch_step(p, tX, tY), repeat, min_time)
                line += f" {fmt(t_torch):>19} {t_torch / t_core:>16.2f}×"
            print(line)
    finally:
        if limiter is not None:
            limiter.unregister()
    return 0


if __name__ == "__main__":
    sys.exit(main())
