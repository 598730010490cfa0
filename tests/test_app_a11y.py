"""Every chart of every page reaches a screen reader: an accessible name (live_chart's aria-label) that is its
text alternative's summary at this step, and the hidden table of its numbers right after it (AppTest)."""

from __future__ import annotations

from pathlib import Path

import app_shown as shown
import pytest
from app_charts import chart, charts
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
    alts = [c.alt for c in charts(at)]
    tables = sum(c.table.startswith("<table><caption>") for c in charts(at))
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

    def said() -> str:  # the page's live region, or the held stage's (it says the view's announcement)
        view = shown.held(at)
        if view is not None:
            return view["announce"]
        (text,) = [m.value for m in at.markdown if "bp-sr-only" in m.value and "<p " in m.value]
        return text

    assert "Step 0 of 6 — start" in said()
    for _ in range(4):
        at.button(key="btn_step").click().run()
    assert "Step 4 of 6 — backward through layer 2. δ² computed: largest magnitude at node 1, +0.1385." in said()


def _keys_in_order(at: AppTest) -> list[str]:
    """The keys of the main area's blocks and widgets, in page order."""

    def walk(node, out: list[str]) -> list[str]:
        for i in sorted(getattr(node, "children", None) or {}):
            child = node.children[i]
            if getattr(child, "key", None):
                out.append(child.key)
            walk(child, out)
        return out

    return walk(at.main, [])


@pytest.mark.parametrize("narrow", [False, True], ids=["laptop", "phone"])
def test_on_a_phone_the_lesson_comes_before_the_samples_fields(narrow):
    """What the browser reports of its width (backprop/ui/keys.py) decides the page's order: on a phone the step
    buttons come first, so Tab reaches Step before the sample's fields; on a laptop the fields stay above."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["screen_narrow"] = narrow
    at.run()
    assert not at.exception
    keys = _keys_in_order(at)
    step, x = keys.index("btn_step"), keys.index("x_text")
    assert (step < x) is narrow, keys


def _diagram_height(at: AppTest) -> int:
    return chart(at, "diagram").height


def test_on_a_phone_a_wide_network_s_diagram_is_at_most_480_px_high():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.number_input(key="n_h1").set_value(16).run()  # 2-16-2: a laptop draws it 762 px high, clipped to 640
    laptop = _diagram_height(at)
    at.session_state["screen_narrow"] = True
    at.run()
    assert not at.exception
    assert (laptop, _diagram_height(at)) == (640, 480)


def test_reduced_motion_keeps_autoplay_off():
    """Autoplay steps on its own; once the browser says it asks for reduced motion (the user turned it on while
    autoplay ran), the next tick steps nothing, the switch is off and disabled and a line says why."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.toggle(key="autoplay").set_value(True).run()
    assert at.session_state["lesson"].index == 1  # autoplay's first tick
    at.session_state["reduced_motion"] = True
    at.session_state["autoplay_last"] = 0.0  # as if the interval had passed: a tick would step now
    at.run()
    assert not at.exception
    assert at.session_state["lesson"].index == 1
    assert at.toggle(key="autoplay").value is False
    assert at.toggle(key="autoplay").disabled and at.slider(key="autoplay_seconds").disabled
    assert any("reduced motion" in c.value for c in at.sidebar.caption)
