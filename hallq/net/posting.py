"""One HTTP POST to a system outside the hall (the province's 好差评 platform, an SMS gateway), answered in
words for the managers' pages: None when accepted (any 2xx), else what went wrong."""

from __future__ import annotations

import urllib.error
import urllib.request


def post(
    url: str, body: bytes, content_type: str, timeout_s: float, token: str | None, who: str
) -> str | None:
    """`who` names the other side in the Chinese half of a timeout ("省平台 5 秒内未应答")."""
    headers = {"Content-Type": content_type, "User-Agent": "hallq"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    silent = f"{who} {timeout_s:g} 秒内未应答 / no answer within {timeout_s:g} s"
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            answer.read(65536)
            return None
    except urllib.error.HTTPError as exc:
        text = exc.read(300).decode("utf-8", "replace").strip()
        return f"HTTP {exc.code}: {text}" if text else f"HTTP {exc.code}"
    except TimeoutError:
        return silent
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return silent if isinstance(reason, TimeoutError) else f"连接失败 / cannot connect: {reason}"
