"""The matrix-form page's pieces: the choice of layer l and entry (k, j), and the two forms side by side.

Widget values live in st.session_state under keys starting "matrix_". They start at the weight chosen on the
step-through page, follow it when it is chosen anew there, and can be changed here.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from backprop.figures import alt
from backprop.figures.gradients import layer_gradient
from backprop.figures.matrix import side_by_side
from backprop.lesson import equations as eq
from backprop.lesson.matrix_form import entry, layer_matrices
from backprop.lesson.progress import Lesson
from backprop.lesson.timeline import n_steps, step
from backprop.passes import Trace
from backprop.ui import a11y, presenter
from backprop.ui.settings import shared_selection

KEYS = ("matrix_l", "matrix_k", "matrix_j")
SEEN = "matrix_seen"  # the shared selection these widgets last took over


def _sync(lesson: Lesson) -> None:
    """Take over the step-through page's weight when it changed since last seen (or on the first visit), and
    bring l, k, j back into range when the network changed size. Runs before the widgets are drawn."""
    s = st.session_state
    shared = shared_selection(lesson)
    if s.get(SEEN) != shared or any(key not in s for key in KEYS):
        s["matrix_l"], s["matrix_k"], s["matrix_j"] = shared
        s[SEEN] = shared
    sizes = lesson.network.sizes
    s["matrix_l"] = min(max(int(s["matrix_l"]), 1), lesson.network.L)
    l = s["matrix_l"]
    s["matrix_k"] = min(int(s["matrix_k"]), sizes[l] - 1)
    s["matrix_j"] = min(int(s["matrix_j"]), sizes[l - 1] - 1)


def choose(lesson: Lesson) -> tuple[int, int, int]:
    """The layer l (1..L) and the entry (k, j), 0-based, chosen on this page."""
    _sync(lesson)
    net = lesson.network
    c1, c2, c3 = st.columns(3)
    l = c1.selectbox(
        "Layer l", range(1, net.L + 1), key="matrix_l", format_func=lambda v: f"{v} (output)" if v == net.L else str(v)
    )
    k = c2.selectbox(f"Row k: node of layer {l}", range(net.sizes[l]), key="matrix_k", format_func=lambda v: str(v + 1))
    j = c3.selectbox(
        f"Column j: node of layer {l - 1}", range(net.sizes[l - 1]), key="matrix_j", format_func=lambda v: str(v + 1)
    )
    return int(l), int(k), int(j)


def network_caption(lesson: Lesson) -> None:
    net = lesson.network
    st.caption(
        f"The network of the **Step through** page: {'-'.join(map(str, net.sizes))}, {net.activation} "
        f"(output {net.output_activation}), {lesson.cost.replace('_', '-')} cost, iteration "
        f"{lesson.iteration}. Every number is from its backward pass. The boxed entry of each matrix is the "
        "number the index form on the right sums up; the orange row and column are what make it."
    )


def _small(*shapes: tuple[int, ...]) -> bool:
    return all(n <= eq.SMALL for shape in shapes for n in shape)


def matrix_column(trace: Trace, l: int, k: int, j: int) -> None:
    """Layer l's equations in matrix form: written out when small, as heatmaps when not."""
    m = layer_matrices(trace, l)
    n_l, n_prev = m.dC_dW.shape
    if m.is_output:
        if _small((n_l,)):
            st.latex(eq.matrix_bp1(m, k, trace.cost_name))
        else:
            st.latex(r"\delta^L = \nabla_a C \odot \sigma'(z^L) \qquad \text{(BP1)}")
            beyond = ~np.isfinite(m.dC_da)  # ∂C/∂aᴸ beyond the largest float: a blank cell, and a line why
            if beyond.any():
                st.caption(
                    f"{int(beyond.sum())} entries of ∇ₐC are beyond the largest float (a saturated output "
                    "under cross-entropy) and are left blank; δᴸ = aᴸ − y, where a(1 − a) cancels σ′(zᴸ)."
                )
            _heatmaps(
                [
                    (np.where(beyond, np.nan, m.dC_da), "∇<sub>a</sub>C", None, None),
                    (m.sigma_prime, f"σ′(z<sup>{l}</sup>)", None, k),
                    (m.delta, f"δ<sup>{l}</sup>", (k, 0), None),
                ],
                "matrix_bp1",
                "(BP1) at the output layer",
            )
    elif m.W_next is not None and _small(m.W_next.shape):  # not the output: Wˡ⁺¹ is set
        st.latex(eq.matrix_bp2(m, k))
    else:
        st.latex(
            rf"\delta^{{{l}}} = \left((W^{{{l + 1}}})^T \delta^{{{l + 1}}}\right) \odot \sigma'(z^{{{l}}})"
            r"\qquad \text{(BP2)}"
        )
        assert m.W_next is not None  # not the output: Wˡ⁺¹ is set
        _heatmaps(
            [
                (m.W_next.T, f"(W<sup>{l + 1}</sup>)<sup>T</sup>", None, k),
                (m.delta_next, f"δ<sup>{l + 1}</sup>", None, None),
                (m.dC_da, f"(W<sup>{l + 1}</sup>)<sup>T</sup> δ<sup>{l + 1}</sup>", (k, 0), None),
            ],
            "matrix_bp2",
            f"(BP2) at layer {l}",
        )
    if _small((n_l,)):
        st.latex(eq.matrix_bp3(m, k))
    else:
        st.latex(rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = \delta^{{{l}}} \qquad \text{{(BP3)}}")
    if _small(m.dC_dW.shape):
        st.latex(eq.matrix_bp4(m, k, j))
    else:
        st.latex(rf"\frac{{\partial C}}{{\partial W^{{{l}}}}} = \delta^{{{l}}} (a^{{{l - 1}}})^T \qquad \text{{(BP4)}}")
        done = step(trace.L, n_steps(trace.L) - 1)  # the whole backward pass is done
        fig = layer_gradient(trace, l, done, (l, k, j), projector=presenter.on())
        a11y.chart(fig, alt.layer_gradient(trace, l, done), key="matrix_bp4")


def _heatmaps(parts, key: str, what: str) -> None:
    """Heatmaps side by side in one chart: (values, title, boxed cell, outlined row) each; `what` names the
    equation for a screen reader."""
    a11y.chart(
        side_by_side(parts, projector=presenter.on()), alt.matrices([(t, v) for v, t, *_ in parts], what), key=key
    )


def index_column(trace: Trace, l: int, k: int, j: int) -> None:
    """The chosen entries in index form, each equal to the boxed entry of the matrix form."""
    m, e = layer_matrices(trace, l), entry(trace, l, k, j)
    if e.is_output:
        st.latex(eq.entry_bp1(e, m.delta[k], trace.cost_name))
    else:
        st.latex(eq.entry_bp2(e, m.dC_da[k]))
    st.latex(eq.entry_bp4(e, m.dC_dW[k, j]))
    name = (
        f"δᴸ{_sub(k + 1)}"
        if e.is_output
        else f"∂C/∂a{_sup(l)}{_sub(k + 1)} = Σₘ W{_sup(l + 1)}ₘ{_sub(k + 1)} δ{_sup(l + 1)}ₘ"
    )
    by_index, by_matrix = (e.delta, m.delta[k]) if e.is_output else (e.dC_da, m.dC_da[k])
    st.success(
        f"Both forms give the same numbers: {name} is {by_index:.6g} by index and {by_matrix:.6g} by "
        f"matrix; ∂C/∂W{_sup(l)}{_sub(k + 1)},{_sub(j + 1)} is {e.dC_dW:.6g} by index and "
        f"{m.dC_dW[k, j]:.6g} by matrix.",
        icon=":material/check_circle:",
    )


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
