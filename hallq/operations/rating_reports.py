"""The outbox of ratings to the province: written in the rating's own transaction, sent by any server process.

A report is claimed with a lease (a conditional UPDATE, so two processes never send one report at once), sent,
then marked delivered; a process killed in between leaves the lease to run out and the report is sent again:
at least once, with the same `id`, which the receiver drops repeats by. Failures back off from
`[province] retry_first_s`, doubling, up to `retry_max_s`. Times here are wall-clock UTC, not the hall's
(possibly compressed) clock: delivery is a matter of the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from hallq.operations.context import HallContext
from hallq.operations.outbox import PENDING, retry_later, unleased, wall_now
from hallq.store.db import Store
from hallq.store.models import RatingReport, User

LEVEL_NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
DELIVERED = "delivered"


def stable_id(ctx: HallContext, rating_id: int) -> str:
    """The rating's id at the province: the hall's code there (or this server's hall) and the row's id."""
    hall = ctx.config.province.hall_code or "hallq"
    return f"{hall}-rating-{rating_id}"


def rating_payload(
    ctx: HallContext,
    connection: Connection,
    rating: dict[str, Any],
    ticket: Any,
    applicant: dict[str, str] | None,
) -> dict[str, Any]:
    """The `json-http` shape (docs/manager.md): what the province receives for one rating."""
    config, province = ctx.config, ctx.config.province
    service = config.service_by_id.get(ticket.service_id)
    window = config.window_by_id.get(rating["window_id"] or "")
    clerk = None
    if rating["clerk"]:
        name = connection.scalar(select(User.display_name).where(User.username == rating["clerk"]))
        clerk = {"login": rating["clerk"], "name": name or rating["clerk"]}
    cases = rating["cases"] or []
    tz = config.tz

    def local(instant: datetime | None) -> str | None:
        return instant.astimezone(tz).isoformat(timespec="seconds") if instant else None

    payload: dict[str, Any] = {
        "id": stable_id(ctx, rating["id"]),
        "kind": "rating",
        "hall_id": province.hall_code,
        "region_code": province.region_code,
        "region_name": province.region_name,
        "case_numbers": [case["case_number"] for case in cases],
        "cases": cases,
        "service_code": service.code if service else "",
        "service_name": service.name if service else ticket.service_id,
        "department": service.department if service else "",
        "department_code": service.department_code if service else "",
        "window": {"id": window.id, "number": window.number, "name": window.label} if window else None,
        "clerk": clerk,
        "channel": rating["source"],
        "level": rating["level"],
        "level_name": LEVEL_NAMES.get(rating["level"], ""),
        "indicator_version": rating["indicator_version"],
        "indicators": rating["indicators"],
        "comment": rating["comment"],
        "ticket": ticket.number,
        "served_at": local(ticket.finished_at),
        "rated_at": local(rating["rated_at"]),
        "excluded": False,
    }
    if province.send_applicant and applicant:
        payload["applicant"] = applicant
    return payload


def enqueue(
    connection: Connection, rating_id: int, kind: str, message_id: str, payload: dict[str, Any]
) -> None:
    now = wall_now()
    values = {
        "rating_id": rating_id,
        "kind": kind,
        "message_id": message_id,
        "payload": payload,
        "state": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }
    connection.execute(insert(RatingReport).values(values))


def enqueue_change(connection: Connection, rating_id: int, kind: str, change: dict[str, Any]) -> bool:
    """A later change of a reported rating (an appeal's outcome): the rating's payload with the change, under
    an id of its own that names the rating's; False when the rating was never reported."""
    first = connection.execute(
        select(RatingReport.payload)
        .where(RatingReport.rating_id == rating_id, RatingReport.kind == "rating")
        .limit(1)
    ).first()
    if first is None:
        return False
    payload = {key: value for key, value in first.payload.items() if key != "applicant"}
    payload |= {"id": f"{payload['id']}-{kind}", "kind": kind, "rating": payload["id"], **change}
    enqueue(connection, rating_id, kind, payload["id"], payload)
    return True


@dataclass(frozen=True)
class Claimed:
    id: int
    message_id: str
    payload: dict[str, Any]
    attempts: int


def claim_due(store: Store, lease_s: float, limit: int, now: datetime | None = None) -> list[Claimed]:
    """Reports due now, each leased to this process for `lease_s` (another process skips it meanwhile)."""
    now = now or wall_now()
    with store.read() as session:
        candidates = session.execute(
            select(RatingReport.id, RatingReport.message_id, RatingReport.payload, RatingReport.attempts)
            .where(RatingReport.state == PENDING, RatingReport.next_attempt_at <= now)
            .where(unleased(RatingReport, now))
            .order_by(RatingReport.next_attempt_at, RatingReport.id)
            .limit(limit)
        ).all()
    claimed = []
    for row in candidates:
        with store.write_connection() as connection:
            taken = connection.execute(
                update(RatingReport)
                .where(RatingReport.id == row.id, RatingReport.state == PENDING)
                .where(unleased(RatingReport, now))
                .values(leased_until=now + timedelta(seconds=lease_s))
            ).rowcount
        if taken:
            claimed.append(Claimed(row.id, row.message_id, row.payload, row.attempts))
    return claimed


def mark_delivered(store: Store, report_id: int, now: datetime | None = None) -> None:
    """Delivered: the applicant's identity, carried only for the province, is dropped from the copy kept."""
    now = now or wall_now()
    with store.write() as session:
        report = session.get(RatingReport, report_id)
        if report is None:
            return
        if "applicant" in report.payload:
            report.payload = {key: value for key, value in report.payload.items() if key != "applicant"}
        report.state, report.delivered_at, report.leased_until = DELIVERED, now, None
        report.attempts += 1
        report.last_error = None


def mark_failed(
    store: Store, report_id: int, error: str, retry_in_s: float, now: datetime | None = None
) -> None:
    retry_later(store, RatingReport, report_id, error, retry_in_s, now)


def report_status(ctx: HallContext, now: datetime | None = None) -> dict[str, Any]:
    """What managers see on the live page: pending, delivered today, failing (pending after a failed
    attempt), the oldest undelivered report's age, the province's last answer, and whether that is past the
    alert."""
    now = now or wall_now()
    province = ctx.config.province
    day_start = datetime.combine(ctx.day(), time(0), ctx.config.tz)
    with ctx.store.read() as session:
        # read on every refresh of the live page: pending through the (state, next_attempt_at) index,
        # delivered today through delivered_at's (a year of reports is some 500,000 rows)
        pending = session.scalar(select(func.count()).where(RatingReport.state == PENDING))
        delivered = session.scalar(select(func.count()).where(RatingReport.delivered_at >= day_start))
        failing = session.scalar(
            select(func.count()).where(RatingReport.state == PENDING, RatingReport.attempts > 0)
        )
        oldest = session.scalar(
            select(func.min(RatingReport.created_at)).where(RatingReport.state == PENDING)
        )
        last = session.execute(
            select(RatingReport.last_error, RatingReport.message_id)
            .where(RatingReport.state == PENDING, RatingReport.last_error.is_not(None))
            .order_by(RatingReport.next_attempt_at.desc())
            .limit(1)
        ).first()
    oldest_s = (now - oldest).total_seconds() if oldest else 0.0
    return {
        "adapter": province.adapter,
        "pending": pending or 0,
        "delivered_today": delivered or 0,
        "failing": failing or 0,
        "oldest_pending_s": round(oldest_s),
        "last_error": last.last_error if last else None,
        "last_error_id": last.message_id if last else None,
        "alert": bool(oldest) and oldest_s > province.alert_after_minutes * 60,
        "alert_after_minutes": province.alert_after_minutes,
    }
