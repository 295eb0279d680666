"""Simulation scenarios (shared/scenario-format.md): typed, validated, errors named by key path and line."""

from __future__ import annotations

from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hallq.config.tomlfile import Problem, parse_model, read_text

_ID = r"^[A-Za-z0-9_-]{1,32}$"
#: a run stays within minutes on a small machine
MAX_TICKETS = 5_000_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ServiceTime(_Model):
    dist: Literal["exponential", "lognormal", "fixed"]
    mean_s: float = Field(gt=0)
    cv: float = Field(default=1.0, ge=0)


class SimService(_Model):
    id: str = Field(pattern=_ID)
    zone: str = Field(pattern=_ID)
    prefix: str | None = Field(default=None, pattern=r"^[A-Z]{1,2}$")
    service_time: ServiceTime

    @property
    def ticket_prefix(self) -> str:
        return self.prefix or self.zone[0].upper()


class SimWindow(_Model):
    id: str = Field(pattern=_ID)
    a: list[str] = Field(default_factory=list)
    b: list[str] = Field(default_factory=list)


class Arrival(_Model):
    service: str
    rate_per_hour: float | None = Field(default=None, ge=0)
    profile: list[tuple[time, float]] | None = None
    green_share: float = Field(default=0.0, ge=0, le=1)
    #: 预约: the share of this service's citizens who book a slot and check in with its code
    booked_share: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _one_rate(self) -> Arrival:
        if (self.rate_per_hour is None) == (self.profile is None):
            raise ValueError("give either rate_per_hour or profile")
        if self.profile is not None:
            if not self.profile:
                raise ValueError("profile needs at least one [time, rate] step")
            if any(rate < 0 for _, rate in self.profile):
                raise ValueError("profile rates must not be negative")
            if [t for t, _ in self.profile] != sorted(t for t, _ in self.profile):
                raise ValueError("profile times must be in order")
        return self


class Bookings(_Model):
    """How booked citizens (预约) behave: the hall's check-in window, and how early, late or absent they are.
    Each books the first slot whose check-in opens after the moment they would otherwise have come."""

    slot_min: int = Field(default=30, ge=5, le=240)
    check_in_before_min: int = Field(default=30, ge=0, le=240)
    grace_after_min: int = Field(default=15, ge=0, le=240)
    #: those who come early come this many minutes before their slot on average (exponentially spread)
    early_mean_min: float = Field(default=10.0, ge=0, le=240)
    #: who comes after the slot starts (up to twice the grace: half of them too late to check in)
    late_share: float = Field(default=0.1, ge=0, le=1)
    no_show_share: float = Field(default=0.1, ge=0, le=1)


class Absence(_Model):
    window: str
    start: time = Field(alias="from")
    end: time = Field(alias="to")


class Scenario(_Model):
    name: str = "scenario"
    seed: int = 0
    replications: int = Field(default=1, ge=1, le=10_000)
    open: time | None = None
    close: time | None = None
    duration_h: float | None = Field(default=None, gt=0)
    warmup_h: float = Field(default=0.0, ge=0)
    services: list[SimService] = Field(min_length=1)
    windows: list[SimWindow] = Field(min_length=1)
    arrivals: list[Arrival] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)
    bookings: Bookings = Field(default_factory=Bookings)

    @cached_property
    def service_by_id(self) -> dict[str, SimService]:
        return {service.id: service for service in self.services}

    @property
    def start_s(self) -> float:
        """Seconds after midnight when arrivals start (hall day), or 0 (steady state)."""
        return seconds_of(self.open) if self.open else 0.0

    @property
    def end_s(self) -> float:
        """Seconds after midnight (hall day) or after the start (steady state) when arrivals stop."""
        if self.duration_h is not None:
            return self.duration_h * 3600
        assert self.close is not None
        return seconds_of(self.close)

    @property
    def counted_from_s(self) -> float:
        return self.start_s + self.warmup_h * 3600


def seconds_of(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _cross_check(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    service_ids = [s.id for s in scenario.services]
    for index, service_id in enumerate(service_ids):
        if service_id in service_ids[:index]:
            problems.append(Problem(f"services[{index}].id", f"duplicate id {service_id!r}"))
    known = set(service_ids)
    window_ids: list[str] = []
    a_served: set[str] = set()
    for index, window in enumerate(scenario.windows):
        if window.id in window_ids:
            problems.append(Problem(f"windows[{index}].id", f"duplicate id {window.id!r}"))
        window_ids.append(window.id)
        for key in ("a", "b"):
            for service_id in getattr(window, key):
                if service_id not in known:
                    problems.append(Problem(f"windows[{index}].{key}", f'unknown service "{service_id}"'))
        if not window.a and not window.b:
            problems.append(Problem(f"windows[{index}]", "a window needs at least one A or B service"))
        if set(window.a) & set(window.b):
            problems.append(Problem(f"windows[{index}].b", "a service cannot be both A and B at one window"))
        a_served.update(window.a)
    for index, arrival in enumerate(scenario.arrivals):
        if any(earlier.service == arrival.service for earlier in scenario.arrivals[:index]):
            problems.append(
                Problem(f"arrivals[{index}].service", f'a second arrival for "{arrival.service}"')
            )
        if arrival.service not in known:
            problems.append(Problem(f"arrivals[{index}].service", f'unknown service "{arrival.service}"'))
        elif arrival.service not in a_served:
            problems.append(
                Problem(f"arrivals[{index}].service", f'no window has "{arrival.service}" as an A service')
            )
    for index, absence in enumerate(scenario.absences):
        if absence.window not in window_ids:
            problems.append(Problem(f"absences[{index}].window", f'unknown window "{absence.window}"'))
        if absence.start >= absence.end:
            problems.append(Problem(f"absences[{index}].to", "must come after from"))
    day = scenario.open is not None or scenario.close is not None
    if day == (scenario.duration_h is not None):
        problems.append(
            Problem("(top level)", "give either open and close (a hall day) or duration_h (steady state)")
        )
    elif day and (scenario.open is None or scenario.close is None or scenario.open >= scenario.close):
        problems.append(Problem("close", "a hall day needs open and close, close after open"))
    elif scenario.duration_h is not None and scenario.warmup_h >= scenario.duration_h:
        problems.append(Problem("warmup_h", "must be shorter than duration_h"))
    if not scenario.arrivals:
        problems.append(Problem("arrivals", "a scenario needs at least one [[arrivals]]"))
    elif not problems:
        hours = (scenario.end_s - scenario.start_s) / 3600
        peak = sum(
            max([a.rate_per_hour or 0.0] + [rate for _, rate in a.profile or []]) for a in scenario.arrivals
        )
        if peak * hours * scenario.replications > MAX_TICKETS:
            problems.append(
                Problem(
                    "arrivals",
                    f"up to {peak * hours * scenario.replications:,.0f} tickets: more than {MAX_TICKETS:,}",
                )
            )
    return problems


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    return parse_model(text, source, Scenario, _cross_check)


def load_scenario(path: str | Path) -> Scenario:
    return parse_model(*read_text(path), Scenario, _cross_check)
