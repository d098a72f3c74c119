"""The register's vocabularies: the codes that travel in events, and which codes exist.

Codes are English and stable; labels are what the school writes on a form or in a workbook, and they live in
``shared.vocabulary`` (every service prints them). ``parse`` reads either, so a spreadsheet may say 正式党员
where an API client says ``full_member``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from services.enrollment.domain.errors import VocabularyError
from shared.vocabulary import (
    CATEGORY_LABELS,
    CLASS_DELIVERY_LABELS,
    CLASS_STATUS_LABELS,
    ENROLLMENT_ROUTE_LABELS,
    ENROLLMENT_STATUS_LABELS,
    ORGANISATION_KIND_LABELS,
    PARTY_AFFAIRS_LEVEL_LABELS,
    PERSON_KIND_LABELS,
    POLITICAL_STATUS_LABELS,
    POSITION_LABELS,
    SESSION_STATUS_LABELS,
    TEACHING_MODE_LABELS,
    UNIT_KIND_LABELS,
)

_LABELS: dict[type[Labelled], Mapping[str, str]] = {}


class Labelled(StrEnum):
    """A vocabulary of codes, declared ``class X(Labelled, labels=SHARED_TABLE)``; every code needs a label."""

    def __init_subclass__(cls, labels: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unlabelled = [member.value for member in cls if labels is None or member.value not in labels]
        if unlabelled:
            raise TypeError(f"{cls.__name__}: no label for {', '.join(unlabelled)} in shared.vocabulary")
        assert labels is not None  # every member has a label, so there is a table
        _LABELS[cls] = labels

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self.value]

    @classmethod
    def described(cls) -> str:
        """What the vocabulary is, for messages: its docstring's first line."""
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0].rstrip(".")

    @classmethod
    def accepted(cls) -> str:
        return ", ".join(f"{member.value} ({member.label})" for member in cls)


class TrainingCategory(Labelled, labels=CATEGORY_LABELS):
    """training category (培训类别)."""

    DIVISION_CADRES = "division_cadres"
    PARTY_AFFAIRS = "party_affairs"
    YOUNG_BACKBONE = "young_backbone"
    MEMBER_ROTATION = "member_rotation"
    ACTIVISTS = "activists"
    DEVELOPMENT_TARGETS = "development_targets"
    DISCIPLINE_INSPECTION = "discipline_inspection"
    UNITED_FRONT = "united_front"
    EXTERNAL_MUNICIPAL_PARTY_SCHOOL = "external_municipal_party_school"
    EXTERNAL_MUNICIPAL_EDUCATION_COMMITTEE = "external_municipal_education_committee"
    EXTERNAL_NATIONAL_ACADEMY_ONLINE = "external_national_academy_online"
    BRANCH_STUDY = "branch_study"

    @property
    def runs_elsewhere(self) -> bool:
        """Classes run by others that our people are sent to: their 学时 come in from outside, not sessions."""
        return self in _RUN_ELSEWHERE


_RUN_ELSEWHERE = frozenset(
    {
        TrainingCategory.EXTERNAL_MUNICIPAL_PARTY_SCHOOL,
        TrainingCategory.EXTERNAL_MUNICIPAL_EDUCATION_COMMITTEE,
        TrainingCategory.EXTERNAL_NATIONAL_ACADEMY_ONLINE,
    }
)


class PartyAffairsLevel(Labelled, labels=PARTY_AFFAIRS_LEVEL_LABELS):
    """Party-affairs class level (党务干部培训层次)."""

    GENERAL_BRANCH_SECRETARY = "general_branch_secretary"
    BRANCH_SECRETARY = "branch_secretary"
    COMMITTEE_MEMBER = "committee_member"


class TeachingMode(Labelled, labels=TEACHING_MODE_LABELS):
    """teaching mode (教学形式)."""

    LECTURE = "lecture"
    SEMINAR = "seminar"
    CASE = "case"
    SCENARIO = "scenario"
    EXPERIENTIAL = "experiential"
    ON_SITE = "on_site"
    ONLINE = "online"
    PRACTICE = "practice"


class ClassDelivery(Labelled, labels=CLASS_DELIVERY_LABELS):
    """class delivery (办班方式)."""

    ON_SITE = "on_site"
    ONLINE = "online"
    BLENDED = "blended"


class ClassStatus(Labelled, labels=CLASS_STATUS_LABELS):
    """class status (培训班状态)."""

    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def takes_enrollments(self) -> bool:
        """Nominations and applications are taken while a class is being prepared or runs."""
        return self in (ClassStatus.PLANNED, ClassStatus.OPEN)


class PoliticalStatus(Labelled, labels=POLITICAL_STATUS_LABELS):
    """political status (政治面貌)."""

    FULL_MEMBER = "full_member"
    PROBATIONARY_MEMBER = "probationary_member"
    ACTIVIST = "activist"
    DEVELOPMENT_TARGET = "development_target"
    MASSES = "masses"
    DEMOCRATIC_PARTY = "democratic_party"
    NON_PARTY = "non_party"

    @property
    def is_party_member(self) -> bool:
        return self in (PoliticalStatus.FULL_MEMBER, PoliticalStatus.PROBATIONARY_MEMBER)


class Position(Labelled, labels=POSITION_LABELS):
    """position (职务/身份)."""

    CADRE_DIVISION_AND_ABOVE = "cadre_division_and_above"
    CADRE_SECTION_AND_BELOW = "cadre_section_and_below"
    GENERAL_BRANCH_SECRETARY = "general_branch_secretary"
    GENERAL_BRANCH_COMMITTEE_MEMBER = "general_branch_committee_member"
    BRANCH_SECRETARY = "branch_secretary"
    BRANCH_COMMITTEE_MEMBER = "branch_committee_member"
    DISCIPLINE_INSPECTION = "discipline_inspection"
    UNITED_FRONT_CADRE = "united_front_cadre"
    NON_PARTY_REPRESENTATIVE = "non_party_representative"
    YOUNG_BACKBONE = "young_backbone"


# A person holds at most one position of each of these groups at a time: a cadre has one rank.
EXCLUSIVE_POSITIONS: tuple[frozenset[Position], ...] = (
    frozenset({Position.CADRE_DIVISION_AND_ABOVE, Position.CADRE_SECTION_AND_BELOW}),
)


class PersonKind(Labelled, labels=PERSON_KIND_LABELS):
    """kind of person (人员类别)."""

    STAFF = "staff"
    STUDENT = "student"


class UnitKind(Labelled, labels=UNIT_KIND_LABELS):
    """kind of unit (单位类别)."""

    COLLEGE = "college"
    DEPARTMENT = "department"
    BRANCH_SCHOOL = "branch_school"
    AFFILIATED = "affiliated"


class PartyOrganisationKind(Labelled, labels=ORGANISATION_KIND_LABELS):
    """kind of Party organisation (党组织类别)."""

    PARTY_COMMITTEE = "party_committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"


class SessionStatus(Labelled, labels=SESSION_STATUS_LABELS):
    """session status (课程安排状态)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class EnrollmentRoute(Labelled, labels=ENROLLMENT_ROUTE_LABELS):
    """way into a class (报名方式)."""

    NOMINATION = "nomination"
    APPLICATION = "application"


class EnrollmentStatus(Labelled, labels=ENROLLMENT_STATUS_LABELS):
    """enrollment status (报名状态)."""

    NOMINATED = "nominated"
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


L = TypeVar("L", bound=Labelled)


def parse(vocabulary: type[L], text: str) -> L:
    """The member whose code or label is ``text`` (surrounding blanks ignored); else an error listing them all."""
    wanted = text.strip()
    for member in vocabulary:
        if wanted in (member.value, member.label):
            return member
    raise VocabularyError(f"unknown {vocabulary.described()} {text!r}: accepted are {vocabulary.accepted()}")
