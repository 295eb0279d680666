"""Line breaking on printed tickets (issue 24 item 5): between words and phrases, never inside a number with
its unit, checked over every text of the demo hall at every paper width."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hallq.config.hall import load_hall
from hallq.printing import linebreak
from hallq.printing.escpos_ticket import text_ticket
from hallq.printing.layout import PAPERS, TicketPrint, material_items, text_width, wait_line, wrap_columns

from .conftest import DEMO_HALL

HALL = load_hall(DEMO_HALL)
ZONES = {zone.id: zone.name for zone in HALL.zones}
#: what the ticket wraps, as it wraps them: the zone and service title, each material item, the footer
TEXTS = sorted(
    {f"{ZONES[s.zone]} {s.name}" for s in HALL.services}
    | {item for s in HALL.services for item in material_items(tuple(s.materials), 99)}
    | {HALL.hall.footer, HALL.hall.name} - {""}
)
HAN = re.compile("[\u4e00-\u9fd5]+")


@pytest.fixture(scope="module")
def full_jieba(tmp_path_factory: pytest.TempPathFactory) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba"))
    jieba.setLogLevel(60)
    tokenizer.initialize()
    return tokenizer


def test_the_words_are_jiebas_own(full_jieba: jieba.Tokenizer) -> None:
    """Loading only the entries a text needs finds exactly what jieba's whole dictionary finds."""
    runs = sorted({run for text in TEXTS for run in HAN.findall(text)})
    assert len(runs) > 50
    for run in runs:
        assert linebreak.words(run) == full_jieba.lcut(run, HMM=False), run
    # a text met later loads its own entries then; earlier texts keep their words
    assert linebreak.words("城乡居民基本医疗保险") == full_jieba.lcut("城乡居民基本医疗保险", HMM=False)
    assert linebreak.words(runs[0]) == full_jieba.lcut(runs[0], HMM=False)


def boundaries(units: list[str]) -> set[int]:
    """Where a line may break, as offsets into the text without spaces."""
    offsets, at = set(), 0
    for unit in units:
        at += len(unit.replace(" ", ""))
        offsets.add(at)
    return offsets


def check(text: str, columns: int) -> list[str]:
    lines = wrap_columns(text, columns, max_lines=99)
    assert all(text_width(line) <= columns for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", ""), lines  # nothing lost, nothing added
    assert all(line == line.strip() for line in lines)
    units = linebreak.units(text)
    allowed = boundaries(units)
    too_wide = [unit for unit in units if text_width(unit.strip()) > columns]
    at = 0
    for line in lines[:-1]:
        at += len(line.replace(" ", ""))
        # a break between units, unless a unit wider than the line had to be cut
        assert at in allowed or too_wide, (text, columns, lines)
    for before, after in itertools.pairwise(lines):
        assert after[0] not in linebreak.CLOSING and before[-1] not in linebreak.OPENING, lines
        assert not (before[-1].isdigit() and HAN.match(after)), lines  # 7 | 分钟
    return lines


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(TEXTS), st.integers(min_value=8, max_value=48))
def test_every_text_of_the_demo_hall_breaks_between_words(text: str, columns: int) -> None:
    check(text, columns)


@settings(max_examples=300, deadline=None)
@given(
    ahead=st.integers(0, 300),
    low=st.integers(1, 90),
    spread=st.integers(0, 60),
    columns=st.integers(14, 48),  # the widest unit, 约 / 120–180 分钟, takes 13 (a 58 mm roll: 32)
)
def test_a_wait_never_splits_a_number_from_its_unit(ahead: int, low: int, spread: int, columns: int) -> None:
    ticket = TicketPrint(
        hall_name="",
        zone_name="",
        service_name="",
        number="A001",
        ahead=ahead,
        estimated_wait_s=low * 60,
        issued_at=datetime(2026, 12, 7, 9, 30),
        status_url="",
        estimated_wait_range_s=(low * 60, (low + spread) * 60),
    )
    lines = check(wait_line(ticket), columns)
    joined = "\n".join(lines)
    assert re.search(r"\d+(–\d+)? 分钟", joined) and not re.search(r"\d\n", joined), lines


def test_the_issues_examples() -> None:
    """The 58 mm text ticket (32 columns; the title printed double width, 16) as issue 24 saw it broken."""
    assert wrap_columns("社保 养老保险参保登记", 16) == ["社保", "养老保险参保登记"]  # not 养老 / 保险…
    assert wrap_columns("前面还有 12 人 · 预计等候约 7 分钟", 24) == ["前面还有 12 人 ·", "预计等候约 7 分钟"]
    items = ["1. 营业执照", "（副本）原件及", "复印件"]
    assert wrap_columns("1. 营业执照（副本）原件及复印件", 16, 3) == items
    assert wrap_columns("很" * 40, 16, max_lines=2) == ["很" * 8, "很" * 7 + "…"]  # no word: cut, marked


def test_the_58mm_text_ticket_prints_whole_words(tmp_path: Path) -> None:
    service = next(s for s in HALL.services if s.name == "养老保险参保登记")
    ticket = TicketPrint(
        hall_name=HALL.hall.name,
        zone_name=ZONES[service.zone],
        service_name=service.name,
        number="D012",
        ahead=3,
        estimated_wait_s=420,
        issued_at=datetime(2026, 12, 7, 9, 30),
        status_url="http://127.0.0.1:5000/t/x",
        materials=tuple(service.materials),
    )
    printed = text_ticket(ticket, PAPERS[58]).decode("gb18030", errors="replace")
    lines = [re.sub(r"[\x00-\x1f]|\x1b.|\x1d.", "", line) for line in printed.split("\n")]
    assert "养老保险参保登记" in lines or any(line.endswith("养老保险参保登记") for line in lines)
    assert not any(line.endswith("养老") for line in lines)
    assert not any(line.endswith(("7", "7 分")) for line in lines)
