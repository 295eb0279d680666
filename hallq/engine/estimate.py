"""Wait estimates: when will a ticket with `ahead` tickets before it be called?

Every window that can call the ticket's service is a server: free now or when its current visit is expected
to end (how long the visit has lasted counts), and then giving the service its share of its calls (all of
an A window's, what its recent calls show for a B window). The ticket is called once the windows together
have taken `ahead + 1` tickets of its service. Service times and shares are learned (wait_model.py); this
module is the arithmetic."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

#: no estimate is longer than a hall day
MAX_ESTIMATE_S = 8 * 3600
#: a visit under way is expected to last at least this share of a mean visit more
MIN_REMAINING_SHARE = 0.1
#: the range a ticket shows: these percentiles of the wait as the model sees it (low: B windows that help
#: whenever they have nothing of their own, the default rule, call some tickets early)
RANGE_QUANTILES = (0.02, 0.83)
#: how much wider than pure chance the wait spreads (visit times learned, not known; B windows' help; priority
#: tickets and no-shows): the spread of `n` calls is taken as that of a Gamma(n / DISPERSION) sum; tuned with
#: the simulator under the default rule so the range holds 70-90% of waits on every scenario
#: (docs/call-rule.md)
DISPERSION = 0.95


@dataclass(frozen=True)
class Server:
    """A window as the estimate sees it: seconds until it is free, its share of calls for the service, and
    its mean time per call (over the mix of services it calls)."""

    free_in_s: float
    share: float
    cycle_s: float


def remaining_s(mean_s: float, cv: float, elapsed_s: float) -> float:
    """Expected rest of a visit that has lasted `elapsed_s`, for lognormal service times with this mean and
    coefficient of variation: E[S - a | S > a] = mean * Phi(sigma - z) / Phi(-z) - a,
    z = (ln a - mu) / sigma."""
    if elapsed_s <= 0:
        return mean_s
    if cv < 0.01:  # regular as clockwork
        return max(mean_s - elapsed_s, MIN_REMAINING_SHARE * mean_s)
    sigma = math.sqrt(math.log(1 + cv * cv))
    mu = math.log(mean_s) - sigma * sigma / 2
    z = (math.log(elapsed_s) - mu) / sigma
    survive = _normal_cdf(-z)
    if survive < 1e-12:  # far beyond any usual visit: something else holds the window; expect a short rest
        return MIN_REMAINING_SHARE * mean_s
    rest = mean_s * _normal_cdf(sigma - z) / survive - elapsed_s
    return max(rest, MIN_REMAINING_SHARE * mean_s)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


@dataclass(frozen=True)
class WaitRange:
    """What a ticket can honestly promise: likely between low_s and high_s, estimate_s the single figure."""

    low_s: int
    estimate_s: int
    high_s: int
    #: no window serving the service is open now: the figure assumes its windows as if they were there, so a
    #: ticket says 暂无窗口开放 rather than promise it
    no_window_open: bool = False


def _calls_needed(ahead: int, active: Sequence[Server]) -> float:
    return ahead + 1.0 - sum(s.share for s in active if s.free_in_s <= 0)


def wait_range(ahead: int, servers: Sequence[Server], dispersion: float = DISPERSION) -> WaitRange:
    """The estimate with a range around it: the RANGE_QUANTILES of a Gamma distribution with the estimate as
    its mean and, as its shape, how many visits the windows are expected to end meanwhile (the wait is a sum
    of that many gaps, as with exponential visits; at least the calls still needed before this ticket),
    widened by `dispersion`."""
    estimate = wait_until_called(ahead, servers)
    if estimate in (0, MAX_ESTIMATE_S):
        return WaitRange(estimate, estimate, estimate)
    active = [s for s in servers if s.share > 0 and s.cycle_s > 0]
    # the wait is a sum of the gaps between the windows' visits ending, whatever service they were for
    visits_ending = estimate * sum(1.0 / s.cycle_s for s in active)
    shape = max(0.5, _calls_needed(ahead, active), visits_ending) / dispersion
    low, high = (_bounded(gamma_quantile(q, shape, estimate)) for q in RANGE_QUANTILES)
    return WaitRange(min(low, estimate), estimate, max(high, estimate))


def gamma_quantile(p: float, shape: float, mean: float) -> float:
    """The p-quantile of a Gamma distribution of this shape and mean (Wilson-Hilferty: the cube root of a
    Gamma variable is nearly normal), never below 0."""
    spread = 1.0 / (9.0 * shape)
    root = 1.0 - spread + NormalDist().inv_cdf(p) * math.sqrt(spread)
    return mean * max(0.0, root) ** 3


def wait_until_called(ahead: int, servers: Sequence[Server]) -> int:
    """Seconds until the ticket is called, never negative, never longer than MAX_ESTIMATE_S.

    Idle windows call at once (each taking its share of a ticket of the service). The first busy window to
    call the service does so after 1 / sum(share_i / free_in_i), which is exact when visit times are
    exponential and shortens when a window's visit is nearly done; after that the windows take the service's
    tickets at sum(share_i / cycle_i) a second. With exponential visits and one service per window this is
    (ahead + 1 - idle) * mean / windows, the M/M/c answer."""
    if ahead < 0:
        raise ValueError("ahead must be >= 0")
    active = [s for s in servers if s.share > 0 and s.cycle_s > 0]
    if not active:
        return MAX_ESTIMATE_S
    need = _calls_needed(ahead, active)
    if need <= 1e-9:
        return 0
    rate = sum(s.share / s.cycle_s for s in active)
    busy_rate = sum(s.share / s.free_in_s for s in active if s.free_in_s > 0)
    first = 1.0 / busy_rate if busy_rate > 0 else 1.0 / rate
    if need <= 1:
        return _bounded(need * first)
    return _bounded(first + (need - 1) / rate)


def _bounded(seconds: float) -> int:
    return int(min(MAX_ESTIMATE_S, max(0.0, round(seconds))))
