"""Bad input raises ValueError with a message that names the problem (and, for names, the valid choices)."""

import numpy as np
import pytest

import backprop as bp

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")


@pytest.fixture(scope="module")
def net():
    """A 2-3-1 sigmoid network with known weights."""
    return bp.Network.from_arrays([np.arange(6.0).reshape(3, 2) / 10, [[0.1, -0.2, 0.3]]], [np.zeros(3), [0.5]])


@pytest.fixture(scope="module")
def trace(net):
    return bp.backward(net, [1.0, 2.0], [0.5])


def lists_all(message, names):
    return all(repr(n) in message for n in names)


# --- building a network ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights,biases,match",
    [
        ([np.zeros((3, 2)), np.zeros((1, 4))], [np.zeros(3), np.zeros(1)], r"W2 must have 3 columns.*\(1, 4\)"),
        ([np.zeros((3, 2))], [np.zeros(2)], r"b1 must have shape \(3,\); got shape \(2,\)"),
        ([np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), np.zeros((1, 1))], r"b2 must have shape \(1,\)"),
        ([np.zeros((3, 2))], [np.zeros(3), np.zeros(1)], r"one bias vector per weight matrix.*1 weight.*2 bias"),
        ([np.zeros(3)], [np.zeros(3)], r"W1 must be a non-empty 2-D matrix.*\(3,\)"),
        ([np.zeros((2, 2, 2))], [np.zeros(2)], r"W1 must be a non-empty 2-D matrix"),
        ([np.zeros((0, 3))], [np.zeros(0)], r"W1 must be a non-empty 2-D matrix.*\(0, 3\)"),
        ([np.zeros((2, 0))], [np.zeros(2)], r"W1 must be a non-empty 2-D matrix.*\(2, 0\)"),
        ([], [], r"at least two layers"),
        ([[["a", 1.0]]], [[0.0]], r"W1 must be numbers"),
        ([[[1.0, 1.0], [1.0]]], [[0.0, 0.0]], r"W1 must be numbers"),
        ([[[1.0, 1.0]]], [["b"]], r"b1 must be numbers"),
    ],
)
def test_from_arrays_rejects_bad_shapes(weights, biases, match):
    """Mismatched columns, wrong bias shapes, counts, empty or non-2-D matrices, non-numbers."""
    with pytest.raises(ValueError, match=match):
        bp.Network.from_arrays(weights, biases)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["W1", "W2", "b1", "b2"])
def test_from_arrays_rejects_non_finite_numbers(where, bad):
    """NaN or ±inf in any weight or bias is named in the message."""
    W = [np.ones((2, 2)), np.ones((1, 2))]
    b = [np.ones(2), np.ones(1)]
    arr = {"W1": W[0], "W2": W[1], "b1": b[0], "b2": b[1]}[where]
    arr.flat[-1] = bad
    with pytest.raises(ValueError, match=rf"{where} must be finite numbers.*NaN or infinity"):
        bp.Network.from_arrays(W, b)


@pytest.mark.parametrize(
    "kwargs,label",
    [
        (dict(activation="softmax"), "unknown activation 'softmax'"),
        (dict(activation="Sigmoid"), "unknown activation 'Sigmoid'"),
        (dict(activation=None), "unknown activation None"),
        (dict(output_activation="gelu"), "unknown output activation 'gelu'"),
    ],
)
def test_unknown_activation_names_list_the_valid_ones(kwargs, label):
    """An unknown (or miscapitalised) activation name is quoted, followed by every valid name."""
    for make in (
        lambda: bp.Network.from_arrays([[[1.0]]], [[0.0]], **kwargs),
        lambda: bp.Network.random((1, 1), **kwargs),
    ):
        with pytest.raises(ValueError, match=label) as err:
            make()
        assert lists_all(str(err.value), ACTIVATION_NAMES), str(err.value)
    if "activation" in kwargs:
        with pytest.raises(ValueError, match=label):
            bp.activation(kwargs["activation"])


@pytest.mark.parametrize(
    "sizes,match",
    [
        ((2,), r"at least two layers.*\(2,\)"),
        ((), r"at least two layers"),
        ((2, 0, 1), r"layer 1 must have a whole, positive number of nodes; got 0"),
        ((2, -3, 1), r"layer 1 .*got -3"),
        ((0, 1), r"layer 0 .*got 0"),
        ((2, 1.5, 1), r"layer 1 .*got 1.5"),
        ((2, 2.0, 1), r"layer 1 .*got 2.0"),
        ((2, "3", 1), r"layer 1 .*got '3'"),
        ((2, True, 1), r"layer 1 .*got True"),
        (5, r"sizes must be a sequence of layer widths"),
        (None, r"sizes must be a sequence"),
    ],
)
def test_random_rejects_bad_sizes(sizes, match):
    """Fewer than two layers, and zero, negative or non-integer widths, are refused by name and value."""
    with pytest.raises(ValueError, match=match):
        bp.Network.random(sizes)
    with pytest.raises(ValueError, match=match):
        bp.check_sizes(sizes)


def test_random_accepts_numpy_integer_widths():
    """Widths that are NumPy integers (as a slider or np.array gives them) are whole numbers too."""
    assert bp.Network.random(np.array([3, 2, 1])).sizes == (3, 2, 1)


def test_unknown_init_lists_the_valid_ones():
    """An unknown initialisation name lists every accepted one, "auto" (the default) included."""
    with pytest.raises(ValueError, match="unknown initialisation 'glorot'") as err:
        bp.Network.random((2, 1), init="glorot")
    assert lists_all(str(err.value), ("auto", "xavier", "he", "normal")), str(err.value)


@pytest.mark.parametrize("seed", [-1, "a", 1.5])
def test_random_rejects_bad_seeds(seed):
    """A seed must be a non-negative integer."""
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        bp.Network.random((2, 1), seed=seed)


# --- samples and batches --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,match",
    [
        ([1.0, 2.0, 3.0], r"x must have shape \(2,\); got shape \(3,\)"),
        ([[1.0, 2.0]], r"x must have shape \(2,\); got shape \(1, 2\)"),
        (1.0, r"x must have shape \(2,\); got shape \(\)"),
        ([1.0, np.nan], r"x must be finite"),
        ([np.inf, 1.0], r"x must be finite"),
        (["a", 1.0], r"x must be numbers"),
    ],
)
def test_bad_x_is_named(net, x, match):
    """forward, backward, cost_of and gradient_check all refuse a wrong-shaped or non-finite x."""
    for call in (
        lambda: bp.forward(net, x),
        lambda: bp.backward(net, x, [0.5]),
        lambda: bp.cost_of(net, x, [0.5]),
        lambda: bp.gradient_check(net, x, [0.5]),
    ):
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize(
    "y,match",
    [
        ([0.5, 0.5], r"y must have shape \(1,\); got shape \(2,\)"),
        (0.5, r"y must have shape \(1,\); got shape \(\)"),
        ([np.nan], r"y must be finite"),
        ([-np.inf], r"y must be finite"),
    ],
)
def test_bad_y_is_named(net, y, match):
    """backward and cost_of refuse a wrong-shaped or non-finite target."""
    for call in (lambda: bp.backward(net, [1.0, 2.0], y), lambda: bp.cost_of(net, [1.0, 2.0], y)):
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize(
    "X,Y,match",
    [
        (np.zeros((4, 3)), np.zeros((4, 1)), r"X must have shape \(m, 2\).*got \(4, 3\)"),
        (np.zeros(2), np.zeros((1, 1)), r"X must have shape \(m, 2\).*got \(2,\)"),
        (np.zeros((0, 2)), np.zeros((0, 1)), r"X must have shape \(m, 2\).*got \(0, 2\)"),
        (np.zeros((4, 2)), np.zeros((3, 1)), r"Y must have shape \(4, 1\).*got \(3, 1\)"),
        (np.zeros((4, 2)), np.zeros(4), r"Y must have shape \(4, 1\).*got \(4,\)"),
        (np.zeros((4, 2)), np.zeros((4, 2)), r"Y must have shape \(4, 1\).*got \(4, 2\)"),
        (np.full((4, 2), np.nan), np.zeros((4, 1)), r"X and Y must be finite"),
        (np.zeros((4, 2)), np.full((4, 1), -np.inf), r"X and Y must be finite"),
        ([[1.0, "a"]], [[1.0]], r"X must be numbers"),
        ([[1.0, 2.0]], [["b"]], r"Y must be numbers"),
    ],
)
def test_bad_batches_are_named(net, X, Y, match):
    """batch_gradients refuses X, Y of the wrong shape, empty batches and non-finite numbers."""
    with pytest.raises(ValueError, match=match):
        bp.batch_gradients(net, X, Y)


# --- names and the cross-entropy contract ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["mse", "Quadratic", "", None])
def test_unknown_cost_lists_the_valid_ones(net, name):
    """Every entry point that takes a cost name rejects an unknown one, listing both valid names."""
    for call in (
        lambda: bp.backward(net, [1.0, 2.0], [0.5], cost=name),
        lambda: bp.batch_gradients(net, [[1.0, 2.0]], [[0.5]], cost=name),
        lambda: bp.cost_of(net, [1.0, 2.0], [0.5], cost=name),
        lambda: bp.gradient_check(net, [1.0, 2.0], [0.5], cost=name),
        lambda: bp.cost(name),
    ):
        with pytest.raises(ValueError, match=f"unknown cost {name!r}") as err:
            call()
        assert lists_all(str(err.value), ("quadratic", "cross_entropy"))


@pytest.mark.parametrize("output", [o for o in ACTIVATION_NAMES if o != "sigmoid"])
def test_cross_entropy_needs_a_sigmoid_output(output):
    """Cross-entropy takes ln a and ln(1 − a), so any output activation but the sigmoid is refused, with
    a message that names the fix; the quadratic cost accepts the same network."""
    net = bp.Network.from_arrays([[[0.3, -0.2]]], [[0.1]], activation="tanh", output_activation=output)
    for call in (
        lambda c: bp.backward(net, [0.5, 0.5], [0.5], cost=c),
        lambda c: bp.batch_gradients(net, [[0.5, 0.5]], [[0.5]], cost=c),
        lambda c: bp.cost_of(net, [0.5, 0.5], [0.5], cost=c),
        lambda c: bp.gradient_check(net, [0.5, 0.5], [0.5], cost=c),
    ):
        with pytest.raises(ValueError, match=f"cross_entropy.*'sigmoid'.*not '{output}'"):
            call("cross_entropy")
        call("quadratic")


@pytest.mark.parametrize("y", [-0.1, 1.5, -1e-12, 1 + 1e-12])
def test_cross_entropy_needs_targets_in_0_1(net, y):
    """A target outside [0, 1] is refused for cross-entropy, by backward, cost_of and batch_gradients."""
    for call in (
        lambda: bp.backward(net, [1.0, 2.0], [y], cost="cross_entropy"),
        lambda: bp.cost_of(net, [1.0, 2.0], [y], cost="cross_entropy"),
        lambda: bp.batch_gradients(net, [[1.0, 2.0], [0.0, 0.0]], [[0.5], [y]], cost="cross_entropy"),
    ):
        with pytest.raises(ValueError, match="targets y between 0 and 1"):
            call()


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_cross_entropy_accepts_the_ends_of_0_1(net, y):
    """Targets of exactly 0 and 1 (class labels) are valid for cross-entropy."""
    assert np.isfinite(bp.backward(net, [1.0, 2.0], [y], cost="cross_entropy").cost)


# --- layer numbers and node indices ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["W", "b", "act"])
@pytest.mark.parametrize("l", [0, 3, -1, 1.0, True, "1", None])
def test_network_layer_numbers_are_checked(net, method, l):
    """W(l), b(l), act(l) take a lecture layer number 1..L; 0, L + 1, negatives (which would silently
    index from the end), floats, bools and strings are refused."""
    with pytest.raises(ValueError, match=rf"{method}\(l\) (is defined for layers 1..2|needs an integer)"):
        getattr(net, method)(l)


@pytest.mark.parametrize(
    "method,first,last",
    [
        ("a", 0, 2),
        ("dC_da", 0, 2),
        ("z", 1, 2),
        ("delta", 1, 2),
        ("dC_dW", 1, 2),
        ("dC_db", 1, 2),
        ("sigma_prime", 1, 2),
    ],
)
def test_trace_layer_numbers_are_checked(trace, method, first, last):
    """Each trace accessor accepts exactly its layers first..last and names the range otherwise."""
    for l in range(first, last + 1):
        getattr(trace, method)(l)
    for l in (first - 1, last + 1, -1, 1.0, np.float64(1)):
        with pytest.raises(ValueError, match=rf"{method}\(l\)"):
            getattr(trace, method)(l)
    getattr(trace, method)(np.int64(last))  # a NumPy integer is a whole number


def test_gradients_and_gradient_check_layer_numbers_are_checked(net):
    """Batch gradients and gradient checks refuse layer 0 and L + 1."""
    grads = bp.batch_gradients(net, [[1.0, 2.0]], [[0.5]])
    check = bp.gradient_check(net, [1.0, 2.0], [0.5])
    for call in (grads.dC_dW, grads.dC_db, grads.mean_abs_delta, check.numeric_dC_dW, check.numeric_dC_db):
        for l in (0, 3):
            with pytest.raises(ValueError, match="is defined for layers 1..2"):
                call(l)


# --- the update -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eta,match",
    [
        (-0.1, "must be a finite number ≥ 0"),
        (float("nan"), "must be a finite number ≥ 0"),
        (float("inf"), "must be a finite number ≥ 0"),
        ("fast", "must be a number"),
        (None, "must be a number"),
        ([0.1], "must be a number"),
    ],
)
def test_bad_learning_rate_is_named(net, trace, eta, match):
    """The learning rate must be a finite number ≥ 0."""
    with pytest.raises(ValueError, match=f"learning_rate {match}"):
        bp.gradient_descent_step(net, trace, learning_rate=eta)


def test_gradients_of_another_shape_are_refused(trace):
    """Gradients computed for a network of other sizes cannot update this one."""
    other = bp.Network.random((2, 4, 1))
    with pytest.raises(ValueError, match=r"sizes \(2, 3, 1\), not \(2, 4, 1\)"):
        bp.gradient_descent_step(other, trace)


def test_an_update_that_overflows_is_refused_and_names_the_learning_rate():
    """Divergence: a huge learning rate on large gradients overflows; the update says so instead of
    returning a network of infinities, and the old network is untouched."""
    big = bp.Network.from_arrays([[[1e150, 1e150]]], [[0.0]], "linear")
    trace = bp.backward(big, [1.0, 1.0], [0.0])  # ∂C/∂W = a − y = 2e150 per weight: finite
    with pytest.raises(ValueError, match=r"update W ← W − η ∂C/∂W overflowed .*learning rate 1e\+160"):
        bp.gradient_descent_step(big, trace, learning_rate=1e160)
    assert big.W(1).tolist() == [[1e150, 1e150]]
    assert np.isfinite(bp.gradient_descent_step(big, trace, learning_rate=1e-9).W(1)).all()


@pytest.mark.parametrize("run", ["forward", "backward", "batch"])
def test_passes_that_overflow_raise_a_clear_error_not_a_warning(run):
    """Weights so large that zˡ or ∂C/∂aˡ overflow give a ValueError that says so, never inf or NaN."""
    big = bp.Network.from_arrays([[[1e200, 1e200]], [[1e200]]], [[0.0], [0.0]], "linear")
    calls = {
        "forward": lambda: bp.forward(big, [1e200, 1.0]),
        "backward": lambda: bp.backward(big, [1.0, 1.0], [0.0]),
        "batch": lambda: bp.batch_gradients(big, [[1.0, 1.0]], [[0.0]]),
    }
    with pytest.raises(ValueError, match="overflowed .*too large"):
        calls[run]()
