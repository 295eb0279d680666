"""The screens as a hall meets them (issue 22), in Debian's Chromium: clocks in the hall's time zone
whatever the screen PC's, the display's recent calls (an empty state, a recall listed once and marked
重呼, idle windows named), and `hallq screen` starting Chromium in kiosk mode on a display's address."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from .browsers import ARTIFACTS, CHROMIUM, caller_at, manager_page
from .livehall import LiveHall, served_at_w01, signed_in, take_ticket

HALL_ZONE = ZoneInfo("Asia/Shanghai")  # the demo hall's [hall] timezone


def seconds_of_day(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def press(hall: LiveHall, window: str, verb: str) -> dict:  # type: ignore[type-arg]
    response = requests.post(
        f"{hall.url}/api/v1/windows/{window}/{verb}",
        headers={"Authorization": f"Bearer {hall.bridge_token}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_display_lists_each_call_once_and_marks_a_recall(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    display = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    display.goto(f"{hall.url}/display?token={hall.display_token}")
    display.wait_for_selector('.win[data-window="W14"]')
    assert display.inner_text("#recent li.empty") == "今日暂无叫号"  # before any call: said, not blank
    assert display.inner_text('.win[data-window="W13"] .num') == "未开放"  # a closed window says so
    ticket = take_ticket(hall.url, hall.kiosk_token)
    press(hall, "W14", "open")
    display.wait_for_function(
        "() => document.querySelector('.win[data-window=\"W14\"] .num').textContent === '空闲'"
    )
    press(hall, "W14", "call-next")
    number = ticket["number"]
    display.wait_for_selector(f'#recent li[data-ticket="{number}"]')
    press(hall, "W14", "recall")
    display.wait_for_selector(f'#recent li[data-ticket="{number}"] .recall-mark')
    assert display.locator(f'#recent li[data-ticket="{number}"]').count() == 1
    assert display.inner_text(f'#recent li[data-ticket="{number}"] .recall-mark') == "重呼"
    assert number in display.inner_text("#now-calling")
    assert display.locator("#now-calling .en").count() == 0  # no English under it unless the hall asks
    press(hall, "W14", "finish")  # 办结: the banner stops calling a citizen who has been served
    display.wait_for_function(
        "n => !document.getElementById('now-calling').textContent.includes(n)", arg=number, timeout=3000
    )
    display.reload()  # the snapshot says the same: one line, marked; and the page is still Chinese (the
    # English recording it fetched with ?lang=en once turned the display English at its next load)
    assert display.evaluate("document.documentElement.lang") == "zh-CN"
    display.wait_for_selector(f'#recent li[data-ticket="{number}"] .recall-mark')
    assert display.locator("#recent li").count() == 1
    press(hall, "W14", "close")


def test_clocks_show_the_halls_time_on_a_pc_set_to_utc(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(timezone_id="UTC", locale="zh-CN", viewport={"width": 1920, "height": 1080})
    for path, token in (("/display", hall.display_token), ("/kiosk", hall.kiosk_token)):
        page = context.new_page()
        page.goto(f"{hall.url}{path}?token={token}")
        page.wait_for_function(
            "() => /^\\d\\d:\\d\\d:\\d\\d$/.test(document.getElementById('clock').textContent)"
        )
        assert page.evaluate("new Date().getTimezoneOffset()") == 0  # the PC: UTC
        shown = seconds_of_day(page.inner_text("#clock"))
        hall_now = seconds_of_day(datetime.now(HALL_ZONE).strftime("%H:%M:%S"))
        assert min((shown - hall_now) % 86400, (hall_now - shown) % 86400) <= 3, (path, shown, hall_now)
    context.close()


def test_hallq_screen_starts_chromium_in_kiosk_mode_on_the_display(hall: LiveHall, tmp_path: Path) -> None:
    url = f"{hall.url}/display?token={hall.display_token}"
    shown = subprocess.run(
        [sys.executable, "-m", "hallq", "screen", url, "--browser", CHROMIUM, "--print-command"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--kiosk" in shown.stdout.split() and "--autoplay-policy=no-user-gesture-required" in shown.stdout
    # the same command, really started (headless here: no screen), loads the display page
    launcher = [
        sys.executable,
        "-m",
        "hallq",
        "screen",
        url,
        "--browser",
        CHROMIUM,
        "--profile",
        str(tmp_path),
    ]
    headless = ["--headless=new", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000", "--dump-dom"]
    started = subprocess.run(
        [*launcher, "--", *headless],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert "/display/static/display.js" in started.stdout  # the display page, as Chromium loaded it
    assert '<meta name="hallq-timezone" content="Asia/Shanghai">' in started.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "hallq", "screen", "display.local"], capture_output=True, text=True, timeout=30
    )
    assert refused.returncode == 2 and "not an http(s) address" in refused.stderr


def test_the_managers_live_page_shows_how_long_a_window_has_been_paused(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    from .browsers import manager_page

    press(hall, "W13", "open")
    press(hall, "W13", "pause")
    live = manager_page(browser, hall, "/manager")
    card = live.locator('.m-window[data-window="W13"]')
    card.wait_for()
    card_text = "document.querySelector('.m-window[data-window=W13]').textContent"
    live.wait_for_function(f"() => /暂停服务 \\d+:\\d\\d/.test({card_text})")
    assert "′" not in card.inner_text()  # was "暂停服务 0′"
    press(hall, "W13", "resume")
    press(hall, "W13", "close")
    live.close()


def test_the_demos_index_opens_working_pages(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """The index's links carry the demo's tokens: each opens a page that works, not one asking for a token."""
    index = browser.new_page(locale="zh-CN")
    index.goto(f"{hall.url}/")
    names = index.locator(".index-links a").all_inner_texts()
    assert {"取号机", "大厅显示屏", "管理", "评价器", "模拟设备"} <= set(names), names
    index.click('.index-links a >> text="取号机"')
    index.wait_for_selector("#zones .tile")
    assert index.locator("#error").is_hidden()
    index.go_back()
    index.click('.index-links a >> text="大厅显示屏"')
    index.wait_for_selector(".win")
    assert index.locator("#error").is_hidden()
    index.close()


def test_a_wrong_status_link_says_so_without_a_placeholder_ticket(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(f"{hall.url}/t/not-a-real-status-token")
    phone.wait_for_selector("#error:not(.hidden)")
    assert phone.locator("#card").is_hidden()  # no "…" number and "–" facts for a ticket that does not exist
    icon = phone.locator('link[rel="icon"]').get_attribute("href")
    assert requests.get(f"{hall.url}{icon}", timeout=5).headers["Content-Type"].startswith("image/svg+xml")
    phone.close()


def test_a_clerk_takes_over_a_window_changes_window_and_signs_out(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Two callers: the second is asked before taking window 5 over, the first is told; the second moves to
    window 6 (window 5 closes) and signs out (window 6 closes). The audit entries: test_api_windows.py."""
    first = caller_at(browser.new_page(locale="zh-CN"), hall.url, "clerk05", "W05")
    second = browser.new_page(locale="zh-CN")
    second.goto(f"{hall.url}/caller")
    second.fill("#username", "clerk06")
    second.fill("#password", "hallq-demo")
    second.click("#login-btn")
    second.click('[data-window="W05"]')
    second.wait_for_selector("#take-over[open]")
    assert "clerk05" in second.inner_text("#take-over-why")
    second.click("#take-over-ok")
    second.wait_for_selector("#desk:not(.hidden)")
    assert second.inner_text("#who") == "clerk06"
    first.wait_for_selector("#pick:not(.hidden)")  # the first caller left the desk, and says why
    assert "clerk06 已接管此窗口" in first.inner_text("#error")
    second.click("#change-window")
    second.wait_for_selector("#pick:not(.hidden)")
    assert second.inner_text("#change-window") == "换窗口" and second.is_visible("#back-to-desk")
    second.click('[data-window="W06"]')
    second.wait_for_selector("#desk:not(.hidden)")
    second.click("#sign-out")
    second.wait_for_selector("#login:not(.hidden)")
    assert second.input_value("#password") == ""
    assert second.evaluate("fetch('/api/v1/session').then((r) => r.status)") == 401  # signed out
    bridge = {"Authorization": f"Bearer {hall.bridge_token}"}
    windows = requests.get(f"{hall.url}/api/v1/hall", headers=bridge, timeout=5).json()["windows"]
    assert {w["id"]: w["state"] for w in windows if w["id"] in ("W05", "W06")} == {
        "W05": "closed",
        "W06": "closed",
    }


def test_the_live_page_flags_a_zone_with_people_waiting_and_no_window_open(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """社保 (zone D): no test here opens its windows; one citizen waiting there is an alert at once."""
    take_ticket(hall.url, hall.kiosk_token, "pension")
    live = manager_page(browser, hall, "/manager")
    alert = live.locator("#alerts li", has_text="社保")
    alert.wait_for()
    assert "有人等候但无窗口开放" in alert.inner_text()
    live.close()


def test_a_clerk_undoes_a_no_show_and_cannot_transfer_to_a_closed_window(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Issue 32, items 7 and 8: 过号 can be taken back for a few seconds (the ticket waits again, first in
    line); the transfer dialog shows each window's state, a closed one greyed, services by name and zone."""
    ticket = take_ticket(hall.url, hall.kiosk_token, "housing_fund")
    caller = caller_at(browser.new_page(viewport={"width": 1366, "height": 768}), hall.url, "clerk12", "W12")
    caller.wait_for_selector(f'#queue >> text="{ticket["number"]}"')
    caller.locator("#queue tr", has_text=ticket["number"]).locator("button").click()
    caller.wait_for_function(
        "n => document.querySelector('#current-number').textContent === n", arg=ticket["number"]
    )
    caller.click('button[data-act="no-show"]')
    caller.wait_for_selector("#undo:not(.hidden)")
    assert f"{ticket['number']} 已过号" in caller.inner_text("#undo")
    caller.screenshot(path=ARTIFACTS / "caller-undo.png", animations="disabled")
    caller.click("#undo-button")
    caller.wait_for_selector(f'#queue >> text="{ticket["number"]}"')  # waiting again
    caller.locator("#queue tr", has_text=ticket["number"]).locator("button").click()
    caller.wait_for_function(
        "n => document.querySelector('#current-number').textContent === n", arg=ticket["number"]
    )
    caller.click('button[data-act="transfer"]')
    caller.wait_for_selector("#transfer[open]")
    closed = caller.locator('#transfer-window option[data-state="closed"]').first
    assert closed.is_disabled() and "未开放" in closed.inner_text()
    services = caller.inner_text("#transfer-service")
    assert "（" in services and "(A)" not in services  # a service with its zone's name, not a zone letter
    caller.keyboard.press("Escape")
    caller.click('button[data-act="finish"]')
    caller.close()


def test_a_phone_rates_a_visit_in_its_own_words(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Issue 32, item 12: on a 390 px phone each level's name is on one line, the reasons are buttons a thumb
    hits (48 px or more), and 其他 opens a line for the citizen's own words, which reach the follow-up."""
    visit = served_at_w01(hall)
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(f"{hall.url}{visit['status_url']}")
    phone.wait_for_selector('#rate:not(.hidden) .rate-level[data-level="1"]')
    lines = phone.evaluate(
        """() => [...document.querySelectorAll('.rate-level')].map((button) => {
          const range = document.createRange();
          range.selectNodeContents([...button.childNodes].find((node) => node.nodeType === 3));
          return [button.textContent, range.getClientRects().length];
        })"""
    )
    assert all(count == 1 for _, count in lines), lines
    phone.click('.rate-level[data-level="1"]')
    heights = phone.evaluate(
        "() => [...document.querySelectorAll('.rate-reason')].map((b) => b.offsetHeight)"
    )
    assert min(heights) >= 48, heights
    assert phone.locator(".rate-other").is_hidden()
    phone.click('.rate-reason >> text="其他"')
    phone.fill(".rate-other", "叫号声音太小听不清")
    phone.screenshot(path=ARTIFACTS / "status-rating-other.png", animations="disabled", full_page=True)
    phone.click(".rate-send")
    phone.wait_for_selector(".rate-done")
    session = signed_in(hall, "manager")
    follow_ups = session.get(f"{hall.url}/api/v1/follow-ups?status=all", timeout=5).json()["follow_ups"]
    mine = next(f for f in follow_ups if f["ticket_id"] == visit["id"])
    assert "其他" in mine["reasons"] and mine["comment"] == "叫号声音太小听不清"
    phone.close()
