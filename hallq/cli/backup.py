"""`hallq backup` and `hallq restore` (registered on the CLI by hallq.cli.main)."""

from __future__ import annotations

from pathlib import Path

import click

from hallq.cli.support import base_settings, city_options, common, settings_for_hall

PG_DUMP = (
    "this hall's data is in PostgreSQL: back it up with pg_dump and restore with pg_restore "
    "(docs/reliability.md shows the commands)"
)


def _instance(instance: Path, database_url: str | None, city_file: Path | None, hall_id: str | None) -> Path:
    settings = settings_for_hall(base_settings(instance, database_url, None), city_file, hall_id)
    if settings.database_url:
        raise click.ClickException(PG_DUMP)
    return settings.instance


@click.command("backup")
@common
@city_options
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace DESTINATION if it exists.")
def backup_command(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    destination: Path,
    overwrite: bool,
) -> None:
    """Copy the hall's database to DESTINATION; safe while the server runs."""
    from hallq.store.backup import BackupError, backup

    try:
        copied = backup(
            _instance(instance, database_url, city_file, hall_id), destination, overwrite=overwrite
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{destination}: {copied.tickets} tickets, last issued {copied.last_issued_at or '-'}")


@click.command("restore")
@common
@city_options
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def restore_command(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    source: Path,
) -> None:
    """Replace the hall's database by a backup (stop the server first)."""
    from hallq.store.backup import BackupError, restore

    try:
        copied = restore(_instance(instance, database_url, city_file, hall_id), source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {copied.tickets} tickets from {source}; start the server again")
