"""第六条 performance evaluation: the indicator system, a report's scores per indicator, the total
computed from them (never typed) and the grade. Pure: no database, no Qt.

An evaluation stores its scores in its `indicators` text, one second-level indicator a line,
`一级指标/二级指标:得分` (the form the exchange workbook and the printed report already carry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.models.kinds import GRADE

GRADE_LABELS = dict(GRADE)
# (lowest total, grade): 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60
GRADE_FLOORS = ((90, "excellent"), (80, "good"), (60, "fair"), (0, "poor"))
POOR = "poor"

_LINE = re.compile(r"^\s*(?:\d+[.、．]\s*)?(.+?)\s*[:：]\s*(\S*?)\s*分?\s*$")


@dataclass(frozen=True)
class Indicator:
    level1: str
    name: str
    full: int
    note: str

    @property
    def key(self) -> str:
        return f"{self.level1}/{self.name}"


@dataclass(frozen=True)
class Group:
    name: str
    full: int
    items: tuple[Indicator, ...]


@dataclass(frozen=True)
class IndicatorSystem:
    groups: tuple[Group, ...]

    @classmethod
    def from_data(cls, data) -> IndicatorSystem:
        """From ((一级, 满分, ((二级, 满分, 评分说明), ...)), ...); refuses a system whose marks do not add
        up (second levels to their first level, first levels to 100) or whose names repeat."""
        groups = tuple(Group(str(name), int(full), tuple(Indicator(str(name), str(n), int(f), str(note))
                                                         for n, f, note in items))
                       for name, full, items in data)
        problems = []
        for g in groups:
            if sum(i.full for i in g.items) != g.full:
                problems.append(f"一级指标「{g.name}」{g.full}分，其二级指标合计{sum(i.full for i in g.items)}分")
        if sum(g.full for g in groups) != 100:
            problems.append(f"一级指标合计应为100分，现为{sum(g.full for g in groups)}分")
        names = [i.name for g in groups for i in g.items]
        if len(set(names)) != len(names):
            problems.append("二级指标名称不能重复")
        if problems:
            raise ValueError("绩效评价指标体系有误：" + "；".join(problems))
        return cls(groups)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.items)

    def template(self) -> str:
        """The lines a person fills in: every indicator with an empty score."""
        return "\n".join(f"{i.key}:" for i in self.indicators)

    def parse(self, text: str | None) -> dict[str, int]:
        """`一级/二级:得分` lines (or `二级:得分`) -> {key: whole points}; every indicator exactly once,
        each score from 0 to its full marks. Raises ValueError with every problem, in Chinese."""
        by_name = {i.name: i for i in self.indicators} | {i.key: i for i in self.indicators}
        scores: dict[str, int] = {}
        problems = []
        for line in (text or "").splitlines():
            if not line.strip():
                continue
            m = _LINE.match(line)
            if not m:
                problems.append(f"“{line.strip()}”应写成“指标:得分”")
                continue
            name, raw = m.group(1).strip(), m.group(2)
            ind = by_name.get(name)
            if ind is None:
                problems.append(f"没有名为“{name}”的评价指标")
            elif ind.key in scores:
                problems.append(f"“{ind.name}”填了两次")
            elif not raw.isdigit():
                problems.append(f"“{ind.name}”的得分应为0至{ind.full}的整数，现为“{raw}”" if raw
                                else f"“{ind.name}”未填得分")
            elif int(raw) > ind.full:
                problems.append(f"“{ind.name}”满分{ind.full}分，填了{int(raw)}分")
            else:
                scores[ind.key] = int(raw)
        missing = [i.name for i in self.indicators if i.key not in scores
                   and not any(i.name in p for p in problems)]
        if missing:
            problems.append("缺少指标：" + "、".join(missing))
        if problems:
            raise ValueError("；".join(problems))
        return scores

    def lines(self, scores: dict[str, int]) -> str:
        return "\n".join(f"{i.key}:{scores[i.key]}" for i in self.indicators)

    def spread(self, points: int) -> dict[str, int]:
        """Scores adding up to `points` (0 to 100), each in proportion to its full marks, the rounding
        remainder handed out one point at a time: sample data for the demo county and the tests."""
        items = self.indicators
        scores = {i.key: points * i.full // 100 for i in items}
        rest = points - sum(scores.values())
        while rest:
            for i in items:
                if rest and scores[i.key] < i.full:
                    scores[i.key] += 1
                    rest -= 1
        return scores

    def group_totals(self, scores: dict[str, int]) -> list[tuple[Group, int]]:
        return [(g, sum(scores[i.key] for i in g.items)) for g in self.groups]


# ---- a county's own system: read, checked, written (the editor, `govis indicators`, set_indicators) ----
# Stored (setting `evaluation_indicators`) as the list form [[一级, 分值, [[二级, 分值, 评分说明], ...]], ...];
# read also in the object form `govis indicators show --json` prints:
# [{"name": 一级, "points": 分值, "items": [{"name": 二级, "points": 分值, "note": 评分说明}, ...]}, ...].
# Names may not hold what the score lines use as separators (一级/二级:得分).
_SEPARATORS = ("/", "／", ":", "：", "\n", "\r")


def to_data(system: IndicatorSystem) -> list:
    """The stored list form of a system."""
    return [[g.name, g.full, [[i.name, i.full, i.note] for i in g.items]] for g in system.groups]


def to_objects(system: IndicatorSystem) -> list[dict]:
    return [{"name": g.name, "points": g.full,
             "items": [{"name": i.name, "points": i.full, "note": i.note} for i in g.items]}
            for g in system.groups]


def outline(system: IndicatorSystem) -> dict[str, str]:
    """{一级指标: "分值：二级指标分值（评分说明）；…"}: the audit log's before and after, group by group."""
    return {g.name: f"{g.full}分：" + "；".join(f"{i.name}{i.full}分" + (f"（{i.note}）" if i.note else "")
                                              for i in g.items) for g in system.groups}


def _entry(x, with_note: bool):
    """(name, points, note-or-items) from a list entry or an object entry; None if neither."""
    if isinstance(x, dict):
        return x.get("name"), x.get("points"), x.get("note", "") if with_note else x.get("items")
    if isinstance(x, (list, tuple)) and len(x) in ((2, 3) if with_note else (3,)):
        return x[0], x[1], (x[2] if len(x) == 3 else "") if with_note else x[2]
    return None


def _points(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    text = str(raw).strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def checked(data) -> IndicatorSystem:
    """A county's indicator system from either form, every problem named in Chinese (ValidationError,
    one message per indicator): names present, unique and free of separators; whole positive marks;
    second levels adding up to their first level, first levels to 100. Scoring notes are optional."""
    from desktop_app.errors import ValidationError

    shape = "格式应为一级指标的列表，每个一级指标有名称、分值和二级指标（名称、分值、评分说明）"
    if not isinstance(data, (list, tuple)) or not data:
        raise ValidationError({"指标体系": f"指标体系为空或格式不对：{shape}"})
    problems: dict[str, str] = {}
    groups, seen1, seen2 = [], set(), {}

    def name_of(raw, where: str) -> str | None:
        name = str(raw or "").strip()
        if not name:
            problems[where] = f"{where}的名称不能为空"
            return None
        if any(c in name for c in _SEPARATORS):
            problems[where] = f"指标「{name}」的名称不能含“/”或冒号（得分按“一级/二级:得分”逐行填写）"
            return None
        return name

    for n1, raw1 in enumerate(data, 1):
        entry = _entry(raw1, False)
        if entry is None or not isinstance(entry[2], (list, tuple)):
            problems[f"第{n1}个一级指标"] = f"第{n1}个一级指标格式不对：{shape}"
            continue
        name = name_of(entry[0], f"第{n1}个一级指标")
        label = f"一级指标「{name}」" if name else f"第{n1}个一级指标"
        if name and name in seen1:
            problems[label] = f"{label}重复"
        seen1.add(name)
        full = _points(entry[1])
        if full is None:
            problems[f"{label}分值"] = f"{label}的分值应为正整数，现为「{entry[1]}」"
        items = []
        if not entry[2]:
            problems[f"{label}二级"] = f"{label}至少要有一个二级指标"
        for n2, raw2 in enumerate(entry[2], 1):
            sub = _entry(raw2, True)
            where = f"{label}的第{n2}个二级指标"
            if sub is None:
                problems[where] = f"{where}格式不对：应有名称、分值和评分说明"
                continue
            sub_name = name_of(sub[0], where)
            if sub_name and sub_name in seen2:
                problems[f"二级指标「{sub_name}」"] = (f"二级指标「{sub_name}」重复（在「{seen2[sub_name]}」和"
                                                     f"「{name or n1}」下）；得分按二级指标名称填写，名称不能重复")
            if sub_name:
                seen2.setdefault(sub_name, name or str(n1))
            points = _points(sub[1])
            if points is None:
                problems[f"{where}分值"] = f"二级指标「{sub_name or n2}」的分值应为正整数，现为「{sub[1]}」"
            items.append(Indicator(name or "", sub_name or "", points or 0, str(sub[2] or "").strip()))
        if full is not None and all(i.full for i in items) and items and sum(i.full for i in items) != full:
            problems[f"{label}合计"] = (f"{label}{full}分，其二级指标合计{sum(i.full for i in items)}分，"
                                      "应与一级指标分值相等")
        groups.append(Group(name or "", full or 0, tuple(items)))
    if len(groups) == len(data) and all(g.full for g in groups) and sum(g.full for g in groups) != 100:
        problems["合计"] = f"一级指标合计应为100分，现为{sum(g.full for g in groups)}分"
    if problems:
        raise ValidationError(problems)
    return IndicatorSystem(tuple(groups))


def total(scores: dict[str, int]) -> int:
    return sum(scores.values())


def grade(score: int) -> str:
    """优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60."""
    return next(code for floor, code in GRADE_FLOORS if score >= floor)


def scored(system: IndicatorSystem, text: str | None) -> tuple[str, int, str]:
    """(canonical indicator lines, total, grade) of a report's scores; ValueError if they do not parse."""
    scores = system.parse(text)
    t = total(scores)
    return system.lines(scores), t, grade(t)
