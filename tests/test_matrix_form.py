"""Matrix form: the core's vectors and matrices against the index form written out here with explicit loops,
the chosen entry against the index-form sums and the trace, the LaTeX builders against the trace's numbers,
the heatmap, and the page itself (AppTest).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from app_charts import charts
from helpers_core import product_shown, shown
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.figures.matrix import matrix_heatmap, side_by_side
from backprop.lesson import equations as eq
from backprop.lesson.matrix_form import entry, layer_matrices
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "matrix_form.py")
TIMEOUT = 60

CASES = [
    # (sizes, hidden activation, output activation, cost)
    ((2, 2, 2), "sigmoid", "sigmoid", "quadratic"),
    ((3, 4, 2), "tanh", "sigmoid", "cross_entropy"),
    ((2, 5, 3, 1), "relu", "linear", "quadratic"),
    ((4, 3, 6, 2, 3), "leaky_relu", "tanh", "quadratic"),
    ((1, 7, 1), "linear", "sigmoid", "cross_entropy"),
]


def _trace(sizes, act, out, cost, seed=0) -> bp.Trace:
    rng = np.random.default_rng(seed + 100)
    net = bp.Network.random(sizes, act, out, seed=seed)
    return bp.backward(net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0.1, 0.9, sizes[-1]), cost)


def _index_form(trace: bp.Trace, l: int) -> dict:
    """Layer l's ∂C/∂aˡ, δˡ and ∂C/∂Wˡ one number at a time, as the index form writes them: loops over k, m
    and j, plain Python floats, no matrix product."""
    net, L = trace.network, trace.L
    n_l, n_prev = net.sizes[l], net.sizes[l - 1]
    sp = [float(v) for v in trace.sigma_prime(l)]
    if l == L:
        dC_da = [float(v) for v in trace.dC_da(L)]  # from the cost, as (BP1) takes it
        delta = [float(v) for v in trace.delta(L)]
    else:
        W, d = net.W(l + 1), trace.delta(l + 1)
        dC_da = []
        for k in range(n_l):
            total = 0.0
            for m in range(net.sizes[l + 1]):
                total += float(W[m, k]) * float(d[m])  # Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ
            dC_da.append(total)
        delta = [dC_da[k] * sp[k] for k in range(n_l)]
    a_prev = [float(v) for v in trace.a(l - 1)]
    dC_dW = [[delta[k] * a_prev[j] for j in range(n_prev)] for k in range(n_l)]
    return dict(dC_da=np.array(dC_da), delta=np.array(delta), dC_dW=np.array(dC_dW))


def _close(mine, theirs, what: str) -> None:
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15, err_msg=f"{what}: mine / index form")


# ------------------------------------------------------------------------------------------ core


@pytest.mark.parametrize("sizes, act, out, cost", CASES)
def test_matrix_form_equals_the_index_form_and_the_trace_at_every_layer(sizes, act, out, cost):
    trace = _trace(sizes, act, out, cost)
    for l in range(1, trace.L + 1):
        m, ref = layer_matrices(trace, l), _index_form(trace, l)
        assert m.l == l and m.is_output == (l == trace.L)
        _close(m.dC_da, ref["dC_da"], f"(W^{l + 1})^T δ^{l + 1}, layer {l}")
        _close(m.delta, ref["delta"], f"δ^{l}")
        _close(m.dC_dW, ref["dC_dW"], f"δ^{l} (a^{l - 1})^T")
        _close(m.dC_db, ref["delta"], f"∂C/∂b^{l}")
        # … and the trace, the one source the page shows:
        _close(m.delta, trace.delta(l), f"δ^{l} against the trace")
        _close(m.dC_dW, trace.dC_dW(l), f"∂C/∂W^{l} against the trace")
        _close(m.dC_da, trace.dC_da(l), f"∂C/∂a^{l} against the trace")
        assert m.dC_dW.shape == (sizes[l], sizes[l - 1])
        if l < trace.L:
            assert m.W_next.shape == (sizes[l + 1], sizes[l])
            np.testing.assert_array_equal(m.W_next, trace.network.W(l + 1))
            np.testing.assert_array_equal(m.delta_next, trace.delta(l + 1))
        else:
            assert m.W_next is None and m.delta_next is None


def test_the_index_form_reference_tells_a_transposed_product_apart():
    """The reference above can fail: for a non-square Wˡ⁺¹, W δ instead of Wᵀ δ is not even the right size,
    and for a square non-symmetric one it gives other numbers."""
    trace = _trace((2, 3, 3, 1), "sigmoid", "sigmoid", "quadratic")
    W, d = trace.network.W(2), trace.delta(2)
    assert not np.allclose(W @ d, _index_form(trace, 1)["dC_da"])
    np.testing.assert_allclose(W.T @ d, _index_form(trace, 1)["dC_da"], rtol=1e-12)


@pytest.mark.parametrize("sizes, act, out, cost", CASES)
def test_every_entry_is_the_index_form_sum_and_the_traces_number(sizes, act, out, cost):
    trace = _trace(sizes, act, out, cost, seed=3)
    for l in range(1, trace.L + 1):
        m, ref = layer_matrices(trace, l), _index_form(trace, l)
        for k in range(sizes[l]):
            for j in range(sizes[l - 1]):
                e = entry(trace, l, k, j)
                assert (e.l, e.k, e.j, e.is_output) == (l, k, j, l == trace.L)
                assert e.dC_da == pytest.approx(ref["dC_da"][k], rel=1e-12, abs=1e-15)
                assert e.dC_da == pytest.approx(m.dC_da[k], rel=1e-12, abs=1e-15)  # the boxed entry
                assert e.dC_da == pytest.approx(float(trace.dC_da(l)[k]), rel=1e-12, abs=1e-15)
                assert e.delta == pytest.approx(float(trace.delta(l)[k]), rel=1e-12, abs=1e-15)
                assert e.dC_dW == pytest.approx(float(trace.dC_dW(l)[k, j]), rel=1e-12, abs=1e-15)
                assert e.dC_dW == pytest.approx(m.dC_dW[k, j], rel=1e-12, abs=1e-15)
                assert e.a_prev == float(trace.a(l - 1)[j])
                assert e.sigma_prime == float(trace.sigma_prime(l)[k])
                if l < trace.L:
                    np.testing.assert_array_equal(e.W_col, trace.network.W(l + 1)[:, k])
                    np.testing.assert_allclose(e.terms, e.W_col * e.delta_next, rtol=1e-15)
                    assert e.dC_da == pytest.approx(sum(e.terms), rel=1e-12, abs=1e-15)
                else:
                    assert e.terms is None and e.W_col is None


def test_entry_and_layer_refuse_out_of_range_indices():
    trace = _trace((2, 3, 1), "sigmoid", "sigmoid", "quadratic")
    for bad in [(0, 0, 0), (3, 0, 0), (1, 3, 0), (1, 0, 2), (2, 1, 0)]:
        with pytest.raises(ValueError):
            entry(trace, *bad)
    with pytest.raises(ValueError):
        layer_matrices(trace, 3)


def test_the_worked_example_by_hand():
    """Mazur's 2-2-2: δ² by (BP1) and ∂C/∂a¹₁ = W²₁₁ δ²₁ + W²₂₁ δ²₂ with his published numbers."""
    p = PRESETS["worked_2_2_2"]
    trace = bp.backward(p.network(), p.x, p.y, p.cost)
    e = entry(trace, 1, 0, 0)
    assert e.dC_da == pytest.approx(0.40 * 0.13849856 + 0.50 * -0.03809824, abs=1e-7)
    m = layer_matrices(trace, 2)
    assert m.dC_dW[0, 0] == pytest.approx(0.082167041, abs=1e-8)  # ∂C/∂w₅ in the blog post


# ------------------------------------------------------------------------------------------ LaTeX

BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}")  # one level of nested braces: 10^{-5}


def _boxed(tex: str) -> list[str]:
    return BOXED.findall(tex)


def test_bmatrix_writes_nums_in_rows_and_columns_with_the_boxed_entry():
    M = np.array([[1.5, -2.0, 3e-7], [0.0, 0.125, -4.25]])
    tex = eq.bmatrix(M, boxed=(1, 2), marked_rows=(0,))
    assert tex.startswith(r"\begin{bmatrix}") and tex.endswith(r"\end{bmatrix}")
    body = tex[len(r"\begin{bmatrix}") : -len(r"\end{bmatrix}")]
    rows = body.split(r" \\ ")
    assert len(rows) == 2 and all(len(r.split(" & ")) == 3 for r in rows)
    assert _boxed(tex) == [eq.num(-4.25)]
    assert rf"\textcolor{{{eq.MARK}}}{{{eq.num(3e-7)}}}" in tex
    assert eq.bmatrix([1, 2, 3], row=True).count("&") == 2
    assert eq.bmatrix([1, 2, 3]).count(r"\\") == 2
    assert _boxed(eq.bmatrix([1, 2, 3], boxed=(2,), row=True)) == ["3"]


@pytest.mark.parametrize("sizes, act, out, cost", CASES[:4])
def test_matrix_equations_print_the_traces_numbers_and_box_the_chosen_entry(sizes, act, out, cost):
    trace = _trace(sizes, act, out, cost, seed=5)
    L = trace.L
    for l in range(1, L + 1):
        m = layer_matrices(trace, l)
        k, j = sizes[l] - 1, sizes[l - 1] - 1
        if l == L:
            tex = eq.matrix_bp1(m, k)
            numbers = [*trace.dC_da(L), *trace.sigma_prime(L), *trace.delta(L)]
            assert _boxed(tex) == [eq.num(trace.delta(L)[k])] and r"\text{(BP1)}" in tex
        else:
            tex = eq.matrix_bp2(m, k)
            numbers = [*trace.network.W(l + 1).ravel(), *trace.delta(l + 1), *trace.dC_da(l), *trace.delta(l)]
            assert _boxed(tex) == [eq.num(trace.dC_da(l)[k])] and r"\text{(BP2)}" in tex
            assert rf"(W^{{{l + 1}}})^T" in tex
        for v in numbers:  # with 4 significant digits, or more where the printed products need them
            assert shown(v, tex), f"{eq.num(v)} missing from layer {l}'s equation"
        tex4 = eq.matrix_bp4(m, k, j)
        assert _boxed(tex4) == [eq.num(trace.dC_dW(l)[k, j])] and r"\text{(BP4)}" in tex4
        for v in [*trace.dC_dW(l).ravel(), *trace.a(l - 1), *trace.delta(l)]:
            assert shown(v, tex4)
        tex3 = eq.matrix_bp3(m, k)
        assert all(shown(v, tex3) for v in trace.dC_db(l)) and r"\text{(BP3)}" in tex3


def test_index_equations_print_the_sum_term_by_term_and_equal_the_boxed_matrix_entry():
    trace = _trace((3, 4, 2), "tanh", "sigmoid", "quadratic", seed=2)
    l, k, j = 1, 2, 1
    e, m = entry(trace, l, k, j), layer_matrices(trace, l)
    tex = eq.entry_bp2(e, m.dC_da[k])
    W = trace.network.W(2)
    for mm in range(2):
        assert product_shown([W[mm, k], trace.delta(2)[mm]], tex)
    assert r"\sum_m W^{2}_{m3}" in tex
    assert _boxed(tex) == [eq.num(trace.dC_da(1)[k])]
    assert shown(trace.delta(1)[k], tex)
    tex4 = eq.entry_bp4(e, m.dC_dW[k, j])
    assert product_shown([trace.delta(1)[k], trace.a(0)[j]], tex4)
    assert _boxed(tex4) == [eq.num(trace.dC_dW(1)[k, j])] and "W^{1}_{32}" in tex4
    out = entry(trace, 2, 1, 3)
    tex1 = eq.entry_bp1(out, layer_matrices(trace, 2).delta[1])
    assert _boxed(tex1) == [eq.num(trace.delta(2)[1])]
    assert product_shown([trace.dC_da(2)[1], trace.sigma_prime(2)[1]], tex1)


# ------------------------------------------------------------------------------------------ figure


def test_heatmap_shows_the_values_and_outlines_the_chosen_cell_and_row():
    M = np.arange(12.0).reshape(3, 4) - 5
    fig = matrix_heatmap(M, "title", boxed=(2, 1), row=0)
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), M)
    rects = [(s.x0, s.x1, s.y0, s.y1) for s in fig.layout.shapes]
    assert (-0.5, 3.5, -0.5, 0.5) in rects  # row 1 whole
    assert (0.5, 1.5, 1.5, 2.5) in rects  # cell (3, 2)
    assert fig.data[0].zmin == -6 and fig.data[0].zmax == 6
    column = matrix_heatmap([1.0, -2.0], "v")
    assert np.asarray(column.data[0].z).shape == (2, 1) and not column.layout.shapes


def test_side_by_side_draws_each_part_on_its_own_axes_with_its_outlines():
    trace = _trace((2, 8, 7, 1), "sigmoid", "sigmoid", "quadratic")
    m, k = layer_matrices(trace, 1), 5
    fig = side_by_side([(m.W_next.T, "Wt", None, k), (m.delta_next, "d", None, None), (m.dC_da, "p", (k, 0), None)])
    assert [t.xaxis for t in fig.data] == ["x", "x2", "x3"]
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), trace.network.W(2).T)
    np.testing.assert_array_equal(np.asarray(fig.data[1].z)[:, 0], trace.delta(2))
    np.testing.assert_array_equal(np.asarray(fig.data[2].z)[:, 0], trace.dC_da(1))
    rects = [(s.xref, s.x0, s.x1, s.y0, s.y1) for s in fig.layout.shapes]
    assert rects == [("x", -0.5, 6.5, k - 0.5, k + 0.5), ("x3", -0.5, 0.5, k - 0.5, k + 0.5)]
    d1, d2, d3 = fig.layout.xaxis.domain, fig.layout.xaxis2.domain, fig.layout.xaxis3.domain
    assert 0 == d1[0] < d1[1] < d2[0] < d2[1] < d3[0] < d3[1] == pytest.approx(1)
    assert [a.text for a in fig.layout.annotations] == ["<b>Wt</b>", "<b>d</b>", "<b>p</b>"]


# ------------------------------------------------------------------------------------------ the page


def _page(lesson: Lesson | None = None, selected=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if lesson is not None:
        at.session_state["lesson"] = lesson
    if selected is not None:
        at.session_state["selected"] = selected
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _all_boxed(at: AppTest) -> list[str]:
    return [b for t in at.latex for b in _boxed(t.value)]


def _lesson(sizes=(3, 4, 2, 2), act="tanh", out="sigmoid", cost="quadratic", seed=5) -> Lesson:
    rng = np.random.default_rng(seed)
    net = bp.Network.random(sizes, act, out, seed=seed)
    return Lesson.start(net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0.1, 0.9, sizes[-1]), cost)


def _expected_boxes(trace: bp.Trace, l: int, k: int, j: int) -> list[str]:
    """The boxed numbers the page should show, in page order: the matrix form, then the index form."""
    first = trace.delta(l)[k] if l == trace.L else trace.dC_da(l)[k]
    return [eq.num(first), eq.num(trace.dC_dW(l)[k, j]), eq.num(first), eq.num(trace.dC_dW(l)[k, j])]


def test_page_shows_the_default_network_when_no_lesson_is_stored():
    at = _page()
    p = PRESETS["worked_2_2_2"]
    assert at.title[0].value == "Matrix form"
    assert at.session_state["lesson"].network == p.network()  # built here, for the step-through page to take over
    assert any("2-2-2" in c.value for c in at.caption)
    trace = bp.backward(p.network(), p.x, p.y, p.cost)
    assert (
        at.selectbox(key="matrix_l").value,
        at.selectbox(key="matrix_k").value,
        at.selectbox(key="matrix_j").value,
    ) == (1, 0, 0)
    assert _all_boxed(at) == _expected_boxes(trace, 1, 0, 0)
    assert any(eq.matrix_bp2(layer_matrices(trace, 1), 0) in t.value for t in at.latex)
    assert "Both forms give the same numbers" in at.success[0].value


def test_page_starts_at_the_step_through_pages_network_and_weight():
    lesson = _lesson()
    at = _page(lesson, selected=(2, 1, 3))
    assert any("3-4-2-2" in c.value for c in at.caption)
    assert (
        at.selectbox(key="matrix_l").value,
        at.selectbox(key="matrix_k").value,
        at.selectbox(key="matrix_j").value,
    ) == (2, 1, 3)
    assert _all_boxed(at) == _expected_boxes(lesson.trace, 2, 1, 3)


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("matrix_l", 3, (3, 1, 1)),  # the output layer: k and j kept where they fit, (BP1) instead of (BP2)
        ("matrix_k", 0, (2, 0, 3)),
        ("matrix_j", 0, (2, 1, 0)),
        ("matrix_l", 1, (1, 1, 2)),  # layer 0 has 3 nodes: j = 4 does not fit and becomes the last, 3
    ],
)
def test_changing_l_k_or_j_changes_the_highlighted_numbers(key, value, expected):
    lesson = _lesson()
    at = _page(lesson, selected=(2, 1, 3))
    before = _all_boxed(at)
    at.selectbox(key=key).set_value(value).run()
    _ok(at)
    shown = (at.selectbox(key="matrix_l").value, at.selectbox(key="matrix_k").value, at.selectbox(key="matrix_j").value)
    assert shown == expected
    after = _all_boxed(at)
    assert after != before and after == _expected_boxes(lesson.trace, *expected)
    if expected[0] == lesson.network.L:
        # (the summary at the top names all four; the worked equations are the ones with matrices)
        assert any(r"\text{(BP1)}" in t.value and "bmatrix" in t.value for t in at.latex)
        assert not any(r"\text{(BP2)}" in t.value and "bmatrix" in t.value for t in at.latex)


def test_large_layers_are_drawn_as_heatmaps_and_still_box_the_index_form():
    lesson = _lesson(sizes=(3, 10, 8, 7), act="relu", out="linear")
    at = _page(lesson, selected=(2, 7, 9))
    assert len(charts(at)) == 2  # (W³)ᵀ, δ³, (W³)ᵀ δ³ in one chart, and the ∂C/∂W² heatmap
    trace = lesson.trace
    # The written-out matrices give way to the heatmaps; the index form still shows the entries.
    assert _all_boxed(at) == [eq.num(trace.dC_da(2)[7]), eq.num(trace.dC_dW(2)[7, 9])]
    at.selectbox(key="matrix_l").set_value(3).run()
    _ok(at)
    assert len(charts(at)) == 2  # ∇ₐC, σ′, δᴸ in one chart, and ∂C/∂W³ (7 × 8)
    assert _all_boxed(at) == [eq.num(trace.delta(3)[6]), eq.num(trace.dC_dW(3)[6, 7])]


def test_a_new_choice_on_the_step_through_page_is_taken_over():
    lesson = _lesson()
    at = _page(lesson, selected=(2, 1, 3))
    at.selectbox(key="matrix_k").set_value(0).run()
    at.session_state["selected"] = (1, 2, 0)
    at.run()
    _ok(at)
    assert _all_boxed(at) == _expected_boxes(lesson.trace, 1, 2, 0)
