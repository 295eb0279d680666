"""An Onbon BX-5E controller played from the vendor's manual (docs/devices/onbon-bx.md), sans-IO: fed what
the bridge writes, it answers pings and dynamic-area updates and keeps area 0's pages as lit pixels.

`hallq devices simulate`, the demo hall and the tests run it behind a pty. It is our reading of the manual,
not the vendor's firmware: where the manual leaves a byte open, it accepts what hallq sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware_bridge.drivers import onbon_codec as codec

#: the manual's ping example is addressed FE FF, "采用统配符，不针对特定控制器" (5.5.1)
ANY_SCREEN = 0xFFFE


@dataclass
class AreaShown:
    width: int
    height: int
    display_mode: int
    pages: list[list[list[bool]]]


@dataclass
class OnbonController:
    address: int
    model: str = "BX-5E1"
    colors: int = 1
    areas: dict[int, AreaShown] = field(default_factory=dict)
    handled: int = 0

    def answer(self, packet: codec.Packet) -> bytes | None:
        if packet.destination not in (self.address, ANY_SCREEN):
            return None
        data = packet.data
        if data[1:3] == bytes([0xA2, 0x00]):
            return self._reply(codec.ACK)
        if data[1:3] == bytes([0xA7, 0x00]):
            try:
                area_id, shown = parse_update(data, self.colors)
            except (IndexError, ValueError):
                return self._reply(codec.NACK, error=18)  # ERR_SCREEN_PARA
            self.areas[area_id] = shown
            self.handled += 1
            return self._reply(codec.ACK)
        return self._reply(codec.NACK, error=2)  # ERR_NOCMD

    def _reply(self, group_command: tuple[int, int], error: int = 0) -> bytes:
        device_type = codec.DEVICE_TYPES[self.model]
        return codec.packet(
            codec.PC_ADDRESS, device_type, codec.reply(group_command, error), source=self.address
        )


def parse_update(data: bytes, colors: int) -> tuple[int, AreaShown]:
    """An A7 00 data field (manual 5.4.1) read back: area 0's size, display mode and pages of pixels."""
    area_length = int.from_bytes(data[5:9], "little")
    area = data[9 : 9 + area_length]
    if len(area) != area_length:
        raise ValueError("area data cut short")
    area_id = area[0]
    programs = int.from_bytes(area[5:7], "little")
    at = 7 + 2 * programs + 1 + 4  # RelateProSerial.., ImmePlay, Reserved
    if area[at] != 0x10:
        raise ValueError("area type")
    width = int.from_bytes(area[at + 5 : at + 7], "little")
    height = int.from_bytes(area[at + 7 : at + 9], "little")
    at += 9
    if area[at] != 0x00:
        raise ValueError("area frames are not emulated")
    pages_count = int.from_bytes(area[at + 1 : at + 3], "little")
    at += 3
    pages, mode = [], 0
    for _ in range(pages_count):
        length = int.from_bytes(area[at : at + 4], "little")
        record = area[at + 4 : at + 4 + length]
        mode = record[1]
        bitmap = record[13:]  # PageStyle .. Reserved: 13 bytes
        if len(bitmap) != width // 8 * colors * height:
            raise ValueError("page size")
        pages.append(codec.read_bitmap(bitmap, width, height, colors))
        at += 4 + length
    if at != len(area):
        raise ValueError("trailing bytes")
    return area_id, AreaShown(width, height, mode, pages)


@dataclass
class OnbonBus:
    """The controllers on one line (the SimulatedBus interface: receive() and changes)."""

    controllers: dict[int, OnbonController]
    parser: codec.Parser = field(default_factory=codec.Parser)
    changes: int = 0

    def receive(self, data: bytes, now: float = 0.0) -> bytes:
        out = b""
        for packet in self.parser.feed(data):
            for controller in self.controllers.values():
                handled = controller.handled
                answer = controller.answer(packet)
                self.changes += controller.handled - handled
                # a lone controller answers the wildcard (the manual's ping example, which the SDK sends
                # to a line with one controller); several would answer at once, so none does
                lone = len(self.controllers) == 1
                if answer is not None and (packet.destination != ANY_SCREEN or lone):
                    out += answer
        return out
