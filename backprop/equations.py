r"""The equations of the lesson as LaTeX with the real numbers substituted, from `explain`'s results.

Indices are shown 1-based, as the lecture writes them. Numbers are rounded to `DIGITS` significant digits
for reading; the arrays behind them keep full precision. σ stands for the layer's activation, whichever it
is, as in the lecture.
"""

from __future__ import annotations

import numpy as np

from .explain import DeltaChain, InputSum, WeightChain

DIGITS = 4
MAX_TERMS = 6  # a sum with more terms is shown with its first few, "⋯" and the last
PER_LINE = 2   # terms of a sum on one line, so that an equation fits a laptop's column


def num(v: float, digits: int = DIGITS) -> str:
    """A number for LaTeX: 4 significant digits, powers of ten written out."""
    v = float(v)
    if v == 0:
        return "0"
    text = f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exp)}}}"
    return text


def factor(v: float) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    s = num(v)
    return f"({s})" if float(v) < 0 else s


def kj(k: int, j: int) -> str:
    """Two 1-based subscripts, with a comma once either has two digits: 12 but 1,12."""
    return f"{k}{j}" if k < 10 and j < 10 else f"{k},{j}"


def _sum(terms: list[str]) -> str:
    """Terms joined by +, at most PER_LINE to a line of an `aligned` block; a long sum is shortened with ⋯."""
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + [r"\cdots", terms[-1]]
    lines = [" + ".join(terms[i:i + PER_LINE]) for i in range(0, len(terms), PER_LINE)]
    return r" \\ &\qquad + ".join(lines)


def rows(lhs: str, *rhs: str) -> list[str]:
    """lhs = rhs₁ on the first line, = rhs₂ … on the next ones, for `aligned`."""
    return [rf"{lhs} &= {rhs[0]}"] + [rf"&= {r}" for r in rhs[1:]]


def aligned(lhs: str, *rhs: str, more: list[str] = ()) -> str:
    """One chain of equalities, aligned at the = signs; `more` rows (from `rows`) follow it."""
    return r"\begin{aligned}" + r" \\ ".join(rows(lhs, *rhs) + list(more)) + r"\end{aligned}"


def input_sum(s: InputSum, full: bool = False) -> str:
    """zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ = … and aˡₖ = σ(zˡₖ) = …; every term when `full` (the worked sheet)."""
    l, k = s.l, s.k + 1
    terms = [rf"{factor(w)} \cdot {factor(a)}" for w, a in zip(s.W, s.a_prev)] + [factor(s.b)]
    return aligned(rf"z^{{{l}}}_{{{k}}}", rf"\sum_j W^{{{l}}}_{{{k}j}}\, a^{{{l - 1}}}_j + b^{{{l}}}_{{{k}}}",
                   sum_in_full(terms) if full else _sum(terms), num(s.z),
                   more=rows(rf"a^{{{l}}}_{{{k}}}", rf"\sigma(z^{{{l}}}_{{{k}}}) = \sigma({num(s.z)})", num(s.a)))


def cost(cost_name: str, a, y, value: float, full: bool = False) -> str:
    """C with the output and target substituted; a long sum shortened with ⋯ on screen, every term when
    `full` (the worked sheet). Brackets are \\bigl[ \\bigr]: \\left[ \\right] cannot span the lines of a sum
    that wraps (three or more outputs)."""
    if cost_name == "quadratic":
        terms = [rf"({num(ak)} - {num(yk)})^2" for ak, yk in zip(a, y)]
        body = sum_in_full(terms) if full else _sum(terms)
        return aligned("C", r"\frac{1}{2} \sum_k (a^L_k - y_k)^2", rf"\frac{{1}}{{2}}\bigl[{body}\bigr]",
                       num(value))
    terms = [rf"{num(yk)} \ln {num(ak)} + {factor(1 - yk)} \ln {factor(1 - ak)}" for ak, yk in zip(a, y)]
    body = sum_in_full(terms, 2) if full else _sum(terms)
    return aligned("C", r"-\sum_k \bigl[y_k \ln a^L_k + (1-y_k)\ln(1-a^L_k)\bigr]", rf"-\bigl[{body}\bigr]",
                   num(value))


def output_dC_da(a: float, y: float, cost_name: str) -> str:
    """∂C/∂aᴸₖ with aᴸₖ and yₖ substituted: (a − y) for the quadratic cost, (a − y) / (a(1 − a)) for
    cross-entropy."""
    if cost_name == "quadratic":
        return rf"({num(a)} - {factor(y)})"
    return rf"\frac{{{num(a)} - {factor(y)}}}{{{num(a)}\,(1 - {num(a)})}}"


def bp1(d: DeltaChain, cost_name: str, layer: str = "L", node: bool = True) -> str:
    """(BP1) δᴸₖ = ∂C/∂aᴸₖ · σ′(zᴸₖ) with numbers. `layer` is how the output layer is written (L on screen,
    its number on the worked sheet); node=False drops the node index (one node per layer)."""
    i = f"_{{{d.k + 1}}}" if node else ""
    a, y, z = f"a^{{{layer}}}{i}", f"y{i}", f"z^{{{layer}}}{i}"
    last = rf"{num(d.delta)} \qquad \text{{(BP1)}}"
    if cost_name == "cross_entropy":
        last = rf"{a} - {y} = {num(d.delta)} \qquad \text{{(BP1, sigmoid output)}}"
    return aligned(rf"\delta^{{{layer}}}{i}", rf"\frac{{\partial C}}{{\partial {a}}}\, \sigma'({z})",
                   rf"{output_dC_da(d.a, d.y, cost_name)} \cdot {factor(d.sigma_prime)}", last)


def bp2(d: DeltaChain, full: bool = False) -> str:
    """(BP2) ∂C/∂aˡₖ = Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ and δˡₖ = ∂C/∂aˡₖ · σ′(zˡₖ) with numbers; a long sum is shortened
    with ⋯ on screen, written out in full (`full`) on the worked sheet."""
    l, k = d.l, d.k + 1
    products = [rf"{factor(w)} \cdot {factor(dn)}" for w, dn in zip(d.W_col, d.delta_next)]
    dC_da = rf"\frac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}}"
    return aligned(dC_da, rf"\sum_m W^{{{l + 1}}}_{{m{k}}}\,\delta^{{{l + 1}}}_m",
                   sum_in_full(products) if full else _sum(products), num(d.dC_da),
                   more=rows(rf"\delta^{{{l}}}_{{{k}}}", rf"{dC_da}\,\sigma'(z^{{{l}}}_{{{k}}})",
                             rf"{factor(d.dC_da)} \cdot {factor(d.sigma_prime)}",
                             rf"{num(d.delta)} \qquad \text{{(BP2)}}"))


def bp4(w: WeightChain) -> str:
    """(BP4) ∂C/∂Wˡₖⱼ = ∂C/∂aˡₖ · σ′(zˡₖ) · aˡ⁻¹ⱼ = δˡₖ aˡ⁻¹ⱼ with numbers."""
    l, k, j = w.l, w.k + 1, w.j + 1
    return aligned(rf"\frac{{\partial C}}{{\partial W^{{{l}}}_{{{kj(k, j)}}}}}",
                   rf"\frac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}} \cdot \sigma'(z^{{{l}}}_{{{k}}})"
                   rf" \cdot a^{{{l - 1}}}_{{{j}}}",
                   rf"{factor(w.dC_da)} \cdot {factor(w.sigma_prime)} \cdot {factor(w.a_prev)}",
                   rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}")


def update(w: WeightChain, learning_rate: float, new_W: float) -> str:
    """W ← W − η ∂C/∂W for one weight, with numbers."""
    l, k, j = w.l, w.k + 1, w.j + 1
    W = rf"W^{{{l}}}_{{{kj(k, j)}}}"
    return aligned(rf"\text{{new }} {W}", rf"{W} - \eta\,\frac{{\partial C}}{{\partial {W}}}",
                   rf"{num(w.W)} - {num(learning_rate)} \cdot {factor(w.dC_dW)}", num(new_W))


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
    return aligned(rf"z^{{{l}}}", rf"w^{{{l}}}\, {_scalar_a(l - 1)} + b^{{{l}}}",
                   rf"{factor(s.W[0])} \cdot {factor(s.a_prev[0])} + {factor(s.b)}", num(s.z),
                   more=rows(rf"a^{{{l}}}", rf"\sigma(z^{{{l}}}) = \sigma({num(s.z)})", num(s.a)))


def series_cost(cost_name: str, L: int, a: float, y: float, value: float) -> str:
    """C of the one output node aᴸ against y, numbers substituted."""
    aL = rf"a^{{{L}}}"
    if cost_name == "quadratic":
        return aligned("C", rf"\tfrac12 ({aL} - y)^2", rf"\tfrac12 ({num(a)} - {factor(y)})^2", num(value))
    return aligned("C", rf"-\left[y \ln {aL} + (1-y)\ln(1-{aL})\right]",
                   rf"-\left[{factor(y)} \ln {num(a)} + {factor(1 - y)} \ln {factor(1 - a)}\right]",
                   num(value))


def series_delta_output(d: DeltaChain, cost_name: str) -> str:
    """(BP1) δᴸ = ∂C/∂aᴸ · σ′(zᴸ) for the one output node, numbers substituted."""
    return bp1(d, cost_name, layer=str(d.l), node=False)


def series_delta_hidden(d: DeltaChain) -> str:
    """(BP2) δˡ = wˡ⁺¹ δˡ⁺¹ σ′(zˡ) for a node with one node after it, numbers substituted: the recursion
    of the fully connected case, Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ, with a single term."""
    l = d.l
    return aligned(rf"\delta^{{{l}}}", rf"w^{{{l + 1}}}\, \delta^{{{l + 1}}}\, \sigma'(z^{{{l}}})",
                   rf"{factor(d.W_col[0])} \cdot {factor(d.delta_next[0])} \cdot {factor(d.sigma_prime)}",
                   rf"{num(d.delta)} \qquad \text{{(BP2)}}")


def series_weight(w: WeightChain) -> str:
    """(BP4) ∂C/∂wˡ = δˡ aˡ⁻¹ (a⁰ = x), numbers substituted."""
    l = w.l
    return aligned(rf"\frac{{\partial C}}{{\partial w^{{{l}}}}}", rf"\delta^{{{l}}}\, {_scalar_a(l - 1)}",
                   rf"{factor(w.delta)} \cdot {factor(w.a_prev)}", rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}")


def series_bias(l: int, dC_db: float) -> str:
    """(BP3) ∂C/∂bˡ = δˡ, with its number."""
    return aligned(rf"\frac{{\partial C}}{{\partial b^{{{l}}}}}", rf"\delta^{{{l}}}",
                   rf"{num(dC_db)} \qquad \text{{(BP3)}}")


def series_update(name: str, old: float, learning_rate: float, gradient: float, new: float) -> str:
    """θ ← θ − η ∂C/∂θ for one scalar parameter `name` (LaTeX, such as w^{1}), numbers substituted."""
    return aligned(rf"\text{{new }} {name}", rf"{name} - \eta\,\frac{{\partial C}}{{\partial {name}}}",
                   rf"{num(old)} - {num(learning_rate)} \cdot {factor(gradient)}", num(new))


# ------------------------------------------------------------------------------------------------------
# Matrix form: a layer's (BP1)–(BP4) with its vectors and matrices written out (for layers whose every
# dimension is at most SMALL), one entry boxed, beside that entry in index form. They take
# `matrix_form`'s results, whose operands are the trace's.

SMALL = 6                  # a matrix or vector with more rows or columns than this is drawn, not written
MARK = "darkorange"        # the row and column that make the boxed entry (KaTeX takes CSS colour names)


def bmatrix(values, boxed: tuple[int, ...] | None = None, marked_rows=(), marked_cols=(),
            row: bool = False) -> str:
    """A vector (a column; a row if `row`) or a matrix as a bmatrix of num()s; the entry `boxed` ((i,) or
    (i, j)) in a box, the entries of `marked_rows` and `marked_cols` in MARK."""
    M = np.asarray(values, dtype=float)
    M = M[None, :] if M.ndim == 1 and row else M[:, None] if M.ndim == 1 else M
    if boxed is not None and len(boxed) == 1:
        boxed = (0, boxed[0]) if row else (boxed[0], 0)

    def cell(i: int, j: int) -> str:
        s = num(M[i, j])
        if boxed is not None and (i, j) == tuple(boxed):
            return rf"\boxed{{{s}}}"
        return rf"\textcolor{{{MARK}}}{{{s}}}" if i in marked_rows or j in marked_cols else s
    body = r" \\ ".join(" & ".join(cell(i, j) for j in range(M.shape[1])) for i in range(M.shape[0]))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _tag(name: str) -> str:
    return rf"\qquad \text{{({name})}}"


def matrix_bp1(m, k: int) -> str:
    """(BP1) δᴸ = ∇ₐC ⊙ σ′(zᴸ) with the vectors written out, entry k boxed."""
    return aligned(r"\delta^L", r"\nabla_a C \odot \sigma'(z^L)",
                   rf"{bmatrix(m.dC_da, marked_rows=(k,))} \odot {bmatrix(m.sigma_prime, marked_rows=(k,))}",
                   bmatrix(m.delta, boxed=(k,)) + _tag("BP1"))


def matrix_bp2(m, k: int) -> str:
    """(BP2) δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ) with the matrices written out; entry k of (Wˡ⁺¹)ᵀ δˡ⁺¹ boxed and
    the row of (Wˡ⁺¹)ᵀ that makes it marked."""
    l = m.l
    return aligned(rf"\delta^{{{l}}}", rf"\left((W^{{{l + 1}}})^T \delta^{{{l + 1}}}\right) \odot \sigma'(z^{{{l}}})",
                   rf"\left({bmatrix(m.W_next.T, marked_rows=(k,))} {bmatrix(m.delta_next)}\right) "
                   rf"\odot {bmatrix(m.sigma_prime)}",
                   rf"{bmatrix(m.dC_da, boxed=(k,))} \odot {bmatrix(m.sigma_prime, marked_rows=(k,))}",
                   bmatrix(m.delta, marked_rows=(k,)) + _tag("BP2"))


def matrix_bp3(m, k: int) -> str:
    """(BP3) ∂C/∂bˡ = δˡ with the vector written out."""
    l = m.l
    return aligned(rf"\frac{{\partial C}}{{\partial b^{{{l}}}}}", rf"\delta^{{{l}}}",
                   bmatrix(m.dC_db, marked_rows=(k,)) + _tag("BP3"))


def matrix_bp4(m, k: int, j: int) -> str:
    """(BP4) ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, a column times a row, with entry (k, j) boxed and δˡₖ, aˡ⁻¹ⱼ marked."""
    l = m.l
    return aligned(rf"\frac{{\partial C}}{{\partial W^{{{l}}}}}", rf"\delta^{{{l}}} (a^{{{l - 1}}})^T",
                   rf"{bmatrix(m.delta, marked_rows=(k,))} {bmatrix(m.a_prev, marked_cols=(j,), row=True)}",
                   bmatrix(m.dC_dW, boxed=(k, j)) + _tag("BP4"))


def entry_bp1(e, matrix_delta: float) -> str:
    """(BP1) in index form, δᴸₖ = ∂C/∂aᴸₖ σ′(zᴸₖ), equal to entry k of the matrix form's δᴸ."""
    k = e.k + 1
    return aligned(rf"\delta^L_{{{k}}}", rf"\frac{{\partial C}}{{\partial a^L_{{{k}}}}}\, \sigma'(z^L_{{{k}}})",
                   rf"{factor(e.dC_da)} \cdot {factor(e.sigma_prime)}", num(e.delta),
                   more=rows(rf"\left(\nabla_a C \odot \sigma'(z^L)\right)_{{{k}}}",
                             rf"\boxed{{{num(matrix_delta)}}}" + _tag("BP1")))


def _one_per_line(terms: list[str]) -> str:
    """Terms joined by +, one to a line of an `aligned` block; more than MAX_TERMS shortened with ⋯."""
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 2] + [r"\cdots", terms[-1]]
    return r" \\ &\qquad + ".join(terms)


def entry_bp2(e, matrix_dC_da: float) -> str:
    """(BP2) in index form, ∂C/∂aˡₖ = Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ term by term, equal to entry k of (Wˡ⁺¹)ᵀ δˡ⁺¹; then δˡₖ."""
    l, k = e.l, e.k + 1
    products = [rf"{factor(w)} \cdot {factor(d)}" for w, d in zip(e.W_col, e.delta_next)]
    dC_da = rf"\frac{{\partial C}}{{\partial a^{{{l}}}_{{{k}}}}}"
    # One product to a line: the index form has half the page's width beside the matrices.
    return aligned(dC_da, rf"\sum_m W^{{{l + 1}}}_{{m{k}}}\,\delta^{{{l + 1}}}_m", _one_per_line(products),
                   num(e.dC_da),
                   more=rows(rf"\left((W^{{{l + 1}}})^T \delta^{{{l + 1}}}\right)_{{{k}}}",
                             rf"\boxed{{{num(matrix_dC_da)}}}")
                   + rows(rf"\delta^{{{l}}}_{{{k}}}", rf"{dC_da}\,\sigma'(z^{{{l}}}_{{{k}}})",
                          rf"{factor(e.dC_da)} \cdot {factor(e.sigma_prime)}", num(e.delta) + _tag("BP2")))


def entry_bp4(e, matrix_dC_dW: float) -> str:
    """(BP4) in index form, ∂C/∂Wˡₖⱼ = δˡₖ aˡ⁻¹ⱼ, equal to entry (k, j) of δˡ (aˡ⁻¹)ᵀ."""
    l, k, j = e.l, e.k + 1, e.j + 1
    return aligned(rf"\frac{{\partial C}}{{\partial W^{{{l}}}_{{{kj(k, j)}}}}}",
                   rf"\delta^{{{l}}}_{{{k}}}\, a^{{{l - 1}}}_{{{j}}}",
                   rf"{factor(e.delta)} \cdot {factor(e.a_prev)}", num(e.dC_dW),
                   more=rows(rf"\left(\delta^{{{l}}} (a^{{{l - 1}}})^T\right)_{{{kj(k, j)}}}",
                             rf"\boxed{{{num(matrix_dC_dW)}}}" + _tag("BP4")))


# ------------------------------------------------------------------------------------------------------
# The worked sheet: the same equations with every term of every sum written out (a sheet is read on a page,
# where a shortened sum "⋯" would hide numbers the student has to check), and brackets that may span lines.
# They take the same `explain` results, so every number is still the trace's.

SHEET_PER_LINE = 4   # terms of a sum on one line of the sheet


def sum_in_full(terms: list[str], per_line: int = SHEET_PER_LINE) -> str:
    """Every term joined by +, `per_line` to a line of an `aligned` block; never shortened."""
    lines = [" + ".join(terms[i:i + per_line]) for i in range(0, len(terms), per_line)]
    return r" \\ &\qquad + ".join(lines)


def input_sum_in_full(s: InputSum) -> str:
    """zˡₖ with every term of the sum over j, for the worked sheet."""
    return input_sum(s, full=True)


def cost_in_full(cost_name: str, a, y, value: float) -> str:
    """C with every output and target substituted, for the worked sheet."""
    return cost(cost_name, a, y, value, full=True)


def bp2_in_full(d: DeltaChain) -> str:
    """(BP2) with every term of the sum over m, for the worked sheet."""
    return bp2(d, full=True)


def bp4_from_delta(w: WeightChain) -> str:
    """(BP4) ∂C/∂Wˡₖⱼ = δˡₖ aˡ⁻¹ⱼ with numbers: the short form, once δˡₖ is on the sheet."""
    l, k, j = w.l, w.k + 1, w.j + 1
    return aligned(rf"\frac{{\partial C}}{{\partial W^{{{l}}}_{{{kj(k, j)}}}}}",
                   rf"\delta^{{{l}}}_{{{k}}}\, a^{{{l - 1}}}_{{{j}}}",
                   rf"{factor(w.delta)} \cdot {factor(w.a_prev)}", rf"{num(w.dC_dW)} \qquad \text{{(BP4)}}")


def bp3(l: int, k: int, dC_db: float) -> str:
    """(BP3) ∂C/∂bˡₖ = δˡₖ for node k (0-based) of layer l, with its number."""
    return aligned(rf"\frac{{\partial C}}{{\partial b^{{{l}}}_{{{k + 1}}}}}", rf"\delta^{{{l}}}_{{{k + 1}}}",
                   rf"{num(dC_db)} \qquad \text{{(BP3)}}")


def bp1_in_full(d: DeltaChain, cost_name: str) -> str:
    """(BP1) with the output layer written by its number (δ²₁, not δᴸ₁), as every other line of a sheet is."""
    return bp1(d, cost_name, layer=str(d.l))

