"""The worked sheet: its Markdown carries the trace's numbers (and Mazur's hand-worked ones), its JSON and CSV
give back the trace's arrays bit for bit, load_json refuses what is not a sheet, and the download buttons
hand Streamlit exactly the builders' files, built only on click."""

import csv
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers_core import product_shown
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import backprop as bp
from backprop.lesson import equations as eq
from backprop.lesson import worksheet as ws
from backprop.lesson.presets import PRESETS
from backprop.lesson.progress import Lesson

ROOT = Path(__file__).resolve().parents[1]


def _preset_lesson(name="worked_2_2_2") -> Lesson:
    p = PRESETS[name]
    return Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate)


def _lesson(sizes, activation="sigmoid", output_activation=None, cost="quadratic", seed=3, eta=0.3) -> Lesson:
    net = bp.Network.random(sizes, activation, output_activation, seed=seed, init="normal")
    return Lesson.start(net, np.linspace(-0.9, 0.7, sizes[0]), np.linspace(0.2, 0.8, sizes[-1]), cost, eta)


# ------------------------------------------------------------------------------------------------------
# Reading numbers back out of the Markdown, independently of how the sheet was written.


def _chains(markdown: str) -> dict[str, str]:
    """The last value of every chain of equalities in the sheet's display math, by its left-hand side:
    {"z^{1}_{1}": "0.3775", …}. Fails on a left-hand side written twice."""
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", markdown, flags=re.S | re.M)
    found: dict[str, str] = {}
    for block in blocks:
        body = block.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
        lhs = None
        for row in body.split(r" \\ "):
            if row.startswith("&="):
                value = row[2:]
            elif "&=" in row:
                lhs, value = (part.strip() for part in row.split("&=", 1))
                assert lhs not in found, f"{lhs} is written twice"
            else:
                continue  # a sum's continuation line, or a single-line display
            value = re.sub(r"\\qquad \\text\{.*\}$", "", value).strip()
            found[lhs] = value.rsplit(" = ", 1)[-1]  # "a^{2}_{1} - y_{1} = 0.7414" at a cross-entropy output
    return found


def _number(text: str) -> float:
    """A number as eq.num writes it: 0.08217, or -1.235 \\times 10^{-7}."""
    m = re.fullmatch(r"(-?[\d.]+)(?: \\times 10\^\{(-?\d+)\})?", text.strip())
    assert m, f"not a number: {text!r}"
    return float(m.group(1)) * (10.0 ** int(m.group(2)) if m.group(2) else 1.0)


def _agrees_at_precision(shown: str, published: str) -> bool:
    """A 4-significant-digit number from the sheet and a published one agree within both roundings."""
    v = _number(shown)
    sheet_half_unit = 0.5 * 10.0 ** (math.floor(math.log10(abs(v))) - (eq.DIGITS - 1))
    published_half_unit = 0.5 * 10.0 ** -len(published.split(".")[1])
    return abs(v - float(published)) <= (sheet_half_unit + published_half_unit) * (1 + 1e-9)


DW = r"\frac{\partial C}{\partial W^{%d}_{%s}}"
DA = r"\frac{\partial C}{\partial a^{%d}_{%d}}"
DB = r"\frac{\partial C}{\partial b^{%d}_{%d}}"

# Matt Mazur, "A Step by Step Backpropagation Example" (2015), the preset's source: his printed numbers.
# (His w1..w8 are our W¹₁₁, W¹₁₂, W¹₂₁, W¹₂₂, W²₁₁, W²₁₂, W²₂₁, W²₂₂; see test_core_worked_example.)
MAZUR = {
    "z^{1}_{1}": "0.3775",
    "z^{1}_{2}": "0.3925",
    "a^{1}_{1}": "0.593269992",
    "a^{1}_{2}": "0.596884378",
    "z^{2}_{1}": "1.105905967",
    "a^{2}_{1}": "0.75136507",
    "a^{2}_{2}": "0.772928465",
    "C": "0.298371109",
    DW % (2, "11"): "0.082167041",
    DA % (1, 1): "0.036350306",
    DW % (1, "11"): "0.000438568",
    r"\text{new } W^{2}_{11}": "0.35891648",
    r"\text{new } W^{2}_{12}": "0.408666186",
    r"\text{new } W^{2}_{21}": "0.511301270",
    r"\text{new } W^{2}_{22}": "0.561370121",
    r"\text{new } W^{1}_{11}": "0.149780716",
    r"\text{new } W^{1}_{12}": "0.19956143",
    r"\text{new } W^{1}_{21}": "0.24975114",
    r"\text{new } W^{1}_{22}": "0.29950229",
}


def test_the_2_2_2_sheet_carries_mazurs_published_numbers_at_their_precision():
    chains = _chains(ws.worked_sheet_markdown(_preset_lesson()))
    wrong = {
        lhs: (published, chains.get(lhs))
        for lhs, published in MAZUR.items()
        if lhs not in chains or not _agrees_at_precision(chains[lhs], published)
    }
    assert not wrong, f"published / sheet: {wrong}"


def _expected(lesson: Lesson) -> dict[str, float]:
    """Every quantity the sheet writes as an equation, by its left-hand side, from the trace itself."""
    trace = lesson.trace
    new = lesson.updated_network(trace)
    sizes = trace.network.sizes
    want = {"C": trace.cost}
    for l in range(1, trace.L + 1):
        for k in range(sizes[l]):
            want[f"z^{{{l}}}_{{{k + 1}}}"] = trace.z(l)[k]
            want[f"a^{{{l}}}_{{{k + 1}}}"] = trace.a(l)[k]
            want[f"\\delta^{{{l}}}_{{{k + 1}}}"] = trace.delta(l)[k]
            want[DB % (l, k + 1)] = trace.dC_db(l)[k]
            want[f"\\text{{new }} b^{{{l}}}_{{{k + 1}}}"] = new.b(l)[k]
            if l < trace.L:
                want[DA % (l, k + 1)] = trace.dC_da(l)[k]
            elif trace.cost_name == "cross_entropy":  # BP1 at a cross-entropy output: "where ∂C/∂aᴸₖ = …"
                want[r"\text{where } " + DA % (l, k + 1)] = trace.dC_da(l)[k]
            if sizes[l] * sizes[l - 1] <= ws.WRITE_OUT_WEIGHTS:
                for j in range(sizes[l - 1]):
                    want[DW % (l, eq.kj(k + 1, j + 1))] = trace.dC_dW(l)[k, j]
                    want[f"\\text{{new }} W^{{{l}}}_{{{eq.kj(k + 1, j + 1)}}}"] = new.W(l)[k, j]
    return want


@pytest.mark.parametrize(
    "lesson",
    [
        _preset_lesson(),
        _preset_lesson("xor_2_2_1"),
        _lesson((3, 4, 2), "tanh", "sigmoid", "cross_entropy"),
        _lesson((2, 3, 3, 2), "leaky_relu", "linear"),
    ],
    ids=["2-2-2", "xor", "3-4-2 tanh/CE", "2-3-3-2 leaky/linear"],
)
def test_every_z_a_delta_gradient_and_update_is_on_the_sheet_with_the_traces_number(lesson):
    """Each zˡₖ, aˡₖ, δˡₖ, ∂C/∂aˡₖ (l < L), ∂C/∂Wˡₖⱼ, ∂C/∂bˡₖ and updated parameter has its equation, and
    its last value is eq.num of the trace's number (eq.cost_num for C); nothing else of that kind is written."""
    chains = _chains(ws.worked_sheet_markdown(lesson))
    want = _expected(lesson)
    missing = sorted(set(want) - set(chains))
    assert not missing, f"not on the sheet: {missing}"
    printed = {lhs: eq.cost_num(v) if lhs == "C" else eq.num(v) for lhs, v in want.items()}  # C: all 4 digits
    wrong = {lhs: (printed[lhs], chains[lhs]) for lhs in want if chains[lhs] != printed[lhs]}
    assert not wrong, f"trace / sheet: {wrong}"
    extra = {lhs for lhs in chains if lhs not in want}
    assert not extra, f"on the sheet but not expected: {extra}"


def test_bp2_writes_every_term_of_the_sum_over_m_below_its_delta():
    """A hidden node fed back by 7 nodes: all 7 products W^{l+1}_{mk} δ^{l+1}_m are on the sheet, none
    shortened with ⋯ (as the on-screen equation would)."""
    lesson = _lesson((2, 3, 7, 1))
    md = ws.worked_sheet_markdown(lesson)
    trace = lesson.trace
    assert r"\cdots" not in md
    for k in range(3):
        d = bp.delta_chain(trace, 1, k)
        block = next(b for b in md.split("$$") if (DA % (1, k + 1)) + " &=" in b)
        for w, dn in zip(d.W_col, d.delta_next, strict=True):
            assert product_shown([w, dn], block)


def test_a_big_layer_is_summarised_as_a_table_and_the_sheet_says_so():
    lesson = _lesson((3, 9, 9, 2))  # layer 2: 81 weights, more than 8 × 8
    md = ws.worked_sheet_markdown(lesson)
    trace, new = lesson.trace, lesson.updated_network()
    assert "**Summarised**: layer 2 has more than 64 weights" in md
    chains = _chains(md)
    assert not any(lhs.startswith(r"\frac{\partial C}{\partial W^{2}") for lhs in chains)
    assert DW % (1, "11") in chains and DW % (3, "29") in chains  # the small layers are written out
    for M in (trace.dC_dW(2), new.W(2)):
        for k in range(9):
            row = f"| k = {k + 1} | " + " | ".join(ws._cell(v) for v in M[k])
            assert row in md
    small = ws.worked_sheet_markdown(_preset_lesson())
    assert "**Nothing is summarised**" in small and "**Summarised**" not in small


def test_the_header_states_network_sample_and_1_based_indices():
    md = ws.worked_sheet_markdown(_preset_lesson(), origin="preset X")
    for text in (
        "(2, 2, 2)",
        "$L = 2$",
        "sigmoid",
        "quadratic",
        r"$\eta = 0.5$",
        "preset X",
        "$x = (0.05, 0.1)$",
        "$y = (0.01, 0.99)$",
        "1-based",
        "iteration 1",
        r"C_{\text{before}} = 0.2984",
        r"C_{\text{after}} = 0.2805",
    ):
        assert text in md, text


def test_display_math_avoids_what_github_and_katex_lack():
    """\\left … \\right cannot span the lines of an aligned block, and a blank line inside $$ ends it."""
    md = ws.worked_sheet_markdown(_lesson((3, 5, 8), "tanh", "sigmoid", "cross_entropy"))
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", md, flags=re.S | re.M)
    assert blocks and md.count("$$") == 2 * len(blocks)
    for b in blocks:
        assert "\n\n" not in b and r"\left" not in b and r"\right" not in b
        assert b.count("{") == b.count("}")


# ------------------------------------------------------------------------------------------------------
# JSON and CSV

ARCHITECTURES = [
    dict(sizes=(1, 1), activation="linear"),
    dict(sizes=(2, 3, 2)),
    dict(sizes=(3, 5, 4, 2), activation="tanh", output_activation="sigmoid", cost="cross_entropy"),
    dict(sizes=(4, 6, 3), activation="relu", output_activation="linear"),
    dict(sizes=(8, 16, 16, 8), activation="leaky_relu", output_activation="tanh"),
]


def _reference(lesson: Lesson):
    """The arrays the files must hold, by layer, straight from the trace and the updated network."""
    trace = lesson.trace
    new = lesson.updated_network(trace)
    net = trace.network
    layers = {
        l: dict(
            W=net.W(l),
            b=net.b(l),
            z=trace.z(l),
            a=trace.a(l),
            sigma_prime=trace.sigma_prime(l),
            dC_da=trace.dC_da(l),
            delta=trace.delta(l),
            dC_dW=trace.dC_dW(l),
            dC_db=trace.dC_db(l),
            W_new=new.W(l),
            b_new=new.b(l),
        )
        for l in range(1, trace.L + 1)
    }
    return trace, layers, bp.cost_of(new, lesson.x, lesson.y, lesson.cost)


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a, b) and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: "-".join(map(str, a["sizes"])))
def test_json_loads_back_to_the_traces_arrays_bit_for_bit(arch):
    lesson = _lesson(**arch).run_to_end().forward()  # iteration 2: a network no seed describes
    trace, layers, after = _reference(lesson)
    sheet = ws.load_json(ws.worked_sheet_json(lesson, origin="somewhere"))
    assert sheet["sizes"] == trace.network.sizes and sheet["iteration"] == 2 and sheet["origin"] == "somewhere"
    assert (sheet["activation"], sheet["output_activation"], sheet["cost"]) == (
        trace.network.activation,
        trace.network.output_activation,
        trace.cost_name,
    )
    assert sheet["learning_rate"] == lesson.learning_rate
    assert sheet["cost_before"] == trace.cost and sheet["cost_after"] == after
    for key, ref in (("x", lesson.x), ("a0", trace.a(0)), ("y", trace.y)):
        assert _same_bits(sheet[key], ref), key
    assert sorted(sheet["layers"]) == list(range(1, trace.L + 1))
    bad = [(l, key) for l in layers for key in ws.LAYER_KEYS if not _same_bits(sheet["layers"][l][key], layers[l][key])]
    assert not bad, f"differ from the trace: {bad}"


def test_json_is_plain_json_with_the_documented_keys():
    data = json.loads(ws.worked_sheet_json(_preset_lesson()))
    assert set(data) == set(ws.REQUIRED) | set(ws.OPTIONAL)
    assert data["version"] == 1 and data["layers"][1]["l"] == 2
    assert set(data["layers"][0]) == {"l", *ws.LAYER_KEYS}
    assert data["layers"][1]["W_new"][0][0] == 0.35891647971788465  # Mazur's w5⁺ = 0.35891648


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: "-".join(map(str, a["sizes"])))
def test_csv_parses_back_to_the_same_floats_with_1_based_indices(arch):
    lesson = _lesson(**arch)
    trace, layers, after = _reference(lesson)
    rows = list(csv.DictReader(io.StringIO(ws.worked_sheet_csv(lesson))))
    assert list(rows[0]) == ["layer", "quantity", "k", "j", "value"]
    got: dict = {}
    for r in rows:
        key = (r["layer"], r["quantity"], r["k"], r["j"])
        assert key not in got, key
        got[key] = float(r["value"])
    want = {
        ("", "learning_rate", "", ""): lesson.learning_rate,
        ("", "cost_before", "", ""): trace.cost,
        ("", "cost_after", "", ""): after,
    }
    for name, layer, values in (("x", "", lesson.x), ("y", "", trace.y), ("a", "0", trace.a(0))):
        want.update({(layer, name, str(k + 1), ""): v for k, v in enumerate(values)})
    for l, arrays in layers.items():
        for name, arr in arrays.items():
            for idx, v in np.ndenumerate(arr):
                k, j = (str(idx[0] + 1), str(idx[1] + 1) if arr.ndim == 2 else "")
                want[(str(l), name, k, j)] = v
    assert set(got) == set(want)
    differ = {key: (want[key], got[key]) for key in want if got[key] != want[key]}
    assert not differ, f"trace / csv: {differ}"


# ------------------------------------------------------------------------------------------------------
# load_json refuses what is not a worked sheet


def _tampered(change) -> str:
    data = json.loads(ws.worked_sheet_json(_lesson((2, 3, 2))))
    change(data)
    return json.dumps(data)


REFUSALS = [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    (_tampered(lambda d: d.pop("cost_after")), "lacks the key 'cost_after'"),
    (_tampered(lambda d: d.update(extra=1)), "unknown key 'extra'"),
    (_tampered(lambda d: d["layers"][0].pop("delta")), r"layers\[0\] lacks the key 'delta'"),
    (_tampered(lambda d: d.update(version=2)), "not a version 1 worked sheet"),
    (_tampered(lambda d: d.update(activation="softmax")), "unknown activation 'softmax'"),
    (_tampered(lambda d: d.update(sizes=[2, 3, 2, 1])), "layers must be a list of 3"),
    (_tampered(lambda d: d["layers"][0]["W"].pop()), r"layers\[0\].W \(layer 1\) must have shape \(3, 2\)"),
    (_tampered(lambda d: d["layers"][1]["b_new"].append(0.0)), r"b_new \(layer 2\) must have shape \(2,\)"),
    (_tampered(lambda d: d.update(x=[0.1])), r"x must have shape \(2,\)"),
    (_tampered(lambda d: d["layers"][1].update(l=5)), "must be layer l = 2"),
    (_tampered(lambda d: d["layers"][0]["z"].__setitem__(0, float("nan"))), "NaN"),
    (_tampered(lambda d: d.update(cost_before=float("inf"))), "Infinity"),
    (_tampered(lambda d: d["layers"][0]["z"].__setitem__(0, True)), "numbers only"),
    (_tampered(lambda d: d["layers"][0]["z"].__setitem__(0, "0.5")), "numbers only"),
]


@pytest.mark.parametrize("text, message", REFUSALS, ids=[m for _, m in REFUSALS])
def test_load_json_refuses_malformed_input_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        ws.load_json(text)


def test_load_json_refuses_a_number_too_large_for_float64():
    text = ws.worked_sheet_json(_lesson((2, 3, 2))).replace('"cost_before": ', '"cost_before": 1e999', 1)
    text = re.sub(r'"cost_before": 1e999[\d.e+-]*', '"cost_before": 1e999', text)
    with pytest.raises(ValueError, match="cost_before must be finite"):
        ws.load_json(text)


def test_worksheet_is_core_it_imports_no_app_library():
    probe = (
        "import sys, backprop.lesson.worksheet as w, backprop as bp; print(sorted({m.split('.')[0] for m in "
        "sys.modules} & {'streamlit', 'plotly', 'pandas'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------------------
# The download buttons, alone, with a preset lesson in session state


def _buttons_app():
    import streamlit as st

    from backprop.ui.worksheet_view import download_buttons

    download_buttons(st.session_state["lesson"])


@pytest.fixture
def deferred(monkeypatch):
    """What each download button registered with Streamlit to build on click: (file name, MIME, callable).
    AppTest's elements carry no file name or data, so the registration is read where Streamlit records it."""
    seen = []
    real = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        seen.append((file_name, mimetype, data_callable))
        return real(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


def test_download_buttons_offer_the_builders_files_built_on_click_without_a_rerun(deferred):
    from backprop.ui.settings import Settings

    p = PRESETS["worked_2_2_2"]
    lesson = _preset_lesson().run_to_end().forward()  # iteration 2
    at = AppTest.from_function(_buttons_app, default_timeout=30)
    at.session_state["lesson"] = lesson
    at.session_state["lesson_settings"] = Settings(
        p.sizes, p.activation, p.output_activation, p.cost, p.learning_rate, p.seed, p.init, "worked_2_2_2"
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = at.get("download_button")
    assert [b.label for b in buttons] == ["Worked sheet (Markdown)", "Arrays (JSON)", "Arrays (CSV)"]
    assert all(b.proto.ignore_rerun for b in buttons)  # on_click="ignore"
    assert all(b.proto.deferred_file_id for b in buttons)  # data is a callable: nothing built yet
    names = [name for name, _, _ in deferred]
    assert names == ["backprop-2-2-2-iteration2.md", "backprop-2-2-2-iteration2.json", "backprop-2-2-2-iteration2.csv"]
    assert [mime for _, mime, _ in deferred] == ["text/markdown", "application/json", "text/csv"]
    origin = "the fixed weights of the preset “Worked example 2-2-2”"
    md, js, cs = (build() for _, _, build in deferred)
    assert md == ws.worked_sheet_markdown(lesson, origin=origin) and origin in md
    assert js == ws.worked_sheet_json(lesson, origin=origin)
    assert cs == ws.worked_sheet_csv(lesson)


def test_download_buttons_without_known_settings_say_so(deferred):
    lesson = _lesson((3, 4, 2))
    at = AppTest.from_function(_buttons_app, default_timeout=30)
    at.session_state["lesson"] = lesson
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [name for name, _, _ in deferred][0] == "backprop-3-4-2-iteration1.md"
    md = deferred[0][2]()
    assert md == ws.worked_sheet_markdown(lesson) and "origin not recorded" in md


def test_the_presets_sheet_keeps_the_biases_fixed_as_mazur_does_and_says_so():
    """The 2-2-2 preset as the app starts it (update_biases=False): the sheet's update section says the
    biases are kept fixed, writes no bias update, and its cost after is Mazur's 0.291 (0.2910); the JSON's
    b_new equals b."""
    p = PRESETS["worked_2_2_2"]
    lesson = Lesson.start(p.network(), p.x, p.y, p.cost, p.learning_rate, p.update_biases)
    md = ws.worked_sheet_markdown(lesson)
    update = md[md.index("## 4. Update") : md.index("## 5.")]
    assert "**the biases are kept fixed**" in update and r"\text{new } b" not in update
    assert r"C_{\text{after}} = 0.291" in md and "0.2805" not in md
    sheet = ws.load_json(ws.worked_sheet_json(lesson))
    for l in (1, 2):
        assert sheet["layers"][l]["b_new"].tolist() == sheet["layers"][l]["b"].tolist()
    assert at_4_digits(sheet["cost_after"]) == "0.291"


def at_4_digits(v: float) -> str:
    return eq.num(v)


def test_an_output_dC_da_beyond_the_floats_is_null_in_json_and_comes_back_infinite():
    """zᴸ = 802 under cross-entropy with y = 0: ∂C/∂aᴸ ≈ e⁸⁰² is beyond float64. The JSON holds null there
    (JSON has no infinity), load_json gives +inf (the sign of δᴸ = aᴸ − y), the CSV writes inf, and the
    sheet's BP1 says why it shows δ = a − y."""
    net = bp.Network.from_arrays(
        [[[1.0], [2.0]], [[800.0, 1.0]]], [[0.0, 0.0], [0.0]], activation="relu", output_activation="sigmoid"
    )
    lesson = Lesson.start(net, [1.0], [0.0], "cross_entropy", 0.1)
    assert lesson.trace.dC_da(2)[0] == np.inf
    text = ws.worked_sheet_json(lesson)
    assert json.loads(text)["layers"][1]["dC_da"] == [None]
    sheet = ws.load_json(text)
    assert sheet["layers"][2]["dC_da"].tolist() == [np.inf]
    assert sheet["layers"][1]["dC_da"].tolist() == lesson.trace.dC_da(1).tolist()
    rows = list(csv.reader(io.StringIO(ws.worked_sheet_csv(lesson))))
    assert ["2", "dC_da", "1", "", "inf"] in rows
    assert "beyond the largest float" in ws.worked_sheet_markdown(lesson)
