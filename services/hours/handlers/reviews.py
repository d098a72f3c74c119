"""Reviews of the requirements as of the end of a day: pace and reach change with time alone.

Time enters as an event like any other, so that replaying the topics replays the reviews as well: once a day is
over (Beijing time) the service asks itself for its review by publishing RequirementsReviewRequested on its reviews
topic, whose id and time derive from the day alone; an administrator may ask for a day too. However often a day is
asked for, by how many instances, its review is applied once (the inbox knows the event), and announces what
changed since the standings last judged, with ids derived from person, requirement, window, standing and day.
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
from shared.events.contracts.hours import RequirementsReviewRequested
from shared.events.envelope import CloudEvent, announce
from shared.logging import get_logger
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


async def request_review(uow: UnitOfWork, day: date, *, source: str, now: datetime) -> bool:
    """Ask for the review of ``day`` (over by ``now``); False if it was asked for and received already."""
    if day >= ledger_day(now):
        raise CommandRejected(f"{day} is not over yet in Beijing: a day is reviewed once it has ended")
    data = RequirementsReviewRequested(day=day)
    announced = announce(data, source=source, cause=day_ended(day))
    asked = CloudEvent(specversion="1.0", id=announced.id, source=source, type=data.event_type, time=now)
    if await uow.received([asked]):
        return False
    uow.emit(data, cause=day_ended(day))
    return True


def reviewer(requirements: Sequence[Requirement]) -> EventHandler[RequirementsReviewRequested]:
    """The handler of a review: every person under a requirement judged as of the end of the day."""

    async def review(uow: UnitOfWork, event: CloudEvent, data: RequirementsReviewRequested) -> None:
        progress = RequirementProgressBook(uow, requirements)
        await progress.review(data.day, cause=event)
        await progress.save()

    return review


async def review_each_day_once_it_ends(
    unit_of_work: Callable[[], UnitOfWork], *, source: str, check_every_seconds: float
) -> None:
    """Ask for yesterday's review (Beijing time) whenever it has not been asked for: after midnight, and at start
    after a day the service was down (a day missed altogether is judged by the next review: nothing is lost, the
    announcement is a day late)."""
    while True:
        yesterday = ledger_day(utcnow()) - timedelta(days=1)
        try:
            async with unit_of_work() as uow:
                if await request_review(uow, yesterday, source=source, now=utcnow()):
                    await uow.commit()
                    log.info("review of the requirements requested", day=yesterday.isoformat())
        except Exception as error:  # the next round tries again
            log.warning(
                "could not request the review of the requirements", day=yesterday.isoformat(), error=repr(error)
            )
        await asyncio.sleep(check_every_seconds)
