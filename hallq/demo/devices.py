"""The demo hall's simulated serial devices, and a page to watch and press them (/demo/devices).

The devices run in this process on pty pairs; a real `hallq bridge` process drives them, exactly as it would
drive RS-485 devices in a hall. The page exists only in `hallq demo`.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, render_template, request

from firmware_bridge.emulators.simulator import KEYS, DeviceSimulator
from hallq.operations.errors import HallqError


@dataclass
class DemoDevices:
    simulator: DeviceSimulator
    ports: dict[str, str]
    bridge: subprocess.Popen[bytes] | None = None
    log: Path | None = field(default=None)

    def start_bridge(self, base_url: str, token: str) -> None:
        command = [sys.executable, "-m", "hallq", "bridge", "--server", base_url, "--token", token]
        for bus, path in self.ports.items():
            command += ["--port", f"{bus}={path}"]
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
        self.bridge = subprocess.Popen(command, stdout=output, stderr=output)

    def stop(self) -> None:
        if self.bridge is not None:
            self.bridge.terminate()
        self.simulator.stop()


def start_demo_devices(instance: Path, setup: dict[str, Any]) -> DemoDevices:
    simulator = DeviceSimulator(instance / "devices", setup)
    ports = simulator.start()
    return DemoDevices(simulator, ports, log=instance / "bridge.log")


def devices_blueprint(devices: DemoDevices) -> Blueprint:
    bp = Blueprint("demo_devices", __name__)
    simulator = devices.simulator

    @bp.get("/demo/devices")
    def page() -> str:
        windows = sorted({spec["window"] for spec in simulator.specs.values() if spec.get("window")})
        return render_template("demo/devices.html", windows=windows, keys=list(KEYS))

    @bp.get("/demo/devices.json")
    def state() -> dict[str, Any]:
        return {"devices": simulator.snapshot()}

    @bp.post("/demo/devices/press")
    def press() -> dict[str, Any]:
        body = request.get_json(silent=True) or {}
        window, key = str(body.get("window", "")), str(body.get("key", ""))
        try:
            if key.startswith("rate:"):
                return {"ok": simulator.rate(window, int(key[5:]))}
            simulator.press(window, key)
        except (KeyError, ValueError):
            raise HallqError("bad_press", f"no such window or key: {window} {key}", 400) from None
        return {"ok": True}

    return bp


def add_demo_devices(app: Flask, devices: DemoDevices) -> None:
    app.register_blueprint(devices_blueprint(devices))
