"""The configuration a server runs, and how it follows new versions without a restart (issue 31).

At start the hall file is imported as a new version when its text changed since it was last imported; the
server then runs the current version in the database. A version saved later (the pages, the API, `hallq
config import`, another server process) is taken by every process within a second: each checks the current
version's number every second (one indexed read) and switches, and the process that saved it switches at
once and tells every open page (`config_changed`). Requests already under way finish on the version they
started with (HallContext.pinned).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask

from hallq.config.document import hall_from_document
from hallq.config.hall import HallConfig
from hallq.config.settings import Settings
from hallq.config.tomlfile import ConfigError, read_text
from hallq.engine import CallPolicy, make_policy
from hallq.operations import hall_versions, moving
from hallq.operations.context import Actor
from hallq.operations.window_act import ensure_window_rows
from hallq.store.db import Store
from hallq.web.speech import speech_for

log = logging.getLogger(__name__)
#: how often every process looks for a newer version
FOLLOW_EVERY_S = 1.0
#: how often a process looks for a retiring service whose last ticket is served
RETIRE_EVERY_S = 10.0


def for_this_server(config: HallConfig, settings: Settings) -> HallConfig:
    """What this server changes of any version: its URL prefix in a city, the demo's hours, test printers, the
    demo's province emulator and SMS gateway."""
    config = config.mounted_at(settings.mount)
    if settings.enforce_hours is not None:
        hours = config.hall.hours.model_copy(update={"enforce": settings.enforce_hours})
        config = config.model_copy(update={"hall": config.hall.model_copy(update={"hours": hours})})
    if settings.printers:
        kiosks = [
            k.model_copy(update={"printer": settings.printers.get(k.id, k.printer)}) for k in config.kiosks
        ]
        config = config.model_copy(update={"kiosks": kiosks})
    if settings.province:
        province = type(config.province).model_validate(config.province.model_dump() | settings.province)
        config = config.model_copy(update={"province": province})
    if settings.messages:
        messages = type(config.messages).model_validate(config.messages.model_dump() | settings.messages)
        config = config.model_copy(update={"messages": messages})
    return config


def policy_of(config: HallConfig) -> CallPolicy:
    rule = config.hall.call_rule
    return make_policy(rule.rule, **rule.model_dump(exclude={"rule"}))


def starting_hall(settings: Settings, store: Store) -> tuple[HallConfig, int]:
    """The hall a server starts with and its version. A bad hall file is an error unless the database has a
    version: then that one is served, and what is wrong with the file is said (file, key path, line)."""
    try:
        text, source = read_text(settings.hall_file)
        hall_versions.import_file(store, text, source, datetime.now(UTC))
    except ConfigError as exc:
        if hall_versions.current(store) is None:
            raise
        for problem in exc.problems:
            click.echo(f"hallq: {exc.source}: {problem}", err=True)
        click.echo(
            "hallq: the hall file has errors: serving the last good version from the database", err=True
        )
    latest = hall_versions.current(store)
    assert latest is not None  # imported above, or there before
    return for_this_server(
        hall_from_document(latest.document, f"version {latest.number}"), settings
    ), latest.number


def apply_version(app: Flask, number: int) -> bool:
    """Switch this process to version `number` (or the newest); False when it is not newer than the running
    one. The pieces made from the configuration (rate limits, the voice, window rows) follow it."""
    ctx = app.extensions["hallq"]
    version = hall_versions.get(ctx.store, number) if number else hall_versions.current(ctx.store)
    if version is None or version.number <= ctx.version:
        return False
    settings: Settings = app.config["HALLQ_SETTINGS"]
    config = for_this_server(hall_from_document(version.document, f"version {version.number}"), settings)
    ctx.switch(config, policy_of(config), version.number)
    app.extensions["hallq_limits"] = app.extensions["hallq_limits"].with_rules(config.limits)
    try:
        app.extensions["hallq_speech"] = speech_for(config, settings.instance, f"version {version.number}")
    except ConfigError as exc:  # a voice this machine cannot speak: the displays fall back to their own
        log.error("version %d: %s", version.number, exc)
        app.extensions["hallq_speech"] = None
    ensure_window_rows(ctx)
    log.warning("configuration version %d in force", version.number)
    return True


def catch_up(app: Flask) -> bool:
    """Take a version another process (or `hallq config import`) saved; whether there was one."""
    newest = hall_versions.current_number(app.extensions["hallq"].store)
    return newest > app.extensions["hallq"].version and apply_version(app, newest)


def retire_drained(app: Flask) -> int | None:
    """Remove the retiring services nobody waits for any more, as a new version (by "server"); its number,
    or None. Two processes at once: one saves, the other's save is refused (409) and it does nothing."""
    ctx = app.extensions["hallq"]
    retiring = [service for service in ctx.config.services if service.retiring]
    if not retiring:
        return None
    still_open = moving.open_by_service(ctx)
    drained = [service for service in retiring if not still_open.get(service.id)]
    version = hall_versions.get(ctx.store, ctx.version) if drained else None
    if version is None:
        return None
    names = "、".join(service.name for service in drained)
    ids = [service.id for service in drained]
    try:
        number = hall_versions.save(
            ctx.store,
            hall_versions.without_services(version.document, ids),
            base_version=version.number,
            by=Actor(role="admin", name="server"),
            now=ctx.now(),
            note=f"{names} 的票已办完，自动删除 / {', '.join(ids)}: served, removed",
        )
    except (hall_versions.VersionConflict, hall_versions.InvalidConfig) as exc:  # a newer version decides
        log.info("retiring %s: not now (%s)", ids, exc)
        return None
    apply_version(app, number)
    return number


def follow_versions(app: Flask, server: Any, every_s: float = FOLLOW_EVERY_S) -> None:
    """A Socket.IO background task: take a version another process saved within a second; now and then,
    remove the retiring services whose last ticket is served (and tell every page)."""
    turns = 0
    while True:
        server.sleep(every_s)
        turns += 1
        try:
            catch_up(app)
            if turns * every_s >= RETIRE_EVERY_S:
                turns = 0
                removed = retire_drained(app)
                if removed is not None:
                    server.emit("config_changed", {"version": removed})
        except Exception:  # a locked database, or a version this code cannot read: try again next time
            log.exception("following the configuration's versions failed")
