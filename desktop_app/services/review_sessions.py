"""The read side of centralised review (第三条): sessions, their experts, the applications before them,
each expert's scores and the panel's result. Writes are in services/operations.py (评审会 section)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction

from desktop_app.errors import NotFound
from desktop_app.lifecycle import review_scoring as S
from desktop_app.models.kinds import KINDS
from desktop_app.models.review_panel import SESSION_FIELDS

METHOD = dict(SESSION_FIELDS[3].choices)
CONCLUSION = dict(KINDS["review"].field("conclusion").choices)


@dataclass
class ExpertScore:
    expert_id: str
    name: str
    scores: dict[str, int] | None        # None: not scored yet
    opinion: str = ""
    total: Fraction | None = None


@dataclass
class Application:
    assignment_id: str
    project_id: str
    code: str
    name: str
    unit: str
    investment_fen: int | None
    status: str
    experts: list[ExpertScore]
    panel: S.Panel
    review: dict | None                  # the project's review this session wrote, once concluded

    @property
    def all_scored(self) -> bool:
        return bool(self.experts) and all(e.scores is not None for e in self.experts)

    @property
    def conclusion_text(self) -> str:
        if not self.review:
            return "待形成结论"
        return f"第{self.review['round']}轮：{CONCLUSION.get(self.review['conclusion'], '')}"


@dataclass
class Session:
    row: dict
    sheet: tuple[S.SheetItem, ...]
    experts: list[dict]
    applications: list[Application] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def method_text(self) -> str:
        return METHOD.get(self.row["method"], self.row["method"])


def sessions(store) -> list[dict]:
    """Every session, newest first, with its numbers of experts and applications."""
    return store.all(
        "SELECT s.*, (SELECT COUNT(*) FROM review_experts e WHERE e.session_id=s.id) AS experts, "
        "(SELECT COUNT(*) FROM review_assignments a WHERE a.session_id=s.id) AS applications, "
        "(SELECT COUNT(*) FROM review_assignments a WHERE a.session_id=s.id AND a.review_id IS NULL) AS pending "
        "FROM review_sessions s ORDER BY s.held_on DESC, s.created_at DESC")


def find(store, text: str) -> dict:
    """A session by its id or its exact title (the CLI's way to name one)."""
    rows = store.all("SELECT * FROM review_sessions WHERE id=? OR title=? ORDER BY held_on DESC", (text, text))
    if not rows:
        raise NotFound(f"找不到评审会「{text}」。用 govis review list 查看已有评审会")
    return rows[0]


def find_expert(store, session_id: str, name: str) -> dict:
    row = store.one("SELECT * FROM review_experts WHERE session_id=? AND (name=? OR id=?)", (session_id, name, name))
    if not row:
        raise NotFound(f"评审会中没有专家「{name}」，请先添加专家")
    return row


def load(store, session_id: str) -> Session:
    row = store.one("SELECT * FROM review_sessions WHERE id=?", (session_id,))
    if not row:
        raise NotFound("找不到该评审会")
    sheet = S.parse_sheet(row["sheet"])
    experts = store.all("SELECT * FROM review_experts WHERE session_id=? ORDER BY rowid", (session_id,))
    out = Session(row, sheet, experts)
    assigned = store.all(
        "SELECT a.id AS assignment_id, a.review_id, p.id AS project_id, p.code, p.name, p.status, "
        "p.total_investment_fen, o.name AS unit FROM review_assignments a JOIN projects p ON p.id=a.project_id "
        "JOIN organisations o ON o.id=p.lead_org_id WHERE a.session_id=? ORDER BY p.code, a.created_at",
        (session_id,))
    for a in assigned:
        scored = {s["expert_id"]: s for s in store.all("SELECT * FROM review_scores WHERE assignment_id=?",
                                                         (a["assignment_id"],))}
        rows = []
        for e in experts:
            s = scored.get(e["id"])
            scores = json.loads(s["scores"]) if s else None
            rows.append(ExpertScore(e["id"], e["name"], scores, s["opinion"] if s else "",
                                    S.weighted_total(sheet, scores) if scores else None))
        totals = {r.name: r.total for r in rows if r.total is not None}
        review = store.one("SELECT * FROM reviews WHERE id=?", (a["review_id"],)) if a["review_id"] else None
        out.applications.append(Application(
            a["assignment_id"], a["project_id"], a["code"], a["name"], a["unit"], a["total_investment_fen"],
            a["status"], rows, S.panel(totals, row["outlier_points"]), review))
    return out


def assignable(store, taken=frozenset()) -> list[dict]:
    """Projects under review (评审中) that may go before a session, less those already waiting in `taken`."""
    return [p for p in store.all("SELECT id, code, name FROM projects WHERE status='under_review' ORDER BY code")
            if p["id"] not in taken]


def rounds(store, project_id: str) -> list[dict]:
    """Every session the project went before, oldest first, with the round and conclusion each wrote:
    the 修改后重新评审 loop, kept whole."""
    return store.all(
        "SELECT s.title, s.held_on, r.round, r.conclusion, r.opinion FROM review_assignments a "
        "JOIN review_sessions s ON s.id=a.session_id LEFT JOIN reviews r ON r.id=a.review_id "
        "WHERE a.project_id=? ORDER BY s.held_on, a.created_at", (project_id,))
