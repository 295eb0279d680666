"""Users (clerks, managers, admins) and device tokens (kiosk, display, bridge, evaluator, clerk). No Flask."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import cache

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hallq.config.hall import HallConfig
from hallq.operations.audit import command_line, record
from hallq.operations.context import Actor
from hallq.operations.errors import Invalid, NotFound
from hallq.store.db import Store
from hallq.store.models import ApiToken, User

#: evaluator: a rating tablet facing the citizen at one window (/evaluate/<window>);
#: agent: `hallq kiosk-agent` printing one kiosk's tickets on the kiosk PC (a kiosk page's token cannot)
#: integration: a department's case system (窗口业务系统) arming a window's rating pad with its cases
ROLES = ("kiosk", "agent", "display", "bridge", "evaluator", "integration", "clerk", "manager", "admin")
USER_ROLES = ("clerk", "manager", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class BindingError(Invalid):
    """A token bound to a window or kiosk the hall does not have, or missing the one its role needs; `field`
    says which (window or kiosk)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"unknown_{field}" if "unknown" in message else "unbound", message)
        self.field = field


def check_binding(config: HallConfig, role: str, window_id: str | None, kiosk_id: str | None) -> None:
    """What `hallq token` and the token page both check before a token is made."""
    if window_id is not None and window_id not in config.window_by_id:
        raise BindingError("window", f"未知窗口 / unknown window {window_id!r}")
    if role == "evaluator" and window_id is None:
        raise BindingError("window", "评价器须绑定一个窗口 / an evaluator tablet belongs to one window")
    known = ", ".join(config.kiosk_by_id) or "none in the hall file"
    if kiosk_id is not None and (role not in ("kiosk", "agent") or kiosk_id not in config.kiosk_by_id):
        raise BindingError(
            "kiosk",
            f"未知取号机 / unknown kiosk: a kiosk or agent token for one of the hall's kiosks ({known})",
        )
    if role == "agent" and kiosk_id is None:
        raise BindingError("kiosk", f"打印代理须绑定取号机 / a print agent prints for one kiosk ({known})")


def create_token(
    store: Store,
    role: str,
    now: datetime,
    *,
    window_id: str | None = None,
    kiosk_id: str | None = None,
    name: str | None = None,
    by: Actor | None = None,
) -> str:
    """Store a new token and return it; only its hash is kept, so this is the one time it is seen."""
    token, _row = issue_token(store, role, now, window_id=window_id, kiosk_id=kiosk_id, name=name, by=by)
    return token


def issue_token(
    store: Store,
    role: str,
    now: datetime,
    *,
    window_id: str | None = None,
    kiosk_id: str | None = None,
    name: str | None = None,
    by: Actor | None = None,
) -> tuple[str, ApiToken]:
    """create_token, with the stored row (its id, name and binding) beside the secret."""
    if role not in ROLES:
        raise Invalid("unknown_role", f"unknown role {role!r}; one of {', '.join(ROLES)}")
    token = f"hq_{role}_{secrets.token_urlsafe(24)}"
    name = name or f"{role}-{secrets.token_hex(3)}"
    with store.write() as session:
        row = ApiToken(
            token_hash=hash_token(token),
            role=role,
            window_id=window_id,
            kiosk_id=kiosk_id,
            name=name[:64],
            created_at=now,
        )
        session.add(row)
        session.flush()
        bound = {"id": row.id, "window_id": window_id, "kiosk_id": kiosk_id}
        record(session, now, "token.created", by or command_line(), f"{role} {name}", bound)
    return token, row


#: a token's actor by its hash: asked on every request a device makes (see web/auth.py), so a Core statement
_TOKEN_ACTOR = select(
    ApiToken.id, ApiToken.role, ApiToken.name, ApiToken.window_id, ApiToken.kiosk_id, ApiToken.revoked_at
).where(ApiToken.token_hash == bindparam("token_hash"))


def actor_for_token(connection: Connection, token: str) -> Actor | None:
    row = connection.execute(_TOKEN_ACTOR, {"token_hash": hash_token(token)}).first()
    if row is None or row.revoked_at is not None:
        return None
    return Actor(
        role=row.role, name=row.name, window_id=row.window_id, kiosk_id=row.kiosk_id, token_id=row.id
    )


def list_users(store: Store) -> list[User]:
    with store.read() as session:
        return list(session.scalars(select(User).order_by(User.role, User.username)))


def list_tokens(store: Store) -> list[ApiToken]:
    with store.read() as session:
        return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(store: Store, token_id: int, now: datetime, by: Actor | None = None) -> ApiToken:
    """Revoke a token: its next request is refused, and the server ends its sockets (web/revocation.py)."""
    with store.write() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound("unknown_token", f"没有编号为 {token_id} 的令牌 / No token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = now
            record(
                session, now, "token.revoked", by or command_line(), f"{row.role} {row.name}", {"id": row.id}
            )
        return row


MIN_PASSWORD_LENGTH = 8


def _check_user(role: str, password: str) -> None:
    if role not in USER_ROLES:
        raise Invalid("unknown_role", f"users are one of {', '.join(USER_ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("weak_password", f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    now: datetime,
    display_name: str | None = None,
    by: Actor | None = None,
    windows: list[str] | None = None,
) -> User:
    _check_user(role, password)
    with store.write() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Invalid("user_exists", f"user {username!r} already exists")
        user = User(username=username, display_name=display_name or username, created_at=now)
        user.windows = sorted(set(windows)) if windows else None
        _set(user, password, role)
        session.add(user)
        record(session, now, "user.created", by or command_line(), username, {"role": role})
    return user


def ensure_user(
    store: Store, username: str, password: str, role: str, now: datetime, display_name: str
) -> None:
    """Create the user, or reset its password and role (used by the demo hall)."""
    _check_user(role, password)
    with store.write() as session:
        user = session.scalar(select(User).where(User.username == username))
        action = "user.created" if user is None else "user.password_set"
        if user is None:
            user = User(username=username, created_at=now)
            session.add(user)
        user.display_name = display_name
        _set(user, password, role)
        record(session, now, action, command_line(), username, {"role": role})


def _set(user: User, password: str, role: str) -> None:
    user.password_hash = generate_password_hash(password)
    user.role = role
    user.active = True
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every session cookie made before for this user stops working at its next request."""
    user.session_version = (user.session_version or 0) + 1


def _user_named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("unknown_user", f"没有用户 {username} / No user {username!r}")
    return user


def set_password(store: Store, username: str, password: str, now: datetime, by: Actor | None = None) -> None:
    """A new password (also for a user who forgot theirs); every session of the user ends."""
    with store.write() as session:
        user = _user_named(session, username)
        _check_user(user.role, password)
        user.password_hash = generate_password_hash(password)
        end_sessions(user)
        record(session, now, "user.password_set", by or command_line(), username)


def update_user(
    store: Store,
    username: str,
    now: datetime,
    by: Actor,
    *,
    display_name: str | None = None,
    role: str | None = None,
    windows: list[str] | None = None,
) -> None:
    """A new display name, role or windows (`windows` [] for any window). A new role ends the user's
    sessions: they sign in to the new one."""
    with store.write() as session:
        user = _user_named(session, username)
        before = {"display_name": user.display_name, "role": user.role, "windows": user.windows or []}
        if display_name is not None:
            user.display_name = display_name
        if role is not None and role != user.role:
            _check_user(role, "x" * MIN_PASSWORD_LENGTH)
            user.role = role
            end_sessions(user)
        if windows is not None:  # checked at the user's next request (web/auth.py loads the user each time)
            user.windows = sorted(set(windows)) or None
        after = {"display_name": user.display_name, "role": user.role, "windows": user.windows or []}
        if after != before:
            record(session, now, "user.changed", by, username, {"before": before, "after": after})


def set_active(store: Store, username: str, active: bool, now: datetime, by: Actor | None = None) -> None:
    """Deactivate a user who left (they cannot sign in, every session of theirs ends), or reactivate one."""
    with store.write() as session:
        user = _user_named(session, username)
        if user.active != active:
            user.active = active
            end_sessions(user)
            action = "user.activated" if active else "user.deactivated"
            record(session, now, action, by or command_line(), username)


def log_out(store: Store, user_id: int) -> None:
    """Logging out ends the user's sessions everywhere: a copied cookie is worth nothing afterwards."""
    with store.write() as session:
        user = session.get(User, user_id)
        if user is not None:
            end_sessions(user)


def authenticate(
    store: Store,
    username: str,
    password: str,
    check: Callable[[str, str], bool] = check_password_hash,
) -> User | None:
    """The user whose password this is, else None. `check` compares a password with a hash (the server runs
    it off the event loop: web/cpu.py)."""
    with store.read() as session:
        user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        # spend the same time as a real check so usernames cannot be probed by timing
        check(_dummy_hash(), password)
        return None
    return user if check(user.password_hash, password) else None


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8))
