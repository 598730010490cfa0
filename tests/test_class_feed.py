"""The class feed's long poll (backprop/ui/class_feed.py) against the in-process store: who gets an answer,
when a request is answered at once, held until the class moves, or held until WAIT; the store unreachable;
the ASGI middleware's answer and its pass-through. Then the instructor's rendered moment (view=1) against both
back ends, the real redis-server included: which view goes with which version, one store read and one body per
version for many waiters, gzip. Counts, values and bytes only, no timings asserted (the bounds below only stop a
broken feed from hanging the test)."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from backprop import classroom
from backprop.classroom import StoreUnavailable
from backprop.ui import class_feed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from browser_helpers import in_ci  # noqa: E402
from run_replicas import redis_binary  # noqa: E402
from st_client import run_in_thread  # noqa: E402
from test_classroom import redis_server  # noqa: E402, F401  (the fixture: a real redis-server on loopback)

MOMENT = {"preset": "worked_2_2_2", "step": "0"}
BOUND = 10.0  # seconds: far beyond CHECK; only there to fail instead of hanging


@pytest.fixture
def store():
    return classroom.MemoryStore()


def run(coroutine):
    """In a thread of its own: in a full test run, sync Playwright keeps an event loop in this one."""
    return run_in_thread(asyncio.wait_for(coroutine, BOUND * 3))


def test_only_a_joined_student_gets_the_version(store):
    code, _ = store.create(MOMENT)
    store.join(code, "student-1")
    feed = class_feed.Feed(lambda: store)
    v = store.version(code)

    async def go():
        return (
            await feed.answer(code, "student-1", None),
            await feed.answer(code, "stranger", None),
            await feed.answer("ZZZZZZ", "student-1", None),
        )

    assert run(go()) == ((200, {"v": v}), (200, {"v": None}), (200, {"v": None}))


def test_a_request_is_held_until_the_class_moves(store):
    code, key = store.create(MOMENT)
    store.join(code, "s1")
    feed = class_feed.Feed(lambda: store)
    v = store.version(code)

    async def go():
        held = asyncio.create_task(feed.answer(code, "s1", v))
        await asyncio.sleep(3 * class_feed.CHECK)
        assert not held.done(), "nothing moved: the request is held"
        store.publish(code, key, {**MOMENT, "step": "1"})
        return await asyncio.wait_for(held, BOUND)

    assert run(go()) == (200, {"v": v + 1})


def test_a_held_request_ends_after_wait_with_the_same_version(store, monkeypatch):
    monkeypatch.setattr(class_feed, "WAIT", 0.5)
    code, _ = store.create(MOMENT)
    store.join(code, "s1")
    feed = class_feed.Feed(lambda: store)
    v = store.version(code)
    assert run(feed.answer(code, "s1", v)) == (200, {"v": v})


def test_the_store_unreachable_is_a_503(store):
    code, _ = store.create(MOMENT)
    store.join(code, "s1")

    class Down:
        def watch(self, *a):
            raise StoreUnavailable("down")

        version = watch

    feed = class_feed.Feed(lambda: Down())
    assert run(feed.answer(code, "s1", None)) == (503, {"offline": True})


def _get(app, query: str, path: str = class_feed.PATH):
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode()}
    run(app(scope, receive, send))
    return sent


def test_the_middleware_answers_its_path_and_passes_everything_else_on(store):
    code, _ = store.create(MOMENT)
    store.join(code, "s1")
    inner = []

    async def streamlit(scope, receive, send):
        inner.append(scope["path"])

    app = class_feed.FeedMiddleware(streamlit, class_feed.Feed(lambda: store))
    v = store.version(code)
    start, body = _get(app, f"c={code}&me=s1&v={v - 1}")
    assert start["status"] == 200 and json.loads(body["body"]) == {"v": v}
    assert (b"cache-control", b"no-store") in start["headers"]
    # under a base path too; a malformed seen version is "none seen": answered at once
    start, body = _get(app, f"c={code}&me=s1&v=x", path="/backprop" + class_feed.PATH)
    assert json.loads(body["body"]) == {"v": v}
    start, body = _get(app, "c=&me=")
    assert json.loads(body["body"]) == {"v": None}
    assert inner == []
    _get(app, "", path="/_stcore/health")
    assert inner == ["/_stcore/health"]


# --- the instructor's rendered moment (view=1): against both back ends, the real redis-server included -----


def a_view(step: int, cells: int = 3) -> str:
    """A view as the instructor's builder writes one: a JSON object (figure specs, a progress line, LaTeX)."""
    z = [[round((k * 7 + j * 3 + step) % 11 / 11 - 0.5, 6) for j in range(cells)] for k in range(cells)]
    return json.dumps({"progress": f"Step {step} of 14", "figures": [{"data": [{"type": "heatmap", "z": z}]}]})


class Counting:
    """The store underneath, its view reads counted (nothing else changed)."""

    def __init__(self, inner):
        self.inner, self.views = inner, []

    def view(self, code):
        self.views.append(code)  # list.append: atomic across the feed's worker threads
        return self.inner.view(code)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture(params=["memory", "redis"])
def both(request):
    """The class store of either back end: this process's memory, or a real redis-server (emptied)."""
    if request.param == "memory":
        return classroom.MemoryStore()
    server = request.getfixturevalue("redis_server")
    if not server.ping():
        server.start()
    store = classroom.open_store(server.url)
    store.r.flushdb()
    return store


async def _ask(app, query: str, accept: str | None = None):
    """One request to the middleware: (status, headers, body bytes)."""
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    headers = [] if accept is None else [(b"accept-encoding", accept.encode())]
    scope = {"type": "http", "method": "GET", "path": class_feed.PATH, "query_string": query.encode()}
    await app({**scope, "headers": headers}, receive, send)
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


def test_view_answers_carry_the_view_of_the_answered_version(both, monkeypatch):
    monkeypatch.setattr(class_feed, "WAIT", 0.5)
    code, key = both.create(MOMENT)
    both.join(code, "s1")
    store = Counting(both)
    app = class_feed.FeedMiddleware(lambda *a: None, class_feed.Feed(lambda: store))
    view3 = a_view(3)
    v = both.publish(code, key, {**MOMENT, "step": "3"}, view3)

    async def go():
        out = {"first": await _ask(app, f"c={code}&me=s1&view=1")}  # nothing seen yet: at once
        out["plain"] = await _ask(app, f"c={code}&me=s1&v={v - 1}")  # without view=1: today's answer
        out["held"] = await _ask(app, f"c={code}&me=s1&v={v}&view=1")  # nothing moved: held, then no view
        both.open_question(code, key, {"l": "2"})  # a new version without a view of its own
        out["question"] = await _ask(app, f"c={code}&me=s1&v={v}&view=1")
        both.publish(code, key, {**MOMENT, "step": "4"})  # a moment published without a view
        out["no view"] = await _ask(app, f"c={code}&me=s1&v={v + 1}&view=1")
        v4 = both.publish(code, key, {**MOMENT, "step": "4"}, a_view(4))
        out["again"] = await _ask(app, f"c={code}&me=s1&v={v + 2}&view=1")
        both.end(code, key)
        out["ended"] = await _ask(app, f"c={code}&me=s1&v={v4}&view=1")
        return out

    out = run(go())
    assert all(status == 200 for status, _, _ in out.values())
    assert out["first"][2] == b'{"v": %d, "view": %s}' % (v, view3.encode()), "the view's text inlined as it is"
    assert json.loads(out["first"][2]) == {"v": v, "view": json.loads(view3)}
    assert out["first"][1][b"content-type"] == b"application/json"
    assert out["plain"][2] == b'{"v": %d}' % v and b"vary" not in out["plain"][1]
    assert out["held"][2] == b'{"v": %d}' % v, "the browser has drawn v: no view sent again"
    assert json.loads(out["question"][2]) == {"v": v + 1, "view": None}, "the view's tag is older"
    assert json.loads(out["no view"][2]) == {"v": v + 2, "view": None}
    assert json.loads(out["again"][2]) == {"v": v + 3, "view": json.loads(a_view(4))}
    assert json.loads(out["ended"][2]) == {"v": v + 4, "view": None}
    assert store.views == [code] * 5, "one view read per version answered with one"


def test_many_waiters_on_one_version_cause_one_view_read_and_get_the_same_bytes(both):
    code, key = both.create(MOMENT)
    students = [f"s{i}" for i in range(60)]
    for s in students:
        both.join(code, s)
    store = Counting(both)
    feed = class_feed.Feed(lambda: store)
    app = class_feed.FeedMiddleware(lambda *a: None, feed)
    v = both.version(code)
    view = a_view(5, cells=40)  # about 30 kB: large enough to be compressed
    assert len(view) > class_feed.GZIP_MIN

    async def go():
        held = [
            asyncio.create_task(_ask(app, f"c={code}&me={s}&v={v}&view=1", "gzip, deflate, br" if i % 2 else None))
            for i, s in enumerate(students)
        ]
        await asyncio.sleep(3 * class_feed.CHECK)
        assert not any(t.done() for t in held), "nothing moved: every request is held"
        assert store.views == []
        both.publish(code, key, {**MOMENT, "step": "5"}, view)
        answers = await asyncio.wait_for(asyncio.gather(*held), BOUND)
        late = await _ask(app, f"c={code}&me=s0&v={v}&view=1")  # a waiter coming later, same version
        return answers, late

    answers, late = run(go())
    assert store.views == [code], "one store read of the view for all 60 waiters and the late one"
    raw = b'{"v": %d, "view": %s}' % (v + 1, view.encode())
    plain = [body for i, (_, h, body) in enumerate(answers) if i % 2 == 0]
    zipped = [body for i, (_, h, body) in enumerate(answers) if i % 2]
    assert all(b == raw for b in plain) and len({id(b) for b in plain}) == 1, "the same bytes object, built once"
    assert len({id(b) for b in zipped}) == 1 and gzip.decompress(zipped[0]) == raw
    assert len(zipped[0]) < len(raw) / 3, (len(zipped[0]), len(raw))
    for i, (status, headers, body) in enumerate(answers):
        assert status == 200 and headers[b"vary"] == b"accept-encoding"
        assert headers.get(b"content-encoding") == (b"gzip" if i % 2 else None)
        assert headers[b"content-length"] == str(len(body)).encode()
    assert late[2] is plain[0]


def test_a_view_is_only_for_a_student_of_the_class(both):
    code, key = both.create(MOMENT)
    both.join(code, "s1")
    both.publish(code, key, MOMENT, a_view(1))
    store = Counting(both)
    app = class_feed.FeedMiddleware(lambda *a: None, class_feed.Feed(lambda: store))

    async def go():
        return [
            await _ask(app, f"c={code}&me=stranger&view=1"),
            await _ask(app, "c=ZZZZZZ&me=s1&view=1"),
            await _ask(app, "c=&me=&view=1"),
        ]

    assert [(status, body) for status, _, body in run(go())] == [(200, b'{"v": null}')] * 3
    assert store.views == [], "nothing of the view is read for a non-member"


def test_a_view_newer_than_the_version_read_is_the_answer(store):
    """The instructor moved again between the feed's version read and its view read: the answer is the newer
    version with its view (never the older version with the newer view), and the feed learns that version."""
    code, key = store.create(MOMENT)
    store.join(code, "s1")
    feed = class_feed.Feed(lambda: store)
    v = store.version(code)

    async def go():
        await feed.answer(code, "s1", None)  # the feed knows v
        store.publish(code, key, MOMENT, a_view(1))
        v2 = store.publish(code, key, MOMENT, a_view(2))
        body = await feed.view(code, v + 1)  # asked for v + 1, whose view is already replaced
        return v2, body, feed.versions[code], await feed.answer(code, "s1", v2 - 1)

    v2, body, known, answer = run(go())
    assert json.loads(body.raw) == {"v": v2, "view": json.loads(a_view(2))} and known == v2
    assert answer == (200, {"v": v2})
    assert class_feed.view_body(7, (6, "{}")).raw == b'{"v": 7, "view": null}'
    assert class_feed.view_body(7, None).raw == b'{"v": 7, "view": null}'
    assert class_feed.view_body(7, (7, '{"a": 1}')).raw == b'{"v": 7, "view": {"a": 1}}'


def test_a_view_that_cannot_be_read_is_a_503_and_read_again_next_time(store):
    code, key = store.create(MOMENT)
    store.join(code, "s1")
    v = store.publish(code, key, MOMENT, a_view(1))
    calls = []

    class Flaky(Counting):
        def view(self, code):
            calls.append(code)
            if len(calls) == 1:
                raise StoreUnavailable("down")
            return self.inner.view(code)

    app = class_feed.FeedMiddleware(lambda *a: None, class_feed.Feed(lambda: Flaky(store)))

    async def go():
        return await _ask(app, f"c={code}&me=s1&view=1"), await _ask(app, f"c={code}&me=s1&view=1")

    (s1, _, b1), (s2, _, b2) = run(go())
    assert (s1, json.loads(b1)) == (503, {"offline": True})
    assert (s2, json.loads(b2)) == (200, {"v": v, "view": json.loads(a_view(1))}) and len(calls) == 2


def test_bodies_of_classes_nobody_asks_about_are_dropped(store, monkeypatch):
    monkeypatch.setattr(class_feed, "WAIT", 0.3)
    code, key = store.create(MOMENT)
    store.join(code, "s1")
    store.publish(code, key, MOMENT, a_view(1))
    feed = class_feed.Feed(lambda: store)
    app = class_feed.FeedMiddleware(lambda *a: None, feed)

    async def go():
        await _ask(app, f"c={code}&me=s1&view=1")
        kept = code in feed.bodies
        await asyncio.sleep(2 * class_feed.WAIT + 3 * class_feed.CHECK)
        return kept, code in feed.bodies

    assert run(go()) == (True, False)


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("gzip;q=nonsense", False),
        ("", False),
    ],
)
def test_gzip_is_sent_where_accept_encoding_allows_it(header, gzip_ok):
    assert class_feed.accepts_gzip({"headers": [(b"accept-encoding", header.encode())]}) is gzip_ok
    assert class_feed.accepts_gzip({"headers": []}) is False


def test_bench_class_feed_quick_runs_with_no_errors():
    """benchmarks/bench_class_feed.py --quick: its six rows (two views × plain, view, view+gzip), every answer
    the published version with its view (errors 0); the gzip answers smaller than the raw ones."""
    if redis_binary() is None:  # the benchmark starts its own redis-server
        if in_ci():
            pytest.fail("redis-server is missing under CI (.ci/run installs it)", pytrace=False)
        pytest.skip("redis-server not installed (Debian: apt-get install redis-server)")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_class_feed.py", "--quick"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    rows = [line.split() for line in result.stdout.splitlines() if line.split()[-1:] and "kB)" in line]
    assert len(rows) == 6 and all(r[-1] == "0" for r in rows), result.stdout
    answer_kb = {(r[0], r[3]): float(r[4]) for r in rows}  # (network, mode) → kB per answer
    for net in ("2-2-2", "16-32-32-10"):
        assert answer_kb[net, "plain"] < 0.1 < answer_kb[net, "view+gzip"] < answer_kb[net, "view"] / 3, result.stdout


# --- answers sent by a following page's stage (POST ANSWER_PATH): both back ends -------------------------------


async def _post(app, query: str, method: str = "POST"):
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": "/base" + class_feed.ANSWER_PATH, "query_string": query.encode()}
    await app(scope, receive, send)
    start, body = sent
    return start["status"], json.loads(body["body"])


def test_answers_sent_by_the_browser_are_checked_and_the_last_one_counted(both):
    code, key = both.create(MOMENT)
    for s in ("s1", "s2"):
        both.join(code, s)
    qid = both.open_question(code, key, {"l": "1", "kind": "sign", "shape": "2,2"})
    passed_on = []
    app = class_feed.FeedMiddleware(lambda *a: passed_on.append(a), class_feed.Feed(lambda: both))

    def post(query: str, method: str = "POST"):
        return run(_post(app, query, method))

    assert post(f"c={code}&me=s1&q={qid}&a=negative") == (200, {"ok": True, "a": "negative"})
    assert post(f"c={code}&me=s1&q={qid}&a=positive") == (200, {"ok": True, "a": "positive"}), "changed"
    assert post(f"c={code}&me=s1&q={qid}&a=positive", "GET")[0] == 405
    assert post(f"c={code}&me=s1&q={qid}")[0] == 400, "no answer"
    assert post(f"c={code}&me=stranger&q={qid}&a=zero") == (400, {"ok": False, "why": "not a student of this class"})
    for bad in ("maybe", "Positive", "0,1", "positive%00", "x" * 40):
        assert post(f"c={code}&me=s2&q={qid}&a={bad}")[0] == 400, bad
    assert post(f"c={code}&me=s2&q=999&a=zero") == (200, {"ok": False, "why": "closed"}), "not the open question"
    assert post(f"c=ZZZZZZ&me=s2&q={qid}&a=zero")[0] == 400
    assert both.count(code, qid) == 1 and both.distribution(code, key, qid) == {"positive": 1}
    both.reveal(code, key, qid, "positive")
    assert post(f"c={code}&me=s2&q={qid}&a=zero") == (200, {"ok": False, "why": "closed"}), "after the reveal"
    assert both.results(code, key)[0].counts == {"positive": 1}
    # a cell of ∂C/∂W¹ (2 × 3 here): "k,j" from 0, inside the question's shape
    q2 = both.open_question(code, key, {"l": "1", "kind": "largest", "shape": "2,3"})
    for bad in ("2,0", "0,3", "-1,0", "a,b", "1", "1,2,0", "positive", "01,2x"):
        assert post(f"c={code}&me=s2&q={q2}&a={bad}")[0] == 400, bad
    assert post(f"c={code}&me=s2&q={q2}&a=1,2") == (200, {"ok": True, "a": "1,2"})
    assert both.distribution(code, key, q2) == {"1,2": 1}
    assert passed_on == [], "answered by the feed, nothing passed on to Streamlit"


def test_concurrent_answers_through_the_feed_are_each_counted_once(both):
    code, key = both.create(MOMENT)
    students = [f"s{i}" for i in range(60)]
    for s in students:
        both.join(code, s)
    qid = both.open_question(code, key, {"l": "1", "kind": "sign", "shape": "1,1"})
    app = class_feed.FeedMiddleware(lambda *a: None, class_feed.Feed(lambda: both))

    async def go():
        # every student twice at once (a double click), the second answer differing for half of them
        sends = [_post(app, f"c={code}&me={s}&q={qid}&a=positive") for s in students]
        sends += [
            _post(app, f"c={code}&me={s}&q={qid}&a={'zero' if i % 2 else 'positive'}") for i, s in enumerate(students)
        ]
        return await asyncio.gather(*sends)

    out = run(go())
    assert all(status == 200 and body["ok"] for status, body in out)
    assert both.count(code, qid) == 60, "one answer per student"
    dist = both.distribution(code, key, qid)
    assert sum(dist.values()) == 60 and set(dist) <= {"positive", "zero"}


def test_an_answer_with_the_store_unreachable_is_a_503(store):
    code, _ = store.create(MOMENT)

    class Down:
        def member(self, *a):
            raise StoreUnavailable("down")

    app = class_feed.FeedMiddleware(lambda *a: None, class_feed.Feed(lambda: Down()))
    assert run(_post(app, f"c={code}&me=s1&q=1&a=zero")) == (503, {"offline": True})
