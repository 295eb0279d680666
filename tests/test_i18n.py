"""zh-CN and English (Flask-Babel): the catalogue is complete and compiled, the pages speak the language asked
for, and every text a page script asks for exists."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from hallq.config.settings import REPO_ROOT

from .conftest import Tokens

CATALOGUE = REPO_ROOT / "hallq" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
SOURCES = ("hallq", "kiosk", "caller", "display_board", "manager")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: translated pages (by URL; "status" is a ticket's) and the scripts they run
PAGES = {
    "/kiosk": REPO_ROOT / "kiosk" / "static" / "kiosk.js",
    "status": REPO_ROOT / "kiosk" / "static" / "status.js",
    "/caller": REPO_ROOT / "caller" / "static" / "caller.js",
    "/evaluate/W01": REPO_ROOT / "caller" / "static" / "evaluate.js",
    "/display": REPO_ROOT / "display_board" / "static" / "display.js",
}


def source_messages() -> set[str]:
    found: set[str] = set()
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    for folder in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            REPO_ROOT / folder, method_map, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_has_its_chinese_and_the_compiled_catalogue_is_current() -> None:
    # read whole, then parsed; CI runs twice saw it from byte 4096 on: a simulated bus read it through a
    # reused fd (fixed; tests/test_bridge_live.py holds it)
    po_bytes = (CATALOGUE / "messages.po").read_bytes()
    po = read_po(BytesIO(po_bytes), abort_invalid=True)
    mo = read_mo(BytesIO((CATALOGUE / "messages.mo").read_bytes()))
    translated = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"not translated (run `make translations`, then translate): {missing}"
    compiled = {m.id: m.string for m in mo if m.id}
    assert compiled == translated, "messages.mo is older than messages.po: run `make translations`"
    for english, chinese in translated.items():  # placeholders survive translation
        for placeholder in (r"\{\w+\}", r"%\(\w+\)s"):
            assert set(re.findall(placeholder, english)) == set(re.findall(placeholder, chinese)), english


def page_texts(html: str) -> dict[str, str]:
    import json

    found = re.search(r'<script type="application/json" id="hallq-texts">(.*?)</script>', html, re.S)
    assert found, "the page carries no texts for its script"
    texts: dict[str, str] = json.loads(found.group(1))
    return texts


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_kiosk_speaks_chinese_and_english_when_asked(client: FlaskClient) -> None:
    chinese = client.get("/kiosk").get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese
    assert "请选择办事区域" in chinese and "Choose an area" not in chinese
    assert page_texts(chinese)["about_minutes"] == "约 {minutes} 分钟"
    assert re.search(r'id="lang-switch" data-lang="en"[^>]*>English<', chinese)
    english = client.get("/kiosk?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert not CJK.search(visible_text(english).replace("中文", "")), "Chinese left on the English kiosk"
    assert all(not CJK.search(text) for text in page_texts(english).values())
    assert re.search(r'id="lang-switch" data-lang="zh_CN"[^>]*>中文<', english)
    # a kiosk in the hall speaks the hall's language whatever its browser says
    assert "请选择办事区域" in client.get("/kiosk", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_status_page_follows_the_phone_and_the_link(client: FlaskClient, tokens: Tokens) -> None:
    ticket = client.post(
        "/api/v1/tickets", json={"service_id": "seal"}, headers=Tokens.header(tokens.kiosk)
    ).get_json()
    url = ticket["status_url"]
    english_phone = client.get(url, headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert "Ahead of you" in english_phone and not CJK.search(visible_text(english_phone).replace("中文", ""))
    chinese_phone = client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert "前面还有" in chinese_phone and f'<a href="{url}?lang=en" lang="en">English</a>' in chinese_phone
    assert "Ahead of you" in client.get(f"{url}?lang=en", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    body = client.get(f"/api/v1/status/{url.removeprefix('/t/')}").get_json()
    assert body["service_name_en"] == "Company seal registration"


def test_every_text_a_page_script_asks_for_is_there(client: FlaskClient, tokens: Tokens) -> None:
    ticket = client.post(
        "/api/v1/tickets", json={"service_id": "seal"}, headers=Tokens.header(tokens.kiosk)
    ).get_json()
    for page, script in PAGES.items():
        source = script.read_text(encoding="utf-8")
        wanted = set(re.findall(r"""\bt\(\s*["'](\w+)["']""", source))
        wanted |= set(re.findall(r"""title: ["'](\w+)["']""", source))
        if page == "status":  # t(ticket.status): every status a ticket can have
            wanted |= {"waiting", "called", "serving", "finished", "no_show", "cancelled"}
        if page == "/caller":  # t(`state_${state}`)
            wanted |= {"state_open", "state_paused", "state_closed"}
        assert wanted, page
        url = ticket["status_url"] if page == "status" else page
        for language in ("zh_CN", "en"):
            html = client.get(f"{url}?lang={language}").get_data(as_text=True)
            texts = page_texts(html)
            assert wanted <= set(texts), (page, language, sorted(wanted - set(texts)))
            if language == "en":
                assert all(not CJK.search(text) for text in texts.values()), (page, texts)
                assert '<html lang="en">' in html


def test_the_clerks_and_the_halls_pages_in_english_have_no_chinese_left(client: FlaskClient) -> None:
    for url in ("/caller", "/display"):
        english = visible_text(client.get(f"{url}?lang=en").get_data(as_text=True))
        assert not CJK.search(english), (url, CJK.findall(english))
        chinese = visible_text(client.get(f"{url}?lang=zh_CN").get_data(as_text=True))
        assert CJK.search(chinese), url


def test_the_managers_pages_in_english(client: FlaskClient, tokens: Tokens) -> None:
    """Every manager page with ?lang=en: no Chinese but the hall's own data (none here: no tickets yet)."""
    manager = Tokens.header(tokens.manager)
    pages = (
        "/manager?lang=en",
        "/manager/reports?lang=en&from=2026-11-01&to=2026-11-23&group_by=zone",
        "/manager/ranking?lang=en&month=2026-10",
        "/manager/follow-ups?lang=en",
        "/manager/login?lang=en",
        "/?lang=en",
    )
    for url in pages:
        answer = client.get(url, headers=manager)
        assert answer.status_code == 200, url
        english = visible_text(answer.get_data(as_text=True)).replace("中文", "")
        assert not CJK.search(english), (url, CJK.findall(english))
        chinese = visible_text(
            client.get(url.replace("lang=en", "lang=zh_CN"), headers=manager).get_data(as_text=True)
        )
        assert CJK.search(chinese), url
    live = client.get("/manager?lang=en", headers=manager).get_data(as_text=True)
    assert all(not CJK.search(text) for text in page_texts(live).values())


def test_a_clerk_or_manager_keeps_the_language_chosen_but_the_kiosk_does_not(
    client: FlaskClient, tokens: Tokens
) -> None:
    manager = Tokens.header(tokens.manager)
    report = "/manager/reports?from=2026-11-01&to=2026-11-23&group_by=window"
    chinese = client.get(report, headers=manager).get_data(as_text=True)
    # the language link keeps the report's own parameters
    link = re.search(r'<a href="([^"]+)" lang="en" class="m-lang">English</a>', chinese)
    assert link and "from=2026-11-01" in link.group(1) and "group_by=window" in link.group(1)
    assert "lang=en" in link.group(1)
    client.get(link.group(1).replace("&amp;", "&"), headers=manager)
    # from then on, every page of this browser is English without asking again
    assert "Monthly ranking" in client.get("/manager/ranking", headers=manager).get_data(as_text=True)
    assert "Choose your window" in client.get("/caller").get_data(as_text=True)
    # but the kiosk is the hall's for every new citizen
    assert "请选择办事区域" in client.get("/kiosk").get_data(as_text=True)
    client.get("/kiosk?lang=en")  # and its switch leaves nothing behind
    client.get("/caller?lang=zh_CN")
    assert "窗口登录" in client.get("/caller").get_data(as_text=True)
    assert "请选择办事区域" in client.get("/kiosk").get_data(as_text=True)


def test_error_pages_speak_the_pages_language(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    """Flask's own error pages are English: a wrong address on a Chinese hall's screen says so in Chinese."""

    def broken() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/broken-page", "broken_page", broken)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert "Not Found" not in missing.get_data(as_text=True)
    failed = client.get("/broken-page")
    assert failed.status_code == 500 and "系统出错了" in failed.get_data(as_text=True)
    english = client.get("/no-such-page?lang=en")
    assert english.status_code == 404 and "Page not found" in english.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json


def test_one_word_for_one_thing_on_the_managers_pages(client: FlaskClient, tokens: Tokens) -> None:
    """Issue 32, item 14: the ranking's column says 在岗率 as its formula does (not 出勤率), and the what-if
    runs list names who started a run (发起人), not 分组, which is the reports' group-by."""
    manager = Tokens.header(tokens.manager)
    ranking = visible_text(
        client.get("/manager/ranking?month=2026-10", headers=manager).get_data(as_text=True)
    )
    assert ranking.count("在岗率") >= 2 and "出勤率" not in ranking
    whatif = visible_text(client.get("/manager/whatif", headers=manager).get_data(as_text=True))
    assert "分组" not in whatif
    template = Path(__file__).parents[1] / "manager/templates/manager/whatif.html"
    assert '_("Started by")' in template.read_text(encoding="utf-8")
    reports = visible_text(client.get("/manager/reports", headers=manager).get_data(as_text=True))
    assert "分组" in reports
