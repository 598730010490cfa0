"""A student's hand edits of the weights and biases: "what if this weight were larger?"

An `Edits` record belongs to one iteration of a lesson: the network that iteration started with (`base`, the
seeded, preset or updated weights), the entries the student set by hand, and the network they give
(`edited`), which takes `base`'s place in the lesson at the same step. The update step and the next
iteration then start from the edited network. The record holds the edited network itself, so whether the
lesson still shows it is an identity check: stepping back past its iteration (which recomputes that iteration
from the one before) or new settings leave the record behind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..network import Network
from .progress import Lesson

EDIT_LIMIT = 100.0  # |Wˡₖⱼ| and |bˡₖ| set by hand at most this: beyond it every sigmoid is saturated anyway

WeightKey = tuple[int, int, int]  # (l, k, j), k and j 0-based
BiasKey = tuple[int, int]  # (l, k), k 0-based


@dataclass(frozen=True, slots=True)
class Edits:
    """The hand-set entries of one iteration's network, and the networks before and after them."""

    iteration: int  # the lesson's iteration (1-based) whose network was edited
    base: Network  # that iteration's network before any edit
    edited: Network  # `base` with the entries below set
    weights: Mapping[WeightKey, float] = field(default_factory=dict)  # Wˡₖⱼ set by hand
    biases: Mapping[BiasKey, float] = field(default_factory=dict)  # bˡₖ set by hand
    previous: Edits | None = None  # an earlier iteration's record, whose edits led to `base`

    @property
    def count(self) -> int:
        return len(self.weights) + len(self.biases)

    def live(self, lesson: Lesson) -> bool:
        """Whether `lesson` still holds this record's edited network at its iteration."""
        return len(lesson.networks) >= self.iteration and lesson.networks[self.iteration - 1] is self.edited

    def shown(self, lesson: Lesson) -> bool:
        """Whether `lesson`'s current network is the edited one (not a later iteration's update of it)."""
        return self.live(lesson) and lesson.iteration == self.iteration


def apply(base: Network, weights: Mapping[WeightKey, float], biases: Mapping[BiasKey, float]) -> Network:
    """`base` with Wˡₖⱼ = weights[(l, k, j)] and bˡₖ = biases[(l, k)]; a ValueError names an entry that is not
    in the network or a value that is not a finite number within ±EDIT_LIMIT."""
    W = [base.W(l).copy() for l in range(1, base.L + 1)]
    b = [base.b(l).copy() for l in range(1, base.L + 1)]
    for (l, k, j), v in weights.items():
        _check_entry(base, l, k, j)
        W[l - 1][k, j] = check_value(v, f"W{l}[{k + 1},{j + 1}]")
    for (l, k), v in biases.items():
        _check_entry(base, l, k, None)
        b[l - 1][k] = check_value(v, f"b{l}[{k + 1}]")
    return Network.from_arrays(W, b, base.activation, base.output_activation)


def check_value(v, name: str) -> float:
    """A hand-set value as a float, or a ValueError saying what is allowed."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number")
    if abs(v) > EDIT_LIMIT:
        raise ValueError(f"{name} must lie between −{EDIT_LIMIT:g} and {EDIT_LIMIT:g}; got {v:g}")
    return v + 0.0  # −0.0 is 0


def _check_entry(net: Network, l: int, k: int, j: int | None) -> None:
    """Wˡₖⱼ (or bˡₖ, j None) is an entry of `net`, or a ValueError naming it 1-based."""
    if not (1 <= l <= net.L and 0 <= k < net.sizes[l] and (j is None or 0 <= j < net.sizes[l - 1])):
        shape = "-".join(map(str, net.sizes))
        name = f"W{l}[{k + 1},{(j or 0) + 1}]" if j is not None else f"b{l}[{k + 1}]"
        raise ValueError(f"{name} is not in this {shape} network")


def edit(lesson: Lesson, edits: Edits | None, param: str, l: int, k: int, j: int, value) -> tuple[Lesson, Edits]:
    """`lesson` with Wˡₖⱼ (param "W") or bˡₖ (param "b", j ignored) of its current network set to `value`, at
    the same step, and the record of every edit of this iteration. A ValueError (a bad value, or a network
    whose passes overflow) leaves both as they were."""
    edits = current(edits, lesson)
    if edits is None or not edits.shown(lesson):  # the first edit of this iteration: a new record
        edits = Edits(lesson.iteration, lesson.network, lesson.network, {}, {}, edits)
    value = check_value(value, f"W{l}[{k + 1},{j + 1}]" if param == "W" else f"b{l}[{k + 1}]")
    _check_entry(edits.base, l, k, j if param == "W" else None)
    weights, biases = dict(edits.weights), dict(edits.biases)
    table: dict = weights if param == "W" else biases
    key = (l, k, j) if param == "W" else (l, k)
    base_value = float(edits.base.W(l)[k, j] if param == "W" else edits.base.b(l)[k])
    if value == base_value:
        table.pop(key, None)  # back where it started: no longer an edit
    else:
        table[key] = value
    net = edits.base if not weights and not biases else apply(edits.base, weights, biases)
    new = replace(lesson, networks=lesson.networks[:-1] + (net,))
    try:
        new.cost_after_update()  # the trace, the update and its cost: every number the page will show
    except ValueError as err:
        raise ValueError(f"with this value the network's numbers overflow ({err})") from None
    return new, replace(edits, edited=net, weights=weights, biases=biases)


def current(edits: Edits | None, lesson: Lesson) -> Edits | None:
    """The latest record whose edited network `lesson` still holds (stepping back past an iteration
    leaves its record behind, and the one before it may still hold)."""
    while edits is not None and not edits.live(lesson):
        edits = edits.previous
    return edits


def reset(lesson: Lesson, edits: Edits | None) -> tuple[Lesson, Edits | None]:
    """`lesson` with the latest edited iteration's network back to its base (the very object), at the same
    iteration and step (the iterations after it recomputed from it), and the record that is then current
    (an earlier iteration's, if any). A ValueError if the recomputed iterations overflow."""
    rec = current(edits, lesson)
    if rec is None:
        return lesson, None
    target = lesson.iteration
    new = replace(lesson, networks=lesson.networks[: rec.iteration - 1] + (rec.base,))
    while new.iteration < target:
        new = replace(new, networks=new.networks + (new.updated_network(),))
    new.cost_after_update()
    return new, rec.previous
