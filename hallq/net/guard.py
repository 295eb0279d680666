"""The loopback guard: a process that must talk to this machine only (tests, benchmarks, the demo) refuses,
and reports, every socket connect or datagram to any other address.

It is a `sys.addaudithook` on the interpreter's `socket.connect` and `socket.sendto` events, so it sees every
library's sockets (python-escpos, requests, eventlet's green sockets, redis, psycopg's Python side) without
patching any of them. A refused connect raises `OffLoopbackError`, an OSError, so the program meets it as it
would meet an unreachable host; the attempt is also recorded, because programs catch OSError.

Set `HALLQ_LOOPBACK_ONLY=1` and every `hallq` process installs it at start-up; `HALLQ_LOOPBACK_LOG=FILE`
appends one line per refused attempt to FILE as well (the test suite reads it after each test).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import threading
from typing import Any

ENV_ONLY = "HALLQ_LOOPBACK_ONLY"
ENV_LOG = "HALLQ_LOOPBACK_LOG"

log = logging.getLogger("hallq.net.guard")


class OffLoopbackError(PermissionError):
    """A connect or datagram to an address off this machine, refused by the loopback guard."""


_installed = False
_armed = False
_lock = threading.Lock()
_refused: list[str] = []
_log_file: str | None = None
_resolving = threading.local()


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 (and its IPv4-mapped form), and names that resolve only to those."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return _name_is_loopback(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _name_is_loopback(name: str) -> bool:
    if name.lower() in ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"):
        return True
    if name == "":  # "" means INADDR_ANY, which connect() takes as this machine
        return True
    _resolving.active = True
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return True  # a name that does not resolve is never connected to
    finally:
        _resolving.active = False
    return bool(infos) and all(is_loopback_host(str(info[4][0])) for info in infos)


def allowed(family: int, address: Any) -> bool:
    """May a socket of `family` connect or send to `address`? Unix sockets and loopback addresses only."""
    if family == getattr(socket, "AF_UNIX", None) or isinstance(address, str | bytes):
        return True
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        return is_loopback_host(str(address[0]))
    return False  # netlink, packet, bluetooth, CAN: nothing a hall program opens in a test


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _armed or event not in ("socket.connect", "socket.sendto"):
        return
    if getattr(_resolving, "active", False):
        return
    sock, address = args[0], args[1]
    if allowed(getattr(sock, "family", -1), address):
        return
    what = (
        f"{event.split('.')[1]} to {address!r} refused: only 127.0.0.0/8, ::1 and Unix sockets ({ENV_ONLY})"
    )
    with _lock:
        _refused.append(what)
        path = _log_file
    log.error("loopback guard: %s", what)
    if path:
        try:
            with open(path, "a", encoding="utf-8") as out:
                out.write(f"pid {os.getpid()} {sys.argv[0].rsplit('/', 1)[-1]}: {what}\n")
        except OSError:
            pass
    raise OffLoopbackError(what)


def install(log_file: str | None = None) -> None:
    """Refuse every connect and datagram off this machine from now on, in this process (for good: an audit
    hook cannot be removed)."""
    global _installed, _armed, _log_file
    with _lock:
        _log_file = log_file
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True
        _armed = True


def install_from_environment() -> bool:
    """Install the guard when HALLQ_LOOPBACK_ONLY is set (to anything but "" or "0")."""
    if os.environ.get(ENV_ONLY, "") in ("", "0"):
        return False
    install(os.environ.get(ENV_LOG) or None)
    return True


def take_refused() -> list[str]:
    """The attempts refused in this process since the last call, oldest first."""
    with _lock:
        refused = list(_refused)
        _refused.clear()
    return refused
