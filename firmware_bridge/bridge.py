"""The bridge: pad keys become window actions, server events become LED text, evaluator keys become ratings.

It holds no queue logic: a key is an HTTP call to the server like the web caller's, and what the boards show
follows the server's pushes (and the snapshot after every reconnect).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from firmware_bridge.buses import bus_names, devices_on, open_bus
from firmware_bridge.drivers import KINDS
from firmware_bridge.drivers.base import DeviceFault, Lamps
from firmware_bridge.master import (
    DeviceDown,
    DeviceUp,
    Event,
    KeyPressed,
    Rated,
)
from firmware_bridge.prompts import RatingPrompts
from firmware_bridge.protocol import Effect, Key, Kind
from firmware_bridge.transport import BusPort

log = logging.getLogger(__name__)

KEY_NAMES = {Key.NEXT: "next", Key.RECALL: "recall", Key.NO_SHOW: "no_show", Key.PAUSE: "pause"}
KEY_NAMES |= {Key.FINISH: "finish", Key.START: "start", Key.TRANSFER: "transfer"}
REFUSALS = {"nobody_waiting": "无人等候", "window_not_open": "窗口未开", "busy": "请重试"}
REFUSALS |= {"no_current_ticket": "当前无号", "invalid_state": "操作无效", "unreachable": "连不上服务器"}


class Poster(Protocol):
    def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]: ...

    def get(self, path: str) -> dict[str, Any]: ...

    def join(self, rooms: list[str]) -> None: ...


#: the action that takes a new version of the hall's configuration (queued like an HTTP call)
RECONFIGURE = "reconfigure"


@dataclass(frozen=True)
class DeviceSpec:
    id: str
    kind: Kind
    bus: str
    address: int
    window: str | None


@dataclass
class WindowView:
    id: str
    number: int
    services: list[tuple[str, str]]  # (id, name) for the transfer menu
    state: str = "closed"
    current: str | None = None
    serving: bool = False
    menu: bool = False


@dataclass
class Bridge:
    setup: dict[str, Any]  # GET /api/v1/devices -> "bridge"
    hall: dict[str, Any]  # GET /api/v1/hall
    server: Poster
    ports: dict[str, str]  # bus -> port URL
    baudrate: int = 9600
    devices: dict[tuple[str, int], DeviceSpec] = field(default_factory=dict)
    windows: dict[str, WindowView] = field(default_factory=dict)
    buses: dict[str, BusPort] = field(default_factory=dict)
    #: the calls the hall strip scrolls, newest first: (ticket id, wording); a call leaves it when its ticket
    #: is finished, a no-show or transferred
    recent: deque[tuple[int, str]] = field(default_factory=deque)
    prompts: RatingPrompts = field(default_factory=RatingPrompts)
    actions: queue.Queue[tuple[str, dict[str, Any], DeviceSpec | None]] = field(default_factory=queue.Queue)
    ratings: int = 0
    #: what the server was last told of each device: ok, offline, fault
    reported: dict[str, str] = field(default_factory=dict)
    _pressed: dict[tuple[str, int, int], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._take(self.setup, self.hall)

    def _take(self, setup: dict[str, Any], hall: dict[str, Any]) -> set[str]:
        """Take the hall's windows and the devices of `setup`, keeping what each window shows; the buses
        whose devices changed (their ports are opened anew by the caller)."""
        services = {s["id"]: s["name"] for s in hall["services"]}
        windows: dict[str, WindowView] = {}
        for w in hall["windows"]:
            both = [*w["a_services"], *w["b_services"]]
            own = [(sid, services[sid]) for sid in both if sid in services]
            view = self.windows.get(w["id"]) or WindowView(
                w["id"], w["number"], own, w.get("state", "closed")
            )
            view.number, view.services = w["number"], own
            windows[w["id"]] = view
        devices = {}
        for d in setup["devices"]:
            spec = DeviceSpec(d["id"], KINDS[d["kind"]], d["bus"], d["address"], d.get("window"))
            devices[(spec.bus, spec.address)] = spec
        changed = {
            bus
            for bus in bus_names(self.setup) | bus_names(setup)
            if devices_on(self.setup, bus) != devices_on(setup, bus)
        }
        self.setup, self.hall, self.windows, self.devices = setup, hall, windows, devices
        self.recent = deque(self.recent, maxlen=setup["strip_calls"])
        for bus in sorted(bus_names(setup)):
            if bus in self.buses and bus not in changed:
                continue
            if bus not in self.ports:
                log.warning("bridge: no port given for bus %r; its devices stay dark", bus)
                continue
            events = partial(self.on_bus, bus)
            self.buses[bus] = open_bus(bus, devices_on(setup, bus), self.ports[bus], self.baudrate, events)
        return changed

    def reconfigure(self, setup: dict[str, Any], hall: dict[str, Any]) -> None:
        """A new version of the hall's configuration (`config_changed`): windows, services, texts and keys at
        once; a bus whose devices changed is opened anew with them (its other buses run on untouched)."""
        old_ports = dict(self.buses)
        changed = self._take(setup, hall)
        for bus in changed:
            port = old_ports.get(bus)
            if port is not None:
                port.stop()
                if self.buses.get(bus) is port:  # no devices left on it
                    del self.buses[bus]
        for bus in changed:
            if bus in self.buses and self.buses[bus] is not old_ports.get(bus):
                self.buses[bus].start()
        for window in self.windows.values():
            self._show_window(window)
        self._show_strip()
        log.info(
            "bridge: configuration taken (%d devices; buses anew: %s)", len(self.devices), sorted(changed)
        )

    def start(self) -> None:
        threading.Thread(target=self._act, name="bridge-actions", daemon=True).start()
        for window in self.windows.values():
            self._show_window(window)
        self._show_strip()
        for port in self.buses.values():
            port.start()

    def stop(self) -> None:
        self.actions.put(("", {}, None))
        for port in self.buses.values():
            port.stop()

    # -- the devices ---------------------------------------------------------------------------------------

    def _of(self, window_id: str | None, kind: Kind) -> list[DeviceSpec]:
        return [d for d in self.devices.values() if d.kind == kind and d.window == window_id]

    def _show(self, device: DeviceSpec, text: str, effect: Effect = Effect.STATIC) -> None:
        port = self.buses.get(device.bus)
        if port is None:
            return
        with port.lock:
            port.master.show_text(device.address, text, effect=effect)
        port.wake.set()

    def _board_text(self, window: WindowView) -> str:
        values = {"window": window.number}
        if window.current:
            return str(self.setup["call_text"]).format(ticket=window.current, **values)
        if window.state == "paused":
            return str(self.setup["paused_text"]).format(**values)
        return str(self.setup["idle_text"]).format(**values)

    def _show_window(self, window: WindowView, pad_note: str | None = None) -> None:
        for board in self._of(window.id, Kind.WINDOW_BOARD):
            self._show(board, self._board_text(window))
        state = {"open": "开", "paused": "暂停", "closed": "关"}.get(window.state, window.state)
        lamps = Lamps(
            called=window.current is not None and not window.serving,
            serving=window.current is not None and window.serving,
            paused=window.state == "paused",
        )
        for pad in self._of(window.id, Kind.CALL_PAD):
            self._show(pad, pad_note or f"{window.number}号 {state} {window.current or '--'}")
            port = self.buses.get(pad.bus)
            if port is not None:
                with port.lock:
                    port.master.set_lamps(pad.address, lamps)

    def _show_strip(self) -> None:
        text = "  ".join(call for _ticket, call in self.recent) or str(self.setup["strip_idle_text"])
        for strip in self._of(None, Kind.HALL_STRIP):
            self._show(strip, text, Effect.SCROLL)

    # -- from the server (the link's thread) ---------------------------------------------------------------

    def on_server(self, name: str, data: dict[str, Any]) -> None:
        if name == "snapshot" and data.get("room") == "hall":
            for row in data.get("windows", []):
                window = self.windows.get(row["id"])
                if window is not None:
                    window.state = row["state"]
                    current = row.get("current")
                    window.current = current["number"] if current else None
                    window.serving = bool(current) and current.get("status") == "serving"
                    self._show_window(window)
            in_hand = {row["current"]["id"] for row in data.get("windows", []) if row.get("current")}
            self.recent.clear()
            for call in data.get("recent_calls", []):
                if call["ticket"]["id"] in in_hand and len(self.recent) < (self.recent.maxlen or 0):
                    self.recent.append((call["ticket"]["id"], call["announce"]))
            self._show_strip()
        elif name in ("ticket_called", "ticket_recalled") and isinstance(data.get("window"), dict):
            window = self.windows.get(data["window"]["id"])
            if window is not None:
                window.current, window.serving = data["ticket"]["number"], False
                self._show_window(window)
            self._strip_without(int(data["ticket"]["id"]))
            self.recent.appendleft((int(data["ticket"]["id"]), data["announce"]))
            self._show_strip()
        elif name == "ticket_started":
            window = self.windows.get(str(data.get("window")))
            if window is not None:
                window.serving = True
                self._show_window(window)
        elif name in ("ticket_finished", "ticket_no_show", "ticket_transferred"):
            window = self.windows.get(str(data.get("window")))
            ticket_id = int(data["ticket"]["id"])
            if window is not None:
                window.current, window.serving = None, False
                self._show_window(window)
                if name == "ticket_finished":
                    self._prompt(window, ticket_id)
            if self._strip_without(ticket_id):
                self._show_strip()
        elif name == "rating_requested":  # a case system asked again for a visit finished a moment ago
            window = self.windows.get(str(data.get("window")))
            if window is not None:
                self._prompt(window, int(data["ticket"]["id"]))
        elif name == "ticket_rated" and data.get("source") != "pad":
            self._cancel_prompts(int(data["ticket_id"]))
        elif name == "config_changed":
            self.actions.put((RECONFIGURE, {}, None))
        elif name == "window_changed":
            window = self.windows.get(str(data.get("window_id")))
            if window is not None:
                window.state = str(data.get("state"))
                self._show_window(window)

    def _fetch_configuration(self) -> None:
        try:
            setup, hall = self.server.get("/devices")["bridge"], self.server.get("/hall")
            self.reconfigure(setup, hall)
        except Exception as exc:  # the server is away or refuses: the bridge runs on as it was
            log.warning("bridge: could not take the new configuration: %s", exc)
            return
        self.server.join(self.rooms())

    def _strip_without(self, ticket_id: int) -> bool:
        """Take a ticket's call off the strip; whether it was there."""
        kept = [(ticket, call) for ticket, call in self.recent if ticket != ticket_id]
        if len(kept) == len(self.recent):
            return False
        self.recent.clear()
        self.recent.extend(kept)
        return True

    def _prompt(self, window: WindowView, ticket_id: int) -> None:
        for evaluator in self._of(window.id, Kind.EVALUATOR):
            port = self.buses.get(evaluator.bus)
            if port is None:
                continue
            prompt_id = self.prompts.lend(evaluator.id, ticket_id)
            with port.lock:
                port.master.prompt_rating(
                    evaluator.address, prompt_id, self.setup["rating_timeout_s"], time.monotonic()
                )
            port.wake.set()

    def _cancel_prompts(self, ticket_id: int) -> None:
        """The visit was rated on the tablet or the phone: its evaluator goes dark (RATE_CANCEL)."""
        for evaluator_id, prompt_id in self.prompts.put_out(ticket_id):
            for spec in self.devices.values():
                port = self.buses.get(spec.bus)
                if spec.id == evaluator_id and port is not None:
                    with port.lock:
                        port.master.cancel_rating(spec.address, prompt_id)
                    port.wake.set()

    def rooms(self) -> list[str]:
        """The server rooms the bridge joins: the hall, and each window with an evaluator (its ratings)."""
        windows = sorted({d.window for d in self.devices.values() if d.kind == Kind.EVALUATOR and d.window})
        return ["hall", *(f"window:{window}" for window in windows)]

    # -- from the devices (a bus thread) -------------------------------------------------------------------

    def on_bus(self, bus: str, events: list[Event]) -> None:
        for event in events:
            spec = self.devices.get((bus, event.address))
            if spec is None:
                continue
            if isinstance(event, KeyPressed) and spec.kind == Kind.CALL_PAD:
                self._key(spec, event.key)
            elif isinstance(event, Rated) and spec.kind == Kind.EVALUATOR:
                ticket_id = self.prompts.answered(spec.id, event.prompt_id)
                if ticket_id is not None:
                    self.actions.put((f"/tickets/{ticket_id}/rating", {"level": event.level}, None))
            elif isinstance(event, DeviceDown | DeviceUp | DeviceFault):
                self._report(spec, event)

    def _report(self, spec: DeviceSpec, event: DeviceDown | DeviceUp | DeviceFault) -> None:
        """Tell the server when a device stops answering, refuses requests, or is back (device_status)."""
        if isinstance(event, DeviceUp):
            state, message = "ok", None
        elif isinstance(event, DeviceDown):
            state, message = "offline", event.why[:200]
        else:
            state, message = "fault", event.reason[:200]
        # on the bridge's console by default: a device that stops or refuses is the first thing to look at
        log.warning("bridge: device %s %s%s", spec.id, state, f": {message}" if message else "")
        if self.reported.get(spec.id) != state:
            self.reported[spec.id] = state
            self.actions.put((f"/devices/{spec.id}/status", {"state": state, "message": message}, None))

    def _key(self, pad: DeviceSpec, key: int) -> None:
        now = time.monotonic()
        last = self._pressed.get((pad.bus, pad.address, key))
        self._pressed[(pad.bus, pad.address, key)] = now
        if last is not None and now - last < self.setup["debounce_ms"] / 1000:
            return  # key bounce
        window = self.windows.get(str(pad.window))
        if window is None:  # a pad left over from a configuration change
            return
        if window.menu:
            window.menu = False
            digit = key - Key.DIGIT_0
            if 1 <= digit <= min(9, len(window.services)):
                service_id = window.services[digit - 1][0]
                self.actions.put((f"/windows/{window.id}/transfer", {"service_id": service_id}, pad))
            else:
                self._show_window(window)
            return
        action = self.setup["keys"].get(KEY_NAMES.get(Key(key), "")) if key in KEY_NAMES else None
        if action in (None, "none"):
            return
        if action == "transfer":
            window.menu = True
            menu = " ".join(f"{n}{name[:4]}" for n, (_id, name) in enumerate(window.services[:9], 1))
            self._show(pad, f"转移: {menu}")
            return
        if action == "pause":
            action = {"closed": "open", "open": "pause", "paused": "resume"}.get(window.state, "pause")
        self.actions.put((f"/windows/{window.id}/{action}", {}, pad))

    def _act(self) -> None:
        """HTTP calls, one at a time, off the bus threads (a slow server never stalls polling)."""
        while True:
            path, body, pad = self.actions.get()
            if not path:
                return
            if path == RECONFIGURE:
                self._fetch_configuration()
                continue
            status, answer = self.server.post(path, body)
            if path.endswith("/status"):
                continue
            if path.endswith("/rating"):
                self.ratings += status == 201
                continue
            calls = path.endswith(("/call-next", "/next"))
            nobody = calls and status == 200 and answer.get("ticket") is None
            if pad is not None and (status >= 400 or status == 0 or nobody):
                window = self.windows.get(str(pad.window))
                if window is None:
                    continue
                code = (
                    "nobody_waiting" if nobody else str(answer.get("error", "" if status else "unreachable"))
                )
                self._show(pad, f"{window.number}号 {REFUSALS.get(code, code)[:12]}")
