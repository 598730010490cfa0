"""One vector or matrix of the matrix form as a heatmap, for layers too large to write out as LaTeX."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style

ANNOTATE_COLUMNS = 8     # print values in the cells up to this many columns …
ANNOTATE_ROWS = 16       # … and rows
CELL_PX = 26             # height of one row of cells, in pixels


def matrix_heatmap(values, title: str, boxed: tuple[int, int] | None = None, row: int | None = None) -> go.Figure:
    """`values` (a vector is drawn as a column) as a heatmap centred on zero, rows and columns numbered from 1;
    the cell `boxed` (0-based row, column) and the whole row `row` outlined in the highlight colour."""
    M = np.asarray(values, dtype=float)
    M = M[:, None] if M.ndim == 1 else M
    n_rows, n_cols = M.shape
    lim = style.limit(M)
    annotate = n_rows <= ANNOTATE_ROWS and n_cols <= ANNOTATE_COLUMNS
    x_cat, y_cat = [str(c + 1) for c in range(n_cols)], [str(r + 1) for r in range(n_rows)]
    heat = go.Heatmap(z=M, x=x_cat, y=y_cat, zmin=-lim, zmax=lim, colorscale=style.DIVERGING, showscale=False,
                      text=[[style.short(v) for v in r] for r in M] if annotate else None,
                      texttemplate="%{text}" if annotate else None, textfont=dict(size=11),
                      hovertemplate="row %{y}, column %{x}: %{z:.4~g}<extra></extra>", xgap=1, ygap=1,
                      name="values")
    line = dict(color=style.HIGHLIGHT, width=4)
    shapes = []
    if row is not None:
        shapes.append(dict(type="rect", x0=-0.5, x1=n_cols - 0.5, y0=row - 0.5, y1=row + 0.5, line=line))
    if boxed is not None:
        r, c = boxed
        shapes.append(dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=line))
    tick = dict(type="category", showgrid=False, zeroline=False)
    return go.Figure(heat, layout=dict(
        title=dict(text=title, x=0, font=dict(size=14)), font=style.FONT, shapes=shapes,
        height=CELL_PX * n_rows + 90, margin=dict(l=10, r=10, t=40, b=30), plot_bgcolor="#ffffff",
        dragmode=False, showlegend=False,
        xaxis=dict(tickvals=x_cat if n_cols > 1 else [], range=[-0.5, n_cols - 0.5], **tick),
        yaxis=dict(tickvals=y_cat, range=[n_rows - 0.5, -0.5], automargin=True, **tick)))
