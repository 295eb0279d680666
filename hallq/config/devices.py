"""The hall file's devices: kiosks with their printers, and the serial bridge's devices and pad keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

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
KEY_ACTIONS = ("call-next", "next", "recall", "no-show", "pause", "finish", "start", "transfer", "none")


DRIVERS = ("hallq", "modbus", "onbon-bx")
#: pad keys a Modbus button module may carry (transfer needs digit keys, which it has not)
MODBUS_PAD_KEYS = ("next", "recall", "no_show", "pause", "finish", "start")
MODBUS_PAD_LAMPS = ("called", "serving", "paused")
#: an evaluator's five inputs, best first: 非常满意, 满意, 基本满意, 不满意, 非常不满意
MODBUS_RATING_INPUTS = (
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "very_dissatisfied",
)
MODBUS_EVALUATOR_LAMPS = ("prompt",)
#: Onbon 5th-generation controllers and their DeviceType (docs/devices/onbon-bx.md)
ONBON_MODELS = ("BX-5E1", "BX-5E2", "BX-5E3")
DRIVER_KEYS = {
    "hallq": set(),
    "modbus": {"inputs", "coils", "start_register", "registers"},
    "onbon-bx": {
        "model",
        "width",
        "height",
        "colors",
        "color",
        "font",
        "color_order",
        "length_field",
        "answer_timeout_ms",
    },
}


class Device(_Model):
    """A serial device on a bus the bridge drives, with its driver (docs/devices/)."""

    id: str = Field(pattern=_ID)
    kind: Literal["call_pad", "window_board", "hall_strip", "evaluator"]
    bus: str = Field(default="main", pattern=_ID)
    address: int = Field(ge=1, le=247)
    window: str | None = None
    driver: Literal["hallq", "modbus", "onbon-bx"] = "hallq"
    # modbus: discrete inputs and coils by name, a text module's holding registers
    inputs: dict[str, int] | None = None
    coils: dict[str, int] | None = None
    start_register: int | None = Field(default=None, ge=0, le=65535)
    registers: int | None = Field(default=None, ge=1, le=123)
    # onbon-bx: the controller, area 0's size in pixels, colours, the font text is drawn with
    model: str | None = None
    width: int | None = Field(default=None, ge=8, le=4096, multiple_of=8)
    height: int | None = Field(default=None, ge=8, le=512)
    colors: Literal[1, 2] | None = None
    color: Literal["red", "green", "yellow"] | None = None
    font: str | None = None
    #: a two-colour screen's data: red then green for each 8 pixels ("RG", the SDK's default) or "GR"
    color_order: Literal["RG", "GR"] | None = None
    #: the two bytes after A7 00: "sdk" (the data length, as the vendor's SDK sends: the default) or
    #: "reserved" (00 00, as the manual says) for a controller that refuses the SDK's
    length_field: Literal["sdk", "reserved"] | None = None
    #: how long the controller has to answer (the vendor's SDK waits up to 7 s; default 1500 ms)
    answer_timeout_ms: int | None = Field(default=None, ge=50, le=7000)

    @model_validator(mode="after")
    def _driver_keys(self) -> Device:
        given = {
            key for key in DRIVER_KEYS["modbus"] | DRIVER_KEYS["onbon-bx"] if getattr(self, key) is not None
        }
        foreign = sorted(given - DRIVER_KEYS[self.driver])
        if foreign:
            raise ValueError(f"{', '.join(foreign)}: not a key of a {self.driver!r} device")
        if self.driver == "modbus":
            _check_modbus(self)
        elif self.driver == "onbon-bx":
            _check_onbon(self)
        return self


def _names(
    what: str, given: dict[str, int] | None, allowed: tuple[str, ...], all_needed: bool = False
) -> None:
    given = given or {}
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(f"{what}: unknown name {unknown[0]!r}; names: {', '.join(allowed)}")
    if all_needed and set(given) != set(allowed):
        raise ValueError(f"{what}: needs all of {', '.join(allowed)}")
    numbers = list(given.values())
    if any(not 0 <= number <= 65535 for number in numbers) or len(set(numbers)) != len(numbers):
        raise ValueError(f"{what}: numbers from 0 to 65535, each once")


def _check_modbus(device: Device) -> None:
    if device.kind == "call_pad":
        if not device.inputs:
            raise ValueError("inputs: a Modbus call pad maps its keys to discrete inputs, e.g. { next = 0 }")
        _names("inputs", device.inputs, MODBUS_PAD_KEYS)
        _names("coils", device.coils, MODBUS_PAD_LAMPS)
    elif device.kind == "evaluator":
        _names("inputs", device.inputs, MODBUS_RATING_INPUTS, all_needed=True)
        _names("coils", device.coils, MODBUS_EVALUATOR_LAMPS)
    else:
        if device.inputs or device.coils:
            raise ValueError("inputs, coils: a Modbus text module has registers, not inputs or coils")
        if device.start_register is None or device.registers is None:
            raise ValueError(
                "start_register, registers: a Modbus text module needs its first register and how many"
            )
    if device.kind in ("call_pad", "evaluator") and (
        device.start_register is not None or device.registers is not None
    ):
        raise ValueError("start_register, registers: only a text module (window board, hall strip) has them")


def _check_onbon(device: Device) -> None:
    if device.kind not in ("window_board", "hall_strip"):
        raise ValueError("driver: an Onbon controller drives a window board or the hall strip")
    if device.model not in ONBON_MODELS:
        raise ValueError(f"model: one of {', '.join(ONBON_MODELS)}")
    if device.width is None or device.height is None:
        raise ValueError("width, height: area 0's size in pixels (the width a multiple of 8)")
    if device.colors != 2 and device.color not in (None, "red"):
        raise ValueError('color: a one-colour screen is red; set colors = 2 for "green" or "yellow"')
    if device.font is not None and not Path(device.font).is_file():
        raise ValueError(f"font: no font file at {device.font}")


class Bridge(_Model):
    """What the serial bridge shows and how pad keys map to window actions (docs/serial-protocol.md)."""

    call_text: str = "请{ticket}号到{window}号窗口"
    idle_text: str = "{window}号窗口 欢迎光临"
    paused_text: str = "{window}号窗口 暂停服务"
    #: what the hall strip shows while no call is in hand
    strip_idle_text: str = "欢迎光临"
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
