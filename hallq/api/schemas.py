"""Request bodies of the API (their JSON Schemas also feed the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from hallq.store.models import MAX_ID


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class IssueTicket(_Body):
    #: may be left out when checking in with an appointment code: the booking says which service
    service_id: StrictStr | None = Field(default=None, min_length=1, max_length=32)
    priority: Literal["normal", "green"] = "normal"
    #: 预约: the code of a booking, checked in at the kiosk (docs/call-rule.md)
    appointment_code: StrictStr | None = Field(default=None, min_length=1, max_length=64)
    kiosk_id: StrictStr | None = Field(default=None, max_length=64)
    #: where a service asks who takes the ticket (限号): checked, counted under a keyed hash, never stored
    phone: StrictStr | None = Field(default=None, max_length=20)
    id_number: StrictStr | None = Field(default=None, max_length=24)

    @model_validator(mode="after")
    def _service_or_booking(self) -> IssueTicket:
        if self.service_id is None and self.appointment_code is None:
            raise ValueError("give service_id, or appointment_code to check in for a booking")
        return self


class NewAppointment(_Body):
    """A booked slot (预约) from the booking system: the code the citizen types at the kiosk to check in."""

    code: StrictStr = Field(pattern=r"^[A-Za-z0-9-]{4,64}$")
    service_id: StrictStr = Field(min_length=1, max_length=32)
    #: the start of the slot, with its UTC offset (2026-12-07T10:30:00+08:00): within a year from now
    slot_at: AwareDatetime


class NewBooking(_Body):
    """A booking from the booking page (/book): a slot of GET /api/v1/booking/slots, who comes, and a mobile
    number for the reminders and the 爽约 count."""

    service_id: StrictStr = Field(min_length=1, max_length=32)
    #: a slot's "start" as GET /api/v1/booking/slots gives it
    slot_start: AwareDatetime
    name: StrictStr = Field(min_length=1, max_length=64)
    phone: StrictStr = Field(min_length=1, max_length=20)


class NotifyMe(_Body):
    """A mobile number for a ticket's messages: from the issuing kiosk (its token), or with the ticket's
    status token (the phone page, no login)."""

    phone: StrictStr = Field(min_length=1, max_length=20)
    status_token: StrictStr | None = Field(default=None, min_length=1, max_length=100)


class Reprint(_Body):
    kiosk_id: StrictStr | None = Field(default=None, max_length=64)


class ConfigSave(_Body):
    """A new version of the hall's configuration, made on `base_version` (GET /api/v1/config's version)."""

    base_version: StrictInt = Field(ge=0, le=MAX_ID)
    #: the hall file as JSON: the same keys as the TOML (docs/hall-config.md)
    hall: dict[str, Any]
    note: StrictStr = Field(default="", max_length=500)


class ConfigRestore(_Body):
    #: the version the restore is made on: the current one, as for a save
    base_version: StrictInt | None = Field(default=None, ge=0, le=MAX_ID)
    note: StrictStr = Field(default="", max_length=500)


class MoveWaiting(_Body):
    #: the service the waiting tickets wait for from now on
    to_service: StrictStr = Field(max_length=32)


class NewUser(_Body):
    username: StrictStr = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    display_name: StrictStr | None = Field(default=None, max_length=64)
    role: Literal["clerk", "manager", "admin"] = "clerk"
    password: StrictStr = Field(min_length=8, max_length=256)
    #: the windows a clerk may sign in at; empty: any
    windows: list[Annotated[StrictStr, Field(max_length=32)]] = Field(default_factory=list, max_length=200)


class UserChange(_Body):
    display_name: StrictStr | None = Field(default=None, min_length=1, max_length=64)
    role: Literal["clerk", "manager", "admin"] | None = None
    #: a new password (also for one forgotten); every session of the user ends
    password: StrictStr | None = Field(default=None, min_length=8, max_length=256)
    #: false: someone who left; every session of theirs ends at once
    active: StrictBool | None = None
    #: the windows a clerk may sign in at; [] for any
    windows: list[Annotated[StrictStr, Field(max_length=32)]] | None = Field(default=None, max_length=200)


class NewToken(_Body):
    role: Literal[
        "kiosk", "agent", "display", "bridge", "evaluator", "integration", "clerk", "manager", "admin"
    ]
    name: StrictStr | None = Field(default=None, max_length=64)
    window_id: StrictStr | None = Field(default=None, max_length=32)
    kiosk_id: StrictStr | None = Field(default=None, max_length=32)


class VoidTicket(_Body):
    reason: StrictStr = Field(min_length=1, max_length=200, pattern=r"\S")


class Rate(_Body):
    level: StrictInt = Field(ge=1, le=5)
    #: the content chosen, from the level's list in [ratings.indicators] (GET /status/<token>: rating.content)
    reasons: list[StrictStr] | None = Field(default=None, max_length=10)
    #: the citizen's own words (其他)
    comment: StrictStr | None = Field(default=None, max_length=300)


class CaseRef(_Body):
    """One case (办件) a visit closed, as the department's case system knows it."""

    case_number: StrictStr = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:/-]+$")
    service_code: StrictStr = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")
    name: StrictStr = Field(default="", max_length=100)


class Applicant(_Body):
    """Who applied: kept only where the province requires it ([province] send_applicant)."""

    name: StrictStr = Field(default="", max_length=64)
    id_number: StrictStr = Field(default="", max_length=32)
    phone: StrictStr = Field(default="", max_length=20)


class Evaluation(_Body):
    """A department's case system arms the window's rating pad for the visit in hand (or the last one)."""

    cases: list[CaseRef] = Field(min_length=1, max_length=10)
    applicant: Applicant | None = None


class CallTicket(_Body):
    ticket_id: StrictInt = Field(gt=0, le=MAX_ID)


class Transfer(_Body):
    service_id: StrictStr | None = Field(default=None, max_length=32)
    window_id: StrictStr | None = Field(default=None, max_length=32)


class Login(_Body):
    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=256)


class Empty(_Body):
    pass


class OpenWindow(_Body):
    #: sign in at a window another clerk is signed in to (shift change, a colleague who forgot to sign out)
    take_over: StrictBool = False


class FollowUpChange(_Body):
    status: Literal["contacted", "resolved"]
    note: StrictStr | None = Field(default=None, max_length=2000)


class Appeal(_Body):
    reason: StrictStr = Field(min_length=2, max_length=500, pattern=r"\S")


class AppealDecision(_Body):
    decision: Literal["upheld", "rejected"]
    note: StrictStr = Field(min_length=2, max_length=500, pattern=r"\S")


class DeviceStatus(_Body):
    """A bridge reports one of its serial devices: answering, not answering, or refusing requests."""

    state: Literal["ok", "offline", "fault"]
    message: StrictStr | None = Field(default=None, max_length=200)
