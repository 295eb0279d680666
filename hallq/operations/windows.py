"""What a clerk (or a call pad through the bridge) does at a window: call, recall, serve, transfer, pause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select

from hallq.engine import Action, Status
from hallq.operations.audit import record
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, Invalid, NotFound
from hallq.operations.pushes import Push
from hallq.operations.queries import open_a_windows, queue_heads, window_view
from hallq.operations.window_act import WaitingTicket, WindowAct
from hallq.store.models import WindowState

#: how often call-next picks again when other windows took its choice first
CALL_ATTEMPTS = 5


@dataclass
class Outcome:
    ticket: dict[str, Any] | None
    window: dict[str, Any]
    pushes: list[Push] = field(default_factory=list)


def _act(
    ctx: HallContext,
    window_id: str,
    actor: Actor,
    body: Callable[[WindowAct], Row[Any] | None],
) -> Outcome:
    with ctx.store.write_connection() as connection:
        act = WindowAct(ctx, connection, window_id, actor)
        act.authorize()
        ticket, window, pushes = act.finish(body(act))
    return Outcome(ticket, window, pushes)


def _call_by_the_rule(act: WindowAct) -> Row[Any] | None:
    """Call the ticket the call rule picks for this free, open window; None when nobody is waiting for it."""
    view = window_view(act.ctx, act.window.id)
    day = act.ctx.day(act.now)
    policy = act.ctx.policy
    services = policy.queues_for(view, act.ctx.config.service_by_id)
    a_open = open_a_windows(act.ctx, act.loads())
    for _attempt in range(CALL_ATTEMPTS):
        heads = queue_heads(act.connection, view, services, day, a_open)
        head = policy.choose(view, heads, act.now)
        if head is None:
            return None
        called = act.call(WaitingTicket(head.ticket_id, head.service_id), lost_race_ok=True)
        if called is not None:
            return called
    raise Conflict("busy", "请重试 / Too many windows calling at once, try again")


def call_next(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    def body(act: WindowAct) -> Row[Any] | None:
        act.require_open()
        act.require_free()
        return _call_by_the_rule(act)

    return _act(ctx, window_id, actor, body)


def next_ticket(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    """下一位: one press ends the current ticket (finished; or, for one called and never started, what
    `[hall] next_ends_called_as` says) and calls the next by the call rule, in one transaction."""

    def body(act: WindowAct) -> Row[Any] | None:
        act.require_open()
        current = act.current_or_none()
        if current is not None:
            if Status(current.status) == Status.CALLED and ctx.config.hall.next_ends_called_as == "no_show":
                _end_current(act, Action.NO_SHOW, "no_show", "no_show")
            else:
                _end_current(act, Action.FINISH, "finished", "served")
        return _call_by_the_rule(act)

    return _act(ctx, window_id, actor, body)


def call_ticket(ctx: HallContext, window_id: str, actor: Actor, ticket_id: int) -> Outcome:
    def body(act: WindowAct) -> Row[Any] | None:
        act.require_open()
        act.require_free()
        ticket = act.ticket(ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
        called = act.call(ticket, {"specific": True})
        if called is not None:  # out of the call rule's order: on the record
            detail = {"window": window_id}
            record(act.connection, act.now, "ticket.called_specific", actor, ticket.number, detail)
        return called

    return _act(ctx, window_id, actor, body)


def recall(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    def body(act: WindowAct) -> Row[Any] | None:
        ticket = act.current()
        recalled = act.change(
            ticket, Action.RECALL, "recalled", recalls=ticket.recalls + 1, called_at=act.now
        )
        assert recalled is not None
        act.push_ticket("ticket_recalled", recalled)
        return recalled

    return _act(ctx, window_id, actor, body)


def start(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    def body(act: WindowAct) -> Row[Any] | None:
        started = act.change(act.current(), Action.START, "started", started_at=act.now)
        assert started is not None
        act.push_ticket("ticket_started", started)
        return started

    return _act(ctx, window_id, actor, body)


def _end(ctx: HallContext, window_id: str, actor: Actor, action: Action, event: str, outcome: str) -> Outcome:
    """Finish or no-show: the ticket leaves the window, which is free to call again."""

    return _act(ctx, window_id, actor, lambda act: _end_current(act, action, event, outcome))


def _end_current(act: WindowAct, action: Action, event: str, outcome: str) -> Row[Any]:
    detail = {"outcome": outcome}
    ended = act.change(act.current(), action, event, detail, finished_at=act.now, outcome=outcome)
    assert ended is not None
    act.set_current(None)
    act.push_ticket(f"ticket_{event}", ended)
    return ended


def finish(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    return _end(ctx, window_id, actor, Action.FINISH, "finished", "served")


def no_show(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    return _end(ctx, window_id, actor, Action.NO_SHOW, "no_show", "no_show")


def requeue(ctx: HallContext, window_id: str, actor: Actor, ticket_id: int) -> Outcome:
    """过号 undone: a ticket this window marked no-show today (pressed by mistake, or the citizen came back)
    waits again in its old place (its queue time is kept), for its service, any window."""

    def body(act: WindowAct) -> Row[Any] | None:
        ticket = act.ticket(ticket_id)
        if ticket is None or ticket.window_id != window_id or ticket.service_day != act.ctx.day(act.now):
            raise NotFound(
                "unknown_ticket", f"本窗口今天没有过号的这张票 / No no-show {ticket_id} here today"
            )
        detail = {"window": window_id}
        back = act.change(
            ticket, Action.REQUEUE, "requeued", detail, window_id=None, finished_at=None, outcome=None
        )
        assert back is not None
        record(act.connection, act.now, "ticket.requeued", actor, ticket.number, detail)
        act.push_ticket("ticket_requeued", back)
        return back

    return _act(ctx, window_id, actor, body)


def transfer(
    ctx: HallContext, window_id: str, actor: Actor, *, service_id: str | None, target_window_id: str | None
) -> Outcome:
    """Send the current ticket back to waiting, for another service or another window; it keeps its place."""
    if (service_id is None) == (target_window_id is None):
        raise Invalid(
            "invalid_request", "给出 service_id 或 window_id 之一 / Give exactly one of service_id, window_id"
        )
    if service_id is not None and service_id not in ctx.config.service_by_id:
        raise Invalid("unknown_service", f"未知事项 / Unknown service {service_id!r}")
    if service_id is not None and ctx.config.service_by_id[service_id].retiring:
        name = ctx.config.service_by_id[service_id].name
        raise Invalid("service_retiring", f"{name}已停止取号，不能转入 / {name} takes no new tickets")
    if target_window_id is not None and target_window_id not in ctx.config.window_by_id:
        raise Invalid("unknown_window", f"未知窗口 / Unknown window {target_window_id!r}")
    if target_window_id == window_id:
        raise Invalid("invalid_request", "不能转给本窗口 / Cannot transfer to the same window")

    def body(act: WindowAct) -> Row[Any] | None:
        ticket = act.current()
        target = act.loads().get(target_window_id) if target_window_id is not None else None
        if target_window_id is not None and (target is None or target.state == "closed"):
            number = ctx.config.window_by_id[target_window_id].number
            raise Conflict(
                "window_closed",
                f"{number}号窗口未开放，不能转入 / Window {number} is closed: transfer to an open one",
            )
        detail = {"from_service": ticket.service_id, "to_service": service_id, "to_window": target_window_id}
        moved = act.change(
            ticket,
            Action.TRANSFER,
            "transferred",
            detail,
            service_id=service_id or ticket.service_id,
            target_window_id=target_window_id,
            window_id=None,
        )
        assert moved is not None
        record(
            act.connection,
            act.now,
            "ticket.transferred",
            actor,
            ticket.number,
            {"window": window_id, **detail},
        )
        act.set_current(None)
        act.push_ticket("ticket_transferred", moved)
        return moved

    return _act(ctx, window_id, actor, body)


def open_window(ctx: HallContext, window_id: str, actor: Actor, *, take_over: bool = False) -> Outcome:
    """Open the window; a clerk signs in to it (audited). A window another clerk is signed in to is refused
    (409 window_staffed) unless `take_over`. A clerk signed in at another window leaves it: it closes, or the
    sign-in is refused while a ticket is in hand there."""

    def sign_in(act: WindowAct) -> None:
        previous = act.state.clerk if act.state.state != "closed" else None
        if actor.role != "clerk":
            act.set_state("open", clerk=act.state.clerk)
            return
        held = select(WindowState.window_id).where(
            WindowState.clerk == actor.name, WindowState.state != "closed", WindowState.window_id != window_id
        )
        for other_id in act.connection.scalars(held).all():
            _leave(act, other_id, f"moved to {window_id}")
        act.set_state("open", clerk=actor.name)
        if previous != actor.name:
            detail: dict[str, Any] = {"window": window_id}
            if actor.address:  # where the clerk works from: a rating sent from there is flagged
                detail["address"] = actor.address
            if previous is not None:
                detail["taken_over_from"] = previous
            action = "window.taken_over" if previous else "window.signed_in"
            record(act.connection, act.now, action, actor, window_id, detail)

    with ctx.store.write_connection() as connection:
        act = WindowAct(ctx, connection, window_id, actor)
        act.authorize(signing_in=True, take_over=take_over)
        sign_in(act)
        ticket, window, pushes = act.finish(None)
    return Outcome(ticket, window, pushes)


def _leave(act: WindowAct, window_id: str, why: str) -> None:
    """Sign the acting clerk out of another window they hold, in the same transaction (it closes)."""
    other = WindowAct(act.ctx, act.connection, window_id, act.actor)
    if other.state.current_ticket_id is not None:
        number = other.window.number
        raise Conflict(
            "signed_in_elsewhere",
            f"请先在{number}号窗口办结或过号 / Finish or no-show at window {number} first",
        )
    other.set_state("closed", clerk=None)
    record(
        act.connection, act.now, "window.signed_out", act.actor, window_id, {"window": window_id, "why": why}
    )
    act.pushes += other.finish(None)[2]
    act.loads_changed()


def change_state(ctx: HallContext, window_id: str, actor: Actor, verb: str) -> Outcome:
    """open (open_window), pause, resume, close (signs the clerk out, audited; only with no ticket in
    progress)."""
    if verb == "open":
        return open_window(ctx, window_id, actor)

    def body(act: WindowAct) -> None:
        current_state = act.state.state
        if verb == "pause":
            if current_state == "closed":
                raise Conflict("window_not_open", "窗口未开放 / Window is closed")
            act.set_state("paused")
        elif verb == "resume":
            if current_state != "paused":
                raise Conflict("window_not_paused", "窗口没有暂停 / Window is not paused")
            act.set_state("open")
        elif verb == "close":
            act.require_free()
            if act.state.clerk is not None and current_state != "closed":
                detail = {"window": window_id, "clerk": act.state.clerk, "why": "closed"}
                record(act.connection, act.now, "window.signed_out", actor, window_id, detail)
            act.set_state("closed", clerk=None)
        else:
            raise NotFound("unknown_action", f"unknown window action {verb!r}")
        return None

    return _act(ctx, window_id, actor, body)
