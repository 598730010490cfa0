"""The network diagram: nodes by layer, coloured by aˡ going forward and by δˡ going back; edges by weight,
and by ∂C/∂W once that layer's gradient is revealed. What is not yet computed is drawn empty."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..passes import Trace
from ..timeline import Step
from . import style

EDGE_BINS = 9          # edges are drawn as one line trace per colour bin, not one trace per edge
LABEL_NODES = 8        # print values inside the nodes of layers with at most this many nodes


def node_xy(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """y positions of the nodes of each layer, centred, node 1 at the top; layer l sits at x = l."""
    return [(n - 1) / 2 - np.arange(n) for n in sizes]


def network_diagram(trace: Trace, moment: Step, selected: tuple[int, int, int] | None = None) -> go.Figure:
    """The diagram of `trace`'s network at `moment`; `selected` = (l, k, j) highlights a weight and the
    path its gradient depends on: node j of layer l−1, node k of layer l and, below the output, column k
    of Wˡ⁺¹ with the nodes of δˡ⁺¹."""
    net, L = trace.network, trace.L
    sizes = net.sizes
    ys = node_xy(sizes)
    fig = go.Figure()

    # Edges: weights, or gradients where revealed. Colour limits are shared by all layers so that
    # shrinking gradients in a deep network show as fading colour.
    w_lim = style.limit(*[net.W(l) for l in range(1, L + 1)])
    g_lim = style.limit(*[trace.dC_dW(l) for l in range(1, L + 1) if moment.shows_backward(l)])
    segments: dict[int, list] = {}
    for l in range(1, L + 1):
        values, lim = (trace.dC_dW(l), g_lim) if moment.shows_backward(l) else (net.W(l), w_lim)
        bins = np.clip(np.rint((values / lim + 1) / 2 * (EDGE_BINS - 1)), 0, EDGE_BINS - 1).astype(int)
        for k in range(sizes[l]):
            for j in range(sizes[l - 1]):
                seg = segments.setdefault(bins[k, j], [[], []])
                seg[0] += [l - 1, l, None]
                seg[1] += [ys[l - 1][j], ys[l][k], None]
    centres = (np.arange(EDGE_BINS) / (EDGE_BINS - 1)) * 2 - 1
    colours = style.diverging(centres, 1.0)
    for b, (xs, yv) in sorted(segments.items()):
        fig.add_trace(go.Scatter(x=xs, y=yv, mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color=colours[b], width=0.8 + 4.5 * abs(centres[b]))))

    # Edge hover: one invisible point at the middle of each edge.
    mx, my, mtext = [], [], []
    for l in range(1, L + 1):
        for k in range(sizes[l]):
            for j in range(sizes[l - 1]):
                mx.append(l - 0.5)
                my.append((ys[l - 1][j] + ys[l][k]) / 2)
                text = f"W<sup>{l}</sup><sub>{k + 1},{j + 1}</sub> = {net.W(l)[k, j]:.4g}"
                if moment.shows_backward(l):
                    text += f"<br>∂C/∂W<sup>{l}</sup><sub>{k + 1},{j + 1}</sub> = {trace.dC_dW(l)[k, j]:.4g}"
                mtext.append(text)
    fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", marker=dict(size=8, opacity=0), text=mtext,
                             hovertemplate="%{text}<extra></extra>", showlegend=False, name="edges"))

    if selected is not None:
        _highlight(fig, trace, ys, selected)

    # Nodes: a going forward, δ going back, white where nothing is computed yet.
    a_all = np.concatenate([trace.a(l) for l in range(L + 1)])
    a_low, a_high = min(0.0, float(a_all.min())), max(1.0, float(a_all.max()))
    d_lim = style.limit(*[trace.delta(l) for l in range(1, L + 1)])
    nx, ny, fill, label, hover, outline = [], [], [], [], [], []
    for l in range(L + 1):
        for k in range(sizes[l]):
            nx.append(l)
            ny.append(ys[l][k])
            lines = [f"layer {l}, node {k + 1}"]
            if l >= 1 and moment.shows_backward(l):
                v = trace.delta(l)[k]
                fill.append(style.diverging([v], d_lim)[0])
                label.append(style.short(v))
            elif moment.shows_forward(l):
                v = trace.a(l)[k]
                fill.append(style.sequential([v], a_low, a_high)[0])
                label.append(style.short(v))
            else:
                fill.append(style.EMPTY_FILL)
                label.append("?")
            outline.append(style.NODE_LINE if moment.shows_forward(l) else style.EMPTY_LINE)
            if moment.shows_forward(l):
                lines.append(f"a<sup>{l}</sup><sub>{k + 1}</sub> = {trace.a(l)[k]:.4g}")
                if l >= 1:
                    lines.append(f"z<sup>{l}</sup><sub>{k + 1}</sub> = {trace.z(l)[k]:.4g}")
            if l >= 1 and moment.shows_backward(l):
                lines.append(f"δ<sup>{l}</sup><sub>{k + 1}</sub> = {trace.delta(l)[k]:.4g}")
            if len(lines) == 1:
                lines.append("not yet computed")
            hover.append("<br>".join(lines))
    show_labels = max(sizes) <= LABEL_NODES
    node_px = int(np.clip(300 / max(sizes), 16, 46))
    fig.add_trace(go.Scatter(
        x=nx, y=ny, mode="markers+text" if show_labels else "markers", name="nodes",
        marker=dict(size=node_px, color=fill, line=dict(width=1.5, color=outline)),
        text=label if show_labels else None,
        textfont=dict(size=max(9, node_px // 4),
                      color=[style.text_on(f) if t != "?" else style.EMPTY_LINE for f, t in zip(fill, label)]),
        textposition="middle center", hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False))

    for l in range(L + 1):
        name = "input" if l == 0 else "output" if l == L else "hidden"
        fig.add_annotation(x=l, y=-max(sizes) / 2 - 0.15, text=f"layer {l}<br>({name})", showarrow=False,
                           yanchor="top", font=dict(size=12, color="#5f6368"))
    half = max(sizes) / 2
    fig.update_layout(
        height=int(np.clip(90 + 42 * max(sizes), 300, 640)), margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(visible=False, range=[-0.5, L + 0.5], fixedrange=True),
        yaxis=dict(visible=False, range=[-half - 0.9, half + 0.1], fixedrange=True),
        plot_bgcolor="#ffffff", font=style.FONT, dragmode=False, showlegend=False,
    )
    return fig


def _highlight(fig: go.Figure, trace: Trace, ys: list[np.ndarray], selected: tuple[int, int, int]) -> None:
    """Draw the selected weight's edge and the edges its ∂C/∂aˡₖ sums over."""
    l, k, j = selected
    xs, yv = [l - 1, l, None], [ys[l - 1][j], ys[l][k], None]
    if l < trace.L:
        for m in range(trace.network.sizes[l + 1]):
            xs += [l, l + 1, None]
            yv += [ys[l][k], ys[l + 1][m], None]
    fig.add_trace(go.Scatter(x=xs, y=yv, mode="lines", hoverinfo="skip", showlegend=False, name="path",
                             line=dict(color=style.HIGHLIGHT, width=7), opacity=0.55))
