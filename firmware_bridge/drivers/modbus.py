"""Modbus-RTU modules a hall can buy, as hallq devices (docs/devices/modbus.md):

- a call pad is a digital-input module: push buttons on discrete inputs (function 02, read on every poll, a
  key acts on a rising edge), lamps on coils (05 / 0F) for called / serving / paused;
- a window board or the hall strip is a text display module: GB2312 text in holding registers (function 10),
  two bytes a register, high byte first, padded with spaces;
- an evaluator is five discrete inputs, 非常满意 .. 非常不满意, read while it is armed after 办结.

Framing, CRC and PDUs are pymodbus's (its RTU framer and request/response classes, used sans-IO: bytes in,
PDUs out); this module only decides what to ask and what the answers mean. An exception response is a device
fault, never a key; bytes with a bad CRC are never read as an answer.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU, ExceptionResponse, ModbusPDU
from pymodbus.pdu.bit_message import (
    ReadDiscreteInputsRequest,
    WriteMultipleCoilsRequest,
    WriteSingleCoilRequest,
)
from pymodbus.pdu.register_message import ReadHoldingRegistersRequest, WriteMultipleRegistersRequest

from firmware_bridge.drivers.base import (
    Answer,
    DeviceDriver,
    DeviceFault,
    Effect,
    Event,
    KeyPressed,
    Lamps,
    Rated,
    Request,
    Wire,
)
from firmware_bridge.protocol import Key

#: pad inputs the hall file may map (the transfer key needs digit keys, which a button module has not)
PAD_KEYS = {
    "next": Key.NEXT,
    "recall": Key.RECALL,
    "no_show": Key.NO_SHOW,
    "pause": Key.PAUSE,
    "finish": Key.FINISH,
    "start": Key.START,
}
PAD_LAMPS = ("called", "serving", "paused")
#: evaluator inputs, best first: level 5 (非常满意) .. 1 (非常不满意)
RATING_INPUTS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied")
EVALUATOR_LAMPS = ("prompt",)
#: Modbus exception codes (Modbus Application Protocol V1.1b3, 7): the busy ones are worth another try
EXCEPTIONS = {1: "illegal function", 2: "illegal data address", 3: "illegal data value", 4: "device failure"}
EXCEPTIONS |= {5: "acknowledge", 6: "device busy", 8: "memory parity error"}
RETRY_EXCEPTIONS = (5, 6)
#: what pymodbus's decoder may raise on a frame with a good CRC but a malformed PDU
DECODE_ERRORS = (ModbusException, struct.error, IndexError, ValueError, KeyError, TypeError)
#: one write-multiple-registers request carries at most 123 registers (Modbus spec, function 16)
MAX_REGISTERS = 123


@dataclass(frozen=True)
class ModbusRequest(Wire):
    """A request's bytes, with the function code its answer must carry."""

    function_code: int = 0


@dataclass
class ModbusDevice(DeviceDriver):
    """What every Modbus module shares: pymodbus's framer, a buffer for the answer, exceptions as faults."""

    framer: FramerRTU = field(default_factory=lambda: FramerRTU(DecodePDU(is_server=False)))
    buffer: bytearray = field(default_factory=bytearray)

    def request(self, pdu: ModbusPDU, answer_bytes: int) -> ModbusRequest:
        pdu.dev_id = self.address
        return ModbusRequest(self.framer.buildFrame(pdu), answer_bytes, function_code=pdu.function_code)

    def feed(self, request: Request, data: bytes, now: float) -> Answer | None:
        assert isinstance(request, ModbusRequest)
        self.buffer += data
        try:
            used, pdu = self.framer.handleFrame(bytes(self.buffer), self.address, 0)
        except DECODE_ERRORS:
            self.buffer.clear()  # a frame with a good CRC that is no PDU: not an answer
            return None
        del self.buffer[:used]
        if pdu is None:
            return None
        if isinstance(pdu, ExceptionResponse) and pdu.function_code == request.function_code | 0x80:
            code = pdu.exception_code
            fault = DeviceFault(self.address, f"Modbus exception {code} ({EXCEPTIONS.get(code, 'unknown')})")
            return Answer(done=code not in RETRY_EXCEPTIONS, events=(fault,))
        if pdu.function_code != request.function_code:
            return None
        return self.answered(request, pdu, now)

    def answered(self, request: ModbusRequest, pdu: ModbusPDU, now: float) -> Answer:
        return Answer(done=True)

    def reset(self) -> None:
        self.buffer.clear()

    def replace_pending(self, request: ModbusRequest) -> None:
        """Queue a write, dropping a not yet sent one of the same function (a newer text or lamp state)."""
        self.outbox = type(self.outbox)(
            r
            for r in self.outbox
            if not (isinstance(r, ModbusRequest) and r.function_code == request.function_code)
        )
        self.outbox.append(request)


def _read_inputs(device: ModbusDevice, inputs: Mapping[str, int]) -> ModbusRequest:
    first, last = min(inputs.values()), max(inputs.values())
    count = last - first + 1
    return device.request(ReadDiscreteInputsRequest(address=first, count=count), 5 + math.ceil(count / 8))


def _levels(inputs: Mapping[str, int], bits: list[bool]) -> dict[str, bool]:
    first = min(inputs.values())
    return {
        name: bool(bits[number - first]) if number - first < len(bits) else False
        for name, number in inputs.items()
    }


@dataclass
class _InputModule(ModbusDevice):
    """A digital-input module whose inputs the hall file names; lamps on its coils."""

    inputs: dict[str, int] = field(default_factory=dict)
    coils: dict[str, int] = field(default_factory=dict)
    #: the inputs as last read; None until the first reading after (re)connecting, which acts on nothing
    levels: dict[str, bool] | None = None
    lit: dict[str, bool] = field(default_factory=dict)

    def poll(self, now: float) -> ModbusRequest:
        return _read_inputs(self, self.inputs)

    def answered(self, request: ModbusRequest, pdu: ModbusPDU, now: float) -> Answer:
        if request.function_code != ReadDiscreteInputsRequest.function_code:
            return Answer(done=True)
        levels = _levels(self.inputs, list(pdu.bits))
        before, self.levels = self.levels, levels
        if before is None:
            return Answer(done=True)  # a key held while the module came up is no press
        rising = [name for name, high in levels.items() if high and not before[name]]
        return Answer(
            done=True, events=tuple(self.pressed(name, now) for name in rising if self.wants(name, now))
        )

    def wants(self, name: str, now: float) -> bool:
        return True

    def pressed(self, name: str, now: float) -> Event:
        raise NotImplementedError

    def light(self, lit: dict[str, bool]) -> None:
        lit = {name: value for name, value in lit.items() if name in self.coils}
        if not lit or lit == self.lit:
            return
        self.lit = lit
        numbers = sorted(self.coils.values())
        if len(numbers) == 1:
            (name,) = self.coils
            pdu: ModbusPDU = WriteSingleCoilRequest(address=numbers[0], bits=[lit[name]])
        else:
            # every coil from the first lamp's to the last's is hallq's: coils between lamps are switched off
            by_number = {number: lit.get(name, False) for name, number in self.coils.items()}
            bits = [by_number.get(number, False) for number in range(numbers[0], numbers[-1] + 1)]
            pdu = WriteMultipleCoilsRequest(address=numbers[0], bits=bits)
        self.replace_pending(self.request(pdu, 8))

    def came_back(self) -> None:
        self.levels = None
        lit, self.lit = self.lit, {}
        self.light(lit)


@dataclass
class ModbusCallPad(_InputModule):
    def set_lamps(self, lamps: Lamps) -> None:
        self.light({"called": lamps.called, "serving": lamps.serving, "paused": lamps.paused})

    def pressed(self, name: str, now: float) -> Event:
        return KeyPressed(self.address, int(PAD_KEYS[name]))


@dataclass
class ModbusEvaluator(_InputModule):
    """Five inputs, best first; a press counts only while armed for a visit, once."""

    prompt_id: int | None = None
    armed_until: float = 0.0

    def prompt_rating(self, prompt_id: int, timeout_s: int, now: float) -> None:
        self.prompt_id, self.armed_until = prompt_id, now + timeout_s
        self.light({"prompt": True})

    def cancel_rating(self, prompt_id: int) -> None:
        if self.prompt_id == prompt_id:
            self.prompt_id = None
            self.light({"prompt": False})

    def poll(self, now: float) -> ModbusRequest:
        if self.prompt_id is not None and now >= self.armed_until:
            self.prompt_id = None  # the citizen left without rating: unrated, never satisfied
            self.light({"prompt": False})
        return super().poll(now)

    def wants(self, name: str, now: float) -> bool:
        return self.prompt_id is not None and now < self.armed_until

    def pressed(self, name: str, now: float) -> Event:
        assert self.prompt_id is not None
        rated = Rated(self.address, self.prompt_id, 5 - RATING_INPUTS.index(name))
        self.prompt_id = None
        self.light({"prompt": False})
        return rated


def text_registers(text: str, count: int) -> list[int]:
    """GB2312 text in `count` registers, two bytes each, high byte first, cut at a character and padded with
    spaces; characters GB2312 lacks become '?'."""
    encoded = b""
    for char in text:
        piece = char.encode("gb2312", errors="replace")
        if len(encoded) + len(piece) > 2 * count:
            break
        encoded += piece
    encoded = encoded.ljust(2 * count, b" ")
    return [encoded[i] << 8 | encoded[i + 1] for i in range(0, 2 * count, 2)]


@dataclass
class ModbusTextModule(ModbusDevice):
    register: int = 0
    registers: int = 16
    shown: list[int] | None = None

    def show_text(self, text: str, effect: Effect = Effect.STATIC) -> None:
        values = text_registers(text, self.registers)
        if values == self.shown:
            return
        self.shown = values
        self.replace_pending(
            self.request(WriteMultipleRegistersRequest(address=self.register, registers=values), 8)
        )

    def poll(self, now: float) -> ModbusRequest:
        """Whether it lives: one register read."""
        return self.request(ReadHoldingRegistersRequest(address=self.register, count=1), 7)

    def came_back(self) -> None:
        shown, self.shown = self.shown, None
        if shown is not None:
            self.replace_pending(
                self.request(WriteMultipleRegistersRequest(address=self.register, registers=shown), 8)
            )
