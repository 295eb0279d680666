"""Security headers on every answer (docs/reliability.md).

A fixed set, so a few lines here rather than a library: Flask-Talisman would need an override for each page
that a hall may frame and would set cookie flags that hallq's settings already own.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: every page's scripts and styles come from this server's own files: no inline script, no eval
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
)
#: the pages a hall may let a signage system frame ([hall] screens_framed_by)
SCREENS = frozenset({"kiosk.page", "display_board.page"})


def init_headers(app: Flask) -> None:
    @app.after_request
    def secure(response: Response) -> Response:
        ctx = app.extensions.get("hallq")  # a city's own app has none: nothing of it may be framed
        framed = " ".join(ctx.config.hall.screens_framed_by) if ctx is not None else ""
        headers = response.headers
        may_frame = bool(framed) and request.endpoint in SCREENS
        ancestors = framed if may_frame else "'none'"
        headers["Content-Security-Policy"] = f"{POLICY}frame-ancestors {ancestors}"
        if not may_frame:
            headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        # device pages carry their token in the address until the page stores it: never send it on
        headers["Referrer-Policy"] = "no-referrer"
        # personal data (managers' pages, the API, exports, a citizen's /t/ page) is never kept by a browser
        # or a proxy; only the static files may be cached
        if "Cache-Control" not in headers and not (request.endpoint or "").endswith("static"):
            headers["Cache-Control"] = "no-store"
        return response
