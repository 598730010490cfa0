"""Nagle's algorithm on a back-to-back Step click: `streamlit run app.py` against the same app served by
`uvicorn deploy.asgi:app` (Streamlit's st.App), whose accepted connections have TCP_NODELAY set.

    python benchmarks/bench_nodelay.py            # 40 clicks per server
    python benchmarks/bench_nodelay.py --quick    # 3 clicks per server, to see that it runs

Both servers run the same app with the same .streamlit/config.toml, one BLAS thread, on free loopback ports.
One session on each (benchmarks/st_client.py, Streamlit's websocket protocol, no browser) presses Step
(`btn_step`) as soon as the previous click's run has finished, the servers taking turns click by click;
each click is timed from sending it to receiving script_finished. Server CPU per click as in bench_server.py.

While the sessions are open, the option itself is read on each server's side of its accepted connections
(Linux: the server's socket is duplicated into this process with pidfd_getfd, which needs the right to
ptrace it, as a parent has over its child; where that is refused, the column says so).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from bench_browser import p90  # noqa: E402
from browser_helpers import free_port  # noqa: E402
from procstat import cpu_seconds  # noqa: E402
from st_client import Session  # noqa: E402

COMMANDS = {  # name → the command line serving the app on {port}
    "streamlit run app.py": [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        "{port}",
    ],
    "uvicorn deploy.asgi:app": [
        sys.executable,
        "-m",
        "uvicorn",
        "deploy.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ],
}


SYS_PIDFD_GETFD = 438  # Linux 5.6+, the same number on every architecture


def accepted_nodelay(pid: int) -> str:
    """TCP_NODELAY on the TCP connections process `pid` holds (its listening socket left out), as
    "on 1 of 1"; or why it could not be read."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pidfd = os.pidfd_open(pid)
    except (OSError, AttributeError) as err:
        return f"unreadable ({err})"
    on = total = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    continue
            except OSError:
                continue
            local = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
            if local < 0:
                return f"unreadable (pidfd_getfd: {os.strerror(ctypes.get_errno())})"
            with socket.socket(fileno=local) as s:
                if s.type != socket.SOCK_STREAM or s.family not in (socket.AF_INET, socket.AF_INET6):
                    continue
                try:
                    s.getpeername()
                except OSError:
                    continue  # the listening socket
                total += 1
                on += bool(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        os.close(pidfd)
    return f"on {on} of {total}"


def start(command: list[str], log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [c.format(port=port) for c in command],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{command[2:4]} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"{command[2:4]} not healthy after 120 s")


async def measure(urls: dict[str, str], pids: dict[str, int], clicks: int, warmup: int):
    sessions = {name: await Session.open(url) for name, url in urls.items()}
    seconds = {name: [] for name in urls}
    errors = {name: list(s.first_run.errors) for name, s in sessions.items()}
    cpu = {}
    try:
        for i in range(warmup + clicks):
            if i == warmup:
                cpu = {name: cpu_seconds([pids[name]]) for name in urls}
            for name, session in sessions.items():
                run = await session.click("btn_step")
                errors[name] += run.errors
                if i >= warmup:
                    seconds[name].append(run.seconds)
        cpu = {name: (cpu_seconds([pids[name]]) - cpu[name]) / clicks for name in urls}
        nodelay = {name: accepted_nodelay(pids[name]) for name in urls}  # while the sessions are open
        lines = {name: next((m for m in s.markdown() if m.startswith("**Step ")), "") for name, s in sessions.items()}
    finally:
        for s in sessions.values():
            await s.close()
    return seconds, cpu, errors, lines, nodelay


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 clicks per server: check it runs, not timing")
    parser.add_argument("--clicks", type=int, default=None, help="measured clicks per server (default 40)")
    args = parser.parse_args(argv)
    clicks = args.clicks or (3 if args.quick else 40)
    procs = {}
    with tempfile.TemporaryDirectory() as folder:
        try:
            urls, pids = {}, {}
            for name, command in COMMANDS.items():
                with open(Path(folder) / f"{len(procs)}.log", "wb") as log:  # the child keeps its own copy
                    procs[name], urls[name] = start(command, log)
                pids[name] = procs[name].pid
            seconds, cpu, errors, lines, nodelay = asyncio.run(measure(urls, pids, clicks, 1 if args.quick else 5))
        finally:
            for proc in procs.values():
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    print(f"Back-to-back Step clicks on the 2-2-2 preset, {clicks} per server, click → script_finished (ms)")
    header = f"{'server':<26}{'median':>8}{'p90':>7}{'CPU/click':>11}   TCP_NODELAY on accepted connections"
    print(header)
    print("-" * len(header))
    for name in COMMANDS:
        s = [1000 * v for v in seconds[name]]
        print(f"{name:<26}{statistics.median(s):>8.1f}{p90(s):>7.1f}{1000 * cpu[name]:>11.1f}   {nodelay[name]}")
    print("last progress lines: " + " | ".join(lines.values()))
    bad = {name: e for name, e in errors.items() if e}
    if bad:
        print(f"errors: {bad}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
