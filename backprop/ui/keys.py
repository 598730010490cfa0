"""A clicker and a keyboard step the lesson: PageDown, → and Space step, PageUp and ← go back, Home resets,
End runs to the end — with the focus anywhere on the page but a text field, and no click first.

`st.button(shortcut=...)` binds one key to a button, and a press of Space on a focused button or toggle is
taken by that control; so a tiny custom component (Streamlit's components v2, no iframe) listens to keydown
on the whole document and clicks the very button a mouse would: a key and a click are one code path (same
callback, same disabled state, same fragment rerun). The same component reports the window's height, by
which presenter mode sizes the projected figures (presenter.body_px); it reports only in presenter mode and
only a change, so a page that already has the right size does not run again (and a class opening the page
out of presenter mode never runs it twice).
"""

from __future__ import annotations

import streamlit as st

# key → the button it clicks (the step buttons' keys in lesson_view.step_buttons).
KEYS = {
    "PageDown": "btn_step",
    "ArrowRight": "btn_step",
    " ": "btn_step",
    "PageUp": "btn_back",
    "ArrowLeft": "btn_back",
    "Home": "btn_reset",
    "End": "btn_end",
}
LINE = "Keys: **PageDown**, **→** or **Space** step · **PageUp** or **←** back · **Home** reset · **End** run to end"
HEIGHT_STEP = 20  # the height is reported rounded to this many pixels: no rerun for a pixel of resize

_JS = """
const KEYS = %(keys)s;
const STEP = %(step)d;
// Where a key belongs to the field itself: text entry of any kind, and the widgets that use arrows/Home/End.
const TEXT_INPUTS = new Set(['text', 'number', 'search', 'email', 'password', 'url', 'tel', 'date', 'time',
                             'datetime-local', 'month', 'week']);
function ownsKey(el, key) {
  if (!el || el === document.body || el === document.documentElement) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName, role = el.getAttribute('role');
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT' && TEXT_INPUTS.has((el.type || 'text').toLowerCase())) return true;
  if (['textbox', 'combobox', 'searchbox', 'spinbutton', 'slider', 'listbox', 'option', 'menu', 'menuitem']
      .includes(role)) return true;
  // A radio group moves its choice with the arrows (predict mode's sign question): keep those for it.
  const radio = (tag === 'INPUT' && el.type === 'radio') || role === 'radio';
  return radio && (key === 'ArrowLeft' || key === 'ArrowRight');
}
function visibleButton(name) {
  return Array.from(document.querySelectorAll('.st-key-' + name + ' button'))
    .find(b => b.offsetParent !== null);
}
export default function ({ data, setStateValue }) {
  const onKey = (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    const name = KEYS[e.key];
    if (!name || ownsKey(e.target, e.key)) return;
    const button = visibleButton(name);
    if (!button) return;
    e.preventDefault();      // no scrolling, and no click of the focused control by Space
    if (e.repeat || button.disabled) return;
    button.click();
  };
  document.addEventListener('keydown', onKey, true);
  let timer = null;
  const report = () => {
    if (!data || !data.report) return;   // only presenter mode sizes by it: no extra run for anyone else
    const h = Math.round(window.innerHeight / STEP) * STEP;
    if (h > 0 && h !== data.height) setStateValue('height', h);
  };
  const onResize = () => { clearTimeout(timer); timer = setTimeout(report, 300); };
  window.addEventListener('resize', onResize);
  report();
  return () => {
    document.removeEventListener('keydown', onKey, true);
    window.removeEventListener('resize', onResize);
    clearTimeout(timer);
  };
}
"""

_component = st.components.v2.component(
    "backprop_lab.clicker",
    js=_JS % {"keys": __import__("json").dumps(KEYS), "step": HEIGHT_STEP},
)


def _reported() -> None:
    value = (st.session_state.get("clicker") or {}).get("height")
    if isinstance(value, (int, float)):
        st.session_state["screen_height"] = int(value)


def listen(report_height: bool) -> None:
    """Mount the listener (once per page run, outside the step fragment: it never needs redrawing); with
    `report_height`, it also reports the window's height when that differs from the one last reported."""
    _component(
        key="clicker",
        data={"height": st.session_state.get("screen_height"), "report": report_height},
        default={"height": None},
        on_height_change=_reported,
        width="content",
        height="content",
    )
