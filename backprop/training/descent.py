r"""Mini-batch gradient descent over a dataset, epoch by epoch, with a history of what the backward pass saw.

    config = bp.TrainConfig(sizes=(2, 8, 8, 1), activation="tanh", output_activation="sigmoid",
                            cost="cross_entropy", learning_rate=0.5, batch_size=32, seed=0)
    state = bp.start_training(config, bp.datasets.circles(seed=0))
    state = bp.run_epochs(state, 50)          # a new state; `state` before it is unchanged
    state.history.train_loss[-1], state.history.grad_norm(1)
    state = bp.reset_training(state)          # the same initial weights, epoch 0

Everything is immutable, so a page can run training in chunks (`run_epochs(state, 10)` again and again) and
keep each state it was given. Chunks do not change the result: the shuffle of epoch e depends only on the
seed and e, so 10 + 10 epochs give exactly the network of 20, and a reset followed by the same epochs gives
exactly the same networks again.

One epoch: the training rows in a seeded random order, cut into batches of `batch_size` (the last one may be
smaller; a batch size at least the number of training rows is full-batch descent), one step
W ← W − η ∂C/∂W per batch, with the batch's mean gradient.

The history has one row per epoch, plus row 0 for the initial network. Every number of row e describes the
network at the end of epoch e, measured after its last step on the whole training set (and the test set):
  - train and test loss: the mean cost per sample;
  - accuracy (classification only): the fraction of samples whose output aᴸ₁ ≥ 0.5 (the midpoint of the
    targets 0 and 1) exactly where the target is 1;
  - ‖∂C/∂Wˡ‖: the Frobenius norm of the mean gradient of the training cost over the whole training set,
    the gradient a full-batch step would take. (The batches' own gradients are noisier and taken at networks
    that changed within the epoch; the full-set gradient is one well-defined number per epoch, and its
    evaluation costs about one more batch per epoch's worth of samples.)
  - mean |δˡ|: the mean over the training samples and the nodes of layer l of |δˡₖ|, from the same pass.

Divergence stops training: an overflow in a pass or an update (the core raises a ValueError), a cost that is
not finite, or a cost above EXPLODED × the initial training loss (or EXPLODED × LOSS_FLOOR if that loss is
smaller). The state then records when (epoch, batch) and why in `divergence`, keeps the last network it
reached (every weight finite), and `run_epochs` refuses to go on until `reset_training`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from .. import _checks
from ..activations import ACTIVATIONS
from ..costs import COSTS
from ..costs import cost as cost_named
from ..network import INITS, Network, check_sizes
from ..passes import TOO_LARGE, batch_gradients, gradient_descent_step
from .datasets import CLASSIFICATION, Dataset

Array = np.ndarray

EXPLODED = 1e6  # a loss this many times the initial training loss means divergence
STUCK_EPOCHS = 20  # a training loss above its epoch-0 value for this many epochs gets a notice (stuck)
SATURATED = 10.0  # an output whose |zᴸ| exceeds this is saturated: σ(10) = 0.99995
LOSS_FLOOR = 1e-3  # … or this many times LOSS_FLOOR, if the initial loss is below it (a fitted network)
THRESHOLD = 0.5  # an output ≥ this is class 1
MAX_LEARNING_RATE = 1e6
GRID_RESOLUTION = 60  # decision_grid's default: 60 × 60 outputs
GRID_MARGIN = 0.1  # the grid extends past the data by this fraction of its span on each side
MAX_RESOLUTION = 400
_SHUFFLE = 2  # tags the shuffle's random stream, apart from the split's (1) and the weights'


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """What a training run is made of: the network to build and how to descend."""

    sizes: tuple[int, ...]  # (n₀, …, n_L); n₀ and n_L must match the dataset
    activation: str = "tanh"  # σ of the hidden layers
    output_activation: str | None = "sigmoid"  # σ of the output layer; None: the same as `activation`
    cost: str = "cross_entropy"
    learning_rate: float = 0.5  # η
    batch_size: int = 32  # samples per step; ≥ the training rows means full batch
    seed: int = 0  # the initial weights and the shuffles
    init: str = "auto"  # a key of INITS, or "auto" (He for ReLU-like, else Xavier)

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: normalise in place once, here
        set_(self, "sizes", check_sizes(self.sizes))
        out = self.activation if self.output_activation is None else self.output_activation
        _checks.by_name(ACTIVATIONS, self.activation, "activation")
        _checks.by_name(ACTIVATIONS, out, "output activation")
        set_(self, "output_activation", out)
        cost = _checks.by_name(COSTS, self.cost, "cost")
        cost.check(ACTIVATIONS[out], np.zeros(1))
        _checks.by_name({"auto": None, **INITS}, self.init, "initialisation")
        lr = self.learning_rate
        if (
            isinstance(lr, (bool, np.bool_))
            or not isinstance(lr, (int, float, np.integer, np.floating))
            or not (0 <= float(lr) <= MAX_LEARNING_RATE)
        ):
            raise ValueError(f"the learning rate must be a number from 0 to {MAX_LEARNING_RATE:g}; got {lr!r}")
        set_(self, "learning_rate", float(lr))
        for name, value, low in (("batch size", self.batch_size, 1), ("seed", self.seed, 0)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"the {name} must be a whole number ≥ {low}; got {value!r}")
        set_(self, "batch_size", int(self.batch_size))
        set_(self, "seed", int(self.seed))

    def network(self) -> Network:
        """The initial network: Network.random with this config's sizes, activations, seed and init."""
        return Network.random(self.sizes, self.activation, self.output_activation, self.seed, self.init)


def default_config(
    data: Dataset,
    hidden: tuple[int, ...] = (8, 8),
    activation: str = "tanh",
    learning_rate: float = 0.5,
    batch_size: int = 32,
    seed: int = 0,
) -> TrainConfig:
    """A config that suits `data`: a sigmoid output with cross-entropy for classification, a linear output
    with the quadratic cost for regression; layer sizes (d, *hidden, m)."""
    classify = data.kind == CLASSIFICATION
    return TrainConfig(
        (data.n_inputs, *hidden, data.n_outputs),
        activation,
        "sigmoid" if classify else "linear",
        "cross_entropy" if classify else "quadratic",
        learning_rate,
        batch_size,
        seed,
    )


@dataclass(frozen=True, slots=True)
class History:
    """One row per epoch, row 0 being the initial network; each array has shape (epochs + 1,)."""

    epoch: Array  # 0, 1, …, E
    train_loss: Array  # mean C per training sample
    test_loss: Array  # mean C per test sample; NaN without a test set
    train_accuracy: Array  # fraction classified right; NaN for regression
    test_accuracy: Array  # NaN for regression or without a test set
    _grad_norm: Array  # (E + 1, L): column l − 1 holds ‖∂C/∂Wˡ‖_F
    _mean_abs_delta: Array  # (E + 1, L): column l − 1 holds mean |δˡ|

    @property
    def L(self) -> int:
        return self._grad_norm.shape[1]

    def __len__(self) -> int:
        return self.epoch.shape[0]

    def grad_norm(self, l: int) -> Array:
        """‖∂C/∂Wˡ‖_F, the Frobenius norm of the full training set's mean gradient, per epoch."""
        return self._grad_norm[:, _checks.layer(l, 1, self.L, "grad_norm(l)") - 1]

    def mean_abs_delta(self, l: int) -> Array:
        """Mean |δˡₖ| over the training samples and the nodes of layer l, per epoch."""
        return self._mean_abs_delta[:, _checks.layer(l, 1, self.L, "mean_abs_delta(l)") - 1]

    @property
    def has_test(self) -> bool:
        return bool(np.isfinite(self.test_loss[0]))

    @property
    def has_accuracy(self) -> bool:
        return bool(np.isfinite(self.train_accuracy[0]))

    def _extended(self, rows: list[tuple]) -> History:
        """This history with `rows` (from _evaluate, epochs following the last) appended."""
        if not rows:
            return self
        start = int(self.epoch[-1]) + 1
        cols = list(zip(*rows, strict=True))
        new = [np.arange(start, start + len(rows))] + [np.array(c, dtype=float) for c in cols]
        old = (
            self.epoch,
            self.train_loss,
            self.test_loss,
            self.train_accuracy,
            self.test_accuracy,
            self._grad_norm,
            self._mean_abs_delta,
        )
        return History(*(_checks.read_only(np.concatenate([o, n])) for o, n in zip(old, new, strict=True)))

    @classmethod
    def _first(cls, row: tuple) -> History:
        return History(_checks.read_only(np.array([0])), *(_checks.read_only(np.array([v], dtype=float)) for v in row))


@dataclass(frozen=True, slots=True)
class Divergence:
    """When and why training stopped."""

    epoch: int  # the epoch during which it happened, 1-based
    batch: int | None  # the batch of that epoch, 1-based; None: the evaluation after its last batch
    n_batches: int  # batches per epoch
    reason: str

    @property
    def message(self) -> str:
        where = (
            f"in epoch {self.epoch}, batch {self.batch} of {self.n_batches}"
            if self.batch is not None
            else f"at the end of epoch {self.epoch}"
        )
        return (
            f"Training diverged {where}: {self.reason}. The last network reached before that step is kept; "
            "lower the learning rate and reset to train again."
        )


@dataclass(frozen=True, slots=True)
class Within:
    """Part of an epoch done: a time limit fell between two of its batches. The state's `network` and
    history stay at the last whole epoch; run_epochs resumes here, so the result is that of an uncut run."""

    batches: int  # batches of the epoch done, 1 ≤ batches < n_batches
    network: Network = field(repr=False)  # the network after them


@dataclass(frozen=True, slots=True)
class TrainState:
    """A training run at the end of an epoch (or where it diverged). Immutable: run_epochs returns a new one."""

    config: TrainConfig
    data: Dataset
    initial: Network  # the network at epoch 0, to which reset_training returns
    network: Network  # the current network
    epoch: int  # epochs completed; len(history) == epoch + 1
    history: History
    divergence: Divergence | None = None
    loss_limit: float = np.inf  # a cost above this is divergence: EXPLODED × the initial loss
    within: Within | None = None  # how far into epoch `epoch + 1` a time limit stopped, if it did

    @property
    def diverged(self) -> bool:
        return self.divergence is not None

    @property
    def n_batches(self) -> int:
        """Steps per epoch."""
        n = self.data.train_index.shape[0]
        return -(-n // min(self.config.batch_size, n))


def start_training(config: TrainConfig, data: Dataset, network: Network | None = None) -> TrainState:
    """Epoch 0 of a run: the config's initial network (or `network`, say one loaded from a file) on `data`.

    Raises ValueError if the network does not fit the dataset (inputs, outputs, targets for the cost).
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig; got {type(config).__name__}")
    if not isinstance(data, Dataset):
        raise ValueError(f"data must be a Dataset; got {type(data).__name__}")
    net = config.network() if network is None else network
    if net.sizes != config.sizes or (net.activation, net.output_activation) != (
        config.activation,
        config.output_activation,
    ):
        raise ValueError(
            f"the network ({'-'.join(map(str, net.sizes))}, {net.activation}/{net.output_activation}) "
            f"is not the one the config describes ({'-'.join(map(str, config.sizes))}, "
            f"{config.activation}/{config.output_activation})"
        )
    for what, need, have, names in (
        ("inputs", data.n_inputs, net.sizes[0], data.feature_names),
        ("outputs", data.n_outputs, net.sizes[-1], (data.target_name,)),
    ):
        if need != have:
            raise ValueError(
                f"the dataset {data.name!r} has {need} {what} ({', '.join(names)}) but the network "
                f"has {have} {'input' if what == 'inputs' else 'output'} node{'s' * (have != 1)}: "
                f"make layer {0 if what == 'inputs' else net.L} {need} node{'s' * (need != 1)} wide"
            )
    cost_named(config.cost).check(net.act(net.L), data.Y)
    row = _evaluate(net, data, config.cost)  # a ValueError if even the initial network overflows
    history = History._first(row)
    return TrainState(config, data, net, net, 0, history, None, EXPLODED * max(LOSS_FLOOR, float(row[0])))


def reset_training(state: TrainState) -> TrainState:
    """Back to epoch 0 with the same initial weights; the history and any divergence are cleared."""
    return start_training(state.config, state.data, state.initial)


def run_epochs(state: TrainState, n: int, time_limit: float | None = None) -> TrainState:
    """`n` more epochs of mini-batch gradient descent from `state`; a new state (`state` is unchanged).

    time_limit: stop at the first batch boundary after this many seconds (for a page that must redraw in
    time; an epoch of a thousand one-sample batches may take a second); `new.epoch − state.epoch` says how
    many whole epochs ran, and `new.within` holds the part of the next one done, which the next call
    resumes. Stops early, with `divergence` set, if training diverges. Raises ValueError if `state` has
    diverged already.
    """
    if state.divergence is not None:
        raise ValueError(state.divergence.message)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"the number of epochs must be a whole number ≥ 0; got {n!r}")
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds, or None; got {time_limit!r}")
    config, data = state.config, state.data
    X, Y = data.X_train, data.Y_train
    m = X.shape[0]
    B = min(config.batch_size, m)
    n_batches = -(-m // B)
    limit = state.loss_limit
    net, rows = state.network, []
    epoch_end = state.network  # the network at the end of the last whole epoch
    first = 0
    if state.within is not None and n > 0:
        net, first = state.within.network, state.within.batches
    started = time.perf_counter()
    divergence = within = None
    for e in range(state.epoch + 1, state.epoch + 1 + n):
        order = np.random.default_rng([config.seed, _SHUFFLE, e]).permutation(m)
        for k in range(first, n_batches):
            if k > first and time_limit is not None and time.perf_counter() - started >= time_limit:
                within = Within(k, net)
                break
            rows_k = order[k * B : (k + 1) * B]
            try:
                g = batch_gradients(net, X[rows_k], Y[rows_k], config.cost)
                problem = _bad_loss(g.cost, limit, "the batch's cost")
                if problem is None:
                    net_next = gradient_descent_step(net, g, config.learning_rate)
            except ValueError as err:
                problem = str(err)
            if problem is not None:
                divergence = Divergence(e, k + 1, n_batches, problem)
                break
            net = net_next
        first = 0
        if within is not None:
            break
        if divergence is None:
            try:
                row = _evaluate(net, data, config.cost)
                problem = _bad_loss(row[0], limit, "the training loss")
            except ValueError as err:
                problem = str(err)
            if problem is not None:
                divergence = Divergence(e, None, n_batches, problem)
        if divergence is not None:
            epoch_end = net  # the last network reached, every weight finite (see the docstring)
            break
        rows.append(row)
        epoch_end = net
        if time_limit is not None and time.perf_counter() - started >= time_limit:
            break
    if n == 0:
        within = state.within
    return replace(
        state,
        network=epoch_end,
        epoch=state.epoch + len(rows),
        history=state.history._extended(rows),
        divergence=divergence,
        within=within,
    )


def stuck(state: TrainState) -> str | None:
    """A plain notice if the training loss has stayed above its epoch-0 value for the last STUCK_EPOCHS
    epochs (it oscillates high instead of diverging, so no divergence stops it), naming the likely cause:
    a learning rate too large, with how many training outputs it has saturated. None otherwise."""
    h = state.history
    if state.diverged or len(h) <= STUCK_EPOCHS:
        return None
    recent, first = h.train_loss[-STUCK_EPOCHS:], float(h.train_loss[0])
    if not np.all(recent > first):
        return None
    lr = state.config.learning_rate
    Z, _ = _output(state.network, state.data.X_train)
    saturated = float(np.mean(np.abs(Z) > SATURATED))
    sigmoid = state.network.output_activation == "sigmoid"
    cost = (
        " (a sigmoid output then sits at 0 or 1, and under cross-entropy a confident wrong answer costs about |zᴸ|)"
        if sigmoid and state.config.cost == "cross_entropy"
        else ""
    )
    return (
        f"The training loss has stayed above its starting value ({first:.3g} at epoch 0) for the last "
        f"{STUCK_EPOCHS} epochs; it is now {float(recent[-1]):.3g}. Likely cause: the learning rate "
        f"η = {lr:g} is too large. Each step overshoots, the weights grow and the outputs saturate: "
        f"{100 * saturated:.0f} % of the training outputs have |zᴸ| > {SATURATED:g}{cost}. "
        f"Lower η (try {lr / 10:g}) and reset."
    )


def _bad_loss(value: float, limit: float, what: str) -> str | None:
    """Why a loss means divergence, or None if it does not."""
    if not np.isfinite(value):
        return f"{what} is {value} (not a finite number)"
    if value > limit:
        return (
            f"{what} rose to {value:.3g}, above {limit:.3g}, {EXPLODED:,.0f} times the initial training loss "
            "(the learning rate is too large)"
        )
    return None


def _evaluate(net: Network, data: Dataset, cost: str) -> tuple:
    """One history row for `net`: train loss, test loss, train accuracy, test accuracy, (‖∂C/∂Wˡ‖ for
    l = 1..L), (mean |δˡ| for l = 1..L)."""
    C = cost_named(cost)
    X, Y = data.X_train, data.Y_train
    g = batch_gradients(net, X, Y, cost)
    classify = data.kind == CLASSIFICATION
    with _checks.finite_arithmetic("the evaluation", TOO_LARGE):
        norms = tuple(_frobenius(g.dC_dW(l)) for l in range(1, net.L + 1))
        train_accuracy = _accuracy(predict(net, X), Y) if classify else np.nan
        test_loss = test_accuracy = np.nan
        if data.test_index.size:
            Xt, Yt = data.X_test, data.Y_test
            Z, A = _output(net, Xt)
            test_loss = float(C.value(Z, A, Yt).sum()) / Xt.shape[0]
            if classify:
                test_accuracy = _accuracy(A, Yt)
    deltas = tuple(g.mean_abs_delta(l) for l in range(1, net.L + 1))
    return g.cost, test_loss, train_accuracy, test_accuracy, norms, deltas


def _frobenius(M: Array) -> float:
    """‖M‖_F = √(Σ M²), scaled by max |M| first so that large entries do not overflow when squared."""
    top = float(np.abs(M).max())
    if top == 0.0:
        return 0.0
    s = M / top
    return top * float(np.sqrt(np.sum(s * s)))


def _accuracy(A: Array, Y: Array) -> float:
    """The fraction of rows whose outputs are all on the target's side of THRESHOLD."""
    return float(np.mean(np.all((A >= THRESHOLD) == (Y >= THRESHOLD), axis=1)))


# ------------------------------------------------------------------------------------------------------
# Outputs over the input space, for the decision-boundary and fitted-curve figures


def predict(net: Network, X) -> Array:
    """The outputs aᴸ for a batch of inputs X (n, n₀): shape (n, n_L), one forward pass for all rows."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("X must be numbers") from None
    n0 = net.sizes[0]
    if X.ndim != 2 or X.shape[1] != n0:
        raise ValueError(f"X must have shape (n, {n0}): one row of {n0} inputs per sample; got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite numbers; it contains NaN or infinity")
    return _output(net, X)[1]


def _output(net: Network, X: Array) -> tuple[Array, Array]:
    """Zᴸ and Aᴸ for checked inputs X (n, n₀), a row per sample (cross-entropy needs Zᴸ)."""
    A = X
    with _checks.finite_arithmetic("the forward pass", TOO_LARGE):
        for l in range(1, net.L + 1):
            Z = A @ net.W(l).T + net.b(l)  # Zˡ = Aˡ⁻¹ (Wˡ)ᵀ + bˡ, a row per sample
            A = net.act(l)(Z)  # Aˡ = σ(Zˡ)
    return Z, A


@dataclass(frozen=True, slots=True)
class Grid:
    """The network's output over a rectangle of the (2-D) input space, in network units."""

    x1: Array  # (r,) grid values of the first input
    x2: Array  # (r,) grid values of the second input
    output: Array  # (r, r): output[i, j] is aᴸ₁ at (x1[j], x2[i]), rows along x2 as a heatmap wants


@dataclass(frozen=True, slots=True)
class Curve:
    """The network's output along the (1-D) input axis, in network units."""

    x: Array  # (r,)
    output: Array  # (r,): aᴸ₁ at x


def _span(values: Array, margin: float) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    pad = margin * ((hi - lo) or 1.0)
    return lo - pad, hi + pad


def _resolution(resolution) -> int:
    if (
        isinstance(resolution, (bool, np.bool_))
        or not isinstance(resolution, (int, np.integer))
        or not 2 <= resolution <= MAX_RESOLUTION
    ):
        raise ValueError(f"the resolution must be a whole number from 2 to {MAX_RESOLUTION}; got {resolution!r}")
    return int(resolution)


def decision_grid(net: Network, data: Dataset, resolution: int = GRID_RESOLUTION, margin: float = GRID_MARGIN) -> Grid:
    """aᴸ₁ on a resolution × resolution grid covering every point of `data` (2 inputs) with a margin."""
    r = _resolution(resolution)
    if data.n_inputs != 2 or net.sizes[0] != 2:
        raise ValueError(
            f"a decision grid needs 2 inputs; the dataset has {data.n_inputs} and the network {net.sizes[0]}"
        )
    x1 = np.linspace(*_span(data.X[:, 0], margin), r)
    x2 = np.linspace(*_span(data.X[:, 1], margin), r)
    G1, G2 = np.meshgrid(x1, x2)
    out = predict(net, np.column_stack([G1.ravel(), G2.ravel()]))[:, 0].reshape(r, r)
    return Grid(_checks.read_only(x1), _checks.read_only(x2), _checks.read_only(out))


def fitted_curve(net: Network, data: Dataset, resolution: int = 200, margin: float = GRID_MARGIN) -> Curve:
    """aᴸ₁ at `resolution` points covering every point of `data` (1 input) with a margin."""
    r = _resolution(resolution)
    if data.n_inputs != 1 or net.sizes[0] != 1:
        raise ValueError(
            f"a fitted curve needs 1 input; the dataset has {data.n_inputs} and the network {net.sizes[0]}"
        )
    x = np.linspace(*_span(data.X[:, 0], margin), r)
    return Curve(_checks.read_only(x), _checks.read_only(predict(net, x[:, None])[:, 0]))


__all__ = [
    "TrainConfig",
    "default_config",
    "History",
    "Divergence",
    "Within",
    "TrainState",
    "start_training",
    "reset_training",
    "run_epochs",
    "stuck",
    "predict",
    "Grid",
    "Curve",
    "decision_grid",
    "fitted_curve",
    "EXPLODED",
    "THRESHOLD",
]
