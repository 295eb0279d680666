"""The ticket's layout, drawn with a CJK font: the raster images sent to the printer and the PNG preview.

One layout for paper and screen: the printed ticket is the top image, the printer's own QR code, then the
bottom image; the PNG stacks the same three parts, with the QR drawn by the qrcode package.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from hallq.printing import linebreak

#: Debian fonts-wqy-zenhei first (the project's setup installs it), then other common CJK fonts.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


Row = tuple[str, ImageFont.FreeTypeFont, str, int]


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Paper:
    """A paper roll: printable dots across, QR module size in dots, half-width text columns (font A)."""

    width_mm: int
    width_px: int
    qr_module: int
    columns: int


PAPERS = {80: Paper(80, 576, 6, 48), 58: Paper(58, 384, 4, 32)}


@dataclass(frozen=True)
class TicketPrint:
    """What a ticket shows, in the hall's language and time zone; built from the ticket row and the hall."""

    hall_name: str
    zone_name: str
    service_name: str
    number: str
    ahead: int
    estimated_wait_s: int
    issued_at: datetime
    status_url: str
    materials: tuple[str, ...] = ()
    footer: str = ""
    green: bool = False
    #: the range the wait likely falls in, seconds (hallq/engine/estimate.py: wait_range)
    estimated_wait_range_s: tuple[int, int] | None = None
    #: no window serving the service open when it printed: 暂无窗口开放 instead of a figure
    no_window_open: bool = False


def range_minutes(low_s: int, high_s: int) -> tuple[int, int]:
    """A range a person reads at a glance: whole minutes under 10, fives under an hour, tens beyond; the
    low end rounded down, the high end up. hallq.js rounds the same way for the pages."""

    def step(minutes: float) -> int:
        return 1 if minutes < 10 else 5 if minutes < 60 else 10

    low, high = low_s / 60, high_s / 60
    return max(1, int(low // step(low) * step(low))), int(-(-high // step(high)) * step(high))


def wait_line(ticket: TicketPrint) -> str:
    if ticket.no_window_open:
        return f"前面还有 {ticket.ahead} 人 · 暂无窗口开放"
    minutes = max(1, round(ticket.estimated_wait_s / 60)) if ticket.estimated_wait_s > 0 else 0
    wait = f"预计等候约 {minutes} 分钟" if minutes else "马上就到您"
    if minutes and ticket.estimated_wait_range_s is not None:
        low, high = range_minutes(*ticket.estimated_wait_range_s)
        if low < high:
            wait = f"预计等候约 {low}–{high} 分钟"
    return f"前面还有 {ticket.ahead} 人 · {wait}"


def issued_line(ticket: TicketPrint) -> str:
    return f"取号时间 {ticket.issued_at:%Y-%m-%d %H:%M}"


def material_items(materials: tuple[str, ...], max_items: int) -> list[str]:
    """The 一次性告知 list, shortened: at most max_items entries, the rest counted and sent to the QR page."""
    items = [f"{index}. {text}" for index, text in enumerate(materials, 1)]
    if len(items) <= max_items:
        return items
    shown = items[: max_items - 1]
    return [*shown, f"……另有 {len(items) - len(shown)} 项，扫码查看完整清单"]


def text_width(text: str) -> int:
    """Width in half-width columns on a Chinese printer: every double-byte GB18030 character takes two
    (so do the ambiguous ones, e.g. "·", which such printers draw full width)."""
    return sum(1 if len(char.encode("gb18030", errors="replace")) == 1 else 2 for char in text)


def wrap_columns(text: str, columns: int, max_lines: int = 2) -> list[str]:
    """Wrap to at most max_lines lines of `columns` half-width columns, between words and phrases
    (linebreak.py), ending in … when cut."""
    return linebreak.wrap(text, lambda line: text_width(line) <= columns, max_lines)


@cache
def font_path(configured: str = "") -> str:
    candidates = (configured,) if configured else FONT_CANDIDATES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    where = (
        f"hall.ticket.font = {configured!r} does not exist"
        if configured
        else "none of the usual paths has one"
    )
    raise FontMissing(
        f"no CJK font for raster tickets ({where}): install fonts-wqy-zenhei or set hall.ticket.font"
    )


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


class Layout:
    """Draws a ticket for one paper width. Images are mode "L" holding pure black (0) and white (255)."""

    def __init__(self, paper: Paper, font: str = "", max_materials: int = 6) -> None:
        self.paper = paper
        self.font_setting = font
        self.max_materials = max_materials
        self.scale = paper.width_px / 576

    @property
    def path(self) -> str:
        """The CJK font file; looked up on first drawing, so text-mode printing needs no font."""
        return font_path(self.font_setting)

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.path, max(12, round(size * self.scale)))

    def _wrap(self, text: str, font: ImageFont.FreeTypeFont, max_lines: int = 2) -> list[str]:
        width = self.paper.width_px - 16
        return linebreak.wrap(text, lambda line: font.getlength(line) <= width, max_lines)

    def _draw(self, rows: list[Row], stroke: int = 0) -> Image.Image:
        return draw_rows(self.paper.width_px, tuple(rows), stroke)

    def number_image(self, number: str) -> Image.Image:
        """The number in very large type; the ticket image contains exactly this block."""
        return self._draw([(number, self.font(150), "center", 0)], stroke=max(1, round(3 * self.scale)))

    def top(self, ticket: TicketPrint) -> Image.Image:
        small, medium = self.font(24), self.font(30)
        rows = [(ticket.hall_name, small, "center", 6)]
        rows += [
            (line, medium, "center", 4)
            for line in self._wrap(f"{ticket.zone_name} · {ticket.service_name}", medium)
        ]
        if ticket.green:
            rows.append(("【绿色通道 优先办理】", medium, "center", 0))
        head = draw_static(self.paper.width_px, tuple(rows))  # the same for every ticket of a service
        number = self.number_image(ticket.number)
        tail = self._draw(
            [(wait_line(ticket), small, "center", 4), (issued_line(ticket), small, "center", 4)]
        )
        return stack([head, number, tail], self.paper.width_px)

    def bottom(self, ticket: TicketPrint) -> Image.Image:
        small, tiny = self.font(24), self.font(22)
        rows: list[Row] = [("扫码查看排队进度", tiny, "center", 10)]
        items = material_items(ticket.materials, self.max_materials)
        if items:
            rows.append(("请准备以下材料（一次性告知）：", small, "left", 4))
            for item in items:
                rows += [(line, tiny, "left", 2) for line in self._wrap(item, tiny)]
        if ticket.footer:
            rows.append(("", tiny, "left", 0))
            rows += [(line, tiny, "center", 2) for line in self._wrap(ticket.footer, tiny, max_lines=3)]
        return draw_static(self.paper.width_px, tuple(rows))

    def preview(self, ticket: TicketPrint) -> Image.Image:
        qr = qr_image(ticket.status_url, self.paper.qr_module, self.paper.width_px)
        return stack([self.top(ticket), qr, self.bottom(ticket)], self.paper.width_px)


def qr_image(url: str, module: int, width: int) -> Image.Image:
    """The QR as the printer draws it (model 2, level M, `module` dots a module), centred on the paper."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module, border=2)
    code.add_data(url)
    code.make(fit=True)
    return stack([code.make_image().get_image().convert("L")], width)


def draw_rows(width: int, rows: tuple[Row, ...], stroke: int = 0) -> Image.Image:
    """rows: (text, font, align "center"|"left", space after in px) -> one image; stroke thickens."""
    heights: list[int] = []
    for text, font, _align, gap in rows:
        top, bottom = font.getbbox("国Ag" + text)[1::2]
        heights.append(round(bottom - min(top, 0)) + gap)
    image = Image.new("L", (width, sum(heights) + 8), 255)
    draw = ImageDraw.Draw(image)
    y = 4.0
    for (text, font, align, _gap), height in zip(rows, heights, strict=True):
        x = (width - font.getlength(text)) / 2 if align == "center" else 8
        draw.text((x, y), text, font=font, fill=0, stroke_width=stroke, stroke_fill=0)
        y += height
    return image.point(lambda value: 0 if value < 128 else 255)


#: the header and the materials of a service are drawn once (text drawing is most of a ticket's cost);
#: 64 blocks of at most ~300 KB each
draw_static = lru_cache(maxsize=64)(draw_rows)


def stack(images: list[Image.Image], width: int) -> Image.Image:
    """Images one below the other, each centred on a white strip `width` wide."""
    out = Image.new("L", (width, sum(image.height for image in images)), 255)
    y = 0
    for image in images:
        out.paste(image, ((width - image.width) // 2, y))
        y += image.height
    return out


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
