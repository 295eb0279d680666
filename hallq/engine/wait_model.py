"""What the wait estimate learns as the day goes: each service's recent visit times (by hour of day once an
hour has enough visits) and how each window's recent calls were shared among the services it serves. The
server feeds it from the day's ticket log, the simulator from its own events; both ask it the same way."""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from hallq.engine.estimate import Server, WaitRange, remaining_s, wait_range, wait_until_called

#: the hall file's mean visit time counts as this many visits until real ones come in
PRIOR_VISITS = 5
#: the mean follows about this many of the latest visits (an exponentially weighted mean)
RECENT_VISITS = 30
#: an hour of day has its own mean once it has seen this many visits
HOUR_MIN_VISITS = 8
#: a window's share of calls per service is read from this many of its latest calls
RECENT_CALLS = 20
#: before a window has called anybody, this many calls' worth of the A/B shape is assumed
PRIOR_CALLS = 4
#: a B window's assumed share of its calls for the services it backs up (before it has called any)
B_SHARE = 0.25
#: service times are assumed this variable before visits say otherwise (1 = as variable as exponential)
PRIOR_CV = 1.0


@dataclass(frozen=True)
class WindowNow:
    """A window at the moment of the estimate: open or not, and the visit under way."""

    window_id: str
    open: bool
    busy_service: str | None = None
    elapsed_s: float = 0.0


@dataclass
class _Times:
    """Exponentially weighted mean and mean square of visit times, started from a prior."""

    mean_s: float
    mean_square: float
    visits: int = 0

    def add(self, seconds: float) -> None:
        self.visits += 1
        weight = 1.0 / min(PRIOR_VISITS + self.visits, RECENT_VISITS)
        self.mean_s += weight * (seconds - self.mean_s)
        self.mean_square += weight * (seconds * seconds - self.mean_square)

    @property
    def cv(self) -> float:
        variance = max(0.0, self.mean_square - self.mean_s * self.mean_s)
        return min(1.5, max(0.2, math.sqrt(variance) / self.mean_s)) if self.mean_s > 0 else PRIOR_CV


@dataclass
class WaitModel:
    prior_mean_s: Mapping[str, float]
    a_services: Mapping[str, frozenset[str]]
    b_services: Mapping[str, frozenset[str]]
    _times: dict[str, _Times] = field(default_factory=dict)
    _hour_times: dict[tuple[str, int], _Times] = field(default_factory=dict)
    _calls: dict[str, deque[str]] = field(default_factory=dict)
    _call_counts: dict[str, Counter[str]] = field(default_factory=dict)
    _serving: dict[str, list[str]] = field(default_factory=dict)
    _window_times: dict[str, _Times] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for window_id in sorted({*self.a_services, *self.b_services}):  # one order in every process
            for service_id in self.a_services.get(window_id, set()) | self.b_services.get(window_id, set()):
                self._serving.setdefault(service_id, []).append(window_id)

    def windows_serving(self, service_id: str) -> list[str]:
        """Windows with the service among their A or B services."""
        return self._serving.get(service_id, [])

    def _fresh(self, service_id: str) -> _Times:
        prior = self.prior_mean_s[service_id]
        return _Times(prior, prior * prior * (1 + PRIOR_CV * PRIOR_CV))

    # --- what happened ------------------------------------------------------------------------------
    def visit(self, service_id: str, seconds: float, hour: int, window_id: str | None = None) -> None:
        """A visit of the service ended after `seconds` of service, in this hour of the hall's day, at this
        window (when known: a window's own pace is learned too)."""
        if service_id not in self.prior_mean_s or seconds <= 0:
            return
        self._times.setdefault(service_id, self._fresh(service_id)).add(seconds)
        self._hour_times.setdefault((service_id, hour), self._fresh(service_id)).add(seconds)
        if window_id is not None:
            if window_id not in self._window_times:
                prior = self._mix_cycle_s(window_id, hour)
                self._window_times[window_id] = _Times(prior, prior * prior * (1 + PRIOR_CV * PRIOR_CV))
            self._window_times[window_id].add(seconds)

    def call(self, window_id: str, service_id: str) -> None:
        calls = self._calls.setdefault(window_id, deque(maxlen=RECENT_CALLS))
        counts = self._call_counts.setdefault(window_id, Counter())
        if len(calls) == RECENT_CALLS:
            counts[calls[0]] -= 1
        calls.append(service_id)
        counts[service_id] += 1

    # --- what to expect -----------------------------------------------------------------------------
    def mean_s(self, service_id: str, hour: int | None = None) -> float:
        if hour is not None:
            by_hour = self._hour_times.get((service_id, hour))
            if by_hour is not None and by_hour.visits >= HOUR_MIN_VISITS:
                return by_hour.mean_s
        times = self._times.get(service_id)
        return times.mean_s if times is not None else self.prior_mean_s[service_id]

    def cv(self, service_id: str) -> float:
        times = self._times.get(service_id)
        return times.cv if times is not None and times.visits >= HOUR_MIN_VISITS else PRIOR_CV

    def share(self, window_id: str, service_id: str) -> float:
        """How much of a window counts for a service that has tickets waiting: all of an A window (it calls
        its A queues first, the longest-waiting ticket among them), and for a B window the share of its recent
        calls that went to the service (0 for a window that does not serve it)."""
        if service_id in self.a_services.get(window_id, ()):
            return 1.0
        return self.mix(window_id, service_id) if service_id in self.b_services.get(window_id, ()) else 0.0

    def mix(self, window_id: str, service_id: str) -> float:
        """The share of the window's recent calls that went to the service (its A/B shape before any)."""
        a, b = self.a_services.get(window_id, frozenset()), self.b_services.get(window_id, frozenset())
        if service_id in a:
            prior = (1 - (B_SHARE if b else 0.0)) / len(a)
        elif service_id in b:
            prior = (B_SHARE if a else 1.0) / len(b)
        else:
            return 0.0
        calls = self._calls.get(window_id, ())
        count = self._call_counts[window_id][service_id] if calls else 0
        return (count + PRIOR_CALLS * prior) / (len(calls) + PRIOR_CALLS)

    def cycle_s(self, window_id: str, hour: int) -> float:
        """The window's mean time per call: its own recent visits once it has had enough, before that the
        mean over the mix of services it calls."""
        own = self._window_times.get(window_id)
        if own is not None and own.visits >= HOUR_MIN_VISITS:
            return own.mean_s
        return self._mix_cycle_s(window_id, hour)

    def _mix_cycle_s(self, window_id: str, hour: int) -> float:
        served = self.a_services.get(window_id, frozenset()) | self.b_services.get(window_id, frozenset())
        return sum(self.mix(window_id, s) * self.mean_s(s, hour) for s in served if s in self.prior_mean_s)

    def server(self, window_id: str, service_id: str, hour: int, now: WindowNow | None = None) -> Server:
        free_in = 0.0
        if now is not None and now.busy_service is not None and now.busy_service in self.prior_mean_s:
            busy = now.busy_service
            free_in = remaining_s(self.mean_s(busy, hour), self.cv(busy), now.elapsed_s)
        return Server(free_in, self.share(window_id, service_id), self.cycle_s(window_id, hour))

    def servers(self, service_id: str, windows: Mapping[str, WindowNow], hour: int) -> list[Server]:
        """The windows serving the service that are open now (`windows` by id; a window missing is closed)."""
        found = []
        open_ids = [w for w in self.windows_serving(service_id) if (now := windows.get(w)) and now.open]
        # no A window of the service open: its B windows have taken it over (the call rule makes it their
        # own work), so each counts fully, as an A window does
        covered = not any(service_id in self.a_services.get(w, ()) for w in open_ids)
        for window_id in open_ids:
            server = self.server(window_id, service_id, hour, windows[window_id])
            found.append(replace(server, share=1.0) if covered else server)
        if not found:  # nobody serves it yet (before opening, or all away): as if its A windows were there,
            # each with a visit just begun (nobody knows when they come; the figure grows with the queue)
            own = [w for w in self.windows_serving(service_id) if service_id in self.a_services.get(w, ())]
            for window_id in own or self.windows_serving(service_id):
                server = self.server(window_id, service_id, hour)
                found.append(Server(server.cycle_s, server.share, server.cycle_s))
        return found

    def estimate(self, service_id: str, ahead: int, windows: Mapping[str, WindowNow], hour: int) -> int:
        """Seconds until a ticket of the service with `ahead` tickets before it is called."""
        return wait_until_called(ahead, self.servers(service_id, windows, hour))

    def estimate_range(
        self, service_id: str, ahead: int, windows: Mapping[str, WindowNow], hour: int
    ) -> WaitRange:
        """The estimate and the range the wait likely falls in (flagged when no window serving it is open)."""
        found = wait_range(ahead, self.servers(service_id, windows, hour))
        if self.any_open(service_id, windows):
            return found
        return replace(found, no_window_open=True)

    def any_open(self, service_id: str, windows: Mapping[str, WindowNow]) -> bool:
        return any((now := windows.get(w)) is not None and now.open for w in self.windows_serving(service_id))
