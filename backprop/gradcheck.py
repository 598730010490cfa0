"""Backprop against central finite differences: the independent check of every weight and bias gradient.

For each parameter θ, ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε, which takes 2P forward passes for P parameters
where backprop takes one forward and one backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks
from .costs import cost as cost_named
from .network import Network
from .passes import Trace, backward

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class GradientCheck:
    """Analytic (backprop) and numeric (central difference) gradients, side by side."""

    trace: Trace                 # the backprop result, analytic gradients included
    epsilon: float               # the step ε of the central differences
    _dC_dW: tuple[Array, ...]    # (None, numeric ∂C/∂W¹, …)
    _dC_db: tuple[Array, ...]    # (None, numeric ∂C/∂b¹, …)

    @property
    def L(self) -> int:
        return self.trace.L

    def numeric_dC_dW(self, l: int) -> Array:
        """Central-difference ∂C/∂Wˡ, shape (nₗ, nₗ₋₁)."""
        return self._dC_dW[_checks.layer(l, 1, self.L, "numeric_dC_dW(l)")]

    def numeric_dC_db(self, l: int) -> Array:
        """Central-difference ∂C/∂bˡ, shape (nₗ,)."""
        return self._dC_db[_checks.layer(l, 1, self.L, "numeric_dC_db(l)")]

    def relative_error(self, l: int) -> float:
        """‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) over all weights and biases of layer l (0 if both are 0)."""
        analytic = np.concatenate([self.trace.dC_dW(l).ravel(), self.trace.dC_db(l)])
        numeric = np.concatenate([self.numeric_dC_dW(l).ravel(), self.numeric_dC_db(l)])
        return _relative(analytic, numeric)

    def relative_error_W(self, l: int) -> Array:
        """The relative error of every weight of layer l, element by element, shape (nₗ, nₗ₋₁)."""
        return _relative_elementwise(self.trace.dC_dW(l), self.numeric_dC_dW(l))


def gradient_check(net: Network, x, y, cost: str = "quadratic", epsilon: float = 1e-6) -> GradientCheck:
    """Compare backprop's gradients for the sample (x, y) with central finite differences."""
    if not (isinstance(epsilon, (int, float)) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a small positive number such as 1e-6; got {epsilon!r}")
    trace = backward(net, x, y, cost)
    C = cost_named(cost)
    W = [None] + [net.W(l).copy() for l in range(1, net.L + 1)]
    b = [None] + [net.b(l).copy() for l in range(1, net.L + 1)]
    acts = [None] + [net.act(l) for l in range(1, net.L + 1)]
    x, y = trace.a(0), trace.y

    def C_now() -> float:
        a = x
        for l in range(1, net.L + 1):
            a = acts[l](W[l] @ a + b[l])
        return float(C.value(a, y))

    def central(param: Array) -> Array:
        grad = np.zeros_like(param)
        for i in np.ndindex(param.shape):
            keep = param[i]
            param[i] = keep + epsilon
            up = C_now()
            param[i] = keep - epsilon
            down = C_now()
            param[i] = keep
            grad[i] = (up - down) / (2 * epsilon)
        return _checks.read_only(grad)

    dW = [None] + [central(W[l]) for l in range(1, net.L + 1)]
    db = [None] + [central(b[l]) for l in range(1, net.L + 1)]
    return GradientCheck(trace, float(epsilon), tuple(dW), tuple(db))


def _relative(analytic: Array, numeric: Array) -> float:
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def _relative_elementwise(analytic: Array, numeric: Array) -> Array:
    scale = np.abs(analytic) + np.abs(numeric)
    diff = np.abs(analytic - numeric)
    return _checks.read_only(np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0))
