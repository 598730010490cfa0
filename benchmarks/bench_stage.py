"""What a Step would cost if the browser drew it: a lesson step's view drawn by the stage, beside the one-button floor.

    python benchmarks/bench_stage.py            # 15 steps per network (under a minute)
    python benchmarks/bench_stage.py --quick    # 3 steps per network: check it runs (CI smoke test)

Issues 13 and 16 ask for a Step click drawn in at most 1.5× a one-button Streamlit app's click (2-2-2) and 3×
(the largest network); `bench_browser.py` measures today's page, which reruns the lesson's ~60 Streamlit
elements per click and stays at 3.6–5.6×. The way left is to step in the browser: the page would hold the
iteration's views and draw the next one without a script run. This benchmark measures what that drawing
costs, with the parts that exist: the views are built by `backprop.ui.follow_view.build` (what a following
student's stage draws in class mode) for every step of an iteration, and drawn in Chromium by
`static/follow_view.js`, in a holder added to the app's main column (the app is open at the same width as
bench_browser's, 1400×1000), one step after another as Step would go. Each is timed with performance.now()
from the call to the page fully drawn: every chart drawn, two animation frames, and no DOM change for
QUIET_MS. The floor is bench_browser's one-button app, clicked in turn (one click after each step). Parsing
the view's JSON is inside the time; fetching it is not (the page would hold it already).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from bench_browser import LARGEST_QUERY, QUIET_MS, WARMUP, click, open_floor, p90  # noqa: E402
from browser_helpers import VIEWPORT, AppPage, Server, chromium_problem, launch  # noqa: E402

# In the page: draw each view in turn in one holder, timing each from the call to fully drawn.
_DRAW_STEP = """async ({view, quietMs}) => {
  const main = document.querySelector('[data-testid=stMainBlockContainer]');
  let host = document.getElementById('bp-bench-stage');
  if (!host) { host = document.createElement('div'); host.id = 'bp-bench-stage'; main.appendChild(host); }
  const m = await import(new URL('/app/static/follow_view.js', document.baseURI).href);
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  let last = 0;
  const observer = new MutationObserver(() => { last = performance.now(); });
  observer.observe(host, {subtree: true, childList: true, attributes: true, characterData: true});
  const t0 = performance.now();
  m.render(host, JSON.parse(view), null);
  const charts = () => Array.from(host.querySelectorAll('.bp-live-chart'));
  while (charts().length === 0 || charts().some(g => g._bpBusy || !g._bpDrawn)) {
    if (performance.now() - t0 > 60000) throw new Error('not drawn after 60 s');
    await new Promise(r => setTimeout(r, 1));
  }
  await frames();
  const painted = performance.now();
  while (performance.now() - Math.max(last, painted) < quietMs) await new Promise(r => setTimeout(r, 25));
  observer.disconnect();
  return {drawn: Math.max(last, painted) - t0, progress: host.querySelector('.bp-fv-progress').textContent};
}"""


def views(lesson) -> list[str]:
    """The views of every step of the lesson's iteration, as follow_view.build makes them (JSON)."""
    from backprop.ui import follow_view

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            follow_view.build(dataclasses.replace(lesson, index=i), (1, 0, 0), "bench") for i in range(lesson.last + 1)
        ]


def lessons():
    """(name, lesson): the 2-2-2 preset and the largest network the sidebar allows (8-16×6-8, seed 0)."""
    import numpy as np

    import backprop as bp
    from backprop.lesson.presets import PRESETS
    from backprop.lesson.progress import Lesson

    p = PRESETS["worked_2_2_2"]
    yield "2-2-2 (preset, L=2)", Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate, p.update_biases)
    sizes = (8, 16, 16, 16, 16, 16, 16, 8)
    assert LARGEST_QUERY == "in=8&h=16,16,16,16,16,16&out=8"
    rng = np.random.default_rng(0)
    net = bp.Network.random(sizes, "sigmoid", None, 0)
    yield "8-16x6-8 (largest, L=7)", Lesson.start(net, rng.uniform(0, 1, 8), rng.uniform(0, 1, 8))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 steps per network: check it runs, not timing")
    parser.add_argument("--steps", type=int, default=None, help="steps per network (default 15, 3 with --quick)")
    args = parser.parse_args()
    steps = args.steps or (3 if args.quick else 15)
    if problem := chromium_problem():
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    rows = []
    server = Server(timeout=60)
    floor_server = None
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
            browser = launch(p)
            try:
                floor_server, floor = open_floor(browser, Path(folder))
                page = browser.new_context(viewport=VIEWPORT).new_page()
                page.set_default_timeout(120_000)
                AppPage(page, server.url).open()
                for name, lesson in lessons():
                    all_views = views(lesson)
                    drawn, floor_drawn, line = [], [], [""]
                    for i in range(WARMUP + steps):
                        view = all_views[(i + 1) % len(all_views)]
                        t = page.evaluate(_DRAW_STEP, {"view": view, "quietMs": QUIET_MS})
                        f = click(floor.page, line)
                        if i >= WARMUP:
                            drawn.append(t["drawn"])
                            floor_drawn.append(f[1])
                    size = max(len(v) for v in all_views) / 1e3
                    total = sum(len(v) for v in all_views) / 1e3
                    rows.append((name, drawn, floor_drawn, size, total, t["progress"]))
            finally:
                browser.close()
    finally:
        server.stop()
        if floor_server is not None:
            floor_server.stop()

    print(f"A step's view drawn by the browser (follow_view.js), {steps} steps per network after {WARMUP} warm-up (ms)")
    print(
        f"{'network':<26}{'steps':>6}{'drawn median':>14}{'p90':>6}{'floor':>7}{'ratio':>7}"
        f"{'view kB':>9}{'iteration kB':>14}"
    )
    for name, drawn, floor_drawn, size, total, _ in rows:
        median, floor_median = statistics.median(drawn), statistics.median(floor_drawn)
        print(
            f"{name:<26}{len(drawn):>6}{median:>14.0f}{p90(drawn):>6.0f}{floor_median:>7.0f}"
            f"{median / floor_median:>6.1f}x{size:>9.0f}{total:>14.0f}"
        )
    print("floor: the one-button app's click, drawn, clicked in turn; view kB: the largest view of a step;")
    print("iteration kB: every step's view of one iteration, as the page would hold them")
    print("last steps drawn: " + " | ".join(row[-1] for row in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
