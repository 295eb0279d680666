"""Getting bytes to a printer through python-escpos's connectors, and reading its status with DLE EOT.

Every failure becomes a PrintFault with a short code the kiosk, managers and the log understand:
unreachable, timeout, disconnected, offline, paper_out, cover_open, error.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from typing import Any

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError

from hallq.printing.uri import PrinterURI

MESSAGES = {
    "unreachable": "打印机无法连接 / The printer cannot be reached",
    "timeout": "打印机无响应 / The printer does not answer",
    "disconnected": "打印机连接中断 / The connection to the printer dropped",
    "offline": "打印机离线 / The printer is offline",
    "paper_out": "打印机缺纸 / The printer is out of paper",
    "paper_low": "打印纸将尽 / The printer's paper is running low",
    "cover_open": "打印机盖未关好 / The printer cover is open",
    "error": "打印机故障 / Printer error",
}


class PrintFault(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{MESSAGES.get(code, code)}{': ' + detail if detail else ''}")

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, self.code)


@dataclass(frozen=True)
class PrinterStatus:
    """What DLE EOT told us; None fields were not asked (the connector cannot read)."""

    online: bool = True
    paper: str = "ok"  # ok | low | out
    cover_open: bool = False

    @property
    def state(self) -> str:
        if self.paper == "out":
            return "paper_out"
        if self.cover_open:
            return "cover_open"
        if not self.online:
            return "offline"
        return "paper_low" if self.paper == "low" else "ok"


def open_printer(uri: PrinterURI, timeout: float, profile: str = "TM-T20II") -> Escpos:
    """An opened python-escpos printer for the URI; PrintFault("unreachable") when it cannot be opened."""
    from escpos import printer as connectors  # imported here: loading python-escpos costs ~0.1 s

    args: dict[str, Any] = {"profile": profile}
    try:
        device: Escpos
        if uri.scheme == "network":
            device = connectors.Network(uri.host, uri.port, timeout=timeout, **args)
        elif uri.scheme == "serial":
            device = connectors.Serial(uri.path, baudrate=uri.baudrate, timeout=timeout, dsrdtr=False, **args)
        elif uri.scheme == "file":
            device = connectors.File(uri.path, **args)
        elif uri.scheme == "usb":
            device = connectors.Usb(uri.vendor_id, uri.product_id, timeout=int(timeout * 1000), **args)
        elif uri.scheme == "dummy":
            device = connectors.Dummy(**args)
        else:
            raise PrintFault("error", f"{uri.scheme}:// is not printed from the server")
        device.open()
        if uri.scheme == "network":
            # a status query right after the data would wait for the printer's delayed ACK (40 ms) under Nagle
            device.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if uri.scheme == "serial":
            device.device.write_timeout = timeout  # python-escpos sets only the read timeout
    except DeviceNotFoundError as exc:
        reason = str(exc).splitlines()[-1].strip(" ()") if str(exc).strip() else ""
        raise PrintFault("unreachable", f"{uri} {reason}".strip()) from None
    except (OSError, RuntimeError) as exc:  # pyusb missing, permissions, ...
        raise PrintFault("unreachable", str(exc)) from None
    return device


def _ask(device: Escpos, n: int) -> int:
    """Send DLE EOT n, return the answer byte."""
    try:
        device._raw(b"\x10\x04" + bytes([n]))
        port = device.device
        # pyserial's read(16), as python-escpos asks, waits out the timeout for 16 bytes; the answer is 1
        answer = port.read(1) if hasattr(port, "in_waiting") else device._read()
    except TimeoutError:
        raise PrintFault("timeout", f"no answer to DLE EOT {n}") from None
    except (ConnectionError, OSError) as exc:
        raise PrintFault("disconnected", str(exc)) from None
    if answer is None or len(answer) == 0:
        # a socket that closed reads b"" at once; a serial port reads b"" after its timeout
        raise PrintFault("timeout" if not isinstance(device._device, socket.socket) else "disconnected")
    return answer[-1]


def read_status(device: Escpos) -> PrinterStatus:
    """DLE EOT 1 (printer), then 4 (roll paper) and, when offline, 2 (why)."""
    printer = _ask(device, 1)
    if printer & 0x93 != 0x12:
        raise PrintFault("error", f"unexpected answer {printer:#04x} to DLE EOT 1")
    online = not printer & 0x08
    paper_byte = _ask(device, 4)
    paper = "out" if paper_byte & 0x60 else "low" if paper_byte & 0x0C else "ok"
    cover_open = False
    if not online:
        cause = _ask(device, 2)
        cover_open = bool(cause & 0x04)
        paper = "out" if cause & 0x20 else paper
    return PrinterStatus(online=online, paper=paper, cover_open=cover_open)


def deliver(device: Escpos, data: bytes, check_status: bool) -> PrinterStatus | None:
    """Send one job: refuse to send to a printer that says it cannot print; check again afterwards."""
    if check_status:
        before = read_status(device)
        if before.state not in ("ok", "paper_low"):
            raise PrintFault(before.state)
    try:
        device._raw(data)
        flush = getattr(device, "flush", None)
        if callable(flush):
            flush()
    except TimeoutError:
        raise PrintFault("timeout", "the printer stopped taking data") from None
    except (ConnectionError, OSError) as exc:
        raise PrintFault("disconnected", str(exc)) from None
    except Exception as exc:  # pyserial's SerialTimeoutException, pyusb's USBError
        raise PrintFault(
            "timeout" if "timeout" in type(exc).__name__.lower() else "error", str(exc)
        ) from None
    if not check_status:
        return None
    after = read_status(device)
    if after.state not in ("ok", "paper_low"):
        raise PrintFault(after.state, "during printing")
    return after


def close_quietly(device: Escpos) -> None:
    with contextlib.suppress(Exception):  # a broken connection may fail to close; nothing more to do
        device.close()
