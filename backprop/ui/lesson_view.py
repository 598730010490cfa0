"""The step-through view: step buttons, the diagram, the equation of the step, the per-layer gradients and
the chosen weight's chain rule. Everything is drawn from the session's Lesson: its trace and its step."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import backprop as bp
from backprop.figures import alt, layer_gradient, network_diagram
from backprop.figures.gradients import STAGE, THUMB, stage_height
from backprop.figures.network import natural_height
from backprop.lesson import equations as eq
from backprop.lesson import quiz
from backprop.lesson.progress import Lesson
from backprop.lesson.timeline import BACKWARD, COST, FORWARD, START, UPDATE
from backprop.ui import a11y, edit_view, keys, presenter
from backprop.ui.live_chart import live_chart

SHOW_ALL_NODES = 4  # equations are written out for every node of a layer with at most this many
COLUMNS = 3  # gradient figures per row
MEMO_SIZE = 64  # gradient figures kept per session before the memo starts afresh
THUMBS_PER_ROW = 6  # presenter mode: thumbnails of the layers per row, at most
PHONE_DIAGRAM = 480  # the diagram's largest height on a phone: with the step controls above, it fits 390x844


def _on_move(how: str, drawn: tuple[int, int] | None = None) -> None:
    """A step button's callback: `_move`, whose answer (did it move?) only the autoplay reads.

    `drawn` is the (iteration, step) the button was drawn at: a press moves from the moment it was pressed on,
    once. Streamlit's browser side can deliver one click twice: a `run_every` tick that falls due between the
    click and the click's own message (a busy main thread) sends the pending click with the tick's rerun, and
    the click's message sends it again. On a page with such a fragment (class mode: the instructor's live
    count, a student's poll) one PageDown then stepped twice. The copy finds the lesson moved on and is dropped."""
    from backprop.ui import class_view  # (it imports this module)

    if class_view.draws_moves():  # the page may show moves the session has not taken: from the moment shown
        class_view.before_widgets()
        if "lesson" not in st.session_state:
            return  # the class changed network meanwhile: the page runs with it, as the feed asked
        drawn = None
    lesson: Lesson = st.session_state["lesson"]
    if drawn is not None and (lesson.iteration, lesson.index) != drawn:
        return
    _move(how)


def _move(how: str) -> bool:
    """Move the lesson ("forward", "back", "reset", "run_to_end"); False, with a message for the page, if
    the move would leave numbers that overflow (a learning rate too large for many iterations)."""
    lesson: Lesson = st.session_state["lesson"]
    if how == "forward":
        _grade(lesson)
    try:
        new = getattr(lesson, how)()
        trace = new.trace  # what the page will show must be computable
        if new.index == new.last:
            new.cost_after_update(trace)  # the update step shows the updated network's cost
    except ValueError as err:
        st.session_state["step_error"] = (
            f"This step can't be taken: {err}. Lower the learning rate or change a setting to start from a new network."
        )
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
    assert nxt.layer is not None  # a BACKWARD step names its layer
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
    st.sidebar.toggle(
        "Predict before each backward step",
        key="quiz_on",
        help="Before each step back, predict a sign or the largest gradient; the step checks it.",
    )


def quiz_panel(lesson: Lesson, trace: bp.Trace) -> None:
    """Predict mode: the verdict on the step just revealed, the next question, the hint, the score."""
    s = st.session_state
    if not s.get("quiz_on"):
        return
    box = st.container(border=True)
    result = s.get("quiz_result")
    if result and result["at"] == (lesson.iteration, lesson.index):
        asked: quiz.Question = result["question"]
        answer = (
            asked.answer
            if isinstance(asked.answer, str)  # a SIGN word, else a LARGEST cell
            else f"k = {asked.answer[0] + 1}, j = {asked.answer[1] + 1}"
        )
        if result["right"] is None:
            box.info(f"No prediction made. The answer: {answer}.")
        elif result["right"]:
            box.success(f"Right: {answer}.")
        else:
            box.error(f"Not quite: the answer is {answer}.")
        box.latex(quiz.explanation(trace, asked))
    q = _pending_question(lesson, trace)
    if q is not None:
        key = _answer_key(lesson, q)
        if q.kind == quiz.SIGN:
            box.radio(q.prompt(), quiz.SIGNS, index=None, horizontal=True, key=key)
        else:
            cell_choice(box, q.prompt(), trace.network.sizes[q.l], trace.network.sizes[q.l - 1], key)
        if box.toggle("Hint: the numbers of the layer above", key=f"quiz_hint_{lesson.iteration}_{q.l}"):
            box.latex(quiz.hint(trace, q))
        box.caption("Then press **Step** to reveal and check.")
    score = s.get("quiz_score", {})
    box.markdown(f"**Score: {sum(score.values())} of {len(score)}**")


def step_buttons(
    lesson: Lesson, link=None, progress: bool | Callable[[], None] = True, move: Callable[[str], None] | None = None
) -> None:
    """Step, Back, Reset, Run to end, the progress line with the keys that step, and `link()` (the Copy link
    button) at the end of the row. The buttons take the width of their labels, so none is cut short; Step has
    no tooltip (it covered the next control whenever Step had the focus): the keys line says what it does.
    Without `progress` (a following student's page, whose stage draws moves the session has not taken), no
    button is disabled: the page may show another step than this run's, and a press starts from the one shown.
    `move(how)`, where given, is the buttons' callback instead (held_view: the browser draws the step, and the
    progress line with it; the buttons' state is still this run's lesson's). `progress` may also be what draws
    the progress line in its place (held_view's, which the browser writes)."""
    row = st.container(horizontal=True, vertical_alignment="center", key="step_controls")
    fixed = progress is True or move is not None  # the buttons' state is this run's lesson's
    at = (lesson.iteration, lesson.index)  # each press moves from this moment, once (see _on_move)

    def press(how: str) -> dict:
        return {"on_click": move, "args": (how,)} if move is not None else {"on_click": _on_move, "args": (how, at)}

    row.button("Step", icon=":material/play_arrow:", **press("forward"), key="btn_step", type="primary")
    row.button(
        "Back",
        icon=":material/arrow_back:",
        **press("back"),
        key="btn_back",
        disabled=fixed and lesson.index == 0 and lesson.iteration == 1,
    )
    row.button(
        "Reset",
        icon=":material/first_page:",
        **press("reset"),
        key="btn_reset",
        disabled=fixed and lesson.index == 0,
    )
    row.button(
        "Run to end",
        icon=":material/last_page:",
        **press("run_to_end"),
        key="btn_end",
        disabled=fixed and lesson.index == lesson.last,
    )
    with row.container(key="progress", gap=None):
        if callable(progress):
            progress()
        elif progress:  # else the stage draws it (a following student's page: follow_view)
            st.markdown(f"**{lesson.moment.progress}** · iteration {lesson.iteration}")
        st.caption(keys.LINE)
    if link is not None:
        with row:
            link()


def selected_weight(lesson: Lesson) -> tuple[int, int, int]:
    """The chosen weight (l, k, j), 0-based k and j, kept valid for the current network."""
    s = st.session_state
    sizes = lesson.network.sizes
    l = int(np.clip(s.get("pick_l", 1), 1, lesson.network.L))
    k = int(np.clip(s.get("pick_k", 1), 1, sizes[l])) - 1
    j = int(np.clip(s.get("pick_j", 1), 1, sizes[l - 1])) - 1
    s["pick_l"], s["pick_k"], s["pick_j"] = l, k + 1, j + 1
    s["selected"] = (l, k, j)  # not a widget key, so other pages can read it after a page switch
    return l, k, j


def cell_choice(box, prompt: str, n_k: int, n_j: int, key: str, **on_change) -> None:
    """The answer to "which cell of ∂C/∂Wˡ is largest?": a select box of the n_k × n_j cells (k, j), shown
    1-based, none chosen at first. `on_change` (on_change=…, args=…) goes to the widget."""
    box.selectbox(
        prompt,
        [(k, j) for k in range(n_k) for j in range(n_j)],
        index=None,
        key=key,
        format_func=lambda c: f"k = {c[0] + 1}, j = {c[1] + 1}",
        placeholder="choose a cell",
        **on_change,
    )


def _gradient_chart(col, fig, trace: bp.Trace, l: int, m, height: int | None = None) -> None:
    """Layer l's ∂C/∂W heatmap in `col` (key grad_l): a click on a cell picks that weight; its text
    alternative is the chart's name, and its numbers follow as a hidden table."""
    text = alt.layer_gradient(trace, l, m)
    live_chart(fig, key=f"grad_{l}", text=text, where=col, height=height, on_click=_picked)


def _picked(data) -> None:
    """A click on a gradient cell: its customdata is (l, k, j), k and j from 0."""
    if not isinstance(data, (list, tuple)):
        return  # a click on something that is not a cell: keep the current choice
    try:
        l, k, j = (int(v) for v in data[:3])
    except (TypeError, ValueError):
        return  # a click on something that is not a cell: keep the current choice
    st.session_state["pick_l"], st.session_state["pick_k"], st.session_state["pick_j"] = l, k + 1, j + 1


def weight_picker(lesson: Lesson, on_change: Callable[[], None] | None = None) -> None:
    """Choose l, k, j with widgets (a click on a heatmap cell sets the same keys); `on_change`: their callback."""
    sizes = lesson.network.sizes
    l = st.session_state["pick_l"]
    c = st.columns(3)
    c[0].selectbox("Layer l", range(1, lesson.network.L + 1), key="pick_l", on_change=on_change)
    c[1].selectbox(f"Receiving node k (layer {l})", range(1, sizes[l] + 1), key="pick_k", on_change=on_change)
    c[2].selectbox(f"Emitting node j (layer {l - 1})", range(1, sizes[l - 1] + 1), key="pick_j", on_change=on_change)


def step_equations(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int], out: Any = st) -> None:
    """The equation of the current step, numbers substituted (in presenter mode, for one node: the chosen
    one, so that the step's equation fits the projected screen beside its figures). Drawn with `out`'s
    latex, caption, markdown and info: Streamlit's, or a follow_view.Blocks that records them."""
    m = lesson.moment
    L = trace.L
    sel_l, sel_k, sel_j = selected
    if m.kind == START:
        out.latex(eq.vector("a^0 = x", trace.a(0)) + r"\qquad " + eq.vector("y", trace.y))
        out.caption("Press **Step** to compute the input sums of layer 1.")
    elif m.kind == FORWARD:
        assert m.layer is not None  # a FORWARD step names its layer
        for k in _nodes(trace.network.sizes[m.layer], sel_k if sel_l == m.layer else 0):
            out.latex(eq.input_sum(bp.input_sum(trace, m.layer, k)))
        out.latex(eq.vector(f"a^{{{m.layer}}}", trace.a(m.layer)))
    elif m.kind == COST:
        out.latex(eq.cost(trace.cost_name, trace.z(L), trace.a(L), trace.y, trace.cost))
    elif m.kind == BACKWARD and m.layer == L:
        for k in _nodes(trace.network.sizes[L], sel_k if sel_l == L else 0):
            out.latex(eq.bp1(bp.delta_chain(trace, L, k), trace.cost_name))
        out.caption("(BP1): the output layer's delta, from the cost's derivative and σ′(zᴸ).")
    elif m.kind == BACKWARD:
        assert m.layer is not None  # a BACKWARD step names its layer
        k = sel_k if sel_l == m.layer else int(np.argmax(np.abs(trace.delta(m.layer))))
        out.latex(eq.bp2(bp.delta_chain(trace, m.layer, k)))
        out.caption(
            f"(BP2): every node m of layer {m.layer + 1} that node {k + 1} feeds sends its δ back, "
            f"weighted by the edge. Choose k below to see another node."
        )
    elif m.kind == UPDATE:
        w = bp.weight_chain(trace, *selected)
        new = lesson.updated_network(trace)
        out.latex(eq.update(w, lesson.learning_rate, new.W(sel_l)[sel_k, sel_j]))
        if lesson.update_biases is False or not presenter.on():  # projected, only the news: biases kept fixed
            out.latex(eq.moved(L, lesson.update_biases))
        # Every new weight, as a worked example lists them; projected, the stage has no room for them (they are in
        # the plain view and the worked sheet), and the chosen weight's update above stands for them.
        if not presenter.on() and all(n <= eq.SMALL for n in trace.network.sizes):
            out.latex(
                r"\begin{aligned}"
                + r" \\ ".join(rf"\text{{new }} W^{{{l}}} &= {eq.bmatrix(new.W(l))}" for l in range(1, L + 1))
                + r"\end{aligned}"
            )
        after = bp.cost_of(new, lesson.x, lesson.y, lesson.cost)
        out.latex(
            rf"C_{{\text{{before}}}} = {eq.cost_num(trace.cost)} \qquad C_{{\text{{after}}}} = {eq.cost_num(after)}"
        )
        moves = (
            "Every weight and bias moves against its gradient."
            if lesson.update_biases
            else "Every weight moves against its gradient; the biases are kept fixed, as in Mazur's worked "
            "example (tick “Update the biases too” in the sidebar to move them as well)."
        )
        if presenter.on():  # projected, one short line: the equation column has no room for more
            if not lesson.update_biases:
                out.caption("The biases are kept fixed, as in Mazur's worked example.")
        else:
            out.caption(f"{moves} **Step** starts the next iteration from the updated network.")


def chain_rule(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int], out: Any = st) -> None:
    """The chosen weight's whole chain rule, once its layer's gradient is revealed (drawn with `out`, as
    step_equations)."""
    l, k, j = selected
    out.markdown(
        f"**Chosen weight** W<sup>{l}</sup><sub>{eq.kj(k + 1, j + 1)}</sub>: from node {j + 1} of layer "
        f"{l - 1} to node {k + 1} of layer {l} (orange in the diagram)",
        unsafe_allow_html=True,
    )
    if not lesson.moment.shows_backward(l):
        out.info(f"Its gradient is computed when the backward pass reaches layer {l}. Keep pressing **Step**.")
        return
    out.latex(eq.bp4(bp.weight_chain(trace, l, k, j)))
    m = lesson.moment
    if m.kind == BACKWARD and m.layer == l:
        return  # the step's own equation above already shows where δˡₖ comes from
    d = bp.delta_chain(trace, l, k)
    out.caption(f"where δ{_sup(l)}{_sub(k + 1)} comes from:")
    out.latex(eq.bp1(d, trace.cost_name) if d.is_output else eq.bp2(d))


def _figures(lesson: Lesson) -> dict:
    """This session's built gradient figures, valid while the network, the sample and the cost stay.

    A step changes what at most one or two layers reveal, so most figures can be reused as they are.
    The memo holds the objects it was built from, so an identity check cannot be fooled by a reused id.
    """
    source = (lesson.network, lesson.x, lesson.y, lesson.cost)
    memo = st.session_state.get("_figures")
    if memo is None or len(memo) > MEMO_SIZE or any(a is not b for a, b in zip(memo["source"], source, strict=True)):
        memo = st.session_state["_figures"] = {"source": source}
    return memo


def grid_figure(lesson: Lesson, trace: bp.Trace, l: int, selected: tuple[int, int, int]):
    """Layer l's ∂C/∂W figure at the lesson's step, as this session shows it (kept in the session's memo)."""
    m, memo = lesson.moment, _figures(lesson)
    # A figure depends on the step only through what it reveals, and on the selection only in its layer.
    what = (
        "grad",
        l,
        m.shows_backward(l),
        m.shows_forward(l - 1),
        selected if selected[0] == l else None,
        presenter.on(),
    )  # the edit marks need no place in the key: an edit makes a new network, and so a new memo
    if what not in memo:
        cells = [(k, j) for (e, k, j) in edit_view.marked(lesson)[0] if e == l]
        memo[what] = presenter.shown(layer_gradient(trace, l, m, selected, projector=presenter.on(), edited=cells))
    return memo[what]


def gradient_grid(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> None:
    """∂C/∂Wˡ for every layer, left to right as in the diagram, so the backward pass fills them right to left."""
    L, m = trace.L, lesson.moment
    for start in range(1, L + 1, COLUMNS):
        cols = st.columns(COLUMNS)
        # strict=False: the last row may hold fewer layers than it has columns
        for col, l in zip(cols, range(start, min(start + COLUMNS, L + 1)), strict=False):
            _gradient_chart(col, grid_figure(lesson, trace, l, selected), trace, l, m)


def diagram_figure(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int], height: int | None = None):
    """The network diagram at the lesson's step (built afresh: it changes at every step, and a session keeping
    one per step would hold a large network's 100 kB each)."""
    return network_diagram(
        trace, lesson.moment, selected, projector=presenter.on(), height=height, edited=edit_view.marked(lesson)
    )


def _diagram(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int], height: int | None = None) -> None:
    if height is None and keys.narrow():  # on a phone, at most PHONE_DIAGRAM px: Step stays in view above it
        height = min(natural_height(trace.network.sizes), PHONE_DIAGRAM)
    text = alt.diagram(trace, lesson.moment)
    live_chart(diagram_figure(lesson, trace, selected, height), key="diagram", text=text)


def lesson_view(link=None, browser: Callable[[Lesson, tuple[int, int, int]], None] | None = None) -> None:
    """The whole step-through view; a fragment, so a step reruns only this part of the page. `link()` draws
    the Copy link button, placed in the row of step buttons. `browser(lesson, selected)`, where given, draws the
    lesson in the browser instead (a following student's page: class_view.browser_stage)."""
    lesson: Lesson = st.session_state["lesson"]
    trace = lesson.trace
    step_buttons(lesson, link, progress=browser is None)
    if browser is None:  # the browser's stage has its own live region
        a11y.announce(alt.announcement(trace, lesson.moment))  # what a screen reader says after a step
    if message := st.session_state.pop("step_error", None):
        st.error(message)
    selected = selected_weight(lesson)
    if browser is not None:
        browser(lesson, selected)
        weight_picker(lesson)
        return
    if presenter.on():
        stage(lesson, trace, selected)
        return
    # The question of predict mode sits beside the diagram, under the step's equation: on a laptop the
    # diagram stays in view while the student answers.
    left, right = st.columns([1, 1])
    with left:
        _diagram(lesson, trace, selected)
    with right:
        st.subheader(lesson.moment.title.capitalize())
        step_equations(lesson, trace, selected)
        quiz_panel(lesson, trace)
        st.divider()
        chain_rule(lesson, trace, selected)
        edit_view.controls(lesson, trace, selected)
    weight_picker(lesson)
    gradient_grid(lesson, trace, selected)


def focus_layer(lesson: Lesson, selected: tuple[int, int, int]) -> int:
    """The layer whose δ and ∂C/∂W presenter mode shows large: the one the backward step computes; at the
    update, the chosen weight's; going forward, the one whose aˡ⁻¹ row the step just filled (before the
    backward pass, the output layer, which it fills first)."""
    m, L = lesson.moment, lesson.network.L
    if m.kind == BACKWARD:
        assert m.layer is not None  # a BACKWARD step names its layer
        return m.layer
    if m.kind == UPDATE:
        return selected[0]
    if m.kind == FORWARD and m.layer is not None and m.layer < L:  # a FORWARD step names its layer
        return m.layer + 1
    return 1 if m.kind == START else L


def stage_heights(lesson: Lesson, screen: int, body: int) -> tuple[int, int, int]:
    """Presenter mode's heights in pixels for a window `screen` high with body text `body` px: the
    diagram, the tallest layer's large gradient figure, and one row of thumbnails (sized to fit under any
    layer's large figure, so they stay the same size from step to step)."""
    sizes = lesson.network.sizes
    top = 9 * body  # above the stage: the header, the title line and the row of buttons
    room = screen - top - body  # … and a margin below
    diagram = int(max(0.37 * room, 180))  # the rest of the column is the step's equation (a deep network's (BP2)
    # with operands printed to the digits it needs takes most of it)
    big = max(stage_height(n, body) for n in sizes[1:])
    n_rows = -(-lesson.network.L // THUMBS_PER_ROW)
    thumb = int(min(max((room - big) / n_rows - body, 70), 150))  # a gap of `body` above each row
    return diagram, big, thumb


@dataclass(frozen=True)
class StageFigures:
    """What presenter mode's stage draws at a step: the diagram (sized for the window), layer `focus`'s large δ and
    ∂C/∂W, and every layer's thumbnail (`thumb_px` high, `per_row` to a row)."""

    diagram: Any
    focus: int
    large: Any
    thumbs: list[Any]
    thumb_px: int
    per_row: int


def stage_figures(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> StageFigures:
    """Presenter mode's figures at the lesson's step, sized for the window the browser reported (the gradient
    figures kept in the session's memo)."""
    screen = presenter.screen_height()
    body = presenter.body_px(screen)
    diagram_px, _, thumb_px = stage_heights(lesson, screen, body)
    m, L = lesson.moment, trace.L
    memo = _figures(lesson)
    focus = focus_layer(lesson, selected)
    what: tuple = (
        "stage",
        focus,
        m.shows_backward(focus),
        m.shows_forward(focus - 1),
        selected if selected[0] == focus else None,
        body,
    )
    if what not in memo:
        cells = [(k, j) for (e, k, j) in edit_view.marked(lesson)[0] if e == focus]
        memo[what] = layer_gradient(trace, focus, m, selected, projector=True, size=STAGE, body_px=body, edited=cells)
    large = memo[what]
    thumbs = []
    for l in range(1, L + 1):
        what = ("thumb", l, m.shows_backward(l), m.shows_forward(l - 1))
        if what not in memo:
            memo[what] = layer_gradient(trace, l, m, None, projector=True, size=THUMB)
        thumbs.append(memo[what])
    diagram = diagram_figure(lesson, trace, selected, diagram_px)
    return StageFigures(diagram, focus, large, thumbs, thumb_px, max(min(L, THUMBS_PER_ROW), 3))


def stage(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> None:
    """Presenter mode: the whole step on one screen. Left, the diagram over the step's equation; right, the
    current layer's δ and ∂C/∂W large (numbers at the size of the body text), over a thumbnail of every
    layer — done ones coloured, ones to come empty. The chosen weight's chain rule and the weight picker
    follow below the screen."""
    f = stage_figures(lesson, trace, selected)
    m, L = lesson.moment, trace.L
    left, right = st.columns([0.45, 0.55], gap="medium")
    with left:
        live_chart(f.diagram, key="diagram", text=alt.diagram(trace, m))
        with st.container(key="stage_equation", gap="small"):  # the step's name is in the progress line
            step_equations(lesson, trace, selected)
        quiz_panel(lesson, trace)
    with right:
        live_chart(f.large, key="grad_focus", text=alt.layer_gradient(trace, f.focus, m), on_click=_picked)
        for start in range(1, L + 1, f.per_row):
            cols = st.columns(f.per_row, gap="small")
            # strict=False: the last row may hold fewer layers than it has columns
            for col, l in zip(cols, range(start, min(start + f.per_row, L + 1)), strict=False):
                _gradient_chart(col, f.thumbs[l - 1], trace, l, m, height=f.thumb_px)
    chain_rule(lesson, trace, selected)
    edit_view.controls(lesson, trace, selected)  # below the projected screen: the stage keeps its size
    weight_picker(lesson)


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _nodes(n: int, chosen: int) -> list[int]:
    """Every node of a small layer; only the chosen one of a large layer, or in presenter mode."""
    return list(range(n)) if n <= SHOW_ALL_NODES and not presenter.on() else [chosen]


def autoplay_interval() -> float | None:
    """The autoplay toggle and speed in the sidebar; the seconds between steps, or None when off.

    A browser that asks for reduced motion gets no autoplay: the lesson then moves only when its user moves
    it (the toggle is off and disabled, and a line says why and how to step)."""
    sb = st.sidebar
    still = keys.reduced_motion()
    if st.session_state.pop("autoplay_off", False) or still:  # autoplay_off: set by a tick, after the toggle
        st.session_state["autoplay"] = False
    sb.header("Autoplay")
    on = sb.toggle("Play the steps by themselves", key="autoplay", disabled=still)
    seconds = sb.slider("Seconds per step", 0.5, 5.0, 1.5, 0.5, key="autoplay_seconds", disabled=still)
    if still:
        sb.caption("Off: your device asks for reduced motion. Press **Step** (or Space) to move on.")
    return seconds if on and not still else None


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


# The keys' listener has nothing to show; a collapsed sidebar is out of the Tab order (it kept Step 33 Tab
# presses away); the row of step buttons keeps its progress line beside them while there is room.
PAGE_CSS = """
.st-key-clicker, .st-key-class_feed, .st-key-held_token, .st-key-held_nudges { position: absolute; width: 0;
    height: 0; overflow: hidden; }
section[data-testid="stSidebar"][data-collapsed="true"],
section[data-testid="stSidebar"][data-collapsed="true"] * { visibility: hidden !important; }
.st-key-progress { min-width: 12rem; }
.st-key-progress [data-testid="stCaptionContainer"] p { margin: 0; }
.bp-held .bp-fv-progress { display: none; }
.bp-held-line { line-height: 1.6; overflow-wrap: break-word; }
.bp-held-line strong { font-weight: 600; }
"""
# Projected: little margin, a one-line title, so the stage starts near the top of the screen.
PRESENTER_CSS = """
[data-testid="stMainBlockContainer"] { padding: 3rem 1.5rem 1rem 1.5rem; }
header[data-testid="stHeader"] { height: 2.6rem; min-height: 2.6rem; }
[data-testid="stMain"] h1 { font-size: 1.3rem; padding: 0; margin: 0; }
[data-testid="stMain"] h1 + div, [data-testid="stMain"] h1 a { display: none; }
.st-key-stage_equation .katex-display { margin: 0.2em 0; }
.st-key-stage_equation .katex { font-size: 1em; }
"""


# On a phone (out of presenter mode): Step, the progress line and the diagram on one screen. A smaller title
# and top margin; the four step buttons in one row, the progress line below them; the sample's
# fields below the lesson (the server also puts them after it once the browser has said it is narrow, so the
# Tab order follows; this rule places them before that first report).
PHONE_CSS = f"""
@media (max-width: {keys.NARROW_PX}px) {{
  [data-testid="stMainBlockContainer"] {{ padding-top: 4rem; }}
  [data-testid="stMain"] h1 {{ font-size: 1.6rem; padding: 0.25rem 0 0.5rem 0; }}
  [data-testid="stLayoutWrapper"]:has(> .st-key-sample_area) {{ order: 1; }}
  .st-key-step_controls {{ gap: 0.5rem; }}
  .st-key-step_controls button {{ padding-left: 0.6rem; padding-right: 0.6rem; }}
}}
"""


def page_style() -> None:
    """The step-through page's own layout rules: presenter mode's when on (with class mode's line), else the
    phone's."""
    from backprop.ui.class_view import HEADER_CSS

    st.html(f"<style>{PAGE_CSS}{PRESENTER_CSS + HEADER_CSS if presenter.on() else PHONE_CSS}</style>")
