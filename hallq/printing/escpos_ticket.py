"""A ticket as ESC/POS bytes, built with python-escpos: raster (any printer) or GB18030 text (Chinese mode).

The bytes are built once, off any connection (python-escpos's Dummy printer collects them), so the same job
can go to a local connector or to a kiosk agent, and a benchmark or test can look at exactly what was sent.
"""

from __future__ import annotations

from typing import Literal

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from hallq.printing.layout import (
    Layout,
    Paper,
    TicketPrint,
    issued_line,
    material_items,
    wait_line,
    wrap_columns,
)

Mode = Literal["raster", "text"]

#: FS & / FS . : enter and leave the Chinese (GB18030 double-byte) character mode of Chinese printers
CHINESE_ON = b"\x1c\x26"
CHINESE_OFF = b"\x1c\x2e"


def _printer(profile: str) -> Dummy:
    return Dummy(profile=profile)


def _qr(printer: Dummy, url: str, paper: Paper) -> None:
    printer.set(align="center")
    printer.qr(url, ec=QR_ECLEVEL_M, size=paper.qr_module, native=True)
    printer._raw(b"\n")


def raster_ticket(ticket: TicketPrint, layout: Layout, profile: str = "TM-T20II") -> bytes:
    """Everything drawn as images (GS v 0) except the QR code, which the printer draws itself (GS ( k)."""
    printer = _printer(profile)
    printer.hw("INIT")
    printer.image(layout.top(ticket), impl="bitImageRaster", center=False)
    _qr(printer, ticket.status_url, layout.paper)
    printer.image(layout.bottom(ticket), impl="bitImageRaster", center=False)
    printer.cut()
    return printer.output


def _line(printer: Dummy, text: str) -> None:
    printer._raw(text.encode("gb18030", errors="replace") + b"\n")


def text_ticket(
    ticket: TicketPrint, paper: Paper, max_materials: int = 6, profile: str = "TM-T20II"
) -> bytes:
    """GB18030 text in the printer's Chinese mode; the number in the largest type that fits the paper."""
    printer = _printer(profile)
    columns = paper.columns
    printer.hw("INIT")
    printer._raw(CHINESE_ON)
    printer.set(align="center")
    _line(printer, ticket.hall_name)
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    for line in wrap_columns(f"{ticket.zone_name} {ticket.service_name}", columns // 2):
        _line(printer, line)
    if ticket.green:
        _line(printer, "【绿色通道】")
    # 12 dots a half-width character: the largest magnification that fits the number on the paper
    magnify = max(1, min(8, paper.width_px // (12 * max(1, len(ticket.number)))))
    printer.set(align="center", bold=True, custom_size=True, width=magnify, height=magnify)
    _line(printer, ticket.number)
    printer.set(align="center", normal_textsize=True)
    for text in (wait_line(ticket), issued_line(ticket)):
        for line in wrap_columns(text, columns):
            _line(printer, line)
    _qr(printer, ticket.status_url, paper)
    _line(printer, "扫码查看排队进度")
    printer.set(align="left", normal_textsize=True)
    items = material_items(ticket.materials, max_materials)
    if items:
        _line(printer, "请准备以下材料（一次性告知）：")
        for item in items:
            for line in wrap_columns(item, columns):
                _line(printer, line)
    if ticket.footer:
        printer.set(align="center")
        _line(printer, "")
        for line in wrap_columns(ticket.footer, columns, max_lines=3):
            _line(printer, line)
    printer._raw(CHINESE_OFF)
    printer.cut()
    return printer.output


def ticket_bytes(ticket: TicketPrint, layout: Layout, mode: Mode, profile: str = "TM-T20II") -> bytes:
    if mode == "text":
        return text_ticket(ticket, layout.paper, layout.max_materials, profile)
    return raster_ticket(ticket, layout, profile)
