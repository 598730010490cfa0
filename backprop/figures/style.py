"""Colours and labels shared by the figures."""

from __future__ import annotations

from typing import TypedDict

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale

# Colour scales as explicit lists: Plotly.js has scales of the same names with other colours (its "RdBu" is
# not ColorBrewer's), and figures built without validation (`figure`) would send the bare name.
DIVERGING = get_colorscale("RdBu")  # signed quantities (W, δ, ∂C/∂W), centred on zero: red −, blue +
SEQUENTIAL = get_colorscale("Viridis")  # activations
EMPTY_FILL = "#ffffff"  # not yet computed: an empty node or cell
EMPTY_LINE = "#b0b5ba"  # the outline of a node not yet computed
NODE_LINE = "#3c4043"  # the outline of a computed node
EMPTY_SCALE = [[0.0, "#eef0f2"], [1.0, "#eef0f2"]]  # a heatmap cell not yet computed
HIGHLIGHT = "#ff8c00"  # the selected weight and the path it depends on


class Font(TypedDict):
    """Plotly's font settings, as far as the figures set them."""

    family: str
    size: int  # pixels


FONT = Font(family="Inter, Helvetica, Arial, sans-serif", size=13)


def trace(kind: str, **props) -> dict:
    """A trace as a plain dict (properties that are None left out), for `figure`."""
    return {"type": kind, **{k: v for k, v in props.items() if v is not None}}


def figure(data: list[dict], layout: dict) -> go.Figure:
    """The figure of plain-dict traces and layout, built without Plotly validating every property: that
    validation was most of a figure's build time on a Step click (the 2-2-2 diagram: 4.6 ms, 1.5 ms
    without). tests/test_figures.py validates every builder's output instead.

    With an empty template: Plotly's default one is 7 kB of JSON in every figure, and the app's charts replace
    it with the Streamlit look anyway (THEME in static/live_chart.js)."""
    return go.Figure(data=data, layout={"template": {}, **layout}, _validate=False)


def cell_box(k: int, j: int, half: float = 0.5, **line) -> dict:
    """A rectangle round cell (k, j) of a heatmap on integer axes (x = j, y = k), `half` a cell wide each way:
    the chosen weight's outline (half 0.5) or an edited entry's (a little inside, dashed)."""
    return dict(type="rect", x0=j - half, x1=j + half, y0=k - half, y1=k + half, xref="x", yref="y", line=line)


def limit(*arrays) -> float:
    """The symmetric colour limit max |v| over the arrays (1.0 when all are zero or empty)."""
    values = [np.abs(np.asarray(a, dtype=float)).max() for a in arrays if np.size(a)]
    m = max(values, default=0.0)
    return float(m) if m > 0 else 1.0


def _steeper(scale: str, gamma: float, stops: int = 41) -> list[list]:
    """`scale` with its colour reached sooner on both sides of the centre: the value u ∈ [−1, 1] gets the
    colour of sign(u)·|u|^gamma."""
    u = np.linspace(-1.0, 1.0, stops)
    t = 0.5 + 0.5 * np.sign(u) * np.abs(u) ** gamma
    return [[float((a + 1) / 2), c] for a, c in zip(u, sample_colorscale(scale, list(t)), strict=True)]


# Presenter mode's diverging scale: the same hues (red-blue stays apart for red-green colour blindness), but a
# value at a tenth of the limit is already clearly tinted, so small values do not vanish into white on a
# washed-out projector (tests/test_figures.py measures both, in CIELAB).
PROJECTOR_DIVERGING = _steeper(DIVERGING, 0.5)


def diverging_scale(projector: bool = False):
    return PROJECTOR_DIVERGING if projector else DIVERGING


def diverging(values, lim: float, projector: bool = False) -> list[str]:
    """Colours of signed values on the diverging scale, with −lim and +lim at the ends."""
    t = np.clip((np.asarray(values, dtype=float).ravel() / lim + 1) / 2, 0, 1)
    return sample_colorscale(diverging_scale(projector), list(t))


def sequential(values, low: float, high: float) -> list[str]:
    """Colours of values on SEQUENTIAL between low and high."""
    span = (high - low) or 1.0
    t = np.clip((np.asarray(values, dtype=float).ravel() - low) / span, 0, 1)
    return sample_colorscale(SEQUENTIAL, list(t))


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on the colour `fill` ("rgb(r, g, b)" or "#rrggbb")."""
    if fill.startswith("#"):
        r, g, b = (float(int(fill[i : i + 2], 16)) for i in (1, 3, 5))
    else:
        r, g, b = (float(v) for v in fill[fill.index("(") + 1 : -1].split(",")[:3])
    return "#202124" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def short(v: float, digits: int = 3) -> str:
    """A value printed in a cell or node: 3 significant digits (or `digits`)."""
    v = float(v)
    return "0" if v == 0 else f"{v:.{digits}g}"


PRESENTER_FONT = 20  # figure text in presenter mode, in pixels
PRESENTER_LINES = 1.7  # line widths are multiplied by this in presenter mode


def for_projector(fig):
    """A copy of `fig` for presenter mode: larger text and thicker lines, readable from the back row.

    Text set in a size of its own (cells, annotations) grows by the same factor as the base font, up to
    PRESENTER_FONT − 4 in cells. Labels inside markers (a diagram's nodes) are left to their figure, which
    knows how much room its markers have (network_diagram's `projector`)."""
    fig = go.Figure(fig.to_dict(), _validate=False)  # a copy; `fig` was valid already
    factor = PRESENTER_FONT / FONT["size"]
    fig.update_layout(font_size=PRESENTER_FONT, title_font_size=PRESENTER_FONT + 2)
    subtitle = fig.layout.title.subtitle
    if subtitle.text:
        subtitle.font.size = round((subtitle.font.size or FONT["size"]) * factor)
    for note in fig.layout.annotations:
        note.font.size = round((note.font.size or FONT["size"]) * factor)
    for trace in fig.data:
        mode = getattr(trace, "mode", None) or ""
        inside_markers = "markers" in mode and "text" in mode
        if getattr(trace, "textfont", None) is not None and not inside_markers:
            trace.textfont.size = min(round((trace.textfont.size or FONT["size"]) * factor), PRESENTER_FONT - 4)
        line = getattr(trace, "line", None)
        if line is not None and line.width is not None:
            line.width = line.width * PRESENTER_LINES
        marker = getattr(trace, "marker", None)
        if marker is not None and getattr(marker, "line", None) is not None and marker.line.width is not None:
            w = marker.line.width
            marker.line.width = (
                [v * PRESENTER_LINES for v in w] if isinstance(w, (list, tuple)) else w * PRESENTER_LINES
            )
    return fig
