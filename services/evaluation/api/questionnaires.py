"""Questionnaires (问卷) over HTTP: templates in versions, forms, and learners' answers to them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from services.evaluation import views
from services.evaluation.handlers import questionnaires
from services.evaluation.models import (
    MAX_VERSION,
    AnswerReceipt,
    AnswersBody,
    AnswersChange,
    FormCreate,
    FormPublic,
    TemplateBody,
    TemplateChangePublic,
    TemplateCreate,
    TemplatePublic,
)
from shared.auth import Authenticated, Principal, Role, Staff, require
from shared.service import Runtime, execute

router = APIRouter(tags=["问卷 (questionnaires)"])
Designer = Annotated[Principal, Depends(require(Role.ADMIN, Role.CLASS_MANAGER))]
Learner = Annotated[Principal, Depends(require(Role.LEARNER))]


@router.post("/templates", status_code=status.HTTP_201_CREATED, response_model=TemplatePublic)
async def create_template(body: TemplateCreate, runtime: Runtime, principal: Designer) -> TemplatePublic:
    template = await execute(runtime, questionnaires.create_template, body, principal)
    return questionnaires.template_public(template)


@router.put("/templates/{template_id}", response_model=TemplateChangePublic)
async def change_template(
    template_id: str, body: TemplateBody, runtime: Runtime, principal: Designer
) -> TemplateChangePublic:
    """Edits the latest version while no form uses it; once one does, the change becomes the next version."""
    return await execute(runtime, questionnaires.change_template_version, template_id, body, principal)


@router.get("/templates/{template_id}", response_model=TemplatePublic)
async def get_template(
    template_id: str,
    runtime: Runtime,
    _: Staff,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION, description="default: the latest")] = None,
) -> TemplatePublic:
    async with runtime.database.sessions() as session:
        return await views.template_view(session, template_id, version)


@router.post(
    "/forms",
    status_code=status.HTTP_201_CREATED,
    response_model=FormPublic,
    responses={status.HTTP_404_NOT_FOUND: {"description": "no such template (version), class or session"}},
)
async def create_form(body: FormCreate, runtime: Runtime, principal: Designer) -> FormPublic:
    """Put a template version to people from ``opens_at`` until ``closes_at``."""
    return FormPublic.of(await execute(runtime, questionnaires.create_form, body, principal))


@router.get("/forms/{form_id}", response_model=FormPublic)
async def get_form(form_id: str, runtime: Runtime, principal: Authenticated) -> FormPublic:
    """The form and its questions."""
    async with runtime.database.sessions() as session:
        return await views.form_view(session, form_id, principal)


@router.post("/forms/{form_id}/close", response_model=FormPublic)
async def close_form(form_id: str, runtime: Runtime, principal: Designer) -> FormPublic:
    """Close an open form now; its figures show in reports from then on (where at least 3 answered)."""
    return FormPublic.of(await execute(runtime, questionnaires.close_form, form_id, principal))


@router.get("/classes/{class_id}/forms", response_model=list[FormPublic])
async def class_forms(class_id: str, runtime: Runtime, principal: Authenticated) -> list[FormPublic]:
    async with runtime.database.sessions() as session:
        return await views.class_forms_view(session, class_id, principal)


@router.post("/forms/{form_id}/answers", status_code=status.HTTP_201_CREATED, response_model=AnswerReceipt)
async def answer_form(form_id: str, body: AnswersBody, runtime: Runtime, principal: Learner) -> AnswerReceipt:
    """One answer per learner; on an anonymous form keep the receipt: it alone lets you change the answer."""
    return await execute(runtime, questionnaires.answer_form, form_id, body, principal)


@router.put("/forms/{form_id}/answers", response_model=AnswerReceipt)
async def change_answer(form_id: str, body: AnswersChange, runtime: Runtime, principal: Learner) -> AnswerReceipt:
    """Change your answer until the form closes (an anonymous form: with your receipt)."""
    return await execute(runtime, questionnaires.change_answer, form_id, body, principal)
