"""Record tables: a QAbstractTableModel over record dicts, and a section (table + 添加/修改) whose
buttons open the generic form in a dialog. Writes go through the Session; refusals stay in the
dialog and change nothing.

Columns fit their content up to a cap; longer text is elided (…) and its whole text shown on hover.
An empty table says what belongs there and how to add it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QToolTip,
    QVBoxLayout,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.models import authority as A
from desktop_app.models.fields import BOOL, ENUM, LONGTEXT, MONEY, REF, Field, Kind, fen_to_wan_text
from desktop_app.models.kinds import KINDS
from desktop_app.services import attachment_files as AF
from desktop_app.services import project_view as PV
from desktop_app.services.operations import OpChanges
from desktop_app.ui.empty_state import EmptyNote
from desktop_app.ui.forms import RecordForm

# (header, display text of a row), optionally a third item: the row's full text for the tooltip
Column = tuple[str, Callable[[dict], str]] | tuple[str, Callable[[dict], str], Callable[[dict], str]]
MAX_COLUMN_CHARS = 22  # a column fits its content up to about this many Chinese characters, then elides
EMPTY_DEFAULT = "暂无记录"

# file dialogs offer only the allowed attachment types
ATTACH_FILTER = f"允许的附件类型 ({AF.DIALOG_PATTERNS})"


def display(f: Field, value, ref_labels: dict | None = None) -> str:
    """A stored value as the clerk reads it: 万元, Chinese labels, dates as they are."""
    if value is None or value == "":
        return ""
    if f.type == MONEY:
        return fen_to_wan_text(value)
    if f.type in (ENUM, BOOL):
        return f.choice_label(str(value))
    if f.type == REF:
        return (ref_labels or {}).get(value, "")
    if f.type == LONGTEXT:
        text = str(value).replace("\n", " ")
        return text if len(text) <= 30 else text[:30] + "…"
    if f.unit and f.unit != "万元":
        return f"{value}{f.unit}"
    return str(value)


def full_text(f: Field, value, ref_labels: dict | None = None) -> str:
    """The whole value for the tooltip: a long text with its line breaks, not cut at 30 characters."""
    if f.type == LONGTEXT and value:
        return str(value)
    return display(f, value, ref_labels)


def kind_columns(kind: Kind, ref_labels: dict[str, dict] | None = None) -> list[Column]:
    cols: list[Column] = []
    for f in kind.fields:
        header = f"{f.label}（{f.unit}）" if f.unit == "万元" else f.label
        labels = (ref_labels or {}).get(f.name)
        cols.append((header, lambda row, f=f, labels=labels: display(f, row.get(f.name), labels),
                     lambda row, f=f, labels=labels: full_text(f, row.get(f.name), labels)))
    return cols


class RowsModel(QAbstractTableModel):
    """Read-only table over dict rows keyed by 'id'. Updates touch only rows that changed."""

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict] = []

    def set_columns(self, columns: list[Column]) -> None:
        self.beginResetModel()
        self.columns = columns
        self.endResetModel()

    def set_rows(self, rows: list[dict]) -> None:
        old = [r.get("id") for r in self.rows]
        new = [r.get("id") for r in rows]
        if old and new[:len(old)] == old:  # same rows, maybe some appended (records are never deleted)
            changed = [i for i, r in enumerate(rows[:len(old)]) if r != self.rows[i]]
            for i in changed:
                self.rows[i] = rows[i]
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
            if len(new) > len(old):
                self.beginInsertRows(QModelIndex(), len(old), len(new) - 1)
                self.rows = list(rows)
                self.endInsertRows()
            return
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, i: int) -> dict:
        return self.rows[i]

    def rowCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None):
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column, row = self.columns[index.column()], self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column[1](row)
        if role == Qt.ItemDataRole.ToolTipRole:  # shown only when the cell cannot show it all (ElideTips)
            return (column[2] if len(column) > 2 else column[1])(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[index.column()][0].endswith("（万元）"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # amounts line up
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def cell(self, row: int, col: int) -> str:
        return self.columns[col][1](self.rows[row])


class ElideTips(QStyledItemDelegate):
    """Cells elide long text (…); hovering shows the whole text, but only when the cell does not show it."""

    def helpEvent(self, event, view, option, index) -> bool:
        if event is None or event.type() != QEvent.Type.ToolTip:
            return super().helpEvent(event, view, option, index)
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        shown = index.data(Qt.ItemDataRole.DisplayRole) or ""
        if not tip or (tip == shown and not cell_elided(view, index)):
            QToolTip.hideText()
            event.ignore()
            return True
        QToolTip.showText(event.globalPos(), str(tip), view)
        return True


def cell_elided(view: QTableView, index) -> bool:
    """Does the cell need more width than its column has (so the view draws its text elided)? The same
    size hint resizeColumnsToContents uses."""
    option = QStyleOptionViewItem()
    option.font = view.font()
    option.fontMetrics = view.fontMetrics()
    return view.itemDelegateForIndex(index).sizeHint(option, index).width() > view.columnWidth(index.column())


def fit_columns(view: QTableView) -> None:
    """Each column as wide as its content (header included), but no wider than MAX_COLUMN_CHARS."""
    cap = view.fontMetrics().horizontalAdvance("县" * MAX_COLUMN_CHARS)
    view.resizeColumnsToContents()
    for c in range(view.model().columnCount()):
        if view.columnWidth(c) > cap:
            view.setColumnWidth(c, cap)


def readonly_table(headers: list[str], *, single: bool = True, fit: bool = True) -> QTableWidget:
    """A read-only list of rows for a page or dialog: whole rows selected (`single`: one at a time),
    columns sized to their content (`fit`), the last column taking the spare width."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    if fit:
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def make_table(model: RowsModel, empty_text: str = EMPTY_DEFAULT) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)  # one line per record; long text is elided, its whole text on hover
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setItemDelegate(ElideTips(view))
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.setMinimumHeight(96)
    view.setMaximumHeight(220)
    for signal in (model.modelReset, model.rowsInserted, model.dataChanged):
        signal.connect(lambda *_: fit_columns(view))
    fit_columns(view)
    view.empty_note = EmptyNote(view, empty_text)
    return view


class RecordDialog(QDialog):
    """The generic form in a dialog. `submit(values)` writes through the core; a refusal stays here."""

    saved = Signal(dict)

    def __init__(self, title: str, form: RecordForm, submit: Callable[[dict], dict], parent=None,
                 intro: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = form
        self.submit = submit
        self.result_row: dict | None = None
        lay = QVBoxLayout(self)
        if intro:
            note = QLabel(intro)
            note.setWordWrap(True)
            lay.addWidget(note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay.addWidget(scroll)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存（Ctrl+S）")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消（Esc）")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.resize(680, min(form.sizeHint().height() + 130, 760))
        form.focus_first()

    def save(self) -> bool:
        try:
            self.result_row = self.submit(self.form.values())
        except ValidationError as exc:
            self.form.show_errors(exc.fields)
            return False
        except GovisError as exc:
            self.form.show_message(exc.message)
            return False
        self.saved.emit(self.result_row or {})
        self.accept()
        return True


# child rows print their parent's document (an expert opinion prints its review's 意见表)
PRINT_VIA_PARENT = {"expert_opinion": ("review", "review_id"), "finding": ("inspection", "inspection_id"),
                    "change_decision": ("change_request", "change_request_id")}


def printable_documents(kind_name: str) -> tuple[list, str | None]:
    """(documents printed for a selected row of this kind, the row column holding the record id)."""
    from desktop_app.documents import filled

    parent_kind, column = PRINT_VIA_PARENT.get(kind_name, (kind_name, "id"))
    return filled.for_record_kind(parent_kind), column


def what_belongs(kind: Kind) -> str:
    """The default first line of an empty record table; the second says how to add one, or why not here."""
    return f"本项目还没有{kind.label}。"


class RecordSection(QGroupBox):
    """One kind's records on a project tab: table, 添加 and 修改, read-only note when not ours."""

    written = Signal(object)  # the OpChanges of a successful add, edit or attachment

    def __init__(self, kind: Kind, session, extra_columns: list[Column] = (), parent=None,
                 empty_text: str | None = None):
        super().__init__(kind.label, parent)
        self.kind = kind
        self.empty_text = empty_text or what_belongs(kind)
        self.session = session
        self.extra_columns = list(extra_columns)
        self.view_: PV.ProjectView | None = None
        self.dialog: RecordDialog | None = None
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_button = QPushButton(f"添加{kind.label}")
        self.edit_button = QPushButton("修改所选")
        self.add_button.clicked.connect(self.open_add)
        self.edit_button.clicked.connect(self.open_edit)
        self.note = QLabel()
        self.note.setStyleSheet("color: #666;")
        self.note.setWordWrap(True)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        self.attach_button = QPushButton("附加文件…")
        self.attach_button.setToolTip(f"为所选{kind.label}附加扫描件等文件（在“附件”页查看和打开）")
        self.attach_button.clicked.connect(self.attach_to_selected)
        bar.addWidget(self.attach_button)
        self.print_docs, self.print_column = printable_documents(kind.name)
        self.print_buttons = []
        for doc in self.print_docs:
            button = QPushButton(f"打印《{doc.name}》…")
            button.setToolTip(f"预览、打印或另存为PDF：所选{kind.label}的《{doc.name}》")
            button.clicked.connect(lambda _=False, code=doc.code: self.print_selected(code))
            bar.addWidget(button)
            self.print_buttons.append(button)
        bar.addWidget(self.note, 1)
        lay.addLayout(bar)
        self.model = RowsModel(kind_columns(kind) + self.extra_columns, self)
        self.table = make_table(self.model, self.empty_text)
        self.table.activated.connect(lambda _i: self.open_edit())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        lay.addWidget(self.table)
        refusal = PV.write_refusal(session.actor, kind)
        self.add_button.setVisible(refusal is None)
        self.note.setText(refusal or "")
        self._set_empty_note(refusal)

    # ---- data ----
    def affected_by(self, changes) -> bool:
        """Does a write that changed `changes` show in this table (its kind, or a kind it refers to)?"""
        names = {self.kind.name} | {f.ref_kind for f in self.kind.fields if f.type == REF}
        return changes is None or changes.status or bool(names & changes.kinds)

    def refresh(self, view: PV.ProjectView) -> None:
        self.view_ = view
        labels = {f.name: dict(self._choices(f)) for f in self.kind.fields if f.type == REF}
        self.model.columns = kind_columns(self.kind, labels) + self.extra_columns
        self.model.set_rows(view.of(self.kind.name))
        self._update_add(view)
        if self.model.rowCount():  # reference labels may have changed (e.g. a new review round)
            last = self.model.index(self.model.rowCount() - 1, self.model.columnCount() - 1)
            self.model.dataChanged.emit(self.model.index(0, 0), last)
        self._update_buttons()

    def _update_add(self, view: PV.ProjectView) -> None:
        """A child record (e.g. 专家意见) needs its parent (评审意见) first."""
        why = PV.write_refusal(self.session.actor, self.kind, view.project)
        if why is None and self.kind.parent:
            parent = self.kind.field(self.kind.parent)
            if not self._choices(parent):
                why = f"须先有{KINDS[parent.ref_kind].label}，才能添加{self.kind.label}"
        self.add_button.setEnabled(why is None)
        self.note.setText(why or "")
        self._set_empty_note(why)

    def _set_empty_note(self, why: str | None) -> None:
        """What an empty table says: what belongs here, then how to add it (or why this PC cannot now)."""
        how = f"点击上方“添加{self.kind.label}”录入。" if why is None else why.rstrip("。") + "。"
        self.table.empty_note.set_text(f"{self.empty_text}\n{how}")

    def _choices(self, f: Field):
        return PV.ref_choices(self.view_, f, self.view_.organisations if self.view_ else [], self.session.actor)

    def selected_row(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _edit_refusal(self, row: dict | None) -> str | None:
        if row is None:
            return "请先在表中选择一条记录"
        if self.session.may("draft"):
            return self.session.may("draft")
        if self.session.actor.role not in self.kind.owner_roles:
            return PV.write_refusal(self.session.actor, self.kind)
        if row.get("owner_org") != self.session.actor.org_id:
            return f"这条{self.kind.label}由其他单位填报，本单位不能修改"
        return None

    @classmethod
    def choose_file(cls, parent) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "选择要附加的文件", "", ATTACH_FILTER)
        return path or None

    def attach_to_selected(self) -> dict | None:
        row = self.selected_row()
        if row is None or self.view_ is None:
            return None
        path = self.choose_file(self)
        if not path:
            return None
        try:
            att = self.session.attach_file(self.view_.id, path, self.kind.name, row["id"])
        except GovisError as exc:
            self.note.setText(exc.message)
            QMessageBox.warning(self, "未能附加文件", exc.message)
            return None
        self.written.emit(getattr(att, "changes", None) or OpChanges(
            frozenset({self.view_.id}), frozenset({"attachment"}), frozenset({att["id"]})))
        return att

    def print_selected(self, code: str):
        from desktop_app.ui.print_preview import preview_document

        row = self.selected_row()
        if row is None or self.view_ is None:
            return None
        return preview_document(self, self.session, code, project_id=self.view_.id,
                                record_id=row.get(self.print_column))

    def _update_buttons(self) -> None:
        selected = self.selected_row() is not None
        for button in self.print_buttons:
            button.setEnabled(selected)
        self.attach_button.setEnabled(selected and self.session.may("draft") is None)
        self.attach_button.setToolTip(self.session.may("draft") or "")
        why = self._edit_refusal(self.selected_row())
        self.edit_button.setEnabled(why is None)
        self.edit_button.setToolTip(why or "修改所选记录（也可双击或按回车）")

    # ---- dialogs ----
    def _form(self, exclude=()) -> RecordForm:
        choices = {f.name: self._choices(f) for f in self.kind.fields if f.type == REF}
        return RecordForm(self.kind, choices=choices, exclude=exclude, today=self.session.today)

    def open_add(self) -> RecordDialog | None:
        if self.view_ is None or PV.write_refusal(self.session.actor, self.kind, self.view_.project):
            return None
        pid = self.view_.id
        shown = PV.typed_fields(self.session.actor, self.kind.name, creating=True)
        form = self._form(exclude=A.hidden_fields(self.kind.name, shown))
        dlg = RecordDialog(f"添加{self.kind.label}", form,
                           lambda v: self.session.add_record(self.kind.name, pid, v), self)
        return self._open(dlg)

    def open_edit(self) -> RecordDialog | None:
        row = self.selected_row()
        if self._edit_refusal(row):
            return None
        locked = PV.edit_locks(self.session.actor, self.kind.name, self.view_.project if self.view_ else None)
        form = self._form()
        form.set_values(row)
        form.set_read_only(True, set(locked))
        for name, why in locked.items():
            form.editor(name).setToolTip(why)

        def submit(values):
            return self.session.update_record(self.kind.name, row["id"],
                                              {k: v for k, v in values.items() if k not in locked})
        return self._open(RecordDialog(f"修改{self.kind.label}", form, submit, self))

    def _open(self, dlg: RecordDialog) -> RecordDialog:
        self.dialog = dlg
        dlg.saved.connect(lambda row: self.written.emit(getattr(dlg.result_row, "changes", None) or OpChanges(
            kinds=frozenset({self.kind.name}))))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()  # window-modal, does not block the event loop
        return dlg
