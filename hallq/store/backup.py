"""`hallq backup` and `hallq restore` for the SQLite database (PostgreSQL: pg_dump, docs/reliability.md).

A backup uses SQLite's online backup API: it may run while the server serves, and it copies one consistent
moment of the database (every acknowledged ticket up to then). A restore copies a backup into the instance
with the same API, after checking it is a sound hallq database, and then migrates it to this version.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from hallq.store.db import Store, sqlite_url


class BackupError(Exception):
    """A backup or restore that must not go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    tickets: int
    last_issued_at: str | None
    size_bytes: int


def database_file(instance: Path) -> Path:
    return instance / "hallq.sqlite3"


def _check(path: Path) -> Copied:
    """A sound hallq database: integrity check passes, it has a schema version and tickets."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot open it as SQLite ({exc})") from None
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path}: the file is damaged (integrity check failed)")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "tickets"} <= tables:
            raise BackupError(f"{path}: not a hallq database (no tickets or schema version)")
        tickets, last = connection.execute("SELECT count(*), max(issued_at) FROM tickets").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not an SQLite database ({exc})") from None
    finally:
        connection.close()
    return Copied(tickets, last, path.stat().st_size)


def backup(instance: Path, destination: Path, *, overwrite: bool = False) -> Copied:
    source = database_file(instance)
    if not source.exists():
        raise BackupError(f"{source}: no database here (is --instance right?)")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} exists; choose a new name or pass --overwrite")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(partial)) as copy:
        live.backup(copy, pages=1024)  # in steps, so the server's writers wait at most a moment
    checked = _check(partial)
    os.replace(partial, destination)  # never a half-written backup under the final name
    return checked


def holders(path: Path) -> list[int]:
    """Processes that have `path` open (Linux /proc); empty where that cannot be known."""
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    target = str(path.resolve())
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) == target for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:  # another user's process, or gone
            continue
    return found


def restore(instance: Path, source: Path) -> Copied:
    checked = _check(source)
    target = database_file(instance)
    running = holders(target) if target.exists() else []
    if running:
        pids = ", ".join(str(pid) for pid in running)
        raise BackupError(f"{target} is in use (process {pids}): stop the hallq server, then restore")
    instance.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as saved, closing(sqlite3.connect(target, timeout=30)) as live:
        saved.backup(live)
    store = Store(sqlite_url(instance))
    store.migrate()  # a backup from an older hallq comes up to this version's schema
    store.dispose()
    return checked
