"""Real headless Chromium (Debian's, no browser download) on the demo hall: kiosk -> caller -> display,
printer faults, the simulated devices page, ratings, the managers' pages, a city (the kiosk's own flows are in
test_browser_kiosk.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hallq.printing.decode import read_receipt
from hallq.printing.emulator import PrinterEmulator

from .browsers import ARTIFACTS, caller_at, manager_page, status_path
from .conftest import ANY_HOUR, K1_PRINTER, K2_PRINTER, demo_hall_copy
from .livehall import LiveHall, cli_token, free_port, live_serve, served_at_w01, take_ticket

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_ticket_from_kiosk_is_called_and_shown_on_the_display(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    display = browser.new_page(viewport={"width": 1600, "height": 900})
    display.goto(f"{hall.url}/display?token={hall.display_token}")
    display.wait_for_selector('.win[data-window="W14"]')
    assert "token=" not in display.url  # the token was taken once and kept

    kiosk = browser.new_page(viewport={"width": 1280, "height": 900})
    kiosk.goto(f"{hall.url}/kiosk?kiosk=K1&token={hall.kiosk_token}")
    kiosk.wait_for_selector('[data-zone="E"]')
    kiosk.screenshot(path=ARTIFACTS / "kiosk-zones.png", animations="disabled")
    kiosk.click('[data-zone="E"]')
    kiosk.click('[data-service="id_card"]')
    number = kiosk.locator("#t-number")
    number.wait_for()
    ticket_number = number.inner_text()
    assert ticket_number.startswith("E")
    assert "居民户口簿" in kiosk.locator("#t-materials-list").inner_text()
    assert "前面还有" in kiosk.locator("#ticket").inner_text()
    # no window of zone E is open yet: no promised minutes (issue 24); the range once one is, below
    assert kiosk.locator("#t-wait").inner_text() == "暂无窗口开放"
    # the demo's simulated printer printed it; the kiosk heard so by websocket
    kiosk.wait_for_selector("#t-print >> text=请取走打印的号票", timeout=5000)
    kiosk.screenshot(path=ARTIFACTS / "kiosk-ticket.png", animations="disabled")

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(status_path(kiosk).replace("/t/", f"{hall.url}/t/", 1))
    phone.wait_for_function("() => document.querySelector('#s-state').textContent.includes('等候中')")
    phone.wait_for_selector("#live.on")  # joined its ticket's room
    assert phone.locator("#s-wait").inner_text() == "暂无窗口开放"
    # the whole materials list, which the 58 mm ticket sends them here for (issue 32)
    assert "居民户口簿" in phone.inner_text("#materials-list")
    phone.screenshot(path=ARTIFACTS / "status-waiting.png", animations="disabled", full_page=True)

    caller = caller_at(browser.new_page(viewport={"width": 1280, "height": 900}), hall.url, "clerk14", "W14")
    caller.wait_for_selector(f'#queue >> text="{ticket_number}"')
    assert caller.locator('button[data-act="next"]').is_disabled()  # 下一位 ends a current ticket: none yet
    caller.click('button[data-act="call-next"]')
    caller.wait_for_function(
        "n => document.querySelector('#current-number').textContent === n", arg=ticket_number
    )
    assert caller.locator('button[data-act="next"]').inner_text() == "下一位"
    # window 14 open and busy: the next citizen's wait is an honest range, rounded for a glance (issue 18)
    kiosk.click("#done")
    kiosk.click('[data-zone="E"]')
    kiosk.click('[data-service="id_card"]')
    kiosk.wait_for_function("n => document.querySelector('#t-number').textContent !== n", arg=ticket_number)
    assert re.fullmatch(r"约 \d+–\d+ 分钟", kiosk.locator("#t-wait").inner_text()), kiosk.locator(
        "#t-wait"
    ).inner_text()
    caller.wait_for_selector('button[data-act="next"]:not([disabled])')
    caller.screenshot(path=ARTIFACTS / "caller.png", animations="disabled")

    # the display hears it by websocket: within a second, in the banner and in window 14's cell
    display.wait_for_function(
        "n => document.querySelector('#now-calling').textContent.includes(n)", arg=ticket_number, timeout=1000
    )
    assert "14号窗口" in display.locator("#now-calling").inner_text()
    assert display.locator('.win[data-window="W14"] .num').inner_text() == ticket_number
    assert ticket_number in display.locator("#recent").inner_text()
    display.screenshot(path=ARTIFACTS / "display.png", animations="disabled")

    # the citizen's phone, opened before the call, is told where to go by websocket
    state = "() => document.querySelector('#s-state').textContent.includes('14')"
    phone.wait_for_function(state, timeout=2000)
    assert phone.locator("#s-number").inner_text() == ticket_number
    phone.screenshot(path=ARTIFACTS / "status.png", animations="disabled")

    caller.click('button[data-act="finish"]')
    display.wait_for_function(
        "() => document.querySelector('.win[data-window=\"W14\"] .num').textContent === '空闲'", timeout=2000
    )


def test_kiosk_without_token_says_so(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{hall.url}/kiosk")
    page.evaluate("localStorage.clear()")
    page.reload()
    assert "没有令牌" in page.locator("#error").inner_text()


def test_caller_shows_a_wrong_password(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{hall.url}/caller")
    page.fill("#username", "clerk01")
    page.fill("#password", "not-it")
    page.click("#login-btn")
    page.wait_for_selector("#error:not(.hidden)")
    assert "用户名或密码错误" in page.locator("#error").inner_text()


def test_kiosk_shows_a_printer_fault_and_reprints(browser, tmp_path: Path, printer: PrinterEmulator) -> None:  # type: ignore[no-untyped-def]
    """Paper out: the kiosk says the number is valid, shows the ticket to photograph or scan, and prints it
    again once staff have put paper in."""
    printer.faults.add("paper_out")
    hall_file = demo_hall_copy(
        tmp_path, ANY_HOUR, (K1_PRINTER, f'"{printer.uri}"'), (K2_PRINTER, '"dummy://"')
    )
    instance = tmp_path / "instance"
    token = cli_token(instance, hall_file, "kiosk")
    port = free_port()
    with live_serve(instance, hall_file, port):
        kiosk = browser.new_page(viewport={"width": 1280, "height": 1400})
        kiosk.goto(f"http://127.0.0.1:{port}/kiosk?kiosk=K1&token={token}")
        kiosk.click('[data-zone="E"]')
        kiosk.click('[data-service="id_card"]')
        kiosk.wait_for_selector(".print-bad", timeout=10000)
        said = kiosk.locator("#t-print").inner_text()
        assert "您的号码有效" in said and "缺纸" in said
        kiosk.wait_for_function("() => document.querySelector('#t-image').naturalWidth === 576")
        kiosk.screenshot(path=ARTIFACTS / "kiosk-print-failed.png", animations="disabled")
        printer.faults.clear()
        kiosk.click("#reprint")
        kiosk.wait_for_selector("#t-print >> text=请取走打印的号票", timeout=10000)
        assert printer.wait_for(1)
        assert read_receipt(printer.receipts[0]).qr_data == f"http://127.0.0.1:{port}{status_path(kiosk)}"


def test_simulated_devices_page_drives_a_window(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """The demo's devices: pressing window 1's pad keys on the page goes through the real `hallq bridge` and
    the server, and the window's LED board shows the call."""

    issued = take_ticket(hall.url, hall.kiosk_token, "biz_setup")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{hall.url}/demo/devices")
    board = '[data-id="board-W01"]'
    page.wait_for_function(
        f"() => document.querySelector('{board}').textContent.includes('欢迎光临')", timeout=15000
    )
    page.click('[data-window="W01"] button[data-key="pause"]')  # opens the closed window
    page.wait_for_function("() => document.querySelector('[data-id=\"pad-W01\"]').textContent.includes('开')")
    page.click('[data-window="W01"] button[data-key="next"]')
    expected = f"请{issued['number']}号到1号窗口"
    page.wait_for_function(f"() => document.querySelector('{board}').textContent === '{expected}'")
    page.wait_for_function(f"() => document.querySelector('#strip').textContent.includes('{expected}')")
    page.click('[data-window="W01"] button[data-key="finish"]')
    page.wait_for_selector('[data-id="eval-W01"].lit')
    page.screenshot(path=ARTIFACTS / "devices.png", animations="disabled")
    page.click('[data-window="W01"] button[data-key="rate:5"]')
    page.wait_for_selector('[data-id="eval-W01"]:not(.lit)')


def test_rating_tablet_and_phone_rate_visits_and_a_bad_one_is_followed_up(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    tablet = browser.new_page(viewport={"width": 1280, "height": 800})
    tablet.goto(f"{hall.url}/evaluate/W01?token={hall.evaluator_token}")
    tablet.wait_for_selector("#live.on")
    ticket = served_at_w01(hall)
    tablet.wait_for_selector("#ask:not(.hidden)", timeout=3000)
    assert tablet.locator("#number").inner_text() == ticket["number"]
    tablet.screenshot(path=ARTIFACTS / "evaluate.png", animations="disabled")
    # faces drawn as SVG (no emoji font on a Debian display), and a Chinese page all in Chinese
    assert tablet.locator(".rate-level svg.rate-face").count() == 5
    assert not re.search("[\U0001f300-\U0001faff]", tablet.content())
    assert "satisfied" not in tablet.locator("body").inner_text().lower()
    # the content shown depends on the level chosen (issue 35): praise for 非常满意, reasons for 不满意 ...
    tablet.click('.rate-level[data-level="5"]')
    shown = tablet.locator(".rate-reasons .rate-reason").all_inner_texts()
    assert "办事效率高" in shown and "等候时间长" not in shown
    assert tablet.locator(".rate-indicator").all_inner_texts() == ["服务效率", "服务水平", "服务态度"]
    tablet.click('.rate-level[data-level="2"]')
    shown = tablet.locator(".rate-reasons .rate-reason").all_inner_texts()
    assert "等候时间长" in shown and "办事效率高" not in shown and "其他" in shown
    tablet.click(".rate-send")  # ... and a bad rating is not sent without a reason
    assert tablet.locator(".rate-error").inner_text() == "请选择或填写原因"
    tablet.screenshot(path=ARTIFACTS / "evaluate-bad-content.png", animations="disabled")
    assert tablet.locator("#ask").is_visible()
    tablet.click('.rate-reason >> text="等候时间长"')
    tablet.click(".rate-send")
    tablet.wait_for_selector("#thanks:not(.hidden)")

    second = served_at_w01(hall)
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US")
    phone.goto(f"{hall.url}{second['status_url']}")
    phone.wait_for_selector('#rate:not(.hidden) .rate-level[data-level="5"]')
    phone.click('.rate-level[data-level="3"]')  # 基本满意 offers its own content
    shown = phone.locator(".rate-reasons .rate-reason").all_inner_texts()
    assert "服务态度一般" in shown and "服务态度好" not in shown and "服务态度差" not in shown
    phone.screenshot(path=ARTIFACTS / "status-rating-level-3.png", animations="disabled", full_page=True)
    phone.click('.rate-level[data-level="5"]')
    phone.click(".rate-send")  # good content is optional
    phone.wait_for_selector(".rate-done")
    thanks = phone.locator("#rate").inner_text()  # an English phone: the page in English, the level as named
    assert "Thank you for your rating" in thanks and "Very satisfied" in thanks and "非常满意" not in thanks

    # a reload right after 办结 (or a reconnect): the tablet asks again for the time left, not unrated
    third = served_at_w01(hall)
    tablet.wait_for_function("n => document.querySelector('#number').textContent === n", arg=third["number"])
    tablet.reload()
    tablet.wait_for_selector("#ask:not(.hidden)", timeout=5000)
    assert tablet.locator("#number").inner_text() == third["number"]
    tablet.click('.rate-level[data-level="5"]')
    tablet.click('.rate-reason >> text="服务态度好"')
    tablet.click(".rate-send")
    tablet.wait_for_selector("#thanks:not(.hidden)")
    tablet.reload()  # rated: nothing to ask again
    tablet.wait_for_selector("#live.on")
    assert tablet.locator("#ask").is_hidden()

    manager = manager_page(browser, hall, "/manager/follow-ups")
    # today's ticket: the demo's history has tickets of the same number on earlier days
    today = ticket["issued_at"][:10]
    row = manager.locator(f'#follow-ups tr:has-text("{ticket["number"]}"):has-text("{today}")').first
    assert "不满意" in row.inner_text() and "等候时间长" in row.inner_text()
    row.locator("textarea").fill("已电话回访，已调整窗口排班")
    row.locator('button[data-status="resolved"]').click()
    # resolved: the page reloads and the open list no longer holds it
    mine = f'#follow-ups tr:has-text("{ticket["number"]}"):has-text("{today}")'
    manager.wait_for_selector(mine, state="detached")
    manager.goto(f"{hall.url}/manager/follow-ups?status=resolved")
    assert "已调整窗口排班" in manager.locator("#follow-ups").inner_text()


def test_manager_watches_the_hall_live_and_reads_a_month(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    live = manager_page(browser, hall, "/manager")
    live.wait_for_selector('#zones .m-zone[data-zone="E"]')
    live.wait_for_selector("#live-dot.on")
    before = int(live.locator('.m-zone[data-zone="E"] .m-big').inner_text().split()[0])
    take_ticket(hall.url, hall.kiosk_token, "id_card")
    live.wait_for_function(
        "n => parseInt(document.querySelector('.m-zone[data-zone=\"E\"] .m-big').textContent) === n",
        arg=before + 1,
        timeout=3000,
    )
    live.screenshot(path=ARTIFACTS / "manager-live.png", animations="disabled", full_page=True)

    report = live
    report.goto(f"{hall.url}/manager/reports")
    report.click('.m-quick a >> text="上月"')
    report.select_option('select[name="group_by"]', "window")
    report.click('.m-filter button[type="submit"]')
    report.wait_for_selector("#report tbody tr.total")
    assert report.locator(".m-charts svg").count() == 2
    assert report.locator("#report tbody tr").count() == 15  # 14 windows and the total
    report.screenshot(path=ARTIFACTS / "manager-report.png", animations="disabled", full_page=True)
    with report.expect_download() as download:
        report.click('a >> text="导出 Excel"')
    assert download.value.suggested_filename.endswith(".xlsx")
    report.goto(f"{hall.url}/manager/ranking")
    assert report.locator("#ranking-windows .m-title").count() == 3
    assert report.locator("#ranking-windows .m-title svg.m-flag").count() == 3  # a drawn flag, not 🚩
    assert not re.search("[\U0001f300-\U0001faff]", report.content())


def test_manager_asks_what_if_and_comes_back_to_it(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Last week replayed with W03 away all morning, then the staffing advice for a typical Monday; both are
    listed on /manager/whatif to come back to."""
    page = manager_page(browser, hall, "/manager/whatif")
    # picked from lists of windows, states and hours (issue 32), not typed as ids
    page.select_option('#pick-hours [data-part="window"]', label="3号 投资审批")
    page.fill('#pick-hours [data-part="from"]', "09:00")
    page.fill('#pick-hours [data-part="to"]', "12:00")
    page.click('#pick-hours button[data-into="window_hours"]')
    assert page.input_value('textarea[name="window_hours"]') == "W03=closed@09:00-12:00"
    page.click("#run")
    page.wait_for_selector("#result", timeout=30_000)
    assert page.locator("#result tbody tr").count() == 7  # the hall and its six zones
    assert page.locator(".m-charts svg").count() == 1
    page.screenshot(path=ARTIFACTS / "manager-whatif.png", animations="disabled", full_page=True)

    page.goto(f"{hall.url}/manager/whatif")
    page.check('input[name="kind"][value="staffing"]')
    page.select_option('select[name="weekday"]', "0")
    page.click("#run")
    page.wait_for_selector("#run-progress, #result", timeout=30_000)
    page.wait_for_selector("#result", timeout=60_000)
    assert page.locator("#result tbody tr").count() == 6
    with page.expect_download() as download:
        page.click('a >> text="导出 Excel"')
    assert download.value.suggested_filename == "hallq-staffing-monday.xlsx"
    page.screenshot(path=ARTIFACTS / "manager-whatif-staffing.png", animations="disabled", full_page=True)
    page.goto(f"{hall.url}/manager/whatif")
    assert page.locator("#runs tbody tr").count() == 2
    assert "已完成" in page.locator("#runs").inner_text()
    assert "3号 投资审批 关闭 09:00–12:00" in page.inner_text("#runs")  # what each run tried, in words


def test_a_city_serves_each_halls_pages_under_its_own_path(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two halls in one server: the pages of /h/north talk to north's API and Socket.IO only, a clerk of
    north works there, and a city manager compares the halls at /city."""
    from hallq.operations.accounts import create_token, ensure_user
    from hallq.operations.clocks import SystemClock
    from hallq.store.db import Store, sqlite_url

    from .test_city import write_city

    city_file = write_city(tmp_path, any_hour=True)
    instance, port = tmp_path / "instance", free_port()
    with live_serve(instance, city_file, port, extra=("--city", str(city_file))):
        url, now = f"http://127.0.0.1:{port}", SystemClock().now()
        north = Store(sqlite_url(instance / "halls" / "north"))
        kiosk_token = create_token(north, "kiosk", now)
        display_token = create_token(north, "display", now)
        ensure_user(north, "clerk-north", "secret-pass", "clerk", now, "北厅窗口")
        city_users = Store(sqlite_url(instance / "city"))
        ensure_user(city_users, "mayor", "secret-pass", "manager", now, "市局")
        north.dispose()
        city_users.dispose()

        display = browser.new_page(viewport={"width": 1600, "height": 900})
        display.goto(f"{url}/h/north/display?token={display_token}")
        display.wait_for_selector('.win[data-window="W3"]')
        kiosk = browser.new_page(viewport={"width": 1280, "height": 900})
        kiosk.goto(f"{url}/h/north/kiosk?token={kiosk_token}")
        kiosk.click('[data-zone="B"]')
        kiosk.click('[data-service="b2"]')
        kiosk.locator("#t-number").wait_for()
        number = kiosk.locator("#t-number").inner_text()
        assert number == "B001"
        assert status_path(kiosk).startswith("/h/north/t/")

        caller = browser.new_page(viewport={"width": 1280, "height": 900})
        caller.goto(f"{url}/h/north/caller")
        caller.fill("#username", "clerk-north")
        caller.fill("#password", "secret-pass")
        caller.click("#login-btn")
        caller.click('[data-window="W3"]')
        caller.wait_for_selector(f'#queue >> text="{number}"')
        caller.click('button[data-act="call-next"]')
        display.wait_for_function(
            "n => document.querySelector('#now-calling').textContent.includes(n)", arg=number, timeout=2000
        )
        # the clerk's login is north's: south's caller asks for a login again
        south = browser.new_page()
        south.goto(f"{url}/h/south/caller")
        south.wait_for_selector("#username")

        manager = browser.new_page(viewport={"width": 1400, "height": 700})
        manager.goto(f"{url}/city")
        manager.fill("#username", "mayor")
        manager.fill("#password", "secret-pass")
        manager.click("button[type=submit]")
        manager.wait_for_selector('#halls tr[data-hall="north"]')
        assert "北厅" in manager.locator("#halls").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        manager.screenshot(path=ARTIFACTS / "city.png", animations="disabled")
