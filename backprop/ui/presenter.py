"""Presenter mode as every page draws it: a session switch (app.py's sidebar toggle, ?present=1 in a link)."""

from __future__ import annotations

from typing import Any, Final, Literal, TypedDict

import streamlit as st

from backprop.figures import style


class ChartOptions(TypedDict):
    width: Literal["stretch"]
    config: dict[str, Any]


CHART: Final[ChartOptions] = {"width": "stretch", "config": {"displayModeBar": False}}   # st.plotly_chart(…, **CHART)
PERSIST: Final = "session"   # a widget's value survives a visit to another page (persist_state=PERSIST)


def on() -> bool:
    """Whether this session is in presenter mode."""
    return bool(st.session_state.get("present"))


def shown(fig):
    """The figure as this session shows it: larger text and thicker lines in presenter mode."""
    return style.for_projector(fig) if on() else fig
