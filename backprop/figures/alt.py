"""Text alternatives of the figures: what a figure shows *at this step*, in words and as a table, from the
same trace the figure is drawn from. A screen reader reads the summary as the chart's name
(st.plotly_chart's `alt`) and the table beside it; every value carries its sign in writing, so colour is
never the only carrier of a sign.

Numbers are written with 4 significant digits and an explicit sign ("+0.1385", "−0.03810"); a value the
step has not computed yet is "not yet computed", never a number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import ArrayLike

from ..lesson.timeline import Step
from ..passes import Trace
from ..training.descent import predict

NOT_YET = "not yet computed"
MAX_ROWS = 64  # table rows at most; a larger table says how many rows it left out


@dataclass(frozen=True, slots=True)
class TextAlternative:
    """A figure in words: a one-line summary and its numbers as a table."""

    summary: str  # one line, the chart's accessible name
    caption: str  # what the table holds
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    left_out: int = 0  # rows not written (tables are cut at MAX_ROWS)

    def html(self) -> str:
        """The table as HTML with a caption and header cells, for a screen reader to walk; the text is escaped."""

        def cells(values, tag: str) -> str:
            scope = ' scope="col"' if tag == "th" else ""
            return "".join(f"<{tag}{scope}>{escape(v)}</{tag}>" for v in values)

        body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in self.rows)
        more = f"<p>{self.left_out} more rows not listed.</p>" if self.left_out else ""
        return (
            f"<table><caption>{escape(self.caption)}</caption><thead><tr>{cells(self.header, 'th')}</tr>"
            f"</thead><tbody>{body}</tbody></table>{more}"
        )

    def markdown(self) -> str:
        """The table as Markdown (Streamlit renders it as an HTML table, which a screen reader can walk)."""

        def line(cells) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        lines = [f"**{self.caption}**", "", line(self.header), line(["---"] * len(self.header))]
        lines += [line(r) for r in self.rows]
        if self.left_out:
            lines += ["", f"({self.left_out} more rows not listed.)"]
        return "\n".join(lines)


def num(v: float) -> str:
    """4 significant digits with the sign written out: +0.1385, −0.0381, 0; NaN (a blank cell) in words."""
    v = float(v)
    if v == 0:
        return "0"
    if np.isnan(v):
        return "beyond the floats"  # a value not representable, left blank in the figure
    if np.isinf(v):
        return "+∞" if v > 0 else "−∞"
    text = f"{abs(v):.4g}"
    return ("+" if v > 0 else "−") + text


def _cut(rows: Sequence[tuple[str, ...]]) -> tuple[tuple[tuple[str, ...], ...], int]:
    return tuple(rows[:MAX_ROWS]), max(0, len(rows) - MAX_ROWS)


def _largest(values: np.ndarray) -> tuple[int, ...]:
    """The index of the entry of largest magnitude (the first, on a tie)."""
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(values))), values.shape))


def diagram(trace: Trace, moment: Step) -> TextAlternative:
    """The network diagram at `moment`: which activations and deltas are known, node by node."""
    net, L = trace.network, trace.L
    known_a = [l for l in range(L + 1) if moment.shows_forward(l)]
    known_d = [l for l in range(1, L + 1) if moment.shows_backward(l)]
    parts = [f"Network {'-'.join(map(str, net.sizes))}, {moment.progress}."]
    parts.append(
        f"Activations known for layer{'s' if len(known_a) > 1 else ''} {_layers(known_a)}."
        if known_a
        else "No activations yet."
    )
    if known_d:
        l = min(known_d)
        k = _largest(trace.delta(l))[0]
        parts.append(
            f"Deltas known for layer{'s' if len(known_d) > 1 else ''} {_layers(known_d)}; "
            f"in layer {l} the largest |δ| is at node {k + 1}, {num(trace.delta(l)[k])}."
        )
    if moment.kind != "start" and len(known_d) < L:
        parts.append(
            f"Deltas of layer{'s' if L - len(known_d) > 1 else ''} "
            f"{_layers([l for l in range(1, L + 1) if l not in known_d])} {NOT_YET}."
        )
    rows = []
    for l in range(L + 1):
        for k in range(net.sizes[l]):
            a = num(trace.a(l)[k]) if moment.shows_forward(l) else NOT_YET
            d = "—" if l == 0 else num(trace.delta(l)[k]) if moment.shows_backward(l) else NOT_YET
            rows.append((str(l), str(k + 1), a, d))
    body, left = _cut(rows)
    return TextAlternative(
        " ".join(parts), "Nodes of the network: activation a and delta δ", ("layer", "node", "a", "δ"), body, left
    )


def layer_gradient(trace: Trace, l: int, moment: Step) -> TextAlternative:
    """Layer l's ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ at `moment`: δˡ, aˡ⁻¹ and the largest cell once computed."""
    n_k, n_j = trace.network.sizes[l], trace.network.sizes[l - 1]
    L = trace.L
    name = f"Layer {l}{' (output)' if l == L else ''}, ∂C/∂W{_sup(l)}"
    if moment.shows_backward(l):
        G, delta = trace.dC_dW(l), trace.delta(l)
        k = _largest(delta)[0]
        gk, gj = _largest(G)
        summary = (
            f"{name} computed: δ{_sup(l)} largest magnitude at node {k + 1}, {num(delta[k])}; "
            f"largest |∂C/∂W{_sup(l)}| at row k = {gk + 1}, column j = {gj + 1}, {num(G[gk, gj])}."
        )
    else:
        G, delta = None, None
        summary = f"{name} {NOT_YET}: fills in at step {2 * L + 2 - l}, going backward."
    a_shown = moment.shows_forward(l - 1)
    header = ("row k", f"δ{_sup(l)}_k") + tuple(f"j = {j + 1}" for j in range(n_j))
    rows = [(f"a{_sup(l - 1)}_j", "") + tuple(num(v) if a_shown else NOT_YET for v in trace.a(l - 1))]
    for k in range(n_k):
        cells = tuple(num(v) for v in G[k]) if G is not None else (NOT_YET,) * n_j
        rows.append((str(k + 1), num(delta[k]) if delta is not None else NOT_YET) + cells)
    body, left = _cut(rows)
    return TextAlternative(
        summary,
        f"∂C/∂W{_sup(l)}: rows k (layer {l}), columns j (layer {l - 1}); the first row is a{_sup(l - 1)}",
        header,
        body,
        left,
    )


def _layers(ls: list[int]) -> str:
    if len(ls) > 2 and ls == list(range(ls[0], ls[-1] + 1)):
        return f"{ls[0]}–{ls[-1]}"
    return ", ".join(map(str, ls[:-1])) + (" and " if len(ls) > 1 else "") + str(ls[-1])


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


# ------------------------------------------------------------------------------------------------------
# The companion pages' figures


def cost_curve(trace: Trace, param: str, l: int, k: int, j: int, fig) -> TextAlternative:
    """C against one parameter θ (Wˡₖⱼ or bˡₖ), as `fig` (series.cost_curve of this trace) draws it: the
    current point, the tangent's slope from backprop, the gradient-descent step if drawn, and the curve's
    samples (thinned to 21)."""
    by_name = {t.name: t for t in fig.data}
    thetas, costs = by_name["cost"].x, by_name["cost"].y
    step = (by_name["step"].x[0], by_name["step"].y[0]) if "step" in by_name else None
    theta = float(trace.network.W(l)[k, j] if param == "W" else trace.network.b(l)[k])
    slope = float(trace.dC_dW(l)[k, j] if param == "W" else trace.dC_db(l)[k])
    name = f"W{_sup(l)}{_subs(k + 1, j + 1)}" if param == "W" else f"b{_sup(l)}{_subs(k + 1)}"
    thetas, costs = np.asarray(thetas, float), np.asarray(costs, float)
    low = int(np.argmin(costs))
    summary = (
        f"Cost C as a function of {name} from {num(thetas[0])} to {num(thetas[-1])}: now {name} = "
        f"{num(theta)} and C = {num(trace.cost)}; the tangent's slope ∂C/∂{name} = {num(slope)} "
        f"(backprop), so C {'falls' if slope > 0 else 'rises' if slope < 0 else 'stays'} as {name} "
        f"decreases. Lowest C on the curve: {num(costs[low])} at {name} = {num(thetas[low])}."
    )
    if step is not None:
        summary += f" One gradient-descent step moves {name} to {num(step[0])}, where C = {num(step[1])}."
    pick = np.unique(np.linspace(0, len(thetas) - 1, min(len(thetas), 21)).round().astype(int))
    rows = [(num(thetas[i]), num(costs[i])) for i in pick]
    return TextAlternative(summary, f"C at {len(pick)} points of the curve", (name, "C"), tuple(rows))


def matrices(parts: Sequence[tuple[str, ArrayLike]], what: str) -> TextAlternative:
    """Matrices and vectors of one equation side by side: `parts` are (name, values); a name may be Plotly's
    HTML (δ<sup>2</sup>), written here as plain text (δ²)."""
    parts = [(plain(n), v) for n, v in parts]
    shapes = ", ".join(f"{n} ({'×'.join(map(str, np.shape(v)))})" for n, v in parts)
    rows = []
    for n, v in parts:
        M = np.atleast_2d(np.asarray(v, float).T).T if np.ndim(v) == 1 else np.asarray(v, float)
        for r in range(M.shape[0]):
            rows.append((n, str(r + 1), ", ".join(num(x) for x in M[r])))
    body, left = _cut(rows)
    return TextAlternative(f"{what}: {shapes}.", f"{what}, row by row", ("matrix", "row", "values"), body, left)


def parity(check) -> TextAlternative:
    """Backprop against central differences, one row per weight and bias, with the relative error."""
    trace = check.trace
    rows, worst = [], (0.0, "")
    for l in range(1, check.L + 1):
        n_k, n_j = trace.network.sizes[l], trace.network.sizes[l - 1]
        params = [
            (
                f"W{_sup(l)}{_subs(k + 1, j + 1)}",
                trace.dC_dW(l)[k, j],
                check.numeric_dC_dW(l)[k, j],
                check.relative_error_W(l)[k, j],
            )
            for k in range(n_k)
            for j in range(n_j)
        ]
        params += [
            (f"b{_sup(l)}{_subs(k + 1)}", trace.dC_db(l)[k], check.numeric_dC_db(l)[k], check.relative_error_b(l)[k])
            for k in range(n_k)
        ]
        for name, a, n, e in params:
            rows.append((name, num(a), num(n), f"{e:.1e}"))
            worst = max(worst, (float(e), name))
    body, left = _cut(rows)
    summary = (
        f"Backprop against finite differences (ε = {check.epsilon:g}) for {len(rows)} weights and biases; "
        f"the largest relative error is {worst[0]:.1e}, at {worst[1]}. "
        + "; ".join(f"layer {l}: {check.relative_error(l):.1e}" for l in range(1, check.L + 1))
        + "."
    )
    return TextAlternative(
        summary,
        "Each parameter's gradient both ways",
        ("parameter", "backprop", "finite difference", "relative error"),
        body,
        left,
    )


def error_cells(check, l: int) -> TextAlternative:
    """Layer l's element-wise relative errors: rows k, columns j, and the bias."""
    n_j = check.trace.network.sizes[l - 1]
    E, Eb = check.relative_error_W(l), check.relative_error_b(l)
    rows = [(str(k + 1),) + tuple(f"{e:.1e}" for e in E[k]) + (f"{Eb[k]:.1e}",) for k in range(E.shape[0])]
    body, left = _cut(rows)
    k, j = _largest(E)
    summary = (
        f"Layer {l}: relative error of each ∂C/∂W{_sup(l)} and ∂C/∂b{_sup(l)}; the layer's is "
        f"{check.relative_error(l):.1e}, the largest cell {E[k, j]:.1e} at row k = {k + 1}, column j = {j + 1}."
    )
    return TextAlternative(
        summary,
        f"Relative errors of layer {l}",
        ("row k",) + tuple(f"j = {j + 1}" for j in range(n_j)) + ("bias",),
        body,
        left,
    )


def epsilon_sweep(checks) -> TextAlternative:
    """Each layer's relative error at each ε."""
    eps = sorted(checks)
    L = checks[eps[0]].L
    rows = [(f"{e:g}",) + tuple(f"{checks[e].relative_error(l):.1e}" for l in range(1, L + 1)) for e in eps]
    best = min(eps, key=lambda e: max(checks[e].relative_error(l) for l in range(1, L + 1)))
    summary = (
        f"Relative error per layer against ε from {eps[0]:g} to {eps[-1]:g}: the smallest largest error, "
        f"{max(checks[best].relative_error(l) for l in range(1, L + 1)):.1e}, is at ε = {best:g}; "
        "a larger ε leaves truncation error, a smaller one round-off."
    )
    return TextAlternative(
        summary, "Relative error by ε and layer", ("ε",) + tuple(f"layer {l}" for l in range(1, L + 1)), tuple(rows)
    )


def gradient_costs(timings) -> TextAlternative:
    """The time of one gradient by backprop and by central differences, per network size."""
    rows = tuple(
        (
            "-".join(map(str, t.sizes)),
            str(t.P),
            f"{1e3 * t.backprop_seconds:.3g}",
            f"{1e3 * t.numeric_seconds:.3g}",
            f"{t.ratio:.0f}",
        )
        for t in timings
    )
    last = timings[-1]
    summary = (
        f"Time for one gradient against the number of parameters P, {len(rows)} networks: at P = {last.P}, "
        f"backprop took {1e3 * last.backprop_seconds:.3g} ms and finite differences "
        f"{1e3 * last.numeric_seconds:.3g} ms, {last.ratio:.0f} times longer."
    )
    return TextAlternative(
        summary,
        "Milliseconds for one gradient",
        ("network", "P", "backprop (ms)", "finite differences (ms)", "ratio"),
        rows,
    )


# ------------------------------------------------------------------------------------------------------
# The Train page's figures


def _epochs(history, columns: list[tuple[str, np.ndarray]], fmt) -> tuple[tuple[str, ...], ...]:
    n = len(history)
    pick = np.unique(np.linspace(0, n - 1, min(n, 21)).round().astype(int))
    return tuple((str(int(history.epoch[i])),) + tuple(fmt(v[i]) for _, v in columns) for i in pick)


def _value(v: float, fmt: str) -> str:
    return "none" if not np.isfinite(v) else format(v, fmt)


def training_curve(history, what: str) -> TextAlternative:
    """ "loss" or "accuracy" against epochs, train and (if any) test, at up to 21 epochs."""
    fmt = ".4g" if what == "loss" else ".1%"
    cols = [("train", history.train_loss if what == "loss" else history.train_accuracy)]
    if history.has_test:
        cols.append(("test", history.test_loss if what == "loss" else history.test_accuracy))
    first, last = int(history.epoch[0]), int(history.epoch[-1])
    summary = (
        f"{what.capitalize()} against epochs {first} to {last}: "
        + "; ".join(f"{part} {what} from {_value(v[0], fmt)} to {_value(v[-1], fmt)}" for part, v in cols)
        + "."
    )
    return TextAlternative(
        summary,
        f"{what.capitalize()} by epoch",
        ("epoch",) + tuple(p for p, _ in cols),
        _epochs(history, cols, lambda v: _value(v, fmt)),
    )


def per_layer(history, what: str) -> TextAlternative:
    """ "gradient norm" (‖∂C/∂Wˡ‖) or "mean |δ|" of every layer against epochs."""
    get = history.grad_norm if what == "gradient norm" else history.mean_abs_delta
    cols = [(f"layer {l}", get(l)) for l in range(1, history.L + 1)]
    now = ", ".join(f"layer {l} {_value(v[-1], '.3g')}" for l, (_, v) in enumerate(cols, start=1))
    summary = f"{what.capitalize()} per layer against epochs, at epoch {int(history.epoch[-1])}: {now}."
    return TextAlternative(
        summary,
        f"{what.capitalize()} by epoch and layer",
        ("epoch",) + tuple(c for c, _ in cols),
        _epochs(history, cols, lambda v: _value(v, ".3g")),
    )


def fit(net, data) -> TextAlternative:
    """The network's fit: each sample's inputs, target and the network's output, in the data's units, with the
    accuracy (classification) or the mean squared error (regression) of the training and test rows."""
    X = data.input_scaling.to_original(data.X)
    Y = data.target_scaling.to_original(data.Y)[:, 0]
    out = data.target_scaling.to_original(predict(net, data.X))[:, 0]
    parts = []
    for split, rows in (("training", data.train_index), ("test", data.test_index)):
        if rows.size:
            if data.is_classification:
                right = np.mean((out[rows] >= 0.5) == (Y[rows] >= 0.5))
                parts.append(f"{split} points {rows.size}, classified right {right:.1%}")
            else:
                mse = np.mean((out[rows] - Y[rows]) ** 2)
                parts.append(f"{split} points {rows.size}, mean squared error {mse:.3g}")
    kind = "Decision boundary" if data.is_classification and data.n_inputs == 2 else "The network's output"
    summary = f"{kind} on {data.name}: " + "; ".join(parts) + "."
    split_of = np.full(len(Y), "training", dtype=object)
    split_of[data.test_index] = "test"
    rows = [tuple(f"{v:.3g}" for v in X[i]) + (f"{Y[i]:.3g}", f"{out[i]:.3g}", split_of[i]) for i in range(len(Y))]
    body, left = _cut(rows)
    return TextAlternative(
        summary,
        "Samples: inputs, target, the network's output",
        tuple(data.feature_names) + (f"target {data.target_name}", "output", "set"),
        body,
        left,
    )


_SUP = str.maketrans("0123456789T+−-", "⁰¹²³⁴⁵⁶⁷⁸⁹ᵀ⁺⁻⁻")
_SUB = str.maketrans("0123456789a", "₀₁₂₃₄₅₆₇₈₉ₐ")


def plain(html: str) -> str:
    """Plotly's little HTML as plain text: <sup>2</sup> → ², <sub>a</sub> → ₐ, other tags dropped."""
    html = re.sub(r"<sup>(.*?)</sup>", lambda m: m.group(1).translate(_SUP), html)
    html = re.sub(r"<sub>(.*?)</sub>", lambda m: m.group(1).translate(_SUB), html)
    return re.sub(r"<[^>]+>", "", html)


def _subs(*ns: int) -> str:
    return ",".join(str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")) for n in ns)


def announcement(trace: Trace, moment: Step) -> str:
    """What a screen reader says when the lesson moves to `moment`: the progress line and the step's result."""
    l = moment.layer
    if moment.kind == "forward" and l is not None:
        k = _largest(trace.a(l))[0]
        result = (
            f"a{_sup(l)} computed, {trace.network.sizes[l]} nodes; the largest is node {k + 1}, {num(trace.a(l)[k])}."
        )
    elif moment.kind == "cost":
        result = f"Cost C = {num(trace.cost)}."
    elif moment.kind == "backward" and l is not None:
        k = _largest(trace.delta(l))[0]
        result = f"δ{_sup(l)} computed: largest magnitude at node {k + 1}, {num(trace.delta(l)[k])}."
        if l > 1:
            result += f" Layer {l - 1} not yet computed."
    elif moment.kind == "update":
        result = "Weights updated by gradient descent."
    else:
        result = "Only the input x is known."
    return f"{moment.progress}. {result}"
