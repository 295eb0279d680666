"""Every display speaks (issue 20): the wording from the hall file, numbers read as halls read them, the call
rendered offline by espeak-ng into a real WAV with speech in it, rendered once and then served from disk."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hallq.app.factory import create_app
from hallq.cli.main import cli
from hallq.config.settings import Settings
from hallq.config.tomlfile import ConfigError
from hallq.engine.announcement import Call, spoken_count_zh, spoken_ticket_en, spoken_ticket_zh

from .conftest import DEMO_HALL, Tokens, demo_hall_copy, skip_or_fail

#: (ticket, as spoken in Chinese, in English)
TICKETS = [
    ("A012", "A 零一二", "A zero one two"),
    ("B100", "B 一零零", "B one zero zero"),
    ("007", "零零七", "zero zero seven"),
    ("GA05", "G A 零五", "G A zero five"),
]
#: window number -> how halls say it
WINDOWS = {
    1: "一",
    5: "五",
    10: "十",
    12: "十二",
    20: "二十",
    21: "二十一",
    100: "一百",
    105: "一百零五",
    110: "一百一十",
}


@pytest.mark.parametrize(("number", "zh", "en"), TICKETS)
def test_ticket_numbers_are_read_digit_by_digit_letters_as_letters(number: str, zh: str, en: str) -> None:
    assert spoken_ticket_zh(number) == zh
    assert spoken_ticket_en(number) == en


def test_window_numbers_are_read_as_halls_say_them() -> None:
    assert {value: spoken_count_zh(value) for value in WINDOWS} == WINDOWS
    with pytest.raises(ValueError):
        spoken_count_zh(10_000)


def test_one_template_shown_and_spoken() -> None:
    call = Call("A012", 5, "5号窗口", "企业开办区")
    template = "请{number}号到{window}号窗口办理"
    assert call.shown(template) == "请A012号到5号窗口办理"
    assert call.spoken_zh(template) == "请 A 零一二 号到 五 号窗口办理"
    assert call.spoken_en("Number {number}, window {window}") == "Number A zero one two, window 5"


def problems_of(text: str, tmp_path: Path) -> str:
    hall = tmp_path / "hall.toml"
    hall.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", str(hall)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    return result.output


def line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_bad_voice_settings_name_the_key_and_line(tmp_path: Path) -> None:
    text = DEMO_HALL.read_text(encoding="utf-8")
    bad = text.replace('call = "请{number}号到{window}号窗口办理"', 'call = "请{numbr}号到{window}号窗口"')
    output = problems_of(bad, tmp_path)
    assert f"voice.call (line {line_of(bad, 'call = ')}): unknown placeholder numbr" in output
    unpaired = problems_of(text.replace('call_en = "Number', 'call_en = "{Number'), tmp_path)
    assert "voice.call_en (line" in unpaired and "braces" in unpaired
    zone = problems_of(text.replace('zone = "F"\ncall =', 'zone = "Q"\ncall ='), tmp_path)
    assert "voice.zones[0].zone (line" in zone and 'unknown zone "Q"' in zone
    piper = text.replace(
        'engine = "espeak-ng"', 'engine = "piper"\npiper_model = "voices/zh_CN-huayan-medium.onnx"'
    )
    missing = problems_of(piper, tmp_path)
    assert "voice.piper_model (line" in missing and "no such file: voices/zh_CN-huayan-medium.onnx" in missing


def espeak_or_skip() -> None:
    if shutil.which("espeak-ng") is None:
        skip_or_fail("espeak-ng is not installed (apt-get install espeak-ng)")


def test_a_voice_espeak_ng_does_not_have_stops_the_server_naming_the_key(tmp_path: Path) -> None:
    espeak_or_skip()
    hall = demo_hall_copy(tmp_path, ('espeak_voice = "cmn"', 'espeak_voice = "klingon"'))
    with pytest.raises(ConfigError) as error:
        create_app(
            Settings(instance=tmp_path / "instance", hall_file=hall, async_mode="threading", testing=True)
        )
    (problem,) = error.value.problems
    assert problem.path == "voice.espeak_voice" and "no voice 'klingon'" in problem.message


def called_ticket(client: FlaskClient, tokens: Tokens, service: str = "biz_setup") -> dict:
    kiosk, bridge = Tokens.header(tokens.kiosk), Tokens.header(tokens.bridge)
    assert client.post("/api/v1/tickets", json={"service_id": service}, headers=kiosk).status_code == 201
    client.post("/api/v1/windows/W01/open", headers=bridge)
    called: dict = client.post("/api/v1/windows/W01/call-next", headers=bridge).get_json()
    return called


def seconds_and_rms(audio: bytes, tmp_path: Path) -> tuple[float, float]:
    with wave.open(io.BytesIO(audio)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    path = tmp_path / "call.wav"
    path.write_bytes(audio)
    stat = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    rms = float(re.search(r"RMS\s+amplitude:\s+([\d.]+)", stat).group(1))  # type: ignore[union-attr]
    return seconds, rms


def test_the_call_is_rendered_offline_once_and_then_served_from_disk(
    client: FlaskClient,
    tokens: Tokens,
    app,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    espeak_or_skip()
    if shutil.which("sox") is None:
        skip_or_fail("sox is not installed (apt-get install sox)")
    speech = app.extensions["hallq_speech"]
    called = called_ticket(client, tokens)
    assert called["ticket"]["number"] == "A001"
    display = Tokens.header(tokens.display)
    first = client.get(f"/api/v1/tickets/{called['ticket']['id']}/call.wav", headers=display)
    assert first.status_code == 200 and first.mimetype == "audio/wav"
    seconds, rms = seconds_and_rms(first.data, tmp_path)
    assert 2.0 < seconds < 10.0  # "请 A 零零一 号到 一 号窗口办理" at 150 words a minute
    assert rms > 0.03  # speech, not silence
    again = client.get(f"/api/v1/tickets/{called['ticket']['id']}/call.wav", headers=display)
    assert again.data == first.data and speech.renders == 1  # from disk, not rendered again
    english = client.get(f"/api/v1/tickets/{called['ticket']['id']}/call.wav?lang=en", headers=display)
    assert english.status_code == 200 and speech.renders == 2 and english.data != first.data
    assert len(list((tmp_path / "instance" / "speech").glob("*/*.wav"))) == 2


def test_bad_audio_requests(client: FlaskClient, tokens: Tokens) -> None:
    display = Tokens.header(tokens.display)
    kiosk = Tokens.header(tokens.kiosk)
    waiting = client.post("/api/v1/tickets", json={"service_id": "seal"}, headers=kiosk).get_json()
    not_called = client.get(f"/api/v1/tickets/{waiting['id']}/call.wav", headers=display)
    if client.application.extensions["hallq_speech"] is None:
        assert not_called.status_code == 404 and not_called.get_json()["error"] == "no_speech"
        return
    assert not_called.status_code == 409 and not_called.get_json()["error"] == "not_called"
    assert client.get("/api/v1/tickets/999/call.wav", headers=display).status_code == 404
    wrong = client.get(f"/api/v1/tickets/{waiting['id']}/call.wav?lang=fr", headers=display)
    assert wrong.status_code == 422 and "lang" in wrong.get_json()["message"]
    assert client.get(f"/api/v1/tickets/{waiting['id']}/call.wav", headers=kiosk).status_code == 403


def test_the_wording_comes_from_the_hall_file_with_a_zone_of_its_own(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    """The demo hall's zone F (综合窗口) has a wording of its own; the others use [voice] call. Displays get
    the voice settings in their snapshot."""
    display = app.extensions["socketio"].test_client(app, auth={"token": tokens.display})
    display.emit("join", {"room": "hall"}, callback=True)
    (snapshot,) = [e["args"][0] for e in display.get_received() if e["name"] == "snapshot"]
    assert snapshot["voice"] == {
        "engine": "espeak-ng",
        "repeat": 2,
        "pause_s": 1.0,
        "volume": 1.0,
        "english": False,  # call_en is set, but spoken only with speak_english (issue 32: a busy morning)
        "banner_english": False,
    }
    kiosk, bridge = Tokens.header(tokens.kiosk), Tokens.header(tokens.bridge)
    called_ticket(client, tokens)
    assert client.post("/api/v1/tickets", json={"service_id": "invoice"}, headers=kiosk).status_code == 201
    client.post("/api/v1/windows/W12/open", headers=bridge)
    client.post("/api/v1/windows/W12/call-next", headers=bridge)
    calls = [e["args"][0] for e in display.get_received() if e["name"] == "ticket_called"]
    assert [(c["announce"], c["announce_en"]) for c in calls] == [
        ("请A001号到1号窗口办理", "Number A001, please go to window 1"),
        ("请F001号到12号综合窗口办理", "Number F001, please go to window 12"),  # no English of its own
    ]
