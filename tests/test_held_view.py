"""The plain step-through page's lesson held in the page (backprop/ui/held_view.py), headless (AppTest): which
pages hold it, that it holds every step of the iteration, and when the held views are built again.
tests/test_browser_held.py checks the stepping itself in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import app_shown as shown
import numpy as np
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.lesson.timeline import n_steps

SYNC = "backprop.held_sync"
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def _sync(at: AppTest) -> dict:
    """The step row's report to the page, without its session's name (checked to be the stage's, and kept)."""
    (data,) = [
        json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name.endswith("held_sync")
    ]
    sid = data.pop("sid")
    assert len(sid) == 16 and sid == shown.held_data(at)["sid"] == at.session_state["_held_sid"]
    return data


def test_the_plain_page_holds_every_step_of_its_iteration():
    at = _app()
    data = shown.held_data(at)
    assert data is not None, "the plain page holds its lesson"
    lesson = at.session_state["lesson"]
    L = lesson.network.L
    assert len(data["views"]) == n_steps(L) == lesson.last + 1
    for i, view in enumerate(data["views"]):
        step = bp.step(L, i, lesson.update_biases)
        assert view["progress"] == f"<strong>{step.progress}</strong> · iteration 1"
        assert view["title"] == step.title.capitalize()
        assert len(view["grid"]) == L and all(c["clickable"] for c in view["grid"]), "a cell click picks a weight"
    assert data["index"] == 0 and _sync(at) == {"index": 0, "it": 1, "moves": 0}


def test_a_press_is_counted_and_steps_within_the_same_views():
    at = _app()
    token = shown.held_data(at)["token"]
    for i in range(1, 4):
        _click(at, "btn_step")
        assert _sync(at) == {"index": i, "it": 1, "moves": i}
        assert shown.held_data(at)["token"] == token, "a step within the iteration keeps the views"
    _click(at, "btn_reset")
    assert _sync(at) == {"index": 0, "it": 1, "moves": 4}
    assert at.button(key="btn_back").disabled, "at step 0 of the first iteration: the press never comes"


def test_a_new_iteration_another_weight_or_an_edit_brings_new_views():
    at = _app()
    tokens = {shown.held_data(at)["token"]}
    _click(at, "btn_end")
    _click(at, "btn_step")  # into iteration 2: another network
    assert at.session_state["lesson"].iteration == 2 and shown.progress(at).endswith("iteration 2")
    tokens.add(shown.held_data(at)["token"])
    at.selectbox(key="pick_k").set_value(2).run()  # another chosen weight: other chain rules, another orange edge
    tokens.add(shown.held_data(at)["token"])
    assert "from node 1 of layer 0 to node 2 of layer 1" in " ".join(shown.markdowns(at))
    at.number_input(key="edit_W_field").set_value(0.5).run()  # an edit: another network
    tokens.add(shown.held_data(at)["token"])
    assert len(tokens) == 4


def test_presenter_mode_holds_its_stage():
    """Projected, the held views are presenter mode's stage (lesson_view.stage's figures, sized for the window):
    the diagram, the current layer's gradient large, every layer's thumbnail, the chain rule below."""
    from backprop.ui import lesson_view

    at = _app({"present": "1", "preset": "deep_narrow"})
    data = shown.held_data(at)
    assert data is not None, "presenter mode holds its stage"
    lesson = at.session_state["lesson"]
    L = lesson.network.L
    for i, view in enumerate(data["views"]):
        assert view["layout"] == "stage" and view["title"] == ""
        assert len(view["grid"]) == L and view["columns"] == max(min(L, lesson_view.THUMBS_PER_ROW), 3)
        step = bp.step(L, i, lesson.update_biases)
        assert view["progress"] == f"<strong>{step.progress}</strong> · iteration 1"
        assert view["large"]["clickable"] and all(c["clickable"] for c in view["grid"])
        assert view["below"][0]["t"].startswith("<strong>Chosen weight</strong>"), "the chain rule, below the screen"
    assert any(b["k"] == "latex" for b in data["views"][-1]["below"]), "revealed at the update"
    assert data["views"][0]["diagram"]["height"] != data["views"][0]["grid"][0]["height"]
    at.toggle(key="present").set_value(False).run()
    assert "layout" not in shown.held_data(at)["views"][0], "out of presenter mode: the page's layout"


def test_where_the_page_shows_more_than_the_views_hold_it_draws_the_lesson_itself():
    at = _app()
    at.toggle(key="quiz_on").set_value(True).run()
    assert shown.held_data(at) is None, "predicting: a question gates each backward step"
    at = _app()
    at.toggle(key="autoplay").set_value(True).run()
    assert shown.held_data(at) is None, "autoplay: the server moves the lesson"


def test_a_step_whose_numbers_overflow_is_not_held():
    """A learning rate so large that the update overflows: the update's view is not held (the browser cannot
    draw it; the press gets the server's message), every other step is."""
    import numpy as np

    from backprop.lesson.progress import Lesson

    at = _app()
    big = bp.Network.from_arrays([[[1e150, 1e150]], [[1.0]]], [[0.0], [0.0]], "linear")
    # (Lesson.start would refuse it: built as a long run with η = 1e160 could leave it, as in
    # test_app_step_through's test of the message.)
    at.session_state["lesson"] = Lesson((big,), np.array([1.0, 1.0]), np.array([0.0]), "quadratic", 1e160, 5)
    at.session_state["x_text"], at.session_state["y_text"] = "1, 1", "0"
    at.run()
    assert not at.exception
    data = shown.held_data(at)
    assert data["views"][-1] is None and all(v is not None for v in data["views"][:-1])
    assert data["index"] == 5 and shown.progress(at).startswith("**Step 5 of 6")


def test_an_edit_builds_the_step_shown_alone_and_any_other_run_builds_them_all():
    """A slider being dragged: each move builds the view of the step shown only (the others are "false" until the
    stage asks for them); the next run that is not an edit's (the stage's "fill" once the slider rests, a press)
    builds every step's, all of the edited network. The downloads build the edited lesson, though an edit does
    not run their fragment."""
    from backprop.ui import held_view, worksheet_view

    at = _app()
    _click(at, "btn_end")
    at.slider(key="edit_W_slider").set_value(1.25).run()
    assert not at.exception, [e.value for e in at.exception]
    data = shown.held_data(at)
    lesson = at.session_state["lesson"]
    assert lesson.network.W(1)[0, 0] == 1.25 and lesson.index == lesson.last
    assert data["complete"] is False
    assert [v is not False for v in data["views"]] == [i == lesson.last for i in range(lesson.last + 1)]
    edited = data["views"][-1]
    # (the lesson fragment and the step row ran, and AppTest's tree holds only those: no sidebar, no picker)
    assert not [w for w in at.number_input if w.key == "seed"] and not [s for s in at.selectbox if s.key == "pick_l"]
    from backprop.lesson import worksheet

    sheet = worksheet_view.builders(lesson, at.session_state[held_view.SHEET])["json"]()  # as a click asks for it
    origin = "the fixed weights of the preset “Worked example 2-2-2”, with W1[1,1] = 1.25 set by hand in iteration 1"
    assert sheet == worksheet.worked_sheet_json(lesson, origin=origin), "the downloads hold the edited lesson"
    at.run()  # as the stage's fill does: not an edit's run
    data = shown.held_data(at)
    assert data["complete"] is True and all(v not in (None, False) for v in data["views"])
    assert data["views"][-1] == edited, "the same view of the step shown"
    at.slider(key="edit_W_slider").set_value(1.5).run()
    assert shown.held_data(at)["complete"] is False
    _click(at, "btn_back")  # a press before the stage asked for the rest: the step row's run builds them too
    data = shown.held_data(at)
    assert data["complete"] is True and at.session_state["lesson"].network.W(1)[0, 0] == 1.5
    assert _sync(at) == {"index": lesson.last - 1, "it": 1, "moves": 2}


def _component(at: AppTest, name: str) -> object:
    """The data of the held page's component `name` (backprop.`name`) in AppTest's tree; KeyError without one."""
    for e in at.get("bidi_component"):
        if e.proto.component_name == "backprop." + name:
            return json.loads(json.loads(e.proto.json))
    raise KeyError(name)


def _want(at: AppTest) -> dict:
    """What the stage does when the What if? slider has the focus: its `want` trigger, for the step it shows; the
    nudges the server sends back."""
    at.session_state["held_nudges"] = {"want": {"index": at.session_state["lesson"].index}}
    at.run()
    at.session_state["held_nudges"] = {}  # (a trigger holds its value for one run only)
    sent = _component(at, "held_nudges")
    assert isinstance(sent, dict)
    return sent


def test_the_values_one_arrow_key_moves_the_slider_to():
    """edit_view.nudges: a step down and up, snapped to the slider's grid and rounded as the slider rounds them
    (the grid runs from the slider's low end, on the 0.1 grid, in steps of 0.01). The values Chromium's slider
    moves to are checked in tests/test_browser_held.py."""
    from backprop.lesson.progress import Lesson
    from backprop.ui import edit_view

    def lesson(w: float) -> Lesson:
        net = bp.Network.from_arrays([[[w, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]], [[0.35, 0.35], [0.6, 0.6]])
        return Lesson(networks=(net,), x=np.array([0.05, 0.1]), y=np.array([0.01, 0.99]))

    assert edit_view.nudges(lesson(0.15), (1, 0, 0)) == [0.14, 0.16]  # 0.15 - 0.01 is 0.13999999999999999
    assert edit_view.nudges(lesson(0.4967141530), (1, 0, 0)) == [0.49, 0.51]  # off the grid: snapped
    assert edit_view.nudges(lesson(0.25), (1, 1, 0)) == [0.24, 0.26]
    assert edit_view.nudges(lesson(-1.07), (1, 0, 0)) == [-1.08, -1.06]


def test_a_nudge_the_stage_was_sent_runs_the_what_if_box_alone_with_the_same_view():
    """The What if? slider has the focus: the stage asks for the view of the step shown for each value one arrow
    key moves it to. A move to one of them (the slider's value, as Streamlit sends it) runs the What if? box
    alone; the server then holds that view as the step's (the others unbuilt), and it is the very view a run of
    the page builds for the edited network, and the one a fresh session opened on the edit's link builds."""
    at = _app()
    _click(at, "btn_end")
    lesson = at.session_state["lesson"]
    assert _component(at, "held_nudges") is None, "not asked for"
    sent = _want(at)
    assert sent["index"] == lesson.index and sent["from"] == shown.held_data(at)["hashes"][lesson.index]
    assert [item["value"] for item in sent["items"]] == [0.14, 0.16]
    nudge = {item["value"]: item for item in sent["items"]}
    at.slider(key="edit_W_slider").set_value(0.16).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["lesson"].network.W(1)[0, 0] == 0.16
    # the run was the What if? box's alone: AppTest's tree holds the fragments a keyed rerun ran
    assert shown.held_data(at) is None and not at.get("bidi_component")[0].proto.component_name.endswith("sync")
    assert at.number_input(key="edit_W_field").value == 0.16
    assert _component(at, "held_token") == {"token": nudge[0.16]["token"], "value": 0.16}, (
        "what the page took at the key"
    )
    at.run()  # as the stage's fill once the slider rests
    data = shown.held_data(at)
    assert data["complete"] is True and data["views"][lesson.index] == json.loads(json.dumps(nudge[0.16]["view"]))
    assert data["hashes"][lesson.index] == nudge[0.16]["hash"]
    query = dict(at.query_params)
    assert query.get("ew") == "1,1,1,0.16", query
    fresh = _app(query)
    assert shown.held_data(fresh)["views"][lesson.index] == data["views"][lesson.index], "a fresh session's"
    # and back one key: the value the slider started at, with no edit left
    sent = _want(at)
    assert [item["value"] for item in sent["items"]] == [0.15, 0.17]
    at.slider(key="edit_W_slider").set_value(0.15).run()
    assert shown.held_data(at) is None and at.session_state["lesson"].network.W(1)[0, 0] == 0.15
    at.run()
    assert shown.held_data(at)["views"][lesson.index] == sent["items"][0]["view"]
    assert "ew" not in dict(at.query_params)


def test_any_other_edit_runs_the_stage_with_the_step_shown():
    """A value the stage was not sent (a move of two steps, a typed value), the bias, or any edit before the
    stage asked: the stage runs, with the view of the step shown (built then), as before nudges."""
    at = _app()
    _click(at, "btn_end")
    at.slider(key="edit_W_slider").set_value(0.16).run()  # not asked for: nothing was sent
    assert shown.held_data(at)["complete"] is False
    at.run()
    _want(at)
    for key, value in (("edit_W_slider", 0.18), ("edit_W_field", 0.1875), ("edit_b_slider", 0.4)):
        widget = at.slider(key=key) if key.endswith("slider") else at.number_input(key=key)
        widget.set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
        data = shown.held_data(at)
        assert data is not None and data["complete"] is False, key
        at.run()
        _want(at)
    net = at.session_state["lesson"].network
    assert (net.W(1)[0, 0], net.b(1)[0]) == (0.1875, 0.4)
