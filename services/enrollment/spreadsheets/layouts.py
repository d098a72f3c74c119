"""The sheets the register reads and writes, with their Chinese headers.

One layout per sheet, used alike by the reader, by the downloadable templates and by the sample workbook, so
a template always reads back: the header text is the contract with whoever fills the sheet in.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.enrollment.domain.vocabulary import (
    Labelled,
    PartyOrganisationKind,
    PersonKind,
    PoliticalStatus,
    Position,
    UnitKind,
)


@dataclass(frozen=True)
class Column:
    header: str  # what the sheet says, e.g. "工号/学号"
    note: str  # how to fill it in, shown as the header cell's comment
    required: bool = True
    choices: type[Labelled] | None = None  # a vocabulary: a drop-down of its labels
    width: int = 16


@dataclass(frozen=True)
class SheetLayout:
    name: str
    columns: tuple[Column, ...]
    purpose: str  # for the instructions sheet of a template

    def column(self, header: str) -> Column:
        return next(column for column in self.columns if column.header == header)


PERSON_ID = "工号/学号"
NAME = "姓名"
PERSON_KIND = "人员类别"
UNIT = "所在单位"
BRANCH = "所在党支部"
UNIT_CODE = "单位代码"
UNIT_NAME = "单位名称"
UNIT_KIND = "单位类别"
ORG_CODE = "组织代码"
ORG_NAME = "组织名称"
ORG_KIND = "组织类别"
PARENT = "上级组织代码"
FOUNDED = "成立日期"
ABOLISHED = "撤销日期"
STATUS = "政治面貌"
STATUS_SINCE = "起始日期"
ADMISSION = "入党日期"
POSITION = "职务/身份"
APPOINTED = "任职日期"
REMOVED = "免职日期"
NOMINATING_UNIT = "选派单位"
REMARK = "备注"

_DATE = "日期，如 2024-06-01"
_UNIT_REFERENCE = "单位代码或单位全称（与“单位”表或系统中已有的一致）"

UNITS = SheetLayout(
    "单位",
    (
        Column(UNIT_CODE, "单位的简短代码，设定后不再改变，如 MARX"),
        Column(UNIT_NAME, "单位全称，如 马克思主义学院", width=28),
        Column(UNIT_KIND, "学院、部门、分校或直属单位", choices=UnitKind),
        Column(FOUNDED, f"成立当日；{_DATE}"),
        Column(ABOLISHED, f"撤销当日（当日起不再存在）；仍存在的留空；{_DATE}", required=False),
    ),
    "单位（学院、部门、分校、直属单位）",
)

PARTY_ORGANISATIONS = SheetLayout(
    "党组织",
    (
        Column(ORG_CODE, "党组织的简短代码，设定后不再改变，如 MARX-B1"),
        Column(ORG_NAME, "党组织全称，如 马克思主义学院教工第一党支部", width=32),
        Column(ORG_KIND, "党委、党总支或党支部", choices=PartyOrganisationKind),
        Column(PARENT, "直接上级党组织的代码；仅最上级党委留空", required=False),
        Column(UNIT, f"所在单位（如有）：{_UNIT_REFERENCE}", required=False, width=24),
        Column(FOUNDED, f"成立当日；{_DATE}"),
        Column(ABOLISHED, f"撤销当日（当日起不再存在）；仍存在的留空；{_DATE}", required=False),
    ),
    "党组织（党委 → 党总支 → 党支部）及其成立、撤销日期",
)

PEOPLE = SheetLayout(
    "人员",
    (
        Column(PERSON_ID, "工号或学号；每人一行"),
        Column(NAME, "姓名"),
        Column(PERSON_KIND, "教职工或学生", choices=PersonKind),
        Column(UNIT, _UNIT_REFERENCE, width=24),
        Column(BRANCH, "所在党支部的代码或全称；不属于党支部的留空", required=False, width=28),
    ),
    "人员（教职工、学生）及其所在单位、党支部",
)

STATUSES = SheetLayout(
    "政治面貌",
    (
        Column(PERSON_ID, "工号或学号；每次变动一行，某人的各行将整体替换其政治面貌记录"),
        Column(STATUS, "自起始日期起的政治面貌", choices=PoliticalStatus),
        Column(STATUS_SINCE, f"该政治面貌的起始日期，如确定为发展对象之日；{_DATE}"),
        Column(ADMISSION, f"预备党员、正式党员填写：支部大会接收为预备党员之日；{_DATE}", required=False),
    ),
    "政治面貌及其变动日期",
)

POSITIONS = SheetLayout(
    "职务",
    (
        Column(PERSON_ID, "工号或学号；每项职务一行，某人的各行将整体替换其职务记录"),
        Column(POSITION, "培训规则所依据的职务或身份", choices=Position, width=24),
        Column(APPOINTED, f"任职当日；{_DATE}"),
        Column(REMOVED, f"免职当日（当日起不再担任）；仍在任的留空；{_DATE}", required=False),
    ),
    "培训规则所依据的职务/身份及任免日期",
)

ROSTER = SheetLayout(
    "花名册",
    (
        Column(PERSON_ID, "学员的工号或学号（须已在系统中登记）"),
        Column(NAME, "学员姓名，将与系统登记的姓名核对", required=False),
        Column(NOMINATING_UNIT, f"选派单位；留空即为学员所在单位。{_UNIT_REFERENCE}", required=False, width=24),
        Column(REMARK, "需要跟班管理人员了解的情况", required=False, width=24),
    ),
    "培训班花名册：选派参加该班的学员",
)

REGISTER_SHEETS = (UNITS, PARTY_ORGANISATIONS, PEOPLE, STATUSES, POSITIONS)
