"""What the browser tests share: Debian's Chromium driven by Playwright (no browser download), the demo hall
running live, and a manager logged in."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import skip_or_fail
from .livehall import LiveHall, live_demo

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium() -> Iterator[object]:
    """For a module-scoped `browser` fixture: one headless Chromium."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        skip_or_fail("Debian chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def demo_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHall]:
    """For a module-scoped `hall` fixture: `hallq demo` running."""
    with live_demo(tmp_path_factory.mktemp("browser"), "eventlet") as hall:
        yield hall


def caller_at(page, url: str, clerk: str, window: str):  # type: ignore[no-untyped-def]
    """The caller page at `url` with a demo clerk signed in at `window` (the desk showing)."""
    page.goto(f"{url}/caller")
    page.fill("#username", clerk)
    page.fill("#password", "hallq-demo")
    page.click("#login-btn")
    page.click(f'[data-window="{window}"]')
    page.wait_for_selector("#desk:not(.hidden)")
    return page


def manager_page(browser, hall: LiveHall, path: str):  # type: ignore[no-untyped-def]
    """A page at `path` with the demo's manager logged in (waits until the login page has gone: its own URL
    carries `next=<path>`, which a glob on the path would match at once)."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{hall.url}{path}")
    page.fill("#username", "manager")
    page.fill("#password", "hallq-demo")
    page.click('button[type="submit"]')
    page.wait_for_url(lambda url: "/login" not in url and url.split("?")[0].endswith(path))
    return page


def walk_every_page(browser, hall: LiveHall, visit: Callable[[Any, str], None]) -> None:  # type: ignore[no-untyped-def]
    """Every page of the demo hall in zh-CN, as its people reach them: the index and each of its links
    (both kiosks through a zone to a ticket, the display, the tablet, the devices, the managers' pages), every
    managers' page in the navigation, the caller's desk and window list, a citizen's phone page and a 404.
    `visit(page, where)` is called at each stop."""
    import requests

    from .livehall import take_ticket

    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{hall.url}/")
    visit(page, "index")
    links = page.locator(".index-links a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    ticket = take_ticket(hall.url, hall.kiosk_token)
    for link in links:
        page.goto(f"{hall.url}{link}")
        if "/manager" in link:
            visit(page, "manager login")
            page.fill("#username", "manager")
            page.fill("#password", "hallq-demo")
            page.click('button[type="submit"]')
            page.wait_for_url(lambda url: "/login" not in url)
        visit(page, link.split("?")[0])
        if link.startswith("/kiosk"):  # a zone, its services, and a ticket taken
            page.locator("#zones .tile").first.click()
            visit(page, f"{link.split('?')[0]} services")
            page.locator("#services .tile").first.click()
            page.wait_for_selector("#ticket:not(.hidden), #identify:not(.hidden), #error:not(.hidden)")
            visit(page, f"{link.split('?')[0]} after a service")
    page.goto(f"{hall.url}/manager")
    navigation = page.locator("nav a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    for link in navigation:
        if "lang=" in link:  # the switch to English
            continue
        page.goto(f"{hall.url}{link}")
        visit(page, link)
    clerk = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    )  # no manager's cookie
    caller = clerk.new_page()
    caller.goto(f"{hall.url}/caller")
    visit(caller, "caller sign-in")
    caller = caller_at(caller, hall.url, "clerk01", "W01")
    visit(caller, "caller desk")
    caller.click("#change-window")
    visit(caller, "caller windows")
    phone = context.new_page()
    status_url = f"{hall.url}{ticket['status_url']}"
    assert requests.get(status_url, timeout=5).status_code == 200
    phone.goto(status_url)
    visit(phone, "status page")
    page.goto(f"{hall.url}/no-such-page")
    visit(page, "404")
    context.close()
    clerk.close()


def status_path(kiosk) -> str:  # type: ignore[no-untyped-def]
    """The citizen's phone page of the ticket a kiosk shows: what its QR code points at. The kiosk itself
    shows no link (a tap must not take the kiosk away from the next citizen)."""
    source: str = kiosk.locator("#t-qr").get_attribute("src")
    return source.removesuffix("/qr.svg")
