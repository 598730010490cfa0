"""A test app for static/follow_view.js, the browser's own drawing of a lesson's moment (class mode, issue 15).

It builds a view of a moment of a lesson from the project's own builders (the diagram, the layers' gradients,
their text alternatives, the step's equations) and mounts follow_view.js with a components v2 component; a
button switches to the view of another step, to see the view updated in place. With ?native=1 it draws the
same view with Streamlit's own elements (st.subheader, st.latex, st.caption, st.info, st.divider, st.columns,
the charts with live_chart), for the browser test to compare looks with.

Query parameters: preset (a key of PRESETS, default worked_2_2_2) or sizes ("2,3,3,2": a random network,
seed 0), step and other (the two steps the button switches between, default 4 and 5), w ("l,k,j", 1-based,
the chosen weight, default 1,1,1), columns (gradients per row, default the page's), native (1: Streamlit's
elements).

tests/test_browser_follow_view.py imports its builders for the views it expects, and runs it from a folder
that links it with static/ and .streamlit/ (Streamlit serves static/ from beside the script it runs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

import backprop as bp  # noqa: E402
from backprop.figures import alt, layer_gradient, network_diagram  # noqa: E402
from backprop.lesson import equations as eq  # noqa: E402
from backprop.lesson.presets import PRESETS  # noqa: E402
from backprop.lesson.progress import Lesson  # noqa: E402
from backprop.lesson.timeline import BACKWARD, COST, FORWARD, START, UPDATE  # noqa: E402
from backprop.ui import a11y, live_chart  # noqa: E402
from backprop.ui.lesson_view import COLUMNS  # noqa: E402

MODULE = "follow_view.js"
_VERSION = hashlib.sha256((live_chart.STATIC_DIR / MODULE).read_bytes()).hexdigest()[:12]
_JS = (
    "export default (c) => { const d = JSON.parse(c.data);"
    " return import(new URL(d.module, document.baseURI).href).then((m) => { m.render(c.parentElement, d.view); }); };"
)
_component = st.components.v2.component("backprop_test.follow_view", js=_JS, isolate_styles=False)


def html(markdown: str) -> str:
    """The app's markdown of bold words as safe HTML: the text escaped, **x** made <strong>x</strong>."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escape(markdown))


def lesson_at(query) -> Lesson:
    if "sizes" in query:
        sizes = tuple(int(n) for n in query["sizes"].split(","))
        net = bp.Network.random(sizes, "sigmoid", None, 0)
        rng = np.random.default_rng(0)
        return Lesson.start(net, rng.uniform(0, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]))
    p = PRESETS[query.get("preset", "worked_2_2_2")]
    return Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate, p.update_biases)


def side(lesson: Lesson, trace: bp.Trace, selected: tuple[int, int, int]) -> list[tuple[str, str]]:
    """The right column under the title, as lesson_view's step_equations, divider and chain_rule draw it (the
    plain view of a small network), as (kind, text): latex TeX, caption and info markdown, html HTML."""
    m, L = lesson.moment, trace.L
    sel_l, sel_k, sel_j = selected
    out: list[tuple[str, str]] = []
    if m.kind == START:
        out.append(("latex", eq.vector("a^0 = x", trace.a(0)) + r"\qquad " + eq.vector("y", trace.y)))
        out.append(("caption", "Press **Step** to compute the input sums of layer 1."))
    elif m.kind == FORWARD:
        assert m.layer is not None
        out += [("latex", eq.input_sum(bp.input_sum(trace, m.layer, k))) for k in range(trace.network.sizes[m.layer])]
        out.append(("latex", eq.vector(f"a^{{{m.layer}}}", trace.a(m.layer))))
    elif m.kind == COST:
        out.append(("latex", eq.cost(trace.cost_name, trace.z(L), trace.a(L), trace.y, trace.cost)))
    elif m.kind == BACKWARD and m.layer == L:
        out += [("latex", eq.bp1(bp.delta_chain(trace, L, k), trace.cost_name)) for k in range(trace.network.sizes[L])]
        out.append(("caption", "(BP1): the output layer's delta, from the cost's derivative and σ′(zᴸ)."))
    elif m.kind == BACKWARD:
        assert m.layer is not None
        k = sel_k if sel_l == m.layer else int(np.argmax(np.abs(trace.delta(m.layer))))
        out.append(("latex", eq.bp2(bp.delta_chain(trace, m.layer, k))))
        out.append(("caption", f"(BP2): every node m of layer {m.layer + 1} that node {k + 1} feeds sends its δ back."))
    elif m.kind == UPDATE:
        new = lesson.updated_network(trace)
        w = bp.weight_chain(trace, *selected)
        out.append(("latex", eq.update(w, lesson.learning_rate, new.W(sel_l)[sel_k, sel_j])))
        out.append(("latex", eq.moved(L, lesson.update_biases)))
    out.append(("divider", ""))
    out.append(
        (
            "html",
            f"<strong>Chosen weight</strong> W<sup>{sel_l}</sup><sub>{eq.kj(sel_k + 1, sel_j + 1)}</sub>: from node "
            f"{sel_j + 1} of layer {sel_l - 1} to node {sel_k + 1} of layer {sel_l} (orange in the diagram)",
        )
    )
    if not m.shows_backward(sel_l):
        later = f"Its gradient is computed when the backward pass reaches layer {sel_l}. Keep pressing **Step**."
        out.append(("info", later))
    else:
        out.append(("latex", eq.bp4(bp.weight_chain(trace, *selected))))
    return out


def view(lesson: Lesson, selected: tuple[int, int, int], columns: int) -> tuple[dict, list[tuple[str, str]]]:
    """The view follow_view.js draws, and its right column as (kind, text) for Streamlit's own elements."""
    trace, m = lesson.trace, lesson.moment
    blocks = side(lesson, trace, selected)
    charts = [
        json.loads(live_chart.payload(layer_gradient(trace, l, m, selected), alt.layer_gradient(trace, l, m)))
        for l in range(1, trace.L + 1)
    ]
    return {
        "v": 12,
        "progress": f"<strong>{escape(m.progress)}</strong> · iteration {lesson.iteration}",
        "title": m.title.capitalize(),
        "side": [
            {"k": k} if k == "divider" else {"k": k, "t": t if k in ("latex", "html") else html(t)} for k, t in blocks
        ],
        "diagram": json.loads(live_chart.payload(network_diagram(trace, m, selected), alt.diagram(trace, m))),
        "grid": charts,
        "columns": columns,
    }, blocks


def native(v: dict, blocks: list[tuple[str, str]]) -> None:
    """The same view with Streamlit's own elements, as the step-through page draws it."""
    st.html(a11y.CSS)  # the charts' tables hidden, as app.py does for every page
    st.markdown(v["progress"], unsafe_allow_html=True)
    left, right = st.columns([1, 1])
    with left:
        live_chart._component(key="diagram", data=json.dumps(v["diagram"]))
    with right:
        st.subheader(v["title"])
        for kind, text in blocks:
            {
                "latex": st.latex,
                "caption": st.caption,
                "info": st.info,
                "divider": lambda _: st.divider(),
                "html": lambda t: st.markdown(t, unsafe_allow_html=True),
            }[kind](text)
    charts = v["grid"]
    n = v["columns"]
    for start in range(0, len(charts), n):
        for i, (col, chart) in enumerate(zip(st.columns(n), charts[start : start + n], strict=False)):
            with col:
                live_chart._component(key=f"grid_{start + i}", data=json.dumps(chart))


def main() -> None:
    query = st.query_params
    steps = (int(query.get("step", 4)), int(query.get("other", 5)))
    st.session_state.setdefault("at", 0)
    base = lesson_at(query)
    l, k, j = (int(n) for n in query.get("w", "1,1,1").split(","))
    columns = int(query.get("columns", COLUMNS))
    if st.button(f"Show step {steps[1 - st.session_state['at']]}", key="switch"):
        st.session_state["at"] = 1 - st.session_state["at"]
    lesson = dataclasses.replace(base, index=steps[st.session_state["at"]])
    the_view, blocks = view(lesson, (l, k - 1, j - 1), columns)
    if query.get("native") == "1":
        native(the_view, blocks)
    else:
        module = live_chart.static_url(MODULE) + "?v=" + _VERSION
        _component(key="follow", data=json.dumps({"module": module, "view": the_view}))


if __name__ == "__main__":  # as Streamlit runs it; the test imports the builders above
    st.set_page_config(page_title="follow_view.js", layout="wide")
    main()
