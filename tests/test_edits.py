"""Hand edits of weights and biases (backprop.lesson.edits), checked against the core run on arrays built
independently: the same arrays with the entry set by NumPy indexing, through Network.from_arrays."""

import numpy as np
import pytest

import backprop as bp
from backprop.figures.series import cost_curve
from backprop.lesson import edits as ed
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson


def _worked() -> Lesson:
    p = PRESETS["worked_2_2_2"]
    return Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate, p.update_biases)


def _random(sizes=(3, 5, 4, 2), activation="tanh", cost="quadratic") -> Lesson:
    net = bp.Network.random(sizes, activation, "sigmoid", seed=7)
    rng = np.random.default_rng(1)
    return Lesson.start(net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]), cost, 0.7)


def _arrays(net: bp.Network):
    return [net.W(l).copy() for l in range(1, net.L + 1)], [net.b(l).copy() for l in range(1, net.L + 1)]


def _same_trace(mine: bp.Trace, theirs: bp.Trace) -> None:
    L = theirs.L
    assert mine.cost == theirs.cost
    for l in range(L + 1):
        np.testing.assert_array_equal(mine.a(l), theirs.a(l))
    for l in range(1, L + 1):
        np.testing.assert_array_equal(mine.z(l), theirs.z(l))
        np.testing.assert_array_equal(mine.delta(l), theirs.delta(l))
        np.testing.assert_array_equal(mine.dC_dW(l), theirs.dC_dW(l))
        np.testing.assert_array_equal(mine.dC_db(l), theirs.dC_db(l))


@pytest.mark.parametrize("make", [_worked, _random, lambda: _random((2, 3, 3, 3, 1), "relu")])
def test_an_edited_lessons_trace_is_the_cores_trace_of_the_same_arrays_at_every_step(make):
    lesson = make()
    L = lesson.network.L
    lesson = lesson.forward().forward()  # an edit at step 2 keeps the step
    W, b = _arrays(lesson.network)
    edited, rec = ed.edit(lesson, None, "W", L, 0, 1 % lesson.network.sizes[L - 1], 1.75)
    edited, rec = ed.edit(edited, rec, "b", 1, 0, 0, -0.5)
    assert edited.index == 2 and edited.iteration == 1
    W[L - 1][0, 1 % lesson.network.sizes[L - 1]] = 1.75
    b[0][0] = -0.5
    reference = bp.Network.from_arrays(W, b, lesson.network.activation, lesson.network.output_activation)
    theirs = bp.backward(reference, lesson.x, lesson.y, lesson.cost)
    assert theirs.cost != lesson.trace.cost  # the edit changed something
    at = edited.reset()
    for i in range(edited.last + 1):
        assert at.index == i and at.iteration == 1
        _same_trace(at.trace, theirs)
        assert at.cost_after_update() == bp.cost_of(
            bp.gradient_descent_step(reference, theirs, lesson.learning_rate, lesson.update_biases),
            lesson.x,
            lesson.y,
            lesson.cost,
        )
        at = at.forward()
    # Past the update: the next iteration starts from the edited network's update.
    expected = bp.gradient_descent_step(reference, theirs, lesson.learning_rate, lesson.update_biases)
    assert at.iteration == 2 and at.index == 1
    for l in range(1, L + 1):
        np.testing.assert_array_equal(at.network.W(l), expected.W(l))
        np.testing.assert_array_equal(at.network.b(l), expected.b(l))
    assert rec.weights == {(L, 0, 1 % lesson.network.sizes[L - 1]): 1.75} and rec.biases == {(1, 0): -0.5}


def test_reset_edits_restores_the_preset_weights_bit_for_bit_at_the_same_step():
    lesson = _worked().forward().forward().forward()
    preset = PRESETS["worked_2_2_2"].network()
    edited, rec = ed.edit(lesson, None, "W", 1, 0, 1, -3.3)
    edited, rec = ed.edit(edited, rec, "W", 2, 1, 0, 0.123456789)
    edited, rec = ed.edit(edited, rec, "b", 2, 1, 0, 2.0)
    back, after = ed.reset(edited, rec)
    assert after is None and back.index == 3 and back.iteration == 1
    assert back.network is lesson.network
    for l in (1, 2):
        assert back.network.W(l).tobytes() == preset.W(l).tobytes()
        assert back.network.b(l).tobytes() == preset.b(l).tobytes()
    _same_trace(back.trace, lesson.trace)


def test_reset_edits_from_a_later_iteration_recomputes_it_from_the_unedited_network():
    lesson = _random()
    plain = lesson.run_to_end().forward().run_to_end().forward()  # iteration 3, step 1, never edited
    edited, rec = ed.edit(lesson, None, "W", 1, 2, 1, 4.0)
    later = edited.run_to_end().forward().run_to_end().forward()
    assert later.iteration == 3 and rec.live(later) and not rec.shown(later)
    assert later.network.W(1).tobytes() != plain.network.W(1).tobytes()
    back, _ = ed.reset(later, rec)
    assert back.iteration == 3 and back.index == 1
    for l in range(1, 4):
        assert back.network.W(l).tobytes() == plain.network.W(l).tobytes()
        assert back.network.b(l).tobytes() == plain.network.b(l).tobytes()


def test_an_edit_set_back_to_its_unedited_value_is_no_longer_an_edit():
    lesson = _worked()
    edited, rec = ed.edit(lesson, None, "W", 1, 0, 0, 0.9)
    edited, rec = ed.edit(edited, rec, "W", 1, 0, 0, float(lesson.network.W(1)[0, 0]))
    assert rec.count == 0 and edited.network is lesson.network


def test_edits_in_two_iterations_chain_and_step_back_leaves_the_later_one_behind():
    lesson = _worked()
    one, rec1 = ed.edit(lesson, None, "W", 1, 0, 0, 1.0)
    two = one.run_to_end().forward()
    two, rec2 = ed.edit(two, rec1, "b", 2, 0, 0, 1.0)
    assert rec2.previous is rec1 and rec2.iteration == 2 and ed.current(rec2, two) is rec2
    back = two.back().back()  # step 0 of iteration 2, then the update of iteration 1
    assert back.iteration == 1 and ed.current(rec2, back) is rec1


@pytest.mark.parametrize(
    "value, words",
    [
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (-float("inf"), "finite"),
        (100.5, "between"),
        (-1e300, "between"),
        ("abc", "a number"),
        (None, "a number"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_changes(value, words):
    lesson = _worked()
    before = lesson.network
    with pytest.raises(ValueError, match=words):
        ed.edit(lesson, None, "W", 1, 0, 0, value)
    assert lesson.network is before  # immutable: the caller keeps its lesson and record


def test_an_entry_outside_the_network_is_refused():
    with pytest.raises(ValueError, match="not in this 2-2-2 network"):
        ed.edit(_worked(), None, "W", 3, 0, 0, 1.0)
    with pytest.raises(ValueError, match="not in this 2-2-2 network"):
        ed.edit(_worked(), None, "b", 1, 2, 0, 1.0)


def test_an_edit_whose_update_overflows_is_refused():
    """Seven linear layers of 4 nodes, every weight 7, η = 10: the lesson's numbers are finite, but with
    W¹₁₁ = 100 the updated network's cost is beyond the floats."""
    sizes = [1] + [4] * 6 + [1]
    W = [np.full((sizes[l], sizes[l - 1]), 7.0) for l in range(1, 8)]
    b = [np.zeros(sizes[l]) for l in range(1, 8)]
    lesson = Lesson.start(bp.Network.from_arrays(W, b, "linear"), [10.0], [0.0], "quadratic", 10.0)
    with pytest.raises(ValueError, match="overflow"):
        ed.edit(lesson, None, "W", 1, 0, 0, 100.0)
    ed.edit(lesson, None, "W", 1, 0, 0, 7.5)  # a smaller edit is taken


@pytest.mark.parametrize("make", [_worked, _random, lambda: _random((2, 4, 3), "sigmoid", "cross_entropy")])
def test_the_plots_tangent_slope_is_the_finite_difference_slope_of_the_cost(make):
    """The figure's tangent has the slope of C(Wˡₖⱼ) measured by central differences on the edited network
    (1e-6 relative), and its point is (Wˡₖⱼ, C) on the curve."""
    lesson = make()
    edited, _ = ed.edit(lesson, None, "W", 1, 1, 0, 0.8)
    trace = edited.trace
    net = edited.network
    for l in range(1, net.L + 1):
        k, j = net.sizes[l] - 1, 0
        fig = cost_curve(trace, "W", l, k, j, window=(-3.0, 3.0), height=300)
        by_name = {t.name: t for t in fig.data}
        (x0, x1), (y0, y1) = by_name["tangent"].x, by_name["tangent"].y
        slope = (y1 - y0) / (x1 - x0)
        h = 1e-5
        W, b = _arrays(net)

        def C(v, l=l, k=k, j=j, W=W, b=b):
            W2 = [w.copy() for w in W]
            W2[l - 1][k, j] = v
            return bp.cost_of(bp.Network.from_arrays(W2, b, net.activation, net.output_activation), *_xy(edited))

        w = float(net.W(l)[k, j])
        numeric = (C(w + h) - C(w - h)) / (2 * h)
        assert slope == pytest.approx(numeric, rel=1e-6, abs=1e-12), (l, slope, numeric)
        assert by_name["current"].x[0] == w and by_name["current"].y[0] == trace.cost
        curve = dict(zip(by_name["cost"].x, by_name["cost"].y, strict=True))
        assert curve[w] == pytest.approx(trace.cost, rel=1e-12)


def _xy(lesson: Lesson):
    return lesson.x, lesson.y, lesson.cost


def test_edited_entries_are_marked_dashed_in_the_diagram_and_their_heatmap():
    from backprop.figures import layer_gradient, network_diagram
    from backprop.figures.network import node_xy

    lesson = _random()
    edited, rec = ed.edit(lesson, None, "W", 2, 3, 1, 2.0)
    edited, rec = ed.edit(edited, rec, "b", 3, 1, 0, 2.0)
    trace, moment = edited.trace, edited.moment
    fig = network_diagram(trace, moment, (1, 0, 0), edited=(rec.weights.keys(), rec.biases.keys()))
    by_name = {t.name: t for t in fig.data}
    ys = node_xy(edited.network.sizes)
    np.testing.assert_array_equal(np.asarray(by_name["edited"].x, float)[:2], [1.0, 2.0])
    np.testing.assert_allclose(np.asarray(by_name["edited"].y, float)[:2], [ys[1][1], ys[2][3]])
    assert by_name["edited"].line.dash == "dash"
    assert list(by_name["edited bias"].x) == [3.0] and list(by_name["edited bias"].y) == [ys[3][1]]
    plain = network_diagram(trace, moment, (1, 0, 0))
    assert not {"edited", "edited bias"} & {t.name for t in plain.data}
    for l in (1, 2, 3):
        cells = [(k, j) for (e, k, j) in rec.weights if e == l]
        shapes = [s for s in layer_gradient(trace, l, moment, edited=cells).layout.shapes if s.name == "edited"]
        assert [(s.x0 + 0.42, s.y0 + 0.42) for s in shapes] == ([(1.0, 3.0)] if l == 2 else [])
