"""Alembic environment: run by Store.migrate() with a live connection, or by `alembic` with -x url=..."""

from alembic import context
from sqlalchemy import create_engine

from hallq.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///instance/hallq.sqlite3")
        with create_engine(url).connect() as own:
            _migrate(own)
    else:
        _migrate(connection)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


run()
