"""The "Two nodes in series" page in a real browser: it renders, draws its chart and typesets its equations,
with no exception box and no JS error, and its gradient-descent button works.

The session's server runs app.py, so the page is reachable only once app.py's st.navigation lists
pages/two_nodes.py; a page missing from it fails these tests.
"""

from __future__ import annotations

import pytest

from browser_helpers import VIEWPORT, AppPage

pytestmark = pytest.mark.browser

PATH = "/two_nodes"              # Streamlit's URL path for pages/two_nodes.py
TITLE = "Two nodes in series"
STEP_THROUGH_TITLE = "Backpropagation, step by step"


@pytest.fixture
def series_page(browser, app_server):
    """A fresh tab on the app's home page (so that app.py's st.navigation has run on the server: before it
    has, Streamlit serves the pages/ folder by itself), then on PATH; a failure if the page is not in the
    navigation. Console errors are kept with their URLs."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        app = AppPage(page, app_server)
        app.open()
        app.console_errors_at = []
        page.on("console", lambda m: app.console_errors_at.append((m.text, m.location.get("url", "")))
                if m.type == "error" else None)
        page.goto(app_server + PATH)
        page.wait_for_selector(f"h1:has-text('{TITLE}'), h1:has-text('{STEP_THROUGH_TITLE}')")
        app.wait_idle()
        if page.locator("h1").filter(has_text=TITLE).count() == 0:
            pytest.fail(f"{PATH} is not in app.py's st.navigation yet: opening it shows "
                        f"“{page.locator('h1').first.inner_text()}” (add st.Page(\"pages/two_nodes.py\", ...) there)")
        page.wait_for_selector(".st-key-series_curve .js-plotly-plot")
        app.wait_idle()
        yield app
    finally:
        context.close()


def _real_console_errors(app) -> list[str]:
    """Console errors, less the two 404s of Streamlit's own probe for a path prefix: loaded at /two_nodes, it
    first asks /two_nodes/_stcore/health and /two_nodes/_stcore/host-config, then the server root."""
    return [f"{text} ({url})" for text, url in app.console_errors_at
            if not (url.startswith(app.base_url + PATH + "/_stcore/") and "404" in text)]


def _assert_healthy(app) -> None:
    assert app.exceptions() == [], f"exception box on the page: {app.exceptions()}"
    assert app.katex_errors() == [], f"equations that do not typeset: {app.katex_errors()}"
    assert app.page_errors == [], f"JS page errors: {app.page_errors}"
    assert _real_console_errors(app) == [], f"console errors: {_real_console_errors(app)}"


def test_two_nodes_page_renders_its_chart_and_equations_without_errors(series_page):
    app = series_page
    page = app.page
    assert page.url.rstrip("/").endswith(PATH)
    # The curve, the tangent and the current point are drawn.
    assert page.locator(".st-key-series_curve .scatterlayer .trace").count() >= 3
    assert "Cost C as a function of" in (page.locator(".st-key-series_curve .gtitle").text_content() or "")
    tex = app.latex_sources()
    assert any(r"\delta^{1}" in t and r"\text{(BP2)}" in t for t in tex), tex
    assert len(tex) >= 9
    app.screenshot("series_01_initial")
    _assert_healthy(app)


def test_two_nodes_gradient_descent_step_moves_the_slider(series_page):
    app = series_page
    page = app.page
    value = page.locator(".st-key-series_w2 [data-testid=stSliderThumbValue]")
    before = value.inner_text()
    app.act(lambda: page.locator(".st-key-series_descend button:visible").click(),
            until="(before) => { const e = document.querySelector('.st-key-series_w2 [data-testid=stSliderThumbValue]');"
                  " return e && e.innerText !== before; }", arg=before)
    assert float(value.inner_text()) > float(before)     # the defaults: ∂C/∂w² < 0, so w² grows
    assert any(r"C_{\text{before}}" in t for t in app.latex_sources())
    app.screenshot("series_02_after_step")
    _assert_healthy(app)
