"""Access to the running app's hall context and Socket.IO server from Flask code."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, g
from flask_socketio import SocketIO

from hallq.operations.context import HallContext
from hallq.operations.pushes import Push
from hallq.web.cpu import CpuWork
from hallq.web.print_worker import PrintService
from hallq.web.ratelimits import RateLimits


def hall_context() -> HallContext:
    """The hall as this request (or Socket.IO event) found it at its start: one version of the configuration
    from start to end, however the hall is changed meanwhile."""
    if "hallq_ctx" not in g:
        base: HallContext = current_app.extensions["hallq"]
        g.hallq_ctx = base.pinned()
    context: HallContext = g.hallq_ctx
    return context


def socketio() -> SocketIO:
    server: SocketIO = current_app.extensions["socketio"]
    return server


def rate_limits() -> RateLimits:
    limits: RateLimits = current_app.extensions["hallq_limits"]
    return limits


def cpu() -> CpuWork:
    work: CpuWork = current_app.extensions["hallq_cpu"]
    return work


def print_service() -> PrintService:
    service: PrintService = current_app.extensions["hallq_printing"]
    return service


def send_pushes(pushes: Iterable[Push]) -> None:
    emit_pushes(socketio(), pushes)


def emit_pushes(server: SocketIO, pushes: Iterable[Push]) -> None:
    """Emit after commit; each client gets an event once even when it sits in several of its rooms."""
    green = server.async_mode == "eventlet"
    for push in pushes:
        server.emit(push.event, push.data, to=list(push.rooms))
        if green:
            # let the websocket writers send this event now, before the rest of the request runs
            server.sleep(0)
