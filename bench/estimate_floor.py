"""How good can any wait estimate be? An oracle, on a scenario's own days, that knows the hall's state.

At a sample of arrivals the whole simulated hall is copied as it stands (every queue, which ticket each
window is serving and for how long, who is away) and run on `--runs` times until the new ticket is called.
Each run draws the future afresh: the rest of every visit under way from the service's own distribution
given how long it has lasted, then new arrivals and visits. So the oracle knows what a real estimate could
know at best (the state, and the true distributions that a real estimate must learn) but nothing of the
future. Its estimate is the figure that minimises the expected percentage error over those waits (a
median weighted by 1/wait over waits of at least 2 minutes, as the issue's measure counts them); its mean
absolute percentage error against the waits that really followed is a floor for any estimate made from
that state. Run: `python bench/estimate_floor.py [SCENARIO.toml] [--share 0.1] [--runs 40] [--days N]`;
figures go to docs/call-rule.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
from pathlib import Path
from statistics import NormalDist
from typing import Any

from hallq.engine import CallPolicy, make_policy
from hallq.engine.calling import DEFAULT_POLICY
from hallq.simulate import load_scenario
from hallq.simulate.report import PCT_ERROR_MIN_WAIT_S
from hallq.simulate.run import ARRIVE, DONE, HallDay
from hallq.simulate.scenario import Scenario, SimService

ROOT = Path(__file__).resolve().parents[1]


class SampledDay(HallDay):
    """A hall day that keeps a copy of itself at a random share of arrivals."""

    def __init__(self, scenario: Scenario, policy: CallPolicy, seed: int, share: float) -> None:
        super().__init__(scenario, policy, seed)
        self.share, self.sampler = share, random.Random(seed ^ 0x5EED)
        self.copies: list[tuple[int, SampledDay]] = []

    def shared(self) -> dict[int, Any]:
        """What a copy may share with this day instead of copying (read-only, or not a copy's business)."""
        return {
            id(part): part
            for part in (self.scenario, self.policy, self.services, self.arrivals, self.copies, self.sampler)
        }

    def arrive(self, service_id: str) -> None:
        super().arrive(service_id)
        ticket = self.tickets[-1]
        counted = ticket.issued_s >= self.scenario.counted_from_s
        if counted and ticket.called_s is None and self.sampler.random() < self.share:
            self.copies.append((ticket.id, copy.deepcopy(self, self.shared())))


def oracle_estimate(waits: list[float]) -> float:
    """The figure minimising the mean of |e - w| / w over the waits counted by the measure."""
    counted = sorted(w for w in waits if w >= PCT_ERROR_MIN_WAIT_S)
    if not counted:
        return sorted(waits)[len(waits) // 2]
    total = sum(1 / w for w in counted)
    running = 0.0
    for wait in counted:  # the weighted median, weights 1/w
        running += 1 / wait
        if running >= total / 2:
            return wait
    return counted[-1]


def rest_of_visit(spec: SimService, elapsed: float, rng: random.Random) -> float:
    """A draw of the rest of a visit that has lasted `elapsed`, from the service's own distribution."""
    time_spec = spec.service_time
    if time_spec.dist == "fixed" or time_spec.cv == 0:
        return max(0.0, time_spec.mean_s - elapsed)
    if time_spec.dist == "exponential":
        return rng.expovariate(1.0 / time_spec.mean_s)  # memoryless
    sigma = math.sqrt(math.log(1.0 + time_spec.cv**2))
    log_scale = NormalDist(math.log(time_spec.mean_s) - sigma**2 / 2.0, sigma)
    lasted = log_scale.cdf(math.log(elapsed)) if elapsed > 0 else 0.0
    share = lasted + (1.0 - lasted) * rng.random()  # uniform above the CDF of what has passed
    return max(0.0, math.exp(log_scale.inv_cdf(min(share, 1.0 - 1e-12))) - elapsed)


def redraw_future(hall: SampledDay) -> None:
    """Forget when the visits under way end and when the next tickets come: draw both again."""
    kept = [event for event in hall.events if event[2] not in (ARRIVE, DONE)]
    hall.events = []
    for at, _, kind, key in kept:
        hall.schedule(at, kind, key)
    for window_id, state in hall.windows.items():
        if state.busy_with is not None:
            ticket = state.busy_with
            assert ticket.called_s is not None
            spec = hall.services[ticket.service_id]
            rest = rest_of_visit(spec, hall.now - ticket.called_s, hall.rng)
            hall.schedule(hall.now + rest, DONE, window_id)
    for service_id in hall.arrivals:
        hall.schedule_arrival(service_id, hall.now)


def waits_from(day: SampledDay, start: SampledDay, ticket_id: int, runs: int) -> list[float]:
    found = []
    for run in range(runs):
        hall = copy.deepcopy(start, day.shared())
        hall.share, hall.rng = 0.0, random.Random(ticket_id * 1_000 + run)  # a copy keeps no copies
        redraw_future(hall)
        ticket = hall.tickets[ticket_id - 1]
        while ticket.called_s is None and hall.events:
            hall.step()
        assert ticket.called_s is not None
        found.append(ticket.called_s - ticket.issued_s)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", type=Path, default=ROOT / "tests/scenarios/hall-day.toml")
    parser.add_argument("--share", type=float, default=0.1, help="share of arrivals the oracle estimates")
    parser.add_argument("--runs", type=int, default=40, help="runs on from each copy")
    parser.add_argument("--days", type=int, default=None, help="days to simulate (default: the scenario's)")
    parser.add_argument(
        "--policy", default=DEFAULT_POLICY, help="the call rule the days run (default: the default)"
    )
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    days = args.days or scenario.replications
    seeds = random.Random(scenario.seed)
    oracle_errors: list[float] = []
    mean_errors: list[float] = []  # the oracle giving the mean of its waits: unbiased, as hallq aims to be
    estimate_errors: list[float] = []
    for _ in range(days):
        day = SampledDay(scenario, make_policy(args.policy), seeds.getrandbits(64), args.share)
        day.run()
        for ticket_id, start in day.copies:
            ticket = day.tickets[ticket_id - 1]
            assert ticket.called_s is not None
            wait = ticket.called_s - ticket.issued_s
            if wait < PCT_ERROR_MIN_WAIT_S:
                continue
            waits = waits_from(day, start, ticket_id, args.runs)
            oracle = oracle_estimate(waits)
            oracle_errors.append(abs(oracle - wait) / wait)
            mean_errors.append(abs(sum(waits) / len(waits) - wait) / wait)
            estimate_errors.append(abs(ticket.estimate_s - wait) / wait)
    print(
        json.dumps(
            {
                "scenario": args.scenario.stem,
                "days": days,
                "tickets_counted": len(oracle_errors),
                "runs_per_ticket": args.runs,
                "oracle_mape": round(sum(oracle_errors) / len(oracle_errors), 3),
                "oracle_mean_wait_mape": round(sum(mean_errors) / len(mean_errors), 3),
                "hallq_estimate_mape_same_tickets": round(sum(estimate_errors) / len(estimate_errors), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
