"""Network.random: reproducible from its seed, and each initialisation scheme has the spread its paper gives."""

import math

import numpy as np
import pytest

import backprop as bp


def test_same_seed_same_network():
    """Two calls with the same sizes, activations, init and seed give equal networks, array for array."""
    for init in ("auto", "xavier", "he", "normal"):
        a = bp.Network.random((4, 6, 3, 2), activation="tanh", seed=42, init=init)
        b = bp.Network.random((4, 6, 3, 2), activation="tanh", seed=42, init=init)
        assert a == b
        for l in (1, 2, 3):
            np.testing.assert_array_equal(a.W(l), b.W(l))
            np.testing.assert_array_equal(a.b(l), b.b(l))


def test_different_seed_different_network():
    """Different seeds give different weights in every layer."""
    a = bp.Network.random((4, 6, 3, 2), seed=0)
    b = bp.Network.random((4, 6, 3, 2), seed=1)
    assert a != b
    for l in (1, 2, 3):
        assert not np.array_equal(a.W(l), b.W(l))


def test_shapes_sizes_and_activations():
    """The network has the requested sizes, Wˡ of shape (nₗ, nₗ₋₁), and output activation defaulting to
    the hidden one."""
    net = bp.Network.random((5, 4, 3, 2), activation="relu", seed=0)
    assert net.sizes == (5, 4, 3, 2) and net.L == 3
    assert [net.W(l).shape for l in (1, 2, 3)] == [(4, 5), (3, 4), (2, 3)]
    assert [net.b(l).shape for l in (1, 2, 3)] == [(4,), (3,), (2,)]
    assert net.n_parameters == 4 * 6 + 3 * 5 + 2 * 4
    assert (net.activation, net.output_activation) == ("relu", "relu")
    assert [net.act(l).name for l in (1, 2, 3)] == ["relu", "relu", "relu"]
    other = bp.Network.random((5, 4, 3, 2), activation="relu", output_activation="sigmoid", seed=0)
    assert [other.act(l).name for l in (1, 2, 3)] == ["relu", "relu", "sigmoid"]


@pytest.mark.parametrize(
    "init,std",
    [
        ("xavier", math.sqrt(2 / (400 + 300))),  # Glorot & Bengio (2010), normal form
        ("he", math.sqrt(2 / 400)),  # He et al. (2015)
        ("normal", 1.0),  # N(0, 1), as Nielsen's network.py
    ],
)
def test_init_schemes_have_the_right_spread(init, std):
    """For a 400→300 layer (120,000 weights, so the sample std is within ~0.2% of the true one), the
    weights have mean ≈ 0 and the scheme's std within 5% — tight enough to tell Xavier (0.0535) from
    He (0.0707), 32% apart."""
    W = bp.Network.random((400, 300), activation="sigmoid", seed=3, init=init).W(1)
    assert W.shape == (300, 400)
    assert abs(W.mean()) < 0.05 * std
    assert W.std() == pytest.approx(std, rel=0.05)


def test_biases_start_at_zero_for_xavier_and_he_and_are_standard_normal_for_normal():
    """Xavier and He start with zero biases; "normal" draws them from N(0, 1) too."""
    for init in ("xavier", "he"):
        net = bp.Network.random((400, 300, 10), seed=0, init=init)
        assert not net.b(1).any() and not net.b(2).any()
    b = bp.Network.random((400, 300), seed=0, init="normal").b(1)
    assert b.std() == pytest.approx(1.0, rel=0.15) and abs(b.mean()) < 0.2


def test_each_layer_gets_its_own_spread():
    """In a 784-100-10 network each layer's std follows its own fan-in and fan-out."""
    net = bp.Network.random((784, 100, 10), activation="tanh", seed=5, init="xavier")
    assert net.W(1).std() == pytest.approx(math.sqrt(2 / 884), rel=0.05)
    assert net.W(2).std() == pytest.approx(math.sqrt(2 / 110), rel=0.15)  # 1,000 weights: looser


@pytest.mark.parametrize(
    "activation,scheme",
    [
        ("relu", "he"),
        ("leaky_relu", "he"),
        ("sigmoid", "xavier"),
        ("tanh", "xavier"),
        ("linear", "xavier"),
    ],
)
def test_auto_picks_he_for_relu_like_and_xavier_otherwise(activation, scheme):
    """init="auto" (the default) gives exactly the network the named scheme gives with the same seed, and
    its spread is that scheme's."""
    auto = bp.Network.random((400, 300, 2), activation=activation, seed=9)
    assert auto == bp.Network.random((400, 300, 2), activation=activation, seed=9, init=scheme)
    want = math.sqrt(2 / 400) if scheme == "he" else math.sqrt(2 / 700)
    assert auto.W(1).std() == pytest.approx(want, rel=0.05)


def test_auto_follows_the_hidden_activation_not_the_output():
    """A ReLU network with a sigmoid output still starts with He weights (the hidden layers decide)."""
    net = bp.Network.random((400, 300, 1), activation="relu", output_activation="sigmoid", seed=2)
    assert net.W(1).std() == pytest.approx(math.sqrt(2 / 400), rel=0.05)
