"""Display labels of the register's vocabularies: the one place a code's Chinese label is written.

Codes travel in events (training categories, teaching modes, political statuses, positions…); the register owns
the vocabularies and validates codes against them (``services.enrollment.domain.vocabulary`` declares which codes
exist and takes their labels from here). Every service prints the same label for a code, and a code newer than
these tables prints as itself rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping

# 培训类别 (training category), including the classes run elsewhere that our people are sent to.
CATEGORY_LABELS: Mapping[str, str] = {
    "division_cadres": "处级干部专题培训",
    "party_affairs": "党务干部培训",
    "young_backbone": "青年骨干培训",
    "member_rotation": "党员集中轮训",
    "activists": "入党积极分子培训",
    "development_targets": "发展对象培训",
    "discipline_inspection": "纪检监察员培训",
    "united_front": '统战"两支队伍"培训',
    "external_municipal_party_school": "市委党校",
    "external_municipal_education_committee": "市教卫工作党委",
    "external_national_academy_online": "国家教育行政学院网络学习平台",
    "branch_study": "支部组织学习",
}

# 党务干部培训层次: whose officers a Party-affairs class trains.
PARTY_AFFAIRS_LEVEL_LABELS: Mapping[str, str] = {
    "general_branch_secretary": "总支书记",
    "branch_secretary": "支部书记",
    "committee_member": "委员",
}

# 教学形式 (teaching mode) of a session or course.
TEACHING_MODE_LABELS: Mapping[str, str] = {
    "lecture": "专题讲授",
    "seminar": "研讨式",
    "case": "案例式",
    "scenario": "情景模拟",
    "experiential": "体验式",
    "on_site": "现场教学",
    "online": "网络学习",
    "practice": "实践",
}

# 办班方式: how a class is held.
CLASS_DELIVERY_LABELS: Mapping[str, str] = {
    "on_site": "集中面授",
    "online": "网络培训",
    "blended": "线上线下结合",
}

# 培训班状态.
CLASS_STATUS_LABELS: Mapping[str, str] = {
    "planned": "筹备中",
    "open": "开班",
    "closed": "已结业",
    "cancelled": "已取消",
}

# 政治面貌 (political status).
POLITICAL_STATUS_LABELS: Mapping[str, str] = {
    "full_member": "正式党员",
    "probationary_member": "预备党员",
    "activist": "入党积极分子",
    "development_target": "发展对象",
    "masses": "群众",
    "democratic_party": "民主党派",
    "non_party": "无党派人士",
}

# 职务/身份: the positions training rules depend on.
POSITION_LABELS: Mapping[str, str] = {
    "cadre_division_and_above": "县处级及以上",
    "cadre_section_and_below": "乡科级及以下",
    "general_branch_secretary": "党总支书记",
    "general_branch_committee_member": "党总支委员",
    "branch_secretary": "党支部书记",
    "branch_committee_member": "党支部委员",
    "discipline_inspection": "纪检委员/纪检监察干部",
    "united_front_cadre": "统战干部",
    "non_party_representative": "党外代表人士",
    "young_backbone": "青年骨干",
}

# 人员类别.
PERSON_KIND_LABELS: Mapping[str, str] = {"staff": "教职工", "student": "学生"}

# 组织类别 of an organisation event: a unit, or one of the Party organisations.
ORGANISATION_KIND_LABELS: Mapping[str, str] = {
    "unit": "单位",
    "party_committee": "党委",
    "general_branch": "党总支",
    "branch": "党支部",
}

# 单位类别.
UNIT_KIND_LABELS: Mapping[str, str] = {
    "college": "学院",
    "department": "部门",
    "branch_school": "分校",
    "affiliated": "直属单位",
}

# 课程安排状态.
SESSION_STATUS_LABELS: Mapping[str, str] = {"scheduled": "已排课", "cancelled": "已取消"}

# 报名方式.
ENROLLMENT_ROUTE_LABELS: Mapping[str, str] = {"nomination": "单位选派", "application": "个人报名"}

# 报名状态.
ENROLLMENT_STATUS_LABELS: Mapping[str, str] = {
    "nominated": "已选派",
    "applied": "已报名",
    "approved": "已录取",
    "rejected": "未录取",
    "waitlisted": "候补",
    "withdrawn": "已退出",
    "transferred": "已转班",
}


def label(labels: Mapping[str, str], code: str) -> str:
    """The label of ``code``, or the code itself when it is newer than the table."""
    return labels.get(code, code)


def category_label(code: str) -> str:
    return label(CATEGORY_LABELS, code)
