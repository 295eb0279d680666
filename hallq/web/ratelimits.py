"""Rate limits on issuing (per kiosk, per address) and on failed logins, with the `limits` library (the one
Flask-Limiter is built on): in memory for one process, in Redis when processes share a message queue."""

from __future__ import annotations

from limits import RateLimitItemPerMinute, parse, storage, strategies

from hallq.config.sections import Limits
from hallq.operations.context import Actor
from hallq.operations.errors import TooManyRequests


class KioskBurst(TooManyRequests):
    """One kiosk took too many tickets for one service this minute: refused, and managers are told."""

    def __init__(self, kiosk: str, service_id: str, per_minute: int) -> None:
        super().__init__(
            "too_many_tickets",
            f"此事项取号过于频繁，请稍后再试 / More than {per_minute} tickets a minute for this service "
            "from this kiosk; try again in a minute",
        )
        self.kiosk, self.service_id, self.per_minute = kiosk, service_id, per_minute


def storage_for(message_queue: str | None) -> str:
    """Counts shared by every process through the Redis they share, else kept in this process."""
    return message_queue if message_queue and message_queue.startswith("redis") else "memory://"


class RateLimits:
    def __init__(self, rules: Limits, storage_uri: str, scope: str) -> None:
        self.limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        #: every key starts with this: the halls of a city sharing one Redis count apart
        self.scope = scope
        self._set_rules(rules)

    def _set_rules(self, rules: Limits) -> None:
        self.per_kiosk = RateLimitItemPerMinute(rules.issues_per_kiosk_per_minute)
        self.per_address = RateLimitItemPerMinute(rules.issues_per_address_per_minute)
        self.per_kiosk_service = RateLimitItemPerMinute(max(1, rules.issues_per_kiosk_per_service_per_minute))
        self.logins = parse(f"{max(1, rules.login_failures_per_15_minutes)}/15 minutes")
        self.user_logins = parse(f"{max(1, rules.login_failures_per_username_per_15_minutes)}/15 minutes")
        self.login_attempts = RateLimitItemPerMinute(max(1, rules.login_attempts_per_address_per_minute))
        self.rules = rules

    def with_rules(self, rules: Limits) -> RateLimits:
        """The same counts (the same storage) under a new version's rules."""
        other = RateLimits.__new__(RateLimits)
        other.limiter, other.scope = self.limiter, self.scope
        other._set_rules(rules)
        return other

    def issue(self, actor: Actor, address: str | None, service_id: str | None = None) -> None:
        """Count one ticket; refuse it when its kiosk or its address has taken too many this minute, or its
        kiosk too many for one service (KioskBurst: managers are told)."""
        kiosk = actor.kiosk_id or actor.name
        if (
            self.rules.issues_per_kiosk_per_service_per_minute
            and actor.role == "kiosk"
            and service_id is not None
            and not self.limiter.hit(self.per_kiosk_service, self.scope, "issue-service", kiosk, service_id)
        ):
            raise KioskBurst(kiosk, service_id, self.rules.issues_per_kiosk_per_service_per_minute)
        if (
            self.rules.issues_per_kiosk_per_minute
            and actor.role == "kiosk"
            and not self.limiter.hit(self.per_kiosk, self.scope, "issue-kiosk", kiosk)
        ):
            raise TooManyRequests(
                "too_many_tickets",
                "取号过于频繁，请稍后再试 / Too many tickets from this kiosk; try again in a minute",
            )
        if (
            self.rules.issues_per_address_per_minute
            and address
            and not self.limiter.hit(self.per_address, self.scope, "issue-address", address)
        ):
            raise TooManyRequests(
                "too_many_tickets",
                "取号过于频繁，请稍后再试 / Too many tickets from this address; try again in a minute",
            )

    def booking(self, address: str | None, per_hour: int) -> None:
        """Count one booking from `address` (the booking page has no captcha: a throttle instead)."""
        if per_hour and not self.limiter.hit(
            parse(f"{per_hour}/hour"), self.scope, "booking", address or "-"
        ):
            raise TooManyRequests(
                "too_many_bookings",
                "预约过于频繁，请稍后再试 / Too many bookings from this network; try again later",
            )

    def check_login(self, address: str | None, username: str) -> None:
        """Before the password is checked (it costs ~0.1 s of CPU): refuse an address that tries too often
        whatever the usernames, and a username that failed too often from this address or from all."""
        rules = self.rules
        if rules.login_attempts_per_address_per_minute and not self.limiter.hit(
            self.login_attempts, self.scope, "login-attempt", address or "-"
        ):
            raise TooManyRequests(
                "too_many_logins",
                "登录尝试过于频繁，请稍后再试 / Too many login attempts; try again in a minute",
            )
        if (
            rules.login_failures_per_15_minutes
            and not self.limiter.test(self.logins, self.scope, "login", address or "-", username)
        ) or (
            rules.login_failures_per_username_per_15_minutes
            and not self.limiter.test(self.user_logins, self.scope, "login-user", username)
        ):
            raise TooManyRequests(
                "too_many_logins",
                "登录失败次数过多，请 15 分钟后再试 / Too many failed logins; try again in 15 minutes",
            )

    def login_failed(self, address: str | None, username: str) -> None:
        if self.rules.login_failures_per_15_minutes:
            self.limiter.hit(self.logins, self.scope, "login", address or "-", username)
        if self.rules.login_failures_per_username_per_15_minutes:
            self.limiter.hit(self.user_logins, self.scope, "login-user", username)
