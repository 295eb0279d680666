"""The hall file's settings sections ([hall] with its hours, call rule, alerts, staffing and ticket;
[calendar], [ratings], [appointments], [limits], [ranking]): typed, validated, each with its defaults."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from hallq.config.rating_rules import Indicators
from hallq.config.tomlfile import StrictModel

_Model = StrictModel


class Hours(_Model):
    """Opening hours. Issuing stops at `stop_issuing`; windows keep calling until everyone is served."""

    open: time = time(9, 0)
    close: time = time(17, 0)
    lunch: tuple[time, time] | None = None
    stop_issuing: time | None = None
    weekdays: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    enforce: bool = True

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise ValueError("weekdays are ISO numbers 1 (Monday) to 7 (Sunday), at least one")
        return value

    @property
    def last_issue(self) -> time:
        return self.stop_issuing or self.close


class CallRule(_Model):
    """Which A/B rule the windows call by, and its parameters (docs/call-rule.md); defaults as measured."""

    #: "own-first" (the default: own work first, help whenever nothing of one's own waits), "ab" (a window
    #: helps only when the other department falls behind) or "longest-wait"
    rule: Literal["ab", "own-first", "longest-wait"] = "own-first"
    help_queue_per_a_window: float = Field(default=0.5, ge=0)
    b_help_after_s: float = Field(default=900.0, ge=0)
    a_bonus_s: float = Field(default=300.0, ge=0)


class Alerts(_Model):
    """When managers are alerted about a zone (halls: "over 15 minutes, or more than 10 waiting a window")."""

    longest_wait_s: float = Field(default=900.0, gt=0)
    waiting_per_open_window: float = Field(default=10.0, gt=0)
    #: a window paused longer than this shows as an alert on the managers' live page
    paused_window_s: float = Field(default=900.0, gt=0)
    #: a serial device or printer offline or in fault longer than this is an alert (a board that blinks off
    #: for a moment is not)
    device_down_s: float = Field(default=120.0, gt=0)


class Staffing(_Model):
    """What-if advice on the managers' pages (docs/manager.md, "What if")."""

    #: the staffing advice keeps 90% of citizens' waits under this
    p90_wait_target_s: float = Field(default=900.0, gt=0)
    #: a typical day of the week is learned from this many past weeks
    weeks: int = Field(default=4, ge=1, le=26)
    #: windows busy less than this share of their open time are offered for consolidation (综合窗口)
    quiet_below: float = Field(default=0.3, gt=0, lt=1)


class TicketPrinting(_Model):
    """The printed ticket: where its QR code points, how many materials it lists, which CJK font draws it."""

    public_url: str = Field(default="", pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$")
    max_materials: int = Field(default=6, ge=1, le=20)
    font: str = ""


class HallInfo(_Model):
    name: str = Field(min_length=1)
    name_en: str = ""
    timezone: str = "Asia/Shanghai"
    hours: Hours = Field(default_factory=Hours)
    call_rule: CallRule = Field(default_factory=CallRule)
    alerts: Alerts = Field(default_factory=Alerts)
    staffing: Staffing = Field(default_factory=Staffing)
    footer: str = ""
    ticket: TicketPrinting = Field(default_factory=TicketPrinting)
    #: 下一位 on a ticket called and never started: the citizen came and was served (most clerks never press
    #: 开始办理), or did not come
    next_ends_called_as: Literal["finished", "no_show"] = "finished"
    #: sites allowed to show the kiosk and display pages in a frame (a signage system that frames web pages),
    #: e.g. ["https://signage.example.gov.cn"]; no page may be framed by default
    screens_framed_by: list[Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")]] = Field(
        default_factory=list, max_length=8
    )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Calendar(_Model):
    """Which days are working days: the hall's weekdays, minus public holidays, plus 调休 make-up days."""

    holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)


class Ratings(_Model):
    """好差评 (docs/ratings.md): how long a visit may be rated, and the follow-up of bad ratings."""

    #: after finishing, a visit may be rated this long (window pad, tablet or the phone); then it is unrated
    open_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)
    #: a bad rating's follow-up (回访/整改) is due this many working days after the rating
    follow_up_working_days: int = Field(default=5, ge=1, le=60)
    #: the content each level offers (整体满意度 with 服务效率, 服务水平, 服务态度), a versioned list
    indicators: Indicators = Field(default_factory=Indicators)
    #: integrity flags for managers: more ratings than this from one device or address within a minute (a
    #: visit takes minutes; scripts that post 5-star ratings in bulk exist)
    flag_per_minute: int = Field(default=3, ge=1, le=60)
    #: a window (or clerk) with at least `flag_min_visits` served in the period whose rated share (评价率)
    #: or 非常满意 share of its ratings reaches this is flagged as implausible
    flag_share: float = Field(default=0.98, gt=0.5, le=1.0)
    flag_min_visits: int = Field(default=30, ge=5, le=10000)

    @model_validator(mode="before")
    @classmethod
    def _reasons_replaced(cls, data: Any) -> Any:
        if isinstance(data, dict) and "reasons" in data:
            raise ValueError(
                "ratings.reasons is replaced by [ratings.indicators] (content for each level, versioned; "
                "docs/manager.md)"
            )
        return data


class Appointments(_Model):
    """预约 check-in at the kiosk (docs/call-rule.md): a booked citizen queues from the start of the slot."""

    #: check-in opens this many minutes before the slot starts
    check_in_before_min: int = Field(default=30, ge=0, le=240)
    #: and stays open this many minutes after; later, the citizen takes an ordinary ticket
    grace_after_min: int = Field(default=15, ge=0, le=240)


class Limits(_Model):
    """Rate limits against abuse of a public kiosk or the login (0 turns one off); docs/reliability.md."""

    #: tickets one kiosk (its token) may take a minute: a person at a touch screen takes one in 5-10 s
    issues_per_kiosk_per_minute: int = Field(default=30, ge=0)
    #: tickets from one network address a minute, whatever the token
    issues_per_address_per_minute: int = Field(default=60, ge=0)
    #: wrong passwords for one username from one address in 15 minutes before logins are refused
    login_failures_per_15_minutes: int = Field(default=10, ge=0)
    #: wrong passwords for one username from all addresses together in 15 minutes (a guess spread over many
    #: addresses): then that username waits, whoever asks
    login_failures_per_username_per_15_minutes: int = Field(default=30, ge=0)
    #: login attempts (right or wrong, any username) from one address a minute, refused before the password
    #: is checked: checking one costs ~0.1 s of CPU
    login_attempts_per_address_per_minute: int = Field(default=30, ge=0)
    #: tickets one kiosk may take a minute for one service: a flood that would spend a capped service's day
    #: is slowed down and reported to managers
    issues_per_kiosk_per_service_per_minute: int = Field(default=10, ge=0)
    #: times one ticket may be printed again (a roll of paper is not emptied by a stuck button)
    reprints_per_ticket: int = Field(default=3, ge=0)
    #: 限号: tickets one person (mobile number or ID card) may take a day for a service that asks who
    #: takes the ticket (a service's `ask_identity`); a service may set its own `tickets_per_person_per_day`
    tickets_per_person_per_service_per_day: int = Field(default=1, ge=1)


class Ranking(_Model):
    """The monthly ranking of windows (红旗窗口) and clerks (先进工作者): weights of a score out of 100."""

    satisfaction_weight: float = Field(default=0.5, ge=0)
    timeliness_weight: float = Field(default=0.3, ge=0)
    attendance_weight: float = Field(default=0.2, ge=0)
    #: points off per percentage point of the month's rated visits that were bad (a rate, not a count)
    bad_rating_penalty: float = Field(default=1.0, ge=0)
    #: a ticket is "timely" when called within this many seconds of issue
    wait_target_s: int = Field(default=900, gt=0)
    #: fewer rated visits than this in the month: listed, not ranked
    min_rated: int = Field(default=20, ge=0)
    #: how many windows and clerks get the title
    titles: int = Field(default=3, ge=0, le=50)
