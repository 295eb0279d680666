"""What the server benchmarks share: the demo hall without hours or caps, and the traffic they send."""

from __future__ import annotations

import os
import platform
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


def load_test_hall(
    source: Path, instance: Path, printers: tuple[str, str] = ("dummy://", "dummy://")
) -> Path:
    """Copy `source`/config/hall.toml into `instance`, issuing at any hour, without daily caps or rate limits
    (the clients issue far faster than people at kiosks); kiosks
    K1 and K2 print to `printers` (never to the hall file's LAN addresses)."""
    text = (
        (source / "config" / "hall.toml")
        .read_text(encoding="utf-8")
        .replace("enforce = true", "enforce = false")
        .replace("issues_per_kiosk_per_minute = 30", "issues_per_kiosk_per_minute = 0")
        .replace(
            "issues_per_kiosk_per_service_per_minute = 10", "issues_per_kiosk_per_service_per_minute = 0"
        )
        .replace("issues_per_address_per_minute = 60", "issues_per_address_per_minute = 0")
    )
    text = re.sub(r"(?m)^daily_cap = \d+.*$", "", text)
    for printer in printers:
        text = re.sub(r'(?m)^printer = "(?!bench:)[^"]*"', f'printer = "bench:{printer}"', text, count=1)
    hall = instance / "hall.toml"
    hall.write_text(text.replace('printer = "bench:', 'printer = "'), encoding="utf-8")
    return hall


def loopback_only() -> None:
    """Benchmarks talk to this machine only: this process and every hallq process it starts refuse, and
    log, any connect off 127.0.0.0/8 and ::1 (hallq/guard.py)."""
    from hallq.net import guard

    os.environ[guard.ENV_ONLY] = "1"
    guard.install()


def machine() -> str:
    """The machine line every benchmark report starts with."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
