"""The OpenAPI document's 好差评 part: the evaluation trigger, appeals, and `ProvinceRating`, the JSON object
the `json-http` adapter POSTs to the province for each rating (docs/manager.md)."""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}

PROVINCE_RATING: dict[str, Any] = {
    "type": "object",
    "description": "One rating as the json-http adapter sends it (2xx = delivered; a repeat has the same id)",
    "required": [
        "id",
        "kind",
        "hall_id",
        "region_code",
        "case_numbers",
        "service_code",
        "department",
        "window",
        "clerk",
        "channel",
        "level",
        "level_name",
        "indicators",
        "comment",
        "served_at",
        "rated_at",
    ],
    "properties": {
        "id": {
            **_TEXT,
            "description": "stable per message: '<hall_code>-rating-<n>'; a change adds '-appeal'",
        },
        "kind": {"enum": ["rating", "appeal"]},
        "rating": {**_TEXT, "description": "for kind appeal: the id of the rating it changes"},
        "hall_id": {**_TEXT, "description": "[province] hall_code"},
        "region_code": {**_TEXT, "description": "行政区划代码, [province] region_code"},
        "region_name": _TEXT,
        "case_numbers": {
            "type": "array",
            "items": _TEXT,
            "description": "办件编号; empty for a visit without",
        },
        "cases": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"case_number": _TEXT, "service_code": _TEXT, "name": _TEXT},
            },
        },
        "service_code": {**_TEXT, "description": "事项编码 of the ticket's service"},
        "service_name": _TEXT,
        "department": {**_TEXT, "description": "进驻部门"},
        "department_code": _TEXT,
        "window": {
            "type": ["object", "null"],
            "properties": {"id": _TEXT, "number": {"type": "integer"}, "name": _TEXT},
        },
        "clerk": {"type": ["object", "null"], "properties": {"login": _TEXT, "name": _TEXT}},
        "channel": {"enum": ["pad", "tablet", "phone", "staff"]},
        "level": {"type": "integer", "minimum": 1, "maximum": 5},
        "level_name": {"enum": ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]},
        "indicator_version": {
            **_TEXT,
            "description": "[ratings.indicators] version the content was offered under",
        },
        "indicators": {
            "type": "array",
            "items": {"type": "object", "properties": {"indicator": _TEXT, "text": _TEXT}},
        },
        "comment": _NULLABLE_TEXT,
        "ticket": _TEXT,
        "served_at": _TIME,
        "rated_at": _TIME,
        "excluded": {"type": "boolean", "description": "an upheld appeal: out of the hall's figures"},
        "appeal": {
            "type": "object",
            "description": "kind appeal: state (upheld/rejected), reason, decided_at",
        },
        "applicant": {
            "type": "object",
            "description": "only with [province] send_applicant; dropped from the hall's copy once delivered",
        },
    },
}


def paths(
    evaluation_body: dict[str, Any], appeal_body: dict[str, Any], decision_body: dict[str, Any]
) -> dict[str, Any]:
    window = [{"name": "window_id", "in": "path", "required": True, "schema": _TEXT}]
    rating = [{"name": "rating_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    errors = {str(code): {"description": "error"} for code in (400, 401, 403, 404, 409, 415, 422)}
    answer = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "/api/v1/windows/{window_id}/evaluation": {
            "post": {
                "summary": "Evaluation trigger: a case system (integration token) or the clerk ties cases "
                "(办件编号, 事项编码) to the visit in hand, or to the one finished last (its tablet asks "
                "again)",
                "parameters": window,
                "requestBody": evaluation_body,
                "responses": {"200": answer, **errors},
            }
        },
        "/api/v1/ratings/{rating_id}/appeal": {
            "post": {
                "summary": "申诉: the window's clerk asks that a bad rating not count (one per rating)",
                "parameters": rating,
                "requestBody": appeal_body,
                "responses": {"201": answer, **errors},
            }
        },
        "/api/v1/ratings/{rating_id}/appeal/decision": {
            "post": {
                "summary": "A manager upholds (the rating leaves the figures) or rejects an appeal; audited",
                "parameters": rating,
                "requestBody": decision_body,
                "responses": {"200": answer, **errors},
            }
        },
        "/api/v1/appeals": {
            "get": {"summary": "Appeals, newest first (managers)", "responses": {"200": answer, **errors}}
        },
        "/api/v1/ratings/flags": {
            "get": {
                "summary": "Integrity flags: bursts from one device, ratings from the clerk's own route, "
                "implausible rated or 非常满意 shares (?from=&to=, default today)",
                "parameters": [
                    {"name": "from", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "to", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {"200": answer, **errors},
            }
        },
        "/api/v1/province/status": {
            "get": {
                "summary": "Reports to the province: pending, delivered, failing, oldest age, last answer",
                "responses": {"200": answer, **errors},
            }
        },
    }
