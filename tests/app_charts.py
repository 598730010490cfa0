"""The charts an AppTest run drew, as the browser receives them: the live_chart elements
(backprop/ui/live_chart.py, a custom component) with their key, accessible name and figure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

COMPONENT = "backprop.live_chart"


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


def charts(at: AppTest) -> list[Chart]:
    """Every chart of the page, in page order."""
    return [c for c in (chart_of(e) for e in at.get("bidi_component")) if c is not None]


def chart(at: AppTest, key: str) -> Chart:
    """The chart drawn under `key` (exactly one)."""
    (found,) = [c for c in charts(at) if c.key == key]
    return found
