"""The backward pass of one layer in matrix form, beside one entry of it in index form.

Matrix form (the lecture after the fully connected one):
    (BP1) δᴸ = ∇ₐC ⊙ σ′(zᴸ)
    (BP2) δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)
    (BP3) ∂C/∂bˡ = δˡ
    (BP4) ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ
Every operand is read from the trace; the products are formed here with NumPy, as the matrix form writes
them, and `entry` forms the same numbers one at a time with explicit loops over m, as the index form
writes them, so a page can show that the two agree. NumPy and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks
from ..passes import Trace

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class LayerMatrices:
    """The vectors and matrices of (BP1) or (BP2), (BP3) and (BP4) for layer l, by lecture layer number."""

    l: int
    is_output: bool  # l = L: δˡ comes from (BP1), not (BP2)
    W_next: Array | None  # Wˡ⁺¹, shape (nₗ₊₁, nₗ); None at the output
    delta_next: Array | None  # δˡ⁺¹, shape (nₗ₊₁,); None at the output
    dC_da: Array  # (Wˡ⁺¹)ᵀ δˡ⁺¹ below the output, ∇ₐC at it; shape (nₗ,)
    sigma_prime: Array  # σ′(zˡ), shape (nₗ,)
    delta: Array  # δˡ = dC_da ⊙ σ′(zˡ), shape (nₗ,)
    a_prev: Array  # aˡ⁻¹, shape (nₗ₋₁,)
    dC_dW: Array  # δˡ (aˡ⁻¹)ᵀ, shape (nₗ, nₗ₋₁)

    @property
    def dC_db(self) -> Array:
        """(BP3) ∂C/∂bˡ = δˡ, shape (nₗ,)."""
        return self.delta


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of layer l's matrix form, written in index form: ∂C/∂aˡₖ, δˡₖ and ∂C/∂Wˡₖⱼ."""

    l: int
    k: int  # the receiving node in layer l, 0-based
    j: int  # the emitting node in layer l − 1, 0-based
    is_output: bool
    W_col: Array | None  # Wˡ⁺¹ₘₖ for every m (None at the output), shape (nₗ₊₁,)
    delta_next: Array | None  # δˡ⁺¹ₘ for every m (None at the output)
    terms: Array | None  # Wˡ⁺¹ₘₖ δˡ⁺¹ₘ for every m (None at the output)
    dC_da: float  # Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ, summed term by term; ∂C/∂aᴸₖ from the trace at the output
    sigma_prime: float  # σ′(zˡₖ)
    delta: float  # δˡₖ = dC_da · σ′(zˡₖ)
    a_prev: float  # aˡ⁻¹ⱼ
    dC_dW: float  # δˡₖ aˡ⁻¹ⱼ


def layer_matrices(trace: Trace, l: int) -> LayerMatrices:
    """Layer l (1..L) in matrix form: the operands from the trace, the products formed as matrices."""
    L = trace.L
    l = _checks.layer(l, 1, L, "layer_matrices")
    ro = _checks.read_only
    sp, a_prev = trace.sigma_prime(l), trace.a(l - 1)
    if l == L:
        W_next = delta_next = None
        dC_da = trace.dC_da(L)  # ∇ₐC, from the cost
    else:
        W_next, delta_next = trace.network.W(l + 1), trace.delta(l + 1)
        dC_da = ro(W_next.T @ delta_next)  # (BP2) (Wˡ⁺¹)ᵀ δˡ⁺¹
    # (BP1) at the output: the trace's δᴸ, which the cost forms its own way (a − y for cross-entropy with a
    # sigmoid output) so that it stays finite where ∇ₐC alone would overflow; equal to ∇ₐC ⊙ σ′(zᴸ).
    delta = trace.delta(L) if l == L else ro(dC_da * sp)  # (BP2) ⊙ σ′(zˡ)
    dC_dW = ro(delta[:, None] @ a_prev[None, :])  # (BP4) δˡ (aˡ⁻¹)ᵀ, column times row
    return LayerMatrices(l, l == L, W_next, delta_next, dC_da, sp, delta, a_prev, dC_dW)


def entry(trace: Trace, l: int, k: int, j: int) -> Entry:
    """Entry (k, j) of layer l (1..L) in index form, with an explicit loop over m: no matrix product."""
    net = trace.network
    L = net.L
    l = _checks.layer(l, 1, L, "entry")
    k = _checks.index(k, net.sizes[l], f"node k of layer {l}")
    j = _checks.index(j, net.sizes[l - 1], f"node j of layer {l - 1}")
    sp = float(trace.sigma_prime(l)[k])
    if l == L:
        W_col = delta_next = terms = None
        dC_da = float(trace.dC_da(L)[k])  # ∂C/∂aᴸₖ, from the cost
    else:
        W, d = net.W(l + 1), trace.delta(l + 1)
        W_col, delta_next = W[:, k], d
        terms_list = []
        dC_da = 0.0
        for m in range(net.sizes[l + 1]):  # (BP2) Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ
            term = float(W[m, k]) * float(d[m])
            terms_list.append(term)
            dC_da += term
        terms = _checks.read_only(np.array(terms_list))
    # δˡₖ = ∂C/∂aˡₖ σ′(zˡₖ); at the output the trace's δᴸₖ, as in layer_matrices.
    delta = float(trace.delta(L)[k]) if l == L else dC_da * sp
    a_prev = float(trace.a(l - 1)[j])
    return Entry(l, k, j, l == L, W_col, delta_next, terms, dC_da, sp, delta, a_prev, delta * a_prev)  # (BP4)
