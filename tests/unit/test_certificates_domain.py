from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from services.certificates.domain.completion import (
    COMPLETION_RULE,
    Assessment,
    CertificateAction,
    CertificateDecision,
    Completion,
    CompletionCriteria,
    CompletionError,
    Criterion,
    CriterionResult,
    Enrollment,
    HeldCertificate,
    LearnerFacts,
    LedgerLine,
    OnRecovery,
    ScheduledSession,
    credited_hours,
    decide_certificate,
    describe_criteria,
    judge_completion,
    supersedes,
)
from services.certificates.domain.numbers import (
    SYMBOLS,
    DocumentNumber,
    NumberError,
    NumberKind,
    certificate_number,
    hours_statement_number,
    parse_number,
)
from services.certificates.domain.statements import (
    AnnualHoursStatement,
    HoursLine,
    RequirementStanding,
    StatementError,
    annual_statement,
)
from services.certificates.domain.verification import (
    IssuedDocument,
    PublicVerification,
    VerificationError,
    VerificationStatus,
    mask_name,
    mistyped,
    public_verification,
)

SECRET = b"a server secret of thirty-two bytes or more, for tests only"

# A class of twelve 2-学时 sessions (24 scheduled 学时) that requires 24 学时, allows missing a tenth of the
# scheduled 学时 (2.4), a passed 结业考核 and the after-class survey.
CRITERIA = CompletionCriteria(
    required_hours=Decimal(24), max_absence_share=Decimal("0.1"), assessment_required=True, survey_required=True
)


def sessions(*attendance: str | None) -> tuple[ScheduledSession, ...]:
    """Twelve 2-学时 sessions, the first ones attended as given, the rest present."""
    statuses = [*attendance, *["present"] * (12 - len(attendance))]
    return tuple(ScheduledSession(f"s{i}", Decimal(2), status) for i, status in enumerate(statuses, 1))


PASSED = Assessment(passed=True, grade="良好")


def facts(
    credited: str = "24",
    *,
    enrollment: Enrollment = Enrollment.ENROLLED,
    attended: tuple[ScheduledSession, ...] = sessions(),
    assessment: Assessment | None = PASSED,
    survey_answered: bool = True,
) -> LearnerFacts:
    return LearnerFacts(enrollment, Decimal(credited), attended, assessment, survey_answered)


def met(learner: LearnerFacts, criterion: Criterion, criteria: CompletionCriteria = CRITERIA) -> CriterionResult:
    (result,) = [r for r in judge_completion(criteria, learner).results if r.criterion is criterion]
    return result


# ── completion (结业) by the class's criteria ────────────────────────────────────────────────────────


def test_a_learner_who_meets_every_criterion_completes_and_is_told_every_figure() -> None:
    completion = judge_completion(CRITERIA, facts("24", attended=sessions("absent")))
    assert completion.completed
    assert completion.rule == COMPLETION_RULE
    assert completion.reason == (
        "enrolled; 24 of 24 学时; absent 1 of 12 sessions (2 of 24 scheduled 学时, within the 10% allowed); "
        "结业考核 良好; survey answered"
    )
    assert completion.shortfalls == ""


def test_every_criterion_not_met_is_named_with_its_figures() -> None:
    completion = judge_completion(
        CRITERIA,
        facts(
            "22.5",
            enrollment=Enrollment.WITHDRAWN,
            attended=sessions("absent", "excused"),
            assessment=Assessment(passed=False, grade="不合格"),
            survey_answered=False,
        ),
    )
    assert not completion.completed
    assert completion.shortfalls == (
        "withdrawn from the class; 22.5 of 24 学时; "
        "absent 2 of 12 sessions (4 of 24 scheduled 学时, more than the 10% allowed); "
        "结业考核 不合格 (not passed); survey not answered"
    )


@pytest.mark.parametrize(
    ("credited", "completes"),
    [("23.99", False), ("24", True), ("24.00", True), ("24.01", True)],
)
def test_hours_exactly_on_the_requirement_complete(credited: str, completes: bool) -> None:
    assert met(facts(credited), Criterion.HOURS).met is completes


@pytest.mark.parametrize(
    ("missed_hours", "within"),
    [("2.39", True), ("2.4", True), ("2.41", False)],  # 10% of 24 scheduled 学时 is 2.4
)
def test_absence_exactly_on_the_limit_is_within_it(missed_hours: str, within: bool) -> None:
    missed = Decimal(missed_hours)
    attended = (ScheduledSession("missed", missed, "absent"), ScheduledSession("rest", 24 - missed, "present"))
    result = met(facts(attended=attended), Criterion.ABSENCE)
    assert result.met is within
    assert result.figures.startswith(f"absent 1 of 2 sessions ({missed_hours} of 24 scheduled 学时, ")


def test_leave_counts_toward_the_absence_limit_and_lateness_does_not() -> None:
    result = met(facts(attended=sessions("excused", "late", "left_early", None)), Criterion.ABSENCE)
    assert result.figures.startswith("absent 1 of 12 sessions (2 of 24 scheduled 学时")


def test_a_class_without_sessions_has_no_absence() -> None:
    assert met(facts(attended=()), Criterion.ABSENCE).figures == (
        "absent 0 of 0 sessions (0 of 0 scheduled 学时, within the 10% allowed)"
    )


def test_no_absence_allowed_means_none() -> None:
    strict = replace(CRITERIA, max_absence_share=Decimal(0))
    assert met(facts(), Criterion.ABSENCE, strict).met
    assert not met(facts(attended=sessions("excused")), Criterion.ABSENCE, strict).met


@pytest.mark.parametrize(
    ("assessment", "passed", "figures"),
    [
        (Assessment(passed=True, grade="良好"), True, "结业考核 良好"),
        (Assessment(passed=True), True, "结业考核 passed"),
        (Assessment(passed=False), False, "结业考核 not passed"),
        (Assessment(passed=False, grade="不合格"), False, "结业考核 不合格 (not passed)"),
        (None, False, "结业考核 not yet recorded"),
    ],
)
def test_the_assessment_that_stands_must_be_passed(assessment: Assessment | None, passed: bool, figures: str) -> None:
    assert met(facts(assessment=assessment), Criterion.ASSESSMENT) == CriterionResult(
        Criterion.ASSESSMENT, passed, figures
    )


@pytest.mark.parametrize(
    ("enrollment", "figures"),
    [
        (Enrollment.ENROLLED, "enrolled"),
        (Enrollment.WITHDRAWN, "withdrawn from the class"),
        (Enrollment.NOT_ENROLLED, "not enrolled in the class"),
    ],
)
def test_only_an_enrolled_learner_completes(enrollment: Enrollment, figures: str) -> None:
    result = met(facts(enrollment=enrollment), Criterion.ENROLLED)
    assert (result.met, result.figures) == (enrollment is Enrollment.ENROLLED, figures)


def test_the_survey_counts_only_where_the_class_asks_for_it() -> None:
    assert not met(facts(survey_answered=False), Criterion.SURVEY).met
    lenient = CompletionCriteria(required_hours=Decimal(24))
    completion = judge_completion(lenient, facts(survey_answered=False, attended=sessions(*["absent"] * 12)))
    assert completion.completed
    assert [r.criterion for r in completion.results] == [Criterion.ENROLLED, Criterion.HOURS, Criterion.ASSESSMENT]


@pytest.mark.parametrize(
    ("required", "max_absence", "message"),
    [
        ("-1", None, "required 学时 cannot be negative"),
        ("24", "1.01", "between 0 and 1"),
        ("24", "-0.1", "between 0 and 1"),
    ],
)
def test_criteria_that_cannot_be_met_sensibly_are_refused(required: str, max_absence: str | None, message: str) -> None:
    with pytest.raises(CompletionError, match=message):
        CompletionCriteria(Decimal(required), None if max_absence is None else Decimal(max_absence))


# ── issue, revoke, reinstate ──────────────────────────────────────────────────────────────────────────

COMPLETES = judge_completion(CRITERIA, facts())
FALLS_SHORT = judge_completion(CRITERIA, facts("22.5"))
VALID = HeldCertificate("DX2026-AAAAAAAAAAAA", valid=True)
REVOKED = HeldCertificate("DX2026-AAAAAAAAAAAA", valid=False)


def test_completing_earns_the_first_certificate() -> None:
    decision = decide_certificate(COMPLETES, [], OnRecovery.REINSTATE)
    assert decision.action is CertificateAction.ISSUE
    assert decision.ordinal == 0
    assert decision.reason.startswith("completes: enrolled; 24 of 24 学时;")


def test_a_valid_certificate_is_revoked_with_what_falls_short() -> None:
    assert decide_certificate(FALLS_SHORT, [VALID], OnRecovery.REINSTATE) == CertificateDecision(
        CertificateAction.REVOKE, "no longer completes: 22.5 of 24 学时", VALID.number
    )


def test_completing_again_reinstates_the_same_number() -> None:
    decision = decide_certificate(COMPLETES, [REVOKED], OnRecovery.REINSTATE)
    assert (decision.action, decision.number) == (CertificateAction.REINSTATE, REVOKED.number)
    assert decision.reason.startswith("completes again: ")


def test_a_class_that_reissues_issues_a_new_certificate_counting_the_earlier_ones() -> None:
    earlier = [HeldCertificate("DX2026-AAAAAAAAAAAA", False), HeldCertificate("DX2026-BBBBBBBBBBBB", False)]
    decision = decide_certificate(COMPLETES, earlier, OnRecovery.REISSUE)
    assert (decision.action, decision.ordinal) == (CertificateAction.ISSUE, 2)
    assert "rather than reinstating DX2026-BBBBBBBBBBBB" in decision.reason


def test_a_class_that_issues_no_certificate_issues_none_and_revokes_one_it_stopped_issuing() -> None:
    assert decide_certificate(COMPLETES, [], OnRecovery.REINSTATE, certifies=False) == CertificateDecision(
        CertificateAction.NONE, "the class issues no 结业证书"
    )
    assert decide_certificate(COMPLETES, [VALID], OnRecovery.REINSTATE, certifies=False) == CertificateDecision(
        CertificateAction.REVOKE, "the class issues no 结业证书 now", VALID.number
    )


@pytest.mark.parametrize(
    ("completion", "held"),
    [(COMPLETES, [VALID]), (FALLS_SHORT, [REVOKED]), (FALLS_SHORT, [])],
)
def test_nothing_changes_while_the_certificate_matches_the_facts(
    completion: Completion, held: list[HeldCertificate]
) -> None:
    decision = decide_certificate(completion, held, OnRecovery.REINSTATE)
    assert decision.action is CertificateAction.NONE
    assert not decision.changes_anything


@pytest.mark.parametrize(
    "flipped",
    [
        facts("23.99"),  # hours reversed below the line
        facts(assessment=Assessment(passed=False, grade="不合格")),  # superseded by a failing assessment
        facts(enrollment=Enrollment.WITHDRAWN),
        facts(attended=sessions("absent", "excused")),  # a late record of absence past the limit
        facts(survey_answered=False),
    ],
)
def test_facts_flipping_one_step_past_any_boundary_revoke_and_flipping_back_reinstates(flipped: LearnerFacts) -> None:
    revoke = decide_certificate(judge_completion(CRITERIA, flipped), [VALID], OnRecovery.REINSTATE)
    assert (revoke.action, revoke.number) == (CertificateAction.REVOKE, VALID.number)
    reinstate = decide_certificate(judge_completion(CRITERIA, facts()), [REVOKED], OnRecovery.REINSTATE)
    assert (reinstate.action, reinstate.number) == (CertificateAction.REINSTATE, VALID.number)


def test_more_than_one_valid_certificate_is_a_broken_invariant() -> None:
    with pytest.raises(CompletionError, match="at most one valid certificate"):
        decide_certificate(COMPLETES, [VALID, HeldCertificate("DX2026-BBBBBBBBBBBB", True)], OnRecovery.REINSTATE)
    with pytest.raises(CompletionError, match="the latest"):
        decide_certificate(COMPLETES, [VALID, HeldCertificate("DX2026-BBBBBBBBBBBB", False)], OnRecovery.REINSTATE)


def test_the_later_assessment_supersedes_whatever_order_they_arrive_in() -> None:
    monday = datetime(2026, 12, 7, 2, tzinfo=UTC)
    tuesday = monday + timedelta(days=1)
    assert supersedes(monday, "a-1", None)
    assert supersedes(tuesday, "a-1", (monday, "a-2"))
    assert not supersedes(monday, "a-2", (tuesday, "a-1"))
    assert not supersedes(monday, "a-1", (monday, "a-1"))  # the same assessment again changes nothing
    # Same instant: the larger id stands, so both arrival orders settle on the same one.
    assert supersedes(monday, "a-2", (monday, "a-1"))
    assert not supersedes(monday, "a-1", (monday, "a-2"))


def test_a_correction_counts_only_once_both_its_halves_are_in() -> None:
    credit = LedgerLine("e1", Decimal(8))
    reversal = LedgerLine("e2", Decimal(-8), replaced_by_entry_id="e3")
    replacement = LedgerLine("e3", Decimal(10))
    plain_reversal = LedgerLine("e4", Decimal(-2))

    assert credited_hours([credit, reversal]) == Decimal(8)  # half a correction: as it stood
    assert credited_hours([credit, reversal, replacement]) == Decimal(10)
    assert credited_hours([credit, replacement]) == Decimal(18)  # replacement first: the reversal is still due
    assert credited_hours([credit, plain_reversal]) == Decimal(6)
    assert credited_hours([]) == Decimal(0)


# ── numbers (证书编号, 学时证明编号) ──────────────────────────────────────────────────────────────────────


def test_a_certificate_number_names_the_year_and_carries_ten_derived_symbols_and_two_check_symbols() -> None:
    number = certificate_number(SECRET, person_id="20260001", class_id="c-1", year=2026)
    prefix, rest = number.split("-")
    assert prefix == "DX2026"
    assert len(rest) == 12
    assert all(symbol in SYMBOLS for symbol in rest)
    assert parse_number(number) == DocumentNumber(NumberKind.CERTIFICATE, 2026, number)


def test_a_rebuild_derives_the_same_number_from_the_same_cause() -> None:
    first = certificate_number(SECRET, person_id="20260001", class_id="c-1", year=2026)
    assert certificate_number(SECRET, person_id="20260001", class_id="c-1", year=2026) == first
    others = {
        certificate_number(SECRET, person_id="20260002", class_id="c-1", year=2026),
        certificate_number(SECRET, person_id="20260001", class_id="c-2", year=2026),
        certificate_number(SECRET, person_id="20260001", class_id="c-1", year=2026, ordinal=1),
        certificate_number(SECRET.replace(b"a", b"b"), person_id="20260001", class_id="c-1", year=2026),
    }
    assert first not in others
    assert len(others) == 4


def test_the_parts_of_a_cause_cannot_run_into_each_other() -> None:
    assert certificate_number(SECRET, person_id="a", class_id="bc", year=2026) != certificate_number(
        SECRET, person_id="ab", class_id="c", year=2026
    )


def test_numbers_of_many_causes_are_all_different() -> None:
    numbers = {
        certificate_number(SECRET, person_id=f"p{person}", class_id=f"c{klass}", year=2026)
        for person in range(1000)
        for klass in range(10)
    }
    assert len(numbers) == 10_000


def test_an_hours_statement_has_its_own_prefix_and_the_same_check_scheme() -> None:
    number = hours_statement_number(SECRET, person_id="20260001", year=2026)
    assert number.startswith("XS2026-")
    assert parse_number(number.lower()) == DocumentNumber(NumberKind.HOURS_STATEMENT, 2026, number)
    assert hours_statement_number(SECRET, person_id="20260001", year=2026, ordinal=1) != number
    assert hours_statement_number(SECRET, person_id="20260001", year=2025) != number


@pytest.mark.parametrize(
    ("secret", "year", "ordinal", "message"),
    [
        (b"short", 2026, 0, "at least 32 bytes"),
        (SECRET, 12026, 0, "four digits"),
        (SECRET, 2026, -1, "counts from 0"),
    ],
)
def test_a_number_is_not_derived_from_a_weak_secret_or_a_bad_cause(
    secret: bytes, year: int, ordinal: int, message: str
) -> None:
    with pytest.raises(NumberError, match=message):
        certificate_number(secret, person_id="p", class_id="c", year=year, ordinal=ordinal)


def test_a_typed_number_is_read_like_crockford_base32_case_and_lookalikes_forgiven() -> None:
    number = certificate_number(SECRET, person_id="20260001", class_id="c-1", year=2026)
    assert str(parse_number(number.lower())) == number
    assert str(parse_number(f"  {number[:10]} {number[10:]} ")) == number
    assert str(parse_number(number.replace("-", ""))) == number
    zeros_and_ones = "DX2026-0000011111" + _check_symbols_of("DX2026-0000011111")
    assert str(parse_number(zeros_and_ones.replace("0", "O").replace("1", "l", 2).replace("1", "I"))) == (
        zeros_and_ones
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "DX2026",
        "XX2026-000000000000",
        "DS2026-000000000000",
        "DX26-000000000000",
        "DX2026-00000000U000",
        "DX2026-00000000000",
        "DX2026-0000000000000",
    ],
)
def test_what_cannot_be_a_number_is_refused(text: str) -> None:
    assert parse_number(text) is None


def test_the_check_symbols_catch_every_single_typo_and_every_swap_of_neighbours() -> None:
    generator = random.Random(2026)
    for _ in range(200):
        number = certificate_number(
            SECRET, person_id=str(generator.random()), class_id="c", year=generator.randrange(2000, 2100)
        )
        body = number.replace("-", "")[2:-2]  # year and random part: what the check symbols cover
        for position, original in enumerate(body):
            for typo in "0123456789" if position < 4 else SYMBOLS:
                if typo != original:
                    assert parse_number(_with_body(number, body[:position] + typo + body[position + 1 :])) is None
        for position in range(len(body) - 1):
            swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
            if swapped != body:
                assert parse_number(_with_body(number, swapped)) is None
        for position in (-2, -1):
            for typo in SYMBOLS:
                if typo != number[position]:
                    mistyped = number[:position] + typo + (number[position + 1 :] if position == -2 else "")
                    assert parse_number(mistyped) is None


def test_no_single_typo_or_swap_turns_a_certificate_number_into_a_statement_number() -> None:
    number = certificate_number(SECRET, person_id="p", class_id="c", year=2026)
    for typo in ("X" + number[1:], "DS" + number[2:], "XD" + number[2:], "S" + number[1:]):
        assert parse_number(typo) is None


def _with_body(number: str, body: str) -> str:
    return f"{number[:2]}{body[:4]}-{body[4:]}{number[-2:]}"


def _check_symbols_of(without_check: str) -> str:
    """The one pair of check symbols that makes ``without_check`` a number, found by trying them all."""
    (pair,) = [a + b for a in SYMBOLS for b in SYMBOLS if parse_number(without_check + a + b) is not None]
    return pair


# ── the criteria in words ─────────────────────────────────────────────────────────────────────────────


def test_the_criteria_narrative_states_what_the_class_declares() -> None:
    assert describe_criteria(CRITERIA) == (
        "结业条件：修满24学时；缺勤（含请假）不超过计划学时的10%；结业考核合格；完成训后问卷。"
    )
    assert (
        describe_criteria(CompletionCriteria(Decimal("16.5"), assessment_required=False)) == "结业条件：修满16.5学时。"
    )


# ── the annual 学时 statement (年度学时证明) ────────────────────────────────────────────────────────────

REQUIREMENT = RequirementStanding("党员每年集中学习培训不少于32学时", Decimal(32), True, "42.5 of 32 学时")
ISSUED_AT = datetime(2026, 12, 1, 3, tzinfo=UTC)


def statement(
    by_channel: dict[str, Decimal], by_category: dict[str, Decimal], met: bool = True
) -> AnnualHoursStatement:
    return annual_statement(
        number="XS2026-7KQ0M3XH9RV2",
        person_id="20260001",
        holder_name="张三",
        year=2026,
        by_channel=by_channel,
        by_category=by_category,
        requirements=[replace(REQUIREMENT, met=met)],
        issued_at=ISSUED_AT,
    )


def test_a_statement_shows_both_channels_each_category_and_what_no_class_earned() -> None:
    made = statement(
        {"offline": Decimal(30), "online": Decimal("12.5")},
        {"发展对象培训": Decimal(24), "党员集中轮训": Decimal(0), "处级干部专题培训": Decimal(6)},
    )
    assert made.total_hours == Decimal("42.5")
    assert made.by_channel == (HoursLine("集中学习", Decimal(30)), HoursLine("网络学习", Decimal("12.5")))
    assert made.by_category == (
        HoursLine("发展对象培训", Decimal(24)),
        HoursLine("处级干部专题培训", Decimal(6)),
        HoursLine("班级外自主学习", Decimal("12.5")),
    )
    assert made.conclusion == "2026年度累计42.5学时，已达到“党员每年集中学习培训不少于32学时”（32学时）的要求。"


def test_a_statement_of_a_year_without_online_study_still_shows_the_channel_and_says_when_short() -> None:
    made = statement({"offline": Decimal(20)}, {"发展对象培训": Decimal(20)}, met=False)
    assert made.by_channel == (HoursLine("集中学习", Decimal(20)), HoursLine("网络学习", Decimal(0)))
    assert made.by_category == (HoursLine("发展对象培训", Decimal(20)),)
    assert made.conclusion == "2026年度累计20学时，未达到“党员每年集中学习培训不少于32学时”（32学时）的要求。"


@pytest.mark.parametrize(
    ("by_channel", "by_category", "message"),
    [
        ({"classroom": Decimal(1)}, {}, "unknown channels"),
        ({"offline": Decimal(-1)}, {}, "cannot be negative"),
        ({"offline": Decimal(10)}, {"发展对象培训": Decimal("10.5")}, "more than the 10 of the channels"),
    ],
)
def test_figures_that_do_not_add_up_make_no_statement(
    by_channel: dict[str, Decimal], by_category: dict[str, Decimal], message: str
) -> None:
    with pytest.raises(StatementError, match=message):
        statement(by_channel, by_category)


# ── what the public may learn from a number (证书查验) ──────────────────────────────────────────────────

ISSUED = IssuedDocument(
    holder_name="张三",
    title="发展对象培训班（2026年第一期）",
    hours=Decimal(24),
    starts_on=date(2026, 7, 1),
    ends_on=date(2026, 7, 5),
    issued_on=date(2026, 7, 6),
)


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("欧阳修", "欧*"), (" 李 ", "李*"), ("Alice", "A*")])
def test_a_name_is_shown_as_its_first_character_and_one_asterisk(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_an_empty_name_cannot_be_masked() -> None:
    with pytest.raises(VerificationError, match="cannot be empty"):
        mask_name("  ")


def test_a_valid_certificate_shows_the_masked_name_class_hours_and_dates_and_nothing_more() -> None:
    number = parse_number(certificate_number(SECRET, person_id="p", class_id="c", year=2026).lower())
    assert number is not None
    shown = public_verification(number, ISSUED)
    assert shown == PublicVerification(
        VerificationStatus.VALID,
        number.text,
        NumberKind.CERTIFICATE,
        masked_name="张*",
        title="发展对象培训班（2026年第一期）",
        hours=Decimal(24),
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 5),
        issued_on=date(2026, 7, 6),
    )


def test_a_revoked_certificate_shows_when_and_an_unknown_number_shows_nothing() -> None:
    number = parse_number(certificate_number(SECRET, person_id="p", class_id="c", year=2026))
    assert number is not None
    revoked = public_verification(number, replace(ISSUED, revoked_on=date(2026, 8, 1)))
    assert (revoked.status, revoked.revoked_on) == (VerificationStatus.REVOKED, date(2026, 8, 1))
    assert public_verification(number, None) == PublicVerification(
        VerificationStatus.UNKNOWN, number.text, NumberKind.CERTIFICATE
    )


def test_a_mistyped_number_is_answered_without_a_lookup() -> None:
    number = certificate_number(SECRET, person_id="p", class_id="c", year=2026)
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert parse_number(typo) is None
    assert mistyped(f" {typo} ") == PublicVerification(VerificationStatus.MISTYPED, typo)


def test_a_statement_states_every_requirement_of_the_year_or_none_where_none_applies() -> None:
    both = annual_statement(
        number="XS2026-7KQ0M3XH9RV2",
        person_id="20260001",
        holder_name="张三",
        year=2026,
        by_channel={"offline": Decimal(40)},
        by_category={},
        requirements=[
            REQUIREMENT,
            RequirementStanding("处级干部每年网络学习不少于50学时", Decimal(50), False, "0 of 50 学时"),
        ],
        issued_at=ISSUED_AT,
    )
    none = annual_statement(
        number="XS2026-7KQ0M3XH9RV2",
        person_id="20260002",
        holder_name="李四",
        year=2026,
        by_channel={"offline": Decimal(20)},
        by_category={},
        requirements=[],
        issued_at=ISSUED_AT,
    )
    assert both.conclusion == (
        "2026年度累计40学时，已达到“党员每年集中学习培训不少于32学时”（32学时）的要求，"
        "未达到“处级干部每年网络学习不少于50学时”（50学时）的要求。"
    )
    assert none.conclusion == "2026年度累计20学时。"
