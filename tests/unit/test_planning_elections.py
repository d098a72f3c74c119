"""Officers elected → trained: each new officer into the next Party-affairs class of their level, or pending."""

from __future__ import annotations

from datetime import date

import pytest

from services.planning.domain.elections import (
    ElectedOfficer,
    Election,
    OfficerNomination,
    OfficerTerm,
    Outcome,
    Role,
    election_of,
    new_officer_terms,
    nominate_officers,
)
from services.planning.domain.facts import Enrollment, Held, Person, PlanningError, TrainingClass

DECIDED_ON = date(2025, 5, 10)


def party_affairs(
    class_id: str, level: str, starts_on: date, capacity: int | None, status: str = "open"
) -> TrainingClass:
    return TrainingClass(
        class_id,
        f"{class_id} 党务干部培训班",
        "party_affairs",
        2025,
        starts_on,
        level=level,
        capacity=capacity,
        status=status,
    )


CLASSES = (
    party_affairs("K1", "branch_secretary", date(2025, 6, 2), 2),
    party_affairs("K2", "branch_secretary", date(2025, 9, 1), 30),
    party_affairs("K3", "committee_member", DECIDED_ON, 40),  # begins on the day of the decision: too late
    party_affairs("K4", "committee_member", date(2025, 7, 1), 1),
    party_affairs("K5", "general_branch_secretary", date(2025, 8, 1), 20, status="planned"),  # not open yet
    party_affairs("K6", "committee_member", date(2025, 10, 1), 40, status="cancelled"),
    TrainingClass("K7", "处级干部班", "division_cadres", 2025, date(2025, 6, 1), level="branch_secretary"),
)
ENROLLMENTS = (
    Enrollment("e1", "K1", "x1", "approved"),
    Enrollment("e2", "K1", "x9", "withdrawn"),  # takes no place
    Enrollment("e3", "K4", "x2", "approved"),
    Enrollment("e4", "K4", "c3", "waitlisted"),
)
BRANCH_ELECTION = Election(
    "E1",
    "B1",
    "branch",
    date(2025, 5, 8),
    (
        ElectedOfficer("c2", Role.COMMITTEE_MEMBER),
        ElectedOfficer("c3", Role.COMMITTEE_MEMBER),
        ElectedOfficer("c1", Role.COMMITTEE_MEMBER),
        ElectedOfficer("d1", Role.DEPUTY_SECRETARY),
        ElectedOfficer("s1", Role.SECRETARY),
    ),
)
ELECTED = "elected {role} of 党支部 B1 on 2025-05-08; "


def test_new_branch_officers_go_to_the_next_class_of_their_level_with_a_place_or_wait() -> None:
    decisions = nominate_officers(BRANCH_ELECTION, CLASSES, ENROLLMENTS, DECIDED_ON)
    assert [(d.person_id, d.level, d.outcome, d.class_id) for d in decisions] == [
        ("s1", "branch_secretary", Outcome.NOMINATED, "K1"),  # the last of K1's two places
        ("d1", "branch_secretary", Outcome.NOMINATED, "K2"),  # K1 is full now
        ("c1", "committee_member", Outcome.PENDING, None),  # K3 begins too soon, K4 is full
        ("c2", "committee_member", Outcome.PENDING, None),
        ("c3", "committee_member", Outcome.ALREADY_ON_THE_WAY, "K4"),
    ]
    assert [d.reason for d in decisions] == [
        ELECTED.format(role="书记")
        + "nominated for K1, the next open 支部书记 class with a place (begins 2025-06-02, place 2 of 2)",
        ELECTED.format(role="副书记")
        + "nominated for K2, the next open 支部书记 class with a place (begins 2025-09-01, place 1 of 30)",
        ELECTED.format(role="委员") + "every open 委员 class is full (K4 1 of 1): pending until a place frees",
        ELECTED.format(role="委员") + "every open 委员 class is full (K4 1 of 1): pending until a place frees",
        ELECTED.format(role="委员") + "already waitlisted for K4",
    ]
    assert {d.rule for d in decisions} == {"officer-training/v1"}


def test_a_general_branch_secretary_waits_when_no_class_of_the_level_is_open() -> None:
    election = Election("E2", "GB1", "general_branch", date(2025, 5, 8), (ElectedOfficer("g1", Role.SECRETARY),))
    [decision] = nominate_officers(election, CLASSES, ENROLLMENTS, DECIDED_ON)
    assert decision == OfficerNomination(
        "E2",
        "g1",
        Role.SECRETARY,
        "general_branch_secretary",
        Outcome.PENDING,
        None,
        "officer-training/v1",
        "elected 书记 of 党总支 GB1 on 2025-05-08; "
        "no open 总支书记 class begins after 2025-05-10: pending until one opens",
    )


def test_once_a_class_opens_the_pending_officer_is_nominated_into_it() -> None:
    election = Election("E2", "GB1", "general_branch", date(2025, 5, 8), (ElectedOfficer("g1", Role.SECRETARY),))
    opened = (*CLASSES, party_affairs("K8", "general_branch_secretary", date(2025, 11, 3), None))
    [decision] = nominate_officers(election, opened, ENROLLMENTS, date(2025, 6, 1))
    assert (decision.outcome, decision.class_id) == (Outcome.NOMINATED, "K8")
    assert decision.reason.endswith("(begins 2025-11-03, no capacity set)")


@pytest.mark.parametrize(("starts_on", "nominated"), [(date(2025, 5, 10), False), (date(2025, 5, 11), True)])
def test_only_a_class_that_begins_after_the_day_of_the_decision_is_next(starts_on: date, nominated: bool) -> None:
    election = Election("E3", "B2", "branch", date(2025, 5, 8), (ElectedOfficer("s2", Role.SECRETARY),))
    classes = [party_affairs("K9", "branch_secretary", starts_on, 10)]
    [decision] = nominate_officers(election, classes, [], DECIDED_ON)
    assert (decision.outcome is Outcome.NOMINATED) is nominated


def test_the_decision_does_not_depend_on_the_order_facts_arrive_in() -> None:
    reordered = Election("E1", "B1", "branch", date(2025, 5, 8), tuple(reversed(BRANCH_ELECTION.officers)))
    assert nominate_officers(reordered, tuple(reversed(CLASSES)), tuple(reversed(ENROLLMENTS)), DECIDED_ON) == (
        nominate_officers(BRANCH_ELECTION, CLASSES, ENROLLMENTS, DECIDED_ON)
    )


@pytest.mark.parametrize(
    ("kind", "officers", "message"),
    [
        ("unit", (ElectedOfficer("a", Role.SECRETARY),), "only a branch or general_branch elects officers"),
        ("branch", (), "elected nobody"),
        ("branch", (ElectedOfficer("a", Role.SECRETARY), ElectedOfficer("a", Role.COMMITTEE_MEMBER)), "names a more"),
    ],
)
def test_an_election_that_cannot_be_is_refused(kind: str, officers: tuple[ElectedOfficer, ...], message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        Election("E9", "B9", kind, date(2025, 5, 8), officers)


# ── new terms from the register's positions ───────────────────────────────────────────────────────────


def officer(*positions: Held, active: bool = True) -> Person:
    return Person("p1", "王五", unit_id="U1", branch_id="B1", positions=positions, active=active)


def test_an_officer_position_begun_within_a_year_is_a_new_term_with_its_organisation_kind_and_role() -> None:
    person = officer(
        Held("branch_secretary", date(2024, 5, 10)),  # exactly 365 days before: still new
        Held("general_branch_committee_member", date(2025, 3, 1)),
        Held("young_backbone", date(2025, 3, 1)),  # not an officer position
    )

    terms = new_officer_terms(person, DECIDED_ON)

    assert terms == (
        OfficerTerm("p1", "branch_secretary", "branch", Role.SECRETARY, date(2024, 5, 10)),
        OfficerTerm("p1", "general_branch_committee_member", "general_branch", Role.COMMITTEE_MEMBER, date(2025, 3, 1)),
    )


@pytest.mark.parametrize(
    ("position", "why"),
    [
        (Held("branch_secretary", date(2024, 5, 9)), "366 days before: not new (a school's first import)"),
        (Held("branch_secretary", date(2025, 1, 1), date(2025, 5, 10)), "ended on the day: no longer held"),
        (Held("branch_committee_member", date(2025, 5, 11)), "begins tomorrow: not held yet"),
    ],
)
def test_a_term_is_not_new_when_long_begun_over_or_not_yet_begun(position: Held, why: str) -> None:
    assert new_officer_terms(officer(position), DECIDED_ON) == (), why


def test_a_person_who_left_the_school_has_no_new_terms() -> None:
    assert new_officer_terms(officer(Held("branch_secretary", date(2025, 5, 1)), active=False), DECIDED_ON) == ()


def test_a_term_decides_as_an_election_of_one_officer() -> None:
    term = OfficerTerm("c1", "branch_secretary", "branch", Role.SECRETARY, date(2025, 5, 8))

    [decision] = nominate_officers(election_of(term, "B1"), CLASSES, ENROLLMENTS, DECIDED_ON)

    assert (decision.election_id, decision.outcome, decision.class_id) == (
        "c1/branch_secretary/2025-05-08",
        Outcome.NOMINATED,
        "K1",
    )
    assert decision.reason.startswith("elected 书记 of 党支部 B1 on 2025-05-08; nominated for K1")
