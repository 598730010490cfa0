"""Class mode's cheap following and the instructor's projected screen, in real browsers.

- The feed: on the app served as deploy/asgi.py's st.App, a following student's browser waits on the feed's
  HTTP endpoint (a long poll), and the page sends Streamlit nothing while the class has not moved: no script
  run at all. One instructor move costs the page one run. Counted on the student's websocket (frames the page
  sends), never timed.
- A reload (the student's own address, ?class=CODE&me=ID) rejoins as the same student: the answer given
  before stays theirs and is counted once.
- Projected (presenter mode at 1280×720), the instructor's class sits in one line in the page's header: every
  step of the lesson keeps the stage on one screen, with the class's count of answers in view.
- One PageDown is one step, also when it lands while the page is busy: Streamlit's browser side then sends the
  click twice (with a `run_every` tick of the class's live count, and again on its own).
"""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import VIEWPORT, AppPage, Server
from test_browser_class import answer_option
from test_browser_presenter import _BOXES, _check_screen, _inside, _key, _open

import backprop as bp
from backprop.ui import class_view

pytestmark = pytest.mark.browser

IDLE_SECONDS = 3.0  # a following page's quiet time, in which it must send Streamlit nothing
FEED = "/api/class/version"


@pytest.fixture(scope="module")
def feed_server(chromium):
    """The app as deploy/asgi.py's st.App (`streamlit run deploy/asgi.py`): it serves the class feed."""
    server = Server(timeout=90, script="deploy/asgi.py")
    try:
        yield server.url
    finally:
        server.stop()


def _tab(browser, base_url: str) -> AppPage:
    context = browser.new_context(viewport=VIEWPORT)
    app = AppPage(context.new_page(), base_url)
    app.page.set_default_timeout(120_000)
    return app


def _start(browser, base_url: str) -> tuple[AppPage, str, str]:
    """An instructor's tab that started a class: (tab, code, instructor key), on the Class page."""
    teacher = _tab(browser, base_url)
    teacher.open()
    teacher.page.goto(base_url + "/class")
    teacher.page.wait_for_selector("h1:has-text('Class')")
    teacher.wait_idle()
    teacher.page.get_by_role("button", name="Start a class").click()
    teacher.page.wait_for_selector("text=Join link")
    teacher.wait_idle()
    teacher.page.get_by_text("Instructor link (keep it private").click()  # its expander, unfolded
    teacher.page.wait_for_selector("[data-testid=stCode]:has-text('key=')")
    link = next(c for c in teacher.page.locator("[data-testid=stCode]").all_text_contents() if "key=" in c)
    code = re.search(r"class=([A-Z0-9]{6})", link).group(1)
    key = re.search(r"key=([A-Za-z0-9_-]+)", link).group(1)
    return teacher, code, key


class Traffic:
    """What a page sends: websocket frames to Streamlit (each a BackMsg: a script run asked for) and GETs of
    the feed."""

    def __init__(self, page):
        self.frames, self.polls = 0, 0
        page.on("websocket", lambda ws: ws.on("framesent", self._frame))
        page.on("request", lambda r: self._request(r))

    def _frame(self, payload) -> None:
        self.frames += 1

    def _request(self, request) -> None:
        if FEED in request.url:
            self.polls += 1


def test_a_following_page_sends_streamlit_nothing_until_the_class_moves(browser, feed_server):
    teacher, code, _ = _start(browser, feed_server)
    student = _tab(browser, feed_server)
    traffic = Traffic(student.page)
    try:
        teacher.page.get_by_text("Go to Step through").click()
        teacher.page.wait_for_selector("text=Leading class")
        teacher.wait_idle()
        student.page.goto(f"{feed_server}/?class={code}")
        student.page.wait_for_selector("text=Following the instructor")
        student.page.wait_for_selector(".st-key-follow_stage .bp-fv-grid .js-plotly-plot")
        student.wait_idle()
        time.sleep(1.0)  # the page's first runs are over
        frames, polls = traffic.frames, traffic.polls
        time.sleep(IDLE_SECONDS)
        assert traffic.frames == frames, "a following page asks for no script run while the class is still"
        assert traffic.polls >= 1 and traffic.polls - polls <= 1, "… it waits on the feed (one held request)"
        assert student.page.locator(".st-key-diagram").count() == 0, "following: the stage draws the lesson"
        frames = traffic.frames
        for _ in range(3):
            want = teacher.press("btn_step")
            student.page.wait_for_function(
                """(want) => { const p = document.querySelector('.st-key-follow_stage .bp-fv-progress');
                               return p && p.innerText.trim() === want; }""",
                arg=want,
                timeout=30_000,
            )
            # The numbers are the instructor's: the step's equations, as KaTeX's MathML annotation keeps them.
            assert (
                _latex(student.page, ".st-key-follow_stage")
                == _latex(teacher.page, ".st-key-lesson_area")[: len(_latex(student.page, ".st-key-follow_stage"))]
            )
        time.sleep(1.5)  # anything the moves set off has been sent
        assert traffic.frames == frames, "the instructor's moves: no run of the student's page at all"
        drawn = student.page.evaluate("() => window.__bplClassFeed.drawnViews")
        assert drawn == 3, "each move drawn from the feed's view"
        # Predicting together runs no script on the student's page either: the question comes with the
        # instructor's view, the answer goes to the class feed, the reveal comes with the next step's view.
        teacher.press("btn_step")  # step 4: backward through layer 2; the next step asks for the sign of δ¹₁
        teacher.act(
            lambda: teacher.page.get_by_role("button", name="Ask the class").click(),
            until="() => document.body.innerText.includes('answered so far')",
        )
        student.page.wait_for_selector(
            ".bp-fv-question :text('will δ¹₁ be positive, negative or zero?')", timeout=30_000
        )
        assert student.page.get_by_role("radio", name="negative").count() == 1, "a radio group, read aloud"
        answer_option(student, "negative").click()
        student.page.wait_for_selector(".bp-fv-question :text('Your answer: negative')", timeout=30_000)
        teacher.page.wait_for_function("() => document.body.innerText.includes('1 answered')", timeout=30_000)
        answer_option(student, "zero").click()  # changed before the reveal: the last one counts
        student.page.wait_for_selector(".bp-fv-question :text('Your answer: zero')", timeout=30_000)
        teacher.press("btn_step")  # reveals
        student.page.wait_for_selector(
            ".bp-fv-question :text('Not quite: you said zero; the answer is positive.')", timeout=30_000
        )
        assert any(r"\text{(BP2)}" in t for t in _latex(student.page, ".bp-fv-question")), "the deciding equation"
        teacher.page.wait_for_selector("text=0 of 1 predicted it", timeout=30_000)
        time.sleep(1.5)
        assert traffic.frames == frames, "asked, answered twice, revealed: no run of the student's page"
        assert student.page.evaluate("() => window.__bplClassFeed.drawnViews") == 6
        student.screenshot("class_feed_student_verdict")
        assert student.exceptions() == [] and teacher.exceptions() == []
    finally:
        for a in (teacher, student):
            a.page.context.close()


def _latex(page, where: str) -> list[str]:
    """The TeX of every equation under `where`, in page order (KaTeX keeps it in its MathML annotation)."""
    return page.eval_on_selector_all(
        f"{where} annotation[encoding='application/x-tex']", "els => els.map(e => e.textContent.trim())"
    )


def test_a_reloaded_student_page_rejoins_as_the_same_student(browser, feed_server):
    teacher, code, _ = _start(browser, feed_server)
    student = _tab(browser, feed_server)
    try:
        teacher.page.get_by_text("Go to Step through").click()
        teacher.page.wait_for_selector("text=Leading class")
        teacher.wait_idle()
        student.page.goto(f"{feed_server}/?class={code}")
        student.page.wait_for_selector("text=Following the instructor")
        student.wait_idle()
        for _ in range(4):  # step 4: backward through layer 2; the next step asks for the sign of δ¹₁
            teacher.press("btn_step")
        teacher.act(
            lambda: teacher.page.get_by_role("button", name="Ask the class").click(),
            until="() => document.body.innerText.includes('answered so far')",
        )
        student.page.wait_for_selector("text=will δ¹₁ be positive, negative or zero?", timeout=30_000)
        answer_option(student, "negative").click()
        student.page.wait_for_selector("text=you can change it")
        student.wait_idle()
        me = re.search(r"[?&]me=([A-Za-z0-9_-]+)", student.page.url)
        assert me and f"class={code}" in student.page.url, student.page.url
        teacher.page.wait_for_function("() => document.body.innerText.includes('1 answered')", timeout=30_000)
        student.page.reload()
        student.page.wait_for_selector(f"text=Back in class {code}")
        student.page.wait_for_selector("text=Following the instructor")
        student.page.wait_for_selector("text=Your answer: negative")
        student.wait_idle()
        assert f"me={me.group(1)}" in student.page.url, "the same student"
        answer_option(student, "positive").click()
        student.page.wait_for_selector("text=Your answer: positive")
        student.wait_idle()
        teacher.page.wait_for_timeout(2500)  # the count refreshes every second
        assert "1 answered" in teacher.page.inner_text("body"), "one student, one answer, after the reload too"
        teacher.press("btn_step")  # reveals: the answer after the reload is the one counted
        student.page.wait_for_selector("text=Right: positive.", timeout=30_000)
        teacher.page.wait_for_selector("text=1 of 1 predicted it", timeout=30_000)
    finally:
        for a in (teacher, student):
            a.page.context.close()


def test_a_projecting_instructor_keeps_the_stage_on_one_screen_with_the_class_in_the_header(browser, app_server):
    first, code, key = _start(browser, app_server)
    first.page.context.close()  # the instructor link reopens the class on "another device", projected
    size, L = (1280, 720), 2
    context, teacher = _open(browser, app_server, size, f"present=1&class={code}&key={key}")
    student = _tab(browser, app_server)
    try:
        teacher.page.wait_for_selector(".st-key-class_bar")
        assert teacher.page.locator(".st-key-class_details").count() == 1, "the question's details, below"
        student.page.goto(f"{app_server}/?class={code}")
        student.page.wait_for_selector("text=Following the instructor")
        student.wait_idle()
        last = 2 * L + 2
        for index in range(1, last + 1):
            if index == L + 3:  # before the step back through layer 1: ask the class, answer, then step
                teacher.act(
                    lambda: teacher.page.locator(".st-key-class_ask button:visible").first.click(),
                    until="() => document.body.innerText.includes('0 answered so far')",
                )
                student.page.wait_for_selector("text=will δ¹₁ be positive, negative or zero?", timeout=30_000)
                student.page.locator("[data-testid=stRadio] [role=radiogroup] label").filter(
                    has_text=re.compile("^positive$")
                ).click()
                teacher.page.wait_for_selector(".st-key-class_bar :text('1 answered')", timeout=30_000)
                _check_screen(teacher, L, index - 1, "a question open", "presenter_class_1280x720_question")
                boxes = teacher.page.evaluate(_BOXES)
                bar = teacher.page.locator(".st-key-class_bar").bounding_box()
                bar_box = {
                    "top": bar["y"],
                    "left": bar["x"],
                    "bottom": bar["y"] + bar["height"],
                    "right": bar["x"] + bar["width"],
                }
                _inside("class's line in the header", bar_box, boxes, "a question open")
            line = _key(teacher, "PageDown")
            title = bp.step(L, index, update_biases=False).title  # the worked 2-2-2 keeps its biases fixed
            assert line.startswith(f"Step {index} of {last} — {title}"), line
            _check_screen(
                teacher, L, index, f"class, PageDown to step {index}", f"presenter_class_1280x720_s{index:02d}"
            )
        teacher.page.wait_for_selector(".st-key-class_bar :text('1 of 1')", timeout=30_000)
        assert teacher.exceptions() == []
    finally:
        context.close()
        student.page.context.close()


# A long task in the page (a slow machine drawing a big figure): it starts shortly after this call returns.
_BUSY = "(ms) => { setTimeout(() => { const t = performance.now(); while (performance.now() - t < ms) {} }, 50); }"


def _step_index(line: str) -> int:
    m = re.match(r"Step (\d+) of \d+", line)
    assert m, line
    return int(m.group(1))


def test_one_pagedown_is_one_step_when_it_lands_while_the_projected_class_page_is_busy(browser, app_server):
    """The class's live count (a fragment with run_every) ticks in the browser. A key pressed while the page is
    busy is handled before the tick that fell due meanwhile, and that tick then carries the click that the page
    has not sent yet, which follows: one click, two messages. Before the fix each press here moved the lesson 2
    or 3 steps (9 of 10 presses); the class's other buttons (Ask the class) went through the same."""
    first, code, key = _start(browser, app_server)
    first.page.context.close()
    context, teacher = _open(browser, app_server, (1280, 720), f"present=1&class={code}&key={key}")
    busy_ms = int(1000 * class_view.LIVE_SECONDS * 1.3)  # a live-count tick falls due while the page is busy
    try:
        teacher.page.wait_for_selector(".st-key-class_bar")
        moved = []
        for _ in range(3):
            before = teacher.progress()
            teacher.page.evaluate(_BUSY, busy_ms)
            teacher.page.wait_for_timeout(150)  # the long task has begun: the key waits in the browser's queue
            teacher.page.keyboard.press("PageDown")
            teacher.page.wait_for_function(
                """(before) => { const p = Array.from(document.querySelectorAll('[data-testid=stMarkdownContainer]'))
                       .find(e => /^Step \\d+ of \\d+ — /.test(e.innerText.trim()));
                       return p && p.innerText.trim() !== before; }""",
                arg=before,
            )
            teacher.page.wait_for_timeout(int(2500 * class_view.LIVE_SECONDS))  # any second delivery has run
            teacher.wait_idle()
            moved.append(_step_index(teacher.progress()) - _step_index(before))
        assert moved == [1, 1, 1], f"steps moved per PageDown: {moved}"
        assert teacher.exceptions() == []
    finally:
        context.close()


def test_answers_clicked_while_the_follow_poll_ticks_are_each_counted_once(browser, app_server):
    """Under `streamlit run app.py` a following page polls in a fragment every POLL_SECONDS. A click that lands
    while the page is busy goes out first with the poll's tick (Streamlit's browser side sends the pending
    change with it) and then on its own: the answer must be taken once, and the last one counted."""
    teacher, code, _ = _start(browser, app_server)
    student = _tab(browser, app_server)
    busy_ms = int(1000 * class_view.POLL_SECONDS * 1.5)  # a poll tick falls due while the page is busy
    try:
        teacher.page.get_by_text("Go to Step through").click()
        teacher.page.wait_for_selector("text=Leading class")
        teacher.wait_idle()
        student.page.goto(f"{app_server}/?class={code}")
        student.page.wait_for_selector("text=Following the instructor")
        student.wait_idle()
        for _ in range(4):  # step 4: the next step asks for the sign of δ¹₁ (positive)
            teacher.press("btn_step")
        teacher.act(
            lambda: teacher.page.get_by_role("button", name="Ask the class").click(),
            until="() => document.body.innerText.includes('answered so far')",
        )
        student.page.wait_for_selector("text=will δ¹₁ be positive, negative or zero?", timeout=30_000)
        student.wait_idle()
        for word in ("negative", "zero", "positive"):
            label = student.page.locator("[data-testid=stRadio] [role=radiogroup] label").filter(
                has_text=re.compile(f"^{word}$")
            )
            box = label.bounding_box()
            student.page.evaluate(_BUSY, busy_ms)
            student.page.wait_for_timeout(150)  # the click waits in the browser's queue, as a tick falls due
            student.page.mouse.click(box["x"] + 8, box["y"] + box["height"] / 2)
            student.page.wait_for_selector(f"text=Your answer: {word}", timeout=15_000)
            student.wait_idle()
        teacher.page.wait_for_timeout(int(2500 * class_view.LIVE_SECONDS))  # the count refreshes itself
        assert "1 answered" in teacher.page.inner_text("body"), "one student, one answer"
        teacher.press("btn_step")  # reveals: the last answer is the one counted
        student.page.wait_for_selector("text=Right: positive.", timeout=30_000)
        teacher.page.wait_for_selector("text=1 of 1 predicted it", timeout=30_000)
        assert student.exceptions() == [] and teacher.exceptions() == []
    finally:
        for a in (teacher, student):
            a.page.context.close()
