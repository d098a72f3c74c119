"""The register's facts the ledger needs: persons, classes and sessions, kept by the shared projection helper."""

from __future__ import annotations

from services.hours.domain.ledger import ledger_year
from services.hours.models import ProjectedClass, ProjectedPerson, ProjectedSession
from shared.events.contracts.register import ClassChanged, PersonChanged, SessionChanged
from shared.projection import Projection, Projections, reference

PROJECTIONS = Projections(
    Projection(PersonChanged, ProjectedPerson),
    Projection(ClassChanged, ProjectedClass, computed={"required_hours": lambda c: c.completion.required_hours}),
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
)
