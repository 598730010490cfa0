"""A following student's lesson, drawn by the browser from the instructor's published view: no script run per move.

Why: a following page that ran the Streamlit script on every instructor move cost the server 60-80 ms of CPU
per student per move (and 31 ms even for a stripped page: Streamlit's own cost per run); 120 students then
saturated two cores and followed 10-22 s late (benchmarks/bench_class.py, issue 15). The lesson's numbers
and figures are the same for every student of a class, so they are built once, by the instructor's session,
when it publishes a moment: `build` renders the moment into a JSON view (the progress line, the diagram and
gradient figures as live_chart payloads, the step's equations as LaTeX), and the class store keeps it with
the moment. A following page waits on the class feed (class_feed.py, `&view=1`), which answers with that
view; the page's stage draws it (static/follow_view.js, Plotly and KaTeX) without asking Streamlit for
anything.

Only what a script run alone can show makes the page run: a new network or sample, another chosen weight, the
class ended. Those are in the view's `sig` (`signature`); the stage knows the signature of what its page last
drew, and the feed's loop asks for a run when they differ or when there is no view for the version it got.

The class's question is part of the view too (`question`, built by class_view.question_block): the stage draws
it, sends the student's answer to the class feed (class_feed.ANSWER_PATH) and, after the reveal, shows the
verdict and the deciding equation; so asking, answering and revealing run no script either. The answer and
the equation are in the view only once the question is revealed.

The view is built as out of presenter mode (`presenter.plain`): the class follows on laptops and phones,
whatever the instructor projects.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from typing import Any, Final

import streamlit as st

from backprop.figures import alt
from backprop.lesson.progress import Lesson
from backprop.ui import edit_view, lesson_view, presenter
from backprop.ui.live_chart import STATIC_DIR, payload, static_url

STAGE_JS: Final = "follow_view.js"
MOMENT_ONLY: Final = ("it", "step")  # the moment's keys a view can change without a script run

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TAG = re.compile(r"&lt;(/?)(sup|sub)&gt;")


def _html(text: str, tags: bool = False) -> str:
    """The app's Markdown subset as HTML: escaped, **bold**, and (where the page allows HTML) <sup>/<sub>."""
    out = html.escape(str(text), quote=False)
    if tags:
        out = _TAG.sub(r"<\1\2>", out)
    return _BOLD.sub(r"<strong>\1</strong>", out)


class Blocks:
    """Records what lesson_view.step_equations and chain_rule draw (they take it in place of `st`), as the
    view's blocks."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def latex(self, body: str) -> None:
        self.items.append({"k": "latex", "t": str(body)})

    def caption(self, body: str) -> None:
        self.items.append({"k": "caption", "t": _html(body)})

    def markdown(self, body: str, unsafe_allow_html: bool = False) -> None:
        self.items.append({"k": "html", "t": _html(body, tags=unsafe_allow_html)})

    def info(self, body: str) -> None:
        self.items.append({"k": "info", "t": _html(body)})

    def divider(self) -> None:
        self.items.append({"k": "divider"})


def signature(moment: Mapping[str, str]) -> str:
    """What only a script run can bring to a following page: the moment without its iteration and step (the
    network, the sample, the edits, the chosen weight). The instructor's view and the student's page compute
    it alike."""
    fixed = sorted((k, str(v)) for k, v in moment.items() if k not in MOMENT_ONLY)
    return hashlib.blake2b(json.dumps(fixed).encode(), digest_size=8).hexdigest()


def build(
    lesson: Lesson,
    selected: tuple[int, int, int],
    sig: str,
    question: Mapping[str, Any] | None = None,
    click: bool = False,
    curve: bool = False,
    diagram_height: int | None = None,
    projected: bool = False,
) -> str:
    """The lesson at its moment as a following page shows it, JSON: what lesson_view draws out of presenter
    mode, except the controls (the step buttons, the weight picker and the sample stay the page's own); and
    the class's `question` (class_view.question_block), or null. `click`: a click on a gradient cell is
    reported (held_view: it chooses that weight). `curve`: the plot of C against the chosen weight follows the
    chain rule (held_view: the What if? box's plot), once its layer's gradient is computed. `diagram_height`:
    the diagram's, in pixels, where not its natural height (a phone's). `projected`: presenter mode's stage
    instead (lesson_view.stage, for the window the session reported; a view with "layout": "stage")."""
    if projected:
        return _build_stage(lesson, selected, sig, click, curve)
    with presenter.plain():
        trace, m = lesson.trace, lesson.moment
        side = Blocks()
        lesson_view.step_equations(lesson, trace, selected, out=side)
        side.divider()
        lesson_view.chain_rule(lesson, trace, selected, out=side)
        plot = _curve(lesson, selected, side) if curve else None
        diagram = payload(lesson_view.diagram_figure(lesson, trace, selected, diagram_height), alt.diagram(trace, m))
        grid = [
            payload(
                lesson_view.grid_figure(lesson, trace, l, selected),
                alt.layer_gradient(trace, l, m),
                clickable=click,
            )
            for l in range(1, trace.L + 1)
        ]
        head = _head(lesson, sig, side, question)
    # The figures are JSON already (live_chart caches each figure's): joined as text, not parsed and dumped again.
    tail = "" if plot is None else ', "curve": ' + plot
    return json.dumps(head)[:-1] + ', "diagram": ' + diagram + ', "grid": [' + ", ".join(grid) + "]" + tail + "}"


def progress_html(lesson: Lesson) -> str:
    """The progress line, safe HTML: "<strong>Step 4 of 6 — …</strong> · iteration 1"."""
    return f"<strong>{html.escape(lesson.moment.progress)}</strong> · iteration {lesson.iteration}"


def _head(lesson: Lesson, sig: str, side: Blocks, question: Mapping[str, Any] | None) -> dict[str, Any]:
    trace, m = lesson.trace, lesson.moment
    return {
        "sig": sig,
        "progress": progress_html(lesson),
        "title": m.title.capitalize(),
        "announce": alt.announcement(trace, m),
        "side": side.items,
        "columns": lesson_view.COLUMNS,
        "question": None if question is None else dict(question),
    }


def _curve(lesson: Lesson, selected: tuple[int, int, int], out: Blocks) -> str | None:
    """The plot of C against the chosen weight once its layer's gradient is computed; before, a caption in
    `out` says when it comes."""
    if lesson.moment.shows_backward(selected[0]):
        return payload(*edit_view.curve(lesson, lesson.trace, selected))
    out.caption(edit_view.curve_wait(selected))
    return None


def _build_stage(lesson: Lesson, selected: tuple[int, int, int], sig: str, click: bool, curve: bool) -> str:
    """Presenter mode's stage as a view: the progress line; left, the diagram over the step's equation ("side");
    right, the current layer's gradient large ("large") over every layer's thumbnail ("grid", "columns" to a
    row); below the screen, the chosen weight's chain rule ("below") and, with `curve`, its plot."""
    trace, m = lesson.trace, lesson.moment
    f = lesson_view.stage_figures(lesson, trace, selected)
    side, below = Blocks(), Blocks()
    lesson_view.step_equations(lesson, trace, selected, out=side)
    lesson_view.chain_rule(lesson, trace, selected, out=below)
    plot = _curve(lesson, selected, below) if curve else None
    head = _head(lesson, sig, side, None)
    head.update(layout="stage", title="", columns=f.per_row, below=below.items)
    diagram = payload(f.diagram, alt.diagram(trace, m))
    large = payload(f.large, alt.layer_gradient(trace, f.focus, m), clickable=click)
    grid = [
        payload(fig, alt.layer_gradient(trace, l, m), height=f.thumb_px, clickable=click)
        for l, fig in enumerate(f.thumbs, start=1)
    ]
    tail = "" if plot is None else ', "curve": ' + plot
    return (
        json.dumps(head)[:-1]
        + ', "diagram": '
        + diagram
        + ', "large": '
        + large
        + ', "grid": ['
        + ", ".join(grid)
        + "]"
        + tail
        + "}"
    )


# The stage: where the view is drawn, in the lesson's place on the page. It registers itself (window.__bplStage)
# for the class feed's loop (class_view._FEED_JS), which hands it the views the feed brings; the view the page's
# own run built is drawn unless the stage already shows a newer version. Its live region tells a screen reader
# each step, as the page's announcement does on a run.
_STAGE_JS: Final = """
export default function ({ parentElement, data }) {
  const d = JSON.parse(data);
  let region = parentElement.querySelector(':scope > .bp-stage-said');
  let box = parentElement.querySelector(':scope > .bp-follow-box');
  if (!box) {
    region = document.createElement('p');  // seen by nobody, read aloud (not .bp-sr-only: a11y.py hides the
    region.className = 'bp-stage-said';    // element container of any such text, which is the whole stage here)
    region.style.cssText = 'position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    box = document.createElement('div');
    box.className = 'bp-follow-box';
    parentElement.append(region, box);
  }
  const stage = window.__bplStage && window.__bplStage.box === box ? window.__bplStage : { box, v: -1, mine: {} };
  stage.sig = d.sig;
  if (d.answer) Object.assign(stage.mine, d.answer.mine || {});  // the store's, read by the page's run
  // The student's answers go to the class feed one after another, so the last one chosen is the last counted.
  stage.queue = stage.queue || Promise.resolve();
  const send = (qid, value) => {
    const url = d.answer.url + '&q=' + encodeURIComponent(qid) + '&a=' + encodeURIComponent(value);
    const post = () => fetch(url, { method: 'POST', cache: 'no-store' }).then((r) => r.status === 503
      ? { ok: false, offline: true } : r.json().catch(() => ({ ok: false })));
    const sent = stage.queue.then(post, post);
    stage.queue = sent.catch(() => undefined);
    return sent;
  };
  stage.ctx = d.answer ? { mine: stage.mine, send } : null;
  stage.render = (view, v) => import(new URL(d.module, document.baseURI).href).then((m) => {
    if (v < stage.v) return;  // a newer view was drawn meanwhile
    stage.v = v;
    if (d.narrow && window.innerWidth <= d.narrow.px) {  // a phone: Step stays in view above the diagram
      view.diagram.height = Math.min(view.diagram.height, d.narrow.height);
    }
    m.render(box, view, stage.ctx);
    region.textContent = view.announce || '';
    box._bpShown = v;  // read by the tests: the class version the stage shows
  });
  window.__bplStage = stage;  // no cleanup function: Streamlit may call one at once; the feed's loop checks
  if (d.v >= stage.v) stage.render(d.view, d.v);  // that the stage's box is still in the page instead
}
"""
_STAGE_JS_VERSION: Final = hashlib.sha256((STATIC_DIR / STAGE_JS).read_bytes()).hexdigest()[:12]
_stage = st.components.v2.component("backprop.follow_stage", js=_STAGE_JS, isolate_styles=False)


def stage(
    view: str, v: int, sig: str, narrow: dict[str, int] | None = None, answer: dict[str, Any] | None = None
) -> None:
    """Draw `view` (built by `build`, at class version `v`) in the page's stage, where the feed's later views
    are drawn too. `answer`: where the stage sends the student's answers ("url") and the one they gave
    ("mine": question id → answer)."""
    module = static_url(STAGE_JS) + "?v=" + _STAGE_JS_VERSION
    extra: dict[str, Any] = {"narrow": narrow} if narrow else {}
    if answer is not None:
        extra["answer"] = answer
    data = json.dumps({"v": v, "sig": sig, "module": module, **extra})[:-1] + ', "view": ' + view + "}"
    _stage(key="follow_stage", data=data, width="stretch", height="content")
