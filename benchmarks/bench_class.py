"""Class mode under load: one instructor steps, N students' pages follow, the class answers questions.

    python benchmarks/bench_class.py                       # 300 students, 2 processes behind nginx, Redis
    python benchmarks/bench_class.py --users 120
    python benchmarks/bench_class.py --replicas 0          # one process, the in-process store
    python benchmarks/bench_class.py --quick               # 6 students, 4 steps 1.5 s apart, 1 question (CI)
    python benchmarks/bench_class.py --no-feed             # the processes run app.py: students follow by a
                                                           # fragment polled on the server (the fallback)

Every participant is a benchmarks/st_client.py session (Streamlit's own websocket protocol, its own cookie
jar, so nginx spreads them over the processes). The instructor starts a class on the Class page, reads the
join code and the instructor link there, and opens the instructor link on the step-through page. The
students open the join link. Each student's page then does what a browser does for the page's poll
fragment (`run_every`): ask the server to rerun that fragment every interval it announced (the tick waits
for the answer). The instructor clicks Step every --step-every seconds, and before --questions of the
backward steps first clicks Ask the class; a student who sees the question answers it (an option at random) and
the next Step reveals it, --answer-window seconds later. Where the page draws the instructor's moves in the
browser (the class feed), the question comes in the instructor's view and the student answers as the page's
stage does: a POST to the feed's answer endpoint on a second connection (the first holds the long poll),
after a think time of 0.1 s to 0.4 × --answer-window; else with the page's answer widget, at once.

Reported: follow latency, from the instructor's click being sent to each student's page having redrawn at that
step (p50, p95, max; a student who never reaches a step is an error); polls per second and their latency;
script runs per student per instructor move; server CPU per student-minute while the students only follow (no
clicks: the cost of following itself) and over the lesson; answers submitted (acknowledged before the reveal)
against answers counted in the class's results (read from the store: they must be equal); server CPU (all
processes, and Redis) over the stepping; errors (must be 0). One asyncio loop drives everyone; its CPU and lag
are reported too.

Bounded and loopback only: at most 300 students, 60 steps, 900 s; everything it started is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import random
import re
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "deploy"))
sys.path.insert(0, str(HERE.parent))

from bench_classroom import percentile, watch_lag  # noqa: E402
from procstat import cpu_seconds  # noqa: E402
from run_replicas import Replicas  # noqa: E402
from st_client import Session  # noqa: E402

MAX_USERS = 300
MAX_STEPS = 60
MAX_SECONDS = 900
FEED = "class_feed"  # the key of the feed component on a following student's page (backprop/ui/class_view.py)
STAGE = "follow_stage"  # … and of the stage that draws the instructor's views (backprop/ui/follow_view.py)
PROGRESS = re.compile(r"^\*\*(Step \d+ of \d+ — [^*]+)\*\* · iteration (\d+)")


@dataclass
class Student:
    number: int
    session: Session | None = None
    seen: dict[str, float] = field(default_factory=dict)  # moment → when first drawn
    ticks: list[float] = field(default_factory=list)
    redraws: int = 0
    runs: int = 0  # script runs this student's page asked for while following (ticks or triggers)
    answers: dict[str, float] = field(default_factory=dict)  # question key → when acknowledged
    shown: dict[str, float] = field(default_factory=dict)  # question key → when first drawn on the page
    errors: list[str] = field(default_factory=list)
    upstream: str = ""


def stage_data(session: Session) -> dict:
    """The stage's data: a JSON string handed to the component as it is (follow_view.stage)."""
    data = session.component_data(STAGE)
    return json.loads(data) if isinstance(data, str) else data


def moment_of(session: Session, view: dict | None = None) -> str | None:
    """The moment a page shows: its progress line, drawn by Streamlit or, on a following page that draws moves
    in the browser, by its stage (`view`: the one the feed brought, else the page's own)."""
    lines = list(session.markdown())
    if view is None and session.widgets(STAGE):
        view = stage_data(session)["view"]
    if view is not None:
        lines.append(html.unescape(view["progress"].replace("<strong>", "**").replace("</strong>", "**")))
    for m in lines:
        if match := PROGRESS.match(m):
            return f"{match.group(1)} · it {match.group(2)}"
    return None


class Http:
    """One keep-alive HTTP/1.1 connection, as a browser keeps for a page's fetches (GET only; Content-Length
    or chunked bodies)."""

    def __init__(self, base_url: str, cookies: dict[str, str]):
        split = urlsplit(base_url)
        self.host, self.port, self.netloc, self.cookies = split.hostname, split.port or 80, split.netloc, cookies
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        for attempt in (1, 2):  # a connection the server closed while idle: open a new one, once
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                assert self.reader is not None
                cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                length = "Content-Length: 0\r\n" if method == "POST" else ""
                self.writer.write(
                    f"{method} {path} HTTP/1.1\r\nHost: {self.netloc}\r\nCookie: {cookie}\r\n{length}\r\n".encode()
                )
                status = int((await self.reader.readline()).split()[1])
                headers = {}
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while size := int((await self.reader.readline()).strip() or b"0", 16):
                        body += await self.reader.readexactly(size + 2)
                    await self.reader.readline()
                else:
                    body = await self.reader.readexactly(int(headers.get("content-length", "0")))
                if headers.get("connection", "").lower() == "close":
                    await self.close()
                return status, body
            except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def _saw(student: Student, now: float, view: dict | None = None) -> None:
    m = moment_of(student.session, view)
    if m is not None and m not in student.seen:
        student.seen[m] = now


async def _answer(student: Student, timeout: float, rng: random.Random) -> None:
    s = student.session
    for key in s.widgets("class_answer_"):
        student.shown.setdefault(key, time.perf_counter())
        if key not in student.answers:
            try:
                run = await s.choose(key, rng.randrange(len(s.widget(key).options)), timeout)
                student.errors += run.errors
                student.answers[key] = time.perf_counter()
            except Exception as err:  # noqa: BLE001
                student.errors.append(f"answer: {type(err).__name__}: {err}"[:200])


def _answer_in_stage(
    student: Student, view: dict | None, http: Http, timeout: float, rng: random.Random, think: tuple[float, float]
) -> asyncio.Task | None:
    """The question in a view the stage drew, not answered yet: answer it as the stage does (a POST to the
    class feed), after a think time, in a task of its own (the page keeps following meanwhile)."""
    q = (view or {}).get("question")
    data = student.session.component_data(STAGE) if student.session.widgets(STAGE) else None
    if not q or q.get("revealed") or data is None:
        return None
    answer_url = json.loads(data)["answer"]["url"] if isinstance(data, str) else data["answer"]["url"]
    code = parse_qs(urlsplit(answer_url).query)["c"][0]
    key = f"class_answer_{code}_{q['id']}"
    if key in student.shown:
        return None
    student.shown[key] = time.perf_counter()
    value = rng.choice(q["options"])[0]

    async def send() -> None:
        await asyncio.sleep(rng.uniform(*think))
        try:
            status, body = await asyncio.wait_for(
                http.get(f"{answer_url}&q={q['id']}&a={value.replace(',', '%2C')}", "POST"), timeout
            )
            if status == 200 and json.loads(body).get("ok"):
                student.answers[key] = time.perf_counter()
            else:
                student.errors.append(f"answer refused: {status} {body[:100]!r}")
        except Exception as err:  # noqa: BLE001
            student.errors.append(f"answer: {type(err).__name__}: {err}"[:200])

    return asyncio.create_task(send())


async def follow(
    student: Student, stop: asyncio.Event, timeout: float, rng: random.Random, think: tuple[float, float]
) -> None:
    if student.session.widgets(FEED):
        await follow_feed(student, stop, timeout, rng, think)
    else:
        await follow_fragment(student, stop, timeout, rng)


async def follow_feed(
    student: Student, stop: asyncio.Event, timeout: float, rng: random.Random, think: tuple[float, float]
) -> None:
    """The feed component's loop: a long poll of the endpoint with the version the page drew (it answers when
    the class moves, or after a while). On a page that draws moves in the browser, an answer that carries a view
    with the page's stage's signature is drawn there (counted as seen when it arrives: the browser's drawing is
    measured by tests/test_browser_class_feed.py, not here); else, on a new version, trigger one run of the
    page."""
    s = student.session
    http = Http(s.base_url, s.cookies)
    answers = Http(s.base_url, s.cookies)  # a browser's second connection: the first holds the long poll
    sending: list[asyncio.Task] = []
    pause = s.component_data(FEED)["every"] / 1000
    n, drawn, url = 0, -1, None
    try:
        while not stop.is_set():
            data = s.component_data(FEED) if s.widgets(FEED) else None
            if data is None:
                student.errors.append("the page stopped following (no feed component)")
                return
            if data["url"] != url:
                drawn, url = -1, data["url"]
            draws = bool(data.get("draws"))
            t0 = time.perf_counter()
            try:
                seen = data["seen"] if not draws or data["seen"] is None else max(data["seen"], drawn)
                query = f"{data['url']}{'&view=1' if draws else ''}&v={'' if seen is None else seen}"
                get = asyncio.create_task(http.get(query))
                stopped = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait({get, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
                if get not in done:
                    get.cancel()
                    with contextlib.suppress(BaseException):
                        await get
                    if stop.is_set():
                        return
                    raise TimeoutError("the feed did not answer")
                status, body = get.result()
                answer = json.loads(body) if status == 200 else {}
                v = answer.get("v") if status == 200 else seen
            except Exception as err:  # noqa: BLE001 — a failed poll is counted, the student carries on
                student.errors.append(f"poll: {type(err).__name__}: {err}"[:200])
                await http.close()
                await asyncio.sleep(pause)
                continue
            student.ticks.append(time.perf_counter() - t0)
            offline = status == 503
            if v == seen and offline == data["offline"]:
                continue  # held, nothing moved: ask again
            view = answer.get("view")
            stage = stage_data(s) if draws and s.widgets(STAGE) else None
            if (
                view
                and not offline
                and not data["offline"]
                and isinstance(v, int)
                and stage
                and view["sig"] == stage["sig"]
            ):
                drawn = v
                student.redraws += 1
                _saw(student, time.perf_counter(), view)
                if task := _answer_in_stage(student, view, answers, timeout, rng, think):
                    sending.append(task)
                continue
            n += 1
            try:
                run = await s.trigger(FEED, "moved", {"v": v, "offline": offline, "n": n}, timeout)
                student.errors += run.errors
                student.runs += 1
                student.redraws += 1
            except Exception as err:  # noqa: BLE001
                student.errors.append(f"trigger: {type(err).__name__}: {err}"[:200])
            _saw(student, time.perf_counter())
            await _answer(student, timeout, rng)
            if (
                draws
                and s.widgets(STAGE)
                and (task := _answer_in_stage(student, stage_data(s)["view"], answers, timeout, rng, think))
            ):
                sending.append(task)
            if s.widgets(FEED) and s.component_data(FEED)["seen"] == data["seen"]:
                await asyncio.sleep(pause)  # the page has not drawn the new version: as the browser, wait
    finally:
        for task in sending:
            task.cancel()
        await asyncio.gather(*sending, return_exceptions=True)
        await http.close()
        await answers.close()


async def follow_fragment(student: Student, stop: asyncio.Event, timeout: float, rng: random.Random) -> None:
    s = student.session
    if not s.auto_reruns:
        student.errors.append("no run_every fragment on a student's page (not following?)")
        return
    interval = next(iter(s.auto_reruns.values()))
    await asyncio.sleep(rng.uniform(0, interval))  # browsers' timers are not in step
    while not stop.is_set():
        t0 = time.perf_counter()
        if not s.auto_reruns:
            student.errors.append("the page stopped polling")
            return
        fragment, interval = next(iter(s.auto_reruns.items()))  # its id may change with a whole-page run
        try:
            run = await s.tick(fragment, timeout)
        except Exception as err:  # noqa: BLE001 — a failed tick is counted, the student carries on
            student.errors.append(f"tick: {type(err).__name__}: {err}"[:200])
            await asyncio.sleep(interval)
            continue
        now = time.perf_counter()
        student.ticks.append(now - t0)
        student.runs += 1
        student.errors += run.errors
        if not run.fragment or run.status == "FINISHED_SUCCESSFULLY":
            student.redraws += 1
        _saw(student, now)
        await _answer(student, timeout, rng)
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - t0)))


async def start_class(url: str, timeout: float) -> tuple[Session, str, str]:
    lobby = await Session.open(url, "/class", timeout=timeout)
    run = await lobby.click("class_start", timeout)
    if run.errors:
        raise RuntimeError(f"Start a class failed: {run.errors}")
    links = [c for c in lobby.code_blocks() if "key=" in c]
    await lobby.close()
    if not links:
        raise RuntimeError("no instructor link on the Class page")
    query = parse_qs(urlsplit(links[0]).query)
    code, key = query["class"][0], query["key"][0]
    teacher = await Session.open(url, "/", query=f"class={code}&key={key}", timeout=timeout)
    return teacher, code, key


async def lesson(args, url: str, pids: list[int], redis_pid: int | None) -> dict:
    rng = random.Random(args.seed)
    teacher, code, key = await start_class(url, args.timeout)
    students = [Student(i) for i in range(args.users)]

    async def arrive(st: Student):
        await asyncio.sleep(rng.uniform(0, args.ramp))
        try:
            st.session = await Session.open(url, "/", query=f"class={code}", timeout=args.timeout)
            st.upstream = st.session.page_headers.get("x-upstream", "")
            st.errors += st.session.first_run.errors
        except Exception as err:  # noqa: BLE001
            st.errors.append(f"open: {type(err).__name__}: {err}"[:200])

    await asyncio.gather(*(arrive(st) for st in students))
    stop = asyncio.Event()
    lags: list[float] = []
    lag_task = asyncio.create_task(watch_lag(lags, stop))
    followers = [
        asyncio.create_task(
            follow(st, stop, args.timeout, random.Random(args.seed * 1000 + st.number), (0.1, 0.4 * args.answer_window))
        )
        for st in students
        if st.session
    ]
    await asyncio.sleep(1.0)  # every page ticking
    # What following costs while nothing happens: the pages' polls alone.
    idle_ticks0, idle_cpu0, idle_wall0 = sum(len(st.ticks) for st in students), cpu_seconds(pids), time.perf_counter()
    idle_runs0 = sum(st.runs for st in students)
    await asyncio.sleep(args.idle)
    idle_wall = time.perf_counter() - idle_wall0
    idle = dict(
        ticks=(sum(len(st.ticks) for st in students) - idle_ticks0) / idle_wall,
        cpu=(cpu_seconds(pids) - idle_cpu0) / idle_wall,
        runs=sum(st.runs for st in students) - idle_runs0,
        following=sum(1 for st in students if st.session),
    )
    runs0 = sum(st.runs for st in students)
    clicks: dict[str, float] = {}  # moment → when the instructor's click was sent
    reveals: dict[str, float] = {}  # question key → when the revealing click was sent
    asks: dict[str, float] = {}  # question key → when Ask the class was clicked
    asked, errors = 0, []
    cpu0, rcpu0, client0, wall0 = (
        cpu_seconds(pids),
        cpu_seconds([redis_pid] if redis_pid else []),
        time.process_time(),
        time.perf_counter(),
    )
    for n in range(args.steps):
        wait = args.step_every
        try:
            ask = teacher.widgets("class_ask")
            if ask and asked < args.questions:
                qkey = f"class_answer_{code}_{asked + 1}"  # questions are numbered 1, 2, … as they are opened
                asks[qkey] = time.perf_counter()
                run = await teacher.click("class_ask", args.timeout)
                errors += run.errors
                asked += 1
                await asyncio.sleep(args.answer_window)
                reveals[qkey] = time.perf_counter()
                wait = max(0.0, args.step_every - args.answer_window)
            sent = time.perf_counter()
            run = await teacher.click("btn_step", args.timeout)
            errors += run.errors
            m = moment_of(teacher)
            if m is None:
                errors.append("the instructor's page has no progress line")
            else:
                clicks[m] = sent
        except Exception as err:  # noqa: BLE001
            errors.append(f"instructor: {type(err).__name__}: {err}"[:200])
        if n < args.steps - 1:
            await asyncio.sleep(wait)
    await asyncio.sleep(args.settle)  # the last step reaches everybody
    runs = sum(st.runs for st in students) - runs0
    wall = time.perf_counter() - wall0
    cpu = (cpu_seconds(pids) - cpu0) / wall
    rcpu = (cpu_seconds([redis_pid]) - rcpu0) / wall if redis_pid else None
    client = (time.process_time() - client0) / wall
    stop.set()
    for st, outcome in zip(students, await asyncio.gather(*followers, lag_task, return_exceptions=True), strict=False):
        if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
            st.errors.append(f"following stopped: {type(outcome).__name__}: {outcome}"[:200])
    counted = counted_answers(code, key, args.redis_url)
    await asyncio.gather(
        teacher.close(), *(st.session.close() for st in students if st.session), return_exceptions=True
    )
    return dict(
        students=students,
        clicks=clicks,
        reveals=reveals,
        asks=asks,
        counted=counted,
        errors=errors,
        wall=wall,
        cpu=cpu,
        rcpu=rcpu,
        client=client,
        lags=lags,
        asked=asked,
        idle=idle,
        runs=runs,
    )


def counted_answers(code: str, key: str, redis_url: str | None) -> dict[str, int] | None:
    """Question key → answers counted in the class's results, read from the store (Redis), or None."""
    if not redis_url:
        return None
    from backprop import classroom

    store = classroom.open_store(redis_url)
    return {f"class_answer_{code}_{r.id}": r.answered for r in store.results(code, key)}


def report(args, label: str, r: dict) -> int:
    students: list[Student] = r["students"]
    errors = Counter(r["errors"] + [e for s in students for e in s.errors])
    follow = []
    for m, sent in r["clicks"].items():
        for s in students:
            if s.session is None:
                continue
            if m in s.seen:
                follow.append(s.seen[m] - sent)
            elif not any(m2 in s.seen and s.seen[m2] >= sent for m2 in r["clicks"] if r["clicks"][m2] > sent):
                errors[f"a student never drew {m}"] += 1
    print(
        f"Class: 1 instructor + {args.users} students ({label}), a Step every {args.step_every:g} s, "
        f"{args.steps} steps, {r['asked']} question(s){' (--quick: not a measurement)' if args.quick else ''}"
    )
    header = f"{'':<28}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    ticks = [t for s in students for t in s.ticks]
    poll_name = "poll (feed: one held request)" if args.feed else "poll (fragment tick)"
    shown = [s.shown[k] - at for k, at in r["asks"].items() for s in students if s.session and k in s.shown]
    for k in r["asks"]:
        errors.update(
            {f"question {k.rsplit('_', 1)[-1]} never shown": 1 for s in students if s.session and k not in s.shown}
        )
    rows = (("follow (click → redrawn)", follow), ("question (ask → shown)", shown), (poll_name, ticks))
    for name, values in rows:
        if values:
            ms = [v * 1e3 for v in values]
            print(f"{name:<28}{len(ms):>7}{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}{max(ms):>9.0f}")
        else:
            print(f"{name:<28}{0:>7}   none")
    following = max(1, sum(1 for s in students if s.session))
    moves = max(1, len(r["clicks"]) + r["asked"])
    print(
        f"polls per second: {len(ticks) / r['wall']:.0f}; script runs for following: {r['runs']} "
        f"({r['runs'] / following / moves:.2f} per student per instructor move)"
    )
    idle = r["idle"]
    print(
        f"following alone ({args.idle:g} s, nobody clicks): {idle['ticks']:.0f} polls/s, {idle['runs']} script runs, "
        f"{idle['cpu']:.0%} of one core: {60 * idle['cpu'] / max(1, idle['following']):.3f} CPU s per student-minute"
    )
    print(
        f"over the lesson: {60 * r['cpu'] / following:.3f} CPU s per student-minute "
        f"(following, {r['asked']} question(s) answered, {len(r['clicks'])} steps)"
    )
    submitted = Counter(k for s in students for k, t in s.answers.items() if t < r["reveals"].get(k, float("inf")))
    late = Counter(k for s in students for k, t in s.answers.items() if t >= r["reveals"].get(k, float("inf")))
    counted = r["counted"]
    for k in sorted(set(submitted) | set(counted or {})):
        c = None if counted is None else counted.get(k, 0)
        print(
            f"answers to question {k.rsplit('_', 1)[-1]}: submitted {submitted[k]}, counted "
            f"{'(not read: in-process store)' if c is None else c}"
            + (f", {late[k]} sent around the reveal" if late[k] else "")
        )
        if c is not None and not submitted[k] <= c <= submitted[k] + late[k]:
            errors[f"question {k}: submitted {submitted[k]} (+{late[k]} late), counted {c}"] += 1
    print(
        f"server CPU: {r['cpu']:.0%} of one core (all Streamlit processes)"
        + (f"; redis-server {r['rcpu']:.0%}" if r["rcpu"] is not None else "")
        + f"; client {r['client']:.0%}"
    )
    lag_ms = [v * 1e3 for v in r["lags"]] or [0.0]
    print(f"client event-loop lag p50 {percentile(lag_ms, 50):.1f} ms, p95 {percentile(lag_ms, 95):.1f} ms")
    ups = Counter(s.upstream for s in students if s.upstream)
    if ups:
        print("students per upstream: " + ", ".join(f"{u}: {n}" for u, n in sorted(ups.items())))
    n_err = sum(errors.values())
    print(f"errors: {n_err}")
    for e, n in errors.most_common(25):
        print(f"  {n} × {e}", file=sys.stderr)
    return 1 if n_err else 0


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help=f"students, 1..{MAX_USERS} (default 300)")
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="Streamlit processes behind nginx, sharing a local redis-server (0: one process, "
        "the in-process store, no nginx)",
    )
    parser.add_argument("--steps", type=int, default=None, help=f"instructor's Step clicks, ≤ {MAX_STEPS} (default 20)")
    parser.add_argument("--step-every", type=float, default=None, help="seconds between Steps (default 5)")
    parser.add_argument("--questions", type=int, default=None, help="questions asked (default 5)")
    parser.add_argument(
        "--answer-window", type=float, default=None, help="seconds from a question to its reveal (default 3)"
    )
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which students arrive (default 30)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the last Step (default 3)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of polling alone, measured before the steps")
    parser.add_argument(
        "--no-feed",
        dest="feed",
        action="store_false",
        help="serve app.py (streamlit run): students follow by a fragment polled on the server, not the feed",
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="6 students, 4 steps 1.5 s apart, 1 question")
    args = parser.parse_args(argv)
    quick = dict(users=6, steps=4, step_every=2.0, questions=1, answer_window=1.5, ramp=1.0)
    full = dict(users=300, steps=20, step_every=5.0, questions=5, answer_window=3.0, ramp=30.0)
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not 1 <= args.users <= MAX_USERS or not 1 <= args.steps <= MAX_STEPS:
        parser.error(f"--users must be 1..{MAX_USERS}, --steps 1..{MAX_STEPS}")
    if not 0 <= args.replicas <= 4 or not 0.5 <= args.step_every <= 60 or not 0 < args.answer_window < args.step_every:
        parser.error("--replicas 0..4, --step-every 0.5..60, --answer-window below --step-every")
    if args.ramp + args.steps * args.step_every > MAX_SECONDS:
        parser.error(f"the run must fit in {MAX_SECONDS} s")
    return args


def main(argv=None) -> int:
    args = parse(argv)

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    options = {"runner.postScriptGC": "false"}
    app = "deploy/asgi.py" if args.feed else "app.py"
    following = "the class feed" if args.feed else "a fragment polled on the server (no feed)"
    if args.replicas:
        front = Replicas(args.replicas, app=app, redis=True, options=options)
        label = f"{args.replicas} processes behind nginx, Redis; following by {following}"
        args.redis_url, redis_pid = front.redis.url, front.redis.process.pid
    else:
        front = Replicas(1, app=app, proxy=False, options=options)
        label = f"one process, in-process store; following by {following}"
        args.redis_url, redis_pid = None, None
    try:
        limit = 600 + args.ramp + args.steps * args.step_every + args.settle + 2 * args.timeout
        result = asyncio.run(asyncio.wait_for(lesson(args, front.url, front.pids, redis_pid), timeout=limit))
    except (KeyboardInterrupt, TimeoutError) as err:
        print(f"stopped: {type(err).__name__}", file=sys.stderr)
        return 1
    finally:
        front.stop()
    return report(args, label, result)


if __name__ == "__main__":
    sys.exit(main())
