"""The "Matrix form" page in a real browser: it typesets its matrices (KaTeX error-free, \\boxed and \\textcolor
included), with no exception box and no JS error, and a new choice of k re-renders the boxed entry.

The session's server runs app.py, so the page is reachable only once app.py's st.navigation lists
pages/matrix_form.py; a page missing from it fails these tests.
"""

from __future__ import annotations

import pytest

from browser_helpers import VIEWPORT, AppPage

pytestmark = pytest.mark.browser

PATH = "/matrix_form"            # Streamlit's URL path for pages/matrix_form.py
TITLE = "Matrix form"
STEP_THROUGH_TITLE = "Backpropagation, step by step"


@pytest.fixture
def matrix_page(browser, app_server):
    """A fresh tab on the app's home page (so that app.py's st.navigation has run on the server), then on
    PATH; a failure if the page is not in the navigation. Console errors are kept with their URLs."""
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
                        f"“{page.locator('h1').first.inner_text()}” (add st.Page(\"pages/matrix_form.py\", "
                        f"title=\"Matrix form\", icon=\":material/grid_on:\") there)")
        page.wait_for_selector(".katex .katex-mathml annotation", state="attached")
        app.wait_idle()
        yield app
    finally:
        context.close()


def _real_console_errors(app) -> list[str]:
    """Console errors, less the 404s of Streamlit's own probe for a path prefix (loaded at /matrix_form, it
    first asks /matrix_form/_stcore/…, then the server root)."""
    return [f"{text} ({url})" for text, url in app.console_errors_at
            if not (url.startswith(app.base_url + PATH + "/_stcore/") and "404" in text)]


def _assert_healthy(app) -> None:
    assert app.exceptions() == [], f"exception box on the page: {app.exceptions()}"
    assert app.katex_errors() == [], f"equations that do not typeset: {app.katex_errors()}"
    assert app.page_errors == [], f"JS page errors: {app.page_errors}"
    assert _real_console_errors(app) == [], f"console errors: {_real_console_errors(app)}"


def _boxes(app) -> int:
    """How many boxed entries KaTeX drew (\\boxed renders as a .boxpad inside an .fbox frame)."""
    return app.page.locator(".katex .fbox, .katex .boxpad").count()


def test_matrix_form_page_typesets_its_matrices_without_errors(matrix_page):
    app = matrix_page
    page = app.page
    assert page.url.rstrip("/").endswith(PATH)
    tex = app.latex_sources()
    assert any(r"\begin{bmatrix}" in t and r"\text{(BP2)}" in t and r"\boxed" in t for t in tex), tex
    assert any(r"\sum_m W^{2}_{m1}" in t for t in tex), tex
    assert any(r"\textcolor{darkorange}" in t for t in tex)
    assert _boxes(app) > 0
    assert "Both forms give the same numbers" in page.locator("[data-testid=stAlert]").first.inner_text()
    app.screenshot("matrix_01_initial")
    _assert_healthy(app)


def test_choosing_another_k_moves_the_box(matrix_page):
    app = matrix_page
    page = app.page
    before = [t for t in app.latex_sources() if r"\sum_m" in t]
    box = page.locator(".st-key-matrix_k [role=combobox]")
    app.act(lambda: (box.click(), page.get_by_role("option", name="2", exact=True).click()),
            until=r"() => Array.from(document.querySelectorAll('.katex annotation'))"
                  r".some(a => a.textContent.includes('W^{2}_{m2}'))")
    after = [t for t in app.latex_sources() if r"\sum_m" in t]
    assert after != before and r"W^{2}_{m2}" in after[0]
    app.screenshot("matrix_02_k2")
    _assert_healthy(app)
