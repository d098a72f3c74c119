"""Writes docs/sample/register-sample.xlsx: a small school's register and one class roster, all fictional.

Run from the repository root: ``python docs/sample/make_sample_workbook.py``. The workbook is written from
the same sheet layouts the importer reads, so it always imports; a test checks the committed file matches.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from services.enrollment.spreadsheets import layouts as sheet
from services.enrollment.spreadsheets.writing import CellValue, workbook_bytes

SAMPLE = Path(__file__).with_name("register-sample.xlsx")
LONG_AGO = date(2005, 9, 1)

UNITS: list[list[CellValue]] = [
    ["ADMIN", "党委办公室（校长办公室）", "部门", LONG_AGO, None],
    ["ORG", "党委组织部（党校）", "部门", LONG_AGO, None],
    ["MARX", "马克思主义学院", "学院", date(2012, 3, 1), None],
    ["ECON", "经济管理学院", "学院", LONG_AGO, None],
    ["INFO", "信息技术学院", "学院", date(2016, 9, 1), None],
    ["XUHUI", "徐汇分校", "分校", LONG_AGO, None],
]

PARTY_ORGANISATIONS: list[list[CellValue]] = [
    ["SCHOOL-PC", "中共示范开放大学委员会", "党委", None, None, LONG_AGO, None],
    ["JG-GB", "机关党总支", "党总支", "SCHOOL-PC", None, LONG_AGO, None],
    ["JG-B1", "机关第一党支部", "党支部", "JG-GB", "ADMIN", LONG_AGO, None],
    ["JG-B2", "机关第二党支部", "党支部", "JG-GB", "ORG", LONG_AGO, None],
    ["MARX-GB", "马克思主义学院党总支", "党总支", "SCHOOL-PC", "MARX", date(2012, 3, 1), None],
    # One branch until the college grew; split into a staff and a students' branch on 1 July 2022.
    ["MARX-B0", "马克思主义学院党支部", "党支部", "MARX-GB", "MARX", date(2012, 3, 1), date(2022, 7, 1)],
    ["MARX-B1", "马克思主义学院教工党支部", "党支部", "MARX-GB", "MARX", date(2022, 7, 1), None],
    ["MARX-B2", "马克思主义学院学生党支部", "党支部", "MARX-GB", "MARX", date(2022, 7, 1), None],
    ["ECON-GB", "经济管理学院党总支", "党总支", "SCHOOL-PC", "ECON", LONG_AGO, None],
    ["ECON-B1", "经济管理学院教工党支部", "党支部", "ECON-GB", "ECON", LONG_AGO, None],
    ["ECON-B2", "经济管理学院学生党支部", "党支部", "ECON-GB", "ECON", LONG_AGO, None],
    ["INFO-B", "信息技术学院直属党支部", "党支部", "SCHOOL-PC", "INFO", date(2016, 9, 1), None],
    ["XUHUI-GB", "徐汇分校党总支", "党总支", "SCHOOL-PC", "XUHUI", LONG_AGO, None],
    ["XUHUI-B1", "徐汇分校党支部", "党支部", "XUHUI-GB", "XUHUI", LONG_AGO, None],
]

# 工号 (staff, 8 digits) or 学号 (students, 10 digits), name, kind, unit, branch.
PEOPLE: list[list[CellValue]] = [
    ["19980101", "陈建国", "教职工", "ADMIN", "JG-B1"],
    ["20030102", "林海燕", "教职工", "ADMIN", "JG-B1"],
    ["20100103", "黄志强", "教职工", "ADMIN", "JG-B1"],
    ["20180104", "吴晓雯", "教职工", "ADMIN", None],
    ["19990201", "周伟民", "教职工", "ORG", "JG-B2"],
    ["20080202", "徐丽萍", "教职工", "ORG", "JG-B2"],
    ["20150203", "孙浩然", "教职工", "ORG", "JG-B2"],
    ["20210204", "马思远", "教职工", "ORG", None],
    ["20060301", "朱文博", "教职工", "MARX", "MARX-B1"],
    ["20110302", "胡婷婷", "教职工", "MARX", "MARX-B1"],
    ["20160303", "郭子豪", "教职工", "MARX", "MARX-B1"],
    ["20190304", "何静怡", "教职工", "MARX", "MARX-B1"],
    ["20220305", "高明轩", "教职工", "MARX", None],
    ["2023030101", "罗欣怡", "学生", "MARX", "MARX-B2"],
    ["2023030102", "梁宇航", "学生", "MARX", None],
    ["2023030103", "宋雨桐", "学生", "MARX", None],
    ["2024030104", "郑嘉怡", "学生", "MARX", None],
    ["2024030105", "谢俊杰", "学生", "MARX", None],
    ["20020401", "韩立新", "教职工", "ECON", "ECON-B1"],
    ["20090402", "唐春梅", "教职工", "ECON", "ECON-B1"],
    ["20140403", "冯晓东", "教职工", "ECON", "ECON-B1"],
    ["20170404", "于佳琪", "教职工", "ECON", None],
    ["20200405", "董一鸣", "教职工", "ECON", None],
    ["2023040101", "萧子涵", "学生", "ECON", "ECON-B2"],
    ["2023040102", "程浩宇", "学生", "ECON", None],
    ["2023040103", "曹梦琪", "学生", "ECON", None],
    ["2024040104", "袁博文", "学生", "ECON", None],
    ["20120501", "邓建华", "教职工", "INFO", "INFO-B"],
    ["20150502", "许晨阳", "教职工", "INFO", "INFO-B"],
    ["20190503", "傅雅琳", "教职工", "INFO", None],
    ["2023050101", "沈奕辰", "学生", "INFO", None],
    ["2024050102", "曾诗涵", "学生", "INFO", None],
    ["20040601", "彭国华", "教职工", "XUHUI", "XUHUI-B1"],
    ["20100602", "吕秀英", "教职工", "XUHUI", "XUHUI-B1"],
    ["20160603", "苏志刚", "教职工", "XUHUI", "XUHUI-B1"],
    ["20200604", "卢雪梅", "教职工", "XUHUI", None],
    ["20230605", "蒋天佑", "教职工", "XUHUI", None],
    ["2024060101", "蔡梓萱", "学生", "XUHUI", None],
    ["2024060102", "贾文轩", "学生", "XUHUI", None],
    ["2024060103", "丁若曦", "学生", "XUHUI", None],
]


def member(person_id: str, admitted: date, full_from: date) -> list[list[CellValue]]:
    """A 预备党员 admitted on ``admitted`` who became 正式党员 a year on."""
    return [[person_id, "预备党员", admitted, admitted], [person_id, "正式党员", full_from, admitted]]


def on_the_way(person_id: str, activist: date, target: date | None = None) -> list[list[CellValue]]:
    """入党积极分子 from ``activist``, then 发展对象 from ``target``."""
    rows: list[list[CellValue]] = [[person_id, "入党积极分子", activist, None]]
    if target:
        rows.append([person_id, "发展对象", target, None])
    return rows


STATUSES: list[list[CellValue]] = [
    *member("19980101", date(1995, 6, 20), date(1996, 6, 20)),
    *member("20030102", date(2001, 11, 5), date(2002, 11, 5)),
    *member("20100103", date(2008, 6, 28), date(2009, 6, 28)),
    ["20180104", "民主党派", date(2019, 5, 1), None],
    *member("19990201", date(1997, 7, 1), date(1998, 7, 1)),
    *member("20080202", date(2006, 4, 12), date(2007, 4, 12)),
    *member("20150203", date(2013, 6, 18), date(2014, 6, 18)),
    *on_the_way("20210204", date(2024, 4, 10), date(2025, 9, 15)),
    *member("20060301", date(2003, 5, 20), date(2004, 5, 20)),
    *member("20110302", date(2009, 12, 1), date(2010, 12, 1)),
    *member("20160303", date(2014, 6, 25), date(2015, 6, 25)),
    *member("20190304", date(2017, 11, 20), date(2018, 11, 20)),
    ["20220305", "群众", date(2022, 9, 1), None],
    ["2023030101", "预备党员", date(2025, 12, 10), date(2025, 12, 10)],
    *on_the_way("2023030102", date(2024, 3, 15), date(2025, 10, 20)),
    *on_the_way("2023030103", date(2024, 3, 15), date(2025, 10, 20)),
    *on_the_way("2024030104", date(2025, 4, 8)),
    *on_the_way("2024030105", date(2025, 4, 8)),
    *member("20020401", date(1999, 6, 30), date(2000, 6, 30)),
    *member("20090402", date(2007, 5, 16), date(2008, 5, 16)),
    *member("20140403", date(2012, 6, 1), date(2013, 6, 1)),
    ["20170404", "无党派人士", date(2017, 9, 1), None],
    *on_the_way("20200405", date(2023, 10, 9), date(2025, 9, 15)),
    ["2023040101", "预备党员", date(2025, 12, 10), date(2025, 12, 10)],
    *on_the_way("2023040102", date(2024, 3, 20), date(2025, 10, 20)),
    *on_the_way("2023040103", date(2024, 10, 12)),
    ["2024040104", "群众", date(2024, 9, 1), None],
    *member("20120501", date(2010, 6, 15), date(2011, 6, 15)),
    *member("20150502", date(2013, 12, 3), date(2014, 12, 3)),
    ["20190503", "民主党派", date(2020, 3, 1), None],
    *on_the_way("2023050101", date(2024, 5, 6), date(2025, 11, 3)),
    *on_the_way("2024050102", date(2025, 4, 22)),
    *member("20040601", date(2001, 7, 1), date(2002, 7, 1)),
    *member("20100602", date(2008, 11, 11), date(2009, 11, 11)),
    *member("20160603", date(2015, 5, 28), date(2016, 5, 28)),
    *on_the_way("20200604", date(2023, 4, 18), date(2025, 9, 15)),
    ["20230605", "群众", date(2023, 7, 1), None],
    *on_the_way("2024060101", date(2025, 3, 30), date(2025, 11, 3)),
    *on_the_way("2024060102", date(2025, 3, 30)),
    ["2024060103", "群众", date(2024, 9, 1), None],
]

POSITIONS: list[list[CellValue]] = [
    ["19980101", "县处级及以上", date(2012, 1, 1), None],
    ["20030102", "乡科级及以下", date(2010, 3, 1), date(2020, 1, 1)],
    ["20030102", "县处级及以上", date(2020, 1, 1), None],
    ["20030102", "党总支书记", date(2021, 6, 1), None],
    ["20100103", "乡科级及以下", date(2016, 5, 1), None],
    ["20100103", "党支部书记", date(2021, 6, 1), None],
    ["20100103", "青年骨干", date(2022, 9, 1), None],
    ["20180104", "党外代表人士", date(2022, 1, 1), None],
    ["19990201", "县处级及以上", date(2015, 7, 1), None],
    ["20080202", "乡科级及以下", date(2012, 9, 1), None],
    ["20080202", "统战干部", date(2019, 3, 1), None],
    ["20080202", "党支部书记", date(2021, 6, 1), None],
    ["20150203", "党支部委员", date(2021, 6, 1), None],
    ["20150203", "纪检委员/纪检监察干部", date(2021, 6, 1), None],
    ["20150203", "青年骨干", date(2023, 9, 1), None],
    ["20060301", "县处级及以上", date(2018, 1, 1), None],
    ["20060301", "党总支书记", date(2018, 1, 1), None],
    ["20110302", "党支部书记", date(2022, 7, 1), None],
    ["20160303", "党支部委员", date(2022, 7, 1), None],
    ["20190304", "党支部委员", date(2022, 7, 1), None],
    ["20190304", "青年骨干", date(2024, 9, 1), None],
    ["20020401", "县处级及以上", date(2014, 1, 1), None],
    ["20090402", "党总支委员", date(2021, 6, 1), None],
    ["20090402", "乡科级及以下", date(2015, 1, 1), None],
    ["20140403", "党支部书记", date(2021, 6, 1), None],
    ["20170404", "党外代表人士", date(2021, 1, 1), None],
    ["20120501", "党支部书记", date(2019, 6, 1), None],
    ["20120501", "乡科级及以下", date(2018, 1, 1), None],
    ["20150502", "纪检委员/纪检监察干部", date(2019, 6, 1), None],
    ["20040601", "党总支书记", date(2016, 1, 1), None],
    ["20040601", "县处级及以上", date(2016, 1, 1), None],
    ["20100602", "党支部书记", date(2019, 6, 1), None],
    ["20160603", "党支部委员", date(2019, 6, 1), None],
    ["20160603", "青年骨干", date(2023, 9, 1), None],
]

# The spring development-target class (发展对象培训班): its 发展对象, nominated by their units.
ROSTER: list[list[CellValue]] = [
    ["20210204", "马思远", "ORG", None],
    ["2023030102", "梁宇航", "MARX", None],
    ["2023030103", "宋雨桐", "MARX", None],
    ["20200405", "董一鸣", "ECON", None],
    ["2023040102", "程浩宇", "ECON", "学生干部，周三下午有课"],
    ["2023050101", "沈奕辰", "INFO", None],
    ["20200604", "卢雪梅", "XUHUI", None],
    ["2024060101", "蔡梓萱", "XUHUI", None],
]


def sample_workbook() -> bytes:
    return workbook_bytes(
        (*sheet.REGISTER_SHEETS, sheet.ROSTER),
        {
            sheet.UNITS.name: UNITS,
            sheet.PARTY_ORGANISATIONS.name: PARTY_ORGANISATIONS,
            sheet.PEOPLE.name: PEOPLE,
            sheet.STATUSES.name: STATUSES,
            sheet.POSITIONS.name: POSITIONS,
            sheet.ROSTER.name: ROSTER,
        },
    )


if __name__ == "__main__":
    SAMPLE.write_bytes(sample_workbook())
    print(f"wrote {SAMPLE}")
