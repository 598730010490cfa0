"""DESIGN.md's layering: pages → backprop.ui → backprop.figures → core, never backwards.

The NumPy-only part of the package has three folders: the core math at the top of `backprop/`, the lesson
(`backprop/lesson/`: timeline, equations, quiz, presets, worked sheet) and training (`backprop/training/`:
datasets, descent, model files). Lesson and training each build on the core and never on each other; the core
imports neither, except `backprop/__init__.py`, the façade that gathers the public names (`import backprop as
bp`).

backprop/classroom/ (class mode's shared state) sits beside the core: it imports the standard library
and, in its Redis back end only, `redis`; never Streamlit, Plotly or the app's other layers, and the core
never imports it (nor `redis`), so `import backprop` stays NumPy-only.

Read from the source with `ast`, so an import hidden inside a function is caught too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backprop"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package
                parts = list(path.relative_to(ROOT).with_suffix("").parts[: -node.level])
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    if rel == ("__init__.py",):
        return "facade"
    return rel[0] if rel[0] in ("lesson", "training", "figures", "ui", "classroom") and len(rel) > 1 else "core"


APP = ("streamlit", "plotly", "pandas", "redis", "backprop.figures", "backprop.ui", "backprop.classroom")
FORBIDDEN = {
    "facade": APP,
    "core": (*APP, "backprop.lesson", "backprop.training"),
    "lesson": (*APP, "backprop.training"),
    "training": (*APP, "backprop.lesson"),
    "classroom": (
        "streamlit",
        "plotly",
        "pandas",
        "numpy",
        "backprop.figures",
        "backprop.ui",
        "backprop.lesson",
        "backprop.training",
    ),
    "figures": ("streamlit", "backprop.ui"),
    "ui": (),
}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path):
    bad = {n for n in _imports(path) for f in FORBIDDEN[_layer(path)] if n == f or n.startswith(f + ".")}
    assert not bad, f"{path.relative_to(ROOT)} ({_layer(path)}) must not import {sorted(bad)}"


def test_the_checker_sees_a_forbidden_import(tmp_path):
    """The test above can fail: a core-like file importing streamlit inside a function is caught."""
    f = tmp_path / "bad.py"
    f.write_text("def draw():\n    import streamlit as st\n    from plotly import graph_objects\n")
    assert {"streamlit", "plotly", "plotly.graph_objects"} <= _imports(f)


def test_only_the_redis_back_end_imports_redis():
    """Choosing the in-process store (the default) must not need the redis client installed."""
    users = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if any(n == "redis" or n.startswith("redis.") for n in _imports(p))
    }
    assert users == {"classroom/redis_store.py"}
