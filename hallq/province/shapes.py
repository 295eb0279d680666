"""What a rating looks like on the wire, per adapter: pure functions of the report's payload.

The payload (operations/rating_reports.py builds it when the rating is written) is the `json-http` shape
itself, documented in docs/manager.md and in the OpenAPI document (`ProvinceRating`). `anhui` re-words it
into the field names of the Anhui 好差评 interface as public integration code shows them (docs/manager.md
cites it and lists what it leaves open).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from hallq.config.rating_rules import Province


@dataclass(frozen=True)
class Request:
    """One HTTP POST: its body and content type."""

    body: bytes
    content_type: str


def json_http(payload: dict[str, Any]) -> list[Request]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return [Request(body, "application/json; charset=utf-8")]


def _twice_base64(text: str) -> str:
    once = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return base64.b64encode(once.encode("ascii")).decode("ascii")


def anhui_parameters(payload: dict[str, Any], province: Province) -> list[list[tuple[str, str]]]:
    """The parameter list of each case (一事一评: one message per 办件); a visit without a case number sends
    one with an empty projNo, which the province may refuse (its answer is shown to managers)."""
    channel = province.channel_codes.get(payload["channel"], payload["channel"])
    clerk = payload["clerk"] or {}
    people = [{"loginName": clerk.get("login", ""), "name": clerk.get("name", "")}] if clerk else []
    applicant = payload.get("applicant") or {}
    cases = payload["cases"] or [{"case_number": "", "service_code": payload["service_code"], "name": ""}]
    messages = []
    for case in cases:
        fields = [
            ("key", channel),
            ("evaluateChannel", channel),
            ("projNo", case["case_number"]),
            ("projName", case.get("name") or payload["service_name"]),
            ("serviceName", payload["service_name"]),
            ("serviceCode", case.get("service_code") or payload["service_code"]),
            ("serviceDepartment", payload["department"]),
            ("serviceDepartmentCode", payload["department_code"]),
            ("applicantName", applicant.get("name", "")),
            ("applicantCardNumber", applicant.get("id_number", "")),
            ("applicantPhone", applicant.get("phone", "")),
            ("regionCode", payload["region_code"]),
            ("regionName", payload["region_name"]),
            ("transactionTime", _plain_time(payload["served_at"])),
            ("evaluatedPersonInfo", json.dumps(people, ensure_ascii=False, separators=(",", ":"))),
            # the rating itself: the public material does not name these fields (its pad page collects the
            # rating); hallq's names, documented in docs/manager.md
            ("messageId", payload["id"] if len(cases) == 1 else f"{payload['id']}-{case['case_number']}"),
            ("evaluateLevel", str(payload["level"]) if payload["level"] is not None else ""),
            ("evaluateLevelName", payload["level_name"]),
            ("evaluateContent", "；".join(f"{i['indicator']}:{i['text']}" for i in payload["indicators"])),
            ("evaluateComment", payload["comment"] or ""),
            ("evaluateTime", _plain_time(payload["rated_at"])),
        ]
        fields += sorted(province.fields.items())
        messages.append(fields)
    return messages


def anhui(payload: dict[str, Any], province: Province) -> list[Request]:
    """Each case's parameters as a query string, Base64-encoded twice (as the material encodes them), in one
    form field."""
    requests = []
    for fields in anhui_parameters(payload, province):
        # the material joins the values unescaped ("&projNo=" + projNo); escaped here, so a "&" in a name
        # cannot split a field
        encoded = _twice_base64(urlencode(fields))
        body = urlencode({province.form_field: encoded}).encode("ascii")
        requests.append(Request(body, "application/x-www-form-urlencoded"))
    return requests


def requests_for(payload: dict[str, Any], province: Province) -> list[Request]:
    if province.adapter == "anhui":
        return anhui(payload, province)
    return json_http(payload)


def decode_anhui(form_value: str) -> dict[str, str]:
    """The receiving side of `anhui` (the province emulator, tests): the parameters back from the field."""
    from urllib.parse import parse_qsl

    once = base64.b64decode(form_value).decode("ascii")
    return dict(parse_qsl(base64.b64decode(once).decode("utf-8"), keep_blank_values=True))


def _plain_time(iso: str | None) -> str:
    """ "2026-12-06T10:15:00+08:00" -> "2026-12-06 10:15:00" (the material's yyyy-MM-dd HH:mm:ss, local)."""
    return iso[:19].replace("T", " ") if iso else ""
