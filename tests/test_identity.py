"""限号 (anti-scalping): at most N tickets a day per person for a service that asks who takes the ticket, a
person being a mobile number or an ID card number that hallq checks, counts under a keyed daily hash and never
stores."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hallq.app.factory import create_app
from hallq.config.hall import parse_hall
from hallq.config.settings import Settings
from hallq.config.tomlfile import ConfigError
from hallq.engine import IssueRefused, ManualClock
from hallq.engine.identity import (
    id_check_digit,
    normalise,
    normalise_id_number,
    normalise_phone,
    person_key,
)
from hallq.operations.accounts import create_token
from hallq.operations.context import HallContext
from hallq.operations.issuing import forget_past_people
from hallq.store.models import NumberCounter

from .conftest import (
    MONDAY_10AM,
    NO_ADDRESS_LIMIT,
    NO_LIMITS,
    NO_SERVICE_LIMIT,
    SMALL_HALL,
    Tokens,
    demo_hall_copy,
)
from .postgres import scratch_database

#: real-looking, with valid check characters (the second ends in X)
ID_A = "11010519491231002X"
ID_B = "440524188001010014"
PHONE = "13812345678"


def make_id(region: str, born: date, serial: str) -> str:
    first17 = f"{region}{born:%Y%m%d}{serial}"
    return first17 + id_check_digit(first17)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31))
id_numbers = st.builds(
    make_id,
    st.integers(110000, 659999).map(str),
    birth_dates,
    st.integers(0, 999).map(lambda n: f"{n:03d}"),
)


@given(id_numbers)
def test_valid_id_numbers_pass_and_any_one_changed_digit_fails(number: str) -> None:
    assert normalise_id_number(number) == number
    assert normalise_id_number(number.lower()) == number
    for position in range(17):
        for digit in "0123456789":
            changed = number[:position] + digit + number[position + 1 :]
            if changed != number:
                with pytest.raises(IssueRefused):
                    normalise_id_number(changed)


def test_id_numbers_with_wrong_form_or_date_are_refused() -> None:
    assert normalise_id_number(f" {ID_A[:6]} {ID_A[6:14]} {ID_A[14:].lower()} ") == ID_A
    for bad in (
        "",
        "1101051949123100",
        ID_A + "1",
        "01010519491231002X",
        ID_A[:17],
        ID_A[:17] + "0",  # wrong check character
    ):
        with pytest.raises(IssueRefused) as refused:
            normalise_id_number(bad)
        assert refused.value.code == "invalid_id_number"
    # right check character, impossible date (February 30th)
    with pytest.raises(IssueRefused):
        normalise_id_number("110105" + "19490230" + "002" + id_check_digit("11010519490230002"))


def test_phone_numbers() -> None:
    for form in (PHONE, "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678"):
        assert normalise_phone(form) == PHONE
    for bad in ("1381234567", "23812345678", "12812345678", "138123456789", "phone", "+1 138 1234 5678"):
        with pytest.raises(IssueRefused) as refused:
            normalise_phone(bad)
        assert refused.value.code == "invalid_phone"
    with pytest.raises(IssueRefused) as refused:
        normalise("phone", None)
    assert refused.value.code == "identity_required"


def test_person_key_is_per_day_service_and_secret() -> None:
    day = date(2026, 11, 23)
    key = person_key(b"secret", day, "hukou_move", "id_card", ID_A)
    assert key == person_key(b"secret", day, "hukou_move", "id_card", ID_A)
    assert len(key) == 22 and ID_A[:6] not in key
    others = {
        person_key(b"secret", day + timedelta(days=1), "hukou_move", "id_card", ID_A),
        person_key(b"secret", day, "residence_permit", "id_card", ID_A),
        person_key(b"other", day, "hukou_move", "id_card", ID_A),
        person_key(b"secret", day, "hukou_move", "id_card", ID_B),
    }
    assert key not in others and len(others) == 4


def issue(client: FlaskClient, token: str, service_id: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tickets", json={"service_id": service_id, **extra}, headers=Tokens.header(token)
    )


def test_a_service_that_asks_refuses_without_or_with_a_bad_identity(
    client: FlaskClient, tokens: Tokens
) -> None:
    missing = issue(client, tokens.kiosk, "hukou_move")
    assert missing.status_code == 422
    assert missing.get_json()["error"] == "identity_required"
    assert "身份证号" in missing.get_json()["message"] and "ID card" in missing.get_json()["message"]
    bad = issue(client, tokens.kiosk, "hukou_move", id_number="110105194912310021")
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_id_number"
    wrong_kind = issue(client, tokens.kiosk, "hukou_move", phone=PHONE)  # it asks for an ID card
    assert wrong_kind.status_code == 422 and wrong_kind.get_json()["error"] == "identity_required"
    not_a_string = issue(client, tokens.kiosk, "hukou_move", id_number=11010519491231002)
    assert not_a_string.status_code == 422
    # a refusal uses up no number: the first ticket of zone E is still E001
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_A).get_json()["number"] == "E001"


def test_one_ticket_a_day_per_id_card_and_the_next_day_again(
    client: FlaskClient, tokens: Tokens, clock: ManualClock
) -> None:
    first = issue(client, tokens.kiosk, "hukou_move", id_number=ID_A)
    assert first.status_code == 201
    again = issue(client, tokens.kiosk, "hukou_move", id_number=ID_A.lower())
    assert again.status_code == 409
    body = again.get_json()
    assert body["error"] == "person_limit_reached"
    assert "同一身份证号今日此事项限取1个号" in body["message"]
    # another person, and the same person for a service without 限号, are not held back
    other = issue(client, tokens.kiosk, "hukou_move", id_number=ID_B).get_json()
    unlimited = issue(client, tokens.kiosk, "id_card", id_number=ID_A).get_json()
    # no number was spent on the refusal
    assert [first.get_json()["number"], other["number"], unlimited["number"]] == ["E001", "E002", "E003"]
    assert issue(client, tokens.clerk_w01, "hukou_move", id_number=ID_A).status_code == 409  # staff too
    clock.advance(24 * 3600)
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_A).status_code == 201


def test_a_service_may_allow_more_tickets_per_person(client: FlaskClient, tokens: Tokens) -> None:
    """residence_permit asks for a mobile number and allows two a day (the demo hall)."""
    answers = [issue(client, tokens.kiosk, "residence_permit", phone="138 1234 5678") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 409]
    assert "同一手机号今日此事项限取2个号" in answers[2].get_json()["message"]


def test_the_hall_lists_what_each_service_asks(client: FlaskClient, tokens: Tokens) -> None:
    services = {
        s["id"]: s
        for s in client.get("/api/v1/hall", headers=Tokens.header(tokens.kiosk)).get_json()["services"]
    }
    assert services["hukou_move"]["ask_identity"] == "id_card"
    assert services["residence_permit"]["ask_identity"] == "phone"
    assert services["biz_setup"]["ask_identity"] is None


def test_neither_number_is_stored_anywhere(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, tmp_path: Path
) -> None:
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_A).status_code == 201
    assert issue(client, tokens.kiosk, "residence_permit", phone=PHONE).status_code == 201
    ctx.store.dispose()
    files = [
        p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".sqlite3", ".db", ".sqlite3-wal", "")
    ]
    database = next(p for p in tmp_path.rglob("*.sqlite3"))
    with sqlite3.connect(database) as connection:
        dump = "\n".join(connection.iterdump())
    for secret in (ID_A, ID_A[:14], PHONE, PHONE[3:]):
        assert secret not in dump
        for path in files:
            assert secret.encode() not in path.read_bytes(), path


def test_a_limit_without_asking_is_a_config_error() -> None:
    text = SMALL_HALL.read_text(encoding="utf-8").replace(
        'id = "b2"\n', 'id = "b2"\ntickets_per_person_per_day = 2\n', 1
    )
    with pytest.raises(ConfigError) as error:
        parse_hall(text, "hall.toml")
    (problem,) = [str(p) for p in error.value.problems]
    assert problem.startswith("services[2]") and "needs ask_identity" in problem
    asked = text.replace(
        "tickets_per_person_per_day = 2\n", 'tickets_per_person_per_day = 2\nask_identity = "fax"\n'
    )
    with pytest.raises(ConfigError) as error:
        parse_hall(asked, "hall.toml")
    assert any("ask_identity" in str(p) and "phone" in str(p) for p in error.value.problems)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with ExitStack() as stack:
        url = stack.enter_context(scratch_database()) if request.param == "postgresql" else None
        hall = demo_hall_copy(tmp_path, NO_LIMITS, NO_SERVICE_LIMIT, NO_ADDRESS_LIMIT)
        settings = Settings(
            instance=tmp_path / "instance",
            hall_file=hall,
            database_url=url,
            async_mode="threading",
            testing=True,
        )
        app = create_app(settings, clock=ManualClock(MONDAY_10AM))
        stack.callback(app.extensions["hallq"].store.dispose)
        yield app


def test_the_same_person_at_eight_kiosks_at_once_gets_one_ticket(any_database_app: Flask) -> None:
    """Eight requests with one ID card at the same moment (and eight with other cards): exactly one of the
    first eight gets a ticket, all of the others do, and the zone's numbers have no gap."""
    ctx: HallContext = any_database_app.extensions["hallq"]
    header = Tokens.header(create_token(ctx.store, "kiosk", ctx.now()))
    others = [make_id("310101", date(1980, 1, 1), f"{n:03d}") for n in range(8)]

    def take(id_number: str) -> tuple[int, str | None]:
        body = {"service_id": "hukou_move", "id_number": id_number}
        answer = any_database_app.test_client().post("/api/v1/tickets", json=body, headers=header)
        return answer.status_code, answer.get_json().get("number")

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(take, [ID_A] * 8 + others))
    mine, theirs = answers[:8], answers[8:]
    assert sorted(status for status, _ in mine) == [201] + [409] * 7
    assert all(status == 201 for status, _ in theirs)
    numbers = sorted(number for status, number in answers if status == 201 and number)
    assert numbers == [f"E{n:03d}" for n in range(1, 10)]


def test_counts_of_past_days_are_forgotten(
    client: FlaskClient, tokens: Tokens, ctx: HallContext, clock: ManualClock
) -> None:
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_A).status_code == 201
    assert forget_past_people(ctx) == 0  # today's count stays: it still holds the limit
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_A).status_code == 409
    clock.advance(24 * 3600)
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_B).status_code == 201
    assert forget_past_people(ctx) == 1  # yesterday's one person; today's stays
    with ctx.store.read() as session:
        scopes = session.scalars(select(NumberCounter.scope).where(NumberCounter.scope.startswith("person:")))
        assert len(list(scopes)) == 1
    assert issue(client, tokens.kiosk, "hukou_move", id_number=ID_B).status_code == 409
