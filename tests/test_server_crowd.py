"""A class arriving at once on a freshly started server: every first visit works.

Each round starts a new `streamlit run app.py` (nothing imported or built yet by any session) and opens
10 sessions of benchmarks/st_client.py, Streamlit's own websocket protocol, on the five pages at the same
moment, as a lecture hall does when the link goes up. Plotly imports pandas lazily on its first figure; two
script threads racing on that import once failed 21 of 30 such first runs. Three fresh servers, zero
exceptions.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run_replicas import Replicas  # noqa: E402
from st_client import Session, run_in_thread  # noqa: E402

PAGES = ["/", "two_nodes", "matrix_form", "gradient_check", "train"]
SESSIONS = 10


async def crowd(url: str) -> list[str]:
    """Open SESSIONS sessions over PAGES at once; every failure as text."""

    async def one(i: int) -> list[str]:
        path = PAGES[i % len(PAGES)]
        try:
            session = await Session.open(url, path, timeout=120)
        except Exception as err:  # noqa: BLE001 — any failure to open is what this test counts
            return [f"{path}: could not open ({err!r})"]
        try:
            return [f"{path}: {e}" for e in session.first_run.errors + session.exceptions()]
        finally:
            await session.close()

    results = await asyncio.gather(*(one(i) for i in range(SESSIONS)))
    return [e for r in results for e in r]


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_ten_first_visits_to_a_fresh_server_all_succeed(round_):
    with Replicas(1, proxy=False) as server:
        errors = run_in_thread(crowd(server.url))
        log = server.log_tail(40)
    assert errors == [], "\n".join(errors) + "\n" + log
    assert "Traceback" not in log, log
