"""The Flask application factory."""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_socketio import SocketIO
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from caller import bp as caller_bp
from display_board import bp as display_bp
from hallq.api import bp as api_bp
from hallq.app.green import quiet_eventlet
from hallq.config.hall import HallConfig
from hallq.config.settings import Settings
from hallq.engine import Clock
from hallq.operations.clocks import CompressedClock, SystemClock
from hallq.operations.context import HallContext
from hallq.operations.errors import HallqError
from hallq.operations.window_act import ensure_window_rows
from hallq.store.db import Store, sqlite_url
from hallq.store.models import MAX_ID
from hallq.web.auth import init_login, refuse_cross_site
from hallq.web.cpu import CpuWork
from hallq.web.headers import init_headers
from hallq.web.i18n import init_i18n
from hallq.web.live_config import policy_of, starting_hall
from hallq.web.print_worker import PrintService
from hallq.web.proxy import TrustedProxy
from hallq.web.ratelimits import RateLimits, storage_for
from hallq.web.runtime import emit_pushes, hall_context
from hallq.web.safe_json import BoundedJSONProvider, BoundedPacket
from hallq.web.sockets import register_socket_handlers
from hallq.web.speech import speech_for
from kiosk import bp as kiosk_bp
from kiosk.booking import bp as booking_bp
from manager import bp as manager_bp
from manager.whatif import bp as whatif_bp

log = logging.getLogger(__name__)


def compressed_clock(config: HallConfig, speed: float) -> CompressedClock:
    """Today's opening hours, then the next day's, each lasting 1/speed of its real length."""
    hours = config.hall.hours
    today = datetime.now(config.tz).date()
    opening, closing = (datetime.combine(today, moment, config.tz) for moment in (hours.open, hours.close))
    return CompressedClock(opening, speed, (closing - opening).total_seconds())


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    settings = settings or Settings()
    app = Flask("hallq", instance_path=str(settings.instance), root_path=str(Path(__file__).parents[1]))
    keep_private(settings)
    app.config.update(
        SECRET_KEY=settings.secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=64 * 1024,  # no request of the API needs more
        HALLQ_SETTINGS=settings,
    )
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    if settings.hall_id:
        # a hall of a city: its own session cookie, so a login to one hall is not sent to another
        app.config.update(
            SESSION_COOKIE_NAME=f"hallq_{settings.hall_id}",
            SESSION_COOKIE_PATH=f"{settings.mount}/",
            REMEMBER_COOKIE_NAME=f"hallq_{settings.hall_id}_remember",
            REMEMBER_COOKIE_PATH=f"{settings.mount}/",
        )
    store = Store(
        settings.database_url or sqlite_url(settings.instance),
        schema=settings.schema,
        pool_size=settings.pool_size,
    )
    store.migrate()
    config, version = starting_hall(settings, store)
    policy = policy_of(config)
    identity_secret = hmac.new(settings.secret_key().encode(), b"hallq identity", "sha256").digest()
    clock = clock or (
        compressed_clock(config, settings.clock_speed) if settings.clock_speed else SystemClock()
    )
    app.extensions["hallq"] = HallContext(config, store, clock, policy, identity_secret, version=version)
    ensure_window_rows(app.extensions["hallq"])

    init_login(app, store)
    init_i18n(app)
    # every page's clocks and times in the hall's time zone, whatever the screen PC's (base.html, hallq.js)
    app.context_processor(lambda: {"hall_timezone": hall_context().config.hall.timezone})
    app.before_request(refuse_cross_site)
    init_headers(app)
    app.extensions["hallq_limits"] = RateLimits(
        config.limits, storage_for(settings.message_queue), settings.hall_id or "hall"
    )
    if settings.async_mode == "eventlet":
        quiet_eventlet()
    socketio = SocketIO(
        app,
        async_mode=settings.async_mode,
        message_queue=settings.message_queue,
        channel=settings.socketio_channel,
        transports=list(settings.transports),
        logger=False,
        engineio_logger=False,
        serializer=BoundedPacket,  # a packet nested too deeply is a malformed packet, not a crashed handler
    )
    app.extensions["hallq_socket_actors"] = register_socket_handlers(socketio)
    app.wsgi_app = read_chunked_bodies(app.wsgi_app)  # type: ignore[method-assign]
    if settings.proxy_hops:  # outermost, so Socket.IO requests see the client's address and scheme too
        proxied = TrustedProxy(app.wsgi_app, settings.proxy_hops, settings.trusted_proxies)
        app.wsgi_app = proxied  # type: ignore[method-assign]
    printing = PrintService(
        app.extensions["hallq"],
        emit=partial(emit_pushes, socketio),
        spawn=socketio.start_background_task,
        offload=offload_for(settings.async_mode),
        sleep=socketio.sleep,
    )
    app.extensions["hallq_printing"] = printing
    printing.recover()

    # ids in URLs are database integers: a larger number is simply not found (404), never an overflow
    app.url_map.converters["int"] = DatabaseId
    app.extensions["hallq_offload"] = offload_for(settings.async_mode)
    app.extensions["hallq_cpu"] = CpuWork(offload_for(settings.async_mode))
    app.extensions["hallq_speech"] = speech_for(config, settings.instance, str(settings.hall_file))
    for blueprint in (api_bp, kiosk_bp, booking_bp, caller_bp, display_bp, manager_bp, whatif_bp):
        app.register_blueprint(blueprint)
    register_errors(app)

    @app.get("/")
    def index() -> str:
        links = app.extensions.get("hallq_demo_links")
        return render_template("index.html", hall=hall_context().config, demo_links=links)

    return app


def keep_private(settings: Settings) -> None:
    """The instance folder (the secret key, the SQLite database, printed tickets) is the server's alone:
    0700, and the database file 0600 from its creation (SQLite gives its -wal and -shm files the same)."""
    settings.instance.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.instance, 0o700)
    if settings.database_url is None:
        database = Path(sqlite_url(settings.instance).removeprefix("sqlite:///"))
        database.touch(mode=0o600, exist_ok=True)
        os.chmod(database, 0o600)


def read_chunked_bodies(wsgi_app: Any) -> Any:
    """eventlet's server decodes a chunked request body but does not say so (wsgi.input_terminated), so
    Werkzeug would read it as empty: say so, and Werkzeug reads it within the same size limit as any body."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ.setdefault("wsgi.input_terminated", True)
        return wsgi_app(environ, start_response)

    return app


class DatabaseId(IntegerConverter):
    """<int:…> in routes: at most a signed 64-bit integer, what SQLite and PostgreSQL store."""

    def __init__(self, url_map: Map, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, **kwargs)


def offload_for(async_mode: str) -> Callable[..., Any]:
    """Under eventlet, CPU-heavy work (drawing a ticket) runs in a real thread so pushes keep flowing."""
    if async_mode != "eventlet":
        return lambda function, *args: function(*args)
    from eventlet import tpool  # only the eventlet server gets here; its entry point imported eventlet

    return tpool.execute


def register_errors(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(HallqError)
    def hallq_error(exc: HallqError) -> Any:
        return jsonify(error=exc.code, message=exc.message, **exc.extra), exc.status

    def page(code: int) -> Any:
        """An error as a page in the page's language (Flask's own are English only)."""
        titles = {
            404: (_("Page not found"), _("This address is not a page of the hall. Check it, or start over.")),
            405: (_("Not allowed"), _("This page cannot be used this way.")),
            500: (_("Something went wrong"), _("The error was logged. Try again, or ask the hall's staff.")),
        }
        title, message = titles.get(code, (_("Request not accepted"), _("Check the address and try again.")))
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if not wants_json():
            return exc if (exc.code or 500) < 400 else page(exc.code or 500)
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify(error=code, message=exc.description or exc.name), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return jsonify(error="internal_error", message="服务器内部错误 / Internal error, logged"), 500
        return page(500)
