"""The duplicate-project check (第一条, 集约建设) for applications as they arrive: a batch of incoming
projects (a package's new or changed projects, the new and updated rows of an old ledger) compared with
everything this installation holds AND with each other, before anything is written.

One index per batch: the held projects (taken from `similarity.index_for`'s cache, so the database is not
read again) minus each arrival's own earlier version (same id, or same code), plus the arrivals; IDF over
all of them, as the 相似项目 tab will compute it once they are here. Read only; no Qt. The finding stays
the county office's record `duplicate_decision`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.lifecycle.policy import PolicyProfile, load_profile
from desktop_app.services import similarity as S

BATCH_LIMIT = 5


@dataclass(frozen=True)
class Arrival:
    key: str                  # the project's id (a package, a ledger update) or a row mark (a new ledger row)
    code: str
    name: str
    unit: str = ""
    summary: str = ""
    resources: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return S.project_text(self.name, self.summary, self.resources)


@dataclass
class ArrivalCheck:
    arrival: Arrival
    candidates: list[S.Candidate] = field(default_factory=list)

    @property
    def similar(self) -> list[S.Candidate]:
        """The candidates at 重复 or 部分重复: what the reviewer should look at."""
        return [c for c in self.candidates if c.level != "none"]

    @property
    def best(self) -> S.Candidate | None:
        return self.candidates[0] if self.candidates else None

    def as_json(self) -> dict:
        a = self.arrival
        return {"code": a.code, "name": a.name, "unit": a.unit,
                "candidates": [{**c.as_json(), "unit": c.unit, "arriving": c.arriving} for c in self.similar]}


def check_arrivals(store, arrivals: list[Arrival], limit: int = BATCH_LIMIT,
                   profile: PolicyProfile | None = None) -> list[ArrivalCheck]:
    """Per arrival, in the order given, its most similar projects (held or arriving), most similar first."""
    if not arrivals:
        return []
    profile = profile or load_profile(store)
    held = S.index_for(store)
    keys = {a.key for a in arrivals}
    codes = {a.code for a in arrivals if a.code}
    kept = [d for d in held.docs if d.key not in keys and d.code not in codes]  # their own earlier version
    docs = kept + [S.Doc(a.key, a.code, a.name, a.text, a.unit, arriving=True) for a in arrivals]
    index = S.Index.build(docs)
    out = []
    for a in arrivals:
        pos = index.position[a.key]
        text = index.docs[pos].text
        found = []
        for i, score in index.nearest(index.vectors[pos], exclude=a.key, limit=limit):
            doc = index.docs[i]
            score = min(score, 1.0)
            level = S.level_of(score, profile)
            overlap = S.overlap_phrases(text, doc.text, index) if level != "none" else ()
            found.append(S.Candidate(doc.code, doc.name, score, level, overlap, doc.key, doc.unit, doc.arriving))
        out.append(ArrivalCheck(a, found))
    return out


def flagged(checks: list[ArrivalCheck]) -> list[ArrivalCheck]:
    """The arrivals with a 重复 or 部分重复 candidate."""
    return [c for c in checks if c.similar]


def lines(checks: list[ArrivalCheck]) -> list[str]:
    """The 疑似重复 lines the command line prints (and the window shows as a table)."""
    out = []
    for check in flagged(checks):
        a = check.arrival
        for c in check.similar:
            where = "本批同时导入" if c.arriving else (c.unit or "本机")
            shared = "、".join(c.overlap) or "—"
            out.append(f"疑似重复：{a.code} {a.name} ↔ {c.code} {c.name}（{where}） 相似度{c.percent}% "
                       f"建议认定{c.level_label}；相同的表述：{shared}")
    return out


# ---- a held project, for the window and the annual round --------------------------------------------

def decision_recorded(store, project_ids: list[str]) -> dict[str, str]:
    """project id -> the level of its latest 重复建设审查意见, for those that have one."""
    if not project_ids:
        return {}
    marks = ",".join("?" for _ in project_ids)
    rows = store.all(f"SELECT project_id, level FROM duplicate_decisions WHERE project_id IN ({marks}) "
                     "ORDER BY decided_on, rowid", tuple(project_ids))
    return {r["project_id"]: r["level"] for r in rows}


def best_levels(store, projects: list[dict], profile: PolicyProfile | None = None) -> dict[str, S.Candidate | None]:
    """project id -> its most similar other project held here (None: nothing similar at all)."""
    if not projects:
        return {}
    profile = profile or load_profile(store)
    index = S.index_for(store)
    return {p["id"]: next(iter(S.candidates(store, p, limit=1, profile=profile, index=index)), None)
            for p in projects}


# statuses in which an application waits for the county office's finding (before it is funded)
AWAITING = frozenset({"submitted", "under_review", "revise", "approved"})


def awaiting_decision(store, project: dict, decided: bool) -> list[S.Candidate]:
    """The 重复 / 部分重复 candidates of a submitted application with no 重复建设审查意见 yet ([] otherwise):
    what the county office's project window points out, so the reviewer need not remember to look."""
    if decided or project.get("status") not in AWAITING:
        return []
    return [c for c in S.candidates(store, project) if c.level != "none"]
