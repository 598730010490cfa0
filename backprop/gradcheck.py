"""Backprop against central finite differences: the independent check of every weight and bias gradient.

For each parameter θ, ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε, which takes 2P forward passes for P parameters
where backprop takes one forward and one backward pass.

Reading a relative error |analytic − numeric| / (|analytic| + |numeric|) in float64: below about 1e-7 the
two agree (what remains is the finite difference's own error); above about 1e-4 something is suspicious,
a bug in the gradient or an ε that is too large (truncation) or too small (round-off).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _checks
from .costs import cost as cost_named
from .network import Network
from .passes import Trace, backward

Array = np.ndarray
AGREE = 1e-7  # a relative error below this: backprop and the finite difference agree
SUSPICIOUS = 1e-4  # above this: suspect the gradient (or ε); the default threshold of a verdict
EPSILONS = (1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)  # a sweep that shows both errors


@dataclass(frozen=True, slots=True)
class GradientCheck:
    """Analytic (backprop) and numeric (central difference) gradients, side by side."""

    trace: Trace  # the backprop result, analytic gradients included
    epsilon: float  # the step ε of the central differences
    _dC_dW: tuple[Array, ...]  # (None, numeric ∂C/∂W¹, …)
    _dC_db: tuple[Array, ...]  # (None, numeric ∂C/∂b¹, …)

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

    def relative_error_b(self, l: int) -> Array:
        """The relative error of every bias of layer l, element by element, shape (nₗ,)."""
        return _relative_elementwise(self.trace.dC_db(l), self.numeric_dC_db(l))

    def verdicts(self, threshold: float = SUSPICIOUS) -> tuple[LayerVerdict, ...]:
        """`layer_verdicts` of backprop's gradients against these central differences, layers 1..L."""
        layers = range(1, self.L + 1)
        return layer_verdicts(
            [self.trace.dC_dW(l) for l in layers],
            [self.trace.dC_db(l) for l in layers],
            [self.numeric_dC_dW(l) for l in layers],
            [self.numeric_dC_db(l) for l in layers],
            threshold,
        )


@dataclass(frozen=True, slots=True)
class LayerVerdict:
    """Whether one layer's analytic gradients agree with the numeric ones."""

    l: int  # the lecture's layer number
    n_parameters: int  # weights and biases of layer l: nₗ·nₗ₋₁ + nₗ
    relative_error: float  # ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) over Wˡ and bˡ together
    worst: float  # the largest element-wise relative error in Wˡ and bˡ
    threshold: float  # the layer passes when relative_error < threshold
    passed: bool

    @property
    def reading(self) -> str:
        """ "agree" (below AGREE), "close" (below SUSPICIOUS) or "suspicious", by the layer's relative error."""
        return reading(self.relative_error)


def reading(relative_error: float) -> str:
    """How to read a relative error: "agree" below AGREE, "close" below SUSPICIOUS, else "suspicious"."""
    return "agree" if relative_error < AGREE else "close" if relative_error < SUSPICIOUS else "suspicious"


def layer_verdicts(
    analytic_dC_dW: Sequence,
    analytic_dC_db: Sequence,
    numeric_dC_dW: Sequence,
    numeric_dC_db: Sequence,
    threshold: float = SUSPICIOUS,
) -> tuple[LayerVerdict, ...]:
    """Per layer, pass or fail: analytic against numeric gradients, each a sequence over layers 1..L
    (∂C/∂W¹ first; Wˡ of shape (nₗ, nₗ₋₁), bˡ of shape (nₗ,)). A layer passes when the relative error of
    its weights and biases together is below `threshold`.

    Pure and independent of where the gradients came from, so a deliberately wrong gradient can be checked.
    """
    if not (isinstance(threshold, (int, float)) and 0 < threshold < 1):
        raise ValueError(f"threshold must be a relative error between 0 and 1 such as 1e-4; got {threshold!r}")
    arrays = [analytic_dC_dW, analytic_dC_db, numeric_dC_dW, numeric_dC_db]
    L = len(analytic_dC_dW)
    if L < 1 or any(len(a) != L for a in arrays):
        raise ValueError(
            "analytic and numeric ∂C/∂W and ∂C/∂b need one array per layer, as many layers each; "
            f"got {[len(a) for a in arrays]}"
        )
    out = []
    for l, (aW, ab, nW, nb) in enumerate(zip(*arrays, strict=True), start=1):
        aW, ab, nW, nb = (np.asarray(v, dtype=float) for v in (aW, ab, nW, nb))
        if aW.ndim != 2 or aW.shape != nW.shape or ab.shape != nb.shape or ab.shape != (aW.shape[0],):
            raise ValueError(
                f"layer {l}: ∂C/∂W must be (nₗ, nₗ₋₁) and ∂C/∂b (nₗ,), the same for analytic and "
                f"numeric; got W {aW.shape} and {nW.shape}, b {ab.shape} and {nb.shape}"
            )
        analytic, numeric = np.concatenate([aW.ravel(), ab]), np.concatenate([nW.ravel(), nb])
        error = _relative(analytic, numeric)
        worst = float(_relative_elementwise(analytic, numeric).max())
        out.append(LayerVerdict(l, analytic.size, error, worst, float(threshold), error < threshold))
    return tuple(out)


def gradient_check(net: Network, x, y, cost: str = "quadratic", epsilon: float = 1e-6) -> GradientCheck:
    """Compare backprop's gradients for the sample (x, y) with central finite differences."""
    if not (isinstance(epsilon, (int, float)) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a small positive number such as 1e-6; got {epsilon!r}")
    trace = backward(net, x, y, cost)
    C = cost_named(cost)
    W: list = [None] + [net.W(l).copy() for l in range(1, net.L + 1)]
    b: list = [None] + [net.b(l).copy() for l in range(1, net.L + 1)]
    acts: list = [None] + [net.act(l) for l in range(1, net.L + 1)]
    x, y = trace.a(0), trace.y

    def C_now() -> float:
        a = x
        for l in range(1, net.L + 1):
            z = W[l] @ a + b[l]
            a = acts[l](z)
        return float(C.value(z, a, y))

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

    dW: list = [None] + [central(W[l]) for l in range(1, net.L + 1)]
    db: list = [None] + [central(b[l]) for l in range(1, net.L + 1)]
    return GradientCheck(trace, float(epsilon), tuple(dW), tuple(db))


def _relative(analytic: Array, numeric: Array) -> float:
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def _relative_elementwise(analytic: Array, numeric: Array) -> Array:
    scale = np.abs(analytic) + np.abs(numeric)
    diff = np.abs(analytic - numeric)
    return _checks.read_only(np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0))
