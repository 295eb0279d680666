"""What every operation needs: the hall, the store, the clock and the call policy."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from hallq.config.hall import HallConfig
from hallq.engine import CallPolicy, Clock, service_day
from hallq.operations.live_model import LiveWaitModel
from hallq.operations.token_use import TokenUse
from hallq.store.db import Store


@dataclass
class HallContext:
    config: HallConfig
    store: Store
    clock: Clock
    policy: CallPolicy
    #: keys the hashes that stand for a person where a service limits tickets per person (engine/identity.py)
    identity_secret: bytes = b""
    #: what the wait estimate has learned in this process (operations/live_model.py), made on first use
    wait_model: LiveWaitModel | None = None
    #: the version of the configuration in the database that `config` is (operations/hall_versions.py)
    version: int = 0
    #: when each device token was last used (shared by every request's pinned copy)
    token_use: TokenUse = field(default_factory=TokenUse)

    def switch(self, config: HallConfig, policy: CallPolicy, version: int) -> None:
        """A new version of the configuration for every request that starts from now on (one statement: under
        eventlet no other green thread runs in between)."""
        self.config, self.policy, self.version, self.wait_model = (
            config,
            policy,
            version,
            LiveWaitModel(config),
        )

    def pinned(self) -> HallContext:
        """This context as it is now, for one request: a version switch meanwhile does not tear it."""
        if self.wait_model is None:
            self.wait_model = LiveWaitModel(self.config)
        return replace(self)

    def now(self) -> datetime:
        return self.clock.now()

    def day(self, instant: datetime | None = None) -> date:
        return service_day(instant or self.clock.now(), self.config.tz)


@dataclass(frozen=True)
class Actor:
    """Who acts: a role, a name for the event log, and the window a device token is bound to."""

    role: str
    name: str
    window_id: str | None = None
    user_id: int | None = None
    #: a kiosk token bound to one kiosk of the hall file
    kiosk_id: str | None = None
    #: a citizen's status page may follow this one ticket only
    ticket_id: int | None = None
    #: the device token acting (its row id), so its sockets end when it is revoked
    token_id: int | None = None
    #: the session version of the logged-in user acting (User.session_version)
    session_version: int | None = None
    #: the windows a clerk may act at (User.windows); empty: any window
    windows: tuple[str, ...] = ()
    #: the network address the request came from (the 好差评 integrity checks compare it with ratings')
    address: str | None = None

    def may_act_at(self, window_id: str) -> bool:
        return not self.windows or window_id in self.windows
