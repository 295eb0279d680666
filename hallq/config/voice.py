"""`[voice]` in the hall file: how calls are announced (docs/voice.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from hallq.config.tomlfile import ID_PATTERN, Problem, StrictModel
from hallq.engine.announcement import unknown_placeholders

DEFAULT_CALL = "请{number}号到{window}号窗口办理"
DEFAULT_CALL_EN = "Number {number}, please go to window {window}"


class ZoneWording(StrictModel):
    """A zone's own wording (a 绿色通道 zone, a zone whose windows have names)."""

    zone: str = Field(pattern=ID_PATTERN)
    call: str = Field(min_length=1, max_length=200)
    call_en: str | None = Field(default=None, max_length=200)


class Voice(StrictModel):
    #: "espeak-ng" (Debian's package, offline; the default), "piper" (piper-tts with `piper_model`, offline),
    #: or "browser" (each display's own speech synthesis, as before; the chime where it has no Chinese voice)
    engine: Literal["espeak-ng", "piper", "browser"] = "espeak-ng"
    espeak_voice: str = Field(default="cmn", pattern=r"^[A-Za-z0-9_+-]{1,40}$")
    #: a Piper voice model file (.onnx, its .onnx.json beside it), absolute or relative to the working folder
    piper_model: str = ""
    #: the call as shown on displays and LED strips and spoken; placeholders {number} {window} {window_name}
    #: {zone}; English after it when call_en is not empty
    call: str = Field(default=DEFAULT_CALL, min_length=1, max_length=200)
    call_en: str = Field(default=DEFAULT_CALL_EN, max_length=200)
    #: say call_en after the Chinese: off by default, since a call in both languages, twice, takes about 21 s
    #: of a busy morning's voice (the English is still shown where banner_english asks for it)
    speak_english: bool = False
    #: each call said this many times; only once while newer calls wait to be said
    repeat: int = Field(default=2, ge=1, le=5)
    pause_s: float = Field(default=1.0, ge=0, le=10)
    #: loudness on the display, 0 to 1
    volume: float = Field(default=1.0, ge=0, le=1)
    #: espeak-ng's speaking rate, words per minute
    rate_wpm: int = Field(default=150, ge=80, le=400)
    zones: list[ZoneWording] = Field(default_factory=list)
    #: the English call under the Chinese one on the display's banner (it is spoken either way when call_en
    #: is set); off by default: a Chinese hall's banner is read in Chinese, and small English on the
    #: flashing banner was unreadable
    banner_english: bool = False


def voice_problems(voice: Voice, zone_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []

    def check_template(key: str, template: str) -> None:
        unknown = unknown_placeholders(template)
        if unknown:
            known = "{number} {window} {window_name} {zone}"
            problems.append(Problem(key, f"unknown placeholder {', '.join(unknown)}; known: {known}"))

    check_template("voice.call", voice.call)
    check_template("voice.call_en", voice.call_en)
    for index, wording in enumerate(voice.zones):
        if wording.zone not in zone_ids:
            problems.append(Problem(f"voice.zones[{index}].zone", f'unknown zone "{wording.zone}"'))
        check_template(f"voice.zones[{index}].call", wording.call)
        if wording.call_en is not None:
            check_template(f"voice.zones[{index}].call_en", wording.call_en)
    if voice.engine == "piper":
        if not voice.piper_model:
            problems.append(Problem("voice.piper_model", 'engine "piper" needs a voice model file'))
        elif not Path(voice.piper_model).is_file():
            problems.append(Problem("voice.piper_model", f"no such file: {voice.piper_model}"))
    return problems
