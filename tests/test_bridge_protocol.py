"""The device protocol, sans-IO: frames, the parser against noise, the master and the device models."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.emulators.hallq_devices import Bus, CallPad, Evaluator, make_device
from firmware_bridge.master import BusMaster, DeviceDown, DeviceUp, KeyPressed, Rated, Timing
from firmware_bridge.protocol import MAX_PAYLOAD, Frame, Key, Kind, Parser, Type, crc16_modbus, text_payload

frames = st.builds(
    Frame,
    address=st.integers(0, 255),
    seq=st.integers(0, 255),
    type=st.integers(0, 255),
    payload=st.binary(max_size=MAX_PAYLOAD),
)


def test_crc16_modbus_check_value() -> None:
    assert crc16_modbus(b"123456789") == 0x4B37  # the catalogue's check value for CRC-16/MODBUS


def test_a_worked_example_from_the_protocol_document() -> None:
    """docs/serial-protocol.md: the bridge polls the pad at address 1 with seq 7, no event seen yet."""
    assert Frame(0x01, 0x07, Type.POLL, b"\x00").encode().hex(" ") == "a5 01 07 01 01 00 48 e4"


@given(frames)
def test_round_trip(frame: Frame) -> None:
    assert Parser().feed(frame.encode()) == [frame]


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_byte_soup_never_raises_and_never_yields_a_bad_frame(soup: bytes) -> None:
    for frame in Parser().feed(soup):
        assert Parser().feed(frame.encode()) == [frame]  # it is whole, with a good CRC


@settings(max_examples=300)
@given(noise=st.binary(max_size=300), frame=frames, cuts=st.lists(st.integers(1, 400), max_size=6))
def test_the_next_good_frame_is_found_after_noise(noise: bytes, frame: Frame, cuts: list[int]) -> None:
    data = noise + frame.encode()
    parser, found, start = Parser(), [], 0
    for end in [*sorted({min(c, len(data)) for c in cuts}), len(data)]:
        found += parser.feed(data[start:end])
        start = end
    assert found and found[-1] == frame


def test_led_text_is_gb2312_cut_at_a_character() -> None:
    payload = text_payload("请A012号到5号窗口", line=0)
    assert payload[2:].decode("gb2312") == "请A012号到5号窗口"
    assert len(text_payload("长" * 100)) == 2 + 64
    assert text_payload("€")[2:] == b"?"


def run(master: BusMaster, bus: Bus, now: float, rounds: int = 1) -> list:
    """Let the master talk to the bus for some rounds; a perfect line."""
    events: list = []
    for _ in range(rounds * max(1, len(master.links))):
        frame = master.next_request(now)
        if frame is None:
            _retry, expired = master.expire(now + 1)
            events += expired
            continue
        events += master.receive(bus.receive(frame.encode(), now), now)
    return events


def hall_bus() -> tuple[BusMaster, Bus, CallPad, Evaluator]:
    kinds = {1: Kind.CALL_PAD, 2: Kind.WINDOW_BOARD, 3: Kind.EVALUATOR, 4: Kind.HALL_STRIP}
    devices = {address: make_device(kind, address) for address, kind in kinds.items()}
    pad, evaluator = devices[1], devices[3]
    assert isinstance(pad, CallPad) and isinstance(evaluator, Evaluator)
    return BusMaster.for_devices(kinds), Bus(devices), pad, evaluator


def test_devices_come_up_keys_and_ratings_arrive_once() -> None:
    master, bus, pad, evaluator = hall_bus()
    assert sorted(e.address for e in run(master, bus, 0.0) if isinstance(e, DeviceUp)) == [1, 2, 3, 4]
    pad.press(Key.NEXT)
    pad.press(Key.FINISH)
    assert [e for e in run(master, bus, 1.0, rounds=3) if isinstance(e, KeyPressed)] == [
        KeyPressed(1, Key.NEXT),
        KeyPressed(1, Key.FINISH),
    ]
    master.show_text(2, "请A012号到5号窗口")
    master.prompt_rating(3, prompt_id=513)
    run(master, bus, 2.0, rounds=2)
    assert bus.devices[2].lines == {0: "请A012号到5号窗口"} and evaluator.lit
    assert evaluator.press(5) and not evaluator.press(4)  # one rating per prompt
    assert [e for e in run(master, bus, 3.0, rounds=2) if isinstance(e, Rated)] == [Rated(3, 513, 5)]


def test_an_evaluator_goes_dark_at_its_timeout_and_when_the_visit_is_rated_elsewhere() -> None:
    master, bus, _pad, evaluator = hall_bus()
    run(master, bus, 0.0)
    master.prompt_rating(3, prompt_id=7, timeout_s=5, now=0.0)
    run(master, bus, 0.0, rounds=2)
    assert evaluator.lit and not evaluator.press(9)
    run(master, bus, 4.9, rounds=2)
    assert evaluator.lit
    # the device's clock runs slow: the bridge's RATE_CANCEL after 5 s puts it out all the same
    sent: list[int] = []
    for _ in range(8):
        request = master.next_request(5.5)
        if request is not None:
            sent.append(request.type)  # type: ignore[attr-defined]
            master.receive(bus.receive(request.encode(), 2.0), 5.5)
    assert Type.RATE_CANCEL in sent and not evaluator.lit and not evaluator.press(5)
    # on its own clock the device goes dark at the timeout, even if the bridge never says so
    alone = Evaluator(3)
    alone.tick(100.0)
    alone.command(Frame(3, 1, Type.RATE_PROMPT, (8).to_bytes(2, "little") + bytes([5])))
    alone.tick(104.9)
    assert alone.lit
    alone.tick(105.0)
    assert not alone.lit and not alone.press(4)
    # rated on the tablet: the bridge cancels; a cancel for an older prompt leaves the newer one lit
    master.prompt_rating(3, prompt_id=9, timeout_s=60, now=10.0)
    run(master, bus, 10.0, rounds=2)
    bus.receive(Frame(3, 200, Type.RATE_CANCEL, (7).to_bytes(2, "little")).encode(), 10.0)
    assert evaluator.lit
    master.cancel_rating(3, prompt_id=9)
    run(master, bus, 11.0, rounds=2)
    assert not evaluator.lit
    # a cancel before the prompt went out: neither is sent
    master.prompt_rating(3, prompt_id=10, timeout_s=60, now=12.0)
    master.cancel_rating(3, prompt_id=10)
    assert master.links[3].driver.next_command() is None


def test_lost_answers_are_retried_with_the_same_seq_and_act_once() -> None:
    master, bus, pad, _ = hall_bus()
    run(master, bus, 0.0)
    master.show_text(2, "请B003号到2号窗口")
    pad.press(Key.NEXT)
    events, now = [], 1.0
    for _ in range(40):  # every other answer is lost on the line
        frame = master.next_request(now) or master.expire(now)[0]
        now += 0.06
        if frame is None:
            continue
        answer = bus.receive(frame.encode())
        if random.Random(now).random() < 0.5:
            events += master.receive(answer, now)
    assert [e for e in events if isinstance(e, KeyPressed)] == [KeyPressed(1, Key.NEXT)]
    assert bus.devices[2].lines == {0: "请B003号到2号窗口"} and bus.devices[2].handled == 1


def test_a_silent_device_goes_down_and_gets_its_text_again_when_back() -> None:
    master, bus, _pad, _ = hall_bus()
    master.timing = Timing(answer_timeout_s=0.05, retries=2, offline_retry_s=2.0)
    master.show_text(2, "5号窗口 欢迎光临")
    run(master, bus, 0.0, rounds=2)
    board = bus.devices.pop(2)  # unplugged
    events, now = [], 1.0
    for _ in range(30):
        frame = master.next_request(now)
        if frame is not None:
            events += master.receive(bus.receive(frame.encode()), now)
        now += 0.06
        events += master.expire(now)[1]
    assert DeviceDown(2) in events
    board.lines.clear()  # it lost power
    bus.devices[2] = board
    assert DeviceUp(2) in run(master, bus, now + 5, rounds=3)
    run(master, bus, now + 5.1, rounds=2)
    assert board.lines == {0: "5号窗口 欢迎光临"}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(["corrupt", "truncate", "duplicate", "noise", "clean"]), min_size=50, max_size=200
    )
)
def test_damaged_lines_never_invent_a_key(damage: list[str]) -> None:
    """Corrupted, truncated or duplicated frames: no crash, and no key that was not pressed."""
    master, bus, pad, _ = hall_bus()
    pressed = 0
    rng = random.Random(len(damage))
    now = 0.0
    for harm in damage:
        if rng.random() < 0.1:
            pad.press(Key.NEXT)
            pressed += 1
        frame = master.next_request(now) or master.expire(now)[0]
        now += 0.06
        if frame is None:
            continue
        answer = bus.receive(frame.encode())
        if harm == "corrupt" and answer:
            index = rng.randrange(len(answer))
            answer = answer[:index] + bytes([answer[index] ^ 0x5A]) + answer[index + 1 :]
        elif harm == "truncate":
            answer = answer[: len(answer) // 2]
        elif harm == "duplicate":
            answer = answer + answer
        elif harm == "noise":
            answer = bytes(rng.randrange(256) for _ in range(20)) + answer
        keys = [e for e in master.receive(answer, now) if isinstance(e, KeyPressed)]
        pressed -= len(keys)
        assert pressed >= 0, "a key acted that nobody pressed (or twice)"


def test_ten_thousand_damaged_frames_both_ways() -> None:
    """10,000 rounds on a line that corrupts, truncates, duplicates and garbles frames in both directions:
    no exception, every key that arrives was pressed (in order, once), boards end up showing the last text."""
    rng = random.Random(20261122)
    master, bus, pad, _evaluator = hall_bus()
    pressed: list[int] = []
    arrived: list[int] = []
    texts = [f"请A{n:03d}号到5号窗口" for n in range(1, 200)]
    shown = ""

    def damage(data: bytes) -> bytes:
        harm = rng.random()
        if not data or harm < 0.55:
            return data
        if harm < 0.65:
            index = rng.randrange(len(data))
            return data[:index] + bytes([data[index] ^ (1 << rng.randrange(8))]) + data[index + 1 :]
        if harm < 0.75:
            return data[: rng.randrange(len(data))]
        if harm < 0.85:
            return data + data
        if harm < 0.95:
            return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12))) + data
        return b""

    now = 0.0
    for _round in range(10_000):
        if rng.random() < 0.05:
            key = rng.choice([Key.NEXT, Key.RECALL, Key.FINISH])
            pad.press(key)
            pressed.append(key)
        if rng.random() < 0.03:
            shown = rng.choice(texts)
            master.show_text(2, shown)
        now += 0.02
        frame = master.next_request(now) or master.expire(now)[0]
        if frame is None:
            continue
        answer = bus.receive(damage(frame.encode()))
        arrived += [e.key for e in master.receive(damage(answer), now) if isinstance(e, KeyPressed)]
        assert arrived == pressed[: len(arrived)], "a key that nobody pressed, or one twice"
    # a clean line for a moment: everything pressed arrives, the board shows the last text
    for _round in range(2000):
        now += 0.1
        frame = master.next_request(now) or master.expire(now)[0]
        if frame is not None:
            arrived += [
                e.key for e in master.receive(bus.receive(frame.encode()), now) if isinstance(e, KeyPressed)
            ]
    assert arrived == pressed and len(pressed) > 300
    assert bus.devices[2].lines.get(0, "") == shown


def test_every_hex_dump_in_the_protocol_document_is_a_good_frame() -> None:
    from hallq.config.settings import REPO_ROOT

    text = (REPO_ROOT / "docs" / "serial-protocol.md").read_text(encoding="utf-8")
    dumps = [line.strip() for line in text.splitlines() if line.startswith("    a5 ")]
    assert len(dumps) >= 12
    for dump in dumps:
        data = bytes.fromhex(dump)
        [frame] = Parser().feed(data)
        assert frame.encode() == data
    kinds = {Parser().feed(bytes.fromhex(d))[0].type for d in dumps}
    assert {Type.POLL, Type.KEY, Type.ACK, Type.SHOW_TEXT, Type.RATE_PROMPT, Type.RATING, Type.INFO} <= kinds
