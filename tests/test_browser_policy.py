"""Every page keeps the Content-Security-Policy it is sent with (issue 30 item 5): walked in Chromium,
no page logs a violation (no inline script or handler left, nothing loaded from elsewhere). And every
template's scripts are files: a script element either has a src or is a JSON data block."""

from __future__ import annotations

import re

import pytest

from hallq.config.settings import REPO_ROOT

from .browsers import walk_every_page
from .livehall import LiveHall

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def test_no_template_has_an_inline_script() -> None:
    templates = [
        path
        for folder in ("hallq", "kiosk", "caller", "display_board", "manager")
        for path in (REPO_ROOT / folder).rglob("*.html")
    ]
    assert len(templates) > 15
    inline = [
        f"{path.relative_to(REPO_ROOT)}: <script{attributes}>"
        for path in templates
        for attributes in SCRIPT.findall(path.read_text(encoding="utf-8"))
        if "src=" not in attributes and 'type="application/json"' not in attributes
    ]
    assert not inline, "\n".join(inline)
    handlers = [
        str(path.relative_to(REPO_ROOT))
        for path in templates
        if re.search(r"\son[a-z]+=", path.read_text(encoding="utf-8"))
    ]
    assert not handlers, handlers


@pytest.mark.browser
def test_no_page_breaks_its_policy(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    violations: list[str] = []
    watched: set[int] = set()

    def visit(page, where: str) -> None:  # type: ignore[no-untyped-def]
        if id(page) not in watched:
            watched.add(id(page))
            page.on(
                "console",
                lambda message: (
                    violations.append(f"{page.url}: {message.text}")
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
        page.wait_for_load_state("load")
        page.wait_for_timeout(600)  # the page's scripts fill it from the API and the socket

    walk_every_page(browser, hall, visit)
    assert not violations, "\n".join(violations)
    # the check itself works: an inline handler put into a page is refused and seen
    page = browser.new_page()
    visit(page, "control")
    page.goto(f"{hall.url}/display")
    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<img src=\"x\" onerror=\"1\">')")
    page.wait_for_timeout(500)
    assert any("inline event handler" in violation for violation in violations), violations
    page.close()
