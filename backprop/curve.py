"""The cost as a function of one weight or bias, the others held fixed: C(θ) at many values of θ at once.

What a plot of "the cost against w" needs, in one vectorised forward pass instead of one network and one
pass per sample point: the layers below the parameter's layer do not depend on it, so they are computed
once; from its layer up, each value of θ is one row of a batch.
"""

from __future__ import annotations

import numpy as np

from . import _checks
from .costs import cost as cost_named
from .network import Network
from .passes import TOO_LARGE, forward

Array = np.ndarray
PARAMETERS = ("W", "b")  # Wˡₖⱼ or bˡₖ


def cost_along(
    net: Network, x, y, values, param: str = "W", l: int = 1, k: int = 0, j: int = 0, cost: str = "quadratic"
) -> Array:
    """C(x, y) with one parameter set to each of `values` in turn, every other one as in `net`; shape (m,).

    param "W": the weight Wˡₖⱼ; param "b": the bias bˡₖ (j is then ignored). l is the lecture's layer
    (1..L), k and j are 0-based. `values` has shape (m,). Each entry equals
    `cost_of(net with that parameter replaced, x, y, cost)`.
    """
    _checks.by_name({p: p for p in PARAMETERS}, param, "parameter")
    C = cost_named(cost)
    fwd = forward(net, x)
    y = _checks.frozen(y, "y", shape=(net.sizes[-1],))
    C.check(net.act(net.L), y)
    l = _checks.layer(l, 1, net.L, "cost_along")
    k = _checks.index(k, net.sizes[l], f"node k of layer {l}")
    j = _checks.index(j, net.sizes[l - 1], f"node j of layer {l - 1}") if param == "W" else 0
    theta = _checks.frozen(values, "values")
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence of numbers; got shape {theta.shape}")

    with _checks.finite_arithmetic("the cost along a parameter", TOO_LARGE):
        # Layers below l do not depend on the parameter: aˡ⁻¹ is the same for every value.
        a_prev = fwd.a(l - 1)
        Z = np.tile(fwd.z(l), (theta.size, 1))  # a row per value of θ
        if param == "W":
            rows = np.tile(net.W(l)[k], (theta.size, 1))
            rows[:, j] = theta
            Z[:, k] = rows @ a_prev + net.b(l)[k]  # zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ, with Wˡₖⱼ = θ
        else:
            Z[:, k] = net.W(l)[k] @ a_prev + theta  # zˡₖ with bˡₖ = θ
        A = net.act(l)(Z)
        for m in range(l + 1, net.L + 1):  # the layers above, a row per value
            Z = A @ net.W(m).T + net.b(m)
            A = net.act(m)(Z)
        return _checks.read_only(np.asarray(C.value(Z, A, y), dtype=float))  # Z is now Zᴸ
