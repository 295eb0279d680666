"""Request bodies of the API (their JSON Schemas also feed the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class IssueTicket(_Body):
    service_id: StrictStr = Field(min_length=1, max_length=32)
    priority: Literal["normal", "green"] = "normal"
    appointment_code: StrictStr | None = Field(default=None, max_length=64)
    kiosk_id: StrictStr | None = Field(default=None, max_length=64)
    #: where a service asks who takes the ticket (限号): checked, counted under a keyed hash, never stored
    phone: StrictStr | None = Field(default=None, max_length=20)
    id_number: StrictStr | None = Field(default=None, max_length=24)


class Reprint(_Body):
    kiosk_id: StrictStr | None = Field(default=None, max_length=64)


class Rate(_Body):
    level: StrictInt = Field(ge=1, le=5)
    reasons: list[StrictStr] | None = Field(default=None, max_length=5)


class CallTicket(_Body):
    ticket_id: StrictInt = Field(gt=0)


class Transfer(_Body):
    service_id: StrictStr | None = Field(default=None, max_length=32)
    window_id: StrictStr | None = Field(default=None, max_length=32)


class Login(_Body):
    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=256)


class Empty(_Body):
    pass


class FollowUpChange(_Body):
    status: Literal["contacted", "resolved"]
    note: StrictStr | None = Field(default=None, max_length=2000)
