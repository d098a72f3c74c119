"""Reports on learners' evaluation of teaching (学员评教): per class, and per teacher across classes and years.

Every figure and comment comes through ``tallies``, so the anonymity threshold holds in every row: an item is
shown only where at least three answered it on forms that have closed, and a row without a figure says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from decimal import Decimal

from services.evaluation.domain.forms import Form, Purpose
from services.evaluation.domain.questionnaires import ItemKind
from services.evaluation.domain.tallies import FormAnswers, Summary, Tally, summarise, tally

CellValue = str | int | Decimal | None


@dataclass(frozen=True)
class Table:
    """A report as rows and columns, ready to show or export."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[CellValue, ...], ...]


@dataclass(frozen=True)
class Scope:
    """What a row adds up: the forms alike in every field given (a field left ``None`` is not grouped on)."""

    year: int | None = None
    class_id: str | None = None
    session_id: str | None = None
    course: str | None = None
    teacher_id: str | None = None


ScopeOf = Callable[[Form], Scope | None]  # where a form's tallies go; None leaves the form out of a section


@dataclass(frozen=True)
class Row:
    scope: Scope
    summary: Summary


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Comment:
    """A free-text answer (意见建议), with the form it was given on as its scope; listed in sorted order."""

    scope: Scope
    prompt: str
    text: str


@dataclass(frozen=True)
class Report:
    title: str
    sections: tuple[Section, ...]
    comments: tuple[Comment, ...]


def class_report(class_id: str, answered: Sequence[FormAnswers], now: datetime) -> Report:
    """The class as a whole, each session, each teacher, and the comments on each form."""
    tallies = _teaching_evaluations(answered, lambda form: form.subject.class_id == class_id)

    def whole_class(form: Form) -> Scope | None:
        about_class = form.subject.session_id is None and form.subject.teacher_id is None
        return Scope(class_id=class_id) if about_class else None

    def session(form: Form) -> Scope | None:
        subject = form.subject
        if subject.session_id is None:
            return None
        return Scope(session_id=subject.session_id, course=subject.course, teacher_id=subject.teacher_id)

    def teacher(form: Form) -> Scope | None:
        return None if form.subject.teacher_id is None else Scope(teacher_id=form.subject.teacher_id)

    return Report(
        f"班级 {class_id}",
        (
            _section("班级整体 (the class as a whole)", tallies, now, whole_class),
            _section("各课程 (each session)", tallies, now, session),
            _section("各教师 (each teacher)", tallies, now, teacher),
        ),
        # Comments on the class as a whole have an empty scope: in the class's own report, it goes without saying.
        _comments(tallies, now, lambda form: session(form) or teacher(form) or Scope()),
    )


def teacher_report(teacher_id: str, answered: Sequence[FormAnswers], now: datetime) -> Report:
    """One teacher across classes and years: each class they taught, each course, each year, all together."""
    tallies = _teaching_evaluations(answered, lambda form: form.subject.teacher_id == teacher_id)

    def each_class(form: Form) -> Scope:
        subject = form.subject
        return Scope(year=subject.year, class_id=subject.class_id, session_id=subject.session_id, course=subject.course)

    return Report(
        f"教师 {teacher_id}",
        (
            _section("各班次 (each class)", tallies, now, each_class),
            _section("各专题 (each course)", tallies, now, lambda form: Scope(course=form.subject.course)),
            _section("各年度 (each year)", tallies, now, lambda form: Scope(year=form.subject.year)),
            _section("合计 (all years)", tallies, now, lambda form: Scope()),
        ),
        _comments(tallies, now, each_class),
    )


def _teaching_evaluations(answered: Sequence[FormAnswers], wanted: Callable[[Form], bool]) -> list[Tally]:
    return [
        t
        for form_answers in answered
        if form_answers.form.purpose == Purpose.TEACHING_EVALUATION and wanted(form_answers.form)
        for t in tally(form_answers)
    ]


def _section(title: str, tallies: Sequence[Tally], now: datetime, scope_of: ScopeOf) -> Section:
    """A row per scope and item, ordered by scope, then as the items first appear in the forms."""
    groups: dict[tuple[Scope, tuple[str, str]], list[Tally]] = {}
    for t in tallies:
        scope = scope_of(t.form)
        if scope is not None:
            groups.setdefault((scope, t.key), []).append(t)
    item_order = {key: position for position, key in enumerate(dict.fromkeys(t.key for t in tallies))}
    ordered = sorted(groups.items(), key=lambda group: (_scope_order(group[0][0]), item_order[group[0][1]]))
    return Section(title, tuple(Row(scope, summarise(group, now)) for (scope, _), group in ordered))


def _comments(tallies: Sequence[Tally], now: datetime, scope_of: ScopeOf) -> tuple[Comment, ...]:
    """The comments of every free-text tally that may be shown, form by form."""
    comments = [
        Comment(scope, t.item.prompt, text)
        for t in tallies
        if t.item.kind == ItemKind.FREE_TEXT
        and t.withheld_because(now) is None
        and (scope := scope_of(t.form)) is not None
        for text in t.texts
    ]
    return tuple(sorted(comments, key=lambda c: (_scope_order(c.scope), c.prompt, c.text)))


def _scope_order(scope: Scope) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value or "")) for value in astuple(scope))


SCOPE_COLUMNS: dict[str, str] = {
    "year": "年度 (year)",
    "class_id": "班级 (class)",
    "session_id": "课程 (session)",
    "course": "专题 (course)",
    "teacher_id": "教师 (teacher)",
}
FIGURE_COLUMNS = (
    "题目 (item)",
    "量表 (scale)",
    "作答人数 (answered)",
    "平均分 (mean)",
    "分布 (distribution)",
    "说明 (note)",
)


def report_tables(report: Report, names: Mapping[str, str]) -> tuple[Table, ...]:
    """One table per section, and one of the comments (意见建议).

    ``names`` gives the display name of a class, session or teacher by id; an id without one shows as itself.
    """
    tables = []
    for section in report.sections:
        columns = _columns([row.scope for row in section.rows])
        tables.append(
            Table(
                f"{report.title} {section.title}",
                (*(SCOPE_COLUMNS[column] for column in columns), *FIGURE_COLUMNS),
                tuple((*_scope_cells(row.scope, columns, names), *_figures(row.summary)) for row in section.rows),
            )
        )
    columns = _columns([comment.scope for comment in report.comments])
    tables.append(
        Table(
            f"{report.title} 意见建议 (comments)",
            (*(SCOPE_COLUMNS[column] for column in columns), "题目 (item)", "意见 (comment)"),
            tuple(
                (*_scope_cells(comment.scope, columns, names), comment.prompt, comment.text)
                for comment in report.comments
            ),
        )
    )
    return tuple(tables)


def _columns(scopes: Sequence[Scope]) -> list[str]:
    """The scope columns some row fills."""
    return [column for column in SCOPE_COLUMNS if any(getattr(scope, column) is not None for scope in scopes)]


def _scope_cells(scope: Scope, columns: Sequence[str], names: Mapping[str, str]) -> tuple[CellValue, ...]:
    values: list[str | int | None] = [getattr(scope, column) for column in columns]
    return tuple(names.get(value, value) if isinstance(value, str) else value for value in values)


def _figures(summary: Summary) -> tuple[CellValue, ...]:
    item = summary.item
    if item.kind == ItemKind.FREE_TEXT:
        distribution = None if summary.answered is None else f"{len(summary.texts)} comments, listed apart"
    else:
        unit = "分" if item.scale is not None else ""
        distribution = "; ".join(f"{item.choice_label(code)}{unit}: {count}" for code, count in summary.counts) or None
    scale = None if item.scale is None else str(item.scale)
    return (item.prompt, scale, summary.answered, summary.mean, distribution, summary.note or None)
