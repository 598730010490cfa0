"""Editing the chosen weight and bias on the step-through page, headless (AppTest): the step stays, the
session's lesson is the core's lesson of the edited arrays, the numbers on the page follow, Reset edits
restores the preset bit for bit, new settings drop the edits."""

import json
from pathlib import Path

import app_shown as shown
import numpy as np
from app_charts import chart
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.lesson.presets import PRESETS

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _run(x) -> AppTest:
    """Run the app (or the AppTest a widget belongs to, after setting it) and check it raised nothing."""
    at = x.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _progress(at: AppTest) -> str:
    line = shown.progress(at)
    assert line is not None, "no progress line"
    return line


def _latex(at: AppTest) -> str:
    return " ".join(shown.latex(at))


def test_a_slider_edit_follows_at_the_current_step_and_reset_restores_the_preset():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    assert any("appears when the backward pass reaches layer 1" in c for c in shown.captions(at))
    at.selectbox(key="pick_l").set_value(1)
    at.selectbox(key="pick_k").set_value(2)
    _run(at.selectbox(key="pick_j").set_value(1))
    for _ in range(5):  # step 5: backward through layer 1, the chosen weight's gradient revealed
        _run(at.button(key="btn_step").click())
    before_progress, before_latex = _progress(at), _latex(at)
    assert not any("appears when the backward pass" in c for c in shown.captions(at))  # the plot is drawn
    _run(at.slider(key="edit_W_slider").set_value(-1.25))
    assert _progress(at) == before_progress  # the step did not move
    lesson = at.session_state["lesson"]
    W = [w.copy() for w in (PRESETS["worked_2_2_2"].network().W(1), PRESETS["worked_2_2_2"].network().W(2))]
    b = [PRESETS["worked_2_2_2"].network().b(1), PRESETS["worked_2_2_2"].network().b(2)]
    W[0][1, 0] = -1.25
    reference = bp.backward(bp.Network.from_arrays(W, b, "sigmoid"), lesson.x, lesson.y, lesson.cost)
    assert lesson.index == 5 and lesson.trace.cost == reference.cost
    np.testing.assert_array_equal(lesson.trace.dC_dW(1), reference.dC_dW(1))
    after = _latex(at)
    assert after != before_latex and f"{reference.dC_dW(1)[1, 0]:.4f}"[:6] in after.replace("{,}", "")
    assert at.number_input(key="edit_W_field").value == -1.25
    assert any("1 entry of this network set by hand" in c for c in shown.captions(at))

    _run(at.number_input(key="edit_b_field").set_value(0.75))
    assert at.session_state["lesson"].network.b(1)[1] == 0.75 and _progress(at) == before_progress
    assert at.slider(key="edit_b_slider").value == 0.75

    _run(at.button(key="btn_reset_edits").click())
    preset = PRESETS["worked_2_2_2"].network()
    net = at.session_state["lesson"].network
    for l in (1, 2):
        assert net.W(l).tobytes() == preset.W(l).tobytes() and net.b(l).tobytes() == preset.b(l).tobytes()
    assert _progress(at) == before_progress and _latex(at) == before_latex
    assert at.button(key="btn_reset_edits").disabled


def test_the_plot_of_c_is_built_once_per_network_and_follows_an_edit():
    """The plot of C against the chosen weight is a forward pass per point: the step after it appeared draws the
    same figure (kept, not built again); an edit of the weight, a new network, gets a new one."""
    at = _run(AppTest.from_file(APP, default_timeout=60))
    for _ in range(5):  # step 5: backward through layer 1, where W¹₁₁'s plot appears
        _run(at.button(key="btn_step").click())
    first = at.session_state["edit_curve_memo"][2]
    sent = chart(at, "edit_curve").figure
    _run(at.button(key="btn_step").click())  # the update step: the same network, sample and weight
    assert at.session_state["edit_curve_memo"][2] is first and chart(at, "edit_curve").figure == sent
    _run(at.slider(key="edit_W_slider").set_value(-1.25))
    assert at.session_state["edit_curve_memo"][2] is not first
    assert chart(at, "edit_curve").figure != sent


def test_the_update_and_next_iteration_start_from_the_edited_network():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    _run(at.slider(key="edit_W_slider").set_value(2.0))  # W¹₁₁ at step 0
    edited = at.session_state["lesson"].network
    _run(at.button(key="btn_end").click())
    _run(at.button(key="btn_step").click())
    lesson = at.session_state["lesson"]
    assert lesson.iteration == 2
    expected = bp.gradient_descent_step(edited, bp.backward(edited, lesson.x, lesson.y, lesson.cost), 0.5, False)
    np.testing.assert_array_equal(lesson.network.W(1), expected.W(1))
    assert any("iteration 1 was edited" in c for c in shown.captions(at))


def test_new_settings_drop_the_edits():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    _run(at.slider(key="edit_W_slider").set_value(2.0))
    _run(at)  # the sidebar: an edit runs the step row and the lesson only, which AppTest's tree then holds
    _run(at.number_input(key="seed").set_value(3))
    assert at.session_state["edits"] is None
    assert at.button(key="btn_reset_edits").disabled


def test_input_and_target_sliders_set_the_sample_at_the_current_step():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    for _ in range(3):
        _run(at.button(key="btn_step").click())
    progress = _progress(at)
    _run(at.slider(key="x_slider_1").set_value(-1.5))
    _run(at.slider(key="y_slider_0").set_value(0.25))
    lesson = at.session_state["lesson"]
    assert lesson.x.tolist() == [0.05, -1.5] and lesson.y.tolist() == [0.25, 0.99] and _progress(at) == progress
    assert at.text_input(key="x_text").value == "0.05, -1.5"  # the field, to type an exact value, follows
    assert lesson.trace.cost == bp.backward(lesson.network, [0.05, -1.5], [0.25, 0.99], lesson.cost).cost
    _run(at.text_input(key="x_text").input("0.3, 7.25"))  # typed: the slider follows, widened to take it in
    assert at.slider(key="x_slider_1").value == 7.25 and at.slider(key="x_slider_1").max >= 7.25
    _run(at.text_input(key="x_text").input("0.3, inf"))  # refused at the field: the sliders keep the last valid x
    assert any("finite" in e.value for e in at.error) and at.slider(key="x_slider_1").value == 7.25
    assert at.session_state["lesson"].x.tolist() == [0.3, 7.25]


def test_an_eight_by_eight_network_has_a_slider_per_input_and_target():
    at = _run(AppTest.from_file(APP, default_timeout=60))
    at.number_input(key="n_in").set_value(8)
    _run(at.number_input(key="n_out").set_value(8))
    keys = {s.key for s in at.slider}
    assert {f"x_slider_{i}" for i in range(8)} | {f"y_slider_{i}" for i in range(8)} <= keys
    _run(at.slider(key="y_slider_7").set_value(0.5))
    assert at.session_state["lesson"].y[7] == 0.5 and at.text_input(key="y_text").value.endswith(", 0.5")


def test_the_worked_sheet_holds_the_edited_network_and_names_the_edits(monkeypatch):
    import streamlit as st

    from backprop.ui import worksheet_view

    at = _run(AppTest.from_file(APP, default_timeout=60))
    _run(at.slider(key="edit_W_slider").set_value(1.5))
    lesson = at.session_state["lesson"]
    # worksheet_view.origin reads st.session_state: give it this session's settings and edits.
    state = {"lesson_settings": at.session_state["lesson_settings"], "edits": at.session_state["edits"]}
    monkeypatch.setattr(st, "session_state", state)
    where = worksheet_view.origin(lesson)
    sheet = worksheet_view.builders(lesson)["json"]()
    assert where is not None and where.endswith(", with W1[1,1] = 1.5 set by hand in iteration 1"), where
    data = json.loads(sheet)
    assert data["layers"][0]["W"] == [[1.5, 0.2], [0.25, 0.3]] and data["origin"] == where
    assert data["cost_before"] == lesson.trace.cost


def test_an_edit_that_overflows_is_refused_at_its_field_and_the_network_kept():
    """Seven linear layers of 4, every weight 7, η = 10 (a network sent as if from the Train page): W¹₁₁ = 100
    makes the update's cost overflow, so the field says so and the last valid network stays."""
    sizes = [1] + [4] * 6 + [1]
    net = bp.Network.from_arrays(
        [np.full((sizes[l], sizes[l - 1]), 7.0) for l in range(1, 8)], [np.zeros(n) for n in sizes[1:]], "linear"
    )
    at = AppTest.from_file(APP, default_timeout=60)
    state = {"n_hidden": 6, "n_in": 1, "n_out": 1, **{f"n_h{i}": 4 for i in range(1, 7)}}
    state |= {"activation": "linear", "output_activation": "linear", "cost": "quadratic", "learning_rate": 10.0}
    state |= {"fixed": "trained", "trained_network": net, "trained_title": "seven sevens", "seed": 0}
    state |= {"init": "auto", "update_biases": True, "x_text": "10", "y_text": "0"}
    for key, value in state.items():
        at.session_state[key] = value
    _run(at)
    assert at.session_state["lesson"].network is net
    _run(at.number_input(key="edit_W_field").set_value(100.0))
    errors = [e.value for e in at.error]
    assert any(e.startswith("Not applied: with this value the network's numbers overflow") for e in errors), errors
    assert at.session_state["lesson"].network is net and "edits" not in at.session_state
    assert at.number_input(key="edit_W_field").value == 7.0  # the field shows the value in use again
    _run(at.number_input(key="edit_W_field").set_value(7.5))  # a smaller value is taken, and the message goes
    assert at.session_state["lesson"].network.W(1)[0, 0] == 7.5 and not [e for e in at.error if "overflow" in e.value]


def test_a_request_that_left_before_the_last_run_does_not_move_the_weight_back():
    """Streamlit sends every widget's value with each request, and the server sets the number field to the
    slider's value. An arrow key pressed before the page has the last run sends the slider's new value with the
    field's old one: the slider's move is taken, the field's old value is not taken for a move back (it was: the
    weight jumped back). The same field typed back to that value by itself is a move, and is taken."""
    at = _run(AppTest.from_file(APP, default_timeout=60))
    _run(at.button(key="btn_end").click())
    _run(at.slider(key="edit_W_slider").set_value(0.16))
    assert at.number_input(key="edit_W_field").value == 0.16
    # a key's request that left before the page had that run: slider 0.17, the field still at 0.15
    at.slider(key="edit_W_slider").set_value(0.17)
    at.number_input(key="edit_W_field").set_value(0.15)
    _run(at)
    net = at.session_state["lesson"].network
    assert net.W(1)[0, 0] == 0.17 and at.number_input(key="edit_W_field").value == 0.17
    _run(at.number_input(key="edit_W_field").set_value(0.16))  # typed back to a value the server set: taken
    assert at.session_state["lesson"].network.W(1)[0, 0] == 0.16 == at.slider(key="edit_W_slider").value


def test_a_step_pressed_before_the_page_has_a_keys_run_does_not_move_the_weight_back():
    """A step button pressed right after an arrow key, before the page has the key's run: its request carries
    the number field's old value. The press is taken and the weight stays where the key moved it (it went back)."""
    at = _run(AppTest.from_file(APP, default_timeout=60))
    _run(at.button(key="btn_end").click())
    _run(at.slider(key="edit_W_slider").set_value(0.16))
    last = at.session_state["lesson"].index
    at.number_input(key="edit_W_field").set_value(0.15)  # the field as the page still has it
    _run(at.button(key="btn_back").click())
    lesson = at.session_state["lesson"]
    assert lesson.index == last - 1
    assert lesson.network.W(1)[0, 0] == 0.16 == at.number_input(key="edit_W_field").value
