"""The register's vocabularies: the codes that travel in events, each with the label the school reads.

Codes are English and stable; labels are what the school writes on a form or in a workbook. ``parse`` reads
either, so a spreadsheet may say 正式党员 where an API client says ``full_member``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self, TypeVar

from services.enrollment.domain.errors import VocabularyError


class Labelled(StrEnum):
    """A code with its Chinese label; members are declared as ``CODE = ("code", "标签")``."""

    label: str

    def __new__(cls, code: str, label: str) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def described(cls) -> str:
        """What the vocabulary is, for messages: its docstring's first line."""
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0].rstrip(".")

    @classmethod
    def accepted(cls) -> str:
        return ", ".join(f"{member.value} ({member.label})" for member in cls)


class TrainingCategory(Labelled):
    """training category (培训类别)."""

    DIVISION_CADRES = ("division_cadres", "处级干部专题培训")
    PARTY_AFFAIRS = ("party_affairs", "党务干部培训")
    YOUNG_BACKBONE = ("young_backbone", "青年骨干培训")
    MEMBER_ROTATION = ("member_rotation", "党员集中轮训")
    ACTIVISTS = ("activists", "入党积极分子培训")
    DEVELOPMENT_TARGETS = ("development_targets", "发展对象培训")
    DISCIPLINE_INSPECTION = ("discipline_inspection", "纪检监察员培训")
    UNITED_FRONT = ("united_front", '统战"两支队伍"培训')
    EXTERNAL_MUNICIPAL_PARTY_SCHOOL = ("external_municipal_party_school", "市委党校")
    EXTERNAL_MUNICIPAL_EDUCATION_COMMITTEE = ("external_municipal_education_committee", "市教卫工作党委")
    EXTERNAL_NATIONAL_ACADEMY_ONLINE = ("external_national_academy_online", "国家教育行政学院网络学习平台")
    BRANCH_STUDY = ("branch_study", "支部组织学习")

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


class PartyAffairsLevel(Labelled):
    """Party-affairs class level (党务干部培训层次)."""

    GENERAL_BRANCH_SECRETARY = ("general_branch_secretary", "总支书记")
    BRANCH_SECRETARY = ("branch_secretary", "支部书记")
    COMMITTEE_MEMBER = ("committee_member", "委员")


class TeachingMode(Labelled):
    """teaching mode (教学形式)."""

    LECTURE = ("lecture", "专题讲授")
    SEMINAR = ("seminar", "研讨式")
    CASE = ("case", "案例式")
    SCENARIO = ("scenario", "情景模拟")
    EXPERIENTIAL = ("experiential", "体验式")
    ON_SITE = ("on_site", "现场教学")
    ONLINE = ("online", "网络学习")
    PRACTICE = ("practice", "实践")


class Channel(Labelled):
    """channel (培训方式)."""

    OFFLINE = ("offline", "集中")
    ONLINE = ("online", "网络")


class PoliticalStatus(Labelled):
    """political status (政治面貌)."""

    FULL_MEMBER = ("full_member", "正式党员")
    PROBATIONARY_MEMBER = ("probationary_member", "预备党员")
    ACTIVIST = ("activist", "入党积极分子")
    DEVELOPMENT_TARGET = ("development_target", "发展对象")
    MASSES = ("masses", "群众")
    DEMOCRATIC_PARTY = ("democratic_party", "民主党派")
    NON_PARTY = ("non_party", "无党派人士")

    @property
    def is_party_member(self) -> bool:
        return self in (PoliticalStatus.FULL_MEMBER, PoliticalStatus.PROBATIONARY_MEMBER)


class Position(Labelled):
    """position (职务/身份)."""

    CADRE_DIVISION_AND_ABOVE = ("cadre_division_and_above", "县处级及以上")
    CADRE_SECTION_AND_BELOW = ("cadre_section_and_below", "乡科级及以下")
    GENERAL_BRANCH_SECRETARY = ("general_branch_secretary", "党总支书记")
    GENERAL_BRANCH_COMMITTEE_MEMBER = ("general_branch_committee_member", "党总支委员")
    BRANCH_SECRETARY = ("branch_secretary", "党支部书记")
    BRANCH_COMMITTEE_MEMBER = ("branch_committee_member", "党支部委员")
    DISCIPLINE_INSPECTION = ("discipline_inspection", "纪检委员/纪检监察干部")
    UNITED_FRONT_CADRE = ("united_front_cadre", "统战干部")
    NON_PARTY_REPRESENTATIVE = ("non_party_representative", "党外代表人士")
    YOUNG_BACKBONE = ("young_backbone", "青年骨干")


# A person holds at most one position of each of these groups at a time: a cadre has one rank.
EXCLUSIVE_POSITIONS: tuple[frozenset[Position], ...] = (
    frozenset({Position.CADRE_DIVISION_AND_ABOVE, Position.CADRE_SECTION_AND_BELOW}),
)


class PersonKind(Labelled):
    """kind of person (人员类别)."""

    STAFF = ("staff", "教职工")
    STUDENT = ("student", "学生")


class UnitKind(Labelled):
    """kind of unit (单位类别)."""

    COLLEGE = ("college", "学院")
    DEPARTMENT = ("department", "部门")
    BRANCH_SCHOOL = ("branch_school", "分校")
    AFFILIATED = ("affiliated", "直属单位")


class PartyOrganisationKind(Labelled):
    """kind of Party organisation (党组织类别)."""

    PARTY_COMMITTEE = ("party_committee", "党委")
    GENERAL_BRANCH = ("general_branch", "党总支")
    BRANCH = ("branch", "党支部")


class SessionStatus(Labelled):
    """session status (课程安排状态)."""

    SCHEDULED = ("scheduled", "已排课")
    CANCELLED = ("cancelled", "已取消")


class EnrollmentRoute(Labelled):
    """way into a class (报名方式)."""

    NOMINATION = ("nomination", "单位选派")
    APPLICATION = ("application", "个人报名")


class EnrollmentStatus(Labelled):
    """enrollment status (报名状态)."""

    NOMINATED = ("nominated", "已选派")
    APPLIED = ("applied", "已报名")
    APPROVED = ("approved", "已录取")
    REJECTED = ("rejected", "未录取")
    WAITLISTED = ("waitlisted", "候补")
    WITHDRAWN = ("withdrawn", "已退出")
    TRANSFERRED = ("transferred", "已转班")


L = TypeVar("L", bound=Labelled)


def parse(vocabulary: type[L], text: str) -> L:
    """The member whose code or label is ``text`` (surrounding blanks ignored); else an error listing them all."""
    wanted = text.strip()
    for member in vocabulary:
        if wanted in (member.value, member.label):
            return member
    raise VocabularyError(f"unknown {vocabulary.described()} {text!r}: accepted are {vocabulary.accepted()}")
