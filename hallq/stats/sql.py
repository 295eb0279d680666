"""SQL expressions that differ between SQLite and PostgreSQL, written once as SQLAlchemy constructs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class seconds_between(FunctionElement[float]):  # lower case: it reads as a SQL function
    """end - start in seconds (float); NULL when either is NULL."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between)
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


class local_hour(FunctionElement[int]):
    """The hour (0-23) of a UTC timestamp column in the hall's time zone."""

    type = Integer()
    inherit_cache = False
    name = "local_hour"

    def __init__(self, column: ColumnElement[Any], zone: ZoneInfo, around: datetime) -> None:
        super().__init__(column)
        self.zone = zone
        self.around = around


@compiles(local_hour, "sqlite")
def _hour_sqlite(element: local_hour, compiler: Any, **kw: Any) -> str:
    # SQLite knows no time zones: the zone's offset at the middle of the report applies to all of it, exact
    # for halls in China (no daylight saving time), an hour off around a DST change elsewhere
    offset = element.zone.utcoffset(element.around.replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset else 0
    column = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(strftime('%H', {column}, '{minutes:+d} minutes') AS INTEGER)"


@compiles(local_hour)
def _hour_postgresql(element: local_hour, compiler: Any, **kw: Any) -> str:
    column = compiler.process(next(iter(element.clauses)), **kw)
    zone = str(element.zone.key).replace("'", "")
    return f"CAST(EXTRACT(HOUR FROM ({column} AT TIME ZONE '{zone}')) AS INTEGER)"
