"""Others' facts as they stand: corrections of the ledger, revocations, assessments, effective-dated statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.planning.domain.facts import (
    Assessment,
    CertificateChange,
    Credit,
    Held,
    Organisation,
    Person,
    PlanningError,
    Reversal,
    add_years,
    ancestors,
    percentage,
    require_money,
    standing_assessments,
    standing_credits,
    total_hours,
    valid_certificates,
)


def credit(entry_id: str, hours: str, day: date = date(2025, 3, 1)) -> Credit:
    return Credit(entry_id, "p1", day.year, Decimal(hours), day)


def test_a_reversed_credit_no_longer_stands() -> None:
    standing = standing_credits([credit("c1", "4"), credit("c2", "2")], [Reversal("r1", reverses_entry_id="c1")])
    assert [c.entry_id for c in standing] == ["c2"]


def test_a_correction_counts_only_once_its_replacing_credit_has_arrived() -> None:
    correction = Reversal("r1", reverses_entry_id="c1", replaced_by_entry_id="c3")
    before = standing_credits([credit("c1", "4")], [correction])
    after = standing_credits([credit("c1", "4"), credit("c3", "3.5")], [correction])
    assert total_hours(before) == Decimal("4.00")  # no shortfall shown in between
    assert total_hours(after) == Decimal("3.50")


def test_standing_credits_come_in_the_order_they_were_trained() -> None:
    credits = [
        credit("b", "1", date(2025, 3, 2)),
        credit("c", "1", date(2025, 3, 1)),
        credit("a", "1", date(2025, 3, 2)),
    ]
    assert [c.entry_id for c in standing_credits(credits, [])] == ["c", "a", "b"]


def test_a_certificate_stands_as_its_newest_revision_whatever_order_they_came_in() -> None:
    issued = CertificateChange("DX-1", 1, "p1", "k1", True, date(2025, 6, 1))
    revoked = CertificateChange("DX-1", 2, "p1", "k1", False, date(2025, 6, 9))
    reinstated = CertificateChange("DX-1", 3, "p1", "k1", True, date(2025, 7, 1))
    assert valid_certificates([revoked, issued]) == ()
    assert valid_certificates([reinstated, issued, revoked]) == (reinstated,)


def test_the_latest_assessment_stands_and_a_tie_goes_to_the_greater_id() -> None:
    at = datetime(2025, 6, 1, 9, tzinfo=UTC)
    first = Assessment("a1", "k1", "p1", passed=False, assessed_at=at)
    later = Assessment("a0", "k1", "p1", passed=True, assessed_at=datetime(2025, 6, 2, tzinfo=UTC))
    tie = Assessment("a2", "k1", "p1", passed=True, assessed_at=at)
    assert standing_assessments([later, first])[("p1", "k1")] is later
    assert standing_assessments([tie, first])[("p1", "k1")] is tie
    assert standing_assessments([first, tie])[("p1", "k1")] is tie


def test_a_status_holds_from_its_first_day_until_the_day_before_it_ends() -> None:
    person = Person(
        "p1",
        "张三",
        statuses=(
            Held("probationary_member", date(2024, 5, 1), date(2025, 5, 1)),
            Held("full_member", date(2025, 5, 1)),
        ),
    )
    assert person.status_on(date(2024, 4, 30)) is None
    assert person.status_on(date(2024, 5, 1)) == "probationary_member"
    assert person.status_on(date(2025, 4, 30)) == "probationary_member"
    assert person.status_on(date(2025, 5, 1)) == "full_member"
    assert person.first_held({"full_member", "probationary_member"}, date(2025, 6, 1)) == date(2024, 5, 1)


def test_a_person_who_left_the_school_is_no_longer_a_member_of_it() -> None:
    held = (Held("full_member", date(2000, 1, 1)),)
    assert Person("p1", "张三", statuses=held).is_member_on(date(2025, 1, 1))
    assert not Person("p1", "张三", statuses=held, active=False).is_member_on(date(2025, 1, 1))


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(PlanningError, match="full_member held from 2025-01-01 must end after it"):
        Held("full_member", date(2025, 1, 1), date(2025, 1, 1))


def test_ancestors_climb_the_party_tree_and_a_loop_is_refused() -> None:
    tree = {
        "B1": Organisation("B1", "branch", "支部", "G1"),
        "G1": Organisation("G1", "general_branch", "总支", "P"),
        "P": Organisation("P", "party_committee", "党委"),
    }
    assert ancestors("B1", tree) == ("G1", "P")
    looped = {**tree, "P": Organisation("P", "party_committee", "党委", "B1")}
    with pytest.raises(PlanningError, match="loops back"):
        ancestors("B1", looped)


@pytest.mark.parametrize("amount", ["-0.01", "1.005", "NaN"])
def test_money_is_yuan_to_the_cent_and_never_below_zero(amount: str) -> None:
    with pytest.raises(PlanningError, match="to the cent"):
        require_money(Decimal(amount), "the budget")


def test_money_to_the_cent_is_accepted() -> None:
    require_money(Decimal("0.00"), "the budget")
    require_money(Decimal("12000.5"), "the budget")


def test_five_years_after_29_february_is_28_february() -> None:
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_percentages_round_half_up_to_one_decimal() -> None:
    assert percentage(5, 11) == Decimal("45.5")
    assert percentage(1, 8) == Decimal("12.5")
    assert percentage(1, 16) == Decimal("6.3")  # 6.25 rounds up
    assert percentage(0, 0) is None
