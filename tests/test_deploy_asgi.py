"""deploy/asgi.py: the app as Streamlit's st.App, served by uvicorn directly (the way to get TCP_NODELAY on
the accepted connections, deploy/README.md) opens, steps and serves its pages like `streamlit run`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_nodelay import COMMANDS, accepted_nodelay, start  # noqa: E402
from st_client import Session, run_in_thread  # noqa: E402


def test_the_app_served_by_uvicorn_opens_on_the_worked_example_and_steps(tmp_path):
    with open(tmp_path / "uvicorn.log", "wb") as log:
        proc, url = start(COMMANDS["uvicorn deploy.asgi:app"], log)
    try:

        async def session() -> tuple[list[str], list[str], list[str], str]:
            s = await Session.open(url, "/", "preset=deep_narrow&step=7")
            try:
                opened = s.markdown()
                run = await s.click("btn_step")
                nodelay = accepted_nodelay(proc.pid)  # the server's side of this session's connection
                return opened, s.markdown(), s.first_run.errors + run.errors + s.exceptions(), nodelay
            finally:
                await s.close()

        opened, after, errors, nodelay = run_in_thread(asyncio.wait_for(session(), timeout=240))
        if not nodelay.startswith("unreadable"):  # reading it needs pidfd_getfd on our own child
            assert nodelay == "on 1 of 1", nodelay
        assert errors == []
        assert any(m.startswith("**Step 7 of 14 — cost of the output**") for m in opened), opened
        assert any(m.startswith("**Step 8 of 14 — backward through layer 6**") for m in after), after
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
