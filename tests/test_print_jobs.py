"""Printing in the server: off the request path, every fault survived with the ticket kept, reprint."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from PIL import Image
from sqlalchemy import insert, select

from hallq.operations.accounts import create_token
from hallq.operations.context import HallContext
from hallq.printing.decode import read_receipt
from hallq.printing.emulator import PrinterEmulator
from hallq.store.models import DeviceState, PrintJob

from .conftest import Tokens, demo_hall_copy


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    """The demo hall with short printer timeouts, so the fault tests take a second, not the default 5."""
    return demo_hall_copy(tmp_path, ('mode = "raster"', 'mode = "raster"\ntimeout_s = 0.4'))


@pytest.fixture
def printers(printer: PrinterEmulator) -> dict[str, str]:
    return {"K1": printer.uri, "K2": "dummy://"}


@pytest.fixture
def kiosk_k1(ctx: HallContext) -> dict[str, str]:
    return Tokens.header(create_token(ctx.store, "kiosk", ctx.now(), kiosk_id="K1", name="kiosk-K1"))


def sockets(app: Flask, token: str, room: str) -> SocketIOTestClient:
    client = app.extensions["socketio"].test_client(app, auth={"token": token})
    assert client.emit("join", {"room": room}, callback=True)["ok"]
    client.get_received()
    return client


def job_state(ctx: HallContext, job_id: int, until: tuple[str, ...] = ("printed", "failed")) -> PrintJob:
    deadline = time.monotonic() + 10
    while True:
        with ctx.store.read() as session:
            job = session.get(PrintJob, job_id)
            assert job is not None
            if not until or job.state in until or time.monotonic() > deadline:
                session.expunge(job)
                return job
        time.sleep(0.02)


def events(client: SocketIOTestClient, name: str, at_least: int = 1) -> list[dict]:
    """The pushes named `name` received so far, waiting (5 s at most) until there are `at_least`: the worker
    records an outcome in the database a moment before it emits the push."""
    found: list[dict] = []
    deadline = time.monotonic() + 5
    while True:
        found += [event["args"][0] for event in client.get_received() if event["name"] == name]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def take(client: FlaskClient, headers: dict[str, str], **body: object) -> dict:
    response = client.post("/api/v1/tickets", json={"service_id": "biz_setup", **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_kiosk_ticket_prints_and_the_kiosk_hears_it(
    app: Flask, ctx: HallContext, client: FlaskClient, kiosk_k1: dict[str, str], printer: PrinterEmulator
) -> None:
    kiosk_page = sockets(app, kiosk_k1["Authorization"].split()[1], "kiosk:K1")
    ticket = take(client, kiosk_k1)
    assert ticket["print"]["ok"] and ticket["print"]["state"] == "queued"
    assert job_state(ctx, ticket["print"]["job_id"]).state == "printed"
    assert printer.wait_for(1)
    receipt = read_receipt(printer.receipts[0])
    assert receipt.qr_data == f"http://localhost{ticket['status_url']}"  # the address the kiosk used
    assert [width for width, _ in receipt.rasters] == [72, 72] and receipt.cut
    [status] = events(kiosk_page, "print_status")
    assert status["state"] == "printed" and status["number"] == ticket["number"] == "A001"


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("paper_out", "paper_out"),
        ("silent", "timeout"),
        ("drop", "disconnected"),
        ("cover_open", "cover_open"),
    ],
)
def test_a_printer_fault_keeps_the_ticket_tells_everyone_and_reprint_works(
    app: Flask,
    ctx: HallContext,
    client: FlaskClient,
    tokens: Tokens,
    kiosk_k1: dict[str, str],
    printer: PrinterEmulator,
    fault: str,
    code: str,
) -> None:
    printer.faults.add(fault)
    printer.drop_after = 1000
    manager = sockets(app, tokens.manager, "manager")
    kiosk_page = sockets(app, kiosk_k1["Authorization"].split()[1], "kiosk:K1")
    ticket = take(client, kiosk_k1)
    job = job_state(ctx, ticket["print"]["job_id"])
    assert (job.state, job.error) == ("failed", code) or (fault == "drop" and job.error == "timeout")
    # the citizen keeps the place in the queue
    status = client.get(f"/api/v1/status/{ticket['status_url'].rsplit('/', 1)[1]}").get_json()
    assert status["status"] == "waiting" and status["number"] == ticket["number"]
    [pushed] = events(kiosk_page, "print_status")
    assert pushed["state"] == "failed" and pushed["message"]
    [device] = events(manager, "device_status")
    assert device["device"] == "printer:K1" and device["state"] == job.error
    with ctx.store.read() as session:
        assert session.get(DeviceState, "printer:K1").state == job.error  # type: ignore[union-attr]

    printer.faults.clear()  # staff fixed the printer
    reprint = client.post(f"/api/v1/tickets/{ticket['id']}/print", headers=kiosk_k1)
    assert reprint.status_code == 202
    assert job_state(ctx, reprint.get_json()["job_id"]).state == "printed"
    assert printer.wait_for(1)
    assert read_receipt(printer.receipts[-1]).qr_data.endswith(ticket["status_url"])  # type: ignore[union-attr]
    back = events(manager, "device_status")
    assert back and back[-1]["state"] == "ok" and back[-1]["previous"] == job.error


def test_a_printer_that_is_switched_off_and_on_again(
    ctx: HallContext, client: FlaskClient, kiosk_k1: dict[str, str], printer: PrinterEmulator
) -> None:
    printer.stop()  # nothing listens on its port now: connections are refused
    ticket = take(client, kiosk_k1)
    job = job_state(ctx, ticket["print"]["job_id"])
    assert (job.state, job.error) == ("failed", "unreachable")
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=kiosk_k1).get_json()["status"] == "waiting"
    again = PrinterEmulator(port=printer.port)  # switched on again, same address
    again.start()
    try:
        reprint = client.post(f"/api/v1/tickets/{ticket['id']}/print", headers=kiosk_k1)
        assert job_state(ctx, reprint.get_json()["job_id"]).state == "printed"
        assert again.wait_for(1)
    finally:
        again.stop()


def test_the_answer_does_not_wait_for_paper(
    ctx: HallContext, client: FlaskClient, kiosk_k1: dict[str, str], printer: PrinterEmulator
) -> None:
    printer.faults.add("silent")  # the worker will wait its whole timeout on this printer
    ticket = take(client, kiosk_k1)
    assert (
        job_state(ctx, ticket["print"]["job_id"], until=()).state == "queued"
    )  # answered before printing ended
    assert job_state(ctx, ticket["print"]["job_id"]).error == "timeout"


def test_who_may_reprint(
    ctx: HallContext, client: FlaskClient, tokens: Tokens, kiosk_k1: dict[str, str]
) -> None:
    ticket = take(client, kiosk_k1)
    kiosk_k2 = Tokens.header(create_token(ctx.store, "kiosk", ctx.now(), kiosk_id="K2"))
    path = f"/api/v1/tickets/{ticket['id']}/print"
    assert client.post(path, headers=kiosk_k2).status_code == 403
    assert client.post(path, headers=Tokens.header(tokens.display)).status_code == 403
    assert (
        client.post(path, headers=Tokens.header(tokens.clerk_w01), json={"kiosk_id": "K2"}).status_code == 202
    )
    assert (
        client.post(path, headers=Tokens.header(tokens.manager), json={"kiosk_id": "K9"}).status_code == 422
    )
    assert client.post("/api/v1/tickets/999/print", headers=Tokens.header(tokens.manager)).status_code == 404
    at_desk = take(client, Tokens.header(tokens.clerk_w01))  # no kiosk: staff must say where
    answer = client.post(f"/api/v1/tickets/{at_desk['id']}/print", headers=Tokens.header(tokens.manager))
    assert answer.status_code == 422 and "kiosk_id" in answer.get_json()["message"]
    bad = client.post(path, headers=Tokens.header(tokens.manager), json={"kiosk_id": 7})
    assert bad.status_code == 422


def test_kiosk_ids_are_checked(
    ctx: HallContext, client: FlaskClient, tokens: Tokens, kiosk_k1: dict[str, str]
) -> None:
    unknown = client.post(
        "/api/v1/tickets",
        json={"service_id": "biz_setup", "kiosk_id": "K9"},
        headers=Tokens.header(tokens.kiosk),
    )
    assert unknown.status_code == 422 and "K1, K2" in unknown.get_json()["message"]
    other = client.post(
        "/api/v1/tickets", json={"service_id": "biz_setup", "kiosk_id": "K2"}, headers=kiosk_k1
    )
    assert other.status_code == 403
    assert take(client, kiosk_k1)["print"]["ok"]  # a bound token needs no kiosk_id


def test_after_a_restart_fresh_jobs_print_and_stale_ones_fail(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens, printer: PrinterEmulator
) -> None:
    ticket = take(client, Tokens.header(tokens.kiosk))  # no kiosk, so no job yet
    now = ctx.now()
    with ctx.store.write_connection() as connection:
        for created in (now - timedelta(minutes=10), now - timedelta(seconds=5)):
            values = {
                "ticket_id": ticket["id"],
                "kiosk_id": "K1",
                "state": "queued",
                "base_url": "http://hall/",
            }
            connection.execute(insert(PrintJob).values(**values, created_at=created))
    app.extensions["hallq_printing"].recover()
    with ctx.store.read() as session:
        ids = session.scalars(select(PrintJob.id).order_by(PrintJob.id)).all()
    assert job_state(ctx, ids[0]).error == "expired"
    assert job_state(ctx, ids[1]).state == "printed"
    assert printer.wait_for(1)
    assert read_receipt(printer.receipts[0]).qr_data == f"http://hall{ticket['status_url']}"


def test_ticket_png_for_the_screen(client: FlaskClient, kiosk_k1: dict[str, str], tmp_path: Path) -> None:
    ticket = take(client, kiosk_k1)
    response = client.get(f"{ticket['status_url']}/ticket.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    (tmp_path / "t.png").write_bytes(response.data)
    assert Image.open(tmp_path / "t.png").width == 576
    narrow = client.get(f"{ticket['status_url']}/ticket.png?paper=58")
    (tmp_path / "n.png").write_bytes(narrow.data)
    assert Image.open(tmp_path / "n.png").width == 384
    assert client.get(f"{ticket['status_url']}/ticket.png?paper=110").status_code == 400
    assert client.get("/t/not-a-ticket-token-at-all/ticket.png").status_code == 404


def test_the_screens_qr_code(client: FlaskClient, kiosk_k1: dict[str, str]) -> None:
    """/t/<token>/qr.svg, the QR code on the kiosk's ticket screen (decoded in test_browser_sizes.py)."""
    ticket = take(client, kiosk_k1)
    response = client.get(f"{ticket['status_url']}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg") or b"<svg" in response.data[:200]
    assert client.get("/t/not-a-ticket-token-at-all/qr.svg").status_code == 404
    assert client.get(f"/t/{'x' * 65}/qr.svg").status_code == 404


def test_two_processes_recovering_the_same_job_print_it_once(
    app: Flask, ctx: HallContext, client: FlaskClient, tokens: Tokens, printer: PrinterEmulator
) -> None:
    """Server processes starting together (`serve --workers`) each recover open jobs: one prints each."""
    from hallq.web.print_worker import PrintService

    ticket = take(client, Tokens.header(tokens.kiosk))
    with ctx.store.write_connection() as connection:
        values = {"ticket_id": ticket["id"], "kiosk_id": "K1", "state": "queued", "base_url": "http://hall/"}
        connection.execute(insert(PrintJob).values(**values, created_at=ctx.now()))
    with ctx.store.read() as session:
        job_id = session.scalars(select(PrintJob.id)).one()
    other = PrintService(ctx, emit=lambda _: None, spawn=lambda *_: None)
    workers = [app.extensions["hallq_printing"], other]
    together = threading.Barrier(len(workers))

    def recover(worker: PrintService) -> None:
        together.wait()
        worker.run(job_id)

    threads = [threading.Thread(target=recover, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert job_state(ctx, job_id).state == "printed"
    time.sleep(0.3)
    assert len(printer.receipts) == 1
