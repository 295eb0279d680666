"""The demo hall: accounts and device tokens ready to use, and the text `hallq demo` prints."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hallq.demo.devices import DemoDevices
from hallq.demo.history import write_history
from hallq.operations.accounts import create_token, ensure_user
from hallq.operations.context import HallContext
from hallq.printing.emulator import PrinterEmulator
from hallq.store.models import Ticket

DEMO_PASSWORD = "hallq-demo"


@dataclass
class DemoPrinters:
    """Simulated printers on 127.0.0.1: K1's the server prints to, K2's its kiosk agent prints to."""

    direct: PrinterEmulator
    behind_agent: PrinterEmulator
    folder: Path
    agent: subprocess.Popen[bytes] | None = None

    @property
    def settings(self) -> dict[str, str]:
        return {"K1": self.direct.uri, "K2": "agent://"}

    def start_agent(self, base_url: str, token: str) -> None:
        command = [sys.executable, "-m", "hallq", "kiosk-agent", "--server", base_url]
        command += ["--token", token, "--printer", self.behind_agent.uri]
        self.agent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.agent is not None:
            self.agent.terminate()


def start_demo_printers(instance: Path) -> DemoPrinters:
    folder = instance / "printed"
    direct = PrinterEmulator(save_dir=folder / "K1")
    behind_agent = PrinterEmulator(save_dir=folder / "K2")
    direct.start()
    behind_agent.start()
    return DemoPrinters(direct, behind_agent, folder)


def prepare_demo(
    app: Flask, base_url: str, printers: DemoPrinters | None = None, devices: DemoDevices | None = None
) -> str:
    ctx: HallContext = app.extensions["hallq"]
    now = ctx.now()
    clerks = []
    for window in ctx.config.windows:
        username = f"clerk{window.number:02d}"
        ensure_user(ctx.store, username, DEMO_PASSWORD, "clerk", now, f"{window.number}号窗口工作人员")
        clerks.append(username)
    ensure_user(ctx.store, "manager", DEMO_PASSWORD, "manager", now, "大厅管理员")
    ensure_user(ctx.store, "admin", DEMO_PASSWORD, "admin", now, "系统管理员")
    kiosk = create_token(ctx.store, "kiosk", now, kiosk_id="K1", name="demo-kiosk-1")
    kiosk_2 = create_token(ctx.store, "kiosk", now, kiosk_id="K2", name="demo-kiosk-2")
    # K2's print agent has a token of its own: a kiosk page's token cannot pose as the agent
    agent_2 = create_token(ctx.store, "agent", now, kiosk_id="K2", name="demo-agent-2")
    display = create_token(ctx.store, "display", now, name="demo-display")
    bridge = create_token(ctx.store, "bridge", now, name="demo-bridge")
    first_window = ctx.config.windows[0]
    evaluator = create_token(ctx.store, "evaluator", now, window_id=first_window.id, name="demo-tablet")
    history = seed_history(ctx)
    # the index page lists them too, so a click from / opens a working page (not one asking for a token)
    app.extensions["hallq_demo_links"] = [
        (_l("Kiosk"), f"/kiosk?kiosk=K1&token={kiosk}"),
        (_l("Kiosk 2, 58 mm"), f"/kiosk?kiosk=K2&token={kiosk_2}"),
        (_l("Hall display"), f"/display?token={display}"),
        (_l("Window caller"), "/caller"),
        (_l("Rating tablet"), f"/evaluate/{first_window.id}?token={evaluator}"),
        (_l("Booking"), "/book"),
        (_l("Managers"), "/manager"),
        *([(_l("Simulated devices"), "/demo/devices")] if devices is not None else []),
    ]
    lines = [
        "",
        f"  hallq demo hall: {ctx.config.hall.name} ({ctx.config.hall.name_en})",
        f"  data: {ctx.store.url}",
        "  opening hours are not enforced in the demo, so tickets can be taken at any hour",
        "",
        f"  Kiosk (取号机)         {base_url}/kiosk?kiosk=K1&token={kiosk}",
        f"  Kiosk 2, 58 mm         {base_url}/kiosk?kiosk=K2&token={kiosk_2}",
        f"  Hall display (显示屏)   {base_url}/display?token={display}",
        f"  Window caller (呼叫)    {base_url}/caller",
        f"      logins: {clerks[0]} … {clerks[-1]} (one per window), password {DEMO_PASSWORD}",
        f"  Rating tablet (评价器)  {base_url}/evaluate/{first_window.id}?token={evaluator}",
        f"  Booking (预约, phone)   {base_url}/book",
        f"  Managers (管理)         {base_url}/manager",
        f"      logins: manager / {DEMO_PASSWORD}, admin / {DEMO_PASSWORD}",
        f"      {history}",
        f"  Bridge token           {bridge}",
        f"  API                    {base_url}/api/v1/openapi.json",
        *_province_lines(app.extensions.get("hallq_demo_province")),
        *_sms_lines(app.extensions.get("hallq_demo_sms")),
        "",
        *_printer_lines(printers, base_url, agent_2),
        *_device_lines(devices, base_url, bridge),
        "  Press Ctrl+C to stop.",
        "",
    ]
    return "\n".join(lines)


def seed_history(ctx: HallContext, days: int = 35, tickets_per_day: int = 440) -> str:
    """Past weeks of visits for the managers' reports and ranking to show (once per database)."""
    today = ctx.day()
    with ctx.store.read() as session:
        earlier = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.service_day < today))
    if earlier:
        return f"history: {earlier} past tickets already in the database"
    written = write_history(
        ctx,
        today - timedelta(days=days),
        today - timedelta(days=1),
        tickets_per_day,
        with_events=True,
        queued=True,
    )
    return (
        f"history: {written} synthetic past tickets over the last {days} days (reports, ranking, follow-ups)"
    )


def _sms_lines(url: str | None) -> list[str]:
    if not url:
        return []
    return [f"  SMS gateway            simulated on {url} (GET it: the messages sent to citizens)"]


def _province_lines(url: str | None) -> list[str]:
    if url is None:
        return []
    return [f"  好差评 province        simulated on {url} (GET it: the ratings reported)"]


def _printer_lines(printers: DemoPrinters | None, base_url: str, agent_token: str) -> list[str]:
    if printers is None:
        return []
    printers.start_agent(base_url, agent_token)
    return [
        f"  Ticket printers        K1: simulated printer {printers.direct.uri} (80 mm, raster)",
        f"                         K2: `hallq kiosk-agent` -> simulated printer {printers.behind_agent.uri}"
        " (58 mm, GB18030 text)",
        f"                         what they print: {printers.folder}/K1/*.png and K2/*.bin",
    ]


def _device_lines(devices: DemoDevices | None, base_url: str, bridge_token: str) -> list[str]:
    if devices is None:
        return []
    devices.start_bridge(base_url, bridge_token)
    ports = " ".join(f"--port {bus}={path}" for bus, path in devices.ports.items())
    return [
        f"  Serial devices         {base_url}/demo/devices  (pads, LED boards, strip, evaluators on ptys;",
        "                         window 2 on Modbus modules, window 3's board an Onbon BX-5E1;",
        f"                         `hallq bridge` drives them: {ports})",
    ]
