"""Step through: set the network, step the forward pass, watch δ and ∂C/∂W fill in backward."""

import streamlit as st

from backprop.ui import lesson_view, settings

config = settings.sidebar_settings()
interval = lesson_view.autoplay_interval()
lesson_view.quiz_toggle()
lesson = settings.current_lesson(config)

st.title("Backpropagation, step by step")
if notice := st.session_state.pop("notice", None):
    st.toast(notice, icon=":material/refresh:")
settings.sample_editor(lesson)


@st.fragment(run_every=interval)
def view() -> None:
    if interval is not None:
        lesson_view.autoplay_tick(interval)
    lesson_view.lesson_view()


view()
