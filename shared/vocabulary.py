"""Display labels of the vocabularies that travel as codes in events (training categories…).

The register owns the vocabularies and validates codes against them; every service prints the same label for a
code, and a code newer than this table prints as itself rather than failing.
"""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "division_cadres": "处级干部专题培训",
    "party_affairs": "党务干部培训",
    "young_backbone": "青年骨干培训",
    "member_rotation": "党员集中轮训",
    "activists": "入党积极分子培训",
    "development_targets": "发展对象培训",
    "discipline_inspection": "纪检监察员培训",
    "united_front": '统战"两支队伍"培训',
}


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)
