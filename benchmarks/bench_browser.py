"""Time a Step click in a real browser: from the click to the page fully drawn again.

    python benchmarks/bench_browser.py            # 15 clicks per network (about a minute)
    python benchmarks/bench_browser.py --quick    # 3 clicks per network, to see that it runs (CI smoke test)

Starts `streamlit run app.py` on a free loopback port (as the browser tests do), opens it in headless
Debian Chromium (/usr/bin/chromium, driven by Playwright) and clicks **Step** repeatedly, for the default
network (the 2-2-2 preset loaded at start) and for the largest the sidebar allows (8 inputs, 6 hidden
layers of 16, 8 outputs), then both again in presenter mode at 1280×720 (`?present=1`), the projected page
a clicker drives. On the 2-2-2 network it also moves the chosen weight's slider (W¹₁₁, at the update step,
where every number and the plot of C against the weight are drawn) by one step of 0.01 with the arrow
keys, right and left in turn: a slider move, timed the same way (its "rerun done" waits for the number
field beside the slider to show the new value instead of a new progress line). Each click is timed inside
the page, with performance.now():

- rerun done: until the script state is back to notRunning and the progress line shows the next step
  (the server has run the script and the browser has the new page; charts may still be redrawing);
- drawn: until the page is fully drawn: the later of two animation frames after "rerun done" (the frame
  with the new content painted; a frame waits for the main thread, so for the charts' redraw too) and the
  last DOM change the click caused that can be seen (seen by a MutationObserver, once the page has been quiet
  for QUIET_MS; changes in the held page's hidden boxes and zero-size report elements, in Plotly's measuring
  SVG and to Streamlit's data-test-script-state attribute are not counted: _TIME_CLICK says why).

On the slider row, the page has usually been sent the views one arrow key away by the time of the key (it asks
for them once the slider has the focus and the last key is answered; the moves here are about a second apart):
the row times a move the page holds, as a keyboard user nudging the weight meets it. A key sooner than that, or
a mouse drag, goes to the server first (about 4x: the README says how much).

The same clicks on a one-button Streamlit app (a button and a progress line, nothing else) give the floor
that Streamlit and the browser set, so the app's cost can be read against it. The floor is clicked in turn
with the app, one click each, in its own tab of the same browser: each row's ratio divides by the floor
measured in the same seconds, which holds on a machine whose load swings (the rows take minutes; measured
one after the other, a floor and a row could meet different loads). Two warm-up clicks per network are not
counted. Server, browser and this script share the machine's cores,
as they would on a laptop hosting a lesson; BLAS is limited to one thread in the server (DESIGN.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_helpers import VIEWPORT, AppPage, Server, chromium_problem, launch  # noqa: E402

QUIET_MS = 300
WARMUP = 2

# In the page: click the visible button with this key, wait for the rerun it starts, return the times.
_TIME_CLICK = """async ({key, quietMs}) => {
  const app = document.querySelector('[data-testid=stApp]');
  // textContent, not innerText: innerText lays the page out, and this runs at every DOM change of the click,
  // which made the timing itself cost up to a quarter of a second per click on a page of many elements.
  const progress = () => {
    const p = Array.from(document.querySelectorAll(
      '[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))
      .find(e => /^Step \\d+ of \\d+ — /.test(e.textContent.trim()));
    return p ? p.textContent.trim() : null;
  };
  const before = progress();
  const visible = () => Array.from(document.querySelectorAll('.st-key-' + key + ' button'))
    .find(b => b.offsetParent !== null && !b.disabled);
  // Right after a rerun the button may be mid-replacement: wait (at most 10 s) for a visible, enabled one.
  for (let waited = 0; !visible() && waited < 10000; waited += 25) await new Promise(r => setTimeout(r, 25));
  const button = visible();
  if (!button) throw new Error('no visible button ' + key);
  let last = 0, ready = null;
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  let onReady;
  const readyPromise = new Promise(r => { onReady = r; });
  const check = () => {
    // A new progress line proves the rerun started (the state attribute alone may never show 'running':
    // a fast rerun can go running → notRunning within one React render).
    if (ready === null && app.getAttribute('data-test-script-state') === 'notRunning' && progress() !== before) {
      ready = performance.now(); onReady(); }
  };
  // Changes out of sight do not count: held_view.js draws the step after the one shown ahead, in a box hidden
  // from sight and from assistive technology (.bp-held-spare), a press that asks for it shows it at once (and, on
  // the What if? slider, the values one arrow key away); Plotly measures its texts in an SVG of its own placed
  // out of the page (#js-plotly-tester), which changes with every chart drawn, the spare's too (in nodes it
  // removes again: a change to a node no longer in the page is not seen either). Nor do the held page's two
  // zero-size report elements (the server's views token, the nudges sent), and the script state Streamlit writes
  // on the app for tests (data-test-script-state): "rerun done" waits for it. Those are what a run in the
  // background changes, which draws nothing: the one that fetches the next nudges after a key.
  const seen = (m) => {
    const e = m.target.closest ? m.target : m.target.parentElement;
    return e !== null && e.isConnected && m.attributeName !== 'data-test-script-state'
      && !e.closest('.bp-held-spare, #js-plotly-tester, .st-key-held_token, .st-key-held_nudges');
  };
  const observer = new MutationObserver((ms) => { if (ms.some(seen)) last = performance.now(); check(); });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const t0 = performance.now();
  button.click();
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no rerun after 60 s')), 60000));
  await Promise.race([readyPromise, timeout]);
  await frames();
  const painted = performance.now();
  while (performance.now() - Math.max(last, painted) < quietMs) {
    await new Promise(r => setTimeout(r, 25));
  }
  observer.disconnect();
  return {done: ready - t0, drawn: Math.max(last, painted) - t0, progress: progress()};
}"""

# The same timing for one step of the chosen weight's slider, moved with an arrow key (the keyboard moves a
# slider exactly one step, so each move is one rerun): ready when the number field beside it shows the value.
_TIME_SLIDE = (
    _TIME_CLICK.replace(
        "const before = progress();",
        """const field = () => { const f = document.querySelector('.st-key-edit_W_field input'); return f && f.value; };
  const before = field();""",
    )
    .replace(
        """  const visible = () => Array.from(document.querySelectorAll('.st-key-' + key + ' button'))
    .find(b => b.offsetParent !== null && !b.disabled);
  // Right after a rerun the button may be mid-replacement: wait (at most 10 s) for a visible, enabled one.
  for (let waited = 0; !visible() && waited < 10000; waited += 25) await new Promise(r => setTimeout(r, 25));
  const button = visible();
  if (!button) throw new Error('no visible button ' + key);""",
        """  const input = document.querySelector('.st-key-edit_W_slider input[type=range]');
  if (!input) throw new Error('no slider edit_W_slider');
  input.focus();""",
    )
    .replace(
        "if (ready === null && progress() !== before &&",
        "if (ready === null && field() !== before &&",
    )
    .replace(
        "  button.click();",
        """  for (const type of ['keydown', 'keyup'])
    input.dispatchEvent(new KeyboardEvent(type, {key: key, code: key, bubbles: true}));""",
    )
    .replace("progress: progress()}", "progress: field()}")
)
assert _TIME_SLIDE.count("field()") >= 2 and "button.click" not in _TIME_SLIDE

# The floor: the smallest page with the same button key and the same kind of progress line.
ONE_BUTTON_APP = """import streamlit as st
st.session_state.setdefault("n", 0)
def step():
    st.session_state["n"] += 1
st.button("Step", key="btn_step", on_click=step)
st.markdown(f"**Step {st.session_state['n']} of 99 — one-button baseline**")
"""

LARGEST_QUERY = "in=8&h=16,16,16,16,16,16&out=8"
LARGEST = {"n_hidden": 6, "n_in": 8, **{f"n_h{i}": 16 for i in range(1, 7)}, "n_out": 8}


def click(page, line: list[str]) -> tuple[float, float]:
    """One timed Step click in `page`: its "rerun done" and "drawn" times in ms; the progress line goes to `line`."""
    t = page.evaluate(_TIME_CLICK, {"key": "btn_step", "quietMs": QUIET_MS})
    line[:] = [t["progress"]]
    return t["done"], t["drawn"]


def slide(page, key: str, line: list[str]) -> tuple[float, float]:
    """One timed slider move (arrow `key`) in `page`: its "rerun done" and "drawn" times in ms; the number
    field's new value goes to `line`."""
    t = page.evaluate(_TIME_SLIDE, {"key": key, "quietMs": QUIET_MS})
    line[:] = [f"W¹₁₁ = {t['progress']}"]
    return t["done"], t["drawn"]


def _in_turn(act, app: AppPage, floor: AppPage, n: int) -> tuple[list[float], list[float], str, list[float]]:
    """`n` actions `act(page, i, line)` on the app after WARMUP unmeasured ones, each followed by a click on the
    floor's page; the app's "rerun done" and "drawn" times in ms, its last line, and the floor's "drawn" times."""
    done, drawn, floor_drawn, line, floor_line = [], [], [], [""], [""]
    for i in range(WARMUP + n):
        t = act(app.page, i, line)
        f = click(floor.page, floor_line)
        if i >= WARMUP:
            done.append(t[0])
            drawn.append(t[1])
            floor_drawn.append(f[1])
    return done, drawn, line[0], floor_drawn


def time_slides(app: AppPage, floor: AppPage, moves: int) -> tuple[list[float], list[float], str, list[float]]:
    """As time_steps, for slider moves: right and left in turn, so the weight stays near where it was."""
    return _in_turn(
        lambda page, i, line: slide(page, "ArrowRight" if i % 2 == 0 else "ArrowLeft", line), app, floor, moves
    )


def time_steps(app: AppPage, floor: AppPage, clicks: int) -> tuple[list[float], list[float], str, list[float]]:
    """`clicks` Step clicks after WARMUP unmeasured ones, each followed by one on the floor's page; the app's
    "rerun done" and "drawn" times in ms, its last progress line, and the floor's "drawn" times."""
    return _in_turn(lambda page, i, line: click(page, line), app, floor, clicks)


def open_floor(browser, folder: Path) -> tuple[Server, AppPage]:
    """ONE_BUTTON_APP served from `folder`, open in a tab of `browser`."""
    (folder / "one_button.py").write_text(ONE_BUTTON_APP)
    server = Server(timeout=60, script="one_button.py", cwd=folder)
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(server.url + "/")
    page.wait_for_selector("text=one-button baseline")
    return server, AppPage(page, server.url)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 clicks per network: check it runs, not timing")
    parser.add_argument("--clicks", type=int, default=None, help="clicks per network (default 15, 3 with --quick)")
    args = parser.parse_args()
    clicks = args.clicks or (3 if args.quick else 15)
    if problem := chromium_problem():
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    rows = []
    started = time.perf_counter()
    server = Server(timeout=60)
    floor_server = None
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
            browser = launch(p)
            try:
                floor_server, floor = open_floor(browser, Path(folder))
                context = browser.new_context(viewport=VIEWPORT)
                app = AppPage(context.new_page(), server.url)
                app.page.set_default_timeout(120_000)  # a fresh server on a busy machine: the first run's imports
                app.open()
                rows.append(("2-2-2 (preset, L=2)", *time_steps(app, floor, clicks)))
                # Every number revealed, the plot of C against W¹₁₁ drawn: at the update step (where the clicks
                # may have left the lesson already, with Run to end disabled).
                if not app.page.locator(".st-key-btn_end button:visible").is_disabled():
                    app.press("btn_end")
                rows.append(("2-2-2 slider move, W¹₁₁", *time_slides(app, floor, clicks)))

                app.set_number(
                    "n_hidden", 6, until="() => document.querySelector('.st-key-grad_7 .js-plotly-plot') !== null"
                )
                for key, value in LARGEST.items():
                    app.set_number(key, value)
                assert app.progress().startswith("Step 0 of 16"), app.progress()
                rows.append(("8-16x6-8 (largest, L=7)", *time_steps(app, floor, clicks)))
                if not args.quick:
                    print(f"screenshot of the largest network: {app.screenshot('bench_largest_8-16x6-8')}")
                errors = app.exceptions() + app.page_errors
                context.close()

                # Projected: presenter mode at 1280×720, as a clicker drives it (a key clicks the same button).
                for name, query in (
                    ("2-2-2 presenter 1280x720", "present=1"),
                    ("8-16x6-8 presenter 1280x720", "present=1&" + LARGEST_QUERY),
                ):
                    context = browser.new_context(viewport={"width": 1280, "height": 720})
                    app = AppPage(context.new_page(), server.url)
                    app.page.goto(f"{server.url}/?{query}")
                    app.page.wait_for_selector(".st-key-grad_focus .js-plotly-plot", timeout=120_000)
                    app.wait_idle()
                    rows.append((name, *time_steps(app, floor, clicks)))
                    errors += app.exceptions() + app.page_errors
                    context.close()
                errors += floor.exceptions() + floor.page_errors
            finally:
                browser.close()
    finally:
        server.stop()
        if floor_server is not None:
            floor_server.stop()

    print(f"Step click → page drawn again, headless Chromium, {clicks} clicks per network after {WARMUP} warm-up (ms)")
    header = f"{'network':<30}{'clicks':>7}{'rerun done median':>19}{'p90':>6}{'drawn median':>14}{'p90':>6}"
    print(header)
    print("-" * len(header))
    floors = [f for row in rows for f in row[4]]
    print(
        f"{'one-button app, every turn':<30}{len(floors):>7}{'':>25}"
        f"{statistics.median(floors):>14.0f}{p90(floors):>6.0f}"
    )
    for name, done, drawn, _, _ in rows:
        print(
            f"{name:<30}{len(done):>7}{statistics.median(done):>19.0f}{p90(done):>6.0f}"
            f"{statistics.median(drawn):>14.0f}{p90(drawn):>6.0f}"
        )
    print()
    print(
        "drawn, median: the app against the one-button app clicked in turn with it "
        "(targets: 2-2-2 and its slider move 1.5x, largest 3x)"
    )
    print(f"{'network':<30}{'app':>7}{'floor':>7}{'ratio':>8}")
    for name, _, drawn, _, floor_drawn in rows:
        app_median, floor_median = statistics.median(drawn), statistics.median(floor_drawn)
        print(f"{'÷ ' + name:<30}{app_median:>7.0f}{floor_median:>7.0f}{app_median / floor_median:>7.1f}x")
    print(f"last progress lines: {' | '.join(r[3] for r in rows)}")
    print(f"total {time.perf_counter() - started:.0f} s")
    if errors:
        print(f"errors on the page: {errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
