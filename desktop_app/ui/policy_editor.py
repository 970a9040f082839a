"""政策参数 in 系统设置: every number of the county policy profile, editable, with its clause and basis.

What each value means, its clause, unit and range come from `lifecycle.policy.POLICY_FIELDS`; the
checks before saving are the core's (`operations.set_policy` → `policy.checked_profile`), the same
the command line uses, so the window holds no rule of its own beyond the spin boxes' ranges."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.lifecycle.policy import BASIS_LABELS, COUNTY_RULE, POLICY_FIELDS, REMINDER, load_profile
from desktop_app.services import operations as ops

BASIS_STYLE = {
    COUNTY_RULE: "background:#fff3e0; color:#e65100; border:1px solid #ffb74d; border-radius:3px; padding:1px 4px",
    REMINDER: "background:#eceff1; color:#455a64; border:1px solid #b0bec5; border-radius:3px; padding:1px 4px",
}
ERROR_STYLE = "border: 1px solid #c62828; background: #ffebee"


class PolicyEditor(QGroupBox):
    saved = Signal()  # a value changed: every due date may move

    def __init__(self, session, parent=None):
        profile = load_profile(session.store)
        super().__init__(f"政策参数（依据{profile.notice_no}）", parent)
        self.session = session
        self.inputs: dict[str, QSpinBox | QLineEdit] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("各项期限按下列参数计算。标注“本县执行口径”的，是通知只写“及时”、未规定天数之处"
                             "由县政府办公室确定的执行标准；保存后所有项目的期限立即按新参数重新计算。"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        for col, title in enumerate(("参数", "条款", "取值", "依据", "通知原文或说明")):
            head = QLabel(f"<b>{title}</b>")
            grid.addWidget(head, 0, col)
        for row, meta in enumerate(POLICY_FIELDS.values(), start=1):
            grid.addWidget(QLabel(meta.label), row, 0)
            grid.addWidget(QLabel(meta.clause or "—"), row, 1)
            if meta.is_text:
                w = QLineEdit()
                w.setMaxLength(60)  # longer text is refused by the core with the reason
            else:
                w = QSpinBox()
                w.setRange(meta.low, meta.high)
                w.setSuffix(f" {meta.unit}")
                w.setAlignment(Qt.AlignmentFlag.AlignRight)
            w.setObjectName(f"policy_{meta.name}")
            w.setMinimumWidth(200 if meta.is_text else 130)
            self.inputs[meta.name] = w
            grid.addWidget(w, row, 2)
            tag = QLabel(BASIS_LABELS[meta.basis] if meta.basis in BASIS_STYLE else "通知规定")
            tag.setStyleSheet(BASIS_STYLE.get(meta.basis, "color:#2e7d32; padding:1px 4px"))
            grid.addWidget(tag, row, 3, Qt.AlignmentFlag.AlignLeft)
            says = QLabel(meta.says)
            says.setStyleSheet("color:#616161")
            says.setWordWrap(True)
            grid.addWidget(says, row, 4)
        grid.setColumnStretch(4, 1)
        lay.addLayout(grid)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存政策参数")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("放弃修改")
        self.revert_button.clicked.connect(self.load)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        lay.addWidget(self.error)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        why = self._refusal()
        if why:
            for w in (*self.inputs.values(), self.save_button, self.revert_button):
                w.setEnabled(False)
                w.setToolTip(why)
            self.message.setText(why)
        self.load()

    def _refusal(self) -> str | None:
        from desktop_app.models.authority import SETTINGS

        roles, _clause, why = SETTINGS["policy"]
        if self.session.actor.role not in roles:
            return why
        return self.session.may("settings")

    def load(self) -> None:
        """Show the stored profile (and forget unsaved edits and marks)."""
        profile = load_profile(self.session.store)
        for name, w in self.inputs.items():
            value = getattr(profile, name)
            if isinstance(w, QSpinBox):
                w.setValue(int(value))
            else:
                w.setText(str(value))
        self._mark({})

    def values(self) -> dict:
        return {name: (w.value() if isinstance(w, QSpinBox) else w.text()) for name, w in self.inputs.items()}

    def _mark(self, errors: dict[str, str]) -> None:
        for name, w in self.inputs.items():
            w.setStyleSheet(ERROR_STYLE if name in errors else "")
            if w.isEnabled():
                w.setToolTip(errors.get(name, POLICY_FIELDS[name].says))
        self.error.setText("；".join(errors.values()))

    def save(self) -> None:
        self.message.clear()
        try:
            row = ops.set_policy(self.session.store, self.session.actor, self.values())
        except ValidationError as exc:
            self._mark(exc.fields)
            return
        except GovisError as exc:
            self._mark({})
            self.error.setText(exc.message)
            return
        self._mark({})
        if not row.changes.settings:
            self.message.setText("参数没有变化，未保存。")
            return
        self.message.setText("已保存政策参数，正在按新参数重新计算各项目的期限。")
        self.saved.emit()
