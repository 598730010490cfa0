"""live_chart (backprop/ui/live_chart.py): the chart that keeps its element from run to run, so that the browser
updates it in place instead of building it anew. Here what AppTest and the files can show; the browser side
(the same chart element before and after a Step, Plotly loaded once, clicks) is in tests/test_browser.py."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io
from app_charts import chart, charts
from streamlit.testing.v1 import AppTest

from backprop.figures.alt import TextAlternative
from backprop.ui import live_chart

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def test_the_served_plotly_js_is_the_installed_packages_own():
    """The figures are written by Plotly's Python package for the Plotly.js it ships; static/ serves that file,
    byte for byte (after an upgrade of plotly: copy plotly/package_data/plotly.min.js to the new name)."""
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    served = live_chart.STATIC_DIR / live_chart.PLOTLY_JS
    assert served.read_bytes() == shipped.read_bytes()
    version = shipped.read_text(encoding="utf-8")[:200].split("plotly.js v", 1)[1].split()[0]
    assert f"plotly-{version}.min.js" == live_chart.PLOTLY_JS


def test_streamlit_serves_the_static_folder():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert live_chart.STATIC_DIR == ROOT / "static"  # next to app.py, where Streamlit looks


def test_the_payload_carries_the_figure_as_plotly_writes_it():
    fig = go.Figure(go.Heatmap(z=[[1.0, -2.5]], customdata=[[[1, 0, 0], [1, 0, 1]]]), layout={"height": 321})
    text = TextAlternative("a heatmap", "its cells", ("k", "j", "value"), (("1", "1", "1"), ("1", "2", "−2.5 <b>")))
    data = json.loads(live_chart.payload(fig, text, clickable=True))
    sent = json.loads(plotly.io.to_json(fig, validate=False))
    del sent["layout"]["template"]  # THEME in static/live_chart.js replaces it in the browser
    assert data["figure"] == sent
    assert (data["alt"], data["height"], data["clickable"]) == ("a heatmap", 321, True)
    assert data["table"] == text.html() and "&lt;b&gt;" in data["table"]  # escaped: shown as text, never as HTML
    assert data["config"]["displayModeBar"] is False
    assert data["plotly"] == "/app/static/" + live_chart.PLOTLY_JS
    assert data["module"].startswith("/app/static/live_chart.js?v=")
    no_height = json.loads(live_chart.payload(go.Figure(), text, height=None))
    assert no_height["height"] == live_chart.DEFAULT_HEIGHT
    assert json.loads(live_chart.payload(fig, text, height=90))["height"] == 90


def test_a_step_changes_the_figures_but_not_the_charts_identity():
    """The point of live_chart: Streamlit names the element by its key alone, so the browser keeps the chart and
    hands the new figure to Plotly.react (st.plotly_chart's name changed with every figure)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="preset_worked_2_2_2").click().run()
    before = {c.key: c for c in charts(at)}
    for _ in range(4):  # to step 4: backward through layer 2, whose ∂C/∂W fills in
        at.button(key="btn_step").click().run()
    assert not at.exception
    after = {c.key: c for c in charts(at)}
    assert set(before) == set(after) >= {"diagram", "grad_1", "grad_2"}
    for key in ("diagram", "grad_2"):
        assert after[key].figure != before[key].figure, key
        assert after[key].proto_id == before[key].proto_id, key
    assert chart(at, "grad_2").clickable and not chart(at, "diagram").clickable
