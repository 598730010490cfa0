"""A Plotly chart that stays in the page from run to run and is updated in place (Plotly.react).

Why not st.plotly_chart: Streamlit 1.67 names a Plotly chart by a hash of its whole figure (even with a key),
and the browser keys the chart's React element by that name; so a chart whose figure changed is a new element,
built from nothing with Plotly.newPlot: axes, SVG layers, event handlers, a new layout of the page around it.
On a Step click that was most of the browser's time (issue 13); on the Train page, five charts rebuilt each
second kept the browser 89 % busy and Pause waited behind them (issue 12). Upstream: streamlit/streamlit#16052
("Plotly chart state restoration and identity", open) makes keyed charts keep their identity.

This is a Streamlit custom component (components v2, no iframe) mounted with a key, which Streamlit keeps as the
element's identity: on a rerun the browser calls the component's function again with the new figure, on the
same element, and the function hands the figure to Plotly.react, which changes only what changed.

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

# The component's script. Streamlit imports it once per tab and calls its default export on every run that
# draws the chart, with the same parentElement while the element stays in the page.
_JS_SOURCE: Final = r"""
const THEME = __THEME__;
let loading = null;  // the one promise of Plotly per tab

function plotly(url) {
  if (globalThis.Plotly) return Promise.resolve(globalThis.Plotly);
  if (loading === null) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => resolve(globalThis.Plotly);
      script.onerror = () => { loading = null; reject(new Error('could not load ' + url)); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

export default function ({ parentElement, data, setTriggerValue }) {
  const d = typeof data === 'string' ? JSON.parse(data) : data;
  let gd = parentElement.querySelector(':scope > .bp-live-chart');
  if (!gd) {
    gd = document.createElement('div');
    gd.className = 'bp-live-chart';
    gd.style.width = '100%';
    parentElement.appendChild(gd);
    // Follow the column's width (the sidebar opened or closed); a chart not displayed has no size to take.
    new ResizeObserver(() => {
      if (gd._bpDrawn && globalThis.Plotly && gd.offsetParent !== null) {
        globalThis.Plotly.Plots.resize(gd).catch(() => {});
      }
    }).observe(gd);
  }
  gd.setAttribute('role', 'figure');
  gd.setAttribute('aria-label', d.alt);
  // The chart's numbers as a table, not drawn but read aloud (the app's own HTML, its texts escaped).
  let table = parentElement.querySelector(':scope > .bp-sr-table');
  if (!table) {
    table = document.createElement('div');
    table.className = 'bp-sr-table';
    parentElement.appendChild(table);
  }
  if (table._bpHtml !== d.table) { table.innerHTML = d.table; table._bpHtml = d.table; }
  gd.style.height = d.height + 'px';
  gd._bpNext = d;                       // the newest figure wins: a run that arrives while one is drawn
  gd._bpTrigger = setTriggerValue;      // replaces it, and a stale one is never drawn after it
  if (gd._bpBusy) return;
  gd._bpBusy = true;
  const draw = (P) => {
    const next = gd._bpNext;
    if (next === null) { gd._bpBusy = false; return; }
    gd._bpNext = null;
    const layout = next.figure.layout || {};
    layout.template = THEME;
    delete layout.width;
    layout.autosize = true;
    layout.height = next.height;
    return P.react(gd, next.figure.data || [], layout, next.config).then(() => {
      gd._bpDrawn = true;
      if (next.clickable && !gd._bpClicks) {
        gd._bpClicks = true;
        gd.on('plotly_click', (ev) => {
          const p = ev && ev.points && ev.points[0];
          if (p && p.customdata !== undefined) gd._bpTrigger('click', p.customdata);
        });
      }
      return draw(P);
    });
  };
  plotly(d.url).then(draw).catch((e) => {
    gd._bpBusy = false;
    gd.textContent = 'This chart could not be drawn (' + e.message + '); its numbers are in the table below.';
  });
}
"""

_CSS: Final = ".bp-live-chart { overflow: hidden; }"

# The look st.plotly_chart gave these figures: Streamlit's theme for Plotly, as its light theme with this app's
# colours (.streamlit/config.toml) works it out, read from a chart it drew. It replaces the figure's own template,
# as st.plotly_chart's did (the figures set their own fonts and colours where they matter); it fills in the rest:
# grey tick labels, faint ticks and grid, margins that grow to fit the labels, the title's font.
_GREY, _FAINT, _SANS = "#808495", "#e6eaf1", '"Source Sans", sans-serif'
_AXIS_TITLE: Final = {"font": {"color": _GREY, "size": 14}}
_AXIS: Final = {
    "automargin": True,
    "gridcolor": _FAINT,
    "zerolinecolor": _FAINT,
    "tickcolor": _FAINT,
    "tickfont": {"color": _GREY, "size": 12},
}
THEME: Final = {
    "layout": {
        "font": {"color": _GREY, "family": _SANS, "size": 12, "weight": 400},
        "title": {
            "font": {"family": _SANS, "size": 16, "color": "#111318"},
            "pad": {"l": 4},
            "xanchor": "left",
            "x": 0,
        },
        "legend": {"bordercolor": "transparent", "borderwidth": 0, "font": {"size": 12, "color": "#262730"}},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "xaxis": {**_AXIS, "showgrid": False, "zeroline": False, "title": {**_AXIS_TITLE, "standoff": 20}},
        "yaxis": {**_AXIS, "ticklabelposition": "outside", "title": {**_AXIS_TITLE, "standoff": 24}},
        "margin": {"pad": 8, "r": 0, "l": 0},
        "hoverlabel": {
            "bgcolor": "#FFFFFF",
            "bordercolor": "rgba(17, 19, 24, 0.2)",
            "font": {"color": _GREY, "family": _SANS, "size": 12},
        },
    }
}

_JS: Final = _JS_SOURCE.replace("__THEME__", json.dumps(THEME))
_component = st.components.v2.component("backprop.live_chart", js=_JS, css=_CSS, isolate_styles=False)


def plotly_url() -> str:
    """Where the browser finds Plotly.js: Streamlit's static route under the server's base path."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{PLOTLY_JS}" if base else f"/app/static/{PLOTLY_JS}"


def spec(fig) -> str:
    """`fig` as JSON for Plotly.js, without its template (THEME replaces it). Written once per figure object and
    kept on it: a figure is drawn again unchanged on many runs (a layer's gradient at every step until its turn;
    the Train page's charts between rebuilds), and the app never changes a figure once it has been drawn."""
    cached = getattr(fig, "_bp_spec", None)
    if cached is None:
        d = fig.to_dict()
        layout = {k: v for k, v in d.get("layout", {}).items() if k != "template"}
        cached = plotly.io.json.to_json_plotly({"data": d.get("data", []), "layout": layout})  # orjson if installed
        fig._bp_spec = cached
    return cached


def payload(fig, text: TextAlternative, *, height: int | None = None, clickable: bool = False) -> str:
    """What the browser gets for `fig`: one JSON string (Streamlit passes a string on as it is, where a dict
    would be dumped twice over for the element's identity)."""
    h = height if height is not None else fig.layout.height
    head = {
        "alt": text.summary,
        "table": text.html(),
        "height": int(h) if h else DEFAULT_HEIGHT,
        "clickable": clickable,
        "config": {"displayModeBar": False, "responsive": True},
        "url": plotly_url(),
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
    result = st.session_state.get(key)
    value = getattr(result, "click", None) if result is not None else None
    if value is None and isinstance(result, dict):
        value = result.get("click")
    if value is not None:
        on_click(value)
