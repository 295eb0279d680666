"""What-if runs of the managers' page: asked, checked at once (a clear message for a day with nothing to
replay, an unknown window), computed in the background with their progress written down, and kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select, update

from hallq.operations.context import HallContext
from hallq.simulate.replay import RecordedDay
from hallq.store.models import WhatIfRun
from hallq.whatif.advice import WEEKDAYS, consolidation, typical_days
from hallq.whatif.log import NoRecordedDays, read_days
from hallq.whatif.replay import BadChange, Changes, WindowHours, what_if
from hallq.whatif.staffing import staffing_advice

#: a run that has not moved for this long was cut off (the server stopped under it)
STALE_AFTER = timedelta(minutes=2)
MAX_DAYS = 62


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["replay", "staffing", "consolidation"]
    first: date | None = None
    last: date | None = None
    weekday: int | None = Field(default=None, ge=0, le=6)
    rule: Literal["ab", "own-first", "longest-wait"] | None = None
    arrivals_factor: float = Field(default=1.0, gt=0, le=5)
    #: "W03=closed@09:00-12:00"
    window_hours: list[str] = Field(default_factory=list)
    #: "W01:invoice"
    add_b: list[str] = Field(default_factory=list)
    remove_b: list[str] = Field(default_factory=list)
    into: str | None = None


def parse_window_hours(text: str) -> WindowHours:
    try:
        window_id, rest = text.strip().split("=", 1)
        state, span = rest.split("@", 1)
        start, end = span.split("-", 1)
        seconds = [int(h) * 3600 + int(m) * 60 for h, m in (t.split(":") for t in (start, end))]
    except ValueError:
        raise BadChange(f"{text!r}: write a window's hours like W03=closed@09:00-12:00") from None
    return WindowHours(window_id.strip(), state.strip(), float(seconds[0]), float(seconds[1]))


def parse_pair(text: str) -> tuple[str, str]:
    window_id, sep, service_id = text.strip().partition(":")
    if not sep or not window_id or not service_id:
        raise BadChange(f"{text!r}: write a window and a service like W01:invoice")
    return window_id.strip(), service_id.strip()


def changes_of(request: RunRequest) -> Changes:
    return Changes(
        rule=request.rule,
        arrivals_factor=request.arrivals_factor,
        window_hours=tuple(parse_window_hours(t) for t in request.window_hours if t.strip()),
        add_b=tuple(parse_pair(t) for t in request.add_b if t.strip()),
        remove_b=tuple(parse_pair(t) for t in request.remove_b if t.strip()),
    )


def prepare(ctx: HallContext, fields: dict[str, Any]) -> tuple[RunRequest, list[RecordedDay]]:
    """The request checked and its recorded days read; BadChange or NoRecordedDays with a clear message."""
    try:
        request = RunRequest.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise BadChange(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    if request.kind == "staffing":
        if request.weekday is None:
            raise BadChange("choose a day of the week")
        return request, typical_days(ctx, request.weekday, ctx.config.hall.staffing.weeks, ctx.day())
    if request.first is None or request.last is None:
        raise BadChange("choose the first and the last day")
    if (request.last - request.first).days >= MAX_DAYS:
        raise BadChange(f"at most {MAX_DAYS} days at a time")
    days = read_days(ctx, request.first, request.last)
    if request.kind == "replay":
        changes_of(request).check(ctx.config)
    elif request.into is not None and request.into not in ctx.config.window_by_id:
        raise BadChange(f"unknown window {request.into!r}")
    return request, days


def compute(
    ctx: HallContext, request: RunRequest, days: list[RecordedDay], progress: Callable[[float], None]
) -> dict[str, Any]:
    """The answer (no database access: it may run in another thread)."""
    config = ctx.config
    if request.kind == "replay":
        return what_if(config, days, changes_of(request))
    if request.kind == "staffing":
        target = config.hall.staffing.p90_wait_target_s
        rows = [a.as_dict() for a in staffing_advice(config, days, target, progress=progress)]
        assert request.weekday is not None
        return {
            "weekday": WEEKDAYS[request.weekday],
            "days": [d.day.isoformat() for d in days],
            "target_p90_wait_s": target,
            "rows": rows,
        }
    return consolidation(config, days, request.into or None, progress=progress)


def start(ctx: HallContext, request: RunRequest, created_by: str) -> int:
    now = ctx.now()
    with ctx.store.write() as session:
        run = WhatIfRun(
            kind=request.kind,
            request=request.model_dump(mode="json"),
            state="running",
            progress=0.0,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        session.add(run)
        session.flush()
        return run.id


def record_progress(ctx: HallContext, run_id: int, share: float) -> None:
    with ctx.store.write() as session:
        session.execute(
            update(WhatIfRun)
            .where(WhatIfRun.id == run_id, WhatIfRun.state == "running")
            .values(progress=round(min(max(share, 0.0), 1.0), 3), updated_at=ctx.now())
        )


def finish(ctx: HallContext, run_id: int, result: dict[str, Any] | None, message: str | None = None) -> None:
    with ctx.store.write() as session:
        session.execute(
            update(WhatIfRun)
            .where(WhatIfRun.id == run_id)
            .values(
                state="done" if result is not None else "failed",
                progress=1.0 if result is not None else WhatIfRun.progress,
                result=result,
                message=message,
                updated_at=ctx.now(),
            )
        )


def view(ctx: HallContext, run: WhatIfRun) -> dict[str, Any]:
    state = run.state
    if state == "running" and ctx.now() - run.updated_at > STALE_AFTER:
        state = "interrupted"
    return {
        "id": run.id,
        "kind": run.kind,
        "request": run.request,
        "state": state,
        "progress": run.progress,
        "message": run.message,
        "created_by": run.created_by,
        "created_at": run.created_at.astimezone(ctx.config.tz).strftime("%Y-%m-%d %H:%M"),
    }


def get(ctx: HallContext, run_id: int) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    with ctx.store.read() as session:
        run = session.get(WhatIfRun, run_id)
        return None if run is None else (view(ctx, run), run.result)


def recent(ctx: HallContext, limit: int = 30) -> list[dict[str, Any]]:
    with ctx.store.read() as session:
        runs = session.scalars(select(WhatIfRun).order_by(WhatIfRun.id.desc()).limit(limit)).all()
        return [view(ctx, run) for run in runs]


def execute(
    ctx: HallContext,
    run_id: int,
    request: RunRequest,
    days: list[RecordedDay],
    offload: Callable[..., Any],
    spawn: Callable[..., Any],
    sleep: Callable[[float], Any],
) -> None:
    """The background task: compute off the event loop, write the progress down meanwhile, keep the answer."""
    share = {"now": 0.0, "done": False}

    def write_progress() -> None:
        written = 0.0
        while not share["done"]:
            if share["now"] != written:
                written = share["now"]
                record_progress(ctx, run_id, written)
            sleep(0.2)

    spawn(write_progress)
    try:
        result = offload(compute, ctx, request, days, lambda s: share.__setitem__("now", s))
    except (BadChange, NoRecordedDays) as error:
        finish(ctx, run_id, None, str(error))
    except Exception as error:  # a run must end, whatever happened; the log keeps the trace
        finish(ctx, run_id, None, f"failed: {type(error).__name__}")
        raise
    else:
        finish(ctx, run_id, result)
    finally:
        share["done"] = True
