"""The `hallq` console script. Eventlet, when chosen, must patch the standard library before anything
else is imported, so this module decides that first and imports the CLI after."""

from __future__ import annotations

import os
import sys


def _option(argv: list[str], name: str, default: str) -> str:
    for index, arg in enumerate(argv):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
    return default


def _async_mode(argv: list[str]) -> str:
    return _option(argv, "--async-mode", os.environ.get("HALLQ_ASYNC_MODE", "eventlet"))


def _serves_here(argv: list[str]) -> bool:
    """serve and demo run a server in this process, except `serve --workers N` (N > 1), which only
    starts and watches worker processes (hallq/app/serving.py)."""
    if not argv or argv[0] not in ("serve", "demo"):
        return False
    workers = _option(argv, "--workers", os.environ.get("HALLQ_WORKERS", "1"))
    return not (workers.isdigit() and int(workers) > 1)


def main() -> None:
    argv = sys.argv[1:]
    from hallq.net import guard  # standard library only: safe before eventlet patches it

    # the demo hall (and the bridge and agent it starts) talks to this machine only; so does every process
    # a test or benchmark starts with the variable set
    if argv[:1] == ["demo"]:
        os.environ.setdefault(guard.ENV_ONLY, "1")
    guard.install_from_environment()
    if _serves_here(argv) and _async_mode(argv) == "eventlet":
        from hallq.app.green import patch_eventlet  # standard library only, like this module

        patch_eventlet()
    from hallq.cli.main import cli

    cli()


if __name__ == "__main__":
    main()
