"""The class feed: a following student's browser waits on a small HTTP endpoint for the class to move, and
the Streamlit script runs only when it did.

Why: a `st.fragment(run_every=…)` poll is a script run on the server for every tick of every student, even
when nothing moved: 3-8 ms of server CPU each, of which the fragment's body (one version read) is a small
part. 300 students polling twice a second need more than the two cores of the whole machine. A plain HTTP
endpoint polled as often is cheaper but not cheap: behind Streamlit's own routes and middleware even
`/_stcore/health` cost 1.7 ms of CPU per request (measured, benchmarks/bench_class.py era 2026-11-30).

So the feed is a long poll, answered before Streamlit's stack (an ASGI middleware, the outermost):

    GET <app>/api/class/version?c=CODE&me=STUDENT&v=SEEN
        → 200 {"v": 12}         at once if the class's version is not SEEN, else as soon as it changes, else
                                 after WAIT seconds with the same version (the browser asks again)
        → 200 {"v": null}       no such class, or STUDENT is not a student of it
        → 503 {"offline": true} the store cannot be reached

A student costs one request per instructor move (and one per WAIT seconds), whatever the poll rate would
have been. One task per process reads the versions of the classes somebody waits on every CHECK seconds
(one store read per class, not per student: Redis's HGET) and wakes their waiters.

With the instructor's moment rendered (the view the instructor's session published with it,
`ClassStore.view`), the browser draws the moment itself and no script runs at all:

    GET <app>/api/class/version?c=CODE&me=STUDENT&v=SEEN&view=1
        → 200 {"v": 12, "view": {…}}  the view published at version 12, inlined as the instructor's session
                                       wrote it (a JSON object)
        → 200 {"v": 12, "view": null}  12 has no view of its own (a question opened or revealed without one,
                                       a moment published without one or with one over VIEW_MAX, the
                                       class ended): run the page
        → 200 {"v": 12}                12 is SEEN: held until WAIT and nothing moved (the browser has drawn it)
        → {"v": null}, 503 …           as above
The "v" of an answer with a view is the version the view was published at: when the instructor moved again
between this process's version read and its view read, that is the newer one.

Every held request of a class is woken at once on a move (120-300 per process), so the answer's bytes are
built once per (class, version) in this process: one store read of the view, the view's text put between
two constant pieces (never parsed or encoded again), and, for a body over GZIP_MIN bytes, gzip compressed
once (level 6: a 185 kB view of a 16-32-32-10 network is 55 kB in 7 ms; the 2-2-2 example's 14 kB, 2.7 kB);
each waiter gets the same bytes, gzip when its Accept-Encoding allows it. Only the latest version's body of a
class is kept, and only while somebody asks about the class. benchmarks/bench_class_feed.py measures it.

It answers only for a student id that joined the class (`ClassStore.watch`): with a code alone it says
nothing, so it is no faster way to guess join codes than the rate-limited join form.

A following page that draws the moves also draws the class's question (the instructor's view holds it) and
sends its student's answer here, again without a script run:

    POST <app>/api/class/answer?c=CODE&me=STUDENT&q=QID&a=ANSWER
        → 200 {"ok": true, "a": "negative"}   counted (replacing the student's earlier answer to QID)
        → 200 {"ok": false, "why": "closed"}  QID is not the open question any more: revealed, replaced, or the
                                               class ended
        → 400 {"ok": false, "why": "…"}       not a student of the class, or not an answer to QID (a sign
                                               word; a cell "k,j" of the question's layer, from 0)
        → 503 {"offline": true}               the store cannot be reached
The store counts one answer per student and question, and refuses answers after the reveal, as it does for a
page's own answer widget.

Streamlit's server takes extra middleware only when the app is served as an `st.App` (deploy/asgi.py, with
`streamlit run deploy/asgi.py` or `uvicorn deploy.asgi:app`). `middleware()` marks the feed as served in
this process; where it is not (`streamlit run app.py`), a following page falls back to the fragment poll.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from backprop.classroom import StoreUnavailable
from backprop.lesson import quiz

PATH = "/api/class/version"  # under the app's base path, if it has one
ANSWER_PATH = "/api/class/answer"
WAIT = 25.0  # seconds a request is held while the class does not move (under proxies' 60 s read timeouts)
CHECK = 0.2  # seconds between this process's reads of the watched classes' versions
MEMBERS_MAX = 100_000  # (class, student) pairs known to have joined, kept before the set starts afresh
GZIP_MIN = 1024  # bytes: a smaller body is sent as it is (it fits one packet; gzip would save little)
GZIP_LEVEL = 6  # zlib's default: within 10 % of level 9's size on figure JSON, compressed once per version
_served = False


def served() -> bool:
    """Whether this process serves the feed (the app runs as deploy/asgi.py's st.App)."""
    return _served


def _store() -> Any:
    from backprop.ui import class_view  # the store the sessions of this process use

    return class_view.store()


@dataclass(frozen=True, slots=True)
class Body:
    """The answer with a view for every waiter of one class at one version: built once, sent as is."""

    v: int  # the version it answers (the view's own when it has one)
    raw: bytes  # {"v": …, "view": …}
    gzip: bytes | None  # `raw` gzip-compressed, for a body of at least GZIP_MIN bytes


def view_body(v: int, got: tuple[int, str] | None) -> Body:
    """The answer for version `v` from the store's view `got` (its version, its text): the view if it was
    published at `v` or later, else null. The text is the instructor's builder's JSON object, inlined as is."""
    if got is not None and got[0] >= v:
        v, text = got
        raw = b'{"v": %d, "view": ' % v + text.encode() + b"}"
    else:
        raw = b'{"v": %d, "view": null}' % v
    return Body(v, raw, gzip.compress(raw, GZIP_LEVEL, mtime=0) if len(raw) >= GZIP_MIN else None)


class Feed:
    """The versions of the classes this process's held requests wait on, and their waiters."""

    def __init__(self, store: Callable[[], Any] = _store):
        self.store = store
        self.versions: dict[str, int | None] = {}
        self.read_at: dict[str, float] = {}  # class → when its version was last read (loop time)
        self.asked: dict[str, float] = {}  # class → when a request for it last came
        self.offline = False
        self.waiting: dict[str, int] = {}  # class → requests held for it
        self.moved: dict[str, asyncio.Event] = {}  # class → set (and replaced) when its version changes
        self.members: set[tuple[str, str]] = set()
        self.task: asyncio.Task | None = None
        # class → (the version first asked for, the task building its Body): the latest only, shared by all
        # the requests for that version (or an older one), so one store read and one compression per version
        self.bodies: dict[str, tuple[int, asyncio.Task[Body]]] = {}

    async def answer(self, code: str, student: str, seen: int | None) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for a student who has drawn version `seen` of class `code`."""
        loop = asyncio.get_running_loop()
        if (code, student) not in self.members:
            try:
                v = await asyncio.to_thread(self.store().watch, code, student)
            except StoreUnavailable:
                return 503, {"offline": True}
            if v is None:
                return 200, {"v": None}
            if len(self.members) >= MEMBERS_MAX:
                self.members.clear()
            self.members.add((code, student))
            self.versions[code], self.read_at[code] = v, loop.time()
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._watch())
        if loop.time() - self.read_at.get(code, -1e9) > 3 * CHECK:  # not watched lately: read it now
            try:
                self.versions[code] = await asyncio.to_thread(self.store().version, code)
                self.read_at[code] = loop.time()
            except StoreUnavailable:
                return 503, {"offline": True}
        self.asked[code] = loop.time()
        if self.offline:
            return 503, {"offline": True}
        if self.versions.get(code) == seen:
            self.waiting[code] = self.waiting.get(code, 0) + 1
            try:
                moved = self.moved.setdefault(code, asyncio.Event())
                await asyncio.wait_for(moved.wait(), WAIT)
            except TimeoutError:
                pass
            finally:
                self.waiting[code] -= 1
        if self.offline:
            return 503, {"offline": True}
        return 200, {"v": self.versions.get(code)}

    async def view(self, code: str, v: int) -> Body:
        """The answer with a view for version `v` of class `code` (or a newer one): read and built once per
        version in this process, however many requests ask. StoreUnavailable if the store cannot be read."""
        entry = self.bodies.get(code)
        if entry is None or not self._answers(entry, v):
            built = asyncio.get_running_loop().create_task(asyncio.to_thread(self._build, code, v))
            entry = self.bodies[code] = (v, built)
            built.add_done_callback(functools.partial(self._built, code, entry))
        body = await asyncio.shield(entry[1])  # one request going away does not stop the others' body
        if body.v > (self.versions.get(code) or 0):  # the instructor moved again meanwhile: that is the news
            self.versions[code] = body.v
            self.moved.pop(code, asyncio.Event()).set()
        return body

    @staticmethod
    def _answers(entry: tuple[int, asyncio.Task[Body]], v: int) -> bool:
        asked, built = entry
        if asked >= v:
            return True
        return built.done() and not built.cancelled() and built.exception() is None and built.result().v >= v

    def _built(self, code: str, entry: tuple[int, asyncio.Task[Body]], _: asyncio.Task[Body]) -> None:
        """A body that could not be built is forgotten (the next request tries again); its error is taken
        here, so that a build nobody waits for any more leaves no "exception never retrieved" behind."""
        failed = entry[1].cancelled() or entry[1].exception() is not None
        if failed and self.bodies.get(code) is entry:
            del self.bodies[code]

    def _build(self, code: str, v: int) -> Body:
        return view_body(v, self.store().view(code))

    async def _watch(self) -> None:
        """Every CHECK seconds: the versions of the classes somebody asked about lately; wake the waiters of
        those that changed (all of them when the store stops or starts answering)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECK)
            codes = [c for c, at in self.asked.items() if loop.time() - at < 2 * WAIT or self.waiting.get(c)]
            for c in [c for c in self.bodies if c not in codes]:  # nobody asked about it lately
                del self.bodies[c]
            if not codes:
                continue
            try:
                now = await asyncio.to_thread(self._versions, codes)
                offline = False
            except StoreUnavailable:
                now, offline = {}, True
            flipped = offline != self.offline
            self.offline = offline
            for c in now:
                self.read_at[c] = loop.time()
            for c in codes:
                if c in now and now[c] != self.versions.get(c):
                    self.versions[c] = now[c]
                elif not flipped:
                    continue
                self.moved.pop(c, asyncio.Event()).set()

    def _versions(self, codes: list[str]) -> dict[str, int | None]:
        store = self.store()
        return {c: store.version(c) for c in codes}


def valid_answer(question: dict[str, str], text: str) -> bool:
    """Whether `text` answers `question` as its page's widget would send it: a sign word, or a cell "k,j"
    (from 0) of the question's shape ("n_k,n_j", which the instructor's page stores with the question)."""
    if question.get("kind") == quiz.SIGN:
        return text in quiz.SIGNS
    k, _, j = text.partition(",")
    rows, _, cols = question.get("shape", "").partition(",")
    if not (k.isdigit() and j.isdigit() and rows.isdigit() and cols.isdigit()) or len(text) > 12:
        return False
    return int(k) < int(rows) and int(j) < int(cols)


def take_answer(store: Any, code: str, student: str, qid: str, text: str) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for a student's answer sent by their browser (the store's calls block: a thread's)."""
    try:
        if store.member(code, student) is None:
            return 400, {"ok": False, "why": "not a student of this class"}
        state = store.state(code)
        q = None if state is None or state.ended else state.question
        if q is None or q.get("id") != qid or q.get("revealed") != "0":
            return 200, {"ok": False, "why": "closed"}
        if not valid_answer(q, text):
            return 400, {"ok": False, "why": "not an answer to this question"}
        if not store.answer(code, qid, student, text):  # revealed (or replaced) since the state was read
            return 200, {"ok": False, "why": "closed"}
    except StoreUnavailable:
        return 503, {"offline": True}
    return 200, {"ok": True, "a": text}


class FeedMiddleware:
    """ASGI middleware: GETs of PATH are the feed's; everything else goes on to Streamlit."""

    def __init__(self, app: Any, feed: Feed | None = None):
        self.app = app
        self.feed = feed or Feed()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith(ANSWER_PATH):
            await self._answer(scope, send)
            return
        if scope["type"] != "http" or not scope["path"].endswith(PATH):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        code = query.get("c", [""])[0][:16]
        student = query.get("me", [""])[0][:64]
        seen_text = query.get("v", [""])[0]
        seen = int(seen_text) if seen_text.isdigit() and len(seen_text) < 12 else None
        with_view = query.get("view", [""])[0] == "1"
        status: int
        body: dict[str, Any]
        if scope["method"] != "GET":
            status, body = 405, {"error": "GET only"}
        elif not code or not student:
            status, body = 200, {"v": None}
        else:
            status, body = await self.feed.answer(code, student, seen)
        data = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
        if with_view and status == 200 and body.get("v") is not None and body["v"] != seen:
            try:
                built = await self.feed.view(code, body["v"])
            except StoreUnavailable:
                data = json.dumps({"offline": True}).encode()
                status = 503
            else:
                data = built.raw
                headers.append((b"vary", b"accept-encoding"))
                if built.gzip is not None and accepts_gzip(scope):
                    data = built.gzip
                    headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    async def _answer(self, scope: dict[str, Any], send: Any) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
        code, student, qid, text = (query.get(k, [""])[0][:64] for k in ("c", "me", "q", "a"))
        status: int
        body: dict[str, Any]
        if scope["method"] != "POST":
            status, body = 405, {"ok": False, "why": "POST only"}
        elif not (code and student and qid and text):
            status, body = 400, {"ok": False, "why": "c, me, q and a are needed"}
        else:
            status, body = await asyncio.to_thread(take_answer, self.feed.store(), code, student, qid, text)
        await _send_json(send, status, body)


async def _send_json(send: Any, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(data)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def accepts_gzip(scope: dict[str, Any]) -> bool:
    """Whether the request's Accept-Encoding allows gzip: named (or `*`) with a q-value above 0."""
    q: dict[str, float] = {}
    for name, value in scope.get("headers", ()):
        if name.lower() == b"accept-encoding":
            for item in value.decode("latin-1").lower().split(","):
                coding, *params = (part.strip() for part in item.split(";"))
                weight = next((p[2:] for p in params if p.startswith("q=")), "1")
                try:
                    q[coding] = float(weight)
                except ValueError:
                    q[coding] = 0.0
    return q.get("gzip", q.get("x-gzip", q.get("*", 0.0))) > 0


def middleware() -> list[Any]:
    """The feed, for `st.App(middleware=…)`; from then on this process serves it."""
    from starlette.middleware import Middleware

    global _served
    _served = True
    return [Middleware(FeedMiddleware)]
