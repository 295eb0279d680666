"""A city deployment in one server: each hall of the city file is a whole hallq app under /h/<id>, with its
own data (a PostgreSQL schema, or a SQLite file under INSTANCE/halls/<id>), tokens, logins, session cookie
and Socket.IO channel; the root serves the list of halls and the city managers' comparison (/city).

Isolation is by construction, not by filters: a hall's app can only reach its own schema, so a token or
login of one hall is simply unknown to another."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from hallq.app.factory import create_app, offload_for
from hallq.config.city import CityConfig, HallEntry, load_city
from hallq.config.sections import Limits
from hallq.config.settings import Settings
from hallq.engine import Clock
from hallq.operations.clocks import SystemClock
from hallq.operations.context import HallContext
from hallq.store.db import Store, sqlite_url
from hallq.web.auth import init_login
from hallq.web.cpu import CpuWork
from hallq.web.headers import init_headers
from hallq.web.i18n import init_i18n
from hallq.web.proxy import TrustedProxy
from hallq.web.ratelimits import RateLimits, storage_for
from hallq.web.safe_json import BoundedJSONProvider


@dataclass
class CityContext:
    config: CityConfig
    #: the city managers' accounts (schema "city", or INSTANCE/city on SQLite)
    users: Store
    halls: dict[str, HallContext]
    clock: Clock


def hall_settings(base: Settings, entry: HallEntry) -> Settings:
    return dataclasses.replace(
        base, instance=base.instance / "halls" / entry.id, hall_file=entry.file, hall_id=entry.id
    )


def city_store(base: Settings) -> Store:
    if base.database_url:
        return Store(base.database_url, schema="city", pool_size=2)
    (base.instance / "city").mkdir(parents=True, exist_ok=True)
    return Store(sqlite_url(base.instance / "city"))


def create_city(base: Settings, city_file: Path, *, clock: Clock | None = None) -> Flask:
    """The city's root app; its WSGI callable also dispatches /h/<id> to each hall's app
    (`app.extensions["hallq_halls"]`)."""
    config, _ = load_city(city_file)
    halls = {entry.id: create_app(hall_settings(base, entry), clock=clock) for entry in config.halls}
    users = city_store(base)
    users.migrate()

    from manager.city import bp as city_bp

    settings = dataclasses.replace(base, instance=base.instance / "city")
    app = Flask("hallq", instance_path=str(settings.instance), root_path=str(Path(__file__).parents[1]))
    app.config.update(
        SECRET_KEY=settings.secret_key(),
        SESSION_COOKIE_NAME="hallq_city",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=base.secure_cookies,
        TESTING=base.testing,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    contexts = {hall_id: hall.extensions["hallq"] for hall_id, hall in halls.items()}
    app.extensions["hallq_city"] = CityContext(config, users, contexts, clock or SystemClock())
    app.extensions["hallq_halls"] = halls
    app.extensions["hallq_cpu"] = CpuWork(offload_for(base.async_mode))
    init_login(app, users)
    init_headers(app)
    init_i18n(app)
    app.extensions["hallq_limits"] = RateLimits(Limits(), storage_for(base.message_queue), "city")
    app.register_blueprint(city_bp)

    @app.get("/")
    def index() -> str:
        return render_template("city/index.html", city=config, halls=contexts)

    mounts: dict[str, Any] = {f"/h/{hall_id}": hall for hall_id, hall in halls.items()}
    own: Any = app.wsgi_app
    if base.proxy_hops:  # the halls' apps fix their own requests
        own = TrustedProxy(own, base.proxy_hops, base.trusted_proxies)
    app.wsgi_app = DispatcherMiddleware(own, mounts)  # type: ignore[method-assign]
    return app
