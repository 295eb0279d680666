"""预约 end to end in real headless Chromium: a citizen books from a 390 px phone (service, day, slot, name
and number), gets the code and its QR, reopens the manage link; at the kiosk the scanner types the code on the
start screen and the ticket comes out; the citizen asks for a text message at the kiosk, and the phone page
shows where it goes; the managers' live page counts the booking."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from hallq.demo.sms_gateway import SmsGateway

from .browsers import ARTIFACTS, status_path
from .livehall import cli_token, free_port, live_serve
from .test_booking_live import booking_hall

pytestmark = [pytest.mark.browser, pytest.mark.server]

#: every slot of the day bookable until it starts, so one is always within its check-in window
ALL_DAY = (
    'hours = ["00:00", "12:00"]\nslot_minutes = 30\ncapacity = 5',
    'hours = ["00:00", "23:30"]\nslot_minutes = 30\ncapacity = 5',
)
UNTIL_IT_STARTS = ("closes_before_min = 30", "closes_before_min = 0")
#: the afternoon's house-transfer hours would overlap: they become another service's
AFTERNOON = (
    'service = "house_transfer"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["13:30"',
    'service = "mortgage"\nweekdays = [1, 2, 3, 4, 5]\nhours = ["13:30"',
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def booking_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, SmsGateway]]:
    folder = tmp_path_factory.mktemp("booking")
    gateway = SmsGateway().start()
    messages = ('adapter = "none"               # "http"', f'adapter = "http"\nurl = "{gateway.url}/send" #')
    hall_file = booking_hall(folder, ALL_DAY, UNTIL_IT_STARTS, AFTERNOON, messages)
    instance = folder / "hall"
    kiosk = cli_token(instance, hall_file, "kiosk")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hallq",
            "user",
            "add",
            "boss",
            "--role",
            "manager",
            "--password",
            "boss-pass-1",
            "--instance",
            str(instance),
            "--config",
            str(hall_file),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    try:
        with live_serve(instance, hall_file, port):
            yield f"http://127.0.0.1:{port}", kiosk, gateway
    finally:
        gateway.stop()


def test_a_citizen_books_on_a_phone_and_checks_in_at_the_kiosk(browser, booking_site) -> None:  # type: ignore[no-untyped-def]
    url, kiosk_token, _ = booking_site
    ARTIFACTS.mkdir(exist_ok=True)
    phone_context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.goto(f"{url}/book")
    phone.click('[data-service="house_transfer"]')
    phone.wait_for_selector('.book-day[aria-pressed="true"]')
    phone.wait_for_selector(".book-slot:not([disabled])")
    assert "份材料" in phone.inner_text("#slot-materials-title") or "材料" in phone.inner_text("#step-slot")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=ARTIFACTS / "book-phone-slots.png", animations="disabled")
    phone.locator(".book-slot:not([disabled])").first.click()
    phone.fill("#name", "王五")
    phone.fill("#phone", "139 0013 9000")
    assert "爽约" in phone.inner_text("#rules") and "暂停预约30天" in phone.inner_text("#rules")
    phone.click("#submit")
    phone.wait_for_selector("#step-done:not(.hidden)")
    code = phone.inner_text("#done-code")
    assert code.isdigit() and len(code) == 8
    assert phone.inner_text("#done-state") == "已预约"
    assert f"/book/{code}?key=" in phone.url
    phone.wait_for_function("document.getElementById('done-qr').naturalWidth > 0")
    assert "取号机" in phone.inner_text("#done-check-in") and "短信提醒" in phone.inner_text("#done-keep")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=ARTIFACTS / "book-phone-done.png", animations="disabled", full_page=True)
    phone.reload()  # the manage link shows the booking again
    phone.wait_for_selector("#step-done:not(.hidden)")
    assert phone.inner_text("#done-code") == code

    kiosk = browser.new_page(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    kiosk.goto(f"{url}/kiosk?kiosk=K1&token={kiosk_token}")
    kiosk.wait_for_selector('[data-zone="C"]')
    kiosk.keyboard.type(code)  # the scanner reads the QR on the phone: it types the code, then Enter
    kiosk.keyboard.press("Enter")
    kiosk.locator("#t-number").wait_for()
    assert kiosk.inner_text("#t-number").startswith("C")
    assert "二手房转移登记" in kiosk.inner_text("#t-service")
    kiosk.click("#t-notify")
    kiosk.wait_for_selector("#step-notify:not(.hidden)")
    for key in "13800138000":
        kiosk.click(f'#notify-keypad [data-key="{key}"]')
    assert kiosk.inner_text("#notify-value") == "138 •••• •••0"
    kiosk.click("#notify-ok")
    kiosk.wait_for_selector("#t-notify-done:not(.hidden)")
    assert "138****8000" in kiosk.inner_text("#t-notify-done")
    kiosk.screenshot(path=ARTIFACTS / "kiosk-booking-checked-in.png", animations="disabled")
    ticket_page = status_path(kiosk)
    kiosk.close()

    phone.goto(f"{url}{ticket_page}")
    phone.wait_for_selector("#notify:not(.hidden)")
    assert "138****8000" in phone.inner_text("#notify-done")
    phone.screenshot(path=ARTIFACTS / "status-phone-notify.png", animations="disabled", full_page=True)
    phone.goto(f"{url}/book/{code}?key=wrong")
    phone.wait_for_selector("#error:not(.hidden)")
    assert "未找到此预约" in phone.inner_text("#error")
    phone_context.close()

    manager = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    manager.goto(f"{url}/manager")
    manager.fill("#username", "boss")
    manager.fill("#password", "boss-pass-1")
    manager.click('button[type="submit"]')
    manager.wait_for_selector('#bookings tr[data-service="house_transfer"]')
    row = manager.inner_text('#bookings tr[data-service="house_transfer"]').split("\t")
    assert row[0] == "二手房转移登记" and row[2:4] == ["1", "1"]  # booked 1, checked in 1
    manager.locator("#bookings").scroll_into_view_if_needed()
    manager.screenshot(path=ARTIFACTS / "manager-live-bookings.png", animations="disabled")
    manager.close()


def test_a_full_or_blocked_booking_is_said_on_the_phone(browser, booking_site) -> None:  # type: ignore[no-untyped-def]
    url, _, _ = booking_site
    phone = browser.new_page(viewport=PHONE, locale="en")
    phone.goto(f"{url}/book?lang=en")
    phone.click('[data-service="house_transfer"]')
    phone.wait_for_selector(".book-slot:not([disabled])")
    slot = phone.locator(".book-slot:not([disabled])").last
    start = slot.get_attribute("data-start")
    for n in range(5):  # the slot fills while the citizen types
        body = {"service_id": "house_transfer", "slot_start": start, "name": "x", "phone": f"1370000{n:04d}"}
        assert requests.post(f"{url}/api/v1/bookings", json=body, timeout=5).status_code == 201
    slot.click()
    phone.fill("#name", "Li Si")
    phone.fill("#phone", "13912345678")
    phone.click("#submit")
    phone.wait_for_selector("#error:not(.hidden)")
    assert "fully booked" in phone.inner_text("#error")
    assert phone.locator("#step-slot").is_visible()  # back at the times, refreshed
    phone.wait_for_selector(f'.book-slot[data-start="{start}"][disabled]')
    phone.close()
