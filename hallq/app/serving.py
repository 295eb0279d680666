"""Running the server: one process, or `--workers N` processes sharing one listening socket.

Several workers need a database every process can reach (PostgreSQL) and a message queue (Redis) so an
event emitted in one process reaches the screens connected to another. The workers share one port the way
gunicorn's do (the kernel hands each new connection to one of them), so a client must keep its whole
session on one connection: the server then accepts websocket transport only (hallq's pages, bridge and
kiosk agent use nothing else). Long-polling clients need sticky sessions instead: several `hallq serve`
processes on their own ports behind nginx with `ip_hash` (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

log = logging.getLogger(__name__)

#: a connection silent this long is closed: longer than Socket.IO's ping interval plus timeout (25 + 20 s),
#: so a quiet display or phone is never cut, while a request that stops half-way frees its place
SOCKET_TIMEOUT_S = 60.0
#: how long a keep-alive connection may wait for its next request, and a new one for its first line
KEEPALIVE_S = 15.0
#: connections one server process holds at once (displays', phones' and callers' websockets, keep-alive and
#: half-sent requests together): a hall's screens and phones are a few hundred; the rest is headroom
MAX_CONNECTIONS = int(os.environ.get("HALLQ_MAX_CONNECTIONS", "4000"))
#: file descriptors the process needs besides its connections (database, logs, serial ports, pipes)
SPARE_FILES = 200


def connection_cap(wanted: int) -> int:
    """Raise the open-files limit to hold `wanted` connections (up to the hard limit) and return how many
    connections fit; say so when fewer than wanted."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    fits = wanted if soft == resource.RLIM_INFINITY else max(64, min(wanted, soft - SPARE_FILES))
    if fits < wanted:
        click.echo(
            f"hallq: the open-files limit ({soft}) holds {fits} connections, not {wanted}: raise it "
            f"(ulimit -n {needed}, or LimitNOFILE={needed} in the systemd unit)",
            err=True,
        )
    return fits


def hall_apps(app: Flask) -> list[Flask]:
    """The hall apps a server runs: the city's halls, or the one hall."""
    halls: dict[str, Flask] = app.extensions.get("hallq_halls", {})
    return list(halls.values()) or [app]


def stop_cleanly(app: Flask) -> None:
    """Ctrl+C or SIGTERM ends the server at once with one line, never a traceback from whatever handler the
    signal happened to interrupt. Committed data is safe: every acknowledged change was committed first."""

    def stop(signum: int, _frame: Any) -> None:
        click.echo(f"hallq: stopping ({signal.Signals(signum).name})", err=True)
        for hall in hall_apps(app):
            for cleanup in hall.extensions.get("hallq_on_stop", []):
                with contextlib.suppress(Exception):
                    cleanup()
            with contextlib.suppress(Exception):
                hall.extensions["hallq"].store.dispose()
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def bound_socket(host: str, port: int) -> socket.socket:
    """Bound, not listening yet: the port is held (no port-0 bind can take it, the demo's emulators bind some)
    while connections are still refused until the server is ready; OSError when the port is taken."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def listening_socket(host: str, port: int, bound: socket.socket | None = None) -> socket.socket:
    """Bound and listening, inheritable by worker processes; OSError when the port is taken."""
    sock = bound if bound is not None else bound_socket(host, port)
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def run(
    app: Flask,
    host: str,
    port: int,
    async_mode: str,
    listen_fd: int | None = None,
    bound: socket.socket | None = None,
) -> None:
    """Serve until stopped: on (host, port) through `bound` when the caller holds it already, or on a socket a
    `--workers` parent bound (listen_fd)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    stop_cleanly(app)
    from hallq.app.diagnostics import trace_memory_if_asked
    from hallq.operations.housekeeping import housekeeping_loop
    from hallq.province.sender import province_loop
    from hallq.sms.sender import messages_loop
    from hallq.web.live_config import follow_versions
    from hallq.web.revocation import revocation_loop

    trace_memory_if_asked()

    for hall in hall_apps(app):
        server = hall.extensions["socketio"]
        ctx = hall.extensions["hallq"]
        server.start_background_task(housekeeping_loop, ctx, server, hall.extensions["hallq_socket_actors"])
        server.start_background_task(
            revocation_loop, ctx.store, server, hall.extensions["hallq_socket_actors"]
        )
        server.start_background_task(follow_versions, hall, server)
        server.start_background_task(province_loop, ctx, server)
        server.start_background_task(messages_loop, ctx, server)
    # everything loaded so far lives as long as the server: keep it out of the garbage collector's scans
    gc.freeze()
    try:
        sock = listening_socket(host, port, bound) if listen_fd is None else socket.socket(fileno=listen_fd)
    except OSError as exc:
        click.echo(f"hallq: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None
    if async_mode == "eventlet":
        import eventlet.wsgi  # hallq/cli/entry.py patched the standard library already
        from eventlet.greenio import GreenSocket

        green = sock if isinstance(sock, GreenSocket) else GreenSocket(sock)
        eventlet.wsgi.server(
            green,
            app,
            log_output=False,
            max_size=connection_cap(MAX_CONNECTIONS),
            socket_timeout=SOCKET_TIMEOUT_S,
            keepalive=KEEPALIVE_S,
            debug=False,  # a 500 never carries a traceback to the client
        )
    else:
        from werkzeug.serving import make_server

        make_server(host, port, app, threaded=True, fd=sock.fileno()).serve_forever()


def run_workers(workers: int, host: str, port: int, child_argv: Callable[[int], list[str]]) -> None:
    """Bind once, start `workers` server processes on that socket, restart any that dies, and stop them all
    on SIGINT or SIGTERM."""
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        click.echo(f"hallq: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(child_argv(sock.fileno()), pass_fds=(sock.fileno(),))

    children = [start() for _ in range(workers)]
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        time.sleep(0.5)
        for index, child in enumerate(children):
            if child.poll() is not None and not stopping:
                click.echo(f"hallq: worker {child.pid} ended ({child.returncode}), starting again", err=True)
                children[index] = start()
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    click.echo("hallq: all workers stopped", err=True)
