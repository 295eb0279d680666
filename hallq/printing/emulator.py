"""A network ESC/POS printer on 127.0.0.1 for the demo hall and tests: answers DLE EOT, keeps what it printed.

Faults can be switched on to see what hallq does: paper_out, paper_low, cover_open, offline (answers status,
holds print data), silent (accepts and never reads) and drop (closes the connection midway through a job).
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from hallq.printing.decode import Decoder, Token
from hallq.printing.layout import qr_image, stack

FAULTS = ("paper_out", "paper_low", "cover_open", "offline", "silent", "drop")


def status_answer(n: int, faults: set[str]) -> bytes | None:
    """The printer's one-byte answer to DLE EOT n (Epson's bit layout)."""
    stopped = bool(faults & {"paper_out", "cover_open", "offline"})
    if n == 1:
        return bytes([0x12 | (0x08 if stopped else 0)])
    if n == 2:
        return bytes(
            [0x12 | (0x04 if "cover_open" in faults else 0) | (0x20 if "paper_out" in faults else 0)]
        )
    if n == 3:
        return b"\x12"
    if n == 4:
        paper = (
            0x12
            | (0x0C if faults & {"paper_low", "paper_out"} else 0)
            | (0x60 if "paper_out" in faults else 0)
        )
        return bytes([paper])
    return None


def raster_image(token: Token) -> Image.Image:
    width_bytes, height = token.params[1] | token.params[2] << 8, token.params[3] | token.params[4] << 8
    image = Image.frombytes("1", (width_bytes * 8, height), token.data)
    return Image.eval(image.convert("L"), lambda value: 255 - value)  # ESC/POS: 1 = black dot


def receipt_image(job: bytes, width: int) -> Image.Image | None:
    """What a raster ticket looks like on paper: its images, and its QR drawn as the printer would; None
    for a text ticket (drawing the printer's own fonts is not attempted)."""
    parts: list[Image.Image] = []
    module, has_raster = 3, False
    for token in Decoder().feed(job):
        if token.kind == "raster":
            parts.append(raster_image(token))
            has_raster = True
        elif token.kind == "qr" and token.params == b"\x31\x43":
            module = token.data[0]
        elif token.kind == "qr" and token.params == b"\x31\x50":
            parts.append(qr_image(token.data[1:].decode("utf-8"), module, width))
    return stack(parts, width) if has_raster else None


@dataclass
class PrinterModel:
    """The printer itself, sans-IO: fed what arrives, returns what it answers; completed jobs in receipts."""

    faults: set[str] = field(default_factory=set)
    receipts: list[bytes] = field(default_factory=list)
    _decoder: Decoder = field(default_factory=Decoder)
    _job: bytearray = field(default_factory=bytearray)

    def receive(self, data: bytes) -> tuple[bytes, list[bytes]]:
        """(the answers to send back, the jobs completed by this data)."""
        answers, done = bytearray(), []
        for token in self._decoder.feed(data):
            if token.kind == "status_query":
                answers += status_answer(token.params[0], self.faults) or b""
                continue
            self._job += token.raw
            if token.kind == "cut":
                done.append(bytes(self._job))
                self._job.clear()
        self.receipts += done
        return bytes(answers), done


@dataclass
class PrinterEmulator:
    host: str = "127.0.0.1"
    port: int = 0
    save_dir: Path | None = None
    faults: set[str] = field(default_factory=set)
    receipts: list[bytes] = field(default_factory=list)
    on_receipt: Callable[[bytes], None] | None = None
    drop_after: int = 2048
    _server: socketserver.ThreadingTCPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    received: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> int:
        emulator = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                emulator._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, name="printer-emulator", daemon=True).start()
        return self.port

    @property
    def uri(self) -> str:
        return f"network://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        with self.received:
            return self.received.wait_for(lambda: len(self.receipts) >= count, timeout)

    def _serve(self, connection: socket.socket) -> None:
        if "silent" in self.faults:
            threading.Event().wait(30)  # a printer that accepts and never reads
            return
        printer, taken = PrinterModel(self.faults), 0
        connection.settimeout(30)
        while True:
            try:
                data = connection.recv(65536)
            except OSError:
                return
            if not data:
                return
            taken += len(data)
            if "drop" in self.faults and taken > self.drop_after:
                connection.close()
                return
            answers, done = printer.receive(data)
            if answers:
                connection.sendall(answers)
            for job in done:
                self._complete(job)

    def _complete(self, job: bytes) -> None:
        with self.received:
            self.receipts.append(job)
            number = len(self.receipts)
            self.received.notify_all()
        if self.save_dir is not None:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            (self.save_dir / f"receipt-{number:04d}.bin").write_bytes(job)
            image = receipt_image(job, 576)
            if image is not None:
                image.save(self.save_dir / f"receipt-{number:04d}.png")
        if self.on_receipt is not None:
            self.on_receipt(job)
