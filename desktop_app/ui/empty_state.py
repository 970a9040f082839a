"""Empty states: what an empty screen or table says instead of showing nothing (or bare axes).

`EmptyNote` is a label laid over a table's viewport; it shows while the table has no rows, so the
clerk reads what belongs there and how to add it. It follows the rows from the viewport's paint and
resize events, not from the model's signals: with PySide6 6.12 those connections (rowsInserted and
the like, to a Python slot) left a 10,000-row ledger crashing at interpreter exit (none_dealloc in the
final garbage collection; benchmarks/bench_ui.py caught it), and a viewport repaints whenever its rows
change anyway."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel

from desktop_app.models.kinds import COUNTY, FINANCE


def how_to_add_projects(role: str) -> str:
    """Where projects come from for this installation's role (the toolbar, a package, the old ledger)."""
    if role == FINANCE:
        return "县财政局不新建项目：请在“数据交换”中导入县政府办公室发来的数据包。"
    text = "点击工具栏“新建项目”（Ctrl+N）填写申报"
    if role == COUNTY:
        return text + "，在“数据交换”中导入各单位的申报包，或用“文件 → 导入原有台账”导入原有的 Excel 台账。"
    return text + "，或在“数据交换”中导入县政府办公室发来的数据包。"


class EmptyNote(QLabel):
    """A grey, centred, word-wrapped sentence over an item view's viewport, shown while the view is empty."""

    def __init__(self, view: QAbstractItemView, text: str = ""):
        super().__init__(text, view.viewport())
        self.view = view
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet("color: #666; padding: 12px;")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        self.update_visibility()

    def set_text(self, text: str) -> None:
        self.setText(text)
        self.update_visibility()

    def is_shown(self) -> bool:
        """Shown, in the sense the clerk sees it: the view is empty and there is something to say."""
        return not self.isHidden()

    def update_visibility(self, *_) -> None:
        model = self.view.model()
        empty = model is None or model.rowCount() == 0
        self.setVisible(empty and bool(self.text()))
        self.setGeometry(self.view.viewport().rect())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # the viewport repaints whenever its rows change: follow the model from there
        kind = event.type()
        if kind == QEvent.Type.Resize or kind == QEvent.Type.Paint:
            self.update_visibility()
        return False
