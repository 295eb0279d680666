"""`hallq print-test` and `hallq kiosk-agent`: the printer commands (registered on the CLI by cli/main.py)."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from typing import Any

import click

from hallq.printing.uri import PrinterURI, parse_printer_uri

STATUS_HELP = "Ask the printer with DLE EOT before and after printing (off for printers that never answer)."
SAMPLE_MATERIALS = (
    "本人有效身份证件原件",
    "申请表（现场可领取，也可扫码下载）",
    "近期一寸免冠彩色照片两张",
)


def exit_on_signals(name: str) -> None:
    """Ctrl+C or SIGTERM ends a device command at once with one line, never a traceback."""

    def stop(signum: int, _frame: Any) -> None:
        click.echo(f"{name}: stopping ({signal.Signals(signum).name})", err=True)
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _printer_uri(_ctx: Any, _param: Any, value: str) -> PrinterURI:
    try:
        return parse_printer_uri(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("print-test")
@click.argument("printer", metavar="PRINTER_URI", callback=_printer_uri)
@click.option("--paper", type=click.Choice(["80", "58"]), default="80", show_default=True)
@click.option("--mode", type=click.Choice(["raster", "text"]), default="raster", show_default=True)
@click.option("--profile", default="TM-T20II", show_default=True, help="python-escpos printer profile.")
@click.option("--timeout", type=click.FloatRange(0.1, 60), default=5.0, show_default=True, help="Seconds.")
@click.option("--status/--no-status", default=True, show_default=True, help=STATUS_HELP)
def print_test(
    printer: PrinterURI, paper: str, mode: str, profile: str, timeout: float, status: bool
) -> None:
    """Print a sample ticket on PRINTER_URI; exit 1 with the reason when the printer fails."""
    from hallq.printing.connectors import PrintFault, close_quietly, deliver, open_printer
    from hallq.printing.escpos_ticket import ticket_bytes
    from hallq.printing.layout import PAPERS, FontMissing, Layout, TicketPrint

    if printer.scheme == "agent":
        raise click.BadParameter(
            "agent:// is printed by `hallq kiosk-agent`; give the agent's own printer URI"
        )
    sample = TicketPrint(
        hall_name="hallq 打印测试 / print test",
        zone_name="综合窗口区",
        service_name="打印测试 Print test",
        number="A001",
        ahead=3,
        estimated_wait_s=540,
        issued_at=datetime.now(),
        status_url="https://example.org/t/print-test",
        materials=SAMPLE_MATERIALS,
        footer="中文 GB18030 · 二维码 · 切纸 / Chinese, QR code and cut",
    )
    try:
        data = ticket_bytes(sample, Layout(PAPERS[int(paper)]), mode, profile)  # type: ignore[arg-type]
    except FontMissing as exc:
        raise click.ClickException(str(exc)) from None
    try:
        device = open_printer(printer, timeout, profile)
        try:
            answer = deliver(device, data, printer.can_read_status and status)
        finally:
            close_quietly(device)
    except PrintFault as fault:
        click.echo(f"hallq print-test: {printer}: {fault}", err=True)
        raise SystemExit(1) from None
    said = f", printer says {answer.state}" if answer else " (the printer's status was not read)"
    click.echo(f"printed a {paper} mm {mode} test ticket ({len(data)} bytes) on {printer}{said}")


@click.command("kiosk-agent")
@click.option("--server", "server_url", required=True, help="The hallq server, e.g. http://10.0.0.5:5000")
@click.option(
    "--token",
    required=True,
    envvar="HALLQ_TOKEN",
    help="An agent token bound to this kiosk (hallq token agent --kiosk ID).",
)
@click.option("--printer", required=True, callback=_printer_uri, help="This kiosk's printer URI.")
@click.option("--timeout", type=click.FloatRange(0.1, 60), default=5.0, show_default=True, help="Seconds.")
@click.option("--status/--no-status", default=True, show_default=True, help=STATUS_HELP)
def kiosk_agent(server_url: str, token: str, printer: PrinterURI, timeout: float, status: bool) -> None:
    """Print this kiosk's tickets on a printer attached here; reconnects by itself."""
    from hallq.printing.agent import AgentRefused, KioskAgent

    if printer.scheme == "agent":
        raise click.BadParameter(
            "the agent needs the real printer's URI, e.g. usb://04b8:0202", param_hint="--printer"
        )
    if not server_url.startswith(("http://", "https://")):
        raise click.BadParameter("http://HOST:PORT of the hallq server", param_hint="--server")

    exit_on_signals("kiosk-agent")
    say = lambda line: click.echo(line, err=True)  # noqa: E731
    agent = KioskAgent(server_url, token, printer, timeout_s=timeout, check_status=status, say=say)
    try:
        agent.start()
    except AgentRefused as exc:
        click.echo(f"kiosk-agent: {exc}", err=True)
        raise SystemExit(1) from None
    agent.wait()
    if agent.refused:
        click.echo(f"kiosk-agent: {agent.refused}", err=True)
        raise SystemExit(1)
