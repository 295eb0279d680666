"""The server's speech engine from the hall file's `[voice]`, and the disk cache of what it has said."""

from __future__ import annotations

import logging
from pathlib import Path

from hallq.config.hall import HallConfig
from hallq.config.tomlfile import ConfigError, Problem
from hallq.speech import EspeakNg, Piper, SpeechCache, SpeechEngine

log = logging.getLogger(__name__)


def speech_for(config: HallConfig, instance: Path, source: str) -> SpeechCache | None:
    """The cache to render calls with, or None when displays speak with their own voice. espeak-ng not being
    installed only turns server speech off (a laptop running the demo); a voice it does not have, or a Piper
    the hall asked for that cannot run, is a configuration error naming the key."""
    voice = config.voice
    engine: SpeechEngine
    if voice.engine == "browser":
        return None
    if voice.engine == "espeak-ng":
        engine = EspeakNg(voice.espeak_voice, voice.rate_wpm)
        problem = engine.problem()
        if problem and "not installed" in problem:
            log.warning("%s: displays speak with their own voice, or chime", problem)
            return None
        key = "voice.espeak_voice"
    else:
        engine = Piper(voice.piper_model, english=EspeakNg("en", voice.rate_wpm))
        problem = engine.problem()
        key = "voice.engine" if problem and "not installed" in problem else "voice.piper_model"
    if problem:
        raise ConfigError(source, [Problem(key, problem)])
    return SpeechCache(instance / "speech", engine)
