"""The print worker: tickets print off the request path, one worker per kiosk, with a timeout on everything.

The kiosk's HTTP answer says only that a job was queued. A worker renders the ticket (in a real thread under
eventlet, so drawing never stalls the pushes), sends it through the kiosk's connector or to its kiosk agent,
and records the outcome; a print_status push tells the kiosk page, a device_status push tells managers.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hallq.config.devices import Kiosk
from hallq.operations.context import HallContext
from hallq.operations.printing import (
    FINAL,
    Job,
    finish_job,
    load_job,
    mark_sent,
    open_jobs,
    set_device_state,
    ticket_print,
)
from hallq.operations.pushes import Push
from hallq.printing.connectors import MESSAGES, PrintFault, close_quietly, deliver, open_printer
from hallq.printing.escpos_ticket import ticket_bytes
from hallq.printing.layout import PAPERS, FontMissing, Layout

log = logging.getLogger(__name__)

Emit = Callable[[Iterable[Push]], None]


@cache
def layout_for(paper: int, font: str, max_materials: int) -> Layout:
    return Layout(PAPERS[paper], font, max_materials)


def render(ctx: HallContext, kiosk: Kiosk, job: Job) -> bytes:
    ticket = ticket_print(ctx, job.ticket_id, job.base_url)
    settings = ctx.config.hall.ticket
    layout = layout_for(kiosk.paper, settings.font, settings.max_materials)
    try:
        return ticket_bytes(ticket, layout, kiosk.mode, kiosk.profile)
    except FontMissing as exc:
        raise PrintFault("error", str(exc)) from None
    except Exception as exc:  # python-escpos: unknown profile, image too wide for the profile
        raise PrintFault("error", f"{type(exc).__name__}: {exc}") from None


def agent_wait_s(kiosk: Kiosk) -> float:
    """How long an agent may take: status before, the data, status after, and the network on top."""
    return 3 * kiosk.timeout_s + 5


@dataclass
class PrintService:
    ctx: HallContext
    emit: Emit
    #: starts a background task (Flask-SocketIO's start_background_task)
    spawn: Callable[..., Any]
    #: runs CPU-heavy work off the event loop (eventlet's tpool), or just calls it
    offload: Callable[..., Any] = lambda function, *args: function(*args)
    sleep: Callable[[float], Any] = time.sleep
    _queues: dict[str, queue.Queue[int]] = field(default_factory=dict)

    def submit(self, job_id: int, kiosk_id: str) -> None:
        jobs = self._queues.get(kiosk_id)
        if jobs is None:
            jobs = self._queues[kiosk_id] = queue.Queue()
            self.spawn(self._work, kiosk_id, jobs)
        jobs.put(job_id)

    def recover(self) -> None:
        """After a restart: print what is still fresh, fail the rest (a citizen has long moved on)."""
        fresh, stale = open_jobs(self.ctx)
        for job in stale:
            self.emit(
                finish_job(
                    self.ctx, job.id, "failed", "expired", "服务重启，号票未打印 / Not printed (restart)"
                )
            )
        for job in fresh:
            if job.kiosk_id in self.ctx.config.kiosk_by_id:
                self.submit(job.id, job.kiosk_id)

    def _work(self, kiosk_id: str, jobs: queue.Queue[int]) -> None:
        while True:
            job_id = jobs.get()
            try:
                self.run(job_id)
            except Exception:  # the worker outlives any one job
                log.exception("print job %s failed unexpectedly", job_id)
                self.emit(finish_job(self.ctx, job_id, "failed", "error", MESSAGES["error"]))

    def run(self, job_id: int) -> None:
        job = load_job(self.ctx, job_id)
        if job is None or job.state in FINAL:
            return
        kiosk = self.ctx.config.kiosk_by_id.get(job.kiosk_id)
        uri = kiosk.printer_uri if kiosk else None
        if kiosk is None or uri is None:
            self.emit(
                finish_job(self.ctx, job.id, "failed", "no_printer", "此取号机没有打印机 / No printer here")
            )
            return
        device_id = f"printer:{kiosk.id}"
        # claim the job first: with several server processes, each recovering open jobs at start-up,
        # a ticket must still print once
        if not mark_sent(self.ctx, job.id):
            return
        try:
            data: bytes = self.offload(render, self.ctx, kiosk, job)
            if uri.scheme == "agent":
                self._via_agent(kiosk, job, data)
                return
            device = open_printer(uri, kiosk.timeout_s, kiosk.profile)
            try:
                status = deliver(device, data, uri.can_read_status and kiosk.check_status)
            finally:
                close_quietly(device)
        except PrintFault as fault:
            log.warning("printer %s: %s", kiosk.id, fault)
            pushes = finish_job(self.ctx, job.id, "failed", fault.code, fault.message)
            self.emit([*pushes, *set_device_state(self.ctx, device_id, "printer", fault.code, str(fault))])
            return
        state = status.state if status else "ok"
        pushes = finish_job(self.ctx, job.id, "printed")
        message = MESSAGES["paper_low"] if state == "paper_low" else None
        self.emit([*pushes, *set_device_state(self.ctx, device_id, "printer", state, message)])

    def _via_agent(self, kiosk: Kiosk, job: Job, data: bytes) -> None:
        """Hand the bytes to the kiosk's agent (room printer:<kiosk>) and wait for its answer in the database,
        which any server process may have recorded."""
        self.emit(
            [
                Push(
                    "print_job",
                    {"job_id": job.id, "ticket_id": job.ticket_id, "data": data},
                    (f"printer:{kiosk.id}",),
                )
            ]
        )
        deadline = time.monotonic() + agent_wait_s(kiosk)
        while time.monotonic() < deadline:
            self.sleep(0.05)
            current = load_job(self.ctx, job.id)
            if current is None or current.state in FINAL:
                return
        message = "取号机打印代理无应答 / The kiosk's print agent did not answer"
        pushes = finish_job(self.ctx, job.id, "failed", "agent_timeout", message, only_from=("sent",))
        self.emit(
            [*pushes, *set_device_state(self.ctx, f"printer:{kiosk.id}", "printer", "agent_timeout", message)]
        )
