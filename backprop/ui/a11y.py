"""Figures a screen reader can read: each chart gets its one-line summary as its accessible name
(st.plotly_chart's `alt`) and its numbers as a table that is not drawn on screen but is read aloud.

The texts come from backprop.figures.alt, built from the same trace or history as the figure.
"""

from __future__ import annotations

import streamlit as st

from backprop.figures.alt import TextAlternative
from backprop.ui import presenter

# Visually hidden but read by screen readers (the usual "sr-only" rule); its element container is taken out
# of the page's flow so that a hidden table adds no gap between the figures.
CSS = """<style>
.bp-sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
              clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.stElementContainer:has(.bp-sr-only), .st-key-bp_a11y_script { position: absolute; width: 1px;
    height: 1px; overflow: hidden; }
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important;
                                                                  transition: none !important; } }
</style>"""


# A wide equation scrolls sideways inside its .katex-display; a keyboard can scroll it only if it can take the
# focus (WCAG 2.1.1, axe's scrollable-region-focusable). Streamlit's st.latex gives no way to set tabindex, so
# this script, mounted once per page, marks each equation that overflows as a focusable, named region.
_FOCUSABLE_EQUATIONS = """<script>
(() => {
    const mark = () => document.querySelectorAll(".katex-display").forEach((el) => {
        if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
            el.tabIndex = 0;
            el.setAttribute("role", "region");
            el.setAttribute("aria-label", "Equation: scroll sideways to read all of it");
        }
    });
    mark();
    if (!window.bpFocusableEquations) {   // once per page: the observer outlives this element's reruns
        let queued = false;
        window.bpFocusableEquations = new MutationObserver(() => {
            if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; mark(); }); }
        });
        window.bpFocusableEquations.observe(document.body, { childList: true, subtree: true });
        window.addEventListener("resize", mark);
    }
})();
</script>"""


def style() -> None:
    """The page-wide rules above and the script that makes wide equations focusable; app.py draws them once per
    run (the CSS alone goes to Streamlit's event container and takes no room; the script's element is hidden)."""
    st.html(CSS)
    with st.container(key="bp_a11y_script"):
        st.html(_FOCUSABLE_EQUATIONS, unsafe_allow_javascript=True)


def table(text: TextAlternative, where=st) -> None:
    """`text`'s table, hidden from sight, for a screen reader."""
    where.markdown(f'<div class="bp-sr-only">{text.html()}</div>', unsafe_allow_html=True)


def chart(fig, text: TextAlternative, key: str, where=st, **options):
    """st.plotly_chart of `fig` as this session shows it (presenter mode), named by `text`'s summary, with the
    hidden table after it. `options` go to st.plotly_chart (on_select, selection_mode, …)."""
    state = where.plotly_chart(presenter.shown(fig), key=key, alt=text.summary, **{**presenter.CHART, **options})
    table(text, where)
    return state
