"""Working days (工作日): the hall's weekdays, minus public holidays, plus 调休 make-up days. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    #: ISO weekdays the hall works, Monday = 1
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[date] = field(default_factory=frozenset)
    #: weekend days that are working days (调休上班)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (5 working days from a Friday: the next Friday)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day, counted = start, 0
        for _ in range(days * 7 + 400):  # a year of holidays cannot hide every working day
            if counted == days:
                return day
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        raise ValueError("no working days in this calendar")

    def days(self, first: date, last: date) -> Iterator[date]:
        """The working days of first .. last, both included, in order."""
        for n in range(max((last - first).days + 1, 0)):
            day = first + timedelta(days=n)
            if self.is_working_day(day):
                yield day

    def working_days(self, first: date, last: date) -> int:
        """How many working days lie in first .. last, both included."""
        return sum(1 for _ in self.days(first, last))
