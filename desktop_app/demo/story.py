"""One demo project and every record a project in its status would carry, in lifecycle order.

A `Story` walks the stages the real operations would: application → review → funding →
construction → acceptance → operation → evaluation, stopping at the target status. Dates come
from `timeline.plan` and never pass `today`; working-day deadlines use the store's calendar.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

from desktop_app.demo import vocab as V
from desktop_app.demo.sink import stamp
from desktop_app.demo.timeline import DAY, Clock, Timeline, plan
from desktop_app.lifecycle.indicators import IndicatorSystem, grade
from desktop_app.lifecycle.policy import DEFAULT_INDICATORS
from desktop_app.lifecycle.workdays import WorkCalendar, add_months
from desktop_app.models.fields import FEN_PER_WAN

D = dt.date
BUILT = ("accepted", "in_operation", "self_evaluated", "post_evaluated")
LIVE = ("in_operation", "self_evaluated", "post_evaluated")


def indicator_lines(score: int) -> str:
    """The indicator lines of a report scoring `score` under the default indicator system (第六条): each
    indicator in proportion to its full marks, so the computed total is `score`."""
    system = IndicatorSystem.from_data(DEFAULT_INDICATORS)
    return system.lines(system.spread(score))


@dataclass
class World:
    """What every story shares: randomness, today, calendar, the organisations and an id source."""

    rng: object
    clock: Clock
    cal: WorkCalendar
    county_id: str
    finance_id: str
    units: list[dict]
    new_id: object  # () -> str
    doc_no: Counter = field(default_factory=Counter)

    def number(self, prefix: str, year: int) -> str:
        self.doc_no[(prefix, year)] += 1
        return f"{prefix}〔{year}〕{self.doc_no[(prefix, year)]}号"

    def person(self) -> str:
        return self.rng.choice(V.SURNAMES) + self.rng.choice(V.GIVEN)


def wan(value: float) -> int:
    """万元 -> fen, rounded to 0.01 万元 (100 元)."""
    return max(1, round(value * 100)) * (FEN_PER_WAN // 100)


class Story:
    def __init__(self, world: World, pid: str, unit: dict, status: str, spec: dict):
        self.w, self.rng, self.pid, self.unit, self.status, self.spec = world, world.rng, pid, unit, status, spec
        self.today = world.clock.today
        self.limit = self.today  # no record may be dated after this
        self.rows: list[tuple[str, dict]] = []
        self.tl: Timeline = plan(world.clock, status, spec)
        self.since = self.today
        self.paid: list[tuple[D, int]] = []
        self.withheld_on: D | None = None
        self._choose_basics()

    # ---- small helpers --------------------------------------------------------------------
    def cap(self, day: D) -> D:
        return min(day, self.limit)

    def between(self, a: D, b: D) -> D:
        b = max(b, a)
        return self.cap(a + DAY * self.rng.randint(0, (b - a).days))

    def after(self, day: D, lo: int, hi: int) -> D:
        return self.cap(day + DAY * self.rng.randint(lo, hi))

    def workdays_after(self, day: D, lo: int, hi: int) -> D:
        return self.w.cal.add_workdays(day, self.rng.randint(lo, hi)).day

    def rec(self, kind: str, day: D, values: dict, owner: str | None = None, updated: D | None = None) -> str:
        rid = self.w.new_id()
        created = stamp(day, self.rng.randint(0, 479))
        row = {"id": rid, "owner_org": owner or self.unit["id"], "rev": 1 if updated is None else 2,
               "created_at": created, "updated_at": created if updated is None else stamp(updated, 470),
               "project_id": self.pid, **values}
        self.rows.append((kind, row))
        return rid

    def flag(self, name: str, p: float) -> bool:
        """Showcase specs force a flag; otherwise it is drawn with probability p."""
        return self.spec[name] if name in self.spec else self.rng.random() < p

    # ---- project row ----------------------------------------------------------------------
    def _choose_basics(self) -> None:
        rng, spec = self.rng, self.spec
        self.category = spec.get("category") or rng.choices(("new", "upgrade", "om"), (50, 38, 12))[0]
        hi = 150 if self.category == "om" else 3000
        self.total = wan(spec.get("total_wan") or math.exp(rng.uniform(math.log(5), math.log(hi))))
        self.higher = self.flag("higher", 0.04)
        self.fiscal = self.total if rng.random() < 0.5 else wan(self.total / FEN_PER_WAN * rng.uniform(0.3 if self.higher
                                                                                               else 0.6, 1.0))
        self.fiscal = min(self.fiscal, self.total)
        self.large = self.total >= 500 * FEN_PER_WAN
        department = self.unit["prefix"] in ("县", "")
        self.prohibited = spec.get("prohibited") or (
            rng.choice(V.PROHIBITED_PROJECTS) if department and self.status != "draft" and rng.random() < 0.03
            else None)
        topic = rng.choice(self.unit["topics"])
        if self.prohibited:
            topic = self.prohibited[1]
            self.unit = dict(self.unit, prefix=self.unit["prefix"] or "县")
        suffix = rng.choice(V.CATEGORY_SUFFIX[self.category])
        if self.prohibited or (topic.endswith(("升级", "改造")) and self.category != "om"):
            suffix = ""
        self.name = spec.get("name") or f"{self.unit['prefix']}{topic}{suffix}"
        self.topic = topic
        level = rng.choices(("1", "2", "3"), (12, 60, 28))[0]
        if self.status == "draft" and rng.random() < 0.1:
            level = None  # not fixed yet: 第九条 blocks approval
        self.project_level = spec.get("mlps_level", level)
        om = None if self.category == "om" else wan(self.total / FEN_PER_WAN * rng.uniform(0.05, 0.12))
        if (not self.large and rng.random() < 0.4) or spec.get("no_om_estimate"):
            om = None
        self.om_estimate = om
        self.tier = rng.choice(("national", "provincial", "city")) if self.higher else None
        self.catalogued = self.connected = False

    @property
    def shared(self) -> bool:
        """第七条: catalogued and connected (O&M projects need neither)."""
        return self.category == "om" or (self.catalogued and self.connected)

    def project_row(self, code: str, created: D) -> dict:
        rng, tl = self.rng, self.tl
        level, om = self.project_level, self.om_estimate
        prohibited = self.prohibited
        justification = None
        if prohibited and not self.spec.get("unjustified"):
            justification = prohibited[2]
        return {
            "id": self.pid, "owner_org": self.unit["id"], "rev": 1, "created_at": stamp(created, 30),
            "updated_at": stamp(self.since, 400), "status": self.status, "status_since": self.since.isoformat(),
            "code": code, "name": self.name, "lead_org_id": self.unit["id"], "plan_year": tl.plan_year,
            "category": self.category, "total_investment_fen": self.total, "fiscal_share_fen": self.fiscal,
            "om_estimate_fen": om, "large_project": int(self.large),
            "responsible_person": None if self.spec.get("no_person") else self.w.person(),
            "contact": f"0539-42{rng.randint(10000, 99999)}" if rng.random() < 0.7
            else f"13{rng.randint(100000000, 999999999)}",
            "mlps_level": level, "classified": int(bool(self.spec.get("classified"))),
            "higher_level": int(self.higher),
            "higher_level_tier": self.tier,
            "prohibited_types": prohibited[0] if prohibited else None,
            "prohibited_justification": justification,
            "planned_start": tl.planned_start.isoformat(), "planned_completion": tl.planned_completion.isoformat(),
            "delay_explanation": self.delay_explanation,
            "summary": f"建设{self.topic}，主要包括业务应用开发、数据整合、与县政务信息资源共享交换平台对接，"
                       f"部署于县电子政务云平台。",
        }

    # ---- the walk -------------------------------------------------------------------------
    def run(self) -> D:
        """Write the records for the target status; return the day the project was created."""
        s, tl = self.status, self.tl
        self.delay_explanation = None
        if tl.start is not None:
            self.limit = min(self.today, tl.start - DAY * 7)
        created = self.apply()
        if s == "draft":
            self.since = created
            return created
        self.submit()
        if s in ("submitted",):
            return created
        self.reviews()
        if s in ("under_review", "revise", "rejected", "approved"):
            return created
        self.fund()
        if s == "planned":
            return created
        self.limit = self.today
        self.construct()
        return created

    # ---- 第二条 application ----------------------------------------------------------------
    def apply(self) -> D:
        rng, y = self.rng, self.tl.plan_year
        complete = self.status != "draft" or self.flag("complete", 0.6)
        consult = self.between(D(y - 1, 4, 1), D(y - 1, 6, 30))
        created = self.cap(consult - DAY * rng.randint(3, 30))
        if complete or rng.random() < 0.5:
            self.rec("consultation", consult, {
                "consulted_on": consult.isoformat(), "advisor": self.w.person(),
                "advice": rng.choice(("建议依托县政务云部署，不单独购置服务器。", "建议与县共享交换平台对接，避免重复采集数据。",
                                      "建议压缩硬件投资，优先采购安全可控产品。"))})
        prepared = self.after(consult, 5, 40)
        materials = [c for c, _ in (("application_report", 0), ("plan", 0), ("budget", 0), ("history", 0))]
        if not complete:
            materials = rng.sample(materials, rng.randint(1, 3))
        titles = {"application_report": "项目申请报告", "plan": "项目建设方案", "budget": "投资预算表",
                  "history": "近年信息化投资、运行和应用情况"}
        for code in materials:
            self.rec("material", prepared, {"material_type": code, "title": f"{self.name}{titles[code]}",
                                            "prepared_on": prepared.isoformat()})
        years = rng.randint(3, 5) if complete else rng.randint(1, 3)
        for yr in range(y - 1 - years, y - 1):
            inv = wan(self.total / FEN_PER_WAN * rng.uniform(0.02, 0.4))
            self.rec("investment_history", prepared, {
                "year": yr, "investment_fen": inv, "om_cost_fen": wan(inv / FEN_PER_WAN * rng.uniform(0.05, 0.2)),
                "usage": rng.choice(("系统运行平稳，日均访问约" + str(rng.randint(50, 3000)) + "人次。",
                                     "原系统使用年限较长，性能不能满足业务需要。", "已接入县共享交换平台，按月更新数据。"))})
        if self.flag("co_build", 0.12 if self.unit["code"] not in ("MYDSJ", "MYSPJ") else 0.4):
            self.co_builders(created)
            if complete:  # 第二条: the lead unit and its co-builders form one overall plan
                self.rec("material", prepared, {"material_type": "joint_plan", "title": f"{self.name}联合建设总体方案",
                                                "prepared_on": prepared.isoformat()})
        if self.higher:
            self.higher_level(prepared)
        return created

    def co_builders(self, day: D) -> None:
        others = [u for u in self.w.units if u["id"] != self.unit["id"]]
        for u in self.rng.sample(others, self.rng.randint(1, 3)):
            # the county office registers co-builders (第二条): its record gives them write access
            self.rec("co_builder", day, {"org_id": u["id"], "scope": f"负责本单位业务数据梳理、接口对接和应用推广，"
                                                                  f"承担{u['name'].removeprefix('蒙阴县')}范围内的建设任务。"},
                     owner=self.w.county_id)

    def higher_level(self, day: D) -> None:
        if self.status == "draft" and not self.spec.get("higher_filed"):
            return  # not yet asked for the county office's consent: flagged by 第三条
        consent = day
        applied_up = self.after(consent, 5, 20)
        approved_up = self.after(applied_up, 30, 120) if self.status not in ("draft", "submitted") else None
        if self.spec.get("filing_upcoming"):
            approved_up = self.today - DAY * 1
            while self.w.cal.workdays_between(approved_up, self.today)[0] < 14:
                approved_up -= DAY
        if approved_up is not None and approved_up >= self.today:
            approved_up = None
        if approved_up is not None and approved_up < applied_up:  # approved upward only after applying
            applied_up = approved_up
            consent = min(consent, applied_up)
        filed = None
        if approved_up and not self.spec.get("filing_upcoming") and self.rng.random() < 0.85:
            filed = self.workdays_after(approved_up, 2, 18)
            filed = filed if filed <= self.today else None
        tier = {"national": "国家有关部门", "provincial": "山东省有关部门", "city": "临沂市有关部门"}[self.tier]
        self.rec("upward_consent", consent, {
            "consent_on": consent.isoformat(), "consent_no": self.w.number("蒙政办函", consent.year),
            "opinion": "同意向上级部门申报。"}, owner=self.w.county_id)
        self.rec("higher_level_filing", applied_up, {
            "applied_upward_on": applied_up.isoformat(),
            "upper_approved_on": approved_up.isoformat() if approved_up else None,
            "upper_authority": tier if approved_up else None,
            "filed_on": filed.isoformat() if filed else None},
            updated=filed)

    def submit(self) -> None:
        y = self.tl.plan_year
        self.submitted = self.between(D(y - 1, 7, 1), D(y - 1, 8, 31))
        self.since = self.submitted

    # ---- 第三条 review ---------------------------------------------------------------------
    def outcomes(self) -> list[str]:
        s, rng = self.status, self.rng
        first = ["revise"] if rng.random() < 0.2 else []
        return {"under_review": first, "revise": ["revise"], "rejected": first + ["reject"]}.get(s, first + ["pass"])

    def reviews(self) -> None:
        day = self.after(self.submitted, 3, 15)  # 受理并组织评审
        self.since = day
        outcomes = self.outcomes()
        if self.spec.get("classified") and not self.spec.get("secrecy_pending"):
            self.rec("secrecy_confirmation", self.after(day, 1, 8), {
                "confirmed_on": self.after(day, 1, 8).isoformat(), "document_no": self.w.number("蒙保审", day.year),
                "opinion": "经审查，该项目涉及国家秘密，同意按涉密信息系统建设管理，须落实分级保护要求。"}, owner=self.w.county_id)
        for n, outcome in enumerate(outcomes, 1):
            day = self.after(day, 10, 30)
            self.review(n, day, outcome)
            self.since = day
            if outcome == "revise" and self.status != "revise":
                day = self.after(day, 10, 25)  # 修改后重新提交 and 受理
                self.since = day
        self.passed_on = day

    def review(self, n: int, day: D, outcome: str) -> None:
        rng = self.rng
        opinion = {"pass": "项目建设必要、方案可行，同意建设，请按核定投资组织实施。",
                   "revise": "建设方案需进一步完善与现有系统的整合共享内容，请修改后重新报审。",
                   "reject": "项目与已建系统功能重复，不具备单独建设的必要性，不予通过。"}[outcome]
        approved = wan(self.total / FEN_PER_WAN * rng.uniform(0.85, 1.0)) if outcome == "pass" else None
        self.approved_investment = approved
        rid = self.rec("review", day, {
            "round": n, "reviewed_on": day.isoformat(),
            "method": "expert_panel" if self.total >= 300 * FEN_PER_WAN or rng.random() < 0.3 else "central",
            "conclusion": outcome, "opinion": opinion, "opinion_no": self.w.number("蒙政办审", day.year),
            "approved_investment_fen": approved}, owner=self.w.county_id)
        texts = {"pass": V.EXPERT_PASS, "revise": V.EXPERT_REVISE, "reject": V.EXPERT_REJECT}[outcome]
        for _ in range(rng.randint(3, 5)):
            self.rec("expert_opinion", day, {
                "review_id": rid, "expert_name": self.w.person(), "affiliation": rng.choice(V.EXPERT_AFFILIATIONS),
                "opinion": rng.choice(texts), "conclusion": outcome}, owner=self.w.county_id)

    # ---- 第三条/第八条 funding and budget ----------------------------------------------------
    def fund(self) -> None:
        day = self.after(self.passed_on, 10, 35)
        self.approved = min(self.fiscal, self.approved_investment or self.fiscal)
        self.rec("funding", day, {
            "decided_on": day.isoformat(), "approved_fen": self.approved, "budget_year": self.tl.plan_year,
            "decision_no": self.w.number("蒙财审", day.year),
            "opinion": "经审核，同意按核定资金列入下一年度政务信息系统项目预算。"}, owner=self.w.finance_id)
        budget_day = day + DAY * self.rng.randint(10, 40)
        self.w.doc_no[("轻重缓急", self.tl.plan_year)] += 1  # finance's order of the year's plan: as funded
        self.rec("budget", day, {
            "year": self.tl.plan_year, "budget_kind": "construction", "amount_fen": self.approved,
            "priority": self.w.doc_no[("轻重缓急", self.tl.plan_year)],
            "approved_on": budget_day.isoformat() if budget_day <= self.today else None}, owner=self.w.finance_id)
        self.since = self.funded_on = day
        self.increase = 0

    # ---- 第四条 construction ---------------------------------------------------------------
    def construct(self) -> None:
        s, tl = self.status, self.tl
        self.since = tl.start
        end = tl.completed or self.today  # construction activity ends here
        plan_ = self.sanction_plan()
        if plan_:
            end = min(end, plan_[-1][1])
        self.security_during(end)
        self.products(end)
        self.catalog(end)
        self.changes(end)
        self.contracts(end)
        self.problem(end)
        self.inspections(end, plan_)
        self.construction_payments(end)
        self.cycle_explanation()
        if s in ("in_construction", "suspended", "terminated"):
            self.progress_reports()
            return
        self.acceptance()
        self.progress_reports()
        if s in LIVE:
            self.operate()

    def security_during(self, end: D) -> None:
        tl, rng = self.tl, self.rng
        if self.rng.random() < 0.9:
            day = self.between(tl.start + DAY * 20, min(end, tl.start + DAY * 90))
            self.rec("security_record", day, {
                "security_kind": "mlps_filing", "done_on": day.isoformat(), "agency": "临沂市公安局网安支队",
                "document_no": f"37130{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}"})
        if rng.random() < 0.5:
            day = self.between(tl.start + DAY * 30, min(end, tl.start + DAY * 150))
            self.rec("security_record", day, {
                "security_kind": "risk_assessment", "done_on": day.isoformat(), "agency": "山东省信息安全测评中心",
                "result": "pass", "note": "中低风险项已提出整改建议"})

    def products(self, end: D) -> None:
        if self.status == "in_construction" and not self.flag("products", 0.75):
            return
        day = self.between(self.tl.start + DAY * 20, end)
        picks = self.rng.sample(V.PRODUCTS, self.rng.randint(2, 5))
        for product, category, vendor, ok in picks:
            if self.status in ("acceptance_requested", "accepted") or self.status in LIVE:
                ok = 1  # accepted projects passed the controllable check (第九条)
            self.rec("controllable_product", day, {
                "product": product, "category": category, "vendor": vendor, "controllable": ok,
                "note": None if ok else "原系统兼容需要，已列入替代计划"})

    def catalog(self, end: D) -> None:
        if self.category == "om":
            return
        p = 0.5 if self.status in ("in_construction", "suspended", "terminated") else 0.88
        if not self.flag("catalogued", p):
            self.catalogued = False
            return
        self.catalogued = True
        rng = self.rng
        day = self.between(self.tl.start + DAY * 60, end)
        short = self.topic.rstrip("系统平台二期升级改造")
        for res in rng.sample(V.RESOURCES, rng.randint(1, 3)):
            sharing = rng.choices(("unconditional", "conditional", "none"), (50, 40, 10))[0]
            self.rec("catalog_entry", day, {
                "resource_name": f"{short}{res}", "source": self.unit["name"], "data_format": rng.choice(V.DATA_FORMATS),
                "update_cycle": rng.choice(("realtime", "daily", "weekly", "monthly", "quarterly")),
                "sharing_type": sharing,
                "sharing_condition": {"conditional": "仅向有关业务部门共享，须经本单位审核", "none": "涉及个人隐私，依法不予共享"}.get(sharing),
                "opening_type": "closed" if sharing == "none" else rng.choice(("open", "conditional", "closed")),
                "registered_on": day.isoformat()})

    def changes(self, end: D) -> None:
        rng = self.rng
        kind = self.spec.get("change") or (
            rng.choice(("technical", "major_approved", "major_pending", "major_rejected"))
            if rng.random() < 0.18 else None)
        if not kind:
            return
        tl, county, finance = self.tl, self.w.county_id, self.w.finance_id
        day = self.between(tl.start + DAY * 30, end - DAY * 10)
        ck = "technical" if kind == "technical" else "major"
        reason, content = rng.choice(V.CHANGE_TEXTS[ck])
        delta = wan(self.approved / FEN_PER_WAN * rng.uniform(0.05, 0.15)) if ck == "major" else None
        cid = self.rec("change_request", day, {
            "change_kind": ck, "submitted_on": day.isoformat(), "reason": reason, "content": content,
            "investment_delta_fen": delta, "implemented_before_approval": int(kind == "major_unapproved")})
        if kind == "major_unapproved":
            return
        d1 = self.after(day, 5, 20)
        if kind == "technical":
            self._decide(cid, "egov_office", "approved", d1, county, "技术性调整，同意。")
            return
        county_ok = "rejected" if kind == "major_rejected" else "approved"
        self._decide(cid, "county_office", county_ok, d1, county,
                     "同意调整，请报县财政局审批。" if county_ok == "approved" else "调整理由不充分，不同意调整。")
        if kind == "major_pending":
            return
        d2 = self.after(d1, 5, 25)
        if d2 <= d1:  # capped at today on the county's own day: finance has not decided yet (a same-day
            return    # pair could be stamped finance-first, which the importer rightly refuses)
        self._decide(cid, "finance", county_ok, d2, finance,
                     "同意调整投资，所需资金在部门预算中统筹。" if county_ok == "approved" else "不同意追加投资。")
        if county_ok == "approved":
            self.increase += delta

    def _decide(self, cid: str, decider: str, decision: str, day: D, owner: str, opinion: str) -> None:
        self.rec("change_decision", day, {"change_request_id": cid, "decider": decider, "decision": decision,
                                          "decided_on": day.isoformat(), "opinion": opinion}, owner=owner)

    def contracts(self, end: D) -> None:
        rng, tl = self.rng, self.tl
        ceiling = self.approved + self.increase
        share = rng.uniform(1.08, 1.2) if self.spec.get("overspend") else rng.uniform(0.85, 1.0)
        total = min(wan(ceiling / FEN_PER_WAN * share), ceiling) if not self.spec.get("overspend") else wan(ceiling / FEN_PER_WAN * share)
        n = 1 if total < 50 * FEN_PER_WAN else rng.randint(1, 3)
        recent = self.status == "in_construction" and self.flag("recent_contract", 0.03)
        parts = self._split(total, n + int(recent))
        day = self.between(max(tl.start - DAY * 15, self.funded_on + DAY), min(end, tl.start + DAY * 60))
        self.contract_days = []
        for i, amount in enumerate(parts):
            if recent and i == len(parts) - 1:
                day = self.today - DAY * rng.randint(0, 2)
                while not self.w.cal.is_workday(day)[0]:
                    day -= DAY
                self._contract(day, amount, filed=None, item="等级保护测评服务")
                break
            self._contract(day, amount, filed=self._filing(day))
            day = self.after(day, 20, 120)
            day = min(day, end)
        self.contracted = total

    def _split(self, total: int, n: int) -> list[int]:
        if n <= 1:
            return [total]
        cuts = sorted(self.rng.uniform(0.15, 0.85) for _ in range(n - 1))
        shares = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0])]
        parts = [wan(total / FEN_PER_WAN * s) for s in shares[:-1]]
        return [*parts, max(0, total - sum(parts))]

    def _filing(self, signed: D) -> D | None:
        r = self.rng.random()
        late = self.spec.get("late_filing") and not self.contract_days
        built = self.status in BUILT  # accepted projects had their filings checked at acceptance
        if late or (0.92 <= r < 0.96 if built else 0.90 <= r < 0.95):
            filed = self.workdays_after(signed, 7, 20)
        elif built or r < 0.90:
            filed = self.workdays_after(signed, 1, 5)
        else:
            return None
        return filed if filed <= self.today else None

    def _contract(self, signed: D, amount: int, filed: D | None, item: str | None = None) -> None:
        rng = self.rng
        item = item or rng.choice(V.CONTRACT_ITEMS)
        self.contract_days.append(signed)
        method = "open_tender" if amount >= 200 * FEN_PER_WAN else rng.choice(("competitive", "consultation", "inquiry",
                                                                       "framework", "single_source"))
        self.rec("contract", signed, {
            "contract_no": f"MYCG-{signed.year}-{rng.randint(1000, 9999)}", "title": f"{self.name}{item}合同",
            "supplier": rng.choice(V.SUPPLIERS), "procurement_method": method, "amount_fen": amount,
            "signed_on": signed.isoformat(), "filed_on": filed.isoformat() if filed else None,
            "supervisor": rng.choice(V.SUPERVISORS) if amount >= 100 * FEN_PER_WAN else None}, updated=filed)

    def construction_payments(self, end: D) -> None:
        """Construction tranches before completion (and before any withholding); 第六条/第八条 gates."""
        if not self.contract_days:
            return
        cutoff = min(end, self.tl.planned_completion, self.today)
        if self.withheld_on:
            cutoff = min(cutoff, self.withheld_on - DAY)
        first = self.contract_days[0]
        if cutoff <= first:
            return
        ceiling = self.approved + self.increase
        base = min(self.contracted, ceiling)
        t1 = self.between(first + DAY * 5, min(cutoff, first + DAY * 40))
        self._pay(t1, wan(base / FEN_PER_WAN * 0.3), "construction")
        if (cutoff - t1).days > 60:
            self._pay(self.between(t1 + DAY * 30, cutoff), wan(base / FEN_PER_WAN * self.rng.uniform(0.2, 0.4)), "construction")

    def _pay(self, day: D, amount: int, purpose: str) -> None:
        if amount <= 0:
            return
        self.paid.append((day, amount))
        self.rec("disbursement", day, {"paid_on": day.isoformat(), "amount_fen": amount, "purpose": purpose,
                                       "budget_year": self.tl.plan_year,
                                       "voucher_no": f"国库支付{day.year}-{self.rng.randint(100000, 999999)}"},
                 owner=self.w.finance_id)

    def progress_reports(self) -> None:
        rng, tl = self.rng, self.tl
        last = (self.tl.accepted.year - 1) if self.status in BUILT else self.today.year
        if self.status == "terminated":
            last = min(last, self.since.year)
        for year in range(tl.plan_year, last + 1):
            day = D(year, 12, rng.randint(5, 28))
            if day > self.today or (self.status == "terminated" and day > self.since):
                continue
            if rng.random() < (0.03 if self.status in BUILT else 0.08):
                continue
            span = max(1, (tl.planned_completion - tl.start).days)
            pct = max(5, min(100 if tl.completed and tl.completed <= day else 95, int(100 * (day - tl.start).days / span)))
            executed = sum(a for d, a in self.paid if d <= day)
            trial = bool(tl.completed and tl.completed <= day)
            self.rec("progress_report", day, {
                "year": year, "reported_on": day.isoformat(), "progress_pct": pct, "budget_executed_fen": executed,
                "trial_run": int(trial),
                "effects": "试运行平稳，主要业务已线上办理。" if trial else None,
                "problems": rng.choice(("部分接口联调进度滞后。", "乡镇端用户培训尚未完成。", "无。", "数据质量有待提升。"))})

    def problem(self, end: D) -> None:
        if not self.flag("problem", 0.05 if self.status != "suspended" else 0.0):
            return
        rng = self.rng
        kind = rng.choice(("delay", "delay", "loss", "other"))
        occurred = self.between(self.tl.start + DAY * 40, end - DAY * 20)
        late = self.flag("late_problem", 0.25)
        reported = self.workdays_after(occurred, 12, 25) if late else self.workdays_after(occurred, 1, 9)
        reported = min(reported, self.today)
        self.rec("problem_report", reported, {
            "problem_kind": kind, "occurred_on": occurred.isoformat(), "reported_on": reported.isoformat(),
            "description": rng.choice(V.PROBLEM_TEXTS[kind]),
            "measures": "已约谈承建单位，调整实施计划，增加驻场人员。"})
        self.problem_reported = reported

    def cycle_explanation(self) -> None:
        """Late projects: some explain the delay (第四条); others get an acceptance extension (第六条)."""
        tl = self.tl
        if self.status not in ("in_construction", "suspended") or tl.planned_completion >= self.today:
            return
        if self.flag("explained", 0.5):
            self.delay_explanation = "受上级平台接口标准调整影响，联调测试顺延，已报县政府办公室备案说明。"
            told = self.cap(tl.planned_completion + DAY * self.rng.randint(3, 20))
            self.rec("delay_acceptance", self.cap(told + DAY * self.rng.randint(2, 10)), {
                "decision": "approved", "decided_on": self.cap(told + DAY * self.rng.randint(2, 10)).isoformat(),
                "opinion": "说明理由充分，同意按调整后的计划推进。"}, owner=self.w.county_id)
        if self.flag("extension", 0.3):
            due = add_months(tl.planned_completion, 6)
            req = self.cap(min(due, self.today) - DAY * self.rng.randint(5, 25))
            new_date = self.spec.get("extension_to") or max(self.today + DAY * self.rng.randint(20, 150), req)
            approved = self.spec.get("extension_approved", 1 if self.rng.random() < 0.7 else None)
            eid = self.rec("acceptance_extension", req, {
                "requested_on": req.isoformat(), "reason": "部分功能模块需与省级平台同步升级，无法按期申请验收。",
                "new_date": new_date.isoformat()})
            if approved is not None:  # 第六条: the county office decides on its own record
                decided = self.cap(req + DAY * self.rng.randint(2, 8))
                self.rec("extension_decision", decided, {
                    "extension_id": eid, "decision": "approved" if approved else "rejected",
                    "decided_on": decided.isoformat(), "opinion": "同意延期验收。" if approved else "不同意延期。"},
                    owner=self.w.county_id)

    # ---- 第五条 supervision ------------------------------------------------------------------
    def sanction_plan(self) -> list[tuple[str, D]]:
        """Ladder steps (kind, date) for projects that refused to rectify; empty for most."""
        s, rng = self.status, self.rng
        steps = {"suspended": 3, "terminated": 4}.get(s, 0)
        if s == "in_construction" and self.flag("ladder", 0.06):
            steps = rng.choice((1, 1, 2))
        if s == "suspended" and self.flag("problem_suspend", 0.4):
            self.spec["problem"] = True
            return []
        if not steps:
            return []
        # max gaps: inspection 45 d after start, 50 d to rectify, 20 d to the first step, 40 d per step
        need = 45 + 50 + 20 + 40 * (steps - 1)
        room = (self.today - self.tl.start).days - 5
        if room < need and s == "in_construction":
            return []  # too young for a ladder
        k = min(1.0, room / need)

        def gap(lo: int, hi: int) -> dt.timedelta:
            return DAY * max(1, int(rng.randint(lo, hi) * k))

        insp = self.tl.start + gap(30, 45) + DAY * rng.randint(0, max(0, room - need))
        self.ladder_inspection = insp
        rectify_by = insp + gap(30, 50)
        day = rectify_by + gap(10, 20)
        plan_ = []
        for kind in ("reprimand", "withhold_funds", "suspend", "terminate")[:steps]:
            plan_.append((kind, self.cap(day)))
            day += gap(20, 40)
        self.ladder_rectify_by = rectify_by
        for kind, d in plan_:
            if kind == "withhold_funds":
                self.withheld_on = d
        return plan_

    def inspections(self, end: D, ladder: list[tuple[str, D]]) -> None:
        if ladder:
            iid = self._inspection(self.ladder_inspection)
            fid = self._finding(iid, self.ladder_inspection, self.ladder_rectify_by, closed=None)
            self._ladder(ladder, fid)
        if self.status == "suspended" and not ladder:
            self._suspend_after_problem()
        modes = ("closed", "closed", "closed", "open") if self.status in ("in_construction", "suspended") else ("closed",)
        mode = self.spec.get("inspection") or (self.rng.choice(modes) if self.rng.random() < 0.2 else None)
        if not mode:
            return
        if mode == "upcoming":
            insp = self.today - DAY * self.rng.randint(20, 40)
            rectify_by = self.today + DAY * self.rng.randint(3, 10)
        else:
            insp = self.between(self.tl.start + DAY * 45, end - DAY * 5)
            rectify_by = insp + DAY * self.rng.randint(20, 60)
        iid = self._inspection(insp)
        for _ in range(self.rng.randint(1, 2)):
            closed = None
            if mode == "closed" and rectify_by < self.today:
                closed = self.after(rectify_by, -10, 5)
            self._finding(iid, insp, rectify_by, closed)

    def _inspection(self, day: D) -> str:
        owner = self.w.county_id if self.rng.random() < 0.7 else self.w.finance_id
        return self.rec("inspection", day, {
            "inspected_on": day.isoformat(), "inspectors": "、".join(self.w.person() for _ in range(3)),
            "scope": self.rng.choice(V.INSPECTION_SCOPES)}, owner=owner)

    def _finding(self, iid: str, day: D, rectify_by: D, closed: D | None) -> str:
        rng = self.rng
        fid = self.rec("finding", day, {
            "inspection_id": iid, "description": rng.choice(V.FINDING_TEXTS), "rectify_by": rectify_by.isoformat(),
            "notice_no": self.w.number("蒙政办督", day.year), "closed_on": closed.isoformat() if closed else None},
            owner=self.w.county_id, updated=closed)
        if closed:
            sub = closed - DAY * rng.randint(1, 8)
            self.rec("rectification", sub, {"finding_id": fid, "submitted_on": sub.isoformat(),
                                            "content": "已按整改通知要求完成整改，补齐相关资料并建立长效机制。"})
        elif rng.random() < 0.4 and rectify_by < self.today:
            sub = self.cap(rectify_by + DAY * rng.randint(-5, 10))
            self.rec("rectification", sub, {"finding_id": fid, "submitted_on": sub.isoformat(),
                                            "content": "已部分整改，其余问题正在推进。"})
        return fid

    def _ladder(self, ladder: list[tuple[str, D]], fid: str) -> None:
        reasons = {"reprimand": "逾期未完成整改，予以通报批评。", "withhold_funds": "通报批评后仍未整改，暂缓拨付建设资金。",
                   "suspend": "拒不整改，责令暂停项目建设。", "terminate": "暂停建设后仍未整改，决定终止项目。"}
        for kind, day in ladder:
            self.rec("sanction", day, {
                "sanction_kind": kind, "imposed_on": day.isoformat(), "reason": reasons[kind],
                "finding_id": fid, "document_no": self.w.number("蒙政办字", day.year)}, owner=self.w.county_id)
        self.since = ladder[-1][1]

    def _suspend_after_problem(self) -> None:
        reported = getattr(self, "problem_reported", None)
        if reported is None:
            return
        day = self.after(reported, 5, 20)
        self.rec("sanction", day, {
            "sanction_kind": "suspend", "imposed_on": day.isoformat(),
            "reason": "工程严重逾期（投资损失），责令暂停建设并限期整改。", "document_no": self.w.number("蒙政办字", day.year)},
            owner=self.w.county_id)
        self.since = day
        self.withheld_on = day

    # ---- 第六条 acceptance -------------------------------------------------------------------
    def acceptance(self) -> None:
        rng, tl, county = self.rng, self.tl, self.w.county_id
        self.rec("acceptance_application", tl.applied, {
            "applied_on": tl.applied.isoformat(), "completed_on": tl.completed.isoformat(),
            "summary": "已完成建设方案确定的全部建设内容，系统试运行正常，具备验收条件。"})
        self.since = tl.applied
        if self.category != "om" and self.flag("connected", 0.7 if self.status == "acceptance_requested" else 0.88):
            day = self.between(tl.completed - DAY * 30, tl.applied)
            self.rec("platform_connection", day, {"platform": "sharing", "connected_on": day.isoformat(),
                                                  "interfaces": rng.randint(1, 30), "note": "已完成目录挂接和数据共享"})
            if rng.random() < 0.3:
                self.rec("platform_connection", day, {"platform": "open_data", "connected_on": day.isoformat(),
                                                      "interfaces": rng.randint(1, 5)})
            self.connected = True
        else:
            self.connected = self.category == "om"
        if self.status == "acceptance_requested":
            return
        a = tl.accepted
        members = "、".join(f"{self.w.person()}（{org}）" for org in ("县政府办公室", "县财政局", "县大数据中心", "专家"))
        if self.status == "failed":
            fail_ok = "fail" if rng.random() < 0.3 else "pass"
            rectify_by = self.spec.get("rectify_by") or a + DAY * rng.randint(30, 90)
            self.rec("acceptance_result", a, {
                "accepted_on": a.isoformat(), "group_members": members, "conclusion": "fail", "controllable_ok": fail_ok,
                "opinion": "部分功能未达到建设方案要求，数据对接不完整，不予通过验收，请限期整改后重新申请。",
                "rectify_by": rectify_by.isoformat()}, owner=county)
            self.since = a
            return
        filed = None
        due = self.w.cal.add_workdays(a, 10).day
        if not (self.spec.get("report_pending") or (due >= self.today and rng.random() < 0.5)) and rng.random() < 0.92:
            filed = self.workdays_after(a, 1, 10)
            filed = filed if filed <= self.today else None
        self.rec("acceptance_result", a, {
            "accepted_on": a.isoformat(), "group_members": members, "conclusion": "pass", "controllable_ok": "pass",
            "opinion": "项目完成了建设方案确定的建设任务，软硬件产品安全可控，同意通过竣工验收。",
            "report_filed_on": filed.isoformat() if filed else None}, owner=county, updated=filed)
        self.since = a
        self.final_payment()

    def final_payment(self) -> None:
        a = self.tl.accepted
        if not self.shared:
            return  # 第七条: no further funds until catalogued and connected
        ceiling = self.approved + self.increase
        target = min(self.contracted, ceiling)
        if self.flag("surplus", 0.25):
            target = ceiling
        rest = target - sum(amount for _, amount in self.paid)
        if rest > 0 and a + DAY * 10 <= self.today:
            self._pay(self.after(a, 10, 40), rest, "construction")

    # ---- 第六/七/八/九条 operation ------------------------------------------------------------
    def operate(self) -> None:
        a = self.tl.accepted
        live = self.after(a, 3, 20)
        self.since = live
        self.security_after(a)
        self.surplus(a)
        self.om_funds(a)
        if self.status in ("self_evaluated", "post_evaluated"):
            self.evaluations(a)

    def security_after(self, a: D) -> None:
        rng = self.rng
        level = self.project_level
        periods = {"2": 24, "3": 12, "4": 6}  # the default profile's MLPS periods (第九条, 本县执行口径)
        if level in ("2", "3", "4") and self.flag("tested", 0.85):
            day = self.after(a, 30, 330)
            ok = rng.random() < 0.9
            self.rec("security_record", day, {
                "security_kind": "mlps_testing", "done_on": day.isoformat(), "agency": "山东省信息安全测评中心",
                "result": "pass" if ok else "fail", "document_no": f"SD-DJCP-{day.year}-{rng.randint(100, 999)}"})
            if not ok and day + DAY * 40 <= self.today:
                fix = self.after(day, 20, 60)
                self.rec("security_record", fix, {"security_kind": "rectification", "done_on": fix.isoformat(),
                                                  "agency": self.unit["name"], "result": "pass",
                                                  "note": "已按测评报告完成高中风险项整改"})
            self.again(day, periods[level], lambda d: {
                "security_kind": "mlps_testing", "agency": "山东省信息安全测评中心", "result": "pass",
                "document_no": f"SD-DJCP-{d.year}-{rng.randint(100, 999)}"})
        if self.flag("crypto", 0.8):
            day = self.after(a, 60, 360)
            self.rec("security_record", day, {
                "security_kind": "crypto_assessment", "done_on": day.isoformat(), "agency": "山东省商用密码测评中心",
                "result": "pass", "document_no": f"SDMP-{day.year}-{rng.randint(100, 999)}"})
            self.again(day, 12, lambda d: {
                "security_kind": "crypto_assessment", "agency": "山东省商用密码测评中心", "result": "pass",
                "document_no": f"SDMP-{d.year}-{rng.randint(100, 999)}"})
        if self.flag("risk", 0.85):
            day = self.after(self.since, 150, 350)
            values = {"security_kind": "risk_assessment", "agency": "山东省信息安全测评中心", "result": "pass",
                      "note": "运行期风险评估，中低风险项已提出整改建议"}
            self.rec("security_record", day, {**values, "done_on": day.isoformat()})
            self.again(day, 12, lambda d: values)

    def again(self, first: D, months: int, values) -> None:
        """The periodic security work after the first (第九条 定期评估, 跟进落实测评): one each period, a
        little early, up to today; a few units let it lapse, which is the overdue the workbench shows."""
        lapse = self.rng.random() < 0.15
        day = first
        while True:
            day = add_months(day, months) - DAY * self.rng.randint(5, 40)
            if day > self.today or (lapse and self.rng.random() < 0.5):
                return
            self.rec("security_record", day, {**values(day), "done_on": day.isoformat()})

    def surplus(self, a: D) -> None:
        paid = sum(x for _, x in self.paid)
        extra = paid - self.contracted
        if extra <= 0 or not self.flag("returned", 0.7):
            return
        day = self.after(max(d for d, _ in self.paid), 15, 45)
        self.rec("surplus_return", day, {"returned_on": day.isoformat(), "amount_fen": extra,
                                         "channel": "按原渠道退回县财政国库"})

    def om_funds(self, a: D) -> None:
        om = self.om_estimate
        if not om or not self.large or not self.shared:  # 第八条: large projects budget O&M separately
            return
        for year in range(a.year + 1, self.today.year + 1):
            budget_day = D(year, 1, self.rng.randint(10, 28))
            self.rec("budget", min(budget_day, self.today), {
                "year": year, "budget_kind": "om", "amount_fen": om,
                "approved_on": budget_day.isoformat() if budget_day <= self.today else None}, owner=self.w.finance_id)
            pay = D(year, self.rng.randint(3, 6), self.rng.randint(1, 28))
            if pay <= self.today:
                self._pay(pay, om, "om")

    def evaluations(self, a: D) -> None:
        self_day = self.between(add_months(a, 12), min(add_months(a, 24), self.today))
        self._evaluation("self", self_day, self.unit["id"], poor_p=0.04)
        self.since = self_day
        if self.status == "post_evaluated":
            post_day = self.between(add_months(self_day, 3), add_months(self_day, 12))
            self._evaluation("post", post_day, self.w.county_id, poor_p=self.spec.get("poor", 0.12))
            self.since = post_day

    def _evaluation(self, kind: str, day: D, owner: str, poor_p: float) -> None:
        rng = self.rng
        poor = rng.random() < poor_p if isinstance(poor_p, float) else bool(poor_p)
        score = rng.randint(40, 59) if poor else rng.randint(62, 98)
        self.rec("evaluation", day, {
            "eval_kind": kind, "evaluated_on": day.isoformat(), "score": score, "grade": grade(score),
            "indicators": indicator_lines(score),
            "findings": "系统使用率偏低，部分功能闲置，建议加强推广应用。" if poor else "项目实施规范，应用成效明显。",
            "rectify_by": (day + DAY * rng.randint(60, 120)).isoformat() if poor else None}, owner=owner)
