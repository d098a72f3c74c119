"""Officers elected → trained (换届 → 党务干部培训), without anyone remembering.

When a branch or general branch elects its officers, each new secretary and committee member is nominated for
the next open Party-affairs class of the level their office calls for, or put on the pending list with the
reason. The decision is deterministic: the same election, classes and enrollments give the same nominations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.planning.domain.facts import Enrollment, Person, PlanningError, TrainingClass
from shared.vocabulary import PARTY_AFFAIRS_LEVEL_LABELS, label

PARTY_AFFAIRS = "party_affairs"  # 党务干部培训
TAKES_A_PLACE = frozenset({"nominated", "applied", "approved"})
ON_THE_WAY_IN = TAKES_A_PLACE | {"waitlisted"}
ORGANISATION_LABELS = {"branch": "党支部", "general_branch": "党总支"}


class Role(StrEnum):
    SECRETARY = "secretary"  # 书记
    DEPUTY_SECRETARY = "deputy_secretary"  # 副书记
    COMMITTEE_MEMBER = "committee_member"  # 委员


ROLE_LABELS = {Role.SECRETARY: "书记", Role.DEPUTY_SECRETARY: "副书记", Role.COMMITTEE_MEMBER: "委员"}
ROLE_ORDER = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER)  # who gets a scarce place first


@dataclass(frozen=True)
class ElectedOfficer:
    person_id: str
    role: Role


@dataclass(frozen=True)
class Election:
    """The result of a 换届: the organisation, the day, and its new officers."""

    election_id: str
    org_id: str
    org_kind: str  # branch (党支部) or general_branch (党总支)
    held_on: date
    officers: tuple[ElectedOfficer, ...]

    def __post_init__(self) -> None:
        if self.org_kind not in ORGANISATION_LABELS:
            raise PlanningError(
                f"election {self.election_id} is of a {self.org_kind}; only a branch or general_branch elects officers"
            )
        if not self.officers:
            raise PlanningError(f"election {self.election_id} elected nobody")
        ids = [officer.person_id for officer in self.officers]
        for person_id in ids:
            if ids.count(person_id) > 1:
                raise PlanningError(f"election {self.election_id} names {person_id} more than once")


@dataclass(frozen=True)
class OfficerTrainingRule:
    """The class level (党务干部培训 level) each office calls for."""

    name: str
    levels: tuple[tuple[str, Role, str], ...]  # (organisation kind, role, class level)

    def level_for(self, org_kind: str, role: Role) -> str:
        for kind, held, level in self.levels:
            if (kind, held) == (org_kind, role):
                return level
        raise PlanningError(f"rule {self.name} names no class level for a {role.value} of a {org_kind}")


# A 副书记 stands in for the secretary, so is trained as one; every other committee member as a 委员.
OFFICER_TRAINING_V1 = OfficerTrainingRule(
    name="officer-training/v1",
    levels=(
        ("general_branch", Role.SECRETARY, "general_branch_secretary"),
        ("general_branch", Role.DEPUTY_SECRETARY, "general_branch_secretary"),
        ("general_branch", Role.COMMITTEE_MEMBER, "committee_member"),
        ("branch", Role.SECRETARY, "branch_secretary"),
        ("branch", Role.DEPUTY_SECRETARY, "branch_secretary"),
        ("branch", Role.COMMITTEE_MEMBER, "committee_member"),
    ),
)


# The register's officer positions (职务) and what each is in an election: the organisation's kind and the role.
OFFICER_POSITIONS: dict[str, tuple[str, Role]] = {
    "general_branch_secretary": ("general_branch", Role.SECRETARY),  # 党总支书记
    "general_branch_committee_member": ("general_branch", Role.COMMITTEE_MEMBER),  # 党总支委员
    "branch_secretary": ("branch", Role.SECRETARY),  # 党支部书记
    "branch_committee_member": ("branch", Role.COMMITTEE_MEMBER),  # 党支部委员
}


@dataclass(frozen=True)
class OfficerTerm:
    """An officer position the register records for a person from ``elected_on``: the result of an election."""

    person_id: str
    position: str
    org_kind: str
    role: Role
    elected_on: date


@dataclass(frozen=True)
class OfficerDetection:
    """Which officer positions are new terms to act on."""

    name: str
    recent_days: int  # a term begun longer ago than this is not new (the first import of a school's officers)


OFFICER_DETECTION_V1 = OfficerDetection("officer-detection/v1", recent_days=365)


def new_officer_terms(
    person: Person, on: date, rule: OfficerDetection = OFFICER_DETECTION_V1
) -> tuple[OfficerTerm, ...]:
    """The officer positions a person of the school holds on ``on`` and began no more than the rule's recent days
    before it, by position. Terms acted on already are the caller's to leave out: a term is known by the person,
    the position and the day it began."""
    if not person.active:
        return ()
    terms = {
        (period.code, period.since): OfficerTerm(
            person.person_id, period.code, *OFFICER_POSITIONS[period.code], period.since
        )
        for period in person.positions
        if period.code in OFFICER_POSITIONS and period.holds_on(on) and (on - period.since).days <= rule.recent_days
    }
    return tuple(terms[key] for key in sorted(terms))


def election_of(term: OfficerTerm, org_id: str) -> Election:
    """The election a term came from, as far as it concerns this officer: each officer elected with them is
    decided on their own term, as the register announces it."""
    return Election(
        election_id=f"{term.person_id}/{term.position}/{term.elected_on}",
        org_id=org_id,
        org_kind=term.org_kind,
        held_on=term.elected_on,
        officers=(ElectedOfficer(term.person_id, term.role),),
    )


class Outcome(StrEnum):
    NOMINATED = "nominated"
    PENDING = "pending"  # no open class of the level has a place: decided again when one opens or frees
    ALREADY_ON_THE_WAY = "already_on_the_way"  # already nominated, applied, approved or waitlisted for one


@dataclass(frozen=True)
class OfficerNomination:
    election_id: str
    person_id: str
    role: Role
    level: str
    outcome: Outcome
    class_id: str | None  # the class nominated for (or already on the way into); None while pending
    rule: str
    reason: str


def nominate_officers(
    election: Election,
    classes: Iterable[TrainingClass],
    enrollments: Iterable[Enrollment],
    on: date,
    rule: OfficerTrainingRule = OFFICER_TRAINING_V1,
) -> tuple[OfficerNomination, ...]:
    """Each new officer into the next open Party-affairs class of their level that begins after ``on`` and has a
    place (no capacity: no limit), secretaries first, then deputies, then members, each by id; nominations made here
    take places from those that follow."""
    enrollments = list(enrollments)
    taken: dict[str, int] = {}
    for enrollment in enrollments:
        if enrollment.status in TAKES_A_PLACE:
            taken[enrollment.class_id] = taken.get(enrollment.class_id, 0) + 1
    upcoming = sorted(
        (
            c
            for c in classes
            if c.category == PARTY_AFFAIRS and c.status == "open" and (c.starts_on is None or c.starts_on > on)
        ),
        key=lambda c: (c.starts_on is None, c.starts_on or on, c.class_id),
    )
    organisation = f"{ORGANISATION_LABELS[election.org_kind]} {election.org_id}"
    decisions: list[OfficerNomination] = []
    for officer in sorted(election.officers, key=lambda o: (ROLE_ORDER.index(o.role), o.person_id)):
        level = rule.level_for(election.org_kind, officer.role)
        of_level = [c for c in upcoming if c.level == level]
        outcome, class_id, why = _place(
            officer.person_id, level, of_level=of_level, enrollments=enrollments, taken=taken, on=on
        )
        decisions.append(
            OfficerNomination(
                election_id=election.election_id,
                person_id=officer.person_id,
                role=officer.role,
                level=level,
                outcome=outcome,
                class_id=class_id,
                rule=rule.name,
                reason=f"elected {ROLE_LABELS[officer.role]} of {organisation} on {election.held_on}; {why}",
            )
        )
    return tuple(decisions)


def _place(
    person_id: str,
    level: str,
    *,
    of_level: list[TrainingClass],
    enrollments: list[Enrollment],
    taken: dict[str, int],
    on: date,
) -> tuple[Outcome, str | None, str]:
    """Where one officer goes among the upcoming classes of their level; a nomination takes its place in ``taken``."""
    level_name = label(PARTY_AFFAIRS_LEVEL_LABELS, level)
    upcoming_ids = {c.class_id for c in of_level}
    already = next(
        (
            e
            for e in enrollments
            if e.person_id == person_id and e.status in ON_THE_WAY_IN and e.class_id in upcoming_ids
        ),
        None,
    )
    if already is not None:
        return Outcome.ALREADY_ON_THE_WAY, already.class_id, f"already {already.status} for {already.class_id}"
    if not of_level:
        return Outcome.PENDING, None, f"no open {level_name} class begins after {on}: pending until one opens"
    chosen = next((c for c in of_level if c.capacity is None or taken.get(c.class_id, 0) < c.capacity), None)
    if chosen is None:
        full = ", ".join(f"{c.class_id} {taken.get(c.class_id, 0)} of {c.capacity}" for c in of_level)
        return Outcome.PENDING, None, f"every open {level_name} class is full ({full}): pending until a place frees"
    taken[chosen.class_id] = taken.get(chosen.class_id, 0) + 1
    begins = f"begins {chosen.starts_on}" if chosen.starts_on else "date to be set"
    places = f"place {taken[chosen.class_id]} of {chosen.capacity}" if chosen.capacity else "no capacity set"
    return (
        Outcome.NOMINATED,
        chosen.class_id,
        f"nominated for {chosen.class_id}, the next open {level_name} class with a place ({begins}, {places})",
    )
