"""The loopback guard for the whole test run (hallq/guard.py): the test process refuses every connect off
this machine, and every hallq process a test starts inherits HALLQ_LOOPBACK_ONLY and reports its refusals to
one log file. A test during which any process tried fails (or errors, if it happened in its teardown), even
when the program under test swallowed the OSError."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest

from hallq.net import guard

_log = Path(tempfile.mkdtemp(prefix="hallq-loopback-")) / "refused.log"
_log.touch()
_read_up_to = 0


def pytest_configure(config: pytest.Config) -> None:
    os.environ[guard.ENV_ONLY] = "1"
    os.environ[guard.ENV_LOG] = str(_log)
    guard.install(str(_log))
    guard.take_refused()  # the log file already holds this process's lines


def refused_since_last_look() -> list[str]:
    """Every refused attempt, in any process of the run, since the previous call."""
    global _read_up_to
    guard.take_refused()
    with _log.open("rb") as log:
        log.seek(_read_up_to)
        new = log.read()
    _read_up_to += len(new)
    return new.decode("utf-8", "replace").splitlines()


def _check(item: pytest.Item) -> None:
    refused = refused_since_last_look()
    if refused:
        lines = "\n  ".join(refused)
        pytest.fail(f"{item.nodeid} connected off this machine (loopback guard):\n  {lines}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        yield
    finally:
        _check(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        yield
    finally:
        _check(item)
