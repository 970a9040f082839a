"""相似项目 on the project window (第一条, 集约建设): the projects of this installation most like this one,
with the similarity, the suggested level and the phrases they share highlighted. The county office's
finding (重复建设审查意见) is the record section below it on the same tab (project_view.TAB_KINDS).

The check reads services/similarity.py; it runs when the tab is first shown (the index of a large
county takes a moment to build once per process), and again after a write when the tab is visible.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QGroupBox, QLabel, QTextBrowser, QVBoxLayout

from desktop_app.lifecycle.policy import load_profile
from desktop_app.services import similarity as S

MARK = "background:#ffe08a"
LEVEL_COLOURS = {"duplicate": "#c0392b", "partial": "#b9770e", "none": "#2c3e50"}


def highlighted(text: str, phrases) -> str:
    """`text` as HTML with every occurrence of the phrases marked (longest first, case-insensitive)."""
    if not phrases:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)), re.IGNORECASE)
    out, last = [], 0
    norm = S.normalise(text)
    same_length = len(norm) == len(text)  # NFKC may change the length (full-width forms): then mark none
    for m in pattern.finditer(norm if same_length else ""):
        out.append(html.escape(text[last:m.start()]))
        out.append(f'<span style="{MARK}">{html.escape(text[m.start():m.end()])}</span>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


class SimilarCandidates(QGroupBox):
    def __init__(self, session, parent=None):
        super().__init__("与本机其他项目的相似情况（查重）", parent)
        self.session = session
        self.project: dict | None = None
        self.candidates: list[S.Candidate] = []
        self._stale = True
        lay = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#555")
        lay.addWidget(self.note)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setMinimumHeight(260)
        lay.addWidget(self.browser)

    def set_project(self, project: dict) -> None:
        self.project = project
        self._stale = True
        if self.isVisible():
            self.run_check()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale and self.project is not None:
            self.run_check()

    def run_check(self) -> None:
        store = self.session.store
        profile = load_profile(store)
        self.candidates = S.candidates(store, self.project, profile=profile)
        self._stale = False
        self.note.setText(
            f"比较项目名称、建设内容摘要和信息资源目录（字符片段 TF-IDF，不联网）。相似度达到"
            f"{profile.duplicate_threshold_pct}%建议认定“重复”，达到{profile.partial_threshold_pct}%建议认定"
            "“部分重复”（政策参数，第一条）；是否重复由县政府办公室在下方审查意见中认定。")
        self.browser.setHtml(self.html())

    def html(self) -> str:
        p = self.project
        phrases = sorted({o for c in self.candidates if c.level != "none" for o in c.overlap})
        own = highlighted(p["name"] or "", phrases) + "<br>" + highlighted(p.get("summary") or "（未填写建设内容摘要）", phrases)
        parts = [f"<p><b>本项目：</b>{own}</p>"]
        if not self.candidates:
            parts.append("<p>本机其他项目中没有内容相似的项目。</p>")
            return "".join(parts)
        rows = [("<tr style='background:#eef2f6'><th>项目编号</th><th>项目名称</th><th>相似度</th>"
                 "<th>建议认定</th><th>相同的表述</th></tr>")]
        for c in self.candidates:
            colour = LEVEL_COLOURS[c.level]
            rows.append(f"<tr><td>{html.escape(c.code)}</td><td>{highlighted(c.name, c.overlap)}</td>"
                        f"<td align='right'>{c.percent}%</td>"
                        f"<td style='color:{colour}'><b>{c.level_label}</b></td><td>{chips(c.overlap)}</td></tr>")
        parts.append("<table border='1' cellspacing='0' cellpadding='4' width='100%'>" + "".join(rows) + "</table>")
        return "".join(parts)


def chips(phrases) -> str:
    return "　".join(f'<span style="{MARK}">{html.escape(o)}</span>' for o in phrases) or "—"


def arrivals_html(checks) -> str:
    """疑似重复建设 for applications arriving (a package, the old ledger): for each one with a 重复 or
    部分重复 candidate, the candidates with code, name, unit, similarity and level, shared phrases marked."""
    rows = [("<tr style='background:#eef2f6'><th>项目编号</th><th>项目名称</th><th>单位</th><th>相似度</th>"
             "<th>建议认定</th><th>相同的表述</th></tr>")]
    for check in checks:
        similar = check.similar
        if not similar:
            continue
        a = check.arrival
        phrases = sorted({o for c in similar for o in c.overlap})
        rows.append(f"<tr style='background:#f7f7f7'><td colspan='6'><b>导入的申报：{html.escape(a.code)}　"
                    f"{highlighted(a.name, phrases)}</b>（{html.escape(a.unit or '—')}）</td></tr>")
        for c in similar:
            where = "（本批同时导入）" if c.arriving else ""
            rows.append(f"<tr><td>{html.escape(c.code)}</td><td>{highlighted(c.name, c.overlap)}{where}</td>"
                        f"<td>{html.escape(c.unit or '—')}</td><td align='right'>{c.percent}%</td>"
                        f"<td style='color:{LEVEL_COLOURS[c.level]}'><b>{c.level_label}</b></td>"
                        f"<td>{chips(c.overlap)}</td></tr>")
    if len(rows) == 1:
        return ""
    return "<table border='1' cellspacing='0' cellpadding='4' width='100%'>" + "".join(rows) + "</table>"
