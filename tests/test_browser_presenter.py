"""The projected lesson in a real browser: presenter mode at the two common projector sizes keeps the whole
step on one screen while a clicker's keys drive it, and the keys work out of presenter mode too.

At every step the progress line, the diagram, the step's equation and (going back, and at the update) the
current layer's large heatmap must lie inside the viewport, with the page not scrolled. Each step's screen is
kept in artifacts/screenshots/presenter_*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import SCREENSHOTS, AppPage

import backprop as bp
from backprop.lesson.presets import PRESETS

pytestmark = pytest.mark.browser

PROGRESS = r"^Step \d+ of \d+ — "

# JS: the bounding boxes of what must be on screen, the page's scroll positions and the viewport.
_BOXES = """() => {
  const box = (sel) => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const progress = Array.from(document.querySelectorAll(
      '[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))
    .find(e => /^Step \\d+ of \\d+ — /.test(e.innerText.trim()));
  const p = progress && progress.getBoundingClientRect();
  const main = document.querySelector('[data-testid=stMain]');
  return {progress: p && {top: p.top, bottom: p.bottom, left: p.left, right: p.right},
          diagram: box('.st-key-diagram .js-plotly-plot'), focus: box('.st-key-grad_focus .js-plotly-plot'),
          equation: box('.st-key-stage_equation'), step: box('.st-key-btn_step button'),
          scroll: [window.scrollY, main ? main.scrollTop : 0, document.scrollingElement.scrollTop],
          width: window.innerWidth, height: window.innerHeight,
          focusTitle: ((document.querySelector('.st-key-grad_focus .gtitle') || {}).textContent || '')
            .replace(/\u200b/g, '')};
}"""


def _inside(name: str, b: dict | None, boxes: dict, where: str) -> None:
    assert b is not None, f"{where}: no {name} on the page"
    assert (
        b["top"] >= 0 and b["left"] >= 0 and b["bottom"] <= boxes["height"] + 0.5 and b["right"] <= boxes["width"] + 0.5
    ), f"{where}: the {name} {b} is not inside the {boxes['width']}×{boxes['height']} viewport"


def _open(browser, app_server, size: tuple[int, int], query: str) -> tuple:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    app = AppPage(context.new_page(), app_server)
    app.page.set_default_timeout(60_000)
    app.page.goto(f"{app_server}/?{query}")
    app.page.wait_for_selector(".st-key-grad_focus .js-plotly-plot", timeout=180_000)  # a fresh server: imports
    app.wait_idle()
    # The page learns the window's height from the browser and sizes its figures by it (one more run at
    # most): wait until the large heatmap's text is the body text the CSS gives this height.
    body = min(max(0.025 * size[1], 18), 24)
    app.page.wait_for_function(
        "(px) => { const gd = document.querySelector('.st-key-grad_focus .js-plotly-plot');"
        " return gd && gd.layout && gd.layout.font.size === px"
        " && Math.abs(parseFloat(getComputedStyle(document.documentElement).fontSize) - px) < 1; }",
        arg=int(body),
    )
    app.wait_idle()
    return context, app


def _open_normal(browser, app_server, size: tuple[int, int]) -> tuple:
    """The app out of presenter mode in a new context (a fresh server's first run may be slow)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    app = AppPage(context.new_page(), app_server)
    app.page.set_default_timeout(60_000)
    app.open()
    return context, app


def _key(app: AppPage, key: str) -> str:
    """Press `key` with no click first; wait until the progress line changed and the run finished."""
    before = app.progress()
    app.act(
        lambda: app.page.keyboard.press(key),
        until="""(before) => { const p = Array.from(document.querySelectorAll(
                         '[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))
                       .find(e => /^Step \\d+ of \\d+ — /.test(e.innerText.trim()));
                       return p && p.innerText.trim() !== before; }""",
        arg=before,
    )
    return app.progress()


def _check_screen(app: AppPage, L: int, index: int, where: str, shot: str) -> None:
    """Everything the room must see at step `index` is on screen, and nothing scrolled."""
    app.page.wait_for_timeout(150)  # Plotly's redraw after the run
    # … or, on the page stepped by the browser, until the step's charts are drawn (one per task)
    app.page.wait_for_function(
        "() => { const h = window.__bpHeld; return !h || !h.wrap || !h.wrap.isConnected || h.drawn(); }"
    )
    boxes = app.page.evaluate(_BOXES)
    assert boxes["scroll"] == [0, 0, 0], f"{where}: the page is scrolled {boxes['scroll']}"
    for name in ("progress", "diagram", "equation", "step"):
        _inside(name, boxes[name], boxes, where)
    moment = bp.step(L, index)
    if moment.kind in ("backward", "update"):
        _inside("current layer's heatmap", boxes["focus"], boxes, where)
        layer = moment.layer if moment.kind == "backward" else 1  # the chosen weight is W¹₁₁ by default
        assert re.match(rf"Layer {layer}\b.*∂C/∂W{layer}", boxes["focusTitle"]), (where, boxes["focusTitle"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app.page.mouse.move(1, 1)
    app.page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("preset", ["worked_2_2_2", "deep_narrow"])
def test_pagedown_through_the_lesson_and_pageup_back_keep_every_step_on_one_screen(browser, app_server, size, preset):
    L = len(PRESETS[preset].sizes) - 1
    last = 2 * L + 2
    context, app = _open(browser, app_server, size, f"present=1&preset={preset}")
    tag = f"presenter_{preset}_{size[0]}x{size[1]}"
    try:
        assert app.progress().startswith(f"Step 0 of {last} — ")
        _check_screen(app, L, 0, "step 0", f"{tag}_s00")
        for index in range(1, last + 1):
            line = _key(app, "PageDown")
            title = bp.step(L, index, PRESETS[preset].update_biases).title  # the worked 2-2-2 keeps its biases
            assert line.startswith(f"Step {index} of {last} — {title}"), line
            _check_screen(app, L, index, f"PageDown to step {index}", f"{tag}_s{index:02d}")
        # Every gradient thumbnail keeps its title, "Layer l: ∂C/∂Wˡ", and the diagram its layer labels.
        for l in range(1, L + 1):
            title = app.chart_state(l)["title"].replace("\u200b", "")
            assert re.match(rf"Layer {l}\b.*∂C/∂W{l}", title), title
        labels = app.page.locator(".st-key-diagram .annotation-text").all_text_contents()
        assert "layer 0(input)" in labels and f"layer {L}(output)" in labels, labels
        for index in range(last - 1, -1, -1):
            line = _key(app, "PageUp")
            assert line.startswith(f"Step {index} of {last} — "), line
            _check_screen(app, L, index, f"PageUp to step {index}", f"{tag}_back_s{index:02d}")
        app.assert_healthy()
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_arrows_space_home_and_end_with_the_focus_on_a_button(browser, app_server, size):
    """→ and Space step, ← goes back, End runs to the end, Home resets — also with the focus on the Back
    button, where Space would otherwise click Back."""
    context, app = _open(browser, app_server, size, "present=1&preset=deep_narrow")
    tag = f"presenter_keys_{size[0]}x{size[1]}"
    try:
        assert _key(app, "ArrowRight").startswith("Step 1 of 14")
        assert _key(app, "Space").startswith("Step 2 of 14")
        app.page.locator(".st-key-btn_back button").focus()  # a non-text control has the focus
        assert _key(app, "Space").startswith("Step 3 of 14")  # a step, not a click of Back
        assert _key(app, "ArrowRight").startswith("Step 4 of 14")
        assert _key(app, "ArrowLeft").startswith("Step 3 of 14")
        assert _key(app, "End").startswith("Step 14 of 14 — update")
        _check_screen(app, 6, 14, "End", f"{tag}_end")
        assert _key(app, "ArrowLeft").startswith("Step 13 of 14 — backward through layer 1")
        _check_screen(app, 6, 13, "← from the end", f"{tag}_back_13")
        assert _key(app, "Home").startswith("Step 0 of 14")
        _check_screen(app, 6, 0, "Home", f"{tag}_home")
        app.assert_healthy()
    finally:
        context.close()


def test_keys_step_out_of_presenter_mode_but_not_while_typing(browser, app_server):
    """Out of presenter mode the same keys move the lesson; typed into the sample's text field, they are
    text (a space, an arrow moving the caret), and the lesson stays."""
    context, app = _open_normal(browser, app_server, (1400, 1000))
    try:
        _keys_out_of_presenter_mode(app)
    finally:
        context.close()


def _keys_out_of_presenter_mode(app: AppPage) -> None:
    page = app.page
    assert _key(app, "PageDown").startswith("Step 1 of 6")
    assert _key(app, "End").startswith("Step 6 of 6")
    assert _key(app, "PageUp").startswith("Step 5 of 6")
    assert _key(app, "Home").startswith("Step 0 of 6")
    field = page.locator(".st-key-x_text input")
    field.click()
    field.press("End")
    field.press("Space")
    field.press("ArrowLeft")
    field.press("PageDown")
    page.wait_for_timeout(1500)
    app.wait_idle()
    assert app.progress().startswith("Step 0 of 6"), app.progress()
    assert field.input_value() == "0.05, 0.1 "
    field.press("Backspace")  # the caret is before the space: the sample becomes "0.05, 0. "
    # The focus out of the field: the keys are the lesson's again. The field commits the new sample as it loses
    # the focus (a run of the whole page, with new views), and the → below comes during that run.
    page.locator("h1").click()
    assert _key(app, "ArrowRight").startswith("Step 1 of 6")
    assert page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") == 0
    app.assert_healthy()


def test_step_is_a_few_tab_presses_away_with_the_sidebar_collapsed(browser, app_server):
    context, app = _open(browser, app_server, (1280, 720), "present=1")
    try:
        app.page.evaluate("document.activeElement && document.activeElement.blur()")  # Tab from the top
        for presses in range(1, 16):  # noqa: B007 — the count is read after the loop
            app.page.keyboard.press("Tab")
            if app.page.evaluate("!!document.activeElement.closest('.st-key-btn_step')"):
                break
        else:
            pytest.fail("Step not reached in 15 Tab presses")
        assert presses <= 8, presses
        # Step has no tooltip to cover its neighbours while it has the focus.
        app.page.wait_for_timeout(1200)
        assert app.page.locator("[data-testid=stTooltipContent]:visible").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenter"])
def test_no_button_label_is_cut_short_at_1280x720(browser, app_server, present):
    """The step buttons, Random sample and the sidebar's presets show their whole labels (sidebar open)."""
    context, app = _open(browser, app_server, (1280, 720), "present=1") if present else (None, None)
    if not present:
        context, app = _open_normal(browser, app_server, (1280, 720))
    try:
        page = app.page
        if page.locator("[data-testid=stSidebar][data-collapsed=true]").count():
            page.locator("[data-testid=stExpandSidebarButton]").first.click()
            page.wait_for_selector("[data-testid=stSidebar][data-collapsed=false]")
            page.wait_for_timeout(600)
        page.locator(".st-key-btn_step").scroll_into_view_if_needed()
        cut = page.evaluate("""() => Array.from(document.querySelectorAll('button')).filter(b => b.offsetParent)
            .map(b => { const p = b.querySelector('[data-testid=stMarkdownContainer] p') || b;
                        return [b.innerText.trim(), p.scrollWidth - p.clientWidth]; })
            .filter(([t, over]) => t && over > 1)""")
        assert cut == [], f"labels cut short: {cut}"
        labels = page.locator("button:visible").all_inner_texts()
        for want in ("Step", "Back", "Reset", "Run to end", "2-2-2", "XOR", "Deep"):
            assert any(want == t.split("\n")[-1].strip() for t in labels), (want, labels)
        if not present:
            assert any(t.endswith("Random sample") for t in labels), labels
    finally:
        context.close()


def test_predict_mode_keeps_the_diagram_beside_the_question_on_a_laptop(browser, app_server):
    context, app = _open_normal(browser, app_server, (1366, 768))
    try:
        page = app.page
        app.act(
            lambda: page.locator(".st-key-quiz_on label").click(),
            until="() => document.body.innerText.includes('Score:')",
        )
        for _ in range(3):
            app.press("btn_step")
        page.wait_for_selector("text=Before the step back")
        d = page.locator(".st-key-diagram .js-plotly-plot").bounding_box()
        q = page.get_by_text("Before the step back").first.bounding_box()
        assert d["x"] + d["width"] <= q["x"] or d["y"] + d["height"] <= q["y"], (d, q)  # beside or above
        assert d["y"] + d["height"] <= 768 and d["y"] >= 0, d
        app.screenshot("presenter_predict_1366x768")
        app.assert_healthy()
    finally:
        context.close()
