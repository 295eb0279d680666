"""Who is asking: a Bearer device token or a logged-in user (Flask-Login); role checks for routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, g, request
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
        self.session_version = user.session_version or 0
        self.windows = tuple(user.windows or ())

    def get_id(self) -> str:
        """What the session cookie keeps: the user and their session version ("12.3"), so that logging out,
        a new password or deactivation ends every session made before (Flask-Login's alternative tokens)."""
        return f"{self.id}.{self.session_version}"


#: a signed session cookie is refused once this old: a working day, then sign in again
SESSION_LIFETIME = timedelta(hours=12)


def init_login(app: Flask, users: Store) -> None:
    """Session logins of the users kept in `users` (a hall's store, or the city's)."""
    manager = LoginManager()
    manager.init_app(app)
    # Flask checks every session cookie's signed timestamp against this (permanent or not)
    app.permanent_session_lifetime = SESSION_LIFETIME

    @manager.user_loader
    def load_user(session_id: str) -> SessionUser | None:
        user_id, _, version = session_id.partition(".")
        if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
            return None
        with users.read() as session:
            user = session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return SessionUser(user)


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_cross_site() -> None:
    """Before each request: a change made with the session cookie must come from one of this server's own
    pages. SameSite=Lax already keeps the cookie off other sites' form posts; this also refuses what a
    browser marks as cross-site (Sec-Fetch-Site) or sends from another origin. Bearer tokens are not
    ambient credentials, so token calls are not checked."""
    if request.method not in UNSAFE or bearer_token() or not current_user.is_authenticated:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        # what the browser itself says (a page cannot set it): with Referrer-Policy no-referrer a form post
        # from our own page carries "Origin: null", so the origin alone cannot tell
        cross = site not in ("same-origin", "none")
    else:
        origin = request.headers.get("Origin")
        # hosts, not schemes: behind a TLS proxy the page is https and the request reaching us is http
        cross = origin is not None and urlsplit(origin).netloc != request.host
    if cross:
        raise Forbidden("cross_site", "只接受本站页面发出的操作 / Only this site's own pages may do this")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def actor_from(token: str | None) -> Actor | None:
    """The actor of a token, else of the logged-in user, else None. A token is looked up on every request
    (one indexed read), so a revoked one is refused at its very next request in every process."""
    if token:
        if len(token) > MAX_TOKEN_LENGTH:
            return None
        ctx = hall_context()
        with ctx.store.read_connection() as connection:
            actor = actor_for_token(connection, token)
        if actor is not None and actor.token_id is not None:
            ctx.token_use.seen(actor.token_id, ctx.now())
        return actor
    if current_user.is_authenticated:
        return Actor(
            role=current_user.role,
            name=current_user.username,
            user_id=int(current_user.id),
            session_version=current_user.session_version,
            windows=current_user.windows,
        )
    return None


#: hallq's tokens are about 40 characters; anything much longer is not a token and is not hashed
MAX_TOKEN_LENGTH = 200


def current_actor() -> Actor | None:
    if "actor" not in g:
        actor = actor_from(bearer_token())
        g.actor = replace(actor, address=request.remote_addr) if actor is not None else None
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
