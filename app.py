"""Backprop Lab: see backpropagation in a fully connected network, step by step."""

import os

# One BLAS thread: for matrices this small, a second thread only adds overhead (see DESIGN.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")

page = st.navigation([
    st.Page("pages/step_through.py", title="Step through", icon=":material/footprint:", default=True),
    st.Page("pages/two_nodes.py", title="Two nodes in series", icon=":material/linear_scale:"),
    st.Page("pages/matrix_form.py", title="Matrix form", icon=":material/grid_on:"),
    st.Page("pages/gradient_check.py", title="Gradient check", icon=":material/rule:"),
])
page.run()
