"""Piper (issue 20): the real `piper` program (piper-tts) run by hallq's adapter, as a hall with a
Piper voice runs it. No Chinese Piper voice can be downloaded here, so the test builds a tiny voice
model of its own: a real ONNX model with Piper's inputs (phoneme ids, lengths, scales) whose output
is 50 ms of a 220 Hz tone per phoneme id. Everything else is Piper's own: reading the model and its
JSON, phonemizing Chinese with its espeak-ng `cmn`, running the model in onnxruntime, writing the
WAV. So what is checked is the adapter's command line, text, output file and errors, and how long
the spoken call is; not how natural a real voice sounds."""

from __future__ import annotations

import io
import json
import shutil
import wave
from pathlib import Path

import pytest

from hallq.config.hall import load_hall
from hallq.speech import EspeakNg, Piper, SpeechError
from hallq.speech.engines import piper_program
from hallq.web.speech import speech_for

from .conftest import DEMO_HALL, skip_or_fail

RATE, BLOCK = 16000, 800  # 50 ms a phoneme id


def tone_voice(folder: Path) -> Path:
    """A Piper voice model (model.onnx and model.onnx.json) that says every phoneme as a 50 ms tone."""
    try:
        import numpy as np
        import onnx
        from onnx import TensorProto, helper, numpy_helper
        from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP
    except ImportError:
        skip_or_fail("piper-tts and onnx are not installed (pip install -e '.[test]')")
    tone = np.sin(2 * np.pi * 220 * np.arange(BLOCK) / RATE).astype(np.float32).reshape(1, 1, BLOCK) * 0.5
    constants = {
        "zero": np.array(0, np.float32),
        "one": np.array(1, np.float32),
        "axis": np.array([2], np.int64),
        "tone": tone,
        "flat": np.array([1, 1, -1], np.int64),
    }
    nodes = [  # ones shaped like the ids, times the tone, laid end to end
        helper.make_node("Cast", ["input"], ["ids"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["ids", "zero"], ["zeros"]),
        helper.make_node("Add", ["zeros", "one"], ["ones"]),
        helper.make_node("Unsqueeze", ["ones", "axis"], ["columns"]),
        helper.make_node("Mul", ["columns", "tone"], ["tones"]),
        helper.make_node("Reshape", ["tones", "flat"], ["output"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])
    graph = helper.make_graph(
        nodes, "tone", inputs, [output], [numpy_helper.from_array(v, k) for k, v in constants.items()]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = folder / "zh_CN-tone.onnx"
    onnx.save(model, str(path))
    config = {
        "audio": {"sample_rate": RATE},
        "espeak": {"voice": "cmn"},
        "phoneme_type": "espeak",
        "num_symbols": 256,
        "num_speakers": 1,
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
    }
    path.with_suffix(".onnx.json").write_text(json.dumps(config), encoding="utf-8")
    return path


def seconds(audio: bytes) -> tuple[float, int]:
    with wave.open(io.BytesIO(audio)) as wav:
        return wav.getnframes() / wav.getframerate(), wav.getframerate()


@pytest.fixture
def voice(tmp_path: Path) -> Path:
    model = tone_voice(tmp_path)
    if shutil.which(piper_program()) is None:
        skip_or_fail("piper is not installed (pip install piper-tts)")
    return model


def test_piper_speaks_the_call_with_the_halls_voice_model(voice: Path) -> None:
    piper = Piper(str(voice), english=EspeakNg("en"))
    assert piper.problem() is None and piper.name == "piper/zh_CN-tone.onnx"
    short, rate = seconds(piper.render("请 A 零一二 号到 五 号窗口办理", "zh"))
    long, _ = seconds(piper.render("请 A 零一二 号到 五 号窗口办理。请 A 零一三 号到 十二 号窗口办理", "zh"))
    assert rate == RATE  # Piper's WAV, at the model's rate
    # one tone a phoneme: Piper's phonemes of the call (a 13-syllable sentence), then twice as many for two
    assert 2.0 < short < 12.0 and 1.8 < long / short < 2.2
    if shutil.which("espeak-ng"):  # English calls: espeak-ng's English, Piper's model is Chinese only
        english, english_rate = seconds(piper.render("Number A zero one two, window five", "en"))
        assert english_rate != RATE and english > 1.0


def test_a_hall_that_names_a_piper_voice_gets_piper(voice: Path, tmp_path: Path) -> None:
    text = DEMO_HALL.read_text(encoding="utf-8").replace(
        'engine = "espeak-ng"', f'engine = "piper"\npiper_model = "{voice}"'
    )
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(text, encoding="utf-8")
    config = load_hall(hall_file)
    cache = speech_for(config, tmp_path, str(hall_file))
    assert cache is not None and cache.engine.name == "piper/zh_CN-tone.onnx"
    audio = cache.wav("请 A 零零一 号到 一 号窗口办理", "zh")
    assert seconds(audio)[1] == RATE and cache.renders == 1
    assert cache.wav("请 A 零零一 号到 一 号窗口办理", "zh") == audio and cache.renders == 1


def test_a_broken_voice_model_is_a_speech_error_not_a_hang(voice: Path) -> None:
    voice.write_bytes(b"not a model")
    with pytest.raises(SpeechError, match="failed"):
        Piper(str(voice)).render("请 A 零零一 号到 一 号窗口办理", "zh")
