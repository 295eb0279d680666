"""`hallq serve` and `hallq demo`: a hall, a city's halls or the demo hall on one port."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hallq.cli.support import (
    banner,
    base_settings,
    common,
    fail_with,
    hall_app,
    worker_argv,
)
from hallq.config.settings import ASYNC_MODES, Settings

if TYPE_CHECKING:
    import socket


def _bind(host: str, port: int) -> socket.socket:
    """The hall's port, bound before anything else starts (the demo's emulators bind port 0 and could
    otherwise take it before the server listens); one clear line, before any output, when it is taken."""
    from hallq.app.serving import bound_socket

    try:
        return bound_socket(host, port)
    except OSError as exc:
        click.echo(f"hallq: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None


def _server_options(function: Any) -> Any:
    """--host, --port and --async-mode, shared by serve and demo."""
    options = [
        click.option("--host", default="127.0.0.1", show_default=True),
        click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535)),
        click.option(
            "--async-mode",
            type=click.Choice(ASYNC_MODES),
            envvar="HALLQ_ASYNC_MODE",
            default="eventlet",
            show_default=True,
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@common
@_server_options
@click.option(
    "--message-queue", envvar="HALLQ_MESSAGE_QUEUE", default=None, help="redis://… for several processes."
)
@click.option(
    "--city",
    "city_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HALLQ_CITY_FILE",
    default=None,
    help="Serve every hall of a city file, each under /h/<id> (replaces --config).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    envvar="HALLQ_WORKERS",
    default=1,
    show_default=True,
    help="Server processes on this one port (needs --message-queue).",
)
@click.option("--listen-fd", type=int, default=None, hidden=True)
@click.option(
    "--bridge-port", "bridge_ports", multiple=True, help="Drive serial devices from this process: BUS=PORT."
)
@click.option("--baudrate", type=click.Choice(["9600", "19200", "38400", "57600", "115200"]), default="9600")
def serve(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    host: str,
    port: int,
    message_queue: str | None,
    async_mode: str,
    city_file: Path | None,
    workers: int,
    listen_fd: int | None,
    bridge_ports: tuple[str, ...],
    baudrate: str,
) -> None:
    """Run the hallq server."""
    from hallq.app import serving

    if bridge_ports and city_file:
        raise click.BadParameter(
            "in a city, run `hallq bridge --server http://HOST/h/<hall>` for each hall's devices",
            param_hint="--bridge-port",
        )
    if workers > 1:
        if not message_queue:
            raise click.BadParameter(
                "several processes need --message-queue redis://… so every screen gets every push",
                param_hint="--workers",
            )
        if bridge_ports:
            raise click.BadParameter("a serial port belongs to one process", param_hint="--bridge-port")
        click.echo(f"hallq: {workers} workers on http://{host}:{port}/ ({async_mode}, websocket only)")
        sys.stdout.flush()
        serving.run_workers(workers, host, port, lambda fd: worker_argv(sys.argv[1:], fd))
        return
    settings = base_settings(
        instance, database_url, hall_file, message_queue=message_queue, async_mode=async_mode
    )
    bound = None
    if listen_fd is not None:  # one of several workers on a shared port: see hallq/app/serving.py
        settings.transports = ("websocket",)
    else:
        bound = _bind(host, port)
    app = _city_app(settings, city_file) if city_file else hall_app(settings)
    if bridge_ports:
        from hallq.cli.devices import bridge_in_server

        bridge_in_server(app, port, bridge_ports, int(baudrate))
    if listen_fd is None:
        click.echo(banner(app, f"http://{host}:{port}", async_mode))
    sys.stdout.flush()
    serving.run(app, host, port, async_mode, listen_fd, bound)


def _city_app(settings: Settings, city_file: Path) -> Any:
    from hallq.app.city import create_city
    from hallq.config.tomlfile import ConfigError

    try:
        return create_city(settings, city_file)
    except ConfigError as exc:
        fail_with(exc)


@click.command()
@common
@_server_options
def demo(
    instance: Path, database_url: str | None, hall_file: Path | None, host: str, port: int, async_mode: str
) -> None:
    """Run a whole demo hall (data in INSTANCE/demo) and print its URLs, logins and tokens."""
    from hallq.demo.devices import add_demo_devices, start_demo_devices
    from hallq.demo.hall import prepare_demo, start_demo_printers
    from hallq.demo.province import ProvinceEmulator
    from hallq.demo.sms_gateway import SmsGateway

    settings = base_settings(
        instance / "demo", database_url, hall_file, async_mode=async_mode, enforce_hours=False
    )
    bound = _bind(host, port)
    printers = start_demo_printers(settings.instance)
    settings.printers = printers.settings
    # every rating is reported to a province played on 127.0.0.1 (GET its URL to see what arrived)
    province = ProvinceEmulator().start()
    settings.province = {"adapter": "json-http", "url": province.url, "hall_code": "demo-hall"}
    # text messages (notify me, booking reminders) go to an SMS gateway played there too
    gateway = SmsGateway().start()
    settings.messages = {"adapter": "http", "url": f"{gateway.url}/send"}
    app = hall_app(settings)
    devices = start_demo_devices(settings.instance, app.extensions["hallq"].config.bridge.model_dump())
    add_demo_devices(app, devices)
    app.extensions["hallq_on_stop"] = [printers.stop, devices.stop, province.stop, gateway.stop]
    app.extensions["hallq_demo_province"] = province.url
    app.extensions["hallq_demo_sms"] = gateway.url
    click.echo(prepare_demo(app, f"http://{host}:{port}", printers, devices))
    sys.stdout.flush()
    from hallq.app import serving

    serving.run(app, host, port, async_mode, bound=bound)
