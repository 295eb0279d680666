"""Accounts and device tokens from the administration pages (issue 31; admins): create, change, deactivate
users; issue (the secret shown once), list and revoke tokens. A deactivated user's and a revoked token's
sockets end at once in this process (within 2 seconds in the others); every change is audited."""

from __future__ import annotations

from typing import Any

import qrcode
from flask import current_app, request
from qrcode.image.svg import SvgPathImage

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import NewToken, NewUser, UserChange
from hallq.operations import accounts
from hallq.operations.errors import Invalid
from hallq.operations.views import iso
from hallq.store.models import ApiToken, User
from hallq.web.auth import current_actor, require_roles
from hallq.web.revocation import end_sockets
from hallq.web.runtime import hall_context, socketio


def _user(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "windows": user.windows or [],
        "created_at": iso(user.created_at, hall_context().config),
    }


def _token(row: ApiToken) -> dict[str, Any]:
    config = hall_context().config
    return {
        "id": row.id,
        "role": row.role,
        "name": row.name,
        "window_id": row.window_id,
        "kiosk_id": row.kiosk_id,
        "created_at": iso(row.created_at, config),
        "revoked_at": iso(row.revoked_at, config),
        "last_used_at": iso(row.last_used_at, config),
    }


def _end_sockets_now() -> None:
    end_sockets(hall_context().store, socketio(), current_app.extensions["hallq_socket_actors"])


@bp.get("/users")
@require_roles("admin")
def get_users() -> dict[str, Any]:
    return {"users": [_user(user) for user in accounts.list_users(hall_context().store)]}


@bp.post("/users")
@require_roles("admin")
def post_user() -> tuple[dict[str, Any], int]:
    body = parse_body(NewUser)
    ctx, actor = hall_context(), current_actor()
    _check_windows(body.windows)
    user = accounts.create_user(
        ctx.store,
        body.username,
        body.password,
        body.role,
        ctx.now(),
        body.display_name,
        by=actor,
        windows=body.windows,
    )
    return _user(user), 201


def _check_windows(windows: list[str]) -> None:
    unknown = sorted(set(windows) - set(hall_context().config.window_by_id))
    if unknown:
        raise Invalid("unknown_window", f"没有这些窗口 / No such windows: {', '.join(unknown)}")


@bp.patch("/users/<username>")
@require_roles("admin")
def patch_user(username: str) -> dict[str, Any]:
    body = parse_body(UserChange)
    ctx, actor = hall_context(), current_actor()
    assert actor is not None
    if body.active is False and username == actor.name and actor.user_id is not None:
        raise Invalid("not_yourself", "不能停用自己的账号 / You cannot deactivate your own account")
    now = ctx.now()
    _check_windows(body.windows or [])
    accounts.update_user(
        ctx.store, username, now, actor, display_name=body.display_name, role=body.role, windows=body.windows
    )
    if body.password is not None:
        accounts.set_password(ctx.store, username, body.password, now, by=actor)
    if body.active is not None:
        accounts.set_active(ctx.store, username, body.active, now, by=actor)
    _end_sockets_now()
    found = next(u for u in accounts.list_users(ctx.store) if u.username == username)
    return _user(found)


@bp.get("/tokens")
@require_roles("admin")
def get_tokens() -> dict[str, Any]:
    ctx = hall_context()
    # this process's uses of the last minute (its sockets' tokens are in use now); the others' within a minute
    sockets = list(current_app.extensions["hallq_socket_actors"].values())
    ctx.token_use.holding([actor.token_id for actor in sockets], ctx.now())
    ctx.token_use.flush(ctx.store)
    return {"tokens": [_token(row) for row in accounts.list_tokens(ctx.store)]}


@bp.post("/tokens")
@require_roles("admin")
def post_token() -> tuple[dict[str, Any], int]:
    """A new device token: the secret is in this answer only (the server keeps its hash)."""
    body = parse_body(NewToken)
    ctx, actor = hall_context(), current_actor()
    accounts.check_binding(ctx.config, body.role, body.window_id, body.kiosk_id)
    secret, row = accounts.issue_token(
        ctx.store,
        body.role,
        ctx.now(),
        window_id=body.window_id,
        kiosk_id=body.kiosk_id,
        name=body.name,
        by=actor,
    )
    return {**_token(row), "token": secret, **_device_address(row, secret)}, 201


def _device_address(row: ApiToken, secret: str) -> dict[str, Any]:
    """Where the device opens its page with the token, and that address as a QR code for a tablet or phone
    to scan (only in this answer, like the secret)."""
    pages = {"kiosk": f"/kiosk?kiosk={row.kiosk_id or ''}&token=", "display": "/display?token="}
    if row.role == "evaluator" and row.window_id:
        pages["evaluator"] = f"/evaluate/{row.window_id}?token="
    page = pages.get(row.role)
    if page is None:
        return {}
    # the address the admin reached the server at: the devices are in the same hall
    address = request.host_url.rstrip("/") + hall_context().config.mount + page + secret
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(address)
    return {
        "device_url": address,
        "qr_svg": code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode"),
    }


@bp.delete("/tokens/<int:token_id>")
@require_roles("admin")
def delete_token(token_id: int) -> dict[str, Any]:
    """Revoke a token: its next request is refused and its sockets end at once."""
    ctx, actor = hall_context(), current_actor()
    row = accounts.revoke_token(ctx.store, token_id, ctx.now(), by=actor)
    _end_sockets_now()
    return _token(row)
