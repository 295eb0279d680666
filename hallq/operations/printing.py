"""Print jobs and device states in the database; the pushes that tell kiosks and managers what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hallq.operations.context import HallContext
from hallq.operations.pushes import Push
from hallq.operations.snapshots import ticket_snapshot
from hallq.operations.status_tokens import status_path
from hallq.printing.layout import TicketPrint
from hallq.store.db import upsert_insert
from hallq.store.models import DeviceState, PrintJob, Ticket

FINAL = ("printed", "failed")
#: a job still queued after a restart is printed only when this fresh; a citizen does not wait longer
FRESH_FOR = timedelta(seconds=120)


@dataclass(frozen=True)
class Job:
    id: int
    ticket_id: int
    kiosk_id: str
    state: str
    base_url: str
    created_at: datetime


def queue_job(
    connection: Connection,
    ticket_id: int,
    kiosk_id: str,
    base_url: str,
    now: datetime,
    requested_by: str | None = None,
) -> int:
    values = {
        "ticket_id": ticket_id,
        "kiosk_id": kiosk_id,
        "state": "queued",
        "base_url": base_url[:200],
        "requested_by": requested_by,
        "created_at": now,
    }
    return int(connection.execute(insert(PrintJob).returning(PrintJob.id), values).scalar_one())


def print_json(job_id: int | None, error: str | None = None) -> dict[str, Any]:
    """The "print" part of a ticket answer: accepted for printing (the outcome is pushed), or why not."""
    if job_id is None:
        return {"ok": False, "state": "none", "job_id": None, "error": error}
    return {"ok": True, "state": "queued", "job_id": job_id, "error": None}


def load_job(ctx: HallContext, job_id: int) -> Job | None:
    with ctx.store.read() as session:
        row = session.get(PrintJob, job_id)
        if row is None:
            return None
        return Job(row.id, row.ticket_id, row.kiosk_id, row.state, row.base_url, row.created_at)


def status_address(ctx: HallContext, status_path: str, base_url: str) -> str:
    """The phone page's full address as a QR code gives it (paper and kiosk screen alike): the hall's
    `[hall.ticket] public_url` when set, else the address the request came to."""
    public = ctx.config.hall.ticket.public_url or base_url
    return public.rstrip("/") + status_path


def ticket_print(ctx: HallContext, ticket_id: int, base_url: str) -> TicketPrint:
    """What the ticket shows now (the people ahead and the estimate as of printing)."""
    config = ctx.config
    snapshot = ticket_snapshot(ctx, ticket_id, with_events=False)
    with ctx.store.read() as session:
        numbered = session.execute(
            select(Ticket.service_day, Ticket.zone_id, Ticket.seq).where(Ticket.id == ticket_id)
        ).one()
    service = config.service_by_id[snapshot["service_id"]]
    return TicketPrint(
        hall_name=config.hall.name,
        zone_name=config.zone_by_id[service.zone].name,
        service_name=service.name,
        number=snapshot["number"],
        ahead=snapshot["ahead"],
        estimated_wait_s=snapshot["estimated_wait_s"],
        estimated_wait_range_s=tuple(snapshot["estimated_wait_range_s"]),
        no_window_open=snapshot.get("no_window_open", False),
        issued_at=datetime.fromisoformat(snapshot["issued_at"]),  # in the hall's time zone
        status_url=status_address(ctx, status_path(ctx, numbered), base_url),
        materials=tuple(service.materials),
        footer=config.hall.footer,
        green=snapshot["priority"] == "green",
    )


def finish_job(
    ctx: HallContext,
    job_id: int,
    state: str,
    error: str | None = None,
    message: str | None = None,
    *,
    only_from: tuple[str, ...] = ("queued", "sent"),
) -> list[Push]:
    """Record a job's outcome once (a late duplicate answer changes nothing) and say so to the kiosk."""
    now = ctx.now()
    with ctx.store.write_connection() as connection:
        changed = connection.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.state.in_(only_from))
            .values(state=state, error=error, message=(message or "")[:300] or None, finished_at=now)
            .returning(PrintJob.ticket_id, PrintJob.kiosk_id)
        ).first()
        if changed is None:
            return []
        number = connection.execute(select(Ticket.number).where(Ticket.id == changed.ticket_id)).scalar_one()
    data = {
        "job_id": job_id,
        "ticket_id": changed.ticket_id,
        "number": number,
        "kiosk_id": changed.kiosk_id,
        "state": state,
        "error": error,
        "message": message,
    }
    return [
        Push("print_status", data, (f"kiosk:{changed.kiosk_id}", f"ticket:{changed.ticket_id}", "manager"))
    ]


def mark_sent(ctx: HallContext, job_id: int) -> bool:
    with ctx.store.write_connection() as connection:
        result = connection.execute(
            update(PrintJob).where(PrintJob.id == job_id, PrintJob.state == "queued").values(state="sent")
        )
        return bool(result.rowcount)


def set_device_state(
    ctx: HallContext, device_id: str, kind: str, state: str, message: str | None
) -> list[Push]:
    """Store a device's state; managers get a device_status push only when it changes."""
    now = ctx.now()
    with ctx.store.write_connection() as connection:
        before = connection.execute(
            select(DeviceState.state).where(DeviceState.device_id == device_id)
        ).scalar()
        if before == state:
            return []
        values = {"device_id": device_id, "kind": kind, "state": state, "message": message, "changed_at": now}
        statement = upsert_insert(connection.dialect.name)(DeviceState).values(values)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[DeviceState.device_id],
                set_={"state": state, "message": message, "changed_at": now},
            )
        )
    data: dict[str, object] = {"device": device_id, "kind": kind, "state": state, "message": message}
    data |= {"previous": before, "ok": state == "ok", "detail": message}  # ok, detail: the contract's names
    return [
        Push(
            "device_status",
            {**data, "at": now.astimezone(ctx.config.tz).isoformat(timespec="seconds")},
            ("manager",),
        )
    ]


def open_jobs(ctx: HallContext, kiosk_id: str | None = None) -> tuple[list[Job], list[Job]]:
    """Jobs not yet printed or failed: (fresh enough to print, too old to print)."""
    cutoff = ctx.now() - FRESH_FOR
    query = select(PrintJob).where(PrintJob.state.in_(("queued", "sent"))).order_by(PrintJob.id)
    if kiosk_id is not None:
        query = query.where(PrintJob.kiosk_id == kiosk_id)
    with ctx.store.read() as session:
        jobs = [
            Job(row.id, row.ticket_id, row.kiosk_id, row.state, row.base_url, row.created_at)
            for row in session.scalars(query)
        ]
    return [job for job in jobs if job.created_at >= cutoff], [job for job in jobs if job.created_at < cutoff]
