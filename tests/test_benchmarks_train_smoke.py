"""The training benchmark still runs (timings are not checked: they depend on the machine)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_train_quick_runs_and_prints_its_tables():
    """`python benchmarks/bench_train.py --quick` exits 0 and prints both tables: one row per network with a
    time and epochs per second, one row per figure and a total."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_train.py", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("network") and "epochs/s" in line for line in lines), result.stdout
    for name in ("2-8-8-1 tanh", "2-8-8-1 relu", "2-8-8-1 sigmoid"):
        rows = [line for line in lines if line.startswith(name)]
        assert len(rows) == 1 and "ms" in rows[0], result.stdout
    assert any(line.startswith("figure") and "to_json" in line for line in lines), result.stdout
    for name in ("loss", "accuracy", "gradient norms", "mean |delta|", "decision boundary", "all figures"):
        rows = [line for line in lines if line.startswith(name)]
        assert len(rows) == 1 and "kB" in rows[0], result.stdout
