"""The "Matrix form" page in a real browser: it typesets its matrices (KaTeX error-free, \\boxed and \\textcolor
included), with no exception box and no JS error, and a new choice of k re-renders the boxed entry.

The session's server runs app.py, so the page is reachable only once app.py's st.navigation lists
pages/matrix_form.py; a page missing from it fails these tests.
"""

from __future__ import annotations

import pytest
from browser_helpers import assert_companion_healthy, companion_page

from backprop.lesson import equations as eq

pytestmark = pytest.mark.browser

PATH = "/matrix_form"  # Streamlit's URL path for pages/matrix_form.py
TITLE = "Matrix form"


@pytest.fixture
def matrix_page(browser, app_server):
    """The page in a fresh tab, opened after the home page (see browser_helpers.companion_page)."""
    with companion_page(browser, app_server, PATH, TITLE, ".katex .katex-mathml annotation", state="attached") as app:
        yield app


def _assert_healthy(app) -> None:
    assert_companion_healthy(app, PATH)


def _boxes(app) -> int:
    """How many boxed entries KaTeX drew (\\boxed renders as a .boxpad inside an .fbox frame)."""
    return app.page.locator(".katex .fbox, .katex .boxpad").count()


def test_matrix_form_page_typesets_its_matrices_without_errors(matrix_page):
    app = matrix_page
    page = app.page
    assert page.url.split("?")[0].rstrip("/").endswith(PATH)  # the query string holds the page's state
    tex = app.latex_sources()
    assert any(r"\begin{bmatrix}" in t and r"\text{(BP2)}" in t and r"\boxed" in t for t in tex), tex
    assert any(r"\sum_m W^{2}_{m1}" in t for t in tex), tex
    assert any(rf"\textcolor{{{eq.MARK}}}" in t for t in tex)
    assert _boxes(app) > 0
    assert "Both forms give the same numbers" in page.locator("[data-testid=stAlert]").first.inner_text()
    app.screenshot("matrix_01_initial")
    _assert_healthy(app)


def test_choosing_another_k_moves_the_box(matrix_page):
    app = matrix_page
    page = app.page
    before = [t for t in app.latex_sources() if r"\sum_m" in t]
    box = page.locator(".st-key-matrix_k [role=combobox]")
    app.act(
        lambda: (box.click(), page.get_by_role("option", name="2", exact=True).click()),
        until=r"() => Array.from(document.querySelectorAll('.katex annotation'))"
        r".some(a => a.textContent.includes('W^{2}_{m2}'))",
    )
    after = [t for t in app.latex_sources() if r"\sum_m" in t]
    assert after != before and r"W^{2}_{m2}" in after[0]
    app.screenshot("matrix_02_k2")
    _assert_healthy(app)
