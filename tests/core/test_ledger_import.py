"""Bringing in the old Excel ledger: preview, write on confirmation, a second import changes nothing."""

import datetime as dt

import pytest
from openpyxl import Workbook

from desktop_app.errors import Refused
from desktop_app.services import audit
from desktop_app.services import ledger_import as L
from desktop_app.services.ledger_import.mapping import Mapping
from tests.core.builders import actor_for
from tests.core.ledger_files import messy_ledger

TODAY = dt.date(2026, 10, 15)


def counts(store):
    return {t: store.one(f"SELECT COUNT(*) AS n FROM {t}")["n"]
            for t in ("projects", "contracts", "ledger_imports", "audit_log")}


def test_preview_reads_a_messy_ledger_and_writes_nothing(county, tmp_path):
    before = counts(county.store)
    plan = L.preview(county.store, messy_ledger(tmp_path / "台账.xlsx"), today=TODAY)
    assert plan.mapping.header_row == 4
    assert plan.mapping.units == {"total": "wan", "fiscal": "wan", "contract_amount": "yuan"}
    assert [r.row for r in plan.rows] == [5, 6, 8, 9, 10, 11]  # blank rows 3 and 7 skipped silently
    assert plan.counts()["new"] == 4
    bad = {r.row: "；".join(r.reasons) for r in plan.invalid}
    assert set(bad) == {9, 11}
    assert "总投资" in bad[9] and "「蒙阴县卫健局」未登记，是否为「蒙阴县卫生健康局」" in bad[9]
    assert "2026-02-30" in bad[11] and "不存在" in bad[11]
    row5, row6 = plan.rows[0], plan.rows[1]
    assert row5.project["total_investment_fen"] == 120_000_000 and row5.project["fiscal_share_fen"] == 100_000_000
    assert row5.contract["amount_fen"] == 115_000_000 and row5.contract["signed_on"] == "2024-05-10"
    assert (row5.status, row5.status_since) == ("accepted", "2025-06-30")
    assert row6.contract["signed_on"] == "2025-08-01"  # Excel serial 45870
    assert (row6.status, row6.status_since, row6.project["planned_start"]) == ("in_construction", "2025-08-01",
                                                                               "2025-08-01")
    assert plan.rows[2].status == "planned" and plan.rows[2].project["total_investment_fen"] == 30_000_000
    assert [u.text for u in plan.units if u.org is None] == ["蒙阴县卫健局"]
    assert counts(county.store) == before


def test_confirmed_import_writes_owned_by_units_marked_and_audited(county, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")
    plan = L.preview(county.store, path, today=TODAY)
    before = counts(county.store)
    changes = L.apply(county.store, county.county, plan, today=TODAY)
    assert len(changes.project_ids) == 4
    after = counts(county.store)
    assert after["projects"] - before["projects"] == 4 and after["contracts"] - before["contracts"] == 2
    assert after["audit_log"] - before["audit_log"] == 4  # one entry per project
    p = county.store.one("SELECT * FROM projects WHERE name='县智慧教育云平台'")
    assert p["owner_org"] == county.unit.org_id == p["lead_org_id"] and p["status"] == "accepted"
    assert p["code"] == "MY-2024-001"
    mark = county.store.one("SELECT * FROM ledger_imports WHERE project_id=?", (p["id"],))
    assert mark["sheet_row"] == 5 and mark["remark"] == "已验收" and mark["reviewed_at"] is None
    assert "采购方式" in mark["assumed"]
    c = county.store.one("SELECT * FROM contracts WHERE project_id=?", (p["id"],))
    assert (c["contract_no"], c["amount_fen"], c["owner_org"]) == ("HT-2024-01", 115_000_000, county.unit.org_id)
    assert audit.verify(county.store) == []

    # the same file again: every row recognised, nothing written
    again = L.preview(county.store, path, today=TODAY)
    assert again.counts()["same"] == 4 and not again.writes
    assert L.apply(county.store, county.county, again, today=TODAY).project_ids == frozenset()
    assert counts(county.store) == after


def test_a_changed_row_updates_a_marked_project_but_never_a_units_own(county, tmp_path):
    from tests.core.builders import new_project

    own = new_project(county, name="县卫生健康信息平台", plan_year="2025", total_investment_fen="99", fiscal_share_fen="50",
                      lead_org_id="MYWJJ", actor=county.unit2)
    path = messy_ledger(tmp_path / "台账.xlsx")
    L.apply(county.store, county.county, L.preview(county.store, path, today=TODAY), today=TODAY)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["E5"] = 125  # 总投资 of the imported project
    wb.save(path)
    plan = L.preview(county.store, path, today=TODAY)
    kinds = {r.row: r.action for r in plan.rows}
    assert kinds[5] == "update" and kinds[6] == "kept"
    assert "总投资：120.00万元 → 125.00万元" in L.plan.change_text(plan.rows[0])
    L.apply(county.store, county.county, plan, today=TODAY)
    assert county.store.one("SELECT total_investment_fen FROM projects WHERE name='县智慧教育云平台'")[
        "total_investment_fen"] == 125_000_000
    assert county.store.get("project", own["id"])["total_investment_fen"] == 99_000_000


def test_only_the_county_offices_reviewer_or_administrator_imports(county, tmp_path):
    plan = L.preview(county.store, messy_ledger(tmp_path / "台账.xlsx"), today=TODAY)
    with pytest.raises(Refused, match="县政府办公室"):
        L.ops.import_ledger_rows(county.store, county.unit, plan.writes, plan.source, TODAY)
    clerk = actor_for(county.store, "MYXZF", user_role="clerk")
    with pytest.raises(Refused, match="审核人或管理员"):
        L.ops.import_ledger_rows(county.store, clerk, plan.writes, plan.source, TODAY)
    assert county.store.one("SELECT COUNT(*) AS n FROM ledger_imports")["n"] == 0


def test_units_chosen_in_the_mapping_and_saved_mapping_reused(county, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")
    plan = L.preview(county.store, path, today=TODAY)
    m = plan.mapping
    m.units_of_orgs["蒙阴县卫健局"] = "MYWJJ"
    m.save(tmp_path / "对应.json")
    again = L.preview(county.store, path, Mapping.load(tmp_path / "对应.json"), today=TODAY)
    assert {r.row for r in again.invalid} == {9, 11}
    assert not any("未登记" in x for r in again.invalid for x in r.reasons)


def test_csv_in_gbk_and_refusals(county, tmp_path):
    csv = tmp_path / "台账.csv"
    csv.write_bytes("项目名称,建设单位,年度,投资额（元）\n县档案数字化,蒙阴县教育和体育局,2025,\"1,200,000\"\n"
                    .encode("gbk"))
    plan = L.preview(county.store, csv, today=TODAY)
    assert plan.rows[0].project["total_investment_fen"] == 120_000_000
    with pytest.raises(L.LedgerFileError, match="另存为 .xlsx"):
        L.preview(county.store, tmp_path / "x.docx", today=TODAY) if (tmp_path / "x.docx").write_text("x") else None
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(L.LedgerFileError, match="已损坏"):
        L.preview(county.store, broken, today=TODAY)
    wb = Workbook()
    wb.active.append(["甲", "乙"])
    wb.save(tmp_path / "无表头.xlsx")
    with pytest.raises(L.LedgerFileError, match="找不到表头"):
        L.preview(county.store, tmp_path / "无表头.xlsx", today=TODAY)
