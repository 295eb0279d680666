"""The hall administered from its own pages, in Chromium (issue 31): as an admin, add a service with its
materials, move a B service in the AB matrix, add a 调休 day, deactivate a clerk whose open caller is then
signed out, revoke a display token whose display then stops, restore a version; as a manager, change a
materials list but nothing an admin owns. Screenshots go to tests/artifacts/admin-*.png."""

from __future__ import annotations

from datetime import date

from .browsers import ARTIFACTS, caller_at, manager_page
from .livehall import LiveHall, signed_in


def admin_page(browser, hall: LiveHall, tab: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{hall.url}/manager/admin")
    page.fill("#username", "admin")
    page.fill("#password", "hallq-demo")
    page.click('button[type="submit"]')
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_selector("#tab-services:not(.hidden)")
    page.click(f'[data-tab="{tab}"]')
    page.wait_for_selector(f"#tab-{tab}:not(.hidden)")
    return page


def version_of(hall: LiveHall) -> int:
    session = signed_in(hall, "admin")
    number: int = session.get(f"{hall.url}/api/v1/config", timeout=5).json()["version"]
    return number


def saved(page, version: int) -> None:  # type: ignore[no-untyped-def]
    page.click("#save")
    page.wait_for_function(
        "v => document.querySelector('#version-now').textContent.endsWith(' ' + v)",
        arg=version,
        timeout=10_000,
    )


def test_an_admin_runs_the_hall_from_its_pages(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    start = version_of(hall)
    page = admin_page(browser, hall, "services")
    # a new service in zone A, with its materials (一次性告知)
    page.once("dialog", lambda dialog: dialog.accept("biz_permit"))
    page.locator("#tab-services button", has_text="添加事项").first.click()
    row = page.locator('tr[data-service="biz_permit"]')
    row.locator("input").first.fill("经营许可证申领")
    row.locator("textarea").fill("营业执照\n法定代表人身份证\n场所证明")
    page.fill("#save-note", "新增经营许可事项")
    page.click("#save")  # no window serves it yet: refused, and said so in words
    page.wait_for_selector("#errors li")
    assert "没有窗口办理此事项" in page.inner_text("#errors")
    page.screenshot(path=ARTIFACTS / "admin-services.png")
    # the AB matrix: the new service gets W01 as A and W02 as B, saved with it
    page.click('[data-tab="staffing"]')
    assert page.locator('tr[data-service="biz_permit"] .m-warn').count() == 1  # 无窗口办理
    page.select_option('tr[data-service="biz_permit"] select[data-window="W01"]', "A")
    page.select_option('tr[data-service="biz_permit"] select[data-window="W02"]', "B")
    assert page.locator('tr[data-service="biz_permit"] .m-warn').count() == 0
    saved(page, start + 1)
    page.screenshot(path=ARTIFACTS / "admin-staffing.png")
    # B for seal moves from W01 to W12 (a B service moved)
    page.select_option('tr[data-service="seal"] select[data-window="W01"]', "")
    page.select_option('tr[data-service="seal"] select[data-window="W12"]', "B")
    saved(page, start + 2)
    # the calendar: a 调休 Saturday pasted in
    page.click('[data-tab="calendar"]')
    page.fill("#calendar-year", "2027")
    page.dispatch_event("#calendar-year", "change")
    page.fill("#calendar-paste", "2027-02-20")
    page.click("#paste-workdays")
    assert page.locator('[data-day="2027-02-20"]').get_attribute("class") == "workday"
    saved(page, start + 3)
    page.screenshot(path=ARTIFACTS / "admin-calendar.png")
    # a broken change is refused with the problem in words
    page.click('[data-tab="services"]')
    page.locator('tr[data-service="biz_permit"] input[data-path$=".daily_cap"]').fill("-3")
    page.click("#save")
    page.wait_for_selector("#errors li")
    assert "第" in page.inner_text("#errors") and "每日放号量" in page.inner_text("#errors")
    page.click('[data-tab="versions"]')
    page.wait_for_selector("#versions tbody tr")
    page.screenshot(path=ARTIFACTS / "admin-versions.png")
    # restore the version before the new service: a new version, the service gone again
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f'tr[data-version="{start}"] .restore').click()
    page.wait_for_function(
        "v => document.querySelector('#version-now').textContent.endsWith(' ' + v)", arg=start + 4
    )
    session = signed_in(hall, "admin")
    services = [
        s["id"] for s in session.get(f"{hall.url}/api/v1/config", timeout=5).json()["hall"]["services"]
    ]
    assert "biz_permit" not in services
    page.close()


def test_a_clerk_who_leaves_and_a_revoked_display_stop_at_once(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    caller = caller_at(browser.new_page(viewport={"width": 1280, "height": 900}), hall.url, "clerk05", "W05")
    page = admin_page(browser, hall, "users")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator('tr[data-user="clerk05"] .deactivate').click()
    page.wait_for_selector('tr[data-user="clerk05"] .activate')
    page.screenshot(path=ARTIFACTS / "admin-users.png")
    caller.wait_for_selector("#login:not(.hidden)", timeout=10_000)  # the caller is signed out at once
    assert "退出登录" in caller.inner_text("#error")
    # a display token issued here, opened on a display, then revoked
    page.click('[data-tab="tokens"]')
    page.wait_for_selector("#new-token")
    page.select_option('#new-token select[name="role"]', "display")
    page.fill('#new-token input[name="name"]', "二楼显示屏")
    page.click('#new-token button[type="submit"]')
    page.wait_for_selector("#secret svg")
    address = page.inner_text("#secret code")
    assert "/display?token=hq_display_" in address
    page.screenshot(path=ARTIFACTS / "admin-tokens.png")
    display = browser.new_page(viewport={"width": 1920, "height": 1080})
    display.goto(address)
    display.wait_for_function("() => document.querySelector('#live').classList.contains('on')")
    token_id = page.locator("#tokens tbody tr", has_text="二楼显示屏").get_attribute("data-token")
    page.locator(f'tr[data-token="{token_id}"] .revoke').click()
    display.wait_for_function(
        "() => !document.querySelector('#live').classList.contains('on')", timeout=10_000
    )
    for other in (caller, display, page):
        other.close()


def test_a_manager_changes_materials_but_nothing_an_admin_owns(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    page = manager_page(browser, hall, "/manager/admin")
    page.wait_for_selector("#tab-services:not(.hidden)")
    first = page.locator("#tab-services tbody tr").first
    assert first.locator("input").first.is_disabled()  # a service's name is an admin's
    materials = first.locator("textarea")
    assert materials.is_enabled()
    materials.fill(materials.input_value() + "\n复印件一份")
    before = version_of(hall)
    saved(page, before + 1)
    assert page.locator("#new-user").count() == 0  # accounts: read only
    page.close()


def test_the_live_page_closes_a_window_and_voids_a_ticket(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Issue 31 item 4: a window a clerk left open is closed, a waiting ticket voided, from the live page."""
    from .livehall import take_ticket

    ticket = take_ticket(hall.url, hall.kiosk_token, "house_transfer")
    caller_at(browser.new_page(viewport={"width": 1280, "height": 900}), hall.url, "clerk09", "W09").close()
    page = manager_page(browser, hall, "/manager")
    page.on("dialog", lambda dialog: dialog.accept("市民已离开"))
    page.wait_for_selector('[data-window="W09"] .m-close')
    page.click('[data-window="W09"] .m-close')
    page.wait_for_selector('[data-window="W09"].closed')
    page.click('#zones [data-zone="C"]')
    row = page.locator(f'#waiting-tickets tr[data-ticket="{ticket["number"]}"]')
    row.locator(".void").click()
    row.wait_for(state="detached")
    session = signed_in(hall, "manager")
    assert session.get(f"{hall.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()["status"] == "cancelled"
    page.close()


def test_settings_and_a_catalogue_code_are_saved_from_the_page(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    page = admin_page(browser, hall, "settings")
    start = version_of(hall)
    page.fill('#settings input[data-path="hall.alerts.longest_wait_s"]', "1200")
    page.fill('#settings input[data-path="voice.call"]', "请{number}号前往{window}号窗口")
    saved(page, start + 1)
    page.click('[data-tab="services"]')
    page.fill('tr[data-service="seal"] input[data-path$=".code"]', "11440100MB2C93012X")
    page.select_option('tr[data-service="seal"] select[data-path$=".ask_identity"]', "phone")
    page.fill('tr[data-service="seal"] input[data-path$=".tickets_per_person_per_day"]', "2")
    saved(page, start + 2)
    session = signed_in(hall, "admin")
    document = session.get(f"{hall.url}/api/v1/config", timeout=5).json()["hall"]
    assert document["hall"]["alerts"]["longest_wait_s"] == 1200
    seal = next(s for s in document["services"] if s["id"] == "seal")
    assert seal["code"] == "11440100MB2C93012X" and seal["ask_identity"] == "phone"
    assert (
        seal["tickets_per_person_per_day"] == 2
        and document["voice"]["call"] == "请{number}号前往{window}号窗口"
    )
    page.close()


def test_a_service_is_retired_its_waiting_tickets_moved_and_a_clerk_kept_to_windows(
    browser, hall: LiveHall
) -> None:  # type: ignore[no-untyped-def]
    """Removing a service citizens wait for: it stops issuing, its waiting tickets move to another service
    (each keeps its place), and the server removes it once nobody waits; 绿色通道, a zone's own call
    wording, a clerk's windows and a token's last use, all from the page."""
    from .livehall import take_ticket, until

    tickets = [take_ticket(hall.url, hall.kiosk_token, "project_filing") for _ in range(2)]
    page = admin_page(browser, hall, "services")
    page.on("dialog", lambda dialog: dialog.accept())
    start = version_of(hall)
    row = page.locator('tr[data-service="project_filing"]')
    assert "还有 2 张票" in row.inner_text()
    page.locator('tr[data-service="seal"] input[data-path$=".green_channel"]').uncheck()
    row.locator("[data-remove]").click()  # people wait: it is retired, not removed
    page.wait_for_selector('tr[data-service="project_filing"] .m-warn')
    row.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "admin-retiring.png")
    saved(page, start + 1)
    session = signed_in(hall, "admin")
    services = session.get(f"{hall.url}/api/v1/hall", timeout=5).json()["services"]
    assert next(s for s in services if s["id"] == "project_filing")["retiring"] is True
    assert next(s for s in services if s["id"] == "seal")["green_channel"] is False
    page.select_option('tr[data-service="project_filing"] select[data-move]', "plan_permit")
    page.wait_for_selector("#admin-message:has-text('已转走 2 张票')")
    for ticket in tickets:
        moved = session.get(f"{hall.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()
        assert moved["service_id"] == "plan_permit" and moved["number"] == ticket["number"]

    def removed() -> bool:
        document = session.get(f"{hall.url}/api/v1/config", timeout=5).json()["hall"]
        return all(s["id"] != "project_filing" for s in document["services"])

    until(removed, timeout=30, what="the drained service removed by the server")
    page.click('[data-tab="settings"]')
    page.fill(
        '#settings tr[data-zone="B"] input[data-path="voice.zones.B.call"]',
        "请{number}号到投资审批区{window}号窗口",
    )
    saved(page, version_of(hall) + 1)
    document = session.get(f"{hall.url}/api/v1/config", timeout=5).json()["hall"]
    assert {"zone": "B", "call": "请{number}号到投资审批区{window}号窗口"} in document["voice"]["zones"]
    page.click('[data-tab="users"]')
    page.fill('input[data-windows="clerk07"]', "7 8")
    page.press('input[data-windows="clerk07"]', "Enter")
    until(
        lambda: (
            next(
                u
                for u in session.get(f"{hall.url}/api/v1/users", timeout=5).json()["users"]
                if u["username"] == "clerk07"
            )["windows"]
            == ["W07", "W08"]
        ),
        what="clerk07 kept to windows 7 and 8",
    )
    page.click('[data-tab="tokens"]')
    page.wait_for_selector("#tokens .last-used")
    used = page.locator("#tokens .last-used").all_inner_texts()
    assert any(text[:4].isdigit() for text in used) and "从未使用" in used
    page.close()


def test_the_rating_content_is_edited_on_the_settings_page_under_a_new_version(
    browser, hall: LiveHall
) -> None:  # type: ignore[no-untyped-def]
    """Issue 35: the content each level offers, edited by an admin; a change under the same version is refused
    (a hall may not add or drop content silently), under a new one it is in force for the next rating."""
    page = admin_page(browser, hall, "settings")
    start = version_of(hall)
    worst = page.locator('textarea[data-path="ratings.indicators.level.1"]')
    assert "服务态度：服务态度差" in worst.input_value()
    worst.fill(worst.input_value() + "\n服务态度：推诿扯皮")
    page.click("#save")
    page.wait_for_selector("#errors li")
    assert "版本" in page.inner_text("#errors")
    page.fill('input[data-path="ratings.indicators.version"]', "hall-2026.2")
    saved(page, start + 1)
    session = signed_in(hall, "admin")
    indicators = session.get(f"{hall.url}/api/v1/config", timeout=5).json()["indicators"]
    assert indicators["version"] == "hall-2026.2"
    assert {"indicator": "服务态度", "text": "推诿扯皮", "levels": [1]} in indicators["content"]
    bad = next(c for c in indicators["content"] if c["text"] == "服务态度差")
    assert bad["levels"] == [2, 1]  # a line in two levels' boxes stays one piece of content
    page.screenshot(path=ARTIFACTS / "admin-rating-content.png", animations="disabled", full_page=True)
    page.close()


def test_bookable_hours_and_messages_are_set_on_the_booking_tab(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    """Issue 36: an admin makes 公章刻制备案 bookable on Wednesday mornings and sets the message gateway; the
    booking page offers the new slots at once. A manager may change the hours, not the rules or messages."""
    page = admin_page(browser, hall, "booking")
    start = version_of(hall)
    rows_before = page.locator("#quotas tbody tr").count()
    assert rows_before == 4  # the demo hall's
    page.click("#add-quota")
    row = page.locator("#quotas tbody tr").last
    row.locator("select").select_option("seal")
    for day in ("1", "2", "4", "5"):
        row.locator(f'input[data-path$=".weekdays.{day}"]').uncheck()
    row.locator('input[data-path$=".hours[0]"]').fill("09:00")
    row.locator('input[data-path$=".hours[1]"]').fill("11:00")
    row.locator('input[data-path$=".capacity"]').fill("6")
    page.fill('input[data-path="booking.no_shows"]', "2")
    page.select_option('select[data-path="messages.adapter"]', "http")
    page.fill('input[data-path="messages.url"]', "http://127.0.0.1:9/send")
    page.screenshot(path=ARTIFACTS / "admin-booking.png", animations="disabled", full_page=True)
    saved(page, start + 1)
    session = signed_in(hall, "admin")
    config = session.get(f"{hall.url}/api/v1/config", timeout=5).json()["hall"]
    seal = [q for q in config["booking"]["quotas"] if q["service"] == "seal"]
    assert len(seal) == 1 and seal[0]["weekdays"] == [3] and seal[0]["capacity"] == 6
    assert config["booking"]["no_shows"] == 2 and config["messages"]["adapter"] == "http"
    services = session.get(f"{hall.url}/api/v1/booking/services", timeout=5).json()["services"]
    seal_days = next(s for s in services if s["id"] == "seal")["days"]
    assert seal_days and all(date.fromisoformat(day).isoweekday() == 3 for day in seal_days)
    # back to no messages: the rest of this module's pages run as the demo does
    page.select_option('select[data-path="messages.adapter"]', "none")
    page.fill('input[data-path="messages.url"]', "")
    saved(page, start + 2)
    page.close()
    manager = manager_page(browser, hall, "/manager/admin")
    manager.wait_for_selector("#tab-services:not(.hidden)")
    manager.click('[data-tab="booking"]')
    manager.wait_for_selector("#tab-booking:not(.hidden)")
    assert manager.locator('input[data-path="booking.no_shows"]').is_disabled()
    assert manager.locator('select[data-path="messages.adapter"]').is_disabled()
    capacity = manager.locator('#quotas tbody tr input[data-path$=".capacity"]').first
    assert capacity.is_enabled()
    capacity.fill("5")
    saved(manager, start + 3)
    manager.close()
