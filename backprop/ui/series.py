"""The "two nodes in series" page's widgets: x → (w¹, b¹) → a¹ → (w², b²) → a² → C(a², y).

Every number is a slider; the network is a 1-1-1 `bp.Network` and everything shown comes from one
`bp.backward` trace of it. Widget values live in st.session_state under the keys below (prefixed
"series_", so they never meet the step-through page's). A choice the core refuses (cross-entropy with an
output that is not a sigmoid) is named at its field and the previous valid choice stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import backprop as bp
from backprop.figures import alt
from backprop.figures.series import cost_curve, parameter_value
from backprop.lesson import equations as eq
from backprop.ui import a11y, url_codec
from backprop.ui.presenter import PERSIST  # a Final literal: Streamlit's persist_state takes only its Literal

# key: (label, low, high, default). The ranges keep every activation and cost finite, and y in [0, 1]
# suits each output activation the cross-entropy cost allows.
NUMBERS = {
    "series_x": ("Input x", -2.0, 2.0, 1.0),
    "series_w1": ("Weight w¹", -4.0, 4.0, 0.8),
    "series_b1": ("Bias b¹", -4.0, 4.0, 0.2),
    "series_w2": ("Weight w²", -4.0, 4.0, -1.2),
    "series_b2": ("Bias b²", -4.0, 4.0, 0.3),
    "series_y": ("Target y", 0.0, 1.0, 1.0),
}
ACTIVATION_LABELS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "linear": "linear",
}
COST_LABELS = {"quadratic": "quadratic ½(a² − y)²", "cross_entropy": "cross-entropy"}
CHOICES = {"series_act1": "sigmoid", "series_act2": "sigmoid", "series_cost": "quadratic"}
# The parameter the plot varies: slider key, core name ("W" or "b") and layer, label.
PARAMETERS = {
    "w1": ("series_w1", "W", 1, "w¹"),
    "b1": ("series_b1", "b", 1, "b¹"),
    "w2": ("series_w2", "W", 2, "w²"),
    "b2": ("series_b2", "b", 2, "b²"),
}
# The page's link: query key → widget key. Every number, both activations, the cost, the plotted parameter
# and η; decoded by LINK_FIELDS, parsers with the widgets' own ranges.
LINK_KEYS = {
    "x": "series_x",
    "w1": "series_w1",
    "b1": "series_b1",
    "w2": "series_w2",
    "b2": "series_b2",
    "y": "series_y",
    "act1": "series_act1",
    "act2": "series_act2",
    "cost": "series_cost",
    "plot": "series_param",
    "lr": "series_eta",
}
LINK_FIELDS = {
    **{q: url_codec.number(NUMBERS[w][1], NUMBERS[w][2]) for q, w in LINK_KEYS.items() if w in NUMBERS},
    "act1": url_codec.choice(ACTIVATION_LABELS),
    "act2": url_codec.choice(ACTIVATION_LABELS),
    "cost": url_codec.choice(COST_LABELS),
    "plot": url_codec.choice(PARAMETERS),
    "lr": url_codec.number(0.0, 10.0),
    "present": url_codec.FIELDS["present"],
}
VALID = "series_valid"  # the last choices the core accepted
MESSAGE = "series_message"  # (field key, text): why a choice was refused
STEP = "series_step"  # what the last gradient-descent step did, for its equation


@dataclass(frozen=True, slots=True)
class Numbers:
    """Everything the 1-1-1 network and its sample are built from."""

    x: float
    w1: float
    b1: float
    w2: float
    b2: float
    y: float
    act1: str  # σ of node 1
    act2: str  # σ of node 2, the output
    cost: str

    @classmethod
    def from_values(cls, numbers: Iterable[float], choices: Iterable[str]) -> Numbers:
        """From the numbers in NUMBERS' order and the choices in CHOICES' order."""
        x, w1, b1, w2, b2, y = numbers
        act1, act2, cost = choices
        return cls(x, w1, b1, w2, b2, y, act1, act2, cost)

    def trace(self) -> bp.Trace:
        """The core's forward and backward pass; a ValueError if the core refuses the combination."""
        net = bp.Network.from_arrays([[[self.w1]], [[self.w2]]], [[self.b1], [self.b2]], self.act1, self.act2)
        return bp.backward(net, [self.x], [self.y], self.cost)


def _from_state() -> Numbers:
    s = st.session_state
    return Numbers.from_values(
        (float(s.get(key, spec[3])) for key, spec in NUMBERS.items()),
        (s.get(key, default) for key, default in CHOICES.items()),
    )


def _defaults() -> None:
    s = st.session_state
    for key, spec in NUMBERS.items():
        s.setdefault(key, spec[3])
    for key, default in CHOICES.items():
        s.setdefault(key, default)
    s.setdefault("series_param", "w2")
    s.setdefault("series_eta", 0.5)
    s.setdefault(VALID, dict(CHOICES))


def apply_link(values: dict) -> list[str]:
    """Set the widgets from a link's decoded values (before they are drawn); what could not be used."""
    s = st.session_state
    for q, key in LINK_KEYS.items():
        if q in values:
            s[key] = values[q]
    _defaults()
    try:
        _from_state().trace()
    except ValueError as err:  # say, cross-entropy with a ReLU output: the default choices instead
        for key, default in CHOICES.items():
            s[key] = default
        return [f"“act2” and “cost” can't be used together ({err})"]
    s[VALID] = {k: s[k] for k in CHOICES}
    return []


def link_values() -> dict:
    """This page's state, for its link (the inverse of apply_link)."""
    s = st.session_state
    return {q: s[key] for q, key in LINK_KEYS.items() if key in s}


def _keep_valid(key: str) -> None:
    """A choice changed (callback): keep it if the core accepts the network, else restore the previous one
    and say why at the field."""
    s = st.session_state
    try:
        _from_state().trace()
    except ValueError as err:
        previous = s[VALID].get(key, CHOICES[key])
        s[MESSAGE] = (key, _refusal(key, s[key], previous, err))
        s[key] = previous
        return
    s[VALID] = {k: s[k] for k in CHOICES}
    s.pop(MESSAGE, None)


def _refusal(key: str, chosen: str, previous: str, err: ValueError) -> str:
    s = st.session_state
    if key == "series_cost" and chosen == "cross_entropy":
        return (
            f"Cross-entropy needs a sigmoid output: it takes ln a² and ln(1 − a²), so a² must lie in "
            f"(0, 1), and a {ACTIVATION_LABELS[s['series_act2']]} output does not keep it there. Choose "
            f"sigmoid for node 2 first. The cost stays {COST_LABELS[previous]}."
        )
    if key == "series_act2" and s.get("series_cost") == "cross_entropy":
        return (
            f"A {ACTIVATION_LABELS[chosen]} output can't be used with the cross-entropy cost, which needs "
            f"a² in (0, 1) (a sigmoid). Choose the quadratic cost first. Node 2 stays "
            f"{ACTIVATION_LABELS[previous]}."
        )
    return f"This choice can't be used: {err}. The previous choice stays."


def _field_message(col, key: str) -> None:
    message = st.session_state.get(MESSAGE)
    if message and message[0] == key:
        col.error(message[1], icon=":material/block:")


def controls() -> Numbers:
    """The six number sliders and the three choices; returns what they are set to."""
    _defaults()
    cols = st.columns(len(NUMBERS))
    for col, (key, (label, low, high, _)) in zip(cols, NUMBERS.items(), strict=True):
        col.slider(label, low, high, step=0.01, format="%.3f", key=key, persist_state=PERSIST)
    choice_cols = st.columns(3)
    acts = list(ACTIVATION_LABELS)
    labels = ("Node 1: σ of a¹", "Node 2 (output): σ of a²")
    for col, key, label in zip(choice_cols[:2], ("series_act1", "series_act2"), labels, strict=True):
        col.selectbox(
            label,
            acts,
            key=key,
            format_func=ACTIVATION_LABELS.__getitem__,
            on_change=_keep_valid,
            args=(key,),
            persist_state=PERSIST,
        )
    choice_cols[2].selectbox(
        "Cost",
        list(COST_LABELS),
        key="series_cost",
        format_func=COST_LABELS.__getitem__,
        on_change=_keep_valid,
        args=("series_cost",),
        persist_state=PERSIST,
    )
    for col, key in zip(choice_cols, CHOICES, strict=True):
        _field_message(col, key)
    st.session_state.pop(MESSAGE, None)  # said once, at its field; the next change clears it
    return _from_state()


def current_trace(numbers: Numbers) -> bp.Trace:
    """The trace of the chosen numbers. The choices are checked as they change, so the core should accept
    them; if it does not (a stale session), the defaults are shown with a message rather than a traceback."""
    try:
        trace = numbers.trace()
    except ValueError as err:
        st.error(f"These numbers can't be used: {err}. Showing the default example.")
        return Numbers.from_values((spec[3] for spec in NUMBERS.values()), CHOICES.values()).trace()
    st.session_state[VALID] = {"series_act1": numbers.act1, "series_act2": numbers.act2, "series_cost": numbers.cost}
    return trace


def equations(trace: bp.Trace) -> None:
    """Forward, cost, the two deltas and the four gradients, each with the trace's numbers."""
    st.subheader("Forward")
    for l in (1, 2):
        st.latex(eq.series_input_sum(bp.input_sum(trace, l, 0)))
    st.latex(eq.series_cost(trace.cost_name, 2, trace.z(2)[0], trace.a(2)[0], trace.y[0], trace.cost))
    st.subheader("Backward")
    st.latex(eq.series_delta_output(bp.delta_chain(trace, 2, 0), trace.cost_name))
    st.latex(eq.series_delta_hidden(bp.delta_chain(trace, 1, 0)))
    st.caption(
        "δ¹ is δ² sent back through w² and scaled by σ′(z¹): with more nodes per layer, w² δ² becomes "
        "the sum Σₘ W²ₘₖ δ²ₘ of (BP2) on the Step-through page."
    )
    for l in (2, 1):
        st.latex(eq.series_weight(bp.weight_chain(trace, l, 0, 0)))
        st.latex(eq.series_bias(l, trace.dC_db(l)[0]))


def _descend(choice: str, learning_rate: float) -> None:
    """One gradient-descent step on the plotted parameter alone (callback: sets its slider before it is
    drawn). The new value is the core's update; the other parameters keep their values, so the point
    moves along the plotted curve."""
    s = st.session_state
    key, param, l, name = PARAMETERS[choice]
    try:
        trace = _from_state().trace()
        new = bp.gradient_descent_step(trace.network, trace, learning_rate)
    except ValueError as err:
        s[STEP] = {"error": f"This step can't be taken: {err}."}
        return
    old, gradient = parameter_value(trace, param, l)
    value = float(new.W(l)[0, 0] if param == "W" else new.b(l)[0])
    _, low, high, _ = NUMBERS[key]
    clipped = float(np.clip(value, low, high))
    s[key] = clipped
    s[STEP] = {
        "choice": choice,
        "old": old,
        "gradient": gradient,
        "eta": learning_rate,
        "new": value,
        "shown": clipped,
        "cost_before": trace.cost,
    }


def cost_plot(trace: bp.Trace) -> None:
    """The cost against the chosen parameter, the learning rate and the gradient-descent step button."""
    choice = st.radio(
        "Plot the cost against",
        list(PARAMETERS),
        key="series_param",
        horizontal=True,
        format_func=lambda c: PARAMETERS[c][3],
        persist_state=PERSIST,
    )
    key, param, l, name = PARAMETERS[choice]
    c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
    eta = c1.number_input(
        "Learning rate η", 0.0, 10.0, step=0.1, format="%.3f", key="series_eta", persist_state=PERSIST
    )
    c2.button(
        "Gradient-descent step",
        icon=":material/south_east:",
        key="series_descend",
        type="primary",
        on_click=_descend,
        args=(choice, eta),
        width="stretch",
        help=f"{name} ← {name} − η ∂C/∂{name}; the other numbers stay, so the point moves along the curve",
    )
    _, low, high, _ = NUMBERS[key]
    fig = cost_curve(trace, param, l, learning_rate=eta, window=(low, high))
    a11y.chart(fig, alt.cost_curve(trace, param, l, 0, 0, fig), key="series_curve")
    st.caption(
        f"Orange: where the cost is now and its tangent, whose slope is backprop's ∂C/∂{name}. "
        f"Hollow: where one step of size η would land."
    )
    _last_step(trace, choice)


def _last_step(trace: bp.Trace, choice: str) -> None:
    """The equation of the last step, while its parameter still has the value the step gave it."""
    step = st.session_state.get(STEP)
    if not step:
        return
    if "error" in step:
        st.error(step["error"])
        st.session_state.pop(STEP)
        return
    key, param, l, name = PARAMETERS[step["choice"]]
    if step["choice"] != choice or parameter_value(trace, param, l)[0] != step["shown"]:
        return  # something moved since: the step's numbers no longer describe the page
    tex = rf"{name[0]}^{{{l}}}"
    st.latex(eq.series_update(tex, step["old"], step["eta"], step["gradient"], step["new"]))
    st.latex(
        rf"C_{{\text{{before}}}} = {eq.cost_num(step['cost_before'])} \qquad "
        rf"C_{{\text{{after}}}} = {eq.cost_num(trace.cost)}"
    )
    if step["shown"] != step["new"]:
        _, low, high, _ = NUMBERS[key]
        st.warning(f"The step left the slider's range [{low:g}, {high:g}]: {name} stops at {step['shown']:g}.")
