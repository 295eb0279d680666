"""Behind a proxy (nginx, docs/deployment.md): the client's address and scheme come from X-Forwarded-For and
-Proto, but only when the request came from the proxy itself. A client that reaches the server's port
directly speaks for itself: its forwarded headers are its own words (a rotating X-Forwarded-For would
otherwise bypass every per-address limit). X-Forwarded-Host is never believed: the documented proxy does
not set it."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import ip_address, ip_network
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxy:
    def __init__(self, app: Any, hops: int, proxies: Iterable[str]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops)
        self.proxies = [ip_network(proxy, strict=False) for proxy in proxies]

    def from_proxy(self, address: str) -> bool:
        try:
            peer = ip_address(address.removeprefix("::ffff:"))
        except ValueError:
            return False
        return any(peer in network for network in self.proxies)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.from_proxy(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
