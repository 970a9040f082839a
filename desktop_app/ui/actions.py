"""The lifecycle action bar: one button per transition from the current status.

A button is enabled only when the core allows the action. A disabled button cannot be clicked, so
its reason (with the clause) is in its tooltip, in the status line while hovered, and in the list
behind the "为什么不能办理？" link. Actions that write a record open the generic form first.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desktop_app.errors import GovisError
from desktop_app.lifecycle import machine
from desktop_app.lifecycle.states import status_label
from desktop_app.models import authority as A
from desktop_app.models.fields import REF
from desktop_app.models.kinds import KINDS
from desktop_app.services import project_view as PV
from desktop_app.ui.forms import ERROR_STYLE, RecordForm
from desktop_app.ui.record_table import RecordDialog

OK_STYLE = "color: #1e7e34;"
HINT = "将鼠标移到灰色按钮上，或点击“为什么不能办理？”，可查看不能办理的原因及通知依据。"


class _HoverReason(QObject):
    """Shows a disabled button's reason in the status line while the mouse is over it."""

    def __init__(self, bar: ActionBar):
        super().__init__(bar)
        self.bar = bar

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind in (QEvent.Type.Enter, QEvent.Type.ToolTip) and not obj.isEnabled():
            self.bar.explain(obj.property("action"))
        elif kind == QEvent.Type.Leave and not obj.isEnabled():
            self.bar.show_status(self.bar.idle_text)
        return False


class ActionBar(QWidget):
    performed = Signal(str)  # action code, after the core accepted it

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.view: PV.ProjectView | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, str | None] = {}
        self.dialog: RecordDialog | None = None
        self.last_changes = None  # the OpChanges of the last action taken here
        self.idle_text = ""
        self._hover = _HoverReason(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("办理："))
        self.button_row = QHBoxLayout()
        row.addLayout(self.button_row)
        row.addStretch(1)
        self.why = QLabel('<a href="why">为什么不能办理？</a>')
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                         | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.why.linkActivated.connect(lambda _l: self.explain_all())
        row.addWidget(self.why)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)

    # ---- state ----
    def set_view(self, view: PV.ProjectView) -> None:
        self.view = view
        old = set(self.buttons)
        new = [t.action for t, _ in view.actions]
        if list(self.buttons) != new:
            for b in self.buttons.values():
                b.deleteLater()
            self.buttons = {}
            for t, _ in view.actions:
                b = QPushButton(t.label)
                b.setProperty("action", t.action)
                b.installEventFilter(self._hover)
                b.clicked.connect(lambda _c=False, a=t.action: self.run(a))
                self.button_row.addWidget(b)
                self.buttons[t.action] = b
        self.reasons = {t.action: why for t, why in view.actions}
        for t, why in view.actions:
            b = self.buttons[t.action]
            b.setEnabled(why is None)
            b.setToolTip(why or f"{t.label}（依据：通知{t.clause}）")
        blocked = [a for a, why in self.reasons.items() if why]
        self.why.setVisible(bool(blocked))
        if not view.actions:
            self.idle_text = f"项目状态为「{view.status_text}」，没有可办理的操作。"
        elif blocked:
            self.idle_text = HINT
        else:
            self.idle_text = ""
        if old != set(new) or not self.status.text():
            self.show_status(self.idle_text)

    def show_status(self, text: str, style: str = "color: #555;") -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)

    def explain(self, action: str) -> None:
        why = self.reasons.get(action)
        if why:
            t = machine.TRANSITIONS[action]
            self.show_status(f"「{t.label}」暂不能办理：{why}", ERROR_STYLE)

    def explain_all(self) -> None:
        lines = [f"「{machine.TRANSITIONS[a].label}」：{why}" for a, why in self.reasons.items() if why]
        self.show_status("\n".join(lines) or "当前所有操作都可以办理。", ERROR_STYLE)

    # ---- running an action ----
    @classmethod
    def confirm(cls, parent, title: str, text: str) -> bool:
        """Ask before an action without a form (tests patch this)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        yes = box.addButton("确定办理", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def run(self, action: str) -> None:
        if self.view is None:
            return
        t = machine.TRANSITIONS[action]
        if self.reasons.get(action):
            self.explain(action)
            return
        pid = self.view.id
        if t.record_kind:
            self.dialog = self._dialog(t, pid)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.open()
            return
        target = status_label(t.target)
        if not self.confirm(self, t.label, f"确定要“{t.label}”吗？\n办理后项目状态将变为「{target}」。"):
            return
        try:
            self.last_changes = self.session.transition(pid, action).changes
        except GovisError as exc:
            self.show_status(f"未能办理“{t.label}”：{exc.message}", ERROR_STYLE)
            return
        self._done(action)

    def _dialog(self, t: machine.Transition, pid: str) -> RecordDialog:
        kind = KINDS[t.record_kind]
        choices = {f.name: PV.ref_choices(self.view, f, self.view.organisations, self.session.actor)
                   for f in kind.fields if f.type == REF}
        # what the clerk types comes from the authority declaration; the core fills the rest
        shown = A.action_typed_fields(t.action, kind.name, self.session.actor.role)
        form = RecordForm(kind, exclude=A.hidden_fields(kind.name, shown), choices=choices,
                          today=self.session.today)
        if kind.name == "evaluation":  # the indicators to score; the total and grade are computed from them
            form.set_values({"indicators": self.session.indicator_template()})
        intro = f"{t.label}（依据：通知{t.clause}）。保存后即办理，项目状态随之变更；不符合规定的，系统会说明原因，不做任何改动。"
        dlg = RecordDialog(t.label, form, lambda v: self.session.transition(pid, t.action, v), self, intro)
        dlg.saved.connect(lambda _row: self._done(t.action, getattr(dlg.result_row, "changes", None)))
        return dlg

    def _done(self, action: str, changes=None) -> None:
        t = machine.TRANSITIONS[action]
        if changes is not None:
            self.last_changes = changes
        self.performed.emit(action)  # the window refreshes (and rebuilds the buttons) first
        self.show_status(f"已办理“{t.label}”，项目状态：{self.view.status_text if self.view else ''}。", OK_STYLE)
