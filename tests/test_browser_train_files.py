"""The Train page's ways in and out, in a real browser: they sit in the charts' fragment, whose reruns
AppTest (always the whole page) cannot show. A refused import's message once waited for some later
whole-page run; now it is under the uploader at once. A good import updates the sidebar; "Open in Step
through" goes there."""

from __future__ import annotations

import pytest
from browser_helpers import assert_companion_healthy, companion_page

from backprop.training import datasets as ds
from backprop.training import descent as tr
from backprop.training import model_io

pytestmark = pytest.mark.browser

PATH, TITLE, READY = "/train", "Train a network", ".st-key-train_loss .js-plotly-plot"
UPLOAD = ".st-key-train_import input[type=file]"


def test_a_refused_import_says_why_at_once_under_the_uploader(browser, app_server):
    with companion_page(browser, app_server, PATH, TITLE, READY) as app:
        page = app.page
        page.locator(UPLOAD).set_input_files(
            files=[{"name": "evil.json", "mimeType": "application/json", "buffer": b'{"format": "something else"}'}]
        )
        # No other click, no rerun of ours: the message must come with the upload's own rerun.
        message = page.locator("[data-testid=stAlert]").filter(has_text="evil.json")
        try:
            message.wait_for(timeout=15_000)
        except Exception:
            app.screenshot("52_train_import_refused_FAILED")
            raise
        app.wait_idle()
        assert "“evil.json” can't be used" in message.inner_text(), message.inner_text()
        assert message.is_visible()
        app.screenshot("52_train_import_refused")
        assert_companion_healthy(app, PATH)


def test_a_good_import_updates_the_sidebar_and_open_in_step_through_goes_there(browser, app_server):
    data = ds.generate("circles", n=300, noise=0.1, seed=0, test_fraction=0.2)
    model = tr.start_training(tr.default_config(data, hidden=(3,)), data)
    with companion_page(browser, app_server, PATH, TITLE, READY) as app:
        page = app.page
        hidden = page.locator(".st-key-train_hidden input")
        assert hidden.input_value() == "2"
        page.locator(UPLOAD).set_input_files(
            files=[{"name": "net.json", "mimeType": "application/json", "buffer": model_io.model_json(model).encode()}]
        )
        page.wait_for_function(
            "() => document.querySelector('.st-key-train_hidden input').value === '1'", timeout=15_000
        )
        app.wait_idle()
        assert page.locator(".st-key-train_h1 input").input_value() == "3"
        page.locator(".st-key-train_send button").click()
        page.wait_for_selector("h1:has-text('Backpropagation, step by step')", timeout=15_000)
        app.wait_idle()
        assert_companion_healthy(app, PATH)
