r"""Activation functions σ(z) and their derivatives σ′(z), by name.

Each works element-wise on an array of any shape and never warns, whatever the size of z.
"""

from __future__ import annotations

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
    sigma: Callable[[Array], Array]        # a = σ(z)
    prime: Callable[[Array], Array]        # σ′(z) = da/dz
    latex: str                             # σ(z) written out, for the equation panels

    def __call__(self, z: Array) -> Array:
        return self.sigma(z)


def _sigmoid(z: Array) -> Array:
    r"""$\sigma(z) = \frac{1}{1 + e^{-z}}$, computed from $e^{-|z|}$ so that exp never overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))                  # in (0, 1]: no overflow at any z
    d = e + 1.0
    out = np.divide(e, d, out=np.empty_like(e))   # z < 0: e^z / (1 + e^z)
    np.divide(1.0, d, out=out, where=z >= 0)   # z ≥ 0: 1 / (1 + e^−z); the same numbers as np.where, less work
    return out


def _sigmoid_prime(z: Array) -> Array:
    r"""$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = \frac{e^{-|z|}}{(1 + e^{-|z|})^2}$; the second form keeps its
    precision where σ ≈ 1, where 1 − σ would cancel."""
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


def _tanh(z: Array) -> Array:
    r"""$\tanh z$."""
    return np.tanh(np.asarray(z, dtype=float))


def _tanh_prime(z: Array) -> Array:
    r"""$\tanh'(z) = 1 - \tanh^2 z$."""
    return 1.0 - np.tanh(z) ** 2


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
