"""The office writes the annual plan (年度培训计划): the whole plan at once, or one more needs survey it took in."""

from __future__ import annotations

from services.planning.domain.plan import link_survey
from services.planning.handlers.office import current, domain_rules, next_version, record
from services.planning.models import OfficePlan
from services.planning.records import plan_of, survey_link_of
from services.planning.schemas import PlanPut
from shared.errors import NotFound
from shared.events.contracts.planning import AnnualPlanChanged, SurveyLink
from shared.unit_of_work import UnitOfWork


async def put_plan(uow: UnitOfWork, source: str, plan_id: str, body: PlanPut) -> None:
    """Create the plan, or replace what it says."""
    kept = await current(uow, OfficePlan, "plan", plan_id)
    changed = AnnualPlanChanged(plan_id=plan_id, **body.model_dump(), **next_version(kept))
    with domain_rules():
        plan_of(changed)
    await record(uow, source, changed)


async def add_survey(uow: UnitOfWork, source: str, plan_id: str, link: SurveyLink) -> None:
    """Attach a needs survey (需求调研) whose results fed the plan."""
    kept = await current(uow, OfficePlan, "plan", plan_id)
    if kept is None:
        raise NotFound(f"no plan {plan_id}")
    with domain_rules():
        link_survey(plan_of(kept), survey_link_of(link))
    changed = AnnualPlanChanged.model_validate(
        {**kept.model_dump(), "fed_by": [*kept.fed_by, link.model_dump(mode="json")], **next_version(kept)}
    )
    await record(uow, source, changed)
