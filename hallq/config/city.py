"""The city file: which halls one deployment serves (docs/deployment.md, "Many halls").

    [city]
    name = "示例市政务服务"

    [[halls]]
    id = "center"           # URL /h/center, PostgreSQL schema hall_center, Redis channel hallq-center
    file = "hall.toml"      # a hall file, relative to this file

Each hall keeps its own hall file, numbering, windows, users and tokens.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from hallq.config.hall import HallConfig, load_hall
from hallq.config.tomlfile import ConfigError, Problem, locate, parse_model, read_text
from hallq.config.tomlfile import StrictModel as _Model

#: lower-case letters, digits and _: it becomes a URL segment and part of a schema name
HALL_ID = r"^[a-z][a-z0-9_]{0,30}$"


class CityInfo(_Model):
    name: str = Field(min_length=1)
    name_en: str = ""


class HallEntry(_Model):
    id: str = Field(pattern=HALL_ID)
    file: Path


class CityConfig(_Model):
    city: CityInfo
    halls: list[HallEntry] = Field(min_length=1)


def _cross_check(config: CityConfig) -> list[Problem]:
    problems, seen = [], set()
    for index, entry in enumerate(config.halls):
        if entry.id in seen:
            problems.append(Problem(f"halls[{index}].id", f'"{entry.id}" is used twice'))
        seen.add(entry.id)
    return problems


def load_city(path: str | Path) -> tuple[CityConfig, dict[str, HallConfig]]:
    """The city file with every hall file resolved (relative to the city file) and validated."""
    path = Path(path)
    text, source = read_text(path)
    city = parse_model(text, source, CityConfig, _cross_check)
    halls, problems = {}, []
    resolved = []
    for index, entry in enumerate(city.halls):
        hall_file = entry.file if entry.file.is_absolute() else path.parent / entry.file
        resolved.append(entry.model_copy(update={"file": hall_file}))
        try:
            halls[entry.id] = load_hall(hall_file)
        except ConfigError as exc:
            key = f"halls[{index}].file"
            problems += [Problem(key, f"{exc.source}: {p}", locate(text, key)) for p in exc.problems]
    if problems:
        raise ConfigError(str(path), problems)
    return city.model_copy(update={"halls": resolved}), halls
