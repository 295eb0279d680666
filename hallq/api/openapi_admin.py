"""OpenAPI paths of the administration (issue 31): configuration versions, users, device tokens (merged into
openapi.document)."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
SUMMARY = {
    "type": "object",
    "required": ["version", "saved_at", "saved_by", "note"],
    "properties": {
        "version": {"type": "integer"},
        "saved_at": {"type": "string", "format": "date-time"},
        "saved_by": {"type": "string"},
        "note": {"type": "string"},
        "base_version": {"type": ["integer", "null"]},
    },
}
CONFIG = {
    "allOf": [SUMMARY],
    "type": "object",
    "required": ["hall"],
    "properties": {"hall": {"type": "object", "description": "the hall file as JSON (docs/hall-config.md)"}},
}
CONFLICT = {
    "type": "object",
    "required": ["error", "message", "current_version"],
    "properties": {
        "error": {"const": "version_conflict"},
        "message": {"type": "string"},
        "current_version": {"type": "integer"},
        "changes": {"type": "array", "items": {"type": "string"}, "description": "the diff since the base"},
    },
}
INVALID = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
            "description": "every problem, each with its key path and a message in zh-CN, then English",
        },
    },
}


USER = {
    "type": "object",
    "properties": {
        "username": {"type": "string"},
        "display_name": {"type": "string"},
        "role": {"enum": ["clerk", "manager", "admin"]},
        "active": {"type": "boolean"},
        "created_at": {"type": "string"},
        "windows": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the windows a clerk may sign in at; empty: any",
        },
    },
}
USERS = {"type": "object", "properties": {"users": {"type": "array", "items": USER}}}
TOKEN = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "role": {"type": "string"},
        "name": {"type": "string"},
        "window_id": {"type": ["string", "null"]},
        "kiosk_id": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "revoked_at": {"type": ["string", "null"]},
        "last_used_at": {"type": ["string", "null"], "description": "to the minute"},
        "token": {"type": "string", "description": "the secret: only in the answer that made it"},
    },
}
TOKENS = {"type": "object", "properties": {"tokens": {"type": "array", "items": TOKEN}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _json(ERROR, "error") for code in codes}


def _ok_or(schema: dict[str, Any], *codes: int) -> dict[str, Any]:
    return {"200": _json(schema), **_errors(*codes)}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(name: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def paths() -> dict[str, Any]:
    number = [{"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
    saved = {
        "200": _json({"type": "object", "properties": {"version": {"type": "integer"}}}, "saved, in force"),
        "409": _json(CONFLICT, "saved on an older version: nothing applied"),
        "422": _json(INVALID, "not a valid hall, or removes what citizens wait for: nothing applied"),
        **{str(code): _json(ERROR, "error") for code in (400, 401, 403, 413, 415)},
    }
    return {
        "/api/v1/config": {
            "get": {
                "summary": "The hall's configuration now: its version and the hall file as JSON",
                "responses": {"200": _json(CONFIG), **{str(c): _json(ERROR, "error") for c in (401, 403)}},
            },
            "put": {
                "summary": "Save a new version, made on base_version (admin); every process within a second",
                "requestBody": _body("ConfigSave"),
                "responses": saved,
            },
        },
        "/api/v1/config/versions": {
            "get": {
                "summary": "Every version, newest first",
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"versions": {"type": "array", "items": SUMMARY}}}
                    ),
                    **{str(c): _json(ERROR, "error") for c in (401, 403)},
                },
            }
        },
        "/api/v1/config/versions/{number}": {
            "get": {
                "summary": "One version, with its diff against the version it was made on",
                "parameters": number,
                "responses": {
                    "200": _json(CONFIG),
                    **{str(c): _json(ERROR, "error") for c in (401, 403, 404)},
                },
            }
        },
        "/api/v1/config/versions/{number}/restore": {
            "post": {
                "summary": "An earlier version again, saved as a new version (admin)",
                "parameters": number,
                "requestBody": _body("ConfigRestore"),
                "responses": {**saved, "404": _json(ERROR, "error")},
            }
        },
        "/api/v1/users": {
            "get": {"summary": "Every account (admin)", "responses": _ok_or(USERS, 401, 403)},
            "post": {
                "summary": "A new account (admin)",
                "requestBody": _body("NewUser"),
                "responses": {"201": _json(USER), **_errors(400, 401, 403, 415, 422)},
            },
        },
        "/api/v1/users/{username}": {
            "patch": {
                "summary": "Change an account: name, role, password, active (admin)",
                "parameters": [
                    {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": _body("UserChange"),
                "responses": {"200": _json(USER), **_errors(400, 401, 403, 404, 415, 422)},
            }
        },
        "/api/v1/tokens": {
            "get": {
                "summary": "Every device token, without its secret (admin)",
                "responses": _ok_or(TOKENS, 401, 403),
            },
            "post": {
                "summary": "A new device token: the secret is in this answer only (admin)",
                "requestBody": _body("NewToken"),
                "responses": {"201": _json(TOKEN), **_errors(400, 401, 403, 415, 422)},
            },
        },
        "/api/v1/tokens/{token_id}": {
            "delete": {
                "summary": "Revoke a token: its next request is refused, its sockets end at once (admin)",
                "parameters": [
                    {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": _json(TOKEN), **_errors(401, 403, 404)},
            }
        },
        "/api/v1/stats/waiting": {
            "get": {
                "summary": "A zone's waiting tickets in queue order (managers void one from the live page)",
                "parameters": [
                    {"name": "zone", "in": "query", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 422)},
            }
        },
        "/api/v1/config/open-tickets": {
            "get": {
                "summary": "Tickets waiting or in hand, by service (what keeps a service from removal)",
                "responses": _ok_or(
                    {
                        "type": "object",
                        "properties": {
                            "services": {"type": "object", "additionalProperties": {"type": "integer"}}
                        },
                    },
                    401,
                    403,
                ),
            }
        },
        "/api/v1/services/{service_id}/move-waiting": {
            "post": {
                "summary": "Every waiting ticket of the service waits for another one, keeping its place",
                "parameters": [
                    {"name": "service_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": _body("MoveWaiting"),
                "responses": _ok_or(
                    {
                        "type": "object",
                        "properties": {"moved": {"type": "integer"}, "to_service": {"type": "string"}},
                    },
                    401,
                    403,
                    422,
                ),
            }
        },
        "/api/v1/config/export.toml": {
            "get": {
                "summary": "The current version as a hall file",
                "responses": {
                    "200": {"description": "a hall file", "content": {"application/toml": {}}},
                    **{str(c): _json(ERROR, "error") for c in (401, 403)},
                },
            }
        },
    }
