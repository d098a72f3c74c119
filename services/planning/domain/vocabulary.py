"""Display labels of the register's person vocabularies, for reasons the school reads.

The register owns the codes; a code newer than these tables prints as itself. (Training categories have their
labels in ``shared.vocabulary``; these belong beside them once the register publishes its own.)
"""

from __future__ import annotations

from shared.vocabulary import category_label

STATUS_LABELS: dict[str, str] = {
    "full_member": "正式党员",
    "probationary_member": "预备党员",
    "activist": "入党积极分子",
    "development_target": "发展对象",
    "masses": "群众",
    "democratic_party": "民主党派",
    "non_party": "无党派人士",
}

POSITION_LABELS: dict[str, str] = {
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

# The levels of Party-affairs classes (党务干部培训): whose officers a class trains.
LEVEL_LABELS: dict[str, str] = {
    "general_branch_secretary": "总支书记",
    "branch_secretary": "支部书记",
    "committee_member": "委员",
}

# Categories the register has beyond its own training groups: classes run elsewhere, and branch study.
_MORE_CATEGORY_LABELS: dict[str, str] = {
    "external_municipal_party_school": "市委党校",
    "external_municipal_education_committee": "市教卫工作党委",
    "external_national_academy_online": "国家教育行政学院网络平台",
    "branch_study": "支部组织学习",
}


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)


def position_label(code: str) -> str:
    return POSITION_LABELS.get(code, code)


def level_label(code: str) -> str:
    return LEVEL_LABELS.get(code, code)


def training_label(category: str) -> str:
    """The label of any training category, including classes run elsewhere and branch study."""
    return _MORE_CATEGORY_LABELS.get(category) or category_label(category)
