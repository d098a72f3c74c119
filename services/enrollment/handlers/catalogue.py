"""The course catalogue (课程库) and the teachers (师资库) that sessions name."""

from __future__ import annotations

from collections.abc import Iterable

from services.enrollment.domain.vocabulary import TeachingMode, parse
from services.enrollment.handlers.common import command, found, record
from services.enrollment.models import Course, CourseCreate, CourseUpdate, Teacher, TeacherCreate, TeacherUpdate
from shared.errors import Conflict
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork


@command
async def create_course(uow: UnitOfWork, command: CourseCreate) -> Course:
    course_id = command.course_id or new_id("course")
    if await uow.session.get(Course, course_id) is not None:
        raise Conflict(f"course {course_id} already exists")
    fields = {**command.model_dump(), "course_id": course_id, "teaching_modes": _modes(command.teaching_modes)}
    return record(uow, Course, None, fields)


@command
async def update_course(uow: UnitOfWork, course_id: str, update: CourseUpdate) -> Course:
    row = await found(uow, Course, course_id, "course")
    changes = update.model_dump(exclude_unset=True)
    if update.teaching_modes is not None:
        changes["teaching_modes"] = _modes(update.teaching_modes)
    return record(uow, Course, row, changes)


@command
async def create_teacher(uow: UnitOfWork, command: TeacherCreate) -> Teacher:
    teacher_id = command.teacher_id or new_id("teacher")
    if await uow.session.get(Teacher, teacher_id) is not None:
        raise Conflict(f"teacher {teacher_id} already exists")
    return record(uow, Teacher, None, {**command.model_dump(), "teacher_id": teacher_id})


@command
async def update_teacher(uow: UnitOfWork, teacher_id: str, update: TeacherUpdate) -> Teacher:
    row = await found(uow, Teacher, teacher_id, "teacher")
    return record(uow, Teacher, row, update.model_dump(exclude_unset=True))


def _modes(codes: Iterable[str]) -> list[str]:
    """Teaching modes as codes, each checked against the vocabulary (a label is read as its code)."""
    return list(dict.fromkeys(parse(TeachingMode, code).value for code in codes))
