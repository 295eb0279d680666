"""Where a printed ticket's line may break: between words and phrases, never inside one, never inside a
number with its unit, never before closing or after opening punctuation (the 禁则 of Chinese typesetting).

Chinese has no spaces between words, so the words come from jieba's dictionary (its exact mode, no HMM
guessing). Only the entries that the texts being wrapped can use are loaded into jieba's tokenizer (those
starting with a character of a text), with the whole dictionary's total, so the words found are exactly the
ones jieba's own `lcut(text, HMM=False)` finds (tests/test_linebreak.py checks this on every text of the demo
hall). Resident: about 9 MB after the first text (the dictionary's 5 MB file kept as one bytes object), where
jieba's full table takes about 62 MB.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

import jieba

#: characters jieba segments (its own range); other Han characters are a word each
_HAN = re.compile("[\u4e00-\u9fd5]+")
#: may not start a line
CLOSING = frozenset("，。、；：？！）》」』】〕〉”’…％%,.;:?!)]}")
#: may not end a line
OPENING = frozenset("（《「『【〔〈“‘([{")
#: a word that belongs to the number after it (约 7 分钟, 第 3 项, 共 5 份)
NUMBER_PREFIXES = frozenset("约第共近超满每")
#: a separator between spaces (前面还有 3 人 · 预计等候…) ends the line before it, never starts one
SEPARATORS = frozenset("·|/")
#: pieces of text: a run of jieba's Han, a run of spaces, one CJK punctuation mark, or a run of anything else
#: (Latin words, numbers with their separators such as 12–18 or 10:05)
_PIECES = re.compile(
    "[\u4e00-\u9fd5]+|\\s+|[\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\u2018-\u201f\u2026]|"
    "[^\\s\u4e00-\u9fd5\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\u2018-\u201f\u2026]+"
)


#: the first character of each line of the dictionary, as UTF-8 bytes, and the frequency after the word
_LINE_START = re.compile(
    rb"(?m)^([\x00-\x7f]|[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf7][\x80-\xbf]{3})"
)
_FREQUENCY = re.compile(rb"(?m)^\S+ (\d+)")


class _Words:
    """jieba's dictionary, loaded into its tokenizer for the characters of the texts seen so far. The rest of
    it stays one 5 MB bytes object, indexed by the first character of its lines (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data = b""
        self._ranges: dict[bytes, list[tuple[int, int]]] = {}
        self._total = 0
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialized = True  # its table is filled here, never from its own cache files

    def _read(self) -> None:
        data = (files("jieba") / "dict.txt").read_bytes()
        first, run_start = b"", 0
        for match in _LINE_START.finditer(data):  # one pass, no object kept per line
            if match.group(1) != first:
                if first:
                    self._ranges.setdefault(first, []).append((run_start, match.start()))
                first, run_start = match.group(1), match.start()
        self._ranges.setdefault(first, []).append((run_start, len(data)))
        self._total = sum(int(match.group(1)) for match in _FREQUENCY.finditer(data))
        self._data = data

    def cut(self, han: str) -> list[str]:
        with self._lock:
            if not self._data:
                self._read()
            for char in set(han):
                for start, end in self._ranges.pop(char.encode("utf-8"), ()):
                    for line in self._data[start:end].decode("utf-8").splitlines():
                        word, freq = line.split(" ", 2)[:2]
                        self._tokenizer.add_word(word, int(freq))
            # add_word adds to the total; a word's probability must be the whole dictionary's
            self._tokenizer.total = self._total
            return list(self._tokenizer.cut(han, HMM=False))


_words = _Words()


def words(text: str) -> list[str]:
    """jieba's words of `text` (exact mode, no HMM), from the part of its dictionary the text needs."""
    return _words.cut(text)


def _ends_in_latin(unit: str) -> bool:
    """Ends in a digit, a Latin letter or ASCII punctuation: 14, A001, 1. (a number or a list marker)."""
    return bool(unit) and unit[-1].isascii() and not unit[-1].isspace()


def _is_word(piece: str) -> bool:
    """A Chinese word or mark (not a space, not Latin or digits, not an opening mark)."""
    return not piece[0].isspace() and not piece[0].isascii() and piece[0] not in OPENING


def _binds(before: str, piece: str) -> bool:
    """Pieces that stay on one line, also with one space between them: a number and its unit (14号, 7 分钟),
    a list marker and its item (1. 身份证), a prefix and its number (约 7), a separator and what it ends
    (3 人 ·)."""
    return (
        (_ends_in_latin(before) and _is_word(piece))
        or (before[-1] in NUMBER_PREFIXES and piece[0].isdigit())
        or piece in SEPARATORS
    )


def _glued(before: str, piece: str, after: str) -> bool:
    """Whether `piece` joins the unit `before` it (`after` is the piece that follows)."""
    if not before:
        return False
    if piece[0] in CLOSING and not before.isspace():  # 。）、 never start a line
        return True
    if before[-1] in OPENING:  # （《 never end one
        return True
    if piece == " ":  # one space inside a pair that binds
        return not before.isspace() and bool(after) and _binds(before, after)
    if before.endswith(" ") and not before.isspace():  # the second of such a pair
        return _binds(before[:-1], piece)
    return _binds(before, piece)


def units(text: str) -> list[str]:
    """`text` cut into units a line may break between; "".join(units(text)) == text. A space between units
    is a unit of its own (a break there drops it)."""
    return list(_units(text))


@lru_cache(maxsize=4096)
def _units(text: str) -> tuple[str, ...]:
    """units(), remembered: a hall prints the same service names and materials all day."""
    pieces: list[str] = []
    for match in _PIECES.finditer(text):
        piece = match.group()
        pieces += words(piece) if _HAN.fullmatch(piece) else [piece]
    joined: list[str] = []
    for index, piece in enumerate(pieces):
        after = pieces[index + 1] if index + 1 < len(pieces) else ""
        if _glued(joined[-1] if joined else "", piece, after):
            joined[-1] += piece
        else:
            joined.append(piece)
    return tuple(joined)


def wrap(text: str, fits: Callable[[str], bool], max_lines: int = 2, ellipsis: str = "…") -> list[str]:
    """Lines of `text`, each one that `fits`, broken between units: at the last space when what follows it
    fits on the next line (a phrase stays whole: 社保 / 养老保险参保登记), else between words; a unit wider
    than a line on its own is broken between characters. At most `max_lines`, the last ending in `ellipsis`
    when text was cut."""
    lines: list[str] = []
    line: list[str] = []
    for unit in units(text):
        if unit.isspace():
            if line:
                line.append(unit)  # kept inside a line, dropped at a break
            continue
        if fits("".join(line) + unit):
            line.append(unit)
            continue
        spaces = [index for index, kept in enumerate(line) if kept.isspace()]
        tail = line[spaces[-1] + 1 :] if spaces else []
        if tail and "".join(line[: spaces[-1]]).strip() and fits("".join(tail) + unit):
            lines.append("".join(line[: spaces[-1]]).rstrip())
            line = [*tail, unit]
            continue
        if "".join(line).strip():
            lines.append("".join(line).rstrip())
        line = []
        if fits(unit):
            line = [unit]
            continue
        if unit[0] in NUMBER_PREFIXES and fits(unit[1:].strip()):  # 约 / 100–120 分钟: the prefix gives way
            lines.append(unit[0])
            line = [unit[1:].strip()]
            continue
        for char in unit:
            if line and not fits("".join(line) + char):
                # a closing mark never starts a line: the character before it goes along
                carried = [line.pop()] if char in CLOSING and len(line) > 1 else []
                lines.append("".join(line).rstrip())
                line = carried
            if line or not char.isspace():
                line.append(char)
    lines.append("".join(line).rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and not fits(last + ellipsis):
            last = last[:-1]
        lines[-1] = last + ellipsis
    return lines
