"""Who is asking: a Bearer device token or a logged-in user (Flask-Login); role checks for routes."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import LoginManager, UserMixin, current_user

from hallq.operations.accounts import actor_for_token
from hallq.operations.context import Actor
from hallq.operations.errors import Forbidden, HallqError
from hallq.store.db import Store
from hallq.store.models import User
from hallq.web.runtime import hall_context

F = TypeVar("F", bound=Callable[..., Any])


class SessionUser(UserMixin):
    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.username = user.username
        self.display_name = user.display_name
        self.role = user.role


def init_login(app: Flask, users: Store) -> None:
    """Session logins of the users kept in `users` (a hall's store, or the city's)."""
    manager = LoginManager()
    manager.init_app(app)

    @manager.user_loader
    def load_user(user_id: str) -> SessionUser | None:
        if not user_id.isdigit():
            return None
        with users.read() as session:
            user = session.get(User, int(user_id))
        return SessionUser(user) if user is not None and user.active else None


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_cross_site() -> None:
    """Before each request: a change made with the session cookie must come from one of this server's own
    pages. SameSite=Lax already keeps the cookie off other sites' form posts; this also refuses what a
    browser marks as cross-site (Sec-Fetch-Site) or sends from another origin. Bearer tokens are not
    ambient credentials, so token calls are not checked."""
    if request.method not in UNSAFE or bearer_token() or not current_user.is_authenticated:
        return
    origin = request.headers.get("Origin")
    # hosts, not schemes: behind a TLS proxy the page is https and the request reaching us is http
    cross = request.headers.get("Sec-Fetch-Site") == "cross-site" or (
        origin is not None and urlsplit(origin).netloc != request.host
    )
    if cross:
        raise Forbidden("cross_site", "只接受本站页面发出的操作 / Only this site's own pages may do this")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


class TokenCache:
    """Valid tokens seen in the last few seconds, so a busy kiosk costs no lookup per request.

    A revoked token keeps working for at most `ttl_s` in each process that cached it.
    """

    def __init__(self, ttl_s: float = 10.0, max_size: int = 4096) -> None:
        self.ttl_s, self.max_size = ttl_s, max_size
        self._entries: dict[str, tuple[Actor, float]] = {}

    def get(self, token: str) -> Actor | None:
        entry = self._entries.get(token)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, token: str, actor: Actor) -> None:
        if len(self._entries) >= self.max_size:
            self._entries.clear()
        self._entries[token] = (actor, time.monotonic() + self.ttl_s)


def actor_from(token: str | None) -> Actor | None:
    """The actor of a token, else of the logged-in user, else None."""
    if token:
        cache: TokenCache = current_app.extensions.setdefault("hallq_tokens", TokenCache())
        actor = cache.get(token)
        if actor is None:
            with hall_context().store.read() as session:
                actor = actor_for_token(session, token)
            if actor is not None:
                cache.put(token, actor)
        return actor
    if current_user.is_authenticated:
        return Actor(role=current_user.role, name=current_user.username, user_id=int(current_user.id))
    return None


def current_actor() -> Actor | None:
    if "actor" not in g:
        g.actor = actor_from(bearer_token())
    return g.actor


def require_roles(*roles: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is None:
                if bearer_token():
                    raise HallqError("invalid_token", "令牌无效或已吊销 / Invalid or revoked token", 401)
                raise HallqError("unauthorized", "请先登录或提供令牌 / Log in or send a token", 401)
            if actor.role not in roles:
                raise Forbidden(
                    "forbidden", f"角色 {actor.role} 无权执行此操作 / Role {actor.role} may not do this"
                )
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
