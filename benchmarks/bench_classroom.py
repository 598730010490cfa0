"""A class of simulated students on the step-through page, each clicking Step every few seconds.

    python benchmarks/bench_classroom.py                          # 60 students, a click every 5 s, 60 s, one process
    python benchmarks/bench_classroom.py --users 120 --replicas 2 # 2 processes behind nginx (deploy/run_replicas.py)
    python benchmarks/bench_classroom.py --url http://127.0.0.1:8080 --server-pid 1234 --server-pid 1235
    python benchmarks/bench_classroom.py --quick                  # 3 students, 3 clicks each (CI smoke test)

Each student is a session of benchmarks/st_client.py, a client speaking Streamlit's own websocket protocol
(its own cookie jar, so nginx's routing cookie spreads students over the processes). The students arrive
spread over --ramp seconds, each opening / (the step-through page, 2-2-2 preset), then for --duration
seconds each clicks Step (key btn_step) every --interval seconds ± --jitter, from a random phase (a student
waits for a click's answer; a slot missed meanwhile is skipped); a click is timed from the message sent to
script_finished received. Reported: the p50, p95 and max latency of
opening and of clicking, errors (an exception element, a failed or timed-out run, a page a student's
clicks did not change), the server processes' CPU over the clicking and their resident memory before the
students, once they have all opened the page and at the end (per session: the growth over the students).
One asyncio loop drives every student; its own CPU and its lag (how late a 50 ms timer fires) are reported
so that a slow client is not mistaken for a slow server.

Bounded and loopback only: at most 300 students, 1000 clicks each, 900 s; --url must be a loopback
address; everything the benchmark started is stopped when it ends, on Ctrl-C or on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import random
import signal
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "deploy"))

from procstat import cpu_seconds, rss_bytes  # noqa: E402
from run_replicas import Replicas, option_args, parse_options  # noqa: E402
from st_client import Session  # noqa: E402

MAX_USERS = 300
MAX_CLICKS = 1000
MAX_SECONDS = 900
KEY = "btn_step"
LAG_TICK = 0.05


@dataclass
class Student:
    number: int
    session: Session | None = None
    open_seconds: float | None = None
    clicks: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    upstream: str = ""


@dataclass
class Target:
    """Where the students go, and which processes serve them (for CPU and memory)."""

    url: str
    pids: list[int]
    label: str
    warm_urls: list[str]  # each process once, for a warm-up page before the students come
    stop: object = None  # a callable that stops what this benchmark started, or None


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"--url must be on this machine's loopback (127.0.0.0/8, ::1, localhost), not {host!r}")
    return url.rstrip("/")


def start_target(args) -> Target:
    if args.url:
        url = loopback_only(args.url)
        pids = list(args.server_pid or [])
        # Behind a proxy the warm-up cannot aim at each process: a few pages per process reach all of them
        # but rarely (two processes, six pages: all six on one process 3 % of the time).
        return Target(url, pids, f"the server at {url}", [url] * (3 * max(1, len(pids))))
    # Started as deploy/run_replicas.py starts them: the same flags, one BLAS thread, the app's config.
    if args.replicas:
        front = Replicas(args.replicas, options=args.options)
        label = f"{args.replicas} processes behind nginx"
    else:
        front = Replicas(1, proxy=False, options=args.options)
        label = "one process"
    if args.options:
        label += ", " + " ".join(option_args(args.options))
    return Target(front.url, front.pids, label, front.replica_urls, front.stop)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), by linear interpolation between the closest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


async def watch_lag(lags: list[float], stop: asyncio.Event) -> None:
    """How late a LAG_TICK timer fires: the client's own loop delay, which every latency also contains."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(LAG_TICK)
        lags.append(time.perf_counter() - t - LAG_TICK)


async def open_page(student: Student, url: str, delay: float, timeout: float) -> None:
    await asyncio.sleep(delay)
    try:
        student.session = await Session.open(url, "/", timeout=timeout)
    except Exception as err:  # noqa: BLE001 — a student who cannot open the page is an error to count
        student.errors.append(f"open: {type(err).__name__}: {err}")
        return
    student.open_seconds = student.session.first_run.seconds
    student.errors += [f"open: {e}" for e in student.session.first_run.errors]
    student.upstream = student.session.stream_headers.get("x-upstream", "")


async def click_along(
    student: Student,
    key: str,
    rng: random.Random,
    interval: float,
    jitter: float,
    clicks: int,
    deadline: float,
    timeout: float,
) -> None:
    session = student.session
    if session is None:
        return
    opened = session.markdown()
    next_at = time.monotonic() + rng.uniform(0, interval)
    for _ in range(clicks):  # attempts, failed ones too
        if next_at >= deadline:
            break
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        # The student's rhythm: one click a slot. A slot that passed while a slow click was waited for is
        # skipped, not made up for with a burst, so a slow server is offered at most the class's rate.
        while next_at <= time.monotonic():
            next_at += interval * rng.uniform(1 - jitter, 1 + jitter)
        try:
            run = await session.click(key, timeout=timeout)
        except Exception as err:  # noqa: BLE001 — timeouts, a closed stream, a missing button: all errors
            student.errors.append(f"click: {type(err).__name__}: {err}")
            if session._closed_because:  # the stream is gone: this student can click no more
                break
            continue
        student.clicks.append(run.seconds)
        student.errors += [f"click: {e}" for e in run.errors]
    if student.clicks and session.markdown() == opened:
        student.errors.append(f"the page is unchanged after {len(student.clicks)} clicks")


async def classroom(args, target: Target) -> dict:
    rng = random.Random(args.seed)
    lags: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.create_task(watch_lag(lags, stop_lag))

    # Warm-up: one page opened and clicked on each process, so module imports are not counted as sessions.
    warm_errors = []
    for url in target.warm_urls:
        warm = None
        try:
            warm = await Session.open(url, "/", timeout=args.timeout)
            warm_errors += (await warm.click(args.key, timeout=args.timeout)).errors
        except Exception as err:  # noqa: BLE001 — reported with the students' errors
            warm_errors.append(f"{type(err).__name__}: {err}")
        finally:
            if warm is not None:
                await warm.close()
    await asyncio.sleep(1.0)
    pids = target.pids
    result = {"rss_before": rss_bytes(pids) if pids else None, "warm_errors": warm_errors}

    students = [Student(i) for i in range(args.users)]
    t0 = time.perf_counter()
    await asyncio.gather(
        *(open_page(s, target.url, args.ramp * i / args.users, args.timeout) for i, s in enumerate(students))
    )
    result["open_wall"] = time.perf_counter() - t0
    await asyncio.sleep(1.0)  # let the server finish sending and settle its memory
    result["rss_open"] = rss_bytes(pids) if pids else None

    cpu0, process0, t1 = (cpu_seconds(pids) if pids else None), time.process_time(), time.perf_counter()
    lags.clear()
    deadline = time.monotonic() + args.duration
    await asyncio.gather(
        *(
            click_along(
                s,
                args.key,
                random.Random(rng.random()),
                args.interval,
                args.jitter,
                args.clicks,
                deadline,
                args.timeout,
            )
            for s in students
        )
    )
    wall = time.perf_counter() - t1
    result.update(
        wall=wall,
        client_cpu=(time.process_time() - process0) / wall,
        server_cpu=(cpu_seconds(pids) - cpu0) / wall if pids else None,
        lags=list(lags),
    )
    await asyncio.sleep(1.0)
    result["rss_end"] = rss_bytes(pids) if pids else None
    stop_lag.set()
    await lag_task
    await asyncio.gather(*(s.session.close() for s in students if s.session), return_exceptions=True)
    result["students"] = students
    return result


def report(args, target: Target, r: dict) -> int:
    students: list[Student] = r["students"]
    opens = [s.open_seconds for s in students if s.open_seconds is not None]
    clicks = [c for s in students for c in s.clicks]
    errors = Counter([f"warm-up: {e}" for e in r["warm_errors"]] + [e for s in students for e in s.errors])
    n_err = sum(errors.values())
    print(
        f"Classroom: {args.users} students on {target.url}/ ({target.label}), each clicking `{args.key}` every "
        f"{args.interval:g} s ± {args.jitter:.0%} for {args.duration:g} s, after arriving over {args.ramp:g} s"
        f"{' (--quick: not a measurement)' if args.quick else ''}"
    )
    header = f"{'':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    for name, values in (("open the page", opens), ("Step click", clicks)):
        if values:
            ms = [v * 1e3 for v in values]
            print(f"{name:<16}{len(ms):>7}{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}{max(ms):>9.0f}")
        else:
            print(f"{name:<16}{0:>7}   none completed")
    print(f"errors: {n_err}")
    offered = args.users / args.interval
    print(f"clicks per second: {len(clicks) / r['wall']:.1f} served (the class asks about {offered:.1f})")
    mb = 1024 * 1024
    if r["server_cpu"] is not None:
        n = len(target.pids)
        print(
            f"server: {n} process{'es' if n > 1 else ''}, CPU {r['server_cpu']:.0%} of one core while clicking; "
            f"memory {r['rss_before'] / mb:.0f} MB before the students, {r['rss_open'] / mb:.0f} MB once all "
            f"opened the page ({(r['rss_open'] - r['rss_before']) / mb / args.users:.2f} MB per session), "
            f"{r['rss_end'] / mb:.0f} MB at the end ({(r['rss_end'] - r['rss_before']) / mb / args.users:.2f} "
            f"MB per session)"
        )
    else:
        print("server: CPU and memory not measured (give --server-pid for a server this benchmark did not start)")
    upstreams = Counter(s.upstream for s in students if s.upstream)
    if upstreams:
        print(
            "students per upstream (nginx's X-Upstream): "
            + ", ".join(f"{u}: {n}" for u, n in sorted(upstreams.items()))
        )
    lag_ms = [v * 1e3 for v in r["lags"]] or [0.0]
    print(
        f"client: CPU {r['client_cpu']:.0%} of one core; event-loop lag p50 {percentile(lag_ms, 50):.1f} ms, "
        f"p95 {percentile(lag_ms, 95):.1f} ms, max {max(lag_ms):.0f} ms"
    )
    if errors:
        print(f"errors ({n_err}):", file=sys.stderr)
        for e, n in errors.most_common(10):
            print(f"  {n} × {e}", file=sys.stderr)
        return 1
    return 0


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help=f"students, 1..{MAX_USERS} (default 60)")
    parser.add_argument("--interval", type=float, default=None, help="seconds between a student's clicks (default 5)")
    parser.add_argument("--jitter", type=float, default=0.2, help="± fraction of the interval, at random (default 0.2)")
    parser.add_argument(
        "--duration", type=float, default=None, help=f"seconds of clicking, ≤ {MAX_SECONDS} (default 60)"
    )
    parser.add_argument(
        "--clicks", type=int, default=None, help=f"at most this many clicks per student (≤ {MAX_CLICKS})"
    )
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which the students arrive (default 10)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one open or click may take (default 60)")
    parser.add_argument("--key", default=KEY, help=f"the button each student clicks (default {KEY})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the students' phases and jitter")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="a running server or nginx front on loopback, instead of starting one")
    where.add_argument("--replicas", type=int, default=0, help="start this many processes behind nginx")
    parser.add_argument("--server-pid", type=int, action="append", help="with --url: a server process to watch")
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="a Streamlit config option for the servers it starts, e.g. runner.postScriptGC=false",
    )
    parser.add_argument(
        "--quick", action="store_true", help="3 students, 3 clicks each, 1 s apart, unless given: check it runs"
    )
    args = parser.parse_args(argv)
    quick = {"users": 3, "clicks": 3, "interval": 1.0, "ramp": 1.0, "duration": 30.0}
    full = {"users": 60, "clicks": MAX_CLICKS, "interval": 5.0, "ramp": 10.0, "duration": 60.0}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    try:
        args.options = parse_options(args.option)
    except ValueError as err:
        parser.error(str(err))
    if args.options and args.url:
        parser.error("--option applies to servers this benchmark starts, not to --url")
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be 1..{MAX_USERS}")
    if not 1 <= args.clicks <= MAX_CLICKS:
        parser.error(f"--clicks must be 1..{MAX_CLICKS}")
    if not 0 < args.duration <= MAX_SECONDS or not 0 <= args.ramp <= 120 or not 0 < args.timeout <= 300:
        parser.error(f"--duration must be in (0, {MAX_SECONDS}], --ramp in [0, 120], --timeout in (0, 300]")
    if not args.interval >= 0.1 or not 0 <= args.jitter < 1:
        parser.error("--interval must be ≥ 0.1 and --jitter in [0, 1)")
    return args


def main(argv=None) -> int:
    args = parse(argv)

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    target = start_target(args)
    try:
        limit = 60 + args.ramp + args.duration + 2 * args.timeout
        result = asyncio.run(asyncio.wait_for(classroom(args, target), timeout=limit))
    except (KeyboardInterrupt, TimeoutError) as err:
        print(f"stopped: {type(err).__name__}", file=sys.stderr)
        return 1
    finally:
        if target.stop is not None:
            target.stop()
    return report(args, target, result)


if __name__ == "__main__":
    sys.exit(main())
