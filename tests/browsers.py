"""What the browser tests share: Debian's Chromium driven by Playwright (no browser download), the demo hall
running live, and a manager logged in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

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
