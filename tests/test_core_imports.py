"""The core stands alone: `import backprop` in a fresh interpreter pulls in NumPy but no app library."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_LIBRARIES = ("streamlit", "plotly", "pandas")

# Runs in a fresh interpreter: import the core, use it, then report which top-level packages got loaded.
PROBE = """
import json, sys
import backprop as bp
net = bp.Network.random((2, 3, 1), seed=0)
bp.gradient_check(net, [0.5, -1.0], [1.0])
bp.timeline(net.L)
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"loaded": loaded, "file": bp.__file__}))
"""


def probe():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_backprop_loads_no_app_library():
    """After `import backprop` and a forward/backward pass, none of streamlit, plotly or pandas is in
    sys.modules. (The probe is seen to work: numpy, which the core does import, is reported loaded, and
    the package imported is this repository's.)"""
    report = probe()
    assert Path(report["file"]).resolve().parent == ROOT / "backprop"
    assert "numpy" in report["loaded"] and "backprop" in report["loaded"]
    leaked = [name for name in APP_LIBRARIES if name in report["loaded"]]
    assert not leaked, f"import backprop also imported {leaked}"
