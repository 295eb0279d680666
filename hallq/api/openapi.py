"""/api/v1/openapi.json, built from the request models; a test keeps it in step with the routes."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app, request
from pydantic import BaseModel

from hallq.api import openapi_admin, openapi_booking, openapi_more, openapi_ratings
from hallq.api.blueprint import bp
from hallq.api.schemas import (
    Appeal,
    AppealDecision,
    CallTicket,
    ConfigRestore,
    ConfigSave,
    DeviceStatus,
    Evaluation,
    FollowUpChange,
    IssueTicket,
    Login,
    MoveWaiting,
    NewAppointment,
    NewBooking,
    NewToken,
    NewUser,
    NotifyMe,
    OpenWindow,
    Rate,
    Reprint,
    Transfer,
    UserChange,
    VoidTicket,
)

ERROR = {"$ref": "#/components/schemas/Error"}
TICKET = {"$ref": "#/components/schemas/Ticket"}
WINDOW_RESULT = {
    "type": "object",
    "properties": {"ticket": {"anyOf": [TICKET, {"type": "null"}]}, "window": {"type": "object"}},
    "required": ["ticket", "window"],
}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _json(ERROR, "error") for code in codes}


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
    }


def _window_action(summary: str, body: type[BaseModel] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [{"name": "window_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": _json(WINDOW_RESULT), **_errors(400, 401, 403, 404, 409, 415, 422)},
    }
    if body is not None:
        operation["requestBody"] = _body(body)
        if not any(field.is_required() for field in body.model_fields.values()):
            operation["requestBody"]["required"] = False  # an empty body takes the defaults
    return {"post": operation}


@cache
def document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        IssueTicket,
        NewAppointment,
        CallTicket,
        Transfer,
        OpenWindow,
        Login,
        Rate,
        Reprint,
        FollowUpChange,
        VoidTicket,
        ConfigSave,
        ConfigRestore,
        NewUser,
        UserChange,
        NewToken,
        MoveWaiting,
        Evaluation,
        Appeal,
        AppealDecision,
        NewBooking,
        NotifyMe,
    ]
    schemas: dict[str, Any] = {m.__name__: m.model_json_schema() for m in models}
    schemas["ProvinceRating"] = openapi_ratings.PROVINCE_RATING
    schemas["Error"] = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
        "required": ["error", "message"],
    }
    schemas["Ticket"] = {
        "type": "object",
        "required": ["id", "number", "service_id", "zone_id", "status", "issued_at"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string"},
            "service_id": {"type": "string"},
            "zone_id": {"type": "string"},
            "status": {"enum": ["waiting", "called", "serving", "finished", "no_show", "cancelled"]},
            "issued_at": {"type": "string", "format": "date-time"},
            "ahead": {"type": "integer", "minimum": 0},
            "estimated_wait_s": {"type": "integer", "minimum": 0},
            "estimated_wait_range_s": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0},
                "minItems": 2,
                "maxItems": 2,
                "description": "the wait likely falls in [low, high] seconds (docs/call-rule.md)",
            },
            "no_window_open": {
                "type": "boolean",
                "description": "no window serving the service is open: the figure is no promise",
            },
            "status_url": {
                "type": "string",
                "description": "the citizen's status page (/t/<token>): only in this answer and on paper; "
                "the token is never stored, shown on a screen or sent to a device",
            },
            "print": {
                "type": "object",
                "description": "queued for printing (the outcome is pushed as print_status), or why not",
                "properties": {
                    "ok": {"type": "boolean"},
                    "state": {"enum": ["queued", "none"]},
                    "job_id": {"type": ["integer", "null"]},
                    "error": {"type": ["string", "null"]},
                },
            },
        },
    }
    ticket_id = [{"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    paths: dict[str, Any] = {
        "/api/v1/hall": {
            "get": {
                "summary": "Zones, services, windows",
                "responses": {"200": _json({"type": "object"}), **_errors(401, 403)},
            }
        },
        "/api/v1/tickets": {
            "post": {
                "summary": "Issue a ticket",
                "requestBody": _body(IssueTicket),
                "responses": {"201": _json(TICKET, "issued"), **_errors(400, 401, 403, 409, 415, 422, 429)},
            }
        },
        "/api/v1/appointments": {
            "post": {
                "summary": "Record a booking (预约) from the booking system; citizens check in with its code",
                "requestBody": _body(NewAppointment),
                "responses": {
                    "201": _json(
                        {
                            "type": "object",
                            "required": ["code", "service_id", "slot_at", "ticket_id"],
                            "properties": {
                                "code": {"type": "string"},
                                "service_id": {"type": "string"},
                                "slot_at": {"type": "string", "format": "date-time"},
                                "ticket_id": {"type": ["integer", "null"]},
                            },
                        },
                        "recorded",
                    ),
                    **_errors(400, 401, 403, 409, 415, 422),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}": {
            "get": {
                "summary": "A ticket with its events",
                "parameters": ticket_id,
                "responses": {"200": _json(TICKET), **_errors(401, 403, 404)},
            }
        },
        "/api/v1/tickets/{ticket_id}/print": {
            "post": {
                "summary": "Print a ticket again (staff; a kiosk for its own tickets)",
                "parameters": ticket_id,
                "requestBody": _body(Reprint),
                "responses": {
                    "202": _json({"type": "object"}, "queued; the outcome is pushed as print_status"),
                    **_errors(400, 401, 403, 404, 409, 415, 422, 429),
                },
            }
        },
        "/api/v1/tickets/{ticket_id}/cancel": {
            "post": {
                "summary": "作废: void a waiting ticket with a reason (manager, audited); "
                "its place goes back to the day's caps",
                "parameters": ticket_id,
                "requestBody": _body(VoidTicket),
                "responses": {"200": _json(TICKET), **_errors(400, 401, 403, 404, 409, 415, 422)},
            }
        },
        "/api/v1/tickets/{ticket_id}/rating": {
            "post": {
                "summary": "Rate a finished visit (好差评), once: 5 非常满意 .. 1 非常不满意",
                "parameters": ticket_id,
                "requestBody": _body(Rate),
                "responses": {"201": _json({"type": "object"}), **_errors(400, 401, 403, 404, 409, 415, 422)},
            }
        },
        "/api/v1/devices": {
            "get": {
                "summary": "The serial devices a bridge drives, their texts and the pad key map",
                "responses": {"200": _json({"type": "object"}), **_errors(401, 403)},
            }
        },
        "/api/v1/devices/{device_id}/status": {
            "post": {
                "summary": "A bridge reports a serial device: ok, offline or fault (pushes device_status)",
                "parameters": [
                    {"name": "device_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": _body(DeviceStatus),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403, 404, 415, 422)},
            }
        },
        "/api/v1/status/{status_token}": {
            "get": {
                "summary": "A citizen's ticket by its status page token (no login)",
                "security": [],
                "parameters": [
                    {"name": "status_token", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json({"type": "object"}), **_errors(404)},
            }
        },
        "/api/v1/windows/{window_id}": {
            "get": {
                "summary": "A window, its current ticket and the tickets it may call",
                "parameters": [
                    {"name": "window_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404)},
            }
        },
        "/api/v1/session": {
            "post": {
                "summary": "Log in (too many attempts from an address, or failures for a username: 429)",
                "security": [],
                "requestBody": _body(Login),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 415, 422, 429)},
            },
            "get": {"summary": "Who am I", "responses": {"200": _json({"type": "object"}), **_errors(401)}},
            "delete": {
                "summary": "Log out",
                "security": [],
                "responses": {"200": _json({"type": "object"})},
            },
        },
        "/api/v1/windows/{window_id}/call": _window_action("Call a specific waiting ticket", CallTicket),
        "/api/v1/windows/{window_id}/open": _window_action(
            "Open the window, a clerk signing in (audited); 409 window_staffed while another clerk is signed"
            " in there, unless take_over; a clerk signed in at another window leaves it (it closes)",
            OpenWindow,
        ),
        "/api/v1/windows/{window_id}/transfer": _window_action(
            "Current ticket back to waiting elsewhere (409 window_closed for a closed window)", Transfer
        ),
        "/api/v1/windows/{window_id}/requeue": _window_action(
            "过号 undone: a no-show of this window today waits again in its old place", CallTicket
        ),
    }
    for verb, summary in [
        ("call-next", "Call the next ticket by the call rule"),
        ("next", "下一位: end the current ticket (see [hall] next_ends_called_as) and call the next"),
        ("recall", "Call the current ticket again"),
        ("no-show", "Mark the current ticket no-show"),
        ("start", "Start serving the current ticket"),
        ("finish", "Finish the current ticket"),
        ("pause", "Pause the window"),
        ("resume", "Resume a paused window"),
        ("close", "Close the window (the clerk signs out, audited)"),
    ]:
        paths[f"/api/v1/windows/{{window_id}}/{verb}"] = _window_action(summary)
    paths.update(openapi_more.paths(_body(Rate), _body(FollowUpChange)))
    paths.update(openapi_admin.paths())
    paths.update(openapi_ratings.paths(_body(Evaluation), _body(Appeal), _body(AppealDecision)))
    paths.update(openapi_booking.paths(_body(NewBooking), _body(NotifyMe)))
    return {
        "openapi": "3.1.0",
        "info": {"title": "hallq", "version": "1"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi_json() -> dict[str, Any]:
    """The document, with where this hall is served (a city serves it under /h/<id>) and its cookie's name."""
    served = dict(document())
    served["servers"] = [{"url": request.script_root or "/"}]
    components = dict(served["components"])
    schemes = dict(components["securitySchemes"])
    schemes["session"] = {**schemes["session"], "name": current_app.config["SESSION_COOKIE_NAME"]}
    served["components"] = {**components, "securitySchemes": schemes}
    return served
