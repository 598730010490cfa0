"""Two nodes in series: backpropagation in one dimension, x → a¹ → a² → C, before the fully connected case.

Every number on the page comes from one `bp.backward` trace of a 1-1-1 network; the widgets live in
backprop/ui/series.py.
"""

import backprop.ui.startup  # noqa: F401 — first: imports and builds once per process (see there)

# isort: split
import streamlit as st

from backprop.ui import series, url_state

url_state.restore("two_nodes")  # a shared link sets the numbers, once per session
st.title("Two nodes in series")
url_state.show_problems()
st.markdown(
    "x → (w¹, b¹) → a¹ → (w², b²) → a² → C(a², y): one node per layer, so every product is of "
    "plain numbers and the chain rule can be read term by term. Change any number and watch each "
    "δ and gradient follow."
)

numbers = series.controls()
url_state.write_two_nodes()
trace = series.current_trace(numbers)

left, right = st.columns([1, 1], gap="large")
with left:
    series.equations(trace)
with right:
    series.cost_plot(trace)
