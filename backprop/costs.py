r"""Costs of one sample, C(aᴸ, y), with ∂C/∂aᴸ and the output delta δᴸ, by name.

Both work on arrays whose last axis is the output layer, so a batch of samples (m, n_L) gives m costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import by_name
from .activations import Activation

Array = np.ndarray

# Cross-entropy takes ln aᴸ and ln(1 − aᴸ); a saturated sigmoid returns exactly 0.0 or 1.0 in floating
# point, so aᴸ is clipped to [EPS, 1 − EPS] first: a saturated output costs at most −ln(EPS) ≈ 34.5.
EPS = 1e-15


@dataclass(frozen=True, slots=True)
class Cost:
    """A per-sample cost with its derivative with respect to the output activations."""

    name: str
    latex: str  # C written out, for the equation panels

    def value(self, a: Array, y: Array) -> Array:
        """C summed over the output nodes (the last axis)."""
        raise NotImplementedError

    def dC_da(self, a: Array, y: Array) -> Array:
        """∂C/∂aᴸ, same shape as a."""
        raise NotImplementedError

    def delta(self, z: Array, a: Array, y: Array, act: Activation) -> Array:
        """(BP1) δᴸ = ∂C/∂aᴸ ⊙ σ′(zᴸ)."""
        return self.dC_da(a, y) * act.prime(z)

    def check(self, output: Activation, y: Array) -> None:
        """Raise a ValueError if this cost cannot be used with that output activation or target."""


@dataclass(frozen=True, slots=True)
class Quadratic(Cost):
    r"""$C = \tfrac12 \sum_k (a^L_k - y_k)^2$, so $\partial C / \partial a^L_k = a^L_k - y_k$."""

    name: str = "quadratic"
    latex: str = r"\tfrac12 \sum_k (a^L_k - y_k)^2"

    def value(self, a: Array, y: Array) -> Array:
        return 0.5 * np.sum((a - y) ** 2, axis=-1)

    def dC_da(self, a: Array, y: Array) -> Array:
        return a - y


@dataclass(frozen=True, slots=True)
class CrossEntropy(Cost):
    r"""$C = -\sum_k \left[y_k \ln a^L_k + (1 - y_k) \ln(1 - a^L_k)\right]$,
    so $\partial C / \partial a^L_k = \frac{a^L_k - y_k}{a^L_k (1 - a^L_k)}$.

    It needs outputs in (0, 1), so only a sigmoid output layer may use it.
    """

    name: str = "cross_entropy"
    latex: str = r"-\sum_k \left[y_k \ln a^L_k + (1-y_k)\ln(1-a^L_k)\right]"

    def value(self, a: Array, y: Array) -> Array:
        a = np.clip(a, EPS, 1.0 - EPS)
        return -np.sum(y * np.log(a) + (1.0 - y) * np.log1p(-a), axis=-1)

    def dC_da(self, a: Array, y: Array) -> Array:
        a = np.clip(a, EPS, 1.0 - EPS)
        return (a - y) / (a * (1.0 - a))

    def delta(self, z: Array, a: Array, y: Array, act: Activation) -> Array:
        """(BP1) δᴸ = ∂C/∂aᴸ ⊙ σ′(zᴸ), which for a sigmoid output is exactly aᴸ − y: the a(1 − a) of
        ∂C/∂aᴸ cancels σ′(z) = a(1 − a). Using the cancelled form keeps δᴸ exact where the sigmoid
        saturates and the product would be 0 · ∞. `z` and `act` are kept for the uniform interface."""
        return a - y

    def check(self, output: Activation, y: Array) -> None:
        if output.name != "sigmoid":
            raise ValueError("the cross_entropy cost needs outputs in (0, 1): use output activation "
                             f"'sigmoid' with it, not {output.name!r}, or choose the 'quadratic' cost")
        if np.any((y < 0) | (y > 1)):
            raise ValueError("the cross_entropy cost needs targets y between 0 and 1")


COSTS: dict[str, Cost] = {"quadratic": Quadratic(), "cross_entropy": CrossEntropy()}


def cost(name: str) -> Cost:
    """The cost called `name`; a ValueError lists the valid names otherwise."""
    return by_name(COSTS, name, "cost")
