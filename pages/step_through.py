"""Step through: set the network, step the forward pass, watch δ and ∂C/∂W fill in backward."""

import backprop.ui.startup  # noqa: F401 — first: imports and builds once per process (see there)

# isort: split
import streamlit as st

from backprop.ui import class_view, held_view, keys, lesson_view, presenter, settings, url_state, worksheet_view

class_view.before_widgets()  # a following student's page takes the instructor's moment
url_state.restore("step_through")  # a shared link sets the widgets, once per session
config = settings.sidebar_settings()
interval = lesson_view.autoplay_interval()
lesson_view.quiz_toggle()
lesson = url_state.place(settings.current_lesson(config))
class_view.poll()  # a student in a class: follow the instructor (first: a stable fragment id)

lesson_view.page_style()
keys.listen(report_height=presenter.on())
st.title("Backpropagation, step by step", anchor=False)  # no link icon: one Tab stop fewer before Step
class_view.header_bar()  # projected, the instructor's class: one line in the header, off the stage
class_view.show_notice()
url_state.show_problems()
if notice := st.session_state.pop("notice", None):
    st.toast(notice, icon=":material/refresh:")
# Projected, and on a phone, the sample's fields go below the lesson, which then starts at the top of the
# screen: Step and the diagram on one screen, Step among the first Tab stops. On a laptop they stay above it.
if presenter.on() or keys.narrow():
    main, below = st.container(key="lesson_area"), st.container(key="sample_area")
else:
    below, main = st.container(key="sample_area"), st.container(key="lesson_area")
with below:
    settings.sample_editor(lesson)


@st.fragment(run_every=interval)
def view() -> None:
    if interval is not None:
        lesson_view.autoplay_tick(interval)
    current = st.session_state["lesson"]  # this run's lesson: a step reruns only this fragment
    selected = lesson_view.selected_weight(current)
    lesson_settings = st.session_state.get("lesson_settings")
    class_view.in_view(lesson_settings, current, selected)  # the instructor publishes; a student's panel

    def link() -> None:  # drawn in the row of step buttons: the address holds this moment
        url_state.write(lesson_settings, current, selected)
        class_view.mark_url()

    lesson_view.lesson_view(link=link, browser=class_view.browser_stage())
    class_view.after_view(current, selected)  # the instructor publishes the moment, with its view for the class
    class_view.below_view()  # projected, the instructor's question and answers, below the screen
    if not st.session_state.get("quiz_on") or current.index == current.last:  # no answers before predictions
        with st.expander("Download this iteration: worked sheet, JSON, CSV"):
            worksheet_view.download_buttons(current)


def held_link(current, selected) -> None:  # the Copy link button, in the step row: the address holds this moment
    url_state.write(st.session_state.get("lesson_settings"), current, selected)


with main:
    if held_view.on(interval):  # the browser draws each step from the iteration's views (see held_view)
        held_view.page(held_link)
    else:
        view()
