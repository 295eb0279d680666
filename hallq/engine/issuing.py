"""Whether the hall may issue a ticket now: hours, lunch break, stop-issuing time, daily caps; and when an
appointment check-in joins the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Protocol

from hallq.engine.calendar import WorkCalendar


class OpeningHours(Protocol):
    """What issuing and the zone alerts read of the hall file's opening hours."""

    @property
    def enforce(self) -> bool: ...
    @property
    def open(self) -> time: ...
    @property
    def close(self) -> time: ...
    @property
    def last_issue(self) -> time: ...
    @property
    def lunch(self) -> tuple[time, time] | None: ...


class Capped(Protocol):
    """A zone or a service of the hall file, with its daily cap (放号量) if it has one."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def daily_cap(self) -> int | None: ...


class Offered(Protocol):
    """What a service of the hall file says of who may take its tickets, and when."""

    @property
    def name(self) -> str: ...
    @property
    def retiring(self) -> bool: ...
    @property
    def green_channel(self) -> bool: ...
    @property
    def issuing_hours(self) -> tuple[time, time] | None: ...


@dataclass(frozen=True)
class IssueRefused(Exception):
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def check_hours(hours: OpeningHours, calendar: WorkCalendar, tz: tzinfo, now: datetime) -> None:
    """Raise IssueRefused when the hall does not issue tickets at `now` (read in the hall's time zone)."""
    if not hours.enforce:
        return
    local = now.astimezone(tz)
    clock = local.time()
    if not calendar.is_working_day(local.date()):
        raise IssueRefused("hall_closed", "今天不办公 / The hall is closed today")
    if clock < hours.open:
        raise IssueRefused(
            "hall_closed", f"尚未开始取号，{hours.open:%H:%M} 开始 / Issuing starts at {hours.open:%H:%M}"
        )
    if clock >= hours.last_issue:
        raise IssueRefused("issuing_stopped", "今日已停止取号 / Ticket issuing has stopped for today")
    if hours.lunch and hours.lunch[0] <= clock < hours.lunch[1]:
        start, end = hours.lunch
        raise IssueRefused(
            "lunch_break",
            f"午休时间 {start:%H:%M}-{end:%H:%M}，{end:%H:%M} 恢复取号 / "
            f"Lunch break, issuing resumes at {end:%H:%M}",
        )


def next_opening(hours: OpeningHours, calendar: WorkCalendar, tz: tzinfo, now: datetime) -> datetime | None:
    """When issuing next starts after `now`: today's opening, the end of the lunch break, or the next working
    day's opening (None when no working day comes within a year)."""
    local = now.astimezone(tz)
    day, clock = local.date(), local.time()
    if calendar.is_working_day(day):
        if clock < hours.open:
            return datetime.combine(day, hours.open, tz)
        if hours.lunch and hours.lunch[0] <= clock < hours.lunch[1]:
            return datetime.combine(day, hours.lunch[1], tz)
    for ahead in range(1, 367):
        if calendar.is_working_day(day + timedelta(days=ahead)):
            return datetime.combine(day + timedelta(days=ahead), hours.open, tz)
    return None


def check_offered(service: Offered, green: bool, hours: OpeningHours, tz: tzinfo, now: datetime) -> None:
    """Raise IssueRefused when this service takes no ticket now: it is being removed (no new tickets, its
    queue drains), its own issuing hours are over, or a 绿色通道 ticket is asked where it has none."""
    if service.retiring:
        raise IssueRefused(
            "service_retiring", f"{service.name}已停止取号 / {service.name} takes no new tickets"
        )
    if green and not service.green_channel:
        raise IssueRefused(
            "no_green_channel", f"{service.name}不设绿色通道 / {service.name} has no priority lane"
        )
    if service.issuing_hours is not None and hours.enforce:
        start, end = service.issuing_hours
        if not start <= now.astimezone(tz).time() < end:
            raise IssueRefused(
                "service_closed",
                f"{service.name}取号时间为 {start:%H:%M}-{end:%H:%M} / {service.name} issues tickets "
                f"from {start:%H:%M} to {end:%H:%M}",
            )


def check_caps(zone: Capped, service: Capped, zone_count: int, service_count: int) -> None:
    """Counts include the ticket being issued; raise IssueRefused when it passes a daily cap (放号量)."""
    if zone.daily_cap is not None and zone_count > zone.daily_cap:
        raise IssueRefused(
            "daily_cap_reached", f"{zone.name}今日号已发完 / Today's tickets for {zone.id} are gone"
        )
    if service.daily_cap is not None and service_count > service.daily_cap:
        raise IssueRefused(
            "daily_cap_reached", f"{service.name}今日号已发完 / Today's tickets for this service are gone"
        )


def appointment_queue_time(
    slot_at: datetime, now: datetime, before_min: int, grace_min: int, tz: tzinfo
) -> datetime:
    """When a booked citizen checking in `now` joins the queue: at the start of their slot, whether they
    come early or a little late, so they are called near it. Outside the check-in window, IssueRefused."""
    local = slot_at.astimezone(tz).strftime("%H:%M")
    if now < slot_at - timedelta(minutes=before_min):
        raise IssueRefused(
            "appointment_too_early",
            f"您预约的时段 {local} 开始, 请于开始前 {before_min} 分钟内签到 / "
            f"Your slot starts at {local}: check in from {before_min} minutes before",
        )
    if now > slot_at + timedelta(minutes=grace_min):
        raise IssueRefused(
            "appointment_missed",
            f"您预约的时段 {local} 已过签到时间, 请取普通号 / "
            f"Check-in for your {local} slot has closed: please take an ordinary ticket",
        )
    return slot_at
