"""The hall's configuration as versions (issue 31): read it, save a new version on the one it was made on,
list and restore versions, export the hall file. A saved version is in force in every server process
within a second, and every open page hears `config_changed`."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from hallq.api.blueprint import bp
from hallq.api.body import parse_body
from hallq.api.schemas import ConfigRestore, ConfigSave, MoveWaiting
from hallq.config.document import to_toml
from hallq.operations import hall_versions, moving
from hallq.operations.errors import Forbidden, NotFound
from hallq.operations.views import iso
from hallq.web.auth import current_actor, require_roles
from hallq.web.live_config import apply_version
from hallq.web.runtime import hall_context, send_pushes, socketio

#: a hall's document is larger than any other request (a hall of a hundred services with their materials)
MAX_DOCUMENT_BYTES = 1024 * 1024


def _summary(version: hall_versions.Version) -> dict[str, Any]:
    return {
        "version": version.number,
        "saved_at": iso(version.saved_at, hall_context().config),
        "saved_by": version.saved_by,
        "note": version.note,
        "base_version": version.base_version,
    }


def _version(number: int) -> hall_versions.Version:
    found = hall_versions.get(hall_context().store, number)
    if found is None:
        raise NotFound("unknown_version", f"没有第 {number} 版配置 / No configuration version {number}")
    return found


@bp.get("/config")
@require_roles("manager", "admin")
def get_config() -> dict[str, Any]:
    latest = hall_versions.current(hall_context().store)
    assert latest is not None  # the server imported its hall file at start
    # the rating content in force, defaults included (the document holds only what the hall file says): what
    # the settings page edits
    indicators = hall_context().config.ratings.indicators.model_dump(mode="json")
    return {**_summary(latest), "hall": latest.document, "indicators": indicators}


def _saved(number: int) -> dict[str, Any]:
    """In force in this process now, in the others within a second; every page told."""
    apply_version(current_app._get_current_object(), number)  # type: ignore[attr-defined]
    socketio().emit("config_changed", {"version": number})
    return {"version": number}


@bp.put("/config")
@require_roles("manager", "admin")
def put_config() -> dict[str, Any]:
    """A new version (admin; a manager may change materials, the calendar and window staffing only)."""
    request.max_content_length = MAX_DOCUMENT_BYTES
    body = parse_body(ConfigSave)
    actor = current_actor()
    assert actor is not None
    ctx = hall_context()
    if actor.role == "manager":
        latest = hall_versions.current(ctx.store)
        if latest is None or not hall_versions.within_managers_reach(latest.document, body.hall):
            raise Forbidden(
                "admins_only",
                "管理人员可修改材料清单、工作日历和窗口AB岗，其余请由系统管理员修改 / Managers may change "
                f"{hall_versions.MANAGERS_MAY}; the rest is for admins",
            )
    number = hall_versions.save(
        ctx.store, body.hall, base_version=body.base_version, by=actor, now=ctx.now(), note=body.note
    )
    return _saved(number)


@bp.get("/config/versions")
@require_roles("manager", "admin")
def get_versions() -> dict[str, Any]:
    return {"versions": [_summary(v) for v in hall_versions.listing(hall_context().store)]}


@bp.get("/config/versions/<int:number>")
@require_roles("manager", "admin")
def get_version(number: int) -> dict[str, Any]:
    version = _version(number)
    before = hall_versions.get(hall_context().store, version.base_version) if version.base_version else None
    changes = hall_versions.diff(before.document if before else None, version.document)
    return {**_summary(version), "hall": version.document, "diff": changes}


@bp.post("/config/versions/<int:number>/restore")
@require_roles("admin")
def restore_version(number: int) -> dict[str, Any]:
    """An earlier version again, as a new version (nothing is ever overwritten)."""
    body = parse_body(ConfigRestore)
    version = _version(number)
    actor = current_actor()
    assert actor is not None
    ctx = hall_context()
    note = body.note or f"restored version {number}"
    saved = hall_versions.save(
        ctx.store, version.document, base_version=body.base_version, by=actor, now=ctx.now(), note=note
    )
    return _saved(saved)


@bp.get("/config/export.toml")
@require_roles("manager", "admin")
def export_config() -> Response:
    """The current version as a hall file (`hallq config export` writes the same bytes)."""
    latest = hall_versions.current(hall_context().store)
    assert latest is not None
    name = f"hall-v{latest.number}.toml"
    return Response(
        to_toml(latest.document),
        content_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/config/open-tickets")
@require_roles("manager", "admin")
def get_open_tickets() -> dict[str, Any]:
    """Tickets waiting or in hand, by service: what keeps a service from being removed at once."""
    return {"services": moving.open_by_service(hall_context())}


@bp.post("/services/<service_id>/move-waiting")
@require_roles("manager", "admin")
def move_waiting(service_id: str) -> dict[str, Any]:
    """Every waiting ticket of the service waits for another one now, keeping its number and its place."""
    body = parse_body(MoveWaiting)
    actor = current_actor()
    assert actor is not None
    count, pushes = moving.move_waiting(hall_context(), service_id, body.to_service, actor)
    send_pushes(pushes)
    return {"moved": count, "to_service": body.to_service}
