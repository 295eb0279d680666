"""The screens at the sizes hall hardware has (issue 22), in Debian's Chromium: the kiosk at 1080x1920
(floor-standing, portrait), 1920x1080 and 1366x768 (the common 19" kiosk); the display at 1920x1080 and
1366x768; the caller and the managers' pages at 1366x768 and 1920x1080. On each: nothing wider than the
screen, on the kiosk every button and tile at least 90 px (15 mm) each way, and on the kiosk and display no
text under 16 px; the ticket screen's QR code decodes to the ticket's phone page. A screenshot of each page at
each size goes to tests/artifacts/sizes/ (copied to docs/screenshots/sizes/ for the README's table)."""

from __future__ import annotations

from typing import Any

import pytest

from .browsers import ARTIFACTS, caller_at, manager_page
from .conftest import skip_or_fail
from .livehall import LiveHall, take_ticket

SHOTS = ARTIFACTS / "sizes"
KIOSK_SIZES = [(1080, 1920), (1920, 1080), (1366, 768)]
SCREEN_SIZES = [(1920, 1080), (1366, 768)]
TOUCH_PX = 90

#: what a page looks like to a standing citizen: overflow, text under 16 px, touch targets smaller than 15 mm
MEASURE = """() => {
  const small = [], targets = [];
  for (const node of document.querySelectorAll('body *')) {
    const box = node.getBoundingClientRect();
    const style = getComputedStyle(node);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    const text = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    const size = parseFloat(style.fontSize);
    if (text && size < 16) small.push(`${node.tagName}.${node.className}: ${size}px`);
    const name = node.textContent.trim().slice(0, 12);
    if (node.matches('button, .tile')) targets.push([name, box.width, box.height]);
  }
  return { overflow: document.documentElement.scrollWidth - window.innerWidth, small, targets };
}"""


def opened(browser: Any, url: str, size: tuple[int, int], ready: str) -> Any:
    """A Chinese page of `size` at `url`, once `ready` (a selector) shows."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    page.goto(url)
    page.wait_for_selector(ready)
    return page


def shot(page: Any, name: str, size: tuple[int, int]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-{size[0]}x{size[1]}.png", animations="disabled")


def check(page: Any, *, touch: bool, min_font: bool) -> None:
    seen = page.evaluate(MEASURE)
    assert seen["overflow"] <= 0, f"{seen['overflow']} px wider than the screen"
    if min_font:
        assert seen["small"] == [], seen["small"]
    if touch:
        too_small = [t for t in seen["targets"] if t[1] < TOUCH_PX or t[2] < TOUCH_PX]
        assert too_small == [], too_small


def qr_text(png: bytes) -> list[str]:
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        skip_or_fail("zxing-cpp is not installed (pip install -e '.[test]')")
    import io

    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("size", KIOSK_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_kiosk_fills_its_screen_and_shows_the_qr_code(browser, hall: LiveHall, size) -> None:  # type: ignore[no-untyped-def]
    page = opened(browser, f"{hall.url}/kiosk?token={hall.kiosk_token}", size, ".tile")
    check(page, touch=True, min_font=True)
    # the choices fill the screen, not its top third (read in one step in the page: the zones are drawn again
    # when the socket's snapshot or a queue change arrives, so a tile found a moment ago may be gone)
    bottoms = "[...document.querySelectorAll('#zones .tile')].map((t) => t.getBoundingClientRect().bottom)"
    lowest = page.evaluate(f"() => Math.max(...{bottoms})")
    assert lowest > size[1] * 0.85, lowest
    shot(page, "kiosk-zones", size)
    page.click("#zones .tile >> nth=0")
    page.wait_for_selector("#step-service:not(.hidden) .tile")
    check(page, touch=True, min_font=True)
    page.click("#step-service .tile >> nth=0")
    page.wait_for_selector("#step-ticket:not(.hidden)")
    page.wait_for_function(
        "() => document.getElementById('t-qr').complete && document.getElementById('t-qr').naturalWidth"
    )
    check(page, touch=True, min_font=True)
    assert "预计等候" in page.inner_text("#ticket")  # the printed ticket's word, not 预计等待
    assert page.inner_text("#t-wait") == "暂无窗口开放"  # zone A's windows are not open: no promised minutes
    (phone_page,) = qr_text(page.locator("#t-qr").screenshot())  # a phone scanning the glass lands there
    assert "/t/" in phone_page and phone_page.startswith(hall.url)
    assert page.locator("a[href]").count() == 0  # and a tap on the kiosk leaves it where it is
    shot(page, "kiosk-ticket", size)
    page.click("#done")
    page.close()


@pytest.mark.parametrize("size", SCREEN_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_display_and_the_caller_fit_their_screens(browser, hall: LiveHall, size) -> None:  # type: ignore[no-untyped-def]
    url = f"{hall.url}/display?token={hall.display_token}"
    display = opened(browser, url, size, '.win[data-window="W14"]')
    check(display, touch=False, min_font=True)
    shot(display, "display", size)

    viewport = {"width": size[0], "height": size[1]}
    caller = caller_at(browser.new_page(viewport=viewport, locale="zh-CN"), hall.url, "clerk14", "W14")
    take_ticket(hall.url, hall.kiosk_token)
    caller.wait_for_selector('button[data-act="call-next"]:not([disabled])', timeout=10_000)
    caller.click('button[data-act="call-next"]')
    caller.wait_for_selector('button[data-act="call-next"][disabled]')
    # a greyed-out 叫号 says why, and the main actions are the biggest buttons
    why = caller.evaluate(
        "() => getComputedStyle(document.querySelector('button[data-act=\"call-next\"]'), '::after').content"
    )
    assert why == '"先办结或过号"'
    areas = "() => [...document.querySelectorAll('.actions button')].map((b) => [b.dataset.act, b.offsetWidth * b.offsetHeight])"  # noqa: E501
    boxes = caller.evaluate(areas)
    biggest = max(area for _, area in boxes)
    assert dict(boxes)["next"] == biggest and dict(boxes)["call-next"] == biggest
    check(caller, touch=False, min_font=False)
    shot(caller, "caller", size)
    caller.click('button[data-act="next"]')  # 下一位 ends it (and calls nobody: the queue is empty)
    caller.wait_for_selector('button[data-act="call-next"]:not([disabled])')
    display.close()
    caller.close()


@pytest.mark.parametrize("size", SCREEN_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("path", ["/manager/reports", "/manager/ranking", "/manager"])
def test_managers_pages_never_clip_a_table(browser, hall: LiveHall, path: str, size) -> None:  # type: ignore[no-untyped-def]
    page = manager_page(browser, hall, path)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_load_state("networkidle")
    check(page, touch=False, min_font=False)
    for table in page.locator(".m-table").all():  # a wide table scrolls inside its card
        inside = table.evaluate("(t) => t.parentElement.classList.contains('m-table-wrap')")
        assert inside, table.evaluate("(t) => t.id")
        if size[0] >= 1920:  # on a manager's full HD screen nothing needs that scroll (issue 32)
            fits = table.evaluate("(t) => t.scrollWidth <= t.parentElement.clientWidth + 1")
            assert fits, (path, table.evaluate("(t) => [t.id, t.scrollWidth, t.parentElement.clientWidth]"))
    name = "manager" + path.removeprefix("/manager").replace("/", "-")
    shot(page, name, size)
    page.close()


#: every part of the display inside the screen: (what, how far past the bottom or right edge, in px)
OUTSIDE = """() => {
  const out = [];
  for (const node of document.querySelectorAll('.win, #recent li, #waiting li, .now-calling, .display-top')) {
    const box = node.getBoundingClientRect();
    const past = Math.max(box.bottom - window.innerHeight, box.right - window.innerWidth);
    const what = node.dataset.window || node.dataset.ticket || node.textContent.slice(0, 12);
    if (past > 0.5) out.push([what, past]);
  }
  return out;
}"""

#: the banner's colours through one second of its flash, 20 ms apart (its animations paused at each instant)
FLASH_COLOURS = """() => {
  const node = document.getElementById('now-calling');
  const animations = node.getAnimations({ subtree: true });
  const seen = [];
  for (let at = 0; at < 1000; at += 20) {
    for (const animation of animations) { animation.pause(); animation.currentTime = at; }
    const style = getComputedStyle(node);
    seen.push([at, style.color, style.backgroundColor]);
    for (const en of node.querySelectorAll('.en')) {
      seen.push([at, getComputedStyle(en).color, style.backgroundColor]);
    }
  }
  return { count: animations.length, seen };
}"""


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        channels = [int(value) / 255 for value in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_a_busy_display_fits_every_screen_and_its_flash_stays_readable(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Issue 32, items 4 and 5: 14 windows, 6 zones and 10 recent calls fit 1080x1920, 1920x1080 and 1366x768
    with no text under 16 px; the banner keeps a contrast of 4.5:1 or more through its whole flash; more
    windows than a screen fits are paged, and a call shows its window's page."""
    import requests

    bridge = {"Authorization": f"Bearer {hall.bridge_token}"}
    layout = requests.get(f"{hall.url}/api/v1/hall", headers=bridge, timeout=5).json()
    windows = [w for w in layout["windows"] if w["id"] != "W14"][:10]
    for window in windows:
        ticket = take_ticket(hall.url, hall.kiosk_token, window["a_services"][0])
        for verb, body in (("open", {}), ("call", {"ticket_id": ticket["id"]})):
            answer = requests.post(
                f"{hall.url}/api/v1/windows/{window['id']}/{verb}", json=body, headers=bridge, timeout=5
            )
            assert answer.status_code == 200, answer.text
    url = f"{hall.url}/display?token={hall.display_token}"
    for size in [(1080, 1920), *SCREEN_SIZES]:
        display = opened(browser, url, size, "#recent li[data-ticket]")
        display.wait_for_function("() => document.querySelectorAll('#recent li').length === 10")
        assert display.locator(".win").count() == 14 and display.locator("#waiting li").count() == 6
        check(display, touch=False, min_font=True)
        assert display.evaluate(OUTSIDE) == [], size
        shot(display, "display-busy", size)
        if size == SCREEN_SIZES[-1]:  # a call: the banner flashes
            again = requests.post(f"{hall.url}/api/v1/windows/W01/recall", json={}, headers=bridge, timeout=5)
            assert again.status_code == 200, again.text
            display.wait_for_selector("#now-calling.flash")
            flash = display.evaluate(FLASH_COLOURS)
            assert flash["count"] >= 1
            worst = min(contrast(colour, background) for _, colour, background in flash["seen"])
            assert worst >= 4.5, f"contrast falls to {worst:.2f}:1 during the flash"
        display.close()
    paged = opened(browser, f"{url}&per_page=8", (1920, 1080), ".win")
    assert paged.locator(".win").count() == 8 and paged.inner_text("#page-mark") == "窗口 第 1/2 页"
    requests.post(f"{hall.url}/api/v1/windows/W10/recall", json={}, headers=bridge, timeout=5)
    paged.wait_for_selector('.win[data-window="W10"]')  # its call turned the page
    assert paged.inner_text("#page-mark") == "窗口 第 2/2 页"
    paged.close()
