"""A worked example small enough to do by hand: the 2-2-2 sigmoid network with quadratic cost of Matt Mazur's
"A Step by Step Backpropagation Example" (2015), the one many lectures reproduce.

Every number is computed here twice over: by scalar formulas written out with math.exp (pinned at 1e-9), and,
where Mazur printed it, against his published value at its printed precision.

Mazur's names against ours (W(l)[k, j] joins emitting node j of layer l−1 to receiving node k of layer l):
    i1, i2 = a⁰₁, a⁰₂      h1, h2 = a¹₁, a¹₂      o1, o2 = a²₁, a²₂      (1-based here, as on screen)
    w1: i1→h1, w2: i2→h1, w3: i1→h2, w4: i2→h2   so  W¹ = [[w1, w2], [w3, w4]] = [[0.15, 0.20], [0.25, 0.30]]
    w5: h1→o1, w6: h2→o1, w7: h1→o2, w8: h2→o2   so  W² = [[w5, w6], [w7, w8]] = [[0.40, 0.45], [0.50, 0.55]]
    b1 = 0.35 for both hidden nodes, b2 = 0.60 for both outputs; E_total = Σ ½(target − out)², our quadratic C.
Mazur does not update the biases; the core does (bˡ ← bˡ − η δˡ), so the biases are checked against the
scalar formulas only.
"""

import math

import numpy as np
import pytest

import backprop as bp


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


# The network and the sample.
x1, x2 = 0.05, 0.10
y1, y2 = 0.01, 0.99
w1, w2, w3, w4 = 0.15, 0.20, 0.25, 0.30
w5, w6, w7, w8 = 0.40, 0.45, 0.50, 0.55
b1, b2 = 0.35, 0.60
eta = 0.5

# Forward pass, layer 1: zˡₖ = Σⱼ Wˡₖⱼ aˡ⁻¹ⱼ + bˡₖ, aˡₖ = σ(zˡₖ).
z1_1 = w1 * x1 + w2 * x2 + b1  # 0.15·0.05 + 0.20·0.10 + 0.35 = 0.3775
z1_2 = w3 * x1 + w4 * x2 + b1  # 0.25·0.05 + 0.30·0.10 + 0.35 = 0.3925
a1_1 = sigma(z1_1)  # out_h1 = 0.593269992
a1_2 = sigma(z1_2)  # out_h2 = 0.596884378
# Forward pass, layer 2.
z2_1 = w5 * a1_1 + w6 * a1_2 + b2  # net_o1 = 1.105905967
z2_2 = w7 * a1_1 + w8 * a1_2 + b2  # net_o2 = 1.224921404
a2_1 = sigma(z2_1)  # out_o1 = 0.75136507
a2_2 = sigma(z2_2)  # out_o2 = 0.772928465
# Cost C = ½(a²₁ − y₁)² + ½(a²₂ − y₂)².
C_1 = 0.5 * (a2_1 - y1) ** 2  # E_o1 = 0.274811083
C_2 = 0.5 * (a2_2 - y2) ** 2  # E_o2 = 0.023560026
C = C_1 + C_2  # E_total = 0.298371109

# (BP1) δ²ₖ = ∂C/∂a²ₖ · σ′(z²ₖ), with ∂C/∂a²ₖ = a²ₖ − yₖ and σ′ = a(1 − a).
dC_da2_1 = a2_1 - y1  # ∂E_total/∂out_o1 = 0.74136507
sp2_1 = a2_1 * (1 - a2_1)  # ∂out_o1/∂net_o1 = 0.186815602
delta2_1 = dC_da2_1 * sp2_1  # 0.138498562
dC_da2_2 = a2_2 - y2  # −0.217071535
sp2_2 = a2_2 * (1 - a2_2)  # 0.175510053
delta2_2 = dC_da2_2 * sp2_2  # −0.038098237
# (BP4) ∂C/∂W²ₖⱼ = δ²ₖ a¹ⱼ.
dC_dw5 = delta2_1 * a1_1  # ∂E_total/∂w5 = 0.082167041
dC_dw6 = delta2_1 * a1_2
dC_dw7 = delta2_2 * a1_1
dC_dw8 = delta2_2 * a1_2

# (BP2) ∂C/∂a¹ₖ = Σₘ W²ₘₖ δ²ₘ — with the ORIGINAL W², as Mazur stresses — then δ¹ₖ = ∂C/∂a¹ₖ · σ′(z¹ₖ).
dC_da1_1 = w5 * delta2_1 + w7 * delta2_2  # ∂E_total/∂out_h1 = 0.036350306
dC_da1_2 = w6 * delta2_1 + w8 * delta2_2  # ∂E_total/∂out_h2 = 0.041370323
sp1_1 = a1_1 * (1 - a1_1)  # ∂out_h1/∂net_h1 = 0.241300709
sp1_2 = a1_2 * (1 - a1_2)
delta1_1 = dC_da1_1 * sp1_1
delta1_2 = dC_da1_2 * sp1_2
# (BP4) ∂C/∂W¹ₖⱼ = δ¹ₖ xⱼ.
dC_dw1 = delta1_1 * x1  # ∂E_total/∂w1 = 0.000438568
dC_dw2 = delta1_1 * x2
dC_dw3 = delta1_2 * x1
dC_dw4 = delta1_2 * x2

# ∂C/∂a⁰ₖ = Σₘ W¹ₘₖ δ¹ₘ, the sensitivity to the input (Mazur does not print it).
dC_dx1 = w1 * delta1_1 + w3 * delta1_2
dC_dx2 = w2 * delta1_1 + w4 * delta1_2

# Mazur's published numbers, as strings so that their printed precision travels with them.
PUBLISHED = {
    "out_h1": ("0.593269992", a1_1),
    "out_h2": ("0.596884378", a1_2),
    "net_o1": ("1.105905967", z2_1),
    "out_o1": ("0.75136507", a2_1),
    "out_o2": ("0.772928465", a2_2),
    "E_o1": ("0.274811083", C_1),
    "E_o2": ("0.023560026", C_2),
    "E_total": ("0.298371109", C),
    "dE/dw5": ("0.082167041", dC_dw5),
    "dE/dout_h1": ("0.036350306", dC_da1_1),
    "dout_h1/dnet_h1": ("0.241300709", sp1_1),
    "dE/dw1": ("0.000438568", dC_dw1),
}
PUBLISHED_W2_AFTER = [["0.35891648", "0.408666186"], ["0.511301270", "0.561370121"]]  # w5+, w6+ / w7+, w8+
PUBLISHED_W1_AFTER = [["0.149780716", "0.19956143"], ["0.24975114", "0.29950229"]]  # w1+, w2+ / w3+, w4+


def at_printed_precision(actual: float, printed: str) -> bool:
    """Whether `actual` rounds to `printed`: within half a unit of its last printed digit."""
    decimals = len(printed.split(".")[1])
    return abs(actual - float(printed)) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


def mazur_network():
    return bp.Network.from_arrays(
        weights=[[[w1, w2], [w3, w4]], [[w5, w6], [w7, w8]]], biases=[[b1, b1], [b2, b2]], activation="sigmoid"
    )


@pytest.fixture(scope="module")
def trace():
    return bp.backward(mazur_network(), x=[x1, x2], y=[y1, y2], cost="quadratic")


def test_our_scalar_formulas_reproduce_mazurs_published_intermediates():
    """The hand formulas above are the ones Mazur used: each printed intermediate rounds to his value."""
    assert z1_1 == pytest.approx(0.3775, abs=1e-15) and z1_2 == pytest.approx(0.3925, abs=1e-15)
    wrong = {
        name: (printed, mine) for name, (printed, mine) in PUBLISHED.items() if not at_printed_precision(mine, printed)
    }
    assert not wrong, f"published / ours: {wrong}"


def test_forward_pass_matches_the_hand_computation(trace):
    """z¹, a¹, z², a² and the cost equal the scalar formulas."""
    np.testing.assert_allclose(trace.a(0), [x1, x2], rtol=0, atol=0)
    np.testing.assert_allclose(trace.z(1), [z1_1, z1_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.a(1), [a1_1, a1_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.z(2), [z2_1, z2_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.a(2), [a2_1, a2_2], rtol=0, atol=1e-9)
    assert trace.cost == pytest.approx(C, abs=1e-9)
    assert at_printed_precision(trace.cost, "0.298371109")


def test_backward_pass_matches_the_hand_computation(trace):
    """∂C/∂a, σ′, δ and ∂C/∂W of both layers, and ∂C/∂b = δ, equal the scalar formulas."""
    np.testing.assert_allclose(trace.dC_da(2), [dC_da2_1, dC_da2_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.sigma_prime(2), [sp2_1, sp2_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.delta(2), [delta2_1, delta2_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.dC_dW(2), [[dC_dw5, dC_dw6], [dC_dw7, dC_dw8]], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.dC_da(1), [dC_da1_1, dC_da1_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.sigma_prime(1), [sp1_1, sp1_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.delta(1), [delta1_1, delta1_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.dC_dW(1), [[dC_dw1, dC_dw2], [dC_dw3, dC_dw4]], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.dC_db(1), [delta1_1, delta1_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.dC_db(2), [delta2_1, delta2_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(trace.dC_da(0), [dC_dx1, dC_dx2], rtol=0, atol=1e-9)
    assert at_printed_precision(trace.dC_dW(2)[0, 0], "0.082167041")  # Mazur's ∂E_total/∂w5
    assert at_printed_precision(trace.dC_dW(1)[0, 0], "0.000438568")  # Mazur's ∂E_total/∂w1


def test_one_step_at_eta_half_gives_mazurs_updated_weights(trace):
    """After one gradient-descent step at η = 0.5 the weights equal Mazur's published values at their
    printed precision, and the hand formulas at 1e-9; the biases move by −η δ."""
    new = bp.gradient_descent_step(mazur_network(), trace, learning_rate=eta)
    for l, published in ((2, PUBLISHED_W2_AFTER), (1, PUBLISHED_W1_AFTER)):
        for k in range(2):
            for j in range(2):
                assert at_printed_precision(new.W(l)[k, j], published[k][j]), (
                    f"W{l}[{k},{j}]: Mazur {published[k][j]} / ours {new.W(l)[k, j]!r}"
                )
    np.testing.assert_allclose(
        new.W(2), [[w5 - eta * dC_dw5, w6 - eta * dC_dw6], [w7 - eta * dC_dw7, w8 - eta * dC_dw8]], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        new.W(1), [[w1 - eta * dC_dw1, w2 - eta * dC_dw2], [w3 - eta * dC_dw3, w4 - eta * dC_dw4]], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(new.b(2), [b2 - eta * delta2_1, b2 - eta * delta2_2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(new.b(1), [b1 - eta * delta1_1, b1 - eta * delta1_2], rtol=0, atol=1e-9)


def test_the_step_lowers_the_cost():
    """Mazur's point of the exercise: after the step the same sample costs less (0.298371109 before).
    He reports 0.291027924 after updating the weights only (ours updates the biases too); that figure
    carries the rounding of his intermediates from its 7th decimal on (exact: 0.29102777…), so it is
    checked to 6 decimals."""
    net = mazur_network()
    new = bp.gradient_descent_step(net, bp.backward(net, [x1, x2], [y1, y2]), learning_rate=eta)
    after = bp.cost_of(new, [x1, x2], [y1, y2])
    assert after < C
    weights_only = bp.Network.from_arrays([new.W(1), new.W(2)], [[b1, b1], [b2, b2]])
    assert at_printed_precision(bp.cost_of(weights_only, [x1, x2], [y1, y2]), "0.291028")
