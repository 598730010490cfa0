"""Browser fixtures: one Streamlit server for the session, one headless Chromium, a fresh tab per test.

Tests marked `browser` use them. Without Chromium (or Playwright) they skip locally, and fail when the
environment variable CI is set: a CI run must not pass by skipping its browser tests.
"""

from __future__ import annotations

import pytest
from browser_helpers import VIEWPORT, AppPage, Server, chromium_problem, in_ci, launch


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs the app in headless Chromium (needs /usr/bin/chromium)")


@pytest.fixture(scope="session")
def chromium():
    """Skip (locally) or fail (when CI is set) unless Chromium and Playwright are both here."""
    problem = chromium_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI: {problem}", pytrace=False)
    pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def app_server(chromium):
    """The base URL of `streamlit run app.py` on a free loopback port, started once for the session."""
    server = Server(timeout=60)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    """Debian's headless Chromium driven by Playwright, shared by the session's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def app(browser, app_server):
    """The app loaded in a new browser context (so a new Streamlit session), recording console errors and
    uncaught page errors in `app.console_errors` and `app.page_errors`."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        a = AppPage(page, app_server)
        a.open()
        yield a
    finally:
        context.close()
