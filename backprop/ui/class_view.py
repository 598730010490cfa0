"""Class mode in the app: the Class page, the join and instructor links, following the instructor on the
step-through page and predicting together.

The shared state is a backprop.classroom store, one per server process (st.cache_resource): this process's
memory unless BACKPROP_REDIS_URL (or `redis_url` in .streamlit/secrets.toml) names a Redis. Everything a
session knows of its class lives in its own session state under CLASS_* keys; the instructor key is kept
only in the instructor's session and never drawn on a student's page.

Following: the instructor's page publishes its moment (the step-through link's query parameters, the same
encoding as "Copy link") whenever it changes. A following student's page learns of a change through the class
feed (class_feed.py: the browser waits on an HTTP endpoint, no script runs meanwhile) where the app is served
as deploy/asgi.py, else by polling the class's version in a fragment that draws nothing (`poll`); on a change,
the whole page runs again and `before_widgets` sets the widgets and the lesson to the instructor's moment, as
opening the instructor's link would, but keeping the session (a move within the same network only moves the
lesson: its figures stay cached). A student who changes anything themselves is exploring on their own from
then on, until Follow again.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from backprop import classroom
from backprop.classroom import ClassStore, Forbidden, NoSuchClass, StoreUnavailable, WrongCodes
from backprop.figures.network import natural_height
from backprop.lesson import quiz
from backprop.lesson.progress import Lesson
from backprop.lesson.timeline import BACKWARD
from backprop.lesson.timeline import step as timeline_step
from backprop.ui import class_feed, follow_view, keys, lesson_view, presenter, url_codec

POLL_SECONDS = 0.5  # without the feed, a following page's fragment checks the class's version this often
FEED_SECONDS = 0.5  # with the feed, the browser's pause after a trigger or an error (it waits on the endpoint)
LIVE_SECONDS = 1.0  # the instructor's count of answers is refreshed this often
REDIS_URL_ENV = "BACKPROP_REDIS_URL"
NETWORK_KEYS = tuple(k for k in url_codec.FIELDS if k not in ("it", "step", "w", "present"))

# session-state keys
ROLE = "class_role"  # "instructor" or "student"; absent outside a class
CODE = "class_code"
KEY = "class_key"  # the instructor's only
STUDENT = "class_student"  # a student's random id in the store
NICK = "class_nick"
FOLLOWING = "class_following"
SEEN = "class_seen"  # the version this page last drew
APPLIED = "class_applied"  # the moment (query dict) this page last took from the instructor
PENDING = "class_pending"  # a moment to apply before the widgets are drawn
MINE = "class_mine"  # a student's own moment when the instructor's was applied (to see a detach)
PUBLISHED = "class_published"  # the instructor's moment last published
ANSWERS = "class_answers"  # question id → this student's answer
OFFLINE = "class_offline"  # the store could not be reached on the last try
NOTICE = "class_notice"  # a message for the next run: (kind, text)


# --- the store -------------------------------------------------------------------------------------------
def redis_url() -> str:
    """The Redis URL from the environment or .streamlit/secrets.toml, or "" for this process's memory."""
    url = os.environ.get(REDIS_URL_ENV, "").strip()
    if url:
        return url
    try:
        return str(st.secrets.get("redis_url", "") or "").strip()
    except Exception:  # no secrets file, or one that does not parse: the default store
        return ""


@st.cache_resource(show_spinner=False)
def _store(url: str) -> ClassStore:
    return classroom.open_store(url or None)


def store() -> ClassStore:
    return _store(redis_url())


def _session_id() -> str:
    """A random id for this browser session (its wrong join codes are counted under it)."""
    return st.session_state.setdefault("class_session", secrets.token_urlsafe(12))


def _offline(err: StoreUnavailable) -> None:
    st.session_state[OFFLINE] = True


def _online() -> None:
    st.session_state[OFFLINE] = False


def in_class() -> str | None:
    return st.session_state.get(ROLE)


def is_instructor() -> bool:
    return st.session_state.get(ROLE) == "instructor"


def following() -> bool:
    s = st.session_state
    return s.get(ROLE) == "student" and bool(s.get(FOLLOWING))


def _leave(notice: tuple[str, str] | None = None) -> None:
    s = st.session_state
    for k in (
        ROLE,
        CODE,
        KEY,
        STUDENT,
        FOLLOWING,
        SEEN,
        APPLIED,
        PENDING,
        MINE,
        PUBLISHED,
        ANSWERS,
        OFFLINE,
        "class_state",
        "class_question",
        "class_last_result",
        "class_now",
    ):
        s.pop(k, None)
    for k in ("class", "me"):  # a student's address: a reload must not join again
        if k in st.query_params:
            del st.query_params[k]
    if notice:
        s[NOTICE] = notice


# --- links: ?class=CODE joins, ?class=CODE&key=KEY reopens as the instructor ----------------------------
# A student's own address bar carries ?class=CODE&me=ID (mark_url): reloaded, the page rejoins as the same
# student, whose answers stay theirs and are not counted twice. ID is the random id the store knows them by.
STUDENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def take_link() -> None:
    """In app.py, before any page: a join or instructor link's parameters are used, then removed from the
    address bar (the page's own link takes its place; the key does not stay there)."""
    q = st.query_params
    if "class" not in q and "key" not in q:
        return
    code_text, key, me = q.get("class", ""), q.get("key"), q.get("me", "")
    if not key and code_text == st.session_state.get(CODE):
        return  # a student's own address (mark_url): already in this class
    for k in ("class", "key", "me"):
        if k in q:
            del q[k]
    try:
        if key:
            reopen(code_text, key)
        elif join(code_text, "", me=me if STUDENT_ID.fullmatch(me or "") else None):
            # A reloaded student's address may hold a moment older than the class's (moves drawn in the
            # browser do not rewrite it): the class's moment is the one to follow, not the address's.
            for k in url_codec.FIELDS:
                if k in q:
                    del q[k]
    except StoreUnavailable:
        st.session_state[NOTICE] = (
            "error",
            "The class server can't be reached right now, so the class "
            "could not be opened. Try the link again in a moment.",
        )


def _link_base() -> str:
    """The app's address (the default page), from the address this page was opened at."""
    parts = urlsplit(st.context.url or "")
    path = parts.path
    for page in ("/class", "/step_through"):
        if path.endswith(page):
            path = path[: -len(page)]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") + "/", "", ""))


def join_link(code: str) -> str:
    return f"{_link_base()}?{urlencode({'class': code})}"


def instructor_link(code: str, key: str) -> str:
    return f"{_link_base()}class?{urlencode({'class': code, 'key': key})}"


def qr_png(text: str) -> bytes:
    """A QR code of `text` as a PNG, big enough to project (segno: pure Python, no image library)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=12, border=2)
    return out.getvalue()


# --- starting, joining, ending ----------------------------------------------------------------------------
def start(moment: dict[str, str]) -> None:
    code, key = store().create(moment)
    _leave()
    s = st.session_state
    s[ROLE], s[CODE], s[KEY], s[PUBLISHED] = "instructor", code, key, moment


def reopen(code_text: str, key: str) -> None:
    """The instructor link on another device: this session leads the class."""
    s = st.session_state
    try:
        code = classroom.normalise_code(code_text)
    except ValueError:
        code = None
    if code is None or not store().is_instructor(code, key):
        s[NOTICE] = (
            "error",
            "This instructor link is not valid: the class has ended or expired, or the link "
            "is incomplete. Start a new class on the Class page.",
        )
        return
    _leave()
    s[ROLE], s[CODE], s[KEY] = "instructor", code, key
    s[NOTICE] = ("success", f"You lead class {code} from this device. Open **Step through** to drive it.")


def join(code_text: str, nickname: str, me: str | None = None) -> bool:
    """A student joins by code (typed or from the link); a message names what went wrong. With `me`, the
    student id of a reloaded page: if the class knows it, the page rejoins as that student."""
    s = st.session_state
    try:
        state = store().lookup(code_text, _session_id())
    except WrongCodes as err:
        s[NOTICE] = ("error", str(err))
        return False
    except NoSuchClass:
        s[NOTICE] = (
            "error",
            "No class has that code: check it, or ask for the link. (A class ends when its "
            "instructor ends it, or after 3 hours without activity.)",
        )
        return False
    if state.ended:
        s[NOTICE] = ("info", f"Class {state.code} has ended.")
        return False
    student = s.get(STUDENT) if s.get(CODE) == state.code else None
    known = store().member(state.code, me) if me and not student else None
    if known is not None:  # a reload: the same student, with the nickname they joined with
        student, nickname = me, known
    _leave()
    student = student or secrets.token_urlsafe(9)
    try:
        store().join(state.code, student, nickname)
    except NoSuchClass:
        s[NOTICE] = ("info", f"Class {state.code} has ended.")
        return False
    s[ROLE], s[CODE], s[STUDENT], s[NICK] = "student", state.code, student, classroom.clean_nickname(nickname)
    _follow_state(state)
    if known is not None:
        _restore_answer(state, student)
        s[NOTICE] = ("success", f"Back in class {state.code}. Your page follows the instructor.")
    else:
        s[NOTICE] = ("success", f"You joined class {state.code}. Your page follows the instructor.")
    return True


def _restore_answer(state: classroom.ClassState, student: str) -> None:
    """A rejoining student's answer to the open question, shown as theirs again (it is still counted once)."""
    q = state.question
    if not q:
        return
    mine = store().my_answer(state.code, q["id"], student)
    if mine is None:
        return
    s = st.session_state
    s.setdefault(ANSWERS, {})[q["id"]] = mine
    if q.get("revealed") == "0":  # the answer widget, drawn with their choice
        k, _, j = mine.partition(",")
        s[f"class_answer_{state.code}_{q['id']}"] = mine if q.get("kind") == quiz.SIGN else (int(k), int(j))


def _follow_state(state: classroom.ClassState) -> None:
    s = st.session_state
    s[FOLLOWING], s[SEEN], s[PENDING], s["class_state"] = True, state.version, state.moment, state


def explore() -> None:
    before_widgets()  # from the moment the page shows (it may have drawn moves the session has not taken)
    st.session_state[FOLLOWING] = False


def follow_again() -> None:
    s = st.session_state
    try:
        state = store().state(s.get(CODE, ""))
    except StoreUnavailable as err:
        _offline(err)
        return
    if state is None or state.ended:
        _leave(("info", "The class has ended. You keep this moment and can explore on your own."))
        return
    _follow_state(state)
    st.rerun()  # the whole page: the button sits in the step-through fragment, the moment is set before it


def end_class() -> None:
    s = st.session_state
    try:
        store().end(s[CODE], s[KEY])
    except (NoSuchClass, Forbidden):
        pass
    except StoreUnavailable as err:
        _offline(err)
        s[NOTICE] = ("error", "The class server can't be reached: the class was not ended. Try again.")
        return
    s["class_ended"] = (s[CODE], s[KEY])  # the results stay readable on the Class page
    _leave(("success", "The class has ended. Students keep the last moment and explore on their own."))


def show_notice() -> None:
    if notice := st.session_state.pop(NOTICE, None):
        kind, text = notice
        getattr(st, kind)(text)


# --- the step-through page: following --------------------------------------------------------------------
def draws_moves() -> bool:
    """Whether this page draws the instructor's moves in the browser, without running (follow_view): a
    following student's page where this process serves the class feed, out of presenter mode."""
    return following() and class_feed.served() and not presenter.on()


def before_widgets() -> None:
    """On the step-through page, before its widgets are drawn (or in a callback, before the lesson is read): a
    following student's page takes the instructor's moment waiting to be applied. A page that draws the moves
    in the browser (`draws_moves`) may have drawn moves its session has not taken: it reads the class first."""
    s = st.session_state
    if draws_moves():
        _take_version()
    moment = s.pop(PENDING, None)
    if moment is None or not following():
        return
    from backprop.ui import url_state  # the step-through page's link: the one encoding of a moment

    values, _ = url_codec.decode(moment, url_codec.FIELDS)
    before, _ = url_codec.decode(s.get(APPLIED) or {}, url_codec.FIELDS)
    lesson: Lesson | None = s.get("lesson")
    same_network = (
        lesson is not None and s.get(APPLIED) is not None and all(values.get(k) == before.get(k) for k in NETWORK_KEYS)
    )
    if same_network and lesson is not None and _move_to(lesson, values, before):
        pass
    else:
        url_state.open_link(moment)  # widgets and position, as the instructor's link would set them
        s.pop("lesson", None)  # rebuilt from the widgets at iteration 1, then placed
        s.pop("url_problems", None)
    s[APPLIED] = moment
    s["class_just_applied"] = True


def _move_to(lesson: Lesson, values: dict, before: dict) -> bool:
    """The same network and sample at another iteration, step or weight (`before`: the moment applied last);
    False if that can't be done here. The chosen weight is set only when the instructor chose another: a
    student's own choice, made while the page drew moves in the browser, stays theirs (and detaches them)."""
    it, index = values.get("it", 1), values.get("step", 0)
    try:
        if it <= lesson.iteration:
            networks = lesson.networks[:it]
        else:
            moved = lesson
            while moved.iteration < it:
                moved = moved.run_to_end().forward()
            networks = moved.networks
        new = Lesson(networks, lesson.x, lesson.y, lesson.cost, lesson.learning_rate, 0)
        if not 0 <= index <= new.last:
            return False
        new = Lesson(networks, lesson.x, lesson.y, lesson.cost, lesson.learning_rate, index)
    except ValueError:
        return False
    s = st.session_state
    s["lesson"] = new
    if (w := values.get("w")) and w != before.get("w"):
        s["pick_l"], s["pick_k"], s["pick_j"] = w
    return True


def mark_url() -> None:
    """A student's address bar keeps ?class=CODE&me=ID, so a reload rejoins as the same student (after
    url_state.write, which sets the moment's parameters). "Copy link" leaves both out."""
    s = st.session_state
    if s.get(ROLE) == "student":
        st.query_params["class"], st.query_params["me"] = s[CODE], s[STUDENT]


def in_view(settings, lesson: Lesson, selected: tuple[int, int, int]) -> None:
    """Inside the step-through view, each run: the instructor publishes the moment (and reveals a question
    stepped past); a student's own change ends following; then the class panel."""
    s = st.session_state
    role = s.get(ROLE)
    if role is None or settings is None:
        return
    from backprop.ui import url_state

    moment = url_codec.encode(url_state.params(settings, lesson, selected), url_codec.FIELDS)
    if role == "instructor":
        _sync_instructor(moment, lesson)
        if not presenter.on():  # projected, the class sits in the row of step buttons (in_row) instead
            instructor_panel(lesson)
    else:
        if s.pop("class_just_applied", False):
            # The instructor's moment as this page encodes it. On a page that draws moves in the browser, the
            # run that takes the class's moment may also carry the student's own change (a weight chosen after
            # moves the session had not taken): that is the applied moment, and the change still detaches.
            s[MINE] = _without_present(s[APPLIED]) if draws_moves() else moment
        if following() and s.get(MINE) is not None and _without_present(moment) != _without_present(s[MINE]):
            s[FOLLOWING] = False
            st.toast(
                "You're exploring on your own now. **Follow again** returns to the instructor.",
                icon=":material/explore:",
            )
        student_panel(lesson)


def _without_present(moment: dict) -> dict:
    """A moment as following compares it: the instructor's presenter mode is theirs alone."""
    return {k: v for k, v in moment.items() if k != "present"}


def _sync_instructor(moment: dict, lesson: Lesson) -> None:
    """Without the feed (no view to build), the moment is published at once, with the reveal of a question
    stepped past: one change for the students' polls. With it, after the view (after_view)."""
    s = st.session_state
    s["class_now"] = moment
    if not class_feed.served() and moment != s.get(PUBLISHED) and s.get(ROLE) == "instructor":
        _as_instructor(lambda: _publish(lesson, None))


def _as_instructor(action) -> None:
    """Run the instructor's store `action`; an unreachable store or an ended class is said on the page."""
    try:
        action()
        _online()
    except StoreUnavailable as err:
        _offline(err)
    except (NoSuchClass, Forbidden):
        _leave(("warning", "The class has ended (3 hours without activity, or ended elsewhere)."))


def after_view(lesson: Lesson, selected: tuple[int, int, int]) -> None:
    """At the end of the step-through view's run, the instructor: publish the moment, if it changed, with its
    view for the class's pages (follow_view.build). After the view, so that the instructor's own page is
    drawn first; the view costs the instructor's session one build per move, instead of each student's."""
    s = st.session_state
    moment = s.get("class_now")
    if s.get(ROLE) != "instructor" or moment is None or moment == s.get(PUBLISHED):
        return
    _as_instructor(lambda: _publish(lesson, selected))


def _publish(lesson: Lesson, selected: tuple[int, int, int] | None) -> None:
    """Publish the instructor's moment, with its view (none without `selected`: where no page draws views). A
    question whose step the moment has taken is revealed in the same change: the students' pages draw the
    step, the answer and their verdict together."""
    s = st.session_state
    moment = s["class_now"]
    q = s.get("class_question")
    revealing = q is not None and q.get("revealed") != "1" and _stepped_past(lesson, q)
    if revealing:
        assert q is not None
        q = {**q, "revealed": "1", "correct": _correct(q, lesson)}
    view = None
    if selected is not None:
        view = follow_view.build(lesson, selected, follow_view.signature(moment), question_block(q, lesson))
    if revealing:
        assert q is not None
        s["class_last_result"] = store().reveal(s[CODE], s[KEY], q["id"], q["correct"], moment=moment, view=view)
        s["class_question"] = q
    else:
        store().publish(s[CODE], s[KEY], moment, view=view)
    s[PUBLISHED] = moment


def question_block(q: dict | None, lesson: Lesson) -> dict | None:
    """The class's question `q` as a following page's stage draws it (follow_view.build), or None where a
    student's page shows none: no question, or the lesson is in another iteration. The answer and its deciding
    equation are in it only once the question is revealed."""
    if not q or int(q["it"]) != lesson.iteration:
        return None
    asked = quiz.question(lesson.trace, int(q["l"]), int(q["it"]))
    if asked.kind == quiz.SIGN:
        options = [[w, w] for w in quiz.SIGNS]
    else:
        n_k, n_j = lesson.network.sizes[asked.l], lesson.network.sizes[asked.l - 1]
        options = [[f"{k},{j}", _shown(asked.kind, f"{k},{j}")] for k in range(n_k) for j in range(n_j)]
    block = {"id": q["id"], "kind": asked.kind, "prompt": asked.prompt(), "options": options, "revealed": False}
    if q.get("revealed") == "1":
        correct = q.get("correct") or _encode(asked, asked.answer)
        block.update(
            revealed=True,
            correct=correct,
            shown=_shown(asked.kind, correct),
            explanation=quiz.explanation(lesson.trace, asked),
        )
    return block


def browser_stage():
    """The stage that draws a following student's lesson in the browser (see follow_view), for
    lesson_view.lesson_view; None where the page draws it itself."""
    if not draws_moves():
        return None

    def draw(lesson: Lesson, selected: tuple[int, int, int]) -> None:
        s = st.session_state
        state = s.get("class_state")
        sig = follow_view.signature(s.get(APPLIED) or {})
        block = question_block(state.question if state else None, lesson)
        narrow = {"px": keys.NARROW_PX, "height": min(natural_height(lesson.network.sizes), lesson_view.PHONE_DIAGRAM)}
        view = follow_view.build(lesson, selected, sig, block)
        follow_view.stage(view, s.get(SEEN) or 0, sig, narrow, answer=_answering(block))

    return draw


def _answering(block: dict | None) -> dict:
    """What the stage needs to send this student's answers (class_feed.ANSWER_PATH) and to show the one they
    gave to the question in `block`: the store's, which the stage's own sends and the page's widget both set."""
    s = st.session_state
    mine = {}
    if block is not None:
        try:
            given = store().my_answer(s[CODE], block["id"], s[STUDENT])
        except StoreUnavailable:
            given = s.get(ANSWERS, {}).get(block["id"])
        if given is not None:
            mine[block["id"]] = given
    return {"url": _feed_url(class_feed.ANSWER_PATH), "mine": mine}


def _feed_url(path: str) -> str:
    """The class feed's `path` (class_feed.PATH or ANSWER_PATH) for this student, under the app's base path."""
    s = st.session_state
    base = urlsplit(_link_base()).path.rstrip("/")
    return f"{base}{path}?{urlencode({'c': s[CODE], 'me': s[STUDENT]})}"


def _stepped_past(lesson: Lesson, q: dict) -> bool:
    it, index = int(q["it"]), int(q["step"])
    return lesson.iteration > it or (lesson.iteration == it and lesson.index >= index)


def _question_for(lesson: Lesson) -> quiz.Question | None:
    """The question before the next step, if it is a backward step."""
    if lesson.index >= lesson.last:
        return None
    nxt = timeline_step(lesson.network.L, lesson.index + 1)
    if nxt.kind != BACKWARD:
        return None
    assert nxt.layer is not None  # a BACKWARD step names its layer
    return quiz.question(lesson.trace, nxt.layer, lesson.iteration)


def _encode(q: quiz.Question, response) -> str:
    return response if q.kind == quiz.SIGN else f"{int(response[0])},{int(response[1])}"


def _shown(q_kind: str, text: str) -> str:
    if q_kind == quiz.SIGN:
        return text
    k, j = (int(v) for v in text.split(","))
    return f"k = {k + 1}, j = {j + 1}"


def _ask(lesson: Lesson) -> None:
    s = st.session_state
    q = _question_for(lesson)
    if q is None or _asked(lesson, s.get("class_question")):
        return  # asked already: one click delivered twice (see lesson_view._on_move) must not ask again
    sizes = lesson.network.sizes
    payload = {
        "it": str(lesson.iteration),
        "step": str(lesson.index + 1),
        "l": str(q.l),
        "kind": q.kind,
        "label": q.prompt(),
        "shape": f"{sizes[q.l]},{sizes[q.l - 1]}",  # what a cell answer sent to the class feed is checked against
    }
    try:
        if class_feed.served():  # the students' pages draw the question: it opens with its view, one change
            from backprop.ui import settings

            qid = store().new_question_id(s[CODE], s[KEY])
            moment = s.get(PUBLISHED) or s.get("class_now") or {}
            block = question_block({**payload, "id": qid, "revealed": "0"}, lesson)
            view = follow_view.build(lesson, settings.shared_selection(lesson), follow_view.signature(moment), block)
            store().open_question(s[CODE], s[KEY], payload, qid=qid, view=view)
        else:
            qid = store().open_question(s[CODE], s[KEY], payload)
    except StoreUnavailable as err:
        _offline(err)
        return
    except (NoSuchClass, Forbidden):
        _leave(("warning", "The class has ended."))
        return
    s["class_question"] = {**payload, "id": qid, "revealed": "0"}
    s["class_show_counts"] = False


def _correct(q: dict, lesson: Lesson) -> str:
    """The answer to question `q`, from the network of its iteration (the instructor may have stepped beyond it)."""
    it, l = int(q["it"]), int(q["l"])
    networks = lesson.networks[:it] if it <= lesson.iteration else lesson.networks
    asked = quiz.question(Lesson(networks, lesson.x, lesson.y, lesson.cost, lesson.learning_rate).trace, l, it)
    return _encode(asked, asked.answer)


def _asked(lesson: Lesson, q: dict | None) -> bool:
    """Whether the question before the lesson's next step is open (asked and not yet revealed)."""
    return bool(
        q and q.get("revealed") == "0" and int(q["step"]) == lesson.index + 1 and int(q["it"]) == lesson.iteration
    )


def _ask_button(where, lesson: Lesson, q: dict | None) -> None:
    """Ask the class, before a backward step whose question is not already open."""
    nxt = _question_for(lesson)
    if nxt is not None and not _asked(lesson, q):
        where.button(
            "Ask the class",
            icon=":material/how_to_vote:",
            on_click=_ask,
            args=(lesson,),
            key="class_ask",
            help="Students predict the next step on their screens; Step reveals it.",
        )


def instructor_panel(lesson: Lesson) -> None:
    """The instructor's class bar above the step buttons: students follow; ask the next question; how many
    answered (out of presenter mode; projected, in_row and below_view share this out)."""
    s = st.session_state
    box = st.container(border=True)
    code = s[CODE]
    c = box.columns([3, 2], vertical_alignment="center")
    c[0].markdown(f"**Leading class {code}** · students follow every step · join code on the **Class** page")
    if s.get(OFFLINE):
        box.warning(
            "The class server can't be reached: students don't see your steps until it is back. "
            "You can keep stepping; your page catches the class up by itself.",
            icon=":material/cloud_off:",
        )
    _ask_button(c[1], lesson, s.get("class_question"))
    with box:
        _live_counts()


def header_bar() -> None:
    """Presenter mode, the instructor: the class in one line in the page's header, beside the app's menu,
    where it takes no room from the projected stage: the code, how many answered (live), Ask the class."""
    s = st.session_state
    if s.get(ROLE) == "instructor" and presenter.on():  # its CSS: HEADER_CSS, in the page's style (lesson_view)
        with st.container(horizontal=True, vertical_alignment="center", gap="small", key="class_bar"):
            _header_line()


# Fixed in the header's empty middle: out of the page's flow, so the stage below keeps its place.
HEADER_CSS = """
.st-key-class_bar { position: fixed; top: 0.3rem; right: 4rem; z-index: 1000010; width: auto !important;
  background: var(--st-background-color, white); padding: 0 0.5rem; }
.st-key-class_bar p { margin: 0; font-size: 0.8rem; white-space: nowrap; }
.st-key-class_bar button { min-height: 0; padding: 0.1rem 0.6rem; }
.st-key-class_bar button p { font-size: 0.8rem; }
"""


@st.fragment(run_every=LIVE_SECONDS)
def _header_line() -> None:
    """Redrawn every LIVE_SECONDS on its own (a step reruns only the lesson's fragment, so Ask the class may
    show for up to that long after a step past a backward one; pressed then, it asks nothing)."""
    lesson: Lesson | None = st.session_state.get("lesson")
    if lesson is not None:
        _ask_button(st, lesson, st.session_state.get("class_question"))
    _counts(compact=True)


def below_view() -> None:
    """Presenter mode, the instructor: below the screen, the open question, the answers so far on request and
    the last result, in full."""
    s = st.session_state
    if s.get(ROLE) != "instructor" or not presenter.on():
        return
    with st.container(border=True, key="class_details"):
        st.markdown(f"**Leading class {s[CODE]}** · students follow every step · join code on the **Class** page")
        _live_counts()


@st.fragment(run_every=LIVE_SECONDS)
def _live_counts() -> None:
    """The open question's answers so far, refreshing itself (see _counts)."""
    _counts()


def _counts(compact: bool = False) -> None:
    """The open question's answers so far (and the distribution, on request); after the reveal, the result.
    Refreshes itself; it also publishes a moment that could not be sent while the store was unreachable.
    `compact`: one short line, for the row of step buttons."""
    s = st.session_state
    if s.get(ROLE) != "instructor":
        return
    q = s.get("class_question")
    try:
        if s.get(OFFLINE) and s.get("class_now") is not None and s.get("class_now") != s.get(PUBLISHED):
            selected = tuple(s.get("selected", (1, 0, 0))) if class_feed.served() else None
            _publish(s["lesson"], selected)  # the last publish found the store down
        n = store().count(s[CODE], q["id"]) if q else 0
        want = q is not None and s.get("class_show_counts") and not compact
        dist = store().distribution(s[CODE], s[KEY], q["id"]) if q is not None and want else None
        if s.get(OFFLINE):
            _online()
            st.rerun(scope="app")
    except StoreUnavailable:
        if not s.get(OFFLINE):
            s[OFFLINE] = True
            st.rerun(scope="app")
        if compact:
            st.markdown(f"Class **{s[CODE]}** · :red[class server unreachable]")
        return
    except (NoSuchClass, Forbidden):
        return
    result = s.get("class_last_result")
    if compact:
        if not q:
            line = "students follow"
        elif q.get("revealed") == "1" and result is not None and result.id == q["id"]:
            line = f"**{result.right} of {result.answered}** predicted it"
        else:
            line = f"**{n} answered**"
        st.markdown(f"Class **{s[CODE]}** · {line}")
        return
    if not q:
        return
    st.markdown(f"**{q['label']}**")
    if q.get("revealed") == "1":
        if result is not None and result.id == q["id"]:
            st.markdown(
                f"Revealed: **{_shown(q['kind'], result.correct)}** — {result.right} of {result.answered} "
                "predicted it." + (" " + _counts_text(q["kind"], result.counts) if result.counts else "")
            )
        return
    st.markdown(f"**{n} answered** so far. **Step** reveals the answer to everybody.")
    st.toggle("Show the answers so far", key="class_show_counts")
    if dist is not None:
        st.markdown(_counts_text(q["kind"], dist) if dist else "No answers yet.")


def _counts_text(kind: str, counts: dict[str, int]) -> str:
    return " · ".join(f"{_shown(kind, a)}: {n}" for a, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def student_panel(lesson: Lesson) -> None:
    """A student's class bar: following or exploring, the class's question, the verdict after the reveal."""
    s = st.session_state
    box = st.container(border=True)
    c = box.columns([4, 1.3], vertical_alignment="center")
    if following():
        c[0].markdown(f"**Following the instructor** · class {s[CODE]}")
        c[1].button(
            "Explore on my own", icon=":material/explore:", on_click=explore, key="class_explore", width="stretch"
        )
    else:
        c[0].markdown(f"**Exploring on your own** · class {s[CODE]}")
        c[1].button(
            "Follow again",
            icon=":material/group:",
            on_click=follow_again,
            key="class_follow",
            type="primary",
            width="stretch",
        )
    if s.get(NICK):
        c[0].text(f"Your nickname: {s[NICK]}")  # plain text: a nickname is never read as Markdown
    if s.get(OFFLINE):
        box.warning(
            "The class server can't be reached: your page follows again as soon as it is back. "
            "Meanwhile you can step on your own.",
            icon=":material/cloud_off:",
        )
    if draws_moves():
        return  # the question, the answer and the verdict: drawn by the stage (follow_view, question_block)
    state = s.get("class_state")
    q = state.question if state is not None else None
    if not q or not following():
        if q and q.get("revealed") == "0":
            box.caption("The instructor asked the class a question: **Follow again** to answer it.")
        return
    asked = quiz.question(lesson.trace, int(q["l"]), int(q["it"])) if int(q["it"]) == lesson.iteration else None
    if asked is None:
        return
    if q.get("revealed") == "0":
        _answer_widget(box, asked, q["id"])
        return
    mine = s.setdefault(ANSWERS, {}).get(q["id"])
    correct = _shown(asked.kind, q.get("correct", _encode(asked, asked.answer)))
    if mine is None:
        box.info(f"The answer: {correct}. (You didn't answer this one.)")
    elif mine == q.get("correct"):
        box.success(f"Right: {correct}.")
    else:
        box.error(f"Not quite: you said {_shown(asked.kind, mine)}; the answer is {correct}.")
    box.latex(quiz.explanation(lesson.trace, asked))


def _answer_widget(box, asked: quiz.Question, qid: str) -> None:
    s = st.session_state
    key = f"class_answer_{s[CODE]}_{qid}"
    if asked.kind == quiz.SIGN:
        box.radio(
            asked.prompt(),
            quiz.SIGNS,
            index=None,
            horizontal=True,
            key=key,
            on_change=_send_answer,
            args=(key, asked.kind, qid),
        )
    else:
        n_k, n_j = asked_shape(asked)
        lesson_view.cell_choice(box, asked.prompt(), n_k, n_j, key, on_change=_send_answer, args=(key, asked.kind, qid))
    mine = s.get(ANSWERS, {}).get(qid)
    if s.pop("class_refused", None) == qid:
        box.warning("Too late: the answer has been revealed.")
    elif mine is not None:
        box.caption(f"Your answer: **{_shown(asked.kind, mine)}** — you can change it until the instructor steps.")
    else:
        box.caption("Answer on your screen; the instructor's Step reveals it.")


def asked_shape(asked: quiz.Question) -> tuple[int, int]:
    lesson: Lesson = st.session_state["lesson"]
    sizes = lesson.network.sizes
    return sizes[asked.l], sizes[asked.l - 1]


def _send_answer(key: str, kind: str, qid: str) -> None:
    s = st.session_state
    response = s.get(key)
    if response is None:
        return
    text = response if kind == quiz.SIGN else f"{int(response[0])},{int(response[1])}"
    try:
        if store().answer(s[CODE], qid, s[STUDENT], text):
            s.setdefault(ANSWERS, {})[qid] = text
        else:
            s["class_refused"] = qid
    except StoreUnavailable as err:
        _offline(err)


def poll() -> None:
    """On the step-through page of a student in a class: learn of the instructor's moves. Where this process
    serves the class feed (class_feed.py), the browser waits on it and the page runs only on a change; else a
    fragment checks the class's version every POLL_SECONDS on the server."""
    if st.session_state.get(ROLE) != "student":
        return
    if class_feed.served():
        _follow_feed()
    else:
        _poll()


def _take_version() -> bool:
    """Read the class's version; on a change, keep the new state (and the instructor's moment, to be applied
    before the widgets are drawn). True if the page must run again to show what changed."""
    s = st.session_state
    try:
        v = store().version(s[CODE])
        state = None if v == s.get(SEEN) else store().state(s[CODE])
    except StoreUnavailable:
        if not s.get(OFFLINE):
            s[OFFLINE] = True
            return True
        return False
    was_offline = s.get(OFFLINE)
    s[OFFLINE] = False
    if v == s.get(SEEN):
        return bool(was_offline)
    if state is None or state.ended:
        s.pop("class_state", None)
        _leave(("info", "The class has ended. You keep the last moment and can explore on your own."))
        return True
    s[SEEN], s["class_state"] = state.version, state
    if following() and state.moment != s.get(APPLIED):
        s[PENDING] = state.moment
    return True


@st.fragment(run_every=POLL_SECONDS)
def _poll() -> None:
    """Draws nothing while nothing changed: one version read per tick. On a change, the whole page runs
    again with the new state (the instructor's moment is applied before the widgets are drawn)."""
    if st.session_state.get(ROLE) == "student" and _take_version():
        st.rerun(scope="app")


# The browser's half of the feed: a long poll. Ask the endpoint with the version this page drew; it answers
# when the class moved (or after a while, when it is asked again). On a page that draws moves in the browser
# (`draws`), the answer carries the instructor's view of the moment when it has one for that version: if the
# page's stage (follow_view) is in the page and the view's signature is the page's, the stage draws it and
# nothing is sent to Streamlit. Else, when the version or the store's reachability differs from what the page
# drew, send one trigger, which runs the page (the component sits outside every fragment). One loop per tab:
# each call of this function starts its own and ends the last.
_FEED_JS = """
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
export default function ({ data, setTriggerValue }) {
  const g = window.__bplClassFeed || (window.__bplClassFeed = { n: 0, asked: null, run: 0, stop: null });
  if (g.url !== data.url) g.drawn = -1;  // another class (or student): versions start afresh
  g.url = data.url;
  g.data = data;
  g.send = setTriggerValue;
  if (g.stop) g.stop();
  const run = ++g.run;
  const ctl = new AbortController();
  g.stop = () => { g.run++; ctl.abort(); };
  (async () => {
    while (run === g.run) {
      const d = g.data;
      const seen = d.draws && d.seen !== null ? Math.max(d.seen, g.drawn) : d.seen;  // drawn by the stage
      let v = seen, offline = false, view = null;
      try {
        const url = d.url + (d.draws ? '&view=1' : '') + '&v=' + (seen ?? '');
        const r = await fetch(url, { cache: 'no-store', signal: ctl.signal });
        if (r.status === 503) offline = true;
        else if (r.ok && (r.headers.get('content-type') || '').includes('json')) {
          const body = await r.json();
          v = body.v;
          view = body.view || null;
        } else { await sleep(d.every); continue; }  // not the feed's answer (a proxy's error page)
      } catch (e) {
        if (run !== g.run) return;  // this loop was ended
        await sleep(d.every);  // unreachable: Streamlit's own connection notice says so; try again
        continue;
      }
      if (run !== g.run) return;
      if (v === seen && offline === d.offline) { g.asked = null; continue; }  // held, nothing moved: again
      const stage = window.__bplStage && window.__bplStage.box.isConnected ? window.__bplStage : null;
      if (d.draws && !offline && !d.offline && view && typeof v === 'number' && stage && view.sig === stage.sig) {
        g.drawn = v;
        g.drawnViews = (g.drawnViews || 0) + 1;  // read by the tests
        stage.render(view, v);
        continue;
      }
      const what = v + '/' + offline;
      if (!(g.asked && g.asked.what === what && Date.now() - g.asked.at < 5000)) {  // else its run is on its way
        g.asked = { what, at: Date.now() };
        g.send('moved', { v, offline, n: ++g.n });
      }
      await sleep(d.every);  // the answer comes at once while the page has not drawn it: not a busy loop
    }
  })();
  return () => { if (run === g.run) g.stop(); };
}
"""
_feed = st.components.v2.component("backprop_lab.class_feed", js=_FEED_JS)


def _on_feed() -> None:
    """The browser saw the version change: read the new state before the page runs."""
    if st.session_state.get(ROLE) == "student":
        _take_version()


def _follow_feed() -> None:
    s = st.session_state
    _feed(
        key="class_feed",
        data={
            "url": _feed_url(class_feed.PATH),
            "seen": s.get(SEEN),
            "offline": bool(s.get(OFFLINE)),
            "every": int(FEED_SECONDS * 1000),
            "draws": draws_moves(),
        },
        on_moved_change=_on_feed,
        width="content",
        height="content",
    )


# --- the Class page ----------------------------------------------------------------------------------------
def _current_moment() -> dict[str, str]:
    """The step-through page's moment in this session (the default example before it was opened)."""
    from backprop.ui import settings, url_state

    config = settings.settings_from_state()
    lesson = settings.shared_lesson()
    return url_codec.encode(url_state.params(config, lesson, settings.shared_selection(lesson)), url_codec.FIELDS)


def _start() -> None:
    try:
        start(_current_moment())
    except StoreUnavailable:
        st.session_state[NOTICE] = (
            "error",
            "The class server can't be reached, so no class was started. "
            "Try again in a moment; stepping alone works meanwhile.",
        )


def _join_typed() -> None:
    s = st.session_state
    if join(s.get("class_code_typed", ""), s.get("class_nick_typed", "")):
        s["class_go"] = True


def class_page() -> None:
    """Start a class, or join one; while in a class, what the role needs."""
    s = st.session_state
    st.title("Class")
    show_notice()
    if s.pop("class_go", False):
        st.switch_page("pages/step_through.py")
    role = s.get(ROLE)
    if role == "instructor":
        _instructor_page()
    elif role == "student":
        _student_page()
    else:
        _lobby()
    if ended := s.get("class_ended"):
        code, key = ended  # (code, instructor key), as the instructor's End button keeps them
        _results(code, key, title="Results of the class you ended")


def _lobby() -> None:
    st.markdown(
        "In a class, every student's **Step through** page follows the instructor's: the same network, "
        "sample, step and chosen weight, and the whole room predicts each backward step before it is "
        "revealed."
    )
    left, right = st.columns(2, gap="large")
    with left.container(border=True):
        st.subheader("Lead a class")
        st.markdown(
            "Start from the network and step on your **Step through** page now. You get a join code, "
            "a link and a QR code to project."
        )
        st.button("Start a class", icon=":material/co_present:", type="primary", on_click=_start, key="class_start")
    with right.container(border=True):
        st.subheader("Join a class")
        with st.form("class_join", border=False):
            st.text_input("Class code", key="class_code_typed", max_chars=12, placeholder="K7QM4T")
            st.text_input(
                "Nickname (optional, shown to the instructor)", key="class_nick_typed", max_chars=classroom.NICKNAME_MAX
            )
            st.form_submit_button("Join", icon=":material/login:", on_click=_join_typed)


def _instructor_page() -> None:
    s = st.session_state
    code, key = s[CODE], s[KEY]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown("Join code")
        st.markdown(
            f"<div style='font-size:4.5rem;font-weight:700;letter-spacing:0.15em;line-height:1.1'>{code}</div>",
            unsafe_allow_html=True,
        )  # the code is six characters of CODE_ALPHABET
        st.markdown("Join link")
        st.code(join_link(code), language=None, wrap_lines=True)
        st.page_link(
            "pages/step_through.py", label="Go to Step through: your steps drive the class", icon=":material/footprint:"
        )
        with st.expander("Instructor link (keep it private: it lets whoever has it drive the class)"):
            st.caption("Open it on another device to lead this class from there.")
            st.code(instructor_link(code, key), language=None, wrap_lines=True)
        st.button(
            "End the class",
            icon=":material/stop_circle:",
            on_click=end_class,
            key="class_end",
            help="Students stop following and keep the last moment; the results stay here.",
        )
    with right:
        st.image(qr_png(join_link(code)), caption=f"Scan to join class {code}", width="stretch")
    _results(code, key)


def _results(code: str, key: str, title: str = "Results so far") -> None:
    try:
        results = store().results(code, key)
    except StoreUnavailable:
        st.warning("The class server can't be reached: results can't be shown right now.")
        return
    except (NoSuchClass, Forbidden):
        return
    st.subheader(title)
    if not results:
        st.caption("No question revealed yet. On the Step through page, **Ask the class** before a backward step.")
        return
    for n, r in enumerate(results, start=1):
        kind = r.question.get("kind", quiz.SIGN)
        st.markdown(
            f"**{n}.** {r.question.get('label', '')}  \n"
            f"Answer **{_shown(kind, r.correct)}**: {r.right} of {r.answered} right"
            + (f" · {_counts_text(kind, r.counts)}" if r.counts else "")
        )
        if r.named:
            st.text(" · ".join(f"{name}: {_shown(kind, a)}" for name, a in sorted(r.named.items())))


def _student_page() -> None:
    s = st.session_state
    st.markdown(f"You are in class **{s[CODE]}**.")
    if s.get(NICK):
        st.text(f"Your nickname: {s[NICK]}")  # plain text, never Markdown
    st.page_link(
        "pages/step_through.py", label="Go to Step through to follow the instructor", icon=":material/footprint:"
    )
    st.button(
        "Leave the class",
        icon=":material/logout:",
        on_click=_leave,
        args=(("info", "You left the class."),),
        key="class_leave",
    )
