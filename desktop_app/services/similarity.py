"""The duplicate-project check (第一条, 集约建设): how much an application repeats what the county holds.

Offline and without a model: each project's name, 建设内容摘要 and the names of its 信息资源目录 entries
become character 2- and 3-grams (Chinese has no spaces; n-grams need no dictionary), weighted by TF-IDF
over every project this installation holds and compared by cosine. Words every project uses
(智慧、平台、系统、建设、管理…, `GENERIC`) are cut out first, so two unrelated 智慧X平台 do not look alike.

The index lives in memory per process and is rebuilt when the projects or their catalogue change
(`index_for`). The level (重复 / 部分重复 / 无重复) comes from the county policy profile
(`duplicate_threshold_pct`, `partial_threshold_pct`), not from here. Reads only; no Qt.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from desktop_app.lifecycle.policy import PolicyProfile, load_profile

# Words nearly every government IT project uses; they say nothing about *what* is built. Longest first
# in the pattern so 信息化 goes before 信息.
GENERIC = (
    "智慧", "智能", "数字", "数字化", "信息化", "信息", "平台", "系统", "建设", "管理", "项目", "数据", "服务",
    "应用", "政务", "综合", "一体化", "工程", "升级", "改造", "新建", "网络", "中心", "全县", "我县", "本县",
    "县级", "工作", "实现", "提供", "功能", "模块", "包括", "主要", "开展", "相关", "以及", "进行",
    "提升", "推进", "加强", "完善", "构建", "打造", "统一", "部门", "单位", "业务", "一期", "二期",
    "三期", "的",
)
LEVELS = {"duplicate": "重复", "partial": "部分重复", "none": "无重复"}
DEFAULT_LIMIT = 10
MAX_OVERLAP = 8
MAX_DF = 0.5
MIN_DOCS_FOR_MAX_DF = 20

_SPLIT = re.compile("|".join(sorted((re.escape(w) for w in GENERIC), key=len, reverse=True))
                    + r"|[^0-9a-z\u3400-\u9fff\U00020000-\U0002ffff]+")
_KEEP = re.compile(r"[0-9a-z\u3400-\u9fff\U00020000-\U0002ffff]+")


@functools.lru_cache(maxsize=4096)  # a batch compares the same texts again and again (overlap_phrases)
def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def segments(text: str) -> list[str]:
    """The text cut at punctuation and generic words: what is left says what is built."""
    return [s for s in _SPLIT.split(normalise(text)) if len(s) >= 2]


def grams(text: str) -> Counter:
    out: Counter = Counter()
    for seg in segments(text):
        out.update(seg[i:i + 2] for i in range(len(seg) - 1))
        out.update(seg[i:i + 3] for i in range(len(seg) - 2))
    return out


def project_text(name: str | None, summary: str | None, resources: list[str] | tuple[str, ...] = ()) -> str:
    """What is compared: name, content summary, and the data resources the project holds."""
    return "\n".join(t for t in (name or "", summary or "", *resources) if t)


@dataclass(frozen=True)
class Doc:
    key: str       # project id
    code: str
    name: str
    text: str
    unit: str = ""      # the lead unit's name, shown beside a candidate
    arriving: bool = False  # not held yet: in the batch being checked (similarity_batch)


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float          # cosine similarity, 0 to 1
    level: str            # key of LEVELS
    overlap: tuple[str, ...]
    project_id: str = ""
    unit: str = ""
    arriving: bool = False  # another application of the same batch, not a held project

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "score": round(self.score, 3), "level": self.level_label,
                "overlap": list(self.overlap)}


@dataclass
class Index:
    """TF-IDF vectors (sparse dicts) with an inverted index from n-gram to (doc, weight)."""

    docs: list[Doc]
    stamp: tuple = ()
    vectors: list[dict[str, float]] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: list[Doc], stamp: tuple = ()) -> Index:
        counts = [grams(d.text) for d in docs]
        df: Counter = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(docs)
        # smoothed IDF (+1): two projects alone in a new installation still compare by what they share;
        # in a larger one a gram more than half the projects have is boilerplate (a template summary) and
        # is left out, as a corpus-specific stop word
        common = n * MAX_DF if n >= MIN_DOCS_FOR_MAX_DF else n + 1
        idf = {g: math.log((n + 1) / (d + 1)) + 1.0 for g, d in df.items() if d <= common}
        index = cls(docs, stamp, idf=idf, position={d.key: i for i, d in enumerate(docs)})
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, c in enumerate(counts):
            vec = index._weigh(c)
            index.vectors.append(vec)
            for g, w in vec.items():
                postings.setdefault(g, []).append((i, w))
        index.postings = postings
        return index

    def _weigh(self, counts: Counter) -> dict[str, float]:
        vec = {g: (1.0 + math.log(tf)) * self.idf[g] for g, tf in counts.items() if g in self.idf}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {g: w / norm for g, w in vec.items()}

    def vector_of(self, text: str) -> dict[str, float]:
        return self._weigh(grams(text))

    def cosine(self, a: int, b: int) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        if len(va) > len(vb):
            va, vb = vb, va
        return sum(w * vb.get(g, 0.0) for g, w in va.items())

    def nearest(self, vec: dict[str, float], exclude: str | None = None,
                limit: int = DEFAULT_LIMIT) -> list[tuple[int, float]]:
        acc: dict[int, float] = {}
        get = acc.get
        for g, qw in vec.items():
            for i, w in self.postings.get(g, ()):
                acc[i] = get(i, 0.0) + qw * w
        skip = self.position.get(exclude) if exclude else None
        acc.pop(skip, None)
        docs = self.docs
        # the top `limit` only (same order as sorting all): a batch of arrivals asks thousands of times
        return heapq.nsmallest(limit, ((i, s) for i, s in acc.items() if s > 0.0),
                               key=lambda item: (-item[1], docs[item[0]].code))

    def common_gram(self, gram: str) -> bool:
        """A gram left out as boilerplate (or unknown to the index): not worth showing as an overlap."""
        return gram not in self.idf


def level_of(score: float, profile: PolicyProfile) -> str:
    pct = score * 100
    if pct >= profile.duplicate_threshold_pct:
        return "duplicate"
    if pct >= profile.partial_threshold_pct:
        return "partial"
    return "none"


def overlap_phrases(a: str, b: str, index: Index | None = None, limit: int = MAX_OVERLAP) -> tuple[str, ...]:
    """The phrases of `a` that `b` also contains (greedy longest match, left to right), leaving out
    those made only of generic words or, with an index, only of grams most projects share."""
    b_norm = normalise(b)
    found: list[str] = []
    for run in _KEEP.findall(normalise(a)):
        i = 0
        while i < len(run) - 1:
            size = 1
            while i + size < len(run) and run[i:i + size + 1] in b_norm:
                size += 1
            phrase = run[i:i + size]
            if size >= 2 and _telling(phrase, index):
                found.append(phrase)
            i += size
    unique = []
    for p in sorted(dict.fromkeys(found), key=len, reverse=True):
        if not any(p in kept for kept in unique):
            unique.append(p)
    order = {p: normalise(a).find(p) for p in unique}
    return tuple(sorted(unique[:limit], key=order.get))


@functools.lru_cache(maxsize=16384)
def _gram_set(phrase: str) -> frozenset[str]:
    return frozenset(grams(phrase))


def _telling(phrase: str, index: Index | None) -> bool:
    parts = _gram_set(phrase)
    if not parts:
        return False
    return index is None or not all(index.common_gram(g) for g in parts)


# ---- over the installation's projects ------------------------------------------------------------

_CACHE: dict[str, Index] = {}
_LOCK = threading.Lock()


def _stamp(store) -> tuple:
    """Changes whenever a project or a catalogue entry is added, changed or removed."""
    p = store.one("SELECT count(*) AS n, max(updated_at) AS at, sum(rev) AS revs FROM projects")
    c = store.one("SELECT count(*) AS n, max(updated_at) AS at, sum(rev) AS revs FROM resource_catalog")
    return (p["n"], p["at"], p["revs"], c["n"], c["at"], c["revs"])


def load_docs(store) -> list[Doc]:
    resources: dict[str, list[str]] = {}
    for row in store.conn.execute("SELECT project_id, resource_name FROM resource_catalog ORDER BY rowid"):
        resources.setdefault(row[0], []).append(row[1])
    return [Doc(r[0], r[1], r[2], project_text(r[2], r[3], resources.get(r[0], ())), r[4] or "")
            for r in store.conn.execute("SELECT p.id, p.code, p.name, p.summary, o.name FROM projects p "
                                        "LEFT JOIN organisations o ON o.id = p.lead_org_id ORDER BY p.code")]


def build_index(store) -> Index:
    return Index.build(load_docs(store), _stamp(store))


def index_for(store) -> Index:
    """This process's index of the store's projects, rebuilt when they changed."""
    stamp = _stamp(store)
    key = str(store.path)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
    index = build_index(store)
    with _LOCK:
        _CACHE[key] = index
    return index


def candidates(store, project: dict, limit: int = DEFAULT_LIMIT, profile: PolicyProfile | None = None,
               index: Index | None = None) -> list[Candidate]:
    """The projects most like `project` (a projects row), most similar first."""
    index = index or index_for(store)
    profile = profile or load_profile(store)
    pos = index.position.get(project["id"])
    if pos is not None:
        vec, text = index.vectors[pos], index.docs[pos].text
    else:  # not in the index (should not happen): compare its own text
        text = project_text(project.get("name"), project.get("summary"))
        vec = index.vector_of(text)
    out = []
    for i, score in index.nearest(vec, exclude=project["id"], limit=limit):
        doc = index.docs[i]
        score = min(score, 1.0)
        out.append(Candidate(doc.code, doc.name, score, level_of(score, profile),
                             overlap_phrases(text, doc.text, index), doc.key, doc.unit))
    return out


def report(store, code: str, limit: int = DEFAULT_LIMIT) -> dict:
    """`govis similar CODE --json`: {"project": CODE, "candidates": [...]}."""
    from desktop_app.services.operations import project_by_code

    project = project_by_code(store, code)
    return {"project": project["code"], "candidates": [c.as_json() for c in candidates(store, project, limit)]}
