"""Can one A/B rule meet issue 18's three targets at once? Rule shapes on every scenario, over several seeds.

Issue 18 asks the default rule for (1) a mean wait <= 1.15x longest-wait's on every scenario, (2) >= 70% of
each window's work from its A services on the balanced rings, (3) the worst zone <= 1.5x the hall's mean. One
run per scenario swings by +-0.2 in the first ratio from seed to seed (the rings run at 90% busy), so
this study runs each scenario on `--seeds` seeds (the scenario's own, then +1000, +2000, ...) and reports the
mean over seeds, with the fixed seed's figure (the one the tests assert) beside it.

Besides `ab` (the default), `own-first` (the other rule a hall may choose) and `longest-wait` (the
reference), two families of state-dependent rules, tried here only (docs/call-rule.md has the outcome):

- `gate`: a window helps a B queue when that queue's tickets per open A window exceed its own queue's by more
  than `margin` (optionally with hysteresis: it keeps helping while they exceed by `margin_off`), or once the
  B head has waited 15 minutes; among what it may call, the longest wait first, own work credited `credit_s`;
- `cap`: a window helps a B queue that is at least as pressed as its own while its B calls today stay under
  `cap` of its calls; past the cap only when the B queue is worse by more than `margin`, or after 15 minutes;
  the own-work credit is dropped while some B queue is that much worse.

Run: `python bench/rule_study.py [--seeds 4] [--rules ab,gate-0.5,...]`; prints one JSON line per rule and a
markdown table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hallq.engine import CallPolicy, QueueHead, WindowView, make_policy
from hallq.engine.calling import ABPolicy
from hallq.simulate import load_scenario
from hallq.simulate.report import run_days, summarize

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [
    ROOT.parent / "shared" / "scenarios" / "ring-6x2.toml",
    *sorted((ROOT / "tests" / "scenarios").glob("*.toml")),
]
RINGS = {"ring-6x2", "ring-lognormal"}
LATE_S = 900.0


def _own(window: WindowView, head: QueueHead) -> bool:
    return head.targeted or head.service_id in window.a_services or head.a_open == 0


def _pressure(head: QueueHead) -> float:
    return head.waiting / max(head.a_open, 1)


def _waited(head: QueueHead, now: datetime) -> float:
    return (now - head.queued_at).total_seconds()


@dataclass
class _StudyRule:
    late_s: float = LATE_S

    def queues_for(self, window: WindowView, services: Collection[str]) -> frozenset[str]:
        return window.a_services | window.b_services

    def recheck_at(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> datetime | None:
        return ABPolicy(b_help_after_s=self.late_s).recheck_at(window, heads, now)

    @staticmethod
    def split(
        window: WindowView, heads: Sequence[QueueHead]
    ) -> tuple[list[QueueHead], list[QueueHead], float]:
        own = [h for h in heads if _own(window, h) and (h.targeted or window.serves(h.service_id))]
        others = [h for h in heads if h not in own and window.serves(h.service_id)]
        return own, others, max((_pressure(h) for h in own if not h.targeted), default=0.0)


@dataclass
class GateRule(_StudyRule):
    margin: float = 0.5
    margin_off: float | None = None
    credit_s: float = 0.0
    name: str = "gate"
    helping: dict[str, bool] = field(default_factory=dict)

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        own, others, own_pressure = self.split(window, heads)
        margin = self.margin
        if self.margin_off is not None and self.helping.get(window.id):
            margin = self.margin_off
        helped = [h for h in others if _pressure(h) > own_pressure + margin or _waited(h, now) >= self.late_s]
        eligible = own + helped
        if not eligible:
            return None
        credit = self.credit_s
        best = min(eligible, key=lambda h: (h.rank, -(_waited(h, now) + credit * (h in own)), h.ticket_id))
        self.helping[window.id] = best not in own
        return best


@dataclass
class CapRule(_StudyRule):
    cap: float = 0.3
    margin: float = 0.5
    credit_s: float = 300.0
    name: str = "cap"
    calls: dict[str, list[Any]] = field(default_factory=dict)

    def choose(self, window: WindowView, heads: Sequence[QueueHead], now: datetime) -> QueueHead | None:
        day, own_calls, b_calls = self.calls.get(window.id, (None, 0, 0))
        if day != now.date():
            day, own_calls, b_calls = now.date(), 0, 0
        own, others, own_pressure = self.split(window, heads)
        under_cap = b_calls < self.cap * (own_calls + b_calls) or own_calls + b_calls == 0
        relief = [h for h in others if _pressure(h) > own_pressure + self.margin]
        helped = relief + [
            h
            for h in others
            if h not in relief
            and (_waited(h, now) >= self.late_s or (under_cap and _pressure(h) >= own_pressure))
        ]
        eligible = own + helped
        if not eligible:
            return None
        credit = 0.0 if relief else self.credit_s
        best = min(eligible, key=lambda h: (h.rank, -(_waited(h, now) + credit * (h in own)), h.ticket_id))
        is_own = best in own
        self.calls[window.id] = [day, own_calls + is_own, b_calls + (not is_own)]
        return best


RULES: dict[str, Any] = {
    "ab": lambda: make_policy("ab"),
    "longest-wait": lambda: make_policy("longest-wait"),
    "own-first": lambda: make_policy("own-first"),
    "gate-0.25": lambda: GateRule(margin=0.25),
    "gate-0.5": lambda: GateRule(margin=0.5),
    "gate-0.5-credit-300": lambda: GateRule(margin=0.5, credit_s=300.0),
    "gate-1-hysteresis-0": lambda: GateRule(margin=1.0, margin_off=0.0, credit_s=300.0),
    "cap-0.3-relief-0.5": lambda: CapRule(cap=0.3, margin=0.5),
    "cap-0.3-relief-1.5": lambda: CapRule(cap=0.3, margin=1.5),
    "cap-0.3-no-relief": lambda: CapRule(cap=0.3, margin=1e9),
}


def run_one(job: tuple[Path, int, str]) -> tuple[str, int, str, dict[str, float]]:
    path, offset, rule = job
    scenario = load_scenario(path)
    scenario = scenario.model_copy(update={"seed": scenario.seed + 1000 * offset})
    policy: CallPolicy = RULES[rule]()
    result = summarize(scenario, rule, run_days(scenario, policy))
    figures = {
        "mean_wait_s": result["mean_wait_s"],
        "min_a_share": min(w["a_share"] for w in result["per_window"].values()),
        "worst_zone": max(z["mean_wait_s"] for z in result["per_zone"].values()) / result["mean_wait_s"],
    }
    return path.stem, offset, rule, figures


def study(rules: list[str], seeds: int, processes: int) -> dict[str, dict[str, dict[str, float]]]:
    jobs = [
        (p, offset, rule) for rule in ["longest-wait", *rules] for p in SCENARIOS for offset in range(seeds)
    ]
    with multiprocessing.Pool(processes) as pool:
        runs = {(s, o, r): f for s, o, r, f in pool.map(run_one, jobs)}
    table: dict[str, dict[str, dict[str, float]]] = {}
    for rule in rules:
        for path in SCENARIOS:
            base = [runs[path.stem, o, "longest-wait"]["mean_wait_s"] for o in range(seeds)]
            ratios = [runs[path.stem, o, rule]["mean_wait_s"] / base[o] for o in range(seeds)]
            table.setdefault(rule, {})[path.stem] = {
                "ratio_mean": sum(ratios) / seeds,
                "ratio_fixed_seed": ratios[0],
                "min_a_share": sum(runs[path.stem, o, rule]["min_a_share"] for o in range(seeds)) / seeds,
                "worst_zone": sum(runs[path.stem, o, rule]["worst_zone"] for o in range(seeds)) / seeds,
            }
    return table


def markdown(table: dict[str, dict[str, dict[str, float]]]) -> str:
    stems = [p.stem for p in SCENARIOS]
    lines = [
        "| rule | " + " | ".join(stems) + " | worst ratio | rings' A share |",
        "| --- | " + " | ".join("---" for _ in stems) + " | ---: | ---: |",
    ]
    for rule, row in table.items():
        cells = [
            f"{row[s]['ratio_mean']:.2f} ({row[s]['ratio_fixed_seed']:.2f}) / {row[s]['worst_zone']:.2f}"
            for s in stems
        ]
        worst = max(row[s]["ratio_mean"] for s in stems)
        rings = min(row[s]["min_a_share"] for s in stems if s in RINGS)
        lines.append(f"| {rule} | " + " | ".join(cells) + f" | {worst:.2f} | {rings:.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--rules", default=",".join(r for r in RULES if r != "longest-wait"))
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    table = study(args.rules.split(","), args.seeds, args.processes)
    for rule, row in table.items():
        print(json.dumps({"rule": rule, "seeds": args.seeds, "scenarios": row}))
    print(markdown(table))


if __name__ == "__main__":
    main()
