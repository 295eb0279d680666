"""Database access: one Store per process, write transactions that never interleave badly.

SQLite (the embedded default) runs in WAL mode; a write transaction starts with BEGIN IMMEDIATE so two
writers never both read a counter and then both bump it. Writers of one process also queue on a lock
that eventlet patches into a green lock: under eventlet a writer then waits in the event loop, not in
SQLite's busy handler, which would freeze the whole process (see shared/stack-notes.md). Transactions
never yield inside: pushes go out after commit.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def upsert_insert(dialect: str) -> Any:
    """`insert` with ON CONFLICT support for the dialect (SQLite or PostgreSQL)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def sqlite_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'hallq.sqlite3'}"


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


#: a PostgreSQL advisory lock key: server processes starting together migrate one after another
MIGRATION_LOCK = 0x68616C6C71  # "hallq"
SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


class Store:
    """One database, or on PostgreSQL one schema of it (a hall of a city deployment)."""

    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.schema = None if self.is_sqlite else schema
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, "BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(url, "BEGIN")
            self._write_lock: threading.Lock | None = threading.Lock()
        else:
            connect_args: dict[str, Any] = {}
            if self.schema is not None:
                if not SCHEMA_NAME.fullmatch(self.schema):
                    raise ValueError(f"not a schema name: {self.schema!r}")
                # every connection of this store sees only its hall's tables
                connect_args["options"] = f"-c search_path={self.schema}"
            self.engine = create_engine(
                url,
                pool_size=pool_size,
                max_overflow=2 * pool_size,
                pool_pre_ping=True,
                connect_args=connect_args,
            )
            self.read_engine = self.engine
            self._write_lock = None
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed on success and rolled back on any exception."""
        lock: AbstractContextManager[Any] = self._write_lock or nullcontext()
        with lock, self._writer.begin() as session:
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core write transaction for hot paths: no ORM unit of work."""
        lock: AbstractContextManager[Any] = self._write_lock or nullcontext()
        with lock, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A Core read for hot paths: one statement, no ORM session (a quarter of a session's cost)."""
        with self.read_engine.connect() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._write_lock or nullcontext(), self.engine.connect() as connection:
            if not self.is_sqlite:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                if self.schema is not None:
                    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                connection.commit()
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            finally:
                if not self.is_sqlite:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
