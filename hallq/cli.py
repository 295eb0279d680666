"""hallq's command line: serve, demo, check-config, token, user."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from hallq.cli_support import (
    banner,
    base_settings,
    city_options,
    common,
    fail_with,
    is_city_file,
    load_city,
    settings_for_hall,
    worker_argv,
)
from hallq.settings import ASYNC_MODES, Settings


def _app(settings: Settings) -> Any:
    from hallq.app import create_app
    from hallq.tomlfile import ConfigError

    try:
        return create_app(settings)
    except ConfigError as exc:
        fail_with(exc)


@click.group()
@click.version_option(package_name="hallq")
def cli() -> None:
    """hallq: queue and display system for government service halls."""


def _check_port(host: str, port: int) -> None:
    """Fail with one clear line, before the server prints anything, when the port is taken."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
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


@cli.command()
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
    from hallq import serving

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
    if listen_fd is not None:  # one of several workers on a shared port: see hallq/serving.py
        settings.transports = ("websocket",)
    else:
        _check_port(host, port)
    app = _city_app(settings, city_file) if city_file else _app(settings)
    if bridge_ports:
        from hallq.cli_devices import bridge_in_server

        bridge_in_server(app, port, bridge_ports, int(baudrate))
    if listen_fd is None:
        click.echo(banner(app, f"http://{host}:{port}", async_mode))
    sys.stdout.flush()
    serving.run(app, host, port, async_mode, listen_fd)


def _city_app(settings: Settings, city_file: Path) -> Any:
    from hallq.city import create_city
    from hallq.tomlfile import ConfigError

    try:
        return create_city(settings, city_file)
    except ConfigError as exc:
        fail_with(exc)


@cli.command()
@common
@_server_options
def demo(
    instance: Path, database_url: str | None, hall_file: Path | None, host: str, port: int, async_mode: str
) -> None:
    """Run a whole demo hall (data in INSTANCE/demo) and print its URLs, logins and tokens."""
    from hallq.demo import prepare_demo, start_demo_printers
    from hallq.demo_devices import add_demo_devices, start_demo_devices

    settings = base_settings(
        instance / "demo", database_url, hall_file, async_mode=async_mode, enforce_hours=False
    )
    _check_port(host, port)
    printers = start_demo_printers(settings.instance)
    settings.printers = printers.settings
    app = _app(settings)
    devices = start_demo_devices(settings.instance, app.extensions["hallq"].config.bridge.model_dump())
    add_demo_devices(app, devices)
    app.extensions["hallq_on_stop"] = [printers.stop, devices.stop]
    click.echo(prepare_demo(app, f"http://{host}:{port}", printers, devices))
    sys.stdout.flush()
    from hallq import serving

    serving.run(app, host, port, async_mode)


@cli.command("check-config")
@click.argument("hall_file", type=click.Path(dir_okay=False, path_type=Path))
def check_config(hall_file: Path) -> None:
    """Validate a hall file (or a city file and its halls' files): exit 0 when valid, else print each
    problem with its key path and line."""
    from hallq.hallconfig import load_hall
    from hallq.tomlfile import ConfigError

    if is_city_file(hall_file):
        city = load_city(hall_file)
        names = ", ".join(hall.id for hall in city.halls)
        click.echo(f"{hall_file}: ok (a city of {len(city.halls)} halls: {names})")
        return
    try:
        config = load_hall(hall_file)
    except ConfigError as exc:
        fail_with(exc)
    counts = f"{len(config.zones)} zones, {len(config.services)} services, {len(config.windows)} windows"
    click.echo(f"{hall_file}: ok ({counts})")


@cli.command()
@common
@click.argument(
    "role", type=click.Choice(["kiosk", "display", "bridge", "evaluator", "clerk", "manager", "admin"])
)
@click.option(
    "--window", "window_id", default=None, help="Bind a clerk, bridge or evaluator token to one window."
)
@click.option("--kiosk", "kiosk_id", default=None, help="Bind a kiosk token to one kiosk of the hall file.")
@click.option("--name", default=None, help="A name for the event log, e.g. kiosk-entrance.")
@city_options
def token(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    role: str,
    window_id: str | None,
    kiosk_id: str | None,
    name: str | None,
) -> None:
    """Print one new token for ROLE, alone on its line."""
    from hallq.accounts import create_token
    from hallq.engine import SystemClock

    if city_file is not None and hall_id is None:
        raise click.BadParameter("a token belongs to one hall of the city", param_hint="--hall")
    app = _app(settings_for_hall(base_settings(instance, database_url, hall_file), city_file, hall_id))
    ctx = app.extensions["hallq"]
    if window_id is not None and window_id not in ctx.config.window_by_id:
        raise click.BadParameter(f"unknown window {window_id!r}", param_hint="--window")
    if role == "evaluator" and window_id is None:
        raise click.BadParameter("an evaluator tablet belongs to one window", param_hint="--window")
    if kiosk_id is not None and (role != "kiosk" or kiosk_id not in ctx.config.kiosk_by_id):
        known = ", ".join(ctx.config.kiosk_by_id) or "none in the hall file"
        raise click.BadParameter(
            f"a kiosk token for one of the hall's kiosks ({known})", param_hint="--kiosk"
        )
    now = SystemClock().now()
    click.echo(create_token(ctx.store, role, now, window_id=window_id, kiosk_id=kiosk_id, name=name))


@cli.group()
def user() -> None:
    """Clerk, manager and admin accounts."""


@user.command("add")
@common
@click.argument("username")
@click.option("--role", type=click.Choice(["clerk", "manager", "admin"]), default="clerk", show_default=True)
@click.option("--display-name", default=None)
@click.password_option()
@city_options
def user_add(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    username: str,
    role: str,
    display_name: str | None,
    password: str,
) -> None:
    """Create a user (asks for the password). With --city and no --hall: a city manager (/city)."""
    from hallq.accounts import create_user
    from hallq.engine import SystemClock
    from hallq.errors import HallqError

    settings = base_settings(instance, database_url, hall_file)
    if city_file is not None and hall_id is None:
        from hallq.city import city_store

        if role == "clerk":
            raise click.BadParameter("the city view is for managers and admins", param_hint="--role")
        load_city(city_file)  # a clear error for a bad city file, before anything is written
        store = city_store(settings)
        store.migrate()
    else:
        store = _app(settings_for_hall(settings, city_file, hall_id)).extensions["hallq"].store
    try:
        create_user(store, username, password, role, SystemClock().now(), display_name)
    except HallqError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"user {username} ({role}) created")


@cli.command("simulate")
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--policy",
    default="ab",
    show_default=True,
    help="ab (the default A/B rule), longest-wait, dedicated or pooled.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Draw mean wait by hour and per zone to a PNG (needs matplotlib).",
)
def simulate_command(scenario_file: Path, policy: str, as_json: bool, plot: Path | None) -> None:
    """Run the engine's own call rule and estimates on a scenario with a virtual clock."""
    import json

    from hallq.engine.calling import POLICIES
    from hallq.simulate import load_scenario, simulate
    from hallq.simulate.report import format_table
    from hallq.tomlfile import ConfigError

    if policy not in POLICIES:
        raise click.BadParameter(
            f"unknown policy {policy!r}; one of {', '.join(sorted(POLICIES))}", param_hint="--policy"
        )
    try:
        scenario = load_scenario(scenario_file)
    except ConfigError as exc:
        fail_with(exc)
    result = simulate(scenario, policy)
    if plot is not None:
        from hallq.simulate.plot import draw

        draw(result, plot)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))


def _register_devices() -> None:
    from hallq.cli_backup import backup_command, restore_command
    from hallq.cli_devices import bridge_command, devices
    from hallq.cli_printing import kiosk_agent, print_test

    for command in (print_test, kiosk_agent, bridge_command, devices, backup_command, restore_command):
        cli.add_command(command)


_register_devices()
