"""The replicated set-up: two Streamlit processes behind nginx (deploy/run_replicas.py) serve the app, and
each browser's session stays on one process.

Needs nginx (Debian: apt-get install nginx): skipped without it, a failure under CI (CI=true), as the
browser tests treat Chromium. The clients are benchmarks/st_client.py sessions, each with its own cookie
jar like a browser; nginx names the process that answered in an X-Upstream header.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import in_ci

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run_replicas import Replicas, nginx_binary  # noqa: E402
from st_client import Session, fetch_page, run_in_thread  # noqa: E402

STEP = "**Step "


@pytest.fixture(scope="module")
def front():
    """Two replicas of app.py behind nginx on loopback, for this module's tests."""
    if nginx_binary() is None:
        if in_ci():
            pytest.fail("nginx is missing under CI (.ci/run installs it: apt-get install nginx)", pytrace=False)
        pytest.skip("nginx not installed (Debian: apt-get install nginx)")
    with Replicas(2) as replicas:
        yield replicas


def upstreams(front) -> set[str]:
    return {url.removeprefix("http://") for url in front.replica_urls}


def progress(session: Session) -> str:
    return next((m for m in session.markdown() if m.startswith(STEP)), "(no progress line)")


def test_the_page_is_served_through_nginx_by_one_of_the_replicas(front):
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(front.url + "/", timeout=30) as r:
        page = r.read().decode()
        headers = r.headers
    assert r.status == 200 and '<div id="root">' in page, page[:300]
    assert headers["X-Upstream"] in upstreams(front), headers["X-Upstream"]
    assert headers["Set-Cookie"].startswith("bplab_route="), headers["Set-Cookie"]


def test_a_websocket_session_through_nginx_runs_the_page_and_a_step(front):
    async def visit():
        session = await Session.open(front.url, "/")
        try:
            opened = (session.first_run, progress(session), session.stream_headers.get("x-upstream"))
            clicked = await session.click("btn_step")
            return opened, clicked, progress(session)
        finally:
            await session.close()

    (first, before, upstream), click, after = run_in_thread(visit())
    assert first.status == "FINISHED_SUCCESSFULLY" and first.errors == [], first
    assert upstream in upstreams(front), upstream
    assert before.startswith("**Step 0 of 6"), before
    assert click.errors == [] and click.status.startswith("FINISHED"), click
    assert after.startswith("**Step 1 of 6"), after


def test_one_browser_stays_on_one_replica_and_its_session_survives_reconnections(front):
    """Page loads and reconnections with the browser's cookie reach the process that holds its session: the
    server resumes it (the same session id, which only that process knows) every time. Against the other
    process, the same resume request gets a new session: the check can tell the difference."""

    async def visit():
        session = await Session.open(front.url, "/")
        try:
            first = (session.session_id, session.stream_headers["x-upstream"])
            for _ in range(3):
                await session.click("btn_step")
            seen = []
            for _ in range(5):
                run = await session.reconnect()
                page = await asyncio.to_thread(fetch_page, front.url + "/", dict(session.cookies))
                seen.append(
                    (
                        session.session_id,
                        session.stream_headers["x-upstream"],
                        page["x-upstream"],
                        run.errors,
                        progress(session),
                    )
                )
            home = first[1]
            other = next(u for u in front.replica_urls if not u.endswith(home))
            stranger = Session(other, "/", query=session.query, cookies=session.cookies)
            stranger.session_id = session.session_id
            await stranger.connect(resume=True)
            try:
                await stranger.rerun()
                elsewhere = stranger.session_id
            finally:
                await stranger.close()
            return first, seen, elsewhere
        finally:
            await session.close()

    (session_id, home), seen, elsewhere = run_in_thread(visit())
    assert home in upstreams(front)
    for resumed_id, stream_upstream, page_upstream, errors, line in seen:
        assert (resumed_id, stream_upstream, page_upstream) == (session_id, home, home), seen
        assert errors == [] and line.startswith("**Step 3 of 6"), seen
    assert elsewhere != session_id, "the other process resumed a session it never had: the check proves nothing"


def test_different_browsers_are_spread_over_both_replicas(front):
    """New visitors get their own routing cookie, so a class on one address (here: loopback) is spread
    rather than sent to one process, as ip_hash would."""

    async def visitors(n):
        pages = await asyncio.gather(*(asyncio.to_thread(fetch_page, front.url + "/", {}) for _ in range(n)))
        return [p["x-upstream"] for p in pages]

    seen = run_in_thread(visitors(20))
    assert set(seen) == upstreams(front), seen
