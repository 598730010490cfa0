"""The browser benchmark still runs end to end (its timings are not checked: they depend on the machine)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.browser
def test_bench_browser_quick_runs_and_prints_its_table(chromium):
    """`python benchmarks/bench_browser.py --quick` exits 0 and prints the header and one row per network,
    each with its click count and four times."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_browser.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,  # the floor is clicked in turn with every row: 203-234 s on a busy 2-core machine (load 10-12)
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stdout.splitlines()
    assert any(line.startswith("network") and "rerun done" in line and "drawn" in line for line in lines), result.stdout
    for name in ("2-2-2 (preset, L=2)", "2-2-2 slider move, W¹₁₁", "8-16x6-8 (largest, L=7)"):
        rows = [line for line in lines if line.startswith(name)]
        assert len(rows) == 1, result.stdout
        cells = rows[0][len(name) :].split()
        assert len(cells) == 5 and cells[0] == "3" and all(c.isdigit() for c in cells), rows[0]
        ratio = [line for line in lines if line.startswith("÷ " + name)]
        assert len(ratio) == 1 and ratio[0].endswith("x"), result.stdout


@pytest.mark.browser
def test_bench_train_pause_quick_runs_and_prints_its_table(chromium):
    """`python benchmarks/bench_train_pause.py --quick` exits 0 and prints one row for the server it started,
    with one pause, its median and max."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_train_pause.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stdout.splitlines()
    assert any(line.startswith("server") and "median" in line for line in lines), result.stdout
    rows = [line.split() for line in lines if line.startswith("http://127.0.0.1:") and "ms" not in line]
    assert len(rows) == 1 and rows[0][1] == "1" and all(c.isdigit() for c in rows[0][1:]), result.stdout


@pytest.mark.browser
def test_bench_stage_quick_runs_and_prints_its_table(chromium):
    """`python benchmarks/bench_stage.py --quick` exits 0 and prints one row per network: 3 steps, the drawn
    median and p90, the floor, the ratio and the views' sizes; and the steps it drew were lesson steps."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_stage.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stdout.splitlines()
    for name in ("2-2-2 (preset, L=2)", "8-16x6-8 (largest, L=7)"):
        rows = [line for line in lines if line.startswith(name)]
        assert len(rows) == 1, result.stdout
        cells = rows[0][len(name) :].split()
        assert len(cells) == 7 and cells[0] == "3" and cells[4].endswith("x"), rows[0]
        assert all(c.isdigit() for c in cells[:4] + cells[5:]), rows[0]
    last = [line for line in lines if line.startswith("last steps drawn: ")]
    assert len(last) == 1 and last[0].count("Step ") == 2 and "of 16" in last[0], result.stdout
