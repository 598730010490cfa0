"""The class feed alone (backprop/ui/class_feed.py) answering a class's held long polls, with and without the
instructor's rendered moment (view=1), raw and gzip.

    python benchmarks/bench_class_feed.py                   # 300 students, 8 moves per case
    python benchmarks/bench_class_feed.py --users 120
    python benchmarks/bench_class_feed.py --quick           # 20 students, 2 moves per case (to see it run)

One server process: uvicorn serving the feed's middleware in front of an app that answers 404 (no Streamlit:
this measures the feed, not the page), the class store in a redis-server on a free loopback port, as behind
nginx. Every student is one keep-alive HTTP/1.1 connection from this process (a browser's fetch), asking
`…/api/class/version?c=CODE&me=ID&v=SEEN[&view=1]` again as soon as it has an answer. The instructor (this
process, through RedisStore) publishes a moment with a view every --gap seconds, after every student is held
again. Views are real: the figure specs of the step-through page (the network diagram and every layer's
∂C/∂W heatmap, backprop.figures, as static/live_chart.js receives them) for the 2-2-2 worked example and for a
16-32-32-10 network, a different step each move.

Reported per case: the view's size and the bytes per answer; the time from the publish to each student's
whole answer (p50, p95, max over students and moves); server CPU per move (the uvicorn process, and Redis);
view reads would be one per move by design (tests/test_class_feed.py counts them); errors (an answer whose
version or view is not the one published: must be 0). Loopback only; everything started is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "deploy"))
sys.path.insert(0, str(REPO / "tests"))

from browser_helpers import free_port  # noqa: E402
from procstat import cpu_seconds  # noqa: E402
from run_replicas import RedisServer  # noqa: E402

MAX_USERS = 300
PATH = "/api/class/version"


def serve(port: int, url: str) -> None:
    """The server process: the feed only, on 127.0.0.1:port, over the Redis store at `url`."""
    import uvicorn

    from backprop.classroom import open_store
    from backprop.ui import class_feed

    store = open_store(url)

    async def not_found(scope, receive, send):
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = class_feed.FeedMiddleware(not_found, class_feed.Feed(lambda: store))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def views(sizes: tuple[int, ...], moves: int) -> list[str]:
    """The step-through page's figure specs at `moves` successive steps of a network of `sizes`, as views."""
    import numpy as np
    import plotly.io

    import backprop as bp
    from backprop.figures.gradients import layer_gradient
    from backprop.figures.network import network_diagram
    from backprop.lesson.presets import PRESETS
    from backprop.lesson.timeline import n_steps, step

    if sizes == (2, 2, 2):
        p = PRESETS["worked_2_2_2"]
        net, x, y = p.network(), np.array(p.x), np.array(p.y)
    else:
        net = bp.Network.random(sizes, "sigmoid", None, 0)
        x, y = np.linspace(0, 1, sizes[0]), np.eye(sizes[-1])[0]
    trace = bp.backward(net, x, y)

    def spec(fig) -> str:
        d = fig.to_dict()
        layout = {k: v for k, v in d.get("layout", {}).items() if k != "template"}
        return plotly.io.json.to_json_plotly({"data": d.get("data", []), "layout": layout})

    out = []
    for i in range(moves):
        m = step(net.L, (n_steps(net.L) - 1 - i % n_steps(net.L)))
        figures = [spec(network_diagram(trace, m, (1, 0, 0)))]
        figures += [spec(layer_gradient(trace, l, m, (1, 0, 0))) for l in range(1, net.L + 1)]
        out.append(json.dumps({"progress": m.progress, "tex": "x"})[:-1] + ', "figures": [' + ",".join(figures) + "]}")
    return out


samples: dict[int, bytes] = {}  # hash → one body with that hash
gzip_versions: dict[bytes, bytes] = {}  # a gzip body → its first bytes: unzipped once per distinct body


def version_of(body: bytes, zipped: bool) -> int | None:
    """The "v" of an answer, read from its first bytes (the client must not be what limits the benchmark:
    parsing 300 copies of a 150 kB view per move in this one process would be)."""
    if zipped:
        head = gzip.decompress(body)[:40]
        gzip_versions[body] = head
        body = head
    text = body[:40].decode("latin-1")
    if not text.startswith('{"v": '):
        raise RuntimeError(f"not the feed's answer: {text!r}")
    number = text[6:].split(",")[0].split("}")[0]
    return None if number == "null" else int(number)


class Student:
    """One browser's feed loop on a keep-alive connection: ask, read the whole answer, ask again."""

    def __init__(self, port: int, code: str, me: str, with_view: bool, gzip_ok: bool):
        self.port, self.code, self.me, self.with_view, self.gzip_ok = port, code, me, with_view, gzip_ok
        self.seen: int | None = None
        self.held = asyncio.Event()  # set while a request is out and no answer came yet
        self.answers: list[tuple[float, int, int, bool]] = []  # (arrived, v, hash of the body, gzip)
        self.bytes = 0

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            while True:
                q = f"c={self.code}&me={self.me}&v={'' if self.seen is None else self.seen}"
                q += "&view=1" if self.with_view else ""
                head = f"GET {PATH}?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                head += "Accept-Encoding: gzip, deflate, br\r\n" if self.gzip_ok else ""
                writer.write((head + "\r\n").encode())
                await writer.drain()
                self.held.set()
                status = await reader.readline()
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers["content-length"]))
                arrived = time.perf_counter()
                self.held.clear()
                if not status.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"{status!r} {body[:100]!r}")
                zipped = headers.get("content-encoding") == "gzip"
                self.bytes += len(body)
                known = gzip_versions.get(body) if zipped else None
                v = version_of(known, False) if known is not None else version_of(body, zipped)
                if v != self.seen:
                    digest = hash(body)  # 300 copies of a 150 kB body per move are not all kept
                    samples.setdefault(digest, body)
                    self.answers.append((arrived, v, digest, zipped))
                self.seen = v
        finally:
            writer.close()


async def case(port: int, store, users: int, moves: int, gap: float, texts: list[str], mode: str, pids) -> dict:
    code, key = store.create({"step": "0"})
    with_view, gzip_ok = mode != "plain", mode == "view+gzip"
    students = [Student(port, code, f"s{i}", with_view, gzip_ok) for i in range(users)]
    for s in students:
        store.join(code, s.me)
    tasks = [asyncio.create_task(s.run()) for s in students]
    published: list[tuple[float, int, str]] = []
    publish: list[float] = []  # seconds the instructor's publish took (Redis's Lua script, the view included)
    try:
        await asyncio.sleep(gap)
        cpu0, t0, mine0 = cpu_seconds(pids), time.perf_counter(), time.process_time()
        for i in range(moves):
            await asyncio.wait_for(asyncio.gather(*(s.held.wait() for s in students)), 30)
            await asyncio.sleep(0.3)  # every request has reached the server and is held there
            start = time.perf_counter()
            v = await asyncio.to_thread(store.publish, code, key, {"step": str(i)}, texts[i % len(texts)])
            publish.append(time.perf_counter() - start)
            published.append((start, v, texts[i % len(texts)]))
            await asyncio.sleep(gap)
        cpu, seconds, mine = cpu_seconds(pids) - cpu0, time.perf_counter() - t0, time.process_time() - mine0
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies, errors, sizes = [], 0, []
    for s in students:
        got = {v: (at, body, zipped) for at, v, body, zipped in s.answers}
        for start, v, text in published:
            if v not in got:
                errors += 1
                continue
            at, digest, zipped = got[v]
            body = samples[digest]
            raw = gzip.decompress(body) if zipped else body
            expected = b'{"v": %d, "view": %s}' % (v, text.encode()) if with_view else b'{"v": %d}' % v
            errors += raw != expected
            latencies.append(at - start)
            sizes.append(len(body))
    latencies.sort()
    return {
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "max": latencies[-1] if latencies else float("nan"),
        "bytes": statistics.mean(sizes) if sizes else 0,
        "cpu_per_move": cpu / moves,
        "client_per_move": mine / moves,  # this process: the students' side (and the instructor's publish)
        "seconds": seconds,
        "errors": errors,
        "publish": statistics.median(publish),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--moves", type=int, default=8)
    parser.add_argument("--gap", type=float, default=1.5, help="seconds after a move before the next")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "URL"), help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.serve:
        serve(int(a.serve[0]), a.serve[1])
        return
    if a.quick:
        a.users, a.moves, a.gap = 20, 2, 0.5
    a.users = max(1, min(a.users, MAX_USERS))
    a.moves = max(1, min(a.moves, 30))

    from backprop.classroom import open_store

    redis = RedisServer()
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), redis.url], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                import socket

                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the feed server did not start") from None
                time.sleep(0.1)
        store = open_store(redis.url)
        pids = [server.pid]
        assert redis.process is not None
        print(f"{a.users} students, {a.moves} moves per case, one feed process (uvicorn), Redis on loopback")
        print(
            f"{'view':>22} {'mode':>10} {'answer kB':>10} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
            f"{'feed CPU ms/move':>16} {'Redis CPU ms/move':>17} {'publish ms':>10} "
            f"{'client CPU ms/move':>18} {'errors':>6}"
        )
        for label, sizes in (("2-2-2", (2, 2, 2)), ("16-32-32-10", (16, 32, 32, 10))):
            texts = views(sizes, a.moves)
            size = statistics.mean(len(t) for t in texts) / 1e3
            for mode in ("plain", "view", "view+gzip"):
                r0 = cpu_seconds([redis.process.pid])
                r = asyncio.run(case(port, store, a.users, a.moves, a.gap, texts, mode, pids))
                redis_ms = (cpu_seconds([redis.process.pid]) - r0) / a.moves * 1e3
                print(
                    f"{label + f' ({size:.0f} kB)':>22} {mode:>10} {r['bytes'] / 1e3:10.1f} {r['p50'] * 1e3:7.0f} "
                    f"{r['p95'] * 1e3:7.0f} {r['max'] * 1e3:7.0f} {r['cpu_per_move'] * 1e3:16.0f} "
                    f"{redis_ms:17.1f} {r['publish'] * 1e3:10.1f} "
                    f"{r['client_per_move'] * 1e3:18.0f} {r['errors']:6d}"
                )
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        redis.remove()


if __name__ == "__main__":
    main()
