from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.certificates.domain.completion import (
    CertificateAction,
    Completion,
    LearnerFacts,
    LedgerLine,
    certificate_action,
    credited_hours,
    decide_completion,
    supersedes,
)
from services.certificates.domain.numbers import (
    SYMBOLS,
    new_certificate_number,
    parse_certificate_number,
)


def facts(credited: str = "24", *, enrolled: bool = True, passed: bool | None = True) -> LearnerFacts:
    return LearnerFacts(
        required_hours=Decimal(24), enrolled=enrolled, credited_hours=Decimal(credited), assessment_passed=passed
    )


# ── completion (结业) ──────────────────────────────────────────────────────────────────────────────────


def test_enrolled_with_the_required_hours_and_a_passed_assessment_completes() -> None:
    assert decide_completion(facts("24")) == Completion(
        completed=True, reason="24.00 of 24.00 学时 and 结业考核 passed"
    )


def test_more_hours_than_required_also_complete() -> None:
    assert decide_completion(facts("26.5")) == Completion(
        completed=True, reason="26.50 of 24.00 学时 and 结业考核 passed"
    )


@pytest.mark.parametrize(
    ("learner", "reason"),
    [
        (facts("23.99"), "only 23.99 of 24.00 学时"),
        (facts(passed=False), "结业考核 failed"),
        (facts(passed=None), "结业考核 not yet recorded"),
        (facts(enrolled=False), "not enrolled in the class"),
        (facts("20", passed=False), "only 20.00 of 24.00 学时; 结业考核 failed"),
        (
            facts("-2", enrolled=False, passed=None),
            "not enrolled in the class; only -2.00 of 24.00 学时; 结业考核 not yet recorded",
        ),
    ],
)
def test_a_learner_who_does_not_complete_is_told_every_shortfall(learner: LearnerFacts, reason: str) -> None:
    assert decide_completion(learner) == Completion(completed=False, reason=reason)


# ── issue and revoke ──────────────────────────────────────────────────────────────────────────────────

COMPLETED = Completion(completed=True, reason="24.00 of 24.00 学时 and 结业考核 passed")
NOT_COMPLETED = Completion(completed=False, reason="only 20.00 of 24.00 学时")


@pytest.mark.parametrize(
    ("completion", "holds_valid_certificate", "action"),
    [
        (COMPLETED, False, CertificateAction.ISSUE),
        (COMPLETED, True, CertificateAction.NONE),  # never a second valid certificate
        (NOT_COMPLETED, True, CertificateAction.REVOKE),
        (NOT_COMPLETED, False, CertificateAction.NONE),
    ],
)
def test_a_learner_holds_a_valid_certificate_exactly_while_they_complete(
    completion: Completion, holds_valid_certificate: bool, action: CertificateAction
) -> None:
    assert certificate_action(completion, holds_valid_certificate=holds_valid_certificate) is action


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


# ── certificate numbers (证书编号) ─────────────────────────────────────────────────────────────────────


def test_a_number_names_the_year_and_carries_ten_random_symbols_and_two_check_symbols() -> None:
    number = new_certificate_number(2026, random.Random(7))
    prefix, rest = number.split("-")
    assert prefix == "DX2026"
    assert len(rest) == 12
    assert all(symbol in SYMBOLS for symbol in rest)
    assert parse_certificate_number(number) == number


def test_numbers_come_from_the_random_source_so_they_are_reproducible_only_with_it() -> None:
    assert new_certificate_number(2026, random.Random(7)) == new_certificate_number(2026, random.Random(7))
    generator = random.Random(7)
    numbers = {new_certificate_number(2026, generator) for _ in range(10_000)}
    assert len(numbers) == 10_000


def test_a_typed_number_is_read_like_crockford_base32_case_and_lookalikes_forgiven() -> None:
    number = new_certificate_number(2026, random.Random(11))
    assert parse_certificate_number(number.lower()) == number
    assert parse_certificate_number(f"  {number[:10]} {number[10:]} ") == number
    assert parse_certificate_number(number.replace("-", "")) == number
    zeros_and_ones = "DX2026-0000011111" + _check_symbols_of("DX2026-0000011111")
    assert parse_certificate_number(zeros_and_ones.replace("0", "O").replace("1", "l", 2).replace("1", "I")) == (
        zeros_and_ones
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "DX2026",
        "XX2026-000000000000",
        "DX26-000000000000",
        "DX2026-00000000U000",
        "DX2026-00000000000",
        "DX2026-0000000000000",
    ],
)
def test_what_cannot_be_a_certificate_number_is_refused(text: str) -> None:
    assert parse_certificate_number(text) is None


def test_the_check_symbols_catch_every_single_typo_and_every_swap_of_neighbours() -> None:
    generator = random.Random(2026)
    for _ in range(200):
        number = new_certificate_number(generator.randrange(2000, 2100), generator)
        body = number.replace("-", "")[2:-2]  # year and random part: what the check symbols cover
        for position, original in enumerate(body):
            for typo in "0123456789" if position < 4 else SYMBOLS:
                if typo != original:
                    assert (
                        parse_certificate_number(_with_body(number, body[:position] + typo + body[position + 1 :]))
                        is None
                    )
        for position in range(len(body) - 1):
            swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
            if swapped != body:
                assert parse_certificate_number(_with_body(number, swapped)) is None
        for position in (-2, -1):
            for typo in SYMBOLS:
                if typo != number[position]:
                    mistyped = number[:position] + typo + (number[position + 1 :] if position == -2 else "")
                    assert parse_certificate_number(mistyped) is None


def _with_body(number: str, body: str) -> str:
    return f"DX{body[:4]}-{body[4:]}{number[-2:]}"


def _check_symbols_of(without_check: str) -> str:
    """The one pair of check symbols that makes ``without_check`` a number, found by trying them all."""
    (pair,) = [a + b for a in SYMBOLS for b in SYMBOLS if parse_certificate_number(without_check + a + b) is not None]
    return pair


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
