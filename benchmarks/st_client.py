"""A Streamlit client without a browser: one tab's worth of Streamlit's own websocket protocol.

    session = await Session.open("http://127.0.0.1:8501", "/")     # loads the page, runs the script once
    run = await session.click("btn_step")                          # a button press, as the browser sends it
    run.seconds, run.status, run.exceptions                        # click → script_finished, and what failed
    await session.close()

What it speaks (Streamlit 1.67, checked against the server in streamlit/web/server/starlette and the
frontend's App.tsx and WidgetStateManager.ts):

- the page: HTTP GETs of the page's URL and of `/_stcore/health` first, as a browser does before it opens
  the websocket (static files are left out: a browser has them cached after its first visit); cookies set
  there (a load balancer's routing cookie, Streamlit's `_streamlit_xsrf`, set with the health answer) are
  kept for the websocket and any reconnection, one jar per session;
- the stream: a websocket at `<base>/_stcore/stream` with subprotocols `streamlit`, the XSRF cookie's value
  (when there is one) and, on a reconnection, the session id, as the frontend sends them;
- a custom component (v2): its data (JSON) is kept; `trigger()` sends what its `setTriggerValue` does;
- BackMsg `rerun_script` (a ClientState): the first run names the page by `page_name` (the URL path, "" for
  the default page) with an empty `page_script_hash`; later runs name it by the hash the server reported in
  its `navigation` message, and carry the query string the server last set with `page_info_changed` (the
  browser's address bar);
- a button press: `widget_states` holding one WidgetState with the button's id and `trigger_value = true`,
  and the `fragment_id` of the Delta that drew the button when it sits inside an `st.fragment` (the
  frontend reruns only that fragment then). Other widgets are not resent: the server keeps their values
  from the previous run (SessionState falls back to its old state for an id missing from the message), so
  the script does the same work as for a browser, which resends every widget's value;
- a fragment's timer (`st.fragment(run_every=…)`): the server asks for it with `auto_rerun` (interval,
  fragment id) and ends it with `stop_auto_rerun` or a whole-page run; the frontend then sends a
  rerun_script with that `fragment_id` and `is_auto_rerun` every interval. `tick()` sends one such rerun;
  the caller paces them (`auto_reruns` holds what the server asked for);
- ForwardMsg: `delta` (elements, by `metadata.delta_path`; an `exception` element is recorded as an error),
  `navigation`, `page_info_changed`, `new_session` (the session id) and `script_finished`: a run is over at
  FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY or FINISHED_WITH_COMPILE_ERROR (an error);
  FINISHED_EARLY_FOR_RERUN means another run follows (st.rerun), and that one is awaited.

The websocket library is `websockets`, which Streamlit itself depends on, so the client needs nothing that
the app does not already install. No message cache: the client reports no cached message hashes, so the
server sends every message in full, as to a fresh tab.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

XSRF_COOKIE = "_streamlit_xsrf"
FINISHED = ForwardMsg.ScriptFinishedStatus
_DONE = {
    FINISHED.FINISHED_SUCCESSFULLY,
    FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    FINISHED.FINISHED_WITH_COMPILE_ERROR,
}
# Loopback only: never through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ProtocolError(RuntimeError):
    """The server did something a browser tab would not accept: closed the stream, sent a cached reference."""


@dataclass
class Run:
    """One script run as this client saw it."""

    seconds: float  # from sending the BackMsg to receiving script_finished
    status: str  # the ScriptFinishedStatus name
    exceptions: list[str]  # "Type: message" of each exception element the run drew
    bytes: int  # ForwardMsg bytes received during the run
    messages: int  # ForwardMsgs received during the run
    fragment: bool  # a fragment rerun, not the whole page
    cacheable: int = 0  # messages the server marked for the browser's cache (refs may follow)

    @property
    def errors(self) -> list[str]:
        """What went wrong: exception elements and a compile error."""
        bad = list(self.exceptions)
        if self.status == "FINISHED_WITH_COMPILE_ERROR":
            bad.append("script did not compile")
        return bad


@dataclass
class _Element:
    kind: str  # the Element oneof name: "button", "markdown", "exception", …
    widget_id: str  # the widget's id ("$$ID-<hash>-<key>"), "" for a non-widget
    fragment_id: str  # the fragment that drew it, "" outside fragments
    run_id: str  # the script run that last drew it
    text: str = ""  # a markdown body, an exception's "Type: message"
    disabled: bool = False
    options: tuple[str, ...] = ()  # a radio's or selectbox's options, as shown
    data: str = ""  # a custom component's (v2) data, as JSON
    name: str = ""  # a custom component's name


@dataclass
class _Pending:
    started: float
    future: asyncio.Future
    exceptions: list[str] = field(default_factory=list)
    bytes: int = 0
    messages: int = 0
    fragment: bool = False
    cacheable: int = 0


def run_in_thread(coroutine):
    """asyncio.run in a thread of its own, for callers that may already have an event loop running in theirs
    (in a full test run, the browser tests' sync Playwright keeps one in the main thread, where asyncio.run
    refuses to start another)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _decoded(data: str):
    """A component's data: JSON, holding a JSON string once more where the page passed a string."""
    value = json.loads(data or "null")
    return json.loads(value) if isinstance(value, str) else value


def page_name(path: str) -> str:
    """The page name the frontend sends on a first run: the URL path less slashes ("" for the default
    page), as extractPageNameFromPathName does for an app served at the root."""
    return path.split("?", 1)[0].strip("/")


def fetch_page(url: str, cookies: dict[str, str], timeout: float = 30.0) -> dict[str, str]:
    """GET `url` with `cookies`, as a browser loads the page; returns the response headers (lower-case
    names; Set-Cookie merged into `cookies`). Raises on a status other than 200."""
    request = urllib.request.Request(url, headers=_cookie_header(cookies))
    with _OPENER.open(request, timeout=timeout) as response:
        response.read()
        if response.status != 200:
            raise ProtocolError(f"GET {url}: HTTP {response.status}")
        _take_cookies(response.headers.get_all("Set-Cookie") or [], cookies)
        return {k.lower(): v for k, v in response.headers.items()}


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def _take_cookies(set_cookie_lines, cookies: dict[str, str]) -> None:
    for line in set_cookie_lines:
        jar = SimpleCookie()
        jar.load(line)
        cookies.update({name: morsel.value for name, morsel in jar.items()})


class Session:
    """One Streamlit session over one websocket: what a browser tab on `base_url + path` holds."""

    def __init__(self, base_url: str, path: str = "/", query: str = "", cookies: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.path = "/" + path.lstrip("/")
        self.query = query.lstrip("?")  # the address bar's query string; the server updates it
        self.cookies: dict[str, str] = dict(cookies or {})
        self.session_id = ""  # from new_session; sent back on a reconnection
        self.page_headers: dict[str, str] = {}  # of the page's GET
        self.stream_headers: dict[str, str] = {}  # of the websocket handshake's response
        self.first_run: Run | None = None
        self.page_hash = ""  # the page's script hash, from the navigation message
        self._elements: dict[tuple[int, ...], _Element] = {}
        self._run_id = ""
        self._run_fragments: set[str] = set()  # the fragments the current run reruns; empty: the whole page
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._pending: _Pending | None = None
        self._closed_because: str | None = None
        self.auto_reruns: dict[str, float] = {}  # fragment id → interval (s): the timers the page runs now

    # ------------------------------------------------------------------------------------------ lifecycle
    @classmethod
    async def open(
        cls,
        base_url: str,
        path: str = "/",
        query: str = "",
        cookies: dict[str, str] | None = None,
        timeout: float = 60.0,
        load_page: bool = True,
    ) -> Session:
        """Load the page, connect and run the script once (as a tab does on opening); `first_run` holds that
        run. Raises if any step fails or the run does not finish within `timeout` seconds."""
        session = cls(base_url, path, query, cookies)
        try:
            if load_page:
                url = session.base_url + session.path + (f"?{session.query}" if session.query else "")
                session.page_headers = await asyncio.to_thread(fetch_page, url, session.cookies, timeout)
                # The frontend checks health before it opens the stream; that answer sets the XSRF cookie.
                await asyncio.to_thread(fetch_page, session.base_url + "/_stcore/health", session.cookies, timeout)
            await session.connect(timeout)
            session.first_run = await session._run(BackMsg(), timeout, first=True)
        except BaseException:
            await session.close()
            raise
        return session

    async def connect(self, timeout: float = 60.0, resume: bool = False) -> None:
        """Open the websocket. With `resume`, ask for this client's existing server session (the frontend's
        reconnection: the session id as the third subprotocol)."""
        split = urlsplit(self.base_url)
        scheme = "wss" if split.scheme == "https" else "ws"
        url = f"{scheme}://{split.netloc}{split.path}/_stcore/stream"
        protocols = ["streamlit", self.cookies.get(XSRF_COOKIE, "")]
        if resume and self.session_id:
            protocols.append(self.session_id)
        while protocols and not protocols[-1]:
            protocols.pop()
        # An empty entry cannot be sent as a token: a placeholder keeps the session id third.
        protocols = [p or "none" for p in protocols]
        self._ws = await websockets.connect(
            url,
            subprotocols=protocols,
            origin=f"{split.scheme}://{split.netloc}",
            additional_headers=_cookie_header(self.cookies),
            open_timeout=timeout,
            max_size=None,
            ping_interval=None,
            proxy=None,
        )
        self.stream_headers = {k.lower(): v for k, v in self._ws.response.headers.raw_items()}
        _take_cookies(self._ws.response.headers.get_all("Set-Cookie"), self.cookies)
        self._closed_because = None
        self._reader = asyncio.create_task(self._read(), name=f"st-client-read {self.base_url}")

    async def reconnect(self, timeout: float = 60.0) -> Run:
        """Drop the websocket and connect again with the same cookies and session id, then rerun the page,
        as the browser does after a lost connection; the server resumes the session if it still has it."""
        await self._disconnect()
        await self.connect(timeout, resume=True)
        return await self.rerun(timeout)

    async def close(self) -> None:
        await self._disconnect()

    async def _disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # closing: its error is moot
                await self._reader
        self._ws = self._reader = None

    # -------------------------------------------------------------------------------------------- actions
    def widget(self, key: str) -> _Element:
        """The widget drawn with user key `key` in the current page (ids end in "-<key>")."""
        found = [e for e in self._elements.values() if e.widget_id.endswith("-" + key)]
        if not found:
            keys = sorted({e.widget_id.rsplit("-", 1)[-1] for e in self._elements.values() if e.widget_id} - {"None"})
            raise KeyError(f"no widget with key {key!r} on {self.path}; keys there: {', '.join(keys)}")
        return found[0]

    def widget_id(self, key: str) -> str:
        return self.widget(key).widget_id

    async def click(self, key: str, timeout: float = 60.0) -> Run:
        """Press the button with user key `key` and wait for the rerun it starts to finish."""
        button = self.widget(key)
        if button.kind != "button":
            raise ValueError(f"{key!r} is a {button.kind}, not a button")
        if button.disabled:
            raise ValueError(f"button {key!r} is disabled")
        msg = BackMsg()
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = button.widget_id
        state.trigger_value = True
        if button.fragment_id:
            msg.rerun_script.fragment_id = button.fragment_id
        return await self._run(msg, timeout)

    async def tick(self, fragment_id: str | None = None, timeout: float = 60.0) -> Run | None:
        """What the browser's timer for a `run_every` fragment sends: rerun that fragment (its id from an
        auto_rerun message, in `auto_reruns`; by default the first timer running), or None if none runs.
        Its Run's status says whether it asked for the whole page."""
        if fragment_id is None:
            if not self.auto_reruns:
                return None
            fragment_id = next(iter(self.auto_reruns))
        msg = BackMsg()
        msg.rerun_script.fragment_id = fragment_id
        msg.rerun_script.is_auto_rerun = True
        return await self._run(msg, timeout)

    async def choose(self, key: str, index: int, timeout: float = 60.0) -> Run:
        """Pick option `index` of the radio or selectbox with user key `key` (Streamlit 1.67 sends the
        option as shown, a string_value)."""
        widget = self.widget(key)
        if widget.kind not in ("radio", "selectbox"):
            raise ValueError(f"{key!r} is a {widget.kind}, not a radio or selectbox")
        msg = BackMsg()
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = widget.widget_id
        state.string_value = widget.options[index]
        if widget.fragment_id:
            msg.rerun_script.fragment_id = widget.fragment_id
        return await self._run(msg, timeout)

    async def trigger(self, key: str, event: str, value, timeout: float = 60.0) -> Run:
        """What a custom component (v2) with user key `key` sends for `setTriggerValue(event, value)`: its
        trigger widget (the component's id + "__events", internal) with a JSON list of {event, value}."""
        component = self.widget(key)
        if component.kind != "bidi_component":
            raise ValueError(f"{key!r} is a {component.kind}, not a custom component")
        msg = BackMsg()
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = f"$$STREAMLIT_INTERNAL_KEY_{component.widget_id}__events"
        state.json_trigger_value = json.dumps([{"event": event, "value": value}])
        if component.fragment_id:
            msg.rerun_script.fragment_id = component.fragment_id
        return await self._run(msg, timeout)

    def component_data(self, key: str):
        """The data the page last sent to the custom component with user key `key`, decoded from JSON."""
        return json.loads(self.widget(key).data or "null")

    def widgets(self, prefix: str) -> list[str]:
        """The user keys of the widgets on the page that start with `prefix`."""
        return sorted(
            {
                e.widget_id.split("-", 2)[-1]
                for e in self._elements.values()
                if e.widget_id and e.widget_id.split("-", 2)[-1].startswith(prefix)
            }
        )

    def code_blocks(self) -> list[str]:
        """The text of the page's st.code blocks, in the order of their places."""
        return [e.text for _, e in sorted(self._elements.items()) if e.kind == "code"]

    async def rerun(self, timeout: float = 60.0) -> Run:
        """Run the whole page again with no widget changed (the browser's Rerun)."""
        return await self._run(BackMsg(), timeout)

    def markdown(self) -> list[str]:
        """The markdown bodies on the page, in the order of their places. Where the browser draws the lesson from
        the views the page holds (backprop/ui/held_view.py), the progress line it shows is one of them, in the
        stage's place: the view of the step the step row's last run said (held_sync), as markdown."""
        elements = sorted(self._elements.items())
        sync = next((_decoded(e.data) for _, e in elements if e.name == "backprop.held_sync"), None)
        out = []
        for _, e in elements:
            if e.kind == "markdown":
                out.append(e.text)
            elif e.name == "backprop.held_stage":
                held = _decoded(e.data)
                view = held["views"][sync["index"] if sync else held["index"]] or {}
                out.append(html.unescape(re.sub(r"</?strong>", "**", view.get("progress", ""))))
        return out

    def exceptions(self) -> list[str]:
        """The exception elements on the page now."""
        return [e.text for e in self._elements.values() if e.kind == "exception"]

    async def _run(self, msg: BackMsg, timeout: float, first: bool = False) -> Run:
        if self._pending is not None:
            raise RuntimeError("a run is already under way in this session")
        if self._ws is None or self._closed_because:
            raise ProtocolError(f"not connected: {self._closed_because or 'closed'}")
        state = msg.rerun_script
        state.query_string = self.query
        if first:
            state.page_name = page_name(self.path)
        else:
            state.page_script_hash = self.page_hash
        pending = _Pending(
            time.perf_counter(), asyncio.get_running_loop().create_future(), fragment=bool(state.fragment_id)
        )
        self._pending = pending
        try:
            await self._ws.send(msg.SerializeToString())
            return await asyncio.wait_for(pending.future, timeout)
        finally:
            self._pending = None

    # ----------------------------------------------------------------------------------------- receiving
    async def _read(self) -> None:
        try:
            async for data in self._ws:
                self._receive(data)
            reason = "the server closed the stream"
        except websockets.ConnectionClosed as closed:
            reason = f"the stream closed ({closed})"
        except Exception as err:  # noqa: BLE001 — any failure here ends the session; say why to the waiter
            reason = f"reading the stream failed: {err!r}"
        self._closed_because = reason
        if self._pending is not None and not self._pending.future.done():
            self._pending.future.set_exception(ProtocolError(reason))

    def _receive(self, data: bytes) -> None:
        now = time.perf_counter()
        msg = ForwardMsg()
        msg.ParseFromString(data)
        pending = self._pending
        if pending is not None:
            pending.bytes += len(data)
            pending.messages += 1
            pending.cacheable += bool(msg.metadata.cacheable)
        kind = msg.WhichOneof("type")
        if kind is None and msg.ref_hash:
            raise ProtocolError("the server sent a cached-message reference, but this client caches nothing")
        if kind == "new_session":
            self._run_id = msg.metadata.run.script_run_id or self._run_id
            self._run_fragments = set(msg.metadata.run.fragment_ids)
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page_hash = self.page_hash or msg.new_session.page_script_hash
            if not self._run_fragments:
                self.auto_reruns.clear()  # a whole-page run sets its timers anew, as the frontend does
        elif kind == "auto_rerun":
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta":
            self._apply_delta(msg, pending)
        elif kind == "script_finished":
            status = msg.script_finished
            if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                return  # st.rerun(): the next run's finish ends the wait
            self._drop_stale()
            if pending is not None and not pending.future.done() and status in _DONE:
                pending.future.set_result(
                    Run(
                        now - pending.started,
                        FINISHED.Name(status),
                        pending.exceptions,
                        pending.bytes,
                        pending.messages,
                        pending.fragment,
                        pending.cacheable,
                    )
                )

    def _apply_delta(self, msg: ForwardMsg, pending: _Pending | None) -> None:
        delta = msg.delta
        path = tuple(msg.metadata.delta_path)
        if delta.WhichOneof("type") != "new_element":
            # A block (container, column, expander) takes the place; what was inside stays until stale.
            self._elements.pop(path, None)
            return
        element = delta.new_element
        kind = element.WhichOneof("type") or ""
        body = getattr(element, kind) if kind else None
        entry = _Element(
            kind,
            getattr(body, "id", "") if hasattr(body, "id") else "",
            delta.fragment_id,
            self._run_id,
            disabled=bool(getattr(body, "disabled", False)),
        )
        if kind == "markdown":
            entry.text = element.markdown.body
        elif kind == "code":
            entry.text = element.code.code_text
        elif kind in ("radio", "selectbox"):
            entry.options = tuple(body.options)
        elif kind == "bidi_component":
            entry.data = body.json
            entry.name = body.component_name
        elif kind == "exception":
            entry.text = f"{element.exception.type or 'exception'}: {element.exception.message}"
            if pending is not None and not element.exception.is_warning:
                pending.exceptions.append(entry.text)
        self._elements[path] = entry

    def _drop_stale(self) -> None:
        """Forget elements the run just finished did not draw, as the frontend clears stale nodes: after a
        whole-page run, everything older; after a fragment run, the older elements of those fragments."""
        for path, e in list(self._elements.items()):
            if e.run_id != self._run_id and (not self._run_fragments or e.fragment_id in self._run_fragments):
                del self._elements[path]
