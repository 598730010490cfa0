"""Backprop's gradients against central differences computed here, from a forward pass written here."""

import numpy as np
import pytest
from helpers_core import (
    ACTIVATIONS,
    ATOL,
    COSTS,
    KINK,
    RTOL,
    central_differences,
    gradient_mismatches,
    make_case,
    min_abs_z_at_kinks,
    numeric_gradients,
    random_arrays,
    random_sample,
    ref_cost,
    relative_error,
    valid_combinations,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import backprop as bp
from backprop.activations import Activation

ARCHITECTURES = {
    "deep-narrow": (2, 3, 3, 3, 3, 1),
    "deep-narrow-2": (1, 2, 2, 2, 2, 1),
    "wide": (8, 16, 4),
    "one-node-per-layer": (1, 1, 1, 1),
    "no-hidden-layer": (3, 2),
}


# A network without hidden layers has no hidden activation: one hidden name stands for all there.
CASES = [
    (arch, h, o, c)
    for arch, sizes in ARCHITECTURES.items()
    for h, o, c in valid_combinations()
    if len(sizes) > 2 or h == "sigmoid"
]


@pytest.mark.parametrize("arch,hidden,output,cost", CASES)
def test_backprop_matches_central_differences(arch, hidden, output, cost):
    """Every weight and bias gradient equals its central difference, computed from our own forward pass,
    for every valid activation/cost combination on several shapes of network."""
    sizes = ARCHITECTURES[arch]
    net, x, y, dW, db = make_case(sizes, hidden, output, cost, seed=sum(map(ord, arch + hidden + output + cost)))
    trace = bp.backward(net, x, y, cost=cost)
    assert trace.cost == pytest.approx(
        ref_cost(
            [net.W(l) for l in range(1, net.L + 1)], [net.b(l) for l in range(1, net.L + 1)], hidden, output, cost, x, y
        ),
        rel=1e-12,
    )
    assert not gradient_mismatches(trace, dW, db), "\n".join(gradient_mismatches(trace, dW, db))


@st.composite
def cases(draw):
    """A random architecture (1..4 weight layers of width 1..5), activations, a valid cost and a seed."""
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    hidden = draw(st.sampled_from(ACTIVATIONS))
    output = draw(st.sampled_from(ACTIVATIONS))
    cost = draw(st.sampled_from(COSTS if output == "sigmoid" else ("quadratic",)))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.floats(0.3, 2.0))
    return sizes, hidden, output, cost, seed, scale


# derandomize: CI sees the same 30 examples every run (3,000 random ones passed when this was written);
# database=None: nothing is written into the work tree.
@settings(
    max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(cases())
def test_backprop_matches_central_differences_random(case):
    """Property: for random sizes, seeds and weight scales, backprop equals central differences (samples with
    a ReLU-like |z| < 1e-3, where the derivative jumps within reach of ±ε, are rejected)."""
    sizes, hidden, output, cost, seed, scale = case
    weights, biases, rng = random_arrays(sizes, seed, weight_scale=scale)
    x, y = random_sample(rng, sizes, cost)
    assume(min_abs_z_at_kinks(weights, biases, hidden, output, x) >= KINK)
    net = bp.Network.from_arrays(weights, biases, activation=hidden, output_activation=output)
    dW, db = numeric_gradients(net, x, y, cost)
    trace = bp.backward(net, x, y, cost=cost)
    assert not gradient_mismatches(trace, dW, db), "\n".join(gradient_mismatches(trace, dW, db))


def test_input_sensitivity_dC_da0_matches_central_differences():
    """∂C/∂a⁰ (the sensitivity to the input, BP2 carried down to layer 0) equals central differences in x."""
    net, x, y, _, _ = make_case((3, 4, 2), "tanh", "sigmoid", "cross_entropy", seed=5)
    ext = np.longdouble
    W = [np.array(net.W(l), dtype=ext) for l in (1, 2)]
    b = [np.array(net.b(l), dtype=ext) for l in (1, 2)]
    a0, target = np.array(x, dtype=ext), np.array(y, dtype=ext)
    [numeric] = central_differences(lambda: ref_cost(W, b, "tanh", "sigmoid", "cross_entropy", a0, target), [a0])
    assert relative_error(bp.backward(net, x, y, "cross_entropy").dC_da(0), numeric.astype(float)) < RTOL


# --- the checks have teeth: a deliberately wrong backward pass is caught ---------------------------------


def _sigmoid_with(prime):
    s = bp.activation("sigmoid")
    return Activation("sigmoid", s.sigma, prime, s.latex)


@pytest.mark.parametrize("wrong,layers_flagged", [("sign", [2]), ("factor_2", [1, 2])])
def test_our_check_and_gradient_check_flag_a_wrong_sigma_prime(monkeypatch, wrong, layers_flagged):
    """With σ′ of the sigmoid replaced by −σ′ or 2σ′ (a classic slip), both our comparison and
    bp.gradient_check report errors far above tolerance: the gradient tests can fail. (Two sign slips
    cancel in layer 1, so −σ′ shows only in layer 2; 2σ′ gives 2× in layer 2 and 4× in layer 1.)"""
    net, x, y, dW, db = make_case((2, 3, 2), "sigmoid", "sigmoid", "quadratic", seed=1)
    true_prime = bp.activation("sigmoid").prime
    bad = (lambda z: -true_prime(z)) if wrong == "sign" else (lambda z: 2 * true_prime(z))
    monkeypatch.setitem(bp.activations.ACTIVATIONS, "sigmoid", _sigmoid_with(bad))
    # A network looks its activations up when it is built, so build it again under the patch.
    net = bp.Network.from_arrays([net.W(1), net.W(2)], [net.b(1), net.b(2)], "sigmoid", "sigmoid")
    assert net.act(1).prime is bad
    trace = bp.backward(net, x, y, "quadratic")
    flagged = [int(m.split(":")[0].split()[1]) for m in gradient_mismatches(trace, dW, db)]
    assert flagged == layers_flagged
    check = bp.gradient_check(net, x, y, "quadratic")
    assert [l for l in (1, 2) if check.relative_error(l) > 0.1] == layers_flagged


def test_gradient_check_flags_a_wrong_cost_derivative(monkeypatch):
    """With ∂C/∂a of the quadratic cost flipped to y − a, gradient_check's relative error is 1 (the
    numeric side only uses C itself, so it stays right)."""
    net, x, y, dW, db = make_case((2, 2, 1), "tanh", "linear", "quadratic", seed=3)
    monkeypatch.setattr(bp.costs.Quadratic, "dC_da", lambda self, z, a, y: y - a)
    check = bp.gradient_check(net, x, y, "quadratic")
    for l in (1, 2):
        assert check.relative_error(l) == pytest.approx(1.0)
        np.testing.assert_allclose(check.numeric_dC_dW(l), dW[l - 1], rtol=1e-7, atol=1e-10)


# --- bp.gradient_check itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden,output,cost",
    [("sigmoid", "sigmoid", "cross_entropy"), ("tanh", "linear", "quadratic"), ("leaky_relu", "sigmoid", "quadratic")],
)
def test_gradient_check_numeric_side_agrees_with_ours(hidden, output, cost):
    """gradient_check's numeric gradients equal our own central differences (same ε), and its relative
    error equals the formula ‖a − n‖/(‖a‖ + ‖n‖) computed here, below tolerance for a correct backprop."""
    net, x, y, dW, db = make_case((3, 4, 4, 2), hidden, output, cost, seed=11)
    check = bp.gradient_check(net, x, y, cost, epsilon=1e-6)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(check.numeric_dC_dW(l), dW[l - 1], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(check.numeric_dC_db(l), db[l - 1], rtol=1e-6, atol=1e-9)
        analytic = np.concatenate([check.trace.dC_dW(l).ravel(), check.trace.dC_db(l)])
        numeric = np.concatenate([check.numeric_dC_dW(l).ravel(), check.numeric_dC_db(l)])
        assert check.relative_error(l) == pytest.approx(relative_error(analytic, numeric), rel=1e-9, abs=1e-15)
        assert check.relative_error(l) < RTOL
        elementwise = check.relative_error_W(l)
        a, n = check.trace.dC_dW(l), check.numeric_dC_dW(l)
        np.testing.assert_allclose(elementwise, np.abs(a - n) / (np.abs(a) + np.abs(n)), rtol=1e-9, atol=1e-15)


def test_gradient_check_leaves_the_network_alone_and_rejects_bad_epsilon():
    """gradient_check perturbs copies: the network's weights are unchanged after it; ε must be in (0, 1)."""
    net, x, y, _, _ = make_case((2, 2, 1), "sigmoid", "sigmoid", "quadratic", seed=0)
    before = [np.array(net.W(l)) for l in (1, 2)]
    bp.gradient_check(net, x, y)
    for l in (1, 2):
        np.testing.assert_array_equal(net.W(l), before[l - 1])
    for eps in (0, -1e-6, 1.0, float("nan"), "1e-6", None):
        with pytest.raises(ValueError, match="epsilon"):
            bp.gradient_check(net, x, y, epsilon=eps)


def test_tolerances_are_tight_enough_to_catch_slips():
    """The tolerance is orders of magnitude below what a sign or factor-of-2 error produces."""
    g = np.array([0.3, -1.2, 0.05])
    assert relative_error(g, -g) == pytest.approx(1.0)
    assert relative_error(2 * g, g) == pytest.approx(1 / 3)
    assert relative_error(g * (1 + 1e-3), g) > 100 * RTOL
    assert 1e-6 * np.linalg.norm(g) > ATOL
