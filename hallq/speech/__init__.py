"""Call announcements rendered to audio on the server, offline: espeak-ng or Piper, cached on disk."""

from hallq.speech.cache import SpeechCache
from hallq.speech.engines import EspeakNg, Piper, SpeechEngine, SpeechError

__all__ = ["EspeakNg", "Piper", "SpeechCache", "SpeechEngine", "SpeechError"]
