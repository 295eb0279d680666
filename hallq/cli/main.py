"""hallq's command line: the `hallq` group, `check-config`, and every command group's module registered on it
(serve, accounts, simulate, printing, devices, backup, screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import click

from hallq.cli.support import is_city_file, load_city


@click.group()
@click.version_option(package_name="hallq")
def cli() -> None:
    """hallq: queue and display system for government service halls."""


@cli.command("check-config")
@click.argument("hall_file", type=click.Path(dir_okay=False, path_type=Path))
def check_config(hall_file: Path) -> None:
    """Validate a hall file (or a city file and its halls' files): exit 0 when valid, else print each
    problem with its key path and line."""
    from hallq.config.hall import load_hall
    from hallq.config.tomlfile import ConfigError

    if is_city_file(hall_file):
        city = load_city(hall_file)
        names = ", ".join(hall.id for hall in city.halls)
        click.echo(f"{hall_file}: ok (a city of {len(city.halls)} halls: {names})")
        return
    try:
        config = load_hall(hall_file)
    except ConfigError as exc:
        _fail_in_words(exc, hall_file)
    counts = f"{len(config.zones)} zones, {len(config.services)} services, {len(config.windows)} windows"
    click.echo(f"{hall_file}: ok ({counts})")


def _fail_in_words(exc: Any, hall_file: Path) -> NoReturn:
    """Each problem with its key path and line, then in the words the administration page uses (zh-CN,
    positions counted from 1)."""
    import tomllib

    from hallq.config.wording import worded

    try:
        document = tomllib.loads(hall_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        document = None
    for problem in exc.problems:
        chinese = worded(problem, document)["message"].split(" / ")[0]
        click.echo(f"{exc.source}: {problem}\n    {chinese}", err=True)
    raise SystemExit(1)


def _register() -> None:
    from hallq.cli.accounts import token, user
    from hallq.cli.advise import advise
    from hallq.cli.backup import backup_command, restore_command
    from hallq.cli.config_cmd import config_group
    from hallq.cli.devices import bridge_command, devices
    from hallq.cli.printing import kiosk_agent, print_test
    from hallq.cli.screen import screen_command
    from hallq.cli.serve import demo, serve
    from hallq.cli.simulate import simulate_command

    for command in (
        serve,
        demo,
        token,
        user,
        simulate_command,
        advise,
        print_test,
        kiosk_agent,
        bridge_command,
        devices,
        screen_command,
    ):
        cli.add_command(command)
    cli.add_command(config_group)
    cli.add_command(config_group)
    cli.add_command(backup_command)
    cli.add_command(restore_command)


_register()
