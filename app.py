"""Backprop Lab: see backpropagation in a fully connected network, step by step."""

import os

# One BLAS thread: for matrices this small, a second thread only adds overhead (see DESIGN.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import backprop.ui.startup  # noqa: E402,F401 — first: imports and builds once per process (see there)

# isort: split
import streamlit as st  # noqa: E402

from backprop.ui import a11y, class_view, url_codec  # noqa: E402
from backprop.ui.presenter import ROOT_CSS as PRESENTER_CSS  # noqa: E402

# Presenter mode: larger type for a projector, sized by the window's height (backprop/ui/presenter.py).
# A link with ?present=1 opens in it, sidebar collapsed.
linked_present = url_codec.decode({"present": st.query_params.get("present", "0")})[0].get("present") == "1"

st.set_page_config(
    page_title="Backprop Lab",
    page_icon="🧮",
    layout="wide",
    initial_sidebar_state="collapsed" if linked_present else "auto",
)

page = st.navigation(
    [
        st.Page("pages/step_through.py", title="Step through", icon=":material/footprint:", default=True),
        st.Page("pages/two_nodes.py", title="Two nodes in series", icon=":material/linear_scale:"),
        st.Page("pages/matrix_form.py", title="Matrix form", icon=":material/grid_on:"),
        st.Page("pages/gradient_check.py", title="Gradient check", icon=":material/rule:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/class.py", title="Class", icon=":material/groups:"),
    ]
)
class_view.take_link()  # ?class=CODE joins a class, ?class=CODE&key=… reopens it as its instructor
st.session_state.setdefault("present", linked_present)
st.sidebar.toggle("Presenter mode", key="present", help="Larger text, figures and lines, for a projector")
if st.session_state["present"]:
    st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
a11y.style()  # hidden tables of the figures' numbers, for screen readers; no motion where it is unwanted
page.run()
