r"""The worked sheet of one iteration: the forward pass, the cost, the backward pass and the update, written
out the way a student would by hand (Markdown with LaTeX), and every array of it as JSON and as tidy CSV.

One source for every number: the lesson's trace (read through `explain`) and `Lesson.updated_network`.
Nothing is recomputed here, so the sheet, the downloads and the screen always agree.

JSON schema, version 1 (all numbers float64, written by `repr`, so they parse back to the identical float):

    format             "backprop-lab worked sheet"
    version            1
    sizes              [n₀, …, n_L]
    activation         name of σ in the hidden layers 1..L−1
    output_activation  name of σ in the output layer L
    cost               "quadratic" or "cross_entropy"
    learning_rate      η
    iteration          1 for the lesson's first iteration            (optional)
    origin             where the weights came from, or null          (optional)
    x, y, a0           the input (a⁰ = x, repeated under its lecture name) and the target
    layers             a list of L objects, the lecture's layer l = 1..L in order, each with
                       l, W (nₗ×nₗ₋₁), b, z, a, sigma_prime, dC_da, delta, dC_dW (nₗ×nₗ₋₁), dC_db,
                       W_new (nₗ×nₗ₋₁), b_new (vectors of nₗ); W[k][j] is the lecture's Wˡₖ₊₁,ⱼ₊₁
    cost_before        C of the network before the update, on (x, y)
    cost_after         C of the updated network, on the same (x, y)

    The one exception to "finite": an entry of the output layer's dC_da is null where ∂C/∂aᴸₖ is beyond the
    largest float64 (a saturated sigmoid under cross-entropy, |zᴸₖ| > 709.78); load_json reads it back as
    ±inf, with the sign of δᴸₖ = aᴸₖ − yₖ, which is the sign of ∂C/∂aᴸₖ there.

CSV (where ∂C/∂aᴸₖ is beyond the floats, its value is inf or -inf): one tidy table with the columns layer, quantity,
k, j, value. k and j are 1-based as in the lecture;
j is empty for vectors, k and j are empty for scalars; layer is empty for x, y and the scalars, and a⁰ is
the quantity "a" of layer 0. Values are written by `repr`, so `float(value)` gives the identical float.
"""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np

from .. import _checks
from ..activations import ACTIVATIONS
from ..costs import COSTS
from ..explain import delta_chain, input_sum, weight_chain
from ..network import Network
from ..passes import Trace, cost_of
from . import equations as eq

FORMAT = "backprop-lab worked sheet"
VERSION = 1
WRITE_OUT_WEIGHTS = 64  # a layer with more weights than 8×8 gets its gradients and updates as tables
MATRICES = ("W", "dC_dW", "W_new")  # shape (nₗ, nₗ₋₁)
VECTORS = ("b", "z", "a", "sigma_prime", "dC_da", "delta", "dC_db", "b_new")  # shape (nₗ,)
LAYER_KEYS = ("W", "b", "z", "a", "sigma_prime", "dC_da", "delta", "dC_dW", "dC_db", "W_new", "b_new")
REQUIRED = (
    "format",
    "version",
    "sizes",
    "activation",
    "output_activation",
    "cost",
    "learning_rate",
    "x",
    "y",
    "a0",
    "layers",
    "cost_before",
    "cost_after",
)
OPTIONAL = ("iteration", "origin")
COST_FORMULAS = {
    "quadratic": r"$C = \frac{1}{2}\sum_k (a^L_k - y_k)^2$",
    "cross_entropy": r"$C = -\sum_k \bigl[y_k \ln a^L_k + (1 - y_k)\ln(1 - a^L_k)\bigr]$",
}


# ------------------------------------------------------------------------------------------------------
# What the three formats share: the iteration's numbers, read once from the lesson.


def _iteration(lesson) -> tuple[Trace, Network, float]:
    """The trace, the updated network and the updated network's cost on the same sample."""
    trace = lesson.trace
    new = lesson.updated_network(trace)
    return trace, new, cost_of(new, lesson.x, lesson.y, lesson.cost)


def _layers(trace: Trace, new) -> list[dict[str, np.ndarray]]:
    """Every array of layer l = 1..L, by the schema's names, straight from the trace and the new network."""
    net = trace.network
    return [
        dict(
            W=net.W(l),
            b=net.b(l),
            z=trace.z(l),
            a=trace.a(l),
            sigma_prime=trace.sigma_prime(l),
            dC_da=trace.dC_da(l),
            delta=trace.delta(l),
            dC_dW=trace.dC_dW(l),
            dC_db=trace.dC_db(l),
            W_new=new.W(l),
            b_new=new.b(l),
        )
        for l in range(1, trace.L + 1)
    ]


def _summarised(sizes: tuple[int, ...]) -> list[int]:
    """The layers whose weight gradients and updates the sheet gives as tables."""
    return [l for l in range(1, len(sizes)) if sizes[l] * sizes[l - 1] > WRITE_OUT_WEIGHTS]


# ------------------------------------------------------------------------------------------------------
# Markdown


def worked_sheet_markdown(lesson, origin: str | None = None) -> str:
    """The whole iteration as a worked sheet: Markdown with $…$ and $$…$$ LaTeX (GitHub, Jupyter).

    `origin` says where the weights came from ("preset …", "random, seed 0"), if the caller knows.
    """
    trace, new, cost_after = _iteration(lesson)
    net, L = trace.network, trace.L
    sizes = net.sizes
    summarised = _summarised(sizes)
    out: list[str] = []
    add = out.append

    add(f"# Worked sheet: backpropagation, iteration {lesson.iteration}\n")
    add(_header(lesson, trace, origin, summarised))

    add("## 0. The network before the update\n")
    for l in range(1, L + 1):
        add(
            f"Layer {l}: weights $W^{{{l}}}_{{kj}}$ (row k: node of layer {l}; column j: node of layer "
            f"{l - 1}) and biases $b^{{{l}}}_k$.\n"
        )
        add(_table(net.W(l), extra=("b", net.b(l))))

    add("## 1. Forward pass\n")
    add(
        "$a^0 = x$; then for each layer $z^l_k = \\sum_j W^l_{kj}\\, a^{l-1}_j + b^l_k$ and $a^l_k = \\sigma(z^l_k)$.\n"
    )
    for l in range(1, L + 1):
        add(f"### Layer {l}" + (" (output)" if l == L else "") + f", activation {_act_name(net, l)}\n")
        for k in range(sizes[l]):
            add(_display(eq.input_sum_in_full(input_sum(trace, l, k))))
        add(_display(_vector(f"a^{{{l}}}", trace.a(l))))

    add("## 2. Cost\n")
    add(_display(eq.cost_in_full(trace.cost_name, trace.z(L), trace.a(L), trace.y, trace.cost)))

    add("## 3. Backward pass\n")
    add(
        f"Here $L = {L}$. (BP1) at the output, $\\delta^L_k = \\frac{{\\partial C}}{{\\partial a^L_k}}\\, "
        "\\sigma'(z^L_k)$; (BP2) below it, $\\frac{\\partial C}{\\partial a^l_k} = \\sum_m W^{l+1}_{mk}\\, "
        "\\delta^{l+1}_m$ and $\\delta^l_k = \\frac{\\partial C}{\\partial a^l_k}\\, \\sigma'(z^l_k)$, with "
        "the weights before the update; (BP3) $\\frac{\\partial C}{\\partial b^l_k} = \\delta^l_k$; (BP4) "
        "$\\frac{\\partial C}{\\partial W^l_{kj}} = \\delta^l_k\\, a^{l-1}_j$.\n"
    )
    for l in range(L, 0, -1):
        add(f"### Layer {l}" + (f" (output, $L = {L}$): (BP1)" if l == L else ": (BP2)") + "\n")
        for k in range(sizes[l]):
            d = delta_chain(trace, l, k)
            add(_display(eq.bp1_in_full(d, trace.cost_name) if d.is_output else eq.bp2_in_full(d)))
        add(_display(_vector(f"\\delta^{{{l}}}", trace.delta(l))))
        add(f"Gradients of layer {l}:\n")
        if l in summarised:
            add(
                f"Layer {l} has {sizes[l]} × {sizes[l - 1]} = {sizes[l] * sizes[l - 1]} weights, more than "
                f"{WRITE_OUT_WEIGHTS}: its weight gradients "
                f"$\\frac{{\\partial C}}{{\\partial W^{{{l}}}_{{kj}}}} = \\delta^{{{l}}}_k\\, a^{{{l - 1}}}_j$ "
                f"are given as a table, row k, column j, with $\\delta^{{{l}}}_k$ and $a^{{{l - 1}}}_j$ above.\n"
            )
            add(_display(_vector(f"a^{{{l - 1}}}", trace.a(l - 1))))
            add(_table(trace.dC_dW(l)))
        else:
            for k in range(sizes[l]):
                for j in range(sizes[l - 1]):
                    add(_display(eq.bp4_from_delta(weight_chain(trace, l, k, j))))
        add(_display(_lines([eq.bp3(l, k, g) for k, g in enumerate(trace.dC_db(l))])))

    eta = lesson.learning_rate
    add(f"## 4. Update, $\\eta = {eq.num(eta)}$\n")
    if lesson.update_biases:
        add(
            "Every weight and bias moves against its gradient: $W \\leftarrow W - \\eta\\, "
            "\\frac{\\partial C}{\\partial W}$ and $b \\leftarrow b - \\eta\\, \\frac{\\partial C}{\\partial b}$.\n"
        )
    else:
        add(
            "Every weight moves against its gradient, $W \\leftarrow W - \\eta\\, \\frac{\\partial C}{\\partial W}$; "
            "**the biases are kept fixed** in this update (as in Mazur's worked example), so every $b^l_k$ "
            "stays as it was.\n"
        )
    for l in range(1, L + 1):
        add(f"### Layer {l}\n")
        if l in summarised:
            add(
                f"Layer {l} has more than {WRITE_OUT_WEIGHTS} weights: its new weights "
                f"$W^{{{l}}}_{{kj}} - \\eta\\, \\frac{{\\partial C}}{{\\partial W^{{{l}}}_{{kj}}}}$ as a table "
                f"(row k, column j), with the new biases in the last column.\n"
            )
            add(_table(new.W(l), extra=("b", new.b(l))))
        else:
            for k in range(sizes[l]):
                for j in range(sizes[l - 1]):
                    add(_display(eq.update(weight_chain(trace, l, k, j), eta, new.W(l)[k, j])))
        if not lesson.update_biases:
            add(f"Biases of layer {l}, kept fixed: ${_vector(f'b^{{{l}}}', new.b(l))}$.\n")
            continue
        for k in range(sizes[l]):
            add(_display(eq.series_update(f"b^{{{l}}}_{{{k + 1}}}", net.b(l)[k], eta, trace.dC_db(l)[k], new.b(l)[k])))

    add("## 5. Cost before and after the update\n")
    add(
        _display(
            rf"C_{{\text{{before}}}} = {eq.cost_num(trace.cost)} \qquad "
            rf"C_{{\text{{after}}}} = {eq.cost_num(cost_after)}"
        )
    )
    change = "lower" if cost_after < trace.cost else "not lower"
    add(f"On this sample the updated network's cost is {change} than before.\n")
    return "\n".join(out)


def _header(lesson, trace: Trace, origin: str | None, summarised: list[int]) -> str:
    net, L = trace.network, trace.L
    sizes = net.sizes
    ns = ", ".join(f"n_{{{l}}}" for l in range(L + 1))
    lines = [
        f"- **Network**: layer sizes $({ns}) = ({', '.join(map(str, sizes))})$, so $L = {L}$ weight "
        f"layer{'s' * (L > 1)}; "
        + (f"hidden activation {net.activation}, " if L > 1 else "")
        + f"output activation {net.output_activation} (each written $\\sigma$, as in the lecture).",
        f"- **Cost**: {trace.cost_name.replace('_', '-')}, {COST_FORMULAS[trace.cost_name]}.",
        f"- **Learning rate**: $\\eta = {eq.num(lesson.learning_rate)}$.",
        f"- **Weights**: {origin or 'origin not recorded'}; iteration {lesson.iteration}"
        + (" (the network after the updates of the earlier iterations)." if lesson.iteration > 1 else "."),
        f"- **Sample**: ${_vector('x', trace.a(0))}$, ${_vector('y', trace.y)}$.",
        "- **Indices are 1-based, as in the lecture**: $W^l_{kj}$ joins node j of layer l−1 to node k of "
        "layer l; layer 0 is the input, $a^0 = x$.",
        f"- **Numbers** are rounded to {eq.DIGITS} significant digits; the JSON and CSV downloads of this "
        "iteration hold every number in full.",
    ]
    if summarised:
        which = ", ".join(str(l) for l in summarised)
        lines.append(
            f"- **Summarised**: layer{'s' * (len(summarised) > 1)} {which} "
            f"{'have' if len(summarised) > 1 else 'has'} more than {WRITE_OUT_WEIGHTS} weights "
            "(8 × 8), so their weight gradients and updated weights are tables, not one equation per "
            "weight. Every input sum, delta, bias gradient and bias update is still written out."
        )
    else:
        lines.append("- **Nothing is summarised**: every equation is written out.")
    return "\n".join(lines) + "\n"


def _act_name(net, l: int) -> str:
    return net.output_activation if l == net.L else net.activation


def _display(latex: str) -> str:
    """Display math on lines of its own, with a blank line after, as GitHub and Jupyter both want it."""
    return f"$$\n{latex}\n$$\n"


def _lines(equations: list[str]) -> str:
    """Several `aligned` equations as one `aligned` block, so that they line up at their = signs."""
    inner = [e.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}") for e in equations]
    return r"\begin{aligned}" + r" \\ ".join(inner) + r"\end{aligned}"


def _vector(name: str, values) -> str:
    """A named vector with every entry: a^1 = (0.5933, 0.5969)."""
    return rf"{name} = ({', '.join(eq.num(v) for v in np.asarray(values).ravel())})"


def _cell(v: float) -> str:
    """A number for a Markdown table: inline math only where it needs it (powers of ten)."""
    s = eq.num(v)
    return f"${s}$" if "\\" in s else s


def _table(M: np.ndarray, extra: tuple[str, np.ndarray] | None = None) -> str:
    """A matrix as a Markdown table, row k and column j 1-based; `extra` adds a named column (a vector)."""
    head = ["k \\ j"] + [f"j = {j + 1}" for j in range(M.shape[1])] + ([extra[0]] if extra else [])
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k in range(M.shape[0]):
        cells = [f"k = {k + 1}"] + [_cell(v) for v in M[k]] + ([_cell(extra[1][k])] if extra else [])
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------------------------------------------
# JSON and CSV


def _record(lesson, origin: str | None) -> dict:
    trace, new, cost_after = _iteration(lesson)
    net = trace.network
    return {
        "format": FORMAT,
        "version": VERSION,
        "sizes": list(net.sizes),
        "activation": net.activation,
        "output_activation": net.output_activation,
        "cost": trace.cost_name,
        "learning_rate": float(lesson.learning_rate),
        "iteration": lesson.iteration,
        "origin": origin,
        "x": trace.a(0).tolist(),
        "y": trace.y.tolist(),
        "a0": trace.a(0).tolist(),
        "layers": [
            {"l": l, **{key: _listed(arr) for key, arr in arrays.items()}}
            for l, arrays in enumerate(_layers(trace, new), start=1)
        ],
        "cost_before": float(trace.cost),
        "cost_after": float(cost_after),
    }


def _listed(arr: np.ndarray) -> list:
    """arr.tolist(), with None (JSON null) for an entry beyond the floats (only ∂C/∂aᴸ can be one)."""
    return [v if math.isfinite(v) else None for v in arr.tolist()] if arr.ndim == 1 else arr.tolist()


def worked_sheet_json(lesson, origin: str | None = None) -> str:
    """Every array of the iteration as JSON (the schema in this module's docstring); floats by repr."""

    # tolist() gives Python floats, which json writes with repr: the shortest text that parses back exactly.
    # One top-level key, and one array of a layer, to a line: readable, and json's fast C encoder per value.
    def dump(value) -> str:
        return json.dumps(value, allow_nan=False, separators=(", ", ": "))

    record = _record(lesson, origin)
    layers = record.pop("layers")
    lines = [f" {dump(key)}: {dump(value)}" for key, value in record.items()]
    lines.append(
        ' "layers": [\n'
        + ",\n".join(
            "  {\n" + ",\n".join(f"   {dump(key)}: {dump(value)}" for key, value in layer.items()) + "\n  }"
            for layer in layers
        )
        + "\n ]"
    )
    return "{\n" + ",\n".join(lines) + "\n}\n"


def worked_sheet_csv(lesson) -> str:
    """Every number of the iteration as one tidy CSV table: layer, quantity, k, j, value (k, j 1-based)."""
    trace, new, cost_after = _iteration(lesson)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["layer", "quantity", "k", "j", "value"])

    def vector(layer, name, values):
        w.writerows([layer, name, k, "", repr(v)] for k, v in enumerate(values.tolist(), start=1))

    vector("", "x", trace.a(0))
    vector("", "y", trace.y)
    vector(0, "a", trace.a(0))
    for l, arrays in enumerate(_layers(trace, new), start=1):
        for name in LAYER_KEYS:
            arr = arrays[name]
            if arr.ndim == 1:
                vector(l, name, arr)
            else:
                w.writerows(
                    [l, name, k, j, repr(v)]
                    for k, row in enumerate(arr.tolist(), start=1)
                    for j, v in enumerate(row, start=1)
                )
    for name, v in (("learning_rate", lesson.learning_rate), ("cost_before", trace.cost), ("cost_after", cost_after)):
        w.writerow(["", name, "", "", repr(float(v))])
    return buf.getvalue()


def load_json(text: str | bytes) -> dict:
    """A worked sheet's JSON, checked against the schema, with its arrays as float64 NumPy arrays.

    Returns a dict with the schema's keys: "sizes" a tuple, "x", "y", "a0" arrays, "learning_rate",
    "cost_before", "cost_after" floats, and "layers" a dict {l: {"W": array, …}} keyed by the lecture's
    l = 1..L. Raises ValueError naming the problem: not JSON, a missing or unknown key, a wrong shape,
    a name that is not an activation or cost, a number that is not finite.
    """

    def refuse_constant(name):
        raise ValueError(f"the worked sheet contains {name}; every number must be finite")

    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as err:
        raise ValueError(f"the worked sheet is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the worked sheet must be a JSON object; got {type(data).__name__}")
    _checks.keys(data, REQUIRED, OPTIONAL, "the worked sheet")
    if data["format"] != FORMAT or data["version"] != VERSION:
        raise ValueError(
            f"this is not a version {VERSION} worked sheet: format {data['format']!r}, "
            f"version {data['version']!r}; expected {FORMAT!r}, version {VERSION}"
        )
    sizes = data["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes)
    ):
        raise ValueError(f"sizes must be a list of at least two positive integers; got {sizes!r}")
    layers = data["layers"]
    L = len(sizes) - 1
    if not isinstance(layers, list) or len(layers) != L:
        raise ValueError(
            f"layers must be a list of {L} objects, one per layer l = 1..{L} of sizes {sizes}; got {_kind(layers)}"
        )
    for key, table in (("activation", ACTIVATIONS), ("output_activation", ACTIVATIONS), ("cost", COSTS)):
        if data[key] not in table:
            raise ValueError(f"unknown {key} {data[key]!r}; choose one of {', '.join(map(repr, table))}")
    out = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": tuple(sizes),
        "activation": data["activation"],
        "output_activation": data["output_activation"],
        "cost": data["cost"],
        "iteration": data.get("iteration"),
        "origin": data.get("origin"),
    }
    for key in ("learning_rate", "cost_before", "cost_after"):
        out[key] = float(_array(data[key], key, ()))
    out["x"] = _array(data["x"], "x", (sizes[0],))
    out["a0"] = _array(data["a0"], "a0", (sizes[0],))
    out["y"] = _array(data["y"], "y", (sizes[-1],))
    out["layers"] = {}
    for l, layer in enumerate(layers, start=1):
        where = f"layers[{l - 1}]"
        if not isinstance(layer, dict):
            raise ValueError(f"{where} must be an object; got {type(layer).__name__}")
        _checks.keys(layer, ("l",) + LAYER_KEYS, (), where)
        if layer["l"] != l:
            raise ValueError(f"{where} must be layer l = {l}; got l = {layer['l']!r}")
        beyond = None
        if l == L and data["cost"] == "cross_entropy" and isinstance(layer["dC_da"], list):
            beyond = [v is None for v in layer["dC_da"]]  # ∂C/∂aᴸₖ beyond the floats
            layer = {**layer, "dC_da": [0.0 if v is None else v for v in layer["dC_da"]]}
        out["layers"][l] = {
            key: _array(
                layer[key], f"{where}.{key} (layer {l})", (sizes[l], sizes[l - 1]) if key in MATRICES else (sizes[l],)
            )
            for key in LAYER_KEYS
        }
        if beyond is not None and any(beyond):
            arrays = out["layers"][l]
            arrays["dC_da"] = np.where(beyond, np.copysign(np.inf, arrays["delta"]), arrays["dC_da"])
    return out


def _array(values, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """`values` as a float64 array of `shape`, of finite numbers (JSON true/false are not numbers)."""
    if _has_bool_or_text(values):
        raise ValueError(f"{name} must hold numbers only; got {_short(values)}")
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers in shape {shape}; got {_short(values)}") from None
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers; it contains NaN or infinity")
    return arr


def _has_bool_or_text(values) -> bool:
    if isinstance(values, list):
        return any(_has_bool_or_text(v) for v in values)
    return isinstance(values, (bool, str)) or values is None


def _kind(value) -> str:
    return f"a list of {len(value)}" if isinstance(value, list) else type(value).__name__


def _short(values) -> str:
    text = json.dumps(values)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = [
    "worked_sheet_markdown",
    "worked_sheet_json",
    "worked_sheet_csv",
    "load_json",
    "FORMAT",
    "VERSION",
    "WRITE_OUT_WEIGHTS",
]
