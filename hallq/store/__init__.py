"""Persistence: the SQLAlchemy engine and sessions (SQLite or PostgreSQL), the tables, Alembic migrations,
backup and restore."""
