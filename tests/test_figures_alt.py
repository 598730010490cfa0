"""The figures' text alternatives state the trace's own numbers, step by step, and say what is not yet computed.

Every number in a table is read back from its text and compared with the trace value it stands for, to the
4 significant digits it is written with; the sign is checked as written, so a table never leaves a sign to
colour alone.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import backprop as bp
from backprop.figures import alt
from backprop.lesson.presets import PRESETS

NUMBER = re.compile(r"^[+−]\d")


def parse(cell: str) -> float:
    assert NUMBER.match(cell) or cell == "0", f"{cell!r} is not a signed number"
    return float(cell.replace("−", "-"))


def assert_states(cell: str, value: float) -> None:
    """`cell` is `value` to 4 significant digits, with its sign written out."""
    got = parse(cell)
    assert got == pytest.approx(value, rel=5.01e-4, abs=0), f"{cell} for {value!r}"
    if value != 0:
        assert (cell[0] == "+") == (value > 0)


def lessons():
    for name in ("worked_2_2_2", "deep_narrow", "xor_2_2_1"):
        p = PRESETS[name]
        yield name, bp.backward(p.network(), p.x, p.y, p.cost)
    net = bp.Network.random((3, 5, 4, 2), "tanh", "sigmoid", seed=4)
    yield "3-5-4-2", bp.backward(net, [0.3, -1.2, 2.0], [1.0, 0.0], "cross_entropy")


@pytest.mark.parametrize("name, trace", list(lessons()), ids=lambda v: v if isinstance(v, str) else "")
def test_diagram_table_states_a_and_delta_of_every_node_once_known(name, trace):
    L = trace.L
    for moment in bp.timeline(L):
        text = alt.diagram(trace, moment)
        rows = {(int(r[0]), int(r[1]) - 1): r[2:] for r in text.rows}
        assert len(rows) == sum(trace.network.sizes)
        for (l, k), (a, d) in rows.items():
            if moment.shows_forward(l):
                assert_states(a, trace.a(l)[k])
            else:
                assert a == alt.NOT_YET
            if l == 0:
                assert d == "—"
            elif moment.shows_backward(l):
                assert_states(d, trace.delta(l)[k])
            else:
                assert d == alt.NOT_YET
        assert moment.progress in text.summary


@pytest.mark.parametrize("name, trace", list(lessons()), ids=lambda v: v if isinstance(v, str) else "")
def test_gradient_table_is_the_outer_product_once_its_layer_is_reached(name, trace):
    L = trace.L
    for moment in bp.timeline(L):
        for l in range(1, L + 1):
            text = alt.layer_gradient(trace, l, moment)
            a_row, *k_rows = text.rows
            assert len(k_rows) == trace.network.sizes[l]
            for j, cell in enumerate(a_row[2:]):
                if moment.shows_forward(l - 1):
                    assert_states(cell, trace.a(l - 1)[j])
                else:
                    assert cell == alt.NOT_YET
            for k, (label, d, *cells) in enumerate(k_rows):
                assert label == str(k + 1)
                if moment.shows_backward(l):
                    assert_states(d, trace.delta(l)[k])
                    for j, cell in enumerate(cells):
                        assert_states(cell, trace.dC_dW(l)[k, j])
                else:
                    assert d == alt.NOT_YET and set(cells) == {alt.NOT_YET}
            assert text.summary.startswith(f"Layer {l}")
            assert (f"W{alt._sup(l)} computed:" in text.summary) == moment.shows_backward(l)


def test_summary_names_the_largest_delta_and_cell_with_their_values():
    p = PRESETS["worked_2_2_2"]
    trace = bp.backward(p.network(), p.x, p.y, p.cost)
    moment = bp.step(2, 4)  # backward through layer 2
    text = alt.layer_gradient(trace, 2, moment)
    # Mazur's δ²: (0.138498562, −0.038098237); the largest cell is δ²₁ a¹₂ = 0.138498562 × 0.596884378.
    assert "largest magnitude at node 1, +0.1385" in text.summary
    assert "row k = 1, column j = 2, +0.08267" in text.summary
    assert "δ² computed" not in alt.layer_gradient(trace, 1, moment).summary
    assert "not yet computed: fills in at step 5" in alt.layer_gradient(trace, 1, moment).summary
    diagram = alt.diagram(trace, moment).summary
    assert "largest |δ| is at node 1, +0.1385" in diagram and "layer 1 not yet computed" in diagram


def test_num_writes_the_sign_and_four_digits():
    assert [alt.num(v) for v in (0.138498562, -0.038098237, 0.0, -0.0, 12345.6, -1e-300)] == [
        "+0.1385",
        "−0.0381",
        "0",
        "0",
        "+1.235e+04",
        "−1e-300",
    ]


def test_markdown_table_has_a_row_per_row_and_cuts_large_tables():
    net = bp.Network.random((8, 16, 16, 16, 16, 16, 16, 8), seed=0)
    trace = bp.backward(net, np.zeros(8), np.zeros(8))
    moment = bp.step(net.L, bp.n_steps(net.L) - 1)
    text = alt.diagram(trace, moment)
    assert len(text.rows) == alt.MAX_ROWS and text.left_out == sum(net.sizes) - alt.MAX_ROWS
    md = text.markdown()
    assert md.count("\n| ") == alt.MAX_ROWS + 2  # the header, the rule and the rows
    assert f"{text.left_out} more rows" in md


# ------------------------------------------------------------------------------------------------------
# The companion pages' figures


def _mazur():
    p = PRESETS["worked_2_2_2"]
    return bp.backward(p.network(), p.x, p.y, p.cost)


def test_cost_curve_states_the_point_the_slope_and_the_drawn_curve():
    from backprop.figures.series import cost_curve

    trace = _mazur()
    fig = cost_curve(trace, "W", 2, 0, 1, learning_rate=0.5)
    text = alt.cost_curve(trace, "W", 2, 0, 1, fig)
    assert f"now W²₁,₂ = {alt.num(0.45)} and C = {alt.num(trace.cost)}" in text.summary
    assert f"∂C/∂W²₁,₂ = {alt.num(trace.dC_dW(2)[0, 1])} (backprop)" in text.summary
    (step,) = [t for t in fig.data if t.name == "step"]
    assert f"moves W²₁,₂ to {alt.num(step.x[0])}, where C = {alt.num(step.y[0])}" in text.summary
    drawn = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    for theta, c in text.rows:  # every tabled point lies on the drawn curve
        match = [v for t, v in drawn.items() if abs(t - parse(theta)) <= 5e-4 * max(abs(t), 1e-12)]
        assert match and any(abs(parse(c) - v) <= 5.01e-4 * abs(v) for v in match)


def test_parity_rows_are_backprop_and_finite_differences():
    trace = _mazur()
    check = bp.gradient_check(trace.network, trace.a(0), trace.y, trace.cost_name)
    text = alt.parity(check)
    rows = {r[0]: r[1:] for r in text.rows}
    assert len(rows) == trace.network.n_parameters
    a, n, e = rows["W²₁,₂"]
    assert_states(a, trace.dC_dW(2)[0, 1])
    assert_states(n, check.numeric_dC_dW(2)[0, 1])
    assert float(e) == pytest.approx(check.relative_error_W(2)[0, 1], rel=0.06)
    a, n, _ = rows["b¹₂"]
    assert_states(a, trace.dC_db(1)[1])
    assert_states(n, check.numeric_dC_db(1)[1])


def test_training_texts_state_the_history():
    data = bp.datasets.xor(n=100, seed=0)
    state = bp.run_epochs(bp.start_training(bp.default_config(data), data), 30)
    h = state.history
    loss = alt.training_curve(h, "loss")
    assert f"train loss from {h.train_loss[0]:.4g} to {h.train_loss[-1]:.4g}" in loss.summary
    assert loss.rows[0][0] == "0" and loss.rows[-1][0] == "30" and len(loss.rows) == 21
    for row in loss.rows:
        e = int(row[0])
        assert float(row[1]) == pytest.approx(h.train_loss[e], rel=5e-4)
        assert float(row[2]) == pytest.approx(h.test_loss[e], rel=5e-4)
    norms = alt.per_layer(h, "gradient norm")
    assert norms.header == ("epoch", "layer 1", "layer 2", "layer 3")
    assert float(norms.rows[-1][1]) == pytest.approx(h.grad_norm(1)[-1], rel=5e-3)
    fit = alt.fit(state.network, data)
    out = bp.predict(state.network, data.X)[:, 0]
    right = np.mean((out[data.test_index] >= 0.5) == (data.Y[data.test_index, 0] >= 0.5))
    assert f"test points {data.test_index.size}, classified right {right:.1%}" in fit.summary
