"""Backprop Lab: see backpropagation in a fully connected network, step by step."""

import os

# One BLAS thread: for matrices this small, a second thread only adds overhead (see DESIGN.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from backprop.ui import class_view  # noqa: E402

# Presenter mode: larger type for a projector. A link with ?present=1 opens in it, sidebar collapsed.
PRESENTER_CSS = "<style>html { font-size: 22px; } .katex { font-size: 1.25em; }</style>"
linked_present = st.query_params.get("present") == "1"

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide",
                   initial_sidebar_state="collapsed" if linked_present else "auto")

page = st.navigation([
    st.Page("pages/step_through.py", title="Step through", icon=":material/footprint:", default=True),
    st.Page("pages/two_nodes.py", title="Two nodes in series", icon=":material/linear_scale:"),
    st.Page("pages/matrix_form.py", title="Matrix form", icon=":material/grid_on:"),
    st.Page("pages/gradient_check.py", title="Gradient check", icon=":material/rule:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/class.py", title="Class", icon=":material/groups:"),
])
class_view.take_link()   # ?class=CODE joins a class, ?class=CODE&key=… reopens it as its instructor
st.session_state.setdefault("present", linked_present)
st.sidebar.toggle("Presenter mode", key="present", help="Larger text, figures and lines, for a projector")
if st.session_state["present"]:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
page.run()
