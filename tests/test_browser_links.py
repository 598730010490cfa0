"""Links to the companion pages in a real browser: a link straight to a page of a freshly started server
opens it inside the app (navigation, layout, presenter mode), with the linked network and choices; the
address a page writes, opened in a fresh browser context, shows the same equations."""

from __future__ import annotations

import pytest
from browser_helpers import VIEWPORT, AppPage, Server, assert_companion_healthy

from backprop.ui import presenter

pytestmark = pytest.mark.browser

NAV = ["Step through", "Two nodes in series", "Matrix form", "Gradient check", "Train", "Class"]


def _open(browser, url: str, title: str):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    app = AppPage(page, url.split("/", 3)[0] + "//" + url.split("/", 3)[2])
    app.console_errors_at = []
    page.on(
        "console",
        lambda m: app.console_errors_at.append((m.text, m.location.get("url", ""))) if m.type == "error" else None,
    )
    page.goto(url)
    page.wait_for_selector(f"h1:has-text('{title}')")
    page.wait_for_selector(".katex .katex-mathml annotation", state="attached")
    app.wait_idle()
    page.wait_for_timeout(300)
    app.wait_idle()
    return context, app


def _nav(app) -> list[str]:
    return [t.split("\n")[-1].strip() for t in app.page.locator("[data-testid=stSidebarNav] a").all_inner_texts()]


def test_a_link_to_a_page_of_a_fresh_server_opens_it_inside_the_app(chromium, browser):
    """Nobody has opened the home page of this new server: the link must still run app.py (its navigation
    and presenter mode), not the bare page script, and show the linked network, entry and step."""
    server = Server(timeout=60)
    try:
        url = server.url + "/matrix_form?h=10&seed=3&w=2,1,3&step=4&present=1"
        context, app = _open(browser, url, "Matrix form")
        try:
            assert _nav(app) == NAV
            caption = app.page.locator("[data-testid=stCaptionContainer]").first.inner_text()
            assert "2-10-2" in caption, caption
            assert app.page.locator("h3").filter(has_text="Matrix form, layer 2").count() == 1
            # presenter mode from the link: root type and the figures' text enlarged
            # (presenter.ROOT_CSS: 2.5 % of the window's height, clamped to 18-24 px)
            height = app.page.evaluate("window.innerHeight")
            want = min(max(presenter.BODY_VH / 100 * height, presenter.BODY_MIN), presenter.BODY_MAX)
            got = app.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
            assert abs(got - want) < 0.5 and got > 16, (got, want)
            # the charts are drawn once Plotly.js has loaded in this new tab, after the page itself
            app.page.wait_for_function(
                "() => { const g = [...document.querySelectorAll('.bp-live-chart')];"
                " return g.length > 0 && g.every(gd => gd._fullLayout); }"
            )
            fonts = app.page.locator(".js-plotly-plot").evaluate_all("gds => gds.map(gd => gd._fullLayout.font.size)")
            assert fonts and all(f == 20 for f in fonts), fonts
            assert "step=4" in app.page.url and "w=2%2C1%2C3" in app.page.url, app.page.url
            app.screenshot("40_matrix_form_linked_presenter")
            assert_companion_healthy(app, "/matrix_form")
        finally:
            context.close()
    finally:
        server.stop()


@pytest.mark.parametrize(
    "path, title, query",
    [
        ("/matrix_form", "Matrix form", "?h=4,3&act=tanh&seed=11&w=2,3,4&step=7&it=2"),
        ("/gradient_check", "Gradient check", "?h=3&seed=5&epsilon=0.001&w=1,2,2"),
        ("/two_nodes", "Two nodes in series", "?w1=-1.5&act1=tanh&plot=b1&lr=0.8"),
    ],
)
def test_the_address_a_page_writes_reopens_the_same_page_elsewhere(browser, app_server, path, title, query):
    context, first = _open(browser, app_server + path + query, title)
    try:
        written = first.page.url
        assert written.startswith(app_server + path + "?"), written
        for part in query[1:].split("&"):
            key, value = part.split("=")
            assert f"{key}={value.replace(',', '%2C')}" in written, (part, written)
        other_context, second = _open(browser, written, title)
        try:
            assert second.latex_sources() == first.latex_sources()
            assert second.page.url == written
            assert_companion_healthy(second, path)
        finally:
            other_context.close()
        assert_companion_healthy(first, path)
    finally:
        context.close()
