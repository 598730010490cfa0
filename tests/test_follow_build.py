"""The view a following student's browser draws (backprop/ui/follow_view.py) against the page it stands for.

The instructor's session builds it; its blocks must be what the step-through page draws in Streamlit for the same
lesson (the same LaTeX, the same captions and notes, in order) and its charts the page's own figures, out of
presenter mode whatever the instructor's switch. Checked in an AppTest app that draws the page's column with
Streamlit and builds the view in the same run, at every step of the presets' first iteration and the next
iteration's start."""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from backprop.lesson.presets import PRESETS
from backprop.ui import follow_view


def _page(preset: str, steps: int, selected: tuple[int, int, int], present: bool) -> None:
    """An AppTest app: the right column of the step-through page (step equations, divider, chain rule) drawn
    by Streamlit, and the view built from the same lesson, kept in session state."""
    import json

    import streamlit as st

    from backprop.figures import alt, layer_gradient, network_diagram
    from backprop.lesson.presets import PRESETS
    from backprop.lesson.progress import Lesson
    from backprop.ui import follow_view, lesson_view
    from backprop.ui.live_chart import spec

    p = PRESETS[preset]
    lesson = Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate, p.update_biases)
    for _ in range(steps):
        lesson = lesson.forward()
    st.session_state["present"] = present
    view = follow_view.build(lesson, selected, "sig")
    st.session_state["present"] = False
    lesson_view.step_equations(lesson, lesson.trace, selected)
    st.divider()
    lesson_view.chain_rule(lesson, lesson.trace, selected)
    trace, m = lesson.trace, lesson.moment
    st.session_state["view"] = view
    st.session_state["figures"] = json.dumps(
        {
            "diagram": json.loads(spec(network_diagram(trace, m, selected))),
            "grid": [json.loads(spec(layer_gradient(trace, l, m, selected))) for l in range(1, trace.L + 1)],
            "alts": [alt.layer_gradient(trace, l, m).summary for l in range(1, trace.L + 1)],
            "progress": m.progress,
            "iteration": lesson.iteration,
            "title": m.title,
        }
    )


def _text(html_text: str) -> str:
    """A block's HTML as the Markdown the page was given: tags back to ** (bold) or dropped."""
    t = html_text.replace("<strong>", "**").replace("</strong>", "**")
    return html.unescape(re.sub(r"</?(sup|sub)>", "", t))


def _steps(preset: str) -> range:
    p = PRESETS[preset]
    last = 2 * (len(p.sizes) - 1) + 2  # start, L forward, cost, L backward, update
    return range(last + 1)


CASES = [(p, n) for p in ("worked_2_2_2", "deep_narrow") for n in _steps(p)]


@pytest.mark.parametrize(("preset", "steps"), CASES)
def test_the_view_holds_what_the_page_draws_at_every_step(preset, steps):
    selected = (1, 0, 1)
    at = AppTest.from_function(_page, args=(preset, steps, selected, True), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    view = json.loads(at.session_state["view"])
    want = json.loads(at.session_state["figures"])
    side = view["side"]
    # Every LaTeX block, in order, is the page's own (projected or not: the view is built out of presenter mode).
    page_latex = [e.value.removeprefix("$$\n").removesuffix("\n$$") for e in at.latex]  # st.latex wraps its body
    assert [b["t"] for b in side if b["k"] == "latex"] == page_latex
    assert [_text(b["t"]) for b in side if b["k"] == "caption"] == [e.value for e in at.caption]
    assert [_text(b["t"]) for b in side if b["k"] == "info"] == [e.value for e in at.info]
    page_md = [re.sub(r"</?(sup|sub)>", "", e.value) for e in at.markdown]
    assert [_text(b["t"]) for b in side if b["k"] == "html"] == page_md
    assert sum(b["k"] == "divider" for b in side) == 1
    assert view["title"] == want["title"].capitalize()
    assert view["progress"] == f"<strong>{html.escape(want['progress'])}</strong> · iteration {want['iteration']}"
    # The charts are the page's figures out of presenter mode, named as the page names them.
    assert view["diagram"]["figure"] == want["diagram"]
    assert [c["figure"] for c in view["grid"]] == want["grid"]
    assert [c["alt"] for c in view["grid"]] == want["alts"]
    assert not view["diagram"]["clickable"] and not any(c["clickable"] for c in view["grid"])
    assert view["sig"] == "sig" and view["columns"] == 3


def test_text_is_escaped_and_only_bold_and_the_pages_own_tags_become_html():
    b = follow_view.Blocks()
    b.caption("a <script>x</script> **bold** & <sup>1</sup>")
    b.markdown("W<sup>1</sup><sub>2</sub> **k** <b>no</b>", unsafe_allow_html=True)
    assert b.items[0]["t"] == "a &lt;script&gt;x&lt;/script&gt; <strong>bold</strong> &amp; &lt;sup&gt;1&lt;/sup&gt;"
    assert b.items[1]["t"] == "W<sup>1</sup><sub>2</sub> <strong>k</strong> &lt;b&gt;no&lt;/b&gt;"


def test_the_signature_changes_with_what_only_a_run_can_show():
    moment = {"preset": "worked_2_2_2", "it": "1", "step": "3", "w": "1,1,2", "x": "0.05,0.1"}
    base = follow_view.signature(moment)
    # iteration and step alone: the browser draws the move
    assert follow_view.signature({**moment, "step": "4"}) == base
    assert follow_view.signature({**moment, "it": "2", "step": "0"}) == base
    assert follow_view.signature(dict(reversed(list(moment.items())))) == base  # order does not count
    for changed in ({**moment, "w": "2,1,1"}, {**moment, "x": "0.5,0.1"}, {**moment, "ew": "1,1,1,0.3"}):
        assert follow_view.signature(changed) != base
