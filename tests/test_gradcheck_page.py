"""The gradient-check page: its figures show gradient_check's numbers, its verdict flags a wrong gradient,
the timing helper has the right structure (never timed assertions: they flake), and the page runs (AppTest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from app_charts import charts
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop import costs
from backprop.figures import gradcheck as figs
from backprop.gradcheck import SUSPICIOUS, layer_verdicts
from backprop.lesson.costs_of_gradients import GradientTiming, time_gradients
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "gradient_check.py")
SIZES = [(2, 2, 2), (3, 4, 2, 1), (1, 1), (2, 5, 3, 3, 2)]


def _check(sizes, epsilon=1e-6, seed=0) -> bp.GradientCheck:
    net = bp.Network.random(sizes, "tanh", "sigmoid", seed=seed, init="normal")
    rng = np.random.default_rng(seed)
    return bp.gradient_check(net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]), epsilon=epsilon)


def _named(fig, name):
    (trace,) = [t for t in fig.data if t.name == name]
    return trace


def _n_parameters(sizes) -> int:
    """Counted from the layer widths, independently of Network.n_parameters."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


# ------------------------------------------------------------------------------------------ figures


@pytest.mark.parametrize("sizes", SIZES)
def test_parity_points_are_the_analytic_and_numeric_gradients_of_every_weight_and_bias(sizes):
    check = _check(sizes)
    fig = figs.parity_plot(check)
    total = 0
    for l in range(1, check.L + 1):
        points = _named(fig, f"layer {l}")
        np.testing.assert_array_equal(points.x, np.concatenate([check.trace.dC_dW(l).ravel(), check.trace.dC_db(l)]))
        np.testing.assert_array_equal(
            points.y, np.concatenate([check.numeric_dC_dW(l).ravel(), check.numeric_dC_db(l)])
        )
        assert len({points.marker.color} if isinstance(points.marker.color, str) else points.marker.color) == 1
        total += len(points.x)
    assert total == _n_parameters(sizes)
    assert len({_named(fig, f"layer {l}").marker.color for l in range(1, check.L + 1)}) == check.L, "a colour per layer"
    diagonal = _named(fig, "diagonal (agree)")
    assert list(diagonal.x) == list(diagonal.y)
    lo, hi = diagonal.x
    assert all(lo <= v <= hi for t in fig.data if t.name.startswith("layer ") for v in (*t.x, *t.y))


@pytest.mark.parametrize("selected", [(1, 0, 0), (1, 2, 3), (2, 1, 2), (3, 0, 1)])
def test_the_chosen_weight_is_marked_and_labelled_at_its_analytic_numeric_pair(selected):
    check = _check((4, 3, 2, 1), epsilon=1e-2)  # a large ε: the numeric value differs visibly from backprop's
    l, k, j = selected
    fig = figs.parity_plot(check, selected)
    chosen = _named(fig, "chosen weight")
    assert (chosen.x[0], chosen.y[0]) == (check.trace.dC_dW(l)[k, j], check.numeric_dC_dW(l)[k, j])
    assert chosen.x[0] != chosen.y[0]
    (label,) = fig.layout.annotations
    assert (label.x, label.y) == (chosen.x[0], chosen.y[0])
    assert f"W<sup>{l}</sup><sub>{k + 1},{j + 1}</sub>" in label.text
    assert not any(t.name == "chosen weight" for t in figs.parity_plot(check).data)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("epsilon", [1e-2, 1e-6, 1e-9])
def test_heatmap_cells_are_the_element_wise_relative_errors(sizes, epsilon):
    """The cells carry relative_error_W (and the strip relative_error_b), which equal |a − n| / (|a| + |n|)
    computed here; the colour is their log₁₀, floored."""
    check = _check(sizes, epsilon)
    for l in range(1, check.L + 1):
        fig = figs.error_heatmap(check, l)
        heat_W, heat_b = _named(fig, f"relative_error_W{l}"), _named(fig, f"relative_error_b{l}")
        np.testing.assert_array_equal(heat_W.customdata, check.relative_error_W(l))
        np.testing.assert_array_equal(np.asarray(heat_b.customdata)[:, 0], check.relative_error_b(l))
        a, n = check.trace.dC_dW(l), check.numeric_dC_dW(l)
        mine = np.abs(a - n) / (np.abs(a) + np.abs(n))
        np.testing.assert_allclose(check.relative_error_W(l), mine, rtol=1e-12, atol=0)
        np.testing.assert_array_equal(heat_W.z, np.log10(np.maximum(check.relative_error_W(l), figs.FLOOR)))
        assert np.asarray(heat_W.z).shape == (check.trace.network.sizes[l], check.trace.network.sizes[l - 1])


def test_the_chosen_weights_cell_is_outlined_in_its_layer_only():
    check = _check((3, 4, 2))
    (rect,) = figs.error_heatmap(check, 1, (1, 2, 0)).layout.shapes
    assert (rect.x0, rect.x1, rect.y0, rect.y1) == (-0.5, 0.5, 1.5, 2.5)
    assert figs.error_heatmap(check, 2, (1, 2, 0)).layout.shapes == ()


def test_epsilon_sweep_plots_each_layers_relative_error_at_each_epsilon():
    net = PRESETS["deep_narrow"].network()
    checks = {e: bp.gradient_check(net, (0.8, -0.4), (1.0,), epsilon=e) for e in (1e-9, 1e-6, 1e-3)}
    fig = figs.epsilon_sweep(checks, 1e-6)
    for l in range(1, 7):
        line = _named(fig, f"layer {l}")
        assert list(line.x) == [1e-9, 1e-6, 1e-3]
        assert list(line.y) == [max(checks[e].relative_error(l), figs.FLOOR) for e in (1e-9, 1e-6, 1e-3)]
    assert any(s.type == "line" and s.x0 == s.x1 == 1e-6 for s in fig.layout.shapes)


def test_cost_figure_plots_both_times_against_P_with_the_ratio():
    timings = [
        GradientTiming((2, w, w, 1), p, 2 * p, b, n, 10, 1)
        for w, p, b, n in [(2, 15, 1e-4, 1e-3), (4, 37, 1e-4, 3e-3), (8, 105, 2e-4, 2e-2)]
    ]
    fig = figs.gradient_costs(timings, your_P=12)
    back = _named(fig, "backprop: 1 forward + 1 backward pass")
    numeric = _named(fig, "finite differences: 2P forward passes")
    assert list(back.x) == list(numeric.x) == [15, 37, 105]
    assert list(back.y) == [1e3 * t.backprop_seconds for t in timings]
    assert list(numeric.y) == [1e3 * t.numeric_seconds for t in timings]
    assert list(numeric.text) == ["×10", "×30", "×100"]
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"


# ------------------------------------------------------------------------------------------ the verdict


def _gradients(check):
    layers = range(1, check.L + 1)
    return (
        [check.trace.dC_dW(l) for l in layers],
        [check.trace.dC_db(l) for l in layers],
        [check.numeric_dC_dW(l) for l in layers],
        [check.numeric_dC_db(l) for l in layers],
    )


@pytest.mark.parametrize("sizes", SIZES)
def test_backprops_own_gradients_pass_every_layer(sizes):
    check = _check(sizes)
    verdicts = layer_verdicts(*_gradients(check))
    assert [v.l for v in verdicts] == list(range(1, check.L + 1))
    assert all(v.passed for v in verdicts), [(v.l, v.relative_error) for v in verdicts]
    # One number on screen, one source: the verdict's error is GradientCheck.relative_error.
    assert [v.relative_error for v in verdicts] == [check.relative_error(l) for l in range(1, check.L + 1)]
    assert check.verdicts() == verdicts
    assert [v.n_parameters for v in verdicts] == [n * m + n for m, n in zip(sizes[:-1], sizes[1:], strict=True)]


WRONG = {
    "dC_dW doubled": lambda W, b: (W * 2, b),
    "dC_dW sign flipped": lambda W, b: (-W, b),
    "dC_db sign flipped": lambda W, b: (W, -b),
    "dC_dW transposed": lambda W, b: (W.T.reshape(W.shape), b),
    "largest weight's sign flipped": lambda W, b: (np.where(np.abs(W) == np.abs(W).max(), -W, W), b),
}


@pytest.mark.parametrize("wrong", WRONG)
@pytest.mark.parametrize("bad_layer", [1, 2, 3, 4])
def test_a_deliberately_wrong_gradient_fails_exactly_its_layer(wrong, bad_layer):
    check = _check((2, 5, 3, 3, 2), seed=4)
    aW, ab, nW, nb = (list(g) for g in _gradients(check))
    if wrong == "dC_dW transposed" and aW[bad_layer - 1].shape[0] == aW[bad_layer - 1].shape[1]:
        aW[bad_layer - 1] = aW[bad_layer - 1].T.copy()
    else:
        aW[bad_layer - 1], ab[bad_layer - 1] = WRONG[wrong](aW[bad_layer - 1], ab[bad_layer - 1])
    verdicts = layer_verdicts(aW, ab, nW, nb)
    failed = [v.l for v in verdicts if not v.passed]
    assert failed == [bad_layer], [(v.l, f"{v.relative_error:.1e}") for v in verdicts]
    assert verdicts[bad_layer - 1].reading == "suspicious"
    assert verdicts[bad_layer - 1].relative_error > SUSPICIOUS


def test_the_threshold_decides_pass_or_fail():
    check = _check((2, 3, 1), epsilon=1e-2)  # truncation error ≈ 1e-6
    errors = [check.relative_error(l) for l in (1, 2)]
    assert all(1e-9 < e < 1e-4 for e in errors), errors
    assert all(v.passed for v in check.verdicts(1e-4))
    assert not any(v.passed for v in check.verdicts(1e-9))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda g: (g[0][:1], g[1], g[2], g[3]), "one array per layer"),
        (lambda g: ([w[:, :1] for w in g[0]], g[1], g[2], g[3]), "layer 1"),
        (lambda g: (g[0], [b[:1] for b in g[1]], g[2], g[3]), "layer 1"),
    ],
)
def test_verdict_inputs_that_do_not_match_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        layer_verdicts(*change(_gradients(_check((2, 3, 2)))))
    with pytest.raises(ValueError, match="threshold"):
        layer_verdicts(*_gradients(_check((2, 3, 2))), threshold=0)


# ------------------------------------------------------------------------------------------ the timing helper


def test_timing_covers_each_width_with_2P_cost_evaluations_counted(monkeypatch):
    """The structure, not the times: one entry per width, P counted from the sizes, the finite differences
    making 2P cost evaluations (counted by wrapping the cost itself), and P and 2P growing with the width."""
    calls = []
    original = costs.Quadratic.value
    monkeypatch.setattr(costs.Quadratic, "value", lambda self, z, a, y: calls.append(1) or original(self, z, a, y))
    widths = (2, 3, 6)
    timings = time_gradients(widths)
    assert [t.sizes for t in timings] == [(2, w, w, 1) for w in widths]
    assert [t.P for t in timings] == [_n_parameters(t.sizes) for t in timings]
    assert [t.cost_evaluations for t in timings] == [2 * t.P for t in timings]
    evaluations = [t.cost_evaluations for t in timings]
    assert evaluations == sorted(set(evaluations)), "strictly more evaluations for wider networks"
    # Each backward pass evaluates C once; each gradient check 2P times, plus once for its own trace.
    assert len(calls) == sum(t.backprop_runs + t.numeric_runs * (t.cost_evaluations + 1) for t in timings)
    assert all(t.backprop_runs >= 1 and t.numeric_runs >= 1 for t in timings)
    assert all(np.isfinite(t.ratio) and t.backprop_seconds > 0 and t.numeric_seconds > 0 for t in timings)


def test_timing_reads_its_clock_around_each_run():
    """With a clock that advances one second per reading, every run takes one second: each measurement
    stops after one run (its budget is spent) and reports 1 s."""
    ticks = iter(range(10_000))
    timings = time_gradients((2, 4), clock=lambda: float(next(ticks)))
    assert [(t.backprop_runs, t.numeric_runs, t.backprop_seconds, t.numeric_seconds) for t in timings] == [
        (1, 1, 1.0, 1.0)
    ] * 2


# ------------------------------------------------------------------------------------------ the page (AppTest)


def _page(lesson: Lesson | None = None, selected=None, epsilon=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lesson is not None:
        at.session_state["lesson"] = lesson
    if selected is not None:
        at.session_state["selected"] = selected
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if epsilon is not None:
        at.select_slider(key="epsilon").set_value(epsilon).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _shown_errors(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["relative error"])


def _expected(lesson: Lesson, epsilon: float) -> list[str]:
    check = bp.gradient_check(lesson.network, lesson.x, lesson.y, lesson.cost, epsilon)
    return [f"{check.relative_error(l):.2e}" for l in range(1, check.L + 1)]


def _default() -> Lesson:
    p = PRESETS["worked_2_2_2"]
    return Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate)


def test_page_shows_the_default_network_when_no_lesson_is_stored():
    at = _page()
    assert at.title[0].value == "Gradient check"
    assert at.session_state["lesson"].network == _default().network  # built here, for the step-through page
    assert any("2-2-2" in c.value and "P = 12" in c.value for c in at.caption)
    assert _shown_errors(at) == _expected(_default(), 1e-6)
    assert at.select_slider(key="epsilon").value == 1e-6
    assert any("Every layer passes" in s.value for s in at.success)
    assert len(charts(at)) == 2 + 2 + 1  # parity, sweep, a heatmap per layer, timings
    assert any("Why backprop matters" in h.value for h in at.header)


def test_page_shows_the_step_through_pages_network_and_chosen_weight():
    net = bp.Network.random((3, 4, 2, 1), "tanh", "sigmoid", seed=5)
    lesson = Lesson.start(net, [0.3, -0.2, 0.9], [0.7], "cross_entropy")
    at = _page(lesson, selected=(2, 1, 3))
    assert any("3-4-2-1" in c.value and "W²₂,₄" in c.value for c in at.caption)
    assert _shown_errors(at) == _expected(lesson, 1e-6)
    assert len(charts(at)) == 2 + 3 + 1


def test_changing_epsilon_changes_the_shown_errors():
    at = _page()
    before = _shown_errors(at)
    at.select_slider(key="epsilon").set_value(1e-2).run()
    assert not at.exception
    after = _shown_errors(at)
    assert after != before and after == _expected(_default(), 1e-2)
    assert any("ε = 1e-2" in s.value for s in at.success)


def test_too_small_an_epsilon_fails_a_layer_with_a_message():
    """The deep narrow preset at ε = 1e-10: round-off swamps layer 1's tiny gradients."""
    p = PRESETS["deep_narrow"]
    lesson = Lesson.start(p.network(), p.x, p.y, p.cost)
    at = _page(lesson, epsilon=1e-10)
    assert list(at.dataframe[0].value["verdict"])[0] == "fail"
    assert _shown_errors(at) == _expected(lesson, 1e-10)
    assert any("Layer" in e.value and "ε = 1e-10" in e.value for e in at.error), [e.value for e in at.error]


def test_saturated_cross_entropy_output_reads_agree():
    """Issue 11's reproduction: 2-3-1, linear hidden layer, init normal, seed 38, x = (10, 10), y = 0,
    cross-entropy puts zᴸ ≈ 52. The clipped cost was flat there (its central difference 0), so correct
    backprop read "suspicious"; the exact cost's difference agrees with it."""
    net = bp.Network.random((2, 3, 1), "linear", "sigmoid", seed=38, init="normal")
    lesson = Lesson.start(net, [10.0, 10.0], [0.0], "cross_entropy")
    assert lesson.trace.z(2)[0] > 50 and lesson.trace.cost == pytest.approx(lesson.trace.z(2)[0], rel=1e-12)
    at = _page(lesson)
    assert list(at.dataframe[0].value["reading"]) == ["agree", "agree"]
    assert list(at.dataframe[0].value["verdict"]) == ["pass", "pass"]
    assert _shown_errors(at) == _expected(lesson, 1e-6)
