"""A bus from the hall's `[bridge]` devices: its drivers, its timing (Modbus RTU's frame gap and answer time)
and the pyserial thread that runs it. The bridge opens one per bus at its start, and again when a new version
of the configuration changes that bus's devices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firmware_bridge.drivers import make_driver
from firmware_bridge.drivers.base import Kind
from firmware_bridge.master import BusMaster, Event, Timing, frame_gap_s
from firmware_bridge.transport import BusPort

#: how long a Modbus module has to begin its answer (the retry after it respects the line)
MODBUS_ANSWER_TIMEOUT_S = 0.2


def devices_on(setup: dict[str, Any], bus: str) -> list[dict[str, Any]]:
    """The devices of one bus, by address (so two setups with the same devices compare equal)."""
    return sorted((d for d in setup["devices"] if d.get("bus", "main") == bus), key=lambda d: d["address"])


def bus_names(setup: dict[str, Any]) -> set[str]:
    return {d.get("bus", "main") for d in setup["devices"]}


def timing_for(specs: list[dict[str, Any]], baudrate: int) -> Timing:
    timing = Timing(baudrate=baudrate)
    if any(d.get("driver") == "modbus" for d in specs):
        timing.frame_gap_s = frame_gap_s(baudrate)
        # a module's answer may take tens of ms to start (modbus_tk and pymodbus wait up to 1 s or more):
        # a retry sent into a late answer collides with it on the line
        timing.answer_timeout_s = MODBUS_ANSWER_TIMEOUT_S
        # a button module keeps no event: a press is seen only while the key is down, so read it often
        timing.poll_every_s[Kind.EVALUATOR] = 0.0
    return timing


def open_bus(
    name: str, specs: list[dict[str, Any]], url: str, baudrate: int, on_events: Callable[[list[Event]], None]
) -> BusPort:
    """The bus's port thread (not started), its master driving every device of `specs`."""
    drivers = [make_driver(spec) for spec in specs]
    for driver in drivers:  # a lone Onbon controller is pinged at the wildcard address, as the SDK does
        if hasattr(driver, "alone"):
            driver.alone = len(drivers) == 1
    master = BusMaster.for_drivers(drivers, timing_for(specs, baudrate))
    return BusPort(url, master, on_events, baudrate=baudrate, name=name)
