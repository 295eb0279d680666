"""JSON from the outside, parsed so that no input can crash a handler: nesting deeper than any hallq message
is a ValueError (Python's parser would raise RecursionError, a 500 or a hung socket), like any malformed JSON.
Used for request bodies (Flask's provider and hallq's body parser) and Socket.IO packets (BoundedPacket)."""

from __future__ import annotations

import json
import sys
from typing import Any

from flask.json.provider import DefaultJSONProvider
from socketio import packet

#: no hallq message nests deeper than a few levels; anything past this is refused before it is parsed
MAX_DEPTH = 32


def too_deep(text: str | bytes) -> bool:
    """Whether brackets open deeper than MAX_DEPTH (a cheap over-estimate: brackets in strings count too)."""
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
    depth = 0
    for byte in raw.translate(None, delete=_NOT_BRACKETS):
        depth = depth + 1 if byte in _OPENING else max(0, depth - 1)
        if depth > MAX_DEPTH:
            return True
    return False


_OPENING = b"[{"
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def loads(text: str | bytes, **kwargs: Any) -> Any:
    if too_deep(text):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # brackets hidden from the count by closing ones in strings
        raise ValueError("JSON nested too deeply") from None


def dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(value, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with the same bound on what it parses (request.get_json)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class BoundedPacket(packet.Packet):
    """Socket.IO packets decoded with the bound above. A packet that cannot be decoded becomes the event
    MALFORMED (its ack id kept), which hallq answers with an error: the socket lives on, nothing is logged
    as a crash."""

    json = sys.modules[__name__]

    def decode(self, encoded_packet: Any) -> int:
        try:
            return int(super().decode(encoded_packet) or 0)
        except ValueError:
            self.packet_type, self.data = packet.EVENT, [MALFORMED]
            return 0


#: the event a packet that could not be decoded turns into
MALFORMED = "malformed_packet"
