"""One action on one window inside one write transaction, on prebuilt Core statements.

Every ticket change is a conditional UPDATE (`... WHERE id = ? AND status = <the status we read>`), so two
windows, threads or server processes can never both move the same ticket: the loser sees no row and retries
or gets a 409. The window's own row is read FOR UPDATE (PostgreSQL), so actions on one window queue up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from hallq.engine import IN_PROGRESS, Action, Status, TransitionError, next_status
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import Conflict, Forbidden, NotFound
from hallq.operations.pushes import Push
from hallq.operations.queries import window_loads
from hallq.operations.views import call_json, ticket_json, window_json
from hallq.operations.zones import zone_pushes
from hallq.store.db import upsert_insert
from hallq.store.models import Ticket, TicketEvent, WindowEvent, WindowState

SUPERVISORS = frozenset({"bridge", "manager", "admin"})
TICKETS = Ticket.__table__
_SELECT_TICKET = select(TICKETS).where(TICKETS.c.id == bindparam("ticket_id"))
_SELECT_STATE = (
    select(WindowState.state, WindowState.clerk, WindowState.current_ticket_id)
    .where(WindowState.window_id == bindparam("window_id"))
    .with_for_update()
)
_UPDATE_STATE = (
    update(WindowState)
    .where(WindowState.window_id == bindparam("b_window_id"))
    .values(
        state=bindparam("b_state"),
        clerk=bindparam("b_clerk"),
        current_ticket_id=bindparam("b_current"),
        changed_at=bindparam("b_changed_at"),
    )
)
_INSERT_EVENT = insert(TicketEvent)
_INSERT_WINDOW_EVENT = insert(WindowEvent)


@cache
def _update_ticket(keys: tuple[str, ...]) -> Any:
    values: dict[str, Any] = {key: bindparam(f"b_{key}") for key in keys}
    if "first_called_at" in values:  # the first call's time is kept: it is what a wait is measured to
        values["first_called_at"] = func.coalesce(Ticket.first_called_at, values["first_called_at"])
    return (
        update(Ticket)
        .where(Ticket.id == bindparam("where_id"), Ticket.status == bindparam("where_status"))
        .values(values)
        .returning(*TICKETS.c)
    )


@dataclass(frozen=True)
class WaitingTicket:
    """What call-next knows of a queue head without reading its row: enough to move it by the rules."""

    id: int
    service_id: str
    number: str = "?"
    status: str = Status.WAITING.value


def ensure_window_rows(ctx: HallContext) -> None:
    """A closed row for every window of the hall file, so no action ever races to create one."""
    now = ctx.now()
    with ctx.store.write_connection() as connection:
        insert_for = upsert_insert(connection.dialect.name)
        rows = [
            {
                "window_id": w.id,
                "state": "closed",
                "clerk": None,
                "current_ticket_id": None,
                "changed_at": now,
            }
            for w in ctx.config.windows
        ]
        connection.execute(insert_for(WindowState).on_conflict_do_nothing(index_elements=["window_id"]), rows)


@dataclass
class WindowLoad:
    state: str
    clerk: str | None
    current_ticket_id: int | None


class WindowAct:
    """Reads the window, checks who acts, moves tickets, and collects the pushes to send after commit."""

    def __init__(self, ctx: HallContext, connection: Connection, window_id: str, actor: Actor) -> None:
        if window_id not in ctx.config.window_by_id:
            raise NotFound("unknown_window", f"未知窗口 / Unknown window {window_id!r}")
        self.ctx, self.connection, self.actor = ctx, connection, actor
        self.window = ctx.config.window_by_id[window_id]
        self.now = ctx.now()
        self.pushes: list[Push] = []
        self.zones_touched: set[str] = set()
        # every configured window has its row from start-up (ensure_window_rows)
        row = connection.execute(_SELECT_STATE, {"window_id": window_id}).one()
        self.state = WindowLoad(row.state, row.clerk, row.current_ticket_id)
        self._state_changed = False
        #: open/paused/closed changed: logged in window_events for open time, idle share, attendance
        self._state_logged = False
        self._loads: dict[str, Any] | None = None
        self._current: Row[Any] | None = None

    # --- who may act -------------------------------------------------------------------------------
    def authorize(self, *, signing_in: bool = False, take_over: bool = False) -> None:
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
        number = self.window.number
        if not actor.may_act_at(self.window.id):
            raise Forbidden(
                "not_your_window",
                f"您的账号不能登录{number}号窗口，请联系管理员 / "
                f"Your account may not sign in at window {number}",
            )
        if self.state.clerk == actor.name:
            return
        if signing_in and (self.state.clerk is None or self.state.state == "closed" or take_over):
            return
        if signing_in:
            clerk = self.state.clerk
            raise Conflict(
                "window_staffed",
                f"{number}号窗口已由 {clerk} 登录，可以接管 / {clerk} is signed in at window {number}; "
                "take over?",
            )
        raise Forbidden("not_your_window", f"请先登录{number}号窗口 / Sign in to window {number} first")

    @property
    def clerk(self) -> str | None:
        if self.actor.role == "clerk":
            return self.actor.name
        return self.state.clerk or self.actor.name

    # --- tickets -----------------------------------------------------------------------------------
    def ticket(self, ticket_id: int) -> Row[Any] | None:
        return self.connection.execute(_SELECT_TICKET, {"ticket_id": ticket_id}).first()

    def current(self) -> Row[Any]:
        ticket = self.current_or_none()
        if ticket is None:
            raise Conflict("no_current_ticket", "本窗口当前没有叫号 / This window has no current ticket")
        return ticket

    def current_or_none(self) -> Row[Any] | None:
        """The ticket called or served here; read once per action (下一位 asks twice)."""
        if self.state.current_ticket_id is None:
            return None
        if self._current is None or self._current.id != self.state.current_ticket_id:
            self._current = self.ticket(self.state.current_ticket_id)
        ticket = self._current
        return ticket if ticket is not None and Status(ticket.status) in IN_PROGRESS else None

    def require_free(self) -> None:
        busy = self.current_or_none()
        if busy is not None:
            raise Conflict(
                "ticket_in_progress",
                f"{busy.number}号尚未办结或过号 / Finish {busy.number} or mark it no-show first",
            )

    def require_open(self) -> None:
        if self.state.state != "open":
            raise Conflict("window_not_open", f"窗口未开放或已暂停 / Window is {self.state.state}")

    def change(
        self,
        ticket: Row[Any] | WaitingTicket,
        action: Action,
        event_type: str,
        detail: dict[str, Any] | None = None,
        *,
        lost_race_ok: bool = False,
        **values: Any,
    ) -> Row[Any] | None:
        """Move a ticket by the engine's rules; None if another actor moved it first and that is fine."""
        try:
            values["status"] = next_status(ticket.status, action).value
        except TransitionError as exc:
            raise Conflict("invalid_state", f"{ticket.number}: {exc}") from None
        keys = tuple(sorted(values))
        parameters = {f"b_{key}": values[key] for key in keys}
        parameters.update(where_id=ticket.id, where_status=ticket.status)
        row = self.connection.execute(_update_ticket(keys), parameters).first()
        if row is not None and self._current is not None and row.id == self._current.id:
            self._current = row  # the current ticket as this action has left it
        if row is None:
            if lost_race_ok:
                return None
            raise Conflict(
                "busy", f"{ticket.number}: 刚被其他操作改变，请重试 / changed meanwhile, try again"
            )
        self.connection.execute(
            _INSERT_EVENT,
            {
                "ticket_id": ticket.id,
                "type": event_type,
                "at": self.now,
                "window_id": self.window.id,
                "clerk": self.clerk,
                "status_after": row.status,
                "detail": detail,
            },
        )
        for service_id in {ticket.service_id, row.service_id}:
            service = self.ctx.config.service_by_id.get(service_id)
            if service is not None:
                self.zones_touched.add(service.zone)
        return row

    def call(
        self, ticket: Row[Any] | WaitingTicket, detail: dict[str, Any] | None = None, **options: Any
    ) -> Row[Any] | None:
        """Call a ticket read from the database, or a queue head of today (whose row need not be read)."""
        if isinstance(ticket, Row) and ticket.service_day != self.ctx.day(self.now):
            raise Conflict("invalid_state", f"{ticket.number}: 不是今天的号 / not a ticket of today")
        called = self.change(
            ticket,
            Action.CALL,
            "called",
            detail,
            first_called_at=self.now,
            called_at=self.now,
            window_id=self.window.id,
            target_window_id=None,
            clerk=self.clerk,
            **options,
        )
        if called is not None:
            self.set_current(called.id)
            self.push_ticket("ticket_called", called)
        return called

    def push_ticket(self, event: str, ticket: Row[Any]) -> None:
        rooms = ("hall", "manager", f"window:{self.window.id}", f"ticket:{ticket.id}")
        if event in ("ticket_called", "ticket_recalled"):
            data = call_json(ticket, self.ctx.config, self.now, recalled=event == "ticket_recalled")
        else:
            data = {"ticket": ticket_json(ticket, self.ctx.config), "window": self.window.id}
        self.pushes.append(Push(event, data, rooms))

    def loads(self) -> dict[str, Any]:
        """Every window's state and current ticket, this window's as this action has left it (read once)."""
        if self._loads is None:
            self._loads = window_loads(self.connection)
        return {**self._loads, self.window.id: self.state}

    def loads_changed(self) -> None:
        """Another window's row changed in this transaction: read the loads again when next asked."""
        self._loads = None

    # --- the window itself -------------------------------------------------------------------------
    def set_current(self, ticket_id: int | None) -> None:
        self.state.current_ticket_id = ticket_id
        self._state_changed = True

    def set_state(self, state: str, *, clerk: str | bool | None = False) -> None:
        """Change open/paused/closed; `clerk` (when given) signs a clerk in, or out with None."""
        self.state.state = state
        if clerk is not False:
            self.state.clerk = clerk  # type: ignore[assignment]
        self._state_changed = self._state_logged = True
        if state == "closed":  # tickets sent to this window go back to their service's queue, in their place
            self.connection.execute(
                update(Ticket)
                .where(Ticket.target_window_id == self.window.id, Ticket.status == "waiting")
                .values(target_window_id=None)
            )
        # the zones this window serves gain or lose a window: their alerts may change
        for service_id in (*self.window.a_services, *self.window.b_services):
            self.zones_touched.add(self.ctx.config.service_by_id[service_id].zone)
        rooms = ("hall", "manager", f"window:{self.window.id}")
        self.pushes.append(Push("window_changed", {"window_id": self.window.id, "state": state}, rooms))

    def finish(self, ticket: Row[Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any], list[Push]]:
        """Write the window row, add queue_changed for every zone touched; return (ticket, window, pushes)."""
        if self._state_changed:
            self.connection.execute(
                _UPDATE_STATE,
                {
                    "b_window_id": self.window.id,
                    "b_state": self.state.state,
                    "b_clerk": self.state.clerk,
                    "b_current": self.state.current_ticket_id,
                    "b_changed_at": self.now,
                },
            )
        if self._state_logged:
            self.connection.execute(
                _INSERT_WINDOW_EVENT,
                {
                    "window_id": self.window.id,
                    "service_day": self.ctx.day(self.now),
                    "state": self.state.state,
                    "clerk": self.state.clerk,
                    "at": self.now,
                },
            )
        if self.zones_touched:
            day = self.ctx.day(self.now)
            self.pushes += zone_pushes(
                self.ctx, self.connection, day, self.zones_touched, self.loads(), self.now
            )
        body = ticket_json(ticket, self.ctx.config) if ticket is not None else None
        return body, window_json(self.ctx, self.window.id, self.state), self.pushes
