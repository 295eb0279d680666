"""`hallq config import FILE` and `hallq config export`: the hall file into and out of the versions."""

from __future__ import annotations

from pathlib import Path

import click

from hallq.cli.support import base_settings, city_options, common, fail_with, hall_app, settings_for_hall


@click.group("config")
def config_group() -> None:
    """The hall's configuration: versions in the database, the hall file as their format."""


@config_group.command("import")
@common
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@city_options
def config_import(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    source: Path,
) -> None:
    """Make SOURCE (a hall file) the hall's new version; running servers take it within a second."""
    from datetime import UTC, datetime

    from hallq.config.tomlfile import ConfigError, read_text
    from hallq.operations.hall_versions import import_file

    ctx = hall_app(settings_for_hall(base_settings(instance, database_url, hall_file), city_file, hall_id))
    try:
        text, name = read_text(source)
        number = import_file(ctx.extensions["hallq"].store, text, name, datetime.now(UTC))
    except ConfigError as exc:
        fail_with(exc)
    click.echo(f"{source}: version {number}" if number else f"{source}: unchanged since it was last imported")


@config_group.command("export")
@common
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: stdout."
)
@city_options
def config_export(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    output: Path | None,
) -> None:
    """The current version as a hall file (the same bytes each time for the same version)."""
    from hallq.config.document import to_toml
    from hallq.operations.hall_versions import current

    app = hall_app(settings_for_hall(base_settings(instance, database_url, hall_file), city_file, hall_id))
    latest = current(app.extensions["hallq"].store)
    assert latest is not None
    text = to_toml(latest.document)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"version {latest.number} written to {output}", err=True)
