"""Training: it learns XOR and circles, each step is the documented mini-batch step (checked against a loop of
per-sample traces), the history's gradient norms are finite differences' norms, chunks and resets reproduce
runs exactly, and divergence stops training with when and why, keeping the last finite network."""

import numpy as np
import pytest
from helpers_core import central_differences, ref_cost

import backprop as bp
from backprop.training import datasets as ds
from backprop.training import descent as tr


def _config(
    sizes=(2, 8, 8, 1), activation="tanh", output="sigmoid", cost="cross_entropy", lr=0.5, batch=32, seed=0, init="auto"
):
    return tr.TrainConfig(sizes, activation, output, cost, lr, batch, seed, init)


def _assert_same_run(a: tr.TrainState, b: tr.TrainState):
    """Bit for bit: the same network and the same history."""
    assert a.epoch == b.epoch and a.network == b.network and a.initial == b.initial
    for name in (
        "epoch",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "_grad_norm",
        "_mean_abs_delta",
    ):
        np.testing.assert_array_equal(getattr(a.history, name), getattr(b.history, name), err_msg=name)


# ------------------------------------------------------------------------------------------------------
# It learns


@pytest.mark.parametrize("name", ["xor", "circles"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_learns_xor_and_circles(name, seed):
    """2-8-8-1, tanh hidden layers, sigmoid output, cross-entropy, η = 0.5, batches of 32, on 200 points
    (noise 0.1, 40 of them held out): within 100 epochs the mean training cost falls from about ln 2 ≈ 0.69
    to below 0.05, and at least 95% of the test points are classified right. (Measured: below 0.05 after
    25–60 epochs, test accuracy 1.0.)"""
    data = ds.generate(name, n=200, noise=0.1, seed=seed)
    state = tr.start_training(_config(seed=seed), data)
    assert 0.6 < state.history.train_loss[0] < 0.8
    state = tr.run_epochs(state, 100)
    assert not state.diverged
    assert state.epoch == 100 and len(state.history) == 101
    assert state.history.train_loss[-1] < 0.05
    assert state.history.test_accuracy[-1] >= 0.95


def test_regression_on_the_sine_reduces_the_loss():
    """1-8-8-1 tanh with a linear output and the quadratic cost, η = 0.1: within 200 epochs the training loss
    falls below a fifth of where it started, and below 0.05 (the noise alone costs ½·0.02² per sample)."""
    data = ds.sine(n=200, noise=0.1, seed=0)
    state = tr.start_training(tr.default_config(data, learning_rate=0.1), data)
    state = tr.run_epochs(state, 200)
    h = state.history
    assert h.train_loss[-1] < min(0.05, h.train_loss[0] / 5)
    assert not h.has_accuracy and np.all(np.isnan(h.train_accuracy))


# ------------------------------------------------------------------------------------------------------
# What one epoch is: a second formulation from per-sample traces


def _epoch_by_hand(net, config, data, epoch):
    """The documented epoch written out with the one-sample `backward`: shuffle with the seeded stream
    (seed, 2, epoch), then per batch W ← W − η · (mean over its samples of ∂C/∂W)."""
    X, Y = data.X_train, data.Y_train
    order = np.random.default_rng([config.seed, 2, epoch]).permutation(len(X))
    B = min(config.batch_size, len(X))
    for start in range(0, len(X), B):
        traces = [bp.backward(net, X[i], Y[i], config.cost) for i in order[start : start + B]]
        W = [
            net.W(l) - config.learning_rate * np.mean([t.dC_dW(l) for t in traces], axis=0) for l in range(1, net.L + 1)
        ]
        b = [
            net.b(l) - config.learning_rate * np.mean([t.dC_db(l) for t in traces], axis=0) for l in range(1, net.L + 1)
        ]
        net = bp.Network.from_arrays(W, b, net.activation, net.output_activation)
    return net


@pytest.mark.parametrize("batch", [1, 7, 32, 1000])
def test_each_epoch_is_the_documented_mini_batch_descent(batch):
    """Against the epoch written out sample by sample; batch 7 leaves a smaller last batch, 1000 ≥ the 40
    training rows is full-batch descent."""
    data = ds.moons(n=50, noise=0.2, seed=4)
    config = _config(sizes=(2, 4, 3, 1), activation="sigmoid", lr=0.8, batch=batch, seed=5)
    state = tr.start_training(config, data)
    net = state.network
    for epoch in (1, 2, 3):
        state = tr.run_epochs(state, 1)
        net = _epoch_by_hand(net, config, data, epoch)
        for l in range(1, net.L + 1):
            np.testing.assert_allclose(state.network.W(l), net.W(l), rtol=1e-10, atol=1e-13)
            np.testing.assert_allclose(state.network.b(l), net.b(l), rtol=1e-10, atol=1e-13)
    assert state.n_batches == -(-40 // min(batch, 40))


def test_history_rows_measure_the_network_at_the_end_of_each_epoch():
    """Loss, accuracy, gradient norms and mean |δ| of the last row, from per-sample traces of the current
    network: mean C, the fraction with (a ≥ 0.5) = (y = 1), ‖mean ∂C/∂Wˡ‖_F, mean |δˡ| over samples and
    nodes."""
    data = ds.circles(n=60, noise=0.3, seed=1, test_fraction=0.25)
    state = tr.run_epochs(tr.start_training(_config(sizes=(2, 5, 4, 1), lr=0.3, batch=8), data), 4)
    net, h = state.network, state.history
    train = [bp.backward(net, x, y, "cross_entropy") for x, y in zip(data.X_train, data.Y_train, strict=True)]
    test = [bp.backward(net, x, y, "cross_entropy") for x, y in zip(data.X_test, data.Y_test, strict=True)]
    np.testing.assert_allclose(h.train_loss[-1], np.mean([t.cost for t in train]), rtol=1e-12)
    np.testing.assert_allclose(h.test_loss[-1], np.mean([t.cost for t in test]), rtol=1e-12)
    for traces, acc in ((train, h.train_accuracy[-1]), (test, h.test_accuracy[-1])):
        right = [(t.a(net.L)[0] >= 0.5) == (t.y[0] == 1) for t in traces]
        assert acc == np.mean(right)
    for l in range(1, net.L + 1):
        mean_grad = np.mean([t.dC_dW(l) for t in train], axis=0)
        np.testing.assert_allclose(h.grad_norm(l)[-1], np.sqrt(np.sum(mean_grad**2)), rtol=1e-12)
        np.testing.assert_allclose(h.mean_abs_delta(l)[-1], np.mean([np.abs(t.delta(l)) for t in train]), rtol=1e-12)
    assert h.has_test and h.has_accuracy and h.L == 3


def test_gradient_norms_agree_with_finite_differences():
    """‖∂C/∂Wˡ‖_F of the mean training cost, against central differences of that cost written here from the
    lecture's formulas (in extended precision, as helpers_core does)."""
    data = ds.xor(n=20, noise=0.2, seed=3, test_fraction=0.0)
    state = tr.run_epochs(tr.start_training(_config(sizes=(2, 3, 2, 1), lr=0.2, batch=5, seed=2), data), 2)
    net = state.network
    ext = np.longdouble
    W = [np.array(net.W(l), dtype=ext) for l in range(1, net.L + 1)]
    b = [np.array(net.b(l), dtype=ext) for l in range(1, net.L + 1)]
    X, Y = np.array(data.X_train, dtype=ext), np.array(data.Y_train, dtype=ext)

    def mean_cost():
        return sum(ref_cost(W, b, "tanh", "sigmoid", "cross_entropy", x, y) for x, y in zip(X, Y, strict=True)) / len(X)

    numeric = central_differences(mean_cost, W)
    for l in range(1, net.L + 1):
        expected = float(np.sqrt(np.sum(numeric[l - 1].astype(float) ** 2)))
        assert expected > 1e-4
        np.testing.assert_allclose(state.history.grad_norm(l)[-1], expected, rtol=1e-6)


def test_row_zero_describes_the_initial_network():
    data = ds.blobs(n=40, noise=0.5, seed=2)
    state = tr.start_training(_config(seed=7), data)
    assert state.epoch == 0 and len(state.history) == 1 and state.network is state.initial
    np.testing.assert_array_equal(state.history.epoch, [0])
    g = bp.batch_gradients(state.network, data.X_train, data.Y_train, "cross_entropy")
    assert state.history.train_loss[0] == g.cost
    assert state.network == _config(seed=7).network()


def test_accuracy_threshold_is_one_half_whatever_the_output_activation():
    """A network whose output is exactly 0.5 everywhere (zero weights, sigmoid output) calls every point
    class 1; with a tanh output 0 everywhere it calls every point class 0. (41 points: 21 of class 1.)"""
    data = ds.xor(n=41, noise=0.1, seed=0, test_fraction=0.0)
    ones = float(data.Y_train.mean())
    assert ones == 21 / 41
    zero = bp.Network.from_arrays([np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), np.zeros(1)], "tanh", "sigmoid")
    state = tr.start_training(_config(sizes=(2, 3, 1)), data, network=zero)
    assert state.history.train_accuracy[0] == ones
    tanh_zero = bp.Network.from_arrays([np.zeros((3, 2)), np.zeros((1, 3))], [np.zeros(3), np.zeros(1)], "tanh")
    state = tr.start_training(_config(sizes=(2, 3, 1), output="tanh", cost="quadratic"), data, tanh_zero)
    assert state.history.train_accuracy[0] == 1 - ones


def test_no_test_set_gives_nan_test_columns():
    data = ds.xor(n=30, noise=0.1, seed=0, test_fraction=0.0)
    h = tr.run_epochs(tr.start_training(_config(), data), 2).history
    assert not h.has_test and np.all(np.isnan(h.test_loss)) and np.all(np.isnan(h.test_accuracy))
    assert np.all(np.isfinite(h.train_loss))


# ------------------------------------------------------------------------------------------------------
# Reproducible: chunks, reset, seeds


def test_chunks_give_exactly_the_same_run_as_one_call():
    data = ds.spiral(n=120, noise=0.2, seed=1)
    start = tr.start_training(_config(activation="relu", lr=0.3, batch=16, seed=3), data)
    whole = tr.run_epochs(start, 12)
    chunked = start
    for n in (1, 5, 0, 6):
        chunked = tr.run_epochs(chunked, n)
    _assert_same_run(whole, chunked)


def test_reset_returns_to_the_same_weights_and_reproduces_the_run():
    data = ds.moons(n=100, noise=0.2, seed=2)
    start = tr.start_training(_config(seed=11), data)
    first = tr.run_epochs(start, 15)
    again = tr.reset_training(first)
    _assert_same_run(again, start)
    assert again.divergence is None
    _assert_same_run(tr.run_epochs(again, 15), first)


def test_the_seed_sets_the_initial_weights_and_the_shuffle():
    data = ds.circles(n=100, noise=0.1, seed=0)
    a = tr.run_epochs(tr.start_training(_config(seed=1), data), 3)
    b = tr.run_epochs(tr.start_training(_config(seed=2), data), 3)
    assert a.initial != b.initial and a.network != b.network
    # The same initial weights with another shuffle: only the seed of the shuffle differs.
    c = tr.run_epochs(tr.start_training(_config(seed=2), data, network=a.initial), 3)
    assert c.initial == a.initial and c.network != a.network


def test_a_run_leaves_its_input_state_unchanged_and_its_arrays_read_only():
    data = ds.xor(n=50, seed=0)
    start = tr.start_training(_config(), data)
    before = (start.epoch, start.network, start.history.train_loss.copy())
    after = tr.run_epochs(start, 3)
    assert (start.epoch, start.network) == before[:2]
    np.testing.assert_array_equal(start.history.train_loss, before[2])
    for arr in (after.history.epoch, after.history.train_loss, after.history.grad_norm(1), after.network.W(1)):
        assert not arr.flags.writeable
    with pytest.raises(AttributeError):
        after.epoch = 0


def test_time_limit_stops_at_the_first_batch_boundary_after_it_ran_out():
    """(The resumed run equals the uncut one: tests/test_training_chunks.py.)"""
    data = ds.xor(n=100, seed=0)
    start = tr.start_training(_config(), data)
    state = tr.run_epochs(start, 50, time_limit=1e-9)
    assert start.n_batches > 1 and state.epoch == 0 and len(state.history) == 1 and state.within.batches == 1


# ------------------------------------------------------------------------------------------------------
# Divergence


def _diverging():
    """2-8-8-1 ReLU with a linear output, quadratic cost, η = 1000, on XOR: the cost explodes in epoch 1."""
    data = ds.xor(n=200, noise=0.1, seed=0)
    return tr.start_training(_config(activation="relu", output="linear", cost="quadratic", lr=1e3), data)


def _network_after_steps(state, steps):
    """The network after `steps` mini-batch steps of epoch 1, done with the public core functions."""
    config, X, Y = state.config, state.data.X_train, state.data.Y_train
    order = np.random.default_rng([config.seed, 2, 1]).permutation(len(X))
    net = state.initial
    for k in range(steps):
        rows = order[k * config.batch_size : (k + 1) * config.batch_size]
        net = bp.gradient_descent_step(
            net, bp.batch_gradients(net, X[rows], Y[rows], config.cost), config.learning_rate
        )
    return net


def test_an_exploding_loss_stops_training_with_when_and_why():
    start = _diverging()
    state = tr.run_epochs(start, 20)
    d = state.divergence
    assert state.diverged and d.epoch == 1 and d.batch is not None and 1 < d.batch <= state.n_batches
    assert "rose to" in d.reason and "learning rate is too large" in d.reason
    assert f"epoch 1, batch {d.batch} of {state.n_batches}" in d.message
    # Nothing completed: the history holds the initial row only, and the network is the one the failing
    # batch's cost was measured at: the initial network after batch − 1 steps, every weight finite.
    assert state.epoch == 0 and len(state.history) == 1
    assert state.network == _network_after_steps(start, d.batch - 1)
    assert all(np.all(np.isfinite(state.network.W(l))) for l in range(1, 4))
    cost = bp.batch_gradients(state.network, state.data.X_train, state.data.Y_train, "quadratic").cost
    assert np.isfinite(cost)


def test_an_overflow_stops_training_with_the_core_s_message(monkeypatch):
    """With the explosion check switched off, the same run goes on until NumPy overflows; the core's
    ValueError becomes the reason."""
    monkeypatch.setattr(tr, "EXPLODED", np.inf)
    start = _diverging()
    state = tr.run_epochs(start, 50)
    assert state.diverged and "overflowed" in state.divergence.reason
    assert all(np.all(np.isfinite(state.network.W(l))) for l in range(1, 4))
    e = state.divergence.epoch
    assert state.epoch == e - 1 and len(state.history) == e


def test_divergence_found_by_the_end_of_epoch_evaluation_says_so():
    """Full-batch descent measures each batch's cost at the network the last evaluation already saw, so the
    explosion shows first in the evaluation after the epoch's only step."""
    data = ds.xor(n=200, noise=0.1, seed=0)
    config = _config(activation="relu", output="linear", cost="quadratic", lr=1e3, batch=1000)
    state = tr.run_epochs(tr.start_training(config, data), 5)
    assert state.divergence.batch is None and state.divergence.epoch == 1
    assert "at the end of epoch 1" in state.divergence.message and "training loss" in state.divergence.reason


def test_a_diverged_run_refuses_to_go_on_until_reset():
    state = tr.run_epochs(_diverging(), 5)
    with pytest.raises(ValueError, match="diverged in epoch 1.*lower the learning rate and reset"):
        tr.run_epochs(state, 1)
    fresh = tr.reset_training(state)
    assert not fresh.diverged and fresh.epoch == 0 and fresh.network == fresh.initial
    assert tr.run_epochs(fresh, 1).diverged  # the same learning rate diverges the same way again


def test_a_healthy_learning_rate_never_diverges_on_the_same_network():
    state = tr.run_epochs(
        tr.start_training(
            _config(activation="relu", output="linear", cost="quadratic", lr=0.05), ds.xor(n=200, noise=0.1, seed=0)
        ),
        30,
    )
    assert not state.diverged and state.history.train_loss[-1] < state.history.train_loss[0]


# ------------------------------------------------------------------------------------------------------
# Configs and mismatches are refused with readable messages


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(activation="softmax"), ["unknown activation 'softmax'", "'sigmoid'"]),
        (dict(output="relu"), ["cross_entropy", "sigmoid"]),
        (dict(cost="hinge"), ["unknown cost 'hinge'"]),
        (dict(init="zeros"), ["unknown initialisation 'zeros'", "'auto'"]),
        (dict(lr=-0.1), ["learning rate", "0 to"]),
        (dict(lr=float("nan")), ["learning rate"]),
        (dict(lr=float("inf")), ["learning rate"]),
        (dict(lr="fast"), ["learning rate"]),
        (dict(lr=True), ["learning rate"]),
        (dict(batch=0), ["batch size", "≥ 1"]),
        (dict(batch=2.5), ["batch size"]),
        (dict(seed=-1), ["seed", "≥ 0"]),
        (dict(sizes=(2,)), ["at least two layers"]),
        (dict(sizes=(2, 0, 1)), ["layer 1"]),
    ],
)
def test_bad_configs_are_refused(kwargs, words):
    with pytest.raises(ValueError) as err:
        _config(**kwargs)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_config_normalises_its_fields():
    c = tr.TrainConfig([2, 3, 1], "relu", None, "quadratic", 1, np.int64(4), np.int64(2))
    assert c.sizes == (2, 3, 1) and c.output_activation == "relu" and c.learning_rate == 1.0
    assert type(c.batch_size) is int and type(c.seed) is int


@pytest.mark.parametrize(
    "data,config,words",
    [
        (ds.xor(), _config(sizes=(3, 4, 1)), ["'xor' has 2 inputs (x1, x2)", "3 input nodes", "layer 0 2 nodes"]),
        (ds.xor(), _config(sizes=(2, 4, 2)), ["1 outputs (class)", "2 output nodes", "layer 2 1 node wide"]),
        (ds.sine(), _config(sizes=(1, 4, 1)), ["cross_entropy", "targets y between 0 and 1"]),
    ],
)
def test_a_network_that_does_not_fit_the_data_is_refused(data, config, words):
    with pytest.raises(ValueError) as err:
        tr.start_training(config, data)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_a_given_network_must_be_the_config_s():
    with pytest.raises(ValueError, match="is not the one the config describes"):
        tr.start_training(_config(), ds.xor(), network=bp.Network.random((2, 3, 1), "tanh", "sigmoid"))


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_bad_epoch_counts_are_refused(n):
    with pytest.raises(ValueError, match="number of epochs"):
        tr.run_epochs(tr.start_training(_config(), ds.xor()), n)


def test_default_config_suits_the_kind_of_data():
    c = tr.default_config(ds.circles())
    assert (c.sizes, c.output_activation, c.cost) == ((2, 8, 8, 1), "sigmoid", "cross_entropy")
    r = tr.default_config(ds.sine(), hidden=(5,))
    assert (r.sizes, r.output_activation, r.cost) == ((1, 5, 1), "linear", "quadratic")


# ------------------------------------------------------------------------------------------------------
# Outputs over the input space


def test_predict_is_the_forward_pass_of_every_row():
    net = bp.Network.random((2, 5, 3, 2), "tanh", "sigmoid", seed=4)
    X = np.random.default_rng(0).normal(size=(17, 2))
    np.testing.assert_allclose(tr.predict(net, X), [bp.forward(net, x).output for x in X], rtol=1e-13)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        tr.predict(net, X[:, :1])
    with pytest.raises(ValueError, match="finite"):
        tr.predict(net, [[np.nan, 0.0]])
    big = bp.Network.from_arrays([np.full((1, 1), 1e200)], [np.zeros(1)], "linear")
    with pytest.raises(ValueError, match="overflowed"):
        tr.predict(big, [[1e200]])


def test_decision_grid_covers_the_data_with_a_margin():
    data = ds.moons(n=100, noise=0.3, seed=1)
    net = bp.Network.random((2, 4, 1), "tanh", "sigmoid", seed=1)
    grid = tr.decision_grid(net, data, resolution=25, margin=0.1)
    assert grid.x1.shape == (25,) and grid.x2.shape == (25,) and grid.output.shape == (25, 25)
    for values, column in ((grid.x1, 0), (grid.x2, 1)):
        lo, hi = data.X[:, column].min(), data.X[:, column].max()
        np.testing.assert_allclose([values[0], values[-1]], [lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)])
    i, j = 7, 19  # row i runs along x2, column j along x1, as a heatmap draws z[i][j] at (x[j], y[i])
    np.testing.assert_allclose(grid.output[i, j], tr.predict(net, [[grid.x1[j], grid.x2[i]]])[0, 0], rtol=1e-13)
    with pytest.raises(ValueError, match="2 inputs"):
        tr.decision_grid(bp.Network.random((1, 2, 1)), ds.sine())
    with pytest.raises(ValueError, match="resolution"):
        tr.decision_grid(net, data, resolution=1)


def test_fitted_curve_along_the_input_axis():
    data = ds.sine(n=50, seed=0)
    net = bp.Network.random((1, 4, 1), "tanh", "linear", seed=0)
    curve = tr.fitted_curve(net, data, resolution=30)
    assert curve.x.shape == curve.output.shape == (30,)
    np.testing.assert_allclose(curve.output, tr.predict(net, curve.x[:, None])[:, 0])
    assert curve.x[0] < data.X.min() and curve.x[-1] > data.X.max()
    with pytest.raises(ValueError, match="1 input"):
        tr.fitted_curve(bp.Network.random((2, 2, 1)), ds.xor())


def test_cross_entropy_divergence_is_caught_by_the_loss_limit():
    """With the exact cross-entropy a blown-up loss is seen again: a linear hidden layer at η = 10 on the
    circles passes EXPLODED × the initial loss in epoch 1. (The clipped cost was at most 34.5 per sample,
    50 times an initial 0.69, so this limit could never fire for cross-entropy.)"""
    data = ds.circles(300, seed=0)
    config = tr.TrainConfig((2, 8, 8, 1), "linear", "sigmoid", "cross_entropy", 10.0, 32, 0)
    state = tr.run_epochs(tr.start_training(config, data), 10)
    assert state.diverged and state.divergence.epoch == 1
    assert f"{tr.EXPLODED:,.0f} times the initial training loss" in state.divergence.reason
    assert all(np.isfinite(state.network.W(l)).all() for l in range(1, 4))
    assert tr.stuck(state) is None  # diverged: the divergence message says it all


def test_a_loss_stuck_above_its_start_gets_a_notice_naming_eta_and_saturation():
    """η = 100 on the spiral with tanh: the loss oscillates far above its start (≈ 130 against 0.71) and never
    diverges. After STUCK_EPOCHS such epochs stuck() names η and the saturated outputs, counted here."""
    data = ds.spiral(200, seed=0)
    state = tr.start_training(tr.default_config(data, learning_rate=100.0), data)
    assert tr.stuck(state) is None
    state = tr.run_epochs(state, tr.STUCK_EPOCHS + 5)
    assert not state.diverged
    assert np.all(state.history.train_loss[-tr.STUCK_EPOCHS :] > state.history.train_loss[0])
    note = tr.stuck(state)
    assert note is not None and "η = 100 is too large" in note and "try 10" in note
    Z = data.X_train
    for l in range(1, state.network.L + 1):
        Z = Z @ state.network.W(l).T + state.network.b(l)
        A = state.network.act(l)(Z)
        Z = Z if l == state.network.L else A
    share = np.mean(np.abs(Z) > tr.SATURATED)
    assert share > 0.5 and f"{100 * share:.0f} % of the training outputs have |zᴸ| > 10" in note


def test_a_loss_that_falls_gets_no_notice():
    data = ds.circles(300, seed=0)
    state = tr.run_epochs(tr.start_training(tr.default_config(data), data), tr.STUCK_EPOCHS + 5)
    assert state.history.train_loss[-1] < state.history.train_loss[0] and tr.stuck(state) is None
