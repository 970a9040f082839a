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
