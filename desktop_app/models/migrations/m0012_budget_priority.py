"""Migration 0012 (issue 12): finance's 轻重缓急 order on a budget line (第八条: 区分轻重缓急，统筹安排资金)."""

SQL = """
ALTER TABLE budgets ADD COLUMN priority INTEGER CHECK (priority >= 1);
"""
