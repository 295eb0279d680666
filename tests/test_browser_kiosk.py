"""The kiosk in real headless Chromium on the demo hall: English for one citizen, 限号 on a keypad, 预约
check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .browsers import ARTIFACTS, manager_page
from .conftest import demo_hall_copy
from .livehall import LiveHall, cli_token, free_port, live_serve

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_kiosk_switches_to_english_for_one_citizen(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """中文 / English at the kiosk: the whole page and the hall's names switch; when the citizen is done, the
    kiosk is Chinese again for the next one."""
    ARTIFACTS.mkdir(exist_ok=True)
    kiosk = browser.new_page(viewport={"width": 1280, "height": 900})
    kiosk.goto(f"{hall.url}/kiosk?kiosk=K1&token={hall.kiosk_token}")
    kiosk.wait_for_selector('[data-zone="E"]')
    assert kiosk.locator("#hall-name").inner_text() == "示范区政务服务中心"
    kiosk.click("#lang-switch")
    kiosk.wait_for_selector('html[lang="en"] [data-zone="E"]')
    assert kiosk.locator("#hall-name").inner_text() == "Demo District Government Service Center"
    assert "Choose an area" in kiosk.locator("#step-zone").inner_text()
    kiosk.click('[data-zone="C"]')  # a zone no other test here calls from: its ticket stays out of their way
    kiosk.click('[data-service="property_query"]')
    kiosk.locator("#t-number").wait_for()
    card = kiosk.locator("#ticket").inner_text()
    assert "Ahead of you" in card and "Property register search" in card and "前面还有" not in card
    kiosk.wait_for_selector("#t-print >> text=Please take your printed ticket", timeout=5000)
    kiosk.screenshot(path=ARTIFACTS / "kiosk-english.png", animations="disabled")
    kiosk.click("#done")
    kiosk.wait_for_selector('html[lang="zh-CN"] [data-zone="E"]')
    assert "请选择办事区域" in kiosk.locator("#step-zone").inner_text()
    kiosk.close()


def test_kiosk_asks_who_takes_a_limited_ticket(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """限号: 户口迁移 asks for an ID card number on a keypad; a second ticket for that card today is refused
    with the reason, on screen, and the citizen can go back."""
    ARTIFACTS.mkdir(exist_ok=True)
    kiosk = browser.new_page(viewport={"width": 1280, "height": 900})
    kiosk.goto(f"{hall.url}/kiosk?kiosk=K1&token={hall.kiosk_token}")
    for attempt in range(2):
        kiosk.click('[data-zone="E"]')
        kiosk.click('[data-service="hukou_move"]')
        kiosk.wait_for_selector("#step-identity:not(.hidden)")
        assert "每人每天限取 1 个号" in kiosk.locator("#identity-why").inner_text()
        assert kiosk.locator("#identity-ok").is_disabled()
        for key in "11010519491231002X":
            kiosk.click(f'#keypad [data-key="{key}"]')
        # a public screen: the region code, then only the key just pressed
        assert kiosk.locator("#identity-value").inner_text() == "110105 •••••••• •••X"
        assert "1949" not in kiosk.content()
        if attempt == 0:
            kiosk.screenshot(path=ARTIFACTS / "kiosk-identity.png", animations="disabled")
        kiosk.click("#identity-ok")
        if attempt == 0:
            kiosk.locator("#t-number").wait_for()
            assert kiosk.locator("#t-number").inner_text().startswith("E")
            assert "110105" not in kiosk.content()  # taken: nor after
            kiosk.click("#done")
    refusal = kiosk.locator("#error")
    refusal.wait_for()
    assert "同一身份证号今日此事项限取1个号" in refusal.inner_text()
    assert kiosk.locator("#step-identity").is_visible()
    assert "110105" not in kiosk.content()  # refused: the number is off the screen at once, not in 90 s
    kiosk.click("#identity-back")
    kiosk.wait_for_selector('[data-service="hukou_move"]')
    kiosk.close()


def test_kiosk_checks_in_a_booking_by_its_code(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """预约签到: a manager's booking system records a slot; the citizen types its code on the keypad (or a
    scanner types it) and gets the booked service's ticket; a wrong code is refused on screen."""
    manager = manager_page(browser, hall, "/manager")
    manager.wait_for_selector("#zones .m-zone")  # logged in: the live page shows the hall
    slot = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    recorded = manager.request.post(  # with the manager's session, as the page's own scripts would
        f"{hall.url}/api/v1/appointments",
        data={"code": "80012345", "service_id": "mortgage", "slot_at": slot},
    )
    assert recorded.status == 201, recorded.text()
    manager.close()
    kiosk = browser.new_page(viewport={"width": 1280, "height": 900})
    kiosk.goto(f"{hall.url}/kiosk?kiosk=K1&token={hall.kiosk_token}")
    kiosk.wait_for_selector('[data-zone="E"]')
    kiosk.click("#appointment")
    kiosk.wait_for_selector("#step-appointment:not(.hidden)")
    assert kiosk.locator("#appointment-ok").is_disabled()
    kiosk.keyboard.type("YY-1")  # a scanner types like a keyboard and ends with Enter
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_selector("#error:not(.hidden)")
    assert "未找到预约码" in kiosk.locator("#error").inner_text()
    for _ in range(4):
        kiosk.click('#appointment-keypad [data-key="back"]')
    for key in "80012345":
        kiosk.click(f'#appointment-keypad [data-key="{key}"]')
    assert kiosk.locator("#appointment-value").inner_text() == "80012345"
    kiosk.screenshot(path=ARTIFACTS / "kiosk-appointment.png", animations="disabled")
    kiosk.click("#appointment-ok")
    kiosk.locator("#t-number").wait_for()
    assert kiosk.locator("#t-number").inner_text().startswith("C")
    assert "抵押登记" in kiosk.locator("#t-service").inner_text()
    kiosk.close()


def test_a_closed_day_is_said_on_the_start_screen(browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 32, item 9: on a day the hall does not work the kiosk says so before anyone chooses, with when
    tickets are issued next, and nothing can be chosen; no link anywhere takes the kiosk away."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    others = [day for day in range(1, 8) if day != today.isoweekday()]
    hall_file = demo_hall_copy(tmp_path, ("weekdays = [1, 2, 3, 4, 5]", f"weekdays = {others}"))
    instance = tmp_path / "instance"
    token = cli_token(instance, hall_file, "kiosk")
    port = free_port()
    with live_serve(instance, hall_file, port):
        kiosk = browser.new_page(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
        kiosk.goto(f"http://127.0.0.1:{port}/kiosk?token={token}")
        kiosk.wait_for_selector("#closed-note:not(.hidden)")
        note = kiosk.inner_text("#closed-note")
        tomorrow = today + timedelta(days=1)
        assert "今天不办公" in note and f"{tomorrow.month}月{tomorrow.day}日" in note and "09:00" in note
        assert kiosk.locator('#zones .tile[data-zone="A"]').is_disabled()
        assert kiosk.locator("#appointment").is_disabled()
        assert kiosk.locator("a[href]").count() == 0
        kiosk.screenshot(path=ARTIFACTS / "kiosk-closed.png", animations="disabled")
        kiosk.close()
