"""Input checks shared by the core. Every failure is a ValueError that names what was wrong."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np

Array = np.ndarray


def frozen(values, name: str, shape: tuple[int, ...] | None = None) -> Array:
    """A read-only float64 copy of `values`, checked for shape and finiteness."""
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numbers; got {_short(values)} ({err})") from None
    if shape is not None and arr.shape != shape:
        want = "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want}; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers; it contains NaN or infinity")
    arr.flags.writeable = False
    return arr


def read_only(arr: Array) -> Array:
    """Mark an array the core computed as read-only, and return it."""
    arr.flags.writeable = False
    return arr


def by_name(table: Mapping[str, object], name, what: str):
    """Look `name` up in `table`, or raise a ValueError listing the valid names."""
    if isinstance(name, str) and name in table:
        return table[name]
    valid = ", ".join(repr(n) for n in table)
    raise ValueError(f"unknown {what} {name!r}; choose one of {valid}")


def layer(l, first: int, last: int, what: str) -> int:
    """Check a lecture layer number `l` lies in first..last."""
    if isinstance(l, (bool, np.bool_)) or not isinstance(l, (int, np.integer)):
        raise ValueError(f"{what} needs an integer layer number; got {l!r}")
    if not first <= l <= last:
        raise ValueError(f"{what} is defined for layers {first}..{last}; got layer {l}")
    return int(l)


def index(i, size: int, what: str) -> int:
    """Check a 0-based node index `i` lies in 0..size-1 (messages show it 1-based, as the labels do)."""
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) or not 0 <= i < size:
        raise ValueError(f"{what} must be a 0-based index in 0..{size - 1}; got {i!r}")
    return int(i)


def keys(obj: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str) -> None:
    """A ValueError naming what is missing from, or unknown in, a file's JSON object (unknown names
    shortened and at most five named: a hostile file may hold thousands of long ones)."""
    missing = [k for k in required if k not in obj]
    unknown = [k for k in obj if k not in required and k not in optional]
    if missing:
        raise ValueError(f"{where} lacks the key{'s' * (len(missing) > 1)} {', '.join(map(repr, missing))}")
    if unknown:
        names = ", ".join(repr(k if len(k) <= 40 else k[:39] + "…") for k in map(str, unknown[:5]))
        raise ValueError(
            f"{where} has unknown key{'s' * (len(unknown) > 1)} {names}; the keys are "
            f"{', '.join(map(repr, required + optional))}"
        )


def size(n_bytes: int) -> str:
    """A file's exact size for a message: "1,000,004 bytes (1.0 MB)". Rounded alone, a file 4 bytes over a
    1 MB limit read "the file is 1 MB; at most 1 MB"."""
    rounded = f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 100_000 else f"{n_bytes / 1e3:.1f} kB"
    return f"{n_bytes:,} bytes ({rounded})" if n_bytes >= 1000 else f"{n_bytes} bytes"


def _short(values) -> str:
    text = repr(values)
    return text if len(text) <= 60 else text[:57] + "..."


@contextmanager
def finite_arithmetic(what: str, hint: str) -> Iterator[None]:
    """Run NumPy arithmetic that must stay finite: an overflow or an invalid operation (inf − inf, 0 · inf)
    becomes a ValueError naming `what` went wrong and `hint` how to avoid it, instead of a warning and
    arrays of infinities and NaN. Underflow to 0 is correct rounding and allowed."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
    except FloatingPointError as err:
        raise ValueError(f"{what} overflowed ({err}); {hint}") from None
