"""The notice's obligations, deadlines and gates as pure rules over (project records, today).

Each rule has an id, the clause it cites and a function `(facts, ctx) -> findings`. Nothing here
reads the database: `facts.load_all` gathers the records first, so `check` over a whole county is
one query per table plus pure Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from desktop_app.lifecycle.policy import PolicyProfile
from desktop_app.lifecycle.states import BUILT, CONSTRUCTION, FUNDED, PRE_APPROVAL, status_label
from desktop_app.lifecycle.workdays import DueDate, WorkCalendar, add_months
from desktop_app.models.fields import fen_to_wan_text
from desktop_app.models.kinds import JOINT_PLAN, MATERIAL, PROHIBITED, REQUIRED_MATERIAL, SANCTION

OVERDUE, UPCOMING, PENDING, DONE, BLOCKED, VIOLATION = (
    "overdue", "upcoming", "pending", "done", "blocked", "violation",
)
STATE_LABELS = {
    OVERDUE: "逾期", UPCOMING: "即将到期", PENDING: "待办", DONE: "已完成",
    BLOCKED: "受限", VIOLATION: "违规",
}


@dataclass
class Finding:
    rule_id: str
    clause: str
    project_id: str
    project_code: str
    state: str
    message: str
    due: DueDate | None = None
    tab: str = "basic"  # the project-window tab where the clerk acts on it
    record_id: str | None = None
    gate: str | None = None  # which action this blocks: submit / approve / fund / disburse / ...
    # a deadline met after its due date: working days late (see met_late); None when on time or not met
    late_workdays: int | None = None

    @property
    def open(self) -> bool:
        return self.state != DONE

    @property
    def state_text(self) -> str:
        """The state as the clerk reads it: 已完成（逾期3个工作日） for an obligation met late."""
        if self.state == DONE and self.late_workdays:
            return f"{STATE_LABELS[DONE]}（{late_text(self.late_workdays)}）"
        return STATE_LABELS[self.state]

    def as_dict(self) -> dict:
        return {
            "project": self.project_code,
            "rule": self.rule_id,
            "clause": self.clause,
            "state": self.state,
            "state_label": STATE_LABELS[self.state],
            "due": self.due.day.isoformat() if self.due else None,
            "tentative": bool(self.due and self.due.tentative),
            "gate": self.gate,
            "message": self.message,
            "tab": self.tab,
            "record_id": self.record_id,
            "late_workdays": self.late_workdays,
            "state_text": self.state_text,
        }


@dataclass
class Facts:
    project: dict
    records: dict[str, list[dict]] = field(default_factory=dict)

    def of(self, kind: str) -> list[dict]:
        return self.records.get(kind, [])

    @property
    def status(self) -> str:
        return self.project["status"]


@dataclass
class Context:
    today: dt.date
    cal: WorkCalendar
    profile: PolicyProfile
    # org id -> codes of its projects that are past their construction cycle, unexplained (第四条)
    unexplained_by_org: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    title: str
    fn: Callable[[Facts, Context], Iterable[Finding]]


RULES: list[Rule] = []


def rule(rule_id: str, clause: str, title: str):
    def register(fn):
        RULES.append(Rule(rule_id, clause, title, fn))
        return fn
    return register


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _f(facts: Facts, rule_id: str, clause: str, state: str, message: str, **kw) -> Finding:
    p = facts.project
    return Finding(rule_id, clause, p["id"], p["code"], state, message, **kw)


def deadline_state(ctx: Context, due: DueDate, done: bool) -> str:
    if done:
        return DONE
    if ctx.today > due.day:
        return OVERDUE
    if (due.day - ctx.today).days > 3 * ctx.profile.upcoming_workdays + 14:
        return PENDING  # far off: no need to count working days one by one
    left, _ = ctx.cal.workdays_between(ctx.today, due.day)
    return UPCOMING if left <= ctx.profile.upcoming_workdays else PENDING


def met_late(ctx: Context, due: DueDate, met_on: dt.date | None) -> int | None:
    """Working days by which an obligation met on `met_on` missed `due`; None if on time or not met.

    Counted with the official calendar: working days in (due, met_on]. A date on a rest day just after
    the due date counts as the next working day (the office receives it then), so it is 1, never 0.
    """
    if met_on is None or met_on <= due.day:
        return None
    late, _ = ctx.cal.workdays_between(due.day, met_on)
    return max(late, 1)


def late_text(workdays: int) -> str:
    return f"逾期{workdays}个工作日"


def _earliest(records: Iterable[dict], date_field: str) -> dt.date | None:
    days = [_d(r.get(date_field)) for r in records]
    return min((d for d in days if d), default=None)


def _due_text(due: DueDate) -> str:
    return f"{due.day.year}年{due.day.month}月{due.day.day}日" + ("（暂定）" if due.tentative else "")


def _calendar_due(day: dt.date, ctx: Context) -> DueDate:
    # A calendar-date deadline is exact; only working-day arithmetic can be 暂定.
    return DueDate(day, False)


# ---- 第一条 scope ------------------------------------------------------------------------------

PROHIBITED_LABELS = dict(PROHIBITED)


def prohibited_codes(project: dict) -> list[str]:
    raw = project.get("prohibited_types") or ""
    return [c for c in raw.replace("，", ",").split(",") if c.strip()]


@rule("R01-prohibited", "第一条", "原则上不得单独建设的系统须说明必要性")
def r_prohibited(facts: Facts, ctx: Context):
    codes = prohibited_codes(facts.project)
    if not codes:
        return
    names = "、".join(PROHIBITED_LABELS.get(c, c) for c in codes)
    if (facts.project.get("prohibited_justification") or "").strip():
        yield _f(facts, "R01-prohibited", "第一条", DONE, f"属{names}，已附单独建设必要性说明", tab="basic")
    elif facts.status in PRE_APPROVAL:
        yield _f(facts, "R01-prohibited", "第一条", BLOCKED,
                 f"项目属原则上不得单独建设的{names}，须填写单独建设的必要性说明后才能申报",
                 tab="basic", gate="submit")


# ---- 第二条 application -------------------------------------------------------------------------

def application_deadline(plan_year: int, profile: PolicyProfile) -> dt.date:
    return dt.date(plan_year - 1, profile.application_month, profile.application_day)


def open_plan_year(today: dt.date, profile: PolicyProfile) -> int:
    """The plan year still open for application on `today` (第二条: next year's projects by the
    deadline): the earliest year whose deadline has not passed, so a new project is not born overdue."""
    year = today.year + 1
    while today > application_deadline(year, profile):
        year += 1
    return year


@rule("R02-deadline", "第二条", "每年8月底前申报下一年度项目")
def r_deadline(facts: Facts, ctx: Context):
    if facts.status != "draft":
        return
    due = _calendar_due(application_deadline(facts.project["plan_year"], ctx.profile), ctx)
    state = deadline_state(ctx, due, False)
    msg = f"{facts.project['plan_year']}年度项目应于{_due_text(due)}前向县政府办公室提交申请"
    if state == OVERDUE:
        msg += "；已过申报截止日，只能改列下一年度"
    yield _f(facts, "R02-deadline", "第二条", state, msg, due=due, tab="materials",
             gate="submit" if state == OVERDUE else None)


def missing_materials(facts: Facts, profile: PolicyProfile) -> list[str]:
    have = {m["material_type"] for m in facts.of("material")}
    missing = [label for code, label in REQUIRED_MATERIAL if code not in have]
    if facts.of("co_builder") and JOINT_PLAN not in have:
        missing.append(dict(MATERIAL)[JOINT_PLAN] + "（多部门共建项目，由牵头单位会同共建单位共同形成）")
    years = {h["year"] for h in facts.of("investment_history")}
    if len(years) < profile.history_years_min:
        missing.append(f"近{profile.history_years_min}年投资运行情况（已填{len(years)}年）")
    return missing


@rule("R02-materials", "第二条", "申请材料齐全")
def r_materials(facts: Facts, ctx: Context):
    if facts.status not in ("draft", "revise"):
        return
    missing = missing_materials(facts, ctx.profile)
    if missing:
        yield _f(facts, "R02-materials", "第二条", BLOCKED,
                 "申请材料不全，缺：" + "、".join(missing), tab="materials", gate="submit")


@rule("R02-consult", "第二条", "编制申报材料前咨询县政府电子政务中心")
def r_consult(facts: Facts, ctx: Context):
    if facts.status in ("draft", "revise") and not facts.of("consultation"):
        yield _f(facts, "R02-consult", "第二条", BLOCKED,
                 "尚未记录向县政府电子政务中心咨询的情况", tab="materials", gate="submit")


# ---- 第三条 review, higher-level projects -------------------------------------------------------

def latest_review(facts: Facts) -> dict | None:
    reviews = sorted(facts.of("review"), key=lambda r: (r["round"], r["reviewed_on"]))
    return reviews[-1] if reviews else None


@rule("R03-review-first", "第三条", "县政府办公室审核意见是资金安排的前提")
def r_review_first(facts: Facts, ctx: Context):
    review = latest_review(facts)
    passed = review is not None and review["conclusion"] == "pass"
    if facts.status == "approved":
        yield _f(facts, "R03-review-first", "第三条", PENDING,
                 "已通过评审，待县财政局资金审核", tab="review")
    if facts.of("funding") and not passed:
        yield _f(facts, "R03-review-first", "第三条", VIOLATION,
                 "已安排资金但没有通过评审的审核意见", tab="review")


@rule("R03-consent", "第三条", "上级组织申报的项目须先取得县政府办公室同意申报意见")
def r_consent(facts: Facts, ctx: Context):
    if not facts.project.get("higher_level"):
        return
    rec = (facts.of("higher_level_filing") or [None])[-1]
    # the consent is the county office's own record (its date), never a field the unit types
    consent = min((_d(c["consent_on"]) for c in facts.of("upward_consent")), default=None)
    applied = _d(rec and rec.get("applied_upward_on"))
    if applied and (consent is None or consent > applied):
        yield _f(facts, "R03-consent", "第三条", VIOLATION,
                 "未取得县政府办公室同意申报的审核意见即向上级申报", tab="review")
    elif consent is None:
        yield _f(facts, "R03-consent", "第三条", BLOCKED,
                 "向上级申报前须取得县政府办公室同意申报的审核意见", tab="review", gate="apply_upward")
    else:
        yield _f(facts, "R03-consent", "第三条", DONE, "已取得同意申报审核意见", tab="review")


@rule("R03-filing", "第三条", "上级审批后报县政府办公室备案")
def r_higher_filing(facts: Facts, ctx: Context):
    for rec in facts.of("higher_level_filing"):
        approved = _d(rec.get("upper_approved_on"))
        if not approved:
            continue
        due = ctx.cal.add_workdays(approved, ctx.profile.higher_filing_workdays)
        filed = _d(rec.get("filed_on"))
        late = met_late(ctx, due, filed)
        msg = f"上级已于{approved.isoformat()}审批，应于{_due_text(due)}前报县政府办公室备案"
        if late:
            msg += f"；{filed.isoformat()}才备案，{late_text(late)}"
        yield _f(facts, "R03-filing", "第三条", deadline_state(ctx, due, bool(rec.get("filed_on"))), msg,
                 due=due, tab="review", record_id=rec["id"], late_workdays=late)


# ---- 第四条 construction -----------------------------------------------------------------------

def contract_due(contract: dict, ctx: Context) -> DueDate:
    return ctx.cal.add_workdays(_d(contract["signed_on"]), ctx.profile.contract_filing_workdays)


@rule("R04-contract", "第四条", "签订采购合同5个工作日内报备案")
def r_contract(facts: Facts, ctx: Context):
    for c in facts.of("contract"):
        due = contract_due(c, ctx)
        filed = _d(c.get("filed_on"))
        state = deadline_state(ctx, due, filed is not None)
        late = met_late(ctx, due, filed)
        if late:  # filed, late: done, and the lateness is kept (统计分析, 台账)
            msg = (f"合同「{c['contract_no']}」已于{filed.isoformat()}备案，{late_text(late)}"
                   f"（应于{_due_text(due)}前）")
        elif filed:
            msg = f"合同「{c['contract_no']}」已于{filed.isoformat()}备案"
        else:
            msg = (f"合同「{c['contract_no']}」于{c['signed_on']}签订，"
                   f"应于{_due_text(due)}前将合同文本及采购文件报县政府办公室备案")
        yield _f(facts, "R04-contract", "第四条", state, msg, due=due, tab="construction",
                 record_id=c["id"], late_workdays=late)


def construction_years(facts: Facts, ctx: Context) -> range:
    p = facts.project
    if p["status"] not in FUNDED:
        return range(0)
    start = p["plan_year"]
    accepted = [r for r in facts.of("acceptance_result") if r["conclusion"] == "pass"]
    end = _d(accepted[-1]["accepted_on"]).year - 1 if accepted else ctx.today.year
    return range(start, end + 1)


@rule("R04-progress", "第四条", "每年年底前报告建设进度和预算执行情况")
def r_progress(facts: Facts, ctx: Context):
    reports = facts.of("progress_report")
    reported = {r["year"] for r in reports}
    for year in construction_years(facts, ctx):
        due = _calendar_due(dt.date(year, ctx.profile.progress_report_month, ctx.profile.progress_report_day), ctx)
        first = _earliest((r for r in reports if r["year"] == year), "reported_on") if year in reported else None
        late = met_late(ctx, due, first)
        msg = f"{year}年度建设进度和预算执行情况报告应于{_due_text(due)}前报县政府办公室和县财政局"
        if late:
            msg += f"；{first.isoformat()}才报送，{late_text(late)}"
        yield _f(facts, "R04-progress", "第四条", deadline_state(ctx, due, year in reported), msg,
                 due=due, tab="construction", late_workdays=late)


def change_decisions(facts: Facts, change_id: str) -> list[dict]:
    return [d for d in facts.of("change_decision") if d["change_request_id"] == change_id]


def change_approved(facts: Facts, change: dict) -> bool | None:
    """True approved, False rejected, None pending — by who the notice says decides."""
    decisions = change_decisions(facts, change["id"])
    if change["change_kind"] == "major" and any(
            d["decider"] == "county_office" and d["decision"] == "rejected" for d in decisions):
        return False  # the county office's refusal ends a major change; finance never sees it
    decider = "egov_office" if change["change_kind"] == "technical" else "finance"
    final = [d for d in decisions if d["decider"] == decider]
    if not final:
        return None
    return final[-1]["decision"] == "approved"


@rule("R04-change", "第四条", "重大设计变更须县政府办公室审核、县财政局审批")
def r_change(facts: Facts, ctx: Context):
    for ch in facts.of("change_request"):
        approved = change_approved(facts, ch)
        kind = "重大调整" if ch["change_kind"] == "major" else "技术性调整"
        who = "县政府办公室提出审核意见、县财政局审批" if ch["change_kind"] == "major" else "县政府电子政务办公室审核"
        if approved is None and ch.get("implemented_before_approval") and ch["change_kind"] == "major":
            yield _f(facts, "R04-change", "第四条", VIOLATION,
                     f"{ch['submitted_on']}申请的{kind}未经批准已先行实施，须追究建设单位责任，超预算部分不再追加资金",
                     tab="changes", record_id=ch["id"])
        elif approved is None:
            yield _f(facts, "R04-change", "第四条", PENDING,
                     f"{ch['submitted_on']}申请的设计{kind}待{who}", tab="changes", record_id=ch["id"])
        else:
            yield _f(facts, "R04-change", "第四条", DONE,
                     f"{ch['submitted_on']}申请的设计{kind}已{'批准' if approved else '不予批准'}",
                     tab="changes", record_id=ch["id"])


def approved_funding_fen(facts: Facts) -> int:
    return sum(f["approved_fen"] for f in facts.of("funding"))


def approved_increase_fen(facts: Facts) -> int:
    return sum((c.get("investment_delta_fen") or 0) for c in facts.of("change_request")
               if c["change_kind"] == "major" and change_approved(facts, c))


@rule("R08-overspend", "第八条", "超支不补")
def r_overspend(facts: Facts, ctx: Context):
    funded = approved_funding_fen(facts)
    if not funded:
        return
    ceiling = funded + approved_increase_fen(facts)
    contracted = sum(c["amount_fen"] for c in facts.of("contract"))
    if contracted > ceiling:
        yield _f(facts, "R08-overspend", "第八条", VIOLATION,
                 f"合同总额{fen_to_wan_text(contracted)}万元超过核定资金{fen_to_wan_text(ceiling)}万元，"
                 "超支部分原则上不予追加", tab="funds")


@rule("R04-problem", "第四条", "工程严重逾期、投资重大损失及时报告")
def r_problem(facts: Facts, ctx: Context):
    for pr in facts.of("problem_report"):
        due = ctx.cal.add_workdays(_d(pr["occurred_on"]), ctx.profile.problem_report_workdays)
        late = met_late(ctx, due, _d(pr["reported_on"]))
        yield _f(facts, "R04-problem", "第四条", DONE,
                 (f"重大问题{pr['occurred_on']}发生，{pr['reported_on']}才报告，{late_text(late)}"
                  f"（应于{_due_text(due)}前）" if late else f"重大问题已于{pr['reported_on']}报告"),
                 due=due, tab="problems", record_id=pr["id"], late_workdays=late)


def past_cycle_unexplained(project: dict, today: dt.date, explanation_accepted: bool = False) -> bool:
    """Past its construction cycle, unfinished, and without an explanation the county office accepted."""
    end = _d(project.get("planned_completion"))
    return (end is not None and today > end
            and project["status"] in ("planned", "in_construction", "suspended", "failed")
            and not ((project.get("delay_explanation") or "").strip() and explanation_accepted))


def explanation_accepted(decisions: list[dict]) -> bool:
    """第四条 有效说明: the county office's latest decision on the unit's explanation is 同意."""
    latest = sorted(decisions, key=lambda d: (d["decided_on"], d.get("created_at") or ""))
    return bool(latest) and latest[-1]["decision"] == "approved"


@rule("R04-cycle", "第四条", "未在设计建设周期内完成且不能有效说明的，不得申报新项目")
def r_cycle(facts: Facts, ctx: Context):
    if past_cycle_unexplained(facts.project, ctx.today, explanation_accepted(facts.of("delay_acceptance"))):
        explained = (facts.project.get("delay_explanation") or "").strip()
        yield _f(facts, "R04-cycle", "第四条", VIOLATION,
                 f"设计建设周期已于{facts.project['planned_completion']}届满仍未完成，"
                 + ("未按期完成的说明尚未经县政府办公室审核同意" if explained else "且未作说明")
                 + "；本单位不得申报新项目", tab="basic")
    if facts.status in ("draft", "revise"):
        others = [c for c in ctx.unexplained_by_org.get(facts.project["lead_org_id"], [])
                  if c != facts.project["code"]]
        if others:
            yield _f(facts, "R04-cycle", "第四条", BLOCKED,
                     "本单位有项目未在设计建设周期内完成且未作有效说明（" + "、".join(others[:5])
                     + ("等" if len(others) > 5 else "") + "），不得申报新项目",
                     tab="basic", gate="submit")


# ---- 第五条 supervision -----------------------------------------------------------------------

SANCTION_LADDER = [code for code, _ in SANCTION]
SANCTION_LABELS = dict(SANCTION)


def next_sanction(facts: Facts) -> str | None:
    active = [s for s in facts.of("sanction") if not s.get("lifted_on")]
    reached = max((SANCTION_LADDER.index(s["sanction_kind"]) for s in active), default=-1)
    return SANCTION_LADDER[reached + 1] if reached + 1 < len(SANCTION_LADDER) else None


@rule("R05-rectify", "第五条", "监督检查发现的问题限期整改，拒不整改的依次处理")
def r_rectify(facts: Facts, ctx: Context):
    for finding in facts.of("finding"):
        due = _calendar_due(_d(finding["rectify_by"]), ctx)
        closed = bool(finding.get("closed_on"))
        state = deadline_state(ctx, due, closed)
        late = met_late(ctx, due, _d(finding.get("closed_on")))
        msg = f"检查发现问题须于{_due_text(due)}前整改完毕：{finding['description'][:40]}"
        if late:
            msg = (f"检查发现问题{finding['closed_on']}才整改完毕，{late_text(late)}（期限{_due_text(due)}）："
                   f"{finding['description'][:40]}")
        if state == OVERDUE:
            nxt = next_sanction(facts)
            ladder = " → ".join(SANCTION_LABELS[c] for c in SANCTION_LADDER)
            msg = (f"整改已逾期（期限{_due_text(due)}）。处理顺序：{ladder}"
                   + (f"；建议下一步：{SANCTION_LABELS[nxt]}" if nxt else ""))
        yield _f(facts, "R05-rectify", "第五条", state, msg, due=due, tab="problems",
                 record_id=finding["id"], late_workdays=late)


def funds_withheld(facts: Facts) -> bool:
    return any(s["sanction_kind"] in ("withhold_funds", "suspend", "terminate") and not s.get("lifted_on")
               for s in facts.of("sanction"))


@rule("R05-withheld", "第五条", "暂缓拨付建设资金")
def r_withheld(facts: Facts, ctx: Context):
    if funds_withheld(facts):
        yield _f(facts, "R05-withheld", "第五条", BLOCKED, "已决定暂缓拨付建设资金，解除前不得拨付",
                 tab="funds", gate="disburse")


# ---- 第六条 acceptance and evaluation -----------------------------------------------------------

def passed_acceptance(facts: Facts) -> dict | None:
    ok = [r for r in facts.of("acceptance_result") if r["conclusion"] == "pass"]
    return ok[-1] if ok else None


@rule("R06-no-funds", "第六条", "未经验收的项目不得拨付后续建设资金和运行维护经费")
def r_no_funds(facts: Facts, ctx: Context):
    if facts.status in CONSTRUCTION and not passed_acceptance(facts):
        end = _d(facts.project.get("planned_completion"))
        if end and ctx.today > end:
            yield _f(facts, "R06-no-funds", "第六条", BLOCKED,
                     "设计建设周期已满，未经验收不得拨付后续建设资金和运行维护经费",
                     tab="funds", gate="disburse")


def extensions_decided(facts: Facts, decision: str | None) -> list[dict]:
    """Extension requests whose latest county decision is `decision` (None: not yet decided)."""
    latest: dict[str, dict] = {}
    for d in sorted(facts.of("extension_decision"), key=lambda d: d["decided_on"]):
        latest[d["extension_id"]] = d
    return [e for e in facts.of("acceptance_extension")
            if (latest[e["id"]]["decision"] if e["id"] in latest else None) == decision]


def acceptance_due(facts: Facts, ctx: Context) -> DueDate | None:
    end = _d(facts.project.get("planned_completion"))
    if not end:
        return None
    approved = extensions_decided(facts, "approved")
    if approved:
        return _calendar_due(max(_d(e["new_date"]) for e in approved), ctx)
    return _calendar_due(add_months(end, ctx.profile.acceptance_grace_months), ctx)


@rule("R06-apply", "第六条", "按期申请竣工验收，否则提出延期验收申请")
def r_apply(facts: Facts, ctx: Context):
    if facts.status not in ("planned", "in_construction", "suspended"):
        return
    due = acceptance_due(facts, ctx)
    if due is None:
        return
    state = deadline_state(ctx, due, False)
    if state == PENDING:
        return
    pending_ext = extensions_decided(facts, None)
    msg = f"应于{_due_text(due)}前提出竣工验收申请；不能按期的，应向县政府办公室提出延期验收申请"
    if pending_ext:
        msg += "（延期验收申请待县政府办公室审核）"
    yield _f(facts, "R06-apply", "第六条", state, msg, due=due, tab="acceptance")


@rule("R06-report", "第六条", "验收完成后验收报告报县政府办公室备案")
def r_report(facts: Facts, ctx: Context):
    for r in facts.of("acceptance_result"):
        if r["conclusion"] != "pass":
            continue
        due = ctx.cal.add_workdays(_d(r["accepted_on"]), ctx.profile.acceptance_report_workdays)
        filed = _d(r.get("report_filed_on"))
        late = met_late(ctx, due, filed)
        msg = f"验收报告及相关材料应于{_due_text(due)}前报县政府办公室备案"
        if late:
            msg += f"；{filed.isoformat()}才备案，{late_text(late)}"
        yield _f(facts, "R06-report", "第六条", deadline_state(ctx, due, bool(r.get("report_filed_on"))), msg,
                 due=due, tab="acceptance", record_id=r["id"], late_workdays=late)


@rule("R06-failed", "第六条", "未通过验收的限期整改后重新申请")
def r_failed(facts: Facts, ctx: Context):
    if facts.status != "failed":
        return
    fails = [r for r in facts.of("acceptance_result") if r["conclusion"] == "fail"]
    if fails and fails[-1].get("rectify_by"):
        due = _calendar_due(_d(fails[-1]["rectify_by"]), ctx)
        yield _f(facts, "R06-failed", "第六条", deadline_state(ctx, due, False),
                 f"未通过竣工验收，须制定整改方案并于{_due_text(due)}前整改完毕、重新提交验收申请",
                 due=due, tab="acceptance")


def in_use_from(facts: Facts) -> dt.date | None:
    """The day the self-evaluation window counts from: the later of the passed acceptance and the
    go-live (竣工验收并投入使用或运营后, 第六条). A project that went live before this was recorded has
    no go-live date: its acceptance counts."""
    acc = passed_acceptance(facts)
    if not acc:
        return None
    days = [_d(acc["accepted_on"]), _d(facts.project.get("went_live_on"))]
    return max(d for d in days if d)


@rule("R06-self-eval", "第六条", "竣工验收并投入使用后12至24个月内开展绩效自评价")
def r_self_eval(facts: Facts, ctx: Context):
    start = in_use_from(facts)
    if not start or facts.status not in BUILT:
        return
    opens = add_months(start, ctx.profile.self_eval_min_months)
    due = _calendar_due(add_months(start, ctx.profile.self_eval_max_months), ctx)
    selfs = [e for e in facts.of("evaluation") if e["eval_kind"] == "self"]
    done = bool(selfs)
    state = deadline_state(ctx, due, done)
    if state != DONE and ctx.today < opens:
        state = PENDING
    first = _earliest(selfs, "evaluated_on")
    late = met_late(ctx, due, first)
    msg = f"应在{opens.isoformat()}至{_due_text(due)}之间开展绩效自评价并报送自评价报告"
    if late:
        msg += f"；{first.isoformat()}才开展，{late_text(late)}"
    yield _f(facts, "R06-self-eval", "第六条", state, msg, due=due, tab="evaluation", late_workdays=late)


def poor_chains(facts: Facts) -> list[tuple[dict, dict | None]]:
    """Each 差 evaluation that opens a rectification, with what followed it: the next evaluation (better:
    rectified; 差 again: 整改后仍达不到应有绩效, accountability), or None while none has followed."""
    out, open_poor = [], None
    for e in sorted(facts.of("evaluation"), key=lambda e: (e["evaluated_on"], e.get("created_at") or "")):
        if open_poor is not None:
            out.append((open_poor, e))
            open_poor = None
        elif e["grade"] == "poor":
            open_poor = e
    if open_poor is not None:
        out.append((open_poor, None))
    return out


def poor_rectify_due(e: dict, ctx: Context) -> DueDate:
    """The rectification deadline of a 差 evaluation: as set in it, else the county's time limit."""
    if e.get("rectify_by"):
        return _calendar_due(_d(e["rectify_by"]), ctx)
    return _calendar_due(add_months(_d(e["evaluated_on"]), ctx.profile.poor_rectify_months), ctx)


@rule("R06-performance", "第六条", "应用绩效低下的限期整改")
def r_performance(facts: Facts, ctx: Context):
    for e, after in poor_chains(facts):
        due = poor_rectify_due(e, ctx)
        met = _d(after["evaluated_on"]) if after else None
        late = met_late(ctx, due, met)
        msg = f"{e['evaluated_on']}绩效评价为“差”，须于{_due_text(due)}前整改并重新评价；整改后仍达不到应有绩效的追究责任"
        if after and after["grade"] == "poor":
            msg += f"；{after['evaluated_on']}重新评价仍为“差”"
        elif after:
            msg += f"；{after['evaluated_on']}重新评价合格"
        if late:
            msg += f"，{late_text(late)}"
        yield _f(facts, "R06-performance", "第六条", deadline_state(ctx, due, after is not None), msg,
                 due=due, tab="evaluation", record_id=e["id"], late_workdays=late)


@rule("R06-accountability", "第六条", "整改后仍达不到应有绩效的，追究主管人员责任并通报批评")
def r_accountability(facts: Facts, ctx: Context):
    for _first, again in poor_chains(facts):
        if again is None or again["grade"] != "poor":
            continue
        taken = [x for x in facts.of("sanction") if x["imposed_on"] >= again["evaluated_on"]]
        msg = (f"整改后{again['evaluated_on']}重新评价仍为“差”，应追究主管人员责任并通报批评")
        if taken:
            first = min(taken, key=lambda x: x["imposed_on"])
            msg += f"；{first['imposed_on']}已作出处理（{dict(SANCTION).get(first['sanction_kind'], '')}）"
        yield _f(facts, "R06-accountability", "第六条", DONE if taken else VIOLATION, msg,
                 tab="problems", record_id=again["id"])


# ---- 第七条 sharing ---------------------------------------------------------------------------

def sharing_gaps(facts: Facts) -> list[str]:
    if facts.project["category"] == "om":
        return []
    gaps = []
    if not facts.of("catalog_entry"):
        gaps.append("未编制信息资源目录")
    if not facts.of("platform_connection"):
        gaps.append("未接入数据共享开放平台")
    return gaps


@rule("R07-sharing", "第七条", "未接入共享开放平台、未共享数据资源的不得拨付后续资金")
def r_sharing(facts: Facts, ctx: Context):
    if facts.status not in BUILT and facts.status != "acceptance_requested":
        return
    gaps = sharing_gaps(facts)
    if gaps:
        yield _f(facts, "R07-sharing", "第七条", BLOCKED,
                 "；".join(gaps) + "，不得拨付后续建设资金和运行维护经费", tab="sharing", gate="disburse")
    else:
        yield _f(facts, "R07-sharing", "第七条", DONE, "已编制信息资源目录并接入共享开放平台", tab="sharing")


# ---- 第八条 funds -----------------------------------------------------------------------------

@rule("R08-unplanned", "第八条", "未列入年度建设计划的项目不安排资金")
def r_unplanned(facts: Facts, ctx: Context):
    if facts.of("disbursement") and not facts.of("funding"):
        yield _f(facts, "R08-unplanned", "第八条", VIOLATION,
                 "项目未经资金审核列入计划，却有拨付记录", tab="funds")


@rule("R08-surplus", "第八条", "项目节余资金按原渠道退回")
def r_surplus(facts: Facts, ctx: Context):
    acc = passed_acceptance(facts)
    if not acc:
        return
    paid = sum(d["amount_fen"] for d in facts.of("disbursement") if d["purpose"] == "construction")
    spent = sum(c["amount_fen"] for c in facts.of("contract"))
    surplus = paid - spent
    if surplus <= 0:
        return
    returns = facts.of("surplus_return")
    returned = sum(r["amount_fen"] for r in returns)
    due = _calendar_due(add_months(_d(acc["accepted_on"]), ctx.profile.surplus_return_months), ctx)
    met_on = surplus_returned_on(returns, surplus)
    late = met_late(ctx, due, met_on)
    msg = (f"已拨建设资金超出合同支出{fen_to_wan_text(surplus)}万元，节余资金应于{_due_text(due)}前按原渠道退回"
           f"（已退回{fen_to_wan_text(returned)}万元）")
    if late:
        msg += f"；{met_on.isoformat()}才退回完毕，{late_text(late)}"
    yield _f(facts, "R08-surplus", "第八条", deadline_state(ctx, due, returned >= surplus), msg,
             due=due, tab="funds", late_workdays=late)


def surplus_returned_on(returns: list[dict], surplus: int) -> dt.date | None:
    """The date the returns first added up to the whole surplus (None: not yet, or undated)."""
    total = 0
    for r in sorted(returns, key=lambda r: r.get("returned_on") or ""):
        total += r["amount_fen"]
        if total >= surplus:
            return _d(r.get("returned_on"))
    return None


@rule("R08-om-budget", "第八条", "大型项目运维经费概算与建设资金概算一并报审")
def r_om_budget(facts: Facts, ctx: Context):
    p = facts.project
    if p.get("large_project") and not p.get("om_estimate_fen") and facts.status in ("draft", "revise"):
        yield _f(facts, "R08-om-budget", "第八条", BLOCKED,
                 "大型项目须在申报时一并填报运行维护费用概算", tab="basic", gate="submit")


# ---- 第九条 security -------------------------------------------------------------------------

@rule("R09-mlps-level", "第九条", "规划阶段明确等级保护级别")
def r_mlps_level(facts: Facts, ctx: Context):
    if facts.status in PRE_APPROVAL and not facts.project.get("mlps_level"):
        yield _f(facts, "R09-mlps-level", "第九条", BLOCKED,
                 "尚未明确系统等级保护级别，评审不能通过", tab="security", gate="approve")


def _periodic(facts: Facts, ctx: Context, rule_id: str, kind: str, months: int, label: str, every: str):
    """A 第九条 obligation that comes back every `months` (定期评估, 跟进落实测评): the first falls due one
    period after the system went into use (`in_use_from`), each next one a period after the last. Records
    from the passed acceptance on count (a test just before going live is the first). One finding for the
    cycle now running, its due date the next one's: 已完成 while that is far off (keeping how late the
    last one was), 即将到期 / 逾期 as it nears and passes. `every` says the period in the clerk's words."""
    acc = passed_acceptance(facts)
    if not acc or facts.status not in BUILT:
        return
    accepted = _d(acc["accepted_on"])
    done = sorted(d for d in (_d(r.get("done_on")) for r in facts.of("security_record")
                              if r["security_kind"] == kind) if d and d >= accepted)
    first_due = _calendar_due(add_months(in_use_from(facts), months), ctx)
    if not done:
        yield _f(facts, rule_id, "第九条", deadline_state(ctx, first_due, False),
                 f"系统运行后应于{_due_text(first_due)}前完成首次{label}（{every}）", due=first_due, tab="security")
        return
    last = done[-1]
    last_due = first_due if len(done) == 1 else _calendar_due(add_months(done[-2], months), ctx)
    next_due = _calendar_due(add_months(last, months), ctx)
    state = deadline_state(ctx, next_due, False)
    late = met_late(ctx, last_due, last) if state == PENDING else None
    msg = f"上次{label}于{last.isoformat()}完成"
    if late:
        msg += f"（应于{_due_text(last_due)}前，{late_text(late)}）"
    msg += f"，{every}，下次应于{_due_text(next_due)}前完成"
    yield _f(facts, rule_id, "第九条", DONE if state == PENDING else state, msg, due=next_due,
             tab="security", late_workdays=late)


def mlps_testing_months(profile: PolicyProfile, level: str | None) -> int | None:
    """The testing period of an MLPS level (等保2.0 practice, 本县执行口径); None: level 1 (or not yet
    set) has no testing obligation — level 1 systems protect themselves."""
    return {"2": profile.mlps2_testing_months, "3": profile.mlps_testing_months,
            "4": profile.mlps4_testing_months}.get(level or "")


LEVEL_NAMES = {"2": "第二级", "3": "第三级", "4": "第四级"}


@rule("R09-mlps-testing", "第九条", "系统运行后定期开展等级保护测评和整改")
def r_mlps_testing(facts: Facts, ctx: Context):
    level = facts.project.get("mlps_level")
    months = mlps_testing_months(ctx.profile, level)
    if months is None:
        return
    yield from _periodic(facts, ctx, "R09-mlps-testing", "mlps_testing", months, "等级保护测评",
                         f"{LEVEL_NAMES[level]}系统每{months}个月测评一次")


@rule("R09-crypto", "第九条", "密码保障系统同步运行并定期评估")
def r_crypto(facts: Facts, ctx: Context):
    months = ctx.profile.crypto_assessment_months
    yield from _periodic(facts, ctx, "R09-crypto", "crypto_assessment", months, "密码应用安全性评估",
                         f"每{months}个月定期评估")


# under construction: a reminder only, never a gate on 申请竣工验收 — the notice names 安全可控 (not the
# risk assessment) as acceptance content, and a new gate would refuse the replay of projects whose
# acceptance was requested under earlier versions (the importer checks gates as of the claimed date)
RISK_BEFORE_ACCEPTANCE = ("in_construction", "failed")


@rule("R09-risk-assessment", "第九条", "开展网络与信息安全风险评估，系统运行后定期评估")
def r_risk_assessment(facts: Facts, ctx: Context):
    if facts.status in RISK_BEFORE_ACCEPTANCE:
        if not any(r["security_kind"] == "risk_assessment" for r in facts.of("security_record")):
            yield _f(facts, "R09-risk-assessment", "第九条", PENDING,
                     "尚未开展网络与信息安全风险评估：应在申请竣工验收前完成，风险评估报告作为验收材料",
                     tab="security")
        return
    months = ctx.profile.risk_assessment_months
    yield from _periodic(facts, ctx, "R09-risk-assessment", "risk_assessment", months,
                         "网络与信息安全风险评估", f"每{months}个月评估一次")


@rule("R09-controllable", "第九条", "软硬件产品安全可控情况是验收的重要内容")
def r_controllable(facts: Facts, ctx: Context):
    if facts.status in ("in_construction", "failed") and not facts.of("controllable_product"):
        yield _f(facts, "R09-controllable", "第九条", BLOCKED,
                 "尚未填报安全可控产品清单，不能申请竣工验收", tab="security", gate="request_acceptance")


# ---- 第十条 organisation ------------------------------------------------------------------------

@rule("R10-classified", "第十条", "涉密项目由县保密局审查确认")
def r_classified(facts: Facts, ctx: Context):
    if not facts.project.get("classified"):
        return
    if facts.of("secrecy_confirmation"):
        yield _f(facts, "R10-classified", "第十条", DONE, "涉密项目已经县保密局审查确认", tab="security")
    elif facts.status in PRE_APPROVAL:
        yield _f(facts, "R10-classified", "第十条", BLOCKED,
                 "涉密项目须经县保密局审查确认后评审才能通过", tab="security", gate="approve")
    else:
        yield _f(facts, "R10-classified", "第十条", VIOLATION,
                 "涉密项目未经县保密局审查确认即已推进", tab="security")


RULES_BY_ID = {r.id: r for r in RULES}
# obligations that come back every period (第九条 定期评估): when met, the finding stays 已完成 but carries
# the next due date, which the project window keeps in view
RECURRING = frozenset({"R09-crypto", "R09-mlps-testing", "R09-risk-assessment"})


def evaluate(facts: Facts, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for r in RULES:
        out.extend(r.fn(facts, ctx))
    return out


def gates(facts: Facts, ctx: Context, gate: str) -> list[Finding]:
    """Findings that currently block `gate` (submit / approve / disburse / ...)."""
    return [f for f in evaluate(facts, ctx) if f.gate == gate and f.state in (BLOCKED, OVERDUE)]


def describe_status(code: str) -> str:
    return status_label(code)
