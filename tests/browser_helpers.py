"""Driving the Streamlit app in a real Chromium: start the server, find Chromium, wait for reruns,
read the progress line and the gradient charts, click a heatmap cell, take screenshots.

Shared by tests/conftest.py, tests/test_browser.py and benchmarks/bench_browser.py; importing it
needs only the standard library (Playwright is used when it is installed).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # no browser tests can run; conftest skips or fails them
    PlaywrightTimeout = TimeoutError

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
TIMEOUT_MS = 60_000  # a bound on waiting, not a timing: a fresh server on a busy 2-core machine can take 20 s


# ---------------------------------------------------------------------------------------------- server


def free_port() -> int:
    """A loopback port nobody listens on right now (other servers may run on this machine)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` from the repo root on a free loopback port; its output goes to a log file."""

    def __init__(self, timeout: float = 60.0, script: str = "app.py", cwd: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Kept open while the server runs; stop() closes and removes it.
        self.log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=cwd or REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"streamlit not healthy at {self.url} after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------- browser


def chromium_problem() -> str | None:
    """Why no browser test can run here, or None when Chromium and Playwright are both available."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        return f"the playwright Python package is not installed ({err})"
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def launch(playwright):
    """Debian's Chromium, headless; never a browser downloaded by Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


# JS: a number that changes whenever the layer sizes change: chart count plus every drawn Plotly point
# (the diagram has one marker per node and per edge).
# (Not counting the charts of the step drawn ahead, out of sight: held_view.js's spare box.)
_SHAPE_SIGNATURE = """() => {
  const shown = (els) => Array.from(els).filter((e) => !e.closest('.bp-held-spare')).length;
  return shown(document.querySelectorAll('.js-plotly-plot')) * 100000
    + shown(document.querySelectorAll('.js-plotly-plot .scatterlayer .point')); }"""

# JS: what a gradient chart shows, read from its SVG. `empty`: the chart says its layer is not yet
# computed; `cells`: the texts drawn in the ∂C/∂W heatmap's cells (its first heatmap trace), "?" when empty.
_CHART_STATE = """(gd) => {
  const texts = Array.from(gd.querySelectorAll('svg text')).map(t => t.textContent);
  const heat = gd.querySelectorAll('.heatmaplayer .hm')[0];
  return {empty: texts.some(t => t.includes('not yet computed')),
          cells: heat ? Array.from(heat.querySelectorAll('text')).map(t => t.textContent.trim()) : [],
          title: (gd.querySelector('.gtitle') || {}).textContent || ''};
}"""


class AppPage:
    """One browser tab on the app (its own Streamlit session), with the errors it logged."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.set_default_timeout(TIMEOUT_MS)

    # -- loading and waiting
    def open(self) -> None:
        self.page.goto(self.base_url + "/")
        self.page.wait_for_selector("h1:has-text('Backpropagation, step by step')")
        self.page.wait_for_selector(".st-key-diagram .js-plotly-plot")  # drawn by Streamlit or by held_view.js
        self.page.wait_for_selector(".st-key-grad_1 .js-plotly-plot")
        self.wait_idle()

    def wait_idle(self) -> None:
        self.page.wait_for_selector(IDLE, state="attached")

    def act(self, action, until: str, arg=None, timeout: float | None = None) -> None:
        """Do `action()`, wait until the JS predicate `until` (called with `arg`) holds — proof that the
        rerun the action caused has drawn something — then until the script state is notRunning.

        (Watching the state attribute alone is not enough: a fast rerun can go running → notRunning within
        one React render, and the attribute never changes.)"""
        action()
        self.page.wait_for_function(until, arg=arg, timeout=timeout)
        self.wait_idle()

    # -- the step buttons and the progress line
    def progress(self) -> str:
        """The progress line: "Step 4 of 6 — backward through layer 2 · iteration 1" (a following student's stage
        draws it too: .bp-fv-progress)."""
        line = (
            self.page.locator("[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)")
            .filter(has_text=re.compile(r"^Step \d+ of \d+ — "))
            .first
        )
        return line.inner_text().strip()

    def press(self, key: str) -> str:
        """Click a step button (btn_step, btn_back, btn_reset, btn_end); wait until the progress line changed
        and the rerun finished; return the new progress line."""
        before = self.progress()
        self.act(
            lambda: self.page.locator(f".st-key-{key} button:visible").click(),
            until="""(before) => {
                            const p = Array.from(document.querySelectorAll(
                              '[data-testid=stMarkdownContainer], .bp-fv-progress:not(.bp-held-spare *)'))
                            .find(e => /^Step \\d+ of \\d+ — /.test(e.innerText.trim()));
                            return p && p.innerText.trim() !== before; }""",
            arg=before,
        )
        return self.progress()

    # -- sidebar settings
    def set_number(self, key: str, value: int, until: str | None = None) -> None:
        """Type `value` into the sidebar number input with this key and commit it with Enter; wait until
        `until` holds, by default until the charts' shape has changed (right for a layer size)."""
        field = self.page.locator(f".st-key-{key} input")
        if field.input_value() == str(value):
            return
        before = self.page.evaluate(_SHAPE_SIGNATURE)

        def commit():
            field.fill(str(value))
            field.press("Enter")

        self.act(commit, until=until or f"(before) => ({_SHAPE_SIGNATURE})() !== before", arg=None if until else before)
        assert field.input_value() == str(value), f"{key}: typed {value}, the field shows {field.input_value()}"

    # -- the charts
    def chart_count(self) -> int:
        """The charts in sight (not those of the step held_view.js draws ahead, out of sight)."""
        return self.page.locator(".js-plotly-plot:not(.bp-held-spare *)").count()

    def gradient_keys(self) -> list[int]:
        """The layers l that have a gradient chart (container class st-key-grad_l), in page order."""
        classes = self.page.eval_on_selector_all("[class*='st-key-grad_']", "els => els.map(e => e.className)")
        return [int(m.group(1)) for c in classes for m in [re.search(r"st-key-grad_(\d+)", c)] if m]

    def chart_state(self, l: int) -> dict:
        return self.page.locator(f".st-key-grad_{l} .js-plotly-plot").evaluate(_CHART_STATE)

    def wait_gradients(self, filled: set[int], L: int) -> dict[int, dict]:
        """Wait until exactly the layers in `filled` show their gradient; on timeout, raise an AssertionError
        with what each chart shows."""
        want = {l: l not in filled for l in range(1, L + 1)}  # l -> empty?
        with contextlib.suppress(PlaywrightTimeout):  # the assertion below says which chart is wrong
            self.page.wait_for_function(
                """(want) => Object.entries(want).every(([l, empty]) => {
                     const gd = document.querySelector('.st-key-grad_' + l + ' .js-plotly-plot');
                     if (!gd) return false;
                     const t = Array.from(gd.querySelectorAll('svg text')).map(t => t.textContent);
                     return t.some(s => s.includes('not yet computed')) === empty; })""",
                arg={str(l): e for l, e in want.items()},
                timeout=10_000,
            )
        states = {l: self.chart_state(l) for l in range(1, L + 1)}
        shown = {l: not s["empty"] for l, s in states.items()}
        assert shown == {l: l in filled for l in range(1, L + 1)}, (
            f"at “{self.progress()}” expected layers {sorted(filled)} filled; charts show "
            + ", ".join(f"layer {l}: {'filled' if v else 'not yet computed'}" for l, v in shown.items())
        )
        return states

    def cell_point(self, l: int, k: int, j: int) -> tuple[float, float]:
        """Page coordinates of the centre of cell (k, j) (0-based) of layer l's ∂C/∂W heatmap, from the
        plot's own axes."""
        chart = self.page.locator(f".st-key-grad_{l} .js-plotly-plot")
        chart.scroll_into_view_if_needed()
        x, y = chart.evaluate(
            """(gd, [k, j]) => {
            const fl = gd._fullLayout, r = gd.getBoundingClientRect();
            return [r.left + fl.xaxis._offset + fl.xaxis.l2p(j), r.top + fl.yaxis._offset + fl.yaxis.l2p(k)]; }""",
            [k, j],
        )
        return x, y

    def click_cell(self, l: int, k: int, j: int) -> None:
        """Click cell (k, j) of layer l's heatmap and wait for the chosen weight to become W^l_{k+1,j+1}."""
        x, y = self.cell_point(l, k, j)
        chart = self.page.locator(f".st-key-grad_{l} .js-plotly-plot")
        # Record what Plotly makes of the click, to say why when nothing happens.
        chart.evaluate("""gd => { window.__plotlyEvents = [];
            const names = p => p.map(q => (q.data && q.data.name) + '#' + q.pointNumber);
            gd.on('plotly_click', d => window.__plotlyEvents.push('click on ' + names(d.points)));
            gd.on('plotly_selected',
                  d => window.__plotlyEvents.push('selected ' + (d ? names(d.points) : 'nothing'))); }""")
        want = f"from node {j + 1} of layer {l - 1} to node {k + 1} of layer {l}"
        try:
            self.act(
                lambda: self.page.mouse.click(x, y),
                until="(want) => document.body.innerText.includes(want)",
                arg=want,
                timeout=8_000,
            )
        except PlaywrightTimeout:
            raise AssertionError(
                f"clicking cell (k={k + 1}, j={j + 1}) of layer {l}'s heatmap at ({x:.0f}, {y:.0f}) did not choose "
                f"that weight. Plotly events: {self.page.evaluate('window.__plotlyEvents')}; chosen weight: "
                f"“{self.chosen_weight()}”; exceptions: {self.exceptions()}"
            ) from None

    def hover_text(self, chart_key: str, x: float, y: float) -> str:
        """Move the mouse to data point (x, y) of a chart (category axes: 0-based positions) and return the
        hover label's text, or "" when none shows."""
        chart = self.page.locator(f".st-key-{chart_key} .js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        px, py = chart.evaluate(
            """(gd, [x, y]) => {
            const fl = gd._fullLayout, r = gd.getBoundingClientRect();
            return [r.left + fl.xaxis._offset + fl.xaxis.l2p(x), r.top + fl.yaxis._offset + fl.yaxis.l2p(y)]; }""",
            [x, y],
        )
        self.page.mouse.move(px - 2, py - 2)
        self.page.mouse.move(px, py)
        label = self.page.locator(f".st-key-{chart_key} .hoverlayer .hovertext")
        try:
            label.first.wait_for(state="attached", timeout=5000)
        except Exception:  # noqa: BLE001 — no label appeared: say so with an empty text
            return ""
        return " ".join((label.first.text_content() or "").replace("\u200b", "").split())

    def chosen_weight(self) -> str:
        return (
            self.page.locator("[data-testid=stMarkdownContainer], .bp-fv-html:not(.bp-held-spare *)")
            .filter(has_text="Chosen weight")
            .first.inner_text()
            .strip()
        )

    def latex_sources(self) -> list[str]:
        """The TeX source of every KaTeX block on the page (KaTeX keeps it in a MathML annotation)."""
        return self.page.locator(".katex .katex-mathml annotation:not(.bp-held-spare *)").all_text_contents()

    # -- errors and screenshots
    def exceptions(self) -> list[str]:
        return self.page.locator("[data-testid=stException]").all_inner_texts()

    def katex_errors(self) -> list[str]:
        """Equations KaTeX could not typeset (it shows their source in red): the parse error of each."""
        return self.page.eval_on_selector_all(
            ".katex-error", "els => els.map(e => (e.getAttribute('title') || '') + ' in ' + e.textContent)"
        )

    def assert_healthy(self) -> None:
        """No Streamlit exception box, no equation KaTeX failed on, no uncaught JS error, no console error."""
        assert self.exceptions() == [], f"exception box on the page: {self.exceptions()}"
        assert self.katex_errors() == [], f"equations that do not typeset: {self.katex_errors()}"
        assert self.page_errors == [], f"JS page errors: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"

    def screenshot(self, name: str) -> Path:
        """The whole app (main area and sidebar, however long) as artifacts/screenshots/<name>.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        tall = self.page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
            const e = document.querySelector('[data-testid=' + id + ']'); return e ? e.scrollHeight : 0; }))""")
        size = self.page.viewport_size
        self.page.mouse.move(1, 1)  # no hover tooltip over the picture
        self.page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(tall))})
        try:
            self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            self.page.wait_for_timeout(300)  # let Plotly finish any resize
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
        return path


STEP_THROUGH_TITLE = "Backpropagation, step by step"


@contextmanager
def companion_page(browser, app_server: str, path: str, title: str, ready: str, state: str = "visible"):
    """A fresh tab on the app's home page, then on `path` (a page opened straight from a link on a fresh
    server is tested in test_browser_links.py), waited for until the `ready`
    selector is there; a failure if the page is not in the navigation. Console errors are kept with their
    URLs in `console_errors_at`, for `assert_companion_healthy`."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        app = AppPage(page, app_server)
        app.open()
        app.console_errors_at = []
        page.on(
            "console",
            lambda m: app.console_errors_at.append((m.text, m.location.get("url", ""))) if m.type == "error" else None,
        )
        page.goto(app_server + path)
        page.wait_for_selector(f"h1:has-text('{title}'), h1:has-text('{STEP_THROUGH_TITLE}')")
        app.wait_idle()
        if page.locator("h1").filter(has_text=title).count() == 0:
            import pytest  # only here: the benchmark imports this module without pytest

            pytest.fail(
                f"{path} is not in app.py's st.navigation: opening it shows “{page.locator('h1').first.inner_text()}”"
            )
        page.wait_for_selector(ready, state=state)
        app.wait_idle()
        yield app
    finally:
        context.close()


def real_console_errors(app, path: str) -> list[str]:
    """Console errors, less the 404s of Streamlit's own probe for a path prefix: loaded at /two_nodes, it
    first asks /two_nodes/_stcore/health and /two_nodes/_stcore/host-config, then the server root."""
    return [
        f"{text} ({url})"
        for text, url in app.console_errors_at
        if not (url.startswith(app.base_url + path + "/_stcore/") and "404" in text)
    ]


def assert_companion_healthy(app, path: str) -> None:
    assert app.exceptions() == [], f"exception box on the page: {app.exceptions()}"
    assert app.katex_errors() == [], f"equations that do not typeset: {app.katex_errors()}"
    assert app.page_errors == [], f"JS page errors: {app.page_errors}"
    assert real_console_errors(app, path) == [], f"console errors: {real_console_errors(app, path)}"
