r"""Small datasets to train on: seeded generators, and a user's CSV file, checked strictly.

Every dataset is a `Dataset`: inputs X (n, d) and targets Y (n, m) as the network sees them, a train/test
split, and the `Scaling` that turns network units back into the original ones (for axes in plots).

The generators, all with n points (N_MIN..N_MAX), a noise level in [0, 1], a seed and a test fraction
(0..MAX_TEST_FRACTION). Their inputs already lie in about [−1, 1], so their scaling is the identity.

  xor      2 inputs; class 1 where x₁ and x₂ differ in sign. At noise 0 the points are uniform in the four
           quadrants, at least XOR_GAP from the axes; noise adds jitter N(0, (NOISE_STD·noise)²) to x.
  circles  2 inputs; class 1 on a circle of radius INNER_RADIUS around 0, class 0 on one of radius
           OUTER_RADIUS (exactly, at noise 0); noise adds jitter to x.
  moons    2 inputs; scikit-learn's two interleaved half circles of radius 1, mapped by (x − (0.5, 0.25))/1.5
           into [−1, 1] × [−0.5, 0.5]; class 1 is the lower moon; noise adds jitter to x.
  spiral   2 inputs; two arms r = SPIRAL_R0 + (1 − SPIRAL_R0)·t, θ = 2π·SPIRAL_TURNS·t + class·π for t in
           [0, 1]; noise adds jitter to x.
  blobs    2 inputs; Gaussians of standard deviation BLOB_STD + 0.4·noise around (−0.5, −0.5) (class 0) and
           (0.5, 0.5) (class 1): apart at noise 0, overlapping at noise 1.
  sine     1 input, regression: y = sin(π x) for x uniform in [−1, 1]; noise adds N(0, (NOISE_STD·noise)²) to y.

Classification sets have n // 2 points of class 0 and the rest of class 1, a single output column holding
0 or 1 (so a sigmoid output with the cross-entropy cost fits them). The sine's targets lie in about [−1, 1]:
a tanh or linear output fits them, a sigmoid output cannot reach below 0.

CSV files (`read_csv`, `csv_columns`, `from_csv`): UTF-8 text (a BOM is allowed), comma-separated, a header
row of column names, then numbers only, at most MAX_CSV_BYTES, MAX_CSV_ROWS rows and MAX_CSV_INPUTS input
columns besides the target, at least N_MIN rows. The user names the target column: with exactly two distinct
values it is a classification target (the smaller value becomes 0, the larger 1), otherwise a regression one.
Every other column is an input. Inputs are standardised by the training rows' mean and standard deviation
(z-scores, so about [−2, 2]): the columns of a file come in any units, and a network with a fixed learning
rate trains badly when one input is in thousands and another in thousandths. A regression target is
standardised the same way. Using the training rows only keeps the test rows unseen. `Dataset.input_scaling`
and `Dataset.target_scaling` hold the means and standard deviations, so a page can plot in the file's units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .. import _checks
from ..limits import MAX_IO_WIDTH

Array = np.ndarray

N_MIN, N_MAX = 10, 2000  # points a generator makes; also the fewest rows a CSV file may have
MAX_TEST_FRACTION = 0.9
NOISE_STD = 0.2  # the jitter's standard deviation at noise 1, in input units
XOR_GAP = 0.1  # at noise 0, XOR points keep this far from the axes
INNER_RADIUS, OUTER_RADIUS = 0.4, 0.9
SPIRAL_TURNS = 1.5  # turns of each spiral arm
SPIRAL_R0 = 0.1  # the arms start this far from the centre, where they would otherwise meet
BLOB_STD = 0.1  # the spread of each blob at noise 0
MOON_SHIFT, MOON_SCALE = np.array([0.5, 0.25]), 1.5  # scikit-learn's moons span x ∈ [−1, 2]: map to [−1, 1]

MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 5000  # data rows, not counting the header
MAX_CSV_INPUTS = MAX_IO_WIDTH  # the widest input layer the app builds
MAX_CSV_VALUE = 1e15  # |value| above this is refused: its square would lose the smaller columns
MAX_NAME_LENGTH = 40

CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclass(frozen=True, slots=True)
class Scaling:
    """A column-wise affine map between the original units and the network's: x_net = (x − shift) / scale."""

    shift: Array  # (k,): the training rows' mean, or 0
    scale: Array  # (k,): the training rows' standard deviation, or 1; never 0

    @classmethod
    def identity(cls, k: int) -> Scaling:
        return cls(_checks.read_only(np.zeros(k)), _checks.read_only(np.ones(k)))

    @property
    def is_identity(self) -> bool:
        return bool(np.all(self.shift == 0) and np.all(self.scale == 1))

    def to_network(self, values) -> Array:
        """Original units → network units; `values` has k columns (or is one row of k)."""
        return (np.asarray(values, dtype=float) - self.shift) / self.scale

    def to_original(self, values) -> Array:
        """Network units → original units."""
        return np.asarray(values, dtype=float) * self.scale + self.shift

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Scaling)
            and np.array_equal(self.shift, other.shift)
            and np.array_equal(self.scale, other.scale)
        )

    __hash__ = None  # type: ignore[assignment]  # arrays inside: compare with ==, do not hash


@dataclass(frozen=True, slots=True)
class Dataset:
    """Inputs and targets in network units, with a train/test split. Arrays are read-only."""

    name: str  # "xor", …, "sine", or the CSV file's name
    kind: str  # "classification" or "regression"
    X: Array  # (n, d) inputs, network units
    Y: Array  # (n, m) targets: 0.0 or 1.0 for classification
    train_index: Array  # (n_train,) rows of the training set, ascending
    test_index: Array  # (n_test,) rows of the test set, ascending; may be empty
    feature_names: tuple[str, ...]  # d names, one per input column
    target_name: str
    class_labels: tuple[str, ...]  # ("…", "…"): what targets 0 and 1 stand for; () for regression
    input_scaling: Scaling  # network inputs = input_scaling.to_network(original inputs)
    target_scaling: Scaling  # likewise for the targets (identity for classification)
    settings: tuple[tuple[str, object], ...]  # how it was made: (("n", 200), ("noise", 0.1), …)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def n_inputs(self) -> int:
        """d, which must equal the network's n₀."""
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        """m, which must equal the network's n_L."""
        return self.Y.shape[1]

    @property
    def is_classification(self) -> bool:
        return self.kind == CLASSIFICATION

    @property
    def X_train(self) -> Array:
        return self.X[self.train_index]

    @property
    def Y_train(self) -> Array:
        return self.Y[self.train_index]

    @property
    def X_test(self) -> Array:
        return self.X[self.test_index]

    @property
    def Y_test(self) -> Array:
        return self.Y[self.test_index]

    def settings_dict(self) -> dict:
        return dict(self.settings)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Dataset):
            return False
        return all(
            np.array_equal(getattr(self, f), getattr(other, f))
            if isinstance(getattr(self, f), np.ndarray)
            else getattr(self, f) == getattr(other, f)
            for f in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]  # arrays inside: compare with ==, do not hash


# ------------------------------------------------------------------------------------------------------
# Checks of the generators' parameters


def _whole(value, name: str, low: int, high: int | None) -> int:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"{low}..{high}" if high is not None else f"≥ {low}"
        raise ValueError(f"{name} must be a whole number {allowed}; got {value!r}")
    return int(value)


def _fraction(value, name: str, low: float, high: float) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}; got {value!r}") from None
    if not (np.isfinite(v) and low <= v <= high):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}; got {value!r}")
    return v


def _split(n: int, test_fraction: float, seed: int) -> tuple[Array, Array]:
    """Seeded random split of rows 0..n−1: round(test_fraction · n) test rows, the rest for training."""
    n_test = int(np.floor(test_fraction * n + 0.5))
    perm = np.random.default_rng([seed, 1]).permutation(n)  # a stream of its own: the split never moves points
    test, train = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    return _checks.read_only(train), _checks.read_only(test)


def _classes(n: int, rng: np.random.Generator, points) -> tuple[Array, Array]:
    """n // 2 points of class 0 and the rest of class 1 from `points(class, count)`, rows shuffled."""
    counts = (n // 2, n - n // 2)
    X = np.concatenate([points(c, counts[c]) for c in (0, 1)])
    y = np.repeat([0.0, 1.0], counts)
    order = rng.permutation(n)
    return X[order], y[order, None]


def _dataset(
    name: str, kind: str, X: Array, Y: Array, n: int, noise: float, seed: int, test_fraction: float
) -> Dataset:
    train, test = _split(n, test_fraction, seed)
    d = X.shape[1]
    return Dataset(
        name=name,
        kind=kind,
        X=_checks.read_only(np.ascontiguousarray(X, dtype=float)),
        Y=_checks.read_only(np.ascontiguousarray(Y, dtype=float)),
        train_index=train,
        test_index=test,
        feature_names=tuple(f"x{i + 1}" for i in range(d)),
        target_name="class" if kind == CLASSIFICATION else "y",
        class_labels=("class 0", "class 1") if kind == CLASSIFICATION else (),
        input_scaling=Scaling.identity(d),
        target_scaling=Scaling.identity(Y.shape[1]),
        settings=(("n", n), ("noise", noise), ("seed", seed), ("test_fraction", test_fraction)),
    )


def _checked(n, noise, seed, test_fraction) -> tuple[int, float, int, float]:
    return (
        _whole(n, "the number of points n", N_MIN, N_MAX),
        _fraction(noise, "noise", 0.0, 1.0),
        _whole(seed, "seed", 0, None),
        _fraction(test_fraction, "the test fraction", 0.0, MAX_TEST_FRACTION),
    )


# ------------------------------------------------------------------------------------------------------
# The generators


def xor(n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """XOR: class 1 where x₁ and x₂ differ in sign. At noise 0 every |xᵢ| ≥ XOR_GAP."""
    n, noise, seed, test_fraction = _checked(n, noise, seed, test_fraction)
    rng = np.random.default_rng(seed)

    def points(c, count):
        s1 = rng.choice([-1.0, 1.0], size=count)
        s2 = s1 * (-1.0 if c == 1 else 1.0)
        return np.column_stack([s1, s2]) * rng.uniform(XOR_GAP, 1.0, size=(count, 2))

    X, Y = _classes(n, rng, points)
    return _dataset(
        "xor", CLASSIFICATION, X + rng.normal(0.0, NOISE_STD * noise, X.shape), Y, n, noise, seed, test_fraction
    )


def circles(n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Two circles around the origin: class 1 on radius INNER_RADIUS, class 0 on radius OUTER_RADIUS."""
    n, noise, seed, test_fraction = _checked(n, noise, seed, test_fraction)
    rng = np.random.default_rng(seed)

    def points(c, count):
        theta = rng.uniform(0.0, 2 * np.pi, count)
        r = INNER_RADIUS if c == 1 else OUTER_RADIUS
        return r * np.column_stack([np.cos(theta), np.sin(theta)])

    X, Y = _classes(n, rng, points)
    return _dataset(
        "circles", CLASSIFICATION, X + rng.normal(0.0, NOISE_STD * noise, X.shape), Y, n, noise, seed, test_fraction
    )


def moons(n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Two interleaved half circles (scikit-learn's make_moons), mapped by x ↦ (x − (0.5, 0.25)) / 1.5:
    class 0 the upper moon (cos t, sin t), class 1 the lower (1 − cos t, 0.5 − sin t), t ∈ [0, π]."""
    n, noise, seed, test_fraction = _checked(n, noise, seed, test_fraction)
    rng = np.random.default_rng(seed)

    def points(c, count):
        t = rng.uniform(0.0, np.pi, count)
        if c == 0:
            return np.column_stack([np.cos(t), np.sin(t)])
        return np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])

    X, Y = _classes(n, rng, points)
    X = (X - MOON_SHIFT) / MOON_SCALE
    return _dataset(
        "moons", CLASSIFICATION, X + rng.normal(0.0, NOISE_STD * noise, X.shape), Y, n, noise, seed, test_fraction
    )


def spiral(n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Two interleaved spiral arms: r = SPIRAL_R0 + (1 − SPIRAL_R0) t, θ = 2π·SPIRAL_TURNS·t + class·π,
    t uniform in [0, 1]."""
    n, noise, seed, test_fraction = _checked(n, noise, seed, test_fraction)
    rng = np.random.default_rng(seed)

    def points(c, count):
        t = rng.uniform(0.0, 1.0, count)
        r = SPIRAL_R0 + (1.0 - SPIRAL_R0) * t
        theta = 2 * np.pi * SPIRAL_TURNS * t + c * np.pi
        return r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])

    X, Y = _classes(n, rng, points)
    return _dataset(
        "spiral", CLASSIFICATION, X + rng.normal(0.0, NOISE_STD * noise, X.shape), Y, n, noise, seed, test_fraction
    )


def blobs(n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Two Gaussian blobs of standard deviation BLOB_STD + 0.4·noise: class 0 around (−0.5, −0.5), class 1
    around (0.5, 0.5). At noise 1 (std 0.5) they overlap."""
    n, noise, seed, test_fraction = _checked(n, noise, seed, test_fraction)
    rng = np.random.default_rng(seed)
    std = BLOB_STD + 0.4 * noise

    def points(c, count):
        centre = 0.5 if c == 1 else -0.5
        return rng.normal(centre, std, size=(count, 2))

    X, Y = _classes(n, rng, points)
    return _dataset("blobs", CLASSIFICATION, X, Y, n, noise, seed, test_fraction)


def sine(n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Regression: y = sin(π x) + N(0, (0.2·noise)²), x uniform in [−1, 1], one input and one output."""
    n, noise, seed, test_fraction = _checked(n, noise, seed, test_fraction)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    y = np.sin(np.pi * x) + rng.normal(0.0, NOISE_STD * noise, n)
    return _dataset("sine", REGRESSION, x[:, None], y[:, None], n, noise, seed, test_fraction)


GENERATORS = {"xor": xor, "circles": circles, "moons": moons, "spiral": spiral, "blobs": blobs, "sine": sine}
DESCRIPTIONS = {
    "xor": "XOR: class 1 where the two inputs differ in sign",
    "circles": "two circles: a small one inside a large one",
    "moons": "two interleaved half moons",
    "spiral": "two interleaved spiral arms",
    "blobs": "two Gaussian blobs",
    "sine": "a noisy sine wave (regression)",
}


def generate(name: str, n: int = 200, noise: float = 0.1, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """The generated dataset called `name` (a key of GENERATORS); a ValueError lists the names otherwise."""
    return _checks.by_name(GENERATORS, name, "dataset")(n=n, noise=noise, seed=seed, test_fraction=test_fraction)


# ------------------------------------------------------------------------------------------------------
# CSV files


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A checked CSV file: its column names and its numbers, one row per data line."""

    names: tuple[str, ...]
    values: Array  # (rows, columns), finite, read-only

    def __eq__(self, other) -> bool:
        return isinstance(other, CsvTable) and self.names == other.names and np.array_equal(self.values, other.values)

    __hash__ = None  # type: ignore[assignment]  # arrays inside: compare with ==, do not hash


# A plain decimal number: optional sign, digits with an optional point, optional exponent. ASCII digits only
# (Python's float() also takes "nan", "inf", "1_000" and Arabic-Indic digits, none of which belong in a CSV).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTES = "quotes inside a cell (or commas inside quotes) are not supported; the file must hold plain names and numbers"


def read_csv(data: str | bytes) -> CsvTable:
    """Parse and check a CSV file (text or the uploaded bytes); see the module docstring for what is allowed.

    Raises ValueError naming the problem, and for a cell its line (1-based, the header is line 1) and column.
    """
    text = _text(data)
    lines = [(number, line) for number, line in enumerate(_LINE_BREAK.split(text), start=1) if line.strip()]
    if not lines:
        raise ValueError("the file is empty: it needs a header line of column names and rows of numbers")
    if len(lines) - 1 > MAX_CSV_ROWS:
        raise ValueError(f"the file has {len(lines) - 1} data rows; at most {MAX_CSV_ROWS} are allowed")
    names = _header(lines[0][1])
    rows = lines[1:]
    if len(rows) < N_MIN:
        raise ValueError(
            f"the file has {len(rows)} data row{'s' * (len(rows) != 1)} below its header; "
            f"at least {N_MIN} are needed to train and test on"
        )
    values = np.empty((len(rows), len(names)))
    for i, (number, line) in enumerate(rows):
        cells = line.split(",")
        if len(cells) != len(names):
            if '"' in line:  # a comma inside quotes split a cell in two
                raise ValueError(f"line {number}: {_QUOTES}")
            raise ValueError(f"line {number} has {len(cells)} cells but the header has {len(names)} columns")
        for j, cell in enumerate(cells):
            values[i, j] = _number(cell, number, names[j])
    return CsvTable(names, _checks.read_only(values))


def csv_columns(data: str | bytes) -> tuple[str, ...]:
    """The column names of a CSV file, for choosing the target; the whole file is checked, as by read_csv."""
    return read_csv(data).names


def from_csv(
    data: str | bytes | CsvTable, target: str, test_fraction: float = 0.2, seed: int = 0, name: str = "uploaded CSV"
) -> Dataset:
    """A dataset from a CSV file: the column `target` is the target, every other column an input.

    Two distinct target values make a classification set (smaller → 0, larger → 1); more make a regression
    set. Inputs (and a regression target) are standardised by the training rows' mean and standard deviation.
    """
    table = data if isinstance(data, CsvTable) else read_csv(data)
    if not isinstance(target, str) or target not in table.names:
        raise ValueError(
            f"there is no column {target!r} to use as the target; the columns are " + ", ".join(map(repr, table.names))
        )
    test_fraction = _fraction(test_fraction, "the test fraction", 0.0, MAX_TEST_FRACTION)
    seed = _whole(seed, "seed", 0, None)
    t = table.names.index(target)
    inputs = [j for j in range(len(table.names)) if j != t]
    feature_names = tuple(table.names[j] for j in inputs)
    X, y = table.values[:, inputs], table.values[:, t]
    levels = np.unique(y)
    if levels.size == 1:
        raise ValueError(
            f"the target column {target!r} holds the same value, {levels[0]:g}, in every row: there is nothing to learn"
        )
    constant = [feature_names[j] for j in range(X.shape[1]) if np.all(X[:, j] == X[0, j])]
    if constant:
        many = len(constant) > 1
        raise ValueError(
            f"the input column{'s' * many} {', '.join(map(repr, constant))} "
            f"{'hold' if many else 'holds'} the same value in every row and "
            f"{'tell' if many else 'tells'} the network nothing: remove {'them' if many else 'it'}"
        )
    n = X.shape[0]
    train, test = _split(n, test_fraction, seed)
    input_scaling = _standardise(X[train], feature_names)
    class_labels: tuple[str, ...]
    if levels.size == 2:
        kind, Y = CLASSIFICATION, (y == levels[1]).astype(float)[:, None]
        class_labels = (f"{levels[0]:g}", f"{levels[1]:g}")
        target_scaling = Scaling.identity(1)
    else:
        kind, class_labels = REGRESSION, ()
        target_scaling = _standardise(y[train, None], (target,))
        Y = target_scaling.to_network(y[:, None])
    return Dataset(
        name=str(name),
        kind=kind,
        X=_checks.read_only(input_scaling.to_network(X)),
        Y=_checks.read_only(Y),
        train_index=train,
        test_index=test,
        feature_names=feature_names,
        target_name=target,
        class_labels=class_labels,
        input_scaling=input_scaling,
        target_scaling=target_scaling,
        settings=(("target", target), ("rows", n), ("seed", seed), ("test_fraction", test_fraction)),
    )


def _standardise(columns: Array, names: tuple[str, ...]) -> Scaling:
    """The mean and standard deviation of each column of the training rows."""
    mean = columns.mean(axis=0)
    std = columns.std(axis=0)
    flat = [names[j] for j in range(len(names)) if not std[j] > 0]
    if flat:
        many = len(flat) > 1
        raise ValueError(
            f"the column{'s' * many} {', '.join(map(repr, flat))} {'hold' if many else 'holds'} "
            f"the same value in every training row, so {'they' if many else 'it'} cannot be "
            "standardised: "
            "choose another split seed or a smaller test fraction"
        )
    return Scaling(_checks.read_only(mean), _checks.read_only(std))


def _text(data) -> str:
    """The file as text: UTF-8 (with or without a BOM), no binary content, within the size limit."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if len(data) > MAX_CSV_BYTES:
            raise ValueError(f"the file is {_checks.size(len(data))}; at most {_checks.size(MAX_CSV_BYTES)} is allowed")
        if b"\x00" in data:
            raise ValueError(
                "this is not a CSV file: it contains binary data. Upload a text file of comma-separated numbers"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"this file is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start}): "
                "save it as 'CSV UTF-8' and upload it again"
            ) from None
    elif isinstance(data, str):
        if (n := len(data.encode("utf-8", "surrogatepass"))) > MAX_CSV_BYTES:
            raise ValueError(f"the file is {_checks.size(n)}; at most {_checks.size(MAX_CSV_BYTES)} is allowed")
        text = data
    else:
        raise ValueError(f"a CSV file must be given as text or bytes; got {type(data).__name__}")
    text = text.lstrip("\ufeff")  # byte-order marks (a file saved twice by some editors has two)
    bad = _CONTROL.search(text)
    if bad:
        raise ValueError(
            "this is not a CSV file: it contains control characters (binary data?) at line "
            f"{text.count(chr(10), 0, bad.start()) + 1}. Upload a text file of comma-separated numbers"
        )
    return text


def _header(line: str) -> tuple[str, ...]:
    if "," not in line:
        for sep, word in ((";", "semicolons (;)"), ("\t", "tabs")):
            if sep in line:
                raise ValueError(
                    f"the columns are separated by {word}; this app reads commas only: save the "
                    "file as comma-separated values (CSV) with a point as the decimal mark"
                )
        raise ValueError(
            f"the header {_clip(line)} names one column; the file needs at least two, an input "
            "and the target, separated by commas"
        )
    cells = line.split(",")
    if len(cells) > MAX_CSV_INPUTS + 1:
        raise ValueError(
            f"the file has {len(cells)} columns; at most {MAX_CSV_INPUTS + 1} are allowed "
            f"({MAX_CSV_INPUTS} inputs and the target): remove some"
        )
    names = []
    for j, cell in enumerate(cells, start=1):
        name = _unquote(cell.strip(), 1, f"column {j} of the header")
        if not name:
            raise ValueError(f"column {j} of the header has no name: the first line must name every column")
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(
                f"the name of column {j} is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
            )
        names.append(name)
    if all(_NUMBER.fullmatch(name) for name in names):
        raise ValueError(
            "the first line holds numbers, not column names: add a header line naming the columns, such as x1,x2,label"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(
            f"the header names {', '.join(map(repr, repeated))} more than once: every column needs its own name"
        )
    return tuple(names)


def _unquote(cell: str, line: int, where: str) -> str:
    """A cell without one pair of enclosing double quotes; quotes anywhere else are refused."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1].strip()
    if '"' in cell:
        raise ValueError(f"line {line}, {where}: {_QUOTES}")
    return cell


def _number(cell: str, line: int, column: str) -> float:
    text = _unquote(cell.strip(), line, f"column {column!r}")
    where = f"line {line}, column {column!r}"
    if not text:
        raise ValueError(f"{where} is empty: every cell needs a number (missing values are not supported)")
    if _NOT_FINITE.fullmatch(text):
        raise ValueError(f"{where} holds {_clip(text)}: every cell must be a finite number")
    if not _NUMBER.fullmatch(text):
        raise ValueError(
            f"{where} holds {_clip(text)}, which is not a number: every column must be numeric "
            "(use a point as the decimal mark, and numbers for categories)"
        )
    v = float(text)
    if not abs(v) <= MAX_CSV_VALUE:
        raise ValueError(f"{where} holds {_clip(text)}; numbers must lie within ±{MAX_CSV_VALUE:g}")
    return v


def _clip(text: str, n: int = 24) -> str:
    return repr(text if len(text) <= n else text[: n - 1] + "…")


__all__ = [
    "Dataset",
    "Scaling",
    "CsvTable",
    "GENERATORS",
    "DESCRIPTIONS",
    "generate",
    "xor",
    "circles",
    "moons",
    "spiral",
    "blobs",
    "sine",
    "read_csv",
    "csv_columns",
    "from_csv",
    "N_MIN",
    "N_MAX",
    "MAX_TEST_FRACTION",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "MAX_CSV_INPUTS",
    "CLASSIFICATION",
    "REGRESSION",
]
