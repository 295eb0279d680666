"""`hallq token` and `hallq user`: device tokens and sign-in accounts, each change in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from hallq.cli.support import (
    base_settings,
    city_options,
    common,
    hall_app,
    load_city,
    settings_for_hall,
)

TOKEN_ROLES = ["kiosk", "agent", "display", "bridge", "evaluator", "integration", "clerk", "manager", "admin"]


class TokenGroup(click.Group):
    """`hallq token ROLE …` makes a token (as it always has); `hallq token list`, `hallq token revoke ID`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] != "--help":
            args = ["new", *args]
        return super().parse_args(ctx, args)


@click.group(cls=TokenGroup)
def token() -> None:
    """Device tokens: `hallq token ROLE` prints a new one; `list`; `revoke ID`."""


def _hall(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
) -> Any:
    if city_file is not None and hall_id is None:
        raise click.BadParameter("a token belongs to one hall of the city", param_hint="--hall")
    settings = settings_for_hall(base_settings(instance, database_url, hall_file), city_file, hall_id)
    return hall_app(settings).extensions["hallq"]


@token.command("new")
@common
@click.argument("role", type=click.Choice(TOKEN_ROLES))
@click.option(
    "--window", "window_id", default=None, help="Bind a clerk, bridge or evaluator token to one window."
)
@click.option(
    "--kiosk", "kiosk_id", default=None, help="Bind a kiosk or agent token to one kiosk of the hall file."
)
@click.option("--name", default=None, help="A name for the event log, e.g. kiosk-entrance.")
@city_options
def token_new(
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
    """Print one new token for ROLE, alone on its line (agent: a kiosk PC's print agent, --kiosk)."""
    from hallq.operations.accounts import BindingError, check_binding, create_token
    from hallq.operations.clocks import SystemClock

    ctx = _hall(instance, database_url, hall_file, city_file, hall_id)
    try:
        check_binding(ctx.config, role, window_id, kiosk_id)
    except BindingError as exc:
        raise click.BadParameter(exc.message.split(" / ", 1)[-1], param_hint=f"--{exc.field}") from None
    now = SystemClock().now()
    click.echo(create_token(ctx.store, role, now, window_id=window_id, kiosk_id=kiosk_id, name=name))


@token.command("list")
@common
@city_options
def token_list(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
) -> None:
    """Every token: id, role, name, what it is bound to, when made, and when revoked."""
    from hallq.operations.accounts import list_tokens

    ctx = _hall(instance, database_url, hall_file, city_file, hall_id)
    tz = ctx.config.tz
    click.echo(f"{'id':>4}  {'role':9}  {'name':24}  {'bound to':10}  {'created':16}  revoked")
    for row in list_tokens(ctx.store):
        bound = row.window_id or row.kiosk_id or "-"
        created = row.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        revoked = row.revoked_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if row.revoked_at else "-"
        click.echo(f"{row.id:>4}  {row.role:9}  {row.name[:24]:24}  {bound:10}  {created:16}  {revoked}")


@token.command("revoke")
@common
@click.argument("token_id", type=click.IntRange(1, 2**63 - 1))
@city_options
def token_revoke(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    token_id: int,
) -> None:
    """Revoke token TOKEN_ID (see `hallq token list`): its next request is refused and a running server
    disconnects its sockets within seconds."""
    from hallq.operations.accounts import revoke_token

    ctx = _hall(instance, database_url, hall_file, city_file, hall_id)
    row = _act(lambda now: revoke_token(ctx.store, token_id, now))
    click.echo(f"token {row.id} ({row.role} {row.name}) revoked")


@click.group()
def user() -> None:
    """Clerk, manager and admin accounts: add, passwd, deactivate, activate."""


def _user_store(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
) -> Any:
    """The store of the accounts a command acts on: a hall's, or with --city and no --hall the city's."""
    settings = base_settings(instance, database_url, hall_file)
    if city_file is not None and hall_id is None:
        from hallq.app.city import city_store

        load_city(city_file)  # a clear error for a bad city file, before anything is written
        store = city_store(settings)
        store.migrate()
        return store
    return hall_app(settings_for_hall(settings, city_file, hall_id)).extensions["hallq"].store


def _act(act: Callable[[datetime], Any]) -> Any:
    """Run an account or token change now; a refusal (an unknown user, a weak password) is a clear error."""
    from hallq.operations.clocks import SystemClock
    from hallq.operations.errors import HallqError

    try:
        return act(SystemClock().now())
    except HallqError as exc:
        raise click.ClickException(exc.message) from None


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

    if city_file is not None and hall_id is None and role == "clerk":
        raise click.BadParameter("the city view is for managers and admins", param_hint="--role")
    store = _user_store(instance, database_url, hall_file, city_file, hall_id)
    _act(lambda now: create_user(store, username, password, role, now, display_name))
    click.echo(f"user {username} ({role}) created")


@user.command("passwd")
@common
@click.argument("username")
@click.password_option()
@city_options
def user_passwd(
    instance: Path,
    database_url: str | None,
    hall_file: Path | None,
    city_file: Path | None,
    hall_id: str | None,
    username: str,
    password: str,
) -> None:
    """Set a user's password (asks for it); every session of the user ends."""
    from hallq.operations.accounts import set_password

    store = _user_store(instance, database_url, hall_file, city_file, hall_id)
    _act(lambda now: set_password(store, username, password, now))
    click.echo(f"password of {username} set; their sessions ended")


def _set_active(active: bool) -> Any:
    @common
    @click.argument("username")
    @city_options
    def command(
        instance: Path,
        database_url: str | None,
        hall_file: Path | None,
        city_file: Path | None,
        hall_id: str | None,
        username: str,
    ) -> None:
        from hallq.operations.accounts import set_active

        store = _user_store(instance, database_url, hall_file, city_file, hall_id)
        _act(lambda now: set_active(store, username, active, now))
        click.echo(f"{username} {'activated' if active else 'deactivated; their sessions ended'}")

    return command


user.command(
    "deactivate", help="A user who left: they can no longer sign in and every session of theirs ends."
)(_set_active(False))
user.command("activate", help="Let a deactivated user sign in again.")(_set_active(True))
