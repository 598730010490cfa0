"""The step-through page as a student meets it on a phone, with a keyboard alone, and with reduced motion, in a
real headless Chromium.

- 390x844: Step, the progress line and the diagram are inside the viewport at step 0 and after Steps, with
  the page not scrolled, and nothing scrolls sideways; screenshots in artifacts/screenshots/phone_*.png.
- Keyboard only, sidebar collapsed: Step is among the first Tab stops; Enter and Space on it step the lesson;
  its focus ring shows.
- prefers-reduced-motion: autoplay does not step by itself, and transitions are off.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import SCREENSHOTS, AppPage

import backprop as bp

pytestmark = pytest.mark.browser

PHONE = (390, 844)
LAPTOP = (1280, 800)

# JS: boxes of Step, the progress line and the diagram; scroll positions; the widest scrolling extents.
_BOXES = """() => {
  const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const progress = Array.from(document.querySelectorAll(
    '[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))
    .find(e => /^Step \\d+ of \\d+ — /.test(e.innerText.trim()));
  const main = document.querySelector('[data-testid=stMain]');
  return {step: box(document.querySelector('.st-key-btn_step button')), progress: box(progress),
          diagram: box(document.querySelector('.st-key-diagram .js-plotly-plot')),
          sample: box(document.querySelector('.st-key-x_text')),
          scroll: [window.scrollY, main.scrollTop], width: window.innerWidth, height: window.innerHeight,
          sideways: [document.documentElement.scrollWidth - document.documentElement.clientWidth,
                     main.scrollWidth - main.clientWidth]};
}"""

# JS: does the lesson come before the sample's fields in the page (the server's phone order)?
_PHONE_ORDER = """() => { const a = document.querySelector('.st-key-lesson_area'),
                               b = document.querySelector('.st-key-sample_area');
    return !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)); }"""


def _open(browser, app_server, size, query: str = "", **context_options) -> tuple:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, **context_options)
    app = AppPage(context.new_page(), app_server)
    app.page.set_default_timeout(60_000)  # a loaded machine: Streamlit's first run can take a while
    app.page.goto(f"{app_server}/?{query}")
    app.page.wait_for_selector(".st-key-diagram .js-plotly-plot", timeout=180_000)
    app.wait_idle()
    return context, app


def _inside(name: str, b: dict | None, boxes: dict, where: str) -> None:
    assert b is not None, f"{where}: no {name} on the page"
    assert (
        b["top"] >= 0 and b["left"] >= 0 and b["bottom"] <= boxes["height"] + 0.5 and b["right"] <= boxes["width"] + 0.5
    ), f"{where}: the {name} {b} is not inside the {boxes['width']}x{boxes['height']} viewport"


def _check_phone_screen(app: AppPage, where: str) -> dict:
    app.page.wait_for_timeout(150)  # Plotly's redraw after the run
    boxes = app.page.evaluate(_BOXES)
    assert boxes["scroll"] == [0, 0], f"{where}: the page is scrolled {boxes['scroll']}"
    assert boxes["sideways"] == [0, 0], f"{where}: the page scrolls sideways by {boxes['sideways']} px"
    for name in ("step", "progress", "diagram"):
        _inside(name, boxes[name], boxes, where)
    assert boxes["step"]["bottom"] <= boxes["diagram"]["top"], f"{where}: Step is not above the diagram {boxes}"
    print(f"{where}: Step {boxes['step']}, diagram {boxes['diagram']}")
    return boxes


@pytest.mark.parametrize(
    "query", ["preset=worked_2_2_2", "preset=deep_narrow", "h=16,16"], ids=["2-2-2", "deep", "wide"]
)
def test_on_a_phone_step_and_the_diagram_share_the_screen(browser, app_server, query):
    """Press Step and see the diagram change, without scrolling: at step 0 and after each of several Steps.
    The wide network (2-16-16-2) has the tallest diagram the app draws."""
    context, app = _open(browser, app_server, PHONE, query)
    try:
        app.page.wait_for_function(_PHONE_ORDER)  # the browser has said it is narrow; the page took the phone order
        app.wait_idle()
        tag = f"phone_{query.split('=')[-1].replace(',', '_')}"
        _check_phone_screen(app, "step 0")
        L = (int(re.match(r"Step 0 of (\d+)", app.progress()).group(1)) - 2) // 2
        for n in range(1, 5):
            before = app.page.locator(".st-key-diagram .js-plotly-plot").evaluate("gd => JSON.stringify(gd.data)")
            line = app.press("btn_step")
            assert line.startswith(f"Step {n} of "), line
            boxes = _check_phone_screen(app, f"Step {n}")
            after = app.page.locator(".st-key-diagram .js-plotly-plot").evaluate("gd => JSON.stringify(gd.data)")
            if bp.step(L, n).kind != "cost":  # the cost step adds nothing to the diagram
                assert after != before, f"Step {n}: the diagram on screen did not change"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        app.page.mouse.move(1, 1)
        app.page.screenshot(path=str(SCREENSHOTS / f"{tag}_s04.png"))  # a backward step on the 2-2-2
        app.screenshot(f"{tag}_s04_full")  # the whole page, to look for anything sideways or cut off
        # The sample's fields are still there, below the lesson.
        assert boxes["sample"] is not None and boxes["sample"]["top"] > boxes["diagram"]["bottom"]
        app.assert_healthy()
    finally:
        context.close()


def test_on_a_laptop_the_samples_fields_stay_above_the_step_buttons(browser, app_server):
    context, app = _open(browser, app_server, LAPTOP)
    try:
        app.page.wait_for_timeout(1000)  # a laptop's browser reports nothing: no second run to wait for
        assert not app.page.evaluate(_PHONE_ORDER)
        boxes = app.page.evaluate(_BOXES)
        assert boxes["sample"]["bottom"] <= boxes["step"]["top"], boxes
        _inside("diagram", boxes["diagram"], boxes, "laptop")
        assert boxes["sideways"] == [0, 0], boxes
        app.page.mouse.move(1, 1)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        app.page.screenshot(path=str(SCREENSHOTS / "laptop_1280x800_s00.png"))
    finally:
        context.close()


# JS: what has the focus, and whether its focus ring is drawn (an outline or a box-shadow).
_FOCUS = """() => { const e = document.activeElement; const cs = getComputedStyle(e);
  return {onStep: !!e.closest('.st-key-btn_step'), tag: e.tagName,
          what: e.getAttribute('data-testid') || e.getAttribute('aria-label')
                || (e.innerText || '').trim().slice(0, 30),
          visible: e.matches(':focus-visible'),
          ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none'}; }"""


# JS: the progress line differs from `before`.
_PROGRESS_CHANGED = """(before) => {
    const p = Array.from(document.querySelectorAll(
      '[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))
      .find(e => /^Step \\d+ of \\d+ — /.test(e.innerText.trim()));
    return p && p.innerText.trim() !== before; }"""


def _collapse_sidebar(page) -> None:
    if page.locator("[data-testid=stSidebar][data-collapsed=false]").count():
        page.locator("[data-testid=stSidebar]").hover()
        page.locator("[data-testid=stSidebarCollapseButton] button").click()
        page.wait_for_selector("[data-testid=stSidebar][data-collapsed=true]", state="attached")  # hidden: PAGE_CSS
        page.wait_for_timeout(600)


@pytest.mark.parametrize("size, most", [(PHONE, 5), (LAPTOP, 8)], ids=["phone", "laptop"])
def test_keyboard_only_tab_to_step_and_step_with_enter_and_space(browser, app_server, size, most):
    """From the top of the page, sidebar collapsed: Tab until Step has the focus, counting the stops; then Enter
    and Space on the focused Step move the lesson a step each, through the iteration's update into the next
    iteration, with the focus staying on Step and its ring drawn. On a laptop the sample's four controls come
    before Step (they sit above it: the two fields, Random sample and the x and y sliders' expander), so its
    bound is three more (the laptop's page has no skip link to pass)."""
    context, app = _open(browser, app_server, size, "preset=worked_2_2_2")
    page = app.page
    try:
        if size == PHONE:
            page.wait_for_function(_PHONE_ORDER)
            app.wait_idle()
        _collapse_sidebar(page)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        stops = []
        for _ in range(15):
            page.keyboard.press("Tab")
            focus = page.evaluate(_FOCUS)
            stops.append(focus["what"])
            if focus["onStep"]:
                break
        else:
            pytest.fail(f"Step not reached in 15 Tab presses: {stops}")
        print(f"{size[0]}x{size[1]}: {len(stops)} Tab presses to Step: {stops}")
        assert len(stops) <= most, stops
        assert focus["visible"] and focus["ring"], f"Step has the focus but no visible ring: {focus}"
        for n, key in enumerate(["Enter", "Space", "Enter", "Space", "Enter", "Space", "Enter"], start=1):
            before = app.progress()
            app.act(
                lambda key=key: page.keyboard.press(key),
                until=_PROGRESS_CHANGED,
                arg=before,
            )
            line = app.progress()
            want = f"Step {n} of 6" if n <= 6 else "Step 1 of 6"  # Step after the update: the next iteration
            assert line.startswith(want), f"{key} on Step (press {n}): “{line}”"
            focus = page.evaluate(_FOCUS)
            assert focus["onStep"], f"after {key}, the focus left Step for {focus}"
            assert focus["visible"] and focus["ring"], f"after {key}, Step's focus ring is not drawn: {focus}"
        assert app.progress().endswith("iteration 2"), app.progress()
        app.assert_healthy()
    finally:
        context.close()


# JS: how many elements have a transition or an animation of non-zero duration.
_MOVING = """() => Array.from(document.querySelectorAll('*')).filter(e => { const cs = getComputedStyle(e);
    const moves = (v) => v.split(',').some(d => parseFloat(d) > 0);
    return moves(cs.transitionDuration) || (cs.animationName !== 'none' && moves(cs.animationDuration)); }).length"""


def test_reduced_motion_autoplay_does_not_step_by_itself(browser, app_server):
    """Without the preference, autoplay steps (the control); when the browser starts asking for reduced motion,
    autoplay switches off and the lesson stays put; a browser asking from the start has the switch disabled,
    and no transitions."""
    context, app = _open(browser, app_server, LAPTOP, "preset=worked_2_2_2")
    page = app.page
    switch = page.locator(".st-key-autoplay input")
    try:
        assert not switch.is_disabled()
        assert page.evaluate(_MOVING) > 0  # the control: Streamlit's widgets do have transitions here
        app.act(
            lambda: page.locator(".st-key-autoplay label").click(),
            until="() => /^Step [2-6] of 6/.test(Array.from(document.querySelectorAll("
            "'[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))"
            ".map(e => e.innerText.trim()).find(t => /^Step \\d/.test(t)))",
            timeout=60_000,
        )  # autoplay stepped by itself: its first step at once, the second on its timer
        page.emulate_media(reduced_motion="reduce")
        page.wait_for_function("() => document.querySelector('.st-key-autoplay input').disabled")
        app.wait_idle()
        assert not switch.is_checked()
        held = app.progress()
        assert not held.startswith("Step 6"), held  # not at the update, where autoplay stops anyway
        page.wait_for_timeout(4_000)  # longer than two of autoplay's 1.5 s steps
        app.wait_idle()
        assert app.progress() == held, f"autoplay stepped with reduced motion: “{held}” → “{app.progress()}”"
    finally:
        context.close()

    context, app = _open(browser, app_server, LAPTOP, "preset=worked_2_2_2", reduced_motion="reduce")
    page = app.page
    try:
        page.wait_for_function("() => document.querySelector('.st-key-autoplay input')?.disabled")
        assert page.get_by_text("your device asks for reduced motion").count() == 1
        assert page.evaluate(_MOVING) == 0, "elements with a transition or animation under reduced motion"
        app.assert_healthy()
    finally:
        context.close()
