"""Every page of the demo hall in Chinese, as Debian's Chromium shows it (issue 24 item 7): no English words
outside a short list of terms a Chinese hall uses as they are, and no emoji (U+1F300-1FAFF), which Debian
draws as empty boxes without an emoji font."""

from __future__ import annotations

import re

from .browsers import walk_every_page
from .livehall import LiveHall

#: English a Chinese page may show: names of things that have no other name in a hall, and units
ALLOWED = {
    "QR",  # 二维码 is also said; QR on the printed ticket's caption
    "ID",
    "API",
    "CSV",
    "JSON",  # 好差评上报's generic interface
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
    found: dict[str, set[str]] = {}
    walk_every_page(browser, hall, lambda page, where: sweep(page, where, found))
    assert not found, "\n".join(f"{where}: {sorted(words)}" for where, words in found.items())
