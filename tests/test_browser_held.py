"""The plain step-through page stepped by the browser (backprop/ui/held_view.py, static/held_view.js), in
headless Chromium: a press shows its step from the views the page holds before the server has run anything,
the server's lesson follows every press, and presses in quick succession each count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import AppPage

import backprop as bp

pytestmark = pytest.mark.browser

# JS: press `key` (keyboard) and record, in page time, when the stage's progress line changed and when the
# page's script state first changed (Streamlit running the step row); resolve once the run is over and the line
# shows something new.
_PRESS = """async (key) => {
  const app = document.querySelector('[data-testid=stApp]');
  const line = () => (document.querySelector('.bp-held-shown .bp-fv-progress') || {}).textContent || '';
  const before = line();
  const seen = { line: null, state: null, stateBefore: app.getAttribute('data-test-script-state') };
  const t0 = performance.now();
  const watch = new MutationObserver(() => {
    if (seen.line === null && line() !== before) seen.line = performance.now() - t0;
    if (seen.state === null && app.getAttribute('data-test-script-state') !== seen.stateBefore) {
      seen.state = performance.now() - t0;
    }
  });
  watch.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  const shownBox = () => document.querySelector('.bp-held-shown');
  const rendersBefore = new Map(Array.from(document.querySelectorAll('.bp-held > div'))
    .map((b) => [b, b._bpRenders || 0]));
  document.activeElement && document.activeElement.blur && document.activeElement.blur();
  window.dispatchEvent(new Event('focus'));
  const keyEvent = (type) => new KeyboardEvent(type, { key, bubbles: true, cancelable: true });
  document.body.dispatchEvent(keyEvent('keydown'));
  document.body.dispatchEvent(keyEvent('keyup'));
  for (let waited = 0; waited < 20000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    // (a run of the step row can be over within one render, the state never seen to change: a second is enough)
    if (line() !== before && (seen.state !== null || waited >= 1000)
        && app.getAttribute('data-test-script-state') === 'notRunning') break;
  }
  watch.disconnect();
  const box = shownBox();
  return { ...seen, line: seen.line, text: line(), swapped: (box._bpRenders || 0) === rendersBefore.get(box) };
}"""


def _server_step(app) -> tuple[int, int]:
    """The (iteration, step) the session is at, from the address the page keeps (url_state.write)."""
    q = parse_qs(urlsplit(app.page.url).query)
    return int(q.get("it", ["1"])[0]), int(q.get("step", ["0"])[0])


def _settled(app, index: int) -> None:
    """Wait until the server's step is `index` and the stage has drawn a step ahead (the next, or after a
    Back, the one before)."""
    app.page.wait_for_function(
        "(i) => (new URLSearchParams(location.search).get('step') || '0') === String(i)", arg=index, timeout=20_000
    )
    app.page.wait_for_function(
        "(i) => window.__bpHeld && window.__bpHeld.i === i && (window.__bpHeld.ready() >= 0 || "
        "i + 1 >= window.__bpHeld.views.length)",
        arg=index,
        timeout=20_000,
    )


def test_a_press_shows_its_step_before_the_server_runs_and_the_server_follows(app):
    L, biases = 2, False  # the worked 2-2-2 keeps its biases fixed, as Mazur does
    app.page.wait_for_function("() => window.__bpHeld && window.__bpHeld.ready() === 1")
    expected = [(k, i) for k, i in [("PageDown", i) for i in range(1, 2 * L + 3)]]
    expected += [("PageUp", 2 * L + 1), ("Home", 0), ("End", 2 * L + 2), ("ArrowLeft", 2 * L + 1)]
    for key, index in expected:
        r = app.page.evaluate(_PRESS, key)
        step = bp.step(L, index, biases)
        assert r["text"] == f"{step.progress} · iteration 1", (key, r)
        # Drawn from the held views: the line changed before Streamlit ran anything for the press.
        assert r["line"] is not None and (r["state"] is None or r["line"] <= r["state"]), (key, r)
        if key == "PageDown":  # the step after was drawn ahead: shown by swapping, nothing drawn on the press
            assert r["swapped"], (key, r)
        _settled(app, index)
        assert _server_step(app) == (1, index), key
        assert app.page.locator(".bp-held-shown .bp-fv-title").inner_text() == step.title.capitalize()
    app.screenshot("60_held_update_2-2-2")
    app.assert_healthy()


def test_a_press_out_of_the_iteration_runs_the_page_with_the_next_ones_views(app):
    app.press("btn_end")
    token = app.page.evaluate("() => window.__bpHeld.token")
    line = app.press("btn_step")
    assert line == "Step 1 of 6 — forward through layer 1 · iteration 2", line
    assert app.page.evaluate("() => window.__bpHeld.token") != token
    assert _server_step(app) == (2, 1)
    assert app.press("btn_back") == "Step 0 of 6 — start: the input x is set · iteration 2"
    line = app.press("btn_back")  # back to the update of iteration 1: its views again
    assert re.match(r"Step 6 of 6 — update .* · iteration 1$", line), line
    assert _server_step(app) == (1, 6)
    app.assert_healthy()


def test_presses_in_quick_succession_each_count(app):
    app.page.wait_for_function("() => window.__bpHeld && window.__bpHeld.ready() === 1")
    button = app.page.locator(".st-key-btn_step button:visible")
    for _ in range(3):
        button.click(no_wait_after=True)
    _settled(app, 3)
    assert app.progress() == "Step 3 of 6 — cost of the output · iteration 1"
    assert _server_step(app) == (1, 3)
    app.assert_healthy()


@contextmanager
def _opened(browser, app_server, size: tuple[int, int], query: str) -> Iterator[AppPage]:
    """The app at `?query` in a new context of `size`, once its stage has drawn step 1 ahead."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        app = AppPage(context.new_page(), app_server)
        app.page.set_default_timeout(60_000)
        app.page.goto(f"{app_server}/?{query}")
        app.page.wait_for_function("() => window.__bpHeld && window.__bpHeld.ready() === 1", timeout=120_000)
        yield app
    finally:
        context.close()


def test_a_press_during_a_run_of_the_whole_page_counts(browser, app_server):
    """A new sample, committed as its field loses the focus, runs the whole page with new views; a press at once
    is taken by a run of the step row after it. The two runs' reports (the stage's data, the row's sync) can
    reach the page in either order: the page must end on the step the session took, whichever came first.
    The largest network makes the whole run long (its views are megabytes), so the press lands inside it."""
    with _opened(browser, app_server, (1400, 1000), "in=8&h=16,16,16,16,16,16&out=8") as app:
        field = app.page.locator(".st-key-x_text input")
        for n, sample in enumerate(
            ["0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8", "0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1"]
        ):
            field.fill(sample)
            app.page.locator("h1").click()  # the field commits on blur: a run of the whole page, new views
            app.page.keyboard.press("PageDown")
            _settled(app, n + 1)
            app.wait_idle()
            state = app.page.evaluate(
                "() => ({ i: window.__bpHeld.i, pressed: window.__bpHeld.pressed, base: window.__bpHeld.base })"
            )
            assert state["i"] == n + 1 and state["pressed"] == state["base"], (n, state)
            assert app.progress().startswith(f"Step {n + 1} of 16"), app.progress()
            assert _server_step(app) == (1, n + 1)
        app.assert_healthy()


def test_presenter_mode_shows_a_press_before_the_server_runs(browser, app_server):
    """Projected, the clicker's PageDown swaps in the step drawn ahead: presenter mode's stage (the current
    layer's gradient large, every layer's thumbnail), with the progress line in the step row."""
    with _opened(browser, app_server, (1280, 720), "present=1") as app:
        for index in (1, 2, 3, 4):
            r = app.page.evaluate(_PRESS, "PageDown")
            assert r["line"] is not None and (r["state"] is None or r["line"] <= r["state"]), (index, r)
            assert r["swapped"], (index, r)
            _settled(app, index)
            row = app.page.locator(".st-key-progress .bp-held-line").inner_text()
            assert row == f"{bp.step(2, index, False).progress} · iteration 1", row
        title = app.page.locator(".st-key-grad_focus .gtitle").text_content().replace("\u200b", "")
        assert re.match(r"Layer 2\b.*∂C/∂W2", title), title  # step 4: backward through layer 2
        assert app.page.locator(".bp-held-shown .st-key-grad_2 .js-plotly-plot").count() == 1, "the thumbnails"
        app.screenshot("61_held_presenter_step_4")
        app.assert_healthy()


def test_a_slider_move_sends_the_step_shown_and_the_rest_once_the_slider_rests(app):
    """An edit's run sends the view of the step shown alone (a slider being dragged builds one view a move, not
    one per step); once the slider rests, the stage asks for the others, all of the edited network, and a
    press is again shown before the server runs."""
    app.press("btn_end")
    page = app.page
    page.wait_for_function("() => window.__bpHeld && window.__bpHeld.views.every(Boolean)")
    slider = page.locator(".st-key-edit_W_slider input[type=range]")
    field = ".st-key-edit_W_field input"
    for key in ("ArrowRight", "ArrowRight"):
        slider.focus()
        app.act(
            lambda k=key: page.keyboard.press(k),
            until=f"(b) => document.querySelector('{field}').value !== b",
            arg=page.locator(field).input_value(),
        )
    value = float(page.locator(field).input_value())
    # the stages' views, newest last: one (an edit's: the step shown), then, after the rest, all seven
    page.wait_for_function("() => window.__bpHeld.built.slice(-2).join() === '1,7'", timeout=20_000)
    edited = page.evaluate("() => window.__bpHeld.views.map(v => v.diagram.figure.data.some(t => t.name === 'edited'))")
    assert edited == [True] * 7, edited
    r = page.evaluate(_PRESS, "PageUp")
    assert r["text"] == f"{bp.step(2, 5, False).progress} · iteration 1", r
    assert r["line"] is not None and (r["state"] is None or r["line"] <= r["state"]), r  # held again
    _settled(app, 5)
    assert float(page.locator(field).input_value()) == value
    app.assert_healthy()


def test_a_download_after_an_edit_holds_the_edited_network(app):
    """An edit does not run the downloads' fragment; the file, built when its button is clicked (in a thread of
    Streamlit's own), is the edited lesson's all the same."""
    import json

    page = app.page
    slider = page.locator(".st-key-edit_W_slider input[type=range]")
    field = ".st-key-edit_W_field input"
    slider.focus()
    app.act(
        lambda: page.keyboard.press("ArrowRight"),
        until=f"(b) => document.querySelector('{field}').value !== b",
        arg=page.locator(field).input_value(),
    )
    value = float(page.locator(field).input_value())
    page.get_by_text("Download this iteration").click()
    with page.expect_download() as download:
        page.locator(".st-key-download_sheet_json button:visible").click()
    sheet = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert sheet["layers"][0]["W"][0][0] == value == pytest.approx(0.16)
    assert "W1[1,1] = 0.16 set by hand" in sheet["origin"], sheet["origin"]
    app.assert_healthy()


# JS: press arrow `key` on the What if? slider (it has the focus); resolve once the server has run for it (the
# number field beside the slider shows the new value, and the script is not running). Returns whether the key
# was shown from a nudge the page held (`slid`), whether the shown box was swapped in without drawing, and how
# many stages (runs of the lesson fragment) came meanwhile.
_NUDGE = """async (key) => {
  const h = window.__bpHeld;
  const app = document.querySelector('[data-testid=stApp]');
  const field = () => document.querySelector('.st-key-edit_W_field input').value;
  const before = { field: field(), slid: h.slid || 0, mounts: h.mounts, box: h.shown };
  const boxes = Array.from(document.querySelectorAll('.bp-held > div'));
  const renders = new Map(boxes.map((b) => [b, b._bpRenders || 0]));
  const input = document.querySelector('.st-key-edit_W_slider input[type=range]');
  for (const type of ['keydown', 'keyup']) {
    input.dispatchEvent(new KeyboardEvent(type, { key, code: key, bubbles: true }));
  }
  for (let waited = 0; waited < 20000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    if (field() !== before.field && app.getAttribute('data-test-script-state') === 'notRunning' && waited >= 500) break;
  }
  return { field: field(), slid: (h.slid || 0) - before.slid, stages: h.mounts - before.mounts,
           swapped: h.shown !== before.box && (h.shown._bpRenders || 0) === renders.get(h.shown) };
}"""


def _current(page) -> float:
    """The chosen weight's value at the point drawn on the plot of C against it, in the box shown."""
    return page.evaluate(
        "() => document.querySelector('.bp-held-shown .st-key-edit_curve .js-plotly-plot')"
        ".data.find(t => t.name === 'current').x[0]"
    )


def test_an_arrow_key_on_the_slider_shows_the_nudge_the_page_holds_and_the_server_follows(app):
    """The What if? slider has the focus: the page holds the view of the step shown one arrow key either way,
    drawn out of sight. A key shows it by a swap, with nothing drawn and no stage sent (the server runs the What
    if? box alone); once the slider rests, the page holds every step of the edited network, and the step shown's
    view is the server's (not drawn again). A key whose nudge the page has not got (dropped here, as when the key
    comes first) goes to the server like any edit, and the page asks for the views the server holds."""
    app.press("btn_end")
    page = app.page
    page.wait_for_function("() => window.__bpHeld && window.__bpHeld.views.every(Boolean)")
    page.locator(".st-key-edit_W_slider input[type=range]").focus()
    ready = "() => window.__bpHeld.nudgesReady() && window.__bpHeld.views.every(Boolean)"
    for key, value in (("ArrowRight", 0.16), ("ArrowLeft", 0.15), ("ArrowLeft", 0.14)):
        page.wait_for_function(ready, timeout=20_000)
        r = page.evaluate(_NUDGE, key)
        assert r == {"field": f"{value:.4f}", "slid": 1, "stages": 0, "swapped": True}, (key, r)
        assert _current(page) == value
        renders = page.evaluate("() => window.__bpHeld.shown._bpRenders")
        # once the slider rests: every step's view of the edited network, the step shown's the same as drawn
        page.wait_for_function("() => window.__bpHeld.views.every(Boolean)", timeout=20_000)
        assert page.evaluate("() => window.__bpHeld.shown._bpRenders") == renders, key
        assert page.evaluate("() => window.__bpHeld.shown._bpHolds === window.__bpHeld.hashes[window.__bpHeld.i]")
    page.wait_for_function("() => new URLSearchParams(location.search).get('ew') === '1,1,1,0.14'", timeout=20_000)
    page.wait_for_function(ready, timeout=20_000)
    page.evaluate("() => { window.__bpHeld.nudges = null; }")  # as if the key came before the nudges
    r = page.evaluate(_NUDGE, "ArrowRight")
    assert r["field"] == "0.1500" and r["slid"] == 0, r
    page.wait_for_function(
        "() => { const h = window.__bpHeld; return h.views.every(Boolean) && h.shown._bpHolds === h.hashes[h.i]; }",
        timeout=20_000,
    )
    page.wait_for_function("() => window.__bpHeld.drawn()", timeout=20_000)
    assert _current(page) == 0.15
    assert page.evaluate("() => new URLSearchParams(location.search).get('ew')") is None
    app.assert_healthy()


# JS (an init script): every message from the server reaches the page's Streamlit `ms` later, in order, as on a
# slow network or a loaded server.
_SLOW_SERVER = """(() => {
  const ms = %d;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    addEventListener(type, listener, options) {
      if (type !== 'message') return super.addEventListener(type, listener, options);
      return super.addEventListener(type, (e) => setTimeout(() => listener.call(this, e), ms), options);
    }
    set onmessage(listener) {
      super.onmessage = listener && ((e) => setTimeout(() => listener.call(this, e), ms));
    }
    get onmessage() {
      return super.onmessage;
    }
  };
})();"""


@pytest.mark.parametrize("then", ["nothing", "Back"])
def test_a_key_answered_slowly_is_not_undone_by_the_requests_after_it(browser, app_server, then):
    """The server's answers reach the page 0.6 s late. A key right after the slider gets the focus, then nothing
    or a click on Back: the requests that follow (the nudges the page asks for 0.15 s after the focus, the rest of
    the views, the press) leave before the key's answer. Sent so, they carry the number field's old value, which
    the server took for a move of the field back to it: the weight ended at 0.15 again (on the code before, whose
    page missed the server's first answer, and whose server took a press's old field value)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.add_init_script(_SLOW_SERVER % 600)
        app = AppPage(context.new_page(), app_server)
        page = app.page
        page.set_default_timeout(60_000)
        page.goto(f"{app_server}/?step=6")
        page.wait_for_function("() => window.__bpHeld && window.__bpHeld.views.every(Boolean)", timeout=120_000)
        page.locator(".st-key-edit_W_slider input[type=range]").focus()
        page.keyboard.press("ArrowRight")
        if then == "Back":
            page.locator(".st-key-btn_back button:visible").click()
            page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '5'", timeout=30_000)
        # the key's answer, then the nudges of its value and the rest of its views: the page is quiet
        nudges = "h.nudgesReady()" if then == "nothing" else "true"  # (the slider keeps the focus, or Back has it)
        quiet = f"() => {{ const h = window.__bpHeld; return {nudges} && h.views.every(Boolean) && h.drawn(); }}"
        try:
            page.wait_for_function("() => new URLSearchParams(location.search).get('ew') !== null", timeout=30_000)
            page.wait_for_function(quiet, timeout=30_000)
        except Exception:
            field = page.locator(".st-key-edit_W_field input").input_value()
            raise AssertionError(("not quiet", page.url, field)) from None
        assert page.evaluate("() => new URLSearchParams(location.search).get('ew')") == "1,1,1,0.16"
        assert page.locator(".st-key-edit_W_field input").input_value() == "0.1600"
        assert _current(page) == 0.16
        app.assert_healthy()
    finally:
        context.close()


def test_an_arrow_key_held_down_moves_the_weight_by_every_key(app):
    """Keys faster than the server answers (an arrow key held down, or pressed in quick succession): every key
    moves the slider one step and none is lost or undone; the slider, its number field, the stage and the link
    all end at the last value. (Requests that leave before the page has the last run carry the number field's
    old value; taken for a move back, they undid keys: on the code before, 8 keys moved the weight by nothing in
    one burst of three, and by 0.02-0.03 with the held page's own requests racing them.)"""
    app.press("btn_end")
    page = app.page
    page.wait_for_function("() => window.__bpHeld && window.__bpHeld.views.every(Boolean)")
    slider = page.locator(".st-key-edit_W_slider input[type=range]")
    slider.focus()
    value = 0.15
    for gap in (30, 120):
        for _ in range(8):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(gap)
        value = round(value + 0.08, 2)
        try:
            page.wait_for_function(
                "(v) => new URLSearchParams(location.search).get('ew') === '1,1,1,' + v", arg=str(value), timeout=30_000
            )
        except Exception:
            raise AssertionError((gap, page.url, slider.input_value())) from None
        try:
            page.wait_for_function(
                "() => { const h = window.__bpHeld; return h.views.every(Boolean) && h.drawn(); }", timeout=30_000
            )
        except Exception:
            state = "() => { const h = window.__bpHeld; return [h.views.map(Boolean), h.drawn(), h.serverValue]; }"
            raise AssertionError((gap, page.url, slider.input_value(), page.evaluate(state))) from None
        assert float(slider.input_value()) == value, gap
        assert page.locator(".st-key-edit_W_field input").input_value() == f"{value:.4f}", gap
        assert _current(page) == value, gap
    app.assert_healthy()
