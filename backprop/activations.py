r"""Activation functions σ(z) and their derivatives σ′(z), by name.

Each works element-wise on an array of any shape and never warns, whatever the size of z.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import by_name

Array = np.ndarray

LEAKY_SLOPE = 0.01  # the slope of leaky ReLU for z < 0


@dataclass(frozen=True, slots=True)
class Activation:
    """An activation function with its derivative, both element-wise."""

    name: str
    sigma: Callable[[Array], Array]  # a = σ(z)
    prime: Callable[[Array], Array]  # σ′(z) = da/dz
    latex: str  # σ(z) written out, for the equation panels

    def __call__(self, z: Array) -> Array:
        return self.sigma(z)


def _sigmoid(z: Array) -> Array:
    r"""$\sigma(z) = \frac{1}{1 + e^{-z}}$, computed from $e^{-|z|}$ so that exp never overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: no overflow at any z
    d = e + 1.0
    out = np.divide(e, d, out=np.empty_like(e))  # z < 0: e^z / (1 + e^z)
    np.divide(1.0, d, out=out, where=z >= 0)  # z ≥ 0: 1 / (1 + e^−z); the same numbers as np.where, less work
    return out


def _sigmoid_prime(z: Array) -> Array:
    r"""$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = \frac{e^{-|z|}}{(1 + e^{-|z|})^2}$; the second form keeps its
    precision where σ ≈ 1, where 1 − σ would cancel."""
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


def _tanh(z: Array) -> Array:
    r"""$\tanh z$."""
    return np.tanh(np.asarray(z, dtype=float))


_FOUR_OVER_E2 = 4.0 * math.exp(-2.0)  # 4e⁻², for sech² z = 4e⁻² · e^(2 − 2|z|) where e^−2|z| nears the subnormals


def _tanh_prime(z: Array) -> Array:
    r"""$\tanh'(z) = 1 - \tanh^2 z = \operatorname{sech}^2 z = \frac{4e^{-2|z|}}{(1 + e^{-2|z|})^2}$.

    1 − tanh² z loses every digit once tanh z rounds to ±1 (exactly 0 from |z| ≈ 19); the last form keeps
    a few ulps relative everywhere. For |z| ≥ 20 the denominator is exactly 1 and the numerator is formed as
    4e⁻² · e^(2 − 2|z|) (2 − 2|z| is exact there), so that e^−2|z| is not rounded into the subnormals
    before the factor 4 lifts it back among the normal numbers (|z| ≈ 354.3)."""
    t = 2.0 * np.abs(np.asarray(z, dtype=float))  # exact
    e = np.exp(-t)
    near = 4.0 * e / (1.0 + e) ** 2
    return np.where(t < 40.0, near, _FOUR_OVER_E2 * np.exp(2.0 - t))


def _relu(z: Array) -> Array:
    r"""$\max(0, z)$."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def _relu_prime(z: Array) -> Array:
    r"""1 for z > 0, else 0 (the kink at z = 0 takes the left derivative, 0)."""
    return (np.asarray(z) > 0).astype(float)


def _leaky_relu(z: Array) -> Array:
    r"""$z$ for z > 0, else $0.01\,z$."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z: Array) -> Array:
    r"""1 for z > 0, else 0.01."""
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def _linear(z: Array) -> Array:
    r"""$z$."""
    return np.array(z, dtype=float)


def _linear_prime(z: Array) -> Array:
    r"""1."""
    return np.ones_like(np.asarray(z, dtype=float))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_prime, r"\frac{1}{1+e^{-z}}"),
    "tanh": Activation("tanh", _tanh, _tanh_prime, r"\tanh z"),
    "relu": Activation("relu", _relu, _relu_prime, r"\max(0, z)"),
    "leaky_relu": Activation("leaky_relu", _leaky_relu, _leaky_relu_prime, r"\max(0.01z, z)"),
    "linear": Activation("linear", _linear, _linear_prime, r"z"),
}


def activation(name: str) -> Activation:
    """The activation called `name`; a ValueError lists the valid names otherwise."""
    return by_name(ACTIVATIONS, name, "activation")
