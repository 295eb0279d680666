"""Helpers of the `hallq` command: config errors, and which hall of a city deployment a command is for."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from hallq.config.settings import Settings, default_hall_file


def common(function: Any) -> Any:
    """--instance, --database-url and --config, taken by every command that touches data."""
    options = [
        click.option(
            "--instance",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="HALLQ_INSTANCE",
            default="instance",
            show_default=True,
            help="Folder of the SQLite database and runtime files.",
        ),
        click.option(
            "--database-url",
            envvar="HALLQ_DATABASE_URL",
            default=None,
            help="e.g. postgresql+psycopg://host/db; replaces SQLite.",
        ),
        click.option(
            "--config",
            "hall_file",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="HALLQ_HALL_FILE",
            default=None,
            help="The hall file (default config/hall.toml).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def base_settings(instance: Path, database_url: str | None, hall_file: Path | None, **extra: Any) -> Settings:
    # commands that do not serve need no event loop: only serve and demo pass an async mode
    extra.setdefault("async_mode", "threading")
    return Settings(
        instance=instance, database_url=database_url, hall_file=hall_file or default_hall_file(), **extra
    )


def fail_with(error: Any) -> NoReturn:
    """A config or scenario error: each problem on its own line (file: key path (line): message), exit 1."""
    for problem in error.problems:
        click.echo(f"{error.source}: {problem}", err=True)
    raise SystemExit(1)


def city_options(function: Any) -> Any:
    """--city and --hall: which hall of a city deployment a command acts on."""
    function = click.option("--hall", "hall_id", default=None, help="A hall of the city file.")(function)
    return click.option(
        "--city",
        "city_file",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="HALLQ_CITY_FILE",
        default=None,
        help="The city file of a city deployment.",
    )(function)


def settings_for_hall(settings: Settings, city_file: Path | None, hall_id: str | None) -> Settings:
    """The settings of one hall: the hall file's, or the city file's hall `hall_id`."""
    if city_file is None:
        if hall_id is not None:
            raise click.BadParameter("--hall needs --city", param_hint="--hall")
        return settings
    from hallq.app.city import hall_settings

    city = load_city(city_file)
    entry = next((hall for hall in city.halls if hall.id == hall_id), None)
    if entry is None:
        known = ", ".join(hall.id for hall in city.halls)
        raise click.BadParameter(f"one of the city's halls: {known}", param_hint="--hall")
    return hall_settings(settings, entry)


def is_city_file(path: Path) -> bool:
    import tomllib

    try:
        return "city" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the hall file check reports it


def load_city(city_file: Path) -> Any:
    from hallq.config.city import load_city
    from hallq.config.tomlfile import ConfigError

    try:
        return load_city(city_file)[0]
    except ConfigError as exc:
        fail_with(exc)


def worker_argv(argv: list[str], listen_fd: int) -> list[str]:
    """The command line of one worker: the parent's, serving on the parent's socket."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            kept.append(arg)
    return [sys.executable, "-m", "hallq", *kept, "--workers", "1", "--listen-fd", str(listen_fd)]


def banner(app: Any, base_url: str, async_mode: str) -> str:
    halls = app.extensions.get("hallq_halls")
    if not halls:
        return f"hallq serving {app.extensions['hallq'].config.hall.name} on {base_url}/ ({async_mode})"
    lines = [f"hallq serving {len(halls)} halls on {base_url}/ ({async_mode}); city view {base_url}/city"]
    for hall_id, hall in halls.items():
        lines.append(f"  {hall.extensions['hallq'].config.hall.name}: {base_url}/h/{hall_id}/")
    return "\n".join(lines)


def hall_app(settings: Settings) -> Any:
    from hallq.app.factory import create_app
    from hallq.config.tomlfile import ConfigError

    try:
        return create_app(settings)
    except ConfigError as exc:
        fail_with(exc)
