from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.documents.gridtext import NO_LINE_END, NO_LINE_START, break_lines, line_width, make_atoms

ALPHABET = "政务信息系统项目管理工作通知，。、；：（）《》“”—…0123456789ABCabc"


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=200),
       width=st.floats(min_value=120, max_value=450))
def test_lines_fit_keep_all_text_and_obey_kinsoku(registry, text, width):
    runs = registry.font_runs(text, "fangsong")
    atoms = make_atoms(runs, 16, 15.8)
    lines = break_lines(atoms, width, 32)
    assert "".join(a.ch for atoms_, _ in lines for a in atoms_) == text
    for i, (line, _) in enumerate(lines):
        assert line_width(line) <= width - (32 if i == 0 else 0) + 1e-6
    # 禁则 hold wherever the glued group was short enough not to need cutting.
    for (prev, _), (line, _) in pairwise(lines):
        if line and prev and len(prev) > 3:
            assert line[0].ch not in NO_LINE_START or all(a.ch in NO_LINE_START | NO_LINE_END for a in prev[-3:])
            assert prev[-1].ch not in NO_LINE_END or all(a.ch in NO_LINE_START | NO_LINE_END for a in prev[-3:])
