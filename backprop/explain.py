"""The numbers behind each equation the app prints, read from a trace (never recomputed another way).

Indices are 0-based here, as in the arrays; the app shows them 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks
from .passes import Forward, Trace

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class InputSum:
    """zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ and aˡₖ = σ(zˡₖ) for one node."""

    l: int
    k: int
    W: Array  # Wˡₖⱼ for every j, shape (nₗ₋₁,)
    a_prev: Array  # aˡ⁻¹ⱼ for every j
    terms: Array  # Wˡₖⱼ aˡ⁻¹ⱼ for every j
    b: float  # bˡₖ
    z: float  # zˡₖ, as the trace holds it
    a: float  # aˡₖ = σ(zˡₖ)


@dataclass(frozen=True, slots=True)
class DeltaChain:
    """δˡₖ: by (BP1) at the output, by (BP2) below it."""

    l: int
    k: int
    is_output: bool
    W_col: Array | None  # Wˡ⁺¹ₘₖ for every m (None at the output), shape (nₗ₊₁,)
    delta_next: Array | None  # δˡ⁺¹ₘ for every m (None at the output)
    terms: Array | None  # Wˡ⁺¹ₘₖ δˡ⁺¹ₘ for every m (None at the output)
    a: float  # aˡₖ
    y: float | None  # yₖ at the output, else None
    dC_da: float  # ∂C/∂aˡₖ: from the cost at the output, Σₘ terms below it
    sigma_prime: float  # σ′(zˡₖ)
    delta: float  # δˡₖ


@dataclass(frozen=True, slots=True)
class WeightChain:
    """(BP4) ∂C/∂Wˡₖⱼ = ∂C/∂aˡₖ · σ′(zˡₖ) · aˡ⁻¹ⱼ = δˡₖ aˡ⁻¹ⱼ for one weight."""

    l: int
    k: int
    j: int
    W: float  # Wˡₖⱼ, the weight itself
    dC_da: float  # ∂C/∂aˡₖ
    sigma_prime: float  # σ′(zˡₖ)
    a_prev: float  # aˡ⁻¹ⱼ
    delta: float  # δˡₖ
    dC_dW: float  # ∂C/∂Wˡₖⱼ, as the trace holds it


def input_sum(fwd: Forward | Trace, l: int, k: int) -> InputSum:
    """The input sum of node k in layer l (1..L)."""
    net = fwd.network
    l = _checks.layer(l, 1, net.L, "input_sum")
    k = _checks.index(k, net.sizes[l], f"node k of layer {l}")
    W, a_prev = net.W(l)[k], fwd.a(l - 1)
    return InputSum(
        l, k, W, a_prev, _checks.read_only(W * a_prev), float(net.b(l)[k]), float(fwd.z(l)[k]), float(fwd.a(l)[k])
    )


def delta_chain(trace: Trace, l: int, k: int) -> DeltaChain:
    """Where δˡₖ comes from, for layer l (1..L) and node k."""
    L = trace.L
    l = _checks.layer(l, 1, L, "delta_chain")
    k = _checks.index(k, trace.network.sizes[l], f"node k of layer {l}")
    common = dict(
        a=float(trace.a(l)[k]),
        dC_da=float(trace.dC_da(l)[k]),
        sigma_prime=float(trace.sigma_prime(l)[k]),
        delta=float(trace.delta(l)[k]),
    )
    if l == L:
        return DeltaChain(l, k, True, None, None, None, y=float(trace.y[k]), **common)
    W_col, delta_next = trace.network.W(l + 1)[:, k], trace.delta(l + 1)
    return DeltaChain(l, k, False, W_col, delta_next, _checks.read_only(W_col * delta_next), y=None, **common)


def weight_chain(trace: Trace, l: int, k: int, j: int) -> WeightChain:
    """The chain rule of one weight Wˡₖⱼ, l in 1..L."""
    net = trace.network
    l = _checks.layer(l, 1, net.L, "weight_chain")
    k = _checks.index(k, net.sizes[l], f"node k of layer {l}")
    j = _checks.index(j, net.sizes[l - 1], f"node j of layer {l - 1}")
    return WeightChain(
        l,
        k,
        j,
        W=float(net.W(l)[k, j]),
        dC_da=float(trace.dC_da(l)[k]),
        sigma_prime=float(trace.sigma_prime(l)[k]),
        a_prev=float(trace.a(l - 1)[j]),
        delta=float(trace.delta(l)[k]),
        dC_dW=float(trace.dC_dW(l)[k, j]),
    )
