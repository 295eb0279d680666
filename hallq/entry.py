"""The `hallq` console script. Eventlet, when chosen, must patch the standard library before anything
else is imported, so this module decides that first and imports the CLI after."""

from __future__ import annotations

import os
import sys
import warnings


def _async_mode(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
        if arg == "--async-mode" and index + 1 < len(argv):
            return argv[index + 1]
    return os.environ.get("HALLQ_ASYNC_MODE", "eventlet")


def quiet_eventlet() -> None:
    """Eventlet 0.40+ warns at import that it is deprecated; docs/deployment.md says why it is still the
    default and how to switch. The warning is for developers choosing it, not for a hall's terminal."""
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def patch_eventlet() -> None:
    quiet_eventlet()
    import eventlet

    eventlet.monkey_patch()


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in ("serve", "demo") and _async_mode(argv) == "eventlet":
        patch_eventlet()
    from hallq.cli import cli

    cli()


if __name__ == "__main__":
    main()
