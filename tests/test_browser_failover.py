"""Nothing a student can't get back when a process dies: the page's moment lives in its address (network,
sample, iteration, step, chosen weight), so a tab whose process is gone reconnects to another (behind nginx)
or to the restarted server, gets a new session there, and is put back at the same moment from the URL.

In Chromium: open a link, step to the middle of the backward pass, kill the process that serves the tab
(SIGKILL, a crash), and wait for the tab's new websocket. The page then shows the same step with the same
numbers (every equation's TeX, the progress line, the address), and it is live there: one more Step gives
what a fresh tab opened on the same address gives after one Step. Needs nginx for the replicated case
(skipped without it, a failure under CI).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from browser_helpers import VIEWPORT, AppPage, in_ci

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

from run_replicas import Replicas, nginx_binary  # noqa: E402

pytestmark = pytest.mark.browser

LINK = "/?h=3&seed=5&w=2,1,2"
READY = ".st-key-diagram .js-plotly-plot"


class Tab:
    """A browser tab on `base`, counting the websockets it opens (one more after each reconnection)."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.app = AppPage(self.page, base)
        self.sockets: list = []
        self.frames_received = {}
        self.page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        n = len(self.sockets)
        self.sockets.append(ws)
        self.frames_received[n] = 0
        ws.on("framereceived", lambda _: self.frames_received.__setitem__(n, self.frames_received[n] + 1))

    def open(self, url: str) -> dict:
        response = self.page.goto(url)
        self.page.wait_for_selector(READY, timeout=150_000)  # a loaded 2-core machine took 76 s
        self.app.wait_idle()
        return response.headers

    def moment(self) -> tuple:
        return self.app.progress(), tuple(self.app.latex_sources()), self.page.url.split("?", 1)[1]

    def wait_reconnected(self, sockets_before: int, timeout: float = 90.0) -> None:
        """Until a websocket opened after `sockets_before` has received the new session's messages and the
        script is idle again."""
        deadline = time.monotonic() + timeout
        while True:
            fresh = [n for n in range(sockets_before, len(self.sockets)) if self.frames_received[n] > 5]
            if fresh and not self.sockets[fresh[-1]].is_closed():
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the tab did not reconnect within {timeout:.0f} s ({len(self.sockets)} sockets)")
            self.page.wait_for_timeout(250)
        self.page.wait_for_selector(READY, timeout=150_000)  # a loaded 2-core machine took 76 s
        self.app.wait_idle()
        self.page.wait_for_timeout(500)  # any rerun the reconnection started has drawn
        self.app.wait_idle()

    def close(self) -> None:
        self.context.close()


def _step_to_the_middle(tab: Tab) -> None:
    for _ in range(5):
        tab.app.press("btn_step")


def _after_one_more_step(browser, base: str, query: str) -> tuple:
    """What a fresh tab on the same address shows after one Step: the independent reference."""
    fresh = Tab(browser, base)
    try:
        fresh.open(f"{base}/?{query}")
        fresh.app.press("btn_step")
        return fresh.moment()
    finally:
        fresh.close()


def _check_comes_back(browser, front: Replicas, base: str, kill) -> str:
    tab = Tab(browser, base)
    try:
        headers = tab.open(base + LINK)
        _step_to_the_middle(tab)
        before = tab.moment()
        assert before[0].startswith("Step 5 of"), before[0]
        sockets = len(tab.sockets)
        served_by = kill(headers)
        tab.wait_reconnected(sockets)
        after = tab.moment()
        assert after == before, f"before the kill:\n{before}\nafter:\n{after}"
        assert tab.app.exceptions() == [], tab.app.exceptions()
        tab.app.screenshot("60_failover_back_at_the_same_step")
        tab.app.press("btn_step")
        assert tab.moment() == _after_one_more_step(browser, base, before[2])
        return served_by
    finally:
        tab.close()


def test_a_killed_replica_behind_nginx_puts_its_students_back_at_the_same_step(chromium, browser):
    if nginx_binary() is None:
        if in_ci():
            pytest.fail("nginx is missing under CI (.ci/run installs it: apt-get install nginx)", pytrace=False)
        pytest.skip("nginx not installed (Debian: apt-get install nginx)")
    with Replicas(2) as front:
        upstreams = [u.removeprefix("http://") for u in front.replica_urls]

        def kill(headers):
            i = upstreams.index(headers["x-upstream"])
            front.kill(i)
            return upstreams[i]

        killed = _check_comes_back(browser, front, front.url, kill)
        survivor = upstreams[1 - upstreams.index(killed)]
        assert front.processes[upstreams.index(survivor)].poll() is None
        log = front.log_tail(40)
    assert "Traceback" not in log, log


def test_a_restarted_single_server_puts_its_students_back_at_the_same_step(chromium, browser):
    with Replicas(1, proxy=False) as server:
        _check_comes_back(browser, server, server.url, lambda headers: server.restart(0))
        log = server.log_tail(40)
    assert "Traceback" not in log, log
