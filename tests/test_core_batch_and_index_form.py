"""Second formulations: a batch against the mean of its samples, and the lecture's index sums, written as
plain Python loops, against the trace's matrix products."""

import math

import numpy as np
import pytest
from helpers_core import random_arrays, random_sample

import backprop as bp

BATCH_CASES = [
    ("sigmoid", "sigmoid", "quadratic"),
    ("sigmoid", "sigmoid", "cross_entropy"),
    ("tanh", "sigmoid", "cross_entropy"),
    ("tanh", "linear", "quadratic"),
    ("relu", "linear", "quadratic"),
    ("leaky_relu", "sigmoid", "cross_entropy"),
    ("linear", "tanh", "quadratic"),
]


def batch(sizes, hidden, output, cost, m, seed):
    weights, biases, rng = random_arrays(sizes, seed)
    net = bp.Network.from_arrays(weights, biases, activation=hidden, output_activation=output)
    samples = [random_sample(rng, sizes, cost) for _ in range(m)]
    X = np.array([x for x, _ in samples])
    Y = np.array([y for _, y in samples])
    return net, X, Y


@pytest.mark.parametrize("hidden,output,cost", BATCH_CASES)
@pytest.mark.parametrize("sizes,m", [((3, 4, 2), 7), ((2, 5, 3, 1), 16), ((4, 2), 1)])
def test_batch_gradients_are_the_mean_of_per_sample_traces(sizes, m, hidden, output, cost):
    """batch_gradients (row-per-sample matrices) equals the mean over samples of bp.backward's cost,
    ∂C/∂Wˡ, ∂C/∂bˡ and |δˡ|, in every layer."""
    net, X, Y = batch(sizes, hidden, output, cost, m, seed=m + len(sizes))
    traces = [bp.backward(net, x, y, cost) for x, y in zip(X, Y, strict=True)]
    grads = bp.batch_gradients(net, X, Y, cost)
    assert grads.m == m
    assert grads.cost == pytest.approx(math.fsum(t.cost for t in traces) / m, rel=1e-12)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(
            grads.dC_dW(l), np.mean([t.dC_dW(l) for t in traces], axis=0), rtol=1e-10, atol=1e-14
        )
        np.testing.assert_allclose(
            grads.dC_db(l), np.mean([t.dC_db(l) for t in traces], axis=0), rtol=1e-10, atol=1e-14
        )
        assert grads.mean_abs_delta(l) == pytest.approx(
            np.mean([np.abs(t.delta(l)) for t in traces]), rel=1e-10, abs=1e-15
        )


def test_a_batch_step_is_the_mean_of_the_per_sample_steps():
    """One batch step at rate η equals the mean of the m networks that one-sample steps would give
    (W − η·mean ∂C/∂W = mean (W − η ∂C/∂W))."""
    net, X, Y = batch((2, 3, 1), "tanh", "sigmoid", "cross_entropy", m=5, seed=2)
    new = bp.gradient_descent_step(net, bp.batch_gradients(net, X, Y, "cross_entropy"), learning_rate=0.3)
    singles = [
        bp.gradient_descent_step(net, bp.backward(net, x, y, "cross_entropy"), 0.3) for x, y in zip(X, Y, strict=True)
    ]
    for l in (1, 2):
        np.testing.assert_allclose(new.W(l), np.mean([s.W(l) for s in singles], axis=0), rtol=1e-12)
        np.testing.assert_allclose(new.b(l), np.mean([s.b(l) for s in singles], axis=0), rtol=1e-12)


def test_batch_of_identical_rows_equals_one_sample():
    """A batch of m copies of one sample has that sample's cost and gradients."""
    net, X, Y = batch((3, 3, 2), "sigmoid", "sigmoid", "quadratic", m=1, seed=4)
    trace = bp.backward(net, X[0], Y[0])
    grads = bp.batch_gradients(net, np.repeat(X, 6, axis=0), np.repeat(Y, 6, axis=0))
    assert grads.cost == pytest.approx(trace.cost, rel=1e-12)
    for l in (1, 2):
        np.testing.assert_allclose(grads.dC_dW(l), trace.dC_dW(l), rtol=1e-12)


# --- index form against matrix form -------------------------------------------------------------------

INDEX_CASES = [
    ((3, 4, 3, 2), "sigmoid", "sigmoid", "quadratic"),
    ((2, 5, 4, 3), "tanh", "sigmoid", "cross_entropy"),
    ((4, 3, 3, 2), "leaky_relu", "linear", "quadratic"),
]


@pytest.mark.parametrize("sizes,hidden,output,cost", INDEX_CASES)
def test_forward_index_form_equals_trace(sizes, hidden, output, cost):
    """zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ as a loop over j (with the trace's own σ) equals trace.z(l) and trace.a(l)."""
    weights, biases, rng = random_arrays(sizes, seed=7)
    net = bp.Network.from_arrays(weights, biases, activation=hidden, output_activation=output)
    x, y = random_sample(rng, sizes, cost)
    trace = bp.backward(net, x, y, cost)
    a_prev = list(x)
    for l in range(1, net.L + 1):
        W, b = net.W(l), net.b(l)
        z = [math.fsum([W[k, j] * a_prev[j] for j in range(sizes[l - 1])] + [b[k]]) for k in range(sizes[l])]
        np.testing.assert_allclose(trace.z(l), z, rtol=1e-13, atol=1e-15)
        a_prev = [float(net.act(l)(np.array(zk))) for zk in z]
        np.testing.assert_allclose(trace.a(l), a_prev, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("sizes,hidden,output,cost", INDEX_CASES)
def test_backward_index_form_equals_trace(sizes, hidden, output, cost):
    """∂C/∂aˡₖ = Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ as a loop over m, δˡₖ = ∂C/∂aˡₖ·σ′(zˡₖ) and
    ∂C/∂Wˡₖⱼ = ∂C/∂aˡₖ·σ′(zˡₖ)·aˡ⁻¹ⱼ, node by node, equal the trace's matrix form (BP2, BP4), given the
    trace's δᴸ (BP1, checked on its own in the gradient and worked-example tests)."""
    weights, biases, rng = random_arrays(sizes, seed=8)
    net = bp.Network.from_arrays(weights, biases, activation=hidden, output_activation=output)
    x, y = random_sample(rng, sizes, cost)
    trace = bp.backward(net, x, y, cost)
    L = net.L
    delta = {L: list(trace.delta(L))}
    for l in range(L - 1, -1, -1):
        W_next = net.W(l + 1)
        dC_da = [math.fsum(W_next[m, k] * delta[l + 1][m] for m in range(sizes[l + 1])) for k in range(sizes[l])]
        np.testing.assert_allclose(trace.dC_da(l), dC_da, rtol=1e-12, atol=1e-15)
        if l > 0:
            sp = [float(net.act(l).prime(np.array(zk))) for zk in trace.z(l)]
            delta[l] = [dC_da[k] * sp[k] for k in range(sizes[l])]
            np.testing.assert_allclose(trace.delta(l), delta[l], rtol=1e-12, atol=1e-15)
    for l in range(1, L + 1):
        for k in range(sizes[l]):
            for j in range(sizes[l - 1]):
                by_chain = trace.dC_da(l)[k] * trace.sigma_prime(l)[k] * trace.a(l - 1)[j]
                assert trace.dC_dW(l)[k, j] == pytest.approx(by_chain, rel=1e-12, abs=1e-15)
                assert trace.dC_dW(l)[k, j] == pytest.approx(delta[l][k] * trace.a(l - 1)[j], rel=1e-12, abs=1e-15)
            assert trace.dC_db(l)[k] == pytest.approx(delta[l][k], rel=1e-12, abs=1e-15)


def test_output_delta_index_form_quadratic():
    """(BP1) for the quadratic cost, node by node: δᴸₖ = (aᴸₖ − yₖ)·σ′(zᴸₖ), with σ′ of the sigmoid as
    σ(1 − σ) from math.exp."""
    weights, biases, rng = random_arrays((3, 4, 3), seed=9)
    net = bp.Network.from_arrays(weights, biases, activation="sigmoid")
    x, y = random_sample(rng, (3, 4, 3), "quadratic")
    trace = bp.backward(net, x, y, "quadratic")
    for k in range(3):
        s = 1.0 / (1.0 + math.exp(-trace.z(2)[k]))
        assert trace.delta(2)[k] == pytest.approx((s - y[k]) * s * (1 - s), rel=1e-12)
