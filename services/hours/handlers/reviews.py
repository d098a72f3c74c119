"""Reviews of the requirements as of the end of a day: pace and reach change with time alone.

Time enters as an event like any other, so that replaying the topics replays the reviews as well: once a day is
over (Beijing time) the service asks itself for its review by publishing RequirementsReviewRequested on its reviews
topic, whose id and time derive from the day alone; an administrator may ask for a day too. However often a day is
asked for, by how many instances, its review is applied once (the inbox knows the event), and announces what
changed since the standings last judged, with ids derived from person, requirement, window, standing and day.

The service's own request goes straight to the broker, not through the outbox: it changes nothing in the database
(a rebuild, which replays the topic, finds the very books it left) and is the same record however often it is
sent. An administrator's request is a command like any other, through the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from services.hours.domain.ledger import SCHOOL_TIMEZONE, ledger_day
from services.hours.domain.requirements import Requirement
from services.hours.handlers.requirements import RequirementProgressBook
from shared.consumer import EventHandler
from shared.db import utcnow
from shared.errors import CommandRejected
from shared.events.contracts.hours import HOURS_REVIEWS_TOPIC, RequirementsReviewRequested
from shared.events.envelope import Announcement, CloudEvent, announce, kafka_headers
from shared.logging import get_logger
from shared.outbox import Send
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

CALENDAR_SOURCE = "urn:dangxiao:calendar"


def day_ended(day: date) -> CloudEvent:
    """The end of ``day`` in Beijing, as the cause of its review (the review's time and correlation derive from
    it: asking again asks the very same)."""
    return CloudEvent(
        specversion="1.0",
        id=f"day-ended/{day.isoformat()}",
        source=CALENDAR_SOURCE,
        type="dangxiao.calendar.day_ended",
        time=datetime.combine(day, time(23, 59, 59), SCHOOL_TIMEZONE),
    )


def review_request(day: date, *, source: str) -> Announcement:
    """The request for the review of ``day``, as it is published: the same record whoever sends it, whenever."""
    return announce(RequirementsReviewRequested(day=day), source=source, cause=day_ended(day))


async def reviewed(uow: UnitOfWork, request: Announcement, *, source: str) -> bool:
    """Whether ``request`` was received already (the inbox knows it)."""
    asked = CloudEvent(specversion="1.0", id=request.id, source=source, type=request.type, time=utcnow())
    return bool(await uow.received([asked]))


async def request_review(uow: UnitOfWork, day: date, *, source: str, now: datetime) -> bool:
    """Ask for the review of ``day`` (over by ``now``) through the outbox; False if it was asked for and received
    already."""
    if day >= ledger_day(now):
        raise CommandRejected(f"{day} is not over yet in Beijing: a day is reviewed once it has ended")
    if await reviewed(uow, review_request(day, source=source), source=source):
        return False
    uow.emit(RequirementsReviewRequested(day=day), cause=day_ended(day))
    return True


def reviewer(requirements: Sequence[Requirement]) -> EventHandler[RequirementsReviewRequested]:
    """The handler of a review: every person under a requirement judged as of the end of the day."""

    async def review(uow: UnitOfWork, event: CloudEvent, data: RequirementsReviewRequested) -> None:
        progress = RequirementProgressBook(uow, requirements)
        await progress.review(data.day, cause=event)
        await progress.save()

    return review


async def review_each_day_once_it_ends(
    unit_of_work: Callable[[], UnitOfWork], send: Send, *, source: str, check_every_seconds: float
) -> None:
    """Ask for yesterday's review (Beijing time) whenever it was not received yet: after midnight, and at start
    after a day the service was down (a day missed altogether is judged by the next review: nothing is lost, the
    announcement is a day late)."""
    while True:
        yesterday = ledger_day(utcnow()) - timedelta(days=1)
        request = review_request(yesterday, source=source)
        try:
            async with unit_of_work() as uow:
                received = await reviewed(uow, request, source=source)
            if not received:
                key = yesterday.isoformat().encode()
                await (await send(HOURS_REVIEWS_TOPIC, key, request.payload, kafka_headers()))
                log.info("review of the requirements requested", day=yesterday.isoformat())
        except Exception as error:  # the next round tries again
            log.warning(
                "could not request the review of the requirements", day=yesterday.isoformat(), error=repr(error)
            )
        await asyncio.sleep(check_every_seconds)
