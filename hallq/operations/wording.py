"""A call's words from the hall file's `[voice]` templates (a zone's own wording first): as shown on screens
and LED strips, and as spoken (hallq/engine/announcement.py reads the numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from hallq.config.hall import HallConfig, Window
from hallq.engine.announcement import Call


@dataclass(frozen=True)
class Wording:
    shown: str
    shown_en: str
    spoken: str
    spoken_en: str


def call_wording(config: HallConfig, number: str, service_id: str, window: Window) -> Wording:
    voice = config.voice
    zone = (
        config.zone_by_id[config.service_by_id[service_id].zone]
        if service_id in config.service_by_id
        else None
    )
    own = next((w for w in voice.zones if zone is not None and w.zone == zone.id), None)
    template = own.call if own else voice.call
    template_en = own.call_en if own is not None and own.call_en is not None else voice.call_en
    call = Call(number, window.number, window.label, zone.name if zone else "")
    return Wording(
        shown=call.shown(template),
        shown_en=call.shown(template_en) if template_en else "",
        spoken=call.spoken_zh(template),
        spoken_en=call.spoken_en(template_en) if template_en else "",
    )
