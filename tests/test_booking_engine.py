"""The engine's 号源 rules, pure: slots cut from quotas and the calendar, which are open for booking, and the
爽约 block."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from hallq.config.booking import Booking, Quota
from hallq.engine.booking import blocked_until, bookable, find_slot, phone_key, slots_on, week_of
from hallq.engine.calendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
WORKWEEK = WorkCalendar()


def rule(*quotas: Quota, **settings: int) -> Booking:
    return Booking(quotas=list(quotas), **settings)


@given(
    start=st.integers(0, 20 * 60),
    length=st.integers(5, 8 * 60),
    slot=st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90]),
    capacity=st.integers(1, 50),
)
def test_slots_tile_the_hours_in_order_and_never_run_past_them(
    start: int, length: int, slot: int, capacity: int
) -> None:
    end = min(start + length, 23 * 60 + 59)
    if end <= start:
        return
    hours = (time(start // 60, start % 60), time(end // 60, end % 60))
    booking = rule(Quota(service="s", hours=hours, slot_minutes=slot, capacity=capacity))
    slots = slots_on(MONDAY, "s", booking, WORKWEEK, TZ)
    assert len(slots) == (end - start) // slot
    opening = datetime.combine(MONDAY, hours[0], TZ)
    for index, one in enumerate(slots):
        assert one.start == opening + timedelta(minutes=slot * index)
        assert one.end - one.start == timedelta(minutes=slot)
        assert one.end <= datetime.combine(MONDAY, hours[1], TZ)
        assert one.capacity == capacity
        assert find_slot(one.start.astimezone(ZoneInfo("UTC")), "s", booking, WORKWEEK, TZ) == one
    assert find_slot(opening + timedelta(minutes=1), "s", booking, WORKWEEK, TZ) is None


def test_holidays_weekends_and_make_up_days_follow_the_calendar() -> None:
    weekdays = Quota(service="s", hours=(time(9), time(10)), capacity=3)
    saturday_only = Quota(service="t", weekdays=[6], hours=(time(9), time(10)), capacity=2)
    booking = rule(weekdays, saturday_only)
    holiday, make_up = date(2026, 12, 31), date(2026, 12, 26)  # a Thursday off, a Saturday worked
    calendar = WorkCalendar(holidays=frozenset({holiday}), extra_workdays=frozenset({make_up}))
    assert len(slots_on(holiday, "s", booking, calendar, TZ)) == 0
    assert len(slots_on(date(2026, 12, 27), "s", booking, calendar, TZ)) == 0  # a Sunday
    assert len(slots_on(make_up, "s", booking, calendar, TZ)) == 2  # Monday's quotas
    assert [s.capacity for s in slots_on(make_up, "t", booking, calendar, TZ)] == [2, 2]  # its own
    assert slots_on(date(2026, 12, 19), "t", booking, calendar, TZ) == []  # a Saturday the hall is shut


def test_the_province_share_is_kept_from_the_page_only() -> None:
    booking = rule(Quota(service="s", hours=(time(9), time(10)), capacity=5, province_share=2))
    slot = slots_on(MONDAY, "s", booking, WORKWEEK, TZ)[0]
    assert (slot.limit("page"), slot.limit("api")) == (3, 5)


def test_a_slot_is_open_within_days_ahead_until_it_closes() -> None:
    booking = rule(
        Quota(service="s", hours=(time(9), time(17)), capacity=1), days_ahead=2, closes_before_min=30
    )
    now = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
    today = slots_on(MONDAY, "s", booking, WORKWEEK, TZ)
    assert [bookable(s, now, booking) for s in today[:4]] == [False, False, False, True]  # 10:30 first
    assert bookable(slots_on(MONDAY + timedelta(days=2), "s", booking, WORKWEEK, TZ)[0], now, booking)
    assert not bookable(slots_on(MONDAY + timedelta(days=3), "s", booking, WORKWEEK, TZ)[0], now, booking)


@given(st.lists(st.integers(0, 60 * 24 * 60), max_size=8))
def test_the_no_show_block_needs_enough_recent_misses(minutes_ago: list[int]) -> None:
    booking = rule(no_shows=3, no_show_days=30, block_days=30)
    now = datetime(2026, 11, 23, 10, tzinfo=TZ)
    misses = [now - timedelta(minutes=m) for m in minutes_ago]
    recent = sorted(m for m in misses if m >= now - timedelta(days=30))
    until = blocked_until(misses, booking, now)
    if len(recent) < 3:
        assert until is None
    else:
        end = recent[-1] + timedelta(days=30)  # from the last miss; over when that is now
        assert until == (end if end > now else None)


def test_weeks_run_monday_to_monday_and_the_phone_key_hides_the_number() -> None:
    monday, next_monday = week_of(datetime(2026, 11, 29, 23, 59, tzinfo=TZ), TZ)
    assert (monday.date(), next_monday.date()) == (MONDAY, MONDAY + timedelta(days=7))
    key = phone_key(b"secret", "13800138000")
    assert key == phone_key(b"secret", "13800138000") != phone_key(b"other", "13800138000")
    assert "138" not in key and len(key) == 22
