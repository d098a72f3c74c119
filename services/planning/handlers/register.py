"""The register's facts planning keeps (organisations, persons, classes, sessions, enrollments), and what is worked
out again when they change: a person's new officer terms, rotation and training record; the records of everyone
in a changed class; the officers waiting for a Party-affairs class when one opens or a place in one frees."""

from __future__ import annotations

from collections.abc import Sequence

from services.planning import facts
from services.planning.domain.elections import PARTY_AFFAIRS
from services.planning.handlers import officers
from services.planning.handlers.announcements import (
    ROTATION_CLASS_CATEGORIES,
    announce_record,
    announce_rotation,
    certificate_holders,
    lock_people,
)
from services.planning.models import (
    PlanningClass,
    PlanningEnrollment,
    PlanningOrganisation,
    PlanningPerson,
    PlanningSession,
)
from shared.consumer import Delivery
from shared.events.contracts.register import (
    ClassChanged,
    EnrollmentChanged,
    OrganisationChanged,
    PersonChanged,
    SessionChanged,
)
from shared.projection import Projection, Projections
from shared.unit_of_work import UnitOfWork


async def on_persons(uow: UnitOfWork, deliveries: Sequence[Delivery[PersonChanged]]) -> None:
    for delivery in deliveries:
        person = await facts.person(uow.session, delivery.data.person_id)
        assert person is not None  # kept just now
        await officers.on_person(uow, person, delivery.event)
        await announce_rotation(uow, person.person_id, delivery.event)
        await announce_record(uow, person.person_id, delivery.event)


async def on_classes(uow: UnitOfWork, deliveries: Sequence[Delivery[ClassChanged]]) -> None:
    for delivery in deliveries:
        changed = delivery.data
        people = await facts.people_with_facts_in(uow.session, changed.class_id)
        await lock_people(uow, people)
        for person_id in people:
            await announce_record(uow, person_id, delivery.event)
        if changed.category in ROTATION_CLASS_CATEGORIES:
            for person_id in await certificate_holders(uow, changed.class_id):
                await announce_rotation(uow, person_id, delivery.event)
        if changed.category == PARTY_AFFAIRS:
            await officers.on_party_affairs_change(uow, [changed.class_id], delivery.event)


async def on_enrollments(uow: UnitOfWork, deliveries: Sequence[Delivery[EnrollmentChanged]]) -> None:
    """A place taken or freed in a Party-affairs class. (A training record tells what was trained, not who
    enrolled: enrollments change no announcement of it.)"""
    for delivery in deliveries:
        await officers.on_party_affairs_change(uow, [delivery.data.class_id], delivery.event)


REGISTER = Projections(
    Projection(OrganisationChanged, PlanningOrganisation),
    Projection(PersonChanged, PlanningPerson, on_change=on_persons),
    Projection(ClassChanged, PlanningClass, on_change=on_classes),
    Projection(SessionChanged, PlanningSession),
    Projection(EnrollmentChanged, PlanningEnrollment, on_change=on_enrollments),
)
