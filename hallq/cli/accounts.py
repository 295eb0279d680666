"""`hallq token` and `hallq user add`: device tokens and sign-in accounts."""

from __future__ import annotations

from pathlib import Path

import click

from hallq.cli.support import (
    base_settings,
    city_options,
    common,
    hall_app,
    load_city,
    settings_for_hall,
)


@click.command()
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
    from hallq.operations.accounts import create_token
    from hallq.operations.clocks import SystemClock

    if city_file is not None and hall_id is None:
        raise click.BadParameter("a token belongs to one hall of the city", param_hint="--hall")
    app = hall_app(settings_for_hall(base_settings(instance, database_url, hall_file), city_file, hall_id))
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


@click.group()
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
    from hallq.operations.accounts import create_user
    from hallq.operations.clocks import SystemClock
    from hallq.operations.errors import HallqError

    settings = base_settings(instance, database_url, hall_file)
    if city_file is not None and hall_id is None:
        from hallq.app.city import city_store

        if role == "clerk":
            raise click.BadParameter("the city view is for managers and admins", param_hint="--role")
        load_city(city_file)  # a clear error for a bad city file, before anything is written
        store = city_store(settings)
        store.migrate()
    else:
        store = hall_app(settings_for_hall(settings, city_file, hall_id)).extensions["hallq"].store
    try:
        create_user(store, username, password, role, SystemClock().now(), display_name)
    except HallqError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"user {username} ({role}) created")
