"""A third-party peer: emupos (PyPI) emulates an ESC/POS printer on the wire and renders what it gets to PNG.

It reads text as code page 437, so it checks raster tickets, the layout and status replies, not GB18030 text.
It needs Python 3.13+, so it runs from its own venv (`make emupos` makes .venv-emupos).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from hallq.config.settings import REPO_ROOT
from hallq.printing.connectors import PrintFault, close_quietly, deliver, open_printer
from hallq.printing.escpos_ticket import raster_ticket
from hallq.printing.layout import PAPERS, Layout, TicketPrint
from hallq.printing.uri import parse_printer_uri

from .conftest import skip_or_fail
from .livehall import free_ports

EMUPOS = Path(os.environ.get("HALLQ_EMUPOS", REPO_ROOT / ".venv-emupos" / "bin" / "emupos"))
TICKET = TicketPrint(
    hall_name="示范区政务服务中心",
    zone_name="企业开办区",
    service_name="企业设立登记",
    number="A012",
    ahead=5,
    estimated_wait_s=740,
    issued_at=datetime(2026, 11, 23, 10, 2),
    status_url="http://127.0.0.1:5000/t/abcdefghijklmnopqrstuvwx",
    materials=("营业执照申请书", "公司章程"),
    footer="过号请到服务台重新排队",
)


@dataclass
class Emupos:
    printer_uri: str
    api: str

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{self.api}{path}", timeout=5) as response:
            return bytes(response.read())

    def fault(self, name: str, on: bool) -> None:
        request = urllib.request.Request(
            f"{self.api}/devices/kiosk/faults/{name}", method="PUT" if on else "DELETE"
        )
        urllib.request.urlopen(request, timeout=5).close()

    def receipts(self, count: int) -> list[dict]:
        deadline = time.monotonic() + 10
        while True:
            receipts = json.loads(self.get("/devices/kiosk/receipts"))
            if len(receipts) >= count or time.monotonic() > deadline:
                return list(receipts)
            time.sleep(0.05)


@pytest.fixture
def emupos(tmp_path: Path) -> Iterator[Emupos]:
    if not EMUPOS.exists():
        skip_or_fail(f"emupos is not installed at {EMUPOS} (make emupos; it needs Python 3.13+)")
    tcp_port, api_port = free_ports(2)
    config = tmp_path / "emupos.yaml"
    config.write_text(
        "schema: 1\n"
        f"api: {{ host: 127.0.0.1, port: {api_port} }}\n"
        "devices:\n"
        "  - id: kiosk\n"
        "    type: printer\n"
        "    profile: epson-tm-t20iii\n"
        f"    connections: [ {{ tcp: {{ host: 127.0.0.1, port: {tcp_port} }} }} ]\n"
        f"    receipts_dir: {tmp_path / 'receipts'}\n"
        "    job_idle_timeout_ms: 500\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [str(EMUPOS), "run", "--config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peer = Emupos(f"network://127.0.0.1:{tcp_port}", f"http://127.0.0.1:{api_port}/api/v1")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                peer.get("/health")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("emupos did not start") from None
                time.sleep(0.1)
        yield peer
    finally:
        process.terminate()
        process.wait(timeout=10)


def send(uri: str, data: bytes) -> object:
    device = open_printer(parse_printer_uri(uri), 3.0)
    try:
        return deliver(device, data, check_status=True)
    finally:
        close_quietly(device)


def test_emupos_renders_our_raster_ticket_as_we_draw_it(emupos: Emupos) -> None:
    layout = Layout(PAPERS[80])
    status = send(emupos.printer_uri, raster_ticket(TICKET, layout))
    assert status is not None and status.state == "ok"  # type: ignore[attr-defined]
    [receipt] = emupos.receipts(1)
    assert receipt["boundary"] == "cut" and receipt["width_dots"] == 576
    preview = layout.preview(TICKET)
    assert abs(receipt["height_dots"] - preview.height) < 60  # emupos adds the feeds before the cut
    image = Image.open(io.BytesIO(emupos.get(f"/devices/kiosk/receipts/{receipt['id']}/image"))).convert("L")
    top = layout.top(TICKET)  # the first raster image: header, number, wait, time
    assert image.width == top.width
    assert ImageChops.difference(image.crop((0, 0, top.width, top.height)), top).getbbox() is None


def test_emupos_faults_read_as_ours(emupos: Emupos) -> None:
    """Its DLE EOT answers, decoded by hallq: paper out and cover open stop the job before any data."""
    data = raster_ticket(TICKET, Layout(PAPERS[58]))
    for fault, code in (("paper-out", "paper_out"), ("cover-open", "cover_open")):
        emupos.fault(fault, on=True)
        with pytest.raises(PrintFault) as raised:
            send(emupos.printer_uri, data)
        assert raised.value.code == code
        emupos.fault(fault, on=False)
    emupos.fault("paper-near-end", on=True)
    assert send(emupos.printer_uri, data).state == "paper_low"  # type: ignore[attr-defined]
    assert [r["width_dots"] for r in emupos.receipts(1)] == [576]  # its paper is 80 mm; ours 58 mm centred
