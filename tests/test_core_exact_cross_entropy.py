"""Cross-entropy from the logits and the activations' derivatives, against 400-digit arithmetic (mpmath).

The references are computed here from the formulas, C = y ln(1 + e^−z) + (1 − y) ln(1 + e^z),
δᴸ = σ(z) − y, ∂C/∂aᴸ = (σ(z) − y) / (σ(z) σ(−z)), in mpmath at 400 significant digits (σ(700) − 1 ≈ −1e−304 needs
more than 304 to survive the cancellation), from the same
float64 inputs the core receives: nothing of the core is reused. Where |∂C/∂aᴸ| is beyond the largest
float64 the core must say so with ±inf, never a clipped number.
"""

import math
import sys

import mpmath
import numpy as np
import pytest

import backprop as bp

DPS = 400


@pytest.fixture(autouse=True)
def four_hundred_digits():
    """mpmath's precision is global: each test sets its own (another module may have set another)."""
    with mpmath.workdps(DPS):
        yield


FLOAT_MAX = mpmath.mpf(sys.float_info.max)
ZS = [9.0, -9.0, 20.0, -20.0, 36.0, -36.0, 40.0, -40.0, 100.0, -100.0, 700.0, -700.0]
YS = [0.0, 1.0, 0.3]
X = 0.5  # the input: W = 2z makes zᴸ = W · 0.5 exactly z, and ∂C/∂W = δ · 0.5 is not δ itself
WORST: dict[str, float] = {}


def sig(z):
    return 1 / (1 + mpmath.exp(-z))


def reference(z: float, y: float):
    """C, δᴸ, ∂C/∂W, ∂C/∂aᴸ in 400 digits, for one output node with input sum z and target y."""
    z, y = mpmath.mpf(z), mpmath.mpf(y)
    C = y * mpmath.log1p(mpmath.exp(-z)) + (1 - y) * mpmath.log1p(mpmath.exp(z))
    delta = sig(z) - y
    return C, delta, delta * mpmath.mpf(X), delta / (sig(z) * sig(-z))


def rel(got: float, want) -> float:
    return float(abs((mpmath.mpf(got) - want) / want)) if want != 0 else abs(got)


def note(what: str, error: float) -> None:
    WORST[what] = max(WORST.get(what, 0.0), error)


@pytest.mark.parametrize("y", YS)
@pytest.mark.parametrize("z", ZS)
def test_one_output_against_50_digits(z, y):
    """One sigmoid output with cross-entropy: the cost and the gradients to 1e−12 relative, ∂C/∂aᴸ to
    1e−9 (the issue's bounds); the batch, cost_of, the cost curve and the gradient check's cost agree."""
    net = bp.Network.from_arrays([[[2 * z]]], [[0.0]], activation="sigmoid")
    trace = bp.backward(net, [X], [y], cost="cross_entropy")
    assert trace.z(1)[0] == z
    C, delta, dW, dC_da = reference(z, y)
    for what, got, want, tol in (
        ("cost", trace.cost, C, 1e-12),
        ("delta", trace.delta(1)[0], delta, 1e-12),
        ("dC_dW", trace.dC_dW(1)[0, 0], dW, 1e-12),
        ("dC_db", trace.dC_db(1)[0], delta, 1e-12),
    ):
        error = rel(got, want)
        note(what, error)
        assert error < tol, f"{what} at z={z}, y={y}: mine {got!r} / 400 digits {mpmath.nstr(want, 17)}"
    got = trace.dC_da(1)[0]
    if abs(dC_da) <= FLOAT_MAX:
        error = rel(got, dC_da)
        note("dC_da", error)
        assert error < 1e-9, f"∂C/∂a at z={z}, y={y}: mine {got!r} / 400 digits {mpmath.nstr(dC_da, 17)}"
    else:
        assert got == math.copysign(math.inf, float(mpmath.sign(dC_da)))
    # The other ways to the same cost use the same formula.
    grads = bp.batch_gradients(net, [[X]], [[y]], cost="cross_entropy")
    assert grads.cost == trace.cost and grads.dC_dW(1)[0, 0] == trace.dC_dW(1)[0, 0]
    assert bp.cost_of(net, [X], [y], cost="cross_entropy") == trace.cost
    along = bp.cost_along(net, [X], [y], [2 * z], "W", 1, 0, 0, "cross_entropy")
    assert along[0] == trace.cost


def test_the_issue_reproductions():
    """The numbers of issue 11: a single weight 40, x = 1, y = 0 costs softplus(40) = 40 (not 34.54), with
    ∂C/∂aᴸ = 2.354e17 (not 1e15); z = −20, y = 0 costs 2.0611536e−9 to every digit."""
    net = bp.Network.from_arrays([[[40.0]]], [[0.0]], activation="sigmoid")
    trace = bp.backward(net, [1.0], [0.0], cost="cross_entropy")
    assert trace.cost == pytest.approx(40.0, rel=1e-15)
    assert trace.dC_da(1)[0] == pytest.approx(float(1 / sig(mpmath.mpf(-40))), rel=1e-14)
    net = bp.Network.from_arrays([[[-20.0]]], [[0.0]], activation="sigmoid")
    assert bp.backward(net, [1.0], [0.0], cost="cross_entropy").cost == pytest.approx(
        float(mpmath.log1p(mpmath.exp(-20))), rel=1e-15
    )


@pytest.mark.parametrize(
    "z, y, want",
    [
        (1000.0, 0.0, math.inf),
        (-1000.0, 1.0, -math.inf),
        (1000.0, 1.0, -1.0),
        (-1000.0, 0.0, 1.0),
        (710.0, 0.3, math.inf),
    ],
)
def test_dC_da_beyond_the_floats_is_infinite_not_clipped(z, y, want):
    """Where |∂C/∂aᴸ| > 1.8e308 the trace holds ±inf (the screen says so); where it is not, its value —
    even at |z| = 1000, where σ(z)σ(−z) underflows to 0."""
    net = bp.Network.from_arrays([[[z]]], [[0.0]], activation="sigmoid")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        trace = bp.backward(net, [1.0], [y], cost="cross_entropy")
    assert trace.dC_da(1)[0] == pytest.approx(want, rel=1e-15)
    assert math.isfinite(trace.cost) and np.all(np.isfinite(trace.delta(1)))


@pytest.mark.parametrize("z1", [20.0, -30.0, 300.0])
@pytest.mark.parametrize("z2", [40.0, -36.0, 700.0])
def test_a_saturated_tanh_hidden_layer_passes_exact_deltas_back(z1, z2):
    """x = 1 → tanh node (z¹) → sigmoid output (z²), cross-entropy, y = 0.3: δ¹ = w² δ² sech²(z¹) and
    ∂C/∂W¹ = δ¹ x to 1e−12 relative where δ¹ is a normal float (1 − tanh² gave exactly 0 from |z¹| ≈ 19)."""
    w2 = 2.0
    b2 = z2 - w2 * math.tanh(z1)  # z² exactly as asked, up to the rounding of this line
    net = bp.Network.from_arrays([[[z1]], [[w2]]], [[0.0], [b2]], activation="tanh", output_activation="sigmoid")
    trace = bp.backward(net, [1.0], [0.3], cost="cross_entropy")
    Z1, Z2 = mpmath.mpf(z1), mpmath.mpf(w2) * mpmath.tanh(mpmath.mpf(z1)) + mpmath.mpf(b2)
    delta2 = sig(Z2) - mpmath.mpf(0.3)
    delta1 = mpmath.mpf(w2) * delta2 / mpmath.cosh(Z1) ** 2
    if abs(delta1) < mpmath.mpf(sys.float_info.min):
        pytest.skip("δ¹ is below the normal floats")
    for what, got, want in (
        ("delta hidden", trace.delta(1)[0], delta1),
        ("dC_dW hidden", trace.dC_dW(1)[0, 0], delta1),
        ("delta", trace.delta(2)[0], delta2),
    ):
        error = rel(got, want)
        note(what, error)
        assert error < 1e-12, f"{what}: mine {got!r} / 400 digits {mpmath.nstr(want, 17)}"


def ulps(got: np.ndarray, want: list) -> np.ndarray:
    """|got − want| in units of the last place of want (the spacing of float64 at want)."""
    w = np.array([float(v) for v in want])
    err = np.array([float(abs(mpmath.mpf(g) - v)) for g, v in zip(got, want, strict=True)])
    return err / np.spacing(np.abs(w))


Z_RANGE = np.concatenate(
    [[0.0, 1e-300, 1e-8, 0.5, 1.0, 18.9, 19.1, 36.7, 354.2, 354.4, 354.6, 700.0, 708.0], np.geomspace(1e-6, 740.0, 400)]
)
Z_RANGE = np.concatenate([Z_RANGE, -Z_RANGE])


@pytest.mark.parametrize(
    "name, exact",
    [
        ("sigmoid", lambda z: sig(z) * sig(-z)),
        ("tanh", lambda z: 1 / mpmath.cosh(z) ** 2),
    ],
)
def test_sigma_prime_within_a_few_ulps_everywhere(name, exact):
    """σ′ of the sigmoid and tanh within 4 ulps of the 50-digit value over |z| ≤ 740, saturated z included
    (tanh′ = 1 − tanh² was exactly 0 from |z| ≈ 19). Where the exact value is below the smallest normal
    float, within 4 units of the smallest subnormal."""
    got = bp.activation(name).prime(Z_RANGE)
    want = [exact(mpmath.mpf(z)) for z in Z_RANGE]
    error = ulps(got, want)
    note(f"{name}′ ulps", float(error.max()))
    worst = int(error.argmax())
    assert error.max() <= 4, f"{name}′({Z_RANGE[worst]!r}): mine {got[worst]!r} / {mpmath.nstr(want[worst], 17)}"


@pytest.mark.parametrize(
    "name, exact",
    [("relu", lambda z: float(z > 0)), ("leaky_relu", lambda z: 1.0 if z > 0 else 0.01), ("linear", lambda z: 1.0)],
)
def test_piecewise_linear_primes_are_exact(name, exact):
    got = bp.activation(name).prime(Z_RANGE)
    assert got.tolist() == [exact(z) for z in Z_RANGE]


def test_report_the_worst_errors(capsys):
    """Prints the worst relative errors the tests above measured (run with -s to read them)."""
    if not WORST:
        pytest.skip("run with the tests above")
    with capsys.disabled():
        print("\nworst relative error against 400 digits:", ", ".join(f"{k} {v:.2e}" for k, v in sorted(WORST.items())))
    assert WORST["cost"] < 1e-12 and WORST["dC_da"] < 1e-9
