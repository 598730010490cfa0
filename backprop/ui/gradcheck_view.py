"""The gradient-check page's pieces: the ε slider, the checks of the session's network (cached), the
verdict table, the per-layer heatmaps and the timing of backprop against finite differences (cached)."""

from __future__ import annotations

import streamlit as st

import backprop as bp
from backprop.figures import alt
from backprop.figures import gradcheck as figs
from backprop.gradcheck import AGREE, EPSILONS, SUSPICIOUS, GradientCheck
from backprop.lesson.costs_of_gradients import GradientTiming, time_gradients
from backprop.lesson.progress import Lesson
from backprop.ui import a11y

DEFAULT_EPSILON = 1e-6
COLUMNS = 3  # error heatmaps per row


def epsilon_slider() -> float:
    """The step ε of the central differences, one of EPSILONS (a link sets it through url_state)."""
    st.session_state.setdefault("epsilon", DEFAULT_EPSILON)
    return st.select_slider(
        "Step ε of the finite differences",
        EPSILONS,
        key="epsilon",
        format_func=figs.epsilon_label,
        persist_state="session",
        help="Too large: the difference quotient's truncation error (∝ ε²). Too small: "
        "round-off, as C(θ + ε) − C(θ − ε) cancels to a few digits (∝ 1/ε).",
    )


def checks_for(lesson: Lesson) -> dict[float, GradientCheck]:
    """bp.gradient_check of the lesson's current network on its sample at every ε of EPSILONS.

    Kept in the session while the network, the sample and the cost stay, so moving the ε slider computes
    nothing. (Not st.cache_data: a network's activations do not all pickle.) The memo holds the objects it was
    built from, so an identity check cannot be fooled by a reused id.
    """
    source = (lesson.network, lesson.x, lesson.y, lesson.cost)
    memo = st.session_state.get("_gradient_checks")
    if memo is None or any(a is not b for a, b in zip(memo[0], source, strict=True)):
        checks = {e: bp.gradient_check(lesson.network, lesson.x, lesson.y, lesson.cost, e) for e in EPSILONS}
        memo = st.session_state["_gradient_checks"] = (source, checks)
    return memo[1]


def network_caption(lesson: Lesson, selected: tuple[int, int, int]) -> None:
    net = lesson.network
    l, k, j = selected
    st.caption(
        f"The network of the **Step through** page: {'-'.join(map(str, net.sizes))}, {net.activation} "
        f"(output {net.output_activation}), {lesson.cost.replace('_', '-')} cost, iteration "
        f"{lesson.iteration}, sample x = ({', '.join(f'{v:g}' for v in lesson.x)}), y = "
        f"({', '.join(f'{v:g}' for v in lesson.y)}); P = {net.n_parameters} weights and biases. "
        f"The chosen weight, W{_sup(l)}{_sub(k + 1)},{_sub(j + 1)}, is ringed in orange: choose "
        "another there."
    )


def verdict(check: GradientCheck) -> None:
    """The verdict of every layer at the check's ε: a banner and a table."""
    verdicts = check.verdicts(SUSPICIOUS)
    failed = [v.l for v in verdicts if not v.passed]
    if failed:
        st.error(
            f"Layer{'s' * (len(failed) > 1)} {', '.join(map(str, failed))}: relative error above "
            f"{SUSPICIOUS:.0e} at ε = {figs.epsilon_label(check.epsilon)}. With a correct backprop that "
            "means ε is too large or too small; try 1e-6.",
            icon=":material/error:",
        )
    else:
        st.success(
            f"Every layer passes at ε = {figs.epsilon_label(check.epsilon)}: relative error below {SUSPICIOUS:.0e}.",
            icon=":material/check_circle:",
        )
    st.dataframe(
        [
            {
                "layer": v.l,
                "weights and biases": v.n_parameters,
                "relative error": f"{v.relative_error:.2e}",
                "worst element": f"{v.worst:.2e}",
                "reading": v.reading,
                "verdict": "pass" if v.passed else "fail",
            }
            for v in verdicts
        ],
        hide_index=True,
        width="stretch",
        key="verdicts",
    )


def error_heatmaps(check: GradientCheck, selected: tuple[int, int, int]) -> None:
    """One relative-error heatmap per layer, COLUMNS to a row, with the reading guide above them."""
    st.markdown(
        f"Each cell: |backprop − numeric| / (|backprop| + |numeric|) for one weight (the column **b**: "
        f"the biases), coloured on a log scale. :green-background[below ~{AGREE:.0e}: they agree] · "
        f":orange-background[between: close] · :red-background[above ~{SUSPICIOUS:.0e}: suspicious]"
    )
    st.caption(
        "A lone amber or red cell where the gradient itself is nearly zero is round-off; the layer's "
        "error, in the table above, decides."
    )
    L = check.L
    for start in range(1, L + 1, COLUMNS):
        # strict=False: the last row may hold fewer layers than it has columns
        for col, l in zip(st.columns(COLUMNS), range(start, min(start + COLUMNS, L + 1)), strict=False):
            a11y.chart(figs.error_heatmap(check, l, selected), alt.error_cells(check, l), key=f"relerr_{l}", where=col)


@st.cache_data(show_spinner="Timing backprop against finite differences …")
def timings() -> tuple[GradientTiming, ...]:
    """time_gradients on the default widths, measured once per server: it depends on no user setting."""
    return time_gradients()


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
