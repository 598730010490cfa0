"""The "Two nodes in series" page in a real browser: it renders, draws its chart and typesets its equations,
with no exception box and no JS error, and its gradient-descent button works.

The session's server runs app.py, so the page is reachable only once app.py's st.navigation lists
pages/two_nodes.py; a page missing from it fails these tests.
"""

from __future__ import annotations

import pytest
from browser_helpers import assert_companion_healthy, companion_page

pytestmark = pytest.mark.browser

PATH = "/two_nodes"  # Streamlit's URL path for pages/two_nodes.py
TITLE = "Two nodes in series"


@pytest.fixture
def series_page(browser, app_server):
    """The page in a fresh tab, opened after the home page (see browser_helpers.companion_page)."""
    with companion_page(
        browser, app_server, PATH, TITLE, ".st-key-series_curve .js-plotly-plot", state="visible"
    ) as app:
        yield app


def _assert_healthy(app) -> None:
    assert_companion_healthy(app, PATH)


def test_two_nodes_page_renders_its_chart_and_equations_without_errors(series_page):
    app = series_page
    page = app.page
    assert page.url.split("?")[0].rstrip("/").endswith(PATH)  # the query string holds the page's state
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
    app.act(
        lambda: page.locator(".st-key-series_descend button:visible").click(),
        until="(before) => {"
        " const e = document.querySelector('.st-key-series_w2 [data-testid=stSliderThumbValue]');"
        " return e && e.innerText !== before; }",
        arg=before,
    )
    assert float(value.inner_text()) > float(before)  # the defaults: ∂C/∂w² < 0, so w² grows
    assert any(r"C_{\text{before}}" in t for t in app.latex_sources())
    app.screenshot("series_02_after_step")
    _assert_healthy(app)
