"""A clicker and a keyboard step the lesson: PageDown, → and Space step, PageUp and ← go back, Home resets,
End runs to the end — with the focus anywhere on the page but a text field or a slider, and no click first.

`st.button(shortcut=...)` binds one key to a button, and a press of Space on a focused button or toggle is
taken by that control; so a tiny custom component (Streamlit's components v2, no iframe) listens to keydown
on the whole document and clicks the very button a mouse would: a key and a click are one code path (same
callback, same disabled state, same fragment rerun). The same component reports the window's height, by
which presenter mode sizes the projected figures (presenter.body_px); it reports only in presenter mode and
only a change, so a page that already has the right size does not run again (and a class opening the page
out of presenter mode never runs it twice).

It also reports two things about the browser that the server cannot see and the page's layout and autoplay
depend on, again only when they differ from what the server already holds (a desktop browser that asks for
no reduced motion never sends anything): whether the window is phone-narrow (NARROW_PX or less, where
Streamlit stacks columns), so the step controls come before the sample's fields, and whether the user asks
for reduced motion (prefers-reduced-motion), so that autoplay does not advance the lesson by itself.
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
NARROW_PX = 640  # a window this wide or narrower is a phone's: Streamlit stacks columns there

_JS = """
const KEYS = %(keys)s;
const STEP = %(step)d;
const NARROW = window.matchMedia('(max-width: %(narrow)dpx)');
const REDUCED = window.matchMedia('(prefers-reduced-motion: reduce)');
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
  // A slider (input type=range: its role is implicit, no attribute) moves with the arrows, Home, End and the
  // page keys; Space stays a step. Focus elsewhere (a click on the page), and the clicker steps again.
  if (tag === 'INPUT' && (el.type || '').toLowerCase() === 'range') return key !== ' ';
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
  // The window's kind, only when it differs from what the server holds (no run for everybody else).
  const reportView = () => {
    const view = {narrow: NARROW.matches, reduced: REDUCED.matches};
    const held = (data && data.view) || {narrow: false, reduced: false};
    if (view.narrow !== held.narrow || view.reduced !== held.reduced) setStateValue('view', view);
  };
  NARROW.addEventListener('change', reportView);
  REDUCED.addEventListener('change', reportView);
  reportView();
  return () => {
    document.removeEventListener('keydown', onKey, true);
    window.removeEventListener('resize', onResize);
    NARROW.removeEventListener('change', reportView);
    REDUCED.removeEventListener('change', reportView);
    clearTimeout(timer);
  };
}
"""

_component = st.components.v2.component(
    "backprop_lab.clicker",
    js=_JS % {"keys": __import__("json").dumps(KEYS), "step": HEIGHT_STEP, "narrow": NARROW_PX},
)


def _reported() -> None:
    value = (st.session_state.get("clicker") or {}).get("height")
    if isinstance(value, (int, float)):
        st.session_state["screen_height"] = int(value)


def _view_reported() -> None:
    value = (st.session_state.get("clicker") or {}).get("view")
    if isinstance(value, dict):
        st.session_state["screen_narrow"] = value.get("narrow") is True
        st.session_state["reduced_motion"] = value.get("reduced") is True


def narrow() -> bool:
    """Whether this session's window is phone-narrow (NARROW_PX or less), as the browser last said."""
    return st.session_state.get("screen_narrow") is True


def reduced_motion() -> bool:
    """Whether this session's browser asks for reduced motion (prefers-reduced-motion: reduce)."""
    return st.session_state.get("reduced_motion") is True


def listen(report_height: bool) -> None:
    """Mount the listener (once per page run, outside the step fragment: it never needs redrawing); with
    `report_height`, it also reports the window's height when that differs from the one last reported; always,
    whether the window is narrow and asks for reduced motion, when either differs from what `narrow()` and
    `reduced_motion()` hold (each report is one more run of the page)."""
    _component(
        key="clicker",
        data={
            "height": st.session_state.get("screen_height"),
            "report": report_height,
            "view": {"narrow": narrow(), "reduced": reduced_motion()},
        },
        default={"height": None, "view": None},
        on_height_change=_reported,
        on_view_change=_view_reported,
        width="content",
        height="content",
    )
