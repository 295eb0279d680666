"""What the server benchmarks share: the demo hall without hours or caps, and the traffic they send."""

from __future__ import annotations

import re
from pathlib import Path

#: tickets are issued round these services (A services of windows in five zones)
SERVICES = [
    "biz_setup",
    "biz_change",
    "seal",
    "house_transfer",
    "pension",
    "ss_card",
    "id_card",
    "housing_fund",
]
WINDOWS = [f"W{n:02d}" for n in range(1, 15)]


def load_test_hall(source: Path, instance: Path) -> Path:
    """Copy `source`/config/hall.toml into `instance`, issuing at any hour and without daily caps."""
    text = (
        (source / "config" / "hall.toml")
        .read_text(encoding="utf-8")
        .replace("enforce = true", "enforce = false")
    )
    hall = instance / "hall.toml"
    hall.write_text(re.sub(r"(?m)^daily_cap = \d+.*$", "", text), encoding="utf-8")
    return hall
