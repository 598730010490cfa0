"""The core installs on its own: `pip install .` gives `import backprop` with NumPy and nothing of the app.

The install test builds the package from a copy of the checkout in a new virtual environment (PyPI must be
reachable, as it is for the README's install command), so it takes about 20 s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import backprop as bp

ROOT = Path(__file__).resolve().parents[1]


def _requirements(path: Path) -> dict[str, str]:
    """Name → full requirement line, from a requirements file (comments and -r lines left out)."""
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return {_name(ln): ln for ln in lines if ln and not ln.startswith("-")}


def _name(requirement: str) -> str:
    for i, ch in enumerate(requirement):
        if ch in "<>=!~[; ":
            return requirement[:i].lower()
    return requirement.lower()


def test_the_app_extra_is_requirements_txt():
    """Community Cloud installs requirements.txt, `pip install .[app]` the extra: the two must not drift."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    app = {_name(r): r for r in project["optional-dependencies"]["app"]}
    core = {_name(r): r for r in project["dependencies"]}
    assert {**core, **app} == _requirements(ROOT / "requirements.txt")
    assert list(core) == ["numpy"], "the core needs NumPy only"


def test_the_version_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "backprop.__version__"}
    assert bp.__version__.count(".") == 2


def test_pip_install_gives_the_core_without_the_app(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "backprop", src / "backprop", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(src)], check=True, capture_output=True
    )

    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format=json"], check=True, capture_output=True, text=True
    ).stdout
    installed = {p["name"].lower() for p in json.loads(listed)}
    assert {"backprop-lab", "numpy"} <= installed
    assert not installed & {"streamlit", "plotly", "pandas"}, f"the core pulled in {installed}"

    script = (
        "import json, backprop as bp\n"
        "net = bp.Network.random(sizes=(2, 3, 1), seed=0)\n"
        "t = bp.backward(net, x=[0.5, -1.0], y=[1.0], cost='cross_entropy')\n"
        "print(json.dumps({'cost': t.cost, 'dW1': t.dC_dW(1).tolist(), 'version': bp.__version__}))\n"
    )
    out = json.loads(
        subprocess.run([python, "-c", script], check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    )
    here = bp.backward(bp.Network.random(sizes=(2, 3, 1), seed=0), x=[0.5, -1.0], y=[1.0], cost="cross_entropy")
    assert out["version"] == bp.__version__
    assert out["cost"] == here.cost and out["dW1"] == here.dC_dW(1).tolist()
