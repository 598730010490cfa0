"""The expensive Train link on a real server: it trains in chunks while its page asks, and the work stops
when the tab closes. The old page replayed all 2000 epochs in the link's first run (about half an hour of a
core) and went on after the tab had closed.

The clients are benchmarks/st_client.py sessions (Streamlit's websocket protocol, with the fragment timer a
browser runs); CPU is the server process's user + system time from /proc, a count, not a wall-clock timing.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from procstat import cpu_seconds  # noqa: E402
from run_replicas import Replicas  # noqa: E402
from st_client import Session, run_in_thread  # noqa: E402

EXPENSIVE = "n=1000&batch=1&ep=2000&h=16,16,16,16,16,16"


def test_the_expensive_link_trains_in_chunks_and_stops_when_its_tab_closes():
    async def visit(url: str, pid: int):
        session = await Session.open(url, "train", EXPENSIVE, timeout=60)  # the old page: ~30 min here
        errors = list(session.first_run.errors)
        cacheable = session.first_run.cacheable
        timers = dict(session.auto_reruns)
        before = cpu_seconds([pid])
        for _ in range(8):  # two seconds of the browser's fragment timer
            tick = await session.tick()
            errors += tick.errors
            await asyncio.sleep(0.25)
        busy = cpu_seconds([pid]) - before
        await session.close()
        await asyncio.sleep(1.0)  # the chunk under way when the tab closed may finish
        closed = cpu_seconds([pid])
        await asyncio.sleep(10.0)
        return errors, timers, busy, cpu_seconds([pid]) - closed, cacheable, session.first_run.bytes

    with Replicas(1, proxy=False) as server:
        errors, timers, busy, after, cacheable, sent = run_in_thread(visit(server.url, server.pids[0]))
        log = server.log_tail()
    assert errors == [], errors
    # Figures of over 10 kB, none marked for the browser's message cache (.streamlit/config.toml, [global]).
    assert sent > 100_000 and cacheable == 0, (sent, cacheable)
    assert list(timers.values()) == [0.25], timers  # the page runs its chunk timer
    assert busy > 0.5, f"only {busy:.2f} s of CPU in 2 s of chunks: did it train?"
    assert after < 1.5, f"{after:.2f} s of CPU in the 10 s after the tab closed (15 % of a core is 1.5 s)\n{log}"


def test_bench_train_link_quick_runs_and_prints_its_table():
    """The benchmark of a second session's clicks while the link runs (timings are not checked here)."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_train_link.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    lines = result.stdout.splitlines()
    assert "errors: 0" in lines, result.stdout
    for name in ("Step clicks, alone", "Step clicks, with the Train link"):
        cells = next(line for line in lines if line.startswith(name))[len(name) :].split()
        assert cells[0] == "5" and all(float(c) > 0 for c in cells[1:]), cells
    assert any(line.startswith("server CPU while both ran") for line in lines), result.stdout


def test_bench_soak_quick_runs_and_prints_its_figures():
    """The soak benchmark (3000 clicks and 300 sessions on demand) runs end to end with no errors, here with its
    sessions twice over (--rounds)."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_soak.py", "--quick", "--rounds", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    lines = result.stdout.splitlines()
    assert "errors: 0" in lines and any("kB per click" in line for line in lines), result.stdout
    assert sum(line.startswith(("first after warm-up", "last ")) for line in lines) == 2, result.stdout
    assert any(line.startswith("sessions: 10 opened and closed") for line in lines), result.stdout
    assert any(line.startswith("rounds: 2 × 10 sessions") for line in lines), result.stdout
