"""The hallq device protocol, sans-IO: frames, CRC-16/MODBUS, and a parser that never raises.

docs/serial-protocol.md is the reference. A frame is

    0xA5 | address | seq | type | length | payload (length bytes) | CRC-16/MODBUS (low byte first)

with the CRC over address..payload. There is no byte stuffing: the parser finds frames by the start byte, a
sane length and a good CRC, and after noise it slides one byte and looks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

# kinds and effects are every driver's (drivers/base.py); re-exported for this protocol's users
from firmware_bridge.drivers.base import Effect as Effect
from firmware_bridge.drivers.base import Kind as Kind
from firmware_bridge.drivers.base import Request

START = 0xA5
VERSION = 1
MAX_PAYLOAD = 128
HEADER = 5  # start, address, seq, type, length
OVERHEAD = HEADER + 2
BROADCAST = 0x00


class Type(IntEnum):
    # bridge (master) -> device
    POLL = 0x01  # payload: the seq of the last event received from this device (0 = none yet)
    SHOW_TEXT = 0x02  # payload: line, effect, GB2312 text
    RATE_PROMPT = 0x03  # payload: prompt id (2, little endian), timeout in s
    RATE_CANCEL = 0x04  # payload: prompt id (2)
    IDENTIFY = 0x05  # no payload
    # device -> bridge
    ACK = 0x80  # payload: the seq of the frame acknowledged
    KEY = 0x81  # payload: key code
    RATING = 0x82  # payload: prompt id (2), level 1..5
    INFO = 0x85  # payload: device kind, protocol version, firmware text (ASCII)
    NAK = 0x8F  # payload: the seq refused, error code


class Key(IntEnum):
    NEXT = 0x01
    RECALL = 0x02
    NO_SHOW = 0x03
    PAUSE = 0x04  # pause, or resume when paused
    FINISH = 0x05
    START = 0x06
    TRANSFER = 0x07  # opens the transfer menu; a digit key then picks an entry
    DIGIT_0 = 0x10  # 0x10..0x19: digits 0..9


class Error(IntEnum):
    BAD_LENGTH = 1
    UNKNOWN_TYPE = 2
    TEXT_TOO_LONG = 3
    NOT_SUPPORTED = 4


def crc16_modbus(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass(frozen=True)
class Frame(Request):
    address: int
    seq: int
    type: int
    payload: bytes = b""

    #: a longest answer: a KEY, RATING or NAK frame
    answer_bytes = OVERHEAD + 16

    def encode(self) -> bytes:
        if not (0 <= self.address <= 0xFF and 0 <= self.seq <= 0xFF and 0 <= self.type <= 0xFF):
            raise ValueError("address, seq and type are single bytes")
        if len(self.payload) > MAX_PAYLOAD:
            raise ValueError(f"payload of {len(self.payload)} bytes; at most {MAX_PAYLOAD}")
        body = bytes([self.address, self.seq, self.type, len(self.payload)]) + self.payload
        return bytes([START]) + body + crc16_modbus(body).to_bytes(2, "little")


def wire_time_s(frame_bytes: int, baudrate: int) -> float:
    """Time on the wire, 8N1: ten bits a byte."""
    return frame_bytes * 10 / baudrate


@dataclass
class Parser:
    """Feed bytes as they arrive; get whole, CRC-checked frames. Noise, truncation, bad CRCs are skipped."""

    _buffer: bytearray | None = None
    dropped: int = 0  # bytes thrown away as noise

    def feed(self, data: bytes) -> list[Frame]:
        buffer = self._buffer = (self._buffer or bytearray()) + data
        frames: list[Frame] = []
        while True:
            start = buffer.find(START)
            if start < 0:
                self.dropped += len(buffer)
                buffer.clear()
                break
            if start:
                self.dropped += start
                del buffer[:start]
            if len(buffer) < HEADER:
                break
            length = buffer[4]
            if length > MAX_PAYLOAD:
                self._slide(buffer)
                continue
            end = HEADER + length + 2
            if len(buffer) < end:
                # noise that looks like the start of a long frame must not hide a whole frame behind it
                later = self._whole_frame_after(buffer)
                if later is None:
                    break
                self.dropped += later
                del buffer[:later]
                continue
            body = bytes(buffer[1 : HEADER + length])
            if crc16_modbus(body) != int.from_bytes(buffer[HEADER + length : end], "little"):
                self._slide(buffer)
                continue
            frames.append(Frame(body[0], body[1], body[2], body[4:]))
            del buffer[:end]
        return frames

    @staticmethod
    def _whole_frame_after(buffer: bytearray) -> int | None:
        """Where a complete frame with a good CRC starts, after the first byte; None if there is none yet."""
        position = buffer.find(START, 1)
        while position >= 0:
            if position + HEADER <= len(buffer):
                length = buffer[position + 4]
                end = position + HEADER + length + 2
                if length <= MAX_PAYLOAD and end <= len(buffer):
                    body = bytes(buffer[position + 1 : position + HEADER + length])
                    if crc16_modbus(body) == int.from_bytes(buffer[end - 2 : end], "little"):
                        return position
            position = buffer.find(START, position + 1)
        return None

    def _slide(self, buffer: bytearray) -> None:
        self.dropped += 1
        del buffer[:1]

    def reset(self) -> None:
        self._buffer = None


def text_payload(text: str, line: int = 0, effect: Effect = Effect.STATIC, limit: int = 64) -> bytes:
    """SHOW_TEXT payload: GB2312 text cut to `limit` bytes at a character; unencodable characters as '?'."""
    encoded = b""
    for char in text:
        piece = char.encode("gb2312", errors="replace")
        if len(encoded) + len(piece) > limit:
            break
        encoded += piece
    return bytes([line, int(effect)]) + encoded
