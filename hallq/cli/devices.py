"""`hallq bridge` and `hallq devices simulate`: the serial devices (registered on the CLI by cli/main.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from hallq.cli.printing import exit_on_signals


def _ports(values: tuple[str, ...]) -> dict[str, str]:
    ports: dict[str, str] = {}
    for value in values:
        bus, sep, url = value.partition("=")
        if not sep or "://" in bus or bus.startswith("/"):
            bus, url = "main", value
        if not url:
            raise click.BadParameter(f"{value!r}: give BUS=PORT or PORT", param_hint="--port")
        ports[bus] = url
    return ports


@click.command("bridge")
@click.option("--server", "server_url", required=True, help="The hallq server, e.g. http://10.0.0.5:5000")
@click.option("--token", required=True, envvar="HALLQ_TOKEN", help="A bridge token (hallq token bridge).")
@click.option(
    "--port",
    "ports",
    multiple=True,
    required=True,
    help="Serial port of a bus: BUS=PORT or PORT (bus main); /dev/ttyUSB0, rfc2217://host:port, loop:// …",
)
@click.option("--baudrate", type=click.Choice(["9600", "19200", "38400", "57600", "115200"]), default="9600")
def bridge_command(server_url: str, token: str, ports: tuple[str, ...], baudrate: str) -> None:
    """Drive the hall's call pads, LED boards, strip and evaluators; reconnects to both sides by itself."""
    from firmware_bridge.link import LinkRefused

    buses = _ports(ports)
    exit_on_signals("bridge")
    try:
        bridge = run_bridge(
            server_url, token, buses, int(baudrate), say=lambda line: click.echo(line, err=True)
        )
    except LinkRefused as exc:
        click.echo(f"bridge: {exc}", err=True)
        raise SystemExit(1) from None
    bridge.server.client.wait()


@click.group()
def devices() -> None:
    """Serial devices: a simulator for the demo and for testing a bridge."""


@devices.command("simulate")
@click.option("--config", "hall_file", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("instance/devices")
)
def simulate_devices(hall_file: Path | None, folder: Path) -> None:
    """Emulate the hall file's devices on pty pairs and show what every board shows. Type `W05 next`,
    `W05 rate 5`, `unplug main`, `plug main` or `quit`."""
    from firmware_bridge.emulators.simulator import DeviceSimulator
    from hallq.config.hall import load_hall
    from hallq.config.settings import default_hall_file

    config = load_hall(hall_file or default_hall_file())
    simulator = DeviceSimulator(folder, config.bridge.model_dump())
    shown: dict[str, str] = {}

    def changed() -> None:
        for row in simulator.snapshot():
            text = row["text"] + (" [请评价]" if row.get("lit") else "")
            if shown.get(row["id"]) != text:
                shown[row["id"]] = text
                click.echo(f"  {row['id']:>12}: {text}")

    simulator.on_change = changed
    for bus, path in simulator.start().items():
        click.echo(f"bus {bus}: {path}   (hallq bridge --port {bus}={path} …)")
    try:
        _commands(simulator)
    except KeyboardInterrupt:
        click.echo("devices: stopping", err=True)
    simulator.stop()


def _commands(simulator: Any) -> None:
    for line in sys.stdin:
        words = line.split()
        try:
            if words[:1] == ["quit"]:
                return
            if len(words) == 2 and words[0] in ("unplug", "plug"):
                getattr(simulator.buses[words[1]], words[0])()
            elif len(words) == 3 and words[1] == "rate":
                click.echo(
                    "  rated" if simulator.rate(words[0], int(words[2])) else "  the evaluator is not lit"
                )
            elif len(words) == 2:
                simulator.press(words[0], words[1])
            elif words:
                click.echo(
                    "  W05 next|recall|no_show|pause|finish|start|transfer|0-9, W05 rate 1-5, unplug/plug BUS"
                )
        except (KeyError, ValueError) as exc:
            click.echo(f"  {exc}")


def run_bridge(server_url: str, token: str, buses: dict[str, str], baudrate: int, say: Any = print) -> Any:
    """Fetch the devices, start the bus threads and the link; returns the Bridge (link.client to wait on).
    Used by `hallq bridge` and by `hallq serve --bridge-port` (the bridge inside the server process)."""
    from firmware_bridge.bridge import Bridge
    from firmware_bridge.link import LinkRefused, ServerLink

    holder: dict[str, Bridge] = {}
    link = ServerLink(server_url, token, lambda name, data: holder["bridge"].on_server(name, data))
    while True:
        try:
            setup, hall = link.get("/devices")["bridge"], link.get("/hall")
            break
        except LinkRefused:
            raise
        except OSError as exc:  # the server is not up yet
            say(f"bridge: waiting for {server_url} ({type(exc).__name__})")
            time.sleep(1)
    unknown = set(buses) - {d["bus"] for d in setup["devices"]}
    if unknown:
        raise click.BadParameter(f"no devices on bus {sorted(unknown)} in the hall file", param_hint="--port")
    try:
        bridge = holder["bridge"] = Bridge(setup, hall, link, buses, baudrate=baudrate)
    except ValueError as exc:  # a device the bridge cannot drive here, e.g. an Onbon board's font is missing
        raise click.ClickException(str(exc)) from None
    link.rooms = bridge.rooms()
    bridge.start()
    link.start()
    count = sum(len(port.master.links) for port in bridge.buses.values())
    say(f"bridge: {count} devices on {', '.join(f'{b}={u}' for b, u in buses.items())}")
    return bridge


def bridge_in_server(app: Any, port: int, ports: tuple[str, ...], baudrate: int) -> None:
    """For a one-machine hall: the bridge runs as a background task of the server, with its own token, and
    talks to the server over loopback like any bridge (the same code and the same rules)."""
    from hallq.operations.accounts import create_token

    buses = _ports(ports)
    ctx = app.extensions["hallq"]
    token = create_token(ctx.store, "bridge", ctx.now(), name="bridge-in-server")

    def run() -> None:
        try:
            run_bridge(
                f"http://127.0.0.1:{port}",
                token,
                buses,
                baudrate,
                say=lambda line: click.echo(line, err=True),
            )
        except Exception as exc:  # the server goes on without its devices, and says why
            click.echo(f"bridge: {exc}", err=True)

    app.extensions["socketio"].start_background_task(run)
