"""What a clerk (or a call pad through the bridge) does at a window: call, recall, serve, transfer, pause."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hallq.context import Actor, HallContext
from hallq.engine import IN_PROGRESS, Action, Status, TransitionError, next_status
from hallq.errors import Conflict, Forbidden, Invalid, NotFound
from hallq.models import Ticket, TicketEvent, WindowState
from hallq.operations.pushes import Push
from hallq.operations.queries import queue_heads, waiting_in_zone, window_view, zone_rooms
from hallq.operations.views import call_json, ticket_json, window_json

WINDOW_STATES = ("open", "paused", "closed")
SUPERVISORS = frozenset({"bridge", "manager", "admin"})


@dataclass
class Outcome:
    ticket: dict[str, Any] | None
    window: dict[str, Any]
    pushes: list[Push] = field(default_factory=list)


class _WindowAct:
    """One action on one window inside one write transaction; collects the pushes to send after commit."""

    def __init__(self, ctx: HallContext, session: Session, window_id: str, actor: Actor) -> None:
        if window_id not in ctx.config.window_by_id:
            raise NotFound("unknown_window", f"未知窗口 / Unknown window {window_id!r}")
        self.ctx, self.session, self.actor = ctx, session, actor
        self.window = ctx.config.window_by_id[window_id]
        self.now = ctx.now()
        self.pushes: list[Push] = []
        self.zones_touched: set[str] = set()
        state = session.get(WindowState, window_id, with_for_update=True)
        if state is None:
            state = WindowState(window_id=window_id, state="closed", changed_at=self.now)
            session.add(state)
        self.state = state

    # --- who may act -------------------------------------------------------------------------------
    def authorize(self, *, signing_in: bool = False) -> None:
        actor = self.actor
        if actor.role in SUPERVISORS:
            return
        if actor.role != "clerk":
            raise Forbidden("forbidden", "无权操作窗口 / This role cannot act on windows")
        if actor.window_id is not None:
            if actor.window_id != self.window.id:
                raise Forbidden(
                    "not_your_window", "此令牌属于其他窗口 / This token belongs to another window"
                )
            return
        if self.state.clerk == actor.name:
            return
        if signing_in and (self.state.clerk is None or self.state.state == "closed"):
            return
        raise Forbidden(
            "not_your_window",
            f"请先登录{self.window.number}号窗口 / Sign in to window {self.window.number} first",
        )

    @property
    def clerk(self) -> str | None:
        if self.actor.role == "clerk":
            return self.actor.name
        return self.state.clerk or self.actor.name

    # --- tickets -----------------------------------------------------------------------------------
    def current(self, *, required: bool = True) -> Ticket | None:
        ticket = (
            self.session.get(Ticket, self.state.current_ticket_id) if self.state.current_ticket_id else None
        )
        if ticket is not None and Status(ticket.status) not in IN_PROGRESS:
            ticket = None
        if ticket is None and required:
            raise Conflict("no_current_ticket", "本窗口当前没有叫号 / This window has no current ticket")
        return ticket

    def require_free(self) -> None:
        busy = self.current(required=False)
        if busy is not None:
            raise Conflict(
                "ticket_in_progress",
                f"{busy.number}号尚未办结或过号 / Finish {busy.number} or mark it no-show first",
            )

    def apply(
        self, ticket: Ticket, action: Action, event_type: str, detail: dict[str, Any] | None = None
    ) -> None:
        try:
            ticket.status = next_status(ticket.status, action).value
        except TransitionError as exc:
            raise Conflict("invalid_state", f"{ticket.number}: {exc}") from None
        self.session.add(
            TicketEvent(
                ticket_id=ticket.id,
                type=event_type,
                at=self.now,
                window_id=self.window.id,
                clerk=self.clerk,
                status_after=ticket.status,
                detail=detail,
            )
        )
        service = self.ctx.config.service_by_id.get(ticket.service_id)
        if service is not None:
            self.zones_touched.add(service.zone)

    def call(self, ticket: Ticket, detail: dict[str, Any] | None = None) -> None:
        if ticket.service_day != self.ctx.day(self.now):
            raise Conflict("invalid_state", f"{ticket.number}: 不是今天的号 / not a ticket of today")
        self.apply(ticket, Action.CALL, "called", detail)
        ticket.first_called_at = ticket.first_called_at or self.now
        ticket.called_at = self.now
        ticket.window_id = self.window.id
        ticket.target_window_id = None
        ticket.clerk = self.clerk
        self.state.current_ticket_id = ticket.id
        self.push_ticket("ticket_called", ticket)

    def push_ticket(self, event: str, ticket: Ticket) -> None:
        rooms = ("hall", "manager", f"window:{self.window.id}", f"ticket:{ticket.id}")
        if event in ("ticket_called", "ticket_recalled"):
            data = call_json(ticket, self.ctx.config, self.now)
        else:
            data = {"ticket": ticket_json(ticket, self.ctx.config), "window": self.window.id}
            data["ticket"].pop("status_url")
        self.pushes.append(Push(event, data, rooms))

    def set_state(self, state: str) -> None:
        self.state.state = state
        self.state.changed_at = self.now
        self.pushes.append(
            Push(
                "window_changed",
                {"window_id": self.window.id, "state": state},
                ("hall", "manager", f"window:{self.window.id}"),
            )
        )

    def outcome(self, ticket: dict[str, Any] | None) -> Outcome:
        day = self.ctx.day(self.now)
        for zone_id in sorted(self.zones_touched):
            waiting = waiting_in_zone(self.session, self.ctx, day, zone_id)
            rooms = zone_rooms(self.ctx, zone_id)
            self.pushes.append(Push("queue_changed", {"zone_id": zone_id, "waiting": waiting}, rooms))
        return Outcome(ticket, window_json(self.ctx, self.window.id, self.state), self.pushes)


def _act(ctx: HallContext, window_id: str, actor: Actor, body: Any, *, signing_in: bool = False) -> Outcome:
    with ctx.store.write() as session:
        act = _WindowAct(ctx, session, window_id, actor)
        act.authorize(signing_in=signing_in)
        result = body(act)
        ticket = ticket_json(result, ctx.config) if isinstance(result, Ticket) else None
        return act.outcome(ticket)


def call_next(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    def body(act: _WindowAct) -> Ticket | None:
        if act.state.state != "open":
            raise Conflict("window_not_open", f"窗口未开放或已暂停 / Window is {act.state.state}")
        act.require_free()
        view = window_view(act.ctx, window_id)
        for _attempt in range(5):
            head = act.ctx.policy.choose(view, queue_heads(act.session, view, act.ctx.day(act.now)), act.now)
            if head is None:
                return None
            ticket = act.session.get(Ticket, head.ticket_id, with_for_update=True)
            if ticket is not None and ticket.status == Status.WAITING:
                act.call(ticket)
                return ticket
        raise Conflict("busy", "请重试 / Too many windows calling at once, try again")

    return _act(ctx, window_id, actor, body)


def call_ticket(ctx: HallContext, window_id: str, actor: Actor, ticket_id: int) -> Outcome:
    def body(act: _WindowAct) -> Ticket:
        if act.state.state != "open":
            raise Conflict("window_not_open", f"窗口未开放 / Window is {act.state.state}")
        act.require_free()
        ticket = act.session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            raise NotFound("unknown_ticket", f"没有这张票 / No ticket {ticket_id}")
        act.call(ticket, {"specific": True})
        return ticket

    return _act(ctx, window_id, actor, body)


def recall(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    def body(act: _WindowAct) -> Ticket:
        ticket = act.current()
        assert ticket is not None
        act.apply(ticket, Action.RECALL, "recalled")
        ticket.recalls += 1
        ticket.called_at = act.now
        act.push_ticket("ticket_recalled", ticket)
        return ticket

    return _act(ctx, window_id, actor, body)


def _end(ctx: HallContext, window_id: str, actor: Actor, action: Action, event: str, outcome: str) -> Outcome:
    def body(act: _WindowAct) -> Ticket:
        ticket = act.current()
        assert ticket is not None
        act.apply(ticket, action, event)
        if action is Action.START:
            ticket.started_at = act.now
            act.push_ticket("ticket_started", ticket)
            return ticket
        ticket.finished_at = act.now
        ticket.outcome = outcome
        act.state.current_ticket_id = None
        act.push_ticket(f"ticket_{event}", ticket)
        return ticket

    return _act(ctx, window_id, actor, body)


def start(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    return _end(ctx, window_id, actor, Action.START, "started", "")


def finish(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    return _end(ctx, window_id, actor, Action.FINISH, "finished", "served")


def no_show(ctx: HallContext, window_id: str, actor: Actor) -> Outcome:
    return _end(ctx, window_id, actor, Action.NO_SHOW, "no_show", "no_show")


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
    if target_window_id is not None and target_window_id not in ctx.config.window_by_id:
        raise Invalid("unknown_window", f"未知窗口 / Unknown window {target_window_id!r}")
    if target_window_id == window_id:
        raise Invalid("invalid_request", "不能转给本窗口 / Cannot transfer to the same window")

    def body(act: _WindowAct) -> Ticket:
        ticket = act.current()
        assert ticket is not None
        detail = {"from_service": ticket.service_id, "to_service": service_id, "to_window": target_window_id}
        act.apply(ticket, Action.TRANSFER, "transferred", detail)
        old_zone = act.ctx.config.service_by_id[ticket.service_id].zone
        act.zones_touched.add(old_zone)
        if service_id is not None:
            ticket.service_id = service_id
            act.zones_touched.add(act.ctx.config.service_by_id[service_id].zone)
        ticket.target_window_id = target_window_id
        ticket.window_id = None
        act.state.current_ticket_id = None
        act.push_ticket("ticket_transferred", ticket)
        return ticket

    return _act(ctx, window_id, actor, body)


def change_state(ctx: HallContext, window_id: str, actor: Actor, verb: str) -> Outcome:
    """open (signs the clerk in), pause, resume, close (signs out; only with no ticket in progress)."""

    def body(act: _WindowAct) -> None:
        current_state = act.state.state
        if verb == "open":
            if actor.role == "clerk":
                act.state.clerk = actor.name
            act.set_state("open")
        elif verb == "pause":
            if current_state == "closed":
                raise Conflict("window_not_open", "窗口未开放 / Window is closed")
            act.set_state("paused")
        elif verb == "resume":
            if current_state != "paused":
                raise Conflict("window_not_paused", "窗口没有暂停 / Window is not paused")
            act.set_state("open")
        elif verb == "close":
            act.require_free()
            act.state.clerk = None
            act.set_state("closed")
        else:
            raise NotFound("unknown_action", f"unknown window action {verb!r}")

    return _act(ctx, window_id, actor, body, signing_in=verb == "open")
