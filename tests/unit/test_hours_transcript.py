"""The 学时 transcript (学时档案): each line with reason, rule and source; totals by year, channel, category."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.hours.domain.periods import school_date
from services.hours.domain.transcript import transcript
from shared.events.contracts.attendance import Channel
from tests.unit.hours_lines import beijing, line, online, reversal

MARCH = line(date(2026, 3, 10), 4, category="member_rotation")
FIRST_TRY = line(date(2026, 5, 20), 3, category="branch_study")
CORRECTED = reversal(FIRST_TRY, recorded=beijing(date(2026, 6, 2)))
SECOND_TRY = line(date(2026, 5, 20), "3.5", category="branch_study", recorded=beijing(date(2026, 6, 2)))
ONLINE = online(date(2026, 7, 1), "1.25")
LAST_YEAR = line(date(2025, 12, 31), 8, category="development_targets", recorded=beijing(date(2026, 1, 2)))
LEDGER = [MARCH, FIRST_TRY, CORRECTED, SECOND_TRY, ONLINE, LAST_YEAR]


def test_totals_by_year_channel_and_category_follow_the_day_trained() -> None:
    record = transcript("p-1", LEDGER, as_of=date(2026, 12, 31))
    year = record.year(2026)
    assert (year.total, year.concentrated, year.online) == (Decimal("8.75"), Decimal("7.50"), Decimal("1.25"))
    assert year.by_category == {
        "branch_study": Decimal("3.50"),
        "member_rotation": Decimal("4.00"),
        None: Decimal("1.25"),
    }
    # Trained on 31 December, recorded on 2 January: it belongs to the year it was earned in.
    assert record.year(2025).total == Decimal("8.00")
    assert record.total == Decimal("16.75")


def test_every_line_keeps_its_reason_rule_and_source_in_the_order_trained() -> None:
    record = transcript("p-1", LEDGER, as_of=date(2026, 12, 31))
    assert [entry.entry_id for entry in record.entries] == [
        LAST_YEAR.entry_id,
        MARCH.entry_id,
        FIRST_TRY.entry_id,
        CORRECTED.entry_id,
        SECOND_TRY.entry_id,
        ONLINE.entry_id,
    ]
    assert {(entry.rule, entry.reason, entry.source) for entry in record.entries if entry == MARCH} == {
        ("session-tolerance/v1", "test", "urn:dangxiao:door:building-3")
    }


@pytest.mark.parametrize(
    ("as_of", "total_2026", "total_2025"),
    [
        (date(2026, 1, 1), "0", "0"),  # the December line is not recorded yet
        (date(2026, 1, 2), "0", "8"),
        (date(2026, 6, 1), "7", "8"),  # March 4 + the first try 3
        (date(2026, 6, 2), "7.5", "8"),  # corrected: 4 + 3.5
    ],
)
def test_as_of_a_day_the_transcript_holds_what_was_recorded_by_its_end(
    as_of: date, total_2026: str, total_2025: str
) -> None:
    record = transcript("p-1", LEDGER, as_of=as_of)
    assert record.year(2026).total == Decimal(total_2026)
    assert record.year(2025).total == Decimal(total_2025)


def test_a_line_recorded_half_an_hour_into_the_new_year_in_beijing_is_not_known_on_new_years_eve() -> None:
    late = line(date(2025, 12, 31), 2, recorded=datetime(2025, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 January
    assert transcript("p-1", [late], as_of=date(2025, 12, 31)).total == 0
    assert transcript("p-1", [late], as_of=date(2026, 1, 1)).year(2025).total == 2


def test_replaying_the_lines_in_any_order_gives_the_same_transcript() -> None:
    expected = transcript("p-1", LEDGER, as_of=date(2026, 12, 31))
    for seed in range(5):
        shuffled = LEDGER.copy()
        random.Random(seed).shuffle(shuffled)
        assert transcript("p-1", shuffled, as_of=date(2026, 12, 31)) == expected


def test_an_empty_year_totals_zero_in_every_column() -> None:
    year = transcript("p-1", [], as_of=date(2026, 12, 31)).year(2026)
    assert (year.total, year.concentrated, year.online, year.by_category) == (0, 0, 0, {})


def test_online_lines_count_apart_from_concentrated_ones() -> None:
    record = transcript("p-1", [online(date(2026, 2, 1), 2), line(date(2026, 2, 1), 3)], as_of=date(2026, 2, 1))
    assert (record.year(2026).online, record.year(2026).concentrated) == (2, 3)
    assert {entry.channel for entry in record.entries} == {Channel.ONLINE, Channel.OFFLINE}


def test_a_moment_without_a_time_zone_has_no_school_day() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        school_date(datetime(2026, 1, 1, 12))  # no zone: the point of the test
