"""HTTP routes of class affairs (班务): groups (小组) and their leaders, the class committee (班委), the class
managers' duty roster (值班表), and notices (通知) to the class or a group with who has read them.

The class's managers (and admins) run them; the class's admitted learners (已录取) read them, see the notices that
reach them and mark them read; anyone else is refused (403).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from services.enrollment import views
from services.enrollment.access import check_affairs_reader, check_manages, manages
from services.enrollment.api.dependencies import AffairsReaders, ClassStaff, Learners
from services.enrollment.handlers import class_affairs
from services.enrollment.models import (
    CommitteeGiven,
    CommitteeSeatPublic,
    DutyRosterGiven,
    DutyShiftPublic,
    GroupCreate,
    GroupPublic,
    GroupUpdate,
    NoticeCreate,
    NoticePublic,
    NoticeReceipts,
)
from shared.auth import Principal
from shared.service import Runtime, execute

router = APIRouter(tags=["class affairs"])


async def _readable(runtime: Runtime, class_id: str, principal: Principal) -> bool:
    """Whether the principal may read the class's affairs (else 403); true when they run the class."""
    async with runtime.database.sessions() as session:
        training_class = await views.class_row(session, class_id)
        check_affairs_reader(principal, training_class, await views.admitted(session, class_id))
        return manages(principal, training_class)


# ── groups ────────────────────────────────────────────────────────────────────────────────────────────


@router.get("/classes/{class_id}/groups")
async def list_groups(class_id: str, runtime: Runtime, principal: AffairsReaders) -> list[GroupPublic]:
    """The class's groups (小组) by name, with their members and leaders (组长)."""
    await _readable(runtime, class_id, principal)
    async with runtime.database.sessions() as session:
        return await views.groups_view(session, class_id)


@router.post("/classes/{class_id}/groups", status_code=status.HTTP_201_CREATED)
async def form_group(class_id: str, command: GroupCreate, runtime: Runtime, principal: ClassStaff) -> GroupPublic:
    """A group of admitted learners (已录取), each in one group of the class, its leader one of them."""
    formed = await execute(runtime, class_affairs.form_group, class_id, command, principal)
    async with runtime.database.sessions() as session:
        [group] = await views.groups_view(session, class_id, formed.group_id)
        return group


@router.patch("/classes/{class_id}/groups/{group_id}")
async def revise_group(
    class_id: str, group_id: str, update: GroupUpdate, runtime: Runtime, principal: ClassStaff
) -> GroupPublic:
    """Whatever is sent changes: its name, its members (as a whole), its leader (null: none)."""
    await execute(runtime, class_affairs.revise_group, class_id, group_id, update, principal)
    async with runtime.database.sessions() as session:
        [group] = await views.groups_view(session, class_id, group_id)
        return group


# ── committee and duty roster ─────────────────────────────────────────────────────────────────────────


@router.get("/classes/{class_id}/committee")
async def get_committee(class_id: str, runtime: Runtime, principal: AffairsReaders) -> list[CommitteeSeatPublic]:
    """The class committee (班委): who holds which role (班长, 学习委员…)."""
    await _readable(runtime, class_id, principal)
    async with runtime.database.sessions() as session:
        return await views.committee_view(session, class_id)


@router.put("/classes/{class_id}/committee")
async def appoint_committee(
    class_id: str, given: CommitteeGiven, runtime: Runtime, principal: ClassStaff
) -> list[CommitteeSeatPublic]:
    """The committee as a whole, replacing the one the class had: each role (``committee_roles`` of
    /vocabularies) held by one admitted learner."""
    await execute(runtime, class_affairs.appoint_committee, class_id, given, principal)
    async with runtime.database.sessions() as session:
        return await views.committee_view(session, class_id)


@router.get("/classes/{class_id}/duty-roster")
async def get_duty_roster(class_id: str, runtime: Runtime, principal: AffairsReaders) -> list[DutyShiftPublic]:
    """Which class manager is on duty (值班) which day."""
    await _readable(runtime, class_id, principal)
    async with runtime.database.sessions() as session:
        return await views.duty_roster_view(session, class_id)


@router.put("/classes/{class_id}/duty-roster")
async def set_duty_roster(
    class_id: str, given: DutyRosterGiven, runtime: Runtime, principal: ClassStaff
) -> list[DutyShiftPublic]:
    """The duty roster as a whole, replacing the one the class had: the class's managers on the class's days."""
    await execute(runtime, class_affairs.set_duty_roster, class_id, given, principal)
    async with runtime.database.sessions() as session:
        return await views.duty_roster_view(session, class_id)


# ── notices ───────────────────────────────────────────────────────────────────────────────────────────


@router.get("/classes/{class_id}/notices")
async def list_notices(class_id: str, runtime: Runtime, principal: AffairsReaders) -> list[NoticePublic]:
    """Newest first: every notice of the class (its managers), or those that reach the learner asking, with when
    they read each (``read_at``)."""
    runs_it = await _readable(runtime, class_id, principal)
    async with runtime.database.sessions() as session:
        return await views.notices_view(session, class_id, None if runs_it else principal.subject)


@router.post("/classes/{class_id}/notices", status_code=status.HTTP_201_CREATED)
async def post_notice(class_id: str, command: NoticeCreate, runtime: Runtime, principal: ClassStaff) -> NoticePublic:
    """A notice to the class's admitted learners, or (``group_id``) to one group's."""
    return views.notice_public(await execute(runtime, class_affairs.post_notice, class_id, command, principal))


@router.post("/classes/{class_id}/notices/{notice_id}/read")
async def mark_read(class_id: str, notice_id: str, runtime: Runtime, principal: Learners) -> NoticePublic:
    """The learner has read the notice (it must reach them); marking it again keeps the first time."""
    read = await execute(runtime, class_affairs.mark_read, class_id, notice_id, principal)
    async with runtime.database.sessions() as session:
        return views.notice_public(await views.notice_row(session, class_id, notice_id), read.read_at)


@router.get("/classes/{class_id}/notices/{notice_id}/receipts")
async def notice_receipts(class_id: str, notice_id: str, runtime: Runtime, principal: ClassStaff) -> NoticeReceipts:
    """Who of those the notice reaches has read it (and when), and who has not."""
    async with runtime.database.sessions() as session:
        check_manages(principal, await views.class_row(session, class_id), "see who read its notices")
        return await views.receipts_view(session, class_id, notice_id)
