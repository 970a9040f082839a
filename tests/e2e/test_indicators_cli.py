"""`govis indicators show / set / reset` through the command-line entry point (第六条)."""

from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.lifecycle.policy import load_indicators
from desktop_app.models.store import Store
from tests.core import builders as B
from tests.core.dbstate import snapshot


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def county(tmp_path):
    db = tmp_path / "county.db"
    B.make_county(db).store.close()
    return db


def test_show_edit_the_json_set_and_reset(tmp_path, capsys):
    db = county(tmp_path)
    code, out, err = run(capsys, "--db", db, "indicators", "show")
    assert code == 0, err
    assert "（默认，第六条）" in out and "2. 产出　50分" in out and "   - 系统质量　10分" in out
    code, out, err = run(capsys, "--db", db, "indicators", "show", "--json")
    data = json.loads(out)
    assert [g["name"] for g in data] == ["预算执行", "产出", "效益", "满意度"]

    data[1]["items"][1]["points"] = 5
    data[1]["items"].append({"name": "安全保障", "points": 5, "note": "等级保护测评按期完成得满分"})
    f = tmp_path / "本县指标.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="gbk")  # saved by WPS
    code, out, err = run(capsys, "--db", db, "indicators", "set", f)
    assert code == 0, err
    assert "已保存绩效评价指标体系：4个一级指标、12个二级指标" in out
    code, out, err = run(capsys, "--db", db, "indicators", "show")
    assert "（本县设置，第六条）" in out and "   - 安全保障　5分　等级保护测评按期完成得满分" in out

    code, out, err = run(capsys, "--db", db, "indicators", "set", f)  # the same again
    assert code != 0 and "没有需要保存的修改" in err

    code, out, err = run(capsys, "--db", db, "indicators", "reset")
    assert code == 0, err
    assert "已恢复默认" in out
    s = Store.open(str(db))
    try:
        assert s.get_setting("evaluation_indicators") == "" and len(load_indicators(s).indicators) == 11
    finally:
        s.close()


def test_a_wrong_system_is_refused_naming_the_indicator_and_changes_nothing(tmp_path, capsys):
    db = county(tmp_path)
    code, out, err = run(capsys, "--db", db, "indicators", "show", "--json")
    data = json.loads(out)
    data[1]["items"][0]["points"] = 15
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    s = Store.open(str(db))
    before = snapshot(s)
    s.close()
    code, out, err = run(capsys, "--db", db, "indicators", "set", f)
    assert code != 0 and "一级指标「产出」50分，其二级指标合计45分" in err
    f.write_text("[{", encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "indicators", "set", f)
    assert code != 0 and "不是有效的JSON" in err
    code, out, err = run(capsys, "--db", db, "indicators", "set", tmp_path / "missing.json")
    assert code != 0 and "无法读取文件" in err
    s = Store.open(str(db))
    try:
        after = snapshot(s)
    finally:
        s.close()
    assert after == before


def test_only_the_county_office_sets_the_system(tmp_path, capsys):
    db = tmp_path / "unit.db"
    code, _out, err = run(capsys, "--db", db, "init", "--role", "unit", "--org-code", "MYJYJ",
                          "--org-name", "蒙阴县教育和体育局", "--no-key")
    assert code == 0, err
    code, out, err = run(capsys, "--db", db, "indicators", "reset")
    assert code != 0 and "绩效评价指标体系只能由县政府办公室设置" in err
    code, out, err = run(capsys, "--db", db, "indicators", "show")
    assert code == 0 and "预算执行　10分" in out  # every unit reads the system it is scored with
