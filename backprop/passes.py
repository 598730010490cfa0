"""The forward pass, the backward pass, their batch form and the gradient-descent update.

`backward` reads as the lecture: (BP1) at the output, then (BP2) from layer L−1 back to layer 1, and
(BP3), (BP4) for the gradients of each layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _checks
from .costs import cost as cost_named
from .network import Network

Array = np.ndarray
TOO_LARGE = "the weights or inputs are too large (a learning rate that is too large makes training diverge so)"


@dataclass(frozen=True, slots=True)
class Forward:
    """The forward pass of one sample: zˡ and aˡ by lecture layer number."""

    network: Network
    _a: tuple[Array, ...]  # a⁰ = x, a¹, …, aᴸ
    _z: tuple[Array, ...]  # (None, z¹, …, zᴸ)

    @property
    def L(self) -> int:
        return self.network.L

    def a(self, l: int) -> Array:
        """aˡ = σ(zˡ), with a⁰ = x; shape (nₗ,)."""
        return self._a[_checks.layer(l, 0, self.L, "a(l)")]

    def z(self, l: int) -> Array:
        """zˡ = Wˡ aˡ⁻¹ + bˡ; shape (nₗ,)."""
        return self._z[_checks.layer(l, 1, self.L, "z(l)")]

    @property
    def x(self) -> Array:
        """The input, a⁰."""
        return self._a[0]

    @property
    def output(self) -> Array:
        """aᴸ, the network's output."""
        return self._a[-1]


@dataclass(frozen=True, slots=True)
class Trace:
    """Everything one forward and backward pass computed for one sample, by lecture layer number."""

    forward: Forward
    y: Array  # the target, shape (n_L,)
    cost_name: str
    cost: float  # C for this sample
    _sigma_prime: tuple[Any, ...]  # (None, σ′(z¹), …, σ′(zᴸ)): an Array from index 1
    _dC_da: tuple[Array, ...]  # ∂C/∂a⁰, …, ∂C/∂aᴸ
    _delta: tuple[Any, ...]  # (None, δ¹, …, δᴸ): an Array from index 1
    _dC_dW: tuple[Any, ...]  # (None, ∂C/∂W¹, …, ∂C/∂Wᴸ): an Array from index 1

    @property
    def network(self) -> Network:
        return self.forward.network

    @property
    def L(self) -> int:
        return self.network.L

    def a(self, l: int) -> Array:
        """aˡ, shape (nₗ,); a⁰ = x."""
        return self.forward.a(l)

    def z(self, l: int) -> Array:
        """zˡ, shape (nₗ,)."""
        return self.forward.z(l)

    def sigma_prime(self, l: int) -> Array:
        """σ′(zˡ), shape (nₗ,)."""
        return self._sigma_prime[_checks.layer(l, 1, self.L, "sigma_prime(l)")]

    def dC_da(self, l: int) -> Array:
        """∂C/∂aˡ, shape (nₗ,). For l < L it is Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ; ∂C/∂a⁰ is the sensitivity to the input."""
        return self._dC_da[_checks.layer(l, 0, self.L, "dC_da(l)")]

    def delta(self, l: int) -> Array:
        """δˡ = ∂C/∂zˡ, shape (nₗ,)."""
        return self._delta[_checks.layer(l, 1, self.L, "delta(l)")]

    def dC_dW(self, l: int) -> Array:
        """∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, shape (nₗ, nₗ₋₁)."""
        return self._dC_dW[_checks.layer(l, 1, self.L, "dC_dW(l)")]

    def dC_db(self, l: int) -> Array:
        """∂C/∂bˡ = δˡ, shape (nₗ,)."""
        return self._delta[_checks.layer(l, 1, self.L, "dC_db(l)")]


@dataclass(frozen=True, slots=True)
class Gradients:
    """The mean cost and mean gradients over a batch of m samples."""

    network: Network
    m: int  # the number of samples
    cost: float  # (1/m) Σ C
    _dC_dW: tuple[Array, ...]  # (None, mean ∂C/∂W¹, …)
    _dC_db: tuple[Array, ...]  # (None, mean ∂C/∂b¹, …)
    _mean_abs_delta: tuple[float, ...]  # (nan, mean |δ¹|, …): how much error signal reaches each layer

    @property
    def L(self) -> int:
        return self.network.L

    def dC_dW(self, l: int) -> Array:
        """Mean ∂C/∂Wˡ over the batch, shape (nₗ, nₗ₋₁)."""
        return self._dC_dW[_checks.layer(l, 1, self.L, "dC_dW(l)")]

    def dC_db(self, l: int) -> Array:
        """Mean ∂C/∂bˡ over the batch, shape (nₗ,)."""
        return self._dC_db[_checks.layer(l, 1, self.L, "dC_db(l)")]

    def mean_abs_delta(self, l: int) -> float:
        """Mean of |δˡₖ| over the nodes of layer l and the samples of the batch."""
        return self._mean_abs_delta[_checks.layer(l, 1, self.L, "mean_abs_delta(l)")]


def forward(net: Network, x) -> Forward:
    """The forward pass of input x, shape (n₀,)."""
    x = _checks.frozen(x, "x", shape=(net.sizes[0],))
    a: list[Array] = [x]
    z: list = [None]
    with _checks.finite_arithmetic("the forward pass", TOO_LARGE):
        for l in range(1, net.L + 1):
            z.append(_checks.read_only(net.W(l) @ a[l - 1] + net.b(l)))  # zˡ = Wˡ aˡ⁻¹ + bˡ
            a.append(_checks.read_only(net.act(l)(z[l])))  # aˡ = σ(zˡ)
    return Forward(net, tuple(a), tuple(z))


def backward(net: Network, x, y, cost: str = "quadratic") -> Trace:
    """Forward and backward pass of one sample (x, y): everything in the lecture's table."""
    C = cost_named(cost)
    fwd = forward(net, x)
    y = _checks.frozen(y, "y", shape=(net.sizes[-1],))
    C.check(net.act(net.L), y)
    L = net.L
    sp: list = [None] + [net.act(l).prime(fwd.z(l)) for l in range(1, L + 1)]
    dC_da: list = [None] * (L + 1)
    delta: list = [None] * (L + 1)

    with _checks.finite_arithmetic("the backward pass", TOO_LARGE):
        dC_da[L] = C.dC_da(fwd.z(L), fwd.a(L), y)  # ±inf where beyond the floats
        delta[L] = C.delta(fwd.z(L), fwd.a(L), y, net.act(L))  # (BP1) δᴸ = ∂C/∂aᴸ ⊙ σ′(zᴸ)
        for l in range(L - 1, -1, -1):
            dC_da[l] = net.W(l + 1).T @ delta[l + 1]  # (BP2) ∂C/∂aˡₖ = Σₘ Wˡ⁺¹ₘₖ δˡ⁺¹ₘ
            if l > 0:
                delta[l] = dC_da[l] * sp[l]  # (BP2) δˡ = ∂C/∂aˡ ⊙ σ′(zˡ)
        # (BP3) ∂C/∂bˡ = δˡ needs no array of its own: Trace.dC_db returns δˡ.
        dC_dW = [None] + [np.outer(delta[l], fwd.a(l - 1)) for l in range(1, L + 1)]  # (BP4) δˡ (aˡ⁻¹)ᵀ
        cost_value = float(C.value(fwd.z(L), fwd.a(L), y))

    ro = _checks.read_only
    return Trace(
        forward=fwd,
        y=y,
        cost_name=C.name,
        cost=cost_value,
        _sigma_prime=tuple(None if s is None else ro(s) for s in sp),
        _dC_da=tuple(ro(d) for d in dC_da),
        _delta=tuple(None if d is None else ro(d) for d in delta),
        _dC_dW=tuple(None if g is None else ro(g) for g in dC_dW),
    )


def batch_gradients(net: Network, X, Y, cost: str = "quadratic") -> Gradients:
    """Mean cost and gradients over a batch: X (m, n₀), Y (m, n_L), one sample per row.

    The same equations as `backward`, with a row per sample: Zˡ = Aˡ⁻¹ (Wˡ)ᵀ + bˡ, and the mean over rows
    of each per-sample ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ is (Δˡ)ᵀ Aˡ⁻¹ / m.
    """
    C = cost_named(cost)
    X, Y = _numbers(X, "X"), _numbers(Y, "Y")
    n0, nL, L = net.sizes[0], net.sizes[-1], net.L
    if X.ndim != 2 or X.shape[1] != n0 or X.shape[0] < 1:
        raise ValueError(f"X must have shape (m, {n0}): one row of {n0} inputs per sample; got {X.shape}")
    if Y.shape != (X.shape[0], nL):
        raise ValueError(f"Y must have shape ({X.shape[0]}, {nL}): one row of {nL} targets per row of X; got {Y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("X and Y must be finite numbers; they contain NaN or infinity")
    C.check(net.act(L), Y)
    with _checks.finite_arithmetic("the batch's passes", TOO_LARGE):
        return _batch(net, X, Y, C)


def _batch(net: Network, X: Array, Y: Array, C) -> Gradients:
    """batch_gradients on checked inputs."""
    L, m = net.L, X.shape[0]
    W, b, act = net._W, net._b, net._act  # inside the package: skip the accessors' checks in this hot loop
    A: list[Array] = [X]
    Z: list = [None]
    for l in range(1, L + 1):
        Z.append(A[l - 1] @ W[l].T + b[l])
        A.append(act[l](Z[l]))
    delta = C.delta(Z[L], A[L], Y, act[L])  # (BP1), a row per sample
    dC_dW: list = [None] * (L + 1)
    dC_db: list = [None] * (L + 1)
    mean_abs: list = [float("nan")] * (L + 1)
    for l in range(L, 0, -1):
        g = delta.T @ A[l - 1]
        g /= m
        dC_dW[l] = _checks.read_only(g)  # (BP4), averaged
        dC_db[l] = _checks.read_only(delta.sum(axis=0) / m)  # (BP3), averaged
        mean_abs[l] = float(np.abs(delta).sum()) / delta.size  # (sum / size: ndarray.mean costs more)
        if l > 1:
            delta = (delta @ W[l]) * act[l - 1].prime(Z[l - 1])  # (BP2), a row per sample
    return Gradients(net, m, float(C.value(Z[L], A[L], Y).sum()) / m, tuple(dC_dW), tuple(dC_db), tuple(mean_abs))


def gradient_descent_step(
    net: Network, gradients: Trace | Gradients, learning_rate: float = 0.5, update_biases: bool = True
) -> Network:
    """A new network with Wˡ ← Wˡ − η ∂C/∂Wˡ and bˡ ← bˡ − η ∂C/∂bˡ; `net` is left unchanged.

    update_biases=False keeps every bˡ as it is and moves the weights only, as some worked examples do
    (Mazur's 2-2-2 post)."""
    try:
        eta = float(learning_rate)
    except (TypeError, ValueError):
        raise ValueError(f"learning_rate must be a number; got {learning_rate!r}") from None
    if not np.isfinite(eta) or eta < 0:
        raise ValueError(f"learning_rate must be a finite number ≥ 0; got {learning_rate!r}")
    if gradients.network is not net and gradients.network.sizes != net.sizes:
        raise ValueError(f"the gradients are for a network of sizes {gradients.network.sizes}, not {net.sizes}")
    # Inside the package: the arrays themselves, not the checked accessors (a third of a small step's time).
    dW, db = (
        (gradients._dC_dW, gradients._dC_db)
        if isinstance(gradients, Gradients)
        else (gradients._dC_dW, gradients._delta)
    )  # a Trace: ∂C/∂bˡ = δˡ
    W: list = [None]  # by layer number: index 0 unused
    b: list = [None]
    with _checks.finite_arithmetic(
        "the update W ← W − η ∂C/∂W", f"the learning rate {eta:g} is too large for gradients of this size"
    ):
        for l in range(1, len(net._W)):
            # One new array per parameter, filled in place: fresh large arrays cost page faults, not arithmetic.
            for new, old, grad in ((W, net._W[l], dW[l]), (b, net._b[l], db[l])):
                if new is b and not update_biases:
                    new.append(old)  # read-only already: shared, not copied
                    continue
                p = np.multiply(grad, -eta)
                p += old
                new.append(_checks.read_only(p))
    return Network._of(W, b, net.activation, net.output_activation)


def cost_of(net: Network, x, y, cost: str = "quadratic") -> float:
    """C for one sample, from a forward pass alone."""
    C = cost_named(cost)
    fwd = forward(net, x)
    y = _checks.frozen(y, "y", shape=(net.sizes[-1],))
    C.check(net.act(net.L), y)
    with _checks.finite_arithmetic("the cost", TOO_LARGE):  # as in backward: a ValueError, not C = inf
        return float(C.value(fwd.z(net.L), fwd.output, y))


def _numbers(values, name: str) -> Array:
    """`values` as a float array, without a copy when it already is one."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
