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


@dataclass
class OnbonBoard(DeviceDriver):
    model: str = "BX-5E1"
    width: int = 64
    height: int = 16
    colors: int = 1
    color: str = "red"
    font: str = DEFAULT_FONT
    parser: codec.Parser = field(default_factory=codec.Parser)
    shown: tuple[str, Effect] | None = None

    @property
    def area(self) -> codec.Area:
        return codec.Area(0, 0, self.width, self.height, self.colors)

    def _packet(self, data: bytes, what: str) -> Wire:
        frame = codec.packet(self.address, codec.DEVICE_TYPES[self.model], data)
        return Wire(frame, REPLY_BYTES, what)

    def frame_for(self, text: str, effect: Effect = Effect.STATIC) -> Wire:
        """The A7 00 frame that shows `text` in area 0 (static, or moving left page by page)."""
        drawn = codec.draw_pages(text, self.width, self.height, Path(self.font))
        pages = [codec.page_bitmap(page, self.colors, self.color) for page in drawn]
        mode = codec.MOVE_LEFT if effect == Effect.SCROLL else codec.STATIC
        return self._packet(codec.update_area(self.area, pages, mode), "update_area")

    def show_text(self, text: str, effect: Effect = Effect.STATIC) -> None:
        if self.shown == (text, effect):
            return
        self.shown = (text, effect)
        self.outbox.clear()  # the newest text replaces one not sent yet
        self.outbox.append(self.frame_for(text, effect))

    def poll(self, now: float) -> Wire:
        return self._packet(codec.ping(), "ping")

    def feed(self, request: Request, data: bytes, now: float) -> Answer | None:
        for packet in self.parser.feed(data):
            answer = codec.parse_reply(packet.data)
            if answer is None:
                continue
            if isinstance(request, Wire) and request.what == "ping":
                return Answer(done=True)  # any reply: "收到回包即可" (manual 5.5.1)
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
