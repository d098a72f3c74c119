"""The register's facts the ledger needs, kept by the shared projection helper: organisations (names for compliance),
persons (status and positions, for requirements), classes (category, rule, managers), sessions (学时, length,
teaching mode) and enrollments (whose learners a class manager sees)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.hours.domain.ledger import ledger_year
from services.hours.models import (
    ProjectedClass,
    ProjectedEnrollment,
    ProjectedOrganisation,
    ProjectedPerson,
    ProjectedSession,
)
from shared.consumer import Delivery
from shared.events.contracts.register import (
    ClassChanged,
    EnrollmentChanged,
    OrganisationChanged,
    PersonChanged,
    SessionChanged,
)
from shared.projection import Projection, Projections, reference
from shared.unit_of_work import UnitOfWork

PersonsChanged = Callable[[UnitOfWork, Sequence[Delivery[PersonChanged]]], Awaitable[None]]


def projections(persons_changed: PersonsChanged) -> Projections:
    """The projections, with what to do once persons' statuses or positions may have changed."""
    return Projections(
        Projection(OrganisationChanged, ProjectedOrganisation),
        Projection(PersonChanged, ProjectedPerson, on_change=persons_changed),
        Projection(
            ClassChanged,
            ProjectedClass,
            computed={
                "required_hours": lambda c: c.completion.required_hours,
                "max_absence_share": lambda c: c.completion.max_absence_share,
            },
        ),
        # A session is credited by its class's rules: it is kept once its class is known.
        Projection(
            SessionChanged,
            ProjectedSession,
            requires=lambda session: [reference("class", session.class_id)],
            computed={
                "duration_minutes": lambda session: session.duration_minutes,
                "year": lambda session: ledger_year(session.starts_at),
            },
        ),
        Projection(EnrollmentChanged, ProjectedEnrollment),
    )
