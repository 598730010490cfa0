"""The class feed: a following student's browser asks a small HTTP endpoint for the class's version, and the
Streamlit script runs only when it changed.

Why: a `st.fragment(run_every=…)` poll is a script run on the server for every tick of every student, even
when nothing moved: about 3-8 ms of server CPU each (the fragment's body, one version read, is a small part of
it; the run's own machinery is the rest), so 300 students polling twice a second need more than the two cores
of the whole machine. The endpoint answers the same question without a script run: one store read (Redis:
one round trip) and a few bytes of JSON.

    GET <app>/api/class/version?c=CODE&me=STUDENT   →   200 {"v": 12}         the class's version
                                                        200 {"v": null}       no such class, or not a student of it
                                                        503 {"offline": true} the store cannot be reached

It answers only for a student id that joined the class (`ClassStore.watch`): with a code alone it says
nothing, so it is no faster way to guess join codes than the rate-limited join form.

Streamlit's own server takes extra routes only when the app is served as an `st.App` (deploy/asgi.py, with
`streamlit run deploy/asgi.py` or `uvicorn deploy.asgi:app`). `routes()` marks the feed as served in this
process; where it is not (`streamlit run app.py`), a following page falls back to the fragment poll.
"""

from __future__ import annotations

from typing import Any

from backprop.classroom import StoreUnavailable

PATH = "/api/class/version"
_served = False


def served() -> bool:
    """Whether this process serves the feed's endpoint (the app runs as deploy/asgi.py's st.App)."""
    return _served


def routes() -> list[Any]:
    """The feed's Starlette route, for `st.App(routes=…)`; from then on this process serves the feed."""
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    global _served
    _served = True

    # A plain `def`: Starlette runs it in its thread pool, so a slow store never blocks the event loop.
    def version(request) -> JSONResponse:
        headers = {"Cache-Control": "no-store"}
        code, student = request.query_params.get("c", "")[:16], request.query_params.get("me", "")[:64]
        if not code or not student:
            return JSONResponse({"v": None}, headers=headers)
        from backprop.ui import class_view  # the store the sessions of this process use

        try:
            v = class_view.store().watch(code, student)
        except StoreUnavailable:
            return JSONResponse({"offline": True}, status_code=503, headers=headers)
        return JSONResponse({"v": v}, headers=headers)

    return [Route(PATH, version, methods=["GET"])]
