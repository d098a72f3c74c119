"""Questionnaires (问卷): templates in versions, their items, and whether an answer set fits one version.

A version that any form refers to is never edited: a change to it becomes the next version, and an item kept
from one version to the next keeps its kind and scale, so reports can add up its answers across versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

# Longest free-text answer kept, in characters: a comment, not an essay.
TEXT_LIMIT = 2000


class TemplateError(ValueError):
    """A template, section or item that cannot be used as defined."""


class AnswerError(ValueError):
    """An answer set that does not fit its template version; ``problems`` name each item concerned."""

    def __init__(self, template: TemplateVersion, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"answers do not fit 「{template.title}」 version {template.version}: {'; '.join(problems)}")


class ItemKind(StrEnum):
    RATING = "rating"  # 评分: a whole number on a scale
    SINGLE_CHOICE = "single_choice"  # 单选
    MULTIPLE_CHOICE = "multiple_choice"  # 多选
    FREE_TEXT = "free_text"  # 意见建议 and other free text


CHOICE_KINDS = frozenset({ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE})


@dataclass(frozen=True)
class Scale:
    """Whole points from ``low`` to ``high``; the highest is the best."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not 0 <= self.low < self.high:
            raise TemplateError(f"a scale runs from a low point of 0 or more up to a higher one, not {self}")

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


ONE_TO_FIVE = Scale(1, 5)
ONE_TO_TEN = Scale(1, 10)


@dataclass(frozen=True)
class Choice:
    code: str  # what answers and reports carry, e.g. "seminar"
    label: str  # what respondents read, e.g. "研讨式"


@dataclass(frozen=True)
class Item:
    """One question. A rating item has a scale, a choice item its choices; free text has neither."""

    item_id: str
    prompt: str
    kind: ItemKind
    required: bool = True
    scale: Scale | None = None
    choices: tuple[Choice, ...] = ()

    def __post_init__(self) -> None:
        if not self.item_id.strip() or not self.prompt.strip():
            raise TemplateError(f"an item needs an id and a prompt (got id {self.item_id!r}, prompt {self.prompt!r})")
        if (self.kind == ItemKind.RATING) != (self.scale is not None):
            raise TemplateError(f"{self}: a scale belongs to rating items, and every rating item needs one")
        if self.kind in CHOICE_KINDS:
            codes = [choice.code for choice in self.choices]
            if len(codes) < 2:
                raise TemplateError(f"{self}: a choice item offers at least two choices")
            if len(set(codes)) != len(codes) or not all(code.strip() for code in codes):
                raise TemplateError(f"{self}: choice codes must be present and different from each other")
        elif self.choices:
            raise TemplateError(f"{self}: only choice items offer choices")

    def __str__(self) -> str:
        return f"item {self.item_id} 「{self.prompt}」"

    def choice_label(self, code: str) -> str:
        return next((choice.label for choice in self.choices if choice.code == code), code)


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class TemplateVersion:
    """One version of a questionnaire template; forms refer to exactly one version."""

    template_id: str
    version: int
    title: str
    sections: tuple[Section, ...]

    def __post_init__(self) -> None:
        if self.version < 1:
            raise TemplateError(f"template versions count from 1, not {self.version}")
        if not self.title.strip():
            raise TemplateError("a template needs a title")
        ids = [item.item_id for item in self.items]
        if not ids:
            raise TemplateError(f"template 「{self.title}」 has no items")
        repeated = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
        if repeated:
            raise TemplateError(f"template 「{self.title}」 uses item ids more than once: {', '.join(repeated)}")

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.item_id == item_id), None)


@dataclass(frozen=True)
class TemplateChange:
    version: TemplateVersion  # what now stands: the current version edited, or the next one
    new_version: bool
    reason: str


def change_template(
    current: TemplateVersion, title: str, sections: Sequence[Section], *, in_use: bool
) -> TemplateChange:
    """Apply a change to a template: in place while no form uses ``current``, as the next version once one does.

    ``in_use`` means any form refers to ``current``, open or not: what a form asks is fixed when it is set up.
    """
    changed = TemplateVersion(current.template_id, current.version, title, tuple(sections))
    if changed == current:
        return TemplateChange(current, new_version=False, reason=f"version {current.version} already reads so")
    for item in changed.items:
        before = current.item(item.item_id)
        if before is not None and (before.kind, before.scale) != (item.kind, item.scale):
            raise TemplateError(
                f"{item} was a {_shape(before)} item and would become a {_shape(item)} one; "
                "give it a new id, so reports never add up answers to different questions"
            )
    if not in_use:
        return TemplateChange(
            changed, new_version=False, reason=f"version {current.version} is used by no form yet: edited in place"
        )
    return TemplateChange(
        TemplateVersion(current.template_id, current.version + 1, title, tuple(sections)),
        new_version=True,
        reason=f"version {current.version} is used by a form and stays as it is: the change is version "
        f"{current.version + 1}",
    )


def _shape(item: Item) -> str:
    return f"{item.kind.value} {item.scale}" if item.scale is not None else item.kind.value


@dataclass(frozen=True)
class Rating:
    points: int


@dataclass(frozen=True)
class Choices:
    codes: tuple[str, ...]  # in the template's order, each once; a single choice holds one


@dataclass(frozen=True)
class Text:
    text: str  # stripped, never empty


Value = Rating | Choices | Text
# What a client may send for one item: a whole number, a choice code or text, a list of codes, or nothing.
RawAnswer = int | str | Sequence[str] | None


@dataclass(frozen=True)
class AnswerSet:
    """Answers to one template version, by item id; items left unanswered are absent.

    It says nothing of who answered or when: that is kept apart, if at all (see ``forms``).
    """

    template_id: str
    version: int
    values: Mapping[str, Value]


def validate_answers(template: TemplateVersion, raw: Mapping[str, RawAnswer]) -> AnswerSet:
    """The answers as typed values, or an ``AnswerError`` listing every problem, each naming its item."""
    problems = [f"there is no item {item_id} in this template" for item_id in raw if template.item(item_id) is None]
    values: dict[str, Value] = {}
    for item in template.items:
        try:
            value = _value(item, raw.get(item.item_id))
        except _Unfit as unfit:
            problems.append(f"{item}: {unfit}")
            continue
        if value is not None:
            values[item.item_id] = value
        elif item.required:
            problems.append(f"{item} is required")
    if problems:
        raise AnswerError(template, problems)
    return AnswerSet(template.template_id, template.version, values)


class _Unfit(Exception):
    pass


def _value(item: Item, raw: RawAnswer) -> Value | None:
    """The typed value of one answer; ``None`` when it was left unanswered (nothing, empty text, no choice)."""
    if raw is None:
        return None
    if item.kind == ItemKind.RATING:
        assert item.scale is not None
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _Unfit(f"expected a whole number from {item.scale}, got {raw!r}")
        if not item.scale.low <= raw <= item.scale.high:
            raise _Unfit(f"{raw} is not on the scale {item.scale}")
        return Rating(raw)
    if item.kind == ItemKind.FREE_TEXT:
        if not isinstance(raw, str):
            raise _Unfit(f"expected text, got {raw!r}")
        text = raw.strip()
        if len(text) > TEXT_LIMIT:
            raise _Unfit(f"{len(text)} characters, more than the {TEXT_LIMIT} kept")
        return Text(text) if text else None
    codes = _codes(item, raw)
    offered = [choice.code for choice in item.choices]
    unknown = [code for code in codes if code not in offered]
    if unknown:
        raise _Unfit(f"{', '.join(map(repr, unknown))} not among the choices {', '.join(offered)}")
    if len(set(codes)) != len(codes):
        raise _Unfit("a choice is given more than once")
    return Choices(tuple(code for code in offered if code in codes)) if codes else None


def _codes(item: Item, raw: RawAnswer) -> list[str]:
    if item.kind == ItemKind.SINGLE_CHOICE:
        if not isinstance(raw, str):
            raise _Unfit(f"expected one choice code, got {raw!r}")
        return [raw] if raw else []
    if isinstance(raw, str) or not isinstance(raw, Sequence) or not all(isinstance(code, str) for code in raw):
        raise _Unfit(f"expected a list of choice codes, got {raw!r}")
    return list(raw)
