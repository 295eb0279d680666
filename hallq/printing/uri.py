"""Printer URIs (shared/api-contract.md): which connector, and where the printer is.

network://HOST:PORT, usb://VENDOR:PRODUCT (hex), serial:///dev/ttyUSB0?baudrate=9600, file:///dev/usb/lp0,
dummy:// (prints nowhere), agent:// (a `hallq kiosk-agent` on the kiosk prints). Parsing imports nothing
heavy, so the hall file can be checked on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

Scheme = Literal["network", "usb", "serial", "file", "dummy", "agent"]
SCHEMES: tuple[Scheme, ...] = ("network", "usb", "serial", "file", "dummy", "agent")
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)


@dataclass(frozen=True)
class PrinterURI:
    scheme: Scheme
    text: str
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""
    baudrate: int = 9600

    @property
    def can_read_status(self) -> bool:
        """Whether the connector can read the printer's answer to DLE EOT (a file or dummy cannot)."""
        return self.scheme in ("network", "usb", "serial")

    def __str__(self) -> str:
        return self.text


def parse_printer_uri(text: str) -> PrinterURI:
    """Parse a printer URI; ValueError with a message a hall admin can act on."""
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(
            f"printer URI {text!r}: scheme must be one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if scheme == "network":
        if not parts.hostname:
            raise ValueError(f"printer URI {text!r}: network://HOST:PORT needs a host")
        try:
            port = parts.port or 9100
        except ValueError:
            raise ValueError(f"printer URI {text!r}: the port must be a number 1-65535") from None
        return PrinterURI("network", text, host=parts.hostname, port=port)
    if scheme == "usb":
        vendor, _, product = parts.netloc.partition(":")
        try:
            vendor_id, product_id = int(vendor, 16), int(product, 16)
        except ValueError:
            raise ValueError(
                f"printer URI {text!r}: usb://VENDOR:PRODUCT in hex, e.g. usb://04b8:0202"
            ) from None
        return PrinterURI("usb", text, vendor_id=vendor_id, product_id=product_id)
    if scheme in ("serial", "file"):
        if not parts.path or parts.netloc:
            raise ValueError(
                f"printer URI {text!r}: {scheme}:///PATH needs an absolute path after three slashes"
            )
        baudrate = 9600
        if scheme == "serial":
            query = parse_qs(parts.query)
            try:
                baudrate = int(query.get("baudrate", ["9600"])[0])
            except ValueError:
                baudrate = 0
            if baudrate not in BAUDRATES:
                raise ValueError(f"printer URI {text!r}: baudrate must be one of {BAUDRATES}")
        return PrinterURI(scheme, text, path=parts.path, baudrate=baudrate)  # type: ignore[arg-type]
    return PrinterURI(scheme, text)  # type: ignore[arg-type]
