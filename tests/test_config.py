"""The hosting configuration keeps what a class must not see hidden, and the server really reads it."""

import tomllib
from pathlib import Path

from streamlit import config

ROOT = Path(__file__).resolve().parents[1]


def test_hosting_config_hides_tracebacks_and_keeps_xsrf_protection():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["maxUploadSize"] <= 5
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["runner"]["postScriptGC"] is False  # the largest gain in clicks a process serves
    assert cfg["global"]["minCachedMessageSize"] >= 1e15  # no cached-message references (Cached ForwardMsg MISS)


def test_streamlit_reads_the_file_from_the_app_folder(monkeypatch):
    """Streamlit loads ./.streamlit/config.toml from the folder it runs in: the values above are the ones
    in force when `streamlit run app.py` starts from the repository root."""
    monkeypatch.chdir(ROOT)
    config._config_options = None  # forget any earlier parse in this interpreter
    config.get_config_options(force_reparse=True)
    assert config.get_option("client.showErrorDetails") == "none"
    assert config.get_option("server.maxUploadSize") == 2
    assert config.get_option("runner.postScriptGC") is False
    assert config.get_option("global.minCachedMessageSize") >= 1e15
