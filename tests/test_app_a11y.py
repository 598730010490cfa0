"""Every chart of every page reaches a screen reader: an accessible name (st.plotly_chart's alt) that is its
text alternative's summary at this step, and the hidden table of its numbers right after it (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [
    "pages/step_through.py",
    "pages/two_nodes.py",
    "pages/matrix_form.py",
    "pages/gradient_check.py",
    "pages/train.py",
]


def _charts_and_tables(at: AppTest) -> tuple[list[str], int]:
    alts = [e.proto.alt for e in at.get("plotly_chart")]
    tables = sum('class="bp-sr-only"' in m.value and "<table>" in m.value for m in at.markdown)
    return alts, tables


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_name_and_a_table(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    alts, tables = _charts_and_tables(at)
    # The matrix form writes a small network's matrices out as equations; the others always draw charts.
    assert alts or page == "pages/matrix_form.py", f"{page} draws no chart"
    assert all(a.strip() for a in alts), f"{page}: a chart without a name: {alts}"
    assert tables == len(alts)


def test_the_matrix_form_names_its_heatmaps():
    """A network too wide to write out: the matrix form draws heatmaps, each named and with its table."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.number_input(key="n_h1").set_value(8).run()
    at.switch_page("pages/matrix_form.py").run()
    alts, tables = _charts_and_tables(at)
    assert alts and all(a.strip() for a in alts) and tables == len(alts)
    assert any(a.startswith("(BP") for a in alts)


def test_the_names_follow_the_step():
    """Stepping changes what the diagram's and the gradients' names say (Mazur's 2-2-2 preset)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="preset_worked_2_2_2").click().run()
    names = [_charts_and_tables(at)[0]]
    for _ in range(4):  # to step 4, backward through layer 2
        at.button(key="btn_step").click().run()
        names.append(_charts_and_tables(at)[0])
    assert names[0][0].startswith("Network 2-2-2, Step 0 of 6")
    assert names[-1][0].startswith("Network 2-2-2, Step 4 of 6 — backward through layer 2")
    assert any("Layer 2 (output), ∂C/∂W² computed: δ² largest magnitude at node 1, +0.1385" in n for n in names[-1])
    assert any("Layer 1, ∂C/∂W¹ not yet computed" in n for n in names[-1])


def test_the_presenter_stage_names_every_chart():
    """Presenter mode's stage (the diagram, the current layer large, a thumbnail of every layer) at a backward
    step: every chart named, every chart's table there."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.toggle(key="present").set_value(True).run()
    for _ in range(5):
        at.button(key="btn_step").click().run()
    assert not at.exception
    alts, tables = _charts_and_tables(at)
    assert len(alts) >= 3 and all(a.strip() for a in alts) and tables == len(alts)


def test_each_step_is_announced_with_its_result():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="preset_worked_2_2_2").click().run()

    def said() -> str:
        (text,) = [m.value for m in at.markdown if "bp-sr-only" in m.value and "<p " in m.value]
        return text

    assert "Step 0 of 6 — start" in said()
    for _ in range(4):
        at.button(key="btn_step").click().run()
    assert "Step 4 of 6 — backward through layer 2. δ² computed: largest magnitude at node 1, +0.1385." in said()
