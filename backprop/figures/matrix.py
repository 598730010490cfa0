"""One vector or matrix of the matrix form as a heatmap, for layers too large to write out as LaTeX."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style

ANNOTATE_COLUMNS = 6  # print values in the cells up to this many columns (more are too narrow in a
# third of a page) …
ANNOTATE_ROWS = 16  # … and rows
CELL_PX = 26  # height of one row of cells, in pixels
VECTOR_WIDTH = 2  # a vector's width in `side_by_side`, in columns of a matrix: room for its text


def matrix_heatmap(
    values, title: str, boxed: tuple[int, int] | None = None, row: int | None = None, projector: bool = False
) -> go.Figure:
    """`values` (a vector is drawn as a column) as a heatmap centred on zero, rows and columns numbered from 1;
    the cell `boxed` (0-based row, column) and the whole row `row` outlined in the highlight colour."""
    M = np.asarray(values, dtype=float)
    M = M[:, None] if M.ndim == 1 else M
    n_rows, n_cols = M.shape
    lim = style.limit(M)
    annotate = n_rows <= ANNOTATE_ROWS and n_cols <= ANNOTATE_COLUMNS
    x_cat, y_cat = [str(c + 1) for c in range(n_cols)], [str(r + 1) for r in range(n_rows)]
    heat = go.Heatmap(
        z=M,
        x=x_cat,
        y=y_cat,
        zmin=-lim,
        zmax=lim,
        colorscale=style.diverging_scale(projector),
        showscale=False,
        text=[[style.short(v) for v in r] for r in M] if annotate else None,
        texttemplate="%{text}" if annotate else None,
        textfont=dict(size=11),
        hovertemplate="row %{y}, column %{x}: %{z:.4~g}<extra></extra>",
        xgap=1,
        ygap=1,
        name="values",
    )
    line = dict(color=style.HIGHLIGHT, width=4)
    shapes = []
    if row is not None:
        shapes.append(dict(type="rect", x0=-0.5, x1=n_cols - 0.5, y0=row - 0.5, y1=row + 0.5, line=line))
    if boxed is not None:
        r, c = boxed
        shapes.append(dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=line))
    tick = dict(type="category", showgrid=False, zeroline=False)
    return go.Figure(
        heat,
        layout=dict(
            title=dict(text=title, x=0, font=dict(size=14)),
            font=style.FONT,
            shapes=shapes,
            height=CELL_PX * n_rows + 90,
            margin=dict(l=10, r=10, t=40, b=30),
            plot_bgcolor="#ffffff",
            dragmode=False,
            showlegend=False,
            xaxis=dict(tickvals=x_cat if n_cols > 1 else [], range=[-0.5, n_cols - 0.5], **tick),
            yaxis=dict(tickvals=y_cat, range=[n_rows - 0.5, -0.5], automargin=True, **tick),
        ),
    )


def side_by_side(parts: list[tuple], gap: float = 1.2, projector: bool = False) -> go.Figure:
    """Several matrices and vectors of one equation in one figure, left to right, each as `matrix_heatmap`
    draws it: `parts` are (values, title, boxed, row). Widths follow the number of columns (a vector gets
    VECTOR_WIDTH), so that every cell has about the same width; rows share one height."""
    mats = [np.asarray(v, dtype=float) for v, *_ in parts]
    mats = [m[:, None] if m.ndim == 1 else m for m in mats]
    widths = [max(m.shape[1], VECTOR_WIDTH) for m in mats]
    total = sum(widths) + gap * (len(widths) - 1)
    n_rows = max(m.shape[0] for m in mats)
    traces, shapes, annotations, layout = [], [], [], {}
    left = 0.0
    line = dict(color=style.HIGHLIGHT, width=4)
    tick = dict(type="category", showgrid=False, zeroline=False)
    for i, (M, (_, title, boxed, row), w) in enumerate(zip(mats, parts, widths, strict=True), start=1):
        fig = matrix_heatmap(M, title, boxed, row, projector)
        xa, ya = ("x", "y") if i == 1 else (f"x{i}", f"y{i}")
        heat = fig.data[0]
        heat.update(xaxis=xa, yaxis=ya)
        traces.append(heat)
        for s in fig.layout.shapes:
            shapes.append(dict(type="rect", x0=s.x0, x1=s.x1, y0=s.y0, y1=s.y1, xref=xa, yref=ya, line=line))
        domain = [left / total, (left + w) / total]
        left += w + gap
        n_r, n_c = M.shape
        layout["xaxis" if i == 1 else f"xaxis{i}"] = dict(
            domain=domain, anchor=ya, range=[-0.5, n_c - 0.5], tickvals=heat.x if n_c > 1 else [], **tick
        )
        # Every part is drawn with rows of the same height, from the top.
        layout["yaxis" if i == 1 else f"yaxis{i}"] = dict(
            anchor=xa, range=[n_rows - 0.5, -0.5], tickvals=heat.y, **tick
        )
        annotations.append(
            dict(
                text=f"<b>{title}</b>",
                x=sum(domain) / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=13),
            )
        )
    return go.Figure(
        data=traces,
        layout=dict(
            shapes=shapes,
            annotations=annotations,
            font=style.FONT,
            height=CELL_PX * n_rows + 80,
            margin=dict(l=30, r=10, t=30, b=30),
            plot_bgcolor="#ffffff",
            dragmode=False,
            showlegend=False,
            **layout,
        ),
    )
