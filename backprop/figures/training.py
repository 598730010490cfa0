"""The Train page's figures: loss and accuracy against epochs, the network's output over the input space with
the data, and the backward pass's health per layer (‖∂C/∂Wˡ‖ and mean |δˡ|) on a log scale.

Each is one go.Figure constructor call (update_layout afterwards costs several times more), redrawn after
every chunk of epochs: curves are thinned to at most MAX_POINTS points, and the output grid is modest.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from ..network import Network
from ..training.datasets import Dataset
from ..training.descent import Divergence, History, decision_grid, fitted_curve, predict
from . import style

MAX_POINTS = 600  # points per curve sent to the browser; longer histories are thinned evenly
GREY = "#5f6368"
GRID = "#f1f3f4"
# Okabe–Ito, colour-blind safe: class 0 orange, class 1 blue, each with its own marker shape too.
CLASS_COLOURS = ("#E69F00", "#0072B2")
CLASS_SYMBOLS = ("circle", "square")
# The output's background: pale orange (0, class 0) through white (0.5, undecided) to pale blue (1, class 1).
OUTPUT_SCALE = [[0.0, "#f2c46d"], [0.5, "#ffffff"], [1.0, "#7fb2d9"]]
TRAIN_COLOUR, TEST_COLOUR = "#0072B2", "#D55E00"
BOUNDARY = "#202124"
LAYER_SCALE = "Viridis"  # layer 1 (dark) … layer L (light): an order, read from the input to the output
HEIGHT = 360


def _layout(title: str, subtitle: str | None = None, height: int = HEIGHT, **more) -> dict:
    title_dict = dict(text=title, x=0, font=dict(size=15))
    if subtitle:
        title_dict["subtitle"] = dict(text=subtitle, font=dict(size=12, color=GREY))
    top = 50 + 20 * (1 + subtitle.count("<br>")) if subtitle else 50
    return dict(
        title=title_dict,
        height=height,
        margin=dict(l=10, r=10, t=top, b=10),
        font=style.FONT,
        plot_bgcolor="#ffffff",
        legend=dict(orientation="h", y=-0.2),
        **more,
    )


def empty_figure(message: str, title: str = "", height: int = HEIGHT) -> go.Figure:
    """A blank figure with `message` in its middle: nothing to draw yet, or nothing that can be drawn."""
    return go.Figure(
        layout=dict(
            title=dict(text=title, x=0, font=dict(size=15)),
            height=height,
            font=style.FONT,
            plot_bgcolor="#ffffff",
            margin=dict(l=10, r=10, t=50 if title else 10, b=10),
            xaxis=dict(visible=False),
            yaxis=dict(visible=False),
            annotations=[
                dict(
                    text=message,
                    x=0.5,
                    y=0.5,
                    xref="paper",
                    yref="paper",
                    showarrow=False,
                    font=dict(size=14, color=GREY),
                )
            ],
        )
    )


def _thin(n: int) -> np.ndarray:
    """Indices of at most MAX_POINTS rows out of n, evenly spread, always with the first and the last."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_POINTS).round().astype(int))


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and non-finite values become gaps (NaN), not errors or −∞."""
    v = np.array(values, dtype=float)
    v[~(v > 0) | ~np.isfinite(v)] = np.nan
    return v


def _divergence_marks(divergence: Divergence | None) -> tuple[list, list]:
    if divergence is None:
        return [], []
    x = divergence.epoch
    shape = dict(
        type="line", xref="x", x0=x, x1=x, yref="paper", y0=0, y1=1, line=dict(color="#c5221f", width=2, dash="dot")
    )
    note = dict(
        x=x,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        font=dict(color="#c5221f"),
        text=f"diverged in epoch {x}",
    )
    return [shape], [note]


# ------------------------------------------------------------------------------------------------------
# Against epochs


def _train_and_test(
    history: History, train: np.ndarray, test: np.ndarray, what: str, fmt: str, fix=np.asarray
) -> list[go.Scatter]:
    """`what` against epochs: a solid "train …" line, and a dashed "test …" line when there is a test set."""
    rows = _thin(len(history))
    x = history.epoch[rows]
    mode = "lines+markers" if len(rows) <= 30 else "lines"
    lines = [("train", train, dict(color=TRAIN_COLOUR, width=2))]
    if history.has_test:
        lines.append(("test", test, dict(color=TEST_COLOUR, width=2, dash="dash")))
    return [
        go.Scatter(
            x=x,
            y=fix(values[rows]),
            name=f"{part} {what}",
            mode=mode,
            line=line,
            hovertemplate=f"epoch %{{x}}: {part} {what} %{{y:{fmt}}}<extra></extra>",
        )
        for part, values, line in lines
    ]


def loss_figure(history: History, divergence: Divergence | None = None, log_y: bool = True) -> go.Figure:
    """Mean cost per sample against epochs: traces "train loss" and "test loss" (when there is a test set);
    a dotted red line where training diverged."""
    traces = _train_and_test(
        history, history.train_loss, history.test_loss, "loss", ".4~g", _positive if log_y else np.asarray
    )
    shapes, notes = _divergence_marks(divergence)
    last = f"epoch {int(history.epoch[-1])}: train {history.train_loss[-1]:.4g}" + (
        f", test {history.test_loss[-1]:.4g}" if history.has_test else ""
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            "Loss",
            last,
            shapes=shapes,
            annotations=notes,
            xaxis=dict(title="epoch", gridcolor=GRID, rangemode="tozero"),
            yaxis=dict(
                title="mean cost per sample", type="log" if log_y else "linear", gridcolor=GRID, exponentformat="power"
            ),
        ),
    )


def accuracy_figure(history: History, divergence: Divergence | None = None) -> go.Figure:
    """The fraction classified right against epochs: traces "train accuracy" and "test accuracy"; a message
    instead for regression."""
    if not history.has_accuracy:
        return empty_figure("Accuracy is for classification: this dataset is a regression.", "Accuracy")
    traces = _train_and_test(history, history.train_accuracy, history.test_accuracy, "accuracy", ".1%")
    shapes, notes = _divergence_marks(divergence)
    last = f"epoch {int(history.epoch[-1])}: train {history.train_accuracy[-1]:.1%}" + (
        f", test {history.test_accuracy[-1]:.1%}" if history.has_test else ""
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            "Accuracy",
            last + " (output ≥ 0.5 means class 1)",
            shapes=shapes,
            annotations=notes,
            xaxis=dict(title="epoch", gridcolor=GRID, rangemode="tozero"),
            yaxis=dict(title="classified right", range=[0, 1.04], tickformat=".0%", gridcolor=GRID),
        ),
    )


def layer_colours(L: int) -> list[str]:
    """One colour per layer 1..L, dark to light along LAYER_SCALE (its brightest yellow left out)."""
    return sample_colorscale(LAYER_SCALE, list(np.linspace(0.0, 0.85, L)) if L > 1 else [0.0])


def _per_layer(history: History, values, title: str, subtitle: str, y_title: str, symbol: str) -> go.Figure:
    L = history.L
    rows = _thin(len(history))
    x = history.epoch[rows]
    colours = layer_colours(L)
    series = [_positive(values(l)[rows]) for l in range(1, L + 1)]
    if all(np.all(np.isnan(s)) for s in series):
        return empty_figure(
            f"Every {y_title} is zero: no error signal reaches the weights, and a log scale cannot show zero.", title
        )
    mode = "lines+markers" if len(rows) <= 30 else "lines"
    traces = [
        go.Scatter(
            x=x,
            y=s,
            name=f"layer {l}" + (" (output)" if l == L else ""),
            mode=mode,
            line=dict(color=colours[l - 1], width=2),
            connectgaps=False,
            hovertemplate=f"epoch %{{x}}: {symbol.format(l=l)} = %{{y:.3~g}}<extra></extra>",
        )
        for l, s in zip(range(1, L + 1), series, strict=True)
    ]
    if any(np.any(np.isnan(s)) for s in series):
        subtitle += " · gaps where it is exactly 0"
    return go.Figure(
        data=traces,
        layout=_layout(
            title,
            subtitle,
            xaxis=dict(title="epoch", gridcolor=GRID, rangemode="tozero"),
            yaxis=dict(title=y_title, type="log", gridcolor=GRID, exponentformat="power"),
        ),
    )


def gradient_norms_figure(history: History) -> go.Figure:
    """‖∂C/∂Wˡ‖ (Frobenius, of the whole training set's mean gradient) per layer against epochs, log scale;
    a trace "layer l" per layer, coloured dark (layer 1, next to the input) to light (layer L)."""
    return _per_layer(
        history,
        history.grad_norm,
        "Gradient norm per layer",
        "‖∂C/∂W<sup>l</sup>‖ on the whole training set, after each epoch",
        "‖∂C/∂W‖",
        "‖∂C/∂W<sup>{l}</sup>‖",
    )


def mean_abs_delta_figure(history: History) -> go.Figure:
    """Mean |δˡ| per layer against epochs, log scale; a trace "layer l" per layer, coloured as the gradient
    norms. A layer far below the others gets little error signal: vanishing gradients."""
    return _per_layer(
        history,
        history.mean_abs_delta,
        "Error signal per layer",
        "mean |δ<sup>l</sup>| over the training samples and the layer's nodes",
        "mean |δ|",
        "mean |δ<sup>{l}</sup>|",
    )


# ------------------------------------------------------------------------------------------------------
# Over the input space


def _point_traces(data: Dataset, X: np.ndarray, Y: np.ndarray) -> list[go.Scatter]:
    """The data as markers in original units: by class (colour and shape) and by split (train filled, test
    open), or for regression coloured by target."""
    traces = []
    for split, rows in (("train", data.train_index), ("test", data.test_index)):
        if rows.size == 0:
            continue
        if data.is_classification:
            for c in (0, 1):
                pick = rows[Y[rows, 0] == c]
                if pick.size == 0:
                    continue
                filled = split == "train"
                traces.append(
                    go.Scatter(
                        x=X[pick, 0],
                        y=X[pick, 1],
                        mode="markers",
                        name=f"{_class_name(data, c)} ({split})",
                        marker=dict(
                            symbol=CLASS_SYMBOLS[c] + ("" if filled else "-open"),
                            size=8 if filled else 9,
                            color=CLASS_COLOURS[c],
                            line=dict(color="#ffffff" if filled else CLASS_COLOURS[c], width=1 if filled else 2),
                        ),
                        hovertemplate=f"{_class_name(data, c)} ({split})<br>{data.feature_names[0]} = %{{x:.3~g}}<br>"
                        f"{data.feature_names[1]} = %{{y:.3~g}}<extra></extra>",
                    )
                )
        else:
            traces.append(
                go.Scatter(
                    x=X[rows, 0],
                    y=X[rows, 1],
                    mode="markers",
                    name=split,
                    marker=dict(
                        symbol="circle" if split == "train" else "circle-open",
                        size=8,
                        color=Y[rows, 0],
                        colorscale=style.SEQUENTIAL,
                        line=dict(width=1, color="#ffffff"),
                        cmin=float(Y[:, 0].min()),
                        cmax=float(Y[:, 0].max()),
                    ),
                    hovertemplate=f"{split}: {data.target_name} = %{{marker.color:.3~g}}<extra></extra>",
                )
            )
    return traces


def _class_name(data: Dataset, c: int) -> str:
    """ "class 0" for a generated set, "label = 7" for a CSV file's target."""
    label = data.class_labels[c]
    return label if label.startswith("class") else f"{data.target_name} = {label}"


def decision_boundary_figure(net: Network, data: Dataset, resolution: int = 60) -> go.Figure:
    """The output aᴸ₁ over the (2-D) input space as a heatmap (trace "output"), the boundary aᴸ₁ = 0.5 as a
    line (trace "boundary", classification only), and the data points on top; axes in the data's units."""
    grid = decision_grid(net, data, resolution)
    xs, ys = data.input_scaling, data.target_scaling
    x1 = grid.x1 * xs.scale[0] + xs.shift[0]
    x2 = grid.x2 * xs.scale[1] + xs.shift[1]
    X = xs.to_original(data.X)
    # float32 is plenty for colours and halves what is sent to the browser after every chunk of epochs.
    out = grid.output.astype(np.float32)
    if data.is_classification:
        z, Y = out, data.Y
        heat = dict(
            colorscale=OUTPUT_SCALE,
            zmin=0.0,
            zmax=1.0,
            colorbar=dict(title="a<sup>L</sup>", thickness=12, len=0.8, tickvals=[0, 0.5, 1]),
        )
    else:
        z, Y = (grid.output * ys.scale[0] + ys.shift[0]).astype(np.float32), ys.to_original(data.Y)
        heat = dict(
            colorscale=style.SEQUENTIAL,
            zmin=float(Y.min()),
            zmax=float(Y.max()),
            colorbar=dict(title=data.target_name, thickness=12, len=0.8),
        )
    traces = [
        go.Heatmap(
            x=x1,
            y=x2,
            z=z,
            name="output",
            zsmooth="best",
            opacity=0.9,
            hovertemplate=f"{data.feature_names[0]} = %{{x:.3~g}}<br>{data.feature_names[1]} = "
            "%{y:.3~g}<br>network output %{z:.3~g}<extra></extra>",
            **heat,
        )
    ]
    if data.is_classification:
        traces.append(
            go.Contour(
                x=x1,
                y=x2,
                z=out,
                name="boundary",
                showscale=False,
                hoverinfo="skip",
                contours=dict(start=0.5, end=0.5, size=1.0, coloring="none"),
                line=dict(color=BOUNDARY, width=2),
            )
        )
    traces += _point_traces(data, X, data.Y if data.is_classification else Y)
    subtitle = (
        (
            f"background: the network's output, orange below 0.5 ({_class_name(data, 0)}),<br>blue above "
            f"({_class_name(data, 1)}); the line is 0.5 · test points open"
        )
        if data.is_classification
        else "background: the network's output<br>points: the targets · test points open"
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            "Decision boundary" if data.is_classification else "The network's output",
            subtitle,
            height=440,
            xaxis=dict(title=data.feature_names[0], range=[x1[0], x1[-1]], showgrid=False, zeroline=False),
            yaxis=dict(title=data.feature_names[1], range=[x2[0], x2[-1]], showgrid=False, zeroline=False),
        ),
    )


def fitted_curve_figure(net: Network, data: Dataset, resolution: int = 200) -> go.Figure:
    """The output aᴸ₁ along the (1-D) input (trace "network output") with the data points (traces "train",
    "test"); axes in the data's units. For a classification target, a dotted line marks 0.5."""
    curve = fitted_curve(net, data, resolution)
    xs, ys = data.input_scaling, data.target_scaling
    x = curve.x * xs.scale[0] + xs.shift[0]
    X, Y = xs.to_original(data.X)[:, 0], ys.to_original(data.Y)[:, 0]
    out = curve.output * ys.scale[0] + ys.shift[0]
    traces = []
    for split, rows, symbol in (("train", data.train_index, "circle"), ("test", data.test_index, "circle-open")):
        if rows.size:
            traces.append(
                go.Scatter(
                    x=X[rows],
                    y=Y[rows],
                    mode="markers",
                    name=split,
                    marker=dict(
                        symbol=symbol,
                        size=7,
                        color=TRAIN_COLOUR if split == "train" else TEST_COLOUR,
                        line=dict(width=1.5 if split == "test" else 0),
                    ),
                    hovertemplate=f"{split}: (%{{x:.3~g}}, %{{y:.3~g}})<extra></extra>",
                )
            )
    traces.append(
        go.Scatter(
            x=x,
            y=out,
            mode="lines",
            name="network output",
            line=dict(color=BOUNDARY, width=3),
            hovertemplate="output at %{x:.3~g}: %{y:.3~g}<extra></extra>",
        )
    )
    shapes = (
        [
            dict(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                yref="y",
                y0=0.5,
                y1=0.5,
                line=dict(color=GREY, width=1, dash="dot"),
            )
        ]
        if data.is_classification
        else []
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            "Fitted curve",
            "the network's output along the input · test points open",
            height=440,
            shapes=shapes,
            xaxis=dict(title=data.feature_names[0], gridcolor=GRID),
            yaxis=dict(title=data.target_name, gridcolor=GRID),
        ),
    )


def output_vs_target_figure(net: Network, data: Dataset) -> go.Figure:
    """For more than two inputs, which cannot be drawn as a space: each sample's output (y) against its
    target (x), traces "train" and "test", with the diagonal (trace "perfect") where they would agree."""
    ys = data.target_scaling
    out = ys.to_original(predict(net, data.X))[:, 0]
    Y = ys.to_original(data.Y)[:, 0]
    lo, hi = float(min(Y.min(), out.min())), float(max(Y.max(), out.max()))
    traces = [
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="perfect",
            hoverinfo="skip",
            line=dict(color=GREY, width=1, dash="dash"),
        )
    ]
    jitter = np.random.default_rng(0).uniform(-0.08, 0.08, Y.shape) if data.is_classification else 0.0
    for split, rows, symbol in (("train", data.train_index, "circle"), ("test", data.test_index, "circle-open")):
        if rows.size:
            traces.append(
                go.Scatter(
                    x=(Y + jitter)[rows],
                    y=out[rows],
                    mode="markers",
                    name=split,
                    marker=dict(
                        symbol=symbol, size=7, opacity=0.8, color=TRAIN_COLOUR if split == "train" else TEST_COLOUR
                    ),
                    hovertemplate=f"{split}: target %{{x:.3~g}}, output %{{y:.3~g}}<extra></extra>",
                )
            )
    return go.Figure(
        data=traces,
        layout=_layout(
            "Output against target",
            f"{data.n_inputs} inputs cannot be drawn as a plane: each point is a sample",
            height=440,
            xaxis=dict(title=f"target {data.target_name}", gridcolor=GRID),
            yaxis=dict(title="network output", gridcolor=GRID),
        ),
    )


def fit_figure(net: Network, data: Dataset) -> go.Figure:
    """The right picture of the network's fit for the data: a decision boundary (2 inputs), a fitted curve
    (1 input), or outputs against targets (more inputs)."""
    if data.n_inputs == 2:
        return decision_boundary_figure(net, data)
    if data.n_inputs == 1:
        return fitted_curve_figure(net, data)
    return output_vs_target_figure(net, data)


__all__ = [
    "empty_figure",
    "loss_figure",
    "accuracy_figure",
    "gradient_norms_figure",
    "mean_abs_delta_figure",
    "decision_boundary_figure",
    "fitted_curve_figure",
    "output_vs_target_figure",
    "fit_figure",
    "layer_colours",
    "MAX_POINTS",
]
