"""The preview of a ledger import: every sheet row parsed and classified (new / update / unchanged /
kept / invalid, with the reasons and the sheet row number), unit names matched. Nothing is written here;
`services.operations.import_ledger_rows` writes a plan's rows on confirmation."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from desktop_app.errors import ValidationError
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.models.kinds import CATEGORY, KINDS, PROCUREMENT
from desktop_app.models.statuses import parse_status, status_label
from desktop_app.models.store import Store
from desktop_app.services import operations as ops
from desktop_app.services.ledger_import import values as V
from desktop_app.services.ledger_import.mapping import BY_KEY, Mapping
from desktop_app.services.ledger_import.reading import Sheet

NEW, UPDATE, SAME, KEPT, INVALID = "new", "update", "same", "kept", "invalid"
ACTION_LABELS = {NEW: "新增", UPDATE: "更新", SAME: "无变化", KEPT: "已有（不覆盖）", INVALID: "有误"}
PROJECT_FIELDS = ("code", "name", "lead_org_id", "plan_year", "category", "total_investment_fen",
                  "fiscal_share_fen", "responsible_person", "contact", "summary", "planned_start",
                  "planned_completion")
CONTRACT_FIELDS = ("contract_no", "supplier", "amount_fen", "signed_on", "procurement_method")
NO_CONTRACT_NO = "（台账未载）"
PENDING_CODE = "待编号"


@dataclass
class UnitMatch:
    text: str
    org: dict | None          # the registered organisation it is
    suggestion: dict | None   # the nearest registered name, for a near miss
    rows: int = 0
    how: str = ""             # 名称 / 代码 / 对应关系


@dataclass
class PlanRow:
    row: int                                   # the sheet row number
    action: str
    name: str = ""
    unit: str = ""
    project: dict = field(default_factory=dict)        # parsed project values (stored forms)
    contract: dict | None = None
    status: str | None = None
    status_since: str | None = None
    remark: str | None = None
    assumed: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    project_id: str | None = None              # the project an update / unchanged row is
    rev: int | None = None                     # its version when previewed
    changes: dict = field(default_factory=dict)  # field -> (before, after), for an update or a kept row
    contract_id: str | None = None             # the existing contract an update changes


@dataclass
class Plan:
    source: str
    sheet: str
    mapping: Mapping
    rows: list[PlanRow]
    units: list[UnitMatch]
    today: dt.date
    # 第一条: sheet row -> its duplicate check (similarity_batch.ArrivalCheck), for the rows to be written
    duplicates: dict[int, object] = field(default_factory=dict)

    def of(self, action: str) -> list[PlanRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def invalid(self) -> list[PlanRow]:
        return self.of(INVALID)

    @property
    def writes(self) -> list[PlanRow]:
        return [r for r in self.rows if r.action in (NEW, UPDATE)]

    def counts(self) -> dict[str, int]:
        return {a: len(self.of(a)) for a in ACTION_LABELS}

    def summary(self) -> str:
        c = self.counts()
        return "，".join(f"{ACTION_LABELS[a]} {n} 行" for a, n in c.items() if n) or "没有数据行"

    def problems(self) -> list[str]:
        return [f"第 {r.row} 行：{'；'.join(r.reasons)}" for r in self.invalid]


# ---- units ----------------------------------------------------------------------------------------

def _norm_unit(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(str.maketrans("（）", "()"))


class UnitIndex:
    """Registered organisations by name, code and the mapping's ledger-text → code choices."""

    def __init__(self, store: Store, mapping: Mapping):
        self.orgs = store.all("SELECT * FROM organisations ORDER BY code")
        self.by_name = {_norm_unit(o["name"]): o for o in self.orgs}
        self.by_code = {o["code"].upper(): o for o in self.orgs}
        self.chosen = {_norm_unit(k): v for k, v in mapping.units_of_orgs.items()}
        self.matches: dict[str, UnitMatch] = {}

    def resolve(self, text: str) -> UnitMatch:
        key = _norm_unit(text)
        m = self.matches.get(key)
        if m is None:
            m = self.matches[key] = self._match(text, key)
        m.rows += 1
        return m

    def _match(self, text: str, key: str) -> UnitMatch:
        if key in self.chosen:
            org = self.by_code.get(str(self.chosen[key]).upper()) or self.by_name.get(_norm_unit(self.chosen[key]))
            if org:
                return UnitMatch(text, org, None, how="对应关系")
        if key in self.by_name:
            return UnitMatch(text, self.by_name[key], None, how="名称")
        if key.upper() in self.by_code:
            return UnitMatch(text, self.by_code[key.upper()], None, how="代码")
        near = difflib.get_close_matches(key, list(self.by_name), n=1, cutoff=0.5)
        if not near:  # 公安局 for 蒙阴县公安局: one registered name ending with it
            ends = [n for n in self.by_name if n.endswith(key) and len(key) >= 2]
            near = ends[:1] if len(ends) == 1 else []
        return UnitMatch(text, None, self.by_name[near[0]] if near else None)


# ---- rows -----------------------------------------------------------------------------------------

def _choice(text: str, choices, what: str) -> str:
    t = text.strip()
    for code, label in choices:
        if t in (code, label):
            return code
    for code, label in choices:  # 新建项目, 升级 … typed loosely
        if label in t or t in label:
            return code
    raise ValueError(f"{what}「{t}」不认识，可填：{'、'.join(label for _, label in choices)}")


class _Row:
    """One sheet row's cells read through the mapping, collecting every problem instead of stopping."""

    def __init__(self, values: list, mapping: Mapping):
        self.values, self.mapping, self.reasons = values, mapping, []

    def raw(self, key: str):
        col = self.mapping.columns.get(key)
        if col is None or col >= len(self.values):
            return None
        v = self.values[col]
        return None if V.blank(v) else v

    def get(self, key: str, parse=None):
        v = self.raw(key)
        if v is None:
            return None
        try:
            return parse(v) if parse else V.text(v)
        except ValueError as exc:
            self.reasons.append(f"{BY_KEY[key].label}：{exc}")
            return None

    def amount(self, key: str):
        return self.get(key, lambda v: V.parse_amount(v, self.mapping.units.get(key, V.WAN)))


def _status_of(r: _Row, given: str | None, accepted: str | None, signed: str | None, started: str | None,
               today: dt.date) -> tuple[str, str]:
    """The status a row's dates imply (a 验收日期: accepted; a contract or a start: in construction; else
    on the plan), unless the ledger names one; and since when."""
    dates = {"accepted": accepted, "in_construction": started or signed}
    if given:
        return given, dates.get(given) or accepted or started or signed or today.isoformat()
    if accepted:
        return "accepted", accepted
    if started or signed:
        return "in_construction", started or signed
    return "planned", today.isoformat()


def parse_row(number: int, values: list, mapping: Mapping, units: UnitIndex, today: dt.date) -> PlanRow:
    r = _Row(values, mapping)
    out = PlanRow(number, INVALID)
    out.name = r.get("name") or ""
    out.unit = r.get("unit") or ""
    if not out.name:
        r.reasons.append("项目名称为空")
    org = None
    if not out.unit:
        r.reasons.append("建设单位为空")
    else:
        m = units.resolve(out.unit)
        org = m.org
        if org is None:
            hint = f"，是否为「{m.suggestion['name']}」？" if m.suggestion else "，请先在单位与密钥中登记该单位"
            r.reasons.append(f"建设单位「{out.unit}」未登记{hint}")
    year = r.get("plan_year", V.parse_year)
    if r.raw("plan_year") is None:
        r.reasons.append("计划年度为空")
    total = r.amount("total")
    if r.raw("total") is None:
        r.reasons.append("总投资为空")
    category = r.get("category", lambda v: _choice(str(v), CATEGORY, "建设类型"))
    if r.raw("category") is None:
        category = "new"
        out.assumed.append("建设类型按「新建」")
    status = r.get("status", lambda v: parse_status(V.text(v)))
    accepted = r.get("accepted_on", V.parse_date)
    started = r.get("started_on", V.parse_date)
    signed = r.get("contract_signed", V.parse_date)
    for label, day in (("验收日期", accepted), ("开工日期", started), ("合同签订日期", signed)):
        if day and day > today.isoformat():
            r.reasons.append(f"{label} {day} 晚于今天，已发生的事不能填将来的日期")
    project = {
        "code": r.get("code"), "name": out.name, "lead_org_id": org["id"] if org else None,
        "plan_year": year, "category": category, "total_investment_fen": total,
        "fiscal_share_fen": r.amount("fiscal"), "responsible_person": r.get("person"),
        "contact": r.get("contact"), "summary": r.get("summary"), "planned_start": started,
        "planned_completion": r.get("completion", V.parse_date),
    }
    if total is not None and (project["fiscal_share_fen"] or 0) > total:
        r.reasons.append("财政资金大于总投资")
    # the registry's own checks (lengths, ranges, date order), on what parsed
    if not r.reasons:
        given = {k: v for k, v in project.items() if v is not None}
        given.setdefault("code", PENDING_CODE)  # numbered on writing, under the county office's prefix
        try:
            project = ops.validate(KINDS["project"], given)
            ops.check_date_order(KINDS["project"], project)
        except ValidationError as exc:
            r.reasons.extend(exc.fields.values())
        if project.get("code") == PENDING_CODE:
            project["code"] = None
    out.project = project
    contract = {k: r.get(k) for k in ("contract_no", "supplier")}
    contract.update(amount_fen=r.amount("contract_amount"), signed_on=signed)
    method = r.get("procurement", lambda v: _choice(str(v), PROCUREMENT, "采购方式"))
    if any(v is not None for v in contract.values()) or method:
        lacking = [label for key, label in (("signed_on", "合同签订日期"), ("amount_fen", "合同金额"),
                                            ("supplier", "中标单位")) if contract[key] is None]
        if lacking and not any(k for k in r.reasons if "合同" in k or "中标" in k):
            r.reasons.append(f"合同信息不全：缺少{'、'.join(lacking)}")
        if not method:
            method = mapping.procurement_default
            out.assumed.append(f"采购方式按「{dict(PROCUREMENT)[method]}」")
        if not contract["contract_no"]:
            contract["contract_no"] = NO_CONTRACT_NO
        contract["procurement_method"] = method
        out.contract = contract
    out.remark = r.get("remark")
    out.status, out.status_since = _status_of(r, status, accepted, signed, started, today)
    out.reasons = r.reasons
    if not out.reasons:
        out.action = NEW
    return out


# ---- matching existing projects -------------------------------------------------------------------

def _shown(name: str, value) -> str:
    if value is None:
        return "（空）"
    if name.endswith("_fen"):
        return fen_to_wan_text(value) + "万元"
    if name == "lead_org_id":
        return "（单位）"
    return str(value)


def _classify(store: Store, rows: list[PlanRow]) -> None:
    projects = store.all("SELECT * FROM projects")
    by_code = {p["code"]: p for p in projects}
    by_key = {(p["name"], p["lead_org_id"], p["plan_year"]): p for p in projects}
    marked = {r["project_id"] for r in store.all("SELECT project_id FROM ledger_imports WHERE reviewed_at IS NULL")}
    contracts: dict[str, list[dict]] = {}
    for c in store.all("SELECT * FROM contracts"):
        contracts.setdefault(c["project_id"], []).append(c)
    seen: dict[tuple, int] = {}
    for r in rows:
        if r.action == INVALID:
            continue
        p = r.project
        key = (p["name"], p["lead_org_id"], p["plan_year"])
        ident = ("code", p["code"]) if p.get("code") else key
        if ident in seen or key in seen:
            r.action, r.reasons = INVALID, [f"与第 {seen.get(ident) or seen.get(key)} 行是同一个项目"]
            continue
        seen[ident] = seen[key] = r.row
        existing = by_code.get(p["code"]) if p.get("code") else by_key.get(key)
        if existing is None:
            if p.get("code") is None and key in by_key:
                existing = by_key[key]
            else:
                continue  # new
        r.project_id, r.rev = existing["id"], existing["rev"]
        changes = {k: (existing[k], p[k]) for k in PROJECT_FIELDS
                   if k in p and p[k] is not None and p[k] != existing[k]}
        if r.status != existing["status"]:
            changes["status"] = (existing["status"], r.status)
        if r.contract:
            have = {c["contract_no"]: c for c in contracts.get(existing["id"], [])}
            old = have.get(r.contract["contract_no"])
            if old is None:
                changes["contract"] = (None, r.contract["contract_no"])
            else:
                r.contract_id = old["id"]
                for k in CONTRACT_FIELDS:
                    if r.contract[k] != old[k] and not (k == "procurement_method" and "采购方式" in "".join(r.assumed)):
                        changes[f"contract.{k}"] = (old[k], r.contract[k])
        r.changes = changes
        if not changes:
            r.action = SAME
        elif existing["id"] in marked:
            r.action = UPDATE
        else:
            r.action = KEPT  # entered by its unit (or reviewed): a ledger row never overwrites it


def change_text(r: PlanRow) -> str:
    labels = {f.name: f.label for f in KINDS["project"].fields} | {
        "status": "状态", "contract": "合同"} | {f"contract.{f.name}": "合同" + f.label for f in KINDS["contract"].fields}
    parts = []
    for k, (before, after) in r.changes.items():
        if k == "status":
            before, after = status_label(before), status_label(after)
        parts.append(f"{labels.get(k, k)}：{_shown(k, before)} → {_shown(k, after)}")
    return "；".join(parts)


def build_plan(store: Store, sheet: Sheet, mapping: Mapping, source: str, today: dt.date | None = None) -> Plan:
    """Every data row under the header, parsed and classified. Blank rows are not in `sheet.rows`."""
    today = today or dt.date.today()
    missing = mapping.missing()
    if missing:
        raise ValidationError({"mapping": f"还没有指定以下各列：{'、'.join(missing)}。请在列对应关系中选定。"})
    units = UnitIndex(store, mapping)
    rows = [parse_row(n, vals, mapping, units, today) for n, vals in sheet.rows if n > mapping.header_row]
    _classify(store, rows)
    return Plan(source, sheet.name, mapping, rows, sorted(units.matches.values(), key=lambda m: (m.org is not None, m.text)),
                today, duplicate_check(store, rows))


def duplicate_check(store: Store, rows: list[PlanRow]) -> dict[int, object]:
    """第一条 集约建设: the rows to be written (new, update) against the projects here and each other.
    A row that updates a project is that project (its own earlier version is left out)."""
    from desktop_app.services import similarity_batch

    rows = [r for r in rows if r.action in (NEW, UPDATE)]
    ids = [r.project_id for r in rows if r.project_id]
    resources: dict[str, list[str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for c in store.all(f"SELECT project_id, resource_name FROM resource_catalog WHERE project_id IN "
                           f"({','.join('?' * len(chunk))}) ORDER BY rowid", tuple(chunk)):
            resources.setdefault(c["project_id"], []).append(c["resource_name"])
    arrivals = []
    for r in rows:
        code = r.project.get("code") or ""
        arrivals.append(similarity_batch.Arrival(
            r.project_id or f"ledger-row-{r.row}", code if code and code != PENDING_CODE else f"第{r.row}行",
            r.name, r.unit, r.project.get("summary") or "", tuple(resources.get(r.project_id or "", ()))))
    checks = similarity_batch.check_arrivals(store, arrivals, limit=3)
    return {r.row: c for r, c in zip(rows, checks) if c.similar}
