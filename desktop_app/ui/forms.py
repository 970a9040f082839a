"""A generic record form built from a `models.kinds.Kind`: one labelled editor per field.

`values()` returns raw strings for `services.operations.validate` (money in 万元, dates ISO,
enum codes); `set_values(row)` takes a stored row (fen, codes, ISO dates); `show_errors` puts each
Chinese message in red right under its field and clears it when the field is edited.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.models.fields import (
    BOOL,
    DATE,
    ENUM,
    INT,
    LONGTEXT,
    MONEY,
    REF,
    Field,
    Kind,
    fen_to_wan_text,
)

ERROR_STYLE = "color: #c0392b;"
READ_ONLY_STYLE = "background: #f0f0f0;"  # a locked field looks locked, not merely refuses typing
EMPTY_TEXT = "未填"
_SENTINEL_DATE = QDate(1900, 1, 1)


def wan_text(fen) -> str:
    """Stored fen -> an exact 万元 string without trailing zeros or separators ('120.5'), to edit."""
    return fen_to_wan_text(fen, 0, grouping=False)


# ---- field editors: each has value() -> raw, set_value(stored), changed -----------------------

class _Editor(QWidget):
    changed = Signal()

    def __init__(self, f: Field, parent=None):
        super().__init__(parent)
        self.field = f
        self.lay = QHBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)

    def focus_widget(self) -> QWidget:
        return self.lay.itemAt(0).widget()

    def set_read_only(self, ro: bool) -> None:
        self.focus_widget().setEnabled(not ro)


class TextEditor(_Editor):
    def __init__(self, f, parent=None):
        super().__init__(f, parent)
        self.edit = QLineEdit()
        self.edit.setMaxLength(f.max_len)
        self.edit.setMaximumWidth(320 if f.max_len <= 60 else 640)
        self.edit.setMinimumWidth(200)
        self.edit.textEdited.connect(self.changed)
        self.lay.addWidget(self.edit, 1)
        if f.unit:
            self.lay.addWidget(QLabel(f.unit))
        self.lay.addStretch(0)

    def value(self):
        return self.edit.text()

    def set_value(self, v):
        self.edit.setText("" if v is None else str(v))

    def set_read_only(self, ro):
        self.edit.setReadOnly(ro)
        self.edit.setStyleSheet(READ_ONLY_STYLE if ro else "")


class LongTextEditor(_Editor):
    def __init__(self, f, parent=None):
        super().__init__(f, parent)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.edit.setFixedHeight(64)
        self.edit.setMaximumWidth(640)
        self.edit.setMinimumWidth(320)
        self.edit.textChanged.connect(self.changed)
        self.lay.addWidget(self.edit, 1)
        self.lay.addStretch(0)

    def value(self):
        return self.edit.toPlainText()

    def set_value(self, v):
        self.edit.setPlainText("" if v is None else str(v))

    def set_read_only(self, ro):
        self.edit.setReadOnly(ro)
        self.edit.setStyleSheet(READ_ONLY_STYLE if ro else "")


class MoneyEditor(_Editor):
    """Amount typed in 万元 (up to 6 decimals = exact to the fen)."""

    def __init__(self, f, parent=None):
        super().__init__(f, parent)
        self.edit = QLineEdit()
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9,，]{0,16}(\.[0-9]{0,6})?")))
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.edit.setPlaceholderText("0.00")
        self.edit.setMaximumWidth(180)
        self.edit.textEdited.connect(self.changed)
        self.lay.addWidget(self.edit)
        self.lay.addWidget(QLabel(f.unit or "万元"))
        self.lay.addStretch(1)

    def value(self):
        return self.edit.text()

    def set_value(self, v):
        self.edit.setText(wan_text(v))

    def set_read_only(self, ro):
        self.edit.setReadOnly(ro)
        self.edit.setStyleSheet(READ_ONLY_STYLE if ro else "")


class _CalendarPage(QObject):
    """Opens the popup calendar on today's month while the date is still empty."""

    def __init__(self, editor: DateEditor):
        super().__init__(editor)
        self.editor = editor

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Show and self.editor.is_empty():
            t = self.editor.today
            obj.setCurrentPage(t.year, t.month)
        return False


class _DateEdit(QDateEdit):
    """The arrow keys on an empty (未填) date start from today, not from the sentinel year."""

    def __init__(self, owner: DateEditor):
        super().__init__()
        self.owner = owner

    def stepBy(self, steps):
        if self.owner.is_empty():
            t = self.owner.today
            self.setDate(QDate(t.year, t.month, t.day))
        else:
            super().stepBy(steps)


class DateEditor(_Editor):
    """QDateEdit with calendar popup; optional dates have an empty state (未填) and a 清空 button."""

    def __init__(self, f, today: dt.date, parent=None):
        super().__init__(f, parent)
        self.today = today
        self.optional = not f.required
        self.edit = _DateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMaximumWidth(160)
        if self.optional:
            self.edit.setMinimumDate(_SENTINEL_DATE)
            self.edit.setSpecialValueText(EMPTY_TEXT)
        self.edit.calendarWidget().installEventFilter(_CalendarPage(self))
        self.edit.dateChanged.connect(self.changed)
        self.lay.addWidget(self.edit)
        if self.optional:
            clear = QToolButton()
            clear.setText("清空")
            clear.setToolTip("清空该日期（未填）")
            clear.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            clear.clicked.connect(lambda: self.set_value(None))
            self.clear_button = clear
            self.lay.addWidget(clear)
        self.lay.addStretch(1)
        self.set_value(None)

    def is_empty(self) -> bool:
        return self.optional and self.edit.date() == _SENTINEL_DATE

    def value(self):
        return "" if self.is_empty() else self.edit.date().toString("yyyy-MM-dd")

    def set_value(self, v):
        if v:
            d = dt.date.fromisoformat(str(v)[:10])
            self.edit.setDate(QDate(d.year, d.month, d.day))
        elif self.optional:
            self.edit.setDate(_SENTINEL_DATE)
        else:
            self.edit.setDate(QDate(self.today.year, self.today.month, self.today.day))

    def set_read_only(self, ro):
        self.edit.setReadOnly(ro)
        self.edit.setStyleSheet(READ_ONLY_STYLE if ro else "")
        if self.optional:
            self.clear_button.setEnabled(not ro)


class IntEditor(_Editor):
    """QSpinBox; empty (未填) is one below the minimum unless the field has a default."""

    def __init__(self, f, default: int | None = None, parent=None):
        super().__init__(f, parent)
        self.spin = QSpinBox()
        lo = f.min if f.min is not None else 0
        hi = f.max if f.max is not None else 999_999
        self.empty_value = lo - 1
        self.default = default
        self.spin.setRange(self.empty_value if default is None else lo, hi)
        if default is None:
            self.spin.setSpecialValueText(EMPTY_TEXT)
        if f.unit:
            self.spin.setSuffix(f" {f.unit}")
        self.spin.setMaximumWidth(140)
        self.spin.valueChanged.connect(self.changed)
        self.lay.addWidget(self.spin)
        self.lay.addStretch(1)
        self.set_value(None)

    def value(self):
        v = self.spin.value()
        return "" if self.default is None and v == self.empty_value else str(v)

    def set_value(self, v):
        if v is None or v == "":
            self.spin.setValue(self.empty_value if self.default is None else self.default)
        else:
            self.spin.setValue(int(v))

    def set_read_only(self, ro):
        self.spin.setReadOnly(ro)
        self.spin.setStyleSheet("QSpinBox { background: #f0f0f0; }" if ro else "")


class ChoiceEditor(_Editor):
    """QComboBox over (code, 中文) choices; optional fields get an empty first item."""

    def __init__(self, f, choices, parent=None):
        super().__init__(f, parent)
        self.combo = QComboBox()
        self.combo.setMinimumWidth(200)
        self.combo.setPlaceholderText("请选择")
        self.combo.currentIndexChanged.connect(self.changed)
        self.lay.addWidget(self.combo)
        self.lay.addStretch(1)
        self.set_choices(choices)

    def set_choices(self, choices) -> None:
        current = self.value() if self.combo.count() else ""
        self.combo.blockSignals(True)
        self.combo.clear()
        if not self.field.required:
            self.combo.addItem("（不填）", "")
        for code, label in choices:
            self.combo.addItem(label, str(code))
        self.combo.blockSignals(False)
        self.set_value(current)

    def value(self):
        data = self.combo.currentData()
        return "" if data is None else data

    def set_value(self, v):
        i = self.combo.findData("" if v is None else str(v))
        self.combo.setCurrentIndex(i if i >= 0 else (0 if not self.field.required else -1))

    def select_label(self, label: str) -> None:
        self.combo.setCurrentIndex(self.combo.findText(label))


class MultiChoiceEditor(_Editor):
    """Check boxes for a comma-separated list of codes (e.g. the 第一条 prohibited types)."""

    def __init__(self, f, choices, parent=None):
        super().__init__(f, parent)
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, (code, label) in enumerate(choices):
            cb = QCheckBox(label)
            cb.toggled.connect(self.changed)
            grid.addWidget(cb, i // 3, i % 3)
            self.boxes[code] = cb
        grid.setColumnStretch(3, 1)
        self.lay.addWidget(box)

    def focus_widget(self):
        return next(iter(self.boxes.values()))

    def value(self):
        return ",".join(code for code, cb in self.boxes.items() if cb.isChecked())

    def set_value(self, v):
        codes = {c.strip() for c in str(v or "").split(",")}
        for code, cb in self.boxes.items():
            cb.setChecked(code in codes)

    def set_read_only(self, ro):
        for cb in self.boxes.values():
            cb.setEnabled(not ro)


YEAR_FIELDS = {"year", "budget_year"}


# ---- the form -------------------------------------------------------------------------------

class RecordForm(QWidget):
    """Labelled editors for every field of `kind` except `exclude`.

    choices: field name -> [(id, 中文)] for reference fields (and overrides for enums).
    multi: field names edited as check boxes over `choices[name]`.
    """

    edited = Signal()

    def __init__(self, kind: Kind, *, exclude=(), choices: dict | None = None, multi=(),
                 today: dt.date | None = None, defaults: dict | None = None, optional=(), parent=None):
        """`optional`: required fields the core fills when left empty (no 必填 star)."""
        super().__init__(parent)
        self.kind = kind
        self.today = today or dt.date.today()
        choices = choices or {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        outer.addWidget(self.message)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        outer.addLayout(self.layout_)
        self.editors: dict[str, _Editor] = {}
        self.errors: dict[str, QLabel] = {}
        for f in kind.fields:
            if f.name in exclude:
                continue
            ed = self._make_editor(f, choices, multi, (defaults or {}).get(f.name))
            err = QLabel()
            err.setStyleSheet(ERROR_STYLE)
            err.setWordWrap(True)
            err.hide()
            cell = QWidget()
            col = QVBoxLayout(cell)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(1)
            col.addWidget(ed)
            col.addWidget(err)
            required = f.required and f.name not in optional
            label = QLabel(f"{f.label}{' *' if required else ''}：")  # the unit sits after the editor
            if required:
                label.setToolTip("必填项")
            label.setBuddy(ed.focus_widget())
            self.layout_.addRow(label, cell)
            ed.changed.connect(lambda name=f.name: self._edited(name))
            self.editors[f.name] = ed
            self.errors[f.name] = err

    def _make_editor(self, f: Field, choices, multi, default) -> _Editor:
        if f.name in multi:
            return MultiChoiceEditor(f, choices.get(f.name, ()))
        if f.name in choices or f.type == REF:
            return ChoiceEditor(f, choices.get(f.name, ()))
        if f.type in (ENUM, BOOL):
            return ChoiceEditor(f, f.choices)
        if f.type == LONGTEXT:
            return LongTextEditor(f)
        if f.type == MONEY:
            return MoneyEditor(f)
        if f.type == DATE:
            return DateEditor(f, self.today)
        if f.type == INT:
            if default is None and f.name in YEAR_FIELDS:
                default = self.today.year
            return IntEditor(f, default)
        return TextEditor(f)

    # ---- values ----
    def values(self) -> dict:
        return {name: ed.value() for name, ed in self.editors.items()}

    def set_values(self, row: dict) -> None:
        for name, ed in self.editors.items():
            if name in row:
                ed.blockSignals(True)
                ed.set_value(row[name])
                ed.blockSignals(False)
        self.clear_errors()

    def set_value(self, name: str, raw) -> None:
        """Set one field from a raw value as a clerk would type it (used by tests and defaults)."""
        ed = self.editors[name]
        if isinstance(ed, MoneyEditor):
            ed.edit.setText(str(raw))
            ed.changed.emit()
        elif isinstance(ed, ChoiceEditor) and ed.combo.findData(str(raw)) < 0:
            ed.select_label(str(raw))
        else:
            ed.set_value(raw)

    def editor(self, name: str) -> _Editor:
        return self.editors[name]

    def set_read_only(self, ro: bool, fields=None) -> None:
        for name, ed in self.editors.items():
            if fields is None or name in fields:
                ed.set_read_only(ro)

    # ---- errors ----
    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message next to its field; messages for fields not on the form go on top."""
        self.clear_errors()
        loose = []
        first = None
        for name, msg in errors.items():
            if name in self.errors:
                self.errors[name].setText(msg)
                self.errors[name].show()
                first = first or name
            else:
                loose.append(msg)
        if loose:
            self.show_message("；".join(loose))
        if first:
            self.editors[first].focus_widget().setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def error_text(self, name: str) -> str:
        lab = self.errors[name]
        return lab.text() if not lab.isHidden() else ""

    def clear_errors(self) -> None:
        for lab in self.errors.values():
            lab.clear()
            lab.hide()
        self.show_message("")

    def _edited(self, name: str) -> None:
        lab = self.errors.get(name)
        if lab is not None and not lab.isHidden():
            lab.clear()
            lab.hide()
        self.edited.emit()

    def focus_first(self) -> None:
        for ed in self.editors.values():
            w = ed.focus_widget()
            if w.isEnabled():
                w.setFocus()
                return
