"""Ledger lines for the tests of transcripts, requirements and compliance: one helper, readable call sites."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal

from services.hours.domain.ledger import SCHOOL_TIMEZONE, EntryKind
from services.hours.domain.transcript import PostedEntry
from shared.events.contracts.attendance import Channel

_numbers = itertools.count(1)


def line(
    trained_on: date,
    hours: str | int,
    *,
    channel: Channel = Channel.OFFLINE,
    category: str | None = "member_rotation",
    recorded: datetime | None = None,
    kind: EntryKind = EntryKind.CREDIT,
    item: str | None = None,
) -> PostedEntry:
    """A ledger line for training on ``trained_on``, recorded that evening (Beijing time) unless said otherwise."""
    number = next(_numbers)
    return PostedEntry(
        entry_id=f"entry-{number}",
        kind=kind,
        hours=Decimal(hours),
        trained_on=trained_on,
        recorded_at=recorded or datetime.combine(trained_on, time(20), SCHOOL_TIMEZONE),
        channel=channel,
        category=category,
        class_id=f"class-{category}" if category else None,
        item=item or f"session:s-{number}",
        rule="session-tolerance/v1" if kind == EntryKind.CREDIT else None,
        reason="test",
        source="urn:dangxiao:door:building-3",
    )


def online(trained_on: date, hours: str | int) -> PostedEntry:
    return line(trained_on, hours, channel=Channel.ONLINE, category=None, item=f"activity:学习强国:{trained_on}")


def reversal(of: PostedEntry, recorded: datetime) -> PostedEntry:
    """Takes ``of`` back; it carries the day of the credit it reverses."""
    return line(
        of.trained_on,
        str(of.hours),
        channel=of.channel,
        category=of.category,
        recorded=recorded,
        kind=EntryKind.REVERSAL,
        item=of.item,
    )


def beijing(day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour), SCHOOL_TIMEZONE)
