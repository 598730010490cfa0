"""Self-study by slider in a real browser (headless Chromium): choose a weight by clicking its heatmap cell,
drag its slider, and see the chain rule's numbers and the cost change while the step stays; the address the
page then writes reopens the same edited numbers in a fresh browser; the clicker keys still step with the
focus off the slider.

Screenshots go to artifacts/screenshots/edit_*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import VIEWPORT, AppPage

pytestmark = pytest.mark.browser

FIELD = ".st-key-edit_W_field input"
THUMB = ".st-key-edit_W_slider [data-testid=stSliderThumbValue] >> xpath=.."


def _numbers(app: AppPage) -> dict[str, str]:
    """The TeX of the chosen weight's (BP4) line and of the update step's costs."""
    tex = app.latex_sources()
    bp4 = [t for t in tex if "(BP4)" in t]
    cost = [t for t in tex if r"C_{\text{before}}" in t]
    assert len(bp4) == 1 and len(cost) == 1, tex
    return {"bp4": bp4[0], "cost": cost[0]}


def _drag(app: AppPage, dx: float) -> None:
    """Drag the chosen weight's slider thumb `dx` pixels and wait until the number field shows the new value,
    the rerun has finished and the stage has drawn it."""
    page = app.page
    thumb = page.locator(THUMB)
    thumb.scroll_into_view_if_needed()
    box = thumb.bounding_box()
    assert box is not None
    before = page.locator(FIELD).input_value()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def drag() -> None:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y, steps=6)
        page.mouse.up()

    app.act(drag, until=f"(b) => document.querySelector('{FIELD}').value !== b", arg=before)
    # the held page's stage draws its charts one per task, after the run: wait for them too
    page.wait_for_function("() => { const h = window.__bpHeld; return !h || !h.wrap?.isConnected || h.drawn(); }")


def test_click_a_cell_drag_its_slider_numbers_follow_and_the_link_reopens_them(browser, app_server):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        app = AppPage(context.new_page(), app_server)
        app.open()
        page = app.page
        progress = app.press("btn_end")
        assert progress.startswith("Step 6 of 6")
        app.wait_gradients({1, 2}, 2)
        app.click_cell(2, 1, 0)  # W²₂₁ by its heatmap cell
        assert "W221" in app.chosen_weight()
        assert page.locator(".st-key-edit_W_slider").inner_text().startswith("W²₂,₁ (unedited 0.5)")
        before = _numbers(app)
        _drag(app, 70)
        after = _numbers(app)
        value = float(page.locator(FIELD).input_value())
        assert value > 0.5, value
        assert app.progress() == progress  # the step did not move
        assert after["bp4"] != before["bp4"] and after["cost"] != before["cost"], (before, after)
        assert "1 entry of this network set by hand" in page.locator(".st-key-edit_controls").inner_text()
        # The edited weight is marked in the diagram and in its layer's heatmap (the stage draws its charts
        # after the run, one per task: waited for, at most 20 s).
        page.wait_for_function(
            "() => { const gd = document.querySelector('.st-key-diagram .js-plotly-plot'); "
            "return !!gd && (gd.data || []).some(t => t.name === 'edited') && window.__bpHeld.drawn(); }",
            timeout=20_000,
        )
        names = page.locator(".st-key-diagram .js-plotly-plot").evaluate("gd => gd.data.map(t => t.name)")
        assert "edited" in names, names
        marks = {
            l: page.locator(f".st-key-grad_{l} .js-plotly-plot").evaluate(
                "gd => (gd.layout.shapes || []).filter(s => s.name === 'edited').map(s => [s.x0, s.y0])"
            )
            for l in (1, 2)
        }
        assert marks == {1: [], 2: [[pytest.approx(-0.42), pytest.approx(0.58)]]}, marks
        # The plot of C against the weight is drawn, its title naming the weight.
        title = re.sub(r"[\s\u200b]", "", page.locator(".st-key-edit_curve .gtitle").text_content() or "")
        assert title == "CostCasafunctionofW22,1", title
        app.screenshot("edit_01_after_drag")
        app.assert_healthy()

        # The address the page wrote reopens the same edited numbers in a fresh browser.
        written = page.url
        assert "ew=2%2C2%2C1%2C" in written, written
        other = browser.new_context(viewport=VIEWPORT)
        try:
            second = AppPage(other.new_page(), app_server)
            second.page.goto(written)
            second.page.wait_for_selector(".st-key-edit_curve .js-plotly-plot")
            second.wait_idle()
            assert second.progress() == progress
            assert _numbers(second) == after
            assert float(second.page.locator(FIELD).input_value()) == value
            second.assert_healthy()
        finally:
            other.close()

        # A focused slider keeps its arrow and page keys: → moves the weight one step, not the lesson.
        page.locator(".st-key-edit_W_slider input[type=range]").focus()
        app.act(
            lambda: page.keyboard.press("ArrowRight"),
            until=f"(b) => document.querySelector('{FIELD}').value !== b",
            arg=page.locator(FIELD).input_value(),
        )
        assert float(page.locator(FIELD).input_value()) == pytest.approx(value + 0.01)
        assert app.progress() == progress
        value = float(page.locator(FIELD).input_value())
        # Out of range, typed: refused at the field with the browser's message; the weight stays.
        field = page.locator(FIELD)
        field.fill("150")
        field.press("Enter")
        page.wait_for_selector(".st-key-edit_W_field [id$=validation-error]", state="attached")
        message = page.locator(".st-key-edit_W_field [id$=validation-error]").inner_text()
        assert "outside the allowed range" in message and "100" in message, message
        app.wait_idle()
        thumb = page.locator(".st-key-edit_W_slider [data-testid=stSliderThumbValue]").inner_text()
        assert float(thumb) == pytest.approx(value, abs=5e-4) and app.progress() == progress
        # Focus off the slider: the clicker keys step again.
        page.locator("h1").first.click()
        app.act(
            lambda: page.keyboard.press("PageUp"),
            until="() => document.body.innerText.includes('Step 5 of 6')",
        )
        assert app.progress().startswith("Step 5 of 6")
        thumb = page.locator(".st-key-edit_W_slider [data-testid=stSliderThumbValue]").inner_text()
        assert float(thumb) == pytest.approx(value, abs=5e-4)  # the edit stays while stepping
        assert f"ew=2%2C2%2C1%2C{value:g}" in page.url, page.url
        app.assert_healthy()
    finally:
        context.close()
