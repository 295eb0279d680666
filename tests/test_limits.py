"""Rate limits: a kiosk or an address that issues faster than people can is refused with a clear 429, and a
login that keeps failing waits; other kiosks, addresses and users are not touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hallq.config.sections import Limits
from hallq.operations.accounts import create_token, ensure_user
from hallq.operations.context import Actor, HallContext
from hallq.web.ratelimits import RateLimits, TooManyRequests

from .conftest import small_hall_with
from .postgres import require_redis

LIMITS = """
[hall.hours]
open = "00:00"
close = "23:59"
enforce = false

[limits]
issues_per_kiosk_per_minute = 3
issues_per_address_per_minute = 5
login_failures_per_15_minutes = 3
"""


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    text = small_hall_with(tmp_path, LIMITS).read_text(encoding="utf-8")
    # the appended hours replace the file's own
    start = text.index("[hall.hours]")
    end = text.index("[[zones]]")
    path = tmp_path / "limited.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return path


def _issue(client: FlaskClient, token: str, address: str = "10.0.0.1") -> int:
    response = client.post(
        "/api/v1/tickets",
        json={"service_id": "b2"},
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": address},
    )
    if response.status_code == 429:
        assert response.json["error"] == "too_many_tickets" and "try again" in response.json["message"]
    return response.status_code


def test_a_kiosk_and_an_address_issuing_too_fast_are_refused(app: Flask, ctx: HallContext) -> None:
    client = app.test_client()
    now = ctx.now()
    first, second = (create_token(ctx.store, "kiosk", now, name=f"kiosk-{n}") for n in (1, 2))
    assert [_issue(client, first) for _ in range(4)] == [201, 201, 201, 429]
    # another kiosk on another address goes on; the refused ticket took no number
    assert _issue(client, second, "10.0.0.2") == 201
    numbers = client.get("/api/v1/tickets/4", headers={"Authorization": f"Bearer {second}"}).json
    assert numbers["number"] == "B004"
    # one address, whatever the token: 5 a minute
    staff = create_token(ctx.store, "manager", now)
    assert [_issue(client, staff, "10.0.0.9") for _ in range(6)] == [201] * 5 + [429]


def test_failed_logins_make_that_login_wait(app: Flask, ctx: HallContext) -> None:
    ensure_user(ctx.store, "li", "right-password", "clerk", ctx.now(), "李")
    ensure_user(ctx.store, "wu", "right-password", "clerk", ctx.now(), "吴")
    client = app.test_client()

    def login(username: str, password: str, address: str = "10.0.0.1") -> int:
        body = {"username": username, "password": password}
        return client.post("/api/v1/session", json=body, environ_base={"REMOTE_ADDR": address}).status_code

    assert [login("li", "wrong") for _ in range(3)] == [401, 401, 401]
    assert login("li", "right-password") == 429  # even the right password waits now
    assert (
        client.post(
            "/api/v1/session",
            json={"username": "li", "password": "x"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ).json["error"]
        == "too_many_logins"
    )
    assert login("wu", "right-password") == 200  # another user is not locked out by li's attempts
    assert login("li", "right-password", "10.0.0.7") == 200  # nor li from the clerk's own desk


def test_processes_sharing_redis_count_together() -> None:
    """With a message queue, every server process counts in the same Redis (halls apart by their scope)."""
    url = require_redis()
    rules = Limits(issues_per_kiosk_per_minute=3, issues_per_address_per_minute=0)
    scope = f"test-{id(rules)}"
    one, two = RateLimits(rules, url, scope), RateLimits(rules, url, scope)
    kiosk = Actor(role="kiosk", name="kiosk-1", kiosk_id="K1")
    for limits in (one, two, one):
        limits.issue(kiosk, None)
    with pytest.raises(TooManyRequests):
        two.issue(kiosk, None)
    RateLimits(rules, url, f"{scope}-other-hall").issue(kiosk, None)  # another hall counts apart
    one.limiter.clear(one.per_kiosk, scope, "issue-kiosk", "K1")


def test_a_change_with_the_session_cookie_must_come_from_this_site(app: Flask, ctx: HallContext) -> None:
    ensure_user(ctx.store, "li", "right-password", "clerk", ctx.now(), "李")
    client = app.test_client()
    assert (
        client.post("/api/v1/session", json={"username": "li", "password": "right-password"}).status_code
        == 200
    )
    evil = client.post("/api/v1/windows/W1/open", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json["error"] == "cross_site"
    fetched = client.post("/api/v1/windows/W1/open", headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    sibling = client.post(
        "/api/v1/windows/W1/open", headers={"Sec-Fetch-Site": "same-site", "Origin": "null"}
    )
    assert sibling.status_code == 403  # another site of the same domain is another site
    hidden = client.post("/api/v1/windows/W1/open", headers={"Origin": "null"})
    assert hidden.status_code == 403  # an origin withheld, and no browser's word for where it came from
    # the hall's own page (same host, even when a TLS proxy makes it https) and a page with no Origin pass
    own = client.post("/api/v1/windows/W1/open", headers={"Origin": "https://localhost"})
    assert own.status_code == 200
    assert client.post("/api/v1/windows/W1/pause").status_code == 200
    # our own page's form post under Referrer-Policy no-referrer: Origin null, the browser says same-origin
    form = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
    assert client.post("/api/v1/windows/W1/resume", headers=form).status_code == 200
    assert client.post("/api/v1/windows/W1/pause", headers=form).status_code == 200
    # a token is no ambient credential: a script elsewhere holding one is not a forged request
    token = create_token(ctx.store, "bridge", ctx.now())
    bridge = {"Authorization": f"Bearer {token}", "Origin": "https://integrator.example"}
    assert app.test_client().post("/api/v1/windows/W1/resume", headers=bridge).status_code == 200


def test_behind_a_proxy_the_clients_address_counts_and_cookies_need_tls(
    tmp_path: Path, hall_file: Path
) -> None:
    from hallq.app.factory import create_app
    from hallq.config.settings import Settings

    settings = Settings(
        instance=tmp_path / "proxied",
        hall_file=hall_file,
        async_mode="threading",
        testing=True,
        proxy_hops=1,
        secure_cookies=True,
    )
    app = create_app(settings)
    ctx: HallContext = app.extensions["hallq"]
    ensure_user(ctx.store, "li", "right-password", "clerk", ctx.now(), "李")
    manager = create_token(ctx.store, "manager", ctx.now())
    client = app.test_client()

    def take(citizen: str) -> int:
        headers = {"Authorization": f"Bearer {manager}", "X-Forwarded-For": citizen}
        return client.post("/api/v1/tickets", json={"service_id": "b2"}, headers=headers).status_code

    # every request comes from the proxy's 127.0.0.1: only the forwarded address tells the clients apart
    assert [take("203.0.113.5") for _ in range(6)] == [201] * 5 + [429]
    assert take("203.0.113.6") == 201
    login = client.post(
        "/api/v1/session",
        json={"username": "li", "password": "right-password"},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert login.status_code == 200
    assert "Secure" in login.headers["Set-Cookie"] and "HttpOnly" in login.headers["Set-Cookie"]
    ctx.store.dispose()
