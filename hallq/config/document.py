"""The hall file as a document: the same keys as the TOML, as JSON the database keeps and the API carries.

TOML dates and times become ISO strings ("2026-10-01", "08:30:00"), which the hall file's models read as
they read TOML's own; exporting writes TOML again with tomli-w (a well-kept writer by tomli's author;
the standard library only reads TOML), keys sorted, so the same document gives the same bytes.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from typing import Any

import tomli_w
from pydantic import ValidationError

from hallq.config.hall import HallConfig, cross_check
from hallq.config.tomlfile import ConfigError, Problem, locate, model_problems


def from_toml(text: str, source: str) -> dict[str, Any]:
    """The document of a hall file's text; ConfigError when it is not TOML."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [Problem("(syntax)", str(exc))]) from None
    plain: dict[str, Any] = _plain(data)
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def to_toml(document: dict[str, Any]) -> str:
    """The hall file of a document, keys in order (comments are not kept: the document is the configuration):
    the same document gives the same bytes, however its keys were ordered (the API sends them sorted)."""
    return tomli_w.dumps(_sorted(document))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def hall_from_document(document: Any, source: str = "configuration", text: str | None = None) -> HallConfig:
    """The validated hall of a document, with every problem (the checks `hallq check-config` runs) at once;
    ConfigError names each by key path (and line, given the TOML text it came from)."""
    if not isinstance(document, dict):
        raise ConfigError(source, [Problem("(top level)", "the hall must be a JSON object / TOML table")])
    try:
        config = HallConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(source, model_problems(exc, text)) from None
    found = cross_check(config)
    if found:
        lines = [locate(text, p.path) if text else None for p in found]
        raise ConfigError(
            source, [Problem(p.path, p.message, line) for p, line in zip(found, lines, strict=True)]
        )
    return config
