"""The server's cost of one Step click, against a one-button Streamlit app's click, measured in the same run.

    python benchmarks/bench_server.py            # 60 clicks per row (about a minute)
    python benchmarks/bench_server.py --quick    # 3 clicks per row, to see that it runs (CI smoke test)

No browser: each row is one session of benchmarks/st_client.py, a client speaking Streamlit's own
websocket protocol, on its own `streamlit run` process on a free loopback port, started as
deploy/run_replicas.py starts one (one BLAS thread; `--option KEY=VALUE` sets a Streamlit option for all):

- one-button Streamlit app: a button and a progress line, nothing else (the floor: bench_browser's), run
  with the app's .streamlit/config.toml so that only the script differs;
- 2-2-2 (preset, L=2): the app's default page as it opens (/);
- 8-16x6-8 (largest, L=7): the largest network the sidebar allows, opened from a link (?in=8&h=16,…&out=8).

Each click presses the button with key `btn_step`, as the frontend sends it (a rerun_script with the
button's trigger value, for the app's fragment), and is timed from sending that message to receiving
script_finished: the server's whole work for the click, with no browser rendering. Rows take turns click by
click, so a drift of the machine's speed touches all alike. Server CPU per click is each process's user +
system time over the measured clicks (from /proc) divided by their number: what one click costs the
process's single script thread and event loop, hence how many clicks a second one process can serve.
"Sent" is the ForwardMsg bytes the click's rerun sent to the client.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "deploy"))

from bench_browser import ONE_BUTTON_APP, p90  # noqa: E402  (the same floor as the browser benchmark)
from procstat import cpu_seconds  # noqa: E402
from run_replicas import Replicas, option_args, parse_options  # noqa: E402
from st_client import Session  # noqa: E402

KEY = "btn_step"
LARGEST_QUERY = "in=8&h=16,16,16,16,16,16&out=8"
ROWS = [  # (name, app script or None for the one-button app, query string, text the first run must show)
    ("one-button Streamlit app", None, "", "one-button baseline"),
    ("2-2-2 (preset, L=2)", "app.py", "", "Step 0 of 6"),
    ("8-16x6-8 (largest, L=7)", "app.py", LARGEST_QUERY, "Step 0 of 16"),
]


class Row:
    """One server, one session on it, and what its clicks measured."""

    def __init__(self, name: str, server: Replicas, query: str, expect: str):
        self.name, self.server, self.query, self.expect = name, server, query, expect
        self.session: Session | None = None
        self.opened: list[str] = []
        self.seconds: list[float] = []
        self.bytes: list[int] = []
        self.errors: list[str] = []
        self.cpu = 0.0

    async def open(self) -> None:
        self.session = await Session.open(self.server.url, "/", self.query)
        if not any(self.expect in text for text in self.session.markdown()):
            self.errors.append(f"the page did not open as expected (no “{self.expect}” on it)")
        self.errors += self.session.first_run.errors
        self.opened = self.session.markdown()

    def check_changed(self) -> None:
        """A click the server ignored would still finish a run: the page must show something new."""
        if self.seconds and self.session.markdown() == self.opened:
            self.errors.append(f"the page is unchanged after {len(self.seconds)} clicks")

    async def click(self, key: str, record: bool) -> None:
        try:
            run = await self.session.click(key)
        except Exception as err:  # noqa: BLE001 — a failed click is a result to report, not a crash
            self.errors.append(f"{type(err).__name__}: {err}")
            return
        self.errors += run.errors
        if record:
            self.seconds.append(run.seconds)
            self.bytes.append(run.bytes)


async def measure(rows: list[Row], clicks: int, warmup: int, key: str) -> None:
    for row in rows:
        await row.open()
    for _ in range(warmup):
        for row in rows:
            await row.click(key, record=False)
    before = [cpu_seconds([row.server.pids[0]]) for row in rows]
    for _ in range(clicks):
        for row in rows:
            await row.click(key, record=True)
    for row, start in zip(rows, before, strict=True):
        row.cpu = cpu_seconds([row.server.pids[0]]) - start
    for row in rows:
        row.check_changed()
        await row.session.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 clicks per row: check it runs, not timing")
    parser.add_argument("--clicks", type=int, default=None, help="measured clicks per row (default 60, 3 with --quick)")
    parser.add_argument("--key", default=KEY, help=f"the key of the button to click (default {KEY})")
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="a Streamlit config option for every server, e.g. runner.postScriptGC=false",
    )
    args = parser.parse_args(argv)
    try:
        options = parse_options(args.option)
    except ValueError as err:
        parser.error(str(err))
    clicks = args.clicks or (3 if args.quick else 60)
    warmup = 1 if args.quick else 5
    if not 1 <= clicks <= 1000:
        parser.error("--clicks must be 1..1000")

    started = time.perf_counter()
    servers: list[Replicas] = []
    with tempfile.TemporaryDirectory() as folder:
        # The floor runs with the app's own config (error details, XSRF, …), so only the script differs.
        (Path(folder) / "one_button.py").write_text(ONE_BUTTON_APP)
        (Path(folder) / ".streamlit").mkdir()
        shutil.copy(REPO / ".streamlit" / "config.toml", Path(folder) / ".streamlit" / "config.toml")
        try:
            rows = []
            for name, script, query, expect in ROWS:
                server = Replicas(
                    1, proxy=False, app=script or "one_button.py", cwd=REPO if script else Path(folder), options=options
                )
                servers.append(server)
                rows.append(Row(name, server, query, expect))
            asyncio.run(asyncio.wait_for(measure(rows, clicks, warmup, args.key), timeout=60 + 30 * clicks))
        finally:
            for server in servers:
                server.stop()

    print(
        f"Server cost of a click on `{args.key}`, Streamlit's websocket protocol (no browser): {clicks} clicks "
        f"per row after {warmup} warm-up, rows taking turns; each row its own server process"
        f"{' with ' + ' '.join(option_args(options)) if options else ''}"
        f"{' (--quick: not a measurement)' if args.quick else ''}"
    )
    header = (
        f"{'row':<26}{'clicks':>7}{'median ms':>10}{'p90 ms':>8}{'CPU ms/click':>13}{'KB sent':>9}"
        f"{'median ÷ floor':>15}{'CPU ÷ floor':>12}"
    )
    print(header)
    print("-" * len(header))
    floor = rows[0]
    for row in rows:
        if not row.seconds:
            print(f"{row.name:<26}{0:>7}   no click completed")
            continue
        median_ms = statistics.median(row.seconds) * 1e3
        cpu_ms = row.cpu / len(row.seconds) * 1e3
        floor_ms = statistics.median(floor.seconds) * 1e3 if floor.seconds else float("nan")
        floor_cpu = floor.cpu / len(floor.seconds) * 1e3 if floor.seconds else float("nan")
        print(
            f"{row.name:<26}{len(row.seconds):>7}{median_ms:>10.1f}{p90(row.seconds) * 1e3:>8.1f}{cpu_ms:>13.1f}"
            f"{statistics.median(row.bytes) / 1024:>9.1f}{median_ms / floor_ms:>14.2f}×"
            f"{(cpu_ms / floor_cpu if floor_cpu else float('nan')):>11.2f}×"
        )
    for row in rows:
        if row.seconds and row.cpu:
            print(
                f"  {row.name}: one process, its thread busy all the time, serves about "
                f"{len(row.seconds) / row.cpu:.0f} such clicks a second"
            )
    print(f"total {time.perf_counter() - started:.0f} s")
    errors = Counter(f"{row.name}: {e}" for row in rows for e in row.errors)
    if errors:
        print(f"errors ({sum(errors.values())}):", file=sys.stderr)
        for e, n in errors.most_common(20):
            print(f"  {n} × {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
