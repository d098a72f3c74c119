"""Questionnaires (问卷): templates in versions, forms that open and close, and the answers to them.

Answers are kept as the domain designed (``domain.forms``): who answered (``SurveyParticipation``) apart from what
(``SurveyResponse``), with nothing joining them; an anonymous respondent changes their answer with a receipt only
they hold. Nothing here logs who answered, and ``SurveyAnswered`` tells certificates who answered which form of
which class, never what.
"""

from __future__ import annotations

import secrets

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evaluation.domain.forms import (
    NEEDS_PURPOSES,
    Form,
    Participation,
    Subject,
    amend,
    beijing,
    receipt_digest,
    submit,
)
from services.evaluation.domain.needs import check_needs_template
from services.evaluation.domain.questionnaires import TemplateVersion, change_template
from services.evaluation.handlers.access import ClassFacts, class_facts, require_enrolled, require_manager
from services.evaluation.handlers.refusals import refusals
from services.evaluation.models import (
    AnswerReceipt,
    AnswersBody,
    AnswersChange,
    EvaluationForm,
    FormCreate,
    QuestionnaireTemplate,
    SurveyParticipation,
    SurveyResponse,
    TemplateBody,
    TemplateChangePublic,
    TemplateCreate,
    TemplatePublic,
)
from shared.auth import Principal, Role
from shared.db import utcnow
from shared.errors import CommandRejected, Conflict, Forbidden, NotFound
from shared.events.contracts.evaluation import SurveyAnswered
from shared.ids import new_id
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


def _template_lock(template_id: str) -> str:
    """A template's versions and the forms set up on them take turns: no version is edited once a form uses it."""
    return f"template:{template_id}"


# ── templates ────────────────────────────────────────────────────────────────────────────────────────


async def create_template(uow: UnitOfWork, body: TemplateCreate, principal: Principal) -> QuestionnaireTemplate:
    template_id = body.template_id or new_id("template")
    await uow.lock(_template_lock(template_id))
    if await latest_template(uow.session, template_id) is not None:
        raise Conflict(f"template {template_id} exists already: change it with PUT /templates/{template_id}")
    with refusals():
        TemplateVersion(template_id, 1, body.title, body.sections_domain())
    template = QuestionnaireTemplate(
        template_id=template_id,
        version=1,
        title=body.title,
        sections=body.sections_json(),
        created_by=principal.subject,
        created_at=utcnow(),
    )
    uow.session.add(template)
    return template


async def change_template_version(
    uow: UnitOfWork, template_id: str, body: TemplateBody, principal: Principal
) -> TemplateChangePublic:
    """Edit the latest version in place while no form uses it; once one does, the change is the next version."""
    await uow.lock(_template_lock(template_id))
    current = await latest_template(uow.session, template_id)
    if current is None:
        raise NotFound(f"there is no template {template_id}")
    used = (
        await uow.session.exec(
            select(EvaluationForm.form_id).where(
                EvaluationForm.template_id == template_id, EvaluationForm.template_version == current.version
            )
        )
    ).first()
    with refusals():
        change = change_template(current.to_domain(), body.title, body.sections_domain(), in_use=used is not None)
    template = current
    if change.new_version:
        template = QuestionnaireTemplate(
            template_id=template_id,
            version=change.version.version,
            title=body.title,
            sections=body.sections_json(),
            created_by=principal.subject,
            created_at=utcnow(),
        )
    else:
        template.title, template.sections = body.title, body.sections_json()
    uow.session.add(template)
    return TemplateChangePublic.model_validate(
        {**template.model_dump(), "new_version": change.new_version, "reason": change.reason}
    )


async def latest_template(session: AsyncSession, template_id: str) -> QuestionnaireTemplate | None:
    rows = await session.exec(
        select(QuestionnaireTemplate)
        .where(QuestionnaireTemplate.template_id == template_id)
        .order_by(col(QuestionnaireTemplate.version).desc())
    )
    return rows.first()


def template_public(template: QuestionnaireTemplate) -> TemplatePublic:
    return TemplatePublic.model_validate(template.model_dump())


# ── forms ────────────────────────────────────────────────────────────────────────────────────────────


async def create_form(uow: UnitOfWork, body: FormCreate, principal: Principal) -> EvaluationForm:
    """Set up a form on a template version: about a class (its session or teacher), or, for an annual needs
    survey, about a training group and year."""
    await uow.lock(_template_lock(body.template_id))
    template = await _template_for(uow.session, body.template_id, body.template_version)
    form_id = body.form_id or new_id("form")
    if await uow.session.get(EvaluationForm, form_id) is not None:
        raise Conflict(f"form {form_id} exists already")
    subject = await _subject(uow.session, body, principal)
    with refusals():
        form = Form(
            form_id=form_id,
            title=body.title,
            purpose=body.purpose,
            template_id=template.template_id,
            template_version=template.version,
            opens_at=body.opens_at,
            closes_at=body.closes_at,
            anonymous=body.anonymous,
            subject=subject,
        )
        if form.purpose in NEEDS_PURPOSES:
            check_needs_template(template.to_domain())
    row = EvaluationForm(
        form_id=form_id,
        title=form.title,
        purpose=form.purpose.value,
        template_id=form.template_id,
        template_version=form.template_version,
        opens_at=form.opens_at,
        closes_at=form.closes_at,
        anonymous=form.anonymous,
        training_group=subject.group,
        year=subject.year,
        class_id=subject.class_id,
        session_id=subject.session_id,
        teacher_id=subject.teacher_id,
        course=subject.course,
        created_by=principal.subject,
        created_at=utcnow(),
    )
    uow.session.add(row)
    return row


async def _template_for(session: AsyncSession, template_id: str, version: int | None) -> QuestionnaireTemplate:
    if version is None:
        template = await latest_template(session, template_id)
    else:
        template = await session.get(QuestionnaireTemplate, (template_id, version))
    if template is None:
        raise NotFound(f"there is no template {template_id}" + (f" version {version}" if version else ""))
    return template


async def _subject(session: AsyncSession, body: FormCreate, principal: Principal) -> Subject:
    """What the form asks about. A class's form takes the class's group and year, a session's course, and (a
    session with one teacher) that teacher; an annual needs survey names its group and year."""
    if body.class_id is None:
        if not principal.has_any(Role.ADMIN):
            raise Forbidden("only the 党校 office sets up surveys that are about no class (annual needs surveys)")
        if body.training_group is None or body.year is None:
            raise CommandRejected("a form about no class names the training group and the year it asks about")
        if body.session_id is not None or body.teacher_id is not None:
            raise CommandRejected("a form about a session or a teacher names the class they belong to")
        return Subject(body.training_group, body.year)
    facts = await class_facts(session, body.class_id)
    if facts is None:
        raise NotFound(
            f"class {body.class_id} is not known to evaluation yet: it learns of classes from the register within "
            "seconds of their creation"
        )
    require_manager(principal, facts, "set up its forms")
    if body.training_group is not None or body.year is not None:
        raise CommandRejected(f"a form about class {body.class_id} asks the class's own group and year: leave them out")
    teacher_id, course = _teacher_and_course(facts, body)
    klass = facts.training_class
    return Subject(klass.category, klass.year, klass.class_id, body.session_id, teacher_id, course)


def _teacher_and_course(facts: ClassFacts, body: FormCreate) -> tuple[str | None, str | None]:
    if body.session_id is None:
        if body.teacher_id is not None and not facts.teaches(body.teacher_id):
            raise CommandRejected(f"teacher {body.teacher_id} teaches no session of class {facts.class_id}")
        return body.teacher_id, None
    session = facts.session(body.session_id)
    if session is None:
        raise NotFound(f"class {facts.class_id} has no session {body.session_id} (as far as evaluation knows)")
    if body.teacher_id is not None and body.teacher_id not in session.teacher_ids:
        taught_by = ", ".join(session.teacher_ids) or "nobody named"
        raise CommandRejected(f"teacher {body.teacher_id} does not teach session {session.session_id} ({taught_by})")
    only_teacher = session.teacher_ids[0] if len(session.teacher_ids) == 1 else None
    return body.teacher_id or only_teacher, session.course_id


async def close_form(uow: UnitOfWork, form_id: str, principal: Principal) -> EvaluationForm:
    """Close an open form now, ahead of its closing time."""
    form = await _form(uow.session, form_id)
    await _require_form_manager(uow.session, form, principal, "close it")
    now = utcnow()
    if now >= form.closes_at:
        raise Conflict(f"「{form.title}」 closed already, at {beijing(form.closes_at)} (Beijing time)")
    if now < form.opens_at:
        raise Conflict(f"「{form.title}」 has not opened yet (it opens at {beijing(form.opens_at)}, Beijing time)")
    form.closes_at = now
    uow.session.add(form)
    return form


async def _form(session: AsyncSession, form_id: str) -> EvaluationForm:
    form = await session.get(EvaluationForm, form_id)
    if form is None:
        raise NotFound(f"there is no form {form_id}")
    return form


async def _require_form_manager(session: AsyncSession, form: EvaluationForm, principal: Principal, action: str) -> None:
    if form.class_id is None:
        if not principal.has_any(Role.ADMIN):
            raise Forbidden(f"only the 党校 office may {action}: 「{form.title}」 is about no class")
        return
    facts = await class_facts(session, form.class_id)
    assert facts is not None  # a form about a class is set up only once the class is known, and classes stay
    require_manager(principal, facts, action)


# ── answers ──────────────────────────────────────────────────────────────────────────────────────────


async def may_answer(session: AsyncSession, form: EvaluationForm, principal: Principal) -> None:
    """Learners answer the forms of the classes they are enrolled in, and surveys about no class."""
    if form.class_id is not None:
        await require_enrolled(session, form.class_id, principal, f"answer 「{form.title}」")


def _participation_lock(form_id: str, person_id: str) -> str:
    """Two submissions of one person to one form take turns: the second sees the first and is refused."""
    return f"participation:{form_id}/{person_id}"


async def answer_form(uow: UnitOfWork, form_id: str, body: AnswersBody, principal: Principal) -> AnswerReceipt:
    """Take a person's answer to a form, once; on an anonymous form they get the receipt to change it with."""
    form = await _form(uow.session, form_id)
    await may_answer(uow.session, form, principal)
    person_id = principal.subject
    await uow.lock(_participation_lock(form_id, person_id))
    previous = await uow.session.get(SurveyParticipation, (form_id, person_id))
    template = await _template_for(uow.session, form.template_id, form.template_version)
    now = utcnow()
    receipt = secrets.token_urlsafe(16) if form.anonymous else None
    with refusals():
        submission = submit(
            form.to_domain(),
            template.to_domain(),
            body.answers,
            person_id=person_id,
            previous=Participation(form_id, person_id, previous.answered_at) if previous else None,
            now=now,
            response_id=new_id("response"),
            receipt=receipt,
        )
    participation, response = submission.participation, submission.response
    uow.session.add(SurveyParticipation(form_id=form_id, person_id=person_id, answered_at=participation.answered_at))
    uow.session.add(
        SurveyResponse(
            response_id=response.response_id,
            form_id=form_id,
            answers=SurveyResponse.stored(response.answers),
            respondent_id=response.respondent_id,
            receipt_digest=response.receipt_digest,
        )
    )
    if form.class_id is not None:
        uow.emit(
            SurveyAnswered(
                form_id=form_id,
                class_id=form.class_id,
                person_id=person_id,
                purpose=form.purpose,
                answered_at=participation.answered_at,
            )
        )
    log.info("answer taken", form_id=form_id)  # never whose: on an anonymous form it would be a link
    return AnswerReceipt(form_id=form_id, answered_at=now, editable_until=form.closes_at, receipt=receipt)


async def change_answer(uow: UnitOfWork, form_id: str, body: AnswersChange, principal: Principal) -> AnswerReceipt:
    """Replace a person's answer while the form is open; an anonymous one is found by its receipt alone."""
    form = await _form(uow.session, form_id)
    await may_answer(uow.session, form, principal)
    person_id = principal.subject
    await uow.lock(_participation_lock(form_id, person_id))
    participation = await uow.session.get(SurveyParticipation, (form_id, person_id))
    template = await _template_for(uow.session, form.template_id, form.template_version)
    current = await _response_of(uow.session, form, person_id, body.receipt)
    with refusals():
        changed = amend(
            form.to_domain(),
            template.to_domain(),
            body.answers,
            person_id=person_id,
            participation=Participation(form_id, person_id, participation.answered_at) if participation else None,
            current=current.to_domain(template.to_domain()) if current else None,
            receipt=body.receipt,
            now=utcnow(),
        )
    assert current is not None and participation is not None  # amend refuses a change without either
    current.answers = SurveyResponse.stored(changed.answers)
    uow.session.add(current)
    log.info("answer changed", form_id=form_id)
    return AnswerReceipt(form_id=form_id, answered_at=participation.answered_at, editable_until=form.closes_at)


async def _response_of(
    session: AsyncSession, form: EvaluationForm, person_id: str, receipt: str | None
) -> SurveyResponse | None:
    """The response a person may change: on a named form theirs, on an anonymous one the receipt's."""
    if form.anonymous:
        if receipt is None:
            return None
        condition = SurveyResponse.receipt_digest == receipt_digest(receipt)
    else:
        condition = SurveyResponse.respondent_id == person_id
    return (await session.exec(select(SurveyResponse).where(SurveyResponse.form_id == form.form_id, condition))).first()
