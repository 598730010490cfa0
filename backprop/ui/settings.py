"""The network and sample settings of the step-through page, and the lesson they build.

Widget values live in st.session_state under the keys below; the lesson built from them lives there too,
so each browser session has its own. A setting that the core refuses leaves the last valid lesson in use.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import backprop as bp
from backprop.lesson.presets import PRESETS, Preset
from backprop.lesson.progress import Lesson
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH, MAX_IO_WIDTH
from backprop.ui.presenter import PERSIST  # a Final literal: Streamlit's persist_state takes only its Literal

SAMPLE_RANGE = 10.0  # |x| and |y| at most this: beyond it every sigmoid is saturated anyway
ACTIVATION_LABELS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "linear": "linear",
}
COST_LABELS = {"quadratic": "quadratic ½Σ(a−y)²", "cross_entropy": "cross-entropy"}
INIT_LABELS = {
    "auto": "auto (He for ReLU, else Xavier)",
    "xavier": "Xavier / Glorot",
    "he": "He",
    "normal": "normal N(0, 1)",
}
DEFAULT = PRESETS["worked_2_2_2"]
TRAINED = "trained"  # `fixed` when the weights are a network sent from the Train page (TRAINED_NETWORK)
TRAINED_NETWORK = "trained_network"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the network is built from."""

    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    cost: str
    learning_rate: float
    seed: int
    init: str
    fixed: str | None  # a preset whose fixed weights are in use, TRAINED, or None for random weights
    trained: bp.Network | None = None  # the network sent from the Train page, when fixed is TRAINED
    update_biases: bool = True  # the update step moves the biases as well as the weights

    def network(self) -> bp.Network:
        if self.fixed == TRAINED and self.trained is not None:
            return self.trained
        if self.fixed in PRESETS:
            return PRESETS[self.fixed].network()
        return bp.Network.random(self.sizes, self.activation, self.output_activation, self.seed, self.init)


def apply_preset(name: str) -> None:
    """Set every widget to a preset (a callback: runs before the widgets are drawn)."""
    p: Preset = PRESETS[name]
    s = st.session_state
    s["n_hidden"] = len(p.sizes) - 2
    s["n_in"], s["n_out"] = p.sizes[0], p.sizes[-1]
    for i, n in enumerate(p.sizes[1:-1], start=1):
        s[f"n_h{i}"] = n
    s["activation"], s["output_activation"], s["cost"] = p.activation, p.output_activation, p.cost
    s["learning_rate"], s["seed"], s["init"] = p.learning_rate, p.seed, p.init
    s["fixed"] = name if p.weights is not None else None
    s["update_biases"] = p.update_biases
    s["x_text"], s["y_text"] = _text(p.x), _text(p.y)
    s["notice"] = f"Preset loaded: {p.title}."


def _unfix() -> None:
    """A changed size or seed means random weights again (and the usual update of the biases, unless the
    switch was set otherwise than the preset left it: keeping them fixed belongs to the preset)."""
    s = st.session_state
    fixed = s.get("fixed")
    p = PRESETS.get(fixed) if fixed is not None else None
    if p is not None and s.get("update_biases") == p.update_biases:
        s["update_biases"] = True
    s["fixed"] = None


def _defaults() -> None:
    if "n_hidden" not in st.session_state:
        apply_preset("worked_2_2_2")
        st.session_state.pop("notice", None)


def sidebar_settings() -> Settings:
    """Draw the network settings in the sidebar and return them."""
    _defaults()
    s = st.session_state
    sb = st.sidebar
    sb.header("Network")
    sb.caption("Presets")
    row = sb.container(horizontal=True, key="presets")  # buttons as wide as their labels, wrapping: never cut
    for name in PRESETS:
        row.button(
            PRESETS[name].label,
            key=f"preset_{name}",
            on_click=apply_preset,
            args=(name,),
            help=f"Preset: {PRESETS[name].title}",
            width="content",
        )
    n_hidden = sb.number_input(
        "Hidden layers", 0, MAX_HIDDEN_LAYERS, key="n_hidden", on_change=_unfix, persist_state=PERSIST
    )
    sb.number_input("Input nodes (layer 0)", 1, MAX_IO_WIDTH, key="n_in", on_change=_unfix, persist_state=PERSIST)
    for i in range(1, n_hidden + 1):
        s.setdefault(f"n_h{i}", 3)
        sb.number_input(
            f"Nodes in hidden layer {i}", 1, MAX_HIDDEN_WIDTH, key=f"n_h{i}", on_change=_unfix, persist_state=PERSIST
        )
    sb.number_input(
        f"Output nodes (layer {n_hidden + 1})", 1, MAX_IO_WIDTH, key="n_out", on_change=_unfix, persist_state=PERSIST
    )
    names = list(ACTIVATION_LABELS)
    sb.selectbox(
        "Hidden activation",
        names,
        key="activation",
        format_func=ACTIVATION_LABELS.__getitem__,
        on_change=_unfix,
        persist_state=PERSIST,
    )
    sb.selectbox(
        "Output activation",
        names,
        key="output_activation",
        format_func=ACTIVATION_LABELS.__getitem__,
        on_change=_unfix,
        persist_state=PERSIST,
    )
    sb.selectbox("Cost", list(COST_LABELS), key="cost", format_func=COST_LABELS.__getitem__, persist_state=PERSIST)
    sb.number_input("Learning rate η", 0.0, 10.0, key="learning_rate", step=0.05, format="%.3f", persist_state=PERSIST)
    s.setdefault("update_biases", True)
    sb.checkbox(
        "Update the biases too",
        key="update_biases",
        persist_state=PERSIST,
        help="Off: the update step moves the weights only and keeps every bias fixed, as Matt Mazur's "
        "worked 2-2-2 example does.",
    )
    sb.number_input("Seed", 0, 2**31 - 1, key="seed", on_change=_unfix, persist_state=PERSIST)
    sb.selectbox(
        "Initialisation",
        list(INIT_LABELS),
        key="init",
        format_func=INIT_LABELS.__getitem__,
        on_change=_unfix,
        persist_state=PERSIST,
    )
    fixed = s.get("fixed")
    if fixed in PRESETS:
        sb.caption(
            f"Weights: the fixed numbers of “{PRESETS[fixed].title}”. Change a size or the seed for random ones."
        )
        if PRESETS[fixed].note and s["update_biases"] == PRESETS[fixed].update_biases:
            sb.caption(PRESETS[fixed].note)
    elif fixed == TRAINED:
        sb.caption(
            f"Weights: {s.get('trained_title', 'the network trained on the Train page')}. Change a size "
            "or the seed for random ones."
        )
    return settings_from_state()  # what the widgets just drawn hold


def _trained(fixed: str | None) -> bp.Network | None:
    return st.session_state.get(TRAINED_NETWORK) if fixed == TRAINED else None


def adopt_network(net: bp.Network, cost: str, learning_rate: float, x, y, title: str) -> None:
    """Make `net` (say, trained on the Train page) the step-through page's network, on the sample (x, y):
    every setting is set to match it, and its weights are used instead of random ones. `title` says where
    the weights come from, in the sidebar."""
    s = st.session_state
    L = net.L
    s["n_hidden"], s["n_in"], s["n_out"] = L - 1, net.sizes[0], net.sizes[-1]
    for i in range(1, L):
        s[f"n_h{i}"] = net.sizes[i]
    s["activation"], s["output_activation"], s["cost"] = net.activation, net.output_activation, cost
    s["learning_rate"] = float(min(max(learning_rate, 0.0), 10.0))
    s["fixed"], s[TRAINED_NETWORK], s["trained_title"] = TRAINED, net, title
    s["x_text"], s["y_text"] = _text(np.asarray(x, dtype=float)), _text(np.asarray(y, dtype=float))
    s["notice"] = f"Network received: {title}."


def current_lesson(settings: Settings) -> Lesson:
    """The session's lesson, rebuilt (at step 0, with a notice) when the settings changed.

    Settings the core refuses (say, cross-entropy with a ReLU output) show an error in the sidebar and the
    last valid lesson stays in use.
    """
    s = st.session_state
    lesson: Lesson | None = s.get("lesson")
    known: Settings | None = s.get("lesson_settings")
    if lesson is not None and known is not None and replace(known, update_biases=settings.update_biases) == settings:
        if lesson.update_biases != settings.update_biases:  # the same lesson at the same step, updated otherwise
            lesson = s["lesson"] = replace(lesson, update_biases=settings.update_biases)
            s["lesson_settings"] = settings
        return lesson
    x, y = fit(parse(s.get("x_text", "")), settings.sizes[0]), fit(parse(s.get("y_text", "")), settings.sizes[-1])
    try:
        new = Lesson.start(settings.network(), x, y, settings.cost, settings.learning_rate, settings.update_biases)
    except ValueError as err:
        if lesson is None:  # nothing valid yet: fall back to the default preset
            new = Lesson.start(
                DEFAULT.network(), DEFAULT.x, DEFAULT.y, DEFAULT.cost, DEFAULT.learning_rate, DEFAULT.update_biases
            )
            s["lesson"], s["lesson_settings"] = new, None
            st.sidebar.error(f"These settings can't be used: {err}. Showing the default example.")
            return new
        st.sidebar.error(f"These settings can't be used: {err}. The previous network stays in use.")
        return lesson
    if lesson is not None:
        s.setdefault("notice", "Settings changed: a new network, back to step 0.")
    s["x_text"], s["y_text"] = _text(new.x), _text(new.y)
    s["lesson"], s["lesson_settings"] = new, settings
    return new


def settings_from_state() -> Settings:
    """The settings the sidebar widgets hold, without drawing them (for the pages that show the same network)."""
    _defaults()
    s = st.session_state
    widths = (s["n_in"], *(s.get(f"n_h{i}", 3) for i in range(1, s["n_hidden"] + 1)), s["n_out"])
    return Settings(
        tuple(int(n) for n in widths),
        s["activation"],
        s["output_activation"],
        s["cost"],
        float(s["learning_rate"]),
        int(s["seed"]),
        s["init"],
        s.get("fixed"),
        _trained(s.get("fixed")),
        bool(s.get("update_biases", True)),
    )


def shared_lesson() -> Lesson:
    """The step-through page's lesson, for the pages that show the same network from another side. Before the
    step-through page has built one, it is built here from the settings (the default example, or what a link
    to this page set), and the step-through page takes it over."""
    lesson = st.session_state.get("lesson")
    return lesson if lesson is not None else current_lesson(settings_from_state())


def shared_selection(lesson: Lesson) -> tuple[int, int, int]:
    """The weight (l, k, j), 0-based k and j, last chosen on the step-through page, if it fits `lesson`'s
    network; else (1, 0, 0)."""
    l, k, j = st.session_state.get("selected", (1, 0, 0))
    sizes = lesson.network.sizes
    return (l, k, j) if 1 <= l <= lesson.network.L and k < sizes[l] and j < sizes[l - 1] else (1, 0, 0)


def sample_editor(lesson: Lesson) -> None:
    """Edit x and y as comma-separated numbers; a bad entry is named at its field and the last valid
    sample stays in use."""
    s = st.session_state
    n0, nL = lesson.network.sizes[0], lesson.network.sizes[-1]
    c1, c2, c3 = st.columns([4, 4, 3], vertical_alignment="bottom")  # room for "Random sample" in full
    x_text = c1.text_input(f"Input x ({n0} number{'s' * (n0 > 1)})", key="x_text")
    y_text = c2.text_input(f"Target y ({nL} number{'s' * (nL > 1)})", key="y_text")
    c3.button(
        "Random sample", icon=":material/casino:", on_click=_random_sample, args=(n0, nL, lesson.cost), width="stretch"
    )
    x, x_err = check_vector(x_text, n0, "x")
    y, y_err = check_vector(y_text, nL, "y")
    if x_err:
        c1.error(x_err)
    if y_err:
        c2.error(y_err)
    if x is not None and y is not None and not (np.array_equal(x, lesson.x) and np.array_equal(y, lesson.y)):
        try:
            lesson = s["lesson"] = lesson.with_sample(x, y)
        except ValueError as err:
            c2.error(f"{err}. The last valid sample stays in use.")
    sample_sliders(lesson)


SLIDER_SPAN = 2.0  # an input's slider covers ±2 (a target's 0..1 for a sigmoid output), widened to its value


def sample_sliders(lesson: Lesson) -> None:
    """One slider per input and per target node (networks of up to MAX_IO_WIDTH of each), in an expander;
    a move rewrites that number in the text field above, so the field stays the place to type an exact
    value. The sliders show the sample in use: a refused text leaves them at the last valid one."""
    s = st.session_state
    with st.expander("Sliders for x and y, one per node", icon=":material/tune:", key="sample_sliders"):
        cols = st.columns(2)
        for col, name, values in ((cols[0], "x", lesson.x), (cols[1], "y", lesson.y)):
            unit = name == "y" and lesson.network.output_activation == "sigmoid"  # a sigmoid reaches (0, 1) only
            for i, v in enumerate(values):
                key = f"{name}_slider_{i}"
                low, high = (0.0, 1.0) if unit else (-SLIDER_SPAN, SLIDER_SPAN)
                s[key] = float(v)
                col.slider(
                    f"{name}{_sub(i + 1)}",
                    min(low, float(v)),
                    max(high, float(v)),
                    step=0.01,
                    key=key,
                    on_change=_slid,
                    args=(name, i, len(values)),
                )


def _slid(name: str, i: int, n: int) -> None:
    """A sample slider moved (callback): write its value into the text field, over the sample in use."""
    s = st.session_state
    lesson: Lesson = s["lesson"]
    values = list(lesson.x if name == "x" else lesson.y)
    if len(values) != n:  # the network changed since the slider was drawn
        return
    values[i] = float(s[f"{name}_slider_{i}"])
    s[f"{name}_text"] = ", ".join(f"{v:.12g}" for v in values)  # the other numbers as they are, not rounded


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _random_sample(n0: int, nL: int, cost: str) -> None:
    rng = np.random.default_rng()
    st.session_state["x_text"] = _text(np.round(rng.uniform(-1, 1, n0), 2))
    st.session_state["y_text"] = _text(np.round(rng.uniform(0, 1, nL), 2))


def parse(text: str) -> list[float]:
    """Numbers separated by commas, semicolons or spaces; what does not parse is dropped."""
    out = []
    for part in re.split(r"[,;\s]+", str(text).strip()):
        with contextlib.suppress(ValueError):
            out.append(float(part))
    return out


def check_vector(text: str, n: int, name: str) -> tuple[np.ndarray | None, str | None]:
    """Parse `text` as exactly n finite numbers within ±SAMPLE_RANGE; or say what is wrong."""
    parts = [p for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    if not parts:
        return None, f"{name} is empty: type {n} number{'s' * (n > 1)} separated by commas."
    values = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            return None, f"“{p[:20]}” in {name} is not a number."
        if not np.isfinite(v):
            return None, f"{name} must be finite numbers; “{p[:20]}” is not."
        if abs(v) > SAMPLE_RANGE:
            return None, f"{name} values must lie between −{SAMPLE_RANGE:g} and {SAMPLE_RANGE:g}; got {v:g}."
        values.append(v)
    if len(values) != n:
        return None, f"{name} needs {n} number{'s' * (n > 1)} (one per node); got {len(values)}."
    return np.array(values), None


def fit(values: list[float], n: int, fill: float = 0.5) -> list[float]:
    """`values` cut or padded with `fill` to length n, finite and within range."""
    values = [v if np.isfinite(v) and abs(v) <= SAMPLE_RANGE else fill for v in values[:n]]
    return values + [fill] * (n - len(values))


def _text(values) -> str:
    return ", ".join(f"{float(v):g}" for v in values)
