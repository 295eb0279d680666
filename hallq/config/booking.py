"""The hall file's [booking] (号源: bookable slots per service and weekday, and the rules against abuse) and
[messages] (the text messages a citizen may ask for, and the adapter that sends them); docs/booking.md."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hallq.config.tomlfile import ID_PATTERN, Problem, StrictModel


class Quota(StrictModel):
    """Slots of one service on some weekdays: `hours` cut into `slot_minutes`, each taking `capacity`
    bookings, of which `province_share` are kept for the province's platform (they come through
    POST /api/v1/appointments; hallq's own page offers the rest)."""

    service: str = Field(pattern=ID_PATTERN)
    weekdays: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    hours: tuple[time, time]
    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(ge=1, le=1000)
    province_share: int = Field(default=0, ge=0)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise ValueError("weekdays are ISO numbers 1 (Monday) to 7 (Sunday), at least one")
        return sorted(set(value))

    @model_validator(mode="after")
    def _consistent(self) -> Quota:
        if self.hours[0] >= self.hours[1]:
            raise ValueError("hours: the start must come before the end")
        if self.province_share >= self.capacity:
            raise ValueError("province_share must leave at least one place for hallq's own booking page")
        return self


class Booking(StrictModel):
    """预约: the booking page (/book) and every other channel book against `quotas`."""

    quotas: list[Quota] = Field(default_factory=list)
    #: how many days ahead a citizen may book (today counts as day 0)
    days_ahead: int = Field(default=7, ge=0, le=90)
    #: a slot closes for booking this many minutes before it starts
    closes_before_min: int = Field(default=30, ge=0, le=24 * 60)
    #: active bookings one mobile number may hold for slots in one week (one per service besides)
    per_phone_per_week: int = Field(default=3, ge=1, le=50)
    #: bookings one network address may make in an hour (no captcha: a throttle)
    per_address_per_hour: int = Field(default=10, ge=0)
    #: 爽约: `no_shows` bookings not checked in within `no_show_days` block booking for `block_days`
    no_shows: int = Field(default=3, ge=1, le=50)
    no_show_days: int = Field(default=30, ge=1, le=365)
    block_days: int = Field(default=30, ge=1, le=365)

    @property
    def enabled(self) -> bool:
        return bool(self.quotas)


class Templates(StrictModel):
    """The template of each message at the SMS service (a template id there, or a name of the hall's own
    gateway); the parameters each gets are listed in docs/booking.md."""

    near: str = Field(default="near", max_length=64)
    called: str = Field(default="called", max_length=64)
    reminder_day: str = Field(default="reminder_day", max_length=64)
    reminder_hour: str = Field(default="reminder_hour", max_length=64)


class Messages(StrictModel):
    """Messages to a citizen's phone: when `notify_when_ahead` people are ahead, when called, and booking
    reminders. `adapter = "none"` sends nothing and the pages do not offer them."""

    adapter: Literal["none", "http", "aliyun", "tencent"] = "none"
    notify_when_ahead: int = Field(default=3, ge=1, le=50)
    #: http: the hall's own gateway, POST JSON {"id", "phone", "template", "params"}; 2xx = sent
    url: str = Field(default="", pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$")
    #: http: a bearer token from this environment variable
    token_env: str = Field(default="", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$|^$")
    #: aliyun, tencent: the service's endpoint (empty: the vendor's public one) and the access key's
    #: environment variables (never the key itself in the hall file)
    endpoint: str = Field(default="", max_length=200)
    key_id_env: str = Field(default="HALLQ_SMS_KEY_ID", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    key_secret_env: str = Field(default="HALLQ_SMS_KEY_SECRET", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    #: aliyun, tencent: the approved signature (签名)
    sign_name: str = Field(default="", max_length=32)
    #: tencent: the SMS application (SdkAppId) and the region
    sdk_app_id: str = Field(default="", max_length=32)
    region: str = Field(default="ap-guangzhou", max_length=32)
    templates: Templates = Field(default_factory=Templates)
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    retry_first_s: float = Field(default=5.0, gt=0, le=3600)
    retry_max_s: float = Field(default=300.0, gt=0, le=86400)
    #: a message not sent by then is dropped (a "your turn is near" an hour late helps nobody)
    give_up_after_min: int = Field(default=30, ge=1, le=24 * 60)

    @property
    def enabled(self) -> bool:
        return self.adapter != "none"

    @model_validator(mode="after")
    def _adapter_needs(self) -> Messages:
        if self.adapter == "http" and not self.url:
            raise ValueError('adapter "http" needs url')
        if self.adapter in ("aliyun", "tencent") and not self.sign_name:
            raise ValueError(f'adapter "{self.adapter}" needs sign_name (the approved 签名)')
        if self.adapter == "tencent" and not self.sdk_app_id:
            raise ValueError('adapter "tencent" needs sdk_app_id')
        return self


def booking_problems(booking: Booking, service_ids: set[str]) -> list[Problem]:
    """Quotas name known services, and no two quotas of a service overlap on a weekday."""
    problems: list[Problem] = []
    for index, quota in enumerate(booking.quotas):
        if quota.service not in service_ids:
            problems.append(Problem(f"booking.quotas[{index}].service", f'unknown service "{quota.service}"'))
        for other_index, other in enumerate(booking.quotas[:index]):
            same_days = set(quota.weekdays) & set(other.weekdays)
            overlap = quota.hours[0] < other.hours[1] and other.hours[0] < quota.hours[1]
            if other.service == quota.service and same_days and overlap:
                what = f"overlaps booking.quotas[{other_index}] on weekdays {sorted(same_days)}"
                problems.append(Problem(f"booking.quotas[{index}].hours", what))
    return problems
