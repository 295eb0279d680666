"""CPU-heavy work of a request (checking a password: ~0.1 s of scrypt; drawing a ticket: ~30 ms) off the event
loop, a few at a time, so that a flood of logins or pictures never stalls the kiosks and screens.

Under eventlet the work runs in a real thread (tpool; scrypt and Pillow release the GIL), and a green
semaphore keeps at most `at_once` of them running: the others wait in the event loop, not on a core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CpuWork:
    def __init__(self, offload: Callable[..., Any], at_once: int = 2) -> None:
        self.offload = offload
        # created after eventlet's monkey patch when the server runs under it: a green semaphore then
        self.slots = threading.BoundedSemaphore(at_once)

    def run(self, function: Callable[..., T], *args: Any) -> T:
        with self.slots:
            result: T = self.offload(function, *args)
            return result
