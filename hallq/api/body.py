"""Request bodies: JSON only, validated by pydantic, every failure a clear 4xx."""

from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from hallq.operations.errors import HallqError
from hallq.web import safe_json

M = TypeVar("M", bound=BaseModel)


def parse_body(model: type[M]) -> M:
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: object = {}
    else:
        if not request.is_json:
            raise HallqError(
                "unsupported_media_type", "请求体须为 JSON / Send the body as application/json", 415
            )
        try:
            data = safe_json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise HallqError(
                "malformed_json", "请求体不是有效的 JSON / The body is not valid JSON", 400
            ) from None
    if not isinstance(data, dict):
        raise HallqError("invalid_request", "请求体须为 JSON 对象 / The body must be a JSON object", 422)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}" for error in exc.errors()
        )
        raise HallqError("invalid_request", problems, 422) from None
