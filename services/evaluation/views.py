"""Read models of the evaluation service: what the API shows, straight from its tables.

Reports read answers through the domain only (``domain.reports``, ``domain.needs``), whose tallies show an item
once its form has closed and at least three answered it: no figure, comment or export comes any other way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.evaluation.domain.forms import NEEDS_PURPOSES
from services.evaluation.domain.needs import aggregate_needs, needs_tables
from services.evaluation.domain.reports import Table, class_report, report_tables, teacher_report
from services.evaluation.domain.schemes import Pending, WeightedScheme, assess
from services.evaluation.domain.tallies import FormAnswers
from services.evaluation.handlers.access import ClassFacts, class_facts, require_enrolled, require_reader
from services.evaluation.handlers.assessments import class_scores, learner_scores, standing_assessments, stored_scheme
from services.evaluation.handlers.questionnaires import latest_template
from services.evaluation.models import (
    AssessmentPublic,
    CommandPublic,
    EvaluationClass,
    EvaluationCommand,
    EvaluationCourse,
    EvaluationForm,
    EvaluationScheme,
    EvaluationSession,
    EvaluationTeacher,
    FormPublic,
    LearnerStanding,
    QuestionnaireTemplate,
    SchemePublic,
    SurveyResponse,
    TemplatePublic,
)
from shared.auth import STAFF, Principal, Role
from shared.errors import Forbidden, NotFound
from shared.vocabulary import CATEGORY_LABELS


async def _known_class(session: AsyncSession, class_id: str) -> ClassFacts:
    facts = await class_facts(session, class_id)
    if facts is None:
        raise NotFound(f"class {class_id} is not known to evaluation (yet)")
    return facts


# ── the 结业考核 ──────────────────────────────────────────────────────────────────────────────────────


async def scheme_view(session: AsyncSession, class_id: str, principal: Principal) -> SchemePublic:
    require_reader(principal, await _known_class(session, class_id), "its evaluation scheme")
    scheme = await session.get(EvaluationScheme, class_id)
    if scheme is None:
        raise NotFound(f"class {class_id} has no evaluation scheme: its 结业考核 is entered directly")
    return SchemePublic.model_validate({**scheme.definition, **scheme.model_dump(exclude={"definition"})})


async def current_assessments_view(
    session: AsyncSession, class_id: str, principal: Principal
) -> list[AssessmentPublic]:
    """The assessment that stands for each learner of the class."""
    require_reader(principal, await _known_class(session, class_id), "its learners' 结业考核")
    standing = await standing_assessments(session, class_id)
    return [AssessmentPublic.of(assessment) for assessment in standing.values()]


async def learner_standing_view(
    session: AsyncSession, class_id: str, person_id: str, principal: Principal
) -> LearnerStanding:
    """A learner's 结业考核 that stands, and what a computed one still waits for. The learner sees their own."""
    facts = await _known_class(session, class_id)
    if not (principal.has_any(Role.LEARNER) and principal.subject == person_id):
        require_reader(principal, facts, "its learners' 结业考核")
    standing = (await standing_assessments(session, class_id)).get(person_id)
    scheme = await stored_scheme(session, class_id)
    waiting_for: list[str] = []
    if isinstance(scheme, WeightedScheme):
        result = assess(scheme, learner_scores(await class_scores(session, class_id), person_id))
        waiting_for = list(result.missing) if isinstance(result, Pending) else []
    return LearnerStanding(
        class_id=class_id,
        person_id=person_id,
        assessment=AssessmentPublic.of(standing) if standing else None,
        waiting_for=waiting_for,
    )


async def command_view(session: AsyncSession, command_id: str, principal: Principal) -> CommandPublic:
    """What became of a command that had to wait; its sender and the 党校 office may look."""
    command = await session.get(EvaluationCommand, command_id)
    if command is None:
        raise NotFound(f"there is no waiting command {command_id} (one applied at once was answered 201)")
    if not (principal.has_any(Role.ADMIN) or principal.subject == command.submitted_by):
        raise Forbidden(f"command {command_id} is {command.submitted_by}'s: only they and the 党校 office see it")
    return CommandPublic.model_validate(command.model_dump())


# ── questionnaires ───────────────────────────────────────────────────────────────────────────────────


async def template_view(session: AsyncSession, template_id: str, version: int | None) -> TemplatePublic:
    template = (
        await latest_template(session, template_id)
        if version is None
        else await session.get(QuestionnaireTemplate, (template_id, version))
    )
    if template is None:
        raise NotFound(f"there is no template {template_id}" + (f" version {version}" if version else ""))
    return TemplatePublic.model_validate(template.model_dump())


async def form_view(session: AsyncSession, form_id: str, principal: Principal) -> FormPublic:
    """A form and its questions: for staff, and for the learners who may answer it."""
    form = await session.get(EvaluationForm, form_id)
    if form is None:
        raise NotFound(f"there is no form {form_id}")
    if not principal.has_any(*STAFF, Role.ORGANISATION_DEPARTMENT) and form.class_id is not None:
        await require_enrolled(session, form.class_id, principal, f"see 「{form.title}」")
    template = await session.get(QuestionnaireTemplate, (form.template_id, form.template_version))
    return FormPublic.of(form, template)


async def class_forms_view(session: AsyncSession, class_id: str, principal: Principal) -> list[FormPublic]:
    """The forms of a class, opening soonest first: for staff, and for its learners."""
    await _known_class(session, class_id)
    if not principal.has_any(*STAFF, Role.ORGANISATION_DEPARTMENT):
        await require_enrolled(session, class_id, principal, "see its forms")
    forms = await session.exec(
        select(EvaluationForm)
        .where(EvaluationForm.class_id == class_id)
        .order_by(col(EvaluationForm.opens_at), col(EvaluationForm.form_id))
    )
    return [FormPublic.of(form) for form in forms.all()]


# ── reports ──────────────────────────────────────────────────────────────────────────────────────────


async def class_report_tables(
    session: AsyncSession, class_id: str, principal: Principal, now: datetime
) -> tuple[Table, ...]:
    """学员评教 of a class: the class as a whole, each session, each teacher, and the comments."""
    facts = await _known_class(session, class_id)
    if not principal.has_any(Role.ADMIN, Role.ORGANISATION_DEPARTMENT) and not (
        principal.has_any(Role.CLASS_MANAGER) and facts.manages(principal.subject)
    ):
        raise Forbidden(f"only the 党校 office, 组织部 and the managers of class {class_id} see its evaluation report")
    forms = await _forms(session, EvaluationForm.class_id == class_id)
    return report_tables(class_report(class_id, await _answered(session, forms), now), await _names(session, forms))


async def teacher_report_tables(
    session: AsyncSession, teacher_id: str, principal: Principal, now: datetime
) -> tuple[Table, ...]:
    """学员评教 of one teacher across classes and years: the teacher sees their own."""
    if not principal.has_any(Role.ADMIN, Role.ORGANISATION_DEPARTMENT) and not (
        principal.has_any(Role.TEACHER) and principal.subject == teacher_id
    ):
        raise Forbidden("only the 党校 office, 组织部 and the teacher themselves see a teacher's evaluation report")
    forms = await _forms(session, EvaluationForm.teacher_id == teacher_id)
    return report_tables(teacher_report(teacher_id, await _answered(session, forms), now), await _names(session, forms))


async def needs_report_tables(session: AsyncSession, year: int, group: str | None, now: datetime) -> tuple[Table, ...]:
    """需求调研: the topics and teaching modes asked for, ranked per training group, for a year's planning."""
    condition = col(EvaluationForm.purpose).in_([purpose.value for purpose in NEEDS_PURPOSES])
    forms = await _forms(session, condition, EvaluationForm.year == year)
    if group is not None:
        forms = [form for form in forms if form.training_group == group]
    return needs_tables(aggregate_needs(await _answered(session, forms), now), CATEGORY_LABELS)


async def _forms(session: AsyncSession, *conditions: ColumnElement[bool] | bool) -> list[EvaluationForm]:
    rows = await session.exec(select(EvaluationForm).where(*conditions).order_by(col(EvaluationForm.form_id)))
    return list(rows.all())


async def _answered(session: AsyncSession, forms: Sequence[EvaluationForm]) -> list[FormAnswers]:
    """Each form with its template version and every answer set given to it (which name nobody)."""
    templates = {
        (template.template_id, template.version): template.to_domain()
        for template in (
            await session.exec(
                select(QuestionnaireTemplate).where(
                    col(QuestionnaireTemplate.template_id).in_({form.template_id for form in forms})
                )
            )
        ).all()
    }
    responses = (
        await session.exec(
            select(SurveyResponse).where(col(SurveyResponse.form_id).in_([form.form_id for form in forms]))
        )
    ).all()
    answered = []
    for form in forms:
        template = templates[form.template_id, form.template_version]
        answer_sets = tuple(response.answer_set(template) for response in responses if response.form_id == form.form_id)
        answered.append(FormAnswers(form.to_domain(), template, answer_sets))
    return answered


async def _names(session: AsyncSession, forms: Sequence[EvaluationForm]) -> dict[str, str]:
    """Display names of the classes, sessions, teachers and courses the forms are about."""
    names: dict[str, str] = {}
    for table, key, name, ids in (
        (EvaluationClass, EvaluationClass.class_id, EvaluationClass.title, {form.class_id for form in forms}),
        (EvaluationSession, EvaluationSession.session_id, EvaluationSession.title, {f.session_id for f in forms}),
        (EvaluationTeacher, EvaluationTeacher.teacher_id, EvaluationTeacher.name, {form.teacher_id for form in forms}),
        (EvaluationCourse, EvaluationCourse.course_id, EvaluationCourse.title, {form.course for form in forms}),
    ):
        wanted = {identifier for identifier in ids if identifier is not None}
        if wanted:
            rows = await session.exec(select(key, name).select_from(table).where(col(key).in_(wanted)))
            names.update(dict(rows.all()))
    return names
