"""Matrix form: the step-through page's network in the vector notation of the next lecture, (BP1)–(BP4) with
the real vectors and matrices, beside one chosen entry in index form.

Every number comes from the step-through page's trace (the default example when it has not been opened); the
widgets and the layout live in backprop/ui/matrix_view.py.
"""

import backprop.ui.startup  # noqa: F401 — first: imports and builds once per process (see there)

# isort: split
import streamlit as st

from backprop.ui import matrix_view as view
from backprop.ui import url_state
from backprop.ui.settings import shared_lesson

url_state.restore("matrix_form")  # a shared link sets the network, step and entry, once per session
lesson = url_state.place(shared_lesson())
trace = lesson.trace

st.title("Matrix form")
url_state.show_problems()
st.markdown(
    "The same backward pass, a whole layer at a time: the sums over nodes become products of matrices "
    "and vectors, and ⊙ multiplies two vectors entry by entry."
)
st.latex(
    r"\delta^L = \nabla_a C \odot \sigma'(z^L) \quad \text{(BP1)} \qquad "
    r"\delta^l = \left((W^{l+1})^T \delta^{l+1}\right) \odot \sigma'(z^l) \quad \text{(BP2)} \qquad "
    r"\frac{\partial C}{\partial b^l} = \delta^l \quad \text{(BP3)} \qquad "
    r"\frac{\partial C}{\partial W^l} = \delta^l (a^{l-1})^T \quad \text{(BP4)}"
)
view.network_caption(lesson)
l, k, j = view.choose(lesson)
url_state.write(st.session_state.get("lesson_settings"), lesson, (l, k, j))

left, right = st.columns(2, gap="large")
with left:
    st.subheader(f"Matrix form, layer {l}")
    view.matrix_column(trace, l, k, j)
with right:
    st.subheader("Index form, one entry")
    view.index_column(trace, l, k, j)
