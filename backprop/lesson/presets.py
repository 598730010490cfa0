"""Ready-made lessons: a network, a sample and the settings that go with them."""

from __future__ import annotations

from dataclasses import dataclass

from ..network import Network


@dataclass(frozen=True, slots=True)
class Preset:
    """Everything the step-through page needs to land on one example."""

    title: str
    label: str  # a one-word button label
    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    cost: str
    learning_rate: float
    seed: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    weights: tuple | None = None  # fixed Wˡ, l = 1..L, instead of random ones from `seed`
    biases: tuple | None = None
    init: str = "auto"
    update_biases: bool = True  # False: the update step moves the weights only, as the preset's source does
    note: str | None = None  # a line the page shows while the preset's fixed weights are in use

    def network(self) -> Network:
        """The preset's network: its fixed weights if it has them, else random from its seed."""
        if self.weights is not None and self.biases is not None:
            return Network.from_arrays(self.weights, self.biases, self.activation, self.output_activation)
        return Network.random(self.sizes, self.activation, self.output_activation, self.seed, self.init)


PRESETS: dict[str, Preset] = {
    # The 2-2-2 example worked by hand in Matt Mazur's "A Step by Step Backpropagation Example" (2015),
    # which many courses use: every number can be checked with a calculator.
    "worked_2_2_2": Preset(
        title="Worked example 2-2-2",
        label="2-2-2",
        sizes=(2, 2, 2),
        activation="sigmoid",
        output_activation="sigmoid",
        cost="quadratic",
        learning_rate=0.5,
        seed=0,
        x=(0.05, 0.10),
        y=(0.01, 0.99),
        weights=(((0.15, 0.20), (0.25, 0.30)), ((0.40, 0.45), (0.50, 0.55))),
        biases=((0.35, 0.35), (0.60, 0.60)),
        # His post updates the eight weights and keeps the biases b1 = 0.35, b2 = 0.60, which gives his cost
        # after the update, 0.291027924; moving the biases as well gives 0.2805.
        update_biases=False,
        note="As in Mazur's post, the update moves the eight weights and keeps the biases fixed (his cost after "
        "the update, 0.291027924). Tick “Update the biases too” to move them as well (then 0.2805).",
    ),
    # XOR-sized: two inputs, two hidden nodes, one output; the sample (1, 0) → 1.
    "xor_2_2_1": Preset(
        title="XOR-sized 2-2-1",
        label="XOR",
        sizes=(2, 2, 1),
        activation="sigmoid",
        output_activation="sigmoid",
        cost="cross_entropy",
        learning_rate=1.0,
        seed=3,
        x=(1.0, 0.0),
        y=(1.0,),
        init="normal",
    ),
    # Deep and narrow with sigmoids: σ′ ≤ 1/4 at every layer, so |δˡ| shrinks going back.
    "deep_narrow": Preset(
        title="Deep narrow sigmoid 2-3-3-3-3-3-1",
        label="Deep",
        sizes=(2, 3, 3, 3, 3, 3, 1),
        activation="sigmoid",
        output_activation="sigmoid",
        cost="quadratic",
        learning_rate=0.5,
        seed=7,
        x=(0.8, -0.4),
        y=(1.0,),
        init="xavier",
    ),
}
