"""The hall file (config/hall.toml): typed, validated, with errors that name the key path and line."""

from __future__ import annotations

from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, model_validator

from hallq.config.booking import Booking, Messages, booking_problems
from hallq.config.devices import Bridge, Kiosk
from hallq.config.rating_rules import Province
from hallq.config.sections import (
    Appointments,
    Calendar,
    HallInfo,
    Limits,
    Ranking,
    Ratings,
)
from hallq.config.tomlfile import ID_PATTERN, Problem, StrictModel, parse_model, read_text
from hallq.config.voice import Voice, voice_problems
from hallq.engine.calendar import WorkCalendar

_ID = ID_PATTERN
_Model = StrictModel


class Zone(_Model):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    name_en: str = ""
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    daily_cap: int | None = Field(default=None, gt=0)


class Service(_Model):
    id: str = Field(pattern=_ID)
    zone: str
    name: str = Field(min_length=1)
    name_en: str = ""
    #: 事项编码: the item's code in the province's catalogue of government services (好差评 reports carry it)
    code: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")
    #: 进驻部门: the department whose item this is, and its code (好差评 reports carry both)
    department: str = Field(default="", max_length=64)
    department_code: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")
    materials: list[str] = Field(default_factory=list)
    daily_cap: int | None = Field(default=None, gt=0)
    mean_service_s: float = Field(default=600.0, gt=0, description="prior for wait estimates")
    #: 限号: the kiosk asks for a mobile number or an ID card number, and each person may take only so many
    #: tickets a day for this service (against scalpers of scarce numbers); absent: nobody is asked
    ask_identity: Literal["phone", "id_card"] | None = None
    tickets_per_person_per_day: int | None = Field(default=None, gt=0)
    #: 绿色通道: the elderly, the disabled, pregnant women and servicemen are called first (the kiosk's
    #: priority button); false for a service that has none (a booked-only service, a dedicated window)
    green_channel: bool = True
    #: this service's own issuing hours inside the hall's (e.g. ["09:00", "11:30"]: mornings only)
    issuing_hours: tuple[time, time] | None = None
    #: being removed: no new tickets; the tickets still waiting are served, then the server removes it (a
    #: new version of the configuration, docs/hall-config.md)
    retiring: bool = False

    @model_validator(mode="after")
    def _limit_needs_identity(self) -> Service:
        if self.tickets_per_person_per_day is not None and self.ask_identity is None:
            raise ValueError('tickets_per_person_per_day needs ask_identity = "phone" or "id_card"')
        return self

    def person_limit(self, limits: Limits) -> int:
        return self.tickets_per_person_per_day or limits.tickets_per_person_per_service_per_day


class Window(_Model):
    id: str = Field(pattern=_ID)
    number: int = Field(gt=0)
    name: str = ""
    a_services: list[str] = Field(default_factory=list)
    b_services: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or f"{self.number}号窗口"

    @property
    def numbered_label(self) -> str:
        """ "3号 企业开办": halls give several windows the same name."""
        return f"{self.number}号 {self.name}" if self.name else self.label


class HallConfig(_Model):
    hall: HallInfo
    zones: list[Zone] = Field(min_length=1)
    services: list[Service] = Field(min_length=1)
    windows: list[Window] = Field(min_length=1)
    kiosks: list[Kiosk] = Field(default_factory=list)
    bridge: Bridge = Field(default_factory=Bridge)
    calendar: Calendar = Field(default_factory=Calendar)
    ratings: Ratings = Field(default_factory=Ratings)
    province: Province = Field(default_factory=Province)
    ranking: Ranking = Field(default_factory=Ranking)
    limits: Limits = Field(default_factory=Limits)
    appointments: Appointments = Field(default_factory=Appointments)
    booking: Booking = Field(default_factory=Booking)
    messages: Messages = Field(default_factory=Messages)
    voice: Voice = Field(default_factory=Voice)
    #: the URL path a city deployment serves this hall under ("/h/<id>"); "" for a hall on its own
    _mount: str = PrivateAttr(default="")

    @property
    def mount(self) -> str:
        return self._mount

    def mounted_at(self, mount: str) -> HallConfig:
        copy = self.model_copy()
        copy._mount = mount
        return copy

    @cached_property
    def kiosk_by_id(self) -> dict[str, Kiosk]:
        return {kiosk.id: kiosk for kiosk in self.kiosks}

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.hall.timezone)

    @cached_property
    def zone_by_id(self) -> dict[str, Zone]:
        return {zone.id: zone for zone in self.zones}

    @cached_property
    def service_by_id(self) -> dict[str, Service]:
        return {service.id: service for service in self.services}

    @cached_property
    def window_by_id(self) -> dict[str, Window]:
        return {window.id: window for window in self.windows}

    @cached_property
    def services_of_zone(self) -> dict[str, list[str]]:
        return {zone.id: [s.id for s in self.services if s.zone == zone.id] for zone in self.zones}

    @cached_property
    def windows_of_zone(self) -> dict[str, list[str]]:
        """Windows serving at least one of a zone's services, as A or B."""
        return {
            zone: [w.id for w in self.windows if set(services) & {*w.a_services, *w.b_services}]
            for zone, services in self.services_of_zone.items()
        }

    @cached_property
    def windows_by_service(self) -> dict[str, tuple[list[Window], list[Window]]]:
        return {
            s.id: (
                [w for w in self.windows if s.id in w.a_services],
                [w for w in self.windows if s.id in w.b_services],
            )
            for s in self.services
        }

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        return WorkCalendar(
            weekdays=frozenset(self.hall.hours.weekdays),
            holidays=frozenset(self.calendar.holidays),
            extra_workdays=frozenset(self.calendar.extra_workdays),
        )

    def windows_for(self, service_id: str) -> tuple[list[Window], list[Window]]:
        """The (A, B) windows of a service (worked out once: issuing asks on every ticket)."""
        return self.windows_by_service.get(service_id, ([], []))


def cross_check(config: HallConfig) -> list[Problem]:
    problems: list[Problem] = []

    def unique(kind: str, values: list[Any], key: str) -> None:
        seen: set[Any] = set()
        for index, value in enumerate(values):
            if value in seen:
                problems.append(Problem(f"{kind}[{index}].{key}", f"duplicate {key} {value!r}"))
            seen.add(value)

    unique("zones", [z.id for z in config.zones], "id")
    unique("zones", [z.prefix for z in config.zones], "prefix")
    unique("services", [s.id for s in config.services], "id")
    unique("windows", [w.id for w in config.windows], "id")
    unique("windows", [w.number for w in config.windows], "number")
    unique("kiosks", [k.id for k in config.kiosks], "id")
    devices = config.bridge.devices
    unique("bridge.devices", [d.id for d in devices], "id")
    unique("bridge.devices", [(d.bus, d.address) for d in devices], "address")
    # one driver per bus: a master speaks one framing, and Modbus RTU frames are told apart by silence alone
    first_on_bus: dict[str, str] = {}
    for index, device in enumerate(devices):
        first = first_on_bus.setdefault(device.bus, device.driver)
        if device.driver != first:
            what = f'bus "{device.bus}" carries {first} devices: one driver per bus (docs/devices/README.md)'
            problems.append(Problem(f"bridge.devices[{index}].driver", what))
    window_ids = {w.id for w in config.windows}
    for index, device in enumerate(devices):
        if device.kind == "hall_strip" and device.window is not None:
            problems.append(Problem(f"bridge.devices[{index}].window", "the hall strip belongs to no window"))
        elif device.kind != "hall_strip" and device.window not in window_ids:
            what = (
                f'unknown window "{device.window}"' if device.window else f"a {device.kind} needs its window"
            )
            problems.append(Problem(f"bridge.devices[{index}].window", what))
    zone_ids = {z.id for z in config.zones}
    service_ids = {s.id for s in config.services}
    for index, service in enumerate(config.services):
        if service.zone not in zone_ids:
            problems.append(Problem(f"services[{index}].zone", f'unknown zone "{service.zone}"'))
    served: set[str] = set()
    for index, window in enumerate(config.windows):
        for key in ("a_services", "b_services"):
            for service_id in getattr(window, key):
                if service_id not in service_ids:
                    problems.append(Problem(f"windows[{index}].{key}", f'unknown service "{service_id}"'))
                served.add(service_id)
        both = set(window.a_services) & set(window.b_services)
        if both:
            problems.append(
                Problem(f"windows[{index}].b_services", f"already A services of this window: {sorted(both)}")
            )
        if not window.a_services and not window.b_services:
            problems.append(Problem(f"windows[{index}]", "a window needs at least one A or B service"))
    for index, service in enumerate(config.services):
        if service.id not in served:
            problems.append(Problem(f"services[{index}]", f'no window serves "{service.id}"'))
    ranking = config.ranking
    if ranking.satisfaction_weight + ranking.timeliness_weight + ranking.attendance_weight <= 0:
        problems.append(Problem("ranking", "at least one weight must be above 0"))
    both_days = set(config.calendar.holidays) & set(config.calendar.extra_workdays)
    if both_days:
        days = ", ".join(str(day) for day in sorted(both_days))
        problems.append(Problem("calendar.extra_workdays", f"also listed as holidays: {days}"))
    problems += voice_problems(config.voice, zone_ids)
    problems += booking_problems(config.booking, service_ids)
    hours = config.hall.hours
    if hours.open >= hours.close:
        problems.append(Problem("hall.hours.close", "closing time must come after opening time"))
    if hours.lunch and not (hours.open < hours.lunch[0] < hours.lunch[1] < hours.close):
        problems.append(Problem("hall.hours.lunch", "lunch break must lie inside opening hours"))
    if hours.stop_issuing and not (hours.open < hours.stop_issuing <= hours.close):
        problems.append(Problem("hall.hours.stop_issuing", "must lie between opening and closing time"))
    for index, quota in enumerate(config.booking.quotas):  # a hall that keeps its hours books inside them
        if hours.enforce and not (hours.open <= quota.hours[0] and quota.hours[1] <= hours.close):
            what = "bookable hours must lie inside the hall's opening hours"
            problems.append(Problem(f"booking.quotas[{index}].hours", what))
    for index, service in enumerate(config.services):
        own = service.issuing_hours
        if own is not None and not (hours.open <= own[0] < own[1] <= hours.close):
            what = "issuing hours must lie inside the hall's opening hours, start before end"
            problems.append(Problem(f"services[{index}].issuing_hours", what))
    return problems


def parse_hall(text: str, source: str = "<hall>") -> HallConfig:
    return parse_model(text, source, HallConfig, cross_check)


def load_hall(path: str | Path) -> HallConfig:
    return parse_model(*read_text(path), HallConfig, cross_check)
