"""Figures a screen reader can read: each chart gets its one-line summary as its accessible name
(role="figure" with aria-label, live_chart) and its numbers as a table that is not drawn on screen but is read aloud.

The texts come from backprop.figures.alt, built from the same trace or history as the figure.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from backprop.figures.alt import TextAlternative
from backprop.ui import presenter
from backprop.ui.live_chart import live_chart

# Visually hidden but read by screen readers (the usual "sr-only" rule); the element container of a hidden
# text is taken out of the page's flow so that it adds no gap. A chart's table (bp-sr-table) is hidden the same
# way inside the chart's element, which keeps its place.
CSS = """<style>
.bp-sr-only, .bp-sr-table { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
              clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.stElementContainer:has(.bp-sr-only), .st-key-bp_a11y_script, .st-key-bp_announce { position: absolute; width: 1px;
    height: 1px; overflow: hidden; }
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important;
                                                                  transition: none !important; } }
</style>"""


# Two things Streamlit gives no attribute for, set by one script mounted once per page: the step's announcement
# container becomes a polite live region (role="status"), and a wide equation, which scrolls sideways inside
# its .katex-display, becomes a focusable, named region, so a keyboard can scroll it (WCAG 2.1.1, axe's
# scrollable-region-focusable).
_FOCUSABLE_EQUATIONS = """<script>
(() => {
    const mark = () => {
      document.querySelectorAll(".st-key-bp_announce:not([role])").forEach((el) => {
        el.setAttribute("role", "status");        // announced when its text changes, politely
        el.setAttribute("aria-live", "polite");
      });
      // Streamlit's equations not marked yet (a view drawn by static/follow_view.js marks its own): reading a
      // width lays the page out, so none is read where there is nothing to mark.
      document.querySelectorAll(".katex-display:not([tabindex])").forEach((el) => {
        if (!el.closest(".bp-follow") && el.scrollWidth > el.clientWidth + 1) {
            el.tabIndex = 0;
            el.setAttribute("role", "region");
            el.setAttribute("aria-label", "Equation: scroll sideways to read all of it");
        }
      });
    };
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


def announce(text: str) -> None:
    """`text` in a live region: a screen reader says it when it changes (a step taken). The region is the keyed
    container, which stays in the page from run to run; the script above gives it role="status"."""
    with st.container(key="bp_announce"):
        st.markdown(f'<p class="bp-sr-only">{escape(text)}</p>', unsafe_allow_html=True)


def chart(fig, text: TextAlternative, key: str, where=st) -> None:
    """`fig` as this session shows it (presenter mode), drawn in place from run to run, named by `text`'s summary
    and followed by its table (live_chart)."""
    live_chart(presenter.shown(fig), key=key, text=text, where=where)
