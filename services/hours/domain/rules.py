"""The rulebook: which crediting rule applies to an attendance, chosen by data.

A rulebook names its rules (each a versioned rule of ``crediting.py``) and says, in effective-dated entries, which
rule credits what: sessions or activities, optionally narrowed to a training category (培训类别), a teaching mode
(教学形式) and a channel (offline 集中 / online 网络). An entry without any of these is the default.

Choosing a rule for an attendance on a given day (Beijing time):
1. a class that names its own rule for that kind of study uses it (each class may override the default);
2. otherwise, of the entries in force that day and matching, the most specific wins — a category counts more
   than a teaching mode, a teaching mode more than a channel — so a rule for one category outranks a newer
   default. Entries with the same match may not overlap in time, so exactly one can win.

The rulebook is read from plain data (``parse_rulebook``), e.g. as TOML::

    [rules."session-tolerance/v2"]
    kind = "session"
    tolerance_minutes = 20
    share_without_minutes = "0"      # late or left early without minutes: nothing

    [[entries]]
    rule = "session-tolerance/v2"
    from = 2026-09-01

A rule already known under a name cannot be redefined differently: changing a rule means a new version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from services.hours.domain.crediting import (
    ACTIVITY_V1,
    SESSION_TOLERANCE_V1,
    ActivityRule,
    Bracket,
    Conversion,
    CreditingRuleError,
    MinuteBrackets,
    PerTrainingHour,
    PlatformCap,
    SessionRule,
    TrainingDays,
)
from services.hours.domain.periods import Period
from services.hours.domain.plain_data import Node, PlainDataError, read
from shared.events.contracts.attendance import Channel

Rule = SessionRule | ActivityRule
RULE_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*/v[1-9][0-9]*$"  # e.g. session-tolerance/v2


class RulebookError(PlainDataError):
    """A rulebook that cannot be read, or a question it cannot answer."""


class Studied(StrEnum):
    """What an attendance is for: a scheduled session, or study outside one (an activity)."""

    SESSION = "session"
    ACTIVITY = "activity"

    @property
    def plural(self) -> str:
        return "sessions" if self == Studied.SESSION else "activities"


def studied_by(rule: Rule) -> Studied:
    return Studied.SESSION if isinstance(rule, SessionRule) else Studied.ACTIVITY


@dataclass(frozen=True)
class RuleMatch:
    """What an entry applies to; ``None`` matches anything."""

    category: str | None = None
    teaching_mode: str | None = None
    channel: Channel | None = None

    def matches(self, category: str | None, teaching_mode: str | None, channel: Channel) -> bool:
        return (
            self.category in (None, category)
            and self.teaching_mode in (None, teaching_mode)
            and self.channel in (None, channel)
        )

    @property
    def specificity(self) -> tuple[bool, bool, bool]:
        """Compared as a tuple: a category outranks a teaching mode, which outranks a channel."""
        return self.category is not None, self.teaching_mode is not None, self.channel is not None

    def __str__(self) -> str:
        named = [f"{key} {value}" for key, value in vars(self).items() if value is not None]
        return ", ".join(named) or "default"


@dataclass(frozen=True)
class RulebookEntry:
    studied: Studied
    match: RuleMatch
    in_force: Period
    rule_name: str


@dataclass(frozen=True)
class ClassRules:
    """A class's own choice of rules, by name; ``None`` leaves the rulebook's choice."""

    session: str | None = None
    activity: str | None = None

    def named_for(self, studied: Studied) -> str | None:
        return self.session if studied == Studied.SESSION else self.activity


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    entries: tuple[RulebookEntry, ...]

    def rule_named(self, name: str) -> Rule:
        found = next((rule for rule in self.rules if rule.name == name), None)
        if found is None:
            raise RulebookError(f"the rulebook defines no rule {name!r}; it has {', '.join(self.names())}")
        return found

    def names(self) -> list[str]:
        return [rule.name for rule in self.rules]

    @cached_property
    def capped_platforms(self) -> frozenset[str]:
        """The platforms some rule caps: only for these must a person's yearly 学时 per platform be kept."""
        return frozenset(cap.platform for rule in self.rules if isinstance(rule, ActivityRule) for cap in rule.caps)


def class_rules(named: str | None, rulebook: Rulebook | None = None) -> ClassRules:
    """A class's own choice (``ClassChanged.crediting_rule``): a rule the rulebook defines, for sessions or for
    activities by the kind of rule it is. A name the rulebook does not define raises ``RulebookError``."""
    if named is None:
        return ClassRules()
    rule = (rulebook if rulebook is not None else DEFAULT_RULEBOOK).rule_named(named)
    return ClassRules(session=named) if isinstance(rule, SessionRule) else ClassRules(activity=named)


def session_rule_for(
    category: str | None,
    teaching_mode: str | None,
    channel: Channel,
    on_date: date,
    *,
    class_rules: ClassRules | None = None,
    rulebook: Rulebook | None = None,
) -> SessionRule:
    """The rule that credits attendance at a session of a class of ``category`` taught as ``teaching_mode``."""
    rule = _rule_for(
        Studied.SESSION,
        category=category,
        teaching_mode=teaching_mode,
        channel=channel,
        on_date=on_date,
        class_rules=class_rules,
        rulebook=rulebook,
    )
    assert isinstance(rule, SessionRule)  # _rule_for returns a rule of the kind asked for
    return rule


def activity_rule_for(
    category: str | None,
    teaching_mode: str | None,
    channel: Channel,
    on_date: date,
    *,
    class_rules: ClassRules | None = None,
    rulebook: Rulebook | None = None,
) -> ActivityRule:
    """The rule that credits study outside a session (``category`` of its class, if it belongs to one)."""
    rule = _rule_for(
        Studied.ACTIVITY,
        category=category,
        teaching_mode=teaching_mode,
        channel=channel,
        on_date=on_date,
        class_rules=class_rules,
        rulebook=rulebook,
    )
    assert isinstance(rule, ActivityRule)  # _rule_for returns a rule of the kind asked for
    return rule


def _rule_for(
    studied: Studied,
    *,
    category: str | None,
    teaching_mode: str | None,
    channel: Channel,
    on_date: date,
    class_rules: ClassRules | None,
    rulebook: Rulebook | None,
) -> Rule:
    book = rulebook if rulebook is not None else DEFAULT_RULEBOOK
    chosen_by_class = class_rules.named_for(studied) if class_rules is not None else None
    if chosen_by_class is not None:
        rule = book.rule_named(chosen_by_class)
        if studied_by(rule) != studied:
            raise RulebookError(
                f"the class chose {rule.name!r} for {studied.plural}, but it is a rule for {studied_by(rule).plural}"
            )
        return rule
    candidates = [
        entry
        for entry in book.entries
        if entry.studied == studied
        and on_date in entry.in_force
        and entry.match.matches(category, teaching_mode, channel)
    ]
    if not candidates:
        raise RulebookError(f"no {studied.value} rule is in force on {on_date}")
    return book.rule_named(max(candidates, key=lambda entry: entry.match.specificity).rule_name)


# ── Reading a rulebook from plain data ─────────────────────────────────────────────────────────────────────────

BUILT_IN_RULES: tuple[Rule, ...] = (SESSION_TOLERANCE_V1, ACTIVITY_V1)


def parse_rulebook(data: object, known: tuple[Rule, ...] = BUILT_IN_RULES) -> Rulebook:
    """Read a rulebook; ``known`` rules may be used without being defined, but not redefined differently."""
    top = read(data, "rulebook", RulebookError).fields(required={"entries"}, optional={"rules"})
    rules = {rule.name: rule for rule in known}
    rules_node = top.get("rules")
    for name, spec in rules_node.named() if rules_node is not None else []:
        rule = _parse_rule(name, spec)
        if name in rules and rules[name] != rule:
            spec.fail(f"{name} is already defined differently; changing a rule means a new version")
        rules[name] = rule
    entries = tuple(_parse_entry(node, rules) for node in top["entries"].items())
    _check_entries(entries)
    return Rulebook(rules=tuple(rules.values()), entries=entries)


def _parse_rule(name: str, spec: Node) -> Rule:
    if not re.fullmatch(RULE_NAME, name):
        spec.fail("a rule is named like 'session-tolerance/v2': lowercase words, a slash, a version")
    kind = spec.fields(required={"kind"}, optional={*_SESSION_FIELDS, *_ACTIVITY_FIELDS})["kind"].text()
    try:
        if kind == Studied.SESSION:
            return _parse_session_rule(name, spec)
        if kind == Studied.ACTIVITY:
            return _parse_activity_rule(name, spec)
    except CreditingRuleError as error:
        spec.fail(str(error))
    spec.fail(f"kind must be 'session' or 'activity', got {kind!r}")


_SESSION_FIELDS = {"tolerance_minutes", "share_without_minutes", "rounding_step"}
_ACTIVITY_FIELDS = {"conversion", "platform_hours", "yearly_caps"}


def _parse_session_rule(name: str, spec: Node) -> SessionRule:
    fields = spec.fields(required={"kind", "tolerance_minutes"}, optional=_SESSION_FIELDS)
    optional: dict[str, Any] = {}
    if (share := fields.get("share_without_minutes")) is not None:
        optional["share_without_minutes"] = share.decimal()
    if (step := fields.get("rounding_step")) is not None:
        optional["rounding_step"] = step.decimal()
    return SessionRule(name=name, tolerance_minutes=fields["tolerance_minutes"].integer(), **optional)


def _parse_activity_rule(name: str, spec: Node) -> ActivityRule:
    fields = spec.fields(required={"kind", "conversion"}, optional=_ACTIVITY_FIELDS)
    platform_hours = fields.get("platform_hours")
    caps = fields.get("yearly_caps")
    return ActivityRule(
        name=name,
        conversion=_parse_conversion(fields["conversion"]),
        platform_hours=platform_hours.flag() if platform_hours is not None else True,
        caps=tuple(PlatformCap(platform, hours.decimal()) for platform, hours in caps.named())
        if caps is not None
        else (),
    )


def _parse_conversion(spec: Node) -> Conversion:
    kind = spec.fields(
        required={"kind"}, optional={"minutes_per_hour", "rounding_step", "brackets", "minutes_per_day", "step_days"}
    )["kind"].text()
    if kind == "per-hour":
        fields = spec.fields(required={"kind"}, optional={"minutes_per_hour", "rounding_step"})
        optional: dict[str, Any] = {}
        if (minutes := fields.get("minutes_per_hour")) is not None:
            optional["minutes_per_hour"] = minutes.integer(minimum=1)
        if (step := fields.get("rounding_step")) is not None:
            optional["rounding_step"] = step.decimal()
        return PerTrainingHour(**optional)
    if kind == "brackets":
        brackets = spec.fields(required={"kind", "brackets"})["brackets"].items()
        return MinuteBrackets(tuple(_parse_bracket(bracket) for bracket in brackets))
    if kind == "days":
        fields = spec.fields(required={"kind"}, optional={"minutes_per_day", "step_days"})
        optional = {}
        if (minutes := fields.get("minutes_per_day")) is not None:
            optional["minutes_per_day"] = minutes.integer(minimum=1)
        if (step := fields.get("step_days")) is not None:
            optional["step_days"] = step.decimal()
        return TrainingDays(**optional)
    spec.fail(f"conversion kind must be 'per-hour', 'brackets' or 'days', got {kind!r}")


def _parse_bracket(spec: Node) -> Bracket:
    fields = spec.fields(required={"from_minutes", "hours"})
    return Bracket(from_minutes=fields["from_minutes"].integer(), hours=fields["hours"].decimal())


def _parse_entry(spec: Node, rules: dict[str, Rule]) -> RulebookEntry:
    fields = spec.fields(required={"rule", "from"}, optional={"until", "category", "teaching_mode", "channel"})
    name = fields["rule"].text()
    if name not in rules:
        fields["rule"].fail(f"no rule {name!r} is defined; known: {', '.join(rules)}")
    start = fields["from"].day()
    until = fields.get("until")
    end = until.day() if until is not None else None
    if end is not None and end <= start:
        spec.fail(f"until ({end}) must come after from ({start})")
    channel = fields.get("channel")
    if channel is not None and channel.text() not in set(Channel):
        channel.fail(f"channel must be one of {', '.join(Channel)}, got {channel.value!r}")
    category = fields.get("category")
    mode = fields.get("teaching_mode")
    return RulebookEntry(
        studied=studied_by(rules[name]),
        match=RuleMatch(
            category=category.text() if category is not None else None,
            teaching_mode=mode.text() if mode is not None else None,
            channel=Channel(channel.text()) if channel is not None else None,
        ),
        in_force=Period(start, end),
        rule_name=name,
    )


def _check_entries(entries: tuple[RulebookEntry, ...]) -> None:
    for index, entry in enumerate(entries):
        for other in entries[index + 1 :]:
            if (entry.studied, entry.match) == (other.studied, other.match) and entry.in_force.overlaps(other.in_force):
                raise RulebookError(
                    f"entries[{index}] ({entry.rule_name}, {entry.in_force}) and {other.rule_name} "
                    f"({other.in_force}) both apply to {entry.studied.plural}, {entry.match}; "
                    "entries with the same match may not overlap in time"
                )
    for studied in Studied:
        if not any(entry.studied == studied and entry.match == RuleMatch() for entry in entries):
            raise RulebookError(
                f"the rulebook needs a default entry (no category, mode or channel) for {studied.plural}"
            )


# ── The built-in rulebook ──────────────────────────────────────────────────────────────────────────────────────

LEDGER_BEGINS = "2000-01-01"  # before any attendance the school will record

DEFAULT_RULEBOOK_DATA: dict[str, Any] = {
    "rules": {
        # Some online platforms credit per course or video by brackets of minutes.
        "online-brackets/v1": {
            "kind": "activity",
            "conversion": {
                "kind": "brackets",
                "brackets": [
                    {"from_minutes": 30, "hours": "1"},
                    {"from_minutes": 15, "hours": "0.5"},
                    {"from_minutes": 1, "hours": "0.25"},
                ],
            },
        },
        # Classes run elsewhere that count in days (3 days = 24 学时), by the half day.
        "training-days/v1": {"kind": "activity", "conversion": {"kind": "days"}},
    },
    "entries": [
        # Today's behaviour stays the default until the school chooses otherwise.
        {"rule": SESSION_TOLERANCE_V1.name, "from": LEDGER_BEGINS},
        {"rule": ACTIVITY_V1.name, "from": LEDGER_BEGINS},
    ],
}
DEFAULT_RULEBOOK = parse_rulebook(DEFAULT_RULEBOOK_DATA)
