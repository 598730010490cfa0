"""Train: gradient descent on a small dataset, epoch after epoch, with the backward pass's health on view.

The same NumPy core as the step-through page, many iterations at a time: the widgets, the run and the
charts live in backprop/ui/train_view.py.
"""

import backprop.ui.startup  # noqa: F401 — first: imports and builds once per process (see there)

# isort: split
import streamlit as st

from backprop.ui import train_view as view
from backprop.ui import url_state

url_state.restore("train")  # a shared link sets the widgets and the epoch, once per session
view.follow_send()  # "Open in Step through" was clicked
data = view.dataset_settings()
config = view.network_settings(data)
state = view.replay_link(view.current_state(config, data))

st.title("Train a network")
url_state.show_problems()
st.markdown(
    "Many iterations of what the **Step through** page shows one at a time: each step backpropagates a "
    "batch of samples and moves every weight against its gradient, W ← W − η ∂C/∂W. Watch the loss "
    "fall, the boundary form, and how much gradient reaches each layer."
)
view.run_controls(state)


@st.fragment(run_every=view.TICK if st.session_state.get(view.RUNNING) else None)
def live() -> None:
    current = view.train_tick()  # a chunk of training while running
    url_state.write_train(current)
    view.status(current)
    view.charts(current)
    view.exits(current)


live()
