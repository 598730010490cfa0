"""What the step-through page shows of its lesson in an AppTest run, whichever way it draws it: with Streamlit's
own elements (lesson_view: projected, predicting, in a class, with autoplay), or in the held stage
(held_view: the browser draws the view of the session's step from the iteration's views, which the run hands
it). Texts come back in the app's markdown (**bold**), as st.markdown and st.caption hold them."""

from __future__ import annotations

import json
import re
from html import unescape

from streamlit.testing.v1 import AppTest

HELD = "backprop.held_stage"


def held_data(at: AppTest) -> dict | None:
    """The held stage's data (token, index, views, …), or None where the page draws the lesson itself."""
    for e in at.get("bidi_component"):
        if e.proto.component_name == HELD:
            return json.loads(json.loads(e.proto.json))  # Streamlit wraps the payload string in JSON once more
    return None


def held(at: AppTest) -> dict | None:
    """The view the held stage shows first: the one of the session's step; None without a held stage."""
    data = held_data(at)
    return None if data is None else data["views"][data["index"]]


def _markdown(html: str) -> str:
    return unescape(re.sub(r"</?strong>", "**", html))


def _side(at: AppTest, kind: str) -> list[str]:
    view = held(at)
    if view is None:
        return []
    return [b["t"] if kind == "latex" else _markdown(b["t"]) for b in view["side"] if b["k"] == kind]


def progress(at: AppTest) -> str | None:
    """The progress line, "**Step 4 of 6 — backward through layer 2** · iteration 1"; None if there is none."""
    view = held(at)
    if view is not None:
        return _markdown(view["progress"])
    return next((m.value for m in at.markdown if m.value.startswith("**Step ")), None)


def latex(at: AppTest) -> list[str]:
    return [x.value for x in at.latex] + _side(at, "latex")


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption] + _side(at, "caption")


def markdowns(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + _side(at, "html")


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info] + _side(at, "info")
