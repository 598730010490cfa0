"""The Train page's pieces: the dataset, the network and the descent (sidebar), the run controls, the
charts, and the ways out (send to the step-through page, export, import).

Widget values live in st.session_state under keys starting "train_". The run is an immutable TrainState in
st.session_state[STATE]. Running is a fragment that reruns every TICK seconds and trains for at most
CHUNK_SECONDS each time (stopping between two batches, inside an epoch if need be), then redraws: Pause (or
any click) is answered at the next redraw, and whatever was trained stays. A link's epochs are replayed by
the same loop, so no request holds the script thread longer than a chunk, and nothing runs on once the
browser has gone (the browser's timer asks for each chunk). Settings the core refuses are named in the sidebar, and
the previous run stays in use.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

from backprop.figures import alt
from backprop.figures import training as figs
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH
from backprop.training import datasets as ds
from backprop.training import descent as tr
from backprop.training import model_io
from backprop.ui import a11y, url_codec
from backprop.ui.presenter import PERSIST  # a Final literal: Streamlit's persist_state takes only its Literal
from backprop.ui.settings import ACTIVATION_LABELS, COST_LABELS, INIT_LABELS, adopt_network

CSV = "csv"
DATASETS = {
    "xor": "XOR",
    "circles": "Two circles",
    "moons": "Two moons",
    "spiral": "Spiral",
    "blobs": "Two Gaussian blobs",
    "sine": "Noisy sine (regression)",
    CSV: "Your CSV file",
}
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
EPOCHS_PER_RUN = (1, 5, 10, 25, 50, 100, 200, 500, 1000, 2000)
MAX_LEARNING_RATE = 100.0  # large enough to watch training diverge
TICK = 0.25  # seconds between chunks while running
CHUNK_SECONDS = 0.15  # training time per chunk (then one batch at most); the page redraws after each
CHART_SECONDS = 1.0  # while running, the charts are rebuilt at most this often (the numbers above: every chunk)
STATE, SOURCE, RUNNING, GOAL = "train_state", "train_source", "train_running", "train_goal"
CHARTS = "train_charts"  # the charts last built while running: when, for which data, and the figures
START, REPLAY = "train_start", "train_replay"  # the epoch a run started from; True while replaying a link
CSV_DATA, MESSAGE, SENT = "train_csv_data", "train_message", "train_sent"
IMPORT_MESSAGE, TOAST = "train_import_message", "train_toast"  # a refused import's reason; a toast to show
DEFAULTS = {
    "train_dataset": "circles",
    "train_n": 300,
    "train_noise": 0.1,
    "train_data_seed": 0,
    "train_test": 0.2,
    "train_hidden": 2,
    "train_act": "tanh",
    "train_outact": "sigmoid",
    "train_cost": "cross_entropy",
    "train_lr": 0.5,
    "train_batch": 32,
    "train_seed": 0,
    "train_init": "auto",
    "train_epochs": 100,
}


# The page's link: query key → widget key, decoded by LINK_FIELDS with the widgets' own ranges. A link also
# carries the epoch reached ("ep"): training is deterministic for a seed, so opening the link trains the
# same network again (at most MAX_LINKED_EPOCHS). An uploaded CSV file can't travel in a link.
LINK_KEYS = {
    "data": "train_dataset",
    "n": "train_n",
    "noise": "train_noise",
    "dseed": "train_data_seed",
    "test": "train_test",
    "act": "train_act",
    "outact": "train_outact",
    "cost": "train_cost",
    "lr": "train_lr",
    "batch": "train_batch",
    "seed": "train_seed",
    "init": "train_init",
    "epochs": "train_epochs",
}
MAX_LINKED_EPOCHS = 2000
LINK_FIELDS = {
    "data": url_codec.choice(ds.GENERATORS),
    "n": url_codec.integer(20, 1000),
    "noise": url_codec.number(0.0, 1.0),
    "dseed": url_codec.integer(0, 2**31 - 1),
    "test": url_codec.number(0.0, 0.5),
    "h": url_codec.FIELDS["h"],
    "act": url_codec.choice(ACTIVATION_LABELS),
    "outact": url_codec.choice(ACTIVATION_LABELS),
    "cost": url_codec.choice(COST_LABELS),
    "lr": url_codec.number(0.0, MAX_LEARNING_RATE),
    "batch": url_codec.one_of_numbers(BATCH_SIZES),
    "seed": url_codec.integer(0, 2**31 - 1),
    "init": url_codec.choice(INIT_LABELS),
    "epochs": url_codec.one_of_numbers(EPOCHS_PER_RUN),
    "ep": url_codec.integer(0, MAX_LINKED_EPOCHS),
    "present": url_codec.FIELDS["present"],
}
LINKED_EPOCH = "train_linked_epoch"


def apply_link(values: dict) -> list[str]:
    """Set the widgets from a link's decoded values (before they are drawn); what could not be used."""
    s = st.session_state
    _defaults()
    if "data" in values:
        s["train_dataset"] = values["data"]
        _on_dataset()
    for q, key in LINK_KEYS.items():
        if q in values and q != "data":
            s[key] = int(values[q]) if q in ("batch", "epochs") else values[q]
    if "h" in values:
        s["train_hidden"] = len(values["h"])
        for i, n in enumerate(values["h"], start=1):
            s[f"train_h{i}"] = n
    if values.get("ep"):
        s[LINKED_EPOCH] = values["ep"]
    return []


def link_values(state: tr.TrainState) -> tuple[dict, str | None]:
    """This page's state for its link, and a note when the link can't reproduce it."""
    s = st.session_state
    values = {q: s[key] for q, key in LINK_KEYS.items() if key in s}
    values["h"] = state.config.sizes[1:-1]
    values["ep"] = min(state.epoch, MAX_LINKED_EPOCHS)
    note = None
    if s.get("train_dataset") == CSV:
        values.pop("data")
        note = "An uploaded CSV file can't travel in a link: this one opens the same network on the circles."
    elif s.get(SOURCE) is None:
        note = "This network was imported from a file, which a link can't carry: export it as JSON to share it."
    elif state.epoch > MAX_LINKED_EPOCHS:
        note = f"A link retrains at most {MAX_LINKED_EPOCHS} epochs: this one opens epoch {MAX_LINKED_EPOCHS}."
    return values, note


def replay_link(state: tr.TrainState) -> tr.TrainState:
    """Once, after a link: start running up to the epoch it names (the same seed gives the same network), in
    the chunked loop of Run: with its progress bar and Pause, and only while the browser asks for chunks."""
    s = st.session_state
    epochs = s.pop(LINKED_EPOCH, 0)
    if epochs and state.epoch == 0 and not state.diverged:
        # The first chunk now, before the buttons are drawn: a short link is done in this run (no rerun to
        # redraw the buttons, which would also drop the link's notice); a long one runs on in the loop.
        state = s[STATE] = tr.run_epochs(state, int(epochs), time_limit=CHUNK_SECONDS)
        if state.epoch < int(epochs) and not state.diverged:
            s[START], s[GOAL], s[RUNNING], s[REPLAY] = 0, int(epochs), True, True
    return state


def _reason(err: ValueError) -> str:
    """The core's message, to go inside a sentence of ours."""
    return str(err).rstrip(".")


def _defaults() -> None:
    s = st.session_state
    for key, value in DEFAULTS.items():
        s.setdefault(key, value)
    for i in range(1, MAX_HIDDEN_LAYERS + 1):
        s.setdefault(f"train_h{i}", 8)


# -- the sidebar: dataset, network, descent --------------------------------------------------------------


def _kind_defaults(kind: str) -> None:
    """The output activation and cost that suit a kind of dataset (set when the kind changes)."""
    s = st.session_state
    classify = kind == ds.CLASSIFICATION
    s["train_outact"], s["train_cost"] = ("sigmoid", "cross_entropy") if classify else ("linear", "quadratic")


def _on_dataset() -> None:
    """A different dataset chosen (callback): match the output and cost to its kind, before they are drawn."""
    name = st.session_state["train_dataset"]
    if name != CSV:
        _kind_defaults(ds.REGRESSION if name == "sine" else ds.CLASSIFICATION)


def dataset_settings() -> ds.Dataset:
    """The dataset widgets in the sidebar; the dataset they make (or the last valid one, with a message)."""
    _defaults()
    sb = st.sidebar
    sb.header("Dataset")
    name = sb.selectbox(
        "Dataset",
        list(DATASETS),
        key="train_dataset",
        format_func=DATASETS.__getitem__,
        on_change=_on_dataset,
        persist_state=PERSIST,
    )
    if name == CSV:
        data = _csv_dataset()
    else:
        sb.caption(ds.DESCRIPTIONS[name].capitalize() + ".")
        n = sb.slider("Points", 20, 1000, step=10, key="train_n", persist_state=PERSIST)
        noise = sb.slider("Noise", 0.0, 1.0, step=0.05, key="train_noise", persist_state=PERSIST)
        seed = sb.number_input("Data seed", 0, 2**31 - 1, key="train_data_seed", persist_state=PERSIST)
        data = ds.generate(name, n=int(n), noise=float(noise), seed=int(seed), test_fraction=_test_fraction())
    return data


def _test_fraction() -> float:
    return float(
        st.sidebar.slider(
            "Test fraction",
            0.0,
            0.5,
            step=0.05,
            key="train_test",
            persist_state=PERSIST,
            help="Held out of training: the test loss says how well the network generalises",
        )
    )


def _csv_dataset() -> ds.Dataset:
    """An uploaded CSV file with the target the user picks. A file or target that can't be used is named
    under the uploader, and the last valid CSV dataset (or the circles, if none) stays."""
    s, sb = st.session_state, st.sidebar
    upload = sb.file_uploader(
        "CSV file",
        type=["csv"],
        key="train_csv_upload",
        help=f"A header row of column names, then numbers only, comma-separated; at most "
        f"{ds.MAX_CSV_ROWS} rows, {ds.MAX_CSV_INPUTS} inputs besides the target, "
        f"{ds.MAX_CSV_BYTES // 1000} kB.",
    )
    fraction = _test_fraction()
    if upload is not None:
        try:
            table = _csv_table(upload)
        except ValueError as err:
            sb.error(f"“{upload.name[:40]}” can't be used: {_reason(err)}.", icon=":material/block:")
        else:
            if s.get("train_csv_target") not in table.names:
                s["train_csv_target"] = table.names[-1]
            target = sb.selectbox("Target column", table.names, key="train_csv_target")
            try:
                data = ds.from_csv(table, target, test_fraction=fraction, seed=0, name=upload.name[:40])
            except ValueError as err:
                sb.error(f"This target can't be used: {_reason(err)}.", icon=":material/block:")
            else:
                previous = s.get(CSV_DATA)
                if previous is None or previous.kind != data.kind:
                    _kind_defaults(data.kind)
                s[CSV_DATA] = data
    in_use: ds.Dataset | None = s.get(CSV_DATA)
    if in_use is None:
        sb.info("No CSV file in use yet: training on the circles meanwhile.", icon=":material/info:")
        return ds.generate("circles", test_fraction=fraction)
    sb.caption(
        f"In use: {in_use.name}, {in_use.n} rows, target “{in_use.target_name}” ({in_use.kind}); inputs "
        "standardised by the training rows' mean and standard deviation."
    )
    return in_use


def _csv_table(upload) -> ds.CsvTable:
    """The uploaded file, parsed and checked once per upload (not on every rerun of the page)."""
    s = st.session_state
    kept = s.get("train_csv_table")
    if kept is None or kept[0] != upload.file_id:  # a file that is refused is not kept, and is read again
        kept = s["train_csv_table"] = (upload.file_id, ds.read_csv(upload.getvalue()))
    return kept[1]


def network_settings(data: ds.Dataset) -> tr.TrainConfig | None:
    """The network and descent widgets; the config they make, or None (with a message) if it can't be used."""
    sb = st.sidebar
    sb.header("Network")
    sb.caption(
        f"Input layer: {data.n_inputs} node{'s' * (data.n_inputs > 1)} ({', '.join(data.feature_names)}); "
        f"output layer: {data.n_outputs} ({data.target_name}). The dataset sets both."
    )
    n_hidden = sb.number_input("Hidden layers", 0, MAX_HIDDEN_LAYERS, key="train_hidden", persist_state=PERSIST)
    hidden = tuple(
        int(
            sb.number_input(f"Nodes in hidden layer {i}", 1, MAX_HIDDEN_WIDTH, key=f"train_h{i}", persist_state=PERSIST)
        )
        for i in range(1, n_hidden + 1)
    )
    names = list(ACTIVATION_LABELS)
    act = sb.selectbox(
        "Hidden activation", names, key="train_act", format_func=ACTIVATION_LABELS.__getitem__, persist_state=PERSIST
    )
    out = sb.selectbox(
        "Output activation", names, key="train_outact", format_func=ACTIVATION_LABELS.__getitem__, persist_state=PERSIST
    )
    cost = sb.selectbox(
        "Cost", list(COST_LABELS), key="train_cost", format_func=COST_LABELS.__getitem__, persist_state=PERSIST
    )
    sb.header("Gradient descent")
    lr = sb.number_input(
        "Learning rate η",
        0.0,
        MAX_LEARNING_RATE,
        step=0.05,
        format="%.3f",
        key="train_lr",
        persist_state=PERSIST,
        help="Too large and training diverges: try 20 on the circles",
    )
    batch = sb.select_slider(
        "Batch size",
        BATCH_SIZES,
        key="train_batch",
        persist_state=PERSIST,
        help="Samples per step. At least the number of training points: one step per "
        "epoch on the whole set (full-batch descent)",
    )
    sb.select_slider("Epochs per run", EPOCHS_PER_RUN, key="train_epochs", persist_state=PERSIST)
    seed = sb.number_input("Seed (weights and shuffles)", 0, 2**31 - 1, key="train_seed", persist_state=PERSIST)
    init = sb.selectbox(
        "Initialisation",
        list(INIT_LABELS),
        key="train_init",
        format_func=INIT_LABELS.__getitem__,
        persist_state=PERSIST,
    )
    try:
        return tr.TrainConfig(
            (data.n_inputs, *hidden, data.n_outputs), act, out, cost, float(lr), int(batch), int(seed), init
        )
    except ValueError as err:
        sb.error(f"These settings can't be used: {_reason(err)}. The previous run stays.", icon=":material/block:")
        return None


def current_state(config: tr.TrainConfig | None, data: ds.Dataset) -> tr.TrainState:
    """The session's run: kept while the config and the dataset stay, else a new run at epoch 0 (with a
    notice). A combination the core refuses keeps the previous run, with a message."""
    s = st.session_state
    state: tr.TrainState | None = s.get(STATE)
    source = s.get(SOURCE)
    if state is not None and config is not None and source is not None and source[0] == config and source[1] == data:
        return state
    if config is not None:
        try:
            new = tr.start_training(config, data)
        except ValueError as err:
            st.sidebar.error(f"This network can't train on this dataset: {_reason(err)}.", icon=":material/block:")
        else:
            if state is not None:
                st.toast("Settings changed: a new run from epoch 0.", icon=":material/refresh:")
            s[STATE], s[SOURCE], s[RUNNING] = new, (config, data), False
            return new
    if state is None:  # nothing valid yet: the default run
        fallback = ds.generate("circles")
        state = tr.start_training(tr.default_config(fallback), fallback)
        s[STATE], s[SOURCE], s[RUNNING] = state, None, False
    return state


# -- the run -----------------------------------------------------------------------------------------------


def _run() -> None:
    s = st.session_state
    state: tr.TrainState = s[STATE]
    if state.diverged:
        s[MESSAGE] = "This run diverged. Reset (or change a setting) to train again."
        return
    s[START], s[GOAL], s[RUNNING], s[REPLAY] = state.epoch, state.epoch + int(s["train_epochs"]), True, False


def _pause() -> None:
    st.session_state[RUNNING] = False
    st.session_state[REPLAY] = False


def _one_epoch() -> None:
    s = st.session_state
    s[RUNNING] = False
    state: tr.TrainState = s[STATE]
    if state.diverged:
        s[MESSAGE] = "This run diverged. Reset (or change a setting) to train again."
        return
    s[STATE] = tr.run_epochs(state, 1)


def _reset() -> None:
    s = st.session_state
    s[RUNNING] = False
    s[STATE] = tr.reset_training(s[STATE])


def run_controls(state: tr.TrainState) -> None:
    """Run, Pause, one epoch, Reset: outside the charts' fragment, so that a click reruns the whole page and
    the fragment's timer starts or stops with it."""
    s = st.session_state
    running = bool(s.get(RUNNING))
    c = st.columns(4)
    c[0].button(
        f"Run {s['train_epochs']} epoch{'s' * (s['train_epochs'] > 1)}",
        icon=":material/play_arrow:",
        key="train_run",
        on_click=_run,
        type="primary",
        disabled=running,
        width="stretch",
    )
    c[1].button(
        "Pause", icon=":material/pause:", key="train_pause", on_click=_pause, disabled=not running, width="stretch"
    )
    c[2].button("One epoch", icon=":material/skip_next:", key="train_step", on_click=_one_epoch, width="stretch")
    c[3].button(
        "Reset",
        icon=":material/restart_alt:",
        key="train_reset",
        on_click=_reset,
        width="stretch",
        help="Back to epoch 0 with the same initial weights (the same seed)",
    )
    if message := s.pop(MESSAGE, None):
        st.warning(message, icon=":material/warning:")
    if toast := s.pop(TOAST, None):
        st.toast(toast, icon=":material/upload_file:")


def train_tick() -> tr.TrainState:
    """While running: one chunk of training (at most CHUNK_SECONDS), stopping at the goal or at divergence,
    then a whole-page rerun so the buttons and the timer follow."""
    s = st.session_state
    state: tr.TrainState = s[STATE]
    if not s.get(RUNNING):
        return state
    goal = int(s.get(GOAL, state.epoch))
    if state.epoch < goal and not state.diverged:
        state = s[STATE] = tr.run_epochs(state, goal - state.epoch, time_limit=CHUNK_SECONDS)
    if state.epoch >= goal or state.diverged:
        s[RUNNING] = s[REPLAY] = False
        st.rerun(scope="app")
    return state


# -- what is shown -----------------------------------------------------------------------------------------


def status(state: tr.TrainState) -> None:
    """Progress while running, the numbers of the last epoch, and why training stopped if it diverged."""
    s = st.session_state
    h = state.history
    # One slot each for the progress bar and the notice, drawn or not: the elements after them (the charts)
    # keep their places on the page, so that Pause or Run updates the charts in place. Without the slots,
    # the bar's coming and going moved every chart by one place, and the browser built all five anew
    # (0.5–1.5 s of drawing before the paused page showed).
    progress, message = st.empty(), st.empty()
    if s.get(RUNNING):
        goal = int(s.get(GOAL, state.epoch))
        start = int(s.get(START, 0))
        within = state.within.batches / state.n_batches if state.within is not None else 0.0
        done = (state.epoch + within - start) / max(goal - start, 1)
        what = "Replaying the link's training" if s.get(REPLAY) else "Training"
        progress.progress(min(max(done, 0.0), 1.0), text=f"{what}: epoch {state.epoch} of {goal} (Pause stops here)")
    if state.divergence is not None:
        message.error(state.divergence.message, icon=":material/error:")
    elif notice := tr.stuck(state):  # high but bounded: no divergence, yet not learning
        message.warning(notice, icon=":material/trending_flat:")
    cols = st.columns(4)
    cols[0].metric("Epoch", state.epoch)
    cols[1].metric("Training loss", f"{h.train_loss[-1]:.4g}", delta=_change(h.train_loss), delta_color="inverse")
    if h.has_test:
        cols[2].metric("Test loss", f"{h.test_loss[-1]:.4g}", delta=_change(h.test_loss), delta_color="inverse")
    if h.has_accuracy:
        acc = h.test_accuracy if h.has_test else h.train_accuracy
        cols[3].metric(
            "Test accuracy" if h.has_test else "Training accuracy",
            f"{100 * acc[-1]:.1f} %",
            delta=f"{100 * (acc[-1] - acc[0]):+.1f} points since epoch 0" if len(acc) > 1 else None,
        )


def _change(values: np.ndarray) -> str | None:
    return f"{values[-1] - values[0]:+.3g} since epoch 0" if len(values) > 1 else None


def _chart_figures(state: tr.TrainState) -> dict[str, tuple[Any, alt.TextAlternative]]:
    """The charts' figures with their text alternatives, by chart key.

    While a run goes on, the figures are rebuilt at most every CHART_SECONDS and otherwise sent again as
    they were: the browser redraws a Plotly chart only when its figure changed, and redrawing five charts at
    every chunk (every 0.25 s) was what the browser fell behind on, so that Pause, queued behind those
    redraws, took effect seconds late on a busy machine. Paused or finished, they are always those of the
    state shown: built again only when it changed (TrainState is immutable), so the runs that follow a Pause
    (the fragment's timer may fire once more) send the same figures, which the browser does not redraw.
    """
    s = st.session_state
    memo = s.get(CHARTS)
    now = time.monotonic()
    if memo is not None and memo["state"] is state:
        return memo["figures"]
    if s.get(RUNNING) and memo is not None and memo["data"] is state.data and now - memo["at"] < CHART_SECONDS:
        return memo["figures"]
    h, divergence = state.history, state.divergence
    figures = {
        "train_fit": (figs.fit_figure(state.network, state.data), alt.fit(state.network, state.data)),
        "train_loss": (figs.loss_figure(h, divergence), alt.training_curve(h, "loss")),
        "train_norms": (figs.gradient_norms_figure(h), alt.per_layer(h, "gradient norm")),
        "train_deltas": (figs.mean_abs_delta_figure(h), alt.per_layer(h, "mean |δ|")),
    }
    if h.has_accuracy:
        figures["train_accuracy"] = (figs.accuracy_figure(h, divergence), alt.training_curve(h, "accuracy"))
    s[CHARTS] = {"at": now, "data": state.data, "state": state, "figures": figures}
    return figures


def charts(state: tr.TrainState) -> None:
    """The data with what the network makes of it, the losses, and the backward pass's health per layer."""
    figures = _chart_figures(state)
    left, right = st.columns(2)
    for key, where in (("train_fit", left), ("train_loss", right), ("train_accuracy", right)):
        if key in figures:
            fig, text = figures[key]
            a11y.chart(fig, text, key=key, where=where)
    st.subheader("The backward pass, layer by layer")
    st.caption(
        "‖∂C/∂Wˡ‖ is the size of layer l's whole gradient (on the training set, after each epoch); mean "
        "|δˡ| is how much error reaches layer l going back. In a deep sigmoid network both shrink layer by "
        "layer towards the input: the first layers learn slowly (vanishing gradients). Try 5 hidden "
        "layers, sigmoid, then ReLU."
    )
    left, right = st.columns(2)
    for key, where in (("train_norms", left), ("train_deltas", right)):
        fig, text = figures[key]
        a11y.chart(fig, text, key=key, where=where)


# -- the ways out ------------------------------------------------------------------------------------------


def _send() -> None:
    """Make the trained network the step-through page's, on the first training sample (a callback: the
    page then goes there, see follow_send)."""
    s = st.session_state
    state: tr.TrainState = s[STATE]
    data = state.data
    title = f"the network trained on the Train page ({data.name}, epoch {state.epoch})"
    adopt_network(state.network, state.config.cost, state.config.learning_rate, data.X_train[0], data.Y_train[0], title)
    s[SENT] = True
    st.rerun(scope="app")  # the button sits in the charts' fragment: the whole page must run to switch


def follow_send() -> None:
    """After "Open in Step through": go to the step-through page (not possible from inside a callback)."""
    if st.session_state.pop(SENT, False):
        st.switch_page("pages/step_through.py")


def _import() -> None:
    """A network file chosen (callback): check it, make it this page's run if it fits the dataset."""
    s = st.session_state
    upload = s.get("train_import")
    if upload is None:
        return
    try:
        loaded = model_io.load_model_json(upload.getvalue())
        # What the widgets can show: the nearest batch size they offer, η within their range.
        config = replace(
            loaded.config,
            learning_rate=min(loaded.config.learning_rate, MAX_LEARNING_RATE),
            batch_size=min(BATCH_SIZES, key=lambda b: abs(b - loaded.config.batch_size)),
        )
        data = s[STATE].data
        state = tr.start_training(config, data, loaded.network)
    except ValueError as err:
        # Shown under the uploader, in the same fragment rerun: a message drawn elsewhere on the page waited
        # for the next whole-page run, so a browser showed nothing.
        s[IMPORT_MESSAGE] = f"“{upload.name[:40]}” can't be used: {_reason(err)}. The current run stays."
        return
    s["train_hidden"] = len(config.sizes) - 2
    for i, n in enumerate(config.sizes[1:-1], start=1):
        s[f"train_h{i}"] = n
    s["train_act"], s["train_outact"], s["train_cost"] = config.activation, config.output_activation, config.cost
    s["train_lr"], s["train_batch"] = config.learning_rate, config.batch_size
    s["train_seed"], s["train_init"] = config.seed, config.init
    s[STATE], s[SOURCE], s[RUNNING] = state, (config, data), False
    s[TOAST] = f"Network loaded from “{upload.name[:40]}”: epoch 0 of a new run from its weights."
    st.rerun(scope="app")  # the sidebar's widgets (outside the fragment) now show the loaded settings


def exits(state: tr.TrainState) -> None:
    """Send the network to the step-through page; export it; import one (not while training runs)."""
    st.subheader("Take the network further")
    if st.session_state.get(RUNNING):
        st.caption("Pause to send this network to the step-through page, export it or import one.")
        return
    c1, c2, c3 = st.columns(3)
    with c1:
        st.caption("Backpropagate one training sample through this network, step by step.")
        st.button(
            "Open in Step through", icon=":material/footprint:", key="train_send", width="stretch", on_click=_send
        )
    with c2:
        st.caption("Weights, biases and settings, as JSON: to keep, share, or import again here.")
        st.download_button(
            "Export network (JSON)",
            data=model_io.model_json(state),
            icon=":material/download:",
            file_name=f"backprop-lab-{state.data.name}-epoch{state.epoch}.json".replace(" ", "_"),
            mime="application/json",
            key="train_export",
            width="stretch",
            on_click="ignore",
        )
    with c3:
        st.file_uploader(
            "Import a network (JSON)",
            type=["json"],
            key="train_import",
            on_change=_import,
            help="A file exported here. It must fit the current dataset's inputs and outputs.",
        )
        if message := st.session_state.pop(IMPORT_MESSAGE, None):
            st.error(message, icon=":material/block:")
