"""Which visit a pad's rating belongs to: prompt ids lent, answered, put out, wrapped and bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.prompts import KEEP, RatingPrompts


def test_an_answer_names_its_visit_once_and_puts_the_pad_out() -> None:
    prompts = RatingPrompts()
    first = prompts.lend("EV14", 10)
    second = prompts.lend("EV15", 11)
    assert first != second
    assert prompts.answered("EV14", first) == 10
    assert prompts.answered("EV14", first) is None  # a repeated answer rates nothing twice
    assert prompts.lit == {"EV15": (second, 11)}


def test_a_visit_rated_elsewhere_puts_out_every_pad_lit_for_it() -> None:
    prompts = RatingPrompts()
    one, _other, two = prompts.lend("EV1", 7), prompts.lend("EV2", 8), prompts.lend("EV3", 7)
    assert sorted(prompts.put_out(7)) == [("EV1", one), ("EV3", two)]
    assert set(prompts.lit) == {"EV2"}
    assert prompts.answered("EV1", one) is None  # a late press on a pad put out rates nothing
    assert prompts.put_out(7) == []


def test_a_newer_prompt_on_the_same_pad_replaces_the_lit_one() -> None:
    prompts = RatingPrompts()
    old = prompts.lend("EV1", 1)
    new = prompts.lend("EV1", 2)
    assert prompts.lit == {"EV1": (new, 2)}
    assert prompts.answered("EV1", old) == 1  # the pad may still answer the older visit, and it counts
    assert prompts.lit == {"EV1": (new, 2)}


@given(st.integers(min_value=1, max_value=70_000))
def test_ids_stay_on_the_wire_and_memory_stays_bounded(count: int) -> None:
    prompts = RatingPrompts()
    ids = [prompts.lend(f"EV{n % 5}", n) for n in range(count)]
    assert all(1 <= prompt_id <= 65535 for prompt_id in ids)
    assert len(prompts.tickets) == min(count, KEEP)
    assert prompts.tickets[ids[-1]] == count - 1
