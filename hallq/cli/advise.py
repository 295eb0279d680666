"""`hallq advise`: staffing and consolidation advice from the hall's own log (hallq/whatif/advice.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from hallq.cli.support import base_settings, common, hall_app

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@click.group("advise")
def advise() -> None:
    """Advice from the log: windows per hour, and quiet windows to merge."""


def _context(instance: Path, database_url: str | None, hall_file: Path | None) -> Any:
    return hall_app(base_settings(instance, database_url, hall_file)).extensions["hallq"]


@advise.command("staffing")
@click.option("--weekday", type=click.Choice(WEEKDAYS), required=True, help="The typical day to staff.")
@click.option("--before", default=None, help="Learn from the weeks before this date (default: today).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--xlsx", "xlsx_file", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@common
def staffing_command(
    weekday: str,
    before: str | None,
    csv_file: Path | None,
    xlsx_file: Path | None,
    as_json: bool,
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
) -> None:
    """The fewest open windows per zone, hour by hour, keeping the P90 wait under [hall.staffing]'s target."""
    from hallq.whatif.advice import staffing_for_weekday
    from hallq.whatif.export import staffing_csv, staffing_xlsx
    from hallq.whatif.log import NoRecordedDays

    ctx = _context(instance, database_url, hall_file)
    try:
        until = date.fromisoformat(before) if before else ctx.day()
    except ValueError:
        raise click.BadParameter(f"{before!r}: give a date like 2026-12-01", param_hint="--before") from None
    try:
        advice = staffing_for_weekday(ctx, WEEKDAYS.index(weekday), until)
    except NoRecordedDays as error:
        raise click.ClickException(str(error)) from None
    finally:
        ctx.store.dispose()
    if csv_file:
        csv_file.write_bytes(staffing_csv(advice))
    if xlsx_file:
        xlsx_file.write_bytes(staffing_xlsx(advice, ctx.config.hall.name))
    if as_json:
        click.echo(json.dumps(advice, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{weekday} from {', '.join(advice['days'])} · P90 target {advice['target_p90_wait_s'] / 60:.0f} min"
    )
    zones = sorted({row["zone"] for row in advice["rows"]})
    hours = sorted({row["hour"] for row in advice["rows"]})
    cell = {(row["zone"], row["hour"]): row for row in advice["rows"]}
    click.echo("zone  " + "".join(f"{hour:>7}" for hour in hours))
    for zone in zones:
        marks = [f"{cell[zone, h]['windows']}{'' if cell[zone, h]['meets_target'] else '!'}" for h in hours]
        click.echo(f"{zone:<6}" + "".join(f"{mark:>7}" for mark in marks))
    click.echo("(windows to open; ! = even all of the zone's windows miss the target)")


@advise.command("consolidation")
@click.option("--from", "first", required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "last", required=True, help="Last day of the period (YYYY-MM-DD).")
@click.option(
    "--into", default=None, help="A window (e.g. a 综合窗口) to take on the quiet windows' services."
)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@common
def consolidation_command(
    first: str,
    last: str,
    into: str | None,
    as_json: bool,
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
) -> None:
    """Windows busy under [hall.staffing] quiet_below, and what merging each into another does to waits."""
    from hallq.whatif.advice import consolidation
    from hallq.whatif.log import NoRecordedDays, read_days
    from hallq.whatif.replay import BadChange

    try:
        period = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise click.BadParameter("give dates like 2026-11-02", param_hint="--from/--to") from None
    ctx = _context(instance, database_url, hall_file)
    try:
        advice = consolidation(ctx.config, read_days(ctx, *period), into)
    except (NoRecordedDays, BadChange) as error:
        raise click.ClickException(str(error)) from None
    finally:
        ctx.store.dispose()
    if as_json:
        click.echo(json.dumps(advice, ensure_ascii=False, indent=2))
        return
    if not advice["rows"]:
        click.echo(f"no window was busy under {advice['quiet_below']:.0%} of its open time")
    for row in advice["rows"]:
        click.echo(
            f"{row['window']} busy {row['utilisation']:.0%} -> into {row['into']} "
            f"({row['into_utilisation_before']:.0%} -> {row['into_utilisation_after']:.0%}): "
            f"mean wait {row['mean_wait_s_before'] / 60:.1f} -> {row['mean_wait_s_after'] / 60:.1f} min, "
            f"P90 {row['p90_wait_s_before'] / 60:.1f} -> {row['p90_wait_s_after'] / 60:.1f} min"
        )
