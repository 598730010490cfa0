"""The fully connected network: weights Wˡ and biases bˡ for l = 1..L, and the activations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _checks
from ._checks import by_name
from .activations import ACTIVATIONS, Activation, activation

Array = np.ndarray

# Initialisation schemes: the standard deviation of Wˡₖⱼ for a layer with n_in inputs and n_out outputs.
INITS = {
    "xavier": lambda n_in, n_out: np.sqrt(2.0 / (n_in + n_out)),  # Glorot & Bengio 2010, for sigmoid, tanh
    "he": lambda n_in, n_out: np.sqrt(2.0 / n_in),  # He et al. 2015, for ReLU
    "normal": lambda n_in, n_out: 1.0,  # N(0, 1), as Nielsen's network.py
}


@dataclass(frozen=True, slots=True)
class Network:
    """An immutable fully connected network. Layers are the lecture's: input 0, output L.

    Wˡ has shape (nₗ, nₗ₋₁): W(l)[k, j] joins emitting node j of layer l−1 to receiving node k of layer l.
    """

    _W: tuple[Array, ...]  # (None, W¹, …, Wᴸ): index 0 unused, so _W[l] is Wˡ
    _b: tuple[Array, ...]  # (None, b¹, …, bᴸ)
    activation: str  # name of σ in the hidden layers 1..L−1
    output_activation: str  # name of σ in the output layer L
    _act: tuple = ()  # (None, σ of layer 1, …, σ of layer L): looked up once, used in every pass

    @classmethod
    def from_arrays(
        cls, weights: Sequence, biases: Sequence, activation: str = "sigmoid", output_activation: str | None = None
    ) -> Network:
        """A network from weights [W¹, …, Wᴸ] and biases [b¹, …, bᴸ]; the arrays are copied."""
        if output_activation is None:
            output_activation = activation
        by_name(ACTIVATIONS, activation, "activation")
        by_name(ACTIVATIONS, output_activation, "output activation")
        weights, biases = list(weights), list(biases)
        if len(weights) < 1:
            raise ValueError("a network needs at least two layers (input and output), so at least one weight matrix")
        if len(biases) != len(weights):
            raise ValueError(
                f"there must be one bias vector per weight matrix; got {len(weights)} "
                f"weight matrices and {len(biases)} bias vectors"
            )
        W: list = [None]
        b: list = [None]
        for l, (w, bias) in enumerate(zip(weights, biases, strict=True), start=1):
            w = _checks.frozen(w, f"W{l}")
            if w.ndim != 2 or 0 in w.shape:
                raise ValueError(f"W{l} must be a non-empty 2-D matrix (n_{l}, n_{l - 1}); got shape {w.shape}")
            if l > 1 and w.shape[1] != W[l - 1].shape[0]:
                raise ValueError(
                    f"W{l} must have {W[l - 1].shape[0]} columns, one per node of layer {l - 1}; got shape {w.shape}"
                )
            W.append(w)
            b.append(_checks.frozen(bias, f"b{l}", shape=(w.shape[0],)))
        return cls._of(W, b, activation, output_activation)

    @classmethod
    def _of(cls, W: list, b: list, activation_name: str, output_name: str) -> Network:
        """A network of checked, read-only arrays that nothing else holds a writable reference to."""
        L = len(W) - 1
        acts = (None,) + tuple(activation(output_name if l == L else activation_name) for l in range(1, L + 1))
        return cls(tuple(W), tuple(b), activation_name, output_name, acts)

    @classmethod
    def random(
        cls,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: int = 0,
        init: str = "auto",
    ) -> Network:
        """A seeded random network with layer widths `sizes` = (n₀, …, n_L).

        init: "xavier" (Glorot normal), "he" (He normal) or "normal" (N(0, 1), biases too); "auto" takes
        He for ReLU-like hidden layers and Xavier otherwise. Xavier and He start with zero biases.
        The same sizes, activations, seed and init give the same network on every machine.
        """
        sizes = check_sizes(sizes)
        if output_activation is None:
            output_activation = activation
        act = by_name(ACTIVATIONS, activation, "activation")
        by_name({"auto": None, **INITS}, init, "initialisation")  # so that the message lists "auto" too
        if init == "auto":
            init = "he" if act.name in ("relu", "leaky_relu") else "xavier"
        std = INITS[init]
        try:
            rng = np.random.default_rng(seed)
        except (TypeError, ValueError):
            raise ValueError(f"seed must be a non-negative integer; got {seed!r}") from None
        weights, biases = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            weights.append(rng.normal(0.0, std(n_in, n_out), size=(n_out, n_in)))
            biases.append(rng.normal(0.0, 1.0, size=n_out) if init == "normal" else np.zeros(n_out))
        return cls.from_arrays(weights, biases, activation, output_activation)

    @property
    def L(self) -> int:
        """The number of weight layers; the output layer is layer L."""
        return len(self._W) - 1

    @property
    def sizes(self) -> tuple[int, ...]:
        """(n₀, n₁, …, n_L): the number of nodes in each layer."""
        return (self._W[1].shape[1],) + tuple(w.shape[0] for w in self._W[1:])

    def W(self, l: int) -> Array:
        """Wˡ, shape (nₗ, nₗ₋₁), read-only."""
        return self._W[_checks.layer(l, 1, self.L, "W(l)")]

    def b(self, l: int) -> Array:
        """bˡ, shape (nₗ,), read-only."""
        return self._b[_checks.layer(l, 1, self.L, "b(l)")]

    def act(self, l: int) -> Activation:
        """The activation σ used in layer l (1..L)."""
        return self._act[_checks.layer(l, 1, self.L, "act(l)")]

    @property
    def n_parameters(self) -> int:
        """How many weights and biases the network has."""
        return sum(w.size + b.size for w, b in zip(self._W[1:], self._b[1:], strict=True))

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Network)
            and self.sizes == other.sizes
            and (self.activation, self.output_activation) == (other.activation, other.output_activation)
            and all(
                np.array_equal(p, q)
                for p, q in zip(self._W[1:] + self._b[1:], other._W[1:] + other._b[1:], strict=True)
            )
        )

    __hash__ = None  # type: ignore[assignment]  # arrays inside: compare with ==, do not hash


def check_sizes(sizes) -> tuple[int, ...]:
    """Layer widths as a tuple of positive ints, at least two of them."""
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise ValueError(f"sizes must be a sequence of layer widths such as (2, 3, 1); got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least two layers (input and output); got sizes {sizes}")
    for l, n in enumerate(sizes):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"layer {l} must have a whole, positive number of nodes; got {n!r}")
    return tuple(int(n) for n in sizes)
