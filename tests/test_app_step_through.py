"""The step-through page as a user meets it, headless (AppTest): widgets, buttons, messages, state."""

from itertools import pairwise
from pathlib import Path

import app_shown as shown
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import backprop as bp

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _progress(at: AppTest) -> str:
    line = shown.progress(at)
    assert line is not None, "no progress line"
    return line


def _click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def _set_sizes(at: AppTest, sizes) -> None:
    at.number_input(key="n_hidden").set_value(len(sizes) - 2).run()
    at.number_input(key="n_in").set_value(sizes[0])
    for i, n in enumerate(sizes[1:-1], start=1):
        at.number_input(key=f"n_h{i}").set_value(n)
    at.number_input(key="n_out").set_value(sizes[-1]).run()
    assert not at.exception, [e.value for e in at.exception]


def test_opens_on_the_worked_example_at_step_0():
    at = _app()
    assert at.title[0].value == "Backpropagation, step by step"
    assert _progress(at) == "**Step 0 of 6 — start: the input x is set** · iteration 1"
    assert at.text_input(key="x_text").value == "0.05, 0.1"
    lesson = at.session_state["lesson"]
    assert lesson.network.sizes == (2, 2, 2) and lesson.network.W(1)[0, 1] == 0.20


@pytest.mark.parametrize("sizes", [(2, 2, 2), (1, 1), (3, 5, 4, 2), (2, 3, 3, 3, 3, 3, 3, 1)])
def test_step_back_reset_and_run_to_end_move_through_the_whole_timeline(sizes):
    at = _app()
    _set_sizes(at, sizes)
    L = len(sizes) - 1
    assert at.session_state["lesson"].network.sizes == tuple(sizes)
    biases = at.session_state["lesson"].update_biases  # the worked 2-2-2 keeps them fixed, as Mazur does
    for i in range(1, bp.n_steps(L)):
        _click(at, "btn_step")
        assert _progress(at) == f"**{bp.step(L, i, biases).progress}** · iteration 1"
    for i in range(bp.n_steps(L) - 2, -1, -1):
        _click(at, "btn_back")
        assert _progress(at) == f"**{bp.step(L, i, biases).progress}** · iteration 1"
    _click(at, "btn_end")
    assert _progress(at).startswith(f"**Step {2 * L + 2} of {2 * L + 2} — update")
    _click(at, "btn_reset")
    assert _progress(at).startswith("**Step 0 of")


def test_the_step_equation_shows_the_traces_numbers():
    """At 'backward through layer 2' of the worked example, BP1 is printed with δ²₁ = 0.1385 (Mazur:
    ∂E/∂net_o1 = 0.138498562)."""
    at = _app()
    for _ in range(4):
        _click(at, "btn_step")
    text = " ".join(shown.latex(at))
    assert r"\delta^{L}_{1}" in text and "0.1385" in text and r"\text{(BP1)}" in text


def test_update_shows_cost_before_and_after_and_the_next_step_uses_the_updated_network():
    at = _app()
    _click(at, "btn_end")
    before = at.session_state["lesson"]
    text = " ".join(shown.latex(at))
    after = bp.cost_of(before.updated_network(), before.x, before.y)
    assert "0.2984" in text and f"{after:.4g}" in text
    _click(at, "btn_step")
    lesson = at.session_state["lesson"]
    assert lesson.iteration == 2 and lesson.network == before.updated_network()
    assert "iteration 2" in _progress(at)


def test_changing_the_network_goes_back_to_step_0_with_a_notice():
    at = _app()
    _click(at, "btn_step")
    _click(at, "btn_step")
    at.selectbox(key="activation").set_value("tanh").run()
    assert not at.exception
    assert _progress(at).startswith("**Step 0 of")
    assert at.session_state["lesson"].network.activation == "tanh"
    assert any("new network" in t.value for t in at.toast)


def test_settings_the_core_refuses_keep_the_last_network_with_a_message():
    at = _app()
    _click(at, "btn_step")
    at.selectbox(key="output_activation").set_value("relu").run()  # quadratic: fine
    at.selectbox(key="cost").set_value("cross_entropy").run()  # needs a sigmoid output
    assert not at.exception
    assert any("cross_entropy" in e.value and "previous network" in e.value for e in at.sidebar.error)
    assert at.session_state["lesson"].cost == "quadratic"


@pytest.mark.parametrize(
    "field, text, message",
    [
        ("x_text", "abc, 1", "is not a number"),
        ("x_text", "", "is empty"),
        ("x_text", "nan, 0.1", "finite"),
        ("x_text", "0.1, inf", "finite"),
        ("x_text", "0.1", "needs 2 numbers"),
        ("x_text", "0.1, 1e9", "between"),
        ("y_text", "0.2, 0.5, 0.9", "needs 2 numbers"),
    ],
)
def test_a_bad_sample_is_named_at_its_field_and_the_last_valid_one_stays(field, text, message):
    at = _app()
    _click(at, "btn_end")
    at.text_input(key=field).input(text).run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    lesson = at.session_state["lesson"]
    assert lesson.x.tolist() == [0.05, 0.1] and lesson.y.tolist() == [0.01, 0.99]
    assert lesson.index == lesson.last


def test_a_valid_sample_is_used_at_once_and_keeps_the_step():
    at = _app()
    _click(at, "btn_step")
    at.text_input(key="x_text").input("1; -2").run()
    lesson = at.session_state["lesson"]
    assert lesson.x.tolist() == [1.0, -2.0] and lesson.index == 1
    _click(at, "btn_step")  # the random sample button also gives a valid sample of the right size
    at.button[[b.label for b in at.button].index("Random sample")].click().run()
    assert not at.error and at.session_state["lesson"].x.shape == (2,)


def test_presets_land_on_their_example():
    at = _app()
    _click(at, "preset_deep_narrow")
    lesson = at.session_state["lesson"]
    assert lesson.network.sizes == (2, 3, 3, 3, 3, 3, 1) and lesson.index == 0
    _click(at, "btn_end")
    deltas = [np.abs(lesson.trace.delta(l)).mean() for l in range(1, 7)]
    assert all(a < b for a, b in pairwise(deltas)), "the deltas shrink going back"
    _click(at, "preset_xor_2_2_1")
    assert at.session_state["lesson"].network.sizes == (2, 2, 1)
    assert at.session_state["lesson"].cost == "cross_entropy"
    _click(at, "preset_worked_2_2_2")
    assert at.session_state["lesson"].network.W(2)[1, 1] == 0.55


def test_choosing_a_weight_shows_its_chain_rule_once_revealed():
    at = _app()
    at.selectbox(key="pick_l").set_value(2).run()
    at.selectbox(key="pick_k").set_value(2)
    at.selectbox(key="pick_j").set_value(1).run()
    assert any("W<sup>2</sup><sub>21</sub>" in m for m in shown.markdowns(at))
    assert any("backward pass reaches layer 2" in i for i in shown.infos(at))
    _click(at, "btn_end")
    w = bp.weight_chain(at.session_state["lesson"].trace, 2, 1, 0)
    text = " ".join(shown.latex(at))
    assert r"\partial W^{2}_{21}" in text and f"{w.dC_dW:.4g}" in text


def test_two_sessions_do_not_share_state():
    one, two = _app(), _app()
    _set_sizes(two, (3, 4, 1))
    _click(one, "btn_step")
    _click(one, "btn_step")
    assert one.session_state["lesson"].network.sizes == (2, 2, 2)
    assert one.session_state["lesson"].index == 2
    assert two.session_state["lesson"].network.sizes == (3, 4, 1)
    assert two.session_state["lesson"].index == 0


def test_a_deleted_lesson_in_session_state_is_rebuilt():
    """Nothing a page does may depend on state another page or an old version left behind."""
    at = _app()
    del at.session_state["lesson"]
    at.run()
    assert not at.exception and _progress(at).startswith("**Step 0 of 6")


def test_autoplay_steps_on_its_own_clock_and_stops_at_the_update():
    """A tick steps once; a rerun sooner than the chosen interval (say, a click) does not step again;
    at the update step autoplay switches itself off."""
    at = _app()
    at.slider(key="autoplay_seconds").set_value(5.0)
    at.toggle(key="autoplay").set_value(True).run()
    assert at.session_state["lesson"].index == 1
    at.run()
    assert at.session_state["lesson"].index == 1
    _click(at, "btn_end")
    at.session_state["autoplay_last"] = 0.0  # as if the interval had passed
    at.run()
    assert at.toggle(key="autoplay").value is False
    assert at.session_state["lesson"].index == at.session_state["lesson"].last


def test_reused_gradient_figures_equal_freshly_built_ones_at_every_step():
    """The per-session figure memo must never show a stale figure: at each step, the figure kept for
    every layer equals one built anew from the current trace and step."""
    from backprop.figures import layer_gradient

    at = _app()
    _set_sizes(at, (2, 3, 3, 2))
    at.selectbox(key="pick_l").set_value(2).run()
    for i in range(bp.n_steps(3) + 1):  # one past the update: the next iteration's network
        lesson = at.session_state["lesson"]
        trace, m, memo = lesson.trace, lesson.moment, at.session_state["_figures"]
        selected = (2, 0, 0)
        for l in range(1, 4):
            what = ("grad", l, m.shows_backward(l), m.shows_forward(l - 1), selected if l == 2 else None, False)
            assert memo[what].to_plotly_json() == layer_gradient(trace, l, m, selected).to_plotly_json(), (i, l)
        _click(at, "btn_step")
    # Presenter mode: its own figures (the current layer large, every layer as a thumbnail), not the ones
    # kept for the normal view, and equal to fresh ones at every step.
    from backprop.figures.gradients import STAGE, THUMB
    from backprop.ui import presenter
    from backprop.ui.lesson_view import focus_layer

    at.toggle(key="present").set_value(True).run()
    body = presenter.body_px(presenter.DEFAULT_HEIGHT)
    for i in range(bp.n_steps(3)):
        lesson = at.session_state["lesson"]
        trace, m, memo = lesson.trace, lesson.moment, at.session_state["_figures"]
        f = focus_layer(lesson, selected)
        what = ("stage", f, m.shows_backward(f), m.shows_forward(f - 1), selected if f == 2 else None, body)
        fresh = layer_gradient(trace, f, m, selected, projector=True, size=STAGE, body_px=body)
        assert memo[what].to_plotly_json() == fresh.to_plotly_json(), i
        assert memo[what].layout.font.size == body
        for l in range(1, 4):
            what = ("thumb", l, m.shows_backward(l), m.shows_forward(l - 1))
            assert (
                memo[what].to_plotly_json()
                == layer_gradient(trace, l, m, None, projector=True, size=THUMB).to_plotly_json()
            ), (i, l)
        _click(at, "btn_step")


def test_a_step_that_would_overflow_is_refused_with_a_message_and_the_lesson_stays():
    """A learning rate too large for many iterations can blow the weights up; the next Step says so
    (no traceback) and leaves the student where they were."""
    from backprop.lesson.progress import Lesson

    at = _app()
    big = bp.Network.from_arrays([[[1e150, 1e150]], [[1.0]]], [[0.0], [0.0]], "linear")
    # At "backward through layer 1", with an update that overflows (Lesson.start would refuse it, so the
    # lesson is built as a long run with η = 1e160 could leave it).
    at.session_state["lesson"] = Lesson((big,), np.array([1.0, 1.0]), np.array([0.0]), "quadratic", 1e160, 5)
    at.session_state["x_text"], at.session_state["y_text"] = "1, 1", "0"
    at.run()
    assert not at.exception and _progress(at).startswith("**Step 5 of 6")
    _click(at, "btn_step")  # the update step would show numbers that overflow
    assert any("can't be taken" in e.value and "overflowed" in e.value for e in at.error), at.error
    assert at.session_state["lesson"].index == 5 and at.session_state["lesson"].network == big
    _click(at, "btn_back")  # moving elsewhere still works, and the message is gone
    assert _progress(at).startswith("**Step 4 of 6") and not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", ["pages/two_nodes.py", "pages/matrix_form.py", "pages/gradient_check.py"])
def test_every_page_runs_from_the_app_and_the_settings_survive_a_visit(page):
    """Through app.py's navigation: each page runs with no exception; the companion pages that show the
    step-through network show the one set there (no retyping), and coming back finds the same settings."""
    at = _app()
    _click(at, "preset_deep_narrow")
    _click(at, "btn_step")
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "pages/two_nodes.py":
        said = " ".join(shown.captions(at))
        assert "2-3-3-3-3-3-1" in said, said
    at.switch_page("pages/step_through.py").run()
    assert not at.exception
    lesson = at.session_state["lesson"]
    assert lesson.network.sizes == (2, 3, 3, 3, 3, 3, 1) and lesson.index == 1
    assert at.number_input(key="n_hidden").value == 5


# Matt Mazur's eight new weights after his update (w1..w4 are our W¹, w5..w8 our W², row by row), at the
# page's 4 digits, and his cost after the update, 0.291027924, which he gets with the biases kept fixed.
MAZUR_NEW_W = ["0.1498", "0.1996", "0.2498", "0.2995", "0.3589", "0.4087", "0.5113", "0.5614"]


def test_the_2_2_2_update_reproduces_mazurs_post_and_the_bias_switch_moves_the_biases_too():
    """The default 2-2-2 preset keeps the biases fixed as the post does, and says so: C after = 0.2910 and
    his eight new weights. Ticking “Update the biases too” (same step, no reset) gives 0.2805."""
    at = _app()
    assert at.checkbox(key="update_biases").value is False
    assert any("keeps the biases fixed" in c.value for c in at.sidebar.caption)
    _click(at, "btn_end")
    text = " ".join(shown.latex(at))
    # 0.29102777 at 4 significant digits, its last zero printed (a cost keeps all four digits).
    assert r"C_{\text{after}} = 0.2910" in text, text[-300:]
    assert all(w in text for w in MAZUR_NEW_W), [w for w in MAZUR_NEW_W if w not in text]
    assert r"\text{kept fixed: } b^{1}, b^{2}" in text
    assert any("biases are kept fixed" in c for c in shown.captions(at))
    lesson = at.session_state["lesson"]
    assert lesson.updated_network().b(1).tolist() == [0.35, 0.35]
    at.checkbox(key="update_biases").check().run()
    assert not at.exception
    assert _progress(at).startswith("**Step 6 of 6 — update")  # the same step, not back to 0
    text = " ".join(shown.latex(at))
    assert r"C_{\text{after}} = 0.2805" in text and all(w in text for w in MAZUR_NEW_W)
    assert r"\text{moved: } W^{1}, W^{2} \text{ and } b^{1}, b^{2}" in text
    assert at.session_state["lesson"].updated_network().b(1)[0] < 0.35
    _click(at, "btn_step")  # the next iteration uses the moved biases
    assert at.session_state["lesson"].network.b(1)[0] < 0.35


def test_leaving_the_2_2_2_weights_restores_the_usual_bias_update():
    """Keeping the biases fixed belongs to Mazur's preset: a changed size (random weights) ticks the switch
    again, unless the user set it otherwise."""
    at = _app()
    assert at.checkbox(key="update_biases").value is False
    _set_sizes(at, (2, 3, 2))
    assert at.checkbox(key="update_biases").value is True and at.session_state["lesson"].update_biases
