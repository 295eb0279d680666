"""Server settings: flags, then environment (HALLQ_*), then defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ASYNC_MODES = ("eventlet", "threading")
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_hall_file() -> Path:
    """config/hall.toml of the working directory, else the one beside the package (a source checkout)."""
    local = Path("config/hall.toml")
    return local if local.exists() else REPO_ROOT / "config" / "hall.toml"


@dataclass
class Settings:
    instance: Path = field(default_factory=lambda: Path(os.environ.get("HALLQ_INSTANCE", "instance")))
    hall_file: Path = field(
        default_factory=lambda: (
            Path(os.environ["HALLQ_HALL_FILE"]) if "HALLQ_HALL_FILE" in os.environ else default_hall_file()
        )
    )
    database_url: str | None = field(default_factory=lambda: os.environ.get("HALLQ_DATABASE_URL") or None)
    message_queue: str | None = field(default_factory=lambda: os.environ.get("HALLQ_MESSAGE_QUEUE") or None)
    async_mode: str = field(default_factory=lambda: os.environ.get("HALLQ_ASYNC_MODE", "eventlet"))
    #: None keeps the hall file's [hall.hours] enforce; the demo hall sets False so it runs at any hour
    enforce_hours: bool | None = None
    testing: bool = False
    #: kiosk id -> printer URI, replacing the hall file's (the demo and tests point kiosks at emulators)
    printers: dict[str, str] = field(default_factory=dict)
    #: replaces keys of the hall's [province] (the demo's province emulator on 127.0.0.1)
    province: dict[str, str] = field(default_factory=dict)
    #: replaces keys of the hall's [messages] (the demo's SMS gateway on 127.0.0.1)
    messages: dict[str, str] = field(default_factory=dict)
    #: set for a hall of a city deployment (hallq/app/city.py): its own PostgreSQL schema, Socket.IO channel,
    #: cookie and URL prefix /h/<hall_id>
    hall_id: str | None = None
    #: connections per process to the database (PostgreSQL; a city shares max_connections among its halls)
    pool_size: int = field(default_factory=lambda: int(os.environ.get("HALLQ_DB_POOL_SIZE", "10")))
    #: proxies in front (nginx: 1) whose X-Forwarded-For/-Proto are trusted (web/proxy.py)
    proxy_hops: int = field(default_factory=lambda: int(os.environ.get("HALLQ_PROXY_HOPS", "0")))
    #: where that proxy connects from: its forwarded headers count only from these addresses or networks
    trusted_proxies: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            part.strip()
            for part in os.environ.get("HALLQ_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
            if part
        )
    )
    #: session cookies only over HTTPS: set when the hall is served over TLS (docs/deployment.md)
    secure_cookies: bool = field(default_factory=lambda: os.environ.get("HALLQ_SECURE_COOKIES") == "1")
    #: Socket.IO transports the server accepts: several processes behind one port need "websocket" alone
    transports: tuple[str, ...] = ("polling", "websocket")
    #: benchmarks only (bench/soak.py): hall time runs this many times faster, one working day after another
    #: (hallq.operations.clocks.CompressedClock); never set in a real hall
    clock_speed: float | None = field(
        default_factory=lambda: (
            float(os.environ["HALLQ_CLOCK_SPEED"]) if "HALLQ_CLOCK_SPEED" in os.environ else None
        )
    )

    @property
    def schema(self) -> str | None:
        return f"hall_{self.hall_id}" if self.hall_id else None

    @property
    def mount(self) -> str:
        return f"/h/{self.hall_id}" if self.hall_id else ""

    @property
    def socketio_channel(self) -> str:
        """Redis channel of this hall's pushes: halls sharing a Redis never see each other's events."""
        return f"hallq-{self.hall_id}" if self.hall_id else "flask-socketio"

    def __post_init__(self) -> None:
        self.instance = Path(self.instance).resolve()
        self.hall_file = Path(self.hall_file)
        if self.async_mode not in ASYNC_MODES:
            raise ValueError(f"async mode must be one of {', '.join(ASYNC_MODES)}, not {self.async_mode!r}")

    def secret_key(self) -> str:
        """Read instance/secret_key, creating it (mode 0600) on first use."""
        path = self.instance / "secret_key"
        if not path.exists():
            self.instance.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
        return path.read_text().strip()
