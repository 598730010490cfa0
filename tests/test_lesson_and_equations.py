"""The lesson's moves through the timeline, and the equations' numbers against a hand-worked example."""

import numpy as np
import pytest

import backprop as bp
from backprop.lesson import equations as eq
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import MAX_HISTORY, Lesson


def _lesson(sizes=(2, 3, 2), seed=1):
    return Lesson.start(
        bp.Network.random(sizes, seed=seed),
        np.linspace(-1, 1, sizes[0]),
        np.linspace(0.2, 0.8, sizes[-1]),
        learning_rate=0.5,
    )


@pytest.mark.parametrize("sizes", [(1, 1), (2, 3, 2), (2, 3, 3, 3, 1)])
def test_step_walks_the_timeline_then_starts_the_next_iteration_from_the_updated_network(sizes):
    lesson = _lesson(sizes)
    L = lesson.network.L
    seen = []
    for _ in range(2 * L + 2):
        lesson = lesson.forward()
        seen.append((lesson.moment.kind, lesson.moment.layer))
    assert seen == (
        [("forward", l) for l in range(1, L + 1)]
        + [("cost", None)]
        + [("backward", l) for l in range(L, 0, -1)]
        + [("update", None)]
    )
    first = lesson.network
    expected = bp.gradient_descent_step(first, bp.backward(first, lesson.x, lesson.y), 0.5)
    lesson = lesson.forward()
    assert (lesson.iteration, lesson.index) == (2, 1)
    assert lesson.network == expected and lesson.networks[0] == first


def test_back_crosses_into_the_previous_iteration_and_stops_at_the_very_start():
    lesson = _lesson().run_to_end().forward()  # iteration 2, step 1
    lesson = lesson.back().back()  # step 0, then iteration 1's update step
    assert (lesson.iteration, lesson.index) == (1, lesson.last)
    start = lesson.reset()
    assert start.index == 0 and start.back() is start


def test_update_lowers_the_cost_on_the_sample_for_a_small_learning_rate():
    """Gradient descent on one sample with a small η must lower that sample's cost (first-order)."""
    lesson = Lesson.start(bp.Network.random((2, 3, 1), seed=4), [0.3, -0.2], [0.9], learning_rate=0.05)
    assert lesson.cost_after_update() < lesson.trace.cost


def test_history_is_bounded():
    lesson = _lesson((1, 1))
    for _ in range(MAX_HISTORY + 5):
        lesson = lesson.run_to_end().forward()
    assert len(lesson.networks) == MAX_HISTORY


def test_bad_sample_is_refused_and_the_lesson_is_unchanged():
    lesson = _lesson()
    with pytest.raises(ValueError, match="x must have shape"):
        lesson.with_sample([1.0], [0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        lesson.with_sample([np.nan, 0.0], [0.1, 0.2])
    ok = lesson.forward().with_sample([0.5, 0.5], [0.1, 0.2])
    assert ok.index == 1 and ok.x.tolist() == [0.5, 0.5] and lesson.x.tolist() == [-1.0, 1.0]


def test_equations_carry_the_hand_worked_numbers_of_the_2_2_2_example():
    """Mazur's worked example: out_h1 = 0.593269992, out_o1 = 0.75136507, E_total = 0.298371109,
    ∂E/∂w5 = 0.082167041, ∂E/∂w1 = 0.000438568, w5⁺ = 0.35891648 (his w5 is our W²₁₁)."""
    p = PRESETS["worked_2_2_2"]
    trace = bp.backward(p.network(), p.x, p.y, p.cost)
    assert eq.input_sum(bp.input_sum(trace, 1, 0)).endswith(
        r"a^{1}_{1} &= \sigma(z^{1}_{1}) = \sigma(0.3775) \\ &= 0.5933\end{aligned}"
    )
    assert r"\frac{1}{2}\bigl[(0.7514 - 0.01)^2 + (0.7729 - 0.99)^2\bigr] \\ &= 0.2984" in eq.cost(
        "quadratic", trace.z(2), trace.a(2), trace.y, trace.cost
    )
    bp4 = eq.bp4(bp.weight_chain(trace, 2, 0, 0))
    assert r"&= 0.08217 \qquad \text{(BP4)}" in bp4
    assert r"&= 0.0004386 \qquad \text{(BP4)}" in eq.bp4(bp.weight_chain(trace, 1, 0, 0))
    new = bp.gradient_descent_step(trace.network, trace, 0.5)
    assert eq.update(bp.weight_chain(trace, 2, 0, 0), 0.5, new.W(2)[0, 0]).endswith(
        r"&= 0.4 - 0.5 \cdot 0.08217 \\ &= 0.3589\end{aligned}"
    )


def test_bp2_writes_out_every_term_of_the_sum_over_m():
    trace = bp.backward(bp.Network.random((2, 3, 4, 1), seed=2), [0.1, 0.2], [0.3])
    d = bp.delta_chain(trace, 1, 2)
    text = eq.bp2(d)
    for w, dn in zip(d.W_col, d.delta_next, strict=True):
        assert rf"{eq.factor(w)} \cdot {eq.factor(dn)}" in text
    assert rf"&= {eq.num(d.dC_da)} \\" in text and rf"&= {eq.num(d.delta)} \qquad" in text


def test_number_format():
    assert eq.num(0) == "0" and eq.num(0.000438568) == "0.0004386"
    assert eq.num(-1.2346e-7) == r"-1.235 \times 10^{-7}"
    assert eq.factor(-0.5) == "(-0.5)" and eq.kj(2, 3) == "23" and eq.kj(12, 3) == "12,3"
