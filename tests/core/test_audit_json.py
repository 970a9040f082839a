"""The audit chain's hashed payload is byte for byte what the standard encoder wrote before orjson, so
every chain written by an earlier version still verifies."""

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.services import audit

_OLD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_values = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1),
                    st.text(st.characters(blacklist_categories=("Cs",))))


@given(st.fixed_dictionaries({k: _values for k in audit.HASHED}))
def test_entry_hash_as_the_standard_encoder_wrote_it(row):
    old = hashlib.sha256(_OLD([row.get(k) for k in audit.HASHED]).encode("utf-8")).hexdigest()
    assert audit.entry_hash(row) == old


def test_before_and_after_read_back_as_written():
    value = {"b": 1, "a": "中文\u202e\n\"", 2: None, "d": __import__("datetime").date(2026, 1, 2)}
    text = audit._json(value)
    assert json.loads(text) == {"a": "中文\u202e\n\"", "b": 1, "2": None, "d": "2026-01-02"}
    assert list(json.loads(text)) == sorted(json.loads(text))
