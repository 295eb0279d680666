"""`hallq kiosk-agent`: prints a kiosk's tickets on a printer attached to the kiosk PC, not to the server.

It connects by Socket.IO with its agent token (`hallq token agent --kiosk ID`; a kiosk page's token is
refused), joins its kiosk's printer room, takes print_job events (ESC/POS bytes the server rendered), prints
them one at a time with the same connectors and status checks as the server, and answers print_result. It
reconnects by itself; a job it already printed is answered again, never printed twice; an answer that could
not be sent waits for the next connection.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import socketio

from hallq.net.urls import socketio_path
from hallq.printing.connectors import PrintFault, close_quietly, deliver, open_printer
from hallq.printing.uri import PrinterURI

log = logging.getLogger(__name__)
REMEMBERED_JOBS = 200
TOKEN_REFUSED = (
    "the server refused the token (unknown, revoked, or not an agent token: hallq token agent --kiosk ID)"
)


class AgentRefused(Exception):
    pass


class KioskAgent:
    def __init__(
        self,
        server_url: str,
        token: str,
        printer: PrinterURI,
        *,
        timeout_s: float = 5.0,
        check_status: bool = True,
        say: Callable[[str], None] = print,
    ) -> None:
        self.server_url = server_url
        self.token = token
        self.printer = printer
        self.timeout_s = timeout_s
        self.check_status = check_status and printer.can_read_status
        self.say = say
        self.kiosk_id: str | None = None
        self.refused: str | None = None
        self.printed = 0
        self._jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._answers: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._unsent: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=5)
        self.client.on("connect", self._on_connect)
        self.client.on("connect_error", self._on_connect_error)
        self.client.on("disconnect", self._on_disconnect)
        self.client.on("print_job", self._on_job)
        self._worker = threading.Thread(target=self._work, name="kiosk-agent-printer", daemon=True)

    def start(self) -> None:
        """Connect (retrying while the server is down) and start printing."""
        self._worker.start()
        try:
            auth = {"token": self.token}
            self.client.connect(
                self.server_url,
                auth=auth,
                transports=["websocket"],
                socketio_path=socketio_path(self.server_url),
                retry=True,
            )
        except socketio.exceptions.ConnectionError:  # the server answered: it refuses only unknown tokens
            raise AgentRefused(self.refused or TOKEN_REFUSED) from None
        if self.refused:
            raise AgentRefused(self.refused)

    def stop(self) -> None:
        self._jobs.put(None)
        self.client.disconnect()

    def wait(self) -> None:
        self.client.wait()

    # -- socket events (python-socketio's thread) --------------------------------------------------------

    def _on_connect(self) -> None:
        answer = self.client.call("agent_join", {}, timeout=10)
        if not isinstance(answer, dict) or not answer.get("ok"):
            self.refused = f"the server refused this agent: {answer}"
            self.say(f"kiosk-agent: {self.refused}")
            threading.Thread(target=self.client.disconnect, daemon=True).start()
            return
        self.kiosk_id = answer.get("kiosk")
        self.say(
            f"kiosk-agent: connected to {self.server_url} for kiosk {self.kiosk_id}; printer {self.printer}"
        )
        with self._lock:
            unsent, self._unsent = self._unsent, []
        for result in unsent:
            self._answer(result)

    def _on_connect_error(self, data: Any = None) -> None:
        message = data.get("message") if isinstance(data, dict) else data
        if message == "unauthorized":
            self.refused = TOKEN_REFUSED
            self.client.reconnection = False

    def _on_disconnect(self, *_reason: Any) -> None:
        self.say("kiosk-agent: disconnected; reconnecting")

    def _on_job(self, job: Any) -> None:
        if (
            isinstance(job, dict)
            and isinstance(job.get("job_id"), int)
            and isinstance(job.get("data"), bytes)
        ):
            self._jobs.put(job)

    # -- printing (its own thread, one job at a time) ------------------------------------------------------

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            job_id = job["job_id"]
            result = self._answers.get(job_id)
            if result is None:
                result = self._print(job_id, job["data"])
                self._answers[job_id] = result
                while len(self._answers) > REMEMBERED_JOBS:
                    self._answers.popitem(last=False)
            self._answer(result)

    def _print(self, job_id: int, data: bytes) -> dict[str, Any]:
        try:
            device = open_printer(self.printer, self.timeout_s)
            try:
                status = deliver(device, data, self.check_status)
            finally:
                close_quietly(device)
        except PrintFault as fault:
            self.say(f"kiosk-agent: job {job_id} failed: {fault}")
            return {"job_id": job_id, "ok": False, "error": fault.code, "message": str(fault)}
        self.printed += 1
        state = status.state if status else "ok"
        return {"job_id": job_id, "ok": True, "error": None, "printer_state": state}

    def _answer(self, result: dict[str, Any]) -> None:
        try:
            self.client.emit("print_result", result)
        except socketio.exceptions.BadNamespaceError:  # not connected now: send after reconnecting
            with self._lock:
                self._unsent.append(result)
