"""A pty pair in raw mode whose device side a stable symlink names, as a USB adapter's /dev/serial/by-id link
does: an "unplugged" bus comes back under the same name."""

from __future__ import annotations

import contextlib
import os
import pty
import tty
from pathlib import Path


def raw_pty_at(link: Path) -> tuple[int, int]:
    """(controller, device) fds; `link` points at the device side (replaced atomically)."""
    controller, device = pty.openpty()
    tty.setraw(controller)
    tty.setraw(device)
    temporary = link.with_suffix(".new")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(os.ttyname(device))
    temporary.replace(link)
    return controller, device
