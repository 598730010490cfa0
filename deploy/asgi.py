"""Backprop Lab as an ASGI application (Streamlit's public `st.App`), for serving with uvicorn directly:

    uvicorn deploy.asgi:app --host 127.0.0.1 --port 8501

Served this way, every connection the server accepts has TCP_NODELAY set: uvicorn opens its listening socket
with asyncio's `loop.create_server(host=…, port=…)`, whose sockets carry the protocol IPPROTO_TCP, and asyncio
sets TCP_NODELAY on each connection accepted from such a socket. `streamlit run` binds its own socket with
protocol 0, so asyncio leaves Nagle's algorithm on (deploy/README.md: about 35 ms of a back-to-back click).
Streamlit's settings come from .streamlit/config.toml next to app.py, as with `streamlit run`.

It also serves class mode's feed (backprop/ui/class_feed.py): a following student's browser waits on a small
HTTP endpoint (a long poll) for the class to move, instead of running a Streamlit fragment on the server every
half second, which is what lets one machine serve a class of 300. `streamlit run deploy/asgi.py` serves the same.
"""

import sys
from pathlib import Path

import streamlit as st

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `streamlit run deploy/asgi.py` puts deploy/ first on the path, not the repo
    sys.path.insert(0, str(REPO))

from backprop.ui import class_feed  # noqa: E402

app = st.App(str(REPO / "app.py"), middleware=class_feed.middleware())
