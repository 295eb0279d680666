"""Benchmark: server CPU per request, in process (Flask's test client, no HTTP, no other process).

Steadier than the HTTP benchmark on a shared machine (it counts the process's CPU time, not the clock, and
the SQL statements each request runs), so it is the one to compare versions with:
`python bench/request_cost.py [CHECKOUT ...]` runs it against each checkout given (default: this one), in one
run, e.g. `git worktree add /tmp/before HEAD~5 && python bench/request_cost.py /tmp/before .`
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadhall import SERVICES, WINDOWS, load_test_hall
from sqlalchemy import event


def measure(checkout: Path, tickets: int = 4000, calls: int = 1500) -> str:
    sys.path.insert(0, str(checkout))
    from hallq.app.factory import create_app
    from hallq.config.settings import Settings
    from hallq.operations.accounts import create_token

    instance = Path(tempfile.mkdtemp(prefix="hallq-cost-"))
    hall = load_test_hall(checkout, instance)
    app = create_app(Settings(instance=instance, hall_file=hall, async_mode="threading"))
    ctx = app.extensions["hallq"]
    kiosk = {"Authorization": f"Bearer {create_token(ctx.store, 'kiosk', ctx.now())}"}
    bridge = {"Authorization": f"Bearer {create_token(ctx.store, 'bridge', ctx.now())}"}
    client = app.test_client()
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    for engine in {ctx.store.engine, ctx.store.read_engine}:
        event.listen(engine, "before_cursor_execute", count)

    def per_request(requests: int) -> str:
        done, statements[0] = statements[0] / requests, 0
        return f"{done:.1f} statements"

    started, statements[0] = time.process_time(), 0
    for index in range(tickets):
        client.post("/api/v1/tickets", json={"service_id": SERVICES[index % len(SERVICES)]}, headers=kiosk)
    issue_ms = (time.process_time() - started) / tickets * 1000
    issue_statements = per_request(tickets)
    for window in WINDOWS:
        client.post(f"/api/v1/windows/{window}/open", headers=bridge)
    started, cycles, statements[0] = time.process_time(), 0, 0
    for index in range(calls):
        window = WINDOWS[index % len(WINDOWS)]
        if client.post(f"/api/v1/windows/{window}/call-next", headers=bridge).get_json()["ticket"]:
            client.post(f"/api/v1/windows/{window}/finish", headers=bridge)
            cycles += 1
    cycle_ms = (time.process_time() - started) / calls * 1000
    cost = (
        f"issue {issue_ms:.2f} ms ({issue_statements}), "
        f"call-next (+ finish when it called) {cycle_ms:.2f} ms ({per_request(calls)})"
    )
    has_next = client.post(f"/api/v1/windows/{WINDOWS[0]}/next", headers=bridge).status_code != 404
    if has_next:  # 下一位: one request finishes the current ticket and calls the next (issue 21)
        started, nexts, statements[0] = time.process_time(), 0, 0
        for index in range(calls):
            window = WINDOWS[index % len(WINDOWS)]
            answer = client.post(f"/api/v1/windows/{window}/next", headers=bridge).get_json()
            nexts += 1 if answer.get("ticket") else 0
        next_ms = (time.process_time() - started) / calls * 1000
        cost += f", next {next_ms:.2f} ms ({per_request(calls)}; {nexts} calls)"
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
