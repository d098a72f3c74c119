"""Who may join a class of which category (培训类别), judged by what the person was on a given day.

The requirements are data: a versioned policy names, per category (and per level of a Party-affairs class),
the political statuses and the positions that qualify. Changing who may join means a new policy version; each
decision carries the policy's name, so an enrollment always says which rule let the person in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.enrollment.domain.errors import EligibilityError, VocabularyError
from services.enrollment.domain.people import Person, as_of
from services.enrollment.domain.vocabulary import (
    Labelled,
    PartyAffairsLevel,
    PoliticalStatus,
    Position,
    TrainingCategory,
    parse,
)


@dataclass(frozen=True)
class Requirement:
    """One of ``statuses`` (any status when empty) and one of ``positions`` (no position needed when empty)."""

    statuses: frozenset[PoliticalStatus] = frozenset()
    positions: frozenset[Position] = frozenset()

    def described(self) -> str:
        parts = []
        if self.statuses:
            parts.append(" / ".join(_labels(self.statuses)))
        if self.positions:
            parts.append(" / ".join(_labels(self.positions)))
        return ", ".join(parts) if parts else "everyone"


@dataclass(frozen=True)
class EligibilityPolicy:
    name: str  # e.g. "eligibility/v1", stored with every decision
    categories: Mapping[TrainingCategory, Requirement]
    party_affairs_levels: Mapping[PartyAffairsLevel, Requirement]  # a 党务干部培训 class with a level


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    rule: str  # the policy that decided
    reason: str  # e.g. "李四 (20190002) is 发展对象 since 2025-09-01 on 2026-05-10; 发展对象培训 takes 发展对象"


_MEMBERS = frozenset({PoliticalStatus.FULL_MEMBER, PoliticalStatus.PROBATIONARY_MEMBER})
# Branch and general-branch officers are elected, and a 预备党员 can neither vote nor stand for election.
_FULL_MEMBERS = frozenset({PoliticalStatus.FULL_MEMBER})
_LEVEL_POSITIONS = {
    PartyAffairsLevel.GENERAL_BRANCH_SECRETARY: frozenset({Position.GENERAL_BRANCH_SECRETARY}),
    PartyAffairsLevel.BRANCH_SECRETARY: frozenset({Position.BRANCH_SECRETARY}),
    PartyAffairsLevel.COMMITTEE_MEMBER: frozenset(
        {Position.GENERAL_BRANCH_COMMITTEE_MEMBER, Position.BRANCH_COMMITTEE_MEMBER}
    ),
}

ELIGIBILITY_V1 = EligibilityPolicy(
    name="eligibility/v1",
    categories={
        TrainingCategory.DIVISION_CADRES: Requirement(positions=frozenset({Position.CADRE_DIVISION_AND_ABOVE})),
        TrainingCategory.PARTY_AFFAIRS: Requirement(
            statuses=_FULL_MEMBERS, positions=frozenset().union(*_LEVEL_POSITIONS.values())
        ),
        TrainingCategory.YOUNG_BACKBONE: Requirement(positions=frozenset({Position.YOUNG_BACKBONE})),
        TrainingCategory.MEMBER_ROTATION: Requirement(statuses=_MEMBERS),
        TrainingCategory.ACTIVISTS: Requirement(statuses=frozenset({PoliticalStatus.ACTIVIST})),
        TrainingCategory.DEVELOPMENT_TARGETS: Requirement(statuses=frozenset({PoliticalStatus.DEVELOPMENT_TARGET})),
        TrainingCategory.DISCIPLINE_INSPECTION: Requirement(positions=frozenset({Position.DISCIPLINE_INSPECTION})),
        # 两支队伍: the united-front cadres and the non-Party representatives they work with.
        TrainingCategory.UNITED_FRONT: Requirement(
            positions=frozenset({Position.UNITED_FRONT_CADRE, Position.NON_PARTY_REPRESENTATIVE})
        ),
        # Whom the school sends elsewhere is the sending unit's choice.
        TrainingCategory.EXTERNAL_MUNICIPAL_PARTY_SCHOOL: Requirement(),
        TrainingCategory.EXTERNAL_MUNICIPAL_EDUCATION_COMMITTEE: Requirement(),
        TrainingCategory.EXTERNAL_NATIONAL_ACADEMY_ONLINE: Requirement(),
        TrainingCategory.BRANCH_STUDY: Requirement(statuses=_MEMBERS),
    },
    party_affairs_levels={
        level: Requirement(statuses=_FULL_MEMBERS, positions=positions) for level, positions in _LEVEL_POSITIONS.items()
    },
)


def judge_eligibility(
    person: Person,
    category: TrainingCategory,
    level: PartyAffairsLevel | None,
    on: date,
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> Eligibility:
    """Whether ``person`` may join a class of ``category`` (and ``level``) as they were on ``on``."""
    requirement, class_text = _requirement(policy, category, level)
    snapshot = as_of(person, on)
    who = f"{person.described()} on {on.isoformat()}"
    shortfalls = []
    facts = []
    if requirement.statuses:
        held = snapshot.status
        if held is None or held.status not in requirement.statuses:
            shortfalls.append(snapshot.status_text())
        else:
            facts.append(snapshot.status_text())
    if requirement.positions:
        matching = snapshot.positions & requirement.positions
        if matching:
            facts.append(f"holds {' / '.join(_labels(matching))}")
        elif snapshot.positions:
            shortfalls.append(f"holds {' / '.join(_labels(snapshot.positions))}, none of the qualifying positions")
        else:
            shortfalls.append("holds no position on record")
    if shortfalls:
        because = " and ".join(shortfalls)
        return Eligibility(False, policy.name, f"{who} {because}; {class_text} takes only {requirement.described()}")
    because = " and ".join(facts) if facts else "may join"
    return Eligibility(True, policy.name, f"{who} {because}; {class_text} takes {requirement.described()}")


def check_eligible(
    person: Person,
    category: TrainingCategory,
    level: PartyAffairsLevel | None,
    on: date,
    policy: EligibilityPolicy = ELIGIBILITY_V1,
) -> Eligibility:
    """The decision when the person may join; else an error whose message says why not."""
    decision = judge_eligibility(person, category, level, on, policy)
    if not decision.eligible:
        raise EligibilityError(decision.reason)
    return decision


def policy_from_data(data: Mapping[str, object]) -> EligibilityPolicy:
    """A policy from configuration, codes or labels alike::

    {"name": "eligibility/v2",
     "categories": {"development_targets": {"statuses": ["development_target"]}, …every category…},
     "party_affairs_levels": {"branch_secretary": {"statuses": ["full_member"], "positions": [...]}, …}}
    """
    name = data.get("name")
    if not isinstance(name, str) or "/v" not in name:
        raise EligibilityError(f"an eligibility policy needs a versioned name such as 'eligibility/v2', not {name!r}")
    try:
        categories = {
            parse(TrainingCategory, code): _requirement_from(rule)
            for code, rule in _mapping(data.get("categories"), "categories").items()
        }
        levels = {
            parse(PartyAffairsLevel, code): _requirement_from(rule)
            for code, rule in _mapping(data.get("party_affairs_levels"), "party_affairs_levels").items()
        }
    except VocabularyError as error:
        raise EligibilityError(f"policy {name}: {error}") from error
    for vocabulary, given in ((TrainingCategory, categories), (PartyAffairsLevel, levels)):
        missing = [member.value for member in vocabulary if member not in given]
        if missing:
            raise EligibilityError(f"policy {name} says nothing about {', '.join(missing)}: every one needs a rule")
    return EligibilityPolicy(name, categories, levels)


def _requirement(
    policy: EligibilityPolicy, category: TrainingCategory, level: PartyAffairsLevel | None
) -> tuple[Requirement, str]:
    if level is None:
        return policy.categories[category], category.label
    if category is not TrainingCategory.PARTY_AFFAIRS:
        raise EligibilityError(f"only a {TrainingCategory.PARTY_AFFAIRS.label} class has a level, not {category.label}")
    return policy.party_affairs_levels[level], f"{category.label} ({level.label})"


def _requirement_from(rule: object) -> Requirement:
    given = _mapping(rule, "a category's rule")
    unknown = set(given) - {"statuses", "positions"}
    if unknown:
        raise EligibilityError(f"a rule has statuses and positions, not {', '.join(sorted(unknown))}")
    return Requirement(
        statuses=frozenset(parse(PoliticalStatus, code) for code in _codes(given.get("statuses", []))),
        positions=frozenset(parse(Position, code) for code in _codes(given.get("positions", []))),
    )


def _mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise EligibilityError(f"{what} must be a mapping of codes, not {type(value).__name__}")
    return value


def _codes(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise EligibilityError(f"statuses and positions are lists of codes, not {value!r}")
    return value


def _labels(members: frozenset[PoliticalStatus] | frozenset[Position]) -> list[str]:
    return [member.label for member in sorted(members, key=_order)]


def _order(member: Labelled) -> int:
    return list(type(member)).index(member)
