"""Staffing advice: for each hour of a typical day, the fewest open windows per zone that keep the P90 wait
under the hall's target, checked by simulation.

Per zone, separately: its citizens per hour are the recorded days' average (the days given, e.g. the last
four Mondays), their visits as recorded (`scenario_for`), served by identical windows that each do all of the
zone's services (its own windows; B help from other zones is left out, so the advice errs on the safe side).
Every hour starts at the fewest windows that can keep up at all (the load rounded up) and gains one window
where the simulated P90 wait of the citizens who came in that hour is over the target, until every hour is
under it or has every window of the zone; the queue left at the end of one hour is carried into the next.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time

from hallq.config.hall import HallConfig
from hallq.engine import make_policy
from hallq.simulate.replay import RecordedDay
from hallq.simulate.report import percentile
from hallq.simulate.run import HallDay
from hallq.simulate.scenario import Absence, Arrival, Scenario, SimWindow, seconds_of
from hallq.whatif.replay import scenario_for

#: simulated days per check: enough for a steady P90 per hour on a zone's few dozen citizens an hour
REPLICATIONS = 30
MAX_ROUNDS = 40


@dataclass(frozen=True)
class HourAdvice:
    zone: str
    hour: int
    arrivals_per_hour: float
    mean_visit_s: float
    windows: int
    #: the simulated P90 wait of the citizens who came in that hour, with the advised windows
    p90_wait_s: float
    #: the zone's own windows (the most it can open); with all of them open the target may still be missed
    zone_windows: int
    target_p90_s: float

    @property
    def meets_target(self) -> bool:
        return self.p90_wait_s <= self.target_p90_s

    def as_dict(self) -> dict[str, float | int | str | bool]:
        return {
            "zone": self.zone,
            "hour": f"{self.hour:02d}:00",
            "arrivals_per_hour": round(self.arrivals_per_hour, 1),
            "mean_visit_s": round(self.mean_visit_s),
            "windows": self.windows,
            "p90_wait_s": round(self.p90_wait_s),
            "zone_windows": self.zone_windows,
            "meets_target": self.meets_target,
        }


def _hours(config: HallConfig) -> list[int]:
    hours = config.hall.hours
    return list(range(hours.open.hour, math.ceil(seconds_of(hours.close) / 3600)))


def _zone_alone(
    config: HallConfig, base: Scenario, zone_id: str, days: Sequence[RecordedDay], windows: int
) -> Scenario:
    """The zone alone: its services and citizens per hour, `windows` identical windows, none away yet."""
    names = [s.id for s in base.services if s.zone == zone_id]
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for day in days:
        for ticket in day.tickets:
            if ticket.service_id in names:
                counts[ticket.service_id, int(ticket.issued_s // 3600)] += 1
    hours = _hours(config)
    arrivals = [
        Arrival(service=s, profile=[(time(h), counts[s, h] / len(days)) for h in hours]) for s in names
    ]
    return base.model_copy(
        update={
            "name": f"{zone_id} staffing",
            "services": [s for s in base.services if s.zone == zone_id],
            "windows": [SimWindow(id=f"Z{k}", a=names) for k in range(windows)],
            "arrivals": arrivals,
            "replications": REPLICATIONS,
        }
    )


def _staffed(zone: Scenario, plan: dict[int, int]) -> Scenario:
    """The zone with window k away in every hour whose plan is k windows or fewer."""
    absences = [
        Absence.model_validate(
            {"window": f"Z{k}", "from": time(h), "to": time(h + 1) if h < 23 else time(23, 59)}
        )
        for h, open_windows in plan.items()
        for k in range(open_windows, len(zone.windows))
    ]
    return zone.model_copy(update={"absences": _merged(absences)})


def _merged(absences: list[Absence]) -> list[Absence]:
    """Back-to-back absences of a window joined, so a window away two hours does not come back between."""
    out: list[Absence] = []
    for absence in sorted(absences, key=lambda a: (a.window, a.start)):
        if out and out[-1].window == absence.window and out[-1].end == absence.start:
            out[-1] = out[-1].model_copy(update={"end": absence.end})
        else:
            out.append(absence)
    return out


def _p90_by_hour(scenario: Scenario, seed: int) -> dict[int, float]:
    seeds = random.Random(seed)
    policy = make_policy("longest-wait")
    waits: dict[int, list[float]] = defaultdict(list)
    for _ in range(scenario.replications):
        day = HallDay(scenario, policy, seeds.getrandbits(64)).run()
        for ticket in day.tickets:
            if ticket.called_s is not None:
                waits[int(ticket.issued_s // 3600)].append(ticket.called_s - ticket.issued_s)
    return {hour: percentile(values, 0.9) for hour, values in waits.items()}


def staffing_advice(
    config: HallConfig,
    days: Sequence[RecordedDay],
    target_p90_s: float,
    seed: int = 1,
    progress: Callable[[float], None] = lambda share: None,
) -> list[HourAdvice]:
    """Per zone and opening hour, the fewest windows that keep the P90 wait under `target_p90_s`."""
    advice: list[HourAdvice] = []
    hours = _hours(config)
    base = scenario_for(config, days)
    for index, zone in enumerate(config.zones):
        progress(index / len(config.zones))
        zone_services = [s for s in base.services if s.zone == zone.id]
        windows = sum(1 for w in config.windows if any(s.id in w.a_services for s in zone_services))
        if not zone_services or windows == 0:
            continue
        rate = {h: 0.0 for h in hours}
        work = {h: 0.0 for h in hours}
        for day in days:
            for ticket in day.tickets:
                hour = int(ticket.issued_s // 3600)
                if hour in rate and base.service_by_id[ticket.service_id].zone == zone.id:
                    rate[hour] += 1 / len(days)
                    work[hour] += base.service_by_id[ticket.service_id].service_time.mean_s / len(days)
        # the fewest that keep up at all: the hour's work in window-hours, rounded up (at least one)
        plan = {h: min(windows, max(1, math.ceil(work[h] / 3600 + 1e-9))) for h in hours}
        p90: dict[int, float] = {}
        alone = _zone_alone(config, base, zone.id, days, windows)  # built once; each round only staffs it
        for _ in range(MAX_ROUNDS):
            p90 = _p90_by_hour(_staffed(alone, plan), seed)
            short = [h for h in hours if p90.get(h, 0.0) > target_p90_s and plan[h] < windows]
            if not short:
                break
            plan[short[0]] += 1  # the earliest hour first: its queue spills into the next ones
        for h in hours:
            mean_visit = work[h] / rate[h] if rate[h] else 0.0
            advice.append(
                HourAdvice(zone.id, h, rate[h], mean_visit, plan[h], p90.get(h, 0.0), windows, target_p90_s)
            )
    return advice
