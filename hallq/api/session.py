"""Clerk and manager login for the web pages (a session cookie)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import request
from flask_login import login_user, logout_user
from werkzeug.security import check_password_hash

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import Login
from hallq.operations.accounts import authenticate, log_out
from hallq.operations.errors import HallqError
from hallq.web.auth import SessionUser, bearer_token, current_actor
from hallq.web.runtime import cpu, hall_context, rate_limits


@bp.post("/session")
def login() -> dict[str, Any]:
    body = parse_body(Login)
    limits = rate_limits()
    limits.check_login(request.remote_addr, body.username)
    check = partial(cpu().run, check_password_hash)
    user = authenticate(hall_context().store, body.username, body.password, check)
    if user is None:
        limits.login_failed(request.remote_addr, body.username)
        raise HallqError("bad_login", "用户名或密码错误 / Wrong username or password", 401)
    login_user(SessionUser(user))
    return {"username": user.username, "display_name": user.display_name, "role": user.role}


@bp.get("/session")
def whoami() -> dict[str, Any]:
    actor = current_actor()
    if actor is None:
        raise HallqError("unauthorized", "未登录 / Not logged in", 401)
    return {
        "username": actor.name,
        "role": actor.role,
        "window_id": actor.window_id,
        "windows": list(actor.windows),
    }


@bp.delete("/session")
def logout() -> dict[str, Any]:
    actor = current_actor()
    if actor is not None and actor.user_id is not None and not bearer_token():
        log_out(hall_context().store, actor.user_id)
    logout_user()
    return {"ok": True}
