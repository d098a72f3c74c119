"""Cultivation records (培养考察) of activists (入党积极分子) and development targets (发展对象).

The record a branch keeps of one person: the training they took and its 学时, social practice, volunteer service
and talks (谈心谈话) with who vouched for them (培养联系人); and a readiness view, as of a day, saying which of the
versioned rule's conditions are met and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.planning.domain.facts import (
    CENT,
    CertificateChange,
    Credit,
    Person,
    PlanningError,
    TrainingClass,
    add_years,
    counted,
    hours_text,
    valid_certificates,
)
from shared.vocabulary import category_label

ACTIVIST = "activist"  # 入党积极分子
DEVELOPMENT_TARGET = "development_target"  # 发展对象


class ActivityKind(StrEnum):
    SOCIAL_PRACTICE = "social_practice"  # 社会实践
    VOLUNTEER_SERVICE = "volunteer_service"  # 志愿服务


@dataclass(frozen=True)
class PracticeActivity:
    """Social practice or volunteer service, as the branch records it."""

    kind: ActivityKind
    on: date
    description: str
    duration_hours: Decimal | None = None  # clock hours of service, not 学时

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise PlanningError(f"a {self.kind.value} on {self.on} needs a description")


@dataclass(frozen=True)
class Talk:
    """A talk (谈心谈话) with the person, and the 培养联系人 who held it and vouches for what it says."""

    on: date
    content: str
    contact_id: str

    def __post_init__(self) -> None:
        if not self.content.strip():
            raise PlanningError(f"the talk of {self.on} needs its content")
        if not self.contact_id.strip():
            raise PlanningError(f"the talk of {self.on} needs the 培养联系人 who held it")


@dataclass(frozen=True)
class TrainingLine:
    """One class in the record, or the study of one category outside any class, with the 学时 that stand for it."""

    class_id: str | None
    title: str
    category: str | None
    hours: Decimal
    days: tuple[date, ...]  # the days trained
    certificate_number: str | None  # a valid 结业证书 of the class, if any


@dataclass(frozen=True)
class CultivationRecord:
    person_id: str
    name: str
    branch_id: str | None
    as_of: date
    status: str | None  # political status (政治面貌) on ``as_of``
    activist_since: date | None
    development_target_since: date | None
    training: tuple[TrainingLine, ...]  # classes by id, study outside a class last
    activities: tuple[PracticeActivity, ...]  # by day
    talks: tuple[Talk, ...]  # by day
    contacts: tuple[str, ...]  # the 培养联系人 who held talks, by id


def cultivation_record(
    person: Person,
    *,
    classes: Mapping[str, TrainingClass],
    credits: Iterable[Credit],
    certificates: Iterable[CertificateChange],
    activities: Iterable[PracticeActivity],
    talks: Iterable[Talk],
    as_of: date,
) -> CultivationRecord:
    """The record as it stands on ``as_of``: ``credits`` are the person's standing credits (others' are ignored),
    ``certificates`` every issue and revocation."""
    credits = [c for c in credits if c.person_id == person.person_id and c.day <= as_of]
    held = {
        c.class_id: c.certificate_number
        for c in valid_certificates(certificates)
        if c.person_id == person.person_id and c.on <= as_of
    }
    in_classes: dict[str, list[Credit]] = {class_id: [] for class_id in held}
    outside: dict[str | None, list[Credit]] = {}
    for credit in credits:
        if credit.class_id is None:
            outside.setdefault(credit.category, []).append(credit)
        else:
            in_classes.setdefault(credit.class_id, []).append(credit)
    training = (
        *(_class_line(classes, class_id, in_classes[class_id], held.get(class_id)) for class_id in sorted(in_classes)),
        *(
            TrainingLine(None, "study outside a class", category, _hours(lines), _days(lines), None)
            for category, lines in sorted(outside.items(), key=lambda item: (item[0] is None, item[0] or ""))
        ),
    )
    talks = tuple(sorted((t for t in talks if t.on <= as_of), key=lambda t: (t.on, t.contact_id)))
    return CultivationRecord(
        person_id=person.person_id,
        name=person.name,
        branch_id=person.branch_id,
        as_of=as_of,
        status=person.status_on(as_of),
        activist_since=person.first_held({ACTIVIST}, as_of),
        development_target_since=person.first_held({DEVELOPMENT_TARGET}, as_of),
        training=training,
        activities=tuple(sorted((a for a in activities if a.on <= as_of), key=lambda a: (a.on, a.kind))),
        talks=talks,
        contacts=tuple(sorted({t.contact_id for t in talks})),
    )


def _class_line(
    classes: Mapping[str, TrainingClass], class_id: str, credits: list[Credit], certificate: str | None
) -> TrainingLine:
    training_class = classes.get(class_id)
    if training_class is None:
        raise PlanningError(f"class {class_id} in the record of training is unknown to the register")
    return TrainingLine(
        class_id, training_class.title, training_class.category, _hours(credits), _days(credits), certificate
    )


def _hours(credits: Iterable[Credit]) -> Decimal:
    return sum((c.hours for c in credits), Decimal(0)).quantize(CENT)


def _days(credits: Iterable[Credit]) -> tuple[date, ...]:
    return tuple(sorted({c.day for c in credits}))


# ── readiness ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ReadinessRule:
    name: str
    activist_years: int  # an activist is cultivated this long before being listed as a development target
    activist_training: str  # the category whose class, completed, is the activist training
    development_training: str  # the category of the development-target training
    development_min_hours: Decimal  # …met by this many 学时
    development_min_days: int  # …or by this many days of it
    talk_within_days: int  # a talk with a 培养联系人 no longer ago than this


# 《中国共产党发展党员工作细则》: an activist is cultivated for more than a year; a development target's training is
# not less than three days or 24 学时; the branch looks at each applicant every half year.
CULTIVATION_READINESS_V1 = ReadinessRule(
    name="cultivation-readiness/v1",
    activist_years=1,
    activist_training="activists",
    development_training="development_targets",
    development_min_hours=Decimal(24),
    development_min_days=3,
    talk_within_days=183,
)


@dataclass(frozen=True)
class Check:
    condition: str  # what the rule asks, e.g. "发展对象培训 ≥ 24 学时 or 3 days"
    met: bool
    reason: str


@dataclass(frozen=True)
class Readiness:
    """Whether an activist is ready to be listed as a development target, or a development target to be admitted
    (接收预备党员), as far as training and cultivation go."""

    person_id: str
    stage: str  # activist or development_target on ``as_of``
    ready: bool
    rule: str
    checks: tuple[Check, ...]


def readiness(record: CultivationRecord, rule: ReadinessRule = CULTIVATION_READINESS_V1) -> Readiness:
    """How ready the person is on the day of the record, by the conditions of the stage they are at then."""
    stage = record.status
    if stage == ACTIVIST:
        checks = (
            _activist_period(record, rule),
            _activist_training(record, rule),
            _recent_talk(record, rule),
        )
    elif stage == DEVELOPMENT_TARGET:
        checks = (
            _activist_training(record, rule),
            _development_training(record, rule),
            _recent_talk(record, rule),
        )
    else:
        raise PlanningError(f"{record.person_id} is neither an activist nor a development target on {record.as_of}")
    return Readiness(record.person_id, stage, all(c.met for c in checks), rule.name, checks)


def _activist_period(record: CultivationRecord, rule: ReadinessRule) -> Check:
    period = counted(rule.activist_years, "year")
    condition = f"入党积极分子 for at least {period}"
    since = record.activist_since
    if since is None:
        return Check(condition, False, "no day as 入党积极分子 is recorded")
    from_day = add_years(since, rule.activist_years)
    reached = "reached" if from_day <= record.as_of else "only reached"
    return Check(condition, from_day <= record.as_of, f"入党积极分子 since {since}: {period} {reached} on {from_day}")


def _activist_training(record: CultivationRecord, rule: ReadinessRule) -> Check:
    label = category_label(rule.activist_training)
    condition = f"{label} completed"
    done = [line for line in record.training if line.category == rule.activist_training and line.certificate_number]
    if done:
        line = done[0]
        return Check(condition, True, f"completed {line.class_id} {line.title} (certificate {line.certificate_number})")
    return Check(condition, False, f"no valid certificate of a {label} class")


def _development_training(record: CultivationRecord, rule: ReadinessRule) -> Check:
    label = category_label(rule.development_training)
    minimum = f"{hours_text(rule.development_min_hours)} 学时"
    condition = f"{label} ≥ {minimum} or {rule.development_min_days} days"
    lines = [line for line in record.training if line.category == rule.development_training]
    hours = sum((line.hours for line in lines), Decimal(0))
    days = len({day for line in lines for day in line.days})
    so_far = f"{label} {hours_text(hours)} 学时 on {counted(days, 'day')}"
    min_days = counted(rule.development_min_days, "day")
    if hours >= rule.development_min_hours:
        return Check(condition, True, f"{so_far}: {minimum} met")
    if days >= rule.development_min_days:
        return Check(condition, True, f"{so_far}: {min_days} met")
    return Check(condition, False, f"{so_far}: neither {minimum} nor {min_days}")


def _recent_talk(record: CultivationRecord, rule: ReadinessRule) -> Check:
    condition = f"谈心谈话 with a 培养联系人 within {rule.talk_within_days} days"
    if not record.talks:
        return Check(condition, False, "no talk recorded")
    last = record.talks[-1]
    ago = (record.as_of - last.on).days
    said = f"last talk on {last.on} with {last.contact_id}, {counted(ago, 'day')} ago"
    return Check(condition, ago <= rule.talk_within_days, said)
