"""Backprop Lab as an ASGI application (Streamlit's public `st.App`), for serving with uvicorn directly:

    uvicorn deploy.asgi:app --host 127.0.0.1 --port 8501

Served this way, every connection the server accepts has TCP_NODELAY set: uvicorn opens its listening socket
with asyncio's `loop.create_server(host=…, port=…)`, whose sockets carry the protocol IPPROTO_TCP, and asyncio
sets TCP_NODELAY on each connection accepted from such a socket. `streamlit run` binds its own socket with
protocol 0, so asyncio leaves Nagle's algorithm on (deploy/README.md: about 35 ms of a back-to-back click).
Streamlit's settings come from .streamlit/config.toml next to app.py, as with `streamlit run`.
"""

from pathlib import Path

import streamlit as st

app = st.App(str(Path(__file__).resolve().parents[1] / "app.py"))
