"""A second student's clicks while an expensive Train link replays on the same process, and what that link
costs once its tab is closed.

    python benchmarks/bench_train_link.py           # 60 Step clicks per phase (about a minute)
    python benchmarks/bench_train_link.py --quick   # 5 clicks per phase: check it runs (CI smoke test)

One `streamlit run app.py` on a free loopback port. Session B opens the step-through page and presses Step
(btn_step) with 0.2 s between clicks, timed from sending the click to its script_finished
(benchmarks/st_client.py, no browser). Phase "alone": nobody else. Phase "with the link": session A has
opened /train?n=1000&batch=1&ep=2000&h=16,16,16,16,16,16 (2000 epochs of 800 one-sample steps through a
2-16x6-1 network, about half an hour of a core) and asks for its chunks as a browser's fragment timer does,
every 0.25 s after the previous chunk arrived. Then A's tab closes and the process's CPU time over the next
10 s is read from /proc: work that ran on for a closed tab would show there.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "deploy"))

from procstat import cpu_seconds  # noqa: E402
from run_replicas import Replicas  # noqa: E402
from st_client import Session  # noqa: E402

EXPENSIVE = "n=1000&batch=1&ep=2000&h=16,16,16,16,16,16"
AFTER_CLOSE = 10.0  # seconds of CPU watched after the tab closes


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


async def clicks(session: Session, n: int, errors: list[str]) -> list[float]:
    seconds = []
    for _ in range(n):
        run = await session.click("btn_step")
        errors += run.errors
        seconds.append(run.seconds)
        if session.widget("btn_step").disabled:
            await session.click("btn_reset")  # at the last step: start over, and go on stepping
        await asyncio.sleep(0.2)
    return seconds


async def link_ticks(session: Session, stop: asyncio.Event, errors: list[str]) -> list[float]:
    seconds = []
    while not stop.is_set():
        run = await session.tick()
        if run is None:
            errors.append("the Train link's page stopped asking for chunks before its run ended")
            break
        errors += run.errors
        seconds.append(run.seconds)
        await asyncio.sleep(session.auto_reruns.get(next(iter(session.auto_reruns), ""), 0.25))
    return seconds


async def measure(url: str, pid: int, n: int) -> dict:
    errors: list[str] = []
    b = await Session.open(url, "/")
    errors += b.first_run.errors
    alone = await clicks(b, n, errors)
    a = await Session.open(url, "train", EXPENSIVE)
    errors += a.first_run.errors
    opened = a.first_run.seconds
    if not a.auto_reruns:
        errors.append("the Train link opened without its chunked run (no fragment timer)")
    stop = asyncio.Event()
    ticker = asyncio.create_task(link_ticks(a, stop, errors))
    cpu0 = cpu_seconds([pid])
    started = time.perf_counter()
    loaded = await clicks(b, n, errors)
    busy = (cpu_seconds([pid]) - cpu0) / (time.perf_counter() - started)
    stop.set()
    ticks = await ticker
    await a.close()
    await asyncio.sleep(0.5)  # the chunk under way when the tab closed may finish
    cpu1 = cpu_seconds([pid])
    await asyncio.sleep(AFTER_CLOSE)
    after = (cpu_seconds([pid]) - cpu1) / AFTER_CLOSE
    await b.close()
    return dict(alone=alone, loaded=loaded, ticks=ticks, opened=opened, busy=busy, after=after, errors=errors)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 clicks per phase: check it runs, not timing")
    parser.add_argument("--clicks", type=int, default=60)
    args = parser.parse_args(argv)
    n = 5 if args.quick else args.clicks
    with Replicas(1, proxy=False) as server:
        r = asyncio.run(measure(server.url, server.pids[0], n))
    ms = lambda v: f"{1000 * v:.0f}"  # noqa: E731
    print(f"{'phase':<34}{'clicks':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for name, values in (("Step clicks, alone", r["alone"]), ("Step clicks, with the Train link", r["loaded"])):
        print(f"{name:<34}{len(values):>7}{ms(statistics.median(values)):>11}{ms(p95(values)):>9}{ms(max(values)):>9}")
    t = r["ticks"]
    print(
        f"Train link: first run {r['opened']:.2f} s; {len(t)} chunks, median {ms(statistics.median(t))} ms, "
        f"max {ms(max(t))} ms (chunk and redraw)"
    )
    print(
        f"server CPU while both ran: {100 * r['busy']:.0f} % of a core; over {AFTER_CLOSE:.0f} s after the "
        f"link's tab closed: {100 * r['after']:.1f} % of a core"
    )
    print(f"errors: {len(r['errors'])}")
    for e in r["errors"][:10]:
        print("  ", e, file=sys.stderr)
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
