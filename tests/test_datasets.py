"""The datasets: each generator is seeded and has the documented shape, classes and geometry; the split has
the documented sizes; CSV files are read exactly, and anything that is not a small numeric CSV with a header
is refused with a message that names the problem."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.training import datasets as ds

TWO_D = ("xor", "circles", "moons", "spiral", "blobs")


# ------------------------------------------------------------------------------------------------------
# Generators: seeded, shaped and balanced as documented


@pytest.mark.parametrize("name", list(ds.GENERATORS))
def test_same_seed_same_data_and_another_seed_other_data(name):
    a = ds.generate(name, n=150, noise=0.3, seed=4)
    assert a == ds.generate(name, n=150, noise=0.3, seed=4)
    b = ds.generate(name, n=150, noise=0.3, seed=5)
    assert not np.array_equal(a.X, b.X)
    assert not np.array_equal(a.train_index, b.train_index)
    assert a != b


@pytest.mark.parametrize("name", list(ds.GENERATORS))
@pytest.mark.parametrize("n", [ds.N_MIN, 11, 333, ds.N_MAX])
def test_shapes_classes_and_read_only_arrays(name, n):
    data = ds.generate(name, n=n, noise=0.5, seed=1)
    d = 1 if name == "sine" else 2
    assert data.X.shape == (n, d) and data.Y.shape == (n, 1)
    assert data.X.dtype == np.float64 and data.Y.dtype == np.float64
    assert (data.n, data.n_inputs, data.n_outputs) == (n, d, 1)
    assert len(data.feature_names) == d and data.name == name
    assert np.all(np.isfinite(data.X)) and np.all(np.isfinite(data.Y))
    for arr in (data.X, data.Y, data.train_index, data.test_index):
        assert not arr.flags.writeable
    if name == "sine":
        assert data.kind == ds.REGRESSION and data.class_labels == ()
    else:
        assert data.kind == ds.CLASSIFICATION and data.is_classification
        assert set(np.unique(data.Y)) == {0.0, 1.0}
        assert int((data.Y == 0).sum()) == n // 2 and int((data.Y == 1).sum()) == n - n // 2
        assert len(data.class_labels) == 2
    assert data.input_scaling.is_identity and data.target_scaling.is_identity


@pytest.mark.parametrize("name", list(ds.GENERATORS))
def test_inputs_lie_in_about_minus_one_to_one(name):
    """The documented input range: about [−1, 1]; at noise 1 the jitter (σ = 0.2) may carry a point a little
    beyond, never far."""
    for noise in (0.0, 1.0):
        X = ds.generate(name, n=2000, noise=noise, seed=0).X
        assert np.abs(X).max() <= (1.0 + 1e-12 if noise == 0 and name != "blobs" else 2.5)
        assert np.abs(X).max() >= 0.5  # and they do spread out, not all at the centre


def test_xor_geometry_at_noise_zero():
    data = ds.xor(n=500, noise=0.0, seed=2)
    X, y = data.X, data.Y[:, 0]
    assert np.all(np.abs(X) >= ds.XOR_GAP) and np.all(np.abs(X) <= 1.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(float))
    for s1 in (-1, 1):  # every quadrant holds points
        for s2 in (-1, 1):
            assert np.any((np.sign(X[:, 0]) == s1) & (np.sign(X[:, 1]) == s2))


def test_circles_radii_at_noise_zero():
    data = ds.circles(n=400, noise=0.0, seed=3)
    r = np.hypot(data.X[:, 0], data.X[:, 1])
    inner = data.Y[:, 0] == 1
    np.testing.assert_allclose(r[inner], ds.INNER_RADIUS, rtol=1e-12)
    np.testing.assert_allclose(r[~inner], ds.OUTER_RADIUS, rtol=1e-12)


def test_moons_are_half_circles_of_radius_one_before_the_documented_map():
    data = ds.moons(n=400, noise=0.0, seed=3)
    P = data.X * ds.MOON_SCALE + ds.MOON_SHIFT  # back to scikit-learn's coordinates
    upper = data.Y[:, 0] == 0
    np.testing.assert_allclose(np.hypot(*P[upper].T), 1.0, rtol=1e-12)
    assert np.all(P[upper, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(P[~upper, 0] - 1.0, P[~upper, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(P[~upper, 1] <= 0.5 + 1e-12)


def test_spiral_arms_at_noise_zero():
    """At noise 0 each point satisfies θ = 2π·turns·t + class·π (mod 2π) for t = (r − r₀)/(1 − r₀)."""
    data = ds.spiral(n=400, noise=0.0, seed=3)
    r = np.hypot(data.X[:, 0], data.X[:, 1])
    t = (r - ds.SPIRAL_R0) / (1 - ds.SPIRAL_R0)
    assert np.all((t >= -1e-12) & (t <= 1 + 1e-12))
    expected = 2 * np.pi * ds.SPIRAL_TURNS * t + data.Y[:, 0] * np.pi
    gap = np.angle(np.exp(1j * (np.arctan2(data.X[:, 1], data.X[:, 0]) - expected)))
    np.testing.assert_allclose(gap, 0.0, atol=1e-9)


def test_blobs_centres_and_spread():
    for noise in (0.0, 1.0):
        data = ds.blobs(n=2000, noise=noise, seed=3)
        std = ds.BLOB_STD + 0.4 * noise
        for c, centre in ((0, -0.5), (1, 0.5)):
            P = data.X[data.Y[:, 0] == c]
            np.testing.assert_allclose(P.mean(axis=0), centre, atol=4 * std / np.sqrt(len(P)))
            np.testing.assert_allclose(P.std(axis=0), std, rtol=0.1)


def test_sine_is_exact_at_noise_zero_and_noisy_with_the_documented_spread():
    clean = ds.sine(n=300, noise=0.0, seed=1)
    np.testing.assert_array_equal(clean.Y[:, 0], np.sin(np.pi * clean.X[:, 0]))
    assert np.all(np.abs(clean.X) <= 1.0)
    noisy = ds.sine(n=2000, noise=1.0, seed=1)
    residual = noisy.Y[:, 0] - np.sin(np.pi * noisy.X[:, 0])
    assert abs(residual.std() - ds.NOISE_STD) < 0.02


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spiral"])
def test_jitter_has_the_documented_spread(name):
    """Jitter N(0, (0.2·noise)²): the same seed moves every point of the noise-0 set by that much."""
    clean = ds.generate(name, n=2000, noise=0.0, seed=6)
    noisy = ds.generate(name, n=2000, noise=0.5, seed=6)
    np.testing.assert_array_equal(clean.Y, noisy.Y)
    assert abs((noisy.X - clean.X).std() - ds.NOISE_STD * 0.5) < 0.005


# ------------------------------------------------------------------------------------------------------
# The split


@pytest.mark.parametrize("n,fraction", [(10, 0.0), (10, 0.9), (200, 0.2), (201, 0.25), (2000, 0.5), (15, 0.1)])
def test_split_sizes_and_disjointness(n, fraction):
    data = ds.circles(n=n, noise=0.1, seed=0, test_fraction=fraction)
    n_test = math.floor(fraction * n + 0.5)
    assert data.test_index.shape == (n_test,) and data.train_index.shape == (n - n_test,)
    together = np.concatenate([data.train_index, data.test_index])
    np.testing.assert_array_equal(np.sort(together), np.arange(n))
    assert np.all(np.diff(data.train_index) > 0) and np.all(np.diff(data.test_index) > 0)
    np.testing.assert_array_equal(data.X_train, data.X[data.train_index])
    np.testing.assert_array_equal(data.Y_test, data.Y[data.test_index])


def test_the_split_never_moves_the_points():
    a = ds.moons(n=100, noise=0.2, seed=9, test_fraction=0.1)
    b = ds.moons(n=100, noise=0.2, seed=9, test_fraction=0.5)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.settings_dict() == {"n": 100, "noise": 0.2, "seed": 9, "test_fraction": 0.1}


# ------------------------------------------------------------------------------------------------------
# Parameters out of range are refused, naming the parameter and the range


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(n=9), ["n", "10..2000", "9"]),
        (dict(n=2001), ["n", "10..2000"]),
        (dict(n=10.5), ["n", "whole"]),
        (dict(n=True), ["n", "whole"]),
        (dict(noise=-0.1), ["noise", "0 to 1"]),
        (dict(noise=1.5), ["noise", "0 to 1"]),
        (dict(noise=float("nan")), ["noise"]),
        (dict(noise="lots"), ["noise"]),
        (dict(seed=-1), ["seed", "≥ 0"]),
        (dict(seed=1.5), ["seed"]),
        (dict(test_fraction=0.95), ["test fraction", "0 to 0.9"]),
        (dict(test_fraction=-0.1), ["test fraction"]),
    ],
)
def test_bad_generator_parameters_are_named(kwargs, words):
    with pytest.raises(ValueError) as err:
        ds.xor(**kwargs)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_unknown_dataset_name_lists_the_names():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'.*'xor'.*'sine'"):
        ds.generate("mnist")


# ------------------------------------------------------------------------------------------------------
# CSV files that are fine


def _csv(rows, header="a,b,label", newline="\n"):
    return header + newline + newline.join(",".join(str(v) for v in row) for row in rows) + newline


def _rows(n=20, seed=0):
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(50, 10, n), 3)
    b = np.round(rng.normal(0.001, 0.0005, n), 6)
    return [(x, y, int(x > 50)) for x, y in zip(a, b, strict=True)]


def test_a_classification_csv_is_read_exactly_and_standardised_on_its_training_rows():
    rows = _rows(40)
    data = ds.from_csv(_csv(rows), target="label", test_fraction=0.25, seed=3)
    assert data.kind == ds.CLASSIFICATION and data.feature_names == ("a", "b") and data.target_name == "label"
    assert data.class_labels == ("0", "1")
    raw = np.array([r[:2] for r in rows], dtype=float)
    np.testing.assert_array_equal(data.Y[:, 0], [r[2] for r in rows])
    train = data.X[data.train_index]
    np.testing.assert_allclose(train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(data.input_scaling.shift, raw[data.train_index].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(data.input_scaling.to_original(data.X), raw, rtol=1e-12)
    assert data.test_index.size == 10
    assert data.settings_dict() == {"target": "label", "rows": 40, "seed": 3, "test_fraction": 0.25}


def test_a_two_valued_target_maps_smaller_to_zero_and_larger_to_one():
    rows = [(i, 0.5 * i, 7 if i % 3 else -2.5) for i in range(12)]
    data = ds.from_csv(_csv(rows, "x,z,y"), "y")
    assert data.class_labels == ("-2.5", "7")
    np.testing.assert_array_equal(data.Y[:, 0], [1.0 if i % 3 else 0.0 for i in range(12)])


def test_a_many_valued_target_is_regression_standardised_with_its_scaling():
    rows = [(i, (-1) ** i * i, 3.0 * i + 100) for i in range(30)]
    data = ds.from_csv(_csv(rows, "p,q,price"), "price", test_fraction=0.2, seed=1)
    assert data.kind == ds.REGRESSION and data.class_labels == ()
    np.testing.assert_allclose(data.Y[data.train_index].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.target_scaling.to_original(data.Y)[:, 0], [r[2] for r in rows], rtol=1e-12)


def test_any_column_can_be_the_target():
    text = _csv(_rows(20))
    assert ds.csv_columns(text) == ("a", "b", "label")
    data = ds.from_csv(text, "a")
    assert data.feature_names == ("b", "label") and data.kind == ds.REGRESSION


@pytest.mark.parametrize(
    "variant",
    [
        "crlf",
        "cr",
        "bom bytes",
        "bom text",
        "two boms",
        "two boms text",
        "quoted",
        "spaces",
        "blank lines",
        "signs and exponents",
        "no final newline",
    ],
)
def test_harmless_variants_give_the_same_table(variant):
    plain = "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(12))
    text = {
        "crlf": plain.replace("\n", "\r\n"),
        "cr": plain.replace("\n", "\r"),
        "bom bytes": b"\xef\xbb\xbf" + plain.encode(),
        "bom text": "\ufeff" + plain,
        "two boms": b"\xef\xbb\xbf\xef\xbb\xbf" + plain.encode(),
        "two boms text": "\ufeff\ufeff" + plain,
        "quoted": '"x","y"\n' + "".join(f'"{i}",{i % 2}\n' for i in range(12)),
        "spaces": " x , y \n" + "".join(f" {i} ,\t{i % 2}\n" for i in range(12)),
        "blank lines": "x,y\n\n" + "".join(f"{i},{i % 2}\n\n  \n" for i in range(12)),
        "signs and exponents": "x,y\n" + "".join(f"{'+' if i % 2 else ''}{i}.0e0,{i % 2}.\n" for i in range(12)),
        "no final newline": plain.rstrip("\n"),
    }[variant]
    assert ds.read_csv(text) == ds.read_csv(plain)


def test_the_limits_themselves_are_allowed():
    cols = ds.MAX_CSV_INPUTS + 1
    header = ",".join(f"c{j}" for j in range(cols))
    body = "".join(",".join(str((i * (j + 1)) % 97) for j in range(cols)) + "\n" for i in range(ds.MAX_CSV_ROWS))
    table = ds.read_csv(header + "\n" + body)
    assert table.values.shape == (ds.MAX_CSV_ROWS, cols)
    long_name = "n" * ds.MAX_NAME_LENGTH
    assert ds.csv_columns(f"{long_name},y\n" + "1,2\n" * 10)[0] == long_name


# ------------------------------------------------------------------------------------------------------
# CSV files that are refused, and what the message says

GOOD_ROWS = "".join(f"{i},{i % 2}\n" for i in range(12))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(
    "data,words",
    [
        (PNG, ["not a CSV file", "binary"]),
        (PNG.replace(b"\x00", b" "), ["not UTF-8", "0x89", "position 0"]),
        (b"x,y\n\x00\x01\x02" + b"1,0\n" * 12, ["binary"]),
        ("x,y\n1,0\x07\n" + GOOD_ROWS, ["control characters", "line 2"]),
        (("x,y\n" + GOOD_ROWS).encode("utf-16"), ["binary"]),  # UTF-16 has NUL bytes between ASCII letters
        (("x,y,é\n" + "".join(f"{i},0,1\n" for i in range(12))).encode("latin-1"), ["not UTF-8", "0xe9"]),
        (b"", ["empty"]),
        ("\n \n\r\n", ["empty"]),
        ("x;y\n" + GOOD_ROWS.replace(",", ";"), ["semicolons"]),
        ("x\ty\n" + GOOD_ROWS.replace(",", "\t"), ["tabs"]),
        ("values\n" + "1\n" * 12, ["one column", "at least two"]),
        ("1,0\n" + GOOD_ROWS, ["header", "numbers"]),
        ("x,y\n", ["0 data rows", "at least 10"]),
        ("x,y\n1,0\n", ["1 data row ", "at least 10"]),
        ("x,\n" + GOOD_ROWS, ["column 2 of the header has no name"]),
        ("x,x\n" + GOOD_ROWS, ["'x' more than once"]),
        ('"x,y",z\n' + "1,2,3\n" * 12, ["quotes"]),
        ('x,y\n"1,5",0\n' + GOOD_ROWS, ["line 2", "quotes"]),
        ("x,y\n" + GOOD_ROWS + "3,red\n", ["line 14", "'y'", "'red'", "not a number"]),
        ("x,y\n" + GOOD_ROWS + "NaN,1\n", ["line 14", "'x'", "finite"]),
        ("x,y\n" + GOOD_ROWS + "-inf,1\n", ["line 14", "finite"]),
        ("x,y\n" + GOOD_ROWS + "1e999,1\n", ["line 14", "within"]),
        ("x,y\n" + GOOD_ROWS + "1e16,1\n", ["line 14", "within"]),
        ("x,y\n" + GOOD_ROWS + "1_000,1\n", ["line 14", "not a number"]),
        ("x,y\n" + GOOD_ROWS + "١٢,1\n", ["line 14", "not a number"]),  # Arabic-Indic digits: float() takes them
        ("x,y\n" + GOOD_ROWS + "1.5.2,1\n", ["not a number"]),
        ("x,y\n" + GOOD_ROWS + "0x1F,1\n", ["not a number"]),
        ("x,y\n" + GOOD_ROWS + ",1\n", ["line 14", "'x'", "empty"]),
        ("x,y\n" + GOOD_ROWS + "1,2,3\n", ["line 14 has 3 cells", "2 columns"]),
        ("x,y\n" + GOOD_ROWS + "1,\n", ["line 14", "empty"]),
        ("x,y\n" + GOOD_ROWS + "1\n", ["line 14 has 1 cells"]),
        (",".join(f"c{j}" for j in range(12)) + "\n" + "1," * 11 + "1\n", ["12 columns", "at most 9"]),
        ("x,y\n" + "1,0\n" * (ds.MAX_CSV_ROWS + 1), [f"{ds.MAX_CSV_ROWS + 1} data rows", "at most 5000"]),
        ("n" * (ds.MAX_NAME_LENGTH + 1) + ",y\n" + GOOD_ROWS, ["41 characters"]),
        (b"x,y\n" + b"1,0\n" * 300_000, ["1,200,004 bytes (1.2 MB)", "at most 1,000,000 bytes (1.0 MB)"]),
        (b"x,y\n" + b"1,0\n" * 249_999 + b"0,0\n", ["1,000,004 bytes", "at most 1,000,000 bytes"]),  # 4 bytes over
        ("x,y\n" + "1," * 600_000 + "0\n", ["1,200,006 bytes"]),
        ("x" * 999_000 + "\n" + GOOD_ROWS, ["one column"]),  # one huge header line
        ("x,y\n" + "1" * 999_000 + ",0\n" + GOOD_ROWS, ["line 2", "within"]),  # one huge number
        ("x,y\n" + "9" * 300 + ",0\n" + GOOD_ROWS, ["line 2", "within"]),
        ("x" * 10_000_000, ["10,000,000 bytes"]),
        (12345, ["text or bytes", "int"]),
        (None, ["text or bytes"]),
    ],
)
def test_hostile_or_malformed_csv_is_refused_with_a_clear_message(data, words):
    with pytest.raises(ValueError) as err:
        ds.read_csv(data)
    message = str(err.value)
    for word in words:
        assert word in message, message
    assert len(message) < 400, "a message a student can read, not the file echoed back"


@pytest.mark.parametrize(
    "text,target,words",
    [
        ("x,y\n" + GOOD_ROWS, "z", ["no column 'z'", "'x', 'y'"]),
        ("x,y\n" + GOOD_ROWS, 3, ["no column 3"]),
        ("x,y\n" + "".join(f"{i},4\n" for i in range(12)), "y", ["'y'", "same value, 4", "nothing to learn"]),
        ("x,c,y\n" + "".join(f"{i},7,{i % 2}\n" for i in range(12)), "y", ["input column 'c'", "remove it"]),
        ("x,c,d,y\n" + "".join(f"{i},7,1,{i % 2}\n" for i in range(12)), "y", ["columns 'c', 'd'", "remove them"]),
    ],
)
def test_from_csv_refuses_a_target_that_cannot_be_learned(text, target, words):
    with pytest.raises(ValueError) as err:
        ds.from_csv(text, target)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_a_column_constant_on_the_training_rows_is_named():
    """Constant on every training row (but not on the test row): it cannot be standardised by the training
    rows' spread, and the message says what to change."""
    rows = [(i, i % 3, i % 2) for i in range(11)]
    data0 = ds.from_csv(_csv(rows, "x,c,y"), "y", test_fraction=0.1, seed=0)
    special = int(data0.test_index[0])  # the one test row
    rows = [(i, 6 if i == special else 5, i % 2) for i in range(11)]
    with pytest.raises(ValueError, match="'c' holds the same value in every training row.*split seed"):
        ds.from_csv(_csv(rows, "x,c,y"), "y", test_fraction=0.1, seed=0)


def test_from_csv_checks_the_split_parameters():
    with pytest.raises(ValueError, match="test fraction"):
        ds.from_csv("x,y\n" + GOOD_ROWS, "y", test_fraction=1.0)
    with pytest.raises(ValueError, match="seed"):
        ds.from_csv("x,y\n" + GOOD_ROWS, "y", seed=-3)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_either_parse_or_raise_value_error(data):
    try:
        table = ds.read_csv(data)
    except ValueError:
        return
    assert np.all(np.isfinite(table.values)) and len(table.names) >= 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('0123456789.,;-+eE"\n\r\t xyNaIf ')), max_size=400))
def test_arbitrary_csv_like_text_either_parses_or_raises_value_error(text):
    try:
        table = ds.read_csv(text)
    except ValueError:
        return
    assert table.values.shape[0] >= ds.N_MIN and np.all(np.isfinite(table.values))
