"""Why backprop matters: the cost of one gradient by backprop against central finite differences.

For P weights and biases, finite differences evaluate the cost 2P times (C(θ + ε) and C(θ − ε) for each θ),
so their time grows with P times the cost of a forward pass, about P² for a network whose layers widen;
backprop gets all P derivatives from one forward and one backward pass. The numbers here are measured on the
machine that runs them; what they should show is the ratio growing with P.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..gradcheck import gradient_check
from ..network import Network
from ..passes import backward

WIDTHS = (2, 4, 8, 16, 32, 64)  # hidden widths w of the networks 2-w-w-1 that are timed
BACKWARD_SECONDS = 0.004  # repeat one backward pass until this much time is spent (at most 200 runs) ...
NUMERIC_SECONDS = 0.02  # ... and one finite-difference gradient until this much (at most 5 runs)


@dataclass(frozen=True, slots=True)
class GradientTiming:
    """The time of one gradient of a network, by backprop and by central differences."""

    sizes: tuple[int, ...]  # (n₀, …, n_L) of the timed network
    P: int  # its weights and biases
    cost_evaluations: int  # forward passes (cost evaluations) of the finite differences: 2P
    backprop_seconds: float  # one bp.backward: one forward and one backward pass, the best of its runs
    numeric_seconds: float  # one bp.gradient_check: 2P cost evaluations (and its trace), the best of its runs
    backprop_runs: int  # how many times each was run; the best run is kept
    numeric_runs: int

    @property
    def ratio(self) -> float:
        """How many times longer the finite differences took than backprop."""
        return self.numeric_seconds / self.backprop_seconds


def time_gradients(
    widths: Sequence[int] = WIDTHS,
    inputs: int = 2,
    outputs: int = 1,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[GradientTiming, ...]:
    """Time backprop and finite differences on the networks inputs-w-w-outputs for each w in `widths`.

    Each is the best of several runs (short runs are noisy, and the best run is the least disturbed);
    with the default widths the whole measurement takes about 0.3 s on one core of a 2-core machine.
    `clock` returns seconds; a test can pass its own.
    """
    out = []
    for w in widths:
        net = Network.random((inputs, w, w, outputs), "sigmoid", seed=seed)
        rng = np.random.default_rng(seed)
        x, y = rng.uniform(-1, 1, inputs), rng.uniform(0, 1, outputs)
        b_best, b_runs = _best(partial(backward, net, x, y), BACKWARD_SECONDS, 200, clock)
        n_best, n_runs = _best(partial(gradient_check, net, x, y), NUMERIC_SECONDS, 5, clock)
        out.append(GradientTiming(net.sizes, net.n_parameters, 2 * net.n_parameters, b_best, n_best, b_runs, n_runs))
    return tuple(out)


def _best(run: Callable[[], object], budget: float, most: int, clock: Callable[[], float]) -> tuple[float, int]:
    """The shortest time of one call of `run`, over calls repeated until `budget` seconds or `most` calls;
    and the number of calls."""
    best, spent, runs = float("inf"), 0.0, 0
    while runs < most and (runs == 0 or spent < budget):
        start = clock()
        run()
        took = clock() - start
        best, spent, runs = min(best, took), spent + took, runs + 1
    return best, runs
