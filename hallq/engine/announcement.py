"""What a call says: the hall's wording with the ticket and window filled in, once as shown on screens and LED
strips ("请A012号到5号窗口办理") and once as spoken ("请 A 零一二 号到 五 号窗口办理").

Halls read a ticket number digit by digit (A012: "A 零一二"; the letters as letters) and a window number
as a count (5: "五", 12: "十二", 20: "二十", 105: "一百零五"). English reads the digits one by one ("A zero
one two") and the window as a number ("window 12").
"""

from __future__ import annotations

import string
from dataclasses import dataclass

DIGITS_ZH = "零一二三四五六七八九"
DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: the placeholders a call template may use
PLACEHOLDERS = ("number", "window", "window_name", "zone")


def spoken_ticket_zh(number: str) -> str:
    """A012 -> "A 零一二": each letter on its own, each run of digits read digit by digit."""
    words: list[str] = []
    digits = ""
    for char in number:
        if char.isdigit():
            digits += DIGITS_ZH[int(char)]
            continue
        if digits:
            words.append(digits)
            digits = ""
        words.append(char.upper())
    return " ".join([*words, digits] if digits else words)


def spoken_count_zh(value: int) -> str:
    """5 -> 五, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五, 1000 -> 一千 (0 <= value < 10000)."""
    if not 0 <= value < 10_000:
        raise ValueError(f"{value} is outside what a window number can be")
    if value == 0:
        return DIGITS_ZH[0]
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    out, pending_zero = "", False
    for size, name in units:
        digit = value // size % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += DIGITS_ZH[0]
            pending_zero = False
        out += ("" if (digit == 1 and size == 10 and not out) else DIGITS_ZH[digit]) + name
    return out


def spoken_ticket_en(number: str) -> str:
    """A012 -> "A zero one two"."""
    return " ".join(DIGITS_EN[int(c)] if c.isdigit() else c.upper() for c in number)


def template_fields(template: str) -> list[str]:
    """The placeholders a template uses; ValueError when its braces do not pair."""
    return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]


def unknown_placeholders(template: str) -> list[str]:
    try:
        fields = template_fields(template)
    except ValueError as error:
        return [f"braces: {error}"]
    return [field or "{}" for field in fields if field not in PLACEHOLDERS]


@dataclass(frozen=True)
class Call:
    number: str
    window_number: int
    window_name: str
    zone_name: str

    def shown(self, template: str) -> str:
        return template.format(
            number=self.number, window=self.window_number, window_name=self.window_name, zone=self.zone_name
        )

    def spoken_zh(self, template: str) -> str:
        return template.format(
            number=f" {spoken_ticket_zh(self.number)} ",
            window=f" {spoken_count_zh(self.window_number)} ",
            window_name=self.window_name,
            zone=self.zone_name,
        )

    def spoken_en(self, template: str) -> str:
        return template.format(
            number=spoken_ticket_en(self.number),
            window=self.window_number,
            window_name=self.window_name,
            zone=self.zone_name,
        )
