"""The rulebook: which crediting rule applies, chosen by data, effective-dated, with a class's own choice first."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.hours.domain.crediting import (
    ACTIVITY_V1,
    SESSION_TOLERANCE_V1,
    ActivityRule,
    Bracket,
    MinuteBrackets,
    PlatformCap,
    SessionRule,
    TrainingDays,
)
from services.hours.domain.rules import (
    ClassRules,
    RulebookError,
    activity_rule_for,
    class_rules,
    parse_rulebook,
    session_rule_for,
)
from shared.events.contracts.attendance import Channel

RULEBOOK_TOML = """
[rules."session-tolerance/v2"]
kind = "session"
tolerance_minutes = 20
share_without_minutes = "0"

[rules."session-lenient/v1"]
kind = "session"
tolerance_minutes = 30
share_without_minutes = 1

[rules."session-field/v1"]
kind = "session"
tolerance_minutes = 45

[rules."academy-online/v1"]
kind = "activity"
conversion = { kind = "brackets", brackets = [
    { from_minutes = 30, hours = "1" },
    { from_minutes = 15, hours = "0.5" },
    { from_minutes = 1, hours = "0.25" },
] }
yearly_caps = { "学习强国" = 20 }

[rules."external-days/v1"]
kind = "activity"
platform_hours = false
conversion = { kind = "days", step_days = "1" }

[[entries]]
rule = "session-tolerance/v1"
from = 2000-01-01
until = 2026-09-01

[[entries]]
rule = "session-tolerance/v2"
from = 2026-09-01

[[entries]]
rule = "activity/v1"
from = 2000-01-01

[[entries]]
rule = "session-lenient/v1"
from = 2026-01-01
category = "development_targets"

[[entries]]
rule = "session-field/v1"
from = 2026-01-01
teaching_mode = "on_site"

[[entries]]
rule = "academy-online/v1"
from = 2026-01-01
channel = "online"

[[entries]]
rule = "external-days/v1"
from = 2026-01-01
until = 2027-01-01
category = "external_municipal_party_school"
"""

BOOK = parse_rulebook(tomllib.loads(RULEBOOK_TOML))
TERM = date(2026, 10, 15)


def test_the_built_in_rulebook_keeps_todays_rules() -> None:
    assert session_rule_for("member_rotation", "lecture", Channel.OFFLINE, TERM) == SESSION_TOLERANCE_V1
    assert activity_rule_for(None, None, Channel.ONLINE, TERM) == ACTIVITY_V1


def test_the_built_in_rulebook_offers_the_bracket_table_and_the_day_rule_to_choose() -> None:
    chosen = ClassRules(activity="online-brackets/v1")
    brackets = activity_rule_for(None, None, Channel.ONLINE, TERM, class_rules=chosen)
    assert brackets.conversion == MinuteBrackets(
        (Bracket(30, Decimal(1)), Bracket(15, Decimal("0.5")), Bracket(1, Decimal("0.25")))
    )
    days = activity_rule_for(None, None, Channel.OFFLINE, TERM, class_rules=ClassRules(activity="training-days/v1"))
    assert days.conversion == TrainingDays()


def test_a_rulebook_reads_from_toml_with_every_setting() -> None:
    assert BOOK.rule_named("session-tolerance/v2") == SessionRule(
        "session-tolerance/v2", tolerance_minutes=20, share_without_minutes=Decimal(0)
    )
    assert BOOK.rule_named("academy-online/v1") == ActivityRule(
        "academy-online/v1",
        conversion=MinuteBrackets((Bracket(30, Decimal(1)), Bracket(15, Decimal("0.5")), Bracket(1, Decimal("0.25")))),
        caps=(PlatformCap("学习强国", Decimal(20)),),
    )
    assert BOOK.rule_named("external-days/v1") == ActivityRule(
        "external-days/v1", conversion=TrainingDays(step_days=Decimal(1)), platform_hours=False
    )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 8, 31), "session-tolerance/v1"),  # the last day of v1
        (date(2026, 9, 1), "session-tolerance/v2"),  # v2 from its first day
        (date(2030, 1, 1), "session-tolerance/v2"),
    ],
)
def test_the_default_rule_is_the_one_in_force_on_the_day(on: date, expected: str) -> None:
    assert session_rule_for("member_rotation", "lecture", Channel.OFFLINE, on, rulebook=BOOK).name == expected


@pytest.mark.parametrize(
    ("category", "mode", "channel", "on", "expected"),
    [
        ("development_targets", "lecture", Channel.OFFLINE, TERM, "session-lenient/v1"),  # a category's own rule
        ("development_targets", "on_site", Channel.OFFLINE, TERM, "session-lenient/v1"),  # category over mode
        ("member_rotation", "on_site", Channel.OFFLINE, TERM, "session-field/v1"),  # a teaching mode's own rule
        ("development_targets", "lecture", Channel.OFFLINE, date(2025, 12, 31), "session-tolerance/v1"),  # not yet
        ("activists", "seminar", Channel.ONLINE, TERM, "session-tolerance/v2"),  # channel entry is for activities
    ],
)
def test_the_most_specific_entry_in_force_wins(
    category: str, mode: str, channel: Channel, on: date, expected: str
) -> None:
    assert session_rule_for(category, mode, channel, on, rulebook=BOOK).name == expected


@pytest.mark.parametrize(
    ("category", "channel", "on", "expected"),
    [
        (None, Channel.ONLINE, TERM, "academy-online/v1"),
        (None, Channel.OFFLINE, TERM, "activity/v1"),
        ("external_municipal_party_school", Channel.ONLINE, TERM, "external-days/v1"),  # category over channel
        ("external_municipal_party_school", Channel.OFFLINE, date(2026, 12, 31), "external-days/v1"),
        ("external_municipal_party_school", Channel.OFFLINE, date(2027, 1, 1), "activity/v1"),  # until: exclusive
    ],
)
def test_activities_have_their_own_entries(category: str | None, channel: Channel, on: date, expected: str) -> None:
    assert activity_rule_for(category, None, channel, on, rulebook=BOOK).name == expected


def test_a_class_that_chose_its_own_rule_uses_it_whatever_the_entries_say() -> None:
    chosen = ClassRules(session="session-field/v1")
    assert session_rule_for(
        "development_targets", "lecture", Channel.OFFLINE, TERM, class_rules=chosen, rulebook=BOOK
    ).name == ("session-field/v1")
    # …for sessions only: its activities follow the rulebook.
    assert activity_rule_for(None, None, Channel.ONLINE, TERM, class_rules=chosen, rulebook=BOOK).name == (
        "academy-online/v1"
    )


def test_a_class_cannot_choose_a_rule_of_the_other_kind_or_one_not_defined() -> None:
    with pytest.raises(RulebookError, match="chose 'activity/v1' for sessions, but it is a rule for activities"):
        session_rule_for(None, None, Channel.OFFLINE, TERM, class_rules=ClassRules(session="activity/v1"))
    with pytest.raises(RulebookError, match="defines no rule 'session-tolerance/v7'"):
        session_rule_for(None, None, Channel.OFFLINE, TERM, class_rules=ClassRules(session="session-tolerance/v7"))


def test_a_class_names_its_rule_and_the_kind_of_rule_decides_what_it_overrides() -> None:
    assert class_rules("session-field/v1", BOOK) == ClassRules(session="session-field/v1")
    assert class_rules("academy-online/v1", BOOK) == ClassRules(activity="academy-online/v1")
    assert class_rules(None, BOOK) == ClassRules()
    with pytest.raises(RulebookError, match="defines no rule 'session-field/v2'"):
        class_rules("session-field/v2", BOOK)


def test_no_rule_before_the_first_entry() -> None:
    with pytest.raises(RulebookError, match="no session rule is in force on 1999-12-31"):
        session_rule_for(None, None, Channel.OFFLINE, date(1999, 12, 31))


def book(rules: dict[str, Any] | None = None, *entries: dict[str, Any]) -> dict[str, Any]:
    defaults = [{"rule": "session-tolerance/v1", "from": "2000-01-01"}, {"rule": "activity/v1", "from": "2000-01-01"}]
    return {"rules": rules or {}, "entries": [*defaults, *entries]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entries": []}, r"rulebook\.entries: expected at least one item"),
        (
            {"rules": {}, "entries": [{"rule": "activity/v1", "from": "2000-01-01"}]},
            "needs a default entry .* for sessions",
        ),
        (book({}, {"rule": "session-tolerance/v1", "from": "2020-01-01"}), "may not overlap in time"),
        (book({}, {"rule": "nope/v1", "from": "2020-01-01"}), r"entries\[2\]\.rule: no rule 'nope/v1' is defined"),
        (book({}, {"rule": "activity/v1", "from": "2020-13-01"}), r"entries\[2\]\.from: expected a date"),
        (book({}, {"rule": "activity/v1", "from": "2020-01-01", "until": "2020-01-01"}), "must come after from"),
        (book({}, {"rule": "activity/v1", "from": "2020-01-01", "channel": "radio"}), "channel must be one of"),
        (book({}, {"rule": "activity/v1", "from": "2020-01-01", "room": "3"}), r"entries\[2\]: unknown 'room'"),
        (book({"Tolerance 20": {"kind": "session", "tolerance_minutes": 20}}), "named like 'session-tolerance/v2'"),
        (book({"s/v2": {"kind": "lecture"}}), "kind must be 'session' or 'activity'"),
        (book({"s/v2": {"kind": "session"}}), r'rules\["s/v2"\]: missing \'tolerance_minutes\''),
        (book({"s/v2": {"kind": "session", "tolerance_minutes": "15"}}), "tolerance_minutes: expected a whole number"),
        (book({"s/v2": {"kind": "session", "tolerance_minutes": 15, "conversion": {}}}), "unknown 'conversion'"),
        (
            book({"s/v2": {"kind": "session", "tolerance_minutes": 15, "share_without_minutes": "1.5"}}),
            r'rules\["s/v2"\]: s/v2: share without minutes must be between 0 and 1',
        ),
        (
            book(
                {"a/v2": {"kind": "activity", "conversion": {"kind": "brackets", "brackets": [{"from_minutes": 30}]}}}
            ),
            r"brackets\[0\]: missing 'hours'",
        ),
        (book({"a/v2": {"kind": "activity", "conversion": {"kind": "hourly"}}}), "conversion kind must be"),
        (
            book({"a/v2": {"kind": "activity", "conversion": {"kind": "days"}, "yearly_caps": {"学习强国": "lots"}}}),
            r'yearly_caps\["学习强国"\]: expected a number',
        ),
        (
            book({"session-tolerance/v1": {"kind": "session", "tolerance_minutes": 10}}),
            "already defined differently; changing a rule means a new version",
        ),
    ],
)
def test_a_rulebook_that_cannot_be_read_says_where_and_why(data: dict[str, Any], message: str) -> None:
    with pytest.raises(RulebookError, match=message):
        parse_rulebook(data)


def test_a_known_rule_may_be_written_out_again_as_it_is() -> None:
    again = parse_rulebook(book({"session-tolerance/v1": {"kind": "session", "tolerance_minutes": 15}}))
    assert again.rule_named("session-tolerance/v1") == SESSION_TOLERANCE_V1


def test_rules_of_an_earlier_rulebook_cannot_be_redefined_in_a_later_one() -> None:
    with pytest.raises(RulebookError, match="session-field/v1 is already defined differently"):
        parse_rulebook(book({"session-field/v1": {"kind": "session", "tolerance_minutes": 10}}), known=BOOK.rules)


def test_the_same_match_may_change_rule_over_time_without_overlap() -> None:
    later = parse_rulebook(
        book(
            {"s/v2": {"kind": "session", "tolerance_minutes": 5}},
            {"rule": "s/v2", "from": "2026-01-01", "until": "2027-01-01", "category": "activists"},
            {"rule": "session-tolerance/v1", "from": "2027-01-01", "category": "activists"},
        )
    )
    assert session_rule_for("activists", None, Channel.OFFLINE, date(2026, 6, 1), rulebook=later).name == "s/v2"
    assert session_rule_for("activists", None, Channel.OFFLINE, date(2027, 6, 1), rulebook=later).name == (
        "session-tolerance/v1"
    )
