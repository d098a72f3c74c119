"""Officers elected → trained (换届 → 党务干部培训), without anyone remembering.

The register records an officer's position with the day it began (``since``); a position begun lately is a new
term, and each new term is decided once: nominated for the next open Party-affairs class of its level, pending
when none has a place, or left alone when the officer is on the way into one already. Pending terms, and terms
nominated for a class since cancelled, are decided again whenever a Party-affairs class or a place in one changes.
A nomination planning announced takes its place in the class until the register shows the officer's own way in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import and_, col, or_, select

from services.planning import facts
from services.planning.domain.elections import (
    OFFICER_DETECTION_V1,
    OFFICER_POSITIONS,
    OFFICER_TRAINING_V1,
    PARTY_AFFAIRS,
    ROLE_ORDER,
    OfficerNomination,
    OfficerTerm,
    Outcome,
    Role,
    election_of,
    new_officer_terms,
    nominate_officers,
)
from services.planning.domain.facts import Enrollment, Person, TrainingClass
from services.planning.models import OfficerTermRow, PlanningClass, PlanningOrganisation
from shared.events.contracts.planning import OfficerNominated, OfficerNominationPending
from shared.events.envelope import CloudEvent
from shared.unit_of_work import UnitOfWork

# Decisions take places from one another: they take turns. (Taken after a person's lock, never before one.)
OFFICER_LOCK = "officer-terms"


async def on_person(uow: UnitOfWork, person: Person, cause: CloudEvent) -> None:
    """Decide the person's new terms, if any (a term is decided once)."""
    on = facts.beijing_day(cause.time)
    terms = new_officer_terms(person, on, OFFICER_DETECTION_V1)
    if not terms:
        return
    await uow.lock(OFFICER_LOCK)
    known = await uow.session.exec(
        select(col(OfficerTermRow.position), col(OfficerTermRow.elected_on)).where(
            OfficerTermRow.person_id == person.person_id
        )
    )
    decided = set(known.all())
    fresh = [term for term in terms if (term.position, term.elected_on) not in decided]
    if fresh:
        await _decide(uow, [(term, person, None) for term in fresh], cause)


async def on_party_affairs_change(uow: UnitOfWork, class_ids: Iterable[str], cause: CloudEvent) -> None:
    """A Party-affairs class opened, changed or lost a learner: decide again the terms still waiting, and those
    nominated for a class since cancelled."""
    rows = await uow.session.exec(
        select(PlanningClass.class_id).where(
            col(PlanningClass.class_id).in_(set(class_ids)), PlanningClass.category == PARTY_AFFAIRS
        )
    )
    if not rows.all():
        return
    await uow.lock(OFFICER_LOCK)
    cancelled = select(PlanningClass.class_id).where(PlanningClass.status == "cancelled")
    unsettled = await uow.session.exec(
        select(OfficerTermRow)
        .where(
            or_(
                OfficerTermRow.outcome == Outcome.PENDING.value,
                and_(OfficerTermRow.outcome == Outcome.NOMINATED.value, col(OfficerTermRow.class_id).in_(cancelled)),
            )
        )
        .order_by(col(OfficerTermRow.elected_on), col(OfficerTermRow.person_id), col(OfficerTermRow.position))
    )
    rows_to_decide = list(unsettled.all())
    if not rows_to_decide:
        return
    people = await facts.persons(uow.session, {row.person_id for row in rows_to_decide})
    await _decide(
        uow,
        [(term_of(row), people[row.person_id], row) for row in rows_to_decide if row.person_id in people],
        cause,
    )


def term_of(row: OfficerTermRow) -> OfficerTerm:
    kind, _ = OFFICER_POSITIONS[row.position]
    return OfficerTerm(row.person_id, row.position, kind, Role(row.role), row.elected_on)


async def _decide(
    uow: UnitOfWork, terms: Sequence[tuple[OfficerTerm, Person, OfficerTermRow | None]], cause: CloudEvent
) -> None:
    """Each term into the next open class of its level with a place, secretaries first, in the order given; a place
    taken here is taken for the terms that follow."""
    on = facts.beijing_day(cause.time)
    classes = await _party_affairs_classes(uow)
    enrollments = await _places_taken(uow, classes)
    parents = await _general_branches(uow)
    ordered = sorted(terms, key=lambda item: ROLE_ORDER.index(item[0].role))
    for term, person, row in ordered:
        org_id = person.branch_id if term.org_kind == "branch" else parents.get(person.branch_id or "")
        [decision] = nominate_officers(
            election_of(term, org_id or "unknown"), classes, enrollments, on, OFFICER_TRAINING_V1
        )
        if decision.outcome is Outcome.NOMINATED:
            assert decision.class_id is not None  # a nomination names its class
            enrollments.append(Enrollment(_nomination_id(term), decision.class_id, term.person_id, "nominated"))
        _record(uow, decision, term=term, person=person, org_id=org_id, row=row, cause=cause)


def _record(
    uow: UnitOfWork,
    decision: OfficerNomination,
    *,
    term: OfficerTerm,
    person: Person,
    org_id: str | None,
    row: OfficerTermRow | None,
    cause: CloudEvent,
) -> None:
    """Keep the decision; announce it when its outcome (or class) changed: nominated, or newly pending."""
    before = (row.outcome, row.class_id) if row is not None else None
    after = (decision.outcome.value, decision.class_id)
    if row is None:
        row = OfficerTermRow(
            person_id=term.person_id,
            position=term.position,
            elected_on=term.elected_on,
            role=term.role.value,
            level=decision.level,
            org_id=org_id,
            unit_id=person.unit_id,
            outcome=decision.outcome.value,
            class_id=decision.class_id,
            rule=decision.rule,
            reason=decision.reason,
            revision=0,
            decided_at=cause.time,
        )
    else:
        row.outcome, row.class_id, row.reason, row.decided_at = after[0], decision.class_id, decision.reason, cause.time
    announce = before != after and decision.outcome is not Outcome.ALREADY_ON_THE_WAY
    if announce:
        row.revision += 1
        common = {
            "person_id": term.person_id,
            "position": term.position,
            "elected_on": term.elected_on,
            "role": term.role.value,
            "level": decision.level,
            "org_id": org_id,
            "unit_id": row.unit_id,
            "rule": decision.rule,
            "reason": decision.reason,
            "revision": row.revision,
        }
        if decision.outcome is Outcome.NOMINATED:
            uow.emit(OfficerNominated(**common, class_id=decision.class_id), cause=cause)
        else:
            uow.emit(OfficerNominationPending(**common), cause=cause)
    uow.session.add(row)


def _nomination_id(term: OfficerTerm) -> str:
    return f"officer-term:{term.person_id}/{term.position}/{term.elected_on}"


async def _party_affairs_classes(uow: UnitOfWork) -> list[TrainingClass]:
    rows = await uow.session.exec(select(PlanningClass).where(PlanningClass.category == PARTY_AFFAIRS))
    return [facts.class_of(row) for row in rows.all()]


async def _places_taken(uow: UnitOfWork, classes: Sequence[TrainingClass]) -> list[Enrollment]:
    """The register's enrollments in these classes, and planning's nominations the register has not shown yet."""
    enrollments = list(await facts.enrollments_in(uow.session, [c.class_id for c in classes]))
    shown = {(e.person_id, e.class_id) for e in enrollments}
    nominated = await uow.session.exec(
        select(OfficerTermRow).where(
            OfficerTermRow.outcome == Outcome.NOMINATED.value, col(OfficerTermRow.class_id).is_not(None)
        )
    )
    for row in nominated.all():
        assert row.class_id is not None
        if (row.person_id, row.class_id) not in shown:
            enrollments.append(Enrollment(_nomination_id(term_of(row)), row.class_id, row.person_id, "nominated"))
    return enrollments


async def _general_branches(uow: UnitOfWork) -> dict[str, str]:
    """Each branch's 党总支, where it has one."""
    rows = await uow.session.exec(select(PlanningOrganisation))
    organisations = {row.org_id: row for row in rows.all()}
    return {
        org.org_id: parent.org_id
        for org in organisations.values()
        if org.parent_id is not None
        and (parent := organisations.get(org.parent_id)) is not None
        and parent.kind == "general_branch"
    }
