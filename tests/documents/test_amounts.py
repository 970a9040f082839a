import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.documents import amount_in_words, format_amount_wan, parse_wan, wan_str, yuan_str


@pytest.mark.parametrize("fen, expected", [
    (123_450_000, "123.45万元（人民币壹佰贰拾叁万肆仟伍佰元整）"),
    (1_234_567, "1.234567万元（人民币壹万贰仟叁佰肆拾伍元陆角柒分）"),
    (1_000_000, "1.00万元（人民币壹万元整）"),
    (0, "0.00万元（人民币零元整）"),
    (100_500_505, "100.500505万元（人民币壹佰万伍仟零伍元零伍分）"),
    (100_000_000_000, "100000.00万元（人民币壹拾亿元整）"),
    (-2_500_000, "-2.50万元（人民币负贰万伍仟元整）"),
])
def test_format_amount_wan(fen, expected):
    assert format_amount_wan(fen) == expected


def test_wan_is_exact_never_rounded():
    # Two decimals only when exact; otherwise as many as needed (at most 6 = fen).
    assert wan_str(123_450_000) == "123.45"
    assert wan_str(123_456_000) == "123.456"
    assert wan_str(1_234_567) == "1.234567"
    assert wan_str(5) == "0.000005"
    assert yuan_str(1_234_567) == "12345.67"


@pytest.mark.parametrize("fen, words", [
    (100_505, "壹仟零伍元零伍分"),
    (100_005, "壹仟元零伍分"),
    (100_001_000, "壹佰万零壹拾元整"),
    (1_050, "壹拾元伍角整"),
    (10_100_000, "壹拾万壹仟元整"),
])
def test_amount_in_words_zeros(fen, words):
    assert amount_in_words(fen) == words


# 《会计基础工作规范》第五十二条: 到元或角为止的写"整"，有分的不写.
@pytest.mark.parametrize("fen, words", [
    (1_200, "壹拾贰元整"),
    (1_230, "壹拾贰元叁角整"),
    (50, "伍角整"),
    (-1_230, "负壹拾贰元叁角整"),
    (1_235, "壹拾贰元叁角伍分"),
    (1_205, "壹拾贰元零伍分"),
    (5, "伍分"),
    (1_000_000_050, "壹仟万元伍角整"),
])
def test_amount_in_words_zheng_after_yuan_or_jiao_never_after_fen(fen, words):
    assert amount_in_words(fen) == words


@given(st.integers(min_value=-10**13, max_value=10**13))
def test_zheng_exactly_when_no_fen(fen):
    words = amount_in_words(fen)
    assert words.endswith("整") == (fen % 10 == 0)
    assert words.endswith("分") == (fen % 10 != 0)


def test_amounts_reject_non_integers():
    for bad in (1.5, "100", True):
        with pytest.raises(TypeError):
            format_amount_wan(bad)


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_parse_wan_round_trips(fen):
    assert parse_wan(wan_str(fen)) == fen
    assert parse_wan(wan_str(fen) + "万元") == fen


def test_parse_wan_refuses_sub_fen_precision():
    with pytest.raises(ValueError, match="最多精确到6位小数"):
        parse_wan("1.2345678")
    with pytest.raises(ValueError):
        parse_wan("abc")
