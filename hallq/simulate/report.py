"""Run a scenario's replications and pool their metrics into the JSON of shared/scenario-format.md."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from hallq.engine import CallPolicy, make_policy
from hallq.engine.calling import DEFAULT_POLICY
from hallq.simulate.replay import RecordedDay
from hallq.simulate.run import DayResult, HallDay
from hallq.simulate.scenario import Scenario

#: the range's width is judged on tickets that were told to wait longer than this
LONG_WAIT_S = 600
#: tickets that waited less than this are left out of the estimate's percentage error
PCT_ERROR_MIN_WAIT_S = 120.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def run_days(scenario: Scenario, policy: CallPolicy) -> list[DayResult]:
    seeds = random.Random(scenario.seed)
    return [HallDay(scenario, policy, seeds.getrandbits(64)).run() for _ in range(scenario.replications)]


def replay_days(scenario: Scenario, policy: CallPolicy, days: Sequence[RecordedDay]) -> list[DayResult]:
    """Each recorded day once, its citizens and absences replayed, the scenario's windows and rule."""
    seeds = random.Random(scenario.seed)
    return [HallDay(scenario, policy, seeds.getrandbits(64), replay=day).run() for day in days]


def summarize(scenario: Scenario, policy_name: str, days: list[DayResult]) -> dict[str, Any]:
    waits: list[float] = []
    zone_waits: dict[str, list[float]] = defaultdict(list)
    abs_errors: list[float] = []
    errors: list[float] = []
    pct_errors: list[float] = []
    by_hour: dict[int, list[float]] = defaultdict(list)
    in_range: list[bool] = []
    after_slot: list[float] = []
    long_widths: list[float] = []
    long_estimates: list[float] = []
    for day in days:
        for ticket in day.tickets:
            if ticket.issued_s < day.counted_from_s or ticket.called_s is None:
                continue
            wait = ticket.called_s - ticket.issued_s
            if ticket.booked:  # counted from the slot, or from the check-in of one who came late
                after_slot.append(ticket.called_s - max(ticket.issued_s, ticket.queued_s))
            waits.append(wait)
            zone_waits[ticket.zone].append(wait)
            by_hour[int(ticket.issued_s // 3600) % 24].append(wait)
            in_range.append(ticket.low_s <= wait <= ticket.high_s)
            if ticket.estimate_s > LONG_WAIT_S:
                long_widths.append(ticket.high_s - ticket.low_s)
                long_estimates.append(ticket.estimate_s)
            abs_errors.append(abs(ticket.estimate_s - wait))
            errors.append(ticket.estimate_s - wait)
            if wait >= PCT_ERROR_MIN_WAIT_S:
                pct_errors.append(abs(ticket.estimate_s - wait) / wait)
    per_window: dict[str, dict[str, float]] = {}
    for window in scenario.windows:
        served = sum(day.windows[window.id].served for day in days)
        served_a = sum(day.windows[window.id].served_a for day in days)
        busy = sum(day.windows[window.id].busy_s for day in days)
        present = sum(day.present_s[window.id] for day in days)
        per_window[window.id] = {
            "served": served,
            "a_share": round(served_a / served, 3) if served else 0.0,
            "busy_share": round(busy / present, 3) if present else 0.0,
        }
    return {
        "scenario": scenario.name,
        "policy": policy_name,
        "tickets": len(waits),
        "mean_wait_s": round(_mean(waits), 1),
        "p90_wait_s": round(percentile(waits, 0.9), 1),
        "max_wait_s": round(max(waits, default=0.0), 1),
        "per_zone": {
            zone: {
                "tickets": len(values),
                "mean_wait_s": round(_mean(values), 1),
                "p90_wait_s": round(percentile(values, 0.9), 1),
            }
            for zone, values in sorted(zone_waits.items())
        },
        "per_window": per_window,
        "estimate": {
            "mean_abs_error_s": round(_mean(abs_errors), 1),
            "mean_abs_pct_error": round(_mean(pct_errors), 3),
            # signed: above 0 the estimates were too long on average
            "mean_error_s": round(_mean(errors), 1),
            "called_within_estimate": round(sum(1 for e in errors if e >= 0) / len(errors), 3)
            if errors
            else 0.0,
        },
        "range": {
            # the share of citizens called inside the range their ticket showed
            "called_within_range": round(sum(in_range) / len(in_range), 3) if in_range else 0.0,
            # for tickets told over 10 minutes: how wide the range was, against the single figure
            "median_width_s": round(percentile(long_widths, 0.5), 1),
            "median_estimate_s": round(percentile(long_estimates, 0.5), 1),
        },
        "bookings": {
            "tickets": len(after_slot),
            # booked citizens' wait past their slot (check-in counts for those who came late)
            "mean_wait_after_slot_s": round(_mean(after_slot), 1),
            "called_within_15_min_of_slot": round(sum(w <= 900 for w in after_slot) / len(after_slot), 3)
            if after_slot
            else 0.0,
        },
        "by_hour": {f"{hour:02d}:00": round(_mean(values), 1) for hour, values in sorted(by_hour.items())},
    }


def simulate(
    scenario: Scenario, policy_name: str = DEFAULT_POLICY, **policy_options: float
) -> dict[str, Any]:
    """Run every replication of a scenario under one policy and return the pooled metrics."""
    policy = make_policy(policy_name, **policy_options)
    return summarize(scenario, policy_name, run_days(scenario, policy))


def pooling_gain(dedicated: float, chosen: float, pooled: float) -> float:
    """Share of the pooling gain a rule captures: (W_dedicated - W_rule) / (W_dedicated - W_pooled)."""
    if dedicated <= pooled:
        return 1.0
    return (dedicated - chosen) / (dedicated - pooled)


def format_table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['scenario']} · policy {result['policy']} · {result['tickets']} tickets",
        f"wait: mean {result['mean_wait_s'] / 60:.1f} min, p90 {result['p90_wait_s'] / 60:.1f} min, "
        f"max {result['max_wait_s'] / 60:.1f} min",
        f"estimate at issue: mean abs error {result['estimate']['mean_abs_error_s'] / 60:.1f} min, "
        f"mean abs % error {result['estimate']['mean_abs_pct_error']:.0%} (waits >= 2 min), "
        f"called within it {result['estimate']['called_within_estimate']:.0%}",
        "",
        f"{'zone':<10}{'tickets':>9}{'mean min':>10}{'p90 min':>10}",
    ]
    for zone, row in result["per_zone"].items():
        lines.append(
            f"{zone:<10}{row['tickets']:>9}{row['mean_wait_s'] / 60:>10.1f}{row['p90_wait_s'] / 60:>10.1f}"
        )
    lines += ["", f"{'window':<10}{'served':>9}{'A share':>10}{'busy':>10}"]
    for window, row in result["per_window"].items():
        lines.append(f"{window:<10}{row['served']:>9}{row['a_share']:>10.0%}{row['busy_share']:>10.0%}")
    return "\n".join(lines)
