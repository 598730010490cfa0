r"""A trained network with its training settings as JSON, and the checked way back.

JSON schema, version 1 (numbers are float64 written by `repr`, so they parse back to the identical float):

    format             "backprop-lab model"
    version            1
    sizes              [n₀, …, n_L]: at most MAX_IO_WIDTH inputs and outputs, MAX_HIDDEN_LAYERS hidden layers
                       of at most MAX_HIDDEN_WIDTH nodes (the app's limits, backprop/limits.py)
    activation         name of σ in the hidden layers 1..L−1
    output_activation  name of σ in the output layer L
    cost               "quadratic" or "cross_entropy"
    learning_rate      η
    weights            [W¹, …, Wᴸ], Wˡ a list of nₗ rows of nₗ₋₁ numbers: weights[l−1][k][j] is Wˡₖⱼ
                       (k, j 0-based)
    biases             [b¹, …, bᴸ], bˡ a list of nₗ numbers
    batch_size         samples per step                                        (optional, default 32)
    seed               the seed of the initial weights and the shuffles         (optional, default 0)
    init               "auto", "xavier", "he" or "normal"                      (optional, default "auto")
    epochs             epochs trained                                          (optional, default 0)
    dataset            what it was trained on, or null                         (optional):
                       name, kind ("classification" or "regression"), features [n₀ names], target (a name),
                       class_labels (["…", "…"] or []), settings (the generator's or the CSV's: name → number
                       or text), input_shift, input_scale (n₀ numbers: network input = (x − shift) / scale),
                       target_shift, target_scale (n_L numbers, likewise for the targets)

`load_model_json` refuses, with a ValueError naming the problem, anything else: not JSON, larger than
MAX_MODEL_BYTES, nested too deeply, a key twice, a missing or unknown key, another format or version, sizes
beyond the limits, a wrong shape, a value that is not a finite number, an unknown activation or cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _checks
from ..activations import ACTIVATIONS
from ..costs import COSTS
from ..limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH, MAX_IO_WIDTH
from ..network import Network
from .datasets import CLASSIFICATION, GENERATORS, REGRESSION, Dataset, Scaling, generate
from .descent import TrainConfig, TrainState

FORMAT = "backprop-lab model"
VERSION = 1
MAX_MODEL_BYTES = 1_000_000  # the largest allowed model writes about 40 kB
MAX_TEXT = 100  # characters in a name or a setting's text
MAX_SETTINGS = 12
MAX_BATCH_SIZE = 1_000_000
REQUIRED = (
    "format",
    "version",
    "sizes",
    "activation",
    "output_activation",
    "cost",
    "learning_rate",
    "weights",
    "biases",
)
OPTIONAL = ("batch_size", "seed", "init", "epochs", "dataset")
DATASET_KEYS = (
    "name",
    "kind",
    "features",
    "target",
    "class_labels",
    "settings",
    "input_shift",
    "input_scale",
    "target_shift",
    "target_scale",
)


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """What a model file says about its training data: enough to label a plot, or to regenerate the data."""

    name: str
    kind: str
    feature_names: tuple[str, ...]
    target_name: str
    class_labels: tuple[str, ...]
    settings: tuple[tuple[str, object], ...]
    input_scaling: Scaling
    target_scaling: Scaling

    def generated(self) -> Dataset | None:
        """The same generated dataset again (name and settings of a generator), or None (say, a CSV file)."""
        s: dict[str, Any] = dict(self.settings)  # numbers of several types; generate checks them
        if self.name in GENERATORS and set(s) == {"n", "noise", "seed", "test_fraction"}:
            try:
                return generate(self.name, **s)
            except ValueError:
                return None
        return None


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model file's network and settings, checked."""

    network: Network
    config: TrainConfig  # sizes, activations, cost, η, batch size, seed, init
    epochs: int
    dataset: DatasetInfo | None


def check_app_limits(sizes: tuple[int, ...]) -> None:
    """Raise ValueError unless `sizes` is a network the app can build."""
    L = len(sizes) - 1
    if L < 1:
        raise ValueError(f"a network needs at least two layers; got sizes {list(sizes)}")
    if L - 1 > MAX_HIDDEN_LAYERS:
        raise ValueError(f"the network has {L - 1} hidden layers; the app allows at most {MAX_HIDDEN_LAYERS}")
    for l, n in enumerate(sizes):
        cap = MAX_IO_WIDTH if l in (0, L) else MAX_HIDDEN_WIDTH
        if not 1 <= n <= cap:
            what = "input" if l == 0 else "output" if l == L else "hidden"
            raise ValueError(f"layer {l} ({what}) has {n} nodes; the app allows 1 to {cap}")


def model_json(
    model: TrainState | Network,
    config: TrainConfig | None = None,
    data: Dataset | None = None,
    epochs: int | None = None,
) -> str:
    """The network and its settings as JSON (the schema in this module's docstring); floats by repr.

    Give a TrainState (its network, config, data and epoch are written), or a Network with its TrainConfig
    and optionally the Dataset and the number of epochs.
    """
    if isinstance(model, TrainState):
        net, config = model.network, model.config
        data = model.data if data is None else data
        epochs = model.epoch if epochs is None else epochs
    elif isinstance(model, Network):
        net = model
        if config is None:
            raise ValueError("model_json needs the TrainConfig of the network: its cost and learning rate")
    else:
        raise ValueError(f"model_json takes a TrainState or a Network; got {type(model).__name__}")
    if (net.sizes, net.activation, net.output_activation) != (
        config.sizes,
        config.activation,
        config.output_activation,
    ):
        raise ValueError("the config does not describe this network (sizes or activations differ)")
    check_app_limits(net.sizes)
    record: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": list(net.sizes),
        "activation": net.activation,
        "output_activation": net.output_activation,
        "cost": config.cost,
        "learning_rate": config.learning_rate,
        "batch_size": config.batch_size,
        "seed": config.seed,
        "init": config.init,
        "epochs": int(epochs or 0),
        "weights": [net.W(l).tolist() for l in range(1, net.L + 1)],
        "biases": [net.b(l).tolist() for l in range(1, net.L + 1)],
        "dataset": None if data is None else _dataset_record(data),
    }

    # tolist() gives Python floats, which json writes with repr: the shortest text that parses back exactly.
    def dump(value) -> str:
        return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(", ", ": "))

    lines = []
    for key, value in record.items():
        if key in ("weights", "biases"):  # one row of a matrix, or one vector, to a line
            rows = [
                dump(a) if key == "biases" else "[\n    " + ",\n    ".join(dump(r) for r in a) + "\n   ]" for a in value
            ]
            lines.append(f" {dump(key)}: [\n   " + ",\n   ".join(rows) + "\n ]")
        else:
            lines.append(f" {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _dataset_record(data: Dataset) -> dict:
    return {
        "name": data.name,
        "kind": data.kind,
        "features": list(data.feature_names),
        "target": data.target_name,
        "class_labels": list(data.class_labels),
        "settings": data.settings_dict(),
        "input_shift": data.input_scaling.shift.tolist(),
        "input_scale": data.input_scaling.scale.tolist(),
        "target_shift": data.target_scaling.shift.tolist(),
        "target_scale": data.target_scaling.scale.tolist(),
    }


def load_model_json(text: str | bytes) -> LoadedModel:
    """A model file, checked against the schema: its network, its config, its epochs and its dataset's
    description. Raises ValueError naming what is wrong."""
    data = _parse(text)
    if not isinstance(data, dict):
        raise ValueError(f"a model file must be a JSON object {{…}}; this one is {_kind(data)}")
    if data.get("format") != FORMAT or type(data.get("version")) is not int or data["version"] != VERSION:
        raise ValueError(
            f"this is not a version {VERSION} model file: format {_short(data.get('format'))}, "
            f"version {_short(data.get('version'))}; expected {FORMAT!r}, version {VERSION}"
        )
    _checks.keys(data, REQUIRED, OPTIONAL, "the model file")
    sizes = data["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or len(sizes) > MAX_HIDDEN_LAYERS + 2
        or not all(type(n) is int for n in sizes)
    ):
        raise ValueError(
            f"sizes must be a list of 2 to {MAX_HIDDEN_LAYERS + 2} whole numbers, the width of "
            f"each layer; got {_short(sizes)}"
        )
    sizes = tuple(sizes)
    check_app_limits(sizes)
    L = len(sizes) - 1
    for key, table in (("activation", ACTIVATIONS), ("output_activation", ACTIVATIONS), ("cost", COSTS)):
        if not isinstance(data[key], str) or data[key] not in table:
            raise ValueError(
                f"unknown {key.replace('_', ' ')} {_short(data[key])}; choose one of " + ", ".join(map(repr, table))
            )
    for key in ("weights", "biases"):
        if not isinstance(data[key], list) or len(data[key]) != L:
            raise ValueError(
                f"{key} must be a list of {L} {'matrices' if key == 'weights' else 'vectors'}, one "
                f"per layer l = 1..{L} of sizes {list(sizes)}; got {_kind(data[key])}"
            )
    W = [_array(w, f"weights[{l - 1}] (W{l})", (sizes[l], sizes[l - 1])) for l, w in enumerate(data["weights"], 1)]
    b = [_array(v, f"biases[{l - 1}] (b{l})", (sizes[l],)) for l, v in enumerate(data["biases"], 1)]
    net = Network.from_arrays(W, b, data["activation"], data["output_activation"])
    learning_rate = float(_array(data["learning_rate"], "learning_rate", ()))
    batch_size = _int(data.get("batch_size", 32), "batch_size", 1, MAX_BATCH_SIZE)
    seed = _int(data.get("seed", 0), "seed", 0, 2**63 - 1)
    epochs = _int(data.get("epochs", 0), "epochs", 0, 10**12)
    init = data.get("init", "auto")
    if not isinstance(init, str):
        raise ValueError(f"init must be a name such as 'auto'; got {_short(init)}")
    config = TrainConfig(
        sizes, data["activation"], data["output_activation"], data["cost"], learning_rate, batch_size, seed, init
    )
    info = None if data.get("dataset") is None else _dataset_info(data["dataset"], sizes)
    return LoadedModel(net, config, epochs, info)


def _dataset_info(d, sizes: tuple[int, ...]) -> DatasetInfo:
    where = "dataset"
    if not isinstance(d, dict):
        raise ValueError(f"dataset must be an object or null; got {_kind(d)}")
    _checks.keys(d, DATASET_KEYS, (), where)
    n0, nL = sizes[0], sizes[-1]
    if d["kind"] not in (CLASSIFICATION, REGRESSION):
        raise ValueError(f"dataset.kind must be {CLASSIFICATION!r} or {REGRESSION!r}; got {_short(d['kind'])}")
    features = _texts(d["features"], "dataset.features", n0)
    labels = _texts(d["class_labels"], "dataset.class_labels", None)
    if len(labels) not in (0, 2):
        raise ValueError(f"dataset.class_labels must hold two labels, or none; got {len(labels)}")
    settings = d["settings"]
    if not isinstance(settings, dict) or len(settings) > MAX_SETTINGS:
        raise ValueError(f"dataset.settings must be an object of at most {MAX_SETTINGS} entries; got {_kind(settings)}")
    for key, value in settings.items():
        _text(key, "a key of dataset.settings")
        ok = (
            (isinstance(value, str) and len(value) <= MAX_TEXT)
            or type(value) is int
            or (type(value) is float and np.isfinite(value))
        )
        if not ok:
            raise ValueError(f"dataset.settings[{key!r}] must be a number or a short text; got {_short(value)}")
    scalings = []
    for part, n in (("input", n0), ("target", nL)):
        shift = _array(d[f"{part}_shift"], f"dataset.{part}_shift", (n,))
        scale = _array(d[f"{part}_scale"], f"dataset.{part}_scale", (n,))
        if not np.all(scale > 0):
            raise ValueError(
                f"dataset.{part}_scale must be positive numbers (standard deviations); got {_short(d[f'{part}_scale'])}"
            )
        shift.flags.writeable = scale.flags.writeable = False
        scalings.append(Scaling(shift, scale))
    return DatasetInfo(
        _text(d["name"], "dataset.name"),
        d["kind"],
        features,
        _text(d["target"], "dataset.target"),
        labels,
        tuple(settings.items()),
        *scalings,
    )


def _parse(text):
    """JSON text → Python values, refusing size, encoding, nesting, duplicate keys and non-finite numbers."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text)
        if len(text) > MAX_MODEL_BYTES:
            raise ValueError(
                f"the model file is {_checks.size(len(text))}; at most {_checks.size(MAX_MODEL_BYTES)} "
                "is allowed (a model of the app's largest size takes about 40 kB)"
            )
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the model file is not UTF-8 text: it must be the JSON this app exports") from None
    elif isinstance(text, str):
        if (n := len(text.encode("utf-8", "surrogatepass"))) > MAX_MODEL_BYTES:
            raise ValueError(
                f"the model file is {_checks.size(n)}; at most {_checks.size(MAX_MODEL_BYTES)} "
                "is allowed (a model of the app's largest size takes about 40 kB)"
            )
    else:
        raise ValueError(f"a model file must be given as text or bytes; got {type(text).__name__}")
    text = text.lstrip("\ufeff")  # byte-order marks before the JSON (an editor may have added two)

    def refuse_constant(name):
        raise ValueError(f"the model file contains {name}; every number must be finite")

    def no_duplicates(pairs):
        # One pass (a 1 MB file of one key repeated took 15-88 s with keys.count per key: quadratic).
        seen, twice = set(), set()
        for k, _ in pairs:
            (twice if k in seen else seen).add(k)
        twice = sorted(twice)[:5]
        if twice:
            raise ValueError(
                f"the model file names the key{'s' * (len(twice) > 1)} "
                f"{', '.join(map(repr, twice))} twice in one object"
            )
        return dict(pairs)

    try:
        return json.loads(text, parse_constant=refuse_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"the model file is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise ValueError(
            "the model file is nested too deeply to be a model: it is not the JSON this app exports"
        ) from None
    except ValueError as err:  # refuse_constant, no_duplicates, or an integer of more than 4300 digits
        if "model file" in str(err):
            raise ValueError(str(err)) from None
        raise ValueError(
            "the model file holds a number with too many digits to read: it is not the JSON this app exports"
        ) from None


def _array(values, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """`values` as a float64 array of `shape`, of finite numbers (JSON true/false, text and null are not)."""
    if _has_bool_or_text(values, len(shape)):
        raise ValueError(f"{name} must hold numbers only; got {_short(values)}")
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be numbers in shape {shape}; got {_short(values)}") from None
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers; it contains a number too large for float64")
    return arr


def _has_bool_or_text(values, depth: int) -> bool:
    """True if anything but numbers and lists sits within `depth` levels (deeper is a shape error)."""
    if isinstance(values, list):
        return depth > 0 and any(_has_bool_or_text(v, depth - 1) for v in values)
    return isinstance(values, (bool, str, dict)) or values is None


def _int(value, name: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}; got {_short(value)}")
    return value


def _text(value, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(f"{name} must be a text of at most {MAX_TEXT} characters; got {_short(value)}")
    return value


def _texts(values, name: str, n: int | None) -> tuple[str, ...]:
    if not isinstance(values, list) or (n is not None and len(values) != n) or len(values) > MAX_IO_WIDTH:
        want = f"a list of {n}" if n is not None else "a list of"
        raise ValueError(f"{name} must be {want} names; got {_kind(values)}")
    return tuple(_text(v, name) for v in values)


def _kind(value) -> str:
    return (
        f"a list of {len(value)}"
        if isinstance(value, list)
        else "null"
        if value is None
        else f"a {type(value).__name__}"
    )


def _short(value) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = [
    "FORMAT",
    "VERSION",
    "MAX_IO_WIDTH",
    "MAX_HIDDEN_WIDTH",
    "MAX_HIDDEN_LAYERS",
    "MAX_MODEL_BYTES",
    "DatasetInfo",
    "LoadedModel",
    "check_app_limits",
    "model_json",
    "load_model_json",
]
