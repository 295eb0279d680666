"""Tickets as ESC/POS bytes, read back; the PNG preview; connectors to real listeners (127.0.0.1, ptys)."""

from __future__ import annotations

import os
import pty
import socket
import threading
import tty
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageChops

from hallq.cli.main import cli
from hallq.printing.connectors import PrintFault, close_quietly, deliver, open_printer
from hallq.printing.decode import DecodeError, Decoder, read_receipt
from hallq.printing.emulator import PrinterEmulator, PrinterModel, receipt_image
from hallq.printing.escpos_ticket import raster_ticket, text_ticket
from hallq.printing.layout import PAPERS, Layout, TicketPrint, material_items, png_bytes, wrap_columns
from hallq.printing.uri import parse_printer_uri

MATERIALS = (
    "营业执照申请书（法定代表人签字）",
    "公司章程",
    "股东身份证明原件及复印件",
    "住所使用证明（房产证或租赁合同）",
    "法定代表人、董事、监事任职文件",
    "委托书及受托人身份证",
    "其他材料",
)


def sample(number: str = "A012", **changes: object) -> TicketPrint:
    values: dict[str, object] = {
        "hall_name": "示范区政务服务中心",
        "zone_name": "企业开办区",
        "service_name": "企业设立登记",
        "number": number,
        "ahead": 5,
        "estimated_wait_s": 740,
        "issued_at": datetime(2026, 11, 23, 10, 2),
        "status_url": "http://127.0.0.1:5000/t/abcdefghijklmnopqrstuvwx",
        "materials": MATERIALS,
        "footer": "过号请到服务台重新排队",
    }
    return TicketPrint(**{**values, **changes})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def layouts() -> dict[int, Layout]:
    return {width: Layout(PAPERS[width]) for width in (80, 58)}


# -- URIs ------------------------------------------------------------------------------------------


def test_printer_uris_of_the_contract() -> None:
    network = parse_printer_uri("network://192.168.1.50:9100")
    assert (network.scheme, network.host, network.port) == ("network", "192.168.1.50", 9100)
    assert parse_printer_uri("network://printer.local").port == 9100
    usb = parse_printer_uri("usb://04b8:0202")
    assert (usb.vendor_id, usb.product_id) == (0x04B8, 0x0202)
    serial = parse_printer_uri("serial:///dev/ttyUSB0?baudrate=19200")
    assert (serial.path, serial.baudrate) == ("/dev/ttyUSB0", 19200)
    assert parse_printer_uri("file:///dev/usb/lp0").path == "/dev/usb/lp0"
    assert parse_printer_uri("dummy://").scheme == "dummy"
    assert not parse_printer_uri("file:///dev/usb/lp0").can_read_status


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("lpt://1", "scheme must be one of"),
        ("network://:9100", "needs a host"),
        ("network://host:99999", "port must be a number"),
        ("usb://epson", "VENDOR:PRODUCT in hex"),
        ("serial://dev/ttyUSB0", "three slashes"),
        ("serial:///dev/ttyUSB0?baudrate=12345", "baudrate must be one of"),
    ],
)
def test_bad_printer_uris_say_what_is_wrong(uri: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_printer_uri(uri)


# -- the bytes, read back --------------------------------------------------------------------------


@pytest.mark.parametrize("paper", [80, 58])
def test_raster_ticket_bytes(layouts: dict[int, Layout], paper: int) -> None:
    receipt = read_receipt(raster_ticket(sample(), layouts[paper]))
    width_bytes = PAPERS[paper].width_px // 8
    assert [width for width, _height in receipt.rasters] == [width_bytes, width_bytes]
    assert all(height > 100 for _width, height in receipt.rasters)
    assert receipt.qr_data == sample().status_url and receipt.qr_printed
    assert receipt.cut
    assert receipt.status_queries == []


def test_the_raster_ticket_is_all_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The printed words a citizen reads (issue 24: "Scan for live status" was printed under the QR code)."""
    from hallq.printing import layout

    drawn: list[str] = []
    for name in ("draw_rows", "draw_static"):
        real = getattr(layout, name)

        def recording(width, rows, *rest, real=real):  # type: ignore[no-untyped-def]
            drawn.extend(text for text, *_ in rows)
            return real(width, rows, *rest)

        monkeypatch.setattr(layout, name, recording)
    raster_ticket(sample(), Layout(PAPERS[80]))
    assert "扫码查看排队进度" in drawn
    assert not [text for text in drawn if any("a" <= c.lower() <= "z" for c in text.replace("A012", ""))]


@pytest.mark.parametrize("paper", [80, 58])
def test_text_ticket_is_gb18030_in_chinese_mode(paper: int) -> None:
    data = text_ticket(sample(), PAPERS[paper])
    assert b"\x1c\x26" in data  # FS &: Chinese mode on
    assert "企业开办区".encode("gb18030") in data
    receipt = read_receipt(data)
    assert "A012" in receipt.lines
    assert "示范区政务服务中心" in receipt.lines
    assert any("前面还有 5 人" in line for line in receipt.lines)
    assert receipt.qr_data == sample().status_url and receipt.cut
    magnify = (receipt.text_sizes[0] >> 4) + 1  # GS ! n: the number's width multiplier
    assert magnify * 12 * 4 <= PAPERS[paper].width_px
    columns = PAPERS[paper].columns
    assert all(len(line.encode("gb18030")) <= columns for line in receipt.lines if line != "A012")


texts = st.text(st.characters(codec="gb18030", exclude_categories=("Cc", "Cs", "Co", "Cn")), max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    number=st.from_regex(r"[A-Z]{1,2}[0-9]{3,4}", fullmatch=True),
    service=texts.filter(bool),
    materials=st.lists(texts, max_size=12),
    ahead=st.integers(0, 500),
    wait=st.integers(0, 6 * 3600),
    paper=st.sampled_from([80, 58]),
)
def test_any_text_ticket_reads_back(
    number: str, service: str, materials: list[str], ahead: int, wait: int, paper: int
) -> None:
    ticket = sample(
        number, service_name=service, materials=tuple(materials), ahead=ahead, estimated_wait_s=wait
    )
    receipt = read_receipt(text_ticket(ticket, PAPERS[paper]))
    assert number in receipt.lines
    assert receipt.qr_data == ticket.status_url and receipt.cut
    assert any(f"前面还有 {ahead} 人" in line for line in receipt.lines)


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(1, 5000), max_size=8))
def test_decoder_gives_the_same_tokens_however_the_bytes_arrive(
    layouts: dict[int, Layout], cuts: list[int]
) -> None:
    data = raster_ticket(sample(), layouts[58]) + text_ticket(sample(), PAPERS[58])
    whole = Decoder().feed(data)
    decoder, pieces, start = Decoder(), [], 0
    for end in [*sorted({min(cut, len(data)) for cut in cuts}), len(data)]:
        pieces += decoder.feed(data[start:end])
        start = end
    assert pieces == whole and decoder.pending == 0


def test_decoder_refuses_commands_it_does_not_know() -> None:
    with pytest.raises(DecodeError, match="1b 70"):
        Decoder().feed(b"\x1b\x70\x00\x19\xfa")


def test_materials_are_shortened_sensibly() -> None:
    items = material_items(MATERIALS, 6)
    assert len(items) == 6 and items[0] == "1. 营业执照申请书（法定代表人签字）"
    assert items[-1] == "……另有 2 项，扫码查看完整清单"
    assert material_items(MATERIALS[:3], 6) == [
        "1. 营业执照申请书（法定代表人签字）",
        "2. 公司章程",
        "3. 股东身份证明原件及复印件",
    ]
    lines = wrap_columns("很" * 40, 16, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")


# -- the PNG preview -------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", [80, 58])
def test_preview_png_has_the_paper_width_and_draws_the_number(layouts: dict[int, Layout], paper: int) -> None:
    layout = layouts[paper]
    preview = layout.preview(sample("B207"))
    assert preview.width == PAPERS[paper].width_px and 400 < preview.height < 1600
    png = png_bytes(preview)
    assert png.startswith(b"\x89PNG")
    # the reference rendering of the number sits in the ticket, below the header
    number = layout.number_image("B207")
    head_height = next(
        y
        for y in range(preview.height - number.height)
        if ImageChops.difference(preview.crop((0, y, preview.width, y + number.height)), number).getbbox()
        is None
    )
    assert 40 < head_height < 200
    other = layout.preview(sample("B208"))
    assert ImageChops.difference(preview, other).getbbox() is not None


# -- connectors ------------------------------------------------------------------------------------


def _send(uri: str, data: bytes, timeout: float = 2.0) -> object:
    printer_uri = parse_printer_uri(uri)
    device = open_printer(printer_uri, timeout)
    try:
        return deliver(device, data, check_status=printer_uri.can_read_status)
    finally:
        close_quietly(device)


@pytest.mark.parametrize("paper", [80, 58])
def test_network_printer_gets_the_raster_ticket_as_previewed(
    printer: PrinterEmulator, layouts: dict[int, Layout], paper: int
) -> None:
    layout = layouts[paper]
    status = _send(printer.uri, raster_ticket(sample(), layout))
    assert status is not None and status.state == "ok"  # type: ignore[attr-defined]
    assert printer.wait_for(1)
    on_paper = receipt_image(printer.receipts[0], layout.paper.width_px)
    assert on_paper is not None
    assert ImageChops.difference(on_paper, layout.preview(sample())).getbbox() is None


@pytest.mark.parametrize(
    ("fault", "code"),
    [("paper_out", "paper_out"), ("cover_open", "cover_open"), ("offline", "offline"), ("silent", "timeout")],
)
def test_printer_faults_are_named(printer: PrinterEmulator, fault: str, code: str) -> None:
    printer.faults.add(fault)
    with pytest.raises(PrintFault) as raised:
        _send(printer.uri, text_ticket(sample(), PAPERS[80]), timeout=0.5)
    assert raised.value.code == code
    assert printer.receipts == []


def test_paper_low_still_prints_and_says_so(printer: PrinterEmulator) -> None:
    printer.faults.add("paper_low")
    status = _send(printer.uri, text_ticket(sample(), PAPERS[80]))
    assert status.state == "paper_low"  # type: ignore[attr-defined]
    assert printer.wait_for(1)


def test_a_printer_that_closes_midway_is_a_dropped_connection(
    printer: PrinterEmulator, layouts: dict[int, Layout]
) -> None:
    printer.faults.add("drop")
    with pytest.raises(PrintFault) as raised:
        _send(printer.uri, raster_ticket(sample(), layouts[80]), timeout=1.0)
    assert raised.value.code in ("disconnected", "timeout")


def test_nobody_listening_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(PrintFault) as raised:
            _send(f"network://127.0.0.1:{port}", b"x")
    assert raised.value.code == "unreachable" and f"127.0.0.1:{port}" in str(raised.value)


def test_serial_printer_on_a_pty(layouts: dict[int, Layout]) -> None:
    """pyserial through python-escpos's Serial connector, to a printer model on the other end of a pty."""
    controller, device = pty.openpty()
    tty.setraw(controller)
    model, stop = PrinterModel(), threading.Event()

    def printer_side() -> None:
        while not stop.is_set():
            try:
                data = os.read(controller, 65536)
            except OSError:
                return
            answers, _done = model.receive(data)
            if answers:
                os.write(controller, answers)

    thread = threading.Thread(target=printer_side, daemon=True)
    thread.start()
    try:
        data = text_ticket(sample(), PAPERS[58])
        status = _send(f"serial://{os.ttyname(device)}?baudrate=115200", data)
        assert status is not None and status.state == "ok"  # type: ignore[attr-defined]
        assert model.receipts == [data]
    finally:
        stop.set()
        os.close(device)  # the printer side's read ends (EIO) ...
        thread.join(10)  # ... before its fd is closed: a closed number may go to another file at once
        os.close(controller)


def test_file_printer_gets_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.touch()
    data = text_ticket(sample(), PAPERS[80])
    assert _send(f"file://{target}", data) is None  # a file cannot answer DLE EOT
    assert target.read_bytes() == data


def test_usb_connector_opens_the_vendor_and_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mock: no USB printer can be attached here. It checks only what hallq hands to python-escpos."""
    from escpos import printer as escpos_printers
    from escpos.exceptions import DeviceNotFoundError

    opened: list[tuple[int, int, int]] = []

    class FakeUsb(escpos_printers.Dummy):
        def __init__(self, vendor: int, product: int, timeout: int = 0, **kwargs: object) -> None:
            super().__init__(**kwargs)
            opened.append((vendor, product, timeout))

        def open(self) -> None:
            if vendor_missing:
                raise DeviceNotFoundError("Unable to open USB printer on (1208, 514):\nnot found")

    monkeypatch.setattr(escpos_printers, "Usb", FakeUsb)
    vendor_missing = False
    device = open_printer(parse_printer_uri("usb://04b8:0202"), 2.5)
    assert opened == [(0x04B8, 0x0202, 2500)]
    close_quietly(device)
    vendor_missing = True
    with pytest.raises(PrintFault) as raised:
        open_printer(parse_printer_uri("usb://04b8:0202"), 2.5)
    assert raised.value.code == "unreachable"


# -- hallq print-test -------------------------------------------------------------------------------------


def test_print_test_prints_a_sample(runner: CliRunner, printer: PrinterEmulator) -> None:
    for mode in ("raster", "text"):
        result = runner.invoke(cli, ["print-test", printer.uri, "--mode", mode, "--paper", "58"])
        assert result.exit_code == 0, result.output
        assert f"printed a 58 mm {mode} test ticket" in result.output and "printer says ok" in result.output
    no_status = runner.invoke(cli, ["print-test", printer.uri, "--no-status"])
    assert no_status.exit_code == 0 and "status was not read" in no_status.output
    assert printer.wait_for(3)
    assert "A001" in read_receipt(printer.receipts[1]).lines  # the text one


def test_print_test_fails_with_the_reason(runner: CliRunner, printer: PrinterEmulator) -> None:
    refused = runner.invoke(cli, ["print-test", "network://127.0.0.1:1", "--timeout", "1"])
    assert refused.exit_code == 1 and "cannot be reached" in refused.output
    printer.faults.add("paper_out")
    empty = runner.invoke(cli, ["print-test", printer.uri])
    assert empty.exit_code == 1 and "out of paper" in empty.output
    bad = runner.invoke(cli, ["print-test", "lpt://1"])
    assert bad.exit_code == 2 and "scheme must be one of" in bad.output
    agent = runner.invoke(cli, ["print-test", "agent://"])
    assert agent.exit_code == 2 and "kiosk-agent" in agent.output


@pytest.mark.parametrize(
    ("range_s", "expected"),
    [
        ((200, 700), "预计等候约 3–15 分钟"),  # whole minutes under 10, fives above, the high end up
        ((10, 500), "预计等候约 1–9 分钟"),  # never "0": at least a minute
        ((650, 1900), "预计等候约 10–35 分钟"),
        ((3000, 4300), "预计等候约 50–80 分钟"),
        ((400, 420), "预计等候约 6–7 分钟"),
    ],
)
def test_the_ticket_shows_a_range_a_person_reads_at_a_glance(range_s: tuple[int, int], expected: str) -> None:
    from hallq.printing.layout import wait_line

    ticket = sample(estimated_wait_s=(range_s[0] + range_s[1]) // 2, estimated_wait_range_s=range_s)
    assert wait_line(ticket).endswith(expected)
