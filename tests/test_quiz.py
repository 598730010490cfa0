"""Predict, then reveal: the questions' answers against the trace, and the quiz flow on the page."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.lesson import quiz
from backprop.lesson.presets import PRESETS

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.mark.parametrize("sizes, act", [((2, 2, 2), "sigmoid"), ((3, 4, 3, 2), "tanh"), ((1, 1, 1), "relu")])
def test_answers_are_what_the_backward_step_computes(sizes, act):
    """The sign of δˡₖ, or the argmax of |∂C/∂Wˡ| found here by a loop over every cell."""
    net = bp.Network.random(sizes, act, "sigmoid", seed=3, init="normal")
    trace = bp.backward(net, np.linspace(-1, 1, sizes[0]), np.linspace(0.1, 0.9, sizes[-1]))
    kinds = set()
    for iteration in (1, 2, 3):
        for l in range(1, trace.L + 1):
            q = quiz.question(trace, l, iteration)
            kinds.add(q.kind)
            if q.kind == quiz.SIGN:
                d = trace.delta(l)[q.k]
                assert q.answer == ("positive" if d > 0 else "negative" if d < 0 else "zero")
                assert q.is_right(q.answer) and not q.is_right(next(s for s in quiz.SIGNS if s != q.answer))
            else:
                G = trace.dC_dW(l)
                best = max(((k, j) for k in range(G.shape[0]) for j in range(G.shape[1])), key=lambda c: abs(G[c]))
                assert q.answer == best and q.is_right(best) and not q.is_right(None)
    assert kinds == ({quiz.SIGN, quiz.LARGEST} if sizes != (1, 1, 1) else {quiz.SIGN})


def test_hint_shows_the_layer_above_but_not_the_answer_and_the_explanation_does():
    p = PRESETS["worked_2_2_2"]
    trace = bp.backward(p.network(), p.x, p.y)
    q = quiz.question(trace, 1, 1)  # the sign of δ¹₁ = 0.008771 (Mazur: 0.00877135)
    assert q.kind == quiz.SIGN and q.k == 0 and q.answer == "positive"
    hint = quiz.hint(trace, q)
    assert "0.4 \\cdot 0.1385 + 0.5 \\cdot (-0.0381)" in hint and "0.008771" not in hint
    assert "0.008771" in quiz.explanation(trace, q)


def _app():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.toggle(key="quiz_on").set_value(True).run()
    assert not at.exception
    return at


def _step(at):
    at.button(key="btn_step").click().run()
    assert not at.exception


def _score(at):
    return [m.value for m in at.markdown if m.value.startswith("**Score")][0]


def test_quiz_flow_right_then_wrong_then_the_score():
    at = _app()
    for _ in range(3):  # to the cost: the next step goes back through layer 2
        _step(at)
    trace = at.session_state["lesson"].trace
    q2 = quiz.question(trace, 2, 1)
    assert q2.kind == quiz.LARGEST
    at.selectbox(key="quiz_answer_1_2").set_value(q2.answer).run()
    _step(at)
    assert any(s.value.startswith("Right") for s in at.success) and _score(at) == "**Score: 1 of 1**"
    q1 = quiz.question(trace, 1, 1)
    assert q1.kind == quiz.SIGN
    wrong = next(s for s in quiz.SIGNS if s != q1.answer)
    at.radio(key="quiz_answer_1_1").set_value(wrong).run()
    at.toggle(key="quiz_hint_1_1").set_value(True).run()
    assert any(quiz.hint(trace, q1) in x.value for x in at.latex)
    _step(at)
    assert any(e.value.startswith("Not quite") for e in at.error) and _score(at) == "**Score: 1 of 2**"
    assert any(quiz.explanation(trace, q1) in x.value for x in at.latex)


def test_no_prediction_is_not_scored_and_back_does_not_score_twice():
    at = _app()
    for _ in range(4):  # the step back through layer 2 without an answer
        _step(at)
    assert any(i.value.startswith("No prediction made") for i in at.info) and _score(at) == "**Score: 0 of 0**"
    trace = at.session_state["lesson"].trace
    q1 = quiz.question(trace, 1, 1)
    at.radio(key="quiz_answer_1_1").set_value(q1.answer).run()
    _step(at)
    assert _score(at) == "**Score: 1 of 1**"
    at.button(key="btn_back").click().run()
    _step(at)  # the same step again: already scored
    assert _score(at) == "**Score: 1 of 1**"


def test_the_worked_sheet_downloads_wait_for_the_update_step_in_predict_mode():
    """The sheet holds every answer: in predict mode it is offered only once the iteration is revealed."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Worked sheet (Markdown)", "Arrays (JSON)", "Arrays (CSV)"]
    at.toggle(key="quiz_on").set_value(True).run()
    assert len(at.get("download_button")) == 0
    at.button(key="btn_end").click().run()
    assert len(at.get("download_button")) == 3
