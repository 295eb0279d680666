"""The functional core: transitions, numbering, issuing rules, call selection, estimates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallq.config.hall import HallConfig, load_hall
from hallq.engine import (
    Action,
    IssueRefused,
    LongestWaitPolicy,
    ManualClock,
    Priority,
    QueueHead,
    Status,
    TransitionError,
    WindowView,
    appointment_queue_time,
    check_caps,
    check_hours,
    format_number,
    make_policy,
    next_status,
    service_day,
)
from hallq.engine.calling import ABPolicy, DedicatedPolicy, OwnFirstPolicy, PooledPolicy
from hallq.operations.clocks import CompressedClock

from .conftest import SMALL_HALL

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Written out by hand from shared/domain.md, independently of hallq.engine.tickets.TRANSITIONS.
ALLOWED = {
    ("waiting", "call"): "called",
    ("waiting", "cancel"): "cancelled",
    ("called", "recall"): "called",
    ("called", "start"): "serving",
    ("called", "finish"): "finished",
    ("called", "no_show"): "no_show",
    ("called", "transfer"): "waiting",
    ("called", "cancel"): "cancelled",
    ("serving", "finish"): "finished",
    ("serving", "transfer"): "waiting",
    ("no_show", "requeue"): "waiting",
}


@pytest.mark.parametrize(("status", "action"), list(product(Status, Action)))
def test_every_transition_is_allowed_or_refused(status: Status, action: Action) -> None:
    expected = ALLOWED.get((status.value, action.value))
    if expected is None:
        with pytest.raises(TransitionError, match=f"cannot {action.value}"):
            next_status(status, action)
    else:
        assert next_status(status, action) == Status(expected)


def test_finished_and_cancelled_are_final() -> None:
    for status, action in product((Status.FINISHED, Status.CANCELLED), Action):
        with pytest.raises(TransitionError):
            next_status(status, action)


def test_unknown_status_or_action_is_an_error() -> None:
    with pytest.raises(ValueError):
        next_status("lost", "call")
    with pytest.raises(ValueError):
        next_status("waiting", "teleport")


def test_numbers_are_zero_padded_and_grow_past_999() -> None:
    assert format_number("A", 1) == "A001"
    assert format_number("AB", 42) == "AB042"
    assert format_number("C", 1000) == "C1000"
    with pytest.raises(ValueError):
        format_number("A", 0)


def test_service_day_turns_at_midnight_in_the_hall_time_zone() -> None:
    # 15:59:59 UTC is 23:59:59 in Shanghai; one second later it is the next day there
    before = datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC)
    assert service_day(before, SHANGHAI).isoformat() == "2026-11-23"
    assert service_day(before + timedelta(seconds=1), SHANGHAI).isoformat() == "2026-11-24"
    with pytest.raises(ValueError):
        service_day(datetime(2026, 11, 23, 12, 0), SHANGHAI)


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(90) == datetime(2026, 1, 5, 9, 1, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 1, 5, 9))


def test_compressed_clock_runs_working_days_back_to_back() -> None:
    seconds = [0.0]
    opening = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)
    clock = CompressedClock(opening, speed=20, day_s=8 * 3600, source=lambda: seconds[0])
    assert clock.now() == opening
    seconds[0] = 60  # 20 hall minutes
    assert clock.now() == datetime(2026, 11, 23, 9, 20, tzinfo=SHANGHAI)
    seconds[0] = 8 * 3600 / 20 - 1  # the last moment of the first day
    assert clock.now() == datetime(2026, 11, 23, 16, 59, 40, tzinfo=SHANGHAI)
    seconds[0] = 8 * 3600 / 20 + 3  # closing: the next morning's opening, a minute in
    assert clock.now() == datetime(2026, 11, 24, 9, 1, tzinfo=SHANGHAI)
    assert service_day(clock.now(), SHANGHAI).isoformat() == "2026-11-24"
    seconds[0] = 2.5 * 8 * 3600 / 20
    assert clock.now() == datetime(2026, 11, 25, 13, tzinfo=SHANGHAI)
    for bad in ({"speed": 0, "day_s": 60}, {"speed": 20, "day_s": -1}):
        with pytest.raises(ValueError):
            CompressedClock(opening, **bad)
    with pytest.raises(ValueError):
        CompressedClock(datetime(2026, 11, 23, 9), speed=20, day_s=60)


@given(minutes=st.integers(-300, 300))
def test_an_appointment_queues_from_its_slot_inside_the_check_in_window(minutes: int) -> None:
    slot = datetime(2026, 11, 23, 10, 30, tzinfo=SHANGHAI)
    now = slot + timedelta(minutes=minutes)
    if -30 <= minutes <= 15:
        assert appointment_queue_time(slot, now, 30, 15, SHANGHAI) == slot
        return
    with pytest.raises(IssueRefused) as refused:
        appointment_queue_time(slot, now, 30, 15, SHANGHAI)
    assert refused.value.code == ("appointment_too_early" if minutes < 0 else "appointment_missed")
    assert "10:30" in refused.value.message  # the slot in the hall's own time


# --- issuing rules -------------------------------------------------------------------------------------
HALL = load_hall(SMALL_HALL)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """November 2026 in Shanghai: the 23rd is a Monday, the 28th a Saturday."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def hours_at(hall: HallConfig, instant: datetime) -> None:
    check_hours(hall.hall.hours, hall.work_calendar, hall.tz, instant)


@pytest.mark.parametrize(
    ("instant", "code"),
    [
        (at(23, 8, 59), "hall_closed"),
        (at(23, 9, 0), None),
        (at(23, 11, 59), None),
        (at(23, 12, 0), "lunch_break"),
        (at(23, 13, 29), "lunch_break"),
        (at(23, 13, 30), None),
        (at(23, 16, 29), None),
        (at(23, 16, 30), "issuing_stopped"),
        (at(23, 17, 30), "issuing_stopped"),
        (at(28, 10, 0), "hall_closed"),
    ],
)
def test_opening_hours_lunch_and_stop_issuing(instant: datetime, code: str | None) -> None:
    if code is None:
        hours_at(HALL, instant)
    else:
        with pytest.raises(IssueRefused) as refused:
            hours_at(HALL, instant)
        assert refused.value.code == code


def test_hours_are_read_in_the_hall_time_zone() -> None:
    # 02:00 UTC is 10:00 in Shanghai: open; 13:00 UTC is 21:00 there: stopped
    hours_at(HALL, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    with pytest.raises(IssueRefused):
        hours_at(HALL, datetime(2026, 11, 23, 13, 0, tzinfo=UTC))


def test_hours_not_enforced_when_switched_off() -> None:
    hours = HALL.hall.hours.model_copy(update={"enforce": False})
    relaxed = HALL.model_copy(update={"hall": HALL.hall.model_copy(update={"hours": hours})})
    hours_at(relaxed, at(28, 3, 0))


def test_daily_caps_per_zone_and_per_service() -> None:
    a1, b1 = HALL.service_by_id["a1"], HALL.service_by_id["b1"]
    check_caps(HALL.zone_by_id[a1.zone], a1, zone_count=5, service_count=0)
    with pytest.raises(IssueRefused, match="甲区"):
        check_caps(HALL.zone_by_id[a1.zone], a1, zone_count=6, service_count=0)
    check_caps(HALL.zone_by_id[b1.zone], b1, zone_count=100, service_count=3)
    with pytest.raises(IssueRefused) as refused:
        check_caps(HALL.zone_by_id[b1.zone], b1, zone_count=100, service_count=4)
    assert refused.value.code == "daily_cap_reached"


# --- call selection ------------------------------------------------------------------------------------
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
W = WindowView("W1", frozenset({"a1"}), frozenset({"b1"}))


def head(service: str, ticket_id: int, minutes: float, green: bool = False, **kw: object) -> QueueHead:
    rank = Priority.GREEN.rank if green else Priority.NORMAL.rank
    return QueueHead(service, ticket_id, rank, T0 + timedelta(minutes=minutes), 1, **kw)  # type: ignore[arg-type]


def test_longest_wait_among_a_and_b_services() -> None:
    policy = LongestWaitPolicy()
    assert policy.choose(W, [head("a1", 1, 5), head("b1", 2, 3)], T0).ticket_id == 2
    assert policy.choose(W, [head("a1", 1, 2), head("b1", 2, 3)], T0).ticket_id == 1


def test_green_priority_comes_first() -> None:
    policy = LongestWaitPolicy()
    chosen = policy.choose(W, [head("a1", 1, 0), head("b1", 2, 30, green=True)], T0)
    assert chosen.ticket_id == 2


def test_services_the_window_does_not_serve_are_ignored_unless_targeted() -> None:
    policy = LongestWaitPolicy()
    assert policy.choose(W, [head("zz", 9, 0)], T0) is None
    assert policy.choose(W, [head("zz", 9, 0, targeted=True)], T0).ticket_id == 9
    assert policy.choose(W, [], T0) is None


def test_equal_times_break_ties_by_ticket_id() -> None:
    policy = LongestWaitPolicy()
    assert policy.choose(W, [head("b1", 8, 1), head("a1", 7, 1)], T0).ticket_id == 7


@given(
    st.lists(
        st.tuples(st.sampled_from(["a1", "b1", "zz"]), st.integers(0, 600), st.booleans(), st.booleans()),
        max_size=12,
    )
)
def test_policy_always_picks_the_first_eligible_in_queue_order(
    rows: list[tuple[str, int, bool, bool]],
) -> None:
    heads = [head(s, i + 1, m, green=g, targeted=t) for i, (s, m, g, t) in enumerate(rows)]
    chosen = LongestWaitPolicy().choose(W, heads, T0)
    eligible = [h for h in heads if h.targeted or h.service_id in ("a1", "b1")]
    if not eligible:
        assert chosen is None
    else:
        assert chosen is not None
        assert all(chosen.order_key <= h.order_key for h in eligible)


def test_make_policy_names() -> None:
    assert make_policy().name == "own-first"  # the default: citizens feel the wait (docs/call-rule.md)
    names = ("ab", "own-first", "longest-wait", "dedicated", "pooled")
    assert {make_policy(n).name for n in names} == set(names)
    assert make_policy("ab", a_bonus_s=60).a_bonus_s == 60  # type: ignore[attr-defined]
    # a hall file's [hall.call_rule] carries every rule's parameters; each rule takes those it has
    own_first = make_policy("own-first", a_bonus_s=60, b_help_after_s=600)
    assert own_first == OwnFirstPolicy(b_help_after_s=600)
    with pytest.raises(ValueError, match="unknown call policy"):
        make_policy("random")


class TestABRule:
    """The default rule: own work first; a B queue once it falls behind or has waited 15 minutes."""

    rule = ABPolicy(help_queue_per_a_window=0.5, b_help_after_s=900, a_bonus_s=300)

    def at(self, minutes: float) -> datetime:
        return T0 + timedelta(minutes=minutes)

    @staticmethod
    def b_head(minutes: float, waiting: int = 1, a_open: int = 2, ticket_id: int = 2) -> QueueHead:
        return QueueHead("b1", ticket_id, 1, T0 + timedelta(minutes=minutes), waiting, a_open=a_open)

    def test_a_young_short_b_queue_is_left_to_its_own_a_windows(self) -> None:
        young = self.b_head(10, waiting=1)
        assert self.rule.choose(W, [young], self.at(12)) is None
        # ... and the window learns when to look again: when that ticket has waited 15 minutes
        assert self.rule.recheck_at(W, [young], self.at(12)) == self.at(25)

    def test_b_queue_falling_behind_gets_help(self) -> None:
        # two open A windows: more than one waiting ticket (0.5 per window) means they are behind
        assert self.rule.choose(W, [self.b_head(10, waiting=2)], self.at(12)).ticket_id == 2
        assert self.rule.choose(W, [self.b_head(10, waiting=1)], self.at(12)) is None

    def test_b_ticket_waiting_15_minutes_gets_help(self) -> None:
        assert self.rule.choose(W, [self.b_head(0, waiting=1)], self.at(15)).ticket_id == 2

    def test_own_work_wins_unless_b_waited_the_bonus_longer(self) -> None:
        a = head("a1", 1, 10)
        assert self.rule.choose(W, [a, self.b_head(6, waiting=3)], self.at(12)).ticket_id == 1
        assert self.rule.choose(W, [a, self.b_head(4, waiting=3)], self.at(12)).ticket_id == 2

    def test_b_service_is_own_work_when_its_a_windows_are_all_away(self) -> None:
        orphan = self.b_head(11, waiting=1, a_open=0)
        assert self.rule.choose(W, [head("a1", 1, 10), orphan], self.at(12)).ticket_id == 1
        assert self.rule.choose(W, [head("a1", 1, 10), self.b_head(4, a_open=0)], self.at(12)).ticket_id == 2
        assert self.rule.choose(W, [orphan], self.at(12)).ticket_id == 2

    def test_green_priority_and_transfers(self) -> None:
        green_b = QueueHead("b1", 2, 0, self.at(11), 3, a_open=2)
        assert self.rule.choose(W, [head("a1", 1, 0), green_b], self.at(12)).ticket_id == 2
        sent_here = head("zz", 9, 6, targeted=True)
        assert self.rule.choose(W, [head("a1", 1, 7), sent_here], self.at(12)).ticket_id == 9
        assert self.rule.choose(W, [head("zz", 3, 0)], self.at(12)) is None

    def test_a_window_with_no_b_services(self) -> None:
        only_a = WindowView("W9", frozenset({"a1"}), frozenset())
        assert self.rule.choose(only_a, [self.b_head(0, waiting=9)], self.at(12)) is None
        assert self.rule.recheck_at(only_a, [self.b_head(0)], self.at(12)) is None
        assert self.rule.queues_for(only_a, ["a1", "b1"]) == frozenset({"a1"})


class TestOwnFirstRule:
    """own-first: own work while any waits; else the longest-waiting B ticket; B competes after 15 min."""

    rule = OwnFirstPolicy(b_help_after_s=900)

    def at(self, minutes: float) -> datetime:
        return T0 + timedelta(minutes=minutes)

    @staticmethod
    def b_head(minutes: float, a_open: int = 2, ticket_id: int = 2) -> QueueHead:
        return QueueHead("b1", ticket_id, 1, T0 + timedelta(minutes=minutes), 1, a_open=a_open)

    def test_own_work_first_however_long_the_b_queue(self) -> None:
        assert self.rule.choose(W, [head("a1", 1, 11), self.b_head(0)], self.at(12)).ticket_id == 1

    def test_with_nothing_of_its_own_the_window_helps_at_once(self) -> None:
        assert self.rule.choose(W, [self.b_head(11.9)], self.at(12)).ticket_id == 2
        assert self.rule.recheck_at(W, [self.b_head(11.9)], self.at(12)) is None

    def test_a_b_ticket_past_15_minutes_competes_with_own_work_by_its_wait(self) -> None:
        assert self.rule.choose(W, [head("a1", 1, 1), self.b_head(0)], self.at(15)).ticket_id == 2
        assert self.rule.choose(W, [head("a1", 1, 0), self.b_head(0.5)], self.at(16)).ticket_id == 1

    def test_takeover_transfers_and_green(self) -> None:
        orphan = self.b_head(11, a_open=0)  # its A windows are all away: own work, by its wait
        assert self.rule.choose(W, [head("a1", 1, 11.5), orphan], self.at(12)).ticket_id == 2
        sent_here = head("zz", 9, 6, targeted=True)
        assert self.rule.choose(W, [head("a1", 1, 7), sent_here], self.at(12)).ticket_id == 9
        green_b = QueueHead("b1", 3, 0, self.at(11), 1, a_open=2)
        assert self.rule.choose(W, [head("a1", 1, 0), green_b], self.at(12)).ticket_id == 1
        assert self.rule.choose(W, [green_b, self.b_head(0)], self.at(12)).ticket_id == 3
        assert self.rule.choose(W, [head("zz", 5, 0)], self.at(12)) is None


@given(
    st.lists(
        st.tuples(st.sampled_from(["a1", "b1", "zz"]), st.integers(0, 1800), st.booleans(), st.booleans()),
        max_size=12,
    )
)
def test_own_first_never_idles_and_never_helps_early_while_own_work_waits(
    rows: list[tuple[str, int, bool, bool]],
) -> None:
    now = T0 + timedelta(minutes=30)
    heads = [head(s, i + 1, m / 60, green=g, targeted=t) for i, (s, m, g, t) in enumerate(rows)]
    chosen = OwnFirstPolicy().choose(W, heads, now)
    servable = [h for h in heads if h.targeted or h.service_id in ("a1", "b1")]
    assert (chosen is None) == (not servable)
    own = [h for h in servable if h.targeted or h.service_id == "a1"]
    if chosen is not None and own and chosen not in own:
        assert (now - chosen.queued_at).total_seconds() >= 900


def test_baselines_look_at_their_own_queues() -> None:
    services = ["a1", "b1", "c1"]
    assert DedicatedPolicy().queues_for(W, services) == {"a1"}
    assert PooledPolicy().queues_for(W, services) == {"a1", "b1", "c1"}
    assert DedicatedPolicy().choose(W, [head("b1", 2, 0)], T0) is None
    assert PooledPolicy().choose(W, [head("c1", 3, 1), head("b1", 2, 0)], T0).ticket_id == 2
