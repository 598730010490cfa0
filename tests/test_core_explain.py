"""explain.py's chain-rule records: their factors must recombine, by the lecture's formulas, into the numbers
the trace holds — the on-screen equations must add up."""

import math

import numpy as np
import pytest
from helpers_core import random_arrays, random_sample

import backprop as bp

CASES = [
    ((3, 4, 3, 2), "sigmoid", "sigmoid", "quadratic"),
    ((2, 5, 3, 1), "tanh", "sigmoid", "cross_entropy"),
    ((4, 3, 2), "leaky_relu", "linear", "quadratic"),
]


@pytest.fixture(params=CASES, ids=lambda c: f"{'-'.join(map(str, c[0]))}-{c[1]}-{c[2]}-{c[3]}")
def trace(request):
    sizes, hidden, output, cost = request.param
    weights, biases, rng = random_arrays(sizes, seed=21)
    net = bp.Network.from_arrays(weights, biases, activation=hidden, output_activation=output)
    x, y = random_sample(rng, sizes, cost)
    return bp.backward(net, x, y, cost)


def every_weight(net):
    for l in range(1, net.L + 1):
        for k in range(net.sizes[l]):
            for j in range(net.sizes[l - 1]):
                yield l, k, j


def test_weight_chain_factors_multiply_to_dC_dW(trace):
    """(BP4) ∂C/∂aˡₖ · σ′(zˡₖ) · aˡ⁻¹ⱼ equals ∂C/∂Wˡₖⱼ, and δˡₖ · aˡ⁻¹ⱼ does too, for every weight; each
    factor is the trace's own number at that place."""
    net = trace.network
    for l, k, j in every_weight(net):
        c = bp.weight_chain(trace, l, k, j)
        assert (c.l, c.k, c.j) == (l, k, j)
        assert net.W(l)[k, j] == c.W
        assert c.dC_da == trace.dC_da(l)[k]
        assert c.sigma_prime == trace.sigma_prime(l)[k]
        assert c.a_prev == trace.a(l - 1)[j]
        assert c.delta == trace.delta(l)[k]
        assert c.dC_dW == trace.dC_dW(l)[k, j]
        assert c.delta * c.a_prev == pytest.approx(c.dC_dW, rel=1e-14, abs=1e-300)
        assert c.dC_da * c.sigma_prime * c.a_prev == pytest.approx(c.dC_dW, rel=1e-12, abs=1e-300)


def test_delta_chain_terms_sum_to_dC_da(trace):
    """(BP2) below the output: the terms Wˡ⁺¹ₘₖ δˡ⁺¹ₘ are those products, sum (math.fsum) to ∂C/∂aˡₖ
    within 1e-12 relative, and ∂C/∂aˡₖ · σ′(zˡₖ) = δˡₖ."""
    net, L = trace.network, trace.L
    for l in range(1, L):
        for k in range(net.sizes[l]):
            c = bp.delta_chain(trace, l, k)
            assert not c.is_output and c.y is None
            np.testing.assert_array_equal(c.W_col, net.W(l + 1)[:, k])
            np.testing.assert_array_equal(c.delta_next, trace.delta(l + 1))
            np.testing.assert_array_equal(c.terms, net.W(l + 1)[:, k] * trace.delta(l + 1))
            total = math.fsum(c.terms)
            assert abs(total - c.dC_da) <= 1e-12 * max(abs(total), np.abs(c.terms).sum())
            assert c.dC_da == trace.dC_da(l)[k]
            assert c.dC_da * c.sigma_prime == pytest.approx(c.delta, rel=1e-14, abs=1e-300)
            assert (c.a, c.sigma_prime, c.delta) == (trace.a(l)[k], trace.sigma_prime(l)[k], trace.delta(l)[k])


def test_delta_chain_at_the_output_is_bp1(trace):
    """(BP1) at the output: no terms, yₖ and aᴸₖ given, ∂C/∂aᴸₖ from the cost's formula written here, and
    ∂C/∂aᴸₖ · σ′(zᴸₖ) = δᴸₖ."""
    L = trace.L
    for k in range(trace.network.sizes[L]):
        c = bp.delta_chain(trace, L, k)
        assert c.is_output and c.W_col is None and c.delta_next is None and c.terms is None
        assert c.y == trace.y[k] and c.a == trace.a(L)[k]
        a, y = c.a, c.y
        want_dC_da = a - y if trace.cost_name == "quadratic" else (a - y) / (a * (1 - a))
        assert c.dC_da == pytest.approx(want_dC_da, rel=1e-12)
        assert c.dC_da * c.sigma_prime == pytest.approx(c.delta, rel=1e-12)


@pytest.mark.parametrize("use_forward", [True, False])
def test_input_sum_terms_plus_b_equal_z(trace, use_forward):
    """zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ: the terms are those products, their sum plus b is z (to rounding), and
    a = σ(z) is the trace's aˡₖ; works from a Forward as from a Trace."""
    net = trace.network
    source = bp.forward(net, trace.a(0)) if use_forward else trace
    for l in range(1, net.L + 1):
        for k in range(net.sizes[l]):
            s = bp.input_sum(source, l, k)
            np.testing.assert_array_equal(s.W, net.W(l)[k])
            np.testing.assert_array_equal(s.a_prev, trace.a(l - 1))
            np.testing.assert_array_equal(s.terms, net.W(l)[k] * trace.a(l - 1))
            assert s.b == net.b(l)[k]
            total = math.fsum(list(s.terms) + [s.b])
            assert s.z == pytest.approx(total, rel=1e-13, abs=1e-14)
            assert s.z == trace.z(l)[k] and s.a == trace.a(l)[k]


def test_explain_rejects_bad_layers_and_nodes(trace):
    """Layer numbers outside 1..L and node indices outside 0..n−1 (negatives included) are refused."""
    L, sizes = trace.L, trace.network.sizes
    bad_calls = [
        lambda: bp.weight_chain(trace, 0, 0, 0),
        lambda: bp.weight_chain(trace, L + 1, 0, 0),
        lambda: bp.weight_chain(trace, 1, sizes[1], 0),
        lambda: bp.weight_chain(trace, 1, 0, sizes[0]),
        lambda: bp.weight_chain(trace, 1, -1, 0),
        lambda: bp.weight_chain(trace, 1, 0, -1),
        lambda: bp.delta_chain(trace, 0, 0),
        lambda: bp.delta_chain(trace, L, sizes[L]),
        lambda: bp.input_sum(trace, 0, 0),
        lambda: bp.input_sum(trace, 1, sizes[1]),
        lambda: bp.input_sum(trace, 1, 0.0),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError, match="layer|node"):
            call()
