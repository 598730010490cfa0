"""Predict, then reveal: before each backward step the student predicts something the step will compute.

A question is a pure function of the trace, the layer and the iteration, so it is the same on every rerun
and needs no state of its own. Two kinds alternate:
- "sign": the sign of δˡₖ for a node k the app picks;
- "largest": the cell (k, j) of ∂C/∂Wˡ with the largest magnitude (|δˡₖ| · |aˡ⁻¹ⱼ|).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks, explain
from ..passes import Trace
from . import equations as eq

SIGN, LARGEST = "sign", "largest"
SIGNS = ("positive", "negative", "zero")


@dataclass(frozen=True, slots=True)
class Question:
    """What the student is asked before the backward step through layer l."""

    l: int
    kind: str  # SIGN or LARGEST
    k: int | None  # the node asked about, for SIGN (0-based)
    answer: str | tuple[int, int]  # "positive" / "negative" / "zero", or the cell (k, j), 0-based

    def prompt(self) -> str:
        """The question in words, indices 1-based as on screen."""
        if self.kind == SIGN:
            assert self.k is not None, "a SIGN question names its node"
            return (
                f"Before the step back through layer {self.l}: will δ{_sup(self.l)}{_sub(self.k + 1)} "
                "be positive, negative or zero?"
            )
        return (
            f"Before the step back through layer {self.l}: which cell of ∂C/∂W{_sup(self.l)} will have "
            "the largest magnitude?"
        )

    def is_right(self, response) -> bool:
        """Whether `response` (a sign word, or a 0-based cell (k, j)) is the answer."""
        if self.kind == SIGN:
            return response == self.answer
        return response is not None and tuple(int(v) for v in response) == self.answer


def question(trace: Trace, l: int, iteration: int = 1) -> Question:
    """The question asked before the backward step through layer l (1..L) in iteration `iteration`."""
    l = _checks.layer(l, 1, trace.L, "a question")
    n_k, n_j = trace.network.sizes[l], trace.network.sizes[l - 1]
    if n_k * n_j == 1 or (trace.L - l + iteration) % 2 == 0:
        k = (3 * l + 7 * iteration) % n_k  # varies with the layer and the iteration
        return Question(l, SIGN, k, sign_word(trace.delta(l)[k]))
    G = np.abs(trace.dC_dW(l))
    cell = np.unravel_index(int(np.argmax(G)), G.shape)
    return Question(l, LARGEST, None, (int(cell[0]), int(cell[1])))


def sign_word(v: float) -> str:
    """'positive', 'negative' or 'zero'."""
    return "positive" if v > 0 else "negative" if v < 0 else "zero"


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def hint(trace: Trace, q: Question) -> str:
    """LaTeX: the equation that decides the answer, with the numbers known before the step (those of the
    layer above, or aᴸ and y at the output), but not its result."""
    l, L = q.l, trace.L
    if q.kind == SIGN:
        k = q.k
        assert k is not None, "a SIGN question names its node"
        if l == L:
            return eq.aligned(
                rf"\delta^L_{{{k + 1}}}",
                rf"\frac{{\partial C}}{{\partial a^L_{{{k + 1}}}}}"
                rf"\,\sigma'(z^L_{{{k + 1}}})",
                eq.output_dC_da(explain.delta_chain(trace, L, k), trace.cost_name)
                + rf" \cdot \sigma'({eq.num(trace.z(L)[k])})",
            )
        d = explain.delta_chain(trace, l, k)
        assert d.W_col is not None and d.delta_next is not None  # l < L: a hidden layer's chain
        products = [rf"{eq.factor(w)} \cdot {eq.factor(dn)}" for w, dn in zip(d.W_col, d.delta_next, strict=True)]
        return eq.aligned(
            rf"\delta^{{{l}}}_{{{k + 1}}}",
            rf"\Big(\sum_m W^{{{l + 1}}}_{{m{k + 1}}}\,\delta^{{{l + 1}}}_m\Big)\,"
            rf"\sigma'(z^{{{l}}}_{{{k + 1}}})",
            rf"\big({' + '.join(products)}\big) \cdot \sigma'({eq.num(trace.z(l)[k])})",
        )
    if l < L:
        above = eq.vector(rf"\delta^{{{l + 1}}}", trace.delta(l + 1))
    elif trace.cost_name == "quadratic":  # δᴸ = (aᴸ − y) ⊙ σ′(zᴸ)
        above = (
            eq.vector(r"a^L - y", trace.a(L) - trace.y) + r" \qquad " + eq.vector(r"\sigma'(z^L)", trace.sigma_prime(L))
        )
    else:  # cross-entropy with a sigmoid output: δᴸ = aᴸ − y
        above = eq.vector(r"a^L - y", trace.a(L) - trace.y)
    return (
        r"\frac{\partial C}{\partial W^{"
        + str(l)
        + r"}_{kj}} = \delta^{"
        + str(l)
        + r"}_k\, a^{"
        + str(l - 1)
        + r"}_j \qquad "
        + eq.vector(rf"a^{{{l - 1}}}", trace.a(l - 1))
        + r" \qquad "
        + above
    )


def explanation(trace: Trace, q: Question) -> str:
    """LaTeX: the formula that decided the answer, with all its numbers."""
    if q.kind == SIGN:
        assert q.k is not None, "a SIGN question names its node"
        d = explain.delta_chain(trace, q.l, q.k)
        return eq.bp1(d, trace.cost_name) if d.is_output else eq.bp2(d)
    assert isinstance(q.answer, tuple), "a LARGEST question's answer is a cell (k, j)"
    k, j = q.answer
    return eq.bp4(explain.weight_chain(trace, q.l, k, j))
