"""Numerical extremes: no overflow, no division by zero, no NaN, and no warning, at |z| = 1000.

Every test runs with NumPy's overflow, divide-by-zero and invalid-operation errors raised and with Python
warnings turned into errors. Underflow stays at NumPy's default ('ignore'): σ(−1000) = e⁻¹⁰⁰⁰ ≈ 5e−435
rounds to 0.0, which is the correctly rounded answer, not a fault.
"""

import math

import numpy as np
import pytest

import backprop as bp

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def floating_point_errors_raise():
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        yield


def sigmoid_by_hand(z: float) -> float:
    """σ(z) from math.exp, written the stable way round for each sign (math.exp would overflow otherwise)."""
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


Z = np.array([-1000.0, -745.0, -40.0, -5.0, -1e-9, 0.0, 1e-9, 5.0, 40.0, 745.0, 1000.0])


def test_sigmoid_and_its_derivative_at_extremes():
    """σ(±1000) is exactly 1 and 0, σ′(±1000) = 0, and everything in between matches math.exp to 1e-15
    relative — σ′(±40) ≈ 4.2e−18 included, where σ(1 − σ) would lose every digit to cancellation."""
    s = bp.activation("sigmoid")
    sigma, prime = s(Z), s.prime(Z)
    assert np.all(np.isfinite(sigma)) and np.all(np.isfinite(prime))
    assert sigma[-1] == 1.0 and sigma[0] == 0.0
    assert prime[-1] == 0.0 and prime[0] == 0.0
    for z, got_s, got_p in zip(Z, sigma, prime, strict=True):
        want_s = sigmoid_by_hand(z)
        want_p = sigmoid_by_hand(z) * sigmoid_by_hand(-z)
        assert got_s == pytest.approx(want_s, rel=1e-15, abs=1e-300)
        assert got_p == pytest.approx(want_p, rel=1e-14, abs=1e-300)
    # σ′ is even and peaks at 1/4 at z = 0.
    np.testing.assert_array_equal(prime, prime[::-1])
    assert prime[len(Z) // 2] == 0.25
    assert s.prime(np.array(40.0)) == pytest.approx(math.exp(-40.0), rel=1e-15)


@pytest.mark.parametrize("name", ["tanh", "relu", "leaky_relu", "linear"])
def test_other_activations_stay_finite_at_extremes(name):
    """tanh, ReLU, leaky ReLU and the identity, with their derivatives, are finite at z = ±1000 and take
    the values of their formulas there."""
    act = bp.activation(name)
    z = np.array([-1000.0, 1000.0])
    want_sigma = {
        "tanh": [-1.0, 1.0],
        "relu": [0.0, 1000.0],
        "leaky_relu": [-10.0, 1000.0],
        "linear": [-1000.0, 1000.0],
    }[name]
    want_prime = {"tanh": [0.0, 0.0], "relu": [0.0, 1.0], "leaky_relu": [0.01, 1.0], "linear": [1.0, 1.0]}[name]
    np.testing.assert_allclose(act(z), want_sigma, rtol=1e-15)
    np.testing.assert_allclose(act.prime(z), want_prime, rtol=1e-15)


def saturated_net(z_out: float, n_out: int = 2):
    """A 1-n network whose output input sums are exactly z_out for x = 1."""
    return bp.Network.from_arrays([np.full((n_out, 1), z_out)], [np.zeros(n_out)], activation="sigmoid")


@pytest.mark.parametrize("z_out", [1000.0, -1000.0])
@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_cross_entropy_at_a_saturated_output(z_out, y):
    """With zᴸ = ±1000 the cross-entropy cost is exact and finite, computed from zᴸ with no clipping: per
    node y ln(1 + e^−z) + (1 − y) ln(1 + e^z), so 1000 when the output is fully wrong (it was clipped at
    34.5 before issue 11) and ≈ 0 when fully right; the BP1 delta is exactly aᴸ − y (the a(1 − a) of
    ∂C/∂a cancels σ′ = a(1 − a)) and every other trace array is finite. ∂C/∂aᴸ = (a − y)/(a(1 − a)) is
    finite where it fits a float64 and ±inf where it does not (|∂C/∂aᴸ| ≈ e¹⁰⁰⁰), never a clipped number."""
    net = saturated_net(z_out)
    target = np.full(2, y)
    trace = bp.backward(net, [1.0], target, cost="cross_entropy")
    a = 1.0 if z_out > 0 else 0.0
    np.testing.assert_array_equal(trace.a(1), [a, a])
    assert math.isfinite(trace.cost)
    # softplus(1000) = 1000 + ln(1 + e^−1000) rounds to 1000; softplus(−1000) = e^−1000 rounds to 0.
    wrong_side = (1 - y) if z_out > 0 else y
    assert trace.cost == pytest.approx(2 * wrong_side * 1000.0, rel=1e-15, abs=1e-300)
    for arr in (trace.dC_da(0), trace.delta(1), trace.dC_dW(1), trace.sigma_prime(1)):
        assert np.all(np.isfinite(arr))
    np.testing.assert_array_equal(trace.delta(1), [a - y, a - y])
    # ∂C/∂aᴸ = −y/a + (1 − y)/(1 − a): the term of the wrong side is e^1000 · (its weight), beyond the floats.
    want = (-1.0 if y == 1 else math.inf) if z_out > 0 else (1.0 if y == 0 else -math.inf)
    np.testing.assert_array_equal(trace.dC_da(1), [want, want])
    assert bp.cost_of(net, [1.0], target, cost="cross_entropy") == trace.cost


@pytest.mark.parametrize("z_out", [1000.0, -1000.0])
def test_quadratic_at_a_saturated_output(z_out):
    """With the quadratic cost a saturated sigmoid gives σ′ = 0, so δᴸ = (a − y)·0 = 0: finite, and the
    learning slowdown that cross-entropy avoids is visible in the numbers."""
    net = saturated_net(z_out)
    trace = bp.backward(net, [1.0], [0.5, 0.5], cost="quadratic")
    assert trace.cost == pytest.approx(2 * 0.5 * 0.5**2)
    np.testing.assert_array_equal(trace.delta(1), [0.0, 0.0])
    np.testing.assert_array_equal(trace.dC_dW(1), [[0.0], [0.0]])


def test_batch_with_saturated_outputs_is_finite_and_matches_traces():
    """A batch mixing saturated (z = ±1000) and ordinary outputs, under cross-entropy, gives finite mean
    gradients equal to the mean of the per-sample traces."""
    net = bp.Network.from_arrays([[[1000.0]], [[1.0]]], [[0.0], [0.0]], activation="sigmoid")
    X = np.array([[1.0], [-1.0], [0.001], [0.0]])
    Y = np.array([[0.0], [1.0], [0.5], [1.0]])
    grads = bp.batch_gradients(net, X, Y, cost="cross_entropy")
    traces = [bp.backward(net, x, y, cost="cross_entropy") for x, y in zip(X, Y, strict=True)]
    assert math.isfinite(grads.cost)
    assert grads.cost == pytest.approx(np.mean([t.cost for t in traces]), rel=1e-12)
    for l in (1, 2):
        assert np.all(np.isfinite(grads.dC_dW(l)))
        np.testing.assert_allclose(grads.dC_dW(l), np.mean([t.dC_dW(l) for t in traces], axis=0), rtol=1e-12)


def test_deep_saturated_hidden_layers_stay_finite():
    """Huge weights saturate every hidden sigmoid and tanh; the forward and backward pass still produce
    finite numbers throughout (the gradients vanish, as they should)."""
    for hidden in ("sigmoid", "tanh"):
        weights = [np.full((3, 2), 500.0), np.full((3, 3), -500.0), np.full((1, 3), 500.0)]
        net = bp.Network.from_arrays(
            weights, [np.zeros(3), np.zeros(3), np.zeros(1)], activation=hidden, output_activation="sigmoid"
        )
        trace = bp.backward(net, [1.0, 1.0], [0.0], cost="cross_entropy")
        for l in range(1, 4):
            for arr in (trace.z(l), trace.a(l), trace.delta(l), trace.dC_dW(l), trace.dC_da(l)):
                assert np.all(np.isfinite(arr))
        assert math.isfinite(trace.cost)


def test_overflow_errors_are_really_raised_here():
    """The fixture is in force: a naive sigmoid, 1/(1 + exp(−z)), does raise at z = −1000 in these
    tests — so the tests above would catch a core that computed it that way."""
    with pytest.raises(FloatingPointError):
        1.0 / (1.0 + np.exp(-np.array([-1000.0])))
