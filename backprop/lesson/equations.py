r"""The equations of the lesson as LaTeX with the real numbers substituted, from `explain`'s results.

Indices are shown 1-based, as the lecture writes them. Numbers are rounded to `DIGITS` significant digits
for reading; the arrays behind them keep full precision. σ stands for the layer's activation, whichever it
is, as in the lecture.

Every printed computation adds up: the numbers substituted into a product, a sum or a fraction, as printed,
give its printed result to within half a unit of the result's last digit (4 significant digits). Where 4
digits of the operands are not enough for that, they are printed with as many more as it takes (`fit`); a
result is always the trace's own number, never recomputed from rounded operands. Where the operands cannot
be printed faithfully at all (∂C/∂aᴸ beyond the largest float), the equation takes the cancelled form
δᴸ = aᴸ − y and says why in a line.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np

from ..explain import DeltaChain, InputSum, WeightChain

DIGITS = 4
MAX_TERMS = 6  # a sum with more terms is shown with its first few, "⋯" and the last
PER_LINE = 2  # terms of a sum on one line, so that an equation fits a laptop's column


def num(v: float, digits: int = DIGITS, zeros: bool = False) -> str:
    """A number for LaTeX: 4 significant digits, powers of ten written out; trailing zeros are dropped
    (0.5, not 0.5000) unless `zeros`, as for a cost (see cost_num())."""
    v = float(v)
    if v == 0:
        return "0"
    text = f"{v:#.{digits}g}" if zeros else f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exp)}}}"
    return text


def cost_num(v: float) -> str:
    """A cost, with all 4 significant digits even where the last is 0: the worked 2-2-2's cost after the
    update reads 0.2910 against Mazur's published 0.291027924 (0.291 would claim one digit fewer)."""
    return num(v, zeros=True)


def factor(v: float, digits: int = DIGITS) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    s = num(v, digits)
    return f"({s})" if float(v) < 0 else s


# ------------------------------------------------------------------------------------------------------
# Printing operands so that the printed arithmetic adds up

MAX_DIGITS = 17  # a float64 printed with 17 significant digits parses back to itself
DIFFERENCE_DIGITS = 24  # aᴸ − y: exact in float64 where aᴸ is near y, but seen through the printed aᴸ and y
# only with about 21 digits of each once aᴸ is within 10⁻¹⁵ of y (a saturated output)
CHAIN_DIGITS = 8  # BP1 and BP4 at a cross-entropy output: beyond this, the cancelled form δᴸ = aᴸ − y


# Decimal arithmetic, exact here: printed operands have at most 17 digits, so their products and sums fit
# in 200 (a sum of terms 10³⁰⁰ apart is rounded at the 200th digit, far below any half unit).
_EXACT = decimal.Context(
    prec=200, Emin=-999_999, Emax=999_999, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
)
_UNDERFLOW = _EXACT.power(2, -1075)  # below this a float64 result rounds to 0


def printed(v: float, digits: int = DIGITS) -> Decimal:
    """The exact value of `v` as num(v, digits) prints it."""
    return Decimal(f"{float(v):.{digits}g}")


def half_unit(v: float, digits: int = DIGITS) -> Decimal:
    """Half a unit of the last of `digits` significant digits of v as printed (0 for 0)."""
    p = printed(v, digits)
    return Decimal(0) if p == 0 else Decimal(5).scaleb(p.adjusted() - digits)


def adds_up(got, result: float) -> bool:
    """Whether `got`, what the printed operands give, lies within half a unit of the printed result's last
    digit. A result that underflowed to 0 accepts anything that rounds to 0 in float64."""
    with decimal.localcontext(_EXACT):
        got = got if isinstance(got, Decimal) else Decimal(got)
        if float(result) == 0:
            return abs(got) <= _UNDERFLOW
        return abs(got - printed(result)) <= half_unit(result)


def _adds_up_at(operands, result: float, combine, d: int) -> bool:
    """Whether `operands` printed with d digits, combined, add up to `result` printed with DIGITS; a
    denominator that prints as 0 (σ′ underflowed) never does."""
    with decimal.localcontext(_EXACT):
        try:
            return adds_up(combine([printed(v, d) for v in operands]), result)
        except (ZeroDivisionError, decimal.InvalidOperation):
            return False


def fit(
    operands: Sequence[float], result: float, combine: Callable[[list[Decimal]], object], most: int = MAX_DIGITS
) -> int | None:
    """The fewest significant digits (DIGITS up to `most`) to print `operands` with, so that
    combine(operands as printed) adds up to `result` as printed with DIGITS; None if none do (or an operand
    is not finite). `combine` gets the printed operands as exact Decimals and returns a Decimal (or a
    float, where it needs ln or exp)."""
    if not all(math.isfinite(float(v)) for v in operands) or not math.isfinite(float(result)):
        return None
    for d in range(DIGITS, most + 1):
        if _adds_up_at(operands, result, combine, d):
            return d
    return None


def _digits(operands: Sequence[float], result: float, combine, most: int = MAX_DIGITS) -> int:
    """fit, or every digit a float64 has where nothing fits (the printed numbers are then the floats
    themselves, and only the rounding of the float arithmetic is left)."""
    return fit(operands, result, combine, most) or MAX_DIGITS


def _product(v: list[Decimal]) -> Decimal:
    out = Decimal(1)
    for x in v:
        out *= x
    return out


def _sum_of_products(n: int):
    """Σᵢ v[2i]·v[2i+1] over n pairs, plus a last lone term if there is one (a bias)."""

    def combine(v: list[Decimal]) -> Decimal:
        return sum((v[2 * i] * v[2 * i + 1] for i in range(n)), Decimal(0)) + sum(v[2 * n :], Decimal(0))

    return combine


def kj(k: int, j: int) -> str:
    """Two 1-based subscripts, with a comma once either has two digits: 12 but 1,12."""
    return f"{k}{j}" if k < 10 and j < 10 else f"{k},{j}"


def _sum(terms: list[str]) -> str:
    """Terms joined by +, at most PER_LINE to a line of an `aligned` block; a long sum is shortened with ⋯."""
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + [r"\cdots", terms[-1]]
    lines = [" + ".join(terms[i : i + PER_LINE]) for i in range(0, len(terms), PER_LINE)]
    return r" \\ &\qquad + ".join(lines)


def rows(lhs: str, *rhs: str) -> list[str]:
    """lhs = rhs₁ on the first line, = rhs₂ … on the next ones, for `aligned`."""
    return [rf"{lhs} &= {rhs[0]}"] + [rf"&= {r}" for r in rhs[1:]]


def aligned(lhs: str, *rhs: str, more: Sequence[str] = ()) -> str:
    """One chain of equalities, aligned at the = signs; `more` rows (from `rows`) follow it."""
    return r"\begin{aligned}" + r" \\ ".join(rows(lhs, *rhs) + list(more)) + r"\end{aligned}"


def input_sum(s: InputSum, full: bool = False) -> str:
    """zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ = … and aˡₖ = σ(zˡₖ) = …; every term when `full` (the worked sheet)."""
    l, k = s.l, s.k + 1
    n = len(s.W)
    d = _digits([v for pair in zip(s.W, s.a_prev, strict=True) for v in pair] + [s.b], s.z, _sum_of_products(n))
    terms = [rf"{factor(w, d)} \cdot {factor(a, d)}" for w, a in zip(s.W, s.a_prev, strict=True)] + [factor(s.b, d)]
    return aligned(
        rf"z^{{{l}}}_{{{k}}}",
        rf"\sum_j W^{{{l}}}_{{{k}j}}\, a^{{{l - 1}}}_j + b^{{{l}}}_{{{k}}}",
        sum_in_full(terms) if full else _sum(terms),
        num(s.z),
        more=rows(rf"a^{{{l}}}_{{{k}}}", rf"\sigma(z^{{{l}}}_{{{k}}}) = \sigma({num(s.z)})", num(s.a)),
    )


def _softplus(z: float) -> float:
    """ln(1 + e^z), stable: max(z, 0) + ln(1 + e^−|z|)."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _cross_entropy_terms(z, y) -> tuple[list[float], Callable]:
    """The operands y, 1 − y, z of each output and what they give: Σ y ln(1 + e^−z) + (1 − y) ln(1 + e^z)."""
    ops = [float(v) for zk, yk in zip(z, y, strict=True) for v in (yk, 1.0 - yk, zk)]

    def combine(v: list[Decimal]) -> float:
        return math.fsum(
            float(v[i]) * _softplus(-float(v[i + 2])) + float(v[i + 1]) * _softplus(float(v[i + 2]))
            for i in range(0, len(v), 3)
        )

    return ops, combine


def cost(cost_name: str, z, a, y, value: float, full: bool = False) -> str:
    """C with the output and target substituted; a long sum shortened with ⋯ on screen, every term when
    `full` (the worked sheet). Brackets are \\bigl[ \\bigr]: \\left[ \\right] cannot span the lines of a sum
    that wraps (three or more outputs).

    Cross-entropy is written out from the input sums zᴸ, as it is computed: ln a = −ln(1 + e^−z) and
    ln(1 − a) = −ln(1 + e^z), which stay exact where a rounds to 0 or 1 and ln(1 − a) would read ln 0."""
    if cost_name == "quadratic":
        ops = [float(v) for pair in zip(a, y, strict=True) for v in pair]
        d = _digits(
            ops,
            value,
            lambda v: sum(((v[i] - v[i + 1]) ** 2 for i in range(0, len(v), 2)), Decimal(0)) / 2,
            DIFFERENCE_DIGITS,
        )
        terms = [rf"({num(ak, d)} - {factor(yk, d)})^2" for ak, yk in zip(a, y, strict=True)]
        body = sum_in_full(terms) if full else _sum(terms)
        return aligned(
            "C", r"\frac{1}{2} \sum_k (a^L_k - y_k)^2", rf"\frac{{1}}{{2}}\bigl[{body}\bigr]", cost_num(value)
        )
    ops, combine = _cross_entropy_terms(z, y)
    d = _digits(ops, value, combine)
    terms = [
        rf"{num(yk, d)} \ln(1 + e^{{{num(-zk, d)}}}) + {num(1 - yk, d)} \ln(1 + e^{{{num(zk, d)}}})"
        for zk, yk in zip(z, y, strict=True)
    ]
    body = sum_in_full(terms, 2) if full else _sum(terms)
    return aligned(
        "C",
        r"-\sum_k \bigl[y_k \ln a^L_k + (1-y_k)\ln(1-a^L_k)\bigr]",
        r"\sum_k \bigl[y_k \ln(1 + e^{-z^L_k}) + (1-y_k)\ln(1 + e^{z^L_k})\bigr]",
        rf"\bigl[{body}\bigr]",
        cost_num(value),
    )


def output_dC_da(d: DeltaChain, cost_name: str) -> str:
    """∂C/∂aᴸₖ with numbers, never built from rounded values: (a − y) with aᴸₖ and yₖ for the quadratic
    cost; for cross-entropy (a − y) / (a(1 − a)) with a − y = δᴸₖ and a(1 − a) = σ′(zᴸₖ) substituted as the
    trace holds them (not from a rounded a, where 1 − a would read 0), or a line saying it is beyond the
    largest float."""
    if cost_name == "quadratic":
        assert d.y is not None, "∂C/∂aᴸ needs the output layer's chain, which carries y"
        digits = _digits([d.a, d.y], d.a - d.y, lambda v: v[0] - v[1], DIFFERENCE_DIGITS)
        return rf"({num(d.a, digits)} - {factor(d.y, digits)})"
    p = fit([d.delta, d.sigma_prime], d.dC_da, lambda v: v[0] / v[1])
    if p is None:
        return r"\frac{a - y}{a\,(1 - a)} \text{ (beyond the largest float)}"
    return rf"\frac{{{num(d.delta, p)}}}{{{num(d.sigma_prime, p)}}}"


def _cancelled(a: str, y: str, z: str, d_dC_da: float, sigma_prime: float = 1.0) -> str:
    """One line: why (BP1) is shown as δᴸ = aᴸ − y instead of the product of its factors."""
    if not math.isfinite(d_dC_da):
        why = (
            rf"\text{{here }} \tfrac{{\partial C}}{{\partial {a}}} \text{{ is beyond the largest float; its }}"
            rf" {a}(1 - {a}) \text{{ cancels }} \sigma'({z}) \text{{, which leaves }} {a} - {y}"
        )
    elif sigma_prime == 0:
        why = (
            rf"\text{{here }} \sigma'({z}) = {a}(1 - {a}) \text{{ is below the smallest float (it rounds to 0); it"
            rf" cancels in }} \tfrac{{\partial C}}{{\partial {a}}}\, \sigma'({z})"
            rf" \text{{, which leaves }} {a} - {y}"
        )
    else:
        why = (
            rf"\text{{here the factors would need more than {CHAIN_DIGITS} digits to multiply out; }} {a}(1 - {a})"
            rf" \text{{ cancels }} \sigma'({z}) \text{{, which leaves }} {a} - {y}"
        )
    return rf"&\quad {why}"


def bp1(d: DeltaChain, cost_name: str, layer: str = "L", node: bool = True) -> str:
    """(BP1) δᴸₖ = ∂C/∂aᴸₖ · σ′(zᴸₖ) with numbers. `layer` is how the output layer is written (L on screen,
    its number on the worked sheet); node=False drops the node index (one node per layer).

    For cross-entropy (with its sigmoid output) ∂C/∂aᴸₖ = (a − y)/(a(1 − a)) comes first, with its own
    numbers; then the product, and the cancelled form δᴸₖ = aᴸₖ − yₖ. Where ∂C/∂aᴸₖ is beyond the largest
    float, or its product with σ′ would need more than CHAIN_DIGITS digits to add up, only the cancelled form
    is shown, with a line saying why."""
    i = f"_{{{d.k + 1}}}" if node else ""
    a, y, z = f"a^{{{layer}}}{i}", f"y{i}", f"z^{{{layer}}}{i}"
    lhs = rf"\delta^{{{layer}}}{i}"
    symbolic = rf"\frac{{\partial C}}{{\partial {a}}}\, \sigma'({z})"
    if cost_name == "quadratic":
        assert d.y is not None, "(BP1) needs the output layer's chain, which carries y"
        digits = _digits([d.a, d.y, d.sigma_prime], d.delta, lambda v: (v[0] - v[1]) * v[2], DIFFERENCE_DIGITS)
        return aligned(
            lhs,
            symbolic,
            rf"({num(d.a, digits)} - {factor(d.y, digits)}) \cdot {factor(d.sigma_prime, digits)}",
            rf"{num(d.delta)} \qquad \text{{(BP1)}}",
        )
    dC_da = rf"\frac{{\partial C}}{{\partial {a}}}"
    p = fit([d.dC_da, d.sigma_prime], d.delta, _product, CHAIN_DIGITS)
    q = fit([d.delta, d.sigma_prime], d.dC_da, lambda v: v[0] / v[1], CHAIN_DIGITS)
    if p is None or q is None:
        return aligned(
            lhs,
            symbolic,
            rf"{a} - {y} = {num(d.delta)} \qquad \text{{(BP1, sigmoid output)}}",
            more=[_cancelled(a, y, z, d.dC_da, d.sigma_prime)],
        )
    return aligned(
        lhs,
        symbolic,
        rf"{factor(d.dC_da, p)} \cdot {factor(d.sigma_prime, p)}",
        rf"{a} - {y} = {num(d.delta)} \qquad \text{{(BP1, sigmoid output)}}",
        more=rows(
            rf"\text{{where }} {dC_da}",
            rf"\frac{{{a} - {y}}}{{{a}\,(1 - {a})}}",
            rf"\frac{{{num(d.delta, q)}}}{{{num(d.sigma_prime, q)}}}",
            num(d.dC_da),
        ),
    )


def bp2(d: DeltaChain, full: bool = False) -> str:
    """(BP2) ∂C/∂aˡₖ = Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ and δˡₖ = ∂C/∂aˡₖ · σ′(zˡₖ) with numbers; a long sum is shortened
    with ⋯ on screen, written out in full (`full`) on the worked sheet."""
    assert d.W_col is not None and d.delta_next is not None, "(BP2) needs a hidden layer's chain"
    l, k = d.l, d.k + 1
    n = len(d.W_col)
    p = _digits([v for pair in zip(d.W_col, d.delta_next, strict=True) for v in pair], d.dC_da, _sum_of_products(n))
    q = _digits([d.dC_da, d.sigma_prime], d.delta, _product)
    products = [rf"{factor(w, p)} \cdot {factor(dn, p)}" for w, dn in zip(d.W_col, d.delta_next, strict=True)]
    dC_da = rf"\frac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}}"
    return aligned(
        dC_da,
        rf"\sum_m W^{{{l + 1}}}_{{m{k}}}\,\delta^{{{l + 1}}}_m",
        sum_in_full(products) if full else _sum(products),
        num(d.dC_da),
        more=rows(
            rf"\delta^{{{l}}}_{{{k}}}",
            rf"{dC_da}\,\sigma'(z^{{{l}}}_{{{k}}})",
            rf"{factor(d.dC_da, q)} \cdot {factor(d.sigma_prime, q)}",
            rf"{num(d.delta)} \qquad \text{{(BP2)}}",
        ),
    )


def bp4(w: WeightChain) -> str:
    """(BP4) ∂C/∂Wˡₖⱼ = ∂C/∂aˡₖ · σ′(zˡₖ) · aˡ⁻¹ⱼ = δˡₖ aˡ⁻¹ⱼ with numbers. Where ∂C/∂aˡₖ · σ′(zˡₖ) cannot be
    printed faithfully (∂C/∂aᴸ beyond the largest float at a saturated cross-entropy output), the product
    is written from δˡₖ, with a line saying why."""
    l, k, j = w.l, w.k + 1, w.j + 1
    lhs = rf"\frac{{\partial C}}{{\partial W^{{{l}}}_{{{kj(k, j)}}}}}"
    chain = (
        rf"\frac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}} \cdot \sigma'(z^{{{l}}}_{{{k}}})"
        rf" \cdot a^{{{l - 1}}}_{{{j}}}"
    )
    p = fit([w.dC_da, w.sigma_prime, w.a_prev], w.dC_dW, _product, CHAIN_DIGITS)
    if p is None:
        q = _digits([w.delta, w.a_prev], w.dC_dW, _product)
        return aligned(
            lhs,
            chain + rf" = \delta^{{{l}}}_{{{k}}}\, a^{{{l - 1}}}_{{{j}}}",
            rf"{factor(w.delta, q)} \cdot {factor(w.a_prev, q)}",
            rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}",
            more=[
                rf"&\quad \text{{here }} \tfrac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}}"
                rf" \cdot \sigma'(z^{{{l}}}_{{{k}}}) \text{{ cannot be printed faithfully}}"
                + (r"\text{ (the first factor is beyond the largest float)}" if not math.isfinite(w.dC_da) else "")
                + rf"\text{{; their product is }} \delta^{{{l}}}_{{{k}}}"
            ],
        )
    return aligned(
        lhs,
        chain,
        rf"{factor(w.dC_da, p)} \cdot {factor(w.sigma_prime, p)} \cdot {factor(w.a_prev, p)}",
        rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}",
    )


def _update_digits(old: float, learning_rate: float, gradient: float, new: float) -> int:
    return _digits([old, learning_rate, gradient], new, lambda v: v[0] - v[1] * v[2])


def update(w: WeightChain, learning_rate: float, new_W: float) -> str:
    """W ← W − η ∂C/∂W for one weight, with numbers."""
    l, k, j = w.l, w.k + 1, w.j + 1
    W = rf"W^{{{l}}}_{{{kj(k, j)}}}"
    p = _update_digits(w.W, learning_rate, w.dC_dW, new_W)
    return aligned(
        rf"\text{{new }} {W}",
        rf"{W} - \eta\,\frac{{\partial C}}{{\partial {W}}}",
        rf"{num(w.W, p)} - {num(learning_rate, p)} \cdot {factor(w.dC_dW, p)}",
        num(new_W),
    )


def moved(L: int, update_biases: bool) -> str:
    """Which parameters the update moves: W¹ … Wᴸ, and b¹ … bᴸ or the words that they are kept fixed."""
    Ws = ", ".join(f"W^{{{l}}}" for l in range(1, L + 1))
    bs = ", ".join(f"b^{{{l}}}" for l in range(1, L + 1))
    if update_biases:
        return rf"\text{{moved: }} {Ws} \text{{ and }} {bs}"
    return rf"\text{{moved: }} {Ws} \qquad \text{{kept fixed: }} {bs}"


def vector(name: str, values) -> str:
    """A named vector written out: a^1 = (0.59, 0.6)."""
    values = np.asarray(values).ravel()
    shown = [num(v) for v in values]
    if len(shown) > MAX_TERMS:
        shown = shown[: MAX_TERMS - 2] + [r"\ldots"] + shown[-1:]
    return rf"{name} = \left({', '.join(shown)}\right)"


# ------------------------------------------------------------------------------------------------------
# Nodes in series: the same equations for a chain x → a¹ → a² → … of one node per layer, written with
# scalars as the lecture before the fully connected one does (w² rather than W²₁₁, no sums, no ⊙).
# They take the same `explain` results, so every number is still the trace's.


def _scalar_a(l: int) -> str:
    """a⁰ is the input x."""
    return "x" if l == 0 else rf"a^{{{l}}}"


def series_input_sum(s: InputSum) -> str:
    """zˡ = wˡ aˡ⁻¹ + bˡ = … and aˡ = σ(zˡ) = … for a layer of one node fed by one node."""
    l = s.l
    p = _digits([s.W[0], s.a_prev[0], s.b], s.z, _sum_of_products(1))
    return aligned(
        rf"z^{{{l}}}",
        rf"w^{{{l}}}\, {_scalar_a(l - 1)} + b^{{{l}}}",
        rf"{factor(s.W[0], p)} \cdot {factor(s.a_prev[0], p)} + {factor(s.b, p)}",
        num(s.z),
        more=rows(rf"a^{{{l}}}", rf"\sigma(z^{{{l}}}) = \sigma({num(s.z)})", num(s.a)),
    )


def series_cost(cost_name: str, L: int, z: float, a: float, y: float, value: float) -> str:
    """C of the one output node aᴸ = σ(zᴸ) against y, numbers substituted (cross-entropy from zᴸ, as `cost`)."""
    aL, zL = rf"a^{{{L}}}", rf"z^{{{L}}}"
    if cost_name == "quadratic":
        p = _digits([a, y], value, lambda v: (v[0] - v[1]) ** 2 / 2, DIFFERENCE_DIGITS)
        return aligned("C", rf"\tfrac12 ({aL} - y)^2", rf"\tfrac12 ({num(a, p)} - {factor(y, p)})^2", cost_num(value))
    ops, combine = _cross_entropy_terms([z], [y])
    p = _digits(ops, value, combine)
    return aligned(
        "C",
        rf"-\left[y \ln {aL} + (1-y)\ln(1-{aL})\right]",
        rf"y \ln(1 + e^{{-{zL}}}) + (1-y)\ln(1 + e^{{{zL}}})",
        rf"{num(y, p)} \ln(1 + e^{{{num(-z, p)}}}) + {num(1 - y, p)} \ln(1 + e^{{{num(z, p)}}})",
        cost_num(value),
    )


def series_delta_output(d: DeltaChain, cost_name: str) -> str:
    """(BP1) δᴸ = ∂C/∂aᴸ · σ′(zᴸ) for the one output node, numbers substituted."""
    return bp1(d, cost_name, layer=str(d.l), node=False)


def series_delta_hidden(d: DeltaChain) -> str:
    """(BP2) δˡ = wˡ⁺¹ δˡ⁺¹ σ′(zˡ) for a node with one node after it, numbers substituted: the recursion
    of the fully connected case, Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ, with a single term."""
    assert d.W_col is not None and d.delta_next is not None, "(BP2) needs a hidden layer's chain"
    l = d.l
    p = _digits([d.W_col[0], d.delta_next[0], d.sigma_prime], d.delta, _product)
    return aligned(
        rf"\delta^{{{l}}}",
        rf"w^{{{l + 1}}}\, \delta^{{{l + 1}}}\, \sigma'(z^{{{l}}})",
        rf"{factor(d.W_col[0], p)} \cdot {factor(d.delta_next[0], p)} \cdot {factor(d.sigma_prime, p)}",
        rf"{num(d.delta)} \qquad \text{{(BP2)}}",
    )


def series_weight(w: WeightChain) -> str:
    """(BP4) ∂C/∂wˡ = δˡ aˡ⁻¹ (a⁰ = x), numbers substituted."""
    l = w.l
    p = _digits([w.delta, w.a_prev], w.dC_dW, _product)
    return aligned(
        rf"\frac{{\partial C}}{{\partial w^{{{l}}}}}",
        rf"\delta^{{{l}}}\, {_scalar_a(l - 1)}",
        rf"{factor(w.delta, p)} \cdot {factor(w.a_prev, p)}",
        rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}",
    )


def series_bias(l: int, dC_db: float) -> str:
    """(BP3) ∂C/∂bˡ = δˡ, with its number."""
    return aligned(
        rf"\frac{{\partial C}}{{\partial b^{{{l}}}}}", rf"\delta^{{{l}}}", rf"{num(dC_db)} \qquad \text{{(BP3)}}"
    )


def series_update(name: str, old: float, learning_rate: float, gradient: float, new: float) -> str:
    """θ ← θ − η ∂C/∂θ for one scalar parameter `name` (LaTeX, such as w^{1}), numbers substituted."""
    p = _update_digits(old, learning_rate, gradient, new)
    return aligned(
        rf"\text{{new }} {name}",
        rf"{name} - \eta\,\frac{{\partial C}}{{\partial {name}}}",
        rf"{num(old, p)} - {num(learning_rate, p)} \cdot {factor(gradient, p)}",
        num(new),
    )


# ------------------------------------------------------------------------------------------------------
# Matrix form: a layer's (BP1)–(BP4) with its vectors and matrices written out (for layers whose every
# dimension is at most SMALL), one entry boxed, beside that entry in index form. They take
# `matrix_form`'s results, whose operands are the trace's.

SMALL = 6  # a matrix or vector with more rows or columns than this is drawn, not written
MARK = "#b35900"  # the row and column that make the boxed entry: the highlight's orange, darkened to
# 4.8:1 on white so the numbers stay readable (WCAG AA; darkorange was 2.3:1)


def bmatrix(
    values,
    boxed: tuple[int, ...] | None = None,
    marked_rows=(),
    marked_cols=(),
    row: bool = False,
    digits: int = DIGITS,
) -> str:
    """A vector (a column; a row if `row`) or a matrix as a bmatrix of num()s with `digits` significant
    digits; the entry `boxed` ((i,) or (i, j)) in a box, the entries of `marked_rows` and `marked_cols` in
    MARK."""
    M = np.asarray(values, dtype=float)
    M = M[None, :] if M.ndim == 1 and row else M[:, None] if M.ndim == 1 else M
    if boxed is not None and len(boxed) == 1:
        boxed = (0, boxed[0]) if row else (boxed[0], 0)

    def cell(i: int, j: int) -> str:
        s = num(M[i, j], digits)
        if boxed is not None and (i, j) == tuple(boxed):
            return rf"\boxed{{{s}}}"
        return rf"\textcolor{{{MARK}}}{{{s}}}" if i in marked_rows or j in marked_cols else s

    body = r" \\ ".join(" & ".join(cell(i, j) for j in range(M.shape[1])) for i in range(M.shape[0]))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _tag(name: str) -> str:
    return rf"\qquad \text{{({name})}}"


def _entrywise(operands, results, combine, most: int = MAX_DIGITS) -> int | None:
    """The fewest digits with which every entry's operands add up to its result, all printed alike (one
    entry's 4 digits may add up where 5 do not, so each count is tried on all); None if none do."""
    operands, results = list(operands), list(results)
    if not all(math.isfinite(float(v)) for ops, r in zip(operands, results, strict=True) for v in (*ops, r)):
        return None
    for d in range(DIGITS, most + 1):
        if all(_adds_up_at(ops, r, combine, d) for ops, r in zip(operands, results, strict=True)):
            return d
    return None


def matrix_bp1(m, k: int, cost_name: str = "quadratic") -> str:
    """(BP1) δᴸ = ∇ₐC ⊙ σ′(zᴸ) with the vectors written out, entry k boxed. At a cross-entropy output
    where ∇ₐC cannot be printed faithfully (an entry beyond the largest float), the cancelled form
    δᴸ = aᴸ − y with a line saying why."""
    most = CHAIN_DIGITS if cost_name == "cross_entropy" else MAX_DIGITS
    p = _entrywise([(g, s) for g, s in zip(m.dC_da, m.sigma_prime, strict=True)], m.delta, _product, most)
    if p is None:
        return (
            r"\begin{aligned}"
            + r"\delta^L &= \nabla_a C \odot \sigma'(z^L) = a^L - y \\ "
            + rf"&= {bmatrix(m.delta, boxed=(k,))}{_tag('BP1, sigmoid output')} \\ "
            + _cancelled(
                "a^L", "y", "z^L", 0.0 if np.all(np.isfinite(m.dC_da)) else math.inf, float(np.min(m.sigma_prime))
            )
            + r"\end{aligned}"
        )
    return aligned(
        r"\delta^L",
        r"\nabla_a C \odot \sigma'(z^L)",
        rf"{bmatrix(m.dC_da, marked_rows=(k,), digits=p)} \odot "
        rf"{bmatrix(m.sigma_prime, marked_rows=(k,), digits=p)}",
        bmatrix(m.delta, boxed=(k,)) + _tag("BP1"),
    )


def matrix_bp2(m, k: int) -> str:
    """(BP2) δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ) with the matrices written out; entry k of (Wˡ⁺¹)ᵀ δˡ⁺¹ boxed and
    the row of (Wˡ⁺¹)ᵀ that makes it marked."""
    l = m.l
    n = m.W_next.shape[0]
    # Two chains, each adding up entry by entry: (Wˡ⁺¹)ᵀ δˡ⁺¹ as printed gives its printed (boxed) result,
    # and that vector, printed with the digits it takes, ⊙ σ′(zˡ) gives δˡ.
    p = (
        _entrywise(
            [[v for pair in zip(m.W_next[:, i], m.delta_next, strict=True) for v in pair] for i in range(len(m.delta))],
            m.dC_da,
            _sum_of_products(n),
        )
        or MAX_DIGITS
    )
    q = _entrywise([(g, s) for g, s in zip(m.dC_da, m.sigma_prime, strict=True)], m.delta, _product) or MAX_DIGITS
    WTd = rf"(W^{{{l + 1}}})^T \delta^{{{l + 1}}}"
    return aligned(
        WTd,
        rf"{bmatrix(m.W_next.T, marked_rows=(k,), digits=p)} {bmatrix(m.delta_next, digits=p)}",
        bmatrix(m.dC_da, boxed=(k,)),
        more=rows(
            rf"\delta^{{{l}}}",
            rf"\left({WTd}\right) \odot \sigma'(z^{{{l}}})",
            rf"{bmatrix(m.dC_da, marked_rows=(k,), digits=q)} \odot "
            rf"{bmatrix(m.sigma_prime, marked_rows=(k,), digits=q)}",
            bmatrix(m.delta, marked_rows=(k,)) + _tag("BP2"),
        ),
    )


def matrix_bp3(m, k: int) -> str:
    """(BP3) ∂C/∂bˡ = δˡ with the vector written out."""
    l = m.l
    return aligned(
        rf"\frac{{\partial C}}{{\partial b^{{{l}}}}}",
        rf"\delta^{{{l}}}",
        bmatrix(m.dC_db, marked_rows=(k,)) + _tag("BP3"),
    )


def matrix_bp4(m, k: int, j: int) -> str:
    """(BP4) ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, a column times a row, with entry (k, j) boxed and δˡₖ, aˡ⁻¹ⱼ marked."""
    l = m.l
    p = _entrywise([(d, a) for d in m.delta for a in m.a_prev], m.dC_dW.ravel(), _product) or MAX_DIGITS
    return aligned(
        rf"\frac{{\partial C}}{{\partial W^{{{l}}}}}",
        rf"\delta^{{{l}}} (a^{{{l - 1}}})^T",
        rf"{bmatrix(m.delta, marked_rows=(k,), digits=p)} "
        rf"{bmatrix(m.a_prev, marked_cols=(j,), row=True, digits=p)}",
        bmatrix(m.dC_dW, boxed=(k, j)) + _tag("BP4"),
    )


def entry_bp1(e, matrix_delta: float, cost_name: str = "quadratic") -> str:
    """(BP1) in index form, δᴸₖ = ∂C/∂aᴸₖ σ′(zᴸₖ), equal to entry k of the matrix form's δᴸ; the cancelled
    form δᴸₖ = aᴸₖ − yₖ where a cross-entropy's ∂C/∂aᴸₖ cannot be printed faithfully, as in `bp1`."""
    k = e.k + 1
    most = CHAIN_DIGITS if cost_name == "cross_entropy" else MAX_DIGITS
    p = fit([e.dC_da, e.sigma_prime], e.delta, _product, most)
    if p is None:
        a, y, z = f"a^L_{{{k}}}", f"y_{{{k}}}", f"z^L_{{{k}}}"
        return (
            r"\begin{aligned}" + rf"\delta^L_{{{k}}} &= \frac{{\partial C}}{{\partial {a}}}\, \sigma'({z})"
            rf" = {a} - {y} = {num(e.delta)} \\ "
            + rf"\left(\nabla_a C \odot \sigma'(z^L)\right)_{{{k}}} &= \boxed{{{num(matrix_delta)}}}"
            + _tag("BP1")
            + r" \\ "
            + _cancelled(a, y, z, e.dC_da, e.sigma_prime)
            + r"\end{aligned}"
        )
    return aligned(
        rf"\delta^L_{{{k}}}",
        rf"\frac{{\partial C}}{{\partial a^L_{{{k}}}}}\, \sigma'(z^L_{{{k}}})",
        rf"{factor(e.dC_da, p)} \cdot {factor(e.sigma_prime, p)}",
        num(e.delta),
        more=rows(
            rf"\left(\nabla_a C \odot \sigma'(z^L)\right)_{{{k}}}", rf"\boxed{{{num(matrix_delta)}}}" + _tag("BP1")
        ),
    )


def _one_per_line(terms: list[str]) -> str:
    """Terms joined by +, one to a line of an `aligned` block; more than MAX_TERMS shortened with ⋯."""
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 2] + [r"\cdots", terms[-1]]
    return r" \\ &\qquad + ".join(terms)


def entry_bp2(e, matrix_dC_da: float) -> str:
    """(BP2) in index form, ∂C/∂aˡₖ = Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ term by term, equal to entry k of (Wˡ⁺¹)ᵀ δˡ⁺¹; then δˡₖ."""
    l, k = e.l, e.k + 1
    n = len(e.W_col)
    p = _digits([v for pair in zip(e.W_col, e.delta_next, strict=True) for v in pair], e.dC_da, _sum_of_products(n))
    q = _digits([e.dC_da, e.sigma_prime], e.delta, _product)
    products = [rf"{factor(w, p)} \cdot {factor(d, p)}" for w, d in zip(e.W_col, e.delta_next, strict=True)]
    dC_da = rf"\frac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}}"
    # One product to a line: the index form has half the page's width beside the matrices.
    return aligned(
        dC_da,
        rf"\sum_m W^{{{l + 1}}}_{{m{k}}}\,\delta^{{{l + 1}}}_m",
        _one_per_line(products),
        num(e.dC_da),
        more=rows(rf"\left((W^{{{l + 1}}})^T \delta^{{{l + 1}}}\right)_{{{k}}}", rf"\boxed{{{num(matrix_dC_da)}}}")
        + rows(
            rf"\delta^{{{l}}}_{{{k}}}",
            rf"{dC_da}\,\sigma'(z^{{{l}}}_{{{k}}})",
            rf"{factor(e.dC_da, q)} \cdot {factor(e.sigma_prime, q)}",
            num(e.delta) + _tag("BP2"),
        ),
    )


def entry_bp4(e, matrix_dC_dW: float) -> str:
    """(BP4) in index form, ∂C/∂Wˡₖⱼ = δˡₖ aˡ⁻¹ⱼ, equal to entry (k, j) of δˡ (aˡ⁻¹)ᵀ."""
    l, k, j = e.l, e.k + 1, e.j + 1
    p = _digits([e.delta, e.a_prev], e.dC_dW, _product)
    return aligned(
        rf"\frac{{\partial C}}{{\partial W^{{{l}}}_{{{kj(k, j)}}}}}",
        rf"\delta^{{{l}}}_{{{k}}}\, a^{{{l - 1}}}_{{{j}}}",
        rf"{factor(e.delta, p)} \cdot {factor(e.a_prev, p)}",
        num(e.dC_dW),
        more=rows(
            rf"\left(\delta^{{{l}}} (a^{{{l - 1}}})^T\right)_{{{kj(k, j)}}}",
            rf"\boxed{{{num(matrix_dC_dW)}}}" + _tag("BP4"),
        ),
    )


# ------------------------------------------------------------------------------------------------------
# The worked sheet: the same equations with every term of every sum written out (a sheet is read on a page,
# where a shortened sum "⋯" would hide numbers the student has to check), and brackets that may span lines.
# They take the same `explain` results, so every number is still the trace's.

SHEET_PER_LINE = 4  # terms of a sum on one line of the sheet


def sum_in_full(terms: list[str], per_line: int = SHEET_PER_LINE) -> str:
    """Every term joined by +, `per_line` to a line of an `aligned` block; never shortened."""
    lines = [" + ".join(terms[i : i + per_line]) for i in range(0, len(terms), per_line)]
    return r" \\ &\qquad + ".join(lines)


def input_sum_in_full(s: InputSum) -> str:
    """zˡₖ with every term of the sum over j, for the worked sheet."""
    return input_sum(s, full=True)


def cost_in_full(cost_name: str, z, a, y, value: float) -> str:
    """C with every output and target substituted, for the worked sheet."""
    return cost(cost_name, z, a, y, value, full=True)


def bp2_in_full(d: DeltaChain) -> str:
    """(BP2) with every term of the sum over m, for the worked sheet."""
    return bp2(d, full=True)


def bp4_from_delta(w: WeightChain) -> str:
    """(BP4) ∂C/∂Wˡₖⱼ = δˡₖ aˡ⁻¹ⱼ with numbers: the short form, once δˡₖ is on the sheet."""
    l, k, j = w.l, w.k + 1, w.j + 1
    p = _digits([w.delta, w.a_prev], w.dC_dW, _product)
    return aligned(
        rf"\frac{{\partial C}}{{\partial W^{{{l}}}_{{{kj(k, j)}}}}}",
        rf"\delta^{{{l}}}_{{{k}}}\, a^{{{l - 1}}}_{{{j}}}",
        rf"{factor(w.delta, p)} \cdot {factor(w.a_prev, p)}",
        rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}",
    )


def bp3(l: int, k: int, dC_db: float) -> str:
    """(BP3) ∂C/∂bˡₖ = δˡₖ for node k (0-based) of layer l, with its number."""
    return aligned(
        rf"\frac{{\partial C}}{{\partial b^{{{l}}}_{{{k + 1}}}}}",
        rf"\delta^{{{l}}}_{{{k + 1}}}",
        rf"{num(dC_db)} \qquad \text{{(BP3)}}",
    )


def bp1_in_full(d: DeltaChain, cost_name: str) -> str:
    """(BP1) with the output layer written by its number (δ²₁, not δᴸ₁), as every other line of a sheet is."""
    return bp1(d, cost_name, layer=str(d.l))
