"""TOML files validated by pydantic, with every problem named by key path and line (hall files, scenarios)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)
#: ids in config files: zones, windows, kiosks, devices
ID_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"


class StrictModel(BaseModel):
    """A config table: unknown keys are errors (a typo must not be ignored), values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None
    #: pydantic's (error type, context, input) where pydantic found it: what config/wording.py words
    kind: tuple[str, dict[str, str], Any] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}{where}: {self.message}"


class ConfigError(Exception):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def model_problems(exc: ValidationError, text: str | None = None) -> list[Problem]:
    """Each of pydantic's errors as a Problem (key path, message, and its line in `text` when given), with
    pydantic's error type kept for words a manager reads (config/wording.py)."""
    problems = []
    for error in exc.errors():
        path = _path(error["loc"])
        context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
        kind = (error["type"], context, error.get("input"))
        problems.append(Problem(path, error["msg"], locate(text, path) if text else None, kind))
    return problems


def locate(text: str, path: str) -> int | None:
    """Best-effort line of a key path like windows[3].b_services in TOML text."""
    parts = re.findall(r"([A-Za-z_][\w-]*)|\[(\d+)\]", path)
    steps: list[str | int] = [name if name else int(index) for name, index in parts]
    if not steps:
        return None
    lines = text.splitlines()
    table: list[str | int] = []
    counts: dict[str, int] = {}
    best: int | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if header := re.fullmatch(r"\[\[\s*([\w.-]+)\s*\]\]", line):
            name = header.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = [*name.split("."), counts[name]]
        elif header := re.fullmatch(r"\[\s*([\w.-]+)\s*\]", line):
            table = list(header.group(1).split("."))
        elif key := re.match(r"([\w-]+)\s*=", line):
            full = [*table, key.group(1)]
            if full == steps[: len(full)]:
                best = _array_item(lines, number, steps[len(full) :]) or number
            continue
        else:
            continue
        if table == steps[: len(table)] and best is None:
            best = number
    return best


def _array_item(lines: list[str], number: int, rest: list[str | int]) -> int | None:
    """The line of item rest[0] of a multi-line array of inline tables that opens on line `number`."""
    if (
        not rest
        or not isinstance(rest[0], int)
        or not lines[number - 1].split("#", 1)[0].rstrip().endswith("[")
    ):
        return None
    seen = -1
    for later, raw in enumerate(lines[number:], start=number + 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("]"):
            return None
        if line.startswith("{"):
            seen += 1
            if seen == rest[0]:
                return later
    return None


def parse_model(
    text: str, source: str, model: type[M], cross_check: Callable[[M], list[Problem]] | None = None
) -> M:
    """Parse TOML text into `model`; raise ConfigError listing every problem with its key path and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [Problem("(syntax)", str(exc))]) from None
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, model_problems(exc, text)) from None
    found = cross_check(value) if cross_check else []
    if found:
        raise ConfigError(source, [Problem(p.path, p.message, locate(text, p.path)) for p in found])
    return value


def read_text(path: str | Path) -> tuple[str, str]:
    """(text, source name) of a UTF-8 file, or ConfigError."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise ConfigError(str(path), [Problem("(file)", exc.strerror or str(exc))]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [Problem("(file)", "not UTF-8 text")]) from None
