"""好差评 integrity flags for managers (issue 35): ratings that look made rather than given.

- burst: more than `[ratings] flag_per_minute` ratings from one device (or, for the phone's status page,
  one address) within 60 s: a visit takes minutes, and scripts that post 5-star ratings in bulk exist;
- clerk_route: a rating from the phone's status page sent from an address the visit's own clerk signed in
  from (their caller's PC), or entered by staff under the clerk's own name;
- implausible_share: a window or clerk with at least `flag_min_visits` served whose rated share (评价率) or
  非常满意 share reaches `flag_share`.
Flags are for a person to look at; nothing is excluded by them (an appeal or a manager's decision does that).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hallq.operations.context import HallContext
from hallq.stats.summary import Period, summary
from hallq.store.models import AuditEntry, Rating, Ticket

MINUTE = timedelta(seconds=60)
SIGN_INS = ("window.signed_in", "window.taken_over")


def integrity_flags(ctx: HallContext, period: Period) -> list[dict[str, Any]]:
    start = period.starts(ctx)
    with ctx.store.read() as session:
        ratings = session.execute(
            select(
                Rating.id,
                Rating.level,
                Rating.source,
                Rating.device,
                Rating.address,
                Rating.clerk,
                Rating.rated_at,
                Rating.window_id,
                Ticket.number,
            )
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(Rating.rated_at >= start, Ticket.service_day.between(period.first, period.last))
            .where(Rating.level.is_not(None))
            .order_by(Rating.rated_at)
        ).all()
        sign_ins = session.execute(
            select(AuditEntry.actor, AuditEntry.detail).where(
                AuditEntry.action.in_(SIGN_INS), AuditEntry.at >= start - timedelta(days=30)
            )
        ).all()
    flags = _bursts(ctx, ratings) + _clerk_routes(ctx, ratings, sign_ins)
    return flags + _shares(ctx, period)


def _local(ctx: HallContext, at: datetime) -> str:
    return at.astimezone(ctx.config.tz).isoformat(timespec="seconds")


def _bursts(ctx: HallContext, ratings: Sequence[Any]) -> list[dict[str, Any]]:
    limit = ctx.config.ratings.flag_per_minute
    by_sender: dict[str, list[Any]] = defaultdict(list)
    for rating in ratings:
        sender = rating.address if rating.device in (None, "status-page") else rating.device
        if sender:
            by_sender[sender].append(rating)
    flags = []
    for sender, sent in by_sender.items():
        first = 0
        worst: list[Any] = []
        for last in range(len(sent)):
            while sent[last].rated_at - sent[first].rated_at > MINUTE:
                first += 1
            if last - first + 1 > max(limit, len(worst)):
                worst = sent[first : last + 1]
        if worst:
            flags.append(
                {
                    "kind": "burst",
                    "sender": sender,
                    "count": len(worst),
                    "from": _local(ctx, worst[0].rated_at),
                    "rating_ids": [r.id for r in worst],
                    "tickets": [r.number for r in worst],
                }
            )
    return flags


def _clerk_routes(ctx: HallContext, ratings: Sequence[Any], sign_ins: Sequence[Any]) -> list[dict[str, Any]]:
    addresses: dict[str, set[str]] = defaultdict(set)
    for actor, detail in sign_ins:
        if detail and detail.get("address"):
            addresses[actor].add(detail["address"])
    flags = []
    for rating in ratings:
        own_name = rating.source == "staff" and rating.clerk is not None and rating.device == rating.clerk
        # the phone's status page is open to anyone with the ticket's link, the clerk too
        own_address = rating.source == "phone" and rating.address in addresses.get(rating.clerk or "", ())
        if own_name or own_address:
            flags.append(
                {
                    "kind": "clerk_route",
                    "rating_id": rating.id,
                    "ticket": rating.number,
                    "clerk": rating.clerk,
                    "window": rating.window_id,
                    "level": rating.level,
                    "why": "staff_as_clerk" if own_name else "clerk_address",
                    "address": rating.address,
                    "at": _local(ctx, rating.rated_at),
                }
            )
    return flags


def _shares(ctx: HallContext, period: Period) -> list[dict[str, Any]]:
    rules = ctx.config.ratings
    flags = []
    for group_by in ("window", "clerk"):
        for row in summary(ctx, period, group_by)["rows"]:
            if row["served"] < rules.flag_min_visits:
                continue
            top_share = row["ratings"]["5"] / row["rated"] if row["rated"] else 0.0
            rated_share = row["rating_rate"] or 0.0
            if rated_share >= rules.flag_share or top_share >= rules.flag_share:
                flags.append(
                    {
                        "kind": "implausible_share",
                        "group": group_by,
                        "key": row["key"],
                        "label": row["label"],
                        "served": row["served"],
                        "rating_rate": round(rated_share, 4),
                        "top_share": round(top_share, 4),
                    }
                )
    return flags
