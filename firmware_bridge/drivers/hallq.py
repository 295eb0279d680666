"""hallq's own device protocol (docs/serial-protocol.md) as a driver: frames with a sequence number, polls
that carry the last event seen, events a device repeats until a poll acknowledges them."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from firmware_bridge.drivers.base import (
    Answer,
    DeviceDriver,
    DeviceFault,
    Effect,
    Event,
    KeyPressed,
    Rated,
    Request,
)
from firmware_bridge.protocol import Frame, Parser, Type, text_payload


@dataclass
class HallqDevice(DeviceDriver):
    outbox: deque[Frame] = field(default_factory=deque)  # type: ignore[assignment]
    next_seq: int = 1
    last_event_seq: int = 0
    parser: Parser = field(default_factory=Parser)
    #: what the device should show, line -> SHOW_TEXT payload; sent again whenever the device comes back
    shown: dict[int, bytes] = field(default_factory=dict)
    #: an evaluator's prompt that is lit: (prompt id, when the bridge puts it out if nobody rates)
    prompt: tuple[int, float] | None = None

    def seq(self) -> int:
        value = self.next_seq
        self.next_seq = value % 255 + 1  # 1..255; 0 means "none" in POLL
        return value

    def show_text(self, text: str, effect: Effect = Effect.STATIC, line: int = 0) -> None:
        payload = text_payload(text, line, effect)
        if self.shown.get(line) == payload:
            return
        self.shown[line] = payload
        # a newer text for the same line replaces one not sent yet
        self.outbox = deque(
            f for f in self.outbox if not (f.type == Type.SHOW_TEXT and f.payload[:1] == bytes([line]))
        )
        self.outbox.append(Frame(self.address, 0, Type.SHOW_TEXT, payload))

    def prompt_rating(self, prompt_id: int, timeout_s: int, now: float = 0.0) -> None:
        timeout_s = max(1, min(255, timeout_s))
        payload = prompt_id.to_bytes(2, "little") + bytes([timeout_s])
        self.outbox.append(Frame(self.address, 0, Type.RATE_PROMPT, payload))
        self.prompt = (prompt_id, now + timeout_s)

    def cancel_rating(self, prompt_id: int) -> None:
        """RATE_CANCEL, unless the prompt was never sent (then it is not sent at all)."""
        if self.prompt is None or self.prompt[0] != prompt_id:
            return
        self.prompt = None
        payload = prompt_id.to_bytes(2, "little")
        unsent = [f for f in self.outbox if f.type == Type.RATE_PROMPT and f.payload[:2] == payload]
        if unsent:
            self.outbox = deque(f for f in self.outbox if f not in unsent)
        else:
            self.outbox.append(Frame(self.address, 0, Type.RATE_CANCEL, payload))

    def next_command(self) -> Frame | None:
        if not self.outbox:
            return None
        command = self.outbox[0]
        return Frame(self.address, self.seq(), command.type, command.payload)

    def command_done(self, request: Request) -> None:
        if (
            isinstance(request, Frame)
            and self.outbox
            and self.outbox[0].type == request.type
            and self.outbox[0].payload == request.payload
        ):
            self.outbox.popleft()  # a NAK'ed command is dropped too: sending it again would not help

    def poll(self, now: float) -> Frame:
        if self.prompt is not None and now >= self.prompt[1]:
            # the device puts its prompt out by itself; the bridge says so too, in case its clock runs slow
            self.cancel_rating(self.prompt[0])
        return Frame(self.address, self.seq(), Type.POLL, bytes([self.last_event_seq]))

    def feed(self, request: Request, data: bytes, now: float) -> Answer | None:
        assert isinstance(request, Frame)
        for frame in self.parser.feed(data):
            if frame.address != request.address or frame.type < 0x80:
                continue  # not the answer we wait for: another device's, or another master's frame
            if frame.type in (Type.ACK, Type.NAK) and frame.payload[:1] != bytes([request.seq]):
                continue  # the answer to an earlier try
            events: list[Event] = []
            if frame.type == Type.NAK and request.type != Type.POLL:
                events.append(
                    DeviceFault(
                        self.address, f"NAK {Type(request.type).name} error {frame.payload[1:2].hex()}"
                    )
                )
            if frame.type == Type.KEY and len(frame.payload) == 1 and frame.seq != self.last_event_seq:
                self.last_event_seq = frame.seq
                events.append(KeyPressed(self.address, frame.payload[0]))
            elif frame.type == Type.RATING and len(frame.payload) == 3 and frame.seq != self.last_event_seq:
                self.last_event_seq = frame.seq
                level = frame.payload[2]
                prompt_id = int.from_bytes(frame.payload[:2], "little")
                if self.prompt is not None and self.prompt[0] == prompt_id:
                    self.prompt = None  # the device put the prompt out as it sent the rating
                if 1 <= level <= 5:
                    events.append(Rated(self.address, prompt_id, level))
            # a KEY or RATING seen before: our POLL that acknowledged it was lost; it acts once
            done = request.type != Type.POLL and frame.type in (Type.ACK, Type.NAK)
            return Answer(done, tuple(events))
        return None

    def came_back(self) -> None:
        """What it should show goes out before anything else."""
        pending = [f for f in self.outbox if f.type != Type.SHOW_TEXT]
        texts = [
            Frame(self.address, 0, Type.SHOW_TEXT, payload) for _line, payload in sorted(self.shown.items())
        ]
        self.outbox = deque([*texts, *pending])

    def reset(self) -> None:
        self.parser.reset()
