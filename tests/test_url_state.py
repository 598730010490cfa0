"""Links: the URL codec's typed whitelist, and a link reopening the same moment (AppTest)."""

from pathlib import Path

import app_shown as shown
import pytest
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.ui import url_codec

APP = str(Path(__file__).resolve().parents[1] / "app.py")

VALID = {
    "preset": "deep_narrow",
    "in": 3,
    "h": (4, 5),
    "out": 2,
    "act": "tanh",
    "outact": "sigmoid",
    "cost": "cross_entropy",
    "lr": 0.25,
    "seed": 12345,
    "init": "he",
    "x": (0.5, -1.0, 2.0),
    "y": (0.1, 0.9),
    "it": 3,
    "step": 5,
    "w": (2, 4, 1),
    "bias": True,
    "ei": 2,
    "ew": ((1, 2, 1, -1.25), (2, 1, 4, 0.30000000000000004)),
    "eb": ((2, 1, 0.5),),
}

HOSTILE = [
    "",
    "text",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "nan",
    "-inf",
    "9" * 5000,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "💥",
    "1,2,3,4,5,6,7,8,9",
    " , ",
]


def test_every_key_round_trips():
    decoded, problems = url_codec.decode(url_codec.encode(VALID))
    assert problems == [] and decoded == VALID


@pytest.mark.parametrize("key", sorted(url_codec.FIELDS))
def test_a_hostile_value_for_every_key_is_refused_with_a_notice(key):
    """Each hostile value that is not a valid value of the key is dropped (the key falls back to its
    default) with a notice naming the key; no exception escapes."""
    for text in HOSTILE:
        decoded, problems = url_codec.decode({key: text})
        if decoded:  # a few are valid for some keys ("0" is a valid seed): then they must be exactly that
            assert problems == [] and url_codec.decode(url_codec.encode(decoded)) == (decoded, []), (key, text)
            assert text in {"0", "-1", "", "1,2,3,4,5,6,7,8,9", "text"} or key == "seed", (key, text, decoded)
        else:
            assert len(problems) == 1 and problems[0].startswith(f"“{key}”"), (key, text, problems)


def test_unknown_keys_are_named_and_ignored():
    decoded, problems = url_codec.decode({"lr": "0.1", "__class__": "x", "eval": "1"})
    assert decoded == {"lr": 0.1} and len(problems) == 2 and all("not a setting" in p for p in problems)


def _open(query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _progress(at):
    return shown.progress(at)


def test_a_link_reopens_the_same_moment_in_a_new_session():
    """Step to the middle of the backward pass in one session, then open its link in a new one: the same
    network, sample, iteration, step and chosen weight."""
    first = AppTest.from_file(APP, default_timeout=60).run()
    first.number_input(key="n_hidden").set_value(2).run()
    first.selectbox(key="activation").set_value("tanh").run()
    first.text_input(key="x_text").input("0.3, -0.7").run()
    for _ in range(9):  # L = 3: through the update (step 8) into iteration 2
        first.button(key="btn_step").click().run()
    first.selectbox(key="pick_l").set_value(2).run()
    query = dict(first.query_params)
    second = _open(query)
    a, b = first.session_state["lesson"], second.session_state["lesson"]
    assert (b.iteration, b.index) == (a.iteration, a.index) == (2, 1)
    assert b.network == a.network and b.x.tolist() == a.x.tolist() == [0.3, -0.7]
    assert _progress(second) == _progress(first)
    assert second.session_state["selected"] == first.session_state["selected"]
    assert not second.warning


def test_a_preset_link_keeps_its_fixed_weights():
    at = _open({"preset": "worked_2_2_2", "step": "4"})
    lesson = at.session_state["lesson"]
    assert lesson.network.W(1)[0, 0] == 0.15 and lesson.index == 4


def test_the_bias_switch_travels_in_the_link():
    """The 2-2-2 preset keeps its biases fixed (bias=0 in the address it writes); a link with bias=1 opens it
    with the biases updated too, at the linked step, and the cost after the update is then 0.2805."""
    at = _open({})
    assert at.query_params["bias"] == "0" and at.session_state["lesson"].update_biases is False
    at = _open({"preset": "worked_2_2_2", "bias": "1", "step": "6"})
    lesson = at.session_state["lesson"]
    assert lesson.update_biases is True and lesson.index == 6 and at.checkbox(key="update_biases").value
    assert f"{lesson.cost_after_update():.4g}" == "0.2805" and at.query_params["bias"] == "1"


def test_a_hostile_link_opens_the_default_with_one_notice():
    at = _open({"in": "nan", "h": "<b>", "lr": "1e309", "step": "-1", "w": "9,9,9", "evil": "1"})
    assert len(at.warning) == 1
    text = at.warning[0].value
    for key in ("in", "h", "lr", "step", "w", "evil"):
        assert f"“{key}”" in text, text
    assert at.session_state["lesson"].network.sizes == (2, 2, 2)


def test_a_step_past_the_linked_networks_end_is_named():
    at = _open({"h": "", "step": "9"})  # no hidden layer: L = 1, steps 0..4
    assert "past this network's last step" in at.warning[0].value
    assert at.session_state["lesson"].index == 0 and at.session_state["lesson"].network.L == 1


def test_a_partial_link_starts_from_the_apps_default_example():
    """?step=4 alone: the worked 2-2-2 example with its fixed weights, at step 4; a seed without a preset
    means random weights."""
    at = _open({"step": "4"})
    assert at.session_state["lesson"].network.W(2)[1, 1] == 0.55 and at.session_state["lesson"].index == 4
    at = _open({"seed": "3"})
    assert at.session_state["lesson"].network == bp.Network.random((2, 2, 2), "sigmoid", "sigmoid", 3)


def test_presenter_mode_comes_from_the_link_and_goes_into_it():
    at = _open({"present": "1"})
    assert at.session_state["present"] is True and not at.warning
    assert at.query_params["present"] == ["1"] or at.query_params["present"] == "1"
    at.toggle(key="present").set_value(False).run()
    at.button(key="btn_step").click().run()
    assert "present" not in at.query_params


# The companion pages: each has its own link, read by the first page a session opens.


def _open_page(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _query(at: AppTest) -> dict:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def test_a_matrix_form_link_reopens_its_network_step_and_entry():
    """Set a network on the step-through page, go to the matrix form and choose an entry: the page's link,
    opened in a new session straight onto that page, shows the same network, sample, iteration and entry."""
    first = AppTest.from_file(APP, default_timeout=60).run()
    first.number_input(key="n_hidden").set_value(2).run()
    first.number_input(key="n_h2").set_value(4).run()
    first.text_input(key="x_text").input("0.3, -0.7").run()
    for _ in range(10):  # into iteration 2
        first.button(key="btn_step").click().run()
    first.switch_page("pages/matrix_form.py").run()
    first.selectbox(key="matrix_l").set_value(3).run()
    first.selectbox(key="matrix_k").set_value(1).run()
    first.selectbox(key="matrix_j").set_value(3).run()
    query = _query(first)
    assert query["w"] == "3,2,4" and query["it"] == "2"
    second = _open_page("pages/matrix_form.py", query)
    a, b = first.session_state["lesson"], second.session_state["lesson"]
    assert b.network == a.network and (b.iteration, b.index) == (a.iteration, a.index) == (2, 2)
    assert b.x.tolist() == [0.3, -0.7]
    assert [second.selectbox(key=k).value for k in ("matrix_l", "matrix_k", "matrix_j")] == [3, 1, 3]
    assert [c.value for c in second.caption] == [c.value for c in first.caption]
    assert [t.value for t in second.latex] == [t.value for t in first.latex]
    assert not second.warning
    # The step-through page then continues from the linked moment.
    second.switch_page("pages/step_through.py").run()
    assert second.session_state["lesson"].network == a.network
    assert (second.session_state["lesson"].iteration, second.session_state["lesson"].index) == (2, 2)


def test_a_gradient_check_link_carries_epsilon_and_the_weight():
    first = _open_page("pages/gradient_check.py", {"seed": "7", "h": "3", "act": "tanh"})
    first.select_slider(key="epsilon").set_value(1e-3).run()
    query = _query(first)
    assert query["epsilon"] == "0.001" and query["seed"] == "7" and query["h"] == "3"
    second = _open_page("pages/gradient_check.py", query)
    assert second.select_slider(key="epsilon").value == 1e-3
    assert second.session_state["lesson"].network == bp.Network.random((2, 3, 2), "tanh", "sigmoid", 7)
    verdicts = [m.value for m in first.success] + [m.value for m in first.warning]
    assert "1e-3" in verdicts[0] and verdicts == [m.value for m in second.success] + [m.value for m in second.warning]
    assert [c.value for c in second.caption][:1] == [c.value for c in first.caption][:1]


def test_a_two_nodes_link_reopens_its_sliders_and_choices():
    first = _open_page("pages/two_nodes.py", {})
    first.slider(key="series_w1").set_value(-1.5).run()
    first.selectbox(key="series_act1").set_value("tanh").run()
    first.radio(key="series_param").set_value("b1").run()
    query = _query(first)
    assert query["w1"] == "-1.5" and query["act1"] == "tanh" and query["plot"] == "b1"
    second = _open_page("pages/two_nodes.py", query)
    assert second.slider(key="series_w1").value == -1.5 and second.selectbox(key="series_act1").value == "tanh"
    assert second.radio(key="series_param").value == "b1"
    assert [t.value for t in second.latex] == [t.value for t in first.latex]


@pytest.mark.parametrize(
    "page, query, keys",
    [
        ("pages/two_nodes.py", {"w1": "99", "act2": "<b>", "lr": "nan", "h": "3"}, ("w1", "act2", "lr", "h")),
        ("pages/two_nodes.py", {"act2": "relu", "cost": "cross_entropy"}, ("act2",)),
        ("pages/matrix_form.py", {"w": "9,9,9", "epsilon": "1"}, ("w", "epsilon")),
        (
            "pages/gradient_check.py",
            {"epsilon": "0.5", "step": "-1", "x": "1,2,3,4,5,6,7,8,9"},
            ("epsilon", "step", "x"),
        ),
    ],
)
def test_a_hostile_link_to_a_companion_page_opens_its_defaults_with_one_notice(page, query, keys):
    """Each page reads only its own keys: a step-through key on the two-nodes page, or ε on the matrix page,
    is named like any other bad value."""
    at = _open_page(page, query)
    assert len(at.warning) == 1, [w.value for w in at.warning]
    for key in keys:
        assert f"“{key}”" in at.warning[0].value, at.warning[0].value


@pytest.mark.parametrize("page", ["two_nodes", "gradient_check", "train"])
def test_a_companion_pages_keys_round_trip_and_refuse_hostile_values(page):
    from backprop.ui import url_state

    fields = url_state.PAGES[page]
    for key in fields:
        for text in HOSTILE:
            decoded, problems = url_codec.decode({key: text}, fields)
            if decoded:
                assert problems == [] and url_codec.decode(url_codec.encode(decoded, fields), fields) == (decoded, [])
            else:
                assert len(problems) == 1 and problems[0].startswith(f"“{key}”"), (key, text, problems)
    assert url_codec.decode({"epsilon": "1e-06"}, url_state.PAGES["gradient_check"])[0] == {"epsilon": 1e-6}
    assert url_codec.decode({"epsilon": "0.000001"}, url_state.PAGES["gradient_check"])[0] == {"epsilon": 1e-6}


@pytest.mark.parametrize(
    "key, text, words",
    [
        ("ew", "1,1,1", "3 indices and a value"),
        ("ew", "1,1,1,2,3", "3 indices and a value"),
        ("ew", "1,1,1,2;1,1,1,3", "twice"),
        ("ew", "1,1,1,100.5", "-100..100"),
        ("ew", "1,1,1,nan", "not a number"),
        ("ew", "1,1,1,-1e309", "not a number"),
        ("ew", "0,1,1,1", "1..7"),
        ("ew", "1,0,1,1", "1..16"),
        ("ew", "1,1,17,1", "1..16"),
        ("ew", "1.0,1,1,1", "whole number"),
        ("ew", ";".join(f"1,{k},1,1" for k in range(1, 10)), "1..8 entries"),
        ("ew", "", "3 indices and a value"),
        ("eb", "1,1,1,1", "2 indices and a value"),
        ("eb", "1,1,0x1", "not a number"),
        ("ei", "51", "1..50"),
    ],
)
def test_hostile_edit_keys_are_refused_by_name(key, text, words):
    decoded, problems = url_codec.decode({key: text})
    assert decoded == {} and len(problems) == 1 and problems[0].startswith(f"“{key}”") and words in problems[0]


def test_an_edit_value_of_minus_zero_is_zero():
    decoded, _ = url_codec.decode({"ew": "1,1,1,-0", "eb": "1,1,-0.0"})
    (w,), (b,) = decoded["ew"], decoded["eb"]
    assert str(w[-1]) == "0.0" and str(b[-1]) == "0.0"


def _edit(at: AppTest, l: int, k: int, j: int, value: float) -> None:
    at.selectbox(key="pick_l").set_value(l)
    at.selectbox(key="pick_k").set_value(k)
    at.selectbox(key="pick_j").set_value(j).run()
    at.number_input(key="edit_W_field").set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    # An edit runs the step row and the lesson only (held_view.rerun_parts), and AppTest's tree then holds just
    # those; the browser keeps the rest of the page, which a plain run shows here.
    at.run()


def test_a_link_with_edits_reopens_the_same_edited_network_at_a_later_iteration():
    first = _open({})
    _edit(first, 2, 1, 2, -1.5)
    _edit(first, 1, 2, 1, 0.123456789)
    first.number_input(key="edit_b_field").set_value(2.5).run()  # b¹₂, the chosen weight's node
    for _ in range(7):  # through the update (step 6) into iteration 2, step 1
        first.button(key="btn_step").click().run()
    query = dict(first.query_params)
    assert query["ei"] == "1" and query["ew"] == "1,2,1,0.123456789;2,1,2,-1.5" and query["eb"] == "1,2,2.5"
    second = _open(query)
    a, b = first.session_state["lesson"], second.session_state["lesson"]
    assert (b.iteration, b.index) == (a.iteration, a.index) == (2, 1) and not second.warning
    for l in (1, 2):  # both iterations' networks, bit for bit
        for na, nb in zip(a.networks, b.networks, strict=True):
            assert na.W(l).tobytes() == nb.W(l).tobytes() and na.b(l).tobytes() == nb.b(l).tobytes()
    assert second.session_state["edits"].weights == first.session_state["edits"].weights
    assert not second.button(key="btn_reset_edits").disabled  # the reopened edits can be reset


def test_too_many_edits_for_a_link_say_so_in_the_copy_link_popover():
    at = _open({})
    at.number_input(key="n_h1").set_value(3).run()  # 2-3-2: twelve weights
    for n, (l, k, j) in enumerate([(1, k, j) for k in (1, 2, 3) for j in (1, 2)] + [(2, 1, 1), (2, 1, 2), (2, 1, 3)]):
        _edit(at, l, k, j, 0.5 + n / 8)
    assert "ew" not in at.query_params and "ei" not in at.query_params
    notes = [w.value for w in at.warning if "set by hand" in w.value]
    assert len(notes) == 1 and "too many to fit in a link" in notes[0] and "JSON export" in notes[0]
    at.button(key="btn_reset_edits").click().run()
    assert not [w.value for w in at.warning if "set by hand" in w.value]
