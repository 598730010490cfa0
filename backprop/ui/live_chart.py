"""A Plotly chart that stays in the page from run to run and is updated in place (Plotly.react).

Why not st.plotly_chart: Streamlit 1.67 names a Plotly chart by a hash of its whole figure (even with a key),
and the browser keys the chart's React element by that name; so a chart whose figure changed is a new element,
built from nothing with Plotly.newPlot: axes, SVG layers, event handlers, a new layout of the page around it.
On a Step click that was most of the browser's time (issue 13); on the Train page, five charts rebuilt each
second kept the browser 89 % busy and Pause waited behind them (issue 12). Upstream: streamlit/streamlit#16052
("Plotly chart state restoration and identity", open) makes keyed charts keep their identity.

This is a Streamlit custom component (components v2, no iframe) mounted with a key, which Streamlit keeps as the
element's identity: on a rerun the browser calls the component's function again with the new figure, on the
same element, and the function hands the figure to Plotly.react, which changes only what changed. The browser's
half is static/live_chart.js.

Plotly.js itself is the file Plotly's Python package ships (`plotly/package_data/plotly.min.js`, the version its
figures are written for), served by Streamlit's static file serving from `static/` next to app.py
(`.streamlit/config.toml`: enableStaticServing) and loaded once per browser tab; the browser caches it.
tests/test_live_chart.py checks the copy there is the installed package's, byte for byte.

What the chart does, as st.plotly_chart did for these figures: fills its column's width, takes the figure's
height, no mode bar, an accessible name (role="figure", aria-label) and, where asked, reports a click on a
point: its `customdata` (the gradient heatmaps' cells carry (l, k, j)). After it, in the same element, the
chart's numbers as a table that a screen reader reads and the screen does not show (one element, not two).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import plotly.io
import streamlit as st

from backprop.figures.alt import TextAlternative

PLOTLY_JS: Final = "plotly-4.1.1.min.js"  # static/ holds this copy of plotly/package_data/plotly.min.js
STATIC_DIR: Final = Path(__file__).resolve().parents[2] / "static"
DEFAULT_HEIGHT: Final = 450  # Plotly's own, for a figure that does not set one

# The component's script, sent with every chart on every run, so kept to one line: it imports the chart's code,
# static/live_chart.js (once per tab: the browser keeps a module it has imported), and hands it the chart.
# (The script itself is a blob: URL, so the module's path is made absolute against the page's address.)
_JS: Final = (
    "export default (c) => { const d = JSON.parse(c.data);"
    " return import(new URL(d.module, document.baseURI).href).then((m) => m.draw(c, d)); };"
)
_CSS: Final = ".bp-live-chart { overflow: hidden; }"
_component = st.components.v2.component("backprop.live_chart", js=_JS, css=_CSS, isolate_styles=False)

# The chart's code, named by its content so that a browser never runs an old copy after an upgrade.
CHART_JS: Final = "live_chart.js"
_CHART_JS_VERSION: Final = hashlib.sha256((STATIC_DIR / CHART_JS).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """Where the browser finds the static file `name`: Streamlit's static route under the server's base path."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{name}" if base else f"/app/static/{name}"


def spec(fig) -> str:
    """`fig` as JSON for Plotly.js, without its template (THEME in static/live_chart.js replaces it). Written once
    per figure object and kept on it: a figure is drawn again unchanged on many runs (a layer's gradient at every
    step until its turn; the Train page's charts between rebuilds), and the app never changes a figure once it
    has been drawn."""
    cached = getattr(fig, "_bp_spec", None)
    if cached is None:
        d = fig.to_dict()
        layout = {k: v for k, v in d.get("layout", {}).items() if k != "template"}
        cached = plotly.io.json.to_json_plotly({"data": d.get("data", []), "layout": layout})  # orjson if installed
        fig._bp_spec = cached
        fig._bp_rev = hashlib.blake2b(cached.encode(), digest_size=8).hexdigest()
    return cached


def revision(fig) -> str:
    """A short digest of `fig`'s spec: the browser skips redrawing a chart whose figure is the one it shows."""
    spec(fig)
    return fig._bp_rev


def payload(fig, text: TextAlternative, *, height: int | None = None, clickable: bool = False) -> str:
    """What the browser gets for `fig`: one JSON string (Streamlit passes a string on as it is, where a dict
    would be dumped twice over for the element's identity)."""
    h = height if height is not None else fig.layout.height
    head = {
        "alt": text.summary,
        "table": text.html(),
        "height": int(h) if h else DEFAULT_HEIGHT,
        "clickable": clickable,
        "rev": revision(fig),
        "config": {"displayModeBar": False, "responsive": True},
        "plotly": static_url(PLOTLY_JS),
        "module": static_url(CHART_JS) + "?v=" + _CHART_JS_VERSION,
    }
    return json.dumps(head)[:-1] + ', "figure": ' + spec(fig) + "}"


def live_chart(
    fig,
    *,
    key: str,
    text: TextAlternative,
    where: Any = st,
    height: int | None = None,
    on_click: Callable[[Any], None] | None = None,
) -> None:
    """Draw `fig` in `where` under `key`, updated in place on later runs, named by `text`'s summary and followed by
    its table, hidden from sight, for a screen reader. `on_click(customdata)` is called (as a widget callback,
    before the rerun) when the user clicks a point that carries customdata."""
    options: dict[str, Any] = {}
    if on_click is not None:
        options["on_click_change"] = lambda: _clicked(key, on_click)
    data = payload(fig, text, height=height, clickable=on_click is not None)
    if where is st:
        _component(key=key, data=data, **options)
    else:
        with where:
            _component(key=key, data=data, **options)


def _clicked(key: str, on_click: Callable[[Any], None]) -> None:
    value = trigger_value(key, "click")
    if value is not None:
        on_click(value)


def trigger_value(key: str, name: str) -> Any:
    """The value a components v2 component under `key` last sent as trigger `name` (None if none): Streamlit
    gives the component's result as an object with attributes, or as a dict."""
    result = st.session_state.get(key)
    value = getattr(result, name, None) if result is not None else None
    if value is None and isinstance(result, dict):
        value = result.get(name)
    return value
