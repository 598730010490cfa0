"""Gradient check: backprop's gradients against central finite differences, and why backprop is cheaper."""

import backprop.ui.startup  # noqa: F401 — first: imports and builds once per process (see there)

# isort: split
import streamlit as st

from backprop.figures import alt
from backprop.figures import gradcheck as figs
from backprop.ui import a11y, url_state
from backprop.ui import gradcheck_view as view
from backprop.ui.settings import shared_lesson, shared_selection

url_state.restore("gradient_check")  # a shared link sets the network, step, weight and ε, once per session
lesson = url_state.place(shared_lesson())
selected = shared_selection(lesson)

st.title("Gradient check")
url_state.show_problems()
st.markdown(
    "Backprop's gradient of every weight and bias against a **central finite difference**, which only "
    "needs the cost: nudge one parameter θ up and down by ε and see how C changes."
)
st.latex(
    r"\frac{\partial C}{\partial \theta} \approx \frac{C(\theta + \varepsilon) - C(\theta - \varepsilon)}"
    r"{2\varepsilon}"
)
view.network_caption(lesson, selected)
epsilon = view.epsilon_slider()
url_state.write(st.session_state.get("lesson_settings"), lesson, selected, epsilon=epsilon)
try:
    checks = view.checks_for(lesson)
except ValueError as err:
    st.error(f"This network can't be checked: {err}")
    st.stop()
check = checks[epsilon]
view.verdict(check)

left, right = st.columns(2)
a11y.chart(figs.parity_plot(check, selected), alt.parity(check), key="parity", where=left)
a11y.chart(figs.epsilon_sweep(checks, epsilon), alt.epsilon_sweep(checks), key="sweep", where=right)
st.subheader("Relative error, weight by weight")
view.error_heatmaps(check, selected)

st.header("Why backprop matters")
P = lesson.network.n_parameters
st.markdown(
    f"Finite differences evaluate the cost **2P** times for one gradient: for this network, 2 × {P} = "
    f"{2 * P} forward passes. Backprop gets all {P} derivatives from **one forward and one backward "
    "pass**, whatever P is. Measured live on this server, for networks 2-w-w-1 of growing width w:"
)
timings = view.timings()
a11y.chart(figs.gradient_costs(timings, P), alt.gradient_costs(timings), key="costs")
big = timings[-1]
st.caption(
    f"At P = {big.P}: backprop {1e3 * big.backprop_seconds:.2g} ms, finite differences "
    f"{1e3 * big.numeric_seconds:.3g} ms, {big.ratio:.0f}× longer. At these sizes backprop's time is mostly "
    "Python's overhead per layer, so it hardly grows; the finite differences grow like P times a forward "
    "pass. A network with millions of weights would take millions of forward passes per step."
)
st.info(
    "Finite differences are the check, not the method: slow, and only as accurate as ε allows. Use them "
    "to test a backprop implementation on a small network, then train with backprop.",
    icon=":material/lightbulb:",
)
