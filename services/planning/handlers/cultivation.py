"""The branch's cultivation record (培养考察) of an activist or development target: talks and practice, added one
at a time."""

from __future__ import annotations

from typing import Any

from services.planning import facts
from services.planning.domain.cultivation import ActivityKind
from services.planning.handlers.office import current, domain_rules, next_version, record
from services.planning.models import OfficeCultivation
from services.planning.records import activity_of, talk_of
from shared.errors import CommandRejected, NotFound
from shared.events.contracts.planning import CultivationRecordChanged, PracticeActivity, Talk
from shared.unit_of_work import UnitOfWork


async def add_talk(uow: UnitOfWork, source: str, person_id: str, talk: Talk) -> None:
    """A talk (谈心谈话) held, with what was said and the 培养联系人 who vouches for it."""
    with domain_rules():
        talk_of(talk)
    await _add(uow, source, person_id, "talks", talk.model_dump(mode="json"))


async def add_activity(uow: UnitOfWork, source: str, person_id: str, activity: PracticeActivity) -> None:
    """Social practice (社会实践) or volunteer service (志愿服务)."""
    if activity.kind not in set(ActivityKind):
        kinds = " or ".join(kind.value for kind in ActivityKind)
        raise CommandRejected(f"an activity is {kinds}, not {activity.kind}")
    with domain_rules():
        activity_of(activity)
    await _add(uow, source, person_id, "activities", activity.model_dump(mode="json"))


async def _add(uow: UnitOfWork, source: str, person_id: str, part: str, entry: dict[str, Any]) -> None:
    if await facts.person(uow.session, person_id) is None:
        raise NotFound(f"no person {person_id} is known to planning")
    kept = await current(uow, OfficeCultivation, "cultivation", person_id)
    entries = {"activities": kept.activities if kept else [], "talks": kept.talks if kept else []}
    entries[part] = [*entries[part], entry]
    changed = CultivationRecordChanged.model_validate({"person_id": person_id, **entries, **next_version(kept)})
    await record(uow, source, changed)
