"""A sans-IO reader of the ESC/POS hallq sends: fed bytes, returns tokens; used by tests and the emulator.

It knows the length of every command a ticket uses, so data inside a raster image or a QR code is never
mistaken for a command (a real printer's parser works the same way). Unknown commands raise, so a test
notices when the printed bytes change shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10


class DecodeError(ValueError):
    pass


#: commands known by their first three bytes: a chunk may end inside those three
_THREE_BYTE_COMMANDS = (b"\x1d\x76\x30", b"\x1d\x28\x6b")


@dataclass(frozen=True)
class Token:
    """kind: text, command, raster, qr, cut or status_query; name is the manual's name (e.g. "GS v 0")."""

    kind: str
    name: str = ""
    params: bytes = b""
    data: bytes = b""
    #: the exact bytes this token came from
    raw: bytes = b""


#: fixed-length commands: prefix -> (name, parameter bytes after the prefix)
FIXED = {
    b"\x1b\x40": ("ESC @", 0),
    b"\x1b\x61": ("ESC a", 1),
    b"\x1b\x21": ("ESC !", 1),
    b"\x1b\x45": ("ESC E", 1),
    b"\x1b\x2d": ("ESC -", 1),
    b"\x1b\x4d": ("ESC M", 1),
    b"\x1b\x7b": ("ESC {", 1),
    b"\x1b\x64": ("ESC d", 1),
    b"\x1b\x4a": ("ESC J", 1),
    b"\x1b\x33": ("ESC 3", 1),
    b"\x1b\x32": ("ESC 2", 0),
    b"\x1b\x74": ("ESC t", 1),
    b"\x1d\x21": ("GS !", 1),
    b"\x1d\x42": ("GS B", 1),
    b"\x1d\x62": ("GS b", 1),
    b"\x1d\x7c": ("GS |", 1),
    b"\x1c\x26": ("FS &", 0),
    b"\x1c\x2e": ("FS .", 0),
    b"\x10\x04": ("DLE EOT", 1),
}


@dataclass
class Decoder:
    """Feed bytes as they arrive; get tokens for the complete commands and text seen so far."""

    _buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[Token]:
        self._buffer += data
        tokens: list[Token] = []
        while self._buffer:
            token, used = self._next(
                bytes(self._buffer[:16]) if self._buffer[0] != 0x1D else bytes(self._buffer)
            )
            if token is None:
                break
            tokens.append(replace(token, raw=bytes(self._buffer[:used])))
            del self._buffer[:used]
        return tokens

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def _next(self, head: bytes) -> tuple[Token | None, int]:
        first = head[0]
        if first not in (ESC, GS, FS, DLE):
            end = 1
            buffer = self._buffer
            while end < len(buffer) and buffer[end] not in (ESC, GS, FS, DLE):
                end += 1
            return Token("text", data=bytes(buffer[:end])), end
        if len(head) < 2:
            return None, 0
        prefix = head[:2]
        if prefix in FIXED:
            name, size = FIXED[prefix]
            if len(head) < 2 + size:
                return None, 0
            params = head[2 : 2 + size]
            kind = "status_query" if name == "DLE EOT" else "command"
            return Token(kind, name, params), 2 + size
        if prefix == b"\x1d\x56":  # GS V m [n]
            if len(head) < 3:
                return None, 0
            size = 4 if head[2] in (65, 66) else 3
            return (Token("cut", "GS V", head[2:size]), size) if len(head) >= size else (None, 0)
        if head[:3] == b"\x1d\x76\x30":  # GS v 0 m xL xH yL yH d1...dk
            if len(head) < 8:
                return None, 0
            width_bytes = head[4] | head[5] << 8
            height = head[6] | head[7] << 8
            end = 8 + width_bytes * height
            if len(head) < end:
                return None, 0
            return Token("raster", "GS v 0", head[3:8], head[8:end]), end
        if head[:3] == b"\x1d\x28\x6b":  # GS ( k pL pH cn fn [m] data
            if len(head) < 5:
                return None, 0
            end = 5 + (head[3] | head[4] << 8)
            if len(head) < end:
                return None, 0
            return Token("qr", "GS ( k", head[5:7], head[7:end]), end
        if len(head) < 3 and any(command.startswith(head) for command in _THREE_BYTE_COMMANDS):
            return None, 0  # the rest of GS v 0 or GS ( k is still on its way
        raise DecodeError(f"unknown ESC/POS command {head[:3].hex(' ')}")


@dataclass
class Receipt:
    """What one ticket printed: text lines (GB18030 in Chinese mode), raster sizes, the QR data, the cut."""

    lines: list[str] = field(default_factory=list)
    rasters: list[tuple[int, int]] = field(default_factory=list)
    qr_data: str | None = None
    qr_printed: bool = False
    status_queries: list[int] = field(default_factory=list)
    cut: bool = False
    text_sizes: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_receipt(data: bytes) -> Receipt:
    receipt = Receipt()
    chinese = False
    pending = b""
    for token in Decoder().feed(data):
        if token.kind == "text":
            pending += token.data
            *complete, pending = pending.split(b"\n")
            receipt.lines += [line.decode("gb18030" if chinese else "cp437") for line in complete]
        elif token.name == "FS &":
            chinese = True
        elif token.name == "FS .":
            chinese = False
        elif token.name == "GS !":
            receipt.text_sizes.append(token.params[0])
        elif token.kind == "raster":
            receipt.rasters.append(
                (token.params[1] | token.params[2] << 8, token.params[3] | token.params[4] << 8)
            )
        elif token.kind == "qr" and token.params == b"\x31\x50":  # store the data (fn 80, m "0")
            receipt.qr_data = token.data[1:].decode("utf-8")
        elif token.kind == "qr" and token.params == b"\x31\x51":  # print the stored symbol (fn 81)
            receipt.qr_printed = True
        elif token.kind == "status_query":
            receipt.status_queries.append(token.params[0])
        elif token.kind == "cut":
            receipt.cut = True
    return receipt
