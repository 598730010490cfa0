"""Predict, then reveal in a real browser: switch it on, answer a question, step, see the verdict."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SCORE = """(want) => Array.from(document.querySelectorAll('[data-testid=stMarkdownContainer]'))
                        .some(e => e.innerText.trim() === want)"""


def test_a_prediction_round_trip(app):
    page = app.page
    app.act(lambda: page.get_by_text("Predict before each backward step").click(), until=SCORE, arg="Score: 0 of 0")
    for _ in range(4):  # through the cost, then back through layer 2 with no prediction made
        app.press("btn_step")
    page.get_by_text("No prediction made").wait_for(state="visible")  # fails the test if it never shows
    # δ¹₁ of the worked 2-2-2 example is +0.008771 (Mazur: ∂E_total/∂net_h1 > 0 for w1's gradient 0.000438568).
    question = page.get_by_text("will δ¹₁ be positive, negative or zero?")
    question.wait_for(state="visible")  # drawn in the same rerun, but on a loaded machine after the idle mark
    # The option's label, not the question's (which also contains the word "positive").
    page.locator("[data-testid=stRadio] [role=radiogroup] label").filter(has_text=re.compile(r"^positive$")).click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=stRadio] input')).some(i => i.checked)"
    )
    app.wait_idle()
    assert app.press("btn_step").startswith("Step 5 of 6 — backward through layer 1")
    page.wait_for_function(SCORE, arg="Score: 1 of 1")
    assert page.get_by_text("Right: positive.").is_visible()
    assert any(r"\text{(BP2)}" in s for s in app.latex_sources())
    app.screenshot("20_quiz_right")
    app.assert_healthy()
