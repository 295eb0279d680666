"""The hall file: the demo hall is valid; every kind of mistake is named by key path and line."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from hallq.cli.main import cli
from hallq.config.hall import load_hall, parse_hall
from hallq.config.sections import CallRule
from hallq.config.tomlfile import ConfigError
from hallq.engine.calling import HALL_RULES

from .conftest import DEMO_HALL, SMALL_HALL


def test_demo_hall_is_realistic() -> None:
    hall = load_hall(DEMO_HALL)
    assert len(hall.zones) == 6
    assert any("综合" in zone.name for zone in hall.zones)
    assert len(hall.services) >= 18
    assert all(service.materials for service in hall.services)
    assert len(hall.windows) >= 12
    assert any(window.b_services for window in hall.windows)
    assert any(not window.b_services for window in hall.windows)
    assert hall.hall.hours.lunch is not None and hall.hall.hours.stop_issuing is not None
    assert any(z.daily_cap for z in hall.zones) or any(s.daily_cap for s in hall.services)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_hall(text, "hall.toml")
    return [str(p) for p in error.value.problems]


BASE = SMALL_HALL.read_text(encoding="utf-8")


def test_unknown_b_service_is_named_with_its_window_and_line() -> None:
    text = BASE.replace('b_services = ["b1"]', 'b_services = ["tax"]')
    line = text.splitlines().index('b_services = ["tax"]') + 1
    assert problems_of(text) == [f'windows[0].b_services (line {line}): unknown service "tax"']


def test_unknown_zone_of_a_service() -> None:
    text = BASE.replace('id = "b2"\nzone = "B"', 'id = "b2"\nzone = "Q"')
    (problem,) = problems_of(text)
    assert problem.startswith("services[2].zone (line ") and 'unknown zone "Q"' in problem


def test_bad_time_and_wrong_type_are_reported_by_path() -> None:
    text = BASE.replace('open = "09:00"', 'open = "9 o\'clock"').replace(
        "daily_cap = 5", 'daily_cap = "many"'
    )
    problems = problems_of(text)
    assert any(p.startswith("hall.hours.open (line 8)") for p in problems), problems
    assert any(p.startswith("zones[0].daily_cap (line 17)") for p in problems), problems


def test_duplicates_and_windows_without_services() -> None:
    text = BASE.replace('id = "W2"\nnumber = 2', 'id = "W1"\nnumber = 1').replace(
        'id = "W3"\nnumber = 3\na_services = ["b2"]', 'id = "W3"\nnumber = 3'
    )
    problems = problems_of(text)
    assert any(p.startswith("windows[1].id") and "duplicate id 'W1'" in p for p in problems), problems
    assert any(p.startswith("windows[1].number") for p in problems), problems
    assert any(p.startswith("windows[2]") and "at least one A or B service" in p for p in problems), problems


def test_service_no_window_serves_and_lunch_outside_hours() -> None:
    text = (
        BASE.replace('a_services = ["b2"]', 'a_services = ["b1"]')
        .replace('a_services = ["b1", "b2"]', 'a_services = ["b1"]')
        .replace('lunch = ["12:00", "13:30"]', 'lunch = ["18:00", "19:00"]')
    )
    problems = problems_of(text)
    assert any('no window serves "b2"' in p for p in problems), problems
    assert any(p.startswith("hall.hours.lunch") for p in problems), problems


def test_unknown_key_and_bad_timezone() -> None:
    text = BASE.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"\ncolour = "red"')
    problems = problems_of(text)
    assert any(p.startswith("hall.timezone (line 5)") and "unknown time zone" in p for p in problems), (
        problems
    )
    assert any(p.startswith("hall.colour (line 6)") for p in problems), problems


def test_toml_syntax_error_names_the_line() -> None:
    (problem,) = problems_of("[hall\nname = 1")
    assert "line 1" in problem


def test_check_config_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["check-config", str(DEMO_HALL)])
    assert ok.exit_code == 0, ok.output
    assert "ok (6 zones" in ok.output
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE.replace('b_services = ["b1"]', 'b_services = ["tax"]'), encoding="utf-8")
    result = runner.invoke(cli, ["check-config", str(bad)])
    assert result.exit_code == 1
    assert 'windows[0].b_services (line 48): unknown service "tax"' in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(cli, ["check-config", str(tmp_path / "nope.toml")])
    assert missing.exit_code == 1 and "No such file" in missing.output


def test_bridge_devices_are_checked() -> None:
    bridge = (
        '\n[bridge]\ndevices = [\n  { id = "pad-1", kind = "call_pad", address = 1, window = "W9" },\n'
        '  { id = "pad-2", kind = "call_pad", address = 1 },\n'
        '  { id = "strip", kind = "hall_strip", address = 3, window = "W1" },\n]\n'
        '[bridge.keys]\nnext = "dance"\n'
    )
    problems = problems_of(BASE + bridge)
    assert any(p.startswith("bridge.keys") and "unknown action 'dance'" in p for p in problems), problems
    problems = problems_of(BASE + bridge.replace('next = "dance"', 'next = "call-next"'))
    assert any("bridge.devices[0].window" in p and 'unknown window "W9"' in p for p in problems), problems
    assert any("bridge.devices[1].window" in p and "needs its window" in p for p in problems), problems
    assert any("bridge.devices" in p and "duplicate address" in p for p in problems), problems
    assert any("bridge.devices[2].window" in p and "belongs to no window" in p for p in problems), problems


def test_devices_simulate_command(tmp_path: Path) -> None:
    """`hallq devices simulate`: ptys for the demo hall's bus, commands from stdin, then quit."""
    result = CliRunner().invoke(
        cli,
        ["devices", "simulate", "--dir", str(tmp_path)],
        input="W05 next\nW05 rate 5\nW99 next\nhelp\nquit\n",
    )
    assert result.exit_code == 0, result.output
    assert f"bus main: {tmp_path}/bus-main" in result.output
    assert "the evaluator is not lit" in result.output  # nobody was served at W05
    assert "no call_pad for window W99" in result.output
    assert "W05 next|recall" in result.output


MODBUS = 'bus = "mb", driver = "modbus", address = 2, window = "W1"'
DEVICES = f"""
[bridge]
devices = [
  {{ id = "pad", kind = "call_pad", {MODBUS.replace("2", "1")}, inputs = {{ next = 0 }} }},
  DEVICE
]
"""
ONBON = 'bus = "led", driver = "onbon-bx", address = 2, window = "W1", model = "BX-5E1"'


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        (
            f'{{ id = "d", kind = "call_pad", {MODBUS}, inputs = {{ nxt = 0 }} }}',
            "bridge.devices[1] (line {line}): Value error, inputs: unknown name 'nxt'",
        ),
        (
            f'{{ id = "d", kind = "evaluator", {MODBUS}, inputs = {{ satisfied = 1 }} }}',
            "inputs: needs all of very_satisfied, satisfied",
        ),
        (
            f'{{ id = "d", kind = "window_board", {MODBUS} }}',
            "start_register, registers: a Modbus text module",
        ),
        (
            f'{{ id = "d", kind = "window_board", {MODBUS}, start_register = 0, registers = 200 }}',
            "bridge.devices[1].registers (line {line})",
        ),
        (
            f'{{ id = "d", kind = "window_board", {ONBON}, width = 60, height = 16 }}',
            "bridge.devices[1].width (line {line}): Input should be a multiple of 8",
        ),
        (
            f'{{ id = "d", kind = "call_pad", {ONBON}, width = 64, height = 16 }}',
            "driver: an Onbon controller drives a window board or the hall strip",
        ),
        (
            '{ id = "d", kind = "window_board", address = 2, window = "W1", model = "BX-5E1" }',
            "model: not a key of a 'hallq' device",
        ),
        (
            '{ id = "d", kind = "window_board", bus = "mb", address = 2, window = "W1" }',
            'bridge.devices[1].driver (line {line}): bus "mb" carries modbus devices: one driver per bus',
        ),
    ],
)
def test_device_drivers_keys_are_checked_with_key_and_line(device: str, expected: str) -> None:
    text = BASE + DEVICES.replace("DEVICE", device)
    line = text.splitlines().index(f"  {device}") + 1
    problems = problems_of(text)
    assert any(expected.format(line=line) in problem for problem in problems), problems


def test_call_rule_parameters_out_of_range_are_named_with_key_and_line(tmp_path: Path) -> None:
    """Issue 18's bad input: a call-rule parameter out of range or not a number fails check-config."""
    text = DEMO_HALL.read_text(encoding="utf-8")
    text = text.replace("a_bonus_s = 300 ", "a_bonus_s = -5 ").replace(
        "b_help_after_s = 900 ", 'b_help_after_s = "soon" '
    )
    bad = tmp_path / "hall.toml"
    bad.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    bonus_line = next(i for i, line in enumerate(lines, 1) if line.startswith("a_bonus_s"))
    result = CliRunner().invoke(cli, ["check-config", str(bad)])
    assert result.exit_code == 1
    assert (
        f"hall.call_rule.a_bonus_s (line {bonus_line}): Input should be greater than or equal to 0"
        in result.output
    )
    assert (
        f"hall.call_rule.b_help_after_s (line {bonus_line - 1}): Input should be a valid number"
        in result.output
    )
    assert "Traceback" not in result.output


def test_the_hall_file_chooses_the_call_rule() -> None:
    """`[hall.call_rule] rule` names one of the engine's hall rules; an unknown name fails with its line."""
    assert set(get_args(CallRule.model_fields["rule"].annotation)) == set(HALL_RULES)
    text = DEMO_HALL.read_text(encoding="utf-8")
    assert parse_hall(text.replace('rule = "own-first"', 'rule = "ab"')).hall.call_rule.rule == "ab"
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith('rule = "own-first"'))
    problems = problems_of(text.replace('rule = "own-first"', 'rule = "fastest"'))
    assert any(p.startswith(f"hall.call_rule.rule (line {line}): Input should be 'ab'") for p in problems)
