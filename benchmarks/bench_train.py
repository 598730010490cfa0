"""Time the Train page's work: epochs of mini-batch gradient descent, and the figures drawn after them.

    python benchmarks/bench_train.py            # the full measurement (about ten seconds)
    python benchmarks/bench_train.py --quick    # a few repeats, to see that it runs (CI smoke test)

Training: 2-8-8-1 on 500 points of two circles (400 for training, 100 held out), batches of 32, so 13 steps
per epoch, plus the end-of-epoch evaluation on the whole training and test sets that fills a history row
(loss, accuracy, ‖∂C/∂Wˡ‖ and mean |δˡ| per layer). The issue's aim: 100 epochs in well under a second.
The time is that of `bp.run_epochs(state, 100)` from epoch 0; "of which evaluation" is the 101 history rows
alone.

Figures: after those 100 epochs, each of the page's figures is built (go.Figure) and serialised the way
st.plotly_chart does (plotly.io.to_json, validate=False); the last row is all of them, which is what a page
redraws after each chunk of epochs.

BLAS is limited to one thread, as in bench_core.py (DESIGN.md: two OpenBLAS threads are slower here).
Each time is the median of several repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from one_blas_thread import threadpool_limits  # noqa: E402  (before NumPy)

# isort: split

import numpy as np  # noqa: E402  (after the thread limits above)
import plotly.io as pio  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backprop.figures import training as ft  # noqa: E402
from backprop.training import datasets as ds  # noqa: E402
from backprop.training import descent as tr  # noqa: E402

POINTS, BATCH, EPOCHS = 500, 32, 100
CASES = [("2-8-8-1 tanh, sigmoid out", "tanh"), ("2-8-8-1 relu, sigmoid out", "relu"), ("2-8-8-1 sigmoid", "sigmoid")]


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:8.0f} µs"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="very few repeats: check it runs, not timing")
    args = parser.parse_args(argv)
    repeat, epochs = (1, 5) if args.quick else (7, EPOCHS)

    limiter = threadpool_limits(limits=1) if threadpool_limits else None
    try:
        blas = "threadpoolctl, 1 thread" if limiter else "environment, 1 thread"
        data = ds.circles(n=POINTS, noise=0.1, seed=0)
        print(
            f"Training on {POINTS} points ({data.train_index.size} train, {data.test_index.size} test), "
            f"batch {BATCH}, cross-entropy, η = 0.5; BLAS: {blas}; median of {repeat}"
            + (" (--quick: not a measurement)" if args.quick else "")
        )
        print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
        header = f"{'network':<27} {f'{epochs} epochs':>12} {'epochs/s':>9} {'of which evaluation':>20}"
        print(header)
        print("-" * len(header))
        trained = None
        for name, activation in CASES:
            config = tr.TrainConfig((2, 8, 8, 1), activation, "sigmoid", "cross_entropy", 0.5, BATCH, 0)
            start = tr.start_training(config, data)
            t_run = median_time(lambda start=start: tr.run_epochs(start, epochs), repeat)
            t_eval = median_time(
                lambda start=start, config=config: [
                    tr._evaluate(start.network, data, config.cost) for _ in range(epochs + 1)
                ],
                repeat,
            )
            print(f"{name:<27} {fmt(t_run):>12} {epochs / t_run:>9.0f} {fmt(t_eval):>20}")
            if trained is None:
                trained = tr.run_epochs(start, epochs)

        h, net = trained.history, trained.network
        figures = [
            ("loss", lambda: ft.loss_figure(h)),
            ("accuracy", lambda: ft.accuracy_figure(h)),
            ("gradient norms", lambda: ft.gradient_norms_figure(h)),
            ("mean |delta|", lambda: ft.mean_abs_delta_figure(h)),
            ("decision boundary 60x60", lambda: ft.fit_figure(net, data)),
        ]
        print()
        print(f"The page's figures after epoch {trained.epoch}, as st.plotly_chart sends them")
        header = f"{'figure':<27} {'build':>12} {'to_json':>12} {'size':>9}"
        print(header)
        print("-" * len(header))
        total_build = total_json = total_size = 0.0
        for name, build in figures:
            t_build = median_time(build, repeat)
            fig = build()
            t_json = median_time(lambda fig=fig: pio.to_json(fig, validate=False), repeat)
            size = len(pio.to_json(fig, validate=False))
            total_build, total_json, total_size = total_build + t_build, total_json + t_json, total_size + size
            print(f"{name:<27} {fmt(t_build):>12} {fmt(t_json):>12} {size / 1e3:>6.0f} kB")
        print(f"{'all figures':<27} {fmt(total_build):>12} {fmt(total_json):>12} {total_size / 1e3:>6.0f} kB")
    finally:
        if limiter is not None:
            limiter.unregister()
    return 0


if __name__ == "__main__":
    sys.exit(main())
