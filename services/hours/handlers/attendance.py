"""Attendance into the 学时 ledger: a batch of attendances (or voids) at a time, each credited by the rule the
rulebook chooses for it and settled by the domain's rules; the requirements the posted lines count toward are
judged again as each cause is applied.

Attendance for a person or session not known yet is parked until it is (the shared projection helper's parking).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from services.hours.configuration import HoursRules
from services.hours.domain.crediting import (
    ZERO,
    ActivityRule,
    Credit,
    CreditingRuleError,
    ScheduledSession,
    SessionRule,
    credit_activity,
    credit_session,
)
from services.hours.domain.ledger import AttendanceRef, activity_item, ledger_day, ledger_year, session_item
from services.hours.domain.rules import (
    ClassRules,
    RulebookError,
    activity_rule_for,
    class_rules,
    session_rule_for,
)
from services.hours.handlers.doors import keep_door_records
from services.hours.handlers.requirements import RequirementProgressBook
from services.hours.models import ProjectedClass, ProjectedSession
from services.hours.repository import LedgerRepository, Row
from shared.consumer import Delivery, Outcome
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceVoided, Channel
from shared.events.envelope import CloudEvent, ContractViolation
from shared.logging import get_logger
from shared.projection import Projections, reference
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


def attendance_lock(attendance: AttendanceRef) -> str:
    """An attendance and any void of it take turns."""
    return f"attendance:{attendance}"


def _ref(event: CloudEvent) -> AttendanceRef:
    return AttendanceRef(event.source, event.id)


def _references(data: AttendanceRecorded) -> set[str]:
    """What must be known before an attendance counts: its person and, for a session, the session."""
    needed = {reference("person", data.person_id)}
    if data.session_id is not None:
        needed.add(reference("session", data.session_id))
    return needed


class AttendanceHandlers:
    """The handlers of the attendance topic, with the rules they credit and judge by."""

    def __init__(self, rules: HoursRules, projections: Projections) -> None:
        self._rules = rules
        self._projections = projections
        # The rule chosen for a kind of attendance on a day: rules are configuration, the same for the process.
        self._session_rules: dict[tuple[str | None, str, str, Channel, date], tuple[SessionRule, str | None]] = {}
        self._activity_rules: dict[tuple[Channel, date], ActivityRule] = {}

    async def record(self, uow: UnitOfWork, deliveries: Sequence[Delivery[AttendanceRecorded]]) -> list[Outcome]:
        await uow.lock(*(attendance_lock(_ref(delivery.event)) for delivery in deliveries))
        await keep_door_records(uow, [delivery.event for delivery in deliveries])
        # Locks each person and session too: whoever makes them known, and whoever else settles their ledger, waits.
        missing = await self._projections.missing(uow, {name for d in deliveries for name in _references(d.data)})
        ready = [delivery for delivery in deliveries if not _references(delivery.data) & missing]
        sessions = await _sessions(uow, {d.data.session_id for d in ready if d.data.session_id is not None})
        classes = await _classes(uow, {session.class_id for session in sessions.values()})
        rows = {_ref(delivery.event): self._attendance_row(delivery, sessions, classes) for delivery in ready}
        ledger = LedgerRepository(uow, self._rules.rulebook.capped_platforms)
        await ledger.load([(row["person_id"], row["item"]) for row in rows.values()], arriving=rows.values())
        progress = RequirementProgressBook(uow, self._rules.requirements, unsaved=ledger.unsaved_entries_of)
        await progress.load(_training_days(rows.values()))
        outcomes = []
        for delivery in deliveries:
            waiting_for = _references(delivery.data) & missing
            if waiting_for:
                await uow.park(delivery.event, waiting_for)
                outcomes.append(Outcome.PARKED)
                continue
            row = rows[_ref(delivery.event)]
            if row["activity_platform"] is not None:
                # A yearly cap per platform is measured against what the ledger holds by now, this batch included.
                capped = row["activity_platform"] in self._rules.rulebook.capped_platforms
                held = ledger.held_from_platform(row) if capped else ZERO
                row |= _credited(self._activity_credit(delivery.data, row, held))
            await progress.posted(ledger.record(row, cause=delivery.event), delivery.event)
            outcomes.append(Outcome.APPLIED)
        await ledger.save()
        await progress.save()
        return outcomes

    async def void(self, uow: UnitOfWork, deliveries: Sequence[Delivery[AttendanceVoided]]) -> list[Outcome]:
        voided = [AttendanceRef(d.data.voids.source, d.data.voids.id) for d in deliveries]
        await uow.lock(*(attendance_lock(ref) for ref in voided))
        await keep_door_records(uow, [delivery.event for delivery in deliveries])
        ledger = LedgerRepository(uow, self._rules.rulebook.capped_platforms)
        known = await ledger.read_attendances(voided)
        # Known only now: whose ledgers change.
        await uow.lock(*(reference("person", row["person_id"]) for row in known))
        await ledger.load((), voided)
        progress = RequirementProgressBook(uow, self._rules.requirements, unsaved=ledger.unsaved_entries_of)
        await progress.load(_training_days(known))
        outcomes = []
        for delivery, ref in zip(deliveries, voided, strict=True):
            if ledger.is_voided(ref):
                outcomes.append(Outcome.IGNORED)  # voided already: nothing more to take back
                continue
            posted = ledger.void(
                {
                    "voided_source": ref.source,
                    "voided_event_id": ref.id,
                    "void_source": delivery.event.source,
                    "void_event_id": delivery.event.id,
                    "reason": delivery.data.reason,
                    "voided_at": delivery.event.time,
                },
                cause=delivery.event,
            )
            await progress.posted(posted, delivery.event)
            # A void of an attendance still on its way is kept: that attendance will earn nothing.
            outcomes.append(Outcome.APPLIED if ledger.knows(ref) else Outcome.PARKED)
        await ledger.save()
        await progress.save()
        return outcomes

    def _attendance_row(
        self,
        delivery: Delivery[AttendanceRecorded],
        sessions: dict[str, ProjectedSession],
        classes: dict[str, ProjectedClass],
    ) -> Row:
        """The attendance as the ledger keeps it, with what it earns by the rule chosen for it (study outside a
        session: once the batch's ledger is read, see ``record``)."""
        event, data = delivery.event, delivery.data
        channel = data.effective_channel
        row: Row = {
            "source": event.source,
            "event_id": event.id,
            "person_id": data.person_id,
            "session_id": data.session_id,
            "activity_id": data.activity.id if data.activity else None,
            "activity_platform": data.activity.platform if data.activity else None,
            "status": data.status.value,
            "channel": channel.value,
            "minutes": data.minutes,
            "reported_hours": data.hours,
            "occurred_at": event.time,
        }
        if data.session_id is None:
            assert data.activity is not None  # the contract: exactly one of session_id and activity
            return row | {
                "item": activity_item(data.activity.platform, data.activity.id),
                "class_id": None,
                "category": None,
                "year": ledger_year(event.time),
                "trained_on": ledger_day(event.time),
            }
        session = sessions[data.session_id]
        klass = classes[session.class_id]  # a session is kept only once its class is known
        trained_on = ledger_day(session.starts_at)
        try:
            rule, note = self._session_rule(klass, session.teaching_mode, channel, trained_on)
            credit = credit_session(
                data.status, data.minutes, ScheduledSession(session.hours, session.duration_minutes), rule
            )
        except (RulebookError, CreditingRuleError) as error:
            raise ContractViolation("no-crediting-rule", str(error)) from error
        if note is not None:
            credit = Credit(credit.hours, credit.rule, f"{credit.reason} ({note})")
        return row | {
            "item": session_item(session.session_id),
            "class_id": session.class_id,
            "category": klass.category,
            "year": ledger_year(session.starts_at),
            "trained_on": trained_on,
            **_credited(credit),
        }

    def _session_rule(
        self, klass: ProjectedClass, teaching_mode: str, channel: Channel, day: date
    ) -> tuple[SessionRule, str | None]:
        """The rule for a session of ``klass``: its own choice if the rulebook knows it, otherwise the rulebook's,
        with a note for the reason saying why the class's choice was not taken."""
        key = (klass.crediting_rule, klass.category, teaching_mode, channel, day)
        chosen = self._session_rules.get(key)
        if chosen is None:
            note = None
            try:
                own = class_rules(klass.crediting_rule, self._rules.rulebook)
            except RulebookError:
                log.warning("a class names a crediting rule the rulebook lacks", class_id=klass.class_id)
                own = ClassRules()
                note = f"the class names {klass.crediting_rule}, which the rulebook lacks: its default applies"
            rule = session_rule_for(
                klass.category, teaching_mode, channel, day, class_rules=own, rulebook=self._rules.rulebook
            )
            self._session_rules[key] = chosen = (rule, note)
        return chosen

    def _activity_credit(self, data: AttendanceRecorded, row: Row, held: Decimal) -> Credit:
        assert data.activity is not None
        key = (data.effective_channel, row["trained_on"])
        try:
            rule = self._activity_rules.get(key)
            if rule is None:
                rule = activity_rule_for(None, None, key[0], key[1], rulebook=self._rules.rulebook)
                self._activity_rules[key] = rule
            return credit_activity(
                data.status, data.hours, data.minutes, data.activity.platform, rule=rule, already_this_year=held
            )
        except (RulebookError, CreditingRuleError) as error:
            raise ContractViolation("no-crediting-rule", str(error)) from error


def _credited(credit: Credit) -> dict[str, Any]:
    return {"credit_hours": credit.hours, "rule": credit.rule, "reason": credit.reason}


def _training_days(rows: Sequence[Row] | Any) -> dict[str, list[date]]:
    """The training days of each person's attendances: the requirement windows a batch may touch."""
    days: dict[str, list[date]] = {}
    for row in rows:
        days.setdefault(row["person_id"], []).append(row["trained_on"])
    return days


async def _sessions(uow: UnitOfWork, session_ids: set[str]) -> dict[str, ProjectedSession]:
    if not session_ids:
        return {}
    rows = await uow.session.exec(select(ProjectedSession).where(col(ProjectedSession.session_id).in_(session_ids)))
    return {row.session_id: row for row in rows.all()}


async def _classes(uow: UnitOfWork, class_ids: set[str]) -> dict[str, ProjectedClass]:
    if not class_ids:
        return {}
    rows = await uow.session.exec(select(ProjectedClass).where(col(ProjectedClass.class_id).in_(class_ids)))
    return {row.class_id: row for row in rows.all()}
