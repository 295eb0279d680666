"""Device drivers, one module per protocol family: hallq's own (hallq.py), Modbus-RTU modules (modbus.py) and
Onbon BX LED controllers (onbon.py). docs/devices/ has a page for each, and how to add the next."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from firmware_bridge.drivers.base import DeviceDriver, Kind

KINDS = {"call_pad": Kind.CALL_PAD, "window_board": Kind.WINDOW_BOARD, "hall_strip": Kind.HALL_STRIP}
KINDS["evaluator"] = Kind.EVALUATOR
DRIVERS = ("hallq", "modbus", "onbon-bx")


def make_driver(spec: Mapping[str, Any]) -> DeviceDriver:
    """The driver for one device of the hall file's [bridge] devices (as GET /api/v1/devices gives them)."""
    kind, address, driver = KINDS[spec["kind"]], int(spec["address"]), spec.get("driver", "hallq")
    if driver == "modbus":
        from firmware_bridge.drivers import modbus

        if kind == Kind.CALL_PAD:
            return modbus.ModbusCallPad(
                address, kind, inputs=dict(spec["inputs"]), coils=dict(spec.get("coils") or {})
            )
        if kind == Kind.EVALUATOR:
            return modbus.ModbusEvaluator(
                address, kind, inputs=dict(spec["inputs"]), coils=dict(spec.get("coils") or {})
            )
        return modbus.ModbusTextModule(
            address, kind, register=spec["start_register"], registers=spec["registers"]
        )
    if driver == "onbon-bx":
        from firmware_bridge.drivers.onbon import ANSWER_TIMEOUT_MS, DEFAULT_FONT, OnbonBoard

        font = spec.get("font") or DEFAULT_FONT
        if not Path(font).is_file():
            raise ValueError(
                f"{spec['id']}: no font at {font} to draw its text (its font key; Debian: fonts-wqy-zenhei)"
            )
        return OnbonBoard(
            address,
            kind,
            model=spec["model"],
            width=spec["width"],
            height=spec["height"],
            colors=spec.get("colors") or 1,
            color=spec.get("color") or "red",
            font=font,
            color_order=spec.get("color_order") or "RG",
            length_field=spec.get("length_field") or "sdk",
            answer_timeout_s=(spec.get("answer_timeout_ms") or ANSWER_TIMEOUT_MS) / 1000,
        )
    from firmware_bridge.drivers.hallq import HallqDevice

    return HallqDevice(address, kind)
