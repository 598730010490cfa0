"""Two nodes in series: the cost along one parameter (core), the scalar equations, the cost-curve figure and
the page itself (AppTest).

Independent references: the chain rule written out here with math.exp for two nodes in series, and central
differences of the cost.
"""

from __future__ import annotations

import itertools
import math
import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from helpers_core import product_shown
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.figures.series import cost_curve, parameter_value
from backprop.lesson import equations as eq

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "two_nodes.py")
TIMEOUT = 60


def _series(x, w1, b1, w2, b2, y, act1="sigmoid", act2="sigmoid", cost="quadratic") -> bp.Trace:
    """The page's network: a 1-1-1 network, built as the page builds it."""
    net = bp.Network.from_arrays([[[w1]], [[w2]]], [[b1], [b2]], act1, act2)
    return bp.backward(net, [x], [y], cost)


def _named(fig, name):
    (t,) = [t for t in fig.data if t.name == name]
    return t


# ------------------------------------------------------------------------------------------ by hand


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def _by_hand(x, w1, b1, w2, b2, y, cost="quadratic", act1="sigmoid"):
    """Two nodes in series as the lecture writes them, scalars only: sigmoid output, hidden sigmoid or tanh."""
    z1 = w1 * x + b1
    a1, sp1 = (_sig(z1), _sig(z1) * (1 - _sig(z1))) if act1 == "sigmoid" else (math.tanh(z1), 1 - math.tanh(z1) ** 2)
    z2 = w2 * a1 + b2
    a2 = _sig(z2)
    sp2 = a2 * (1 - a2)
    if cost == "quadratic":
        C = 0.5 * (a2 - y) ** 2
        dC_da2 = a2 - y
    else:
        C = -(y * math.log(a2) + (1 - y) * math.log(1 - a2))
        dC_da2 = (a2 - y) / (a2 * (1 - a2))
    d2 = dC_da2 * sp2  # δ² = ∂C/∂a² σ′(z²)
    d1 = w2 * d2 * sp1  # δ¹ = w² δ² σ′(z¹)
    return dict(a1=a1, a2=a2, C=C, d2=d2, d1=d1, dw2=d2 * a1, db2=d2, dw1=d1 * x, db1=d1)


HAND_PICKED = [
    # (x, w1, b1, w2, b2, y, cost, hidden activation)
    (1.0, 0.8, 0.2, -1.2, 0.3, 1.0, "quadratic", "sigmoid"),
    (-1.5, 2.0, -0.5, 3.0, -1.0, 0.25, "quadratic", "tanh"),
    (0.7, -1.3, 0.4, 0.9, 0.1, 0.0, "cross_entropy", "sigmoid"),
]


@pytest.mark.parametrize("x, w1, b1, w2, b2, y, cost, act1", HAND_PICKED)
def test_core_trace_of_two_nodes_equals_the_chain_rule_written_out_by_hand(x, w1, b1, w2, b2, y, cost, act1):
    trace = _series(x, w1, b1, w2, b2, y, act1, "sigmoid", cost)
    ref = _by_hand(x, w1, b1, w2, b2, y, cost, act1)
    mine = dict(
        a1=trace.a(1)[0],
        a2=trace.a(2)[0],
        C=trace.cost,
        d2=trace.delta(2)[0],
        d1=trace.delta(1)[0],
        dw2=trace.dC_dW(2)[0, 0],
        db2=trace.dC_db(2)[0],
        dw1=trace.dC_dW(1)[0, 0],
        db1=trace.dC_db(1)[0],
    )
    for name, value in ref.items():
        assert mine[name] == pytest.approx(value, rel=1e-12, abs=1e-15), f"{name}: mine {mine[name]} / hand {value}"


def test_the_first_hand_picked_case_has_the_numbers_worked_on_paper():
    """σ(1) = 0.7310585786…, z² = −1.2 · σ(1) + 0.3, and the rest by the formulas on the page."""
    trace = _series(1.0, 0.8, 0.2, -1.2, 0.3, 1.0)
    assert trace.a(1)[0] == pytest.approx(0.7310585786300049, rel=1e-15)
    assert trace.z(2)[0] == pytest.approx(-0.5772702943560059, rel=1e-14)
    assert eq.num(trace.cost) == "0.2051" and eq.num(trace.delta(2)[0]) == "-0.1475"
    assert eq.num(trace.delta(1)[0]) == "0.0348" and eq.num(trace.dC_dW(2)[0, 0]) == "-0.1078"


# ------------------------------------------------------------------------------------------ equations


@pytest.mark.parametrize("x, w1, b1, w2, b2, y, cost, act1", HAND_PICKED)
def test_scalar_equations_show_the_hand_computed_numbers(x, w1, b1, w2, b2, y, cost, act1):
    trace = _series(x, w1, b1, w2, b2, y, act1, "sigmoid", cost)
    ref = _by_hand(x, w1, b1, w2, b2, y, cost, act1)
    bp1 = eq.series_delta_output(bp.delta_chain(trace, 2, 0), cost)
    assert bp1.startswith(r"\begin{aligned}\delta^{2} &= \frac{\partial C}{\partial a^{2}}\, \sigma'(z^{2})")
    assert rf"{eq.num(ref['d2'])} \qquad \text{{(BP1" in bp1
    bp2 = eq.series_delta_hidden(bp.delta_chain(trace, 1, 0))
    # δ¹ = w² δ² σ′(z¹) with the three factors written out
    sp1 = ref["d1"] / (w2 * ref["d2"])
    assert product_shown([w2, ref["d2"], sp1], bp2)
    assert rf"&= {eq.num(ref['d1'])} \qquad \text{{(BP2)}}" in bp2
    w_2 = eq.series_weight(bp.weight_chain(trace, 2, 0, 0))
    assert product_shown([ref["d2"], ref["a1"]], w_2) and rf" \\ &= {eq.num(ref['dw2'])} \qquad" in w_2
    w_1 = eq.series_weight(bp.weight_chain(trace, 1, 0, 0))
    assert r"\delta^{1}\, x" in w_1 and product_shown([ref["d1"], x], w_1)
    assert rf"&= {eq.num(ref['dw1'])} \qquad \text{{(BP4)}}" in w_1
    bias = eq.series_bias(1, trace.dC_db(1)[0])
    assert bias.endswith(rf"&= {eq.num(ref['db1'])} \qquad \text{{(BP3)}}\end{{aligned}}")
    cost_lines = eq.series_cost(cost, 2, trace.z(2)[0], trace.a(2)[0], y, trace.cost)
    assert cost_lines.endswith(rf"&= {eq.num(ref['C'])}\end{{aligned}}")


def test_scalar_forward_and_update_equations():
    trace = _series(1.0, 0.8, 0.2, -1.2, 0.3, 1.0)
    fwd = eq.series_input_sum(bp.input_sum(trace, 2, 0))
    assert fwd == (
        r"\begin{aligned}z^{2} &= w^{2}\, a^{1} + b^{2} \\ &= (-1.2) \cdot 0.7311 + 0.3 \\ "
        r"&= -0.5773 \\ a^{2} &= \sigma(z^{2}) = \sigma(-0.5773) \\ &= 0.3596\end{aligned}"
    )
    assert r"w^{1}\, x + b^{1}" in eq.series_input_sum(bp.input_sum(trace, 1, 0))
    new = bp.gradient_descent_step(trace.network, trace, 0.5)
    text = eq.series_update("w^{2}", -1.2, 0.5, trace.dC_dW(2)[0, 0], new.W(2)[0, 0])
    assert text.endswith(r"&= -1.2 - 0.5 \cdot (-0.1078) \\ &= -1.146\end{aligned}")
    ce = eq.series_delta_output(
        bp.delta_chain(_series(0.7, -1.3, 0.4, 0.9, 0.1, 0.0, cost="cross_entropy"), 2, 0), "cross_entropy"
    )
    assert r"a^{2} - y =" in ce and r"\text{(BP1, sigmoid output)}" in ce


# ------------------------------------------------------------------------------------------ cost_along


@pytest.mark.parametrize(
    "sizes, act, out",
    [((1, 1, 1), "sigmoid", "sigmoid"), ((2, 3, 1), "tanh", "sigmoid"), ((3, 2, 4, 2), "leaky_relu", "linear")],
)
def test_cost_along_equals_cost_of_with_the_parameter_replaced(sizes, act, out):
    net = bp.Network.random(sizes, act, out, seed=3, init="normal")
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1])
    values = np.array([-2.0, -0.3, 0.0, 0.45, 1.7])
    for l in range(1, net.L + 1):
        k, j = sizes[l] - 1, sizes[l - 1] - 1
        for param in ("W", "b"):
            got = bp.cost_along(net, x, y, values, param, l, k, j)
            want = []
            for v in values:
                W = [np.array(net.W(m)) for m in range(1, net.L + 1)]
                b = [np.array(net.b(m)) for m in range(1, net.L + 1)]
                (W if param == "W" else b)[l - 1][(k, j) if param == "W" else k] = v
                want.append(bp.cost_of(bp.Network.from_arrays(W, b, act, out), x, y))
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15, err_msg=f"{param}{l}")


def test_cost_along_at_the_current_value_is_the_traces_cost_and_its_slope_the_gradient():
    trace = _series(-1.5, 2.0, -0.5, 3.0, -1.0, 0.25, act1="tanh")
    net, h = trace.network, 1e-6
    for param, l in (("W", 1), ("b", 1), ("W", 2), ("b", 2)):
        theta, grad = parameter_value(trace, param, l)
        C = bp.cost_along(net, [-1.5], [0.25], [theta - h, theta, theta + h], param, l)
        assert C[1] == trace.cost
        assert (C[2] - C[0]) / (2 * h) == pytest.approx(grad, rel=1e-6, abs=1e-10), f"{param}{l}"


def test_cost_along_refuses_bad_input():
    net = _series(1, 1, 0, 1, 0, 1).network
    with pytest.raises(ValueError, match="unknown parameter 'w'"):
        bp.cost_along(net, [1.0], [1.0], [0.0], "w", 1)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        bp.cost_along(net, [1.0], [1.0], [], "W", 1)
    with pytest.raises(ValueError, match="layers 1..2"):
        bp.cost_along(net, [1.0], [1.0], [0.0], "W", 3)
    relu = bp.Network.from_arrays([[[1.0]], [[1.0]]], [[0.0], [0.0]], "sigmoid", "relu")
    with pytest.raises(ValueError, match="cross_entropy"):
        bp.cost_along(relu, [1.0], [1.0], [0.0], "W", 1, cost="cross_entropy")


def test_cost_along_is_fast_enough_for_every_rerun():
    """About 200 points in well under 5 ms (measured ~0.1 ms; the limit leaves room for a busy machine)."""
    import time

    net = _series(1.0, 0.8, 0.2, -1.2, 0.3, 1.0).network
    values = np.linspace(-4, 4, 201)
    best = min(_timed(lambda: bp.cost_along(net, [1.0], [1.0], values, "W", 1), time) for _ in range(20))
    assert best < 0.005, f"cost_along of 201 points took {best * 1e3:.2f} ms"


def _timed(f, time) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


# ------------------------------------------------------------------------------------------ figure


@pytest.mark.parametrize("param, l", [("W", 1), ("b", 1), ("W", 2), ("b", 2)])
@pytest.mark.parametrize("case", HAND_PICKED[:2])
def test_curve_tangent_and_point(case, param, l):
    x, w1, b1, w2, b2, y, cost, act1 = case
    trace = _series(x, w1, b1, w2, b2, y, act1, "sigmoid", cost)
    theta, grad = parameter_value(trace, param, l)
    fig = cost_curve(trace, param, l, window=(-4.0, 4.0))
    curve, tangent, point = _named(fig, "cost"), _named(fig, "tangent"), _named(fig, "current")

    # The curve is C(θ) by hand, at every plotted θ.
    cx, cy = np.asarray(curve.x), np.asarray(curve.y)
    assert cx[0] == -4.0 and cx[-1] == 4.0 and np.all(np.diff(cx) > 0) and len(cx) >= 200
    names = {("W", 1): "w1", ("b", 1): "b1", ("W", 2): "w2", ("b", 2): "b2"}
    base = dict(x=x, w1=w1, b1=b1, w2=w2, b2=b2, y=y)
    for i in range(0, len(cx), 25):
        hand = _by_hand(**{**base, names[param, l]: float(cx[i])}, cost=cost, act1=act1)["C"]
        assert cy[i] == pytest.approx(hand, rel=1e-12), f"C({cx[i]})"

    # The point is the current value, on the curve, at the trace's cost.
    assert (point.x[0], point.y[0]) == (theta, trace.cost)
    (i,) = np.flatnonzero(cx == theta)
    assert cy[i] == trace.cost

    # The tangent goes through the point with slope ∂C/∂θ from the trace ...
    tx, ty = np.asarray(tangent.x), np.asarray(tangent.y)
    slope = (ty[1] - ty[0]) / (tx[1] - tx[0])
    assert slope == pytest.approx(grad, rel=1e-9, abs=1e-12)
    assert ty[0] + slope * (theta - tx[0]) == pytest.approx(trace.cost, rel=1e-9)
    # ... which is the central difference of the plotted curve at θ (grid step 0.04: agreement to ~h²).
    h = min(cx[i + 1] - theta, theta - cx[i - 1])
    c_minus, c_plus = np.interp([theta - h, theta + h], cx, cy)
    assert slope == pytest.approx((c_plus - c_minus) / (2 * h), rel=2e-2, abs=2e-3)


def test_step_marker_lands_where_one_gradient_descent_step_on_the_parameter_goes():
    trace = _series(1.0, 0.8, 0.2, -1.2, 0.3, 1.0)
    fig = cost_curve(trace, "W", 2, learning_rate=2.0, window=(-4, 4))
    step = _named(fig, "step")
    theta, grad = parameter_value(trace, "W", 2)
    assert step.x[0] == pytest.approx(theta - 2.0 * grad, rel=1e-14)
    assert step.y[0] == pytest.approx(_by_hand(1.0, 0.8, 0.2, theta - 2.0 * grad, 0.3, 1.0)["C"], rel=1e-12)
    assert step.y[0] < trace.cost
    assert [t.name for t in fig.data] == ["cost", "tangent", "current", "step"]  # the step on top
    assert [t.name for t in cost_curve(trace, "W", 2).data] == ["cost", "tangent", "current"]


def test_curve_window_defaults_to_the_value_plus_minus_span_and_always_takes_in_the_value():
    trace = _series(1.0, 0.8, 0.2, -1.2, 0.3, 1.0)
    cx = np.asarray(_named(cost_curve(trace, "b", 2), "cost").x)
    assert (cx[0], cx[-1]) == pytest.approx((0.3 - 3.0, 0.3 + 3.0))
    cx = np.asarray(_named(cost_curve(trace, "W", 2, window=(0.0, 1.0)), "cost").x)
    assert cx[0] == -1.2 and cx[-1] == 1.0


# ------------------------------------------------------------------------------------------ the page


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _sliders(at: AppTest) -> dict:
    return {k: at.slider(key=f"series_{k}").value for k in ("x", "w1", "b1", "w2", "b2", "y")}


def _page_trace(at: AppTest) -> bp.Trace:
    """The core's trace for what the page's widgets are set to, computed here."""
    s = _sliders(at)
    return _series(
        **s,
        act1=at.selectbox(key="series_act1").value,
        act2=at.selectbox(key="series_act2").value,
        cost=at.selectbox(key="series_cost").value,
    )


def _shown(at: AppTest, lhs: str) -> str:
    """The final number of the equation whose left-hand side is `lhs`, as the page shows it."""
    (tex,) = [l.value for l in at.latex if l.value.strip("$\n").startswith(r"\begin{aligned}" + lhs + " &=")]
    rows = tex.strip("$\n").removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(r" \\ ")
    chain = [rows[0]] + list(itertools.takewhile(lambda r: r.startswith("&="), rows[1:]))
    last = chain[-1].split("&=")[-1]  # the chain of `lhs` ends there (a "where …" chain may follow)
    return re.sub(r"\\qquad.*", "", last).split("=")[-1].strip()


SHOWN = {  # left-hand side on the page: the core's value
    "C": lambda t: t.cost,
    r"\delta^{2}": lambda t: t.delta(2)[0],
    r"\delta^{1}": lambda t: t.delta(1)[0],
    r"\frac{\partial C}{\partial w^{2}}": lambda t: t.dC_dW(2)[0, 0],
    r"\frac{\partial C}{\partial w^{1}}": lambda t: t.dC_dW(1)[0, 0],
    r"\frac{\partial C}{\partial b^{2}}": lambda t: t.dC_db(2)[0],
    r"\frac{\partial C}{\partial b^{1}}": lambda t: t.dC_db(1)[0],
}


def _assert_page_shows_core(at: AppTest) -> None:
    trace = _page_trace(at)
    for lhs, value in SHOWN.items():
        printed = eq.cost_num if lhs == "C" else eq.num  # a cost keeps all 4 digits (0.5000)
        assert _shown(at, lhs) == printed(value(trace)), lhs
    a2 = [l.value for l in at.latex if r"z^{2} &=" in l.value][0]
    assert a2.strip("$\n").endswith(rf"&= {eq.num(trace.a(2)[0])}\end{{aligned}}")


def test_page_runs_and_shows_the_cores_numbers_for_its_1_1_1_network():
    at = _page()
    assert at.title[0].value == "Two nodes in series"
    assert len(at.latex) == 9
    _assert_page_shows_core(at)
    assert _shown(at, r"\delta^{2}") == "-0.1475"  # the defaults: the first hand-picked case


def test_moving_a_slider_changes_the_shown_numbers():
    at = _page()
    before = {lhs: _shown(at, lhs) for lhs in SHOWN}
    at.slider(key="series_w2").set_value(2.5).run()
    _ok(at)
    after = {lhs: _shown(at, lhs) for lhs in SHOWN}
    assert all(after[lhs] != before[lhs] for lhs in SHOWN), (before, after)
    _assert_page_shows_core(at)
    at.slider(key="series_x").set_value(-1.5).run()
    at.selectbox(key="series_act1").set_value("tanh").run()
    _ok(at)
    _assert_page_shows_core(at)


@pytest.mark.parametrize("param", ["w1", "b1", "w2", "b2"])
def test_gradient_descent_step_moves_the_chosen_parameter_by_the_cores_update_and_lowers_the_cost(param):
    at = _page()
    at.radio(key="series_param").set_value(param).run()
    at.number_input(key="series_eta").set_value(0.5).run()
    trace = _page_trace(at)
    before = _sliders(at)
    expected = bp.gradient_descent_step(trace.network, trace, 0.5)
    at.button(key="series_descend").click().run()
    _ok(at)
    after = _sliders(at)
    l = int(param[1])
    assert after[param] == pytest.approx(float(expected.W(l)[0, 0] if param[0] == "w" else expected.b(l)[0]), abs=0)
    assert {k: v for k, v in after.items() if k != param} == {k: v for k, v in before.items() if k != param}
    new_cost = _page_trace(at).cost
    assert new_cost < trace.cost
    assert _shown(at, "C") == eq.cost_num(new_cost)  # a cost is printed with all 4 digits
    line = [l.value for l in at.latex if r"C_{\text{before}}" in l.value][0]
    assert f"= {eq.cost_num(trace.cost)} " in line and line.strip("$\n").endswith(f"= {eq.cost_num(new_cost)}")


def test_repeated_steps_keep_lowering_the_cost():
    at = _page()
    costs = [_page_trace(at).cost]
    for _ in range(4):
        at.button(key="series_descend").click().run()
        _ok(at)
        costs.append(_page_trace(at).cost)
    assert all(b < a for a, b in pairwise(costs)), costs


def test_cross_entropy_with_a_non_sigmoid_output_is_refused_at_the_field_and_the_previous_choice_stays():
    at = _page()
    at.selectbox(key="series_act2").set_value("relu").run()
    _ok(at)
    assert not at.error
    at.selectbox(key="series_cost").set_value("cross_entropy").run()
    _ok(at)
    assert at.selectbox(key="series_cost").value == "quadratic"
    (message,) = [e.value for e in at.error]
    assert "Cross-entropy needs a sigmoid output" in message and "stays quadratic" in message
    _assert_page_shows_core(at)
    at.slider(key="series_w1").set_value(1.0).run()  # said once: the next change clears it
    assert not at.error


def test_a_non_sigmoid_output_under_cross_entropy_is_refused_too():
    at = _page()
    at.selectbox(key="series_cost").set_value("cross_entropy").run()
    _ok(at)
    assert at.selectbox(key="series_cost").value == "cross_entropy" and not at.error
    _assert_page_shows_core(at)
    at.selectbox(key="series_act2").set_value("tanh").run()
    _ok(at)
    assert at.selectbox(key="series_act2").value == "sigmoid"
    (message,) = [e.value for e in at.error]
    assert "can't be used with the cross-entropy cost" in message and "Node 2 stays sigmoid" in message


@pytest.mark.parametrize("param, l", [("W", 1), ("b", 1), ("W", 2), ("b", 2)])
def test_saturated_cross_entropy_curve_follows_its_tangent(param, l):
    """Issue 11: hidden linear, output sigmoid, cross-entropy, x = 2, w¹ = b¹ = w² = b² = 4, y = 0. zᴸ = 52,
    so C = softplus(52) = 52 (the clipped cost showed a flat curve at 34.54 under a tangent of slope 12);
    the plotted curve's slope at the current point, from its neighbouring points, equals the tangent's
    (backprop's ∂C/∂θ) within 1e-6 relative."""
    trace = _series(2.0, 4.0, 4.0, 4.0, 4.0, 0.0, "linear", "sigmoid", "cross_entropy")
    assert trace.z(2)[0] == 52.0 and trace.cost == pytest.approx(52.0, rel=1e-15)
    theta, grad = parameter_value(trace, param, l)
    fig = cost_curve(trace, param, l)
    cx, cy = np.asarray(_named(fig, "cost").x), np.asarray(_named(fig, "cost").y)
    tx, ty = np.asarray(_named(fig, "tangent").x), np.asarray(_named(fig, "tangent").y)
    tangent_slope = (ty[1] - ty[0]) / (tx[1] - tx[0])
    (i,) = np.flatnonzero(cx == theta)
    curve_slope = (cy[i + 1] - cy[i - 1]) / (cx[i + 1] - cx[i - 1])
    assert curve_slope == pytest.approx(tangent_slope, rel=1e-6)
    assert tangent_slope == pytest.approx(grad, rel=1e-12) and abs(grad) >= 1  # δ² = 1, ∂C/∂w² = 12, …
