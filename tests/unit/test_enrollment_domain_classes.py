"""Training classes and their sessions: validation, double booking, rescheduling and cancelling."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.enrollment.domain.classes import (
    ClassSession,
    CompletionCriteria,
    Phase,
    TrainingClass,
    booking_conflicts,
    cancel_session,
    class_problems,
    open_class,
    reschedule_session,
    revise_class,
    schedule_session,
    scheduled_hours,
    session_problems,
)
from services.enrollment.domain.errors import ClassError, DoubleBooking, SessionError
from services.enrollment.domain.sessions import max_hours_for, session_hours_problem
from services.enrollment.domain.vocabulary import (
    ClassDelivery,
    ClassStatus,
    PartyAffairsLevel,
    SessionStatus,
    TeachingMode,
    TrainingCategory,
)

BEIJING = timezone(timedelta(hours=8))
UNITS = frozenset({"MARX", "ADMIN", "ORG"})


def criteria(**changes: object) -> CompletionCriteria:
    base = CompletionCriteria(
        required_hours=Decimal(24),
        max_absence_share=Decimal("0.2"),
        final_assessment_required=True,
        survey_required=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def a_class(**changes: object) -> TrainingClass:
    base = TrainingClass(
        class_id="C2026-DT",
        title="2026年春季发展对象培训班",
        category=TrainingCategory.DEVELOPMENT_TARGETS,
        year=2026,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 6),
        delivery=ClassDelivery.ON_SITE,
        capacity=30,
        organiser="ORG",
        criteria=criteria(),
        place="国权路校区 党校教室",
        managers=("20150001",),
        unit_quotas={"MARX": 5, "ADMIN": 3},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def a_session(session_id: str = "S1", **changes: object) -> ClassSession:
    base = ClassSession(
        session_id=session_id,
        class_id="C2026-DT",
        title="学习贯彻党的二十大精神",
        mode=TeachingMode.LECTURE,
        starts_at=at(2, 9),
        ends_at=at(2, 12),
        hours=Decimal(4),
        teachers=("T-WANG",),
        course_id="COURSE-20TH",
        place="党校教室",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ── the 学时 a session may be worth (moved here from the old domain module) ──────────────────────────────


@pytest.mark.parametrize(("minutes", "expected"), [(45, "1"), (46, "1.5"), (180, "4"), (181, "4.5")])
def test_a_session_is_worth_at_most_its_periods_rounded_up_to_a_half(minutes: int, expected: str) -> None:
    assert max_hours_for(minutes) == Decimal(expected)
    assert session_hours_problem(minutes, Decimal(expected)) is None
    assert session_hours_problem(minutes, Decimal(expected) + Decimal("0.5")) is not None


# ── classes ─────────────────────────────────────────────────────────────────────────────────────────────


def test_a_valid_class_opens_at_version_one() -> None:
    opened = open_class(a_class(version=7), UNITS)
    assert opened.version == 1
    assert class_problems(opened) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": " "}, "a class needs a title"),
        ({"class_id": ""}, "a class needs an id"),
        ({"last_day": date(2026, 3, 1)}, "the class ends (2026-03-01) before it begins (2026-03-02)"),
        ({"year": 2025}, "year 2025 is neither the year the class begins nor the year it ends"),
        ({"level": PartyAffairsLevel.BRANCH_SECRETARY}, "only a 党务干部培训 class has a level, not 发展对象培训"),
        ({"last_day": None}, "give both the first and the last day of the class, or neither while it is planned"),
        ({"capacity": 0}, "capacity must be at least 1, not 0"),
        ({"organiser": " "}, "the organiser (主办单位) must not be blank"),
        ({"crediting_rule": "tolerance"}, "crediting rule 'tolerance' is not a rule name"),
        ({"crediting_rule": "session-tolerance/v0"}, "crediting rule 'session-tolerance/v0' is not a rule name"),
        ({"managers": ("20150001", "20150001")}, "class managers (跟班管理人员) must be distinct and non-blank"),
        ({"unit_quotas": {"MARX": 0}}, "quota for unit MARX must be at least 1, not 0"),
        ({"criteria": criteria(required_hours=Decimal(0))}, "required 学时 must be a positive multiple of 0.5, not 0"),
        ({"criteria": criteria(required_hours=Decimal("24.3"))}, "required 学时 must be a positive multiple of 0.5"),
        ({"criteria": criteria(max_absence_share=Decimal(1))}, "from 0 up to, not including, 1, not 1"),
        ({"criteria": criteria(max_absence_share=Decimal("-0.1"))}, "not -0.1"),
    ],
)
def test_an_invalid_class_is_refused_naming_the_problem(changes: dict[str, object], problem: str) -> None:
    assert problem in "; ".join(class_problems(a_class(**changes)))
    with pytest.raises(ClassError, match=re.escape(problem)):
        open_class(a_class(**changes), UNITS)


def test_criteria_on_their_bounds_are_accepted() -> None:
    assert class_problems(a_class(criteria=criteria(required_hours=Decimal("0.5"), max_absence_share=Decimal(0)))) == []
    assert class_problems(a_class(criteria=criteria(max_absence_share=Decimal("0.99")))) == []


def test_a_class_across_new_year_may_count_for_either_year() -> None:
    winter = a_class(first_day=date(2025, 12, 29), last_day=date(2026, 1, 9), year=2025)
    assert class_problems(winter) == []
    assert class_problems(replace(winter, year=2026)) == []
    assert class_problems(replace(winter, year=2027)) != []


def test_a_planned_class_may_lack_its_days_place_capacity_and_organiser_but_takes_no_session_yet() -> None:
    planned = a_class(first_day=None, last_day=None, place=None, capacity=None, organiser=None, unit_quotas={})
    assert open_class(planned, frozenset()) == planned
    with pytest.raises(SessionError, match="class C2026-DT has no days yet: give it its first and last day"):
        schedule_session(a_session(), planned, [])
    with pytest.raises(ClassError, match=r"a class trained in segments .* needs its first and last day"):
        open_class(replace(planned, phases=(Phase("一", date(2026, 3, 2), date(2026, 3, 3)),)), UNITS)


def test_a_crediting_rule_is_named_with_its_version() -> None:
    assert class_problems(a_class(crediting_rule="session-tolerance/v2")) == []


def test_a_party_affairs_class_may_name_its_level() -> None:
    party_affairs = a_class(category=TrainingCategory.PARTY_AFFAIRS, level=PartyAffairsLevel.COMMITTEE_MEMBER)
    assert class_problems(party_affairs) == []


def test_a_class_refers_only_to_known_organisations_and_names_any_manager() -> None:
    with pytest.raises(ClassError, match=r"unknown organiser \(主办单位\) NOPE; unknown unit ELSEWHERE$"):
        open_class(a_class(organiser="NOPE", unit_quotas={"ELSEWHERE": 2}, managers=("99999999",)), UNITS)
    # Managers are the subjects of sign-on tokens, unknown to the register until they sign in.
    assert open_class(a_class(managers=("99999999",)), UNITS).managers == ("99999999",)


def segmented(**changes: object) -> TrainingClass:
    return a_class(
        first_day=date(2026, 3, 2),
        last_day=date(2026, 6, 30),
        phases=(
            Phase("第一阶段 集中学习", date(2026, 3, 2), date(2026, 3, 6)),
            Phase("第二阶段 实践锻炼", date(2026, 4, 1), date(2026, 5, 31)),
            Phase("第三阶段 总结考核", date(2026, 6, 29), date(2026, 6, 30)),
        ),
        **changes,
    )


def test_phases_lie_inside_the_class_without_overlapping() -> None:
    assert class_problems(segmented()) == []
    bad = replace(
        segmented(),
        phases=(
            Phase("一", date(2026, 3, 1), date(2026, 3, 6)),
            Phase("二", date(2026, 3, 6), date(2026, 3, 10)),
            Phase("三", date(2026, 4, 2), date(2026, 4, 1)),
            Phase("三", date(2026, 5, 1), date(2026, 5, 2)),
        ),
    )
    assert class_problems(bad) == [
        "phases need distinct, non-blank titles",
        "phase '一' (2026-03-01 – 2026-03-06) lies outside the class (2026-03-02 – 2026-06-30)",
        "phase '三' ends before it begins",
        "phases '一' and '二' overlap",
    ]


def revise(
    current: TrainingClass, revised: TrainingClass, *sessions: ClassSession, active: int = 0, confirmed: int = 0
):
    return revise_class(
        current,
        revised,
        known_organisations=UNITS,
        sessions=sessions,
        active_enrollments=active,
        confirmed_enrollments=confirmed,
    )


def test_capacity_may_fall_to_the_confirmed_enrollments_but_not_below() -> None:
    current = a_class(version=3)
    assert revise(current, a_class(capacity=24), active=30, confirmed=24).version == 4
    with pytest.raises(ClassError, match="capacity 23 is below the 24 confirmed enrollments"):
        revise(current, a_class(capacity=23), active=30, confirmed=24)


def test_the_category_stays_once_anyone_is_enrolled() -> None:
    current = a_class()
    activists = a_class(category=TrainingCategory.ACTIVISTS)
    assert revise(current, activists).category is TrainingCategory.ACTIVISTS
    with pytest.raises(ClassError, match="category cannot change while 1 people are enrolled"):
        revise(current, activists, active=1)


def test_the_days_stay_once_anyone_is_enrolled_and_a_cancelled_class_changes_no_more() -> None:
    current = a_class()
    undated = a_class(first_day=None, last_day=None)
    assert revise(current, undated).first_day is None
    with pytest.raises(ClassError, match="the days cannot be dropped while 2 people are enrolled"):
        revise(current, undated, active=2)
    cancelled = revise(current, a_class(status=ClassStatus.CANCELLED))
    with pytest.raises(ClassError, match="was cancelled: it changes no more"):
        revise(cancelled, a_class(status=ClassStatus.OPEN))


def test_without_a_capacity_any_number_may_be_confirmed() -> None:
    assert revise(a_class(), a_class(capacity=None), active=500, confirmed=500).capacity is None


def test_a_revision_keeps_every_scheduled_session_inside_the_class() -> None:
    current = a_class()
    later_session = a_session(starts_at=at(6, 14), ends_at=at(6, 17))
    with pytest.raises(ClassError, match="falls outside the class days \\(2026-03-02 – 2026-03-05\\)"):
        revise(current, a_class(last_day=date(2026, 3, 5)), later_session)
    cancelled = replace(later_session, status=SessionStatus.CANCELLED)
    assert revise(current, a_class(last_day=date(2026, 3, 5)), cancelled).last_day == date(2026, 3, 5)
    with pytest.raises(ClassError, match="cannot become class OTHER"):
        revise(current, a_class(class_id="OTHER"))


# ── sessions ────────────────────────────────────────────────────────────────────────────────────────────


def test_a_valid_session_is_scheduled_at_version_one() -> None:
    scheduled = schedule_session(a_session(version=9), a_class(), [])
    assert (scheduled.version, scheduled.status) == (1, SessionStatus.SCHEDULED)
    assert scheduled.duration_minutes == 180


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": ""}, "a session needs a title"),
        ({"ends_at": at(2, 9)}, "a session must end after it starts"),
        ({"hours": Decimal(5)}, "a session of 180 minutes is worth at most 4 学时"),
        ({"hours": Decimal("1.25")}, "学时 must be a positive multiple of 0.5, not 1.25"),
        ({"hours": Decimal(0)}, "学时 must be a positive multiple of 0.5, not 0"),
        ({"place": None}, "a 专题讲授 session needs a place"),
        ({"mode": TeachingMode.ON_SITE, "place": " "}, "a 现场教学 session needs a place"),
        ({"teachers": ("T-WANG", "T-WANG")}, "teachers must be distinct and non-blank"),
        ({"starts_at": at(1, 20), "ends_at": at(1, 23)}, "falls outside the class days (2026-03-02 – 2026-03-06)"),
        ({"phase": "第一阶段"}, "class C2026-DT has no phases, so no phase '第一阶段'"),
        ({"class_id": "OTHER"}, "session belongs to class OTHER, not C2026-DT"),
        ({"starts_at": datetime(2026, 3, 2, 9)}, "start and end must carry a timezone"),
    ],
)
def test_an_invalid_session_is_refused_naming_the_problem(changes: dict[str, object], problem: str) -> None:
    assert problem in "; ".join(session_problems(a_session(**changes), a_class()))
    with pytest.raises(SessionError, match=re.escape(problem)):
        schedule_session(a_session(**changes), a_class(), [])


def test_an_online_session_needs_no_place() -> None:
    assert session_problems(a_session(mode=TeachingMode.ONLINE, place=None), a_class()) == []


def test_session_days_are_judged_in_beijing_time() -> None:
    # 2026-03-06 23:00 in Beijing is 15:00 UTC: still the class's last day.
    late = a_session(starts_at=datetime(2026, 3, 6, 14, tzinfo=UTC), ends_at=datetime(2026, 3, 6, 15, tzinfo=UTC))
    assert session_problems(replace(late, hours=Decimal(1)), a_class()) == []
    # 2026-03-07 00:30 in Beijing is still 2026-03-06 in UTC: outside the class.
    after = replace(
        late, starts_at=datetime(2026, 3, 6, 16, tzinfo=UTC), ends_at=datetime(2026, 3, 6, 16, 45, tzinfo=UTC)
    )
    assert session_problems(replace(after, hours=Decimal(1)), a_class()) == [
        "it falls outside the class days (2026-03-02 – 2026-03-06)"
    ]


def test_a_class_run_elsewhere_has_no_sessions() -> None:
    elsewhere = a_class(category=TrainingCategory.EXTERNAL_MUNICIPAL_PARTY_SCHOOL)
    with pytest.raises(SessionError, match="市委党校 class is run elsewhere: its 学时 come in from outside"):
        schedule_session(a_session(), elsewhere, [])


def test_a_session_of_a_segmented_class_falls_in_its_phase() -> None:
    phase_one = "第一阶段 集中学习"
    assert session_problems(a_session(phase=phase_one), segmented()) == []
    assert session_problems(a_session(), segmented()) == [
        "a class trained in segments puts each session in one of its phases "
        "('第一阶段 集中学习', '第二阶段 实践锻炼', '第三阶段 总结考核'), not None"
    ]
    in_april = a_session(phase=phase_one, starts_at=at(1, 9, month=4), ends_at=at(1, 12, month=4))
    assert session_problems(in_april, segmented()) == [
        "it falls outside phase '第一阶段 集中学习' (2026-03-02 – 2026-03-06)"
    ]


def test_a_teacher_booked_twice_at_once_is_refused_across_classes() -> None:
    other_class = a_session(
        "X9", class_id="C2026-YB", title="青年骨干的使命", place="报告厅", starts_at=at(2, 11), ends_at=at(2, 13)
    )
    with pytest.raises(DoubleBooking) as refused:
        schedule_session(a_session(), a_class(), [other_class])
    assert (
        "teacher T-WANG already teaches '青年骨干的使命' (class C2026-YB, session X9, 2026-03-02 11:00–13:00)"
        in str(refused.value)
    )


def test_a_room_booked_twice_at_once_is_refused_whatever_its_spacing_or_case() -> None:
    other = a_session("S2", teachers=("T-LI",), place=" 党校 教室 ", starts_at=at(2, 11, 59), ends_at=at(2, 13))
    assert booking_conflicts(a_session(), [other]) == [
        "'党校教室' is already booked for '学习贯彻党的二十大精神' (class C2026-DT, session S2, 2026-03-02 11:59–13:00)"
    ]


def test_back_to_back_cancelled_and_online_sessions_do_not_clash() -> None:
    back_to_back = a_session("S2", starts_at=at(2, 12), ends_at=at(2, 14))
    cancelled = replace(a_session("S3"), status=SessionStatus.CANCELLED)
    online = a_session("S4", teachers=("T-LI",), mode=TeachingMode.ONLINE, place=None)
    assert booking_conflicts(a_session(), [back_to_back, cancelled, online]) == []
    other_online = replace(online, session_id="S5", teachers=("T-ZHAO",))
    assert booking_conflicts(other_online, [online]) == []  # neither has a room to share


def test_a_session_is_not_in_conflict_with_itself_or_with_an_existing_id() -> None:
    assert booking_conflicts(a_session(), [a_session()]) == []
    with pytest.raises(SessionError, match="session S1 already exists"):
        schedule_session(a_session(), a_class(), [a_session()])


def test_rescheduling_moves_the_session_one_version_on_and_checks_it_again() -> None:
    current = schedule_session(a_session(), a_class(), [])
    moved = reschedule_session(current, replace(current, starts_at=at(3, 9), ends_at=at(3, 12)), a_class(), [current])
    assert (moved.version, moved.starts_at) == (2, at(3, 9))
    moved_again = reschedule_session(moved, replace(moved, place="报告厅", version=1), a_class(), [moved])
    assert moved_again.version == 3  # the version only grows, whatever the revision carried
    with pytest.raises(SessionError, match="falls outside the class days"):
        reschedule_session(moved, replace(moved, starts_at=at(9, 9), ends_at=at(9, 12)), a_class(), [moved])
    busy = a_session("S2", class_id="C2026-YB", place="别处", starts_at=at(4, 10), ends_at=at(4, 11))
    with pytest.raises(DoubleBooking, match="teacher T-WANG already teaches"):
        reschedule_session(moved, replace(moved, starts_at=at(4, 9), ends_at=at(4, 12)), a_class(), [moved, busy])
    with pytest.raises(SessionError, match="cannot become another session"):
        reschedule_session(moved, replace(moved, session_id="S9"), a_class(), [moved])


def test_cancelling_is_a_state_change_with_a_reason_and_cannot_be_undone_by_rescheduling() -> None:
    current = schedule_session(a_session(), a_class(), [])
    with pytest.raises(SessionError, match="needs a reason"):
        cancel_session(current, "  ")
    cancelled = cancel_session(current, "授课教师出差")
    assert (cancelled.status, cancelled.cancel_reason, cancelled.version) == (
        SessionStatus.CANCELLED,
        "授课教师出差",
        2,
    )
    with pytest.raises(SessionError, match="is already cancelled"):
        cancel_session(cancelled, "again")
    with pytest.raises(SessionError, match="was cancelled: schedule a new one instead"):
        reschedule_session(cancelled, replace(cancelled, status=SessionStatus.SCHEDULED), a_class(), [cancelled])


def test_scheduled_hours_leave_out_cancelled_sessions() -> None:
    sessions = [a_session(), a_session("S2", hours=Decimal("2.5")), cancel_session(a_session("S3"), "停课")]
    assert scheduled_hours(sessions) == Decimal("6.5")
