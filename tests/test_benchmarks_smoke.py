"""The benchmark script still runs (timings are not checked: they depend on the machine)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_core_quick_runs_and_prints_its_table():
    """`python benchmarks/bench_core.py --quick` exits 0 and prints the header and one row per network,
    each with a time in it."""
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_core.py", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("network") and "backprop step" in line for line in lines), result.stdout
    for name in ("2-8-8-1 sigmoid", "784-100-10 sigmoid"):
        rows = [line for line in lines if line.startswith(name)]
        assert len(rows) == 1, result.stdout
        assert "µs" in rows[0] or "ms" in rows[0], rows[0]
