"""Onbon (仰邦) BX 5th-generation controllers (BX-5E1/5E2/5E3) over RS-485, sans-IO: frames, escaping, CRC,
the dynamic-area (动态区) and ping commands, replies, and text drawn as the controller's dot matrix.

Every byte follows the vendor's public 5th-generation dynamic-area manual (onbonlab/BX-V-VI,
bx.dual.Aux.Data/5th动态区域用户手册.md); docs/devices/onbon-bx.md gives the source of each byte of one frame,
and the bytes the manual leaves open.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

WAKE = b"\xa5" * 8  # 帧头: eight 0xA5 (manual 2)
START, END = 0xA5, 0x5A  # 帧尾 0x5A
ESCAPES = {0xA5: b"\xa6\x02", 0xA6: b"\xa6\x01", 0x5A: b"\x5b\x02", 0x5B: b"\x5b\x01"}  # manual 2.3
UNESCAPE = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6, (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}
HEADER = 16  # 包头数据 (manual 4)
PC_ADDRESS = 0x8000  # SrcAddr: "PC 客户端软件默认为0x8000"
PROTOCOL_VERSION = 0xF0  # "动态区域协议版本号为0xf0"
#: DeviceType (manual 4); 0xFFFE is the wildcard the manual's ping example uses
DEVICE_TYPES = {"BX-5E1": 0x0154, "BX-5E2": 0x0254, "BX-5E3": 0x0354, "any": 0xFFFE}
ACK, NACK = (0xA0, 0x00), (0xA0, 0x01)  # manual 5.3
ERRORS = {1: "command group", 2: "no such command", 3: "controller busy", 4: "memory volume", 5: "CRC"}
ERRORS |= {17: "controller type", 18: "screen parameter", 19: "controller id"}
#: DisplayMode (manual 5.4.1): 0x01 静止显示, 0x03 向左移动
STATIC, MOVE_LEFT = 0x01, 0x03
#: a frame longer than this is noise (a whole dynamic area holds at most 300 KB: manual 1.3)
MAX_FRAME = 320 * 1024


def crc16(data: bytes) -> int:
    """The manual's appendix 1: polynomial x^16 + x^15 + x^2 + 1, reflected (0xA001), starting at 0
    (CRC-16/ARC); sent low byte first."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def escape(data: bytes) -> bytes:
    return b"".join(ESCAPES.get(byte, bytes([byte])) for byte in data)


def packet(destination: int, device_type: int, data: bytes, source: int = PC_ADDRESS) -> bytes:
    """PHY1 (header, data, CRC) escaped and framed for the wire (PHY0)."""
    header = (
        destination.to_bytes(2, "little")
        + source.to_bytes(2, "little")
        + bytes([PROTOCOL_VERSION, 0x00])
        + device_type.to_bytes(2, "little")
        + bytes(4)
        + len(data).to_bytes(4, "little")
    )
    body = header + data
    return WAKE + escape(body + crc16(body).to_bytes(2, "little")) + bytes([END])


@dataclass(frozen=True)
class Packet:
    destination: int
    source: int
    device_type: int
    data: bytes
    protocol: int = PROTOCOL_VERSION


class Parser:
    """Feed bytes as they arrive; get whole packets whose length and CRC are right. Noise, bad escapes,
    truncation and bad CRCs are dropped; it never raises."""

    def __init__(self) -> None:
        self._frame: bytearray | None = None  # inside a frame, after its 0xA5s
        self.dropped = 0

    def feed(self, data: bytes) -> list[Packet]:
        packets: list[Packet] = []
        for byte in data:
            if byte == START:
                if self._frame:  # a new frame starts inside one: the first was cut short
                    self.dropped += 1
                self._frame = bytearray()  # "只要接收到一个0xA5就可认为接收到了帧头"
            elif self._frame is None:
                continue
            elif byte == END:
                found = _unpack(bytes(self._frame))
                if found is None:
                    self.dropped += 1
                else:
                    packets.append(found)
                self._frame = None
            elif len(self._frame) > 2 * MAX_FRAME:
                self._frame = None
                self.dropped += 1
            else:
                self._frame.append(byte)
        return packets

    def reset(self) -> None:
        self._frame = None


def _unpack(escaped: bytes) -> Packet | None:
    body = bytearray()
    position = 0
    while position < len(escaped):
        byte = escaped[position]
        if byte in (0xA6, 0x5B):
            pair = (byte, escaped[position + 1]) if position + 1 < len(escaped) else None
            if pair not in UNESCAPE:
                return None
            body.append(UNESCAPE[pair])
            position += 2
        else:
            body.append(byte)
            position += 1
    if len(body) < HEADER + 2:
        return None
    length = int.from_bytes(body[12:16], "little")
    if len(body) != HEADER + length + 2:
        return None
    if crc16(bytes(body[:-2])) != int.from_bytes(body[-2:], "little"):
        return None
    return Packet(
        destination=int.from_bytes(body[0:2], "little"),
        source=int.from_bytes(body[2:4], "little"),
        device_type=int.from_bytes(body[6:8], "little"),
        data=bytes(body[HEADER:-2]),
        protocol=body[4],
    )


# -- the data field (manual 5) -------------------------------------------------------------------------------


#: a wildcard destination: whichever controller is on the line answers (the SDK pings a lone one so)
ANY_ADDRESS = 0xFFFE


def ping() -> bytes:
    """5.5.1: RtnReq 01, CmdGroup A2, Cmd 00, two reserved bytes."""
    return bytes([0x01, 0xA2, 0x00, 0x00, 0x00])


@dataclass(frozen=True)
class Area:
    """A dynamic area: its place on the screen in pixels and how many colours the screen has (1 red, 2
    red and green)."""

    x: int
    y: int
    width: int
    height: int
    colors: int = 1
    area_id: int = 0


def update_area(
    area: Area, pages: list[bytes], display_mode: int = STATIC, stay_10ms: int = 500, sdk_length: bool = True
) -> bytes:
    """5.4.1 更新动态区域信息 (A7 00) for one area and its pages of dot-matrix data (page_bitmap()). The two
    bytes after A7 00: the manual calls them reserved (00 00); the vendor's SDK (Bx5GMessageMgr packing
    UpdateDynamicArea, bx05.xml) sends 4 + AreaDataLen, little-endian, and controllers in the field accept
    it: that is the default, `sdk_length=False` the manual's."""
    page_records = b""
    for bitmap in pages:
        record = (
            bytes([0x00, display_mode, 0x00, 10])  # PageStyle, DisplayMode, ClearMode, Speed
            + stay_10ms.to_bytes(2, "little")  # StayTime, in 10 ms
            + bytes([0x00])  # RepeatTime
            + area.width.to_bytes(2, "little")  # ValidLen: the area's width, as the manual advises
            + bytes(4)  # Reserved
            + bitmap
        )
        page_records += len(record).to_bytes(4, "little") + record  # PageDataLen
    area_data = (
        bytes([area.area_id, 0x00])  # AreaId, RunMode 0 (循环显示)
        + (10).to_bytes(2, "little")  # Timeout, s (not used in RunMode 0)
        + bytes([0x01])  # RelateAllPro
        + (0).to_bytes(2, "little")  # RelateProNum: no program list follows
        + bytes([0x01])  # ImmePlay: the programs stop, the area alone plays
        + bytes(4)  # Reserved
        + bytes([0x10])  # AreaType
        + area.x.to_bytes(2, "little")
        + area.y.to_bytes(2, "little")
        + area.width.to_bytes(2, "little")
        + area.height.to_bytes(2, "little")
        + bytes([0x00])  # AreaFFlag: no frame, so no further frame bytes
        + len(pages).to_bytes(2, "little")  # PageNum
        + page_records
    )
    after_command = ((4 + len(area_data)) & 0xFFFF).to_bytes(2, "little") if sdk_length else bytes(2)
    return bytes([0x01, 0xA7, 0x00]) + after_command + len(area_data).to_bytes(4, "little") + area_data


@dataclass(frozen=True)
class Reply:
    group: int
    command: int
    status: int
    error: int

    @property
    def ok(self) -> bool:
        return (self.group, self.command) == ACK and not self.status & 1


def parse_reply(data: bytes) -> Reply | None:
    """5.1.2: Reserved, CmdGroup, Cmd, Status (2), Error (2), DataLen (2), Data; None when malformed."""
    if len(data) < 9 or int.from_bytes(data[7:9], "little") != len(data) - 9:
        return None
    return Reply(data[1], data[2], int.from_bytes(data[3:5], "little"), int.from_bytes(data[5:7], "little"))


def reply(group_command: tuple[int, int], error: int = 0) -> bytes:
    """A reply's data field: ACK, or NACK with the Status bit 0 set and an Error number."""
    status = 1 if group_command == NACK else 0
    return (
        bytes([0x00, *group_command]) + status.to_bytes(2, "little") + error.to_bytes(2, "little") + bytes(2)
    )


# -- the dot matrix (manual, appendix 2.1) -------------------------------------------------------------------


def page_bitmap(lit: list[list[bool]], colors: int = 1, color: str = "red", order: str = "RG") -> bytes:
    """Rows left to right, top to bottom, 8 pixels a byte, the leftmost in bit 7; 0 lights a pixel, 1 leaves
    it dark. Two-colour screens: each red byte is followed by the green byte of the same 8 pixels ("RG", the
    SDK's PIXTYPE_1), or green then red on a G+R screen ("GR", bxdualsdk.cs PIXTYPE_2)."""
    out = bytearray()
    red, green = {"red": (True, False), "green": (False, True), "yellow": (True, True)}[color]
    planes = (green, red) if order == "GR" else (red, green)
    for row in lit:
        for start in range(0, len(row), 8):
            chunk = row[start : start + 8]
            for plane in planes[:colors]:
                byte = 0xFF
                for bit, on in enumerate(chunk):
                    if on and plane:
                        byte &= ~(0x80 >> bit)
                out.append(byte)
    return bytes(out)


def read_bitmap(data: bytes, width: int, height: int, colors: int = 1) -> list[list[bool]]:
    """page_bitmap() read back (the emulator): which pixels are lit, in any colour."""
    per_row = width // 8 * colors
    rows = []
    for y in range(height):
        row_bytes = data[y * per_row : (y + 1) * per_row]
        row = []
        for x in range(width):
            index = x // 8 * colors
            row.append(any(not row_bytes[index + c] & (0x80 >> x % 8) for c in range(colors)))
        rows.append(row)
    return rows


#: what a line of a hall's text reaches, top and bottom: CJK, capitals and digits
_SAMPLE = "请号窗A0"


@functools.lru_cache(maxsize=8)
def _font(path: str, height: int):  # type: ignore[no-untyped-def]
    """The largest size whose CJK glyphs and digits fit `height` pixels, and how far to lift them."""
    from PIL import ImageFont

    for size in range(height + 4, 5, -1):
        font = ImageFont.truetype(path, size)
        _left, top, _right, bottom = font.getbbox(_SAMPLE)
        if bottom - top <= height:
            return font, top
    return ImageFont.truetype(path, 6), 0


def draw_pages(text: str, width: int, height: int, font_path: str | Path) -> list[list[list[bool]]]:
    """Text drawn with a CJK font filling the area's height, cut into pages of the area's width at
    characters."""
    from PIL import Image, ImageDraw

    font, lift = _font(str(font_path), height)
    pages: list[str] = []
    current = ""
    for char in text:
        if current and font.getlength(current + char) > width:
            pages.append(current)
            current = char.lstrip()
        else:
            current += char
    pages.append(current)
    drawn = []
    for words in pages:
        image = Image.new("1", (width, height), 0)
        ImageDraw.Draw(image).text((0, -lift), words, font=font, fill=1)
        pixels = image.convert("L").tobytes()  # a byte a pixel, 0 or 255
        drawn.append([[bool(pixels[y * width + x]) for x in range(width)] for y in range(height)])
    return drawn
