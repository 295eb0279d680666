"""A discrete-event simulation of a hall that drives the engine itself: its numbering, its ticket state
machine, the call policy and the wait estimate, on a virtual clock. Nothing here decides whom to call."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hallq.engine import (
    Action,
    CallPolicy,
    Priority,
    QueueHead,
    Status,
    WindowView,
    format_number,
    next_status,
)
from hallq.engine.wait_model import WaitModel, WindowNow
from hallq.simulate.replay import RecordedDay
from hallq.simulate.scenario import Arrival, Scenario, SimService, seconds_of

#: the virtual day starts at this instant (a Monday); only differences of times matter
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)
ARRIVE, DONE, AWAY, BACK, RECHECK, CHECK_IN, ARRIVE_WALK_IN, ARRIVE_RECORDED = range(8)


@dataclass
class SimTicket:
    id: int
    number: str
    service_id: str
    zone: str
    rank: int
    issued_s: float
    #: when its queue counts it from: its arrival, or a booked citizen's slot (预约)
    queued_s: float
    estimate_s: int
    low_s: int = 0
    high_s: int = 0
    booked: bool = False
    #: a replayed citizen's recorded visit (None: drawn from the service's distribution)
    visit_s: float | None = None
    status: Status = Status.WAITING
    called_s: float | None = None
    window_id: str | None = None


@dataclass
class SimWindowState:
    view: WindowView
    queues: frozenset[str]
    present: bool = True
    busy_with: SimTicket | None = None
    leave_when_done: bool = False
    busy_s: float = 0.0
    served: int = 0
    served_a: int = 0


@dataclass
class DayResult:
    tickets: list[SimTicket]
    windows: dict[str, SimWindowState]
    counted_from_s: float
    present_s: dict[str, float] = field(default_factory=dict)


def sample_service_time(spec: SimService, rng: random.Random) -> float:
    time_spec = spec.service_time
    if time_spec.dist == "fixed" or time_spec.cv == 0:
        return time_spec.mean_s
    if time_spec.dist == "exponential":
        return rng.expovariate(1.0 / time_spec.mean_s)
    sigma2 = math.log(1.0 + time_spec.cv**2)
    return rng.lognormvariate(math.log(time_spec.mean_s) - sigma2 / 2.0, math.sqrt(sigma2))


class HallDay:
    """One replication: arrivals, windows calling by the policy, absences, until everyone is served. With
    `replay`, the arrivals and absences are a recorded day's instead of the scenario's."""

    def __init__(
        self, scenario: Scenario, policy: CallPolicy, seed: int, replay: RecordedDay | None = None
    ) -> None:
        self.scenario, self.policy, self.replay = scenario, policy, replay
        self.rng = random.Random(seed)
        self.services = scenario.service_by_id
        self.arrivals: dict[str, Arrival] = {a.service: a for a in scenario.arrivals}
        all_services = list(self.services)
        self.windows = {
            w.id: SimWindowState(
                view := WindowView(w.id, frozenset(w.a), frozenset(w.b)),
                policy.queues_for(view, all_services),
            )
            for w in scenario.windows
        }
        self.a_windows = {s: [w.id for w in scenario.windows if s in w.a] for s in all_services}
        self.queues: dict[str, list[tuple[int, float, int]]] = {s: [] for s in all_services}
        self.tickets: list[SimTicket] = []
        self.counters: dict[str, int] = {}
        self.events: list[tuple[float, int, int, str]] = []
        self.sequence = 0
        #: when the last citizen came or left: the day's windows are staffed until then (or closing time)
        self.last_activity = 0.0
        self.now = 0.0
        self.present_since = {w: scenario.start_s for w in self.windows}
        self.present_s = dict.fromkeys(self.windows, 0.0)
        self.wait_model = WaitModel(
            {s: spec.service_time.mean_s for s, spec in self.services.items()},
            {w.id: frozenset(w.a) for w in scenario.windows},
            {w.id: frozenset(w.b) for w in scenario.windows},
        )

    # --- event plumbing ----------------------------------------------------------------------------
    def schedule(self, at: float, kind: int, key: str) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (at, self.sequence, kind, key))

    def instant(self, seconds: float) -> datetime:
        return EPOCH + timedelta(seconds=seconds)

    def run(self) -> DayResult:
        scenario = self.scenario
        self.now = scenario.start_s
        if self.replay is not None:
            for index, recorded in enumerate(self.replay.tickets):
                self.schedule(recorded.issued_s, ARRIVE_RECORDED, str(index))
            for away in self.replay.absences:
                self.schedule(away.start_s, AWAY, away.window_id)
                self.schedule(away.end_s, BACK, away.window_id)
        else:
            for arrival in scenario.arrivals:
                self.schedule_arrival(arrival.service, scenario.start_s)
            for absence in scenario.absences:
                self.schedule(seconds_of(absence.start), AWAY, absence.window)
                self.schedule(seconds_of(absence.end), BACK, absence.window)
        while self.events:
            self.step()
        # a hall day's windows stay staffed until closing time, even when the last citizen left earlier
        until = max(self.last_activity, seconds_of(scenario.close) if scenario.close else 0.0)
        for window_id, state in self.windows.items():
            if state.present:
                self.present_s[window_id] += max(0.0, until - self.present_since[window_id])
        return DayResult(self.tickets, self.windows, scenario.counted_from_s, self.present_s)

    def step(self) -> None:
        """Handle the next event."""
        self.now, _, kind, key = heapq.heappop(self.events)
        if kind == ARRIVE:
            self.arrive(key)
        elif kind == CHECK_IN:
            service_id, slot = key.split("|")
            self.issue(service_id, float(slot), booked=True)
        elif kind == ARRIVE_WALK_IN:
            self.issue(key, self.now)
        elif kind == ARRIVE_RECORDED:
            assert self.replay is not None
            recorded = self.replay.tickets[int(key)]
            self.issue(recorded.service_id, recorded.queued_s, rank=recorded.rank, visit_s=recorded.visit_s)
        elif kind == DONE:
            self.done(key)
        elif kind == AWAY:
            self.away(key)
        elif kind == RECHECK:
            state = self.windows[key]
            if state.present and state.busy_with is None:
                self.call(key)
        else:
            self.back(key)

    # --- arrivals ------------------------------------------------------------------------------------
    def rate_at(self, service_id: str, seconds: float) -> tuple[float, float]:
        """(tickets per hour now, when that rate next changes)."""
        arrival = self.arrivals[service_id]
        if arrival.profile is None:
            return float(arrival.rate_per_hour or 0.0), math.inf
        rate, change = 0.0, math.inf
        for step_time, step_rate in arrival.profile:
            at = seconds_of(step_time)
            if at <= seconds:
                rate = step_rate
            else:
                change = at
                break
        return rate, change

    def schedule_arrival(self, service_id: str, after: float) -> None:
        """Next Poisson arrival of a piecewise-constant rate (memoryless: restart at each rate change)."""
        moment = after
        while moment < self.scenario.end_s:
            rate, change = self.rate_at(service_id, moment)
            gap = self.rng.expovariate(rate / 3600.0) if rate > 0 else math.inf
            if moment + gap < min(change, self.scenario.end_s):
                self.schedule(moment + gap, ARRIVE, service_id)
                return
            moment = change

    def arrive(self, service_id: str) -> None:
        arrival = self.arrivals[service_id]
        if arrival.booked_share > 0 and self.rng.random() < arrival.booked_share:
            self.book(service_id)
            self.schedule_arrival(service_id, self.now)
            return
        self.issue(service_id, self.now, next_arrival=True)

    def book(self, service_id: str) -> None:
        """A citizen who books a slot instead of coming now: they check in around its start (queued from the
        slot, as the server does), come too late and take an ordinary ticket, or never come."""
        rules = self.scenario.bookings
        slot_s = rules.slot_min * 60
        # a slot far enough ahead that even the earliest check-in comes after now (time never runs back)
        slot = -(-(self.now + rules.check_in_before_min * 60) // slot_s) * slot_s
        if self.rng.random() < rules.no_show_share:
            return
        if self.rng.random() < rules.late_share:
            offset = self.rng.uniform(0, 2 * rules.grace_after_min * 60)
        else:  # early, but not before check-in opens: they wait for it at the kiosk
            early = self.rng.expovariate(1 / (rules.early_mean_min * 60)) if rules.early_mean_min else 0.0
            offset = -min(early, rules.check_in_before_min * 60)
        if offset > rules.grace_after_min * 60:  # check-in has closed: an ordinary ticket on arrival
            self.schedule(slot + offset, ARRIVE_WALK_IN, service_id)
        else:
            self.schedule(slot + offset, CHECK_IN, f"{service_id}|{slot}")

    def issue(
        self,
        service_id: str,
        queued_s: float,
        booked: bool = False,
        next_arrival: bool = False,
        rank: int | None = None,
        visit_s: float | None = None,
    ) -> None:
        """A ticket now, queued from `queued_s`; `next_arrival` draws the service's next arrival before the
        idle windows call (the order the random draws always had: a seed gives the same day as before).
        A replayed citizen comes with its recorded `rank` and `visit_s`."""
        self.last_activity = self.now
        service = self.services[service_id]
        if rank is None:
            arrival = self.arrivals[service_id]
            green = arrival.green_share > 0 and self.rng.random() < arrival.green_share
            priority = Priority.GREEN if green else Priority.NORMAL
        else:
            priority = Priority.GREEN if rank == Priority.GREEN.rank else Priority.NORMAL
        seq = self.counters.get(service.zone, 0) + 1
        self.counters[service.zone] = seq
        queue = self.queues[service_id]
        ahead = sum(1 for rank, at, _ in queue if (rank, at) <= (priority.rank, queued_s))
        promised = self.wait_model.estimate_range(
            service_id, ahead, self.windows_now(service_id), self.hour()
        )
        ticket = SimTicket(
            id=len(self.tickets) + 1,
            number=format_number(service.ticket_prefix, seq),
            service_id=service_id,
            zone=service.zone,
            rank=priority.rank,
            issued_s=self.now,
            queued_s=queued_s,
            estimate_s=promised.estimate_s,
            low_s=promised.low_s,
            high_s=promised.high_s,
            booked=booked,
            visit_s=visit_s,
        )
        self.tickets.append(ticket)
        heapq.heappush(queue, (ticket.rank, ticket.queued_s, ticket.id))
        if next_arrival:
            self.schedule_arrival(service_id, self.now)
        # idle windows call at once, the service's own A windows first
        for window_id in self.idle_windows_for(service_id):
            if self.call(window_id):
                break

    def hour(self) -> int:
        return int(self.now // 3600) % 24

    def windows_now(self, service_id: str) -> dict[str, WindowNow]:
        """The windows serving a service as the estimate sees them: present or not, the visit under way."""
        found = {}
        for window_id in self.wait_model.windows_serving(service_id):
            state = self.windows[window_id]
            busy = state.busy_with
            elapsed = self.now - busy.called_s if busy is not None and busy.called_s is not None else 0.0
            found[window_id] = WindowNow(window_id, state.present, busy.service_id if busy else None, elapsed)
        return found

    def idle_windows_for(self, service_id: str) -> Iterator[str]:
        own = self.a_windows[service_id]
        for window_id in [*own, *(w for w in self.windows if w not in own)]:
            state = self.windows[window_id]
            if state.present and state.busy_with is None and service_id in state.queues:
                yield window_id

    # --- windows -------------------------------------------------------------------------------------
    def call(self, window_id: str) -> bool:
        state = self.windows[window_id]
        heads = []
        for service_id in state.queues:
            queue = self.queues[service_id]
            if queue:
                rank, issued_s, ticket_id = queue[0]
                a_open = sum(1 for w in self.a_windows[service_id] if self.windows[w].present)
                heads.append(
                    QueueHead(service_id, ticket_id, rank, self.instant(issued_s), len(queue), a_open=a_open)
                )
        now = self.instant(self.now)
        head = self.policy.choose(state.view, heads, now) if heads else None
        if head is None:
            recheck = self.policy.recheck_at(state.view, heads, now) if heads else None
            if recheck is not None:
                self.schedule((recheck - EPOCH).total_seconds(), RECHECK, window_id)
            return False
        heapq.heappop(self.queues[head.service_id])
        ticket = self.tickets[head.ticket_id - 1]
        ticket.status = next_status(next_status(ticket.status, Action.CALL), Action.START)
        ticket.called_s, ticket.window_id = self.now, window_id
        state.busy_with = ticket
        self.wait_model.call(window_id, ticket.service_id)
        duration = ticket.visit_s
        if duration is None:
            duration = sample_service_time(self.services[ticket.service_id], self.rng)
        state.busy_s += duration
        self.schedule(self.now + duration, DONE, window_id)
        return True

    def done(self, window_id: str) -> None:
        self.last_activity = self.now
        state = self.windows[window_id]
        ticket = state.busy_with
        assert ticket is not None
        ticket.status = next_status(ticket.status, Action.FINISH)
        assert ticket.called_s is not None
        self.wait_model.visit(ticket.service_id, self.now - ticket.called_s, self.hour(), window_id)
        if ticket.issued_s >= self.scenario.counted_from_s:
            state.served += 1
            state.served_a += ticket.service_id in state.view.a_services
        state.busy_with = None
        if state.leave_when_done:
            state.leave_when_done = False
            self.leave(window_id)
        else:
            self.call(window_id)

    def away(self, window_id: str) -> None:
        state = self.windows[window_id]
        if state.busy_with is not None:
            state.leave_when_done = True
        else:
            self.leave(window_id)

    def leave(self, window_id: str) -> None:
        self.windows[window_id].present = False
        # an absence may start before the day does (a window closed all day): no time present then
        self.present_s[window_id] += max(0.0, self.now - self.present_since[window_id])

    def back(self, window_id: str) -> None:
        state = self.windows[window_id]
        state.leave_when_done = False
        if not state.present:
            state.present = True
            self.present_since[window_id] = self.now
            if state.busy_with is None:
                self.call(window_id)
