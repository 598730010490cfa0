"""The class feed's long poll (backprop/ui/class_feed.py) against the in-process store: who gets an answer,
when a request is answered at once, held until the class moves, or held until WAIT; the store unreachable;
the ASGI middleware's answer and its pass-through. Counts and values only, no timings asserted (the bounds
below only stop a broken feed from hanging the test)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from backprop import classroom
from backprop.classroom import StoreUnavailable
from backprop.ui import class_feed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from st_client import run_in_thread  # noqa: E402

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
