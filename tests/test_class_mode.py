"""Class mode in the app (AppTest): an instructor's session and students' sessions in one process share the
in-process store, as the sessions of one `streamlit run app.py` do. A student's `run()` is what their
page's poll fragment triggers in a browser (the browser tests check the polling itself)."""

from __future__ import annotations

import re

import app_shown as shown
import pytest
from streamlit.testing.v1 import AppTest

from backprop import classroom
from backprop.lesson import quiz
from backprop.ui import class_view

APP = "app.py"


@pytest.fixture(autouse=True)
def fresh_store(monkeypatch):
    """Each test its own in-process store (the app keeps one per process in st.cache_resource)."""
    monkeypatch.delenv(class_view.REDIS_URL_ENV, raising=False)
    class_view._store.clear()


def new() -> AppTest:
    return AppTest.from_file(f"../{APP}", default_timeout=60)


def progress(at: AppTest) -> str | None:
    return shown.progress(at)


def texts(at: AppTest) -> str:
    """Everything the page shows or keeps in its widgets, as one string (to look for what must not be there)."""
    parts = [
        str(e.value)
        for kind in (
            "markdown",
            "caption",
            "text",
            "code",
            "latex",
            "info",
            "success",
            "error",
            "warning",
            "title",
            "subheader",
        )
        for e in getattr(at, kind)
    ]
    parts += [str(b.label) for b in at.button] + [str(v) for v in at.query_params.values()]
    return "\n".join(parts)


def no_errors(*apps: AppTest) -> None:
    for at in apps:
        assert not at.exception, [e.value for e in at.exception]


def start_class() -> tuple[AppTest, str, str]:
    teacher = new()
    teacher.switch_page("pages/class.py")
    teacher.run()
    teacher.button(key="class_start").click().run()
    code, key = teacher.session_state["class_code"], teacher.session_state["class_key"]
    assert re.fullmatch(f"[{classroom.CODE_ALPHABET}]{{6}}", code)
    assert code in texts(teacher) and key in texts(teacher)  # the instructor link, in the instructor's page
    teacher.switch_page("pages/step_through.py")
    teacher.run()
    no_errors(teacher)
    return teacher, code, key


def join(code: str, nickname: str | None = None) -> AppTest:
    student = new()
    if nickname is None:
        student.query_params["class"] = code.lower()  # the join link; a code in any case
        student.run()
    else:
        student.switch_page("pages/class.py")
        student.run()
        student.text_input(key="class_code_typed").set_value(code)
        student.text_input(key="class_nick_typed").set_value(nickname)
        join_button(student).click()
        student.run()
        student.switch_page("pages/step_through.py")
        student.run()
    no_errors(student)
    return student


def join_button(at: AppTest):
    return next(b for b in at.button if b.label == "Join")


def step(at: AppTest, times: int = 1) -> None:
    for _ in range(times):
        at.button(key="btn_step").click().run()
    no_errors(at)


def test_students_follow_the_instructors_steps_network_and_weight():
    teacher, code, key = start_class()
    students = [join(code), join(code), join(code, "Ada")]
    for s in students:
        assert s.session_state["class_following"] and progress(s) == progress(teacher)
        assert "Following the instructor" in texts(s)
        assert key not in texts(s), "the instructor key must never reach a student's page"
    step(teacher, 3)
    teacher.selectbox(key="pick_l").set_value(2).run()
    teacher.selectbox(key="pick_k").set_value(2).run()
    for s in students:
        s.run()
        assert progress(s) == progress(teacher) == "**Step 3 of 6 — cost of the output** · iteration 1"
        assert s.session_state["pick_l"] == 2 and s.session_state["pick_k"] == 2
        assert [m.value for m in s.latex] == [m.value for m in teacher.latex]  # the same numbers
    # a new network: the sidebar's widgets follow too
    teacher.button(key="preset_xor_2_2_1").click().run()
    step(teacher, 2)
    for s in students:
        s.run()
        no_errors(s)
        assert s.session_state["n_out"] == 1 and progress(s) == progress(teacher)
        assert [m.value for m in s.latex] == [m.value for m in teacher.latex]


def test_a_student_who_steps_alone_explores_and_can_follow_again():
    teacher, code, _ = start_class()
    student = join(code)
    step(student, 2)  # the student's own Step: theirs to change
    assert not student.session_state["class_following"] and "Exploring on your own" in texts(student)
    assert progress(student).startswith("**Step 2 of 6")
    step(teacher, 4)
    student.run()
    assert progress(student).startswith("**Step 2 of 6"), "exploring: the instructor's moves are not applied"
    student.button(key="class_follow").click().run()
    no_errors(student)
    assert student.session_state["class_following"] and progress(student) == progress(teacher)
    student.button(key="class_explore").click().run()
    assert not student.session_state["class_following"]
    step(teacher)
    student.run()
    assert progress(student) != progress(teacher)


def _answer_widget(s: AppTest, code: str, q: dict):
    key = f"class_answer_{code}_{q['id']}"
    return s.radio(key=key) if q["kind"] == quiz.SIGN else s.selectbox(key=key)


def test_the_class_predicts_then_step_reveals_to_everybody():
    teacher, code, key = start_class()
    students = [join(code), join(code, "Ada"), join(code)]
    store = class_view._store("")
    step(teacher, 3)  # at the cost: the next steps are backward through layer 2 (largest cell), then 1 (sign)
    expected = []
    for l, kind in ((2, quiz.LARGEST), (1, quiz.SIGN)):
        teacher.button(key="class_ask").click().run()
        no_errors(teacher)
        q = teacher.session_state["class_question"]
        asked = quiz.question(teacher.session_state["lesson"].trace, l, 1)
        assert (q["l"], q["kind"], q["revealed"], asked.kind) == (str(l), kind, "0", kind)
        for s in students:
            s.run()
            assert key not in texts(s)
        options = _answer_widget(students[0], code, q).options
        wrong_option = next(
            o
            for o in options
            if o != (asked.answer if kind == quiz.SIGN else f"k = {asked.answer[0] + 1}, j = {asked.answer[1] + 1}")
        )
        right = asked.answer
        wrong = wrong_option if kind == quiz.SIGN else tuple(int(v) - 1 for v in re.findall(r"\d+", wrong_option))
        answers = [right, wrong, right]
        for s, answer in zip(students, answers, strict=True):
            _answer_widget(s, code, q).set_value(wrong if answer == right else right).run()  # first another …
            _answer_widget(s, code, q).set_value(answer).run()  # … then changed
            no_errors(s)
            assert "you can change it" in texts(s)
        assert store.count(code, q["id"]) == 3
        teacher.run()
        assert any("3 answered" in m.value for m in teacher.markdown)
        teacher.toggle(key="class_show_counts").set_value(True).run()
        shown = lambda a, kind=kind: a if kind == quiz.SIGN else f"k = {a[0] + 1}, j = {a[1] + 1}"  # noqa: E731
        assert any(f"{shown(right)}: 2" in m.value and f"{shown(wrong)}: 1" in m.value for m in teacher.markdown)
        step(teacher)  # Step reveals
        assert f"backward through layer {l}" in progress(teacher)
        for s, answer in zip(students, answers, strict=True):
            s.run()
            no_errors(s)
            assert progress(s) == progress(teacher)
            if answer == right:
                assert any(m.value.startswith("Right") for m in s.success)
            else:
                assert any(m.value.startswith("Not quite") for m in s.error)
            deciding = quiz.explanation(s.session_state["lesson"].trace, asked)
            assert any(deciding in m.value for m in s.latex), "the deciding equation, with its numbers"
        # too late: an answer after the reveal is refused and not counted
        assert not store.answer(code, q["id"], students[1].session_state["class_student"], "zero")
        expected.append((3, 2, {"Ada": class_view._encode(asked, wrong)}))
    results = store.results(code, key)
    assert [(r.answered, r.right, r.named) for r in results] == expected
    teacher.switch_page("pages/class.py").run()
    assert sum("2 of 3 right" in m.value for m in teacher.markdown) == 2
    assert "Ada: " in texts(teacher)


def test_a_question_replaced_before_its_reveal_starts_unanswered_on_students_pages():
    """The instructor asks, a student answers, the instructor goes back a step and asks there instead: the
    student's page shows the new question unanswered (not "Your answer" for an answer nobody counts), and
    the answer they give it is the one counted and judged."""
    teacher, code, _ = start_class()
    student = join(code)
    store = class_view._store("")
    step(teacher, 4)  # backward through layer 2 done: the next step is layer 1's (a sign question)
    teacher.button(key="class_ask").click().run()
    first = teacher.session_state["class_question"]
    assert first["kind"] == quiz.SIGN
    student.run()
    _answer_widget(student, code, first).set_value("positive").run()
    assert "Your answer: **positive**" in texts(student) and store.count(code, first["id"]) == 1
    teacher.button(key="btn_back").click().run()  # back to the cost: its question replaces the open one
    teacher.button(key="class_ask").click().run()
    no_errors(teacher)
    second = teacher.session_state["class_question"]
    assert second["kind"] == quiz.LARGEST and second["id"] != first["id"] and second["revealed"] == "0"
    student.run()
    no_errors(student)
    assert "Your answer" not in texts(student) and "Answer on your screen" in texts(student)
    assert store.count(code, second["id"]) == 0
    asked = quiz.question(student.session_state["lesson"].trace, 2, 1)
    _answer_widget(student, code, second).set_value(asked.answer).run()
    assert store.count(code, second["id"]) == 1
    step(teacher)  # reveals the second question: the student's answer to it is right
    student.run()
    assert any(m.value.startswith("Right") for m in student.success)


def test_ending_the_class_leaves_students_exploring_at_the_last_moment():
    teacher, code, key = start_class()
    student = join(code)
    step(teacher, 2)
    student.run()
    last = progress(student)
    teacher.switch_page("pages/class.py").run()
    teacher.button(key="class_end").click().run()
    no_errors(teacher)
    assert "class_code" not in teacher.session_state and "class has ended" in texts(teacher)
    student.run()
    no_errors(student)
    assert progress(student) == last and "class_code" not in student.session_state
    assert "class has ended" in texts(student)
    step(student)  # stepping alone works
    assert progress(student).startswith("**Step 3 of 6")


def test_wrong_codes_and_keys_get_a_clear_message_and_the_normal_page():
    teacher, code, key = start_class()
    student = new()
    student.query_params["class"] = "<script>alert(1)</script>"
    student.run()
    no_errors(student)
    assert "No class has that code" in texts(student) and progress(student).startswith("**Step 0")
    assert "class_code" not in student.session_state
    thief = new()
    thief.query_params["class"] = code
    thief.query_params["key"] = key[:-2] + "xx"
    thief.run()
    no_errors(thief)
    assert "instructor link is not valid" in texts(thief) and "class_key" not in thief.session_state
    # the instructor link on another device leads the class
    laptop = new()
    laptop.query_params["class"] = code
    laptop.query_params["key"] = key
    laptop.run()
    no_errors(laptop)
    assert laptop.session_state["class_role"] == "instructor" and "key" not in laptop.query_params
    # typing wrong codes: after five, even the right one waits
    guesser = new()
    guesser.switch_page("pages/class.py")
    guesser.run()
    for typed in ["AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE", code]:
        guesser.text_input(key="class_code_typed").set_value(typed)
        join_button(guesser).click()
        guesser.run()
        no_errors(guesser)
    assert "Too many wrong class codes" in texts(guesser) and "class_code" not in guesser.session_state


def test_a_nickname_is_length_limited_plain_text():
    teacher, code, _ = start_class()
    student = join(code, "**bold** <i>x</i> :material/home:")
    shown = [t.value for t in student.text]
    assert "Your nickname: **bold** <i>x</i> :mater" in shown, shown  # st.text: never Markdown; 24 characters
    assert student.session_state["class_nick"] == "**bold** <i>x</i> :material/home:"[: classroom.NICKNAME_MAX]


def test_redis_unreachable_shows_one_notice_and_stepping_alone_works(monkeypatch):
    teacher, code, key = start_class()
    student = join(code)
    store = class_view._store("")

    def down(*args, **kwargs):
        raise classroom.StoreUnavailable("the class store (Redis) cannot be reached: test")

    for name in ("version", "state", "publish", "count", "distribution", "open_question", "reveal"):
        monkeypatch.setattr(store, name, down)
    step(teacher, 2)
    assert any("can't be reached" in w.value for w in teacher.warning)
    student.run()
    no_errors(student)
    assert sum("can't be reached" in w.value for w in student.warning) == 1
    step(student)  # alone, while the store is down: the student explores
    assert progress(student).startswith("**Step 1 of 6")
    monkeypatch.undo()
    teacher.run()  # the instructor's page publishes what it could not send
    assert store.state(code).moment["step"] == "2"
    student.button(key="class_follow").click().run()
    no_errors(student)
    assert progress(student) == progress(teacher) and not any("can't be reached" in w.value for w in student.warning)


def test_a_reloaded_page_rejoins_as_the_same_student_with_its_answer():
    teacher, code, key = start_class()
    student = join(code, "Ada")
    me = student.session_state["class_student"]
    assert (student.query_params["class"], student.query_params["me"]) == (code, me), "the address keeps both"
    store = class_view._store("")
    step(teacher, 3)
    teacher.button(key="class_ask").click().run()
    q = teacher.session_state["class_question"]
    assert q["kind"] == quiz.LARGEST
    student.run()
    _answer_widget(student, code, q).set_value((1, 0)).run()
    assert store.count(code, q["id"]) == 1
    # the reload: a new session opened at the student's own address
    again = new()
    again.query_params["class"], again.query_params["me"] = code, me
    again.run()
    no_errors(again)
    s = again.session_state
    assert (s["class_student"], s["class_nick"], s["class_following"]) == (me, "Ada", True)
    assert progress(again) == progress(teacher)
    assert _answer_widget(again, code, q).value == (1, 0), "their answer, shown as theirs"
    assert "Your answer: **k = 2, j = 1**" in texts(again)
    _answer_widget(again, code, q).set_value((0, 1)).run()  # changed after the reload: still one answer
    assert store.count(code, q["id"]) == 1 and store.my_answer(code, q["id"], me) == "0,1"
    step(teacher)  # reveal
    assert store.results(code, key)[0].named == {"Ada": "0,1"} and store.results(code, key)[0].answered == 1
    # a student id the class does not know (or a malformed one) joins as a new student
    other = new()
    other.query_params["class"], other.query_params["me"] = code, "not-a-member-id"
    other.run()
    assert other.session_state["class_student"] not in (me, "not-a-member-id")
    bad = new()
    bad.query_params["class"], bad.query_params["me"] = code, "<script>"
    bad.run()
    no_errors(bad)
    assert bad.session_state["class_student"] != me
