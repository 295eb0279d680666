"""The Modbus and Onbon drivers, sans-IO: what they write, what they make of answers, and damaged lines."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU, ExceptionResponse
from pymodbus.pdu.bit_message import ReadDiscreteInputsResponse

from firmware_bridge.drivers import onbon_codec as codec
from firmware_bridge.drivers.base import DeviceFault, Effect, KeyPressed, Kind, Lamps, Rated
from firmware_bridge.drivers.modbus import (
    ModbusCallPad,
    ModbusEvaluator,
    ModbusRequest,
    ModbusTextModule,
    text_registers,
)
from firmware_bridge.drivers.onbon import OnbonBoard
from firmware_bridge.emulators.onbon import OnbonBus, OnbonController, parse_update
from firmware_bridge.protocol import Key
from hallq.config.settings import REPO_ROOT

SERVER = FramerRTU(DecodePDU(is_server=True))
INPUTS = {"next": 0, "recall": 1, "no_show": 2, "pause": 3, "finish": 4}


def inputs_answer(address: int, high: set[int]) -> bytes:
    """A digital-input module's answer to reading inputs 0..4, as pymodbus's server side frames it."""
    bits = [number in high for number in range(8)]
    return SERVER.buildFrame(ReadDiscreteInputsResponse(bits=bits, dev_id=address))


def pad() -> tuple[ModbusCallPad, ModbusRequest]:
    """A pad that has had its first reading (all keys up), and its next poll."""
    device = ModbusCallPad(
        1, Kind.CALL_PAD, inputs=dict(INPUTS), coils={"called": 0, "serving": 1, "paused": 2}
    )
    poll = device.poll(0.0)
    assert device.feed(poll, inputs_answer(1, set()), 0.0) is not None
    return device, device.poll(0.1)


def test_text_registers_are_gb2312_high_byte_first_cut_at_a_character_and_padded() -> None:
    assert text_registers("请A1", 3) == [0xC7EB, 0x4131, 0x2020]
    assert text_registers("请请请", 2) == [0xC7EB, 0xC7EB]  # the third character does not fit
    assert text_registers("A请", 1) == [0x4120]  # never half a character
    assert text_registers("€", 1) == [0x3F20]  # GB2312 lacks it


def test_a_text_module_is_written_once_per_text_and_again_when_it_comes_back() -> None:
    board = ModbusTextModule(2, Kind.WINDOW_BOARD, register=100, registers=4)
    board.show_text("请A001号")
    board.show_text("请A001号")
    assert len(board.outbox) == 1
    frame = board.outbox[0].encode()
    assert frame[:7] == bytes([2, 0x10, 0, 100, 0, 4, 8])  # device, function 16, register 100, 4 of them
    board.outbox.clear()
    board.came_back()
    assert len(board.outbox) == 1 and board.outbox[0].encode() == frame


def test_a_key_acts_on_its_rising_edge_once_and_not_on_the_first_reading() -> None:
    device = ModbusCallPad(1, Kind.CALL_PAD, inputs=dict(INPUTS))
    first = device.feed(device.poll(0), inputs_answer(1, {0}), 0)  # held while the module came up
    assert first is not None and first.events == ()
    assert device.feed(device.poll(0), inputs_answer(1, {0}), 0).events == ()  # still held
    assert device.feed(device.poll(0), inputs_answer(1, set()), 0).events == ()  # released
    pressed = device.feed(device.poll(0), inputs_answer(1, {0, 4}), 0)
    assert pressed is not None and set(pressed.events) == {KeyPressed(1, Key.NEXT), KeyPressed(1, Key.FINISH)}


def test_lamps_go_on_coils_in_one_write() -> None:
    device, _ = pad()
    device.set_lamps(Lamps(called=True))
    device.set_lamps(Lamps(called=True))
    (write,) = device.outbox
    assert write.encode()[:7] == bytes([1, 0x0F, 0, 0, 0, 3, 1]) and write.encode()[7] == 0b001


@pytest.mark.parametrize(("code", "done"), [(2, True), (6, False)])
def test_an_exception_answer_is_a_fault_never_a_key(code: int, done: bool) -> None:
    device, poll = pad()
    answer = SERVER.buildFrame(ExceptionResponse(0x02, code, device_id=1))
    result = device.feed(poll, answer, 0.2)
    assert result is not None and result.done is done
    assert [type(event) for event in result.events] == [DeviceFault]


def test_an_evaluator_counts_a_press_only_while_armed_and_once() -> None:
    names = ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
    evaluator = ModbusEvaluator(3, Kind.EVALUATOR, inputs={name: n for n, name in enumerate(names)})
    assert evaluator.feed(evaluator.poll(0), inputs_answer(3, set()), 0).events == ()
    assert evaluator.feed(evaluator.poll(1), inputs_answer(3, {1}), 1).events == ()  # not armed
    evaluator.feed(evaluator.poll(1.1), inputs_answer(3, set()), 1.1)
    evaluator.prompt_rating(77, 30, now=2)
    rated = evaluator.feed(evaluator.poll(3), inputs_answer(3, {4}), 3)
    assert rated is not None and rated.events == (Rated(3, 77, 1),)  # 非常不满意
    evaluator.feed(evaluator.poll(3.1), inputs_answer(3, set()), 3.1)
    assert evaluator.feed(evaluator.poll(3.2), inputs_answer(3, {0}), 3.2).events == ()  # once
    evaluator.prompt_rating(78, 30, now=10)
    evaluator.feed(evaluator.poll(41), inputs_answer(3, set()), 41)  # 31 s later: disarmed
    assert evaluator.feed(evaluator.poll(42), inputs_answer(3, {0}), 42).events == ()


def damaged(frame: bytes, data: st.DataObject) -> bytes:
    """One way a line spoils a frame: a burst of up to two wrong bytes (which CRC-16 always catches), a cut,
    or noise and another frame's pieces around and inside it."""
    how = data.draw(st.sampled_from(["burst", "cut", "noise", "interleave"]))
    if how == "burst":
        at = data.draw(st.integers(0, len(frame) - 1))
        burst = data.draw(st.binary(min_size=1, max_size=min(2, len(frame) - at)))
        spoiled = frame[:at] + bytes(a ^ (b or 1) for a, b in zip(frame[at:], burst, strict=False))
        return spoiled + frame[at + len(burst) :]
    if how == "cut":
        return frame[: data.draw(st.integers(0, len(frame) - 1))]
    noise = data.draw(st.binary(min_size=1, max_size=12))
    if how == "noise":
        return noise + frame[:-1] + noise
    at = data.draw(st.integers(1, len(frame) - 1))
    return frame[:at] + noise + frame[at:]


@settings(max_examples=2000, deadline=None)
@given(data=st.data())
def test_ten_thousand_damaged_modbus_answers_never_raise_and_never_press_a_key(data: st.DataObject) -> None:
    for _ in range(5):
        device, poll = pad()
        answer = inputs_answer(1, {data.draw(st.integers(0, 4))})
        spoiled = damaged(answer, data)
        result = device.feed(poll, spoiled, 0.2)
        if result is not None and any(isinstance(e, KeyPressed) for e in result.events):
            assert answer in spoiled  # noise that happened to complete the frame: it is intact after all


@settings(max_examples=2000, deadline=None)
@given(data=st.data())
def test_ten_thousand_damaged_onbon_frames_never_raise_and_never_count(data: st.DataObject) -> None:
    board = OnbonBoard(1, Kind.WINDOW_BOARD, width=16, height=8)
    controller = OnbonController(1)
    request = board.frame_for("A1")
    ack = codec.packet(codec.PC_ADDRESS, codec.DEVICE_TYPES["BX-5E1"], codec.reply(codec.ACK), source=1)
    for _ in range(5):
        board.reset()
        spoiled = damaged(ack, data)
        # an ACK only from an intact frame (one of its eight wake bytes is all a receiver needs, [M5] 2)
        assert board.feed(request, spoiled, 0) is None or ack[7:] in spoiled
        spoiled = damaged(request.encode(), data)
        OnbonBus({1: controller}).receive(spoiled)
        assert controller.areas == {} or request.encode()[7:] in spoiled  # no page from a damaged update
        controller.areas.clear()


@given(st.binary(max_size=300))
def test_onbon_escaping_round_trips_and_leaves_no_frame_byte(body: bytes) -> None:
    escaped = codec.escape(body)
    assert codec.START not in escaped and codec.END not in escaped
    frame = codec.packet(7, 0x0154, body)
    (packet,) = codec.Parser().feed(b"\x00\x5a" + frame + b"\xa5")
    assert (packet.destination, packet.source, packet.device_type, packet.data) == (7, 0x8000, 0x0154, body)


def test_the_ping_from_the_vendor_manual_byte_for_byte() -> None:
    """5th动态区域用户手册 5.5.1 prints one whole frame: header, data and CRC (C6 86, so CRC-16/ARC)."""
    vendor = bytes.fromhex(
        "a5a5a5a5a5a5a5a5 feff0080f000feff0000000005000000 01a2000000 c686 5a".replace(" ", "")
    )
    assert codec.packet(0xFFFE, codec.DEVICE_TYPES["any"], codec.ping()) == vendor  # FE FF: any screen


def doc_frames() -> dict[str, bytes]:
    """The hex dumps in docs/devices/onbon-bx.md, by the heading above each."""
    text = (REPO_ROOT / "docs" / "devices" / "onbon-bx.md").read_text(encoding="utf-8")
    frames = {}
    for title, block in re.findall(r"^#+ ([^\n]+)\n\s*```hex\n(.*?)```", text, re.S | re.M):
        frames[title.strip()] = bytes.fromhex(re.sub(r"#.*", "", block).replace("\n", " ").replace(" ", ""))
    return frames


def test_the_show_text_frame_in_the_document_is_what_the_encoder_writes() -> None:
    frames = doc_frames()
    example = frames["The whole frame"]
    # the document's area: 16 x 8 pixels, one colour, the letters "A1" as the page's dots (listed there)
    area = codec.Area(0, 0, 16, 8)
    page = frames["The page's dots"]
    built = codec.packet(36, codec.DEVICE_TYPES["BX-5E1"], codec.update_area(area, [page]))  # screen 36
    # the vendor's SDK (Bx5GMessageMgr packing UpdateDynamicArea, bx05.xml) writes 4 + AreaDataLen (57), low
    # byte first, into the two bytes after A7 00 (issue 34): 3d 00 where the manual says reserved 00 00
    assert built == example and example[24:29] == bytes.fromhex("01a7003d00")
    manual = codec.packet(36, codec.DEVICE_TYPES["BX-5E1"], codec.update_area(area, [page], sdk_length=False))
    assert manual == frames["The frame as the manual writes it"] and manual[24:29] == bytes.fromhex(
        "01a7000000"
    )
    assert b"\xa6\x02" in manual  # it shows escaping
    (packet,) = codec.Parser().feed(example)
    area_id, shown = parse_update(packet.data, colors=1)
    assert area_id == 0 and (shown.width, shown.height, shown.display_mode) == (16, 8, codec.STATIC)
    assert codec.page_bitmap(shown.pages[0]) == page


def test_text_scrolls_on_the_strip_and_stands_on_a_board() -> None:
    board = OnbonBoard(1, Kind.HALL_STRIP, width=32, height=16)
    for effect, mode in ((Effect.STATIC, codec.STATIC), (Effect.SCROLL, codec.MOVE_LEFT)):
        (packet,) = codec.Parser().feed(board.frame_for("请A001号到1号窗口", effect).encode())
        assert parse_update(packet.data, 1)[1].display_mode == mode


def test_two_colour_pages_interleave_red_and_green_bytes() -> None:
    row = [True] + [False] * 15
    assert codec.page_bitmap([row], colors=2, color="yellow") == bytes([0x7F, 0x7F, 0xFF, 0xFF])
    assert codec.page_bitmap([row], colors=2, color="green") == bytes([0xFF, 0x7F, 0xFF, 0xFF])
    assert codec.read_bitmap(bytes([0xFF, 0x7F, 0xFF, 0xFF]), 16, 1, colors=2) == [row]


def test_an_onbon_reply_is_paired_with_its_request_as_the_sdk_pairs_them() -> None:
    """Issue 34: a reply counts only from this screen to the PC with ProtocolVer F0; a late ping reply
    (A2 80) while an update waits is ignored, not read as "NACK 0"; the answer time is the device's own."""
    board = OnbonBoard(5, Kind.WINDOW_BOARD, width=16, height=16, answer_timeout_s=1.5)
    update = board.frame_for("A1")
    assert update.timeout_s == 1.5

    def reply_from(source: int, group_command: tuple[int, int], destination: int = codec.PC_ADDRESS) -> bytes:
        data = bytes([0x00, *group_command]) + bytes(6)
        return codec.packet(destination, codec.DEVICE_TYPES["BX-5E1"], data, source=source)

    assert board.feed(update, reply_from(6, codec.ACK), 0.0) is None  # another screen's
    assert board.feed(update, reply_from(5, codec.ACK, destination=0x8001), 0.0) is None  # another master's
    assert board.feed(update, reply_from(5, (0xA2, 0x80)), 0.0) is None  # a late ping reply: wait on
    data = bytes([0x00, *codec.ACK]) + bytes(6)
    header = (0x8000).to_bytes(2, "little") + (5).to_bytes(2, "little") + bytes([0xF1, 0x00])
    body = header + (0x0154).to_bytes(2, "little") + bytes(4) + len(data).to_bytes(4, "little") + data
    other_protocol = codec.WAKE + codec.escape(body + codec.crc16(body).to_bytes(2, "little")) + b"\x5a"
    assert board.feed(update, other_protocol, 0.0) is None  # ProtocolVer F1: not a dynamic-area reply
    answer = board.feed(update, reply_from(5, codec.ACK), 0.0)
    assert answer is not None and answer.done and not answer.events


def test_a_lone_onbon_controller_is_pinged_at_the_wildcard_several_by_address() -> None:
    lone = OnbonBoard(3, Kind.WINDOW_BOARD, width=16, height=16, alone=True)
    assert lone.poll(0.0).encode()[8:10] == b"\xfe\xff"  # FE FF: any screen, the manual's own ping example
    shared = OnbonBoard(3, Kind.WINDOW_BOARD, width=16, height=16)
    assert shared.poll(0.0).encode()[8:10] == b"\x03\x00"


def test_a_g_plus_r_screen_gets_green_first() -> None:
    row = [[True] + [False] * 7]
    assert codec.page_bitmap(row, colors=2, color="red") == bytes([0x7F, 0xFF])
    assert codec.page_bitmap(row, colors=2, color="red", order="GR") == bytes([0xFF, 0x7F])
