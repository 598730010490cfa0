"""static/follow_view.js's files: the KaTeX it loads is npm's package, byte for byte, at the version
tests/a11y/package.json pins, with every font its style sheet needs; the views the test app builds are what the
module expects. The drawing itself is tested in a browser (tests/test_browser_follow_view.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from app_follow_view import lesson_at, view
from browser_helpers import in_ci

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
MODULE = (STATIC / "follow_view.js").read_text(encoding="utf-8")
PACKAGE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "katex"
FILES = ("katex.min.js", "katex.min.css", "LICENSE")


def katex_folder() -> Path:
    """The folder follow_view.js loads KaTeX from (its KATEX constant), under static/."""
    (name,) = re.findall(r"^const KATEX = '([^']+)';", MODULE, flags=re.M)
    return STATIC / name


def test_the_vendored_katex_is_the_version_the_tests_install():
    pinned = json.loads((ROOT / "tests" / "a11y" / "package.json").read_text())["devDependencies"]["katex"]
    assert katex_folder().name == f"katex-{pinned}"
    assert [p.name for p in STATIC.glob("katex-*")] == [katex_folder().name]  # no old copy left behind


def test_every_font_the_style_sheet_names_first_is_there():
    """Browsers take the first format of each @font-face that they support: woff2, which all current ones do."""
    css = (katex_folder() / "katex.min.css").read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\{[^}]*\}", css)
    first = [re.search(r"src:url\(([^)]+)\)", f).group(1) for f in faces]  # type: ignore[union-attr]
    assert len(first) >= 20 and all(u.endswith(".woff2") for u in first)
    assert sorted(first) == sorted(f"fonts/{p.name}" for p in (katex_folder() / "fonts").iterdir())


@pytest.fixture(scope="module")
def package() -> Path:
    if not PACKAGE.exists():
        message = f"katex is not installed ({PACKAGE}): run `npm ci --prefix tests/a11y`"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return PACKAGE


def test_the_vendored_katex_is_the_packages_own(package):
    installed = json.loads((package / "package.json").read_text())["version"]
    assert katex_folder().name == f"katex-{installed}"
    for name in FILES:
        source = package / name if name == "LICENSE" else package / "dist" / name
        assert (katex_folder() / name).read_bytes() == source.read_bytes(), name
    for font in (katex_folder() / "fonts").iterdir():
        assert font.read_bytes() == (package / "dist" / "fonts" / font.name).read_bytes(), font.name


def test_a_view_carries_what_the_module_draws():
    """The test app's view of a 2-2-2 backward step: charts as live_chart.payload writes them, the right column's
    blocks of the kinds the module knows, its HTML escaped."""
    lesson = dataclasses.replace(lesson_at({}), index=4)
    v, blocks = view(lesson, (1, 0, 0), 3)
    assert set(v) == {"v", "progress", "title", "side", "diagram", "grid", "columns"}
    assert v["progress"].startswith("<strong>Step 4 of 6 — backward through layer 2</strong>")
    assert [b["k"] for b in v["side"]] == ["latex", "latex", "caption", "divider", "html", "info"]
    assert "output layer&#x27;s delta" in v["side"][2]["t"]  # escaped text
    assert "<strong>Step</strong>" in v["side"][5]["t"]
    for chart in [v["diagram"], *v["grid"]]:
        assert {"alt", "table", "height", "rev", "module", "plotly", "figure"} <= set(chart)
    assert len(v["grid"]) == 2 and len(blocks) == len(v["side"])
