"""The lesson as a timeline: one forward-backward iteration as a fixed sequence of steps, a pure function of L.

Step 0 is the start (only the input x is known), then
    forward 1 … forward L → cost → backward L … backward 1 → update,
so a network with L weight layers has 2L + 2 steps after the start.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .. import _checks

START, FORWARD, COST, BACKWARD, UPDATE = "start", "forward", "cost", "backward", "update"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the lesson and what is known once it is done."""

    index: int  # 0 … 2L + 2
    kind: str  # START, FORWARD, COST, BACKWARD or UPDATE
    layer: int | None  # the layer a FORWARD or BACKWARD step computes, else None
    L: int
    forward_upto: int  # zˡ, aˡ are known for l ≤ forward_upto (a⁰ = x always)
    backward_from: int  # δˡ, ∂C/∂aˡ, ∂C/∂Wˡ, ∂C/∂bˡ are known for l ≥ backward_from (L + 1: none yet)
    cost_known: bool
    updated: bool  # the update W ← W − η ∂C/∂W has been applied
    update_biases: bool = True  # the update changes the biases too (False: they are kept fixed, as in Mazur's post)

    def shows_forward(self, l: int) -> bool:
        """Whether aˡ (and zˡ) are revealed at this step."""
        return l <= self.forward_upto

    def shows_backward(self, l: int) -> bool:
        """Whether δˡ and ∂C/∂Wˡ are revealed at this step."""
        return l >= self.backward_from

    @property
    def title(self) -> str:
        """What the step does, in words: "backward through layer 2"."""
        if self.kind == START:
            return "start: the input x is set"
        if self.kind == FORWARD:
            return f"forward through layer {self.layer}"
        if self.kind == COST:
            return "cost of the output"
        if self.kind == BACKWARD:
            return f"backward through layer {self.layer}"
        return "update the weights and biases" if self.update_biases else "update the weights (biases kept fixed)"

    @property
    def progress(self) -> str:
        """The progress line: "Step 6 of 8 — backward through layer 2"."""
        return f"Step {self.index} of {n_steps(self.L) - 1} — {self.title}"


def n_steps(L: int) -> int:
    """How many steps the timeline has, the start included: 2L + 3."""
    return 2 * _checks.layer(L, 1, 10**6, "a timeline") + 3


def step(L: int, index: int, update_biases: bool = True) -> Step:
    """Step number `index` (0 … 2L + 2) of the timeline of a network with L weight layers; `update_biases`
    says whether its update changes the biases too (only the update step's title depends on it)."""
    last = n_steps(L) - 1
    # numbers.Integral takes NumPy integers too (as np.clip returns), as layer numbers do; bool is refused.
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index <= last:
        raise ValueError(f"a network with L = {L} has steps 0..{last}; got {index!r}")
    index = int(index)
    if index == 0:
        return Step(0, START, None, L, 0, L + 1, False, False)
    if index <= L:
        return Step(index, FORWARD, index, L, index, L + 1, False, False)
    if index == L + 1:
        return Step(index, COST, None, L, L, L + 1, True, False)
    if index <= 2 * L + 1:
        l = 2 * L + 2 - index
        return Step(index, BACKWARD, l, L, L, l, True, False)
    return Step(index, UPDATE, None, L, L, 1, True, True, bool(update_biases))


def timeline(L: int) -> tuple[Step, ...]:
    """Every step of the timeline, in order."""
    return tuple(step(L, i) for i in range(n_steps(L)))
