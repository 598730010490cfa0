"""Downloads of the current iteration as a worked sheet: Markdown with LaTeX, JSON and CSV.

The files are built only when a button is clicked (`data` is a callable, run by Streamlit on click), and a
click does not rerun the page (`on_click="ignore"`), so the buttons cost a class nothing until used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

import streamlit as st

from backprop.lesson import worksheet
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson
from backprop.ui import edit_view

FORMATS = (  # (label, extension, MIME type)
    ("Worked sheet (Markdown)", "md", "text/markdown"),
    ("Arrays (JSON)", "json", "application/json"),
    ("Arrays (CSV)", "csv", "text/csv"),
)


def file_stem(lesson: Lesson) -> str:
    """backprop-2-2-2-iteration1: the sizes and the iteration, so that several downloads don't collide."""
    return f"backprop-{'-'.join(map(str, lesson.network.sizes))}-iteration{lesson.iteration}"


def origin(lesson: Lesson) -> str | None:
    """Where the lesson's first network came from, read from the step-through page's settings if they
    are the ones the lesson was built from, with the entries set by hand; None when that is not known."""
    settings = st.session_state.get("lesson_settings")
    if settings is None or tuple(getattr(settings, "sizes", ())) != lesson.network.sizes:
        return None
    if settings.fixed is not None and settings.fixed in PRESETS:
        where = f"the fixed weights of the preset “{PRESETS[settings.fixed].title}”"
    elif settings.trained is not None:
        where = st.session_state.get("trained_title", "a network trained on the Train page")
    else:
        where = f"random, seed {settings.seed}, initialisation {settings.init}"
    return where + _edited(lesson)


def _edited(lesson: Lesson) -> str:
    """ ", with … set by hand in iteration n" for each edited iteration, oldest first ("" if none)."""
    parts: list[str] = []
    rec = edit_view.current(lesson)
    while rec is not None:
        entries = [f"W{l}[{k + 1},{j + 1}] = {v:.10g}" for (l, k, j), v in sorted(rec.weights.items())]
        entries += [f"b{l}[{k + 1}] = {v:.10g}" for (l, k), v in sorted(rec.biases.items())]
        if entries:
            parts.insert(0, f", with {', '.join(entries)} set by hand in iteration {rec.iteration}")
        rec = rec.previous
    return "".join(parts)


class Source(TypedDict):
    lesson: Lesson
    origin: str | None


def source(lesson: Lesson) -> Source:
    """What a file is built from: the lesson and where its network came from (read from the session here, in
    the script's run: the builders run in a thread of Streamlit's own, without the session)."""
    return Source(lesson=lesson, origin=origin(lesson))


def builders(lesson: Lesson, held: list[Source] | None = None) -> dict[str, Callable[[], str]]:
    """The builder of each file, by extension: callables without arguments, as st.download_button wants. They
    build `lesson`'s files; with `held`, a list whose one `source` held_view replaces at each edit (without
    running the downloads' fragment), the files of the source it holds when the file is asked for."""
    box = held if held is not None else [source(lesson)]

    def md() -> str:
        now = box[0]
        return worksheet.worked_sheet_markdown(now["lesson"], origin=now["origin"])

    def json() -> str:
        now = box[0]
        return worksheet.worked_sheet_json(now["lesson"], origin=now["origin"])

    return {"md": md, "json": json, "csv": lambda: worksheet.worked_sheet_csv(box[0]["lesson"])}


def download_buttons(lesson: Lesson, held: list[Source] | None = None) -> None:
    """Three download buttons for the lesson's current iteration: Markdown, JSON, CSV (`held`: see builders)."""
    stem = file_stem(lesson)
    build = builders(lesson, held)
    st.caption(
        f"Download iteration {lesson.iteration} in full: every sum, delta, gradient and update "
        "(Markdown with LaTeX, for GitHub or Jupyter), or every array (JSON, CSV)."
    )
    for col, (label, ext, mime) in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
        col.download_button(
            label,
            data=build[ext],
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"download_sheet_{ext}",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )
