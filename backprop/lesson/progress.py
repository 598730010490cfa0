"""A lesson in progress: the network, the sample and one integer, the current step of the timeline.

Everything a page shows derives from `Lesson.trace` and `Lesson.moment`. Stepping past the update starts
the next iteration from the updated network; earlier networks are kept so that Back can return to them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import _checks
from ..network import Network
from ..passes import Trace, backward, cost_of, gradient_descent_step
from .timeline import Step, n_steps, step

MAX_HISTORY = 200  # networks kept for Back across iterations; the oldest are dropped beyond this


@dataclass(frozen=True, slots=True)
class Lesson:
    """One student's place in the lesson. Immutable: every move returns a new Lesson."""

    networks: tuple[Network, ...]  # the network of each iteration so far; the last is the current one
    x: np.ndarray  # the input a⁰, shape (n₀,)
    y: np.ndarray  # the target, shape (n_L,)
    cost: str = "quadratic"
    learning_rate: float = 0.5
    index: int = 0  # the current step, 0 … 2L + 2
    update_biases: bool = True  # False: the update moves the weights only (Mazur's 2-2-2 post does so)

    @classmethod
    def start(
        cls, net: Network, x, y, cost: str = "quadratic", learning_rate: float = 0.5, update_biases: bool = True
    ) -> Lesson:
        """A lesson at step 0 of its first iteration; checks x, y, cost and η by running the trace once."""
        lesson = cls(
            (net,),
            _checks.frozen(x, "x", (net.sizes[0],)),
            _checks.frozen(y, "y", (net.sizes[-1],)),
            cost,
            float(learning_rate),
            update_biases=bool(update_biases),
        )
        lesson.cost_after_update()  # the trace, the update and its cost: a ValueError now, not on first draw
        return lesson

    @property
    def network(self) -> Network:
        """The network of the current iteration."""
        return self.networks[-1]

    @property
    def iteration(self) -> int:
        """1 for the first iteration, counting up with each update."""
        return len(self.networks)

    @property
    def last(self) -> int:
        """The index of the last step, the update."""
        return n_steps(self.network.L) - 1

    @property
    def moment(self) -> Step:
        """The current step of the timeline."""
        return step(self.network.L, self.index, self.update_biases)

    @property
    def trace(self) -> Trace:
        """The full forward and backward pass of the current network on (x, y)."""
        return backward(self.network, self.x, self.y, self.cost)

    def updated_network(self, trace: Trace | None = None) -> Network:
        """The network after this iteration's update W ← W − η ∂C/∂W (and b ← b − η ∂C/∂b if update_biases)."""
        return gradient_descent_step(self.network, trace or self.trace, self.learning_rate, self.update_biases)

    def cost_after_update(self, trace: Trace | None = None) -> float:
        """C of the updated network on the same sample."""
        return cost_of(self.updated_network(trace), self.x, self.y, self.cost)

    def forward(self) -> Lesson:
        """One step on; past the update, step 1 of the next iteration from the updated network."""
        if self.index < self.last:
            return replace(self, index=self.index + 1)
        networks = (self.networks + (self.updated_network(),))[-MAX_HISTORY:]
        return replace(self, networks=networks, index=1)

    def back(self) -> Lesson:
        """One step back; from step 0, the update step of the previous iteration (if it is kept)."""
        if self.index > 0:
            return replace(self, index=self.index - 1)
        if len(self.networks) > 1:
            return replace(self, networks=self.networks[:-1], index=self.last)
        return self

    def reset(self) -> Lesson:
        """Step 0 of the current iteration."""
        return replace(self, index=0)

    def run_to_end(self) -> Lesson:
        """The last step, the update, of the current iteration."""
        return replace(self, index=self.last)

    def with_sample(self, x, y) -> Lesson:
        """The same place in the lesson with another sample (checked: a ValueError leaves this one as is)."""
        checked = Lesson.start(self.network, x, y, self.cost, self.learning_rate)
        return replace(self, x=checked.x, y=checked.y)
