"""The register's rows as the domain's records, and back: the one place the two spellings meet.

Rows keep the codes and names the events carry (``starts_on``, ``teacher_ids``); the domain keeps its own
(``first_day``, ``teachers``) and its vocabularies. Reading a code here also checks it: a code that is not in
the vocabulary raises the domain's ``VocabularyError``, naming every accepted one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.enrollment import models
from services.enrollment.domain import class_affairs, classes, enrollments, organisation, people
from services.enrollment.domain.errors import OrganisationError, VocabularyError
from services.enrollment.domain.periods import Period as Effective
from services.enrollment.domain.vocabulary import (
    ClassDelivery,
    ClassStatus,
    CommitteeRole,
    EnrollmentRoute,
    EnrollmentStatus,
    PartyAffairsLevel,
    PartyOrganisationKind,
    PersonKind,
    PoliticalStatus,
    Position,
    SessionStatus,
    TeachingMode,
    TrainingCategory,
    UnitKind,
    parse,
)
from shared.events.contracts.common import Period
from shared.events.contracts.register import Phase

UNIT = "unit"  # the kind of an organisation row that is a unit, not a Party organisation


# ── organisation ──────────────────────────────────────────────────────────────────────────────────────


def organisation_of(rows: Iterable[models.Organisation]) -> organisation.Organisation:
    """Every unit and Party organisation the register has, as one organisation (not checked again)."""
    units: dict[str, organisation.Unit] = {}
    party: dict[str, organisation.PartyOrganisation] = {}
    for row in rows:
        period = Effective(row.valid_from, row.valid_until)
        if row.kind == UNIT:
            units[row.org_id] = organisation.Unit(row.org_id, row.name, parse(UnitKind, row.unit_kind or ""), period)
        else:
            kind = PartyOrganisationKind(row.kind)
            party[row.org_id] = organisation.PartyOrganisation(
                row.org_id, row.name, kind, row.parent_id, period, row.unit_id
            )
    return organisation.Organisation(units, party)


def unit_fields(unit: organisation.Unit) -> dict[str, Any]:
    return {
        "org_id": unit.code,
        "kind": UNIT,
        "unit_kind": unit.kind.value,
        "name": unit.name,
        "parent_id": None,
        "unit_id": None,
        "valid_from": unit.period.since,
        "valid_until": unit.period.until,
    }


def party_organisation_fields(found: organisation.PartyOrganisation) -> dict[str, Any]:
    return {
        "org_id": found.code,
        "kind": found.kind.value,
        "unit_kind": None,
        "name": found.name,
        "parent_id": found.parent,
        "unit_id": found.unit,
        "valid_from": found.period.since,
        "valid_until": found.period.until,
    }


def organisation_record(
    command: models.OrganisationCreate,
) -> organisation.Unit | organisation.PartyOrganisation:
    """The unit or Party organisation a request describes, its codes checked against the vocabularies."""
    period = Effective(command.valid_from, command.valid_until)
    if command.kind == UNIT:
        if command.unit_kind is None:
            raise OrganisationError(f"unit {command.org_id} needs its unit_kind: accepted are {UnitKind.accepted()}")
        if command.parent_id is not None or command.unit_id is not None:
            raise OrganisationError(
                f"unit {command.org_id} has no parent_id nor unit_id: only Party organisations hang in the tree"
            )
        return organisation.Unit(command.org_id, command.name, parse(UnitKind, command.unit_kind), period)
    if command.unit_kind is not None:
        raise OrganisationError(f"only a unit has a unit_kind, not {command.kind} {command.org_id}")
    kinds = f"{UNIT} (单位) or a Party organisation: {PartyOrganisationKind.accepted()}"
    try:
        kind = parse(PartyOrganisationKind, command.kind)
    except VocabularyError as error:
        raise OrganisationError(f"unknown kind {command.kind!r}: an organisation is a {kinds}") from error
    return organisation.PartyOrganisation(
        command.org_id, command.name, kind, command.parent_id, period, command.unit_id
    )


# ── persons ───────────────────────────────────────────────────────────────────────────────────────────


def person_of(row: models.Person) -> people.Person:
    return people.Person(
        person_id=row.person_id,
        name=row.name,
        kind=PersonKind(row.kind) if row.kind else None,
        unit=row.unit_id,
        branch=row.branch_id,
        statuses=statuses_of(models.StatusHeld.model_validate(held) for held in row.statuses),
        positions=positions_of(Period.model_validate(held) for held in row.positions),
    )


def statuses_of(held: Iterable[models.StatusHeld]) -> tuple[people.StatusPeriod, ...]:
    return tuple(
        people.StatusPeriod(parse(PoliticalStatus, h.code), Effective(h.since, h.until), h.admission_date) for h in held
    )


def positions_of(held: Iterable[Period]) -> tuple[people.PositionPeriod, ...]:
    return tuple(people.PositionPeriod(parse(Position, h.code), Effective(h.since, h.until)) for h in held)


def person_fields(person: people.Person) -> dict[str, Any]:
    return {
        "person_id": person.person_id,
        "name": person.name,
        "kind": person.kind.value if person.kind else None,
        "unit_id": person.unit,
        "branch_id": person.branch,
        "statuses": [
            models.StatusHeld(
                code=held.status.value,
                since=held.period.since,
                until=held.period.until,
                admission_date=held.admission_date,
            ).model_dump(mode="json")
            for held in person.statuses
        ],
        "positions": [
            Period(code=held.position.value, since=held.period.since, until=held.period.until).model_dump(mode="json")
            for held in person.positions
        ],
    }


def person_kind(code: str | None) -> PersonKind | None:
    return parse(PersonKind, code) if code is not None else None


# ── classes ───────────────────────────────────────────────────────────────────────────────────────────


def class_of(row: models.TrainingClass) -> classes.TrainingClass:
    """The class a row (or a request laid over one) describes, its codes checked against the vocabularies."""
    category = parse(TrainingCategory, row.category)
    return classes.TrainingClass(
        class_id=row.class_id,
        title=row.title,
        category=category,
        year=row.year,
        criteria=classes.CompletionCriteria(
            required_hours=row.required_hours,
            max_absence_share=row.max_absence_share,
            final_assessment_required=row.assessment_required,
            survey_required=row.survey_required,
            reissue_after_revocation=row.reissue_after_revocation,
            certificate=row.certificate if row.certificate is not None else classes.certificate_by_default(category),
        ),
        first_day=row.starts_on,
        last_day=row.ends_on,
        delivery=parse(ClassDelivery, row.delivery),
        capacity=row.capacity,
        organiser=row.organiser_id,
        level=parse(PartyAffairsLevel, row.level) if row.level is not None else None,
        place=row.place,
        managers=tuple(row.manager_ids),
        phases=tuple(
            classes.Phase(phase.name, phase.starts_on, phase.ends_on)
            for phase in (Phase.model_validate(p) for p in row.phases)
        ),
        unit_quotas=dict(row.unit_quotas),
        crediting_rule=row.crediting_rule,
        status=parse(ClassStatus, row.status),
        version=row.version,
    )


def class_fields(training_class: classes.TrainingClass) -> dict[str, Any]:
    c = training_class
    return {
        "class_id": c.class_id,
        "title": c.title,
        "category": c.category.value,
        "level": c.level.value if c.level else None,
        "year": c.year,
        "starts_on": c.first_day,
        "ends_on": c.last_day,
        "phases": [
            Phase(name=p.title, starts_on=p.first_day, ends_on=p.last_day).model_dump(mode="json") for p in c.phases
        ],
        "delivery": c.delivery.value,
        "place": c.place,
        "capacity": c.capacity,
        "organiser_id": c.organiser,
        "manager_ids": list(c.managers),
        "unit_quotas": dict(c.unit_quotas),
        "required_hours": c.criteria.required_hours,
        "max_absence_share": c.criteria.max_absence_share,
        "assessment_required": c.criteria.final_assessment_required,
        "survey_required": c.criteria.survey_required,
        "reissue_after_revocation": c.criteria.reissue_after_revocation,
        "certificate": c.criteria.certificate,
        "crediting_rule": c.crediting_rule,
        "status": c.status.value,
    }


# ── sessions ──────────────────────────────────────────────────────────────────────────────────────────


def session_of(row: models.ClassSession) -> classes.ClassSession:
    return classes.ClassSession(
        session_id=row.session_id,
        class_id=row.class_id,
        title=row.title,
        mode=parse(TeachingMode, row.teaching_mode),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        hours=row.hours,
        teachers=tuple(row.teacher_ids),
        course_id=row.course_id,
        place=row.place,
        phase=row.phase,
        status=SessionStatus(row.status),
        cancel_reason=row.cancel_reason,
        version=row.version,
    )


def session_fields(session: classes.ClassSession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "class_id": session.class_id,
        "title": session.title,
        "teaching_mode": session.mode.value,
        "course_id": session.course_id,
        "teacher_ids": list(session.teachers),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "hours": session.hours,
        "place": session.place,
        "phase": session.phase,
        "status": session.status.value,
        "cancel_reason": session.cancel_reason,
    }


# ── enrollments ───────────────────────────────────────────────────────────────────────────────────────


def enrollment_of(row: models.Enrollment) -> enrollments.Enrollment:
    return enrollments.Enrollment(
        enrollment_id=row.enrollment_id,
        class_id=row.class_id,
        person_id=row.person_id,
        route=EnrollmentRoute(row.route),
        status=EnrollmentStatus(row.status),
        reason=row.reason,
        eligibility_rule=row.eligibility_rule,
        eligibility_reason=row.eligibility_reason,
        changed_at=row.changed_at,
        nominating_unit=row.nominated_by,
        waitlisted_at=row.waitlisted_at,
        transferred_from=row.transferred_from,
        transferred_to=row.transferred_to,
        version=row.version,
    )


def enrollment_fields(enrollment: enrollments.Enrollment) -> dict[str, Any]:
    e = enrollment
    return {
        "enrollment_id": e.enrollment_id,
        "class_id": e.class_id,
        "person_id": e.person_id,
        "route": e.route.value,
        "status": e.status.value,
        "reason": e.reason,
        "nominated_by": e.nominating_unit,
        "eligibility_rule": e.eligibility_rule,
        "eligibility_reason": e.eligibility_reason,
        "waitlisted_at": e.waitlisted_at,
        "transferred_from": e.transferred_from,
        "transferred_to": e.transferred_to,
    }


# ── class affairs ─────────────────────────────────────────────────────────────────────────────────────


def group_of(row: models.ClassGroup) -> class_affairs.Group:
    return class_affairs.Group(row.group_id, row.class_id, row.name, tuple(row.member_ids), row.leader_id)


def group_fields(group: class_affairs.Group) -> dict[str, Any]:
    return {
        "group_id": group.group_id,
        "class_id": group.class_id,
        "name": group.name,
        "member_ids": list(group.members),
        "leader_id": group.leader,
    }


def committee_seat_of(seat: models.CommitteeSeatGiven) -> class_affairs.CommitteeSeat:
    """A seat as given, its role checked against the vocabulary."""
    return class_affairs.CommitteeSeat(parse(CommitteeRole, seat.role), seat.person_id)


def notice_of(row: models.Notice) -> class_affairs.Notice:
    return class_affairs.Notice(
        notice_id=row.notice_id,
        class_id=row.class_id,
        title=row.title,
        body=row.body,
        posted_by=row.posted_by,
        posted_at=row.posted_at,
        group_id=row.group_id,
    )
