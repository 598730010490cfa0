"""Hostile links on every page: every key of every page's link, fuzzed with the values that once got through
(−0 broke the Train page: NumPy refuses a scale of −0.0) and the ones Python's int() and float() accept but a
link should not (0x10, 1_0, full-width digits, inf, nan). Decoded or refused with the notice; never passed
on as −0, never an exception on the page.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backprop.ui import url_codec
from backprop.ui.url_state import PAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE_FILES = {
    "step_through": "pages/step_through.py",
    "matrix_form": "pages/matrix_form.py",
    "gradient_check": "pages/gradient_check.py",
    "two_nodes": "pages/two_nodes.py",
    "train": "pages/train.py",
}
ZEROS = ["-0", "-0.0", "+0", "0", " 0", "0 ", "  -0.0  ", "-0e5", "-.0", "+0.", "-0,-0"]
NEVER = [
    "0x10",
    "0X1F",
    "0b1",
    "0o7",
    "1_0",
    "１",
    "٣",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "infinity",
    "1e309",
    "-1e309",
    "0x1p3",
    "1e",
    "e5",
    ".",
    "+",
    "-",
    "--1",
    "+-1",
    "1..2",
    "\u00a01e-320",
    "1 0",
    "1\t0",
]
ODD = [
    "1e-320",
    "-1e-320",
    "4.9e-324",
    "  3",
    "3  ",
    "+3",
    "1e0",
    "1.5e+0",
    "",
    " ",
    ",",
    "1,",
    "1,,2",
    "9" * 200,
    "9" * 201,
]
VALUES = ZEROS + NEVER + ODD
KEYS = sorted({(page, key) for page, fields in PAGES.items() for key in fields})


def _numbers(value) -> list:
    return [v for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, (int, float))]


@pytest.mark.parametrize("page,key", KEYS, ids=[f"{p}-{k}" for p, k in KEYS])
def test_every_key_decodes_a_value_or_refuses_it_with_one_notice(page, key):
    fields = PAGES[page]
    for text in VALUES:
        decoded, problems = url_codec.decode({key: text}, fields)
        if not decoded:
            assert len(problems) == 1 and problems[0].startswith(f"“{key}”"), (key, text, problems)
            continue
        assert problems == [], (key, text, problems)
        value = decoded[key]
        for v in _numbers(value):
            assert math.isfinite(v) and math.copysign(1.0, v) == 1.0 or v < 0, (key, text, value)
            assert not (v == 0 and math.copysign(1.0, v) < 0), f"{key}={text!r} passed on −0"
        # What was decoded is what it says, in the one grammar: no hex, underscores or other digits.
        assert text not in NEVER, (key, text, value)
        if text.strip() and text in ZEROS and _numbers(value):
            assert all(v == 0 for v in _numbers(value)), (key, text, value)
        if text.strip() in ("1e-320", "-1e-320", "4.9e-324"):
            assert _numbers(value) == [float(text)], (key, text, value)
        # A decoded value writes back to a link that decodes to the same value.
        again = url_codec.decode(url_codec.encode({key: value}, fields), fields)
        assert again == ({key: value}, []), (key, text, value, again)


def test_the_codec_refuses_out_of_range_and_keeps_zero_positive():
    parse = url_codec.number(0.0, 1.0)
    assert math.copysign(1.0, parse("-0")) == 1.0 and parse("+0") == 0.0 and parse(" 0.5 ") == 0.5
    for text in ("-1e-320", "1.0000001", "0x1", "1_0"):
        with pytest.raises(ValueError):
            parse(text)
    count = url_codec.integer(0, 10)
    assert count("-0") == 0 and count("+7") == 7 and count(" 3 ") == 3
    for text in ("0x10", "1e1", "3.0", "١", "11"):
        with pytest.raises(ValueError):
            count(text)


def _open(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    if page != "step_through":
        at.switch_page(PAGE_FILES[page])
    return at.run()


NOTICE = "Parts of this link were ignored"


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("text", ["-0", "-0.0", "+0", "1e-320", "0x10", "  2", "9" * 201])
def test_a_hostile_value_in_every_key_of_a_page_at_once_never_breaks_it(page, text):
    """All of a page's keys set to one value: the page runs without an exception, and it names in its notice
    exactly the keys the codec refused."""
    fields = PAGES[page]
    at = _open(page, {key: text for key in fields})
    assert not at.exception, (page, text, [e.value for e in at.exception])
    _, problems = url_codec.decode({key: text for key in fields}, fields)
    notices = [w.value for w in at.warning if w.value.startswith(NOTICE)]
    if problems:
        assert len(notices) == 1, (page, text, [w.value for w in at.warning])
        for key in fields:
            assert (f"“{key}”" in notices[0]) == any(p.startswith(f"“{key}”") for p in problems), (key, notices)


@pytest.mark.parametrize("noise", ["-0", "-0.0", " -0 "])
def test_a_train_link_with_minus_zero_noise_opens_with_zero_noise(noise):
    """The reported link: /train?noise=-0 broke the page on every rerun (NumPy: scale < 0)."""
    at = _open("train", {"noise": noise})
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["train_noise"] == 0.0 and math.copysign(1.0, at.session_state["train_noise"]) == 1.0
    at.run()  # and on the next rerun
    assert not at.exception, [e.value for e in at.exception]


def test_a_repeated_key_counts_once_with_its_last_value():
    at = _open("train", {"noise": ["0.5", "-0"], "n": ["50", "60"]})
    assert not at.exception, [e.value for e in at.exception]
    assert (at.session_state["train_noise"], at.session_state["train_n"]) == (0.0, 60)


@pytest.mark.parametrize("key, n", [("ew", 4), ("eb", 3)])
def test_every_slot_of_an_edit_entry_is_fuzzed(key, n):
    """Each slot of a hand-edit entry ("l,k,j,v" or "l,k,v"), and a second entry, set to every fuzz value:
    decoded to whole indices and a finite, never −0 value within ±100 that writes back to the same link, or
    refused with one notice."""
    good = ["1", "2", "1", "0.5"][-n:] if n == 3 else ["1", "2", "1", "0.5"]
    for slot in range(n):
        for text in VALUES:
            parts = list(good)
            parts[slot] = text
            for raw in (",".join(parts), ",".join(good[:-1]) + ",1;" + ",".join(parts)):
                decoded, problems = url_codec.decode({key: raw})
                if not decoded:
                    assert len(problems) == 1 and problems[0].startswith(f"“{key}”"), (raw, problems)
                    continue
                assert text not in NEVER, (raw, decoded)
                for entry in decoded[key]:
                    *indices, v = entry
                    assert all(isinstance(i, int) and i >= 1 for i in indices), (raw, entry)
                    assert math.isfinite(v) and abs(v) <= 100 and math.copysign(1.0, v) == 1.0 or v < 0, (raw, v)
                again = url_codec.decode(url_codec.encode(decoded))
                assert again == (decoded, []), (raw, decoded, again)


@pytest.mark.parametrize(
    "query",
    [
        {"ew": "9,9,9,1", "eb": "7,1,1", "ei": "1"},  # entries the 2-2-2 network does not have
        {"ew": "1,1,1,100;2,1,1,100;1,2,1,-100", "eb": "1,1,100;2,2,-100", "lr": "10", "it": "50"},
        {"ew": "1,1,1,5", "ei": "3", "it": "2"},  # edits of an iteration after the linked one
        {"ew": "1,1,1,-0", "eb": "2,2,+0", "step": "6"},
    ],
)
def test_hostile_edit_links_never_break_the_step_page(query):
    at = _open("step_through", query)
    assert not at.exception, [e.value for e in at.exception]
    lesson = at.session_state["lesson"]
    assert all(math.isfinite(lesson.network.W(l).sum()) for l in range(1, lesson.network.L + 1))
