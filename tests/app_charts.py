"""The charts an AppTest run drew, as the browser receives them: the live_chart elements
(backprop/ui/live_chart.py, a custom component) with their key, accessible name and figure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

COMPONENT = "backprop.live_chart"
HELD = "backprop.held_stage"


@dataclass(frozen=True)
class Chart:
    key: str
    alt: str
    table: str  # the chart's numbers as an HTML table, hidden from sight, read by a screen reader
    figure: dict  # the figure's JSON, as Plotly.js gets it
    height: int  # pixels
    clickable: bool  # a click on a point is reported to the app
    proto_id: str  # the element's identity: Streamlit keeps it, and with it the chart, from run to run


def chart_of(element) -> Chart | None:
    """The Chart an element of the tree is, or None when it is something else."""
    if getattr(element, "type", None) != "bidi_component" or element.proto.component_name != COMPONENT:
        return None
    data = json.loads(json.loads(element.proto.json))  # Streamlit wraps the payload string in JSON once more
    key = element.proto.id.rsplit("-", 1)[-1]  # the id ends in the user's key
    return Chart(key, data["alt"], data["table"], data["figure"], data["height"], data["clickable"], element.proto.id)


def _held(element) -> list[Chart]:
    """The charts of the view the held stage shows (held_view: the session's step), keyed as the page drawn by
    Streamlit keys them: diagram, grad_l, edit_curve."""
    if getattr(element, "type", None) != "bidi_component" or element.proto.component_name != HELD:
        return []
    data = json.loads(json.loads(element.proto.json))
    view = data["views"][data["index"]]
    named = [("diagram", view["diagram"])] + [(f"grad_{l}", c) for l, c in enumerate(view["grid"], start=1)]
    named += [("edit_curve", view["curve"])] if view.get("curve") else []
    return [
        Chart(key, c["alt"], c["table"], c["figure"], c["height"], c["clickable"], element.proto.id + "/" + key)
        for key, c in named
    ]


def charts(at: AppTest) -> list[Chart]:
    """Every chart of the page, in page order (the held stage's: those of the view it shows)."""
    found: list[Chart] = []
    for e in at.get("bidi_component"):
        c = chart_of(e)
        found += [c] if c is not None else _held(e)
    return found


def chart(at: AppTest, key: str) -> Chart:
    """The chart drawn under `key` (exactly one)."""
    (found,) = [c for c in charts(at) if c.key == key]
    return found
