"""Benchmark: server CPU per request, in process (Flask's test client, no HTTP, no other process).

Steadier than the HTTP benchmark on a shared machine, so it is the one to compare versions with:
`python bench/request_cost.py [CHECKOUT ...]` runs it against each checkout given (default: this one), in one
run, e.g. `git worktree add /tmp/before HEAD~5 && python bench/request_cost.py /tmp/before .`
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def measure(checkout: Path, tickets: int = 2000, calls: int = 1500) -> str:
    sys.path.insert(0, str(checkout))
    from hallq.accounts import create_token
    from hallq.app import create_app
    from hallq.settings import Settings

    instance = Path(tempfile.mkdtemp(prefix="hallq-cost-"))
    text = (
        (checkout / "config" / "hall.toml")
        .read_text(encoding="utf-8")
        .replace("enforce = true", "enforce = false")
    )
    (instance / "hall.toml").write_text(re.sub(r"(?m)^daily_cap = \d+.*$", "", text), encoding="utf-8")
    app = create_app(Settings(instance=instance, hall_file=instance / "hall.toml", async_mode="threading"))
    ctx = app.extensions["hallq"]
    kiosk = {"Authorization": f"Bearer {create_token(ctx.store, 'kiosk', ctx.now())}"}
    bridge = {"Authorization": f"Bearer {create_token(ctx.store, 'bridge', ctx.now())}"}
    client = app.test_client()
    started = time.perf_counter()
    for index in range(tickets):
        client.post("/api/v1/tickets", json={"service_id": SERVICES[index % len(SERVICES)]}, headers=kiosk)
    issue_ms = (time.perf_counter() - started) / tickets * 1000
    for window in WINDOWS:
        client.post(f"/api/v1/windows/{window}/open", headers=bridge)
    started, cycles = time.perf_counter(), 0
    for index in range(calls):
        window = WINDOWS[index % len(WINDOWS)]
        if client.post(f"/api/v1/windows/{window}/call-next", headers=bridge).get_json()["ticket"]:
            client.post(f"/api/v1/windows/{window}/finish", headers=bridge)
            cycles += 1
    cycle_ms = (time.perf_counter() - started) / calls * 1000
    cost = f"issue {issue_ms:.2f} ms, call-next (+ finish when it called) {cycle_ms:.2f} ms"
    return f"{checkout}: {cost}, {cycles} calls"


def main() -> None:
    checkouts = [Path(arg).resolve() for arg in sys.argv[1:]] or [Path(__file__).resolve().parents[1]]
    for checkout in checkouts:
        if len(checkouts) == 1:
            print(measure(checkout))
        else:  # a fresh interpreter per checkout, so each imports its own hallq
            subprocess.run([sys.executable, __file__, str(checkout)], check=True)


if __name__ == "__main__":
    main()
