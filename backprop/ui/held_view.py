"""The step-through lesson stepped by the browser: every step of the iteration held in the page, the next one
drawn ahead out of sight, so a Step (a click, a clicker's PageDown) shows it at once.

Why: a step drawn by a Streamlit run of the lesson's ~60 elements cost 3.4-4.1x a one-button app's click in
headless Chromium (benchmarks/bench_browser.py), against issue 13's 1.5x (2-2-2) and 3x (the largest network).
Most of it was the browser's: React re-rendering every element of the run (about 220 ms a click), the page's
layout (about 150 ms), then Plotly (about 70 ms); the server's run was about 90 ms. A prototype that drew the
step from held views and ran only the row of step buttons measured 1.1x and 2.6x.

How: the page runs five fragments. `steps` is the row of step buttons, the progress line (`_line`, which the
stage writes), the Copy link button and `_sync`, which tells the page the step the session is at: a press runs
only this row, as small a run as the one-button app's. `lesson_part` holds the stage (static/held_view.js),
`whatif` the chosen weight's What if? box, `nudge` the views one arrow key of its slider away (below), `more`
the weight picker and the downloads. The stage gets the views of every
step of the iteration (follow_view.build, as a following student's page draws them: the diagram, the step's
equations, the chain rule and, once revealed, the plot of C against the chosen weight, the gradients; in
presenter mode, lesson_view.stage's layout, sized for the window), draws the session's step, and draws the
next one out of sight. On a press, the stage shows its step before the press reaches the server; `_sync` then
confirms it, or brings the page back to the session's step (a step that cannot be taken says why). A new
iteration (its network is new) makes `steps` run the whole page. An edit (the What if? slider) runs `steps` (its
link holds the edit), `lesson_part` and `whatif` (st.rerun of them by key, from its callback: not the sidebar,
the sample, the picker and the downloads, which read the edited lesson when a file is asked for), whose stage
then gets the view of the step shown alone: a slider being dragged costs one view a move, not one per step. Once
the slider rests, the stage asks for the others (its "fill" trigger); a press before that runs `lesson_part`
too. Another chosen weight runs all of them.

An arrow key on the slider is drawn before the server answers: while the slider has the focus, the stage asks
for (`nudge`) the view of the step shown for each value one key moves it to, and draws them out of sight. A key
that moves the slider to one shows it; the server finds the same network, entry for entry, among the ones it
sent (`edited`), and runs the What if? box alone: a move as small a run as a press. Measured with
benchmarks/bench_browser.py, a move went from 4.2-4.9x a one-button app's click (the edit's run of the stage) to
about 1.5x.

Where the page shows more than the views hold, the lesson runs as before (lesson_view): predicting (a question
gates each backward step), in a class (the instructor publishes each step; a student's page follows hers) and
with autoplay (the server moves the lesson).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Final, NamedTuple

import numpy as np
import streamlit as st

from backprop.figures.network import natural_height
from backprop.lesson import edits as ed
from backprop.lesson.progress import Lesson
from backprop.network import Network
from backprop.ui import edit_view, follow_view, keys, lesson_view, presenter, worksheet_view
from backprop.ui.live_chart import STATIC_DIR, static_url, trigger_value

STAGE_JS: Final = "held_view.js"
VIEWS = "_held_views"  # session: (what they were built from, token, the views)
NOT_BUILT: Final = "false"  # a step's view not built yet (an edit builds the step shown only; see views)
EDITED = "_held_edited"  # session: set by an edit's callback, for the lesson fragment's run it causes
DRAWN = "_held_drawn"  # session: what the lesson fragment last drew (see _drawn)
ROW = "_held_row"  # session: the network and chosen weight the step row last drew (its link holds them)
MOVES = "_held_moves"  # session: the step buttons' presses so far (the stage counts its own)
SID = "_held_sid"  # session: a name for it, so that a page whose server restarted counts presses afresh
STEPS_KEY: Final = "held_steps"  # the fragments' keys, for st.rerun of both (rerun_parts)
LESSON_KEY: Final = "held_lesson"
MORE_KEY: Final = "held_more"
SHEET = "_held_sheet"  # session: [what the downloads build] (worksheet_view.source), set by the lesson fragment
WHATIF_KEY: Final = "held_whatif"
NUDGE_KEY: Final = "held_nudge"
BOX = "_held_box"  # session: the network the What if? box last drew
NUDGE = "_held_nudge"  # session: (what the views were built from, step, network, [Nudge]): the nudges last sent


def on(autoplay: float | None) -> bool:
    """Whether this page's lesson is stepped by the browser (see the module's docstring)."""
    from backprop.ui import class_view  # (it imports lesson_view, which this module imports)

    s = st.session_state
    return not s.get("quiz_on") and s.get(class_view.ROLE) is None and autoplay is None


def _move(how: str) -> None:
    """A step button's callback: every press moves from the session's step (the browser drew the press from
    the step it showed, which `_sync` keeps equal to the session's), and is counted."""
    s = st.session_state
    s[MOVES] = s.get(MOVES, 0) + 1
    lesson_view._move(how)
    held = s.get(VIEWS)
    if held is not None and NOT_BUILT in held[3] and s.get(DRAWN) is _drawn(s["lesson"]):
        # after an edit, before the stage asked for the rest, within the iteration: the step may not be held,
        # so the lesson fragment runs too, building them all (another iteration runs the whole page: `steps`)
        st.rerun([STEPS_KEY, LESSON_KEY])


def _drawn(lesson: Lesson) -> object:
    """What the lesson fragment's run depends on beyond the step: the iteration's network (a new one is a new
    iteration, with other views, weights to edit and downloads)."""
    return lesson.networks[-1]


def page(link: Callable[[Lesson, tuple[int, int, int]], None]) -> None:
    """The lesson stepped by the browser: the step row, then the stage and what follows it."""
    lesson: Lesson = st.session_state["lesson"]
    st.session_state[DRAWN] = _drawn(lesson)  # what this run will draw
    steps(link)
    lesson_part()
    whatif()
    nudge()
    more()


def rerun_parts(before: Lesson | None = None) -> None:
    """From the callback of an edit (the What if? box's slider, number fields and Reset edits) that changed the
    lesson: the step row (its link holds the edit), the lesson fragment and the What if? box run, not the whole
    page; the stage gets the view of the step shown only (`views`). A nudge the stage holds runs less (`edited`)."""
    s = st.session_state
    s[DRAWN] = _drawn(s["lesson"])  # what the lesson fragment will draw
    s[EDITED] = True
    st.rerun([STEPS_KEY, LESSON_KEY, WHATIF_KEY])


def edited(before: Lesson) -> None:
    """The What if? box's callback after an applied edit (`before`: the lesson it edited). A nudge of the chosen
    weight's slider (one arrow key) to a network the stage was sent the view of (`nudge`), entry for entry, runs
    the What if? box alone: the page has drawn that view already (held_view.js), and the server's views hold it
    as the step's of this network, the other steps unbuilt (the stage asks for them once the slider rests, and
    that run brings the step row's link up to date). Any other edit: rerun_parts."""
    s = st.session_state
    lesson: Lesson = s["lesson"]
    item = _nudged(before, lesson)
    if item is None:
        rerun_parts()
        return
    s[VIEWS] = (_source(lesson), item.what, item.token, _alone(lesson, item.view))
    _drew(lesson)
    # (the slider's own fragment; said, as the move may reach the server with another fragment's request)
    st.rerun([WHATIF_KEY])


@st.fragment(key=STEPS_KEY)
def steps(link: Callable[[Lesson, tuple[int, int, int]], None]) -> None:
    """The step buttons, Copy link and the session's step for the stage. A press runs only this; the whole page
    runs when the lesson fragment would now draw something else (`_drawn`)."""
    s = st.session_state
    lesson: Lesson = s["lesson"]
    selected = lesson_view.selected_weight(lesson)
    drawn = s.get(DRAWN)
    if drawn is not None and drawn is not _drawn(lesson):
        st.rerun(scope="app")
    s[ROW] = (lesson.networks[-1], selected)

    def line() -> None:  # the progress line, which the stage writes at each step it shows
        _line(key="held_line", data=json.dumps({"progress": follow_view.progress_html(lesson)}))

    lesson_view.step_buttons(lesson, lambda: link(lesson, selected), progress=line, move=_move)
    if message := s.pop("step_error", None):
        st.error(message)
    _sync(key="held_sync", data=_report(lesson))


def _report(lesson: Lesson) -> dict[str, object]:
    """Where the session is, for the stage: its step and iteration, after how many presses, in which session."""
    s = st.session_state
    sid = s.setdefault(SID, secrets.token_hex(8))
    return {"index": lesson.index, "it": lesson.iteration, "moves": s.get(MOVES, 0), "sid": sid}


def views(lesson: Lesson, selected: tuple[int, int, int], only: int | None = None) -> tuple[str, list[str], bool]:
    """(token, views, complete): every step's view of the lesson's iteration (`_build`, cells clickable), kept in
    the session while the network, sample, settings and chosen weight stay. The token names them. With `only`
    (an edit: the slider is being dragged), the views held if they are this network's, else that step's view
    alone, the others NOT_BUILT (complete False): one view costs the run a seventh of seven (2-2-2)."""
    s = st.session_state
    source, what = _source(lesson), _what(lesson, selected)
    held = s.get(VIEWS)
    if held is not None and (any(a is not b for a, b in zip(held[0], source, strict=True)) or held[1] != what):
        held = None  # another network, sample, settings or chosen weight
    wanted = range(lesson.last + 1) if only is None else (only,)
    if held is None or any(held[3][i] == NOT_BUILT for i in wanted):
        steps = range(lesson.last + 1)
        built = [_build(replace(lesson, index=i), selected, what) if only in (None, i) else NOT_BUILT for i in steps]
        held = s[VIEWS] = (source, what, _hash("".join(built)), built)
    return held[2], held[3], NOT_BUILT not in held[3]


def _alone(lesson: Lesson, view: str) -> list[str]:
    """An edit's views: the step shown's `view`, the others NOT_BUILT (see views)."""
    built = [NOT_BUILT] * (lesson.last + 1)
    built[lesson.index] = view
    return built


def _drew(lesson: Lesson) -> None:
    """What the lesson fragment's views are now of (DRAWN), and the lesson the downloads build (SHEET): set by
    the fragment's run, and by a nudge's, which stands for it (`edited`)."""
    s = st.session_state
    s[DRAWN] = _drawn(lesson)
    s.setdefault(SHEET, [None])[0] = worksheet_view.source(lesson)


def _source(lesson: Lesson) -> tuple[object, ...]:
    """The network and sample of a lesson's views: compared by identity (they are immutable)."""
    return (lesson.networks[-1], lesson.x, lesson.y)


def _what(lesson: Lesson, selected: tuple[int, int, int]) -> tuple[object, ...]:
    """What else a lesson's views are built from: its settings, the chosen weight, the edited entries marked, the
    diagram's height on a phone and, in presenter mode, the window's height (the stage is sized by it)."""
    projected = presenter.screen_height() if presenter.on() else None
    phone = min(natural_height(lesson.network.sizes), lesson_view.PHONE_DIAGRAM) if keys.narrow() else None
    settings = (lesson.cost, lesson.learning_rate, lesson.update_biases, lesson.iteration)
    return (*settings, selected, edit_view.marked(lesson), phone, projected)


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _build(lesson: Lesson, selected: tuple[int, int, int], what: tuple[object, ...]) -> str:
    """The view of the lesson's step, as `what` (_what) says (presenter mode's stage when projected); "null" for
    a step whose numbers overflow (a learning rate too large for the update): the page does not hold it, and a
    press that asks for it gets the server's message."""
    phone, projected = what[-2], what[-1]
    assert phone is None or isinstance(phone, int)
    try:
        return follow_view.build(
            lesson, selected, "", click=True, curve=True, diagram_height=phone, projected=projected is not None
        )
    except ValueError:
        return "null"


@st.fragment(key=LESSON_KEY)
def lesson_part() -> None:
    """The stage with the held views and the chosen weight's What if? box: what an edit changes. The weight
    picker and the downloads follow, in a fragment of their own (`more`), which an edit does not run."""
    s = st.session_state
    lesson: Lesson = s["lesson"]
    selected = lesson_view.selected_weight(lesson)
    row = s.get(ROW)
    if row is not None and (row[0] is not lesson.networks[-1] or row[1] != selected):
        # another chosen weight or an edit that the step row's link (and the address) does not hold yet: a run
        # that did not come from rerun_parts or rerun_all, which run the step row first
        st.rerun(scope="app")
    _drew(lesson)
    token, held, complete = views(lesson, selected, lesson.index if s.pop(EDITED, False) else None)
    narrow = {"px": keys.NARROW_PX, "height": min(natural_height(lesson.network.sizes), lesson_view.PHONE_DIAGRAM)}
    head = {
        "token": token,
        "complete": complete,
        "hashes": [_hash(view) for view in held],  # names each view: a box that has drawn it needs no drawing
        **_report(lesson),
        "narrow": narrow,
        "module": static_url(STAGE_JS) + "?v=" + _STAGE_JS_VERSION,
        "follow": static_url(follow_view.STAGE_JS) + "?v=" + follow_view._STAGE_JS_VERSION,
    }
    data = json.dumps(head)[:-1] + ', "views": [' + ", ".join(held) + "]}"
    _stage(key="held_stage", data=data, on_pick_change=_picked, on_fill_change=_fill, width="stretch", height="content")


@st.fragment(key=WHATIF_KEY)
def whatif() -> None:
    """The chosen weight's What if? box (the stage draws its plot), and the token of the views the server holds
    for the network it edits: a page whose stage shows other views (a nudge it was not sent in time) asks for
    these (held_view.js)."""
    s = st.session_state
    lesson: Lesson = s["lesson"]
    l, k, j = selected = lesson_view.selected_weight(lesson)
    edit_view.controls(lesson, lesson.trace, selected, plot=False, then=edited)
    s[BOX] = lesson.networks[-1]
    held = s.get(VIEWS)
    value = float(lesson.network.W(l)[k, j])  # the page waits for it before it sends a request of its own
    _held_token(key="held_token", data=json.dumps({"token": None if held is None else held[2], "value": value}))


class Nudge(NamedTuple):
    """The chosen weight's slider one arrow key away (edit_view.nudges): its value, the network it gives, and the
    views the server then holds (what they are built from, their token, the step shown's view)."""

    value: float
    network: Network
    what: tuple[object, ...]
    token: str
    view: str


@st.fragment(key=NUDGE_KEY)
def nudge() -> None:
    """The view of the step shown for each value one arrow key moves the chosen weight's slider to, sent when the
    stage asks (held_view.js: its slider has the focus), with the token of the views they follow on: the page
    draws them out of sight, and a key that moves the slider to one shows it before the server answers. The
    move's run (`edited`) then runs the What if? box alone. Costs the server two views a move of the slider."""
    s = st.session_state
    lesson: Lesson = s["lesson"]
    want, held, i = trigger_value("held_nudges", "want"), s.get(VIEWS), lesson.index
    data = "null"
    if isinstance(want, dict) and want.get("index") == i and held is not None and held[0][0] is lesson.networks[-1]:
        items = _nudges(lesson, lesson_view.selected_weight(lesson))
        s[NUDGE] = (held[1], i, lesson.networks[-1], items)
        # "from": the step's view they follow on (the page holds the nudges while it shows that view)
        data = json.dumps({"from": _hash(held[3][i]), "index": i})[:-1] + ', "items": ['
        data += ", ".join(
            f'{{"value": {n.value!r}, "token": "{n.token}", "hash": "{_hash(n.view)}", "view": {n.view}}}'
            for n in items
        )
        data += "]}"
    _nudge_data(key="held_nudges", data=data, on_want_change=_no_op)


def _nudges(lesson: Lesson, selected: tuple[int, int, int]) -> list[Nudge]:
    """The Nudge of each value edit_view.nudges gives (one the core refuses, or whose step overflows, is left
    out), built as the move's run would: the edit of the lesson by that value, and its record of edits."""
    l, k, j = selected
    rec = edit_view.current(lesson)
    out = []
    for value in edit_view.nudges(lesson, selected):
        try:
            moved, moved_rec = ed.edit(lesson, rec, "W", l, k, j, value)
        except ValueError:
            continue
        with edit_view.recorded(moved_rec):  # what the figures mark is the moved network's record
            what = _what(moved, selected)
            view = _build(moved, selected, what)
        if view == "null":
            continue
        out.append(Nudge(value, moved.network, what, _hash("".join(_alone(lesson, view))), view))
    return out


def _nudged(before: Lesson, lesson: Lesson) -> Nudge | None:
    """The Nudge the stage was sent whose network `lesson` (edited from `before`) holds, entry for entry, at the
    step and from the views the nudges were built on (the same network, settings and marks); None for any other
    edit."""
    s = st.session_state
    sent, held = s.get(NUDGE), s.get(VIEWS)
    if sent is None or held is None or sent[2] is not before.networks[-1] or held[0][0] is not sent[2]:
        return None
    if held[1] != sent[0]:
        return None
    if not (sent[1] == before.index == lesson.index and lesson.x is before.x and lesson.y is before.y):
        return None
    return next((n for n in sent[3] if same(n.network, lesson.network)), None)


def same(a: Network, b: Network) -> bool:
    """Whether two networks are equal entry for entry (every weight and bias, bit for bit) and in activations."""
    return (
        a.sizes == b.sizes
        and (a.activation, a.output_activation) == (b.activation, b.output_activation)
        and all(np.array_equal(a.W(l), b.W(l)) and np.array_equal(a.b(l), b.b(l)) for l in range(1, a.L + 1))
    )


def _no_op() -> None:
    """A trigger whose fragment's run is all it asks for."""


@st.fragment(key=MORE_KEY)
def more() -> None:
    """The weight picker (another chosen weight runs the step row and the lesson fragment too) and the
    downloads, which build the file of the lesson the stage last drew (SHEET), when asked: an edit does not run
    this fragment."""
    lesson: Lesson = st.session_state["lesson"]
    lesson_view.weight_picker(lesson, on_change=rerun_all)
    with st.expander("Download this iteration: worked sheet, JSON, CSV"):
        worksheet_view.download_buttons(lesson, st.session_state.setdefault(SHEET, [worksheet_view.source(lesson)]))


def rerun_all() -> None:
    """From a callback that chose another weight: every part of the held page but the sample and the sidebar."""
    st.session_state[DRAWN] = _drawn(st.session_state["lesson"])
    st.rerun([STEPS_KEY, LESSON_KEY, WHATIF_KEY, MORE_KEY])


def _fill() -> None:
    """The stage asks for the views an edit left unbuilt, once the slider has rested (held_view.js): the lesson
    fragment's run, which this trigger causes, builds them (it is not an edit's). After a nudge, whose run was
    the What if? box's alone, the step row runs first: its link holds the edit. (Keys faster than the server can
    leave the box's last run cut short by Streamlit for the next request; then it runs too.)"""
    s = st.session_state
    net = s["lesson"].networks[-1]
    row = s.get(ROW)
    behind = [STEPS_KEY] if row is not None and row[0] is not net else []
    if s.get(BOX) is not net:  # the What if? box too, should a move's run of it have been cut short by another
        behind.append(WHATIF_KEY)
    if behind:
        st.rerun([*behind, LESSON_KEY])


def _picked() -> None:
    """A click on a gradient cell in the stage: its customdata is (l, k, j), k and j from 0."""
    before = lesson_view.selected_weight(st.session_state["lesson"])
    lesson_view._picked(trigger_value("held_stage", "pick"))
    if lesson_view.selected_weight(st.session_state["lesson"]) != before:
        rerun_all()


# The stage's and the sync's halves in the browser: static/held_view.js, imported once per tab.
_STAGE_COMPONENT_JS: Final = """
export default function (args) {
  const d = JSON.parse(args.data);
  return import(new URL(d.module, document.baseURI).href).then((m) => m.mount(args, d));
}
"""
_SYNC_JS: Final = """
export default function ({ data }) {
  const held = window.__bpHeld;
  if (held && held.sync) held.sync(data);
  else (window.__bpHeldSync = data);  // the stage takes it when it mounts
}
"""
# The progress line in the step row, as on the page run by Streamlit: the stage writes each step's there (its
# views' own lines are hidden); until the stage has a step to show, the line is the session's.
_LINE_JS: Final = """
export default function ({ parentElement, data }) {
  let line = parentElement.querySelector(':scope > .bp-held-line');
  if (!line) {
    line = document.createElement('div');
    line.className = 'bp-fv-progress bp-held-line';
    parentElement.append(line);
  }
  const held = window.__bpHeld;
  if (held) held.line = line;
  const v = held && held.views && held.views[held.i];
  const html = v && held.wrap && held.wrap.isConnected ? v.progress : JSON.parse(data).progress;
  if (line.innerHTML !== html) line.innerHTML = html;
}
"""
_TOKEN_JS: Final = """
export default function ({ data }) {
  const held = window.__bpHeld;
  const d = JSON.parse(data);
  if (held && held.serverToken) held.serverToken(d.token, d.value);
  else window.__bpHeldToken = d;  // the stage takes it when it mounts
}
"""
_NUDGES_JS: Final = """
export default function ({ data, setTriggerValue }) {
  window.__bpHeldWant = (value) => setTriggerValue('want', value);  // the stage asks with it
  const held = window.__bpHeld;
  if (held && held.nudged) held.nudged(JSON.parse(data));
}
"""
_STAGE_JS_VERSION: Final = hashlib.sha256((STATIC_DIR / STAGE_JS).read_bytes()).hexdigest()[:12]
_stage = st.components.v2.component("backprop.held_stage", js=_STAGE_COMPONENT_JS, isolate_styles=False)
_sync = st.components.v2.component("backprop.held_sync", js=_SYNC_JS)
_line = st.components.v2.component("backprop.held_line", js=_LINE_JS, isolate_styles=False)
_held_token = st.components.v2.component("backprop.held_token", js=_TOKEN_JS)
_nudge_data = st.components.v2.component("backprop.held_nudges", js=_NUDGES_JS)
