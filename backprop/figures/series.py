"""The cost as a function of one weight or bias, with the tangent whose slope backprop computed.

For the "two nodes in series" page, but any network works: the other parameters stay as they are.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..curve import cost_along
from ..passes import Trace, gradient_descent_step
from . import style

SPAN = 3.0  # the curve covers the current value ± SPAN
POINTS = 201  # sample points of the curve, one of them the current value
CURVE = "#1f5fa8"  # the curve: the blue end of the diverging scale, darker for a thin line
MUTED = "#5f6368"


def parameter_label(trace: Trace, param: str, l: int, k: int = 0, j: int = 0) -> str:
    """The parameter's name in Plotly's HTML: w<sup>1</sup> in a chain of single nodes, else
    W<sup>1</sup><sub>12</sub>."""
    scalar = all(n == 1 for n in trace.network.sizes)
    if param == "W":
        return f"w<sup>{l}</sup>" if scalar else f"W<sup>{l}</sup><sub>{k + 1},{j + 1}</sub>"
    return f"b<sup>{l}</sup>" if scalar else f"b<sup>{l}</sup><sub>{k + 1}</sub>"


def parameter_value(trace: Trace, param: str, l: int, k: int = 0, j: int = 0) -> tuple[float, float]:
    """(θ, ∂C/∂θ) of the weight Wˡₖⱼ (param "W") or the bias bˡₖ (param "b"), both from the trace."""
    net = trace.network
    if param == "W":
        return float(net.W(l)[k, j]), float(trace.dC_dW(l)[k, j])
    return float(net.b(l)[k]), float(trace.dC_db(l)[k])


def cost_curve(
    trace: Trace,
    param: str,
    l: int,
    k: int = 0,
    j: int = 0,
    learning_rate: float | None = None,
    window: tuple[float, float] | None = None,
    points: int = POINTS,
    height: int = 420,
) -> go.Figure:
    """C(θ) for θ = Wˡₖⱼ (param "W") or bˡₖ (param "b") over `window` (default θ ± SPAN), all else as in
    the trace's network; the current value as a point on the curve, and the tangent there, whose slope is
    the trace's ∂C/∂θ. A fixed window lets the point be seen moving along the curve from step to step; it
    is widened to take in θ if needed.

    With a learning rate, a hollow point marks where one gradient-descent step on θ alone would land.
    Traces are named "cost", "tangent", "current" and "step". `height` in pixels.
    """
    theta, slope = parameter_value(trace, param, l, k, j)
    low_x, high_x = window if window is not None else (theta - SPAN, theta + SPAN)
    low_x, high_x = min(low_x, theta), max(high_x, theta)
    values = np.linspace(low_x, high_x, points)
    # The nearest sample point becomes the current value exactly, so the point lies on the drawn curve
    # (and no second sample sits a rounding error away from it).
    values[np.argmin(np.abs(values - theta))] = theta
    x, y = trace.a(0), trace.y
    costs = cost_along(trace.network, x, y, values, param, l, k, j, trace.cost_name)
    C = trace.cost
    name = parameter_label(trace, param, l, k, j)

    ends = values[[0, -1]]
    traces = [
        go.Scatter(
            x=values,
            y=costs,
            mode="lines",
            name="cost",
            line=dict(color=CURVE, width=3),
            hovertemplate=f"{name} = %{{x:.4~g}}<br>C = %{{y:.4~g}}<extra></extra>",
        ),
        go.Scatter(
            x=ends,
            y=C + slope * (ends - theta),
            mode="lines",
            name="tangent",
            line=dict(color=style.HIGHLIGHT, width=2, dash="dash"),
            hovertemplate=f"tangent, slope ∂C/∂{name} = {slope:.4g}<extra></extra>",
        ),
        go.Scatter(
            x=[theta],
            y=[C],
            mode="markers",
            name="current",
            marker=dict(size=14, color=style.HIGHLIGHT, line=dict(color=style.NODE_LINE, width=1.5)),
            hovertemplate=f"now: {name} = %{{x:.4~g}}, C = %{{y:.4~g}}<extra></extra>",
        ),
    ]
    low, high = float(costs.min()), float(costs.max())
    if learning_rate is not None and learning_rate > 0:
        new = gradient_descent_step(trace.network, trace, learning_rate)
        theta_new = float(new.W(l)[k, j] if param == "W" else new.b(l)[k])
        (C_new,) = cost_along(trace.network, x, y, [theta_new], param, l, k, j, trace.cost_name)
        # Drawn last: a short step lands inside the current point, and the hollow marker must stay visible.
        traces.append(
            go.Scatter(
                x=[theta_new],
                y=[C_new],
                mode="markers",
                name="step",
                marker=dict(size=9, color="#ffffff", line=dict(color=style.HIGHLIGHT, width=2)),
                hovertemplate=f"after one step: {name} = %{{x:.4~g}}, C = %{{y:.4~g}}<extra></extra>",
            )
        )
        low, high = min(low, float(C_new)), max(high, float(C_new))
    # The tangent may be steep: fix the y range to the curve's, so the line is clipped, not the curve squeezed.
    pad = 0.08 * ((high - low) or max(abs(high), 1.0))
    layout = dict(
        title=dict(
            text=f"Cost C as a function of {name}",
            x=0,
            font=dict(size=15),
            subtitle=dict(
                text=f"tangent at {name} = {theta:.4g}: slope ∂C/∂{name} = {slope:.4g}, from backprop",
                font=dict(size=12, color=MUTED),
            ),
        ),
        font=style.FONT,
        height=height,
        margin=dict(l=10, r=10, t=64, b=10),
        plot_bgcolor="#ffffff",
        showlegend=False,
        dragmode=False,
        xaxis=dict(
            title=dict(text=name),
            range=[values[0], values[-1]],
            showgrid=True,
            gridcolor="#eef0f2",
            zeroline=True,
            zerolinecolor="#d0d4d8",
            automargin=True,
        ),
        yaxis=dict(
            title=dict(text="C"),
            range=[low - pad, high + pad],
            showgrid=True,
            gridcolor="#eef0f2",
            zeroline=False,
            automargin=True,
        ),
    )
    return go.Figure(data=traces, layout=layout)
