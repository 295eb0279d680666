"""The OpenAPI document's 预约 and messages part (docs/booking.md): the public booking calls, notify me, and
what managers read of bookings and messages."""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_ANSWER = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}

SLOT: dict[str, Any] = {
    "type": "object",
    "required": ["start", "end", "capacity", "left"],
    "properties": {
        "start": {
            **_TEXT,
            "format": "date-time",
            "description": "POST /api/v1/bookings takes it as slot_start",
        },
        "end": {**_TEXT, "format": "date-time"},
        "capacity": {
            "type": "integer",
            "description": "places the booking page offers (the province's share kept)",
        },
        "left": {"type": "integer", "description": "0 once full, and for a slot closed for booking"},
        "open": {
            "type": "boolean",
            "description": "within days_ahead and not closing within closes_before_min",
        },
    },
}

BOOKING: dict[str, Any] = {
    "type": "object",
    "required": ["code", "slot_start", "service_id", "manage_url"],
    "properties": {
        "code": {**_TEXT, "description": "8 digits: typed or scanned (QR) at the kiosk to check in"},
        "slot_start": {**_TEXT, "format": "date-time"},
        "slot_end": {**_TEXT, "format": "date-time"},
        "service_id": _TEXT,
        "manage_url": {**_TEXT, "description": "/book/<code>?key=...: sees and cancels the booking"},
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"description": "error"} for code in codes}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def paths(booking_body: dict[str, Any], notify_body: dict[str, Any]) -> dict[str, Any]:
    code = [{"name": "code", "in": "path", "required": True, "schema": _TEXT}]
    key = [
        {
            "name": "key",
            "in": "query",
            "required": True,
            "schema": _TEXT,
            "description": "the manage link's key",
        }
    ]
    day = {"type": "string", "format": "date"}
    return {
        "/api/v1/booking/services": {
            "get": {
                "security": [],
                "summary": "Bookable services with their materials (一次性告知) and the days open; the rules "
                "(per week, 爽约) the booking page states (public)",
                "responses": {"200": _ANSWER},
            }
        },
        "/api/v1/booking/slots": {
            "get": {
                "security": [],
                "summary": "A day's slots of a service with the places left (public)",
                "parameters": [
                    {"name": "service_id", "in": "query", "required": True, "schema": _TEXT},
                    {"name": "date", "in": "query", "required": True, "schema": day},
                ],
                "responses": {"200": _json({"type": "array", "items": SLOT}), **_errors(422)},
            }
        },
        "/api/v1/bookings": {
            "post": {
                "security": [],
                "summary": "Book a slot (public, throttled per address): 409 slot_full, slot_closed, "
                "already_booked, week_limit; 403 booking_blocked (爽约, with until); 422",
                "requestBody": booking_body,
                "responses": {
                    "201": _json(BOOKING, "Booked"),
                    **_errors(400, 403, 409, 415, 422, 429),
                },
            }
        },
        "/api/v1/bookings/{code}": {
            "get": {
                "security": [],
                "summary": "The booking behind a manage link: its state and check-in window",
                "parameters": code + key,
                "responses": {"200": _ANSWER, **_errors(404)},
            },
            "delete": {
                "security": [],
                "summary": "Cancel with the manage link's key: the place is free again at once",
                "parameters": code + key,
                "responses": {"200": _ANSWER, **_errors(404, 409)},
            },
        },
        "/api/v1/tickets/{ticket_id}/notify": {
            "post": {
                "security": [],
                "summary": "Notify me: a mobile number for the ticket's messages (near, called); the issuing "
                "kiosk's token, or status_token in the body",
                "parameters": [
                    {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": notify_body,
                "responses": {"201": _ANSWER, **_errors(400, 403, 404, 409, 415, 422)},
            }
        },
        "/api/v1/messages": {
            "get": {
                "summary": "Today's text messages with their send result (managers; numbers never shown)",
                "responses": {"200": _ANSWER, **_errors(401, 403)},
            }
        },
        "/api/v1/stats/bookings": {
            "get": {
                "summary": "Bookings per service and slot: booked, checked in, missed (爽约), cancelled",
                "parameters": [
                    {"name": "from", "in": "query", "required": True, "schema": day},
                    {"name": "to", "in": "query", "required": True, "schema": day},
                ],
                "responses": {"200": _ANSWER, **_errors(401, 403, 422)},
            }
        },
    }
