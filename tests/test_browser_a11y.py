"""WCAG 2.1 AA as axe-core checks it, on every page, in presenter mode and out of it, and on the step-through
page at the start, in the backward pass and at the update.

axe-core comes from the npm registry (tests/a11y/package.json; `.ci/run` installs it with `npm ci`); nothing is
downloaded while the tests run. Without it the tests skip locally and fail in CI, like the browser itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_helpers import IDLE, in_ci

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAZUR = "preset=worked_2_2_2"

# (name, path, query, the page's title, what must be drawn before the check: a chart, or an equation where
# the page writes a small network out)
STEP_THROUGH, CHART = "h1:has-text('Backpropagation, step by step')", ".js-plotly-plot"
STATES = [
    ("step through, start", "/", f"{MAZUR}&step=0", STEP_THROUGH, CHART),
    ("step through, backward", "/", f"{MAZUR}&step=4", STEP_THROUGH, CHART),
    ("step through, update", "/", f"{MAZUR}&step=6", STEP_THROUGH, CHART),
    ("two nodes", "/two_nodes", "", "h1:has-text('Two nodes in series')", CHART),
    ("matrix form", "/matrix_form", "", "h1:has-text('Matrix form')", ".katex-display"),
    ("gradient check", "/gradient_check", "", "h1:has-text('Gradient check')", CHART),
    ("train", "/train", "", "h1:has-text('Train')", CHART),
]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): run `npm ci --prefix tests/a11y`"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE.read_text()


def violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""",
        TAGS,
    )


@pytest.mark.parametrize("present", ["0", "1"], ids=["plain", "presenter"])
@pytest.mark.parametrize("name, path, query, title, drawn", STATES, ids=[s[0] for s in STATES])
def test_no_wcag_violations(browser, app_server, axe_source, name, path, query, title, drawn, present):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{app_server}{path}?{query}{'&' if query else ''}present={present}")
        page.wait_for_selector(title, timeout=60_000)
        page.wait_for_selector(IDLE, state="attached", timeout=60_000)
        page.wait_for_selector(drawn, timeout=60_000)
        page.wait_for_timeout(500)  # the last charts and equations settle
        found = violations(page, axe_source)
        assert not found, f"{name}, presenter {present}: " + json.dumps(found, indent=1, ensure_ascii=False)
        # The page was really checked: axe saw the figures and their hidden tables.
        assert drawn != CHART or page.locator(".bp-sr-table table").count() >= 1
    finally:
        context.close()


@pytest.mark.parametrize("step", [0, 4], ids=["start", "backward"])
def test_no_wcag_violations_on_a_phone(browser, app_server, axe_source, step):
    """390x844, where the page takes its phone order (the lesson first, the sample's fields below it)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{app_server}/?{MAZUR}&step={step}")
        page.wait_for_selector(STEP_THROUGH, timeout=60_000)
        page.wait_for_function(  # the browser has said it is narrow, and the page has taken the phone order
            """() => { const a = document.querySelector('.st-key-lesson_area'),
                              b = document.querySelector('.st-key-sample_area');
                       return !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)); }""",
            timeout=60_000,
        )
        page.wait_for_selector(IDLE, state="attached", timeout=60_000)
        page.wait_for_selector(CHART, timeout=60_000)
        page.wait_for_timeout(500)
        found = violations(page, axe_source)
        assert not found, f"phone, step {step}: " + json.dumps(found, indent=1, ensure_ascii=False)
        assert page.locator(".bp-sr-table table").count() >= 1
    finally:
        context.close()


def test_the_check_can_fail(browser, app_server, axe_source):
    """A planted low-contrast caption is reported: the test above is not blind."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{app_server}/two_nodes")
        page.wait_for_selector(IDLE, state="attached", timeout=60_000)
        page.evaluate("""() => { const p = document.createElement('p'); p.textContent = 'faint';
                                 p.style.color = '#bbbbbb'; document.querySelector('h1').after(p); }""")
        assert "color-contrast" in {v["rule"] for v in violations(page, axe_source)}
    finally:
        context.close()


def test_a_step_is_announced_in_a_live_region(app):
    """The announcement's container is a polite status region, and its text follows the step."""
    page = app.page
    where = ".st-key-bp_announce, .bp-held-said"  # the page's region, or the held stage's (held_view.js)
    region = page.locator(where)
    page.wait_for_function("(s) => document.querySelector(s)?.getAttribute('role') === 'status'", arg=where)
    assert region.get_attribute("aria-live") == "polite"
    before = region.inner_text()
    app.press("btn_step")
    page.wait_for_function("([s, before]) => document.querySelector(s).innerText !== before", arg=[where, before])
    assert region.inner_text().startswith(app.progress().split(" · ")[0])
