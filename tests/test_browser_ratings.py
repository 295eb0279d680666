"""好差评 end to end in Debian's Chromium (issue 35): the clerk scans a case number at 办结, the citizen rates
on the phone, the rating reaches the demo's province with its case; the clerk appeals the bad rating from the
caller, a manager upholds it on the follow-ups page, and the live page shows what was delivered."""

from __future__ import annotations

import requests

from .browsers import ARTIFACTS, caller_at, manager_page
from .livehall import LiveHall, take_ticket, until


def test_a_case_number_at_finish_reaches_the_province_and_an_appeal_is_upheld(
    browser, hall: LiveHall
) -> None:  # type: ignore[no-untyped-def]
    caller = caller_at(
        browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN"), hall.url, "clerk01", "W01"
    )
    ticket = take_ticket(hall.url, hall.kiosk_token, "biz_setup")
    caller.click('button[data-act="call-next"]')
    caller.wait_for_function(
        "n => document.querySelector('#current-number').textContent === n", arg=ticket["number"]
    )
    caller.fill("#case-number", "BJ-2026-0042")  # typed, or a scanner's keystrokes
    caller.screenshot(path=ARTIFACTS / "caller-case-number.png", animations="disabled")
    caller.click('button[data-act="finish"]')
    caller.wait_for_selector("#case-box.hidden", state="attached")

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(f"{hall.url}{ticket['status_url']}")
    phone.click('#rate:not(.hidden) .rate-level[data-level="1"]')
    phone.click('.rate-reason >> text="一次性告知不清"')
    phone.click(".rate-send")
    phone.wait_for_selector(".rate-done")

    def reported() -> list[dict]:  # type: ignore[type-arg]
        last = requests.get(hall.province_url, timeout=5).json()["last"]
        return [
            m for m in last if m.get("ticket") == ticket["number"] and m["case_numbers"] == ["BJ-2026-0042"]
        ]

    until(reported, 15, "the rating at the demo's province")
    (message,) = reported()
    assert message["level_name"] == "非常不满意" and message["channel"] == "phone"
    assert message["indicators"] == [{"indicator": "服务水平", "text": "一次性告知不清"}]
    assert message["clerk"]["login"] == "clerk01" and message["window"]["number"] == 1

    # the clerk appeals from the caller (once), a manager upholds it
    caller.locator("#bad-ratings-card summary").click()
    row = caller.locator(f'#bad-ratings tr:has-text("{ticket["number"]}")')
    caller.once("dialog", lambda dialog: dialog.accept("群众咨询的是政策本身，非窗口服务问题"))
    row.locator("button").click()
    caller.wait_for_function(
        "n => [...document.querySelectorAll('#bad-ratings tr')].some((r) => r.textContent.includes(n)"
        " && r.textContent.includes('已申诉'))",
        arg=ticket["number"],
    )
    manager = manager_page(browser, hall, "/manager/follow-ups")
    appeal = manager.locator(f'#follow-ups tr:has-text("{ticket["number"]}") .m-appeal').first
    assert "群众咨询的是政策本身" in appeal.inner_text()
    appeal.locator("textarea").fill("核实录音，属政策咨询")
    appeal.locator('button[data-decision="upheld"]').click()
    manager.wait_for_selector(f'#follow-ups tr:has-text("{ticket["number"]}") :text("成立，不计入统计")')
    manager.screenshot(path=ARTIFACTS / "follow-ups-appeal.png", animations="disabled", full_page=True)

    def appeal_reported() -> bool:
        last = requests.get(hall.province_url, timeout=5).json()["last"]
        return any(m.get("kind") == "appeal" and m["ticket"] == ticket["number"] for m in last)

    until(appeal_reported, 15, "the appeal reported")

    live = manager_page(browser, hall, "/manager")
    live.wait_for_function("() => /已送达 [1-9]/.test(document.querySelector('#province').textContent)")
    for page in (caller, phone, manager, live):
        page.close()
