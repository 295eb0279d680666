"""A recorded stretch of days replayed in the simulator, as recorded or with changes, beside what happened.

The scenario comes from the hall file (services, zones, windows with their A and B services, opening hours,
the call rule) and the log: each service's visit lengths give it a lognormal distribution (mean and spread
as recorded, when it has at least `MIN_VISITS`; else the hall file's mean with a spread of 1), used for
citizens with no recorded visit and for the extra citizens of a busier day. Each recorded day is replayed
once: the same citizens at the same moments, each visit as long as it was, windows away when they were.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hallq.config.hall import HallConfig
from hallq.engine import make_policy
from hallq.simulate.replay import RecordedAbsence, RecordedDay
from hallq.simulate.report import percentile, replay_days
from hallq.simulate.run import DayResult
from hallq.simulate.scenario import Arrival, Scenario, ServiceTime, SimService, SimWindow, seconds_of

MIN_VISITS = 20


class BadChange(ValueError):
    """A change that names something the hall does not have, or cannot be; the message says which."""


@dataclass(frozen=True)
class WindowHours:
    """A window open (staffed) or closed (away) from `start_s` to `end_s`, seconds after midnight."""

    window_id: str
    state: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Changes:
    """What to try on the recorded days; the default changes nothing (the replay of the day as it was)."""

    rule: str | None = None
    rule_options: dict[str, float] = field(default_factory=dict)
    arrivals_factor: float = 1.0
    window_hours: tuple[WindowHours, ...] = ()
    #: (window id, service id) pairs
    add_b: tuple[tuple[str, str], ...] = ()
    remove_b: tuple[tuple[str, str], ...] = ()
    #: (from window, into window) pairs: the first closes for good, the second takes on its services as A
    move_services: tuple[tuple[str, str], ...] = ()

    def check(self, config: HallConfig) -> None:
        windows = {window.id: window for window in config.windows}
        for window_id, service_id in (*self.add_b, *self.remove_b):
            if window_id not in windows:
                raise BadChange(f"unknown window {window_id!r}")
            if service_id not in config.service_by_id:
                raise BadChange(f"unknown service {service_id!r}")
        for source, target in self.move_services:
            for window_id in (source, target):
                if window_id not in windows:
                    raise BadChange(f"unknown window {window_id!r}")
            if source == target:
                raise BadChange(f"{source} cannot move its services into itself")
        for window_id, service_id in self.add_b:
            if service_id in windows[window_id].a_services:
                raise BadChange(f"{service_id} is already an A service of {window_id}")
        for hours in self.window_hours:
            if hours.window_id not in windows:
                raise BadChange(f"unknown window {hours.window_id!r}")
            if hours.state not in ("open", "closed") or not 0 <= hours.start_s < hours.end_s <= 86400:
                raise BadChange(f"{hours.window_id}: give open or closed and a time span within the day")
        if not 0 < self.arrivals_factor <= 5:
            raise BadChange("arrivals can be scaled by more than 0 and at most 5")
        if self.rule is not None:
            try:
                make_policy(self.rule, **self.rule_options)
            except (TypeError, ValueError) as error:
                raise BadChange(str(error)) from None


def _service_time(visits: Sequence[float], prior_mean_s: float) -> ServiceTime:
    if len(visits) < MIN_VISITS:
        return ServiceTime(dist="lognormal", mean_s=prior_mean_s, cv=1.0)
    mean = statistics.fmean(visits)
    cv = statistics.pstdev(visits) / mean if mean > 0 else 0.0
    return ServiceTime(dist="lognormal", mean_s=max(mean, 1.0), cv=min(cv, 5.0))


def scenario_for(config: HallConfig, days: Sequence[RecordedDay], changes: Changes = Changes()) -> Scenario:
    """The hall as the simulator sees it, its visit lengths learned from the recorded days."""
    visits: dict[str, list[float]] = defaultdict(list)
    for day in days:
        for ticket in day.tickets:
            if ticket.visit_s is not None:
                visits[ticket.service_id].append(ticket.visit_s)
    services = [
        SimService(
            id=service.id,
            zone=service.zone,
            prefix=config.zone_by_id[service.zone].prefix,
            service_time=_service_time(visits[service.id], service.mean_service_s),
        )
        for service in config.services
    ]
    windows = []
    by_id = {window.id: window for window in config.windows}
    for window in config.windows:
        a_services = list(window.a_services)
        for source, target in changes.move_services:
            if target == window.id:
                moved = by_id[source]
                a_services += [s for s in (*moved.a_services, *moved.b_services) if s not in a_services]
        b_services = [s for s in window.b_services if (window.id, s) not in changes.remove_b]
        b_services += [s for w, s in changes.add_b if w == window.id and s not in b_services]
        windows.append(
            SimWindow(id=window.id, a=a_services, b=[s for s in b_services if s not in a_services])
        )
    hours = config.hall.hours
    open_h = (seconds_of(hours.close) - seconds_of(hours.open)) / 3600
    counts: dict[str, int] = defaultdict(int)
    for day in days:
        for ticket in day.tickets:
            counts[ticket.service_id] += 1
    arrivals = [
        Arrival(service=service.id, rate_per_hour=counts[service.id] / max(len(days), 1) / open_h)
        for service in config.services
    ]
    return Scenario(
        name=f"{config.hall.name}: {days[0].day} .. {days[-1].day}" if days else config.hall.name,
        seed=1,
        replications=max(len(days), 1),
        open=hours.open,
        close=hours.close,
        services=services,
        windows=windows,
        arrivals=arrivals,
    )


def changed_days(days: Sequence[RecordedDay], changes: Changes, seed: int = 1) -> list[RecordedDay]:
    """The recorded days with the changes to the citizens and the windows' hours applied."""
    rng = random.Random(seed)
    out = []
    for day in days:
        if changes.arrivals_factor != 1.0:
            day = day.scaled(changes.arrivals_factor, rng)
        absences = list(day.absences)
        closed = [WindowHours(source, "closed", 0.0, 86_400.0) for source, _ in changes.move_services]
        for hours in (*changes.window_hours, *closed):
            absences = _set_hours(absences, hours)
        out.append(replace(day, absences=tuple(absences)))
    return out


def _set_hours(absences: list[RecordedAbsence], hours: WindowHours) -> list[RecordedAbsence]:
    """The window's absences with [start, end) made away (closed) or present (open)."""
    kept = []
    for away in absences:
        if away.window_id != hours.window_id or away.end_s <= hours.start_s or away.start_s >= hours.end_s:
            kept.append(away)
            continue
        if away.start_s < hours.start_s:
            kept.append(replace(away, end_s=hours.start_s))
        if away.end_s > hours.end_s:
            kept.append(replace(away, start_s=hours.end_s))
    if hours.state == "closed":
        kept.append(RecordedAbsence(hours.window_id, hours.start_s, hours.end_s))
    return sorted(kept, key=lambda a: (a.window_id, a.start_s))


def figures(
    config: HallConfig,
    waits: Iterable[tuple[str, float, float]],
    busy_s: dict[str, float],
    present_s: dict[str, float],
) -> dict[str, Any]:
    """Mean and P90 wait and the share over the hall's limit, for the hall, per zone and per hour of issue,
    and each window's utilisation; `waits` holds (zone, issued_s, wait_s) per citizen called."""
    limit = config.hall.alerts.longest_wait_s
    by_zone: dict[str, list[float]] = defaultdict(list)
    by_hour: dict[int, list[float]] = defaultdict(list)
    everyone: list[float] = []
    for zone, issued_s, wait in waits:
        by_zone[zone].append(wait)
        by_hour[int(issued_s // 3600)].append(wait)
        everyone.append(wait)

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "tickets": len(values),
            "mean_wait_s": round(statistics.fmean(values), 1) if values else 0.0,
            "p90_wait_s": round(percentile(values, 0.9), 1),
            "over_limit_share": round(sum(v > limit for v in values) / len(values), 3) if values else 0.0,
        }

    return {
        "hall": summary(everyone),
        "per_zone": {zone: summary(by_zone[zone]) for zone in sorted(by_zone)},
        "by_hour": {f"{hour:02d}:00": summary(values) for hour, values in sorted(by_hour.items())},
        "utilisation": {
            window.id: round(busy_s.get(window.id, 0.0) / present_s[window.id], 3)
            if present_s.get(window.id)
            else 0.0
            for window in config.windows
        },
    }


def recorded_figures(config: HallConfig, days: Sequence[RecordedDay]) -> dict[str, Any]:
    open_s = seconds_of(config.hall.hours.open)
    waits: list[tuple[str, float, float]] = []
    busy: dict[str, float] = defaultdict(float)
    for day in days:
        for ticket in day.tickets:
            if ticket.recorded_wait_s is not None and ticket.issued_s >= open_s:
                waits.append(
                    (config.service_by_id[ticket.service_id].zone, ticket.issued_s, ticket.recorded_wait_s)
                )
            if ticket.recorded_window_id is not None and ticket.visit_s is not None:
                busy[ticket.recorded_window_id] += ticket.visit_s
    return figures(config, waits, busy, _present_s(config, days))


def _present_s(config: HallConfig, days: Sequence[RecordedDay]) -> dict[str, float]:
    """Opening hours less absences, plus any time a window kept serving after closing (as replays count)."""
    hours = config.hall.hours
    close = seconds_of(hours.close)
    day_s = close - seconds_of(hours.open)
    present = {window.id: day_s * len(days) for window in config.windows}
    for day in days:
        for away in day.absences:
            present[away.window_id] -= away.end_s - away.start_s
        last_finish: dict[str, float] = {}
        for t in day.tickets:
            if t.recorded_window_id and t.recorded_wait_s is not None and t.visit_s is not None:
                finish = t.issued_s + t.recorded_wait_s + t.visit_s
                last_finish[t.recorded_window_id] = max(last_finish.get(t.recorded_window_id, 0.0), finish)
        for window_id, finish in last_finish.items():
            present[window_id] += max(0.0, finish - close)
    return present


def replayed_figures(config: HallConfig, scenario: Scenario, results: Sequence[DayResult]) -> dict[str, Any]:
    waits = [
        (t.zone, t.issued_s, t.called_s - t.issued_s)
        for day in results
        for t in day.tickets
        if t.called_s is not None and t.issued_s >= day.counted_from_s
    ]
    busy = {w.id: sum(day.windows[w.id].busy_s for day in results) for w in scenario.windows}
    present = {w.id: sum(day.present_s[w.id] for day in results) for w in scenario.windows}
    return figures(config, waits, busy, present)


def what_if(config: HallConfig, days: Sequence[RecordedDay], changes: Changes = Changes()) -> dict[str, Any]:
    """The recorded days and their replay with `changes`, side by side (JSON-ready)."""
    changes.check(config)
    rule = config.hall.call_rule
    name = changes.rule or rule.rule
    options = changes.rule_options or (rule.model_dump(exclude={"rule"}) if name == rule.rule else {})
    scenario = scenario_for(config, days, changes)
    results = replay_days(scenario, make_policy(name, **options), changed_days(days, changes))
    return {
        "days": [day.day.isoformat() for day in days],
        "rule": name,
        "recorded": recorded_figures(config, days),
        "replayed": replayed_figures(config, scenario, results),
        "service_times": {
            s.id: {"mean_s": round(s.service_time.mean_s, 1), "cv": round(s.service_time.cv, 2)}
            for s in scenario.services
        },
    }
