"""Per layer: ∂C/∂Wˡ as the outer product it is, δˡ beside the rows and aˡ⁻¹ above the columns."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..lesson.timeline import Step
from ..passes import Trace
from . import style

ANNOTATE_COLUMNS = 6  # print values in the cells when the layer has at most this many columns
ANNOTATE_ROWS = 12  # … and at most this many rows: more would need text too small to read
CELL_FONT = 12
CELL_PX = 30  # height of one row of cells, in pixels
NORMAL, STAGE, THUMB = "normal", "stage", "thumb"
# Per size: base font, cell text, title, subtitle, row height in pixels. STAGE's text is the projected page's
# body text (app.py: 20–22 px) or larger, so the room reads the cells as it reads the page.
STAGE_ANNOTATE = 8  # the stage figure prints values in layers up to this many rows and columns
SIZES = {
    NORMAL: dict(font=13, cell=CELL_FONT, title=15, subtitle=12, row=CELL_PX),
    THUMB: dict(font=12, cell=0, title=13, subtitle=0, row=0),
}


def stage_sizes(body_px: int) -> dict:
    """STAGE's fonts and row height for a page whose body text is `body_px`: the cells' numbers at that size."""
    return dict(
        font=body_px, cell=body_px, title=round(1.15 * body_px), subtitle=round(0.8 * body_px), row=round(1.6 * body_px)
    )


def _frame(fonts: dict, size: str) -> tuple[int, int]:
    """The margins above and below the plot, in pixels. Above: the title and its subtitle, each a line of its
    own font (plus a gap), so the subtitle never sits on the aˡ⁻¹ row whatever the font; below: the column
    numbers and the axis title."""
    if size == THUMB:
        return fonts["title"] + 12, 6
    return round(1.4 * (fonts["title"] + fonts["subtitle"]) + 0.5 * fonts["subtitle"]) + 16, 2 * fonts["font"] + 26


def stage_height(n_k: int, body_px: int) -> int:
    """The height in pixels of the STAGE figure of a layer of n_k nodes (as layer_gradient builds it)."""
    fonts = stage_sizes(body_px)
    row = fonts["row"] if n_k <= STAGE_ANNOTATE else round(0.55 * fonts["row"])
    top, bottom = _frame(fonts, STAGE)
    return n_k * row + 10 + row + top + bottom


def layer_gradient(
    trace: Trace,
    l: int,
    moment: Step,
    selected: tuple[int, int, int] | None = None,
    projector: bool = False,
    size: str = NORMAL,
    body_px: int = 20,
    edited: Collection[tuple[int, int]] = (),
) -> go.Figure:
    """∂C/∂Wˡ, rows k (receiving) by columns j (emitting), with δˡ left of the rows and aˡ⁻¹ above the
    columns; empty cells until the backward pass reaches layer l. Clickable: every cell carries
    customdata (l, k, j) on a near-invisible marker, since a Streamlit click on a heatmap cell returns nothing.
    `projector`: presenter mode's steeper colour scale. `size`: NORMAL; STAGE, presenter mode's one large
    figure (text at the projected body size, its final size: not for style.for_projector); or THUMB, a
    presenter mode thumbnail (colours only, no numbers or axis titles; its height set by the page).
    `body_px`: the projected page's body text, for STAGE. `edited`: the cells (k, j) whose weight Wˡₖⱼ was
    set by hand, outlined by a dashed rectangle (shape name "edited").
    """
    fonts = stage_sizes(body_px) if size == STAGE else SIZES[size]
    n_k, n_j = trace.network.sizes[l], trace.network.sizes[l - 1]
    shown = moment.shows_backward(l)
    a_shown = moment.shows_forward(l - 1)
    # Not yet computed: grey cells marked "?", the empty frame the backward pass will fill.
    G = trace.dC_dW(l) if shown else np.full((n_k, n_j), np.nan)
    delta = trace.delta(l) if shown else np.full(n_k, np.nan)
    a_prev = trace.a(l - 1) if a_shown else np.full(n_j, np.nan)
    g_lim, d_lim = style.limit(trace.dC_dW(l)), style.limit(trace.delta(l))
    a_all = trace.a(l - 1)
    a_low, a_high = min(0.0, float(a_all.min())), max(1.0, float(a_all.max()))
    # A projected layer of up to 8 × 8 still has room for its numbers at the stage's size; thumbnails have none.
    annotate = (
        (n_j <= ANNOTATE_COLUMNS and n_k <= ANNOTATE_ROWS)
        if size == NORMAL
        else (size == STAGE and max(n_j, n_k) <= STAGE_ANNOTATE)
    )
    ks, js = np.arange(n_k), np.arange(n_j)
    L = trace.L

    wide = size == STAGE and n_j > 5
    digits = 2 if wide else 3  # a wide layer's numbers must fit a projected column
    # … and so, when its δ are small, are they and its ∂C/∂W printed in a power of ten (said in the
    # subtitle): "2.3" in units of 10⁻² rather than "0.023", at most five characters to a cell.
    power = 0
    if wide and shown and annotate:
        top_value = float(np.abs(trace.delta(l)).max())
        power = int(np.floor(np.log10(top_value))) if top_value > 0 else 0
        power = power if power <= -2 else 0

    def cells(values) -> list | None:
        return (
            [[("?" if np.isnan(v) else style.short(v, digits)) for v in row] for row in np.atleast_2d(values)]
            if annotate
            else None
        )

    def filled(values):
        """NaN (not computed) would leave a hole; draw those cells in the empty colour instead."""
        return np.nan_to_num(values, nan=0.0)

    # Category axes labelled 1…n: the hover text reads its 1-based indices from the axes (%{x}, %{y}),
    # so no per-cell strings are sent; positions stay 0-based for shapes and clicks.
    x_cat, y_cat = [str(j + 1) for j in js], [str(k + 1) for k in ks]
    later = "not yet computed<extra></extra>"
    traces = [
        style.trace(
            "heatmap",
            z=filled(G),
            x=x_cat,
            y=y_cat,
            zmin=-g_lim,
            zmax=g_lim,
            colorscale=style.diverging_scale(projector) if shown else style.EMPTY_SCALE,
            text=cells(G / 10.0**power),
            texttemplate="%{text}" if annotate else None,
            textfont=dict(size=fonts["cell"]),
            hovertemplate=f"∂C/∂W<sup>{l}</sup><sub>%{{y}},%{{x}}</sub> = "
            + ("%{z:.4~g}<extra></extra>" if shown else later),
            xgap=2,
            ygap=2,
            showscale=False,
            name=f"dC_dW{l}",
        ),
        style.trace(
            "heatmap",
            z=filled(delta[:, None]),
            x=[0],
            y=y_cat,
            zmin=-d_lim,
            zmax=d_lim,
            colorscale=style.diverging_scale(projector) if shown else style.EMPTY_SCALE,
            xaxis="x2",
            yaxis="y",
            ygap=2,
            text=cells(delta[:, None] / 10.0**power),
            texttemplate="%{text}" if annotate else None,
            textfont=dict(size=fonts["cell"]),
            showscale=False,
            name=f"delta{l}",
            hovertemplate=f"δ<sup>{l}</sup><sub>%{{y}}</sub> = " + ("%{z:.4~g}<extra></extra>" if shown else later),
        ),
        style.trace(
            "heatmap",
            z=filled(a_prev[None, :]),
            x=x_cat,
            y=[0],
            zmin=a_low,
            zmax=a_high,
            colorscale=style.SEQUENTIAL if a_shown else style.EMPTY_SCALE,
            xaxis="x",
            yaxis="y3",
            xgap=2,
            text=cells(a_prev[None, :]),
            texttemplate="%{text}" if annotate else None,
            textfont=dict(size=fonts["cell"]),
            showscale=False,
            name=f"a{l - 1}",
            hovertemplate=f"a<sup>{l - 1}</sup><sub>%{{x}}</sub> = "
            + ("%{z:.4~g}<extra></extra>" if a_shown else later),
        ),
    ]
    kk, jj = np.meshgrid(ks, js, indexing="ij")
    traces.append(
        style.trace(  # the click targets, one per cell; being on top, they also carry the hover
            "scatter",
            x=[x_cat[j] for j in jj.ravel()],
            y=[y_cat[k] for k in kk.ravel()],
            mode="markers",
            name="cells",
            marker=dict(symbol="square", size=(fonts["row"] or 12) - 4, color="rgba(0,0,0,0)", line=dict(width=0)),
            # (l, k, j, ∂C/∂Wˡₖⱼ), a list: an array reaches the selection event as a dict {"0": l, "1": k, …}.
            customdata=np.column_stack(
                [np.full(kk.size, l), kk.ravel(), jj.ravel(), trace.dC_dW(l).ravel() if shown else np.zeros(kk.size)]
            ).tolist(),
            hovertemplate=f"∂C/∂W<sup>{l}</sup><sub>%{{y}},%{{x}}</sub> = "
            + ("%{customdata[3]:.4~g}<extra></extra>" if shown else later),
            showlegend=False,
        )
    )  # hoverinfo "skip" would also take the markers out of clicks
    shapes = []
    if selected is not None and selected[0] == l:
        _, k, j = selected
        shapes.append(style.cell_box(k, j, color=style.HIGHLIGHT, width=4))
    for k, j in sorted(edited):
        shapes.append(style.cell_box(k, j, 0.42, color=style.NODE_LINE, width=2, dash="dash") | {"name": "edited"})
    # The plot area in pixels: n_k rows of cells, a gap, one row for the aˡ⁻¹ strip; the domains follow,
    # so the strip keeps the height of one row whatever the size of the layer.
    row = fonts["row"] or CELL_PX
    if size == STAGE and not annotate:  # colours only (more than STAGE_ANNOTATE rows): lower rows
        row = round(0.55 * row)
    rows_px, gap_px = row * n_k, 10
    plot_px = rows_px + gap_px + row
    split = rows_px / plot_px
    tick = dict(tickmode="array", showgrid=False, zeroline=False, tickfont=dict(size=fonts["font"]))
    status = f"{'not yet computed: fills in' if not shown else 'computed'} at step {2 * L + 2 - l}, backward"
    if power:
        status += f" · δ and ∂C/∂W in units of 10<sup>{power}</sup>"
    name = f"Layer {l}{' (output)' if l == L and size != THUMB else ''}: ∂C/∂W<sup>{l}</sup>"
    # The title at the top of the figure, its subtitle under it: both above the plot, whatever the font.
    title = dict(
        text=name if size == THUMB else f"{name} = δ<sup>{l}</sup> (a<sup>{l - 1}</sup>)<sup>T</sup>",
        x=0,
        font=dict(size=fonts["title"]),
        yref="container",
        y=1,
        yanchor="top",
        pad=dict(t=4),
    )
    if size != THUMB:
        title["subtitle"] = dict(text=status, font=dict(size=fonts["subtitle"], color="#5f6368"))
    top, bottom = _frame(fonts, size)
    # Room on the left for the row numbers k, which sit left of the δ column: Plotly's automargin would make it
    # by drawing the figure a second time (the projected stage's newPlot 90 → 50 ms); with this room already
    # there it has nothing to add, and stays only as a safety net.
    left = (
        10 if size == THUMB else int(np.ceil((0.6 * len(str(n_k)) + (1.1 if size == NORMAL else 0.8)) * fonts["font"]))
    )
    # Below, the column numbers and the axis title take more than `bottom` once drawn with Streamlit's theme
    # (automargin grew it by about this much, at the cost of a second drawing); the figure keeps its height,
    # so its plot area is the same as with the grown margin.
    below = bottom if size == THUMB else bottom + round(0.4 * fonts["font"]) + 14
    layout: dict[str, Any] = dict(  # Plotly's layout: values of many kinds, read back below by key
        shapes=shapes,
        title=title,
        margin=dict(l=left, r=10, t=top, b=below),
        font={**style.FONT, "size": fonts["font"]},
        plot_bgcolor="#ffffff",
        dragmode=False,
        clickmode="event+select",
        showlegend=False,
        xaxis=dict(
            domain=[0.25 if size == NORMAL else 0.15 if wide else 0.21, 1.0],
            type="category",
            tickvals=x_cat,
            side="bottom",
            range=[-0.5, n_j - 0.5],
            **tick,
        ),
        yaxis=dict(
            domain=[0.0, split],
            type="category",
            tickvals=y_cat,
            anchor="x2",
            range=[n_k - 0.5, -0.5],
            automargin=True,
            **tick,
        ),
        xaxis2=dict(
            domain=[0.04 if size == NORMAL else 0.02, 0.22 if size == NORMAL else 0.13 if wide else 0.18],
            tickvals=[0],
            ticktext=[f"δ<sup>{l}</sup>"],
            anchor="y",
            side="bottom",
            **tick,
        ),
        yaxis3=dict(
            domain=[1 - row / plot_px, 1.0], tickvals=[0], ticktext=[f"a<sup>{l - 1}</sup>"], anchor="x", **tick
        ),
    )
    if size == THUMB:  # colours only: the page sets the height, the axes keep only their names
        layout["xaxis"].update(showticklabels=False)
        layout["yaxis"].update(showticklabels=False)
    else:
        layout["xaxis"]["title"] = dict(
            text=f"rows k: layer {l} · columns j: layer {l - 1}", font=dict(size=max(12, fonts["font"] - 4))
        )
        layout["height"] = plot_px + top + bottom
    # One constructor call, unvalidated (style.figure): update_layout on a figure costs several times more.
    return style.figure(traces, layout)
