"""The city managers' pages (/city): every hall of a city deployment side by side (hallq/app/city.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from hallq.operations.accounts import authenticate, log_out
from hallq.operations.errors import HallqError
from hallq.stats.city import compare_halls
from hallq.stats.summary import Period
from hallq.web.auth import SessionUser, current_actor
from hallq.web.ratelimits import RateLimits
from hallq.web.runtime import cpu
from manager import _ranges
from manager.access import MANAGERS

bp = Blueprint(
    "city",
    __name__,
    url_prefix="/city",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _city() -> Any:
    return current_app.extensions["hallq_city"]


def _is_manager() -> bool:
    actor = current_actor()
    return actor is not None and actor.role in MANAGERS


@bp.get("/login")
def login() -> str:
    return render_template("city/login.html", city=_city().config.city)


@bp.post("/session")
def sign_in() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("username", "password")):
        message = "需要 JSON {username, password} / Send JSON with username and password"
        return jsonify(error="bad_request", message=message), 400
    limits: RateLimits = current_app.extensions["hallq_limits"]
    try:
        limits.check_login(request.remote_addr, body["username"])
    except HallqError as exc:
        return jsonify(error=exc.code, message=exc.message), exc.status
    check = partial(cpu().run, check_password_hash)
    user = authenticate(_city().users, body["username"], body["password"], check)
    if user is None or user.role not in MANAGERS:
        limits.login_failed(request.remote_addr, body["username"])
        return jsonify(error="bad_login", message="用户名或密码错误 / Wrong username or password"), 401
    login_user(SessionUser(user))
    return jsonify(username=user.username, role=user.role), 200


@bp.delete("/session")
def sign_out() -> Response:
    actor = current_actor()
    if actor is not None and actor.user_id is not None:
        log_out(_city().users, actor.user_id)
    logout_user()
    return jsonify(ok=True)


def _comparison() -> tuple[dict[str, Any] | None, str | None]:
    city = _city()
    today = next(iter(city.halls.values())).day()
    try:
        period = Period.parse(request.args.get("from"), request.args.get("to"), today)
    except HallqError as exc:
        return None, exc.message
    return compare_halls(city.halls, period), None


@bp.get("")
def overview() -> Response | tuple[str, int]:
    if not _is_manager():
        return redirect(url_for("city.login"))
    result, error = _comparison()
    today = next(iter(_city().halls.values())).day()
    page = render_template(
        "city/overview.html", city=_city().config.city, result=result, error=error, ranges=_ranges(today)
    )
    return page, (422 if error else 200)


@bp.get("/overview.json")
def overview_json() -> tuple[Response, int]:
    if not _is_manager():
        return jsonify(error="unauthorized", message="请先以市级管理员登录 / Log in as a city manager"), 401
    result, error = _comparison()
    if error:
        return jsonify(error="bad_period", message=error), 422
    return jsonify(result), 200
