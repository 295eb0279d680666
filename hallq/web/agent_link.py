"""The server's side of a kiosk agent (`hallq kiosk-agent`): jobs waiting for it, its answers, its comings
and goings. The agent joins room printer:<kiosk> with a kiosk token bound to that kiosk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hallq.operations.context import HallContext
from hallq.operations.errors import Forbidden, Invalid, NotFound
from hallq.operations.printing import finish_job, load_job, mark_sent, open_jobs, set_device_state
from hallq.operations.pushes import Push
from hallq.printing.connectors import MESSAGES, PrintFault
from hallq.store.models import MAX_ID, DeviceState

AGENT_GONE = ("agent_offline", "agent_timeout")
PRINTER_STATES = ("ok", "paper_low", *MESSAGES)


def kiosk_snapshot(ctx: HallContext, kiosk_id: str) -> dict[str, Any]:
    kiosk = ctx.config.kiosk_by_id.get(kiosk_id)
    if kiosk is None:
        raise NotFound("unknown_kiosk", f"未知取号机 / Unknown kiosk {kiosk_id!r}")
    uri = kiosk.printer_uri
    with ctx.store.read() as session:
        state = session.get(DeviceState, f"printer:{kiosk_id}")
        printer_state = {"state": state.state, "message": state.message} if state else None
    return {
        "room": f"kiosk:{kiosk_id}",
        "kiosk": {"id": kiosk.id, "name": kiosk.name, "paper": kiosk.paper, "mode": kiosk.mode},
        "printer": {"connector": uri.scheme if uri else None, "status": printer_state},
    }


def _device_state(ctx: HallContext, kiosk_id: str) -> str | None:
    with ctx.store.read() as session:
        return session.scalar(select(DeviceState.state).where(DeviceState.device_id == f"printer:{kiosk_id}"))


def agent_joined(ctx: HallContext, kiosk_id: str) -> tuple[list[dict[str, Any]], list[Push]]:
    """Jobs the agent should print now (fresh ones it has not answered), and the device's recovery."""
    from hallq.web.print_worker import render  # the worker's own rendering, not a copy

    kiosk = ctx.config.kiosk_by_id[kiosk_id]
    jobs: list[dict[str, Any]] = []
    pushes: list[Push] = []
    fresh, _stale = open_jobs(ctx, kiosk_id)
    for job in fresh:
        try:
            data = render(ctx, kiosk, job)
        except PrintFault as fault:
            pushes += finish_job(ctx, job.id, "failed", fault.code, fault.message)
            continue
        mark_sent(ctx, job.id)
        jobs.append({"job_id": job.id, "ticket_id": job.ticket_id, "data": data})
    if _device_state(ctx, kiosk_id) in AGENT_GONE:
        pushes += set_device_state(
            ctx, f"printer:{kiosk_id}", "printer", "ok", "打印代理已连接 / Print agent back"
        )
    return jobs, pushes


def agent_left(ctx: HallContext, kiosk_id: str) -> list[Push]:
    message = "取号机打印代理已断开 / The kiosk's print agent disconnected"
    return set_device_state(ctx, f"printer:{kiosk_id}", "printer", "agent_offline", message)


def record_agent_result(ctx: HallContext, kiosk_id: str, data: Any) -> list[Push]:
    """{"job_id", "ok", "error" (a PrintFault code), "message", "printer_state"} from the agent."""
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("job_id"), int)
        or not 0 < data["job_id"] <= MAX_ID
        or not isinstance(data.get("ok"), bool)
    ):
        raise Invalid("invalid_result", 'print_result needs {"job_id": int, "ok": bool, ...}')
    job = load_job(ctx, data["job_id"])
    if job is None:
        raise NotFound("unknown_job", f"no print job {data['job_id']}")
    if job.kiosk_id != kiosk_id:
        raise Forbidden("wrong_kiosk", f"job {job.id} belongs to kiosk {job.kiosk_id}")
    error = str(data.get("error") or "error")[:32]
    state = str(data.get("printer_state") or ("ok" if data["ok"] else error))[:16]
    if state not in PRINTER_STATES:
        state = "error"
    message = str(data.get("message") or MESSAGES.get(error, error))[:300]
    if data["ok"]:
        pushes = finish_job(ctx, job.id, "printed")
        note = MESSAGES["paper_low"] if state == "paper_low" else None
    else:
        pushes = finish_job(ctx, job.id, "failed", error, MESSAGES.get(error, message))
        note = message
    return [*pushes, *set_device_state(ctx, f"printer:{kiosk_id}", "printer", state, note)]
