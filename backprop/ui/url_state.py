"""Each page's state in the URL: read once when a session opens a link, written on every run.

A link to the step-through page, the matrix form or the gradient check carries the network settings, the
sample, the iteration, the step and the chosen weight (and ε on the gradient check), so opening it in a
fresh browser shows the same numbers at the same step; a link to the two-nodes page carries its sliders.
Decoding goes through url_codec's typed whitelist, with the field set of the page the link opens; whatever
it refuses falls back to the default with one notice on the page. Only the first page a session opens reads
its link: after that the session's own state rules, and each page writes its state back on every run.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from backprop.lesson import edits as ed
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson
from backprop.limits import MAX_HIDDEN_LAYERS
from backprop.ui import edit_view, series, train_view, url_codec
from backprop.ui.settings import Settings, apply_preset

WIDGETS = {
    "in": "n_in",
    "out": "n_out",
    "act": "activation",
    "outact": "output_activation",
    "cost": "cost",
    "lr": "learning_rate",
    "seed": "seed",
    "init": "init",
    "bias": "update_biases",
}
PAGES = {
    "step_through": url_codec.FIELDS,
    "matrix_form": url_codec.FIELDS,
    "gradient_check": url_codec.GRADIENT_CHECK,
    "two_nodes": series.LINK_FIELDS,
    "train": train_view.LINK_FIELDS,
}  # page → its link's keys


def restore(page: str) -> None:
    """Once per session, before any widget is drawn: set the page's widgets from the URL's query parameters."""
    _through_app()
    s = st.session_state
    if s.get("url_restored"):
        return
    s["url_restored"] = True
    values, problems = url_codec.decode(st.query_params.to_dict(), PAGES[page])
    if not values and not problems:
        return
    if page in ("two_nodes", "train"):
        s["url_problems"] = problems + (series if page == "two_nodes" else train_view).apply_link(values)
        return
    if "epsilon" in values:
        s["epsilon"] = values["epsilon"]
    _restore_network(values, problems)


def _through_app() -> None:
    """A link straight to a page of a server that has not yet run app.py (just started, nobody on the home
    page): Streamlit then runs the page the old "pages/ folder" way, without app.py's navigation, layout and
    presenter mode, until st.navigation is first called. Do what that call does, and run again: app.py now
    runs and opens this same page. (Streamlit keeps that switch in PagesManager, which has no public API.)"""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _restore_network(values: dict, problems: list[str]) -> None:
    """The step-through network's widgets, sample and position from a link's values."""
    s = st.session_state
    # The app's default (the worked 2-2-2 example) or the linked preset, then every other key over it.
    apply_preset(values.get("preset", "worked_2_2_2"))
    s.pop("notice", None)
    for key, widget in WIDGETS.items():
        if key in values:
            s[widget] = values[key]
    if "h" in values:
        s["n_hidden"] = min(len(values["h"]), MAX_HIDDEN_LAYERS)
        for i, n in enumerate(values["h"], start=1):
            s[f"n_h{i}"] = n
    # Fixed weights only fit their preset's own network, and a seed named without a preset means random ones.
    fixed = s.get("fixed")
    p = PRESETS.get(fixed) if fixed is not None else None
    widths = (s["n_in"],) + tuple(s[f"n_h{i}"] for i in range(1, s["n_hidden"] + 1)) + (s["n_out"],)
    if p is not None and (
        (widths, s["activation"], s["output_activation"]) != (p.sizes, p.activation, p.output_activation)
        or ("preset" not in values and ("seed" in values or "init" in values))
    ):
        s["fixed"] = None
    if s.get("fixed") is None and "bias" not in values:  # a link from before the switch: biases moved
        s["update_biases"] = True
    for key in ("x", "y"):
        if key in values:
            s[f"{key}_text"] = ", ".join(f"{v:g}" for v in values[key])
    s["url_position"] = (values.get("it", 1), values.get("step", 0), values.get("w"))
    s["url_edits"] = (values.get("ei", 1), values.get("ew", ()), values.get("eb", ()))
    s["url_problems"] = problems


def open_link(query: dict[str, str]) -> None:
    """The step-through page's widgets and position from a link's query, as restore() sets them from the
    address bar (class mode opens the instructor's moment this way); place() then moves the lesson."""
    values, problems = url_codec.decode(query, url_codec.FIELDS)
    _restore_network(values, problems)


def place(lesson: Lesson) -> Lesson:
    """The lesson moved to the iteration and step a link named (once), with its chosen weight."""
    s = st.session_state
    position = s.pop("url_position", None)
    if position is None:
        return lesson
    iteration, index, w = position
    problems = s.setdefault("url_problems", [])
    edit_at, weights, biases = s.pop("url_edits", (1, (), ()))
    rec = None
    if (weights or biases) and edit_at > iteration:
        problems.append(f"“ei” {edit_at} is past the linked iteration {iteration}: the edits were left out")
        weights, biases = (), ()
    try:
        for it in range(1, iteration + 1):  # the same updates on the same sample give the same network
            if it == edit_at and (weights or biases):
                lesson, rec = _edit(lesson, weights, biases, problems)
            if it < iteration:
                lesson = lesson.run_to_end().forward().reset()
        if index > lesson.last:
            problems.append(f"“step” {index} is past this network's last step, {lesson.last}")
            index = 0
        lesson = Lesson(
            lesson.networks, lesson.x, lesson.y, lesson.cost, lesson.learning_rate, index, lesson.update_biases
        )
        lesson.cost_after_update()
    except ValueError as err:
        problems.append(f"the linked iteration could not be computed ({err})")
        return s["lesson"]
    s[edit_view.STATE] = rec
    if w is not None:
        l, k, j = w
        sizes = lesson.network.sizes
        if l <= lesson.network.L and k <= sizes[l] and j <= sizes[l - 1]:
            s["pick_l"], s["pick_k"], s["pick_j"] = l, k, j
            s["selected"] = (l, k - 1, j - 1)  # what the other pages read
        else:
            problems.append(f"“w” {l},{k},{j} is not a weight of this network")
    s["lesson"] = lesson
    return lesson


def _edit(lesson: Lesson, weights: tuple, biases: tuple, problems: list[str]) -> tuple[Lesson, ed.Edits | None]:
    """`lesson` with a link's hand-set entries (1-based) on its current network; an entry the network does
    not have, or one that makes its numbers overflow, is named and left out."""
    rec = None
    entries = [("W", l, k, j, v, "ew") for l, k, j, v in weights] + [("b", l, k, 1, v, "eb") for l, k, v in biases]
    for param, l, k, j, v, key in entries:
        try:
            lesson, rec = ed.edit(lesson, rec, param, l, k - 1, j - 1, v)
        except ValueError as err:
            where = f"{l},{k},{j}" if param == "W" else f"{l},{k}"
            problems.append(f"“{key}” {where} was left out: {err}")
    return lesson, rec


def link_edits(lesson: Lesson) -> tuple[dict, str | None]:
    """The link keys of the lesson's hand edits ({} if none), and a note when they cannot travel in a link:
    too many, or edits in more than one iteration (a link holds one iteration's)."""
    rec = edit_view.current(lesson)
    while rec is not None and rec.count == 0:  # every entry set back: its network is the one it started with
        rec = rec.previous
    if rec is None:
        return {}, None
    weights = tuple((l, k + 1, j + 1, v) for (l, k, j), v in sorted(rec.weights.items()))
    biases = tuple((l, k + 1, v) for (l, k), v in sorted(rec.biases.items()))
    values = {"ei": rec.iteration, "ew": weights, "eb": biases}
    query = url_codec.encode(values)
    too_long = len(weights) > url_codec.MAX_EDITS or len(biases) > url_codec.MAX_EDITS
    too_long = too_long or any(len(text) > url_codec.MAX_LEN for text in query.values())
    why = None
    if rec.previous is not None:
        why = "were made in more than one iteration; a link holds one iteration's edits"
    elif too_long:
        why = (
            f"are too many to fit in a link (at most {url_codec.MAX_EDITS} weights and {url_codec.MAX_EDITS} "
            "biases, in a few hundred characters)"
        )
    if why is None:
        return {k: v for k, v in values.items() if v}, None
    return {}, (
        f"The weights and biases you set by hand {why}: this link opens the network without them. The worked "
        "sheet and the JSON export (under “Download this iteration”) hold every number."
    )


def show_problems() -> None:
    """The one notice for everything a link asked for that could not be used. While the Train page replays
    its link the notice is kept, so that the whole-page run at the replay's end shows it again."""
    s = st.session_state
    problems = s.get("url_problems") if s.get(train_view.REPLAY) else s.pop("url_problems", None)
    if problems:
        st.warning(
            "Parts of this link were ignored and their defaults used: " + "; ".join(problems) + ".",
            icon=":material/link_off:",
        )


def params(settings: Settings, lesson: Lesson, selected: tuple[int, int, int], **extra) -> dict:
    """The values of this moment, by link key (`extra`: a page's own keys, such as epsilon)."""
    values = {
        "in": settings.sizes[0],
        "h": settings.sizes[1:-1],
        "out": settings.sizes[-1],
        "act": settings.activation,
        "outact": settings.output_activation,
        "cost": settings.cost,
        "lr": settings.learning_rate,
        "seed": settings.seed,
        "init": settings.init,
        "bias": settings.update_biases,
        "x": tuple(float(v) for v in lesson.x),
        "y": tuple(float(v) for v in lesson.y),
        "it": min(lesson.iteration, url_codec.MAX_ITERATION),
        "step": lesson.index,
        "w": (selected[0], selected[1] + 1, selected[2] + 1),
    }
    if settings.fixed in PRESETS:
        values["preset"] = settings.fixed
    return {**values, **link_edits(lesson)[0], **extra}


def write(settings: Settings | None, lesson: Lesson, selected: tuple[int, int, int], **extra) -> None:
    """Put this moment in the address bar, and offer the link to copy."""
    if settings is None:  # settings the core refused: the default example is shown, not these settings
        return
    note = None
    if settings.trained is not None:
        note = (
            "The weights came from the Train page and do not fit in a link: this one opens the same sizes "
            f"with random weights (seed {settings.seed}). To share the trained network, export it as JSON on "
            "the Train page."
        )
    else:
        note = link_edits(lesson)[1]
    _publish(
        params(settings, lesson, selected, **extra), url_codec.GRADIENT_CHECK, "this network, sample and step", note
    )


def write_two_nodes() -> None:
    """The two-nodes page's sliders and choices in the address bar, and its link to copy."""
    _publish(series.link_values(), series.LINK_FIELDS, "these numbers")


def write_train(state) -> None:
    """The Train page's dataset, network, descent and epoch in the address bar, and its link to copy."""
    values, note = train_view.link_values(state)
    _publish(values, train_view.LINK_FIELDS, "this dataset and network, trained as far", note)


def _publish(values: dict, fields: dict, what: str, note: str | None = None) -> None:
    """`values` (with presenter mode, when on) encoded by `fields` into the address bar, and the link to copy."""
    if st.session_state.get("present"):
        values = {**values, "present": "1"}
    query = url_codec.encode(values, fields)
    st.query_params.from_dict(query)
    base = st.context.url or ""
    with st.popover("Copy link", icon=":material/link:"):
        if note:
            st.warning(note, icon=":material/info:")
        else:
            st.caption(f"This link opens {what} in any browser:")
        st.code(f"{base}?{urlencode(query)}", language=None, wrap_lines=True)
