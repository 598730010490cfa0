"""Following drawn in the browser (backprop/ui/follow_view.py), the app's half, in AppTest: where the process
serves the class feed, the instructor publishes every moment with its view, and a following student's page
draws the lesson in a stage whose signature says when the browser may draw the feed's views without a run.

A student's page is run here only when its browser would run it: when it opens, when the feed finds no view
it may draw (another network or weight; a question is drawn from the view), and when the student acts. In between
the browser draws the instructor's views (tests/test_browser_class_feed.py checks that, in Chromium); the
session has not taken those moves, and whatever the student does next must start from the moment shown."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from test_class_mode import join, no_errors, progress, start_class, step, texts

from backprop.ui import class_feed, class_view


@pytest.fixture(autouse=True)
def feed_served(monkeypatch):
    """Each test its own in-process store, in a process that serves the feed (deploy/asgi.py)."""
    monkeypatch.delenv(class_view.REDIS_URL_ENV, raising=False)
    class_view._store.clear()
    monkeypatch.setattr(class_feed, "_served", True)


def stage(at: AppTest) -> dict | None:
    """The data of the page's stage (follow_view.stage), or None where the page draws the lesson itself."""
    for e in at.get("bidi_component"):
        if e.proto.component_name == "backprop.follow_stage":
            return json.loads(json.loads(e.proto.json))
    return None


def charts(at: AppTest) -> list[str]:
    return [e.proto.id.rsplit("-", 1)[-1] for e in at.get("bidi_component") if e.proto.component_name.endswith("chart")]


def published(code: str) -> tuple[int, dict | None]:
    """The class's version and the view published with it (None when the view is of an older version)."""
    store = class_view.store()
    v = store.version(code)
    stored = store.view(code)
    return v, json.loads(stored[1]) if stored is not None and stored[0] == v else None


def shown(view: dict) -> str:
    """A view's progress line as the page's Markdown writes it."""
    return view["progress"].replace("<strong>", "**").replace("</strong>", "**")


def test_moves_and_questions_come_with_views_the_students_page_draws_without_a_run():
    teacher, code, _ = start_class()
    student = join(code)
    mine = stage(student)
    assert mine is not None and "diagram" not in charts(student), "following: the stage draws the lesson"
    assert mine["v"] == class_view.store().version(code)
    assert shown(mine["view"]) == progress(teacher) and mine["view"]["question"] is None
    for _ in range(4):  # to step 4, backward through layer 2; the browser draws each move, no run
        step(teacher)
        v, view = published(code)
        assert view is not None and view["sig"] == mine["sig"], "a view this page's stage draws"
        assert shown(view) == progress(teacher)
        assert [b["t"] for b in view["side"] if b["k"] == "latex"][0] in [m.value for m in teacher.latex][0]
    teacher.button(key="class_ask").click().run()  # the class predicts the sign of δ¹₁
    v, view = published(code)
    assert view is not None and view["sig"] == mine["sig"], "a question asked: drawn by the stage, no run"
    q = view["question"]
    qid = class_view.store().state(code).question["id"]
    assert q["id"] == qid and q["kind"] == "sign" and not q["revealed"]
    assert q["prompt"] == "Before the step back through layer 1: will δ¹₁ be positive, negative or zero?"
    assert [o[0] for o in q["options"]] == ["positive", "negative", "zero"]
    assert not {"correct", "shown", "explanation"} & set(q), "nothing of the answer before the reveal"
    assert shown(view) == progress(teacher), "the question comes with the moment it is asked at"
    # the student answers in the browser: the stage sends it to the class feed, and the store counts it
    student_id = student.session_state["class_student"]
    assert class_feed.take_answer(class_view.store(), code, student_id, qid, "negative") == (
        200,
        {"ok": True, "a": "negative"},
    )
    assert teacher.session_state["class_question"]["id"] == qid
    step(teacher)  # reveals, in the same change as the step: one version, its view has the verdict's facts
    v2, view = published(code)
    assert v2 == v + 1 and view is not None and view["sig"] == mine["sig"]
    q = view["question"]
    assert q["revealed"] and q["correct"] == "positive" and q["shown"] == "positive"  # Mazur's δ¹₁ > 0
    assert r"\text{(BP2)}" in q["explanation"], "the deciding equation"
    assert shown(view).startswith("**Step 5 of 6")
    result = class_view.store().results(code, teacher.session_state["class_key"])[0]
    assert (result.answered, result.right, result.counts) == (1, 0, {"negative": 1})
    assert not class_feed.take_answer(class_view.store(), code, student_id, qid, "positive")[1]["ok"], "too late"
    # The view a student's own run builds is the instructor's, number for number; the stage knows their answer.
    student.run()
    no_errors(student)
    here = stage(student)
    assert here["view"] == view and here["answer"]["mine"] == {qid: "negative"}
    assert here["answer"]["url"].endswith(f"{class_feed.ANSWER_PATH}?c={code}&me={student_id}")
    assert "Answer on your screen" not in texts(student) and not student.radio, "the stage draws the question"
    step(teacher, 2)  # the next iteration: the question's panel goes
    assert published(code)[1]["question"] is None and published(code)[1]["sig"] == mine["sig"]


def test_a_student_who_acts_after_moves_drawn_in_the_browser_acts_from_the_moment_shown():
    teacher, code, _ = start_class()
    student = join(code)
    step(teacher, 3)  # drawn in the student's browser: their session is still at step 0
    assert student.session_state["lesson"].index == 0
    assert not any(student.button(key=k).disabled for k in ("btn_back", "btn_reset", "btn_end")), (
        "the page may show a later step than its session's: Back and Reset stay pressable"
    )
    student.button(key="btn_step").click().run()
    no_errors(student)
    assert progress(student).startswith("**Step 4 of 6"), "Step goes on from the instructor's step 3"
    assert not student.session_state["class_following"] and stage(student) is None and "diagram" in charts(student)

    other = join(code)
    step(teacher, 2)  # step 5 in the browser
    other.selectbox(key="pick_k").set_value(2).run()  # the student's own weight: theirs, at the moment shown
    no_errors(other)
    assert not other.session_state["class_following"], "choosing a weight explores"
    assert other.session_state["pick_k"] == 2 and progress(other) == progress(teacher)

    third = join(code)
    step(teacher)
    third.button(key="class_explore").click().run()
    assert not third.session_state["class_following"] and progress(third) == progress(teacher)

    fourth = join(code)
    step(teacher)  # drawn in the browser; the student then goes back one from the step on their screen
    there = teacher.session_state["lesson"]
    assert there.index >= 1
    fourth.button(key="btn_back").click().run()
    no_errors(fourth)
    mine = fourth.session_state["lesson"]
    assert (mine.iteration, mine.index) == (there.iteration, there.index - 1)
    assert not fourth.session_state["class_following"]


def test_a_projecting_student_or_a_process_without_the_feed_draws_the_lesson_itself(monkeypatch):
    teacher, code, _ = start_class()
    student = join(code)
    student.session_state["present"] = True
    student.run()
    assert stage(student) is None and "diagram" in charts(student)
    monkeypatch.setattr(class_feed, "_served", False)
    other = join(code)
    assert stage(other) is None and "diagram" in charts(other)
    step(teacher)
    other.run()
    assert progress(other) == progress(teacher)
