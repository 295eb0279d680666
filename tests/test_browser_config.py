"""A change to the hall's configuration reaches open pages without a reload (issue 31, item 2): the kiosk's
start screen takes it at once; a citizen in the middle of a choice finishes on the hall they began with."""

from __future__ import annotations

import copy

import requests

from .livehall import LiveHall, signed_in


def rename_zone(hall: LiveHall, session: requests.Session, zone_id: str, name: str) -> int:
    current = session.get(f"{hall.url}/api/v1/config", timeout=5).json()
    document = copy.deepcopy(current["hall"])
    next(z for z in document["zones"] if z["id"] == zone_id)["name"] = name
    body = {"base_version": current["version"], "hall": document, "note": f"{zone_id}: {name}"}
    saved = session.put(f"{hall.url}/api/v1/config", json=body, timeout=10)
    assert saved.status_code == 200, saved.text
    version: int = saved.json()["version"]
    return version


def test_an_open_kiosk_takes_a_change_without_a_reload(browser, hall: LiveHall) -> None:  # type: ignore[no-untyped-def]
    kiosk = browser.new_page(viewport={"width": 1080, "height": 1920})
    kiosk.goto(f"{hall.url}/kiosk?kiosk=K1&token={hall.kiosk_token}")
    kiosk.wait_for_selector('#zones [data-zone="A"]')
    kiosk.evaluate("() => { window.notReloaded = true; }")
    session = signed_in(hall, "admin")
    rename_zone(hall, session, "A", "企业服务区")
    kiosk.wait_for_function(
        "() => document.querySelector('#zones [data-zone=\"A\"]').textContent.includes('企业服务区')",
        timeout=5000,
    )
    assert kiosk.evaluate("() => window.notReloaded === true")
    # a citizen mid-choice finishes on the hall they began with; the start screen then has the new one
    kiosk.click('#zones [data-zone="B"]')
    kiosk.wait_for_selector("#step-service:not(.hidden)")
    rename_zone(hall, session, "B", "投资审批区")
    kiosk.wait_for_timeout(1500)
    assert "投资审批区" not in kiosk.inner_text("#zone-title")
    kiosk.click("#back")
    kiosk.wait_for_selector("#step-zone:not(.hidden)")
    assert "投资审批区" in kiosk.inner_text('#zones [data-zone="B"]')
    assert kiosk.evaluate("() => window.notReloaded === true")
    kiosk.close()
