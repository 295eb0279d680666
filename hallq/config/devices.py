"""The hall file's devices: kiosks with their printers, and the serial bridge's devices and pad keys."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from hallq.config.tomlfile import ID_PATTERN as _ID
from hallq.config.tomlfile import StrictModel as _Model
from hallq.printing.uri import PrinterURI, parse_printer_uri


class Kiosk(_Model):
    """A ticket kiosk and its printer (a URI from shared/api-contract.md; "" = no printer)."""

    id: str = Field(pattern=_ID)
    name: str = ""
    printer: str = ""
    paper: Literal[80, 58] = 80
    mode: Literal["raster", "text"] = "raster"
    profile: str = "TM-T20II"
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    #: ask the printer with DLE EOT before and after each ticket; off for printers that never answer
    check_status: bool = True

    @field_validator("printer")
    @classmethod
    def _printer(cls, value: str) -> str:
        if value:
            parse_printer_uri(value)
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z0-9_.-]{1,40}$", value):
            raise ValueError("a python-escpos printer profile name, e.g. TM-T20II")
        return value

    @property
    def printer_uri(self) -> PrinterURI | None:
        return parse_printer_uri(self.printer) if self.printer else None


DEFAULT_KEYS = {
    "next": "call-next",
    "recall": "recall",
    "no_show": "no-show",
    "pause": "pause",
    "finish": "finish",
    "start": "start",
    "transfer": "transfer",
}
KEY_ACTIONS = ("call-next", "recall", "no-show", "pause", "finish", "start", "transfer", "none")


class Device(_Model):
    """A serial device (docs/serial-protocol.md) on a bus the bridge drives."""

    id: str = Field(pattern=_ID)
    kind: Literal["call_pad", "window_board", "hall_strip", "evaluator"]
    bus: str = Field(default="main", pattern=_ID)
    address: int = Field(ge=1, le=247)
    window: str | None = None


class Bridge(_Model):
    """What the serial bridge shows and how pad keys map to window actions (docs/serial-protocol.md)."""

    call_text: str = "请{ticket}号到{window}号窗口"
    idle_text: str = "{window}号窗口 欢迎光临"
    paused_text: str = "{window}号窗口 暂停服务"
    strip_calls: int = Field(default=3, ge=1, le=10)
    debounce_ms: int = Field(default=300, ge=0, le=5000)
    rating_timeout_s: int = Field(default=60, ge=5, le=255)
    keys: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_KEYS))
    devices: list[Device] = Field(default_factory=list)

    @field_validator("keys")
    @classmethod
    def _keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key, action in value.items():
            if key not in DEFAULT_KEYS:
                raise ValueError(f"unknown pad key {key!r}; keys: {', '.join(DEFAULT_KEYS)}")
            if action not in KEY_ACTIONS:
                raise ValueError(
                    f"unknown action {action!r} for key {key!r}; actions: {', '.join(KEY_ACTIONS)}"
                )
        return {**DEFAULT_KEYS, **value}
