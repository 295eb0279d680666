"""Where the pooling gain is lost: the rule, or the A/B assignment?

Two studies for docs/call-rule.md:

1. rules: on each scenario, the three policies of `hallq simulate` plus `longest-wait` (work-conserving:
   a window never idles while a ticket it could serve waits) and two more work-conserving rules tried here
   only: `fewest-alternatives` (a head's wait divided by the windows that can serve its service, so a
   window favours tickets few others could take) and `short-visits-first` (wait divided by the service's
   mean visit, the c-mu rule, with anyone past 15 minutes called first come first served);
2. assignments: the realistic day (the demo hall) with every window also backing up the rest of its own
   department, then one, then two neighbouring departments as well.

Run: `python bench/assignment_study.py [rules|assignments]`; one JSON line per scenario and rule.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hallq.engine import CallPolicy, QueueHead, WindowView, make_policy
from hallq.engine.calling import LongestWaitPolicy
from hallq.simulate import load_scenario
from hallq.simulate.report import pooling_gain, run_days, summarize
from hallq.simulate.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [
    ROOT.parent / "shared" / "scenarios" / "ring-6x2.toml",
    *sorted((ROOT / "tests" / "scenarios").glob("*.toml")),
]
LATE_S = 900.0


class FewestAlternatives(LongestWaitPolicy):
    name = "fewest-alternatives"

    def __init__(self, scenario: Scenario) -> None:
        self.windows_for = {
            service.id: sum(1 for w in scenario.windows if service.id in w.a or service.id in w.b)
            for service in scenario.services
        }

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        eligible = [h for h in heads if h.targeted or window.serves(h.service_id)]

        def key(head: QueueHead) -> tuple[int, float]:
            waited = (now - head.queued_at).total_seconds()
            return (head.rank, -waited / self.windows_for[head.service_id])

        return min(eligible, key=key, default=None)


class ShortVisitsFirst(LongestWaitPolicy):
    name = "short-visits-first"

    def __init__(self, scenario: Scenario) -> None:
        self.mean_s = {service.id: service.service_time.mean_s for service in scenario.services}

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        eligible = [h for h in heads if h.targeted or window.serves(h.service_id)]
        late = [h for h in eligible if (now - h.queued_at).total_seconds() >= LATE_S]
        if late:
            return min(late, key=lambda head: head.order_key)

        def key(head: QueueHead) -> tuple[int, float]:
            waited = (now - head.queued_at).total_seconds() + 1.0
            return (head.rank, -waited / self.mean_s[head.service_id])

        return min(eligible, key=key, default=None)


def measured(scenario: Scenario, policies: Mapping[str, CallPolicy]) -> dict[str, dict[str, Any]]:
    return {name: summarize(scenario, name, run_days(scenario, policy)) for name, policy in policies.items()}


def rows(label: str, results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    dedicated, pooled = results["dedicated"]["mean_wait_s"], results["pooled"]["mean_wait_s"]
    found = []
    for name, result in results.items():
        mean = result["mean_wait_s"]
        zones = [zone["mean_wait_s"] for zone in result["per_zone"].values()]
        found.append(
            {
                "scenario": label,
                "rule": name,
                "mean_wait_min": round(mean / 60, 2),
                "gain": round(pooling_gain(dedicated, mean, pooled), 3),
                "min_a_share": min(w["a_share"] for w in result["per_window"].values()),
                "worst_zone_vs_mean": round(max(zones) / mean, 2) if mean else 1.0,
                "p90_wait_min": round(result["p90_wait_s"] / 60, 1),
            }
        )
    return found


def rules() -> None:
    for path in SCENARIOS:
        scenario = load_scenario(path)
        policies: dict[str, CallPolicy] = {
            name: make_policy(name) for name in ("dedicated", "pooled", "ab", "longest-wait")
        }
        policies["fewest-alternatives"] = FewestAlternatives(scenario)
        policies["short-visits-first"] = ShortVisitsFirst(scenario)
        for row in rows(path.stem, measured(scenario, policies)):
            print(json.dumps(row), flush=True)


def wider(scenario: Scenario, departments: int) -> Scenario:
    """Every window backs up its whole department and the next `departments` ones (zone order, a ring)."""
    zones = sorted({service.zone for service in scenario.services})
    zone_of = {service.id: service.zone for service in scenario.services}
    by_zone = {zone: {s.id for s in scenario.services if s.zone == zone} for zone in zones}
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    windows = []
    for window in scenario.windows:
        home = zones.index(zone_of[window.a[0]])
        backup = set(window.b)
        for step in range(departments + 1):
            backup |= by_zone[zones[(home + step) % len(zones)]]
        windows.append({"id": window.id, "a": window.a, "b": sorted(backup - set(window.a))})
    data["windows"] = windows
    return Scenario.model_validate(data)


def assignments() -> None:
    scenario = load_scenario(ROOT / "tests" / "scenarios" / "hall-day.toml")
    names = ("dedicated", "pooled", "ab", "longest-wait")
    labels = ["as in the demo hall", "+ own department", "+ 1 neighbour", "+ 2 neighbours"]
    for departments, label in enumerate(labels, start=-1):
        variant = scenario if departments < 0 else wider(scenario, departments)
        results = measured(variant, {name: make_policy(name) for name in names})
        for row in rows(f"hall-day, B {label}", results):
            print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("study", nargs="?", choices=["rules", "assignments"], default=None)
    args = parser.parse_args()
    if args.study in (None, "rules"):
        rules()
    if args.study in (None, "assignments"):
        assignments()


if __name__ == "__main__":
    main()
