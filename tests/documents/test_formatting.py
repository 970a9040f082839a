import datetime as dt

import pytest

from desktop_app.documents import BLANK_DATE, format_cn_date, format_doc_no


def test_format_cn_date():
    assert format_cn_date(dt.date(2026, 11, 24)) == "2026年11月24日"
    assert format_cn_date(dt.date(2027, 1, 5)) == "2027年1月5日"
    assert format_cn_date(dt.datetime(2026, 3, 9, 15, 30)) == "2026年3月9日"
    assert format_cn_date(None) == BLANK_DATE == "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def test_format_doc_no():
    assert format_doc_no("蒙政办字", 2026, 7) == "蒙政办字〔2026〕7号"
    assert format_doc_no("蒙政办发", 2026, 112) == "蒙政办发〔2026〕112号"
    for args in (("", 2026, 1), ("蒙政办字", 26, 1), ("蒙政办字", 2026, 0)):
        with pytest.raises(ValueError):
            format_doc_no(*args)
