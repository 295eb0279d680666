"""A throwaway PostgreSQL database and the Redis on 127.0.0.1 for tests (skip without them; fail in CI)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import skip_or_fail

#: the server CI runs (trust auth); HALLQ_TEST_POSTGRES overrides it
ADMIN_URL = os.environ.get("HALLQ_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database; yields its SQLAlchemy URL and drops it afterwards."""
    try:
        import psycopg
    except ImportError:
        skip_or_fail("psycopg is not installed")
    name = f"hallq_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        skip_or_fail(f"no PostgreSQL at {ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


#: the Redis CI runs; HALLQ_TEST_REDIS overrides it
REDIS_URL = os.environ.get("HALLQ_TEST_REDIS", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The Redis URL for a message queue test (skips without a server; fails in CI)."""
    try:
        import redis
    except ImportError:
        skip_or_fail("the redis package is not installed")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"no Redis at {REDIS_URL}: {exc}")
    return REDIS_URL
