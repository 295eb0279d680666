"""Security headers on every answer (issue 30 item 5): a policy that allows this server's own files only, no
framing (unless the hall file lets a signage system frame its screens), no sniffing, no referrer, and nothing
personal kept in a browser's or proxy's cache."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from .conftest import Tokens


def test_every_answer_carries_the_headers(client: FlaskClient, tokens: Tokens) -> None:
    manager = Tokens.header(tokens.manager)
    answers = {
        "kiosk page": client.get("/kiosk"),
        "display page": client.get("/display"),
        "manager login": client.get("/manager/login"),
        "API": client.get("/api/v1/stats/live", headers=manager),
        "API error": client.get("/api/v1/stats/live"),
        "404 page": client.get("/nowhere"),
        "export": client.get("/api/v1/stats/export.csv?from=2026-11-01&to=2026-11-23", headers=manager),
    }
    for what, answer in answers.items():
        headers = answer.headers
        policy = headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, what
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what
        assert headers.get("X-Frame-Options") == "DENY", what
        assert headers.get("X-Content-Type-Options") == "nosniff", what
        assert headers.get("Referrer-Policy") == "no-referrer", what
        assert headers.get("Cache-Control") == "no-store", what
    assert answers["export"].status_code == 200
    assert answers["export"].headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not twice
    static = client.get("/static/hallq.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
    assert static.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    "hall_file",
    [
        [
            (
                'timezone = "Asia/Shanghai"',
                'timezone = "Asia/Shanghai"\nscreens_framed_by = ["https://sign.example"]',
            )
        ]
    ],
    indirect=True,
)
def test_a_hall_may_let_a_signage_system_frame_its_screens(client: FlaskClient) -> None:
    for page in ("/display", "/kiosk"):
        answer = client.get(page)
        assert answer.headers["Content-Security-Policy"].endswith("frame-ancestors https://sign.example")
        assert "X-Frame-Options" not in answer.headers
    manager = client.get("/manager/login")  # the managers' pages never
    assert manager.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert manager.headers["X-Frame-Options"] == "DENY"
