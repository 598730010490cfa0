"""The Train page through app.py (AppTest): epochs, run and pause, reset, divergence, files in and out,
the link, and handing the trained network to the step-through page."""

from pathlib import Path

import numpy as np
import pytest
from app_charts import chart_of
from streamlit.testing.v1 import AppTest

from backprop.figures import training as figs
from backprop.training import datasets as ds
from backprop.training import descent as tr
from backprop.training import model_io
from backprop.ui import train_view

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/train.py"


def _page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    _ok(at)
    return at


def _state(at: AppTest) -> tr.TrainState:
    return at.session_state["train_state"]


def _expected(epochs: int, **changes) -> tr.TrainState:
    """The same run computed with the core alone, from the page's default settings."""
    data = ds.generate(changes.pop("dataset", "circles"), n=changes.pop("n", 300), noise=0.1, seed=0, test_fraction=0.2)
    config = tr.TrainConfig(
        (data.n_inputs, *changes.pop("hidden", (8, 8)), data.n_outputs),
        changes.pop("activation", "tanh"),
        changes.pop("output", "sigmoid"),
        changes.pop("cost", "cross_entropy"),
        changes.pop("lr", 0.5),
        changes.pop("batch", 32),
        0,
        "auto",
    )
    assert not changes
    return tr.run_epochs(tr.start_training(config, data), epochs)


def test_one_epoch_at_a_time_is_the_cores_run_on_the_pages_settings():
    at = _page()
    assert at.title[0].value == "Train a network" and _state(at).epoch == 0
    for _ in range(3):
        _click(at, "train_step")
    state, expected = _state(at), _expected(3)
    assert state.epoch == 3 and state.network == expected.network
    np.testing.assert_array_equal(state.history.train_loss, expected.history.train_loss)
    assert at.metric[0].value == "3"
    assert at.metric[1].value == f"{expected.history.train_loss[-1]:.4g}"


def test_run_trains_to_the_goal_in_chunks_and_stops_there():
    at = _page()
    at.select_slider(key="train_epochs").set_value(50).run()
    _click(at, "train_run")
    for _ in range(20):  # each run of the page trains one chunk while running
        if not at.session_state["train_running"]:
            break
        at.run()
        _ok(at)
    assert not at.session_state["train_running"]
    assert _state(at).epoch == 50 and _state(at).network == _expected(50).network
    assert _state(at).history.train_loss[-1] < 0.5 * _state(at).history.train_loss[0]


def test_pause_keeps_what_was_trained_and_run_goes_on_from_there():
    at = _page()
    at.select_slider(key="train_epochs").set_value(2000).run()
    at.button(key="train_run").click().run()  # one chunk (at most 0.2 s) runs, then Pause
    _click(at, "train_pause")
    paused = _state(at)
    assert not at.session_state["train_running"] and 0 < paused.epoch < 2000
    at.run()
    assert _state(at) is paused  # nothing trains while paused
    _click(at, "train_step")
    assert _state(at).epoch == paused.epoch + 1 and _state(at).network == _expected(paused.epoch + 1).network


def test_while_running_the_charts_are_sent_again_unchanged_and_pause_draws_them_afresh(monkeypatch):
    # No rebuild while running, however slow the machine (the page's interval is a second).
    monkeypatch.setattr(train_view, "CHART_SECONDS", 1e9)
    at = _page()
    at.select_slider(key="train_epochs").set_value(2000).run()
    _click(at, "train_run")
    built, first = at.session_state["train_charts"], _state(at).epoch
    at.run()
    _ok(at)
    assert _state(at).epoch > first  # it trained on …
    assert at.session_state["train_charts"] is built  # … and sent the charts as they were
    _click(at, "train_pause")
    paused = _state(at)
    loss, _ = at.session_state["train_charts"]["figures"]["train_loss"]
    assert loss.to_json() == figs.loss_figure(paused.history, paused.divergence).to_json()


def _chart_places(at: AppTest) -> dict[str, tuple[int, ...]]:
    """Where on the page each chart is: its path of child indices, as the browser's delta paths go."""
    places: dict[str, tuple[int, ...]] = {}

    def walk(node, path):
        found = chart_of(node)
        if found is not None:
            places[found.key] = path
        for i, child in getattr(node, "children", {}).items():
            walk(child, (*path, i))

    walk(at.main, ())
    return places


def test_the_charts_keep_their_places_when_a_run_starts_and_pauses():
    """The progress bar and the notices have slots of their own, drawn or not: a chart that moved to another
    place on the page would be built anew by the browser (all five at Pause, 0.5–1.5 s of drawing)."""
    at = _page()
    paused = _chart_places(at)
    assert set(paused) == {"train_fit", "train_loss", "train_accuracy", "train_norms", "train_deltas"}
    at.select_slider(key="train_epochs").set_value(2000).run()
    _click(at, "train_run")
    assert at.session_state["train_running"] and at.get("progress")
    assert _chart_places(at) == paused
    _click(at, "train_pause")
    assert not at.get("progress") and _chart_places(at) == paused


def test_reset_returns_to_the_same_initial_weights():
    at = _page()
    first = _state(at).network
    for _ in range(2):
        _click(at, "train_step")
    assert _state(at).network != first
    _click(at, "train_reset")
    assert _state(at).epoch == 0 and _state(at).network == first and len(_state(at).history) == 1


def test_a_changed_setting_starts_a_new_run_and_a_refused_one_keeps_the_old():
    at = _page()
    _click(at, "train_step")
    at.number_input(key="train_h1").set_value(4).run()
    _ok(at)
    assert _state(at).epoch == 0 and _state(at).config.sizes == (2, 4, 8, 1)
    _click(at, "train_step")
    kept = _state(at)
    at.selectbox(key="train_outact").set_value("relu").run()  # cross-entropy needs a sigmoid output
    _ok(at)
    assert _state(at) is kept
    assert any("can't be used" in e.value and "sigmoid" in e.value for e in at.sidebar.error), [
        e.value for e in at.sidebar.error
    ]


def test_a_regression_dataset_gets_a_linear_output_and_the_quadratic_cost():
    at = _page()
    at.selectbox(key="train_dataset").set_value("sine").run()
    _ok(at)
    state = _state(at)
    assert state.data.name == "sine" and state.config.output_activation == "linear"
    assert state.config.cost == "quadratic" and state.config.sizes == (1, 8, 8, 1)
    assert [m.label for m in at.metric] == ["Epoch", "Training loss", "Test loss"]  # no accuracy


def test_divergence_stops_training_with_a_message_and_keeps_a_finite_network():
    """η = 100 on the sine (linear output, quadratic cost) overflows within the first epoch."""
    at = _page()
    at.selectbox(key="train_dataset").set_value("sine").run()
    at.number_input(key="train_lr").set_value(100.0).run()
    _click(at, "train_run")
    for _ in range(5):
        at.run()
    state = _state(at)
    assert state.diverged and not at.session_state["train_running"]
    errors = [e.value for e in at.error]
    assert any(e.startswith("Training diverged in epoch 1") for e in errors), errors
    assert all(np.isfinite(state.network.W(l)).all() for l in range(1, state.network.L + 1))
    _click(at, "train_run")
    assert any("diverged" in w.value and "Reset" in w.value for w in at.warning)
    _click(at, "train_reset")
    assert not _state(at).diverged and _state(at).epoch == 0


CSV_OK = "x,y,label\n" + "\n".join(f"{i / 10},{(i * 7 % 13) / 13},{i % 2}" for i in range(40))


def test_an_uploaded_csv_trains_on_the_chosen_target():
    at = _page()
    at.selectbox(key="train_dataset").set_value("csv").run()
    at.file_uploader(key="train_csv_upload").set_value(("points.csv", CSV_OK.encode(), "text/csv")).run()
    _ok(at)
    state = _state(at)
    assert state.data.name == "points.csv" and state.data.target_name == "label"
    assert state.data.feature_names == ("x", "y") and state.data.is_classification
    at.selectbox(key="train_csv_target").set_value("y").run()
    _ok(at)
    assert _state(at).data.target_name == "y" and not _state(at).data.is_classification
    assert _state(at).config.cost == "quadratic"  # a regression target: the quadratic cost, a linear output


@pytest.mark.parametrize(
    "content, says",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary"),
        (b"a,b\n1,2\n3,nan\n" + b"4,5\n" * 20, "nan"),
        (b"", "empty"),
        (b"a;b\n1;2\n", "column"),
    ],
)
def test_a_bad_csv_is_refused_at_the_uploader_and_the_dataset_stays(content, says):
    at = _page()
    at.selectbox(key="train_dataset").set_value("csv").run()
    before = _state(at)
    at.file_uploader(key="train_csv_upload").set_value(("bad.csv", content, "text/csv")).run()
    _ok(at)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "“bad.csv” can't be used" in errors[0] and says in errors[0], errors
    assert ".." not in errors[0]
    assert _state(at) is before
    at.run()  # and again on the next run: still refused, still no traceback
    _ok(at)
    assert len(at.sidebar.error) == 1 and _state(at) is before


def test_export_then_import_gives_the_same_network():
    at = _page()
    for _ in range(2):
        _click(at, "train_step")
    trained = _state(at)
    text = model_io.model_json(trained)
    _click(at, "train_reset")
    at.file_uploader(key="train_import").set_value(("net.json", text.encode(), "application/json")).run()
    _ok(at)
    state = _state(at)
    assert state.network == trained.network and state.epoch == 0 and state.initial == trained.network
    at.run()
    assert _state(at) is state  # the widgets now match the loaded settings: no rebuild


@pytest.mark.parametrize(
    "content", [b"not json", b'{"format": "something else"}', b"[" * 5000, b'{"a": ' + b"1" * 100_000 + b"}"]
)
def test_a_bad_network_file_is_refused_and_the_run_stays(content):
    at = _page()
    _click(at, "train_step")
    before = _state(at)
    at.file_uploader(key="train_import").set_value(("evil.json", content, "application/json")).run()
    _ok(at)
    assert _state(at) is before
    assert any("“evil.json” can't be used" in e.value for e in at.error), [e.value for e in at.error]


def test_a_network_for_another_dataset_is_refused():
    other = tr.start_training(tr.default_config(ds.generate("sine")), ds.generate("sine"))
    at = _page()  # the circles: 2 inputs, the file's network has 1
    at.file_uploader(key="train_import").set_value(
        ("sine.json", model_io.model_json(other).encode(), "application/json")
    ).run()
    _ok(at)
    assert any("can't be used" in e.value and "input" in e.value for e in at.error)


def test_open_in_step_through_backpropagates_the_trained_network():
    at = _page()
    for _ in range(2):
        _click(at, "train_step")
    trained = _state(at)
    _click(at, "train_send")
    lesson = at.session_state["lesson"]
    assert at.title[0].value == "Backpropagation, step by step"
    assert lesson.network == trained.network and lesson.index == 0 and lesson.cost == "cross_entropy"
    np.testing.assert_allclose(lesson.x, trained.data.X_train[0], rtol=1e-5)
    assert lesson.y.tolist() == trained.data.Y_train[0].tolist()
    assert any("trained on the Train page" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/step_through.py")  # AppTest runs its own current page next, not the one switched to
    _click(at, "btn_step")  # and it steps like any other network
    assert at.session_state["lesson"].network == trained.network
    # Changing a size there means random weights again.
    at.number_input(key="n_h1").set_value(3).run()
    _ok(at)
    assert at.session_state["lesson"].network.sizes == (2, 3, 8, 1)


def test_a_link_retrains_to_the_same_epoch():
    at = _page()
    at.selectbox(key="train_dataset").set_value("moons").run()
    for _ in range(3):
        _click(at, "train_step")
    query = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert query["data"] == "moons" and query["ep"] == "3"
    second = _page(query)
    # The link's epochs are replayed in Run's chunked loop: three short epochs fit in the first chunk.
    assert not second.session_state["train_running"]
    assert _state(second).epoch == 3 and _state(second).network == _state(at).network
    assert not second.warning


def _batches_done(state) -> int:
    return state.epoch * state.n_batches + (state.within.batches if state.within else 0)


def test_pause_stops_a_link_replay_where_it_is():
    """A long link replays in Run's chunked loop (each run of the page trains one chunk; in a browser the
    fragment's timer asks for them), with its progress bar; Pause stops it where it is."""
    at = _page({"data": "spiral", "n": "1000", "batch": "1", "ep": "2000"})
    assert at.session_state["train_running"] and at.session_state["train_replay"]
    assert any("Replaying the link's training" in p.proto.text for p in at.get("progress")), at.get("progress")
    first = _state(at)
    assert first.epoch < 10  # one chunk, not 2000 epochs
    at.run()
    assert _batches_done(_state(at)) > _batches_done(first) > 0
    _click(at, "train_pause")
    paused = _state(at)
    assert not at.session_state["train_running"] and paused.epoch < 2000
    at.run()
    assert _state(at) is paused  # nothing trains while paused
    query = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert query["ep"] == str(paused.epoch)  # the epoch reached goes into the link


def test_a_hostile_train_link_opens_the_defaults_with_one_notice():
    at = _page({"data": "<script>", "n": "1e309", "lr": "nan", "batch": "33", "ep": "99999", "h": "99"})
    assert len(at.warning) == 1
    for key in ("data", "n", "lr", "batch", "ep", "h"):
        assert f"“{key}”" in at.warning[0].value
    assert _state(at).data.name == "circles" and _state(at).epoch == 0


def test_two_sessions_train_independently():
    a, b = _page(), _page()
    _click(a, "train_step")
    b.selectbox(key="train_dataset").set_value("xor").run()
    assert _state(a).epoch == 1 and _state(a).data.name == "circles"
    assert _state(b).epoch == 0 and _state(b).data.name == "xor"


def test_a_loss_stuck_high_gets_a_plain_notice():
    """η = 100 on the spiral: the exact cross-entropy oscillates far above its start without diverging (the
    clipped one sat at about 17 with no message); the page names η and saturation as the likely cause."""
    at = _page()
    at.selectbox(key="train_dataset").set_value("spiral").run()
    at.number_input(key="train_lr").set_value(100.0).run()
    at.select_slider(key="train_epochs").set_value(50).run()
    _click(at, "train_run")
    for _ in range(20):
        if not at.session_state["train_running"]:
            break
        at.run()
    state = _state(at)
    assert not state.diverged and state.epoch > tr.STUCK_EPOCHS
    notes = [w.value for w in at.warning if "Likely cause" in w.value]
    assert notes == [tr.stuck(state)] and "η = 100 is too large" in notes[0] and "saturate" in notes[0]
