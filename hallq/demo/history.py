"""Synthetic past days for a hall: the demo's month of history and the 1,000,000-ticket benchmark.

Each working day every window opens at opening time with its clerk, pauses over lunch and closes at closing
time; tickets arrive with a morning peak and a rush after lunch, wait, are served at one of their service's
windows (now and then a B window), and most are rated. Written in bulk with explicit ids (no per-row
round trips); per-ticket event logs are optional (the reports do not read them).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from hallq.engine import make_policy
from hallq.operations.context import HallContext
from hallq.simulate.replay import RecordedAbsence, RecordedDay, RecordedTicket
from hallq.simulate.run import HallDay
from hallq.simulate.scenario import seconds_of
from hallq.store.models import FollowUp, Rating, Ticket, TicketEvent, WindowEvent
from hallq.whatif.replay import scenario_for

#: how many citizens come in each hour of the clock, relative to each other (a morning peak, a rush after
#: lunch, a quiet end of the afternoon); only inside the hall's issuing hours, never in its lunch break
CLOCK_SHAPE = {8: 0.8, 9: 1.6, 10: 1.9, 11: 1.5, 12: 0.9, 13: 1.3, 14: 1.5, 15: 1.1, 16: 0.6, 17: 0.3}
#: seconds from a ticket coming up at an idle window to the clerk pressing 叫号
CALL_REACTION_S = (15.0, 75.0)
#: a day's citizens by ISO weekday, relative to a Wednesday: Monday's backlog, a quieter Friday, the
#: weekend's few (halls open on a 调休 Saturday)
WEEKDAY_LOAD = {1: 1.12, 2: 1.05, 3: 1.0, 4: 1.0, 5: 0.88, 6: 0.6, 7: 0.6}
LEVEL_WEIGHTS = {5: 0.62, 4: 0.24, 3: 0.09, 2: 0.03, 1: 0.02}
CHUNK = 5000


@dataclass(frozen=True)
class Visit:
    service_id: str
    window_id: str
    issued: datetime
    called: datetime
    duration_s: float
    no_show: bool


@dataclass
class Batch:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    window_events: list[dict[str, Any]] = field(default_factory=list)
    ticket_events: list[dict[str, Any]] = field(default_factory=list)


def _next_ids(connection: Connection) -> dict[str, int]:
    tables = {"tickets": Ticket, "ratings": Rating, "follow_ups": FollowUp, "window_events": WindowEvent}
    tables["ticket_events"] = TicketEvent
    return {
        name: (connection.scalar(select(func.max(model.id))) or 0) + 1  # type: ignore[attr-defined]
        for name, model in tables.items()
    }


def _local(ctx: HallContext, day: date, clock: time, plus_s: float = 0.0) -> datetime:
    return (datetime.combine(day, clock, ctx.config.tz) + timedelta(seconds=plus_s)).astimezone(UTC)


class HistoryWriter:
    def __init__(
        self, ctx: HallContext, seed: int = 1, *, with_events: bool = False, queued: bool = False
    ) -> None:
        self.ctx, self.random, self.with_events, self.queued = ctx, random.Random(seed), with_events, queued
        config = ctx.config
        self.clerks = {window.id: f"clerk{window.number:02d}" for window in config.windows}
        self.services = [service for service in config.services if config.windows_for(service.id)[0]]
        # a service's share of the citizens: what its A windows can serve (each shared among its A services)
        self.weights = [
            sum(1 / (service.mean_service_s * len(w.a_services)) for w in config.windows_for(service.id)[0])
            for service in self.services
        ]
        self.ids: dict[str, int] = {}
        self.today = ctx.day()

    def day(self, day: date, tickets_per_day: int) -> Batch:
        batch = Batch()
        hours = self.ctx.config.hall.hours
        for window in self.ctx.config.windows:
            moments = [(hours.open, "open"), (hours.close, "closed")]
            if hours.lunch:
                moments[1:1] = [(hours.lunch[0], "paused"), (hours.lunch[1], "open")]
            for clock, state in moments:
                batch.window_events.append(
                    self._window_event(window.id, day, state, _local(self.ctx, day, clock))
                )
        seqs: dict[str, int] = {}
        visits = (
            self._queued_visits(day, tickets_per_day)
            if self.queued
            else self._random_visits(day, tickets_per_day)
        )
        for visit in visits:
            self._ticket(batch, day, seqs, visit)
        return batch

    def arrivals(self, day: date, tickets_per_day: int) -> list[float]:
        """When the day's citizens take their tickets (seconds after midnight, sorted): as many as the
        weekday brings (`tickets_per_day` on a Wednesday, give or take a tenth), spread over the issuing
        hours by CLOCK_SHAPE; none before opening, in the lunch break or after issuing stops."""
        rnd, hours = self.random, self.ctx.config.hall.hours
        count = round(tickets_per_day * WEEKDAY_LOAD[day.isoweekday()] * rnd.uniform(0.9, 1.1))
        start, stop = seconds_of(hours.open), seconds_of(hours.last_issue)
        breaks = [(seconds_of(hours.lunch[0]), seconds_of(hours.lunch[1]))] if hours.lunch else []
        pieces: list[tuple[float, float]] = []
        for hour in range(int(start // 3600), int(stop // 3600) + 1):
            low, high = max(start, hour * 3600.0), min(stop, (hour + 1) * 3600.0)
            for lunch_start, lunch_end in breaks:
                if low < lunch_end and high > lunch_start:  # cut the break out of this hour
                    if low < lunch_start:
                        pieces.append((low, lunch_start))
                    low = max(low, lunch_end)
            if high > low:
                pieces.append((low, high))
        weights = [(high - low) * CLOCK_SHAPE.get(int(low // 3600), 0.5) for low, high in pieces]
        chosen = rnd.choices(pieces, weights=weights, k=count) if pieces else []
        return sorted(rnd.uniform(low, high) for low, high in chosen)

    def _random_visits(self, day: date, tickets_per_day: int) -> list[Visit]:
        """Visits drawn one by one, waits at random (fast, for volume: the 1,000,000-ticket benchmark)."""
        rnd, config, visits = self.random, self.ctx.config, []
        midnight = datetime.combine(day, time(), config.tz).astimezone(UTC)
        for moment in self.arrivals(day, tickets_per_day):
            issued = midnight + timedelta(seconds=moment)
            service = rnd.choice(self.services)
            a_windows, b_windows = config.windows_for(service.id)
            window = rnd.choice(b_windows) if b_windows and rnd.random() < 0.2 else rnd.choice(a_windows)
            wait = rnd.lognormvariate(0, 0.8) * 360
            no_show = rnd.random() < 0.05
            duration = 30.0 if no_show else rnd.lognormvariate(0, 0.6) * service.mean_service_s * 0.85
            visits.append(
                Visit(service.id, window.id, issued, issued + timedelta(seconds=wait), duration, no_show)
            )
        return visits

    def _queued_visits(self, day: date, tickets_per_day: int) -> list[Visit]:
        """A day that is a queue: citizens come (each zone in proportion to its windows), the windows call
        them by the hall's own rule in the simulator, pausing for lunch, so every wait follows from the
        staffing and the visits before it, as in a real log (what `hallq simulate --from-log` replays)."""
        rnd, config = self.random, self.ctx.config
        hours = config.hall.hours
        planned: list[tuple[RecordedTicket, bool]] = []
        for moment in self.arrivals(day, tickets_per_day):
            service = rnd.choices(self.services, weights=self.weights)[0]
            no_show = rnd.random() < 0.05
            duration = 30.0 if no_show else rnd.lognormvariate(0, 0.6) * service.mean_service_s * 0.85
            planned.append((RecordedTicket(service.id, moment, moment, 1, duration), no_show))
        tickets = [ticket for ticket, _ in planned]
        lunch = [
            RecordedAbsence(w.id, seconds_of(hours.lunch[0]), seconds_of(hours.lunch[1]))
            for w in config.windows
            if hours.lunch
        ]
        recorded = RecordedDay(day, tuple(tickets), tuple(lunch))
        scenario = scenario_for(config, [recorded])
        rule = config.hall.call_rule
        policy = make_policy(rule.rule, **rule.model_dump(exclude={"rule"}))
        result = HallDay(scenario, policy, rnd.getrandbits(64), replay=recorded).run()
        midnight = datetime.combine(day, time(), config.tz).astimezone(UTC)
        visits = []
        for sim, (ticket, no_show) in zip(result.tickets, planned, strict=True):
            # nobody is called the instant they take a ticket, even at an idle window: the clerk sees the
            # number come up and presses 叫号 (the simulator calls at once)
            called_s = max(sim.called_s or sim.issued_s, sim.issued_s + rnd.uniform(*CALL_REACTION_S))
            visits.append(
                Visit(
                    sim.service_id,
                    sim.window_id or "",
                    midnight + timedelta(seconds=sim.issued_s),
                    midnight + timedelta(seconds=called_s),
                    ticket.visit_s or 0.0,
                    no_show,
                )
            )
        return visits

    def _window_event(self, window_id: str, day: date, state: str, at: datetime) -> dict[str, Any]:
        self.ids["window_events"] += 1
        clerk = None if state == "closed" else self.clerks[window_id]
        row = {"window_id": window_id, "service_day": day, "state": state, "clerk": clerk, "at": at}
        return {"id": self.ids["window_events"] - 1, **row}

    def _ticket(self, batch: Batch, day: date, seqs: dict[str, int], visit: Visit) -> None:
        rnd, config = self.random, self.ctx.config
        service = config.service_by_id[visit.service_id]
        zone = config.zone_by_id[service.zone]
        seqs[zone.id] = seq = seqs.get(zone.id, 0) + 1
        window = config.window_by_id[visit.window_id]
        issued, called, no_show = visit.issued, visit.called, visit.no_show
        wait = (called - issued).total_seconds()
        finished = called + timedelta(seconds=visit.duration_s)
        ticket_id = self.ids["tickets"]
        self.ids["tickets"] += 1
        batch.tickets.append(
            {
                "id": ticket_id,
                "service_day": day,
                "zone_id": zone.id,
                "seq": seq,
                "number": f"{zone.prefix}{seq:03d}",
                "service_id": service.id,
                "priority": "normal",
                "queue_rank": 1,
                "status": "no_show" if no_show else "finished",
                "issued_at": issued,
                "queued_at": issued,
                "first_called_at": called,
                "called_at": called,
                "started_at": None,
                "finished_at": finished,
                "window_id": window.id,
                "target_window_id": None,
                "clerk": self.clerks[window.id],
                "recalls": 0,
                "kiosk_id": None,
                "appointment_code": None,
                "estimated_wait_s": int(wait * rnd.uniform(0.7, 1.3)),
                # past visits have no status page: a random value stands where a token's hash would
                "status_token_hash": secrets.token_hex(32),
                "outcome": "no_show" if no_show else "served",
            }
        )
        if self.with_events:
            steps = [("issued", issued, "waiting"), ("called", called, "called")]
            steps.append(("no_show", finished, "no_show") if no_show else ("finished", finished, "finished"))
            for kind, at, status in steps:
                batch.ticket_events.append(
                    {
                        "id": self.ids["ticket_events"],
                        "ticket_id": ticket_id,
                        "type": kind,
                        "at": at,
                        "window_id": None if kind == "issued" else window.id,
                        "clerk": None if kind == "issued" else self.clerks[window.id],
                        "status_after": status,
                        "detail": None,
                    }
                )
                self.ids["ticket_events"] += 1
        if not no_show:
            self._rating(batch, ticket_id, window.id, finished)

    def _rating(self, batch: Batch, ticket_id: int, window_id: str, finished: datetime) -> None:
        rnd = self.random
        rated = rnd.random() < 0.75
        level = rnd.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0] if rated else None
        rating_id = self.ids["ratings"]
        self.ids["ratings"] += 1
        at = finished + timedelta(seconds=rnd.uniform(5, 60) if rated else 7200)
        indicators = self.ctx.config.ratings.indicators
        reasons = [rnd.choice(indicators.for_level(level)).text] if level in (1, 2) else None
        batch.ratings.append(
            {
                "id": rating_id,
                "ticket_id": ticket_id,
                "level": level,
                "reasons": reasons,
                "source": rnd.choice(("pad", "tablet", "phone")) if rated else "timeout",
                "window_id": window_id,
                "clerk": self.clerks[window_id],
                "rated_at": at,
                "indicator_version": indicators.version if rated else None,
            }
        )
        if level in (1, 2):
            rated_day = at.astimezone(self.ctx.config.tz).date()
            due = self.ctx.config.work_calendar.add_working_days(
                rated_day, self.ctx.config.ratings.follow_up_working_days
            )
            # most are settled in time; a few are still open, some of those past due
            resolved = due < self.today and rnd.random() < 0.97
            batch.follow_ups.append(
                {
                    "id": self.ids["follow_ups"],
                    "rating_id": rating_id,
                    "ticket_id": ticket_id,
                    "status": "resolved" if resolved else "open",
                    "opened_at": at,
                    "due_on": due,
                    "note": "已电话回访，当事人表示理解" if resolved else None,
                    "handled_by": "manager" if resolved else None,
                    "updated_at": at,
                    "resolved_at": at + timedelta(days=2) if resolved else None,
                }
            )
            self.ids["follow_ups"] += 1


def write_history(
    ctx: HallContext,
    first: date,
    last: date,
    tickets_per_day: int,
    *,
    seed: int = 1,
    with_events: bool = False,
    queued: bool = False,
) -> int:
    """Fill first .. last (working days only) with past visits; returns how many tickets were written.
    `queued` makes each day a queue run by the simulator (waits that follow from the staffing); without it
    waits are drawn at random, which is what volume benchmarks need."""
    writer = HistoryWriter(ctx, seed, with_events=with_events, queued=queued)
    written = 0
    pending = Batch()
    with ctx.store.write_connection() as connection:
        writer.ids = _next_ids(connection)
        for day in ctx.config.work_calendar.days(first, last):
            batch = writer.day(day, tickets_per_day)
            for name in ("tickets", "ratings", "follow_ups", "window_events", "ticket_events"):
                getattr(pending, name).extend(getattr(batch, name))
            written += len(batch.tickets)
            if len(pending.tickets) >= CHUNK:
                _flush(connection, pending)
                pending = Batch()
        _flush(connection, pending)
        if connection.dialect.name == "postgresql":
            for table in ("tickets", "ratings", "follow_ups", "window_events", "ticket_events"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
            # fresh statistics for the planner, as autovacuum would gather them in a while
            connection.execute(text("ANALYZE"))
    return written


def _flush(connection: Connection, batch: Batch) -> None:
    for model, rows in (
        (Ticket, batch.tickets),
        (Rating, batch.ratings),
        (FollowUp, batch.follow_ups),
        (WindowEvent, batch.window_events),
        (TicketEvent, batch.ticket_events),
    ):
        if rows:
            connection.execute(insert(model), rows)
