"""Who takes a ticket, where a hall asks (限号, against ticket scalping): a mainland mobile number or a
resident ID number (GB 11643), checked for form, then reduced to a keyed hash. hallq never stores either:
only how many tickets each hash took for a service that day, under a hash that changes every day."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import date

from hallq.engine.issuing import IssueRefused

PHONE = "phone"
ID_CARD = "id_card"
KINDS = (PHONE, ID_CARD)

_PHONE = re.compile(r"1[3-9]\d{9}")
_ID_NUMBER = re.compile(r"[1-9]\d{16}[\dX]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SEPARATORS = re.compile(r"[\s\-]")

_ASK = {
    PHONE: "此事项需登记手机号 / This service asks for your mobile number",
    ID_CARD: "此事项需登记身份证号 / This service asks for your ID card number",
}


def normalise_phone(text: str) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and a +86 prefix allowed)."""
    digits = _SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    if not _PHONE.fullmatch(digits):
        raise IssueRefused(
            "invalid_phone", "手机号应为11位，以1开头 / A mobile number has 11 digits starting with 1"
        )
    return digits


def masked_phone(phone: str | None) -> str | None:
    """138****8000: what a page or an answer shows of a number it was given."""
    return f"{phone[:3]}****{phone[-4:]}" if phone else None


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(text: str) -> str:
    """An 18-character resident ID number with a valid birth date and check character (x read as X)."""
    number = _SEPARATORS.sub("", text).upper()
    bad = IssueRefused("invalid_id_number", "身份证号无效，请核对 / This ID card number is not valid")
    if not _ID_NUMBER.fullmatch(number) or id_check_digit(number[:17]) != number[17]:
        raise bad
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise bad from None
    return number


def normalise(kind: str, text: str | None) -> str:
    """The identity a service asks for, in one canonical form; IssueRefused when missing or malformed."""
    if not text:
        raise IssueRefused("identity_required", _ASK[kind])
    return normalise_phone(text) if kind == PHONE else normalise_id_number(text)


def person_key(secret: bytes, day: date, service_id: str, kind: str, value: str) -> str:
    """22 characters that stand for one person, one service and one day: the same inputs give the same key,
    and without the hall's secret no one can tell whose it is or link it to another day."""
    message = f"{day.isoformat()}|{service_id}|{kind}|{value}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def check_person_limit(kind: str, limit: int, taken: int) -> None:
    """`taken` counts this ticket too."""
    if taken > limit:
        who = "手机号" if kind == PHONE else "身份证号"
        who_en = "mobile number" if kind == PHONE else "ID card"
        raise IssueRefused(
            "person_limit_reached",
            f"同一{who}今日此事项限取{limit}个号 / "
            f"At most {limit} ticket(s) a day per {who_en} for this service",
        )
