"""Benchmark: one simulated hall day with about 5,000 tickets and 40 windows, per policy (target: < 2 s).

Run: `python bench/simulate_day.py` (also part of `make bench`). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import platform
import time
from datetime import date

from hallq.simulate import parse_scenario, simulate

ZONES = "ABCDEFGHIJ"


def scenario_text(windows_per_zone: int = 4, tickets: int = 5000, hours: float = 8.0) -> str:
    """10 zones x 2 services, 4 windows per zone (A: the zone's services, B: the next zone's), 87% busy."""
    services = [f"{zone.lower()}{n}" for zone in ZONES for n in (1, 2)]
    windows = len(ZONES) * windows_per_zone
    mean_s = round(0.87 * windows * hours * 3600 / tickets)
    rate = tickets / hours / len(services)
    parts = [
        f'name = "bench: {tickets} tickets, {windows} windows"\nseed = 1\nopen = "09:00"\nclose = "17:00"\n'
    ]
    for service in services:
        parts.append(
            f'[[services]]\nid = "{service}"\nzone = "{service[0].upper()}"\n'
            f'service_time = {{ dist = "lognormal", mean_s = {mean_s}, cv = 1.0 }}\n'
            f'[[arrivals]]\nservice = "{service}"\nrate_per_hour = {rate:.3f}\n'
        )
    for index, zone in enumerate(ZONES):
        following = ZONES[(index + 1) % len(ZONES)].lower()
        for n in range(windows_per_zone):
            parts.append(
                f'[[windows]]\nid = "{zone}{n}"\na = ["{zone.lower()}1", "{zone.lower()}2"]\n'
                f'b = ["{following}1", "{following}2"]\n'
            )
    return "".join(parts)


def main() -> None:
    scenario = parse_scenario(scenario_text())
    print(f"{date.today()} · {platform.machine()}, Python {platform.python_version()} · {scenario.name}")
    for policy in ("ab", "longest-wait", "dedicated", "pooled"):
        started = time.perf_counter()
        result = simulate(scenario, policy)
        elapsed = time.perf_counter() - started
        wait = result["mean_wait_s"]
        print(f"  {policy:<13} {result['tickets']:>6} tickets  {elapsed:5.2f} s  mean wait {wait:6.0f} s")


if __name__ == "__main__":
    main()
