"""Results are immutable: read-only arrays, frozen dataclasses, and updates that build a new network."""

import dataclasses

import numpy as np
import pytest
from helpers_core import random_arrays, random_sample

import backprop as bp

SIZES = (3, 4, 2)


@pytest.fixture
def case():
    weights, biases, rng = random_arrays(SIZES, seed=0)
    net = bp.Network.from_arrays(weights, biases, activation="tanh", output_activation="sigmoid")
    x, y = random_sample(rng, SIZES, "cross_entropy")
    return net, x, y


def trace_arrays(trace):
    """Every array a trace hands out, by name."""
    L = trace.L
    arrays = {f"a({l})": trace.a(l) for l in range(L + 1)}
    arrays |= {f"dC_da({l})": trace.dC_da(l) for l in range(L + 1)}
    for l in range(1, L + 1):
        arrays |= {
            f"z({l})": trace.z(l),
            f"delta({l})": trace.delta(l),
            f"dC_dW({l})": trace.dC_dW(l),
            f"dC_db({l})": trace.dC_db(l),
            f"sigma_prime({l})": trace.sigma_prime(l),
            f"W({l})": trace.network.W(l),
            f"b({l})": trace.network.b(l),
        }
    arrays |= {"y": trace.y, "forward.x": trace.forward.x, "forward.output": trace.forward.output}
    return arrays


def test_every_trace_and_network_array_is_read_only(case):
    """Writing one element into any array of a trace or its network raises ValueError, and the value
    stays what it was."""
    trace = bp.backward(*case, cost="cross_entropy")
    for name, arr in trace_arrays(trace).items():
        before = arr.copy()
        with pytest.raises(ValueError, match="read-only"):
            arr.flat[0] = 123.0
        with pytest.raises(ValueError, match="read-only"):
            arr += 1.0
        np.testing.assert_array_equal(arr, before, err_msg=name)


def test_gradients_and_explain_arrays_are_read_only(case):
    """The batch gradients and the arrays of the explain records are read-only too."""
    net, x, y = case
    grads = bp.batch_gradients(net, np.array([x, x]), np.array([y, y]), "quadratic")
    trace = bp.backward(net, x, y)
    check = bp.gradient_check(net, x, y)
    arrays = [
        grads.dC_dW(1),
        grads.dC_db(2),
        check.numeric_dC_dW(1),
        check.numeric_dC_db(2),
        check.relative_error_W(1),
        bp.input_sum(trace, 1, 0).terms,
        bp.input_sum(trace, 1, 0).W,
        bp.delta_chain(trace, 1, 0).terms,
        bp.delta_chain(trace, 1, 0).W_col,
    ]
    for arr in arrays:
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = 0.0


@pytest.mark.parametrize(
    "make,field,value",
    [
        (lambda net, x, y: net, "activation", "relu"),
        (lambda net, x, y: net, "_W", ()),
        (lambda net, x, y: bp.forward(net, x), "_a", ()),
        (lambda net, x, y: bp.backward(net, x, y), "cost", 0.0),
        (lambda net, x, y: bp.backward(net, x, y), "y", np.zeros(2)),
        (lambda net, x, y: bp.batch_gradients(net, [x], [y]), "cost", 0.0),
        (lambda net, x, y: bp.gradient_check(net, x, y), "epsilon", 1.0),
        (lambda net, x, y: bp.weight_chain(bp.backward(net, x, y), 1, 0, 0), "dC_dW", 0.0),
        (lambda net, x, y: bp.delta_chain(bp.backward(net, x, y), 1, 0), "delta", 0.0),
        (lambda net, x, y: bp.input_sum(bp.forward(net, x), 1, 0), "z", 0.0),
        (lambda net, x, y: bp.step(2, 3), "index", 0),
        (lambda net, x, y: bp.activation("sigmoid"), "name", "relu"),
        (lambda net, x, y: bp.cost("quadratic"), "name", "cross_entropy"),
    ],
)
def test_result_attributes_cannot_be_assigned(case, make, field, value):
    """Every result is a frozen dataclass: assigning an attribute raises FrozenInstanceError."""
    obj = make(*case)
    assert dataclasses.is_dataclass(obj)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, value)


def test_gradient_descent_step_leaves_the_old_network_unchanged(case):
    """The step returns a new network equal to W − η·∂C/∂W and b − η·∂C/∂b (computed here), and the old
    network's arrays are bit-for-bit what they were."""
    net, x, y = case
    before_W = [net.W(l).copy() for l in (1, 2)]
    before_b = [net.b(l).copy() for l in (1, 2)]
    trace = bp.backward(net, x, y, "cross_entropy")
    new = bp.gradient_descent_step(net, trace, learning_rate=0.7)
    assert new is not net and new != net
    for l in (1, 2):
        np.testing.assert_array_equal(net.W(l), before_W[l - 1])
        np.testing.assert_array_equal(net.b(l), before_b[l - 1])
        np.testing.assert_array_equal(new.W(l), before_W[l - 1] - 0.7 * np.array(trace.dC_dW(l)))
        np.testing.assert_array_equal(new.b(l), before_b[l - 1] - 0.7 * np.array(trace.delta(l)))
        assert not np.shares_memory(new.W(l), net.W(l))
    assert (new.activation, new.output_activation) == (net.activation, net.output_activation)


def test_zero_learning_rate_gives_an_equal_network(case):
    """η = 0 is allowed and changes nothing."""
    net, x, y = case
    assert bp.gradient_descent_step(net, bp.backward(net, x, y), learning_rate=0.0) == net


def test_from_arrays_copies_its_inputs():
    """Mutating the caller's lists and arrays after from_arrays leaves the network as it was built."""
    W1, W2 = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0]])
    b1, b2 = np.array([0.1, 0.2]), np.array([0.3])
    weights, biases = [W1, W2], [b1, b2]
    net = bp.Network.from_arrays(weights, biases)
    W1[0, 0] = 99.0
    b2[0] = 99.0
    weights[1] = np.zeros((1, 2))
    biases.append(np.zeros(3))
    np.testing.assert_array_equal(net.W(1), [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(net.W(2), [[5.0, 6.0]])
    np.testing.assert_array_equal(net.b(2), [0.3])
    assert net.sizes == (2, 2, 1)
    assert W1.flags.writeable  # the caller's array is still theirs to write


def test_forward_copies_x_and_backward_copies_y():
    """Changing x or y after the pass does not change the trace."""
    net = bp.Network.from_arrays([[[1.0, -1.0]]], [[0.0]], activation="linear")
    x, y = np.array([2.0, 1.0]), np.array([0.5])
    trace = bp.backward(net, x, y)
    x[0], y[0] = 100.0, 100.0
    np.testing.assert_array_equal(trace.a(0), [2.0, 1.0])
    np.testing.assert_array_equal(trace.y, [0.5])
    assert trace.cost == pytest.approx(0.5 * (1.0 - 0.5) ** 2)


def test_networks_compare_by_value_and_are_unhashable():
    """Two networks with equal arrays and activations are ==; any difference makes them !=; hashing is
    refused (the arrays inside are not hashable by value)."""
    a = bp.Network.from_arrays([[[1.0, 2.0]]], [[0.5]])
    assert a == bp.Network.from_arrays([np.array([[1.0, 2.0]])], [np.array([0.5])])
    assert a != bp.Network.from_arrays([[[1.0, 2.5]]], [[0.5]])
    assert a != bp.Network.from_arrays([[[1.0, 2.0]]], [[0.5]], activation="tanh")
    with pytest.raises(TypeError):
        hash(a)


def test_networks_and_traces_pickle_for_every_activation():
    """st.cache_data and session storage pickle what they keep: every activation must survive it."""
    import pickle

    for name in bp.ACTIVATIONS:
        net = bp.Network.random((2, 3, 1), name, seed=0)
        assert pickle.loads(pickle.dumps(net)) == net
        trace = bp.backward(net, [0.3, -0.2], [0.5])
        again = pickle.loads(pickle.dumps(trace))
        assert again.cost == trace.cost and again.dC_dW(1).tolist() == trace.dC_dW(1).tolist()
