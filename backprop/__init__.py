"""Backprop Lab's core: backpropagation in a fully connected network, in the lecture's notation.

    import backprop as bp
    net = bp.Network.random(sizes=(2, 3, 1), activation="sigmoid", seed=0)
    trace = bp.backward(net, x=[0.5, -1.0], y=[1.0], cost="quadratic")
    trace.delta(1), trace.dC_dW(2), trace.cost

Layers are numbered as in the lecture (input 0, output L); node indices are 0-based. NumPy only.
"""

__version__ = "1.0.0"  # the one place the version is written (pyproject.toml reads it)

from .activations import ACTIVATIONS, Activation, activation
from .costs import COSTS, Cost, cost
from .curve import cost_along
from .explain import DeltaChain, InputSum, WeightChain, delta_chain, input_sum, weight_chain
from .gradcheck import GradientCheck, gradient_check
from .lesson.timeline import Step, n_steps, step, timeline
from .network import INITS, Network, check_sizes
from .passes import Forward, Gradients, Trace, backward, batch_gradients, cost_of, forward, gradient_descent_step

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "activation",
    "COSTS",
    "Cost",
    "cost",
    "cost_along",
    "DeltaChain",
    "InputSum",
    "WeightChain",
    "delta_chain",
    "input_sum",
    "weight_chain",
    "GradientCheck",
    "gradient_check",
    "INITS",
    "Network",
    "check_sizes",
    "Forward",
    "Gradients",
    "Trace",
    "backward",
    "batch_gradients",
    "cost_of",
    "forward",
    "gradient_descent_step",
    "Step",
    "n_steps",
    "step",
    "timeline",
]

# Training on small datasets (the Train page): datasets, mini-batch descent with a history, model files.
from .training import datasets  # noqa: E402
from .training.datasets import Dataset, Scaling  # noqa: E402
from .training.descent import (  # noqa: E402
    Divergence,
    History,
    TrainConfig,
    TrainState,
    decision_grid,
    default_config,
    fitted_curve,
    predict,
    reset_training,
    run_epochs,
    start_training,
)
from .training.model_io import DatasetInfo, LoadedModel, load_model_json, model_json  # noqa: E402

__all__ += [
    "datasets",
    "Dataset",
    "Scaling",
    "DatasetInfo",
    "LoadedModel",
    "load_model_json",
    "model_json",
    "Divergence",
    "History",
    "TrainConfig",
    "TrainState",
    "decision_grid",
    "default_config",
    "fitted_curve",
    "predict",
    "reset_training",
    "run_epochs",
    "start_training",
]
