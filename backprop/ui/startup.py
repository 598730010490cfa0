"""Everything a first run imports or builds lazily, done once per process, before any page is drawn.

Streamlit runs each session's script in a thread of its own. On a freshly started server a class opens its
link at the same moment, and the first runs then import the app's modules all at once: two threads on one
import can see each other's half-imported module. Two ways it failed (21 of 30 first visits to a fresh
server): this package's own modules ("cannot import name 'Step' from partially initialized module
'backprop.timeline'"), and pandas: only the gradient check's table (st.dataframe) imports pandas and
pyarrow, but Plotly uses pandas whenever it finds it in sys.modules, half-imported or not ("partially
initialized module 'pandas' has no attribute 'Series'" on any page drawing a figure meanwhile).

app.py and every page import this module first. Python imports a module once, under that module's own lock:
the first script thread does the whole warm-up below, any other first run waits at this import until it is
done (holding no other import lock, so it cannot deadlock), and every later run finds it done (the cost of
an import of a module already loaded). tests/test_server_crowd.py opens ten sessions on the five pages of a
fresh server at once, three times.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io
import plotly.tools
from streamlit import dataframe_util

# The pages' modules, and through them the core and the figure builders.
from backprop.ui import (  # noqa: F401
    gradcheck_view,
    lesson_view,
    matrix_view,
    presenter,
    series,
    settings,
    train_view,
    url_codec,
    url_state,
    worksheet_view,
)


def _serialise_a_figure() -> None:
    """What the figure builders and live_chart do with a figure (validate its traces, then write its JSON), once:
    Plotly builds its validators on first use."""
    fig = go.Figure(
        [go.Scatter(x=np.arange(3.0), y=np.ones(3), mode="lines+markers"), go.Heatmap(z=np.eye(2), colorscale="RdBu")]
    )
    fig.update_layout(title="warm-up")
    plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


def _serialise_a_table() -> None:
    """What st.dataframe does with the gradient check's rows: pandas, then Arrow (imports both)."""
    dataframe_util.convert_pandas_df_to_arrow_bytes(
        dataframe_util.convert_anything_to_pandas_df([{"layer": 1, "relative error": "1.0e-09"}])
    )


_serialise_a_figure()
_serialise_a_table()
