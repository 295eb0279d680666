"""Benchmark: from the kiosk's POST to the last byte (the cut) at the printer, raster and text mode.

One `hallq serve` process (eventlet, SQLite); kiosk K1 prints 80 mm raster and K2 58 mm GB18030 text, each
to a printer emulator in this process on 127.0.0.1 that answers DLE EOT as a real printer does. Tickets are
taken one after another (each waits for its paper), so the figures are latencies, not throughput; the same
tickets taken with no kiosk (nothing printed) give the answer time without printing, for comparison.
Run: `python bench/print_ticket.py [--tickets 200] [--json]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from issue_and_call import ROOT, start_server
from loadhall import load_test_hall, machine

from hallq.printing.emulator import PrinterEmulator
from hallq.simulate.report import percentile

#: after the cut the worker still asks the printer's status and records the outcome; the next ticket waits
#: for that, so each answer time is that of a kiosk facing an idle printer
SETTLE_S = 0.05


def without_printing(port: int, token: str, tickets: int) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answers = []
    for _ in range(tickets):
        started = time.perf_counter()
        conn.request(
            "POST", "/api/v1/tickets", json.dumps({"service_id": "id_card"}).encode(), _headers(token)
        )
        response = conn.getresponse()
        response.read()
        answers.append(time.perf_counter() - started)
        assert response.status == 201
        time.sleep(SETTLE_S)
    return {"answer_p50_ms": _ms(answers, 50), "answer_p99_ms": _ms(answers, 99)}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _ms(values: list[float], q: float) -> float:
    return round(1000 * percentile(values, q / 100), 1)


def measure(port: int, token: str, kiosk: str, printer: PrinterEmulator, tickets: int) -> dict[str, float]:
    printed_at: list[float] = []
    arrived = threading.Semaphore(0)
    printer.on_receipt = lambda _job: (printed_at.append(time.perf_counter()), arrived.release())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answers, to_paper, sizes = [], [], []
    for index in range(tickets):
        body = json.dumps({"service_id": "id_card", "kiosk_id": kiosk}).encode()
        started = time.perf_counter()
        conn.request(
            "POST",
            "/api/v1/tickets",
            body,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        answer = json.loads(response.read())
        answered = time.perf_counter()
        assert response.status == 201 and answer["print"]["ok"], answer
        if not arrived.acquire(timeout=10):
            raise SystemExit(f"ticket {index} never reached the printer")
        answers.append(answered - started)
        to_paper.append(printed_at[-1] - started)
        sizes.append(len(printer.receipts[-1]))
        time.sleep(SETTLE_S)
    ms = _ms
    return {
        "answer_p50_ms": ms(answers, 50),
        "answer_p99_ms": ms(answers, 99),
        "to_paper_p50_ms": ms(to_paper, 50),
        "to_paper_p99_ms": ms(to_paper, 99),
        "bytes_per_ticket": round(sum(sizes) / len(sizes)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--port", type=int, default=5098)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    raster, text = PrinterEmulator(), PrinterEmulator()
    raster.start()
    text.start()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        hall = load_test_hall(ROOT, instance, printers=(raster.uri, text.uri))
        sys.path.insert(0, str(ROOT))
        from hallq.app.factory import create_app
        from hallq.config.settings import Settings
        from hallq.operations.accounts import create_token

        app = create_app(Settings(instance=instance, hall_file=hall, async_mode="threading"))
        ctx = app.extensions["hallq"]
        token = create_token(ctx.store, "kiosk", ctx.now(), name="bench-kiosk")
        ctx.store.dispose()
        server = start_server(instance, hall, args.port, "eventlet")
        try:
            results = {
                "no printing": without_printing(args.port, token, args.tickets),
                "raster (K1, 80 mm)": measure(args.port, token, "K1", raster, args.tickets),
                "text (K2, 58 mm, GB18030)": measure(args.port, token, "K2", text, args.tickets),
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
    report = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "tickets_per_mode": args.tickets,
        "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print(f"{report['date']} {report['machine']}, {args.tickets} tickets per mode, one after another")
    for mode, figures in results.items():
        line = f"  {mode:28s} answer p50/p99 {figures['answer_p50_ms']}/{figures['answer_p99_ms']} ms"
        if "to_paper_p50_ms" in figures:
            line += f", to paper p50/p99 {figures['to_paper_p50_ms']}/{figures['to_paper_p99_ms']} ms"
            line += f", {figures['bytes_per_ticket']} bytes"
        print(line)


if __name__ == "__main__":
    main()
