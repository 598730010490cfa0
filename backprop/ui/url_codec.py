"""Each page's state as URL query parameters, decoded through a typed whitelist.

Only the keys of the page's field set are read (FIELDS for the pages that show the step-through network,
GRADIENT_CHECK adds ε; the two-nodes page builds its own set from these parsers); each is parsed and range-checked on
its own, and anything else — an unknown
key, text where a number belongs, NaN, out of range, too long — falls back to the default for that key and
is named in one notice. Numbers have one grammar on every page (below): ASCII decimal, an optional sign,
spaces around ignored, −0 read as 0. A key given twice counts once, with its last value, as st.query_params
reads it. Nothing from a URL is evaluated or unpickled. Pure Python: no Streamlit here, so
the codec is tested on its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from backprop.activations import ACTIVATIONS
from backprop.costs import COSTS
from backprop.gradcheck import EPSILONS
from backprop.lesson.edits import EDIT_LIMIT
from backprop.lesson.presets import PRESETS
from backprop.limits import MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH, MAX_IO_WIDTH
from backprop.network import INITS

MAX_LEN = 200  # characters: longer values are refused before they are parsed
MAX_ITERATION = 50  # a link may name an iteration up to this; reaching it replays the updates
MAX_EDITS = 8  # hand-set weights (and, apart, biases) a link carries at most, within MAX_LEN characters
SAMPLE_RANGE = 10.0


# One numeric grammar for every page's link: ASCII decimal only, an optional sign, spaces around allowed (a
# "+" in a query string arrives as a space). Python's own int() and float() accept more than a link should:
# "1_000", "０" (full-width digits), "inf", "nan", "0x10" (int(x, 0)); and float("-0") is −0.0, which NumPy
# refuses as a scale ("scale < 0") and which prints as "-0". A value here is never −0: −0 is 0.
_SPACES = " \t\r\n"  # ASCII white space only: no non-breaking or other Unicode spaces
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def integer(lo: int, hi: int):
    def parse(text: str) -> int:
        text = text.strip(_SPACES)
        if not _INTEGER.fullmatch(text):
            raise ValueError("is not a whole number")
        v = int(text)
        if not lo <= v <= hi:
            raise ValueError(f"is not in {lo}..{hi}")
        return v

    return parse


def number(lo: float, hi: float):
    def parse(text: str) -> float:
        text = text.strip(_SPACES)
        if not _NUMBER.fullmatch(text):
            raise ValueError("is not a number")
        v = float(text) + 0.0  # −0.0 + 0.0 is +0.0
        if not math.isfinite(v) or not lo <= v <= hi:
            raise ValueError(f"is not a number in {lo:g}..{hi:g}")
        return v

    return parse


def choice(names):
    names = tuple(names)

    def parse(text: str) -> str:
        if text not in names:
            raise ValueError(f"is not one of {', '.join(names)}")
        return text

    return parse


def flag(text: str) -> bool:
    """A switch: "1" on, "0" off."""
    if text not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return text == "1"


def _ints(lo: int, hi: int, count_lo: int, count_hi: int):
    one = integer(lo, hi)

    def parse(text: str) -> tuple[int, ...]:
        values = tuple(one(p) for p in text.split(",")) if text else ()
        if not count_lo <= len(values) <= count_hi:
            raise ValueError(f"needs {count_lo}..{count_hi} numbers")
        return values

    return parse


def _floats(text: str) -> tuple[float, ...]:
    values = tuple(number(-SAMPLE_RANGE, SAMPLE_RANGE)(p) for p in text.split(","))
    if not 1 <= len(values) <= 8:
        raise ValueError("needs 1..8 numbers")
    return values


def edit_list(n_indices: int):
    """Hand-set entries "l,k,j,v;l,k,j,v" (weights, n_indices 3) or "l,k,v;…" (biases, 2): 1-based
    whole-number indices (l up to the deepest network's L, k and j up to the widest layer), a value within
    ±EDIT_LIMIT, 1..MAX_EDITS entries, no entry twice. Checked against the network when used."""
    layer = integer(1, MAX_HIDDEN_LAYERS + 1)
    node = integer(1, max(MAX_HIDDEN_WIDTH, MAX_IO_WIDTH))
    value = number(-EDIT_LIMIT, EDIT_LIMIT)

    def parse(text: str) -> tuple[tuple, ...]:
        entries = text.split(";")
        if not 1 <= len(entries) <= MAX_EDITS:
            raise ValueError(f"needs 1..{MAX_EDITS} entries separated by “;”")
        out = []
        for entry in entries:
            parts = entry.split(",")
            if len(parts) != n_indices + 1:
                raise ValueError(f"needs entries of {n_indices} indices and a value")
            out.append((layer(parts[0]), *(node(p) for p in parts[1:n_indices]), value(parts[-1])))
        if len({e[:-1] for e in out}) != len(out):
            raise ValueError("names an entry twice")
        return tuple(out)

    return parse


def one_of_numbers(values):
    """One of a few numbers (say ε = 1e-06), written in any float notation ("0.000001" too)."""
    values = tuple(values)

    def parse(text: str) -> float:
        v = number(min(values), max(values))(text)
        for allowed in values:
            if abs(v - allowed) <= 1e-9 * abs(allowed):
                return allowed
        raise ValueError("is not one of " + ", ".join(f"{a:g}" for a in values))

    return parse


# key → parser. The keys are short so that a link stays readable.
FIELDS = {
    "preset": choice(PRESETS),  # fixed weights of a preset, instead of random ones
    "in": integer(1, MAX_IO_WIDTH),  # nodes in the input layer
    "h": _ints(1, MAX_HIDDEN_WIDTH, 0, MAX_HIDDEN_LAYERS),  # nodes in each hidden layer: "3,4"
    "out": integer(1, MAX_IO_WIDTH),  # nodes in the output layer
    "act": choice(ACTIVATIONS),  # hidden activation
    "outact": choice(ACTIVATIONS),  # output activation
    "cost": choice(COSTS),
    "lr": number(0.0, 10.0),  # learning rate η
    "seed": integer(0, 2**31 - 1),
    "init": choice(("auto", *INITS)),
    "bias": flag,  # the update moves the biases too (1) or keeps them (0)
    "x": _floats,  # the input sample
    "y": _floats,  # the target
    "it": integer(1, MAX_ITERATION),  # the iteration
    "step": integer(0, 2 * (MAX_HIDDEN_LAYERS + 1) + 2),  # the step of the timeline; checked against L when used
    "w": _ints(1, MAX_HIDDEN_WIDTH, 3, 3),  # the chosen weight l, k, j, 1-based; checked when used
    "ei": integer(1, MAX_ITERATION),  # the iteration whose network was edited by hand (1 if not given)
    "ew": edit_list(3),  # weights set by hand on top of the seed or preset: "l,k,j,value;…", 1-based
    "eb": edit_list(2),  # biases set by hand: "l,k,value;…", 1-based
    "present": choice(("0", "1")),  # presenter mode (read by app.py)
}
GRADIENT_CHECK = {**FIELDS, "epsilon": one_of_numbers(EPSILONS)}  # the step ε of the finite differences


def decode(params: Mapping[str, str | list[str]], fields: Mapping = FIELDS) -> tuple[dict, list[str]]:
    """The valid values among `params` (for the keys of `fields`), and a notice for each key ignored."""
    values, problems = {}, []
    for key, raw in params.items():
        text = raw[-1] if isinstance(raw, list) else raw
        name = str(key)[:20]
        if key not in fields:
            problems.append(f"“{name}” is not a setting")
            continue
        if not isinstance(text, str) or len(text) > MAX_LEN:
            problems.append(f"“{name}” is too long")
            continue
        try:
            values[key] = fields[key](text.strip(_SPACES))
        except (ValueError, OverflowError) as err:
            problems.append(f"“{name}” {err}")
    return values, problems


def encode(values: Mapping, fields: Mapping = FIELDS) -> dict[str, str]:
    """Query parameters for `values` (keys of `fields`); the inverse of decode for valid values."""
    out = {}
    for key, v in values.items():
        if key not in fields or v is None:
            continue
        if isinstance(v, (tuple, list)) and v and isinstance(v[0], (tuple, list)):  # entries: "l,k,j,v;…"
            out[key] = ";".join(",".join(_text(x) for x in entry) for entry in v)
        elif isinstance(v, (tuple, list)):
            out[key] = ",".join(_text(x) for x in v)
        else:
            out[key] = _text(v)
    return out


def _text(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    return repr(float(v)) if isinstance(v, float) else str(v)
