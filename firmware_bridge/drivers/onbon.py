"""Onbon BX-5E controllers as window boards and the hall strip: text becomes dynamic area 0 (A7 00) drawn
as the controller's dot matrix, polls are pings (A2 00). docs/devices/onbon-bx.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from firmware_bridge.drivers import onbon_codec as codec
from firmware_bridge.drivers.base import Answer, DeviceDriver, DeviceFault, Effect, Request, Wire

#: Debian's fonts-wqy-zenhei, which the printed tickets use too
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#: a reply: wake bytes, a 16-byte header, 9 bytes of data, CRC, end (escaping may add a few)
REPLY_BYTES = 8 + 16 + 9 + 2 + 1 + 8
#: how long a controller has to answer by default: a BX-5E takes a moment to store a page; the vendor's SDK
#: (Bx5GController) waits up to 7 s, hallq's 50 ms was too short for a real controller
ANSWER_TIMEOUT_MS = 1500


@dataclass
class OnbonBoard(DeviceDriver):
    model: str = "BX-5E1"
    width: int = 64
    height: int = 16
    colors: int = 1
    color: str = "red"
    font: str = DEFAULT_FONT
    #: two-colour data red then green ("RG", the SDK's default) or green then red ("GR")
    color_order: str = "RG"
    #: the two bytes after A7 00: the SDK's data length ("sdk") or the manual's reserved 00 00
    length_field: str = "sdk"
    answer_timeout_s: float = ANSWER_TIMEOUT_MS / 1000
    #: the only controller on its bus: pinged at the wildcard address, as the SDK pings a lone controller
    alone: bool = False
    parser: codec.Parser = field(default_factory=codec.Parser)
    shown: tuple[str, Effect] | None = None

    @property
    def area(self) -> codec.Area:
        return codec.Area(0, 0, self.width, self.height, self.colors)

    def _packet(self, data: bytes, what: str, wildcard: bool = False) -> Wire:
        destination, device_type = self.address, codec.DEVICE_TYPES[self.model]
        if wildcard:
            destination, device_type = codec.ANY_ADDRESS, codec.DEVICE_TYPES["any"]
        frame = codec.packet(destination, device_type, data)
        return Wire(frame, REPLY_BYTES, what, self.answer_timeout_s)

    def frame_for(self, text: str, effect: Effect = Effect.STATIC) -> Wire:
        """The A7 00 frame that shows `text` in area 0 (static, or moving left page by page)."""
        drawn = codec.draw_pages(text, self.width, self.height, Path(self.font))
        pages = [codec.page_bitmap(page, self.colors, self.color, self.color_order) for page in drawn]
        mode = codec.MOVE_LEFT if effect == Effect.SCROLL else codec.STATIC
        data = codec.update_area(self.area, pages, mode, sdk_length=self.length_field == "sdk")
        return self._packet(data, "update_area")

    def show_text(self, text: str, effect: Effect = Effect.STATIC) -> None:
        if self.shown == (text, effect):
            return
        self.shown = (text, effect)
        self.outbox.clear()  # the newest text replaces one not sent yet
        self.outbox.append(self.frame_for(text, effect))

    def poll(self, now: float) -> Wire:
        return self._packet(codec.ping(), "ping", wildcard=self.alone)

    def _mine(self, packet: codec.Packet, request: Request) -> bool:
        """Whether a reply answers this device's request, as the SDK pairs them: the addresses swapped (to
        the PC, from this screen: any screen for a wildcard ping) and protocol version F0."""
        wildcard = isinstance(request, Wire) and request.what == "ping" and self.alone
        from_here = wildcard or packet.source == self.address
        return (
            from_here and packet.destination == codec.PC_ADDRESS and packet.protocol == codec.PROTOCOL_VERSION
        )

    def feed(self, request: Request, data: bytes, now: float) -> Answer | None:
        for packet in self.parser.feed(data):
            answer = codec.parse_reply(packet.data)
            if answer is None or not self._mine(packet, request):
                continue
            if isinstance(request, Wire) and request.what == "ping":
                return Answer(done=True)  # any reply: "收到回包即可" (manual 5.5.1)
            if (answer.group, answer.command) not in (codec.ACK, codec.NACK):
                continue  # not the answer to this update (a late ping reply, A2 80): wait on, no NACK
            if answer.ok:
                return Answer(done=True)
            reason = codec.ERRORS.get(answer.error, str(answer.error))
            busy = answer.error == 3
            return Answer(done=not busy, events=(DeviceFault(self.address, f"Onbon NACK: {reason}"),))
        return None

    def came_back(self) -> None:
        shown, self.shown = self.shown, None
        if shown is not None:
            self.show_text(*shown)

    def reset(self) -> None:
        self.parser.reset()
