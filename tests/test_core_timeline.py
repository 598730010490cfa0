"""The lesson timeline against the sequence written out by hand:
start → forward 1 … forward L → cost → backward L … backward 1 → update."""

from itertools import pairwise

import numpy as np
import pytest

import backprop as bp
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson
from backprop.lesson.timeline import BACKWARD, COST, FORWARD, START, UPDATE


def expected_sequence(L):
    """(kind, layer) for every step, built from the lecture's description rather than the core's arithmetic."""
    return (
        [(START, None)]
        + [(FORWARD, l) for l in range(1, L + 1)]
        + [(COST, None)]
        + [(BACKWARD, l) for l in range(L, 0, -1)]
        + [(UPDATE, None)]
    )


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5])
def test_the_order_of_steps(L):
    """n_steps = 2L + 3 (the start included); the steps run forward 1..L, cost, backward L..1, update,
    each knowing its own index and L; step(L, i) is timeline(L)[i]."""
    steps = bp.timeline(L)
    assert bp.n_steps(L) == 2 * L + 3 == len(steps)
    assert [(s.kind, s.layer) for s in steps] == expected_sequence(L)
    assert [s.index for s in steps] == list(range(2 * L + 3))
    assert all(s.L == L for s in steps)
    assert all(bp.step(L, i) == s for i, s in enumerate(steps))


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5])
def test_what_each_step_reveals(L):
    """aˡ shows once forward l is done and stays shown; δˡ shows once backward l is done and stays shown;
    the cost shows from the cost step on; only the last step is after the update."""
    steps = bp.timeline(L)
    for i, s in enumerate(steps):
        kinds_so_far = [(k, l) for k, l in expected_sequence(L)[1 : i + 1]]
        for l in range(L + 1):
            assert s.shows_forward(l) == (l == 0 or (FORWARD, l) in kinds_so_far), (i, l)
        for l in range(1, L + 1):
            assert s.shows_backward(l) == ((BACKWARD, l) in kinds_so_far), (i, l)
        assert s.cost_known == ((COST, None) in kinds_so_far)
        assert s.updated == (i == len(steps) - 1)
    # Monotone: nothing once shown is hidden by a later step.
    for before, after in pairwise(steps):
        for l in range(L + 1):
            assert after.shows_forward(l) >= before.shows_forward(l)
            assert after.shows_backward(l) >= before.shows_backward(l)
        assert after.cost_known >= before.cost_known
    # The backward pass needs the whole forward pass and the cost first.
    for s in steps:
        if any(s.shows_backward(l) for l in range(1, L + 1)):
            assert s.cost_known and all(s.shows_forward(l) for l in range(L + 1))


def test_progress_text_for_L_3():
    """The progress line reads as DESIGN.md shows it: "Step 6 of 8 — backward through layer 2"."""
    assert bp.step(3, 6).progress == "Step 6 of 8 — backward through layer 2"
    assert [s.progress for s in bp.timeline(3)] == [
        "Step 0 of 8 — start: the input x is set",
        "Step 1 of 8 — forward through layer 1",
        "Step 2 of 8 — forward through layer 2",
        "Step 3 of 8 — forward through layer 3",
        "Step 4 of 8 — cost of the output",
        "Step 5 of 8 — backward through layer 3",
        "Step 6 of 8 — backward through layer 2",
        "Step 7 of 8 — backward through layer 1",
        "Step 8 of 8 — update the weights and biases",
    ]


def test_the_update_step_says_when_the_biases_are_kept_fixed():
    """Mazur's 2-2-2 post moves the weights only; the worked preset does so, and its update step must not say
    it updates the biases. Only the update step's title depends on it."""
    kept = [s.progress for s in (bp.step(2, i, update_biases=False) for i in range(7))]
    moved = [s.progress for s in bp.timeline(2)]
    assert kept[-1] == "Step 6 of 6 — update the weights (biases kept fixed)"
    assert moved[-1] == "Step 6 of 6 — update the weights and biases"
    assert kept[:-1] == moved[:-1]
    worked = Lesson.start(PRESETS["worked_2_2_2"].network(), [0.05, 0.10], [0.01, 0.99], update_biases=False)
    assert worked.run_to_end().moment.title == "update the weights (biases kept fixed)"
    assert worked.with_sample([0.1, 0.2], [0.5, 0.5]).run_to_end().moment.title.endswith("(biases kept fixed)")


@pytest.mark.parametrize(
    "L,index",
    [(3, 9), (3, -1), (1, 5), (3, 2.0), (3, "2"), (3, None), (3, True), (3, np.bool_(True)), (3, np.int64(9))],
)
def test_bad_step_indices_are_refused(L, index):
    """Indices outside 0..2L+2 (negatives included, which would otherwise count from the end) and
    non-integers are refused, naming the valid range."""
    with pytest.raises(ValueError, match=rf"L = {L} has steps 0..{2 * L + 2}"):
        bp.step(L, index)


@pytest.mark.parametrize("L", [0, -1, 2.0, None])
def test_bad_L_is_refused(L):
    """A timeline needs L ≥ 1 weight layers, as a whole number."""
    for call in (lambda: bp.n_steps(L), lambda: bp.timeline(L), lambda: bp.step(L, 0)):
        with pytest.raises(ValueError):
            call()


def test_numpy_integer_step_index_is_accepted():
    """A step index that is a NumPy integer — as np.clip(step + 1, 0, last) returns — is a valid index,
    as it is for layer numbers everywhere else in the core."""
    last = bp.n_steps(3) - 1
    s = bp.step(3, np.clip(np.int64(5) + 1, 0, last))
    assert s == bp.step(3, 6) and type(s.index) is int
    assert s.progress == "Step 6 of 8 — backward through layer 2"
    assert bp.step(np.int64(3), 6).progress == s.progress
