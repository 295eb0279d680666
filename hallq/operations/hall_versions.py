"""The hall's configuration as versions in the database (issue 31): the current one is the highest.

A save names the version it was made on and inserts the next, in one transaction: two admins saving on the
same version get one success and one 409 with what changed since, never a lost or half-applied change. A
document is checked as `hallq check-config` checks a file (every problem at once) before it becomes a version;
a service, zone or window removed while tickets still wait for it is refused with the count of them.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hallq.config.document import hall_from_document, to_toml
from hallq.config.hall import HallConfig
from hallq.config.tomlfile import ConfigError, Problem, locate
from hallq.config.wording import worded
from hallq.engine import service_day
from hallq.operations.audit import record
from hallq.operations.context import Actor
from hallq.operations.errors import HallqError
from hallq.store.db import Store
from hallq.store.models import HallConfigVersion, Ticket

#: tickets still to be served: a service, zone or window they wait for cannot go
OPEN_STATUSES = ("waiting", "called", "serving")


class VersionConflict(HallqError):
    status = 409

    def __init__(self, current: int, changes: list[str]) -> None:
        super().__init__(
            "version_conflict",
            f"配置已被他人修改为第 {current} 版，请在最新版本上重新修改 / "
            f"The configuration is at version {current} now: make the change on it",
        )
        self.current, self.changes = current, changes

    @property
    def extra(self) -> dict[str, Any]:
        return {"current_version": self.current, "changes": self.changes}


class InvalidConfig(HallqError):
    status = 422

    def __init__(self, errors: list[dict[str, str]]) -> None:
        first = errors[0]["message"] if errors else ""
        more = f"（另有 {len(errors) - 1} 处）/ (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__("invalid_config", f"{first} {more}".strip())
        self.errors = errors

    @property
    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}


@dataclass(frozen=True)
class Version:
    number: int
    document: dict[str, Any]
    saved_at: datetime
    saved_by: str
    note: str
    base_version: int | None

    @staticmethod
    def of(row: HallConfigVersion) -> Version:
        return Version(row.version, row.document, row.saved_at, row.saved_by, row.note, row.base_version)


def current(store: Store) -> Version | None:
    with store.read() as session:
        row = session.scalar(select(HallConfigVersion).order_by(HallConfigVersion.version.desc()).limit(1))
        return Version.of(row) if row else None


def current_number(store: Store) -> int:
    """The current version's number (0 before the first): a cheap check every process makes every second."""
    with store.read() as session:
        return int(session.scalar(select(func.max(HallConfigVersion.version))) or 0)


def get(store: Store, number: int) -> Version | None:
    with store.read() as session:
        row = session.get(HallConfigVersion, number)
        return Version.of(row) if row else None


def listing(store: Store, limit: int = 200) -> list[Version]:
    with store.read() as session:
        query = select(HallConfigVersion).order_by(HallConfigVersion.version.desc()).limit(limit)
        return [Version.of(row) for row in session.scalars(query)]


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """What a version changed, as lines of its hall file (a unified diff)."""
    old = to_toml(before).splitlines() if before is not None else []
    lines = difflib.unified_diff(old, to_toml(after).splitlines(), "before", "after", lineterm="", n=1)
    return "\n".join(lines)


def checked(document: Any) -> HallConfig:
    """The hall of a document, or InvalidConfig with every problem in words (zh-CN first)."""
    try:
        return hall_from_document(document)
    except ConfigError as exc:
        data = document if isinstance(document, dict) else None
        raise InvalidConfig([worded(problem, data) for problem in exc.problems]) from None


def save(
    store: Store,
    document: dict[str, Any],
    *,
    base_version: int | None,
    by: Actor,
    now: datetime,
    note: str = "",
    file_sha256: str | None = None,
    audit: tuple[str, str, dict[str, Any]] | None = None,
    config: HallConfig | None = None,
) -> int:
    """Check the document (unless `config` is its hall, checked already) and store it as the next version;
    the new version's number. Audited as config.saved with the diff, or as `audit` gives (action, subject,
    detail)."""
    config = config or checked(document)
    retiring = [service.id for service in config.services if service.retiring]
    if retiring:  # it must be removable once drained: a window left with nothing to do is said now
        checked(without_services(document, retiring))
    try:
        with store.write() as session:
            latest = session.scalar(
                select(HallConfigVersion).order_by(HallConfigVersion.version.desc()).limit(1)
            )
            number = latest.version if latest else 0
            if base_version is not None and base_version != number:
                base = session.get(HallConfigVersion, base_version)
                changes = (
                    diff(base.document if base else None, latest.document).splitlines() if latest else []
                )
                raise VersionConflict(number, changes)
            if latest is not None:
                before = _config_of(latest.document)
                stranded = _stranded(session, before, config, service_day(now, config.tz))
                if stranded:
                    raise InvalidConfig(stranded)
                if before is not None and indicators_changed_silently(before, config):
                    raise InvalidConfig([SILENT_INDICATORS])
            session.add(
                HallConfigVersion(
                    version=number + 1,
                    document=document,
                    saved_at=now,
                    saved_by=by.name[:96],
                    note=note[:500],
                    base_version=number or None,
                    file_sha256=file_sha256,
                )
            )
            changed = diff(latest.document if latest else None, document)[:4000]
            action, subject, detail = audit or ("config.saved", f"version {number + 1}", {"note": note[:200]})
            record(session, now, action, by, subject, {**detail, "version": number + 1, "diff": changed})
    except IntegrityError:  # another process inserted the same version number first (PostgreSQL)
        raise VersionConflict(current_number(store), []) from None
    return number + 1


#: the national rules: a hall may not add or drop rating content silently; a changed list is a new version
SILENT_INDICATORS = {
    "path": "ratings.indicators.version",
    "message": "评价内容有改动，须同时改评价指标版本号（每条评价都记录其版本）/ The rating content changed: "
    "give it a new ratings.indicators.version (every rating records the version it was made under)",
}


def indicators_changed_silently(before: HallConfig, after: HallConfig) -> bool:
    old, new = before.ratings.indicators, after.ratings.indicators
    return old.version == new.version and old != new


def without_services(document: dict[str, Any], service_ids: list[str]) -> dict[str, Any]:
    """The document with these services removed, from the windows' A and B services too."""
    copy: dict[str, Any] = json.loads(json.dumps(document))
    copy["services"] = [s for s in copy.get("services", []) if s.get("id") not in service_ids]
    for window in copy.get("windows", []):
        for key in ("a_services", "b_services"):
            if key in window:
                window[key] = [s for s in window[key] if s not in service_ids]
    return copy


#: what a manager may change (admins change everything): each service's materials, the working calendar,
#: each window's A and B services, the 号源 slots (booking.quotas)
MANAGERS_MAY = "materials, calendar, a_services, b_services, booking.quotas"


def within_managers_reach(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether `after` differs from `before` only where a manager may change the hall (MANAGERS_MAY)."""

    def masked(document: dict[str, Any]) -> Any:
        copy = json.loads(json.dumps(document, sort_keys=True))
        copy.pop("calendar", None)
        if isinstance(copy.get("booking"), dict):
            copy["booking"].pop("quotas", None)
        for service in copy.get("services", []):
            if isinstance(service, dict):
                service.pop("materials", None)
        for window in copy.get("windows", []):
            if isinstance(window, dict):
                window.pop("a_services", None)
                window.pop("b_services", None)
        return copy

    return bool(masked(before) == masked(after))


def _config_of(document: dict[str, Any]) -> HallConfig | None:
    try:
        return hall_from_document(document)
    except ConfigError:
        return None


#: what a manager can do instead of removing something tickets still wait for
WAYS_OUT = {
    "services": (
        "可将等候的票转到其他事项，或设为「停止取号，办完后删除」",
        "move the waiting tickets to another service, or set it retiring (removed once they are served)",
    ),
    "zones": ("先删除或转走其事项", "remove or move its services first"),
    "windows": ("等转给该窗口的票办完后再删除", "remove it once the tickets sent to it are served"),
}


def _stranded(session: Any, before: HallConfig | None, after: HallConfig, day: date) -> list[dict[str, str]]:
    """Removed services, zones and windows that today's tickets still wait for, each with the count (a past
    day's queue is never called again)."""
    if before is None:
        return []
    problems = []
    gone = {
        "services": (
            set(before.service_by_id) - set(after.service_by_id),
            Ticket.service_id,
            "事项",
            "service",
        ),
        "zones": (set(before.zone_by_id) - set(after.zone_by_id), Ticket.zone_id, "分区", "zone"),
        "windows": (
            set(before.window_by_id) - set(after.window_by_id),
            Ticket.target_window_id,
            "窗口",
            "window",
        ),
    }
    for path, (ids, column, word, english) in gone.items():
        for removed in sorted(ids):
            count = session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.service_day == day, column == removed, Ticket.status.in_(OPEN_STATUSES))
            )
            if count:
                problems.append(
                    {
                        "path": path,
                        "message": f"{word}「{removed}」还有 {count} 张票在等候或办理中："
                        f"{WAYS_OUT[path][0]} / {english} {removed!r} still has {count} tickets waiting "
                        f"or in hand: {WAYS_OUT[path][1]}",
                    }
                )
    return problems


def import_file(store: Store, text: str, source: str, now: datetime) -> int | None:
    """At start (or `hallq config import`): the hall file becomes a new version when its text differs from the
    one last imported; None when it is unchanged. ConfigError (with lines) when the file is not valid."""
    from hallq.config.document import from_toml

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with store.read() as session:
        last = session.scalar(
            select(HallConfigVersion.file_sha256)
            .where(HallConfigVersion.file_sha256.is_not(None))
            .order_by(HallConfigVersion.version.desc())
            .limit(1)
        )
    if last == digest:
        return None
    document = from_toml(text, source)
    config = hall_from_document(document, source, text)  # the file's own problems, with their lines
    audit = ("config.changed", Path(source).name, {"sha256": digest, "previous_sha256": last, "file": source})
    try:
        return save(
            store,
            document,
            base_version=None,
            by=Actor(role="admin", name="server"),
            now=now,
            note=f"从大厅配置文件 {source} 导入 / imported from {source}",
            file_sha256=digest,
            audit=audit,
            config=config,
        )
    except InvalidConfig as exc:  # against the version in force: said with the file's key and line
        problems = [Problem(e["path"], e["message"], locate(text, e["path"])) for e in exc.errors]
        raise ConfigError(source, problems) from None
