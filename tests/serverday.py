"""A day in the real server, driven through its operations on a ManualClock: kiosks issue tickets at drawn
moments, every window calls by the server's own rule as soon as it is free, serves for a drawn visit length
and finishes; one clerk steps away for a while. What it leaves in the store is a log like a hall's."""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hallq.operations import windows as ops
from hallq.operations.context import Actor, HallContext
from hallq.operations.errors import HallqError
from hallq.operations.issuing import IssueRequest, issue_ticket
from hallq.operations.window_act import ensure_window_rows

ARRIVE, DONE, POLL, AWAY, BACK = range(5)
POLL_S = 60.0


@dataclass
class ServerDay:
    ctx: HallContext
    day: date
    #: tickets per hour for each service, from opening to the last issuing time
    rates: dict[str, float]
    seed: int = 1
    #: (window, from, to): the clerk steps away at the first free moment after `from`, back at `to`
    away: list[tuple[str, time, time]] = field(default_factory=list)
    issued: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.actor = Actor(role="bridge", name="serverday")
        self.events: list[tuple[float, int, int, str]] = []
        self.sequence = 0
        self.visit: dict[int, float] = {}
        self.busy: dict[str, bool] = {}
        self.present: dict[str, bool] = {}
        self.leaving: set[str] = set()
        config = self.ctx.config
        self.order = {
            service.id: [w.id for group in config.windows_for(service.id) for w in group]
            for service in config.services
        }

    def at(self, seconds: float) -> datetime:
        return datetime.combine(self.day, time(), self.ctx.config.tz) + timedelta(seconds=seconds)

    def schedule(self, seconds: float, kind: int, key: str) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (seconds, self.sequence, kind, key))

    def run(self) -> int:
        config, clock = self.ctx.config, self.ctx.clock
        hours = config.hall.hours
        start = _seconds(hours.open)
        end = _seconds(hours.stop_issuing or hours.close)
        clock.set(self.at(start))  # type: ignore[attr-defined]
        ensure_window_rows(self.ctx)
        for window in config.windows:
            ops.change_state(self.ctx, window.id, self.actor, "open")
            self.busy[window.id], self.present[window.id] = False, True
        for service_id, rate in self.rates.items():
            moment = start
            while True:
                moment += self.rng.expovariate(rate / 3600)
                if moment >= end:
                    break
                mean = config.service_by_id[service_id].mean_service_s
                visit = self.rng.lognormvariate(math.log(mean) - 0.5 * math.log(2), math.sqrt(math.log(2)))
                self.schedule(moment, ARRIVE, f"{service_id}|{visit}")
        for window_id, leave, back in self.away:
            self.schedule(_seconds(leave), AWAY, window_id)
            self.schedule(_seconds(back), BACK, window_id)
        self.schedule(start + POLL_S, POLL, "")
        while self.events:
            seconds, _, kind, key = heapq.heappop(self.events)
            clock.set(self.at(seconds))  # type: ignore[attr-defined]
            self.handle(seconds, kind, key)
        return self.issued

    def handle(self, now: float, kind: int, key: str) -> None:
        if kind == ARRIVE:
            service_id, visit = key.split("|")
            try:
                ticket, _ = issue_ticket(self.ctx, IssueRequest(service_id))
            except HallqError:
                return  # refused (a daily cap): the citizen goes home, as in a hall
            self.issued += 1
            self.visit[ticket["id"]] = float(visit)
            for window_id in self.order[service_id]:
                if self.free(window_id) and self.call(now, window_id):
                    break
        elif kind == DONE:
            ops.finish(self.ctx, key, self.actor)
            self.busy[key] = False
            if key in self.leaving:
                self.leave(key)
            else:
                self.call(now, key)
        elif kind == POLL:
            for window_id in self.busy:
                if self.free(window_id):
                    self.call(now, window_id)
            if any(self.busy.values()) or any(k == ARRIVE for _, _, k, _ in self.events):
                self.schedule(now + POLL_S, POLL, "")
        elif kind == AWAY:
            if self.busy[key]:
                self.leaving.add(key)
            else:
                self.leave(key)
        else:
            self.leaving.discard(key)
            if not self.present[key]:
                ops.change_state(self.ctx, key, self.actor, "resume")
                self.present[key] = True
                self.call(now, key)

    def free(self, window_id: str) -> bool:
        return self.present[window_id] and not self.busy[window_id]

    def leave(self, window_id: str) -> None:
        self.leaving.discard(window_id)
        ops.change_state(self.ctx, window_id, self.actor, "pause")
        self.present[window_id] = False

    def call(self, now: float, window_id: str) -> bool:
        ticket = ops.call_next(self.ctx, window_id, self.actor).ticket
        if ticket is None:
            return False
        self.busy[window_id] = True
        self.schedule(now + self.visit[ticket["id"]], DONE, window_id)
        return True


def _seconds(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second
