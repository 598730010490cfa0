"""Independent reference code for the core's tests: a forward pass, costs and central differences written
here from the formulas, without calling the core's own activations, costs or gradient check.

The central differences run in extended precision (np.longdouble, 64-bit mantissa on x86-64 Linux): with
ε = 1e-6 the rounding noise of C(θ ± ε) is then ~1e-13·|C| instead of ~1e-10·|C|, so a relative tolerance of
1e-6 holds even for the small gradients of deep or leaky-ReLU layers. (Where longdouble is plain float64,
as on some ARM machines, the property test can meet layers whose gradient is below that noise.)

Imported by the test files as `helpers_core` (pytest puts tests/ on sys.path; there is no conftest.py here).
"""

from __future__ import annotations

import numpy as np

import backprop as bp

EPSILON = 1e-6  # the step of the central differences
RTOL = 1e-6  # ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) must stay below this
ATOL = 1e-10  # ... or ‖a − n‖ this small (a layer whose gradient all but vanishes)
KINK = 1e-3  # ReLU-like inputs must keep |z| ≥ KINK so that ±ε never crosses the kink at 0

# The activations and costs as written in the lecture, one line each. Deliberately naive (plain exp):
# the tests keep |z| moderate, and the core's overflow-safe versions are tested against these.
REF_SIGMA = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
}
REF_COST = {
    "quadratic": lambda a, y: 0.5 * np.sum((a - y) ** 2),
    "cross_entropy": lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)),
}
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
COSTS = ("quadratic", "cross_entropy")
KINKED = ("relu", "leaky_relu")


def valid_combinations():
    """Every (hidden activation, output activation, cost) the core accepts: cross-entropy only with a sigmoid
    output."""
    return [(h, o, c) for h in ACTIVATIONS for o in ACTIVATIONS for c in COSTS if c == "quadratic" or o == "sigmoid"]


def ref_forward(weights, biases, hidden, output, x):
    """The forward pass from the formula zˡ = Wˡ aˡ⁻¹ + bˡ, aˡ = σ(zˡ); returns ([z¹..zᴸ], aᴸ)."""
    a, zs = x, []
    L = len(weights)
    for l, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        z = W @ a + b
        zs.append(z)
        a = REF_SIGMA[output if l == L else hidden](z)
    return zs, a


def ref_cost(weights, biases, hidden, output, cost, x, y):
    """C(x, y) for the network given by plain lists of arrays, as a NumPy scalar of their precision."""
    _, a = ref_forward(weights, biases, hidden, output, x)
    return REF_COST[cost](a, y)


def central_differences(f, params, eps=EPSILON):
    """∂f/∂θ ≈ (f(θ + ε) − f(θ − ε)) / 2ε for every entry θ of every array in `params` (a list of float
    arrays that f reads; each entry is perturbed in place and restored). Returns one array per param."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            keep = p[i]
            p[i] = keep + eps
            up = f()
            p[i] = keep - eps
            down = f()
            p[i] = keep
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def numeric_gradients(net: bp.Network, x, y, cost):
    """Central-difference ∂C/∂Wˡ and ∂C/∂bˡ of `net` at (x, y), using only the reference forward pass.
    Returns (dW, db), float64 lists indexed 0..L−1 for layers 1..L."""
    ext = np.longdouble
    W = [np.array(net.W(l), dtype=ext) for l in range(1, net.L + 1)]
    b = [np.array(net.b(l), dtype=ext) for l in range(1, net.L + 1)]
    x, y = np.array(x, dtype=ext), np.array(y, dtype=ext)

    def C():
        return ref_cost(W, b, net.activation, net.output_activation, cost, x, y)

    grads = [g.astype(float) for g in central_differences(C, W + b)]
    return grads[: net.L], grads[net.L :]


def relative_error(analytic, numeric) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖), 0 when both are 0. A sign error gives 1, a factor of 2 gives 1/3."""
    analytic, numeric = np.ravel(analytic), np.ravel(numeric)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def gradient_mismatches(trace: bp.Trace, dW, db) -> list[str]:
    """The layers whose backprop gradients disagree with (dW, db); empty when all agree."""
    bad = []
    for l in range(1, trace.L + 1):
        analytic = np.concatenate([trace.dC_dW(l).ravel(), trace.dC_db(l)])
        numeric = np.concatenate([dW[l - 1].ravel(), db[l - 1]])
        err = relative_error(analytic, numeric)
        if err > RTOL and np.linalg.norm(analytic - numeric) > ATOL:
            bad.append(f"layer {l}: relative error {err:.2e}\n mine (numeric) {numeric}\n theirs (backprop) {analytic}")
    return bad


def random_arrays(sizes, seed, weight_scale=1.0, bias_scale=0.5):
    """Weights Wˡ ~ N(0, scale²/nₗ₋₁) and biases ~ N(0, bias_scale²) from our own generator, so the tests do
    not depend on Network.random."""
    rng = np.random.default_rng(seed)
    weights = [
        rng.normal(0.0, weight_scale / np.sqrt(n_in), size=(n_out, n_in))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    biases = [rng.normal(0.0, bias_scale, size=n) for n in sizes[1:]]
    return weights, biases, rng


def random_sample(rng, sizes, cost):
    """An input x ~ N(0, 1) and a target y: in [0, 1] (as cross-entropy needs) or, for quadratic, N(0, 1)."""
    x = rng.normal(0.0, 1.0, size=sizes[0])
    y = rng.uniform(0.0, 1.0, size=sizes[-1]) if cost == "cross_entropy" else rng.normal(0.0, 1.0, sizes[-1])
    return x, y


def min_abs_z_at_kinks(weights, biases, hidden, output, x) -> float:
    """The smallest |zˡₖ| over the layers whose activation has a kink at 0 (inf if none has)."""
    zs, _ = ref_forward(weights, biases, hidden, output, np.asarray(x, dtype=float))
    L = len(zs)
    kinked = [z for l, z in enumerate(zs, start=1) if (output if l == L else hidden) in KINKED]
    return min((float(np.min(np.abs(z))) for z in kinked), default=float("inf"))


def make_case(sizes, hidden, output, cost, seed):
    """A network and sample with every ReLU-like |z| ≥ KINK and a non-zero gradient in every layer (so that
    no layer's check passes as 0 = 0). Tries seeds seed, seed + 1, … deterministically."""
    for s in range(seed, seed + 200):
        weights, biases, rng = random_arrays(sizes, s)
        x, y = random_sample(rng, sizes, cost)
        if min_abs_z_at_kinks(weights, biases, hidden, output, x) < KINK:
            continue
        net = bp.Network.from_arrays(weights, biases, activation=hidden, output_activation=output)
        dW, db = numeric_gradients(net, x, y, cost)
        if all(np.linalg.norm(g) > 1e-6 for g in dW):
            return net, x, y, dW, db
    raise AssertionError(f"no usable seed for {sizes} {hidden}/{output}/{cost}")


# ------------------------------------------------------------------------------------------------------
# Numbers on screen: an operand is printed with at least eq.DIGITS significant digits, more where the
# printed arithmetic needs them to add up (equations.fit); these find it whichever it took.


def shown(v: float, tex: str) -> bool:
    """Whether `v` appears in `tex` printed with some number of significant digits from 4 to 17."""
    from backprop.lesson import equations as eq

    return any(eq.num(v, d) in tex for d in range(eq.DIGITS, eq.MAX_DIGITS + 1))


def product_shown(values, tex: str, sep: str = r" \cdot ") -> bool:
    """Whether the factors `values` appear in `tex` joined by `sep`, all printed with the same digits."""
    from backprop.lesson import equations as eq

    return any(sep.join(eq.factor(v, d) for v in values) in tex for d in range(eq.DIGITS, eq.MAX_DIGITS + 1))
