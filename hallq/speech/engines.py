"""Speech engines: text in, a WAV file out, by a program on this machine (never the network).

espeak-ng (Debian's package; Mandarin is its `cmn` voice, which reads Latin letters as English letters) is the
default: small, instant, robotic but clear. Piper (piper-tts on PyPI) sounds natural and needs a voice model
file the hall downloads once (docs/voice.md). Each engine runs its program with a time limit and says plainly
what is missing when it cannot run.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Protocol

TIMEOUT_S = 10.0


class SpeechError(RuntimeError):
    """The engine could not speak: its program or voice is missing, or it failed (the message says which)."""


class SpeechEngine(Protocol):
    #: what the audio depends on besides the text (the cache key)
    name: str

    def render(self, text: str, lang: str) -> bytes:
        """`text` spoken as WAV bytes; `lang` is "zh" or "en"."""
        ...

    def problem(self) -> str | None:
        """Why this engine cannot speak on this machine, or None when it can."""
        ...


def _run(command: list[str], text_input: str | None = None) -> bytes:
    try:
        done = subprocess.run(
            command,
            input=text_input.encode() if text_input else None,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise SpeechError(f"{command[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise SpeechError(f"{command[0]} took longer than {TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        raise SpeechError(f"{command[0]} failed: {done.stderr.decode(errors='replace').strip()[:200]}")
    return done.stdout


def with_true_sizes(audio: bytes) -> bytes:
    """espeak-ng writing to a pipe cannot seek back, so its WAV header claims 2 GB; browsers then wait for the
    rest. The RIFF and data chunk sizes set to what the bytes hold."""
    data_at = audio.find(b"data", 12)
    if not audio.startswith(b"RIFF") or data_at < 0:
        raise SpeechError("no WAV audio")
    riff = struct.pack("<I", len(audio) - 8)
    data = struct.pack("<I", len(audio) - data_at - 8)
    return audio[:4] + riff + audio[8 : data_at + 4] + data + audio[data_at + 8 :]


class EspeakNg:
    def __init__(self, voice: str = "cmn", rate_wpm: int = 150, executable: str = "espeak-ng") -> None:
        self.voice, self.rate_wpm, self.executable = voice, rate_wpm, executable
        self.name = f"espeak-ng/{voice}/{rate_wpm}"

    def render(self, text: str, lang: str) -> bytes:
        voice = self.voice if lang == "zh" else "en"
        return with_true_sizes(
            _run([self.executable, "-v", voice, "-s", str(self.rate_wpm), "--stdout"], text_input=text)
        )

    def problem(self) -> str | None:
        if shutil.which(self.executable) is None:
            return f"{self.executable} is not installed (Debian: apt-get install espeak-ng)"
        voices = _run([self.executable, f"--voices={self.voice.split('+')[0]}"]).decode(errors="replace")
        if not any(line.split()[1:2] == [self.voice] for line in voices.splitlines()[1:]):
            return f"{self.executable} has no voice {self.voice!r} (espeak-ng --voices lists them)"
        return None


def piper_program() -> str:
    """`piper` on the PATH, else the one installed beside this Python (a service started without the virtual
    environment's bin/ on its PATH)."""
    return shutil.which("piper") or shutil.which("piper", path=str(Path(sys.executable).parent)) or "piper"


class Piper:
    """piper-tts's `piper` program with one voice model; English calls fall back to espeak-ng's English."""

    def __init__(self, model: str, executable: str | None = None, english: EspeakNg | None = None) -> None:
        self.model, self.executable = Path(model), executable or piper_program()
        self.english = english or EspeakNg("en")
        self.name = f"piper/{self.model.name}"

    def render(self, text: str, lang: str) -> bytes:
        if lang != "zh":
            return self.english.render(text, lang)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "speech.wav"
            _run([self.executable, "--model", str(self.model), "--output_file", str(out)], text_input=text)
            if not out.is_file():
                raise SpeechError(f"{self.executable} wrote no audio")
            return out.read_bytes()

    def problem(self) -> str | None:
        if shutil.which(self.executable) is None:
            return f"{self.executable} is not installed (pip install piper-tts)"
        if not self.model.is_file():
            return f"no voice model at {self.model}"
        return None
