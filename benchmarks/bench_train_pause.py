"""Train's Pause in a real browser: from the click to the run stopped on the page.

    python benchmarks/bench_train_pause.py              # 6 pauses per server (a few minutes)
    python benchmarks/bench_train_pause.py --quick      # 1 pause: check it runs
    python benchmarks/bench_train_pause.py --url http://127.0.0.1:8802 --url http://127.0.0.1:8803
                                                        # servers you run (say, two versions), in turn

Opens LINK, a Train link whose 2000 epochs of one-sample steps on the 1000-point spiral replay in the
page's chunked loop (every chunk redraws the page), waits RUN_SECONDS, clicks Pause and times, inside the
page with performance.now(), until the progress bar is gone (the whole-page rerun that Pause asks for has
been drawn). Issue 12 measured 2.1-2.6 s on a quiet machine and 3.6-7.5 s on a busy one. With several
--url, the pauses go to each server in turn, so a machine whose load swings treats them alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_helpers import VIEWPORT, Server, chromium_problem, launch  # noqa: E402

LINK = "/train?data=spiral&n=1000&batch=1&ep=2000"
RUN_SECONDS = 4.0

_TIME_PAUSE = """async () => {
  const button = document.querySelector('.st-key-train_pause button');
  if (!button || button.disabled) throw new Error('Pause is not enabled: is the run going?');
  // The progress bar as drawn: each change after the click is one more redraw of the run that Pause had not
  // yet stopped ("Pause takes effect at the next redraw" is 0 of them, or 1 already on its way).
  const bar = () => { const p = document.querySelector('[data-testid=stProgress]'); return p ? p.innerHTML : null; };
  let shown = bar(), redraws = 0;
  const observer = new MutationObserver(() => {
    const now = bar();
    if (now !== shown && now !== null) redraws += 1;
    shown = now;
  });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const t0 = performance.now();
  button.click();
  while (document.querySelector('[data-testid=stProgress]')) {
    if (performance.now() - t0 > 60000) throw new Error('still running 60 s after Pause');
    await new Promise(r => setTimeout(r, 10));
  }
  observer.disconnect();
  return {ms: performance.now() - t0, redraws};
}"""


def pause_once(browser, url: str) -> tuple[float, int]:
    """Open LINK on `url` in a fresh tab, let it run RUN_SECONDS, Pause: the time in ms until it stopped, and
    how many redraws of the run the page showed after the click."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url + LINK)
        page.wait_for_selector("[data-testid=stProgress]")
        page.wait_for_selector(".st-key-train_pause button:not([disabled])")
        page.wait_for_timeout(RUN_SECONDS * 1000)
        t = page.evaluate(_TIME_PAUSE)
        return t["ms"], t["redraws"]
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one pause: check it runs, not timing")
    parser.add_argument("--pauses", type=int, default=None, help="pauses per server (default 6, 1 with --quick)")
    parser.add_argument("--url", action="append", default=[], help="a running server (repeat for several)")
    args = parser.parse_args()
    pauses = args.pauses or (1 if args.quick else 6)
    if problem := chromium_problem():
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    own = None if args.url else Server(timeout=60)
    urls = args.url or [own.url]
    times: dict[str, list[float]] = {u: [] for u in urls}
    redraws: dict[str, list[int]] = {u: [] for u in urls}
    try:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                for _ in range(pauses):
                    for url in urls:
                        ms, n = pause_once(browser, url)
                        times[url].append(ms)
                        redraws[url].append(n)
                        print(f"{url}: {ms:.0f} ms, {n} redraws after the click", flush=True)  # a long run
            finally:
                browser.close()
    finally:
        if own is not None:
            own.stop()
    print(f"Train: Pause click → run stopped on the page, {LINK} after {RUN_SECONDS:.0f} s (ms)")
    print(f"{'server':<28}{'pauses':>7}{'median':>8}{'max':>8}{'redraws after, max':>20}   each")
    for url, t in times.items():
        each = " ".join(f"{x:.0f}" for x in t)
        print(f"{url:<28}{len(t):>7}{statistics.median(t):>8.0f}{max(t):>8.0f}{max(redraws[url]):>20}   {each}")
    print(
        "redraws after: how often the page still showed the run going on after the click, by pause: "
        + "; ".join(f"{url} {' '.join(map(str, n))}" for url, n in redraws.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
