"""The step-through view: step buttons, the diagram, the equation of the step, the per-layer gradients and
the chosen weight's chain rule. Everything is drawn from the session's Lesson: its trace and its step."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

import backprop as bp
from backprop import equations as eq
from backprop.figures import layer_gradient, network_diagram
from backprop import quiz
from backprop.lesson import Lesson
from backprop.figures import alt
from backprop.ui import a11y, presenter
from backprop.timeline import BACKWARD, COST, FORWARD, START, UPDATE

SHOW_ALL_NODES = 4   # equations are written out for every node of a layer with at most this many
COLUMNS = 3          # gradient figures per row
MEMO_SIZE = 64       # gradient figures kept per session before the memo starts afresh


def _move(how: str) -> bool:
    """Move the lesson ("forward", "back", "reset", "run_to_end"); False, with a message for the page, if
    the move would leave numbers that overflow (a learning rate too large for many iterations)."""
    lesson: Lesson = st.session_state["lesson"]
    if how == "forward":
        _grade(lesson)
    try:
        new = getattr(lesson, how)()
        trace = new.trace                   # what the page will show must be computable
        if new.index == new.last:
            new.cost_after_update(trace)    # the update step shows the updated network's cost
    except ValueError as err:
        st.session_state["step_error"] = (f"This step can't be taken: {err}. Lower the learning rate or "
                                          "change a setting to start from a new network.")
        return False
    st.session_state["lesson"] = new
    return True


def _pending_question(lesson: Lesson, trace: bp.Trace) -> quiz.Question | None:
    """In predict mode, the question about the next step if it is a backward step not yet answered."""
    if not st.session_state.get("quiz_on") or lesson.index >= lesson.last:
        return None
    nxt = bp.step(lesson.network.L, lesson.index + 1)
    if nxt.kind != BACKWARD or (lesson.iteration, nxt.layer) in st.session_state.get("quiz_score", {}):
        return None
    return quiz.question(trace, nxt.layer, lesson.iteration)


def _answer_key(lesson: Lesson, q: quiz.Question) -> str:
    return f"quiz_answer_{lesson.iteration}_{q.l}"


def _grade(lesson: Lesson) -> None:
    """Step pressed in predict mode: score the prediction for the step about to be revealed, once."""
    trace = lesson.trace
    q = _pending_question(lesson, trace)
    if q is None:
        return
    response = st.session_state.get(_answer_key(lesson, q))
    right = None if response is None else q.is_right(response)
    if right is not None:
        st.session_state.setdefault("quiz_score", {})[(lesson.iteration, q.l)] = right
    st.session_state["quiz_result"] = dict(at=(lesson.iteration, lesson.index + 1), question=q, right=right)


def quiz_toggle() -> None:
    """The predict-then-reveal switch, in the sidebar."""
    st.sidebar.header("Predict, then reveal")
    st.sidebar.toggle("Predict before each backward step", key="quiz_on",
                      help="Before each step back, predict a sign or the largest gradient; the step checks it.")


def quiz_panel(lesson: Lesson, trace: bp.Trace) -> None:
    """Predict mode: the verdict on the step just revealed, the next question, the hint, the score."""
    s = st.session_state
    if not s.get("quiz_on"):
        return
    box = st.container(border=True)
    result = s.get("quiz_result")
    if result and result["at"] == (lesson.iteration, lesson.index):
        q: quiz.Question = result["question"]
        answer = (q.answer if q.kind == quiz.SIGN else f"k = {q.answer[0] + 1}, j = {q.answer[1] + 1}")
        if result["right"] is None:
            box.info(f"No prediction made. The answer: {answer}.")
        elif result["right"]:
            box.success(f"Right: {answer}.")
        else:
            box.error(f"Not quite: the answer is {answer}.")
        box.latex(quiz.explanation(trace, q))
    q = _pending_question(lesson, trace)
    if q is not None:
        key = _answer_key(lesson, q)
        if q.kind == quiz.SIGN:
            box.radio(q.prompt(), quiz.SIGNS, index=None, horizontal=True, key=key)
        else:
            n_k, n_j = trace.network.sizes[q.l], trace.network.sizes[q.l - 1]
            box.selectbox(q.prompt(), [(k, j) for k in range(n_k) for j in range(n_j)], index=None, key=key,
                          format_func=lambda c: f"k = {c[0] + 1}, j = {c[1] + 1}", placeholder="choose a cell")
        if box.toggle("Hint: the numbers of the layer above", key=f"quiz_hint_{lesson.iteration}_{q.l}"):
            box.latex(quiz.hint(trace, q))
        box.caption("Then press **Step** to reveal and check.")
    score = s.get("quiz_score", {})
    box.markdown(f"**Score: {sum(score.values())} of {len(score)}**")


def step_buttons(lesson: Lesson) -> None:
    """Step, Back, Reset, Run to end, and the progress line."""
    c = st.columns([1, 1, 1, 1.3, 4], vertical_alignment="center")
    c[0].button("Step", icon=":material/play_arrow:", on_click=_move, args=("forward",), key="btn_step", type="primary",
                width="stretch", help="Compute the next step (after the update: start the next iteration)")
    c[1].button("Back", icon=":material/arrow_back:", on_click=_move, args=("back",), key="btn_back", width="stretch",
                disabled=lesson.index == 0 and lesson.iteration == 1)
    c[2].button("Reset", icon=":material/first_page:", on_click=_move, args=("reset",), key="btn_reset", width="stretch",
                disabled=lesson.index == 0)
    c[3].button("Run to end", icon=":material/last_page:", on_click=_move, args=("run_to_end",), key="btn_end",
                width="stretch", disabled=lesson.index == lesson.last)
    c[4].markdown(f"**{lesson.moment.progress}** · iteration {lesson.iteration}")


def selected_weight(lesson: Lesson) -> tuple[int, int, int]:
    """The chosen weight (l, k, j), 0-based k and j, kept valid for the current network."""
    s = st.session_state
    sizes = lesson.network.sizes
    l = int(np.clip(s.get("pick_l", 1), 1, lesson.network.L))
    k = int(np.clip(s.get("pick_k", 1), 1, sizes[l])) - 1
    j = int(np.clip(s.get("pick_j", 1), 1, sizes[l - 1])) - 1
    s["pick_l"], s["pick_k"], s["pick_j"] = l, k + 1, j + 1
    s["selected"] = (l, k, j)   # not a widget key, so other pages can read it after a page switch
    return l, k, j


def _picked_on_chart(key: str) -> None:
    """A click on a gradient cell: its marker carries (l, k, j)."""
    event = st.session_state.get(key) or {}
    points = event.get("selection", {}).get("points", [])
    data = points[0].get("customdata") if points else None
    if isinstance(data, dict):  # an array's row arrives as {"0": l, "1": k, "2": j}
        data = [data.get(str(i)) for i in range(3)]
    try:
        l, k, j = (int(v) for v in data[:3])
    except (TypeError, ValueError):
        return  # a click on something that is not a cell: keep the current choice
    st.session_state["pick_l"], st.session_state["pick_k"], st.session_state["pick_j"] = l, k + 1, j + 1


def weight_picker(lesson: Lesson) -> None:
    """Choose l, k, j with widgets (a click on a heatmap cell sets the same keys)."""
    sizes = lesson.network.sizes
    l = st.session_state["pick_l"]
    c = st.columns(3)
    c[0].selectbox("Layer l", range(1, lesson.network.L + 1), key="pick_l")
    c[1].selectbox(f"Receiving node k (layer {l})", range(1, sizes[l] + 1), key="pick_k")
    c[2].selectbox(f"Emitting node j (layer {l - 1})", range(1, sizes[l - 1] + 1), key="pick_j")


def step_equations(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> None:
    """The equation of the current step, numbers substituted."""
    m = lesson.moment
    L = trace.L
    sel_l, sel_k, sel_j = selected
    if m.kind == START:
        st.latex(eq.vector("a^0 = x", trace.a(0)) + r"\qquad " + eq.vector("y", trace.y))
        st.caption("Press **Step** to compute the input sums of layer 1.")
    elif m.kind == FORWARD:
        for k in _nodes(trace.network.sizes[m.layer], sel_k if sel_l == m.layer else 0):
            st.latex(eq.input_sum(bp.input_sum(trace, m.layer, k)))
        st.latex(eq.vector(f"a^{{{m.layer}}}", trace.a(m.layer)))
    elif m.kind == COST:
        st.latex(eq.cost(trace.cost_name, trace.z(L), trace.a(L), trace.y, trace.cost))
    elif m.kind == BACKWARD and m.layer == L:
        for k in _nodes(trace.network.sizes[L], sel_k if sel_l == L else 0):
            st.latex(eq.bp1(bp.delta_chain(trace, L, k), trace.cost_name))
        st.caption("(BP1): the output layer's delta, from the cost's derivative and σ′(zᴸ).")
    elif m.kind == BACKWARD:
        k = sel_k if sel_l == m.layer else int(np.argmax(np.abs(trace.delta(m.layer))))
        st.latex(eq.bp2(bp.delta_chain(trace, m.layer, k)))
        st.caption(f"(BP2): every node m of layer {m.layer + 1} that node {k + 1} feeds sends its δ back, "
                   f"weighted by the edge. Choose k below to see another node.")
    elif m.kind == UPDATE:
        w = bp.weight_chain(trace, *selected)
        new = lesson.updated_network(trace)
        st.latex(eq.update(w, lesson.learning_rate, new.W(sel_l)[sel_k, sel_j]))
        st.latex(eq.moved(L, lesson.update_biases))
        if all(n <= eq.SMALL for n in trace.network.sizes):   # every new weight, as a worked example lists them
            st.latex(r"\begin{aligned}" + r" \\ ".join(rf"\text{{new }} W^{{{l}}} &= {eq.bmatrix(new.W(l))}"
                                                      for l in range(1, L + 1)) + r"\end{aligned}")
        after = bp.cost_of(new, lesson.x, lesson.y, lesson.cost)
        st.latex(rf"C_{{\text{{before}}}} = {eq.num(trace.cost)} \qquad C_{{\text{{after}}}} = {eq.num(after)}")
        moves = ("Every weight and bias moves against its gradient." if lesson.update_biases else
                 "Every weight moves against its gradient; the biases are kept fixed, as in Mazur's worked "
                 "example (tick “Update the biases too” in the sidebar to move them as well).")
        st.caption(f"{moves} **Step** starts the next iteration from the updated network.")


def chain_rule(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> None:
    """The chosen weight's whole chain rule, once its layer's gradient is revealed."""
    l, k, j = selected
    st.markdown(f"**Chosen weight** W<sup>{l}</sup><sub>{eq.kj(k + 1, j + 1)}</sub>: from node {j + 1} of layer "
                f"{l - 1} to node {k + 1} of layer {l} (orange in the diagram)", unsafe_allow_html=True)
    if not lesson.moment.shows_backward(l):
        st.info(f"Its gradient is computed when the backward pass reaches layer {l}. Keep pressing **Step**.")
        return
    st.latex(eq.bp4(bp.weight_chain(trace, l, k, j)))
    m = lesson.moment
    if m.kind == BACKWARD and m.layer == l:
        return  # the step's own equation above already shows where δˡₖ comes from
    d = bp.delta_chain(trace, l, k)
    st.caption(f"where δ{_sup(l)}{_sub(k + 1)} comes from:")
    st.latex(eq.bp1(d, trace.cost_name) if d.is_output else eq.bp2(d))


def _figures(lesson: Lesson) -> dict:
    """This session's built gradient figures, valid while the network, the sample and the cost stay.

    A step changes what at most one or two layers reveal, so most figures can be reused as they are.
    The memo holds the objects it was built from, so an identity check cannot be fooled by a reused id.
    """
    source = (lesson.network, lesson.x, lesson.y, lesson.cost)
    memo = st.session_state.get("_figures")
    if memo is None or len(memo) > MEMO_SIZE or any(a is not b for a, b in zip(memo["source"], source)):
        memo = st.session_state["_figures"] = {"source": source}
    return memo


def gradient_grid(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> None:
    """∂C/∂Wˡ for every layer, left to right as in the diagram, so the backward pass fills them right to left."""
    L, m = trace.L, lesson.moment
    memo = _figures(lesson)
    for start in range(1, L + 1, COLUMNS):
        cols = st.columns(COLUMNS)
        for col, l in zip(cols, range(start, min(start + COLUMNS, L + 1))):
            # A figure depends on the step only through what it reveals, and on the selection only in its layer.
            what = ("grad", l, m.shows_backward(l), m.shows_forward(l - 1), selected if selected[0] == l else None,
                    presenter.on())
            if what not in memo:
                memo[what] = presenter.shown(layer_gradient(trace, l, m, selected, projector=presenter.on()))
            key = f"grad_{l}"
            text = alt.layer_gradient(trace, l, m)
            col.plotly_chart(memo[what], key=key, alt=text.summary, on_select=lambda k=key: _picked_on_chart(k),
                             selection_mode="points", **presenter.CHART)
            a11y.table(text, col)


def lesson_view() -> None:
    """The whole step-through view; a fragment, so a step reruns only this part of the page."""
    lesson: Lesson = st.session_state["lesson"]
    trace = lesson.trace
    step_buttons(lesson)
    if message := st.session_state.pop("step_error", None):
        st.error(message)
    quiz_panel(lesson, trace)
    selected = selected_weight(lesson)
    left, right = st.columns([1, 1])
    with left:
        a11y.chart(network_diagram(trace, lesson.moment, selected, projector=presenter.on()),
                   alt.diagram(trace, lesson.moment), key="diagram")
    with right:
        st.subheader(lesson.moment.title.capitalize())
        step_equations(lesson, trace, selected)
        st.divider()
        chain_rule(lesson, trace, selected)
    weight_picker(lesson)
    gradient_grid(lesson, trace, selected)


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _nodes(n: int, chosen: int) -> list[int]:
    """Every node of a small layer; only the chosen one of a large layer."""
    return list(range(n)) if n <= SHOW_ALL_NODES else [chosen]


def autoplay_interval() -> float | None:
    """The autoplay toggle and speed in the sidebar; the seconds between steps, or None when off."""
    sb = st.sidebar
    if st.session_state.pop("autoplay_off", False):  # set by a tick, which runs after the toggle is drawn
        st.session_state["autoplay"] = False
    sb.header("Autoplay")
    on = sb.toggle("Play the steps by themselves", key="autoplay")
    seconds = sb.slider("Seconds per step", 0.5, 5.0, 1.5, 0.5, key="autoplay_seconds")
    return seconds if on else None


def autoplay_tick(seconds: float) -> None:
    """A step on if `seconds` have passed since the last one, stopping at the end of the iteration.

    The fragment also reruns when a button inside it is clicked; timing the ticks keeps such a rerun
    from stepping as well."""
    now = time.monotonic()
    if now - st.session_state.get("autoplay_last", 0.0) < 0.9 * seconds:
        return
    st.session_state["autoplay_last"] = now
    lesson: Lesson = st.session_state["lesson"]
    if lesson.index >= lesson.last or not _move("forward"):
        st.session_state["autoplay_off"] = True
        st.rerun(scope="app")
