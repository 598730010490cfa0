"""The gradient-check page in headless Chromium: it renders its charts with no exception box and no JS error,
opened at its own URL and reached from the step-through page.

The server fixture serves app.py, so a page missing from app.py's st.navigation fails these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import VIEWPORT, AppPage

pytestmark = pytest.mark.browser

APP = Path(__file__).resolve().parents[1] / "app.py"
URL_PATH = "/gradient_check"
TITLE = "Gradient check"
CHARTS = ("parity", "sweep", "relerr_1", "relerr_2", "costs")  # the charts of the default 2-2-2 network
# Opened at a deep URL, Streamlit's frontend first probes <path>/_stcore/…, gets 404 and falls back to the
# server root. Those two requests, and the console lines they cause, are expected; nothing else is.
PROBES = {URL_PATH + "/_stcore/health", URL_PATH + "/_stcore/host-config"}


@pytest.fixture(autouse=True)
def _in_navigation():
    if "pages/gradient_check.py" not in APP.read_text():
        pytest.fail(
            "the Gradient check page is not in app.py's st.navigation yet (add "
            "st.Page('pages/gradient_check.py', …)); its browser tests run once it is"
        )


def wait_rendered(page) -> None:
    """Until the title and every chart are drawn and the script is idle; fail if the server does not
    know the page (it then shows the default page)."""
    page.wait_for_selector("h1", timeout=20_000)
    if not page.locator("h1").filter(has_text=TITLE).count():
        page.wait_for_timeout(1000)
        if not page.locator("h1").filter(has_text=TITLE).count():
            pytest.fail(f"{URL_PATH} does not open the Gradient check page: is it in the navigation?")
    for key in CHARTS:
        page.wait_for_selector(f".st-key-{key} .js-plotly-plot .main-svg", timeout=30_000)
    AppPage(page, "").wait_idle()


def test_page_opens_at_its_url_and_renders_with_no_error(browser, app_server):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        app = AppPage(page, app_server)
        failed = []
        page.on("response", lambda r: failed.append(r.url.removeprefix(app_server)) if r.status >= 400 else None)
        page.goto(app_server + URL_PATH)
        wait_rendered(page)
        assert app.exceptions() == [], f"exception box on the page: {app.exceptions()}"
        assert app.katex_errors() == [], app.katex_errors()
        assert app.page_errors == [], f"JS page errors: {app.page_errors}"
        assert set(failed) <= PROBES, f"failed requests: {failed}"
        unexpected = [e for e in app.console_errors if "status of 404" not in e]
        assert unexpected == [] and len(app.console_errors) <= len(failed), app.console_errors
        # The verdict table and the ε slider are drawn; the default ε is 1e-6.
        assert page.locator("[data-testid=stAlert]").filter(has_text="ε = 1e-6").count() == 1
        assert page.locator(".st-key-parity .scatterlayer .point").count() >= 12  # 12 weights and biases
        app.screenshot("10_gradient_check_default")
    finally:
        context.close()


def test_page_reached_from_step_through_shows_its_chosen_weight(app):
    """Choose W²₂,₁ by a click on the step-through page, follow the sidebar link: the gradient check rings
    that weight, and nothing on the way logs an error."""
    app.press("btn_end")
    app.wait_gradients({1, 2}, 2)
    app.click_cell(2, 1, 0)
    app.page.locator("[data-testid=stSidebarNav] a").filter(has_text=TITLE).click()
    wait_rendered(app.page)
    assert app.page.locator("[data-testid=stCaptionContainer]").filter(has_text="W²₂,₁").count() == 1
    label = app.page.locator(".st-key-parity .annotation-text").all_text_contents()
    assert any("chosen" in t and "2,1" in t for t in label), label
    app.assert_healthy()
