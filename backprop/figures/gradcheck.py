"""Backprop against finite differences: the parity plot, the relative error of every weight, the error
against ε, and the time of one gradient both ways."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ..gradcheck import AGREE, SUSPICIOUS, GradientCheck
from ..lesson.costs_of_gradients import GradientTiming
from . import style

# One colour per layer (Okabe–Ito, colour-blind safe, without its orange: that is the chosen weight's).
LAYER_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7f7f7f", "#000000")
FLOOR = 1e-14  # relative errors below this (exact zeros too) are drawn at this level
ANNOTATE_CELLS = 36  # print the errors in the cells of layers with at most this many weights
CELL_PX = 30
GREY = "#5f6368"

# The relative-error colour scale on log₁₀ from FLOOR to 1: greens where the two agree (below AGREE),
# ambers between, reds where it is suspicious (above SUSPICIOUS); the band edges are hard.
_LOW = np.log10(FLOOR)


def _at(e: float) -> float:
    return (np.log10(e) - _LOW) / -_LOW


ERROR_SCALE = [
    [0.0, "#0b5d1e"],
    [_at(AGREE), "#a8dba8"],
    [_at(AGREE), "#fde7a9"],
    [_at(SUSPICIOUS), "#f4a62a"],
    [_at(SUSPICIOUS), "#f28b82"],
    [1.0, "#a50e0e"],
]
AGREE_FILL, CLOSE_FILL, SUSPICIOUS_FILL = "rgba(52,168,83,0.10)", "rgba(251,188,4,0.12)", "rgba(234,67,53,0.10)"


def layer_colour(l: int) -> str:
    return LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)]


def weight_name(l: int, k: int, j: int) -> str:
    """W with lecture indices, 1-based: "W²₁,₂" as HTML."""
    return f"W<sup>{l}</sup><sub>{k + 1},{j + 1}</sub>"


def parity_plot(check: GradientCheck, selected: tuple[int, int, int] | None = None) -> go.Figure:
    """Backprop's ∂C/∂θ (x) against the central difference (y), one point per weight (circle) and bias
    (diamond), a trace per layer named "layer l"; the diagonal y = x; the chosen weight (l, k, j) ringed
    and labelled. Points on the diagonal agree."""
    trace, L = check.trace, check.L
    traces = []
    values = []
    for l in range(1, L + 1):
        n_k, n_j = trace.network.sizes[l], trace.network.sizes[l - 1]
        x = np.concatenate([trace.dC_dW(l).ravel(), trace.dC_db(l)])
        y = np.concatenate([check.numeric_dC_dW(l).ravel(), check.numeric_dC_db(l)])
        values += [x, y]
        names = [weight_name(l, k, j) for k in range(n_k) for j in range(n_j)] + [
            f"b<sup>{l}</sup><sub>{k + 1}</sub>" for k in range(n_k)
        ]
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="markers",
                name=f"layer {l}",
                customdata=names,
                marker=dict(
                    color=layer_colour(l),
                    size=9,
                    opacity=0.85,
                    line=dict(width=0.5, color="#ffffff"),
                    symbol=["circle"] * (n_k * n_j) + ["diamond"] * n_k,
                ),
                hovertemplate="%{customdata}<br>backprop %{x:.6~g}<br>finite difference %{y:.6~g}<extra></extra>",
            )
        )
    allv = np.concatenate(values)
    lo, hi = float(allv.min()), float(allv.max())
    pad = 0.08 * ((hi - lo) or max(abs(hi), 1e-12))
    lo, hi = lo - pad, hi + pad
    traces.insert(
        0,
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="diagonal (agree)",
            line=dict(color=GREY, width=1, dash="dash"),
            hoverinfo="skip",
        ),
    )
    annotations = []
    if selected is not None:
        l, k, j = selected
        a, n = float(trace.dC_dW(l)[k, j]), float(check.numeric_dC_dW(l)[k, j])
        traces.append(
            go.Scatter(
                x=[a],
                y=[n],
                mode="markers",
                name="chosen weight",
                showlegend=False,
                marker=dict(size=20, color="rgba(0,0,0,0)", line=dict(color=style.HIGHLIGHT, width=3)),
                hovertemplate=f"chosen: {weight_name(l, k, j)}<br>backprop %{{x:.6~g}}<br>"
                "finite difference %{y:.6~g}<extra></extra>",
            )
        )
        annotations.append(
            dict(
                x=a,
                y=n,
                text=f"chosen {weight_name(l, k, j)}",
                showarrow=True,
                arrowhead=0,
                ax=40,
                ay=-34,
                font=dict(color=style.HIGHLIGHT, size=14),
                bgcolor="rgba(255,255,255,0.8)",
            )
        )
    axis = dict(range=[lo, hi], zeroline=True, zerolinecolor="#dadce0", gridcolor="#f1f3f4", exponentformat="power")
    return go.Figure(
        data=traces,
        layout=dict(
            title=dict(
                text=f"Backprop against finite differences (ε = {epsilon_label(check.epsilon)})",
                x=0,
                font=dict(size=15),
                subtitle=dict(
                    text="one point per weight (●) and bias (◆); on the diagonal they agree",
                    font=dict(size=12, color=GREY),
                ),
            ),
            xaxis=dict(title="backprop ∂C/∂θ", **axis),
            yaxis=dict(title="finite difference", scaleanchor="x", **axis),
            annotations=annotations,
            height=460,
            margin=dict(l=10, r=10, t=70, b=10),
            font=style.FONT,
            plot_bgcolor="#ffffff",
            legend=dict(orientation="h", y=-0.18),
            dragmode="zoom",
        ),
    )


def error_heatmap(check: GradientCheck, l: int, selected: tuple[int, int, int] | None = None) -> go.Figure:
    """The element-wise relative error of layer l: Wˡ as rows k by columns j (trace "relative_error_W{l}"),
    bˡ in a strip on the right (trace "relative_error_b{l}"). Colour is log₁₀ of the error on ERROR_SCALE;
    the errors themselves travel as customdata, for the hover and the cell text."""
    sizes = check.trace.network.sizes
    n_k, n_j = sizes[l], sizes[l - 1]
    err_W, err_b = check.relative_error_W(l), check.relative_error_b(l)
    x_cat, y_cat = [str(j + 1) for j in range(n_j)], [str(k + 1) for k in range(n_k)]
    annotate = n_k * n_j <= ANNOTATE_CELLS

    def cells(errors):
        return [[_sci(e) for e in row] for row in errors] if annotate else None

    common = dict(
        zmin=_LOW,
        zmax=0.0,
        colorscale=ERROR_SCALE,
        ygap=2,
        textfont=dict(size=11),
        texttemplate="%{text}" if annotate else None,
        showscale=False,
    )
    traces = [
        go.Heatmap(
            z=_log(err_W),
            customdata=err_W,
            x=x_cat,
            y=y_cat,
            xgap=2,
            text=cells(err_W),
            name=f"relative_error_W{l}",
            hovertemplate=f"W<sup>{l}</sup><sub>%{{y}},%{{x}}</sub>: relative error %{{customdata:.2e}}<extra></extra>",
            **common,
        ),
        go.Heatmap(
            z=_log(err_b)[:, None],
            customdata=err_b[:, None],
            x=["b"],
            y=y_cat,
            xaxis="x2",
            yaxis="y",
            text=cells(err_b[:, None]),
            name=f"relative_error_b{l}",
            hovertemplate=f"b<sup>{l}</sup><sub>%{{y}}</sub>: relative error %{{customdata:.2e}}<extra></extra>",
            **common,
        ),
    ]
    shapes = []
    if selected is not None and selected[0] == l:
        _, k, j = selected
        shapes.append(style.cell_box(k, j, color=style.HIGHLIGHT, width=4))
    # The bias strip keeps the width of one column of cells (at most a fifth of the figure).
    split = 1.0 - min(0.2, 1.0 / (n_j + 1.5))
    tick = dict(showgrid=False, zeroline=False, type="category")
    return go.Figure(
        data=traces,
        layout=dict(
            title=dict(
                text=f"Layer {l}: ∂C/∂W<sup>{l}</sup> and ∂C/∂b<sup>{l}</sup>",
                x=0,
                font=dict(size=14),
                subtitle=dict(
                    text=f"relative error of the layer {_sci(check.relative_error(l))}", font=dict(size=12, color=GREY)
                ),
            ),
            shapes=shapes,
            height=CELL_PX * n_k + 130,
            margin=dict(l=10, r=10, t=56, b=40),
            font=style.FONT,
            plot_bgcolor="#ffffff",
            dragmode=False,
            xaxis=dict(
                domain=[0.0, split - 0.03],
                title=dict(text=f"rows k: layer {l} · columns j: layer {l - 1}", font=dict(size=12)),
                **tick,
            ),
            yaxis=dict(autorange="reversed", automargin=True, **tick),
            xaxis2=dict(domain=[split, 1.0], anchor="y", **tick),
        ),
    )


def epsilon_sweep(checks: Mapping[float, GradientCheck], chosen: float | None = None) -> go.Figure:
    """Each layer's relative error against ε, log-log, over the checks of one network at several ε (a trace
    per layer named "layer l"), on bands: agree (below AGREE), close, suspicious (above SUSPICIOUS). Too large
    an ε leaves truncation error (∝ ε²), too small one round-off (∝ 1/ε)."""
    eps = sorted(checks)
    L = checks[eps[0]].L
    traces = [
        go.Scatter(
            x=eps,
            y=[max(checks[e].relative_error(l), FLOOR) for e in eps],
            mode="lines+markers",
            name=f"layer {l}",
            line=dict(color=layer_colour(l), width=2),
            hovertemplate=f"layer {l}, ε = %{{x:.0e}}: %{{y:.2e}}<extra></extra>",
        )
        for l in range(1, L + 1)
    ]
    shapes = [
        dict(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=y0, y1=y1, fillcolor=fill, line_width=0, layer="below")
        for y0, y1, fill in (
            (FLOOR, AGREE, AGREE_FILL),
            (AGREE, SUSPICIOUS, CLOSE_FILL),
            (SUSPICIOUS, 1.0, SUSPICIOUS_FILL),
        )
    ]
    if chosen is not None:
        shapes.append(
            dict(
                type="line",
                xref="x",
                x0=chosen,
                x1=chosen,
                yref="paper",
                y0=0,
                y1=1,
                line=dict(color=style.HIGHLIGHT, width=2, dash="dot"),
            )
        )
    notes = [
        dict(
            xref="paper",
            yref="paper",
            x=x,
            y=1.0,
            yanchor="bottom",
            xanchor=side,
            showarrow=False,
            text=text,
            font=dict(size=12, color=GREY),
        )
        for x, side, text in ((0, "left", "← round-off (ε too small)"), (1, "right", "truncation (ε too large) →"))
    ]
    notes += [
        dict(
            xref="paper",
            yref="y",
            x=1,
            y=np.log10(y),
            xanchor="right",
            yanchor="middle",
            showarrow=False,
            text=text,
            font=dict(size=11, color=GREY),
        )
        for y, text in ((1e-10, "agree"), (np.sqrt(AGREE * SUSPICIOUS), "close"), (1e-2, "suspicious"))
    ]
    return go.Figure(
        data=traces,
        layout=dict(
            title=dict(
                text="Relative error per layer against ε",
                x=0,
                font=dict(size=15),
                pad=dict(b=18),
                subtitle=dict(text="the orange line is the ε you chose", font=dict(size=12, color=GREY)),
            ),
            xaxis=dict(type="log", title="ε", exponentformat="power", dtick=1, gridcolor="#f1f3f4"),
            yaxis=dict(
                type="log",
                title="relative error",
                exponentformat="power",
                range=[np.log10(FLOOR), 0],
                dtick=2,
                gridcolor="#f1f3f4",
            ),
            shapes=shapes,
            annotations=notes,
            height=460,
            margin=dict(l=10, r=10, t=90, b=10),
            font=style.FONT,
            plot_bgcolor="#ffffff",
            legend=dict(orientation="h", y=-0.18),
        ),
    )


def gradient_costs(timings: Sequence[GradientTiming], your_P: int | None = None) -> go.Figure:
    """Milliseconds for one gradient against P, log-log: backprop ("backprop") and central differences
    ("finite differences"), each point of the latter labelled with the ratio; a vertical line at `your_P`."""
    P = [t.P for t in timings]
    sizes = ["-".join(map(str, t.sizes)) for t in timings]
    traces = [
        go.Scatter(
            x=P,
            y=[1e3 * t.backprop_seconds for t in timings],
            name="backprop: 1 forward + 1 backward pass",
            mode="lines+markers",
            line=dict(color="#0072B2", width=3),
            customdata=sizes,
            hovertemplate="%{customdata}, P = %{x}: %{y:.3~g} ms<extra>backprop</extra>",
        ),
        go.Scatter(
            x=P,
            y=[1e3 * t.numeric_seconds for t in timings],
            name="finite differences: 2P forward passes",
            mode="lines+markers+text",
            line=dict(color="#D55E00", width=3),
            text=[f"×{t.ratio:.0f}" for t in timings],
            textposition="top left",
            textfont=dict(color="#D55E00", size=13),
            customdata=[[s, t.cost_evaluations] for s, t in zip(sizes, timings, strict=True)],
            hovertemplate="%{customdata[0]}, P = %{x}: %{y:.3~g} ms for %{customdata[1]} cost evaluations"
            "<extra>finite differences</extra>",
        ),
    ]
    shapes, notes = [], []
    if your_P is not None:
        shapes.append(
            dict(
                type="line",
                xref="x",
                x0=your_P,
                x1=your_P,
                yref="paper",
                y0=0,
                y1=1,
                line=dict(color=style.HIGHLIGHT, width=2, dash="dot"),
            )
        )
        notes.append(
            dict(
                xref="x",
                yref="paper",
                x=np.log10(your_P),
                y=1,
                yanchor="bottom",
                showarrow=False,
                text=f"your network: P = {your_P}",
                font=dict(color=style.HIGHLIGHT, size=12),
            )
        )
    return go.Figure(
        data=traces,
        layout=dict(
            title=dict(
                text="Time for one gradient, measured on this server",
                x=0,
                font=dict(size=15),
                pad=dict(b=18),
                subtitle=dict(
                    text="networks 2-w-w-1; ×n: how many times longer finite differences took",
                    font=dict(size=12, color=GREY),
                ),
            ),
            xaxis=dict(
                type="log",
                title="P, the number of weights and biases",
                dtick=1,
                exponentformat="power",
                gridcolor="#f1f3f4",
            ),
            yaxis=dict(type="log", title="milliseconds", dtick=1, exponentformat="power", gridcolor="#f1f3f4"),
            shapes=shapes,
            annotations=notes,
            height=440,
            margin=dict(l=10, r=10, t=90, b=10),
            font=style.FONT,
            plot_bgcolor="#ffffff",
            legend=dict(orientation="h", y=-0.2),
        ),
    )


def epsilon_label(e: float) -> str:
    """1e-6 for 10⁻⁶; other values in short scientific notation."""
    p = np.log10(e)
    return f"1e{int(round(p))}" if abs(p - round(p)) < 1e-9 else f"{e:.2g}"


def _log(errors: np.ndarray) -> np.ndarray:
    return np.log10(np.maximum(errors, FLOOR))


def _sci(e: float) -> str:
    return "0" if e == 0 else f"{e:.0e}".replace("e-0", "e-")
