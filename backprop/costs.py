r"""Costs of one sample, C(zᴸ, aᴸ, y), with ∂C/∂aᴸ and the output delta δᴸ, by name.

Each takes the output layer's input sums zᴸ as well as its activations aᴸ = σ(zᴸ): cross-entropy is computed
from zᴸ, where a rounded aᴸ would have lost the digits it needs (aᴸ = σ(40) rounds to exactly 1.0, and
ln(1 − aᴸ) to −∞). All work on arrays whose last axis is the output layer, so a batch of samples (m, n_L)
gives m costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import by_name
from .activations import Activation, _sigmoid

Array = np.ndarray

# Beyond this |zᴸ| the sigmoid's σ(z)σ(−z) ≈ e^−|z| approaches the subnormal numbers (e^−708 ≈ 3e−308) and the
# quotient (a − y) / (σ(z)σ(−z)) would lose digits; ∂C/∂aᴸ is then formed as −y/σ(z) + (1 − y)/σ(−z), whose
# terms cannot cancel there (a ≈ 0 or 1 while y ∈ [0, 1]).
_QUOTIENT_UP_TO = 700.0


@dataclass(frozen=True, slots=True)
class Cost:
    """A per-sample cost with its derivative with respect to the output activations.

    Every method takes zᴸ and aᴸ = σ(zᴸ) (same shape) and the target y: a cost uses whichever it needs, and
    the interface stays the same for all."""

    name: str
    latex: str  # C written out, for the equation panels

    def value(self, z: Array, a: Array, y: Array) -> Array:
        """C summed over the output nodes (the last axis)."""
        raise NotImplementedError

    def dC_da(self, z: Array, a: Array, y: Array) -> Array:
        """∂C/∂aᴸ, same shape as a; ±inf where its size is beyond the largest float (about 1.8e308)."""
        raise NotImplementedError

    def delta(self, z: Array, a: Array, y: Array, act: Activation) -> Array:
        """(BP1) δᴸ = ∂C/∂aᴸ ⊙ σ′(zᴸ)."""
        return self.dC_da(z, a, y) * act.prime(z)

    def check(self, output: Activation, y: Array) -> None:
        """Raise a ValueError if this cost cannot be used with that output activation or target."""


@dataclass(frozen=True, slots=True)
class Quadratic(Cost):
    r"""$C = \tfrac12 \sum_k (a^L_k - y_k)^2$, so $\partial C / \partial a^L_k = a^L_k - y_k$.
    zᴸ is not needed; it is an argument for the uniform interface."""

    name: str = "quadratic"
    latex: str = r"\tfrac12 \sum_k (a^L_k - y_k)^2"

    def value(self, z: Array, a: Array, y: Array) -> Array:
        return 0.5 * np.sum((a - y) ** 2, axis=-1)

    def dC_da(self, z: Array, a: Array, y: Array) -> Array:
        return a - y


def softplus(z: Array) -> Array:
    r"""$\ln(1 + e^{z})$, exact to rounding for every finite z: max(z, 0) + ln(1 + e^{−|z|}) (NumPy's
    logaddexp), so that e^z never overflows and ln(1 + tiny) keeps its digits."""
    return np.logaddexp(0.0, z)


def a_minus_y(z: Array, y: Array) -> Array:
    r"""$a^L - y = \sigma(z) - y$ without rounding σ(z) first: for z ≥ 0 it is (1 − y) − σ(−z), so that
    y = 1, z = 40 gives −σ(−40) ≈ −4.2e−18 where the rounded a = 1.0 would give 0."""
    z = np.asarray(z, dtype=float)
    s = _sigmoid(-np.abs(z))  # σ(−|z|) ≤ ½, with all its digits
    return np.where(z >= 0, (1.0 - y) - s, s - y)


@dataclass(frozen=True, slots=True)
class CrossEntropy(Cost):
    r"""$C = -\sum_k \left[y_k \ln a^L_k + (1 - y_k) \ln(1 - a^L_k)\right]$, computed from the input sums
    as $\sum_k \left[y_k \ln(1 + e^{-z^L_k}) + (1 - y_k) \ln(1 + e^{z^L_k})\right]$ (ln a = −ln(1 + e^{−z}),
    ln(1 − a) = −ln(1 + e^{z})): exact for every finite z, with no clipping. So
    $\partial C / \partial a^L_k = \frac{a^L_k - y_k}{a^L_k (1 - a^L_k)}$, with a(1 − a) = σ(z)σ(−z).

    It needs outputs in (0, 1) from a sigmoid, so only a sigmoid output layer may use it.
    """

    name: str = "cross_entropy"
    latex: str = r"-\sum_k \left[y_k \ln a^L_k + (1-y_k)\ln(1-a^L_k)\right]"

    def value(self, z: Array, a: Array, y: Array) -> Array:
        return np.sum(y * softplus(-z) + (1.0 - y) * softplus(z), axis=-1)

    def dC_da(self, z: Array, a: Array, y: Array) -> Array:
        z = np.asarray(z, dtype=float)
        y = np.broadcast_to(np.asarray(y, dtype=float), z.shape)
        far = np.abs(z) > _QUOTIENT_UP_TO
        # Where |z| > 700 the quotient's denominator may be 0 and the sum's terms ∞ (a size beyond 1.8e308):
        # each form is kept only where it is the right one, and ∞ is the honest answer there.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            e = np.exp(-np.abs(z))
            out = a_minus_y(z, y) / (e / (1.0 + e) ** 2)  # (a − y) / (σ(z)σ(−z))
            if far.any():
                zf, yf = z[far], y[far]
                minus = np.where(yf > 0, -yf * (1.0 + np.exp(-zf)), 0.0)  # −y / σ(z)
                plus = np.where(yf < 1, (1.0 - yf) * (1.0 + np.exp(zf)), 0.0)  # (1 − y) / σ(−z)
                out = np.array(out, dtype=float)
                out[far] = minus + plus
        return out

    def delta(self, z: Array, a: Array, y: Array, act: Activation) -> Array:
        """(BP1) δᴸ = ∂C/∂aᴸ ⊙ σ′(zᴸ), which for a sigmoid output is exactly aᴸ − y: the a(1 − a) of
        ∂C/∂aᴸ cancels σ′(z) = a(1 − a). The cancelled form stays exact where the sigmoid saturates and the
        product would be ∞ · 0; it is formed from σ(−|z|) (a_minus_y) so that it keeps its digits where aᴸ
        rounds to 1. `a` and `act` are kept for the uniform interface."""
        return a_minus_y(z, y)

    def check(self, output: Activation, y: Array) -> None:
        if output.name != "sigmoid":
            raise ValueError(
                "the cross_entropy cost needs outputs in (0, 1): use output activation "
                f"'sigmoid' with it, not {output.name!r}, or choose the 'quadratic' cost"
            )
        if np.any((y < 0) | (y > 1)):
            raise ValueError("the cross_entropy cost needs targets y between 0 and 1")


COSTS: dict[str, Cost] = {"quadratic": Quadratic(), "cross_entropy": CrossEntropy()}


def cost(name: str) -> Cost:
    """The cost called `name`; a ValueError lists the valid names otherwise."""
    return by_name(COSTS, name, "cost")
