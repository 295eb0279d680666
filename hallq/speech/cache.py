"""Rendered announcements on disk, by engine and text: each rendered once, the oldest dropped past a bound."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from hallq.speech.engines import SpeechEngine

MAX_BYTES = 64 * 1024 * 1024


class SpeechCache:
    def __init__(self, folder: Path, engine: SpeechEngine, max_bytes: int = MAX_BYTES) -> None:
        self.folder, self.engine, self.max_bytes = folder, engine, max_bytes
        self.renders = 0
        self._lock = threading.Lock()

    def path_for(self, text: str, lang: str) -> Path:
        key = hashlib.sha256(f"{self.engine.name}\0{lang}\0{text}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.wav"

    def wav(self, text: str, lang: str) -> bytes:
        """The audio of `text`, rendered on the first request only."""
        path = self.path_for(text, lang)
        try:
            audio = path.read_bytes()
            os.utime(path)  # recently used: kept longest
            return audio
        except FileNotFoundError:
            pass
        audio = self.engine.render(text, lang)
        self.renders += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(audio)
        partial.replace(path)  # atomic: a reader never sees half a file
        self._trim()
        return audio

    def _trim(self) -> None:
        with self._lock:
            files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*/*.wav")]
            total = sum(size for _, size, _ in files)
            for _, size, path in sorted(files):
                if total <= self.max_bytes:
                    break
                path.unlink(missing_ok=True)
                total -= size
