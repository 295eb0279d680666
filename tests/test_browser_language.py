"""Every page of the demo hall in Chinese, as Debian's Chromium shows it (issue 24 item 7): no English words
outside a short list of terms a Chinese hall uses as they are, and no emoji (U+1F300-1FAFF), which Debian
draws as empty boxes without an emoji font."""

from __future__ import annotations

import re

import requests

from .browsers import caller_at
from .livehall import LiveHall, take_ticket

#: English a Chinese page may show: names of things that have no other name in a hall, and units
ALLOWED = {
    "QR",  # 二维码 is also said; QR on the printed ticket's caption
    "ID",
    "API",
    "CSV",
    "XLSX",
    "Excel",
    "hallq",
    "min",  # a unit beside figures
    "ms",
    "Modbus",
    "RTU",
    "Onbon",
    "BX",
    "LED",
    "USB",
    "ESC",
    "POS",
    "AB",
    "PDF",
    "English",  # the language switch names the language it switches to
}
#: an English word on its own (not part of an identifier such as clerk01, W01 or A001)
WORD = re.compile(r"\b[A-Za-z]{2,}\b")
EMOJI = re.compile("[\U0001f300-\U0001faff]")


def english_words(text: str) -> set[str]:
    text = re.sub(r"https?://\S+", "", text)  # an address shown to type in (under a QR code)
    return {word for word in WORD.findall(text) if word not in ALLOWED}


def sweep(page, where: str, found: dict[str, set[str]]) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    page.wait_for_timeout(800)  # the scripts fill the page from the API and the socket
    # commands, config keys and syntax examples in <code> are what they are in any language
    text = page.evaluate(
        "() => { for (const c of document.querySelectorAll('code')) c.textContent = '';"
        " return document.body.innerText; }"
    )
    assert not EMOJI.search(page.content()), f"{where}: an emoji character"
    words = english_words(text)
    if words:
        found[where] = {*words, *(line for line in text.splitlines() if english_words(line))}


def test_no_english_words_and_no_emoji_on_chinese_pages(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    found: dict[str, set[str]] = {}
    page.goto(f"{hall.url}/")
    sweep(page, "index", found)
    links = page.locator(".index-links a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    ticket = take_ticket(hall.url, hall.kiosk_token)
    for link in links:
        page.goto(f"{hall.url}{link}")
        if "/manager" in link:
            page.fill("#username", "manager")
            page.fill("#password", "hallq-demo")
            page.click('button[type="submit"]')
            page.wait_for_url(lambda url: "/login" not in url)
        sweep(page, link.split("?")[0], found)
        if link.startswith("/kiosk"):  # a zone, its services, and a ticket taken
            page.locator("#zones .tile").first.click()
            sweep(page, f"{link.split('?')[0]} services", found)
            page.locator("#services .tile").first.click()
            page.wait_for_selector("#ticket:not(.hidden), #identify:not(.hidden), #error:not(.hidden)")
            sweep(page, f"{link.split('?')[0]} after a service", found)
    # every managers' page the navigation offers
    page.goto(f"{hall.url}/manager")
    navigation = page.locator("nav a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    for link in navigation:
        if "lang=" in link:  # the switch to English
            continue
        page.goto(f"{hall.url}{link}")
        sweep(page, link, found)
    # the clerk's desk, the citizen's phone page, a page that does not exist
    clerk = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    )  # no manager's cookie
    caller = caller_at(clerk.new_page(), hall.url, "clerk01", "W01")
    sweep(caller, "caller desk", found)
    caller.click("#change-window")
    sweep(caller, "caller windows", found)
    phone = context.new_page()
    status_url = f"{hall.url}{ticket['status_url']}"
    assert requests.get(status_url, timeout=5).status_code == 200
    phone.goto(status_url)
    sweep(phone, "status page", found)
    page.goto(f"{hall.url}/no-such-page")
    sweep(page, "404", found)
    context.close()
    clerk.close()
    assert not found, "\n".join(f"{where}: {sorted(words)}" for where, words in found.items())
