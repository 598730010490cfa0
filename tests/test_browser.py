"""The step-through page in a real browser (headless Chromium): what AppTest cannot see or do — charts
actually drawn, heatmaps filling in as the backward pass goes, a click on a heatmap cell, JS errors.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import VIEWPORT, AppPage

from backprop.ui.live_chart import PLOTLY_JS

pytestmark = pytest.mark.browser

TITLE = "Backpropagation, step by step"


def _titles(L: int) -> list[str]:
    """The progress titles of one iteration, step 0 … 2L + 2, as the timeline names them."""
    return (
        ["start: the input x is set"]
        + [f"forward through layer {l}" for l in range(1, L + 1)]
        + ["cost of the output"]
        + [f"backward through layer {l}" for l in range(L, 0, -1)]
        + ["update the weights and biases"]
    )


def _revealed(L: int, index: int) -> set[int]:
    """The layers whose δ and ∂C/∂W are shown at step `index`: the backward step through l reveals l."""
    if index <= L + 1:
        return set()
    lowest = max(1, 2 * L + 2 - index)
    return set(range(lowest, L + 1))


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
    except ValueError:
        return False
    return True


def _check_cells(states: dict[int, dict], sizes: tuple[int, ...]) -> None:
    """A filled heatmap prints a number in each of its nₗ × nₗ₋₁ cells, an empty one a "?" in each."""
    for l, s in states.items():
        n = sizes[l] * sizes[l - 1]
        assert len(s["cells"]) == n, f"layer {l}: {len(s['cells'])} cell texts drawn, expected {n}"
        if s["empty"]:
            assert set(s["cells"]) == {"?"}, f"layer {l} not yet computed but its cells show {s['cells']}"
        else:
            assert "?" not in s["cells"], f"layer {l} filled but some cells show ?: {s['cells']}"
            assert all(_is_number(c) for c in s["cells"]), f"layer {l}: cells {s['cells']}"


def test_app_loads_with_diagram_and_one_gradient_chart_per_layer(app):
    page = app.page
    assert page.locator("h1").filter(has_text=TITLE).is_visible()
    assert app.progress() == "Step 0 of 6 — start: the input x is set · iteration 1"  # the 2-2-2 preset
    assert page.locator(".st-key-diagram .js-plotly-plot .main-svg").count() >= 1
    # The diagram draws nodes: one marker per node of the 2-2-2 network.
    assert page.locator(".st-key-diagram .scatterlayer .point").count() >= 6
    assert app.gradient_keys() == [1, 2]
    assert app.chart_count() == 1 + 2
    for l in (1, 2):
        state = app.chart_state(l)
        assert state["empty"] and state["cells"] == ["?"] * 4, (l, state)
        assert f"Layer {l}" in state["title"]
    assert page.locator(".st-key-btn_back button:visible").is_disabled()
    assert page.locator(".st-key-btn_reset button:visible").is_disabled()
    app.screenshot("01_initial_2-2-2")
    app.assert_healthy()


_CHARTS = ["diagram", "grad_1", "grad_2"]
# The stage's charts but the plot of C against the chosen weight: follow_view.js makes that one in a box the first
# time a view of it has one (from the step the backward pass reaches the weight's layer), which may be the step
# drawn ahead.
_STAGE_PLOTS = (
    "() => Array.from(document.querySelectorAll("
    "'.st-key-held_stage .bp-fv-chart:not([data-key=curve]) .js-plotly-plot'))"
)
_CURVES = "() => document.querySelectorAll('.st-key-held_stage .bp-fv-chart[data-key=curve] .js-plotly-plot').length"


def test_a_step_updates_the_charts_in_place(app):
    """The charts stay in the page from step to step: the stage (static/held_view.js) holds two boxes of charts,
    the step shown and the next one drawn ahead, and a step either swaps them or updates a box's charts with
    Plotly.react; no chart element is made after both boxes were first drawn (but the plot of C against the
    chosen weight, made once in a box). Plotly.js, live_chart.js,
    follow_view.js and held_view.js were each loaded once, from the app's static files."""
    page = app.page
    page.wait_for_function(f"() => ({_STAGE_PLOTS})().length === 2 * {len(_CHARTS)}")  # the next step drawn ahead
    page.evaluate(f"() => ({_STAGE_PLOTS})().forEach((gd, i) => {{ gd.__mark = i + 1; }})")
    assert app.chart_state(2)["empty"]
    for _ in range(4):  # to step 4: backward through layer 2
        app.press("btn_step")
    assert not app.chart_state(2)["empty"]  # the figure did change
    kept = page.evaluate(f"() => ({_STAGE_PLOTS})().map(gd => gd.__mark || 0)")
    assert len(kept) == 2 * len(_CHARTS) and all(kept), kept
    assert page.evaluate(_CURVES) <= 2  # at most one curve per box
    assert page.evaluate("() => document.querySelectorAll('script[src*=\"/app/static/plotly-\"]').length") == 1
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)")
    static = sorted(p for p in loaded if p.startswith("/app/static/") and "/katex-" not in p)
    assert static == [
        "/app/static/follow_view.js",
        "/app/static/held_view.js",
        "/app/static/live_chart.js",
        f"/app/static/{PLOTLY_JS}",
    ]  # each fetched once, in 4 steps
    served = page.request.get(f"{app.base_url}/app/static/{PLOTLY_JS}")
    assert served.ok and "javascript" in served.headers["content-type"]
    app.assert_healthy()


_DRAWS = """() => Array.from(document.querySelectorAll('.bp-live-chart')).map(gd => (
    {calls: gd._bpCalls, changes: gd._bpChanges, draws: gd._bpDraws, busy: !!gd._bpBusy}))"""


def test_a_chart_whose_figure_did_not_change_is_not_drawn_again(app):
    """A chart is handed its figure again at many steps (the stage draws a whole view each time); the browser
    draws the figure (Plotly.react) only when it is a new one. Through a whole 2-2-2 iteration and into the
    next, no chart was drawn more often than it got a new figure (the step drawn ahead may get a newer one
    before its turn: then only the newest is drawn), each chart in sight shows the last figure it got, and
    some were handed an unchanged figure, which they skipped."""
    for _ in range(7):  # to the update, then the first step of iteration 2
        app.press("btn_step")
        app.page.wait_for_function(f"() => ({_DRAWS})().every(c => !c.busy)")
    app.page.wait_for_function("() => window.__bpHeld.ready() >= 0")  # the step after drawn ahead: all quiet
    counts = app.page.evaluate(_DRAWS)
    assert len(counts) >= 2 * len(_CHARTS), counts
    for c in counts:
        assert c["draws"] <= c["changes"], c  # no unchanged figure drawn
    assert any(c["calls"] > c["changes"] for c in counts), counts  # unchanged figures were handed over
    shown = app.page.evaluate(
        "() => Array.from(document.querySelectorAll('.bp-held-shown .bp-live-chart'))"
        ".map(gd => gd._bpRev === gd._bpGot && gd._bpDrawn)"
    )
    assert len(shown) >= len(_CHARTS) and all(shown), shown  # (and the plot of C, once drawn: hidden now)
    app.assert_healthy()


# Wraps Plotly.react: at each call, whether a timer set at the call before has fired since (it can only fire
# between two tasks), and which chart was drawn.
_TASK_PROBE = """() => {
  const P = window.Plotly, calls = window.__bpReacts = [];
  let fired = true;
  const react = P.react;
  P.react = function (gd, ...rest) {
    calls.push({ between: fired, chart: gd.closest('[class*="st-key-"]').className.match(/st-key-(\\S+)/)[1] });
    fired = false;
    setTimeout(() => { fired = true; }, 0);
    return react.call(this, gd, ...rest);
  };
}"""


def test_the_charts_of_one_run_are_drawn_one_per_task(app):
    """Run to end changes the diagram and both heatmaps in one run. Each chart is drawn in a task of its own
    (live_chart.js queues them), so the browser handles a click between two charts instead of after all of
    them: a timer set when one chart's drawing starts has fired before the next one's starts. Drawn in one
    stretch (Plotly.react's promises chained), no timer could fire in between."""
    app.page.evaluate(_TASK_PROBE)
    app.press("btn_end")
    app.page.wait_for_function(f"() => Object.values(({_DRAWS})()).every(c => !c.busy)")
    calls = app.page.evaluate("() => window.__bpReacts")
    assert {c["chart"] for c in calls} >= {"diagram", "grad_1", "grad_2"}, calls
    assert all(c["between"] for c in calls), calls
    app.assert_healthy()


def test_layer_sizes_then_step_forward_and_backward_through_every_layer(app):
    page = app.page
    # Two hidden layers of widths 3 and 4: sizes (2, 3, 4, 2), L = 3.
    app.set_number("n_hidden", 2, until="() => document.querySelector('.st-key-grad_3 .js-plotly-plot') !== null")
    app.set_number("n_h1", 3)
    app.set_number("n_h2", 4)
    sizes, L = (2, 3, 4, 2), 3
    assert page.locator(".st-key-n_h2 input").input_value() == "4"
    assert app.progress() == "Step 0 of 8 — start: the input x is set · iteration 1"
    assert app.gradient_keys() == [1, 2, 3]
    assert app.chart_count() == 1 + L
    _check_cells(app.wait_gradients(set(), L), sizes)

    titles = _titles(L)
    for index in range(1, 2 * L + 3):
        assert app.press("btn_step") == f"Step {index} of 8 — {titles[index]} · iteration 1"
        states = app.wait_gradients(_revealed(L, index), L)
        _check_cells(states, sizes)
        assert app.katex_errors() == [], f"at step {index}: {app.katex_errors()}"  # each step's equation
        if titles[index] == "backward through layer 2":
            app.screenshot("02_mid_backward_layer2_of_2-3-4-2")
    assert page.locator(".st-key-btn_end button:visible").is_disabled()

    for index in range(2 * L + 1, -1, -1):
        assert app.press("btn_back") == f"Step {index} of 8 — {titles[index]} · iteration 1"
        _check_cells(app.wait_gradients(_revealed(L, index), L), sizes)
    assert page.locator(".st-key-btn_back button:visible").is_disabled()
    app.assert_healthy()


def test_click_a_heatmap_cell_shows_that_weights_chain_rule(app):
    page = app.page
    assert app.press("btn_end") == "Step 6 of 6 — update the weights (biases kept fixed) · iteration 1"
    app.wait_gradients({1, 2}, 2)
    assert "W111: from node 1 of layer 0 to node 1 of layer 1" in app.chosen_weight()  # the default
    app.screenshot("03_end_2-2-2")

    # Layer 2, row k = 2, column j = 1 (0-based 1, 0).
    app.click_cell(2, 1, 0)
    assert "W221: from node 1 of layer 1 to node 2 of layer 2" in app.chosen_weight()
    bp4 = [s for s in app.latex_sources() if "(BP4)" in s]
    assert len(bp4) == 1, app.latex_sources()
    assert re.search(r"\\partial W\^\{2\}_\{2,?1\}", bp4[0]), bp4[0]
    assert re.search(r"a\^\{1\}_\{1\}", bp4[0]), bp4[0]  # ... · a¹₁: the emitting activation
    # The orange frame moved to the clicked cell: only layer 2's chart has it.
    shapes = {
        l: page.locator(f".st-key-grad_{l} .js-plotly-plot").evaluate(
            "gd => (gd.layout.shapes || []).map(s => [s.x0, s.y0])"
        )
        for l in (1, 2)
    }
    assert shapes == {1: [], 2: [[-0.5, 0.5]]}, shapes
    # The l, k, j pickers follow the click.
    assert [page.locator(f".st-key-pick_{c} input").input_value() for c in "lkj"] == ["2", "2", "1"]
    app.screenshot("04_after_click_W2_21")

    # A cell of the other layer: layer 1, k = 1, j = 2 (0-based 0, 1).
    app.click_cell(1, 0, 1)
    assert "W112: from node 2 of layer 0 to node 1 of layer 1" in app.chosen_weight()
    bp4 = [s for s in app.latex_sources() if "(BP4)" in s]
    assert len(bp4) == 1 and re.search(r"\\partial W\^\{1\}_\{1,?2\}", bp4[0]), app.latex_sources()
    app.assert_healthy()


def test_hover_reads_the_lecture_notation_with_the_traces_numbers(app):
    """What only a browser shows: Plotly fills the hover templates. A ∂C/∂W cell and a diagram edge of the
    2-2-2 worked example (Mazur: ∂E/∂w7 = −0.0226 for W²₂₁, whose weight is 0.5)."""
    assert app.press("btn_end").startswith("Step 6 of 6")
    app.wait_gradients({1, 2}, 2)
    # Cell k = 2, j = 1 of layer 2 sits at category positions (0, 1).
    assert app.hover_text("grad_2", 0, 1) == "∂C/∂W22,1 = -0.0226"
    # The edge from node 1 of layer 1 (y = 0.5) to node 2 of layer 2 (y = −0.5): its midpoint (1.5, 0).
    assert app.hover_text("diagram", 1.5, 0.0) == "W22,1 = 0.5∂C/∂W22,1 = -0.0226"
    app.assert_healthy()


HOSTILE = [
    "?epsilon=abc&n_hidden=99",
    "?epsilon=1e309&step=-1",
    "?epsilon=nan&x=%3Cscript%3Ealert(1)%3C/script%3E",
    "?matrix_l=..%2F..%2Fetc%2Fpasswd&seed=" + "9" * 500,
    "?series_x=inf&pick_l=%F0%9F%92%A5",
    "?data=%3Cimg%20src=x%3E&ep=99999999&batch=0&h=1,1,1,1,1,1,1,1&lr=-1",
]


@pytest.mark.parametrize(
    "path, title",
    [
        ("/", TITLE),
        ("/two_nodes", "Two nodes in series"),
        ("/matrix_form", "Matrix form"),
        ("/gradient_check", "Gradient check"),
        ("/train", "Train a network"),
    ],
)
def test_hostile_query_strings_leave_every_page_working(app, path, title):
    """Whatever a student types into the URL, each page still opens, with no exception box and no page
    error. (Query parameters the app does not know are ignored; the gradient check's ε is bound to the URL
    and falls back to its default.)"""
    page = app.page
    for query in HOSTILE:
        page.goto(app.base_url + path + query)
        page.wait_for_selector("h1", timeout=20_000)
        page.wait_for_function(
            "(t) => Array.from(document.querySelectorAll('h1')).some(h => h.innerText.includes(t))",
            arg=title,
            timeout=20_000,
        )
        app.wait_idle()
        assert page.locator("[data-testid=stException]").count() == 0, (path, query)
    assert app.page_errors == [], app.page_errors


def test_the_cost_equation_typesets_with_a_wrapped_sum(app):
    """Three outputs make the cost's sum wrap onto two lines; KaTeX must still typeset it (\\left[ \\right]
    across a line break did not: a red error in place of the equation)."""
    app.set_number("n_out", 3)
    for _ in range(3):
        line = app.press("btn_step")
    assert line.startswith("Step 3 of 6 — cost of the output"), line
    assert app.katex_errors() == []
    assert any(r"\bigl[" in s and r"\\ &\qquad +" in s for s in app.latex_sources()), app.latex_sources()
    app.assert_healthy()


def test_a_copied_link_opens_the_same_moment_in_a_fresh_browser(app, browser):
    """Mid-backward on a changed network: the address bar holds the moment; a new browser context (a new
    session, no shared state) opening it shows the same step, numbers and chosen weight."""
    app.set_number("n_hidden", 2)
    for _ in range(6):
        line = app.press("btn_step")
    assert line == "Step 6 of 8 — backward through layer 2 · iteration 1"
    app.click_cell(3, 1, 2)
    url = app.page.url
    assert "step=6" in url and "w=3%2C2%2C3" in url, url
    context = browser.new_context(viewport=VIEWPORT)
    try:
        other = AppPage(context.new_page(), app.base_url)
        other.page.goto(url)
        other.page.wait_for_selector(".st-key-grad_3 .js-plotly-plot")
        other.wait_idle()
        assert other.progress() == line
        assert other.chosen_weight() == app.chosen_weight()
        assert sorted(other.latex_sources()) == sorted(app.latex_sources())
        other.assert_healthy()
    finally:
        context.close()
    app.assert_healthy()


def test_presenter_mode_renders_larger_with_the_sidebar_collapsed(app, browser):
    """The same moment with and without ?present=1: larger root type, thicker figure text, sidebar
    collapsed, and a visibly different rendering (the screenshots differ)."""
    url = app.page.url.split("?")[0] + "?step=4"
    shots, sizes = {}, {}
    for name, query in (("normal", url), ("presenter", url + "&present=1")):
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = AppPage(context.new_page(), app.base_url)
            page.page.goto(query)
            page.page.wait_for_selector(".st-key-grad_2 .js-plotly-plot")
            page.wait_idle()
            page.page.wait_for_timeout(500)
            sizes[name] = page.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
            font = page.page.locator(".st-key-diagram .js-plotly-plot").evaluate("gd => gd._fullLayout.font.size")
            sizes[name + "_figure"] = font
            shots[name] = page.page.screenshot()
            page.screenshot(f"30_{name}")
            page.assert_healthy()
            sizes[name + "_sidebar_right"] = page.page.evaluate(
                "document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right"
            )
        finally:
            context.close()
    assert sizes["presenter"] > sizes["normal"] and sizes["presenter_figure"] > sizes["normal_figure"], sizes
    assert sizes["normal_sidebar_right"] > 100 and sizes["presenter_sidebar_right"] <= 1, sizes  # collapsed
    assert shots["presenter"] != shots["normal"]
