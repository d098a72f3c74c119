"""Reviews of the requirements as of the end of a day: pace and reach change with time alone.

Once a day is over (Beijing time) the service reviews it: every person under a requirement judged as of the end of
that day and of the day before, with the 学时 their windows hold; what time changed (fell behind pace, out of
reach, a window closed short) is announced on the hours topic. An administrator may review a day too.

A review reads and changes nothing, so it is not an event the service consumes, and replaying the topics gives
the same tables whether or not reviews ran. What it announces derives from the day: the events' time is the end
of the day, their ids name person, requirement, window, standing and day, so reviewing a day again (another
instance, a restart, an administrator) announces the very same events, which consumers recognise as repeats. They
go straight to the broker rather than through the outbox: there is no change of the database to commit them with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from services.hours.domain.ledger import SCHOOL_TIMEZONE, ledger_day
from services.hours.domain.requirements import Requirement
from services.hours.handlers.requirements import RequirementProgressBook, announcement
from shared.db import utcnow
from shared.errors import CommandRejected
from shared.events.contracts.hours import HOURS_TOPIC
from shared.events.envelope import CloudEvent, announce, kafka_headers
from shared.logging import get_logger
from shared.outbox import Send
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

CALENDAR_SOURCE = "urn:dangxiao:calendar"


def day_ended(day: date) -> CloudEvent:
    """The end of ``day`` in Beijing, as the cause of its review: what the review announces takes its time and
    correlation from it."""
    return CloudEvent(
        specversion="1.0",
        id=f"day-ended/{day.isoformat()}",
        source=CALENDAR_SOURCE,
        type="dangxiao.calendar.day_ended",
        time=datetime.combine(day, time(23, 59, 59), SCHOOL_TIMEZONE),
    )


async def review(
    uow: UnitOfWork, requirements: Sequence[Requirement], day: date, *, source: str, now: datetime
) -> list[tuple[str, bytes]]:
    """What time changed at the end of ``day`` (over by ``now``): each announcement as (record key, value)."""
    if day >= ledger_day(now):
        raise CommandRejected(f"{day} is not over yet in Beijing: a day is reviewed once it has ended")
    changes = await RequirementProgressBook(uow, requirements).changes_by_time(day)
    cause = day_ended(day)
    records = []
    for assessment, change, revision in changes:
        data = announcement(assessment, change, revision)
        records.append((data.key(), announce(data, source=source, cause=cause).payload))
    return records


async def publish(send: Send, records: Sequence[tuple[str, bytes]]) -> None:
    """Hand the review's announcements to the broker and wait until it has them all."""
    deliveries = [await send(HOURS_TOPIC, key.encode(), value, kafka_headers()) for key, value in records]
    for delivery in deliveries:
        await delivery


async def review_each_day_once_it_ends(
    unit_of_work: Callable[[], UnitOfWork],
    send: Send,
    requirements: Sequence[Requirement],
    *,
    source: str,
    check_every_seconds: float,
) -> None:
    """Review yesterday (Beijing time) once the day has turned, and at start (a review announced before is
    announced again, the same events: consumers recognise the repeats). A day the service was down for altogether
    is judged by the next review: what time changed meanwhile is announced then, a day late."""
    reviewed: date | None = None
    while True:
        yesterday = ledger_day(utcnow()) - timedelta(days=1)
        if reviewed != yesterday:
            try:
                async with unit_of_work() as uow:
                    records = await review(uow, requirements, yesterday, source=source, now=utcnow())
                await publish(send, records)
                reviewed = yesterday
                log.info("requirements reviewed", day=yesterday.isoformat(), announced=len(records))
            except Exception as error:  # the next round tries again
                log.warning("could not review the requirements", day=yesterday.isoformat(), error=repr(error))
        await asyncio.sleep(check_every_seconds)
