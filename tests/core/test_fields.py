import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.models.fields import DATE, ENUM, INT, MONEY, Field, parse_money_wan, parse_value


@pytest.mark.parametrize("text,fen", [("120.5", 120_500_000), ("0", 0), ("1,234.000001", 1_234_000_001),
                                      ("3万元", 3_000_000), (7, 7), ("１２", 12_000_000)])
def test_money_parses_wan_to_fen(text, fen):
    assert parse_money_wan(text) == fen


@pytest.mark.parametrize("text", ["-1", "abc", "1e5", "0.0000001", "", "1.2.3"])
def test_bad_money_refused_in_chinese(text):
    with pytest.raises(ValueError) as e:
        parse_money_wan(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value))


def test_date_accepts_chinese_and_refuses_impossible():
    f = Field("d", "日期", DATE)
    assert parse_value(f, "2026年9月30日") == "2026-09-30"
    with pytest.raises(ValueError, match="不存在"):
        parse_value(f, "2026-02-30")


def test_required_empty_refused():
    with pytest.raises(ValueError, match="必填"):
        parse_value(Field("n", "项目名称", required=True), "   ")


def test_enum_accepts_code_or_label():
    f = Field("c", "类型", ENUM, choices=(("new", "新建"),))
    assert parse_value(f, "新建") == parse_value(f, "new") == "new"


FIELDS = [Field("m", "金额", MONEY), Field("i", "整数", INT, min=0, max=100), Field("d", "日期", DATE),
          Field("t", "文本", max_len=20), Field("e", "枚举", ENUM, choices=(("a", "甲"),))]


@given(st.sampled_from(FIELDS), st.one_of(st.text(), st.integers(), st.none(), st.booleans()))
def test_parse_value_only_raises_valueerror(f, raw):
    try:
        parse_value(f, raw)
    except ValueError as exc:
        assert str(exc)


def test_the_one_money_formatter_is_exact():
    from desktop_app.documents.amounts import wan_str
    from desktop_app.models.fields import fen_to_wan_text
    from desktop_app.services.stats import wan

    assert fen_to_wan_text(100_000_001) == "100.000001"  # one fen over 100 万元 is not "100.00"
    assert fen_to_wan_text(1_234_567_890_000) == "1,234,567.89" and fen_to_wan_text(None) == ""
    assert fen_to_wan_text(120_500_000, 0, grouping=False) == "120.5"
    assert wan_str(1_234_567_890_000) == "1234567.89" and wan_str(-1_500_000) == "-1.50"
    assert wan(1_234_567) == 1.234567
