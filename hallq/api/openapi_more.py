"""OpenAPI paths of ratings by phone, the managers' figures and follow-ups (merged into openapi.document)."""

from __future__ import annotations

from typing import Any

OBJECT = {"type": "object"}
ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _json(ERROR, "error") for code in codes}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


REPORT_QUERY = [
    _query("from", "first day, YYYY-MM-DD (default today)", {"type": "string", "format": "date"}),
    _query("to", "last day, included (default: from)", {"type": "string", "format": "date"}),
    _query("group_by", "default zone", {"enum": ["zone", "service", "window", "clerk", "hour", "day"]}),
]
ROW = {
    "type": "object",
    "description": "one group; formulas in docs/manager.md",
    "properties": {
        name: {"type": ["number", "null"]}
        for name in [
            "tickets",
            "served",
            "no_show",
            "no_show_rate",
            "mean_wait_s",
            "median_wait_s",
            "p90_wait_s",
            "mean_service_s",
            "idle_share",
            "rated",
            "unrated",
            "satisfaction_rate",
            "bad_ratings",
        ]
    },
}
REPORT = {
    "type": "object",
    "required": ["from", "to", "group_by", "rows", "total"],
    "properties": {"rows": {"type": "array", "items": ROW}, "total": ROW},
}


def paths(rate_body: dict[str, Any], follow_up_body: dict[str, Any]) -> dict[str, Any]:
    status_token = {"name": "status_token", "in": "path", "required": True, "schema": {"type": "string"}}
    file_formats = {
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    result: dict[str, Any] = {
        "/api/v1/status/{status_token}/rating": {
            "post": {
                "summary": "The citizen rates the visit from the phone (no login; the status page token)",
                "security": [],
                "parameters": [status_token],
                "requestBody": rate_body,
                "responses": {"201": _json(OBJECT), **_errors(400, 404, 409, 415, 422)},
            }
        },
        "/api/v1/stats/summary": {
            "get": {
                "summary": "Report for a date range by zone, service, window, clerk, hour or day (managers)",
                "parameters": REPORT_QUERY,
                "responses": {"200": _json(REPORT), **_errors(401, 403, 422)},
            }
        },
        "/api/v1/stats/ranking": {
            "get": {
                "summary": "Monthly ranking of windows (红旗窗口) and clerks (先进工作者)",
                "parameters": [_query("month", "YYYY-MM (default: last month)", {"type": "string"})],
                "responses": {"200": _json(OBJECT), **_errors(401, 403, 422)},
            }
        },
        "/api/v1/stats/live": {
            "get": {
                "summary": "The hall now: queues, windows, alerts, today's totals (managers)",
                "responses": {"200": _json(OBJECT), **_errors(401, 403)},
            }
        },
        "/api/v1/follow-ups": {
            "get": {
                "summary": "Follow-ups (回访/整改) of bad ratings",
                "parameters": [
                    _query("status", "default open", {"enum": ["open", "overdue", "resolved", "all"]})
                ],
                "responses": {"200": _json(OBJECT), **_errors(401, 403, 422)},
            }
        },
        "/api/v1/audit": {
            "get": {
                "summary": "Audit log (admins): hall file, users, tokens and manual ticket actions",
                "parameters": [
                    _query(
                        "before",
                        "an entry id: the page after it",
                        {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                    )
                ],
                "responses": {"200": _json(OBJECT), **_errors(401, 403, 422)},
            }
        },
        "/api/v1/follow-ups/{follow_up_id}": {
            "patch": {
                "summary": "Record a call back (contacted) or the fix (resolved, with a note)",
                "parameters": [
                    {"name": "follow_up_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": follow_up_body,
                "responses": {"200": _json(OBJECT), **_errors(400, 401, 403, 404, 409, 415, 422)},
            }
        },
    }
    result["/api/v1/tickets/{ticket_id}/call.wav"] = {
        "get": {
            "summary": "The ticket's call spoken by the server (espeak-ng or Piper, offline; docs/voice.md)",
            "parameters": [
                {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                _query("lang", "zh (default) or en", {"enum": ["zh", "en"]}),
            ],
            "responses": {
                "200": {"description": "WAV audio", "content": {"audio/wav": {}}},
                **_errors(401, 403, 404, 409, 422, 503),
            },
        }
    }
    for extension, mimetype in file_formats.items():
        result[f"/api/v1/stats/export.{extension}"] = {
            "get": {
                "summary": f"The report as {extension.upper()}",
                "parameters": REPORT_QUERY,
                "responses": {
                    "200": {"description": "a file", "content": {mimetype: {}}},
                    **_errors(401, 403, 422),
                },
            }
        }
    return result
