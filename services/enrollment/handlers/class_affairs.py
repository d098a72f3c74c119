"""Class affairs (班务) commands: groups (小组), the committee (班委), the duty roster (值班表) and notices (通知)
with their read receipts. The class's managers (and admins) run them; a learner admitted to the class marks the
notices that reach them read.

They judge who is admitted to the class, so each takes the class's lock: a learner withdrawn meanwhile is never
put in a group. None of this is announced: no other service asks for it.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col

from services.enrollment import records, views
from services.enrollment.access import check_manages
from services.enrollment.domain import class_affairs
from services.enrollment.handlers.classes import class_lock
from services.enrollment.handlers.common import command, found
from services.enrollment.models import (
    ClassGroup,
    CommitteeGiven,
    CommitteeSeat,
    DutyRosterGiven,
    DutyShift,
    GroupCreate,
    GroupUpdate,
    Notice,
    NoticeCreate,
    NoticeRead,
    TrainingClass,
)
from shared.auth import Principal
from shared.db import execute
from shared.errors import Conflict, Forbidden, NotFound
from shared.ids import new_id
from shared.unit_of_work import UnitOfWork


@command
async def form_group(uow: UnitOfWork, class_id: str, command: GroupCreate, principal: Principal) -> ClassGroup:
    await _managed_class(uow, class_id, principal, "form its groups")
    group_id = command.group_id or new_id("group")
    if await uow.session.get(ClassGroup, group_id) is not None:
        raise Conflict(f"group {group_id} already exists")
    group = class_affairs.Group(group_id, class_id, command.name, tuple(command.member_ids), command.leader_id)
    formed = class_affairs.checked_group(
        group,
        admitted=await views.admitted(uow.session, class_id),
        groups=await views.class_groups(uow.session, class_id),
    )
    row = ClassGroup(**records.group_fields(formed), changed_at=uow.now)
    uow.session.add(row)
    return row


@command
async def revise_group(
    uow: UnitOfWork, class_id: str, group_id: str, update: GroupUpdate, principal: Principal
) -> ClassGroup:
    """New name, members (as a whole) or leader; whatever is not sent stays."""
    await _managed_class(uow, class_id, principal, "change its groups")
    row = await _group_row(uow, class_id, group_id)
    changes = update.model_dump(exclude_unset=True)
    current = records.group_of(row)
    revised = class_affairs.Group(
        group_id,
        class_id,
        changes.get("name", current.name),
        tuple(changes.get("member_ids", current.members)),
        changes.get("leader_id", current.leader),
    )
    checked = class_affairs.checked_group(
        revised,
        admitted=await views.admitted(uow.session, class_id),
        groups=await views.class_groups(uow.session, class_id),
    )
    for name, value in records.group_fields(checked).items():
        setattr(row, name, value)
    row.changed_at = uow.now
    return row


@command
async def appoint_committee(
    uow: UnitOfWork, class_id: str, given: CommitteeGiven, principal: Principal
) -> list[CommitteeSeat]:
    """The class committee (班委) as given replaces the one the class had."""
    await _managed_class(uow, class_id, principal, "appoint its committee")
    seats = class_affairs.committee(
        class_id,
        [records.committee_seat_of(seat) for seat in given.seats],
        admitted=await views.admitted(uow.session, class_id),
    )
    await execute(uow.session, delete(CommitteeSeat).where(col(CommitteeSeat.class_id) == class_id))
    rows = [CommitteeSeat(class_id=class_id, role=seat.role.value, person_id=seat.person_id) for seat in seats]
    uow.session.add_all(rows)
    return rows


@command
async def set_duty_roster(
    uow: UnitOfWork, class_id: str, given: DutyRosterGiven, principal: Principal
) -> list[DutyShift]:
    """The managers' duty roster (值班表) as given replaces the one the class had."""
    training_class = await _managed_class(uow, class_id, principal, "set its duty roster")
    shifts = class_affairs.duty_roster(
        records.class_of(training_class),
        [class_affairs.DutyShift(shift.day, shift.manager_id) for shift in given.shifts],
    )
    await execute(uow.session, delete(DutyShift).where(col(DutyShift.class_id) == class_id))
    rows = [DutyShift(class_id=class_id, day=shift.day, manager_id=shift.manager) for shift in shifts]
    uow.session.add_all(rows)
    return rows


@command
async def post_notice(uow: UnitOfWork, class_id: str, command: NoticeCreate, principal: Principal) -> Notice:
    await _managed_class(uow, class_id, principal, "post notices to it")
    draft = class_affairs.Notice(
        notice_id=new_id("notice"),
        class_id=class_id,
        title=command.title,
        body=command.body,
        posted_by=principal.subject,
        posted_at=uow.now,
        group_id=command.group_id,
    )
    posted = class_affairs.post_notice(
        draft,
        admitted=await views.admitted(uow.session, class_id),
        groups=await views.class_groups_by_id(uow.session, class_id),
    )
    row = Notice(
        notice_id=posted.notice_id,
        class_id=class_id,
        group_id=posted.group_id,
        title=posted.title,
        body=posted.body,
        posted_by=posted.posted_by,
        posted_at=posted.posted_at,
    )
    uow.session.add(row)
    return row


@command
async def mark_read(uow: UnitOfWork, class_id: str, notice_id: str, principal: Principal) -> NoticeRead:
    """The learner has read the notice; marking it again keeps the first time."""
    await uow.lock(class_lock(class_id))
    notice = await views.notice_row(uow.session, class_id, notice_id)
    reached = class_affairs.recipients(
        records.notice_of(notice),
        admitted=await views.admitted(uow.session, class_id),
        groups=await views.class_groups_by_id(uow.session, class_id),
    )
    if principal.subject not in reached:
        raise Forbidden(f"notice {notice_id} does not reach you: it is for {_audience(notice)} of class {class_id}")
    already = await uow.session.get(NoticeRead, (notice_id, principal.subject))
    if already is not None:
        return already
    row = NoticeRead(notice_id=notice_id, person_id=principal.subject, read_at=uow.now)
    uow.session.add(row)
    return row


async def _managed_class(uow: UnitOfWork, class_id: str, principal: Principal, doing: str) -> TrainingClass:
    await uow.lock(class_lock(class_id))
    training_class = await found(uow, TrainingClass, class_id, "class")
    check_manages(principal, training_class, doing)
    return training_class


async def _group_row(uow: UnitOfWork, class_id: str, group_id: str) -> ClassGroup:
    row = await uow.session.get(ClassGroup, group_id)
    if row is None or row.class_id != class_id:
        raise NotFound(f"class {class_id} has no group {group_id}")
    return row


def _audience(notice: Notice) -> str:
    return f"group {notice.group_id}" if notice.group_id else "the admitted learners"
