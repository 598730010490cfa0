"""A long lecture on one process: one session clicking thousands of times, then hundreds of sessions opened
and closed. Does memory grow per click or per session, and do clicks get slower?

    python benchmarks/bench_soak.py            # 3000 clicks, 300 sessions (about 6 minutes)
    python benchmarks/bench_soak.py --quick    # 60 clicks, 10 sessions: check it runs (CI smoke test)
    python benchmarks/bench_soak.py --rounds 4 --ttl 30   # the sessions four times over: growth per round

One `streamlit run app.py` on a free loopback port (the shipped config). Clients are benchmarks/st_client.py
sessions (Streamlit's websocket protocol, no browser).

- Clicks: one session on the step-through page (2-2-2) presses Step back to back (Reset at the last step
  of an iteration is not needed: Step goes on into the next iteration). The resident memory (RSS, from
  /proc) after the first 100 clicks is the baseline; growth per click is (RSS at the end − baseline) ÷ the
  clicks after it. Latency: median and p95 of the first 200 clicks after the warm-up against the last 200.
- Sessions: then `--sessions` sessions each open a page (the five pages in turn), run it once and close,
  ten at a time. Streamlit keeps a closed tab's session for server.disconnectedSessionTTL seconds (120 by
  default) so a reconnecting tab can resume it; RSS is read right after the last close and again once that
  time (set by --ttl) has passed: growth per session that stays after expiry would be a leak. CPython keeps
  freed memory for reuse, so RSS does not fall back after the first round; with `--rounds R` the sessions
  come R times over, and a leak shows as RSS growing round after round, where reused memory stays flat.
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

from procstat import rss_bytes  # noqa: E402
from run_replicas import Replicas  # noqa: E402
from st_client import Session  # noqa: E402

PAGES = ["/", "two_nodes", "matrix_form", "gradient_check", "train"]
WARM = 100


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


async def clicking(url: str, pid: int, clicks: int, errors: list[str]) -> dict:
    session = await Session.open(url, "/")
    errors += session.first_run.errors
    seconds = []
    warm = min(WARM, clicks // 3)
    base = 0
    for i in range(clicks):
        if i == warm:
            base = rss_bytes([pid])
        run = await session.click("btn_step")
        errors += run.errors
        seconds.append(run.seconds)
    end = rss_bytes([pid])
    await session.close()
    window = min(200, (clicks - warm) // 2)
    return dict(
        first=seconds[warm : warm + window],
        last=seconds[-window:],
        base=base,
        end=end,
        per_click=(end - base) / (clicks - warm),
    )


async def sessions(url: str, pid: int, n: int, ttl: float, errors: list[str]) -> dict:
    before = rss_bytes([pid])

    async def one(i: int) -> None:
        try:
            s = await Session.open(url, PAGES[i % len(PAGES)], timeout=120)
        except Exception as err:  # noqa: BLE001 — counted, and the soak goes on
            errors.append(f"session {i}: {err!r}")
            return
        errors.extend(s.first_run.errors)
        await s.close()

    for start in range(0, n, 10):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 10))))
    closed = rss_bytes([pid])
    await asyncio.sleep(ttl + 15)  # past the disconnected-session TTL, plus Streamlit's sweep
    expired = rss_bytes([pid])
    return dict(before=before, closed=closed, expired=expired)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 clicks, 10 sessions, TTL 2 s: check it runs")
    parser.add_argument("--clicks", type=int, default=3000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--ttl", type=float, default=120.0, help="server.disconnectedSessionTTL, seconds")
    parser.add_argument("--rounds", type=int, default=1, help="open and close the sessions this many times over")
    args = parser.parse_args(argv)
    if args.quick:
        args.clicks, args.sessions, args.ttl = 60, 10, 2.0
    errors: list[str] = []
    options = {"server.disconnectedSessionTTL": str(int(args.ttl))}
    with Replicas(1, proxy=False, options=options) as server:
        pid = server.pids[0]
        started = time.perf_counter()
        c = asyncio.run(clicking(server.url, pid, args.clicks, errors))
        click_time = time.perf_counter() - started
        rounds = [asyncio.run(sessions(server.url, pid, args.sessions, args.ttl, errors)) for _ in range(args.rounds)]
    s = rounds[0]
    mb, ms = 1e6, lambda v: f"{1000 * v:.0f}"  # noqa: E731
    print(
        f"clicks: {args.clicks} in {click_time:.0f} s; "
        f"RSS {c['base'] / mb:.1f} MB after {min(WARM, args.clicks // 3)} "
        f"→ {c['end'] / mb:.1f} MB at the end: {c['per_click'] / 1e3:+.2f} kB per click"
    )
    print(f"{'click latency':<28}{'clicks':>7}{'median ms':>11}{'p95 ms':>9}")
    for name, v in (("first after warm-up", c["first"]), ("last", c["last"])):
        print(f"{name:<28}{len(v):>7}{ms(statistics.median(v)):>11}{ms(p95(v)):>9}")
    print(
        f"sessions: {args.sessions} opened and closed; RSS {s['before'] / mb:.1f} MB → {s['closed'] / mb:.1f} MB "
        f"right after ({(s['closed'] - s['before']) / args.sessions / 1e3:+.0f} kB per session) → "
        f"{s['expired'] / mb:.1f} MB after the {args.ttl:.0f} s TTL "
        f"({(s['expired'] - s['before']) / args.sessions / 1e3:+.0f} kB per session)"
    )
    if args.rounds > 1:
        after = " → ".join(f"{r['expired'] / mb:.1f}" for r in rounds)
        growth = (rounds[-1]["expired"] - rounds[0]["expired"]) / ((args.rounds - 1) * args.sessions) / 1e3
        print(
            f"rounds: {args.rounds} × {args.sessions} sessions; RSS after each round's TTL {after} MB: "
            f"{growth:+.1f} kB per session after the first round"
        )
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print("  ", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
