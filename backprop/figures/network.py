"""The network diagram: nodes by layer, coloured by aˡ going forward and by δˡ going back; edges by weight,
and by ∂C/∂W once that layer's gradient is revealed. What is not yet computed is drawn empty."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import plotly.graph_objects as go

from ..lesson.timeline import Step
from ..passes import Trace
from . import style

EDGE_HOVER = 300  # edges with a hover point, at most; a larger network's edges have none
EDGE_BINS = 9  # edges are drawn as one path per colour bin, not one element per edge
LABEL_NODES = 8  # print values inside the nodes of layers with at most this many nodes
PROJECTOR_NODES = 1.5  # presenter mode: nodes (and their labels) this much larger, where there is room


def node_xy(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """y positions of the nodes of each layer, centred, node 1 at the top; layer l sits at x = l."""
    return [(n - 1) / 2 - np.arange(n) for n in sizes]


def natural_height(sizes) -> int:
    """The diagram's height in pixels when the page sets none: it grows with the widest layer."""
    return int(np.clip(90 + 42 * max(sizes), 300, 640))


def network_diagram(
    trace: Trace,
    moment: Step,
    selected: tuple[int, int, int] | None = None,
    projector: bool = False,
    height: int | None = None,
    edited: tuple[Collection[tuple[int, int, int]], Collection[tuple[int, int]]] = ((), ()),
) -> go.Figure:
    """The diagram of `trace`'s network at `moment`; `selected` = (l, k, j) highlights a weight and the
    path its gradient depends on: node j of layer l−1, node k of layer l and, below the output, column k
    of Wˡ⁺¹ with the nodes of δˡ⁺¹. `projector`: presenter mode's figure as shown — steeper colour scale,
    larger text and thicker lines, built in (style.for_projector's copy of a large diagram cost more than
    building it, on every Step click). `height`: the
    smallest height in pixels the page will draw it at (presenter mode's stage), which sets the node size;
    by default a height that grows with the widest layer. `edited`: the weights (l, k, j) and biases (l, k)
    set by hand, marked by a dashed line along the edge (trace "edited") and a ring round the node (trace
    "edited bias")."""
    net, L = trace.network, trace.L
    sizes = net.sizes
    ys = node_xy(sizes)
    traces = []
    edges = _edges(trace, moment, ys)
    lines = style.PRESENTER_LINES if projector else 1.0  # line widths

    # Edges: weights, or gradients where revealed, binned by colour so each bin is one SVG path (a layout
    # shape of moves and lines). Colour limits are shared by all layers so that shrinking gradients in a
    # deep network show as fading colour. Shapes, not line traces: Plotly draws and styles a trace's every
    # NaN-separated segment as an element of its own, which was most of the largest network's redraw in the
    # browser (1,536 edges: its newPlot 350 → 65 ms); a shape is one element whatever it holds.
    w_lim = style.limit(*[net.W(l) for l in range(1, L + 1)])
    g_lim = style.limit(*[trace.dC_dW(l) for l in range(1, L + 1) if moment.shows_backward(l)])
    scaled = edges["value"] / np.where(edges["revealed"], g_lim, w_lim)
    bins = np.clip(np.rint((scaled + 1) / 2 * (EDGE_BINS - 1)), 0, EDGE_BINS - 1).astype(int)
    centres = (np.arange(EDGE_BINS) / (EDGE_BINS - 1)) * 2 - 1
    colours = style.diverging(centres, 1.0, projector)
    shapes = [
        dict(
            type="path",
            path=edge_path(*(edges[c][bins == b] for c in ("x0", "y0", "x1", "y1"))),
            xref="x",
            yref="y",
            layer="below",
            line=dict(color=colours[b], width=lines * (0.8 + 4.5 * abs(centres[b]))),
        )
        for b in np.unique(bins)
    ]

    # Edge hover: one invisible point at the middle of each edge; the numbers travel as one numeric array
    # and the text is a template, so a large network does not send a string per edge. Past EDGE_HOVER
    # edges the midpoints crowd each other out, and their invisible points were a quarter of the largest
    # network's redraw in the browser (441 → 327 ms a Step click): there, the heatmaps' cells carry the hover.
    for revealed in (False, True):
        pick = edges["revealed"] == revealed
        if not pick.any() or edges["revealed"].size > EDGE_HOVER:
            continue
        template = "W<sup>%{customdata[0]}</sup><sub>%{customdata[1]},%{customdata[2]}</sub> = %{customdata[3]:.4~g}"
        if revealed:
            template += (
                "<br>∂C/∂W<sup>%{customdata[0]}</sup><sub>%{customdata[1]},%{customdata[2]}</sub>"
                " = %{customdata[4]:.4~g}"
            )
        traces.append(
            style.trace(
                "scatter",
                x=(edges["x0"][pick] + edges["x1"][pick]) / 2,
                y=(edges["y0"][pick] + edges["y1"][pick]) / 2,
                mode="markers",
                marker=dict(size=8, opacity=0),
                customdata=edges["hover"][pick],
                hovertemplate=template + "<extra></extra>",
                showlegend=False,
                name="edges, gradient revealed" if revealed else "edges",
            )
        )

    if selected is not None:
        traces.append(_highlight(trace, ys, selected, lines))
    if edited[0]:
        traces.append(_edited_edges(ys, edited[0], lines))

    # Nodes: a going forward, δ going back, white with a "?" where nothing is computed yet.
    a_all = np.concatenate([trace.a(l) for l in range(L + 1)])
    a_low, a_high = min(0.0, float(a_all.min())), max(1.0, float(a_all.max()))
    d_lim = style.limit(*[trace.delta(l) for l in range(1, L + 1)])
    nx = np.concatenate([np.full(n, l) for l, n in enumerate(sizes)])
    ny = np.concatenate(ys)
    fwd = np.concatenate([np.full(n, moment.shows_forward(l)) for l, n in enumerate(sizes)])
    back = np.concatenate([np.full(n, l >= 1 and moment.shows_backward(l)) for l, n in enumerate(sizes)])
    a_vals = a_all
    d_vals = np.concatenate([np.zeros(sizes[0])] + [trace.delta(l) for l in range(1, L + 1)])
    a_fill = style.sequential(a_vals, a_low, a_high)
    d_fill = style.diverging(d_vals, d_lim, projector)
    fill = [d if b else a if f else style.EMPTY_FILL for a, d, f, b in zip(a_fill, d_fill, fwd, back, strict=True)]
    label = [
        style.short(d) if b else style.short(a) if f else "?"
        for a, d, f, b in zip(a_vals, d_vals, fwd, back, strict=True)
    ]
    outline = [style.NODE_LINE if f else style.EMPTY_LINE for f in fwd]
    width = [1.5 * lines] * len(outline)
    first = np.cumsum((0,) + sizes[:-1])  # index of node 0 of each layer in the flat node list
    for l, k in _path_nodes(trace, selected):
        outline[first[l] + k], width[first[l] + k] = style.HIGHLIGHT, 4.0 * lines
    hover = []
    for l in range(L + 1):
        for k in range(sizes[l]):
            rows = [f"layer {l}, node {k + 1}"]  # not `lines`: that is the line-width factor above
            if moment.shows_forward(l):
                rows.append(f"a<sup>{l}</sup><sub>{k + 1}</sub> = {trace.a(l)[k]:.4g}")
                if l >= 1:
                    rows.append(f"z<sup>{l}</sup><sub>{k + 1}</sub> = {trace.z(l)[k]:.4g}")
            if l >= 1 and moment.shows_backward(l):
                rows.append(f"δ<sup>{l}</sup><sub>{k + 1}</sub> = {trace.delta(l)[k]:.4g}")
            if len(rows) == 1:
                rows.append("not yet computed")
            hover.append("<br>".join(rows))
    show_labels = max(sizes) <= LABEL_NODES
    height = height or natural_height(sizes)
    node_px = int(np.clip(300 / max(sizes), 16, 46))
    if projector:  # larger nodes and labels, as far as the room between two nodes of a layer allows
        node_px = int(min(node_px * PROJECTOR_NODES, 0.85 * (height - 20) / (max(sizes) + 1), 80))
    traces.append(
        style.trace(
            "scatter",
            x=nx,
            y=ny,
            mode="markers+text" if show_labels else "markers",
            name="nodes",
            marker=dict(size=node_px, color=fill, line=dict(width=width, color=outline)),
            text=label if show_labels else None,
            textfont=dict(
                size=max(9, node_px // 4),
                color=[style.text_on(f) if t != "?" else style.EMPTY_LINE for f, t in zip(fill, label, strict=True)],
            ),
            textposition="middle center",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )

    if edited[1]:
        ls, ks = zip(*sorted(edited[1]), strict=True)
        traces.append(
            style.trace(
                "scatter",
                x=np.array(ls, dtype=float),
                y=np.array([ys[l][k] for l, k in zip(ls, ks, strict=True)]),
                mode="markers",
                name="edited bias",
                marker=dict(
                    symbol="circle-open", size=node_px + 12, color=style.NODE_LINE, line=dict(width=2.5 * lines)
                ),
                hoverinfo="skip",
                showlegend=False,
            )
        )

    half = max(sizes) / 2
    label_px = round(12 * style.PRESENTER_FONT / style.FONT["size"]) if projector else 12
    names = ["input"] + ["hidden"] * (L - 1) + ["output"]
    return style.figure(
        traces,
        dict(
            annotations=[
                dict(
                    x=l,
                    y=-half - 0.15,
                    text=f"layer {l}<br>({name})",
                    showarrow=False,
                    yanchor="top",
                    font=dict(size=label_px, color="#5f6368"),
                )
                for l, name in enumerate(names)
            ],
            shapes=shapes,
            height=height,
            margin=dict(l=10, r=10, t=10, b=10),
            xaxis=dict(visible=False, range=[-0.5, L + 0.5], fixedrange=True),
            yaxis=dict(visible=False, range=[-half - 0.9, half + 0.1], fixedrange=True),
            plot_bgcolor="#ffffff",
            font={**style.FONT, "size": style.PRESENTER_FONT if projector else style.FONT["size"]},
            dragmode=False,
            showlegend=False,
        ),
    )


def _edges(trace: Trace, moment: Step, ys: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Every edge j → k of every layer as columns: end points, the value it is coloured by (Wˡₖⱼ, or
    ∂C/∂Wˡₖⱼ once layer l is revealed going back), whether it is revealed, and its hover numbers
    (l, k + 1, j + 1, Wˡₖⱼ, ∂C/∂Wˡₖⱼ)."""
    net = trace.network
    cols: dict[str, list] = {n: [] for n in ("x0", "y0", "x1", "y1", "value", "revealed", "hover")}
    for l in range(1, trace.L + 1):
        n_k, n_j = net.sizes[l], net.sizes[l - 1]
        k, j = np.divmod(np.arange(n_k * n_j), n_j)
        shown = moment.shows_backward(l)
        W, G = net.W(l).ravel(), trace.dC_dW(l).ravel()
        cols["x0"].append(np.full(k.size, l - 1.0))
        cols["x1"].append(np.full(k.size, float(l)))
        cols["y0"].append(ys[l - 1][j])
        cols["y1"].append(ys[l][k])
        cols["value"].append(G if shown else W)
        cols["revealed"].append(np.full(k.size, shown))
        cols["hover"].append(np.column_stack([np.full(k.size, l), k + 1, j + 1, W, G]))  # l, k, j 1-based
    return {n: np.concatenate(v) for n, v in cols.items()}


def _segments(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """start₀, end₀, NaN, start₁, end₁, NaN, …: line segments in one trace (float32: positions on a grid of
    halves are exact, in half the bytes). For the few segments of the selected weight's path."""
    return np.column_stack([start, end, np.full(start.size, np.nan)]).ravel().astype(np.float32)


def edge_path(x0, y0, x1, y1) -> str:
    """The segments (x0, y0) → (x1, y1) as one SVG path in data coordinates: "M x0,y0 L x1,y1" each. Node
    positions lie on a grid of halves, so they print exactly and short."""
    return "".join(f"M{a:g},{b:g}L{c:g},{d:g}" for a, b, c, d in zip(x0, y0, x1, y1, strict=True))


def _path_nodes(trace: Trace, selected: tuple[int, int, int] | None) -> list[tuple[int, int]]:
    """(layer, node) of the nodes the selected weight's gradient depends on: j of l−1, k of l, and every
    node m of l+1, whose δˡ⁺¹ₘ make up ∂C/∂aˡₖ."""
    if selected is None:
        return []
    l, k, j = selected
    up = [(l + 1, m) for m in range(trace.network.sizes[l + 1])] if l < trace.L else []
    return [(l - 1, j), (l, k)] + up


def _edited_edges(ys: list[np.ndarray], weights: Collection[tuple[int, int, int]], lines: float) -> dict:
    """The edges of the weights set by hand, as one dashed line trace over their coloured lines."""
    l, k, j = (np.array(v) for v in zip(*sorted(weights), strict=True))
    y0 = np.array([ys[a - 1][b] for a, b in zip(l, j, strict=True)])
    y1 = np.array([ys[a][b] for a, b in zip(l, k, strict=True)])
    return style.trace(
        "scatter",
        x=_segments(l - 1.0, l * 1.0),
        y=_segments(y0, y1),
        mode="lines",
        hoverinfo="skip",
        showlegend=False,
        name="edited",
        line=dict(color=style.NODE_LINE, width=2.5 * lines, dash="dash"),
    )


def _highlight(trace: Trace, ys: list[np.ndarray], selected: tuple[int, int, int], lines: float = 1.0) -> dict:
    """The selected weight's edge and the edges its ∂C/∂aˡₖ sums over, as one line trace."""
    l, k, j = selected
    x0, y0, x1, y1 = [l - 1.0], [ys[l - 1][j]], [float(l)], [ys[l][k]]
    if l < trace.L:
        for m in range(trace.network.sizes[l + 1]):
            x0, y0, x1, y1 = x0 + [float(l)], y0 + [ys[l][k]], x1 + [l + 1.0], y1 + [ys[l + 1][m]]
    return style.trace(
        "scatter",
        x=_segments(np.array(x0), np.array(x1)),
        y=_segments(np.array(y0), np.array(y1)),
        mode="lines",
        hoverinfo="skip",
        showlegend=False,
        name="path",
        line=dict(color=style.HIGHLIGHT, width=7 * lines),
        opacity=0.55,
    )
