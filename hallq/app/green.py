"""Eventlet, the default async mode: its monkey patch and its deprecation warning. Standard library only, so
the `hallq` command can patch before anything else is imported (hallq/cli/entry.py)."""

from __future__ import annotations

import os
import warnings


def quiet_eventlet() -> None:
    """Eventlet 0.40+ warns at import that it is deprecated; docs/deployment.md says why it is still the
    default and how to switch. The warning is for developers choosing it, not for a hall's terminal."""
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def patch_eventlet() -> None:
    quiet_eventlet()
    # psycopg 3 waits for PostgreSQL in C, which blocks eventlet's whole process on every query (it knows
    # gevent, not eventlet); its select() wait is green once select is patched. Read at psycopg's import.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import eventlet

    eventlet.monkey_patch()
