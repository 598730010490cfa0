"""Self-study by slider: set the chosen weight Wˡₖⱼ and its node's bias bˡₖ by hand, at the current step.

A slider (to drag) and a number field (for an exact value) for each; a move replaces the lesson's current
network by the edited one at the same step (backprop.lesson.edits), so the diagram, every revealed δ and
∂C/∂W, the equations and the cost follow. A value the core refuses is named at its field and the last valid
network stays. Drawn inside the step-through page's lesson fragment: a move reruns that (on the held page,
held_view.rerun_parts: with the step row, whose link holds the edit), not the whole page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

import backprop as bp
from backprop.figures import alt
from backprop.figures.series import cost_curve
from backprop.lesson import edits as ed
from backprop.lesson.progress import Lesson
from backprop.ui import a11y, keys

STATE = "edits"  # session key of the latest Edits record (with the earlier ones it links to)
CURVE_MEMO = "edit_curve_memo"  # (network, what else it depends on, figure, text alternative)
ERROR = "edit_error"  # (param, message) of the last refused value, shown once at its field
STALE = "edit_stale"  # {widget key: values the server set or replaced since the page sent the network's} (_show)
SHOWN = "edit_shown"  # {param: the value the last run drew} (_set)
MIN_SPAN = 3.0  # a slider covers the unedited value ± max(MIN_SPAN, |value|)
STEP = 0.01
CURVE_HEIGHT = 300
KEYS = {"W": ("edit_W_slider", "edit_W_field"), "b": ("edit_b_slider", "edit_b_field")}


def current(lesson: Lesson) -> ed.Edits | None:
    """The edit record the lesson still holds, if any (a record left behind is dropped)."""
    s = st.session_state
    rec = ed.current(s.get(STATE), lesson)
    if rec is not s.get(STATE):
        s[STATE] = rec
    return rec


def marked(lesson: Lesson) -> tuple[frozenset, frozenset]:
    """The edited weights (l, k, j) and biases (l, k) of the network on screen, to mark in the figures."""
    rec = current(lesson)
    if rec is None or not rec.shown(lesson):
        return frozenset(), frozenset()
    return frozenset(rec.weights), frozenset(rec.biases)


def slider_range(base_value: float, value: float) -> tuple[float, float]:
    """A slider's ends: the unedited value ± max(MIN_SPAN, |value|), on the 0.1 grid, within ±EDIT_LIMIT,
    and widened to take in the current value (a number typed beyond the ends)."""
    span = max(MIN_SPAN, abs(base_value))
    low = max(math.floor((base_value - span) * 10) / 10, -ed.EDIT_LIMIT)
    high = min(math.ceil((base_value + span) * 10) / 10, ed.EDIT_LIMIT)
    return min(low, value), max(high, value)


def nudges(lesson: Lesson, selected: tuple[int, int, int]) -> list[float]:
    """The values one arrow key moves the chosen weight's slider to from its value now, down and up: a step of
    STEP, snapped to the slider's grid (its low end plus whole steps) and rounded to STEP's decimals, as the
    slider does, within its ends. (held_view checks the network a move gives against the one of each value
    here, entry for entry: a value the slider rounds otherwise is a move like any other.)"""
    l, k, j = selected
    rec = current(lesson)
    base = rec.base if rec is not None and rec.shown(lesson) else lesson.network
    value = float(lesson.network.W(l)[k, j])
    low, high = slider_range(float(base.W(l)[k, j]), value)
    out = []
    for u in (value - STEP, value + STEP):
        u = round(round((u - low) / STEP) * STEP + low, 2)
        if low <= u <= high and u != value and u not in out:
            out.append(u)
    return out


@contextmanager
def recorded(rec: ed.Edits | None) -> Iterator[None]:
    """Within: `rec` is the session's record of edits (what `marked` and `curve` read), as for a lesson the
    session does not hold (held_view's view of a nudged network); the session's own is put back after."""
    s = st.session_state
    keep = {key: s[key] for key in (STATE, CURVE_MEMO) if key in s}
    s[STATE] = rec
    try:
        yield
    finally:
        for key in (STATE, CURVE_MEMO):
            s.pop(key, None)
        s.update(keep)


def _show(key: str, value: float) -> None:
    """Set widget `key` (a slider or its number field) to the network's `value`, unless the page has sent it.

    Streamlit sends every widget's value with each request. The server sets the field to the slider's value (and
    the slider to the field's); a request that left the page before it got that run (an arrow key held down, a
    second key before the first is answered) carries an older value, the one replaced or one the server set
    before, which the server would take for a move back to it. The values replaced and set are kept (STALE) until
    the page sends the network's own, and _set ignores a move to one that comes with a move of the other widget
    (a request of a key that left early) or with a press of a step button (a Step right after a key). A widget
    that already holds the value is not set: a set moves the page's slider back under a held key."""
    s = st.session_state
    stale = s.setdefault(STALE, {})
    if s.get(key) == value:
        stale.pop(key, None)  # the page holds the network's value: nothing of its is stale
        return
    stale.setdefault(key, set()).update({s[key], value} if key in s else {value})
    s[key] = value


def _set(param: str, source: str, l: int, k: int, j: int, then: Callable[[Lesson], None] | None = None) -> None:
    """A slider or field moved (callback, before the view is drawn): edit the lesson, or say why not.
    `then(before)` follows an applied edit, given the lesson before it (held_view: which parts of the page run)."""
    s = st.session_state
    other = next(key for key in KEYS[param] if key != source)
    moved = s.get(other) != s.get(SHOWN, {}).get(param)
    pressed = any(s.get(button) is True for button in set(keys.KEYS.values()))  # a step button, this request
    if s.get(source) in s.get(STALE, {}).get(source, ()) and (moved or pressed):
        return  # an old value, sent with a move of the other or a press by a request that left before the new one
    before: Lesson = s["lesson"]
    try:
        lesson, rec = ed.edit(before, current(before), param, l, k, j, s.get(source))
    except ValueError as err:
        s[ERROR] = (param, f"Not applied: {err}. The last valid value stays.")
        return
    s["lesson"], s[STATE] = lesson, rec
    s.pop(ERROR, None)
    if then is not None:
        then(before)


def _reset(then: Callable[[Lesson], None] | None = None) -> None:
    """Reset edits (callback): the edited iteration's network back to its seeded, preset or updated weights;
    then `then(before)`, as _set."""
    s = st.session_state
    before: Lesson = s["lesson"]
    rec = current(before)
    if rec is None:
        return
    try:
        s["lesson"], s[STATE] = ed.reset(before, rec)
    except ValueError as err:
        s[ERROR] = ("reset", f"The edits can't be reset here: {err}.")
        return
    s.pop(ERROR, None)
    s["notice"] = "Edits reset: the weights and biases are the ones the iteration started with."
    if then is not None:
        then(before)


def controls(
    lesson: Lesson,
    trace: bp.Trace,
    selected: tuple[int, int, int],
    plot: bool = True,
    then: Callable[[Lesson], None] | None = None,
) -> None:
    """The chosen weight's and its node's bias's slider and number field, Reset edits, and (unless not `plot`:
    held_view's stage draws it) the plot of C against the weight with its tangent (once backprop has computed the
    weight's gradient). `then(before)`, where given, follows an applied edit or reset, in its callback (held_view:
    it says which parts of the page run; else the fragment the controls are in)."""
    s = st.session_state
    l, k, j = selected
    rec = current(lesson)
    base = rec.base if rec is not None and rec.shown(lesson) else lesson.network
    net = lesson.network
    error = s.pop(ERROR, None)
    box = st.container(border=True, key="edit_controls")
    box.markdown("**What if?** Set this weight and its node's bias by hand; every number follows at this step.")
    rows = (
        ("W", f"W{_sup(l)}{_sub(k + 1)},{_sub(j + 1)}", float(net.W(l)[k, j]), float(base.W(l)[k, j])),
        ("b", f"b{_sup(l)}{_sub(k + 1)}", float(net.b(l)[k]), float(base.b(l)[k])),
    )
    for param, name, value, base_value in rows:
        slider_key, field_key = KEYS[param]
        low, high = slider_range(base_value, value)
        _show(slider_key, value)  # what the network holds: a refused value springs back
        _show(field_key, value)
        s.setdefault(SHOWN, {})[param] = value
        left, right = box.columns([3, 1], vertical_alignment="bottom")
        args = (l, k, j, then)
        left.slider(
            f"{name} (unedited {base_value:.4g})",
            low,
            high,
            step=STEP,
            format="%.3f",
            key=slider_key,
            on_change=_set,
            args=(param, slider_key, *args),
        )
        right.number_input(
            f"{name}, exact",
            -ed.EDIT_LIMIT,
            ed.EDIT_LIMIT,
            step=STEP,
            format="%.4f",
            key=field_key,
            on_change=_set,
            args=(param, field_key, *args),
        )
        if error and error[0] == param:
            box.error(error[1], icon=":material/block:")
    row = box.container(horizontal=True, vertical_alignment="center")
    row.button(
        "Reset edits",
        icon=":material/undo:",
        key="btn_reset_edits",
        on_click=_reset,
        args=(then,),
        disabled=rec is None,
    )
    if rec is not None:
        count = rec.count if rec.shown(lesson) else 0
        where = (
            f"{count} entr{'y' if count == 1 else 'ies'} of this network set by hand (dashed in the figures)"
            if rec.shown(lesson)
            else f"the network of iteration {rec.iteration} was edited; this one is its update"
        )
        row.caption(where)
    if error and error[0] == "reset":
        box.error(error[1])
    if plot:
        _curve(box, lesson, trace, selected, slider_range(float(base.W(l)[k, j]), float(net.W(l)[k, j])))


def _curve(box, lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int], window) -> None:
    """C against the chosen weight over its slider's range, the current point and the tangent whose slope
    is backprop's ∂C/∂Wˡₖⱼ; before the backward pass reaches layer l, a line saying when it comes."""
    if not lesson.moment.shows_backward(selected[0]):
        box.caption(curve_wait(selected))
        return
    fig, text = curve(lesson, trace, selected, window)
    a11y.chart(fig, text, key="edit_curve", where=box)


def curve_wait(selected: tuple[int, int, int]) -> str:
    """What stands for the plot of C against the chosen weight until its layer's gradient is computed."""
    return (
        f"The plot of C against this weight, with its tangent of slope ∂C/∂W, appears when the backward "
        f"pass reaches layer {selected[0]}."
    )


def curve(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int], window=None):
    """(figure, text alternative) of C against the chosen weight over `window` (by default its slider's range).

    The curve is a forward pass per point: built once for this network, sample, weight and range, and drawn
    again as it is at the later steps of the iteration (Network is immutable: the same object, the same
    numbers)."""
    l, k, j = selected
    if window is None:
        rec = current(lesson)
        base = rec.base if rec is not None and rec.shown(lesson) else lesson.network
        window = slider_range(float(base.W(l)[k, j]), float(lesson.network.W(l)[k, j]))
    what = (selected, tuple(window), lesson.cost, tuple(lesson.x), tuple(lesson.y))
    memo = st.session_state.get(CURVE_MEMO)
    if memo is None or memo[0] is not lesson.network or memo[1] != what:
        fig = cost_curve(trace, "W", l, k, j, window=window, height=CURVE_HEIGHT)
        memo = (lesson.network, what, fig, alt.cost_curve(trace, "W", l, k, j, fig))
        st.session_state[CURVE_MEMO] = memo
    return memo[2], memo[3]


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
