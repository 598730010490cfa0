"""Presenter mode as every page draws it: a session switch (app.py's sidebar toggle, ?present=1 in a link).

On a projector, text is sized by the screen's height, so that a 1280×720 projector and a 1920×1080 one show
the same page at the same proportions: body text is 2.5 % of the window's height, between 18 and 24 px
(ROOT_CSS). The figures' text can't follow CSS, so the step-through page learns the window's height from the
browser (backprop/ui/keys.py reports it) and sizes its projected figures with `body_px`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import streamlit as st

from backprop.figures import style

BODY_VH, BODY_MIN, BODY_MAX = 2.5, 18, 24  # body text: 2.5 % of the window's height, clamped (px)
DEFAULT_HEIGHT = 720  # until the browser has said: the most common projector
ROOT_CSS = (
    f"<style>html {{ font-size: clamp({BODY_MIN}px, {BODY_VH}vh, {BODY_MAX}px); }} "
    ".katex { font-size: 1.2em; }</style>"
)


PERSIST: Final = "session"  # a widget's value survives a visit to another page (persist_state=PERSIST)


_plain = threading.local()  # this script thread draws as out of presenter mode (see plain())


def on() -> bool:
    """Whether this session is in presenter mode (False inside `plain()`)."""
    return not getattr(_plain, "on", False) and bool(st.session_state.get("present"))


@contextmanager
def plain() -> Iterator[None]:
    """Within: draw as out of presenter mode, whatever this session's switch (a projecting instructor's page
    builds the lesson's view for the class's laptops and phones)."""
    _plain.on = True
    try:
        yield
    finally:
        _plain.on = False


def shown(fig):
    """The figure as this session shows it: larger text and thicker lines in presenter mode."""
    return style.for_projector(fig) if on() else fig


def screen_height() -> int:
    """The browser window's height in pixels, as last reported (DEFAULT_HEIGHT before that)."""
    h = st.session_state.get("screen_height")
    return int(h) if isinstance(h, (int, float)) and 200 <= h <= 10_000 else DEFAULT_HEIGHT


def body_px(height: int) -> int:
    """The body text's size in pixels in presenter mode, in a window `height` pixels high (as ROOT_CSS)."""
    return int(min(max(BODY_VH / 100 * height, BODY_MIN), BODY_MAX))
