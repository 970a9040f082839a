"""数据交换: packages sent and received, export with progress, import with the verification steps,
the preview of new / changed / unchanged / conflicting records, confirmation, and the receipt.

Work runs on worker threads that open their own Store; widgets are touched on the GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import GovisError
from desktop_app.exchange import export, history, importer, keyring, pending, receipt
from desktop_app.exchange.package import STEPS, AlreadyImported
from desktop_app.models.kinds import COUNTY, ROLES
from desktop_app.ui.record_table import readonly_table
from desktop_app.ui.similar_projects import arrivals_html
from desktop_app.ui.worker import Task

STEP_MARK = {"running": "…", "ok": "✓", "failed": "✗", None: "○"}


class ExchangePage(QWidget):
    imported = Signal()  # records arrived: the ledger, workbench and statistics must re-read
    exported = Signal()  # a package was recorded as sent: 工作台's 尚未报送 count changes
    """One page of the main window. Dialogs go through small classmethods so tests can patch them."""

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, db_path
        self.preview_result: importer.Preview | None = None
        self.last_receipt: dict | None = None
        self.tasks: list[Task] = []
        root = QVBoxLayout(self)
        self.key_label = QLabel()
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.btn_key_form = QPushButton("打印密钥登记表…")
        self.btn_key_form.clicked.connect(self.print_key_form)
        self.btn_make_key = QPushButton("生成签名密钥…")
        self.btn_make_key.clicked.connect(self.make_key)
        self._allow(self.btn_make_key, "settings")
        top = QHBoxLayout()
        top.addWidget(self.key_label, 1)
        top.addWidget(self.btn_make_key)
        top.addWidget(self.btn_key_form)
        root.addLayout(top)

        split = QSplitter(Qt.Orientation.Vertical)
        self.packages = readonly_table(["时间", "方向", "对方单位", "序号", "类型", "状态", "数据包编号"], single=False)
        split.addWidget(self._boxed("已发出和已收到的数据包", self.packages))
        lower = QWidget()
        row = QHBoxLayout(lower)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._export_box(), 2)
        row.addWidget(self._import_box(), 3)
        split.addWidget(lower)
        split.setStretchFactor(1, 2)
        root.addWidget(split, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        root.addWidget(self.message)
        self.refresh()

    # ---- layout helpers ---------------------------------------------------------------------------
    @staticmethod
    def _boxed(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    def _export_box(self) -> QGroupBox:
        box = QGroupBox("导出数据包")
        form = QFormLayout(box)
        self.recipient = QComboBox()
        form.addRow("接收单位：", self.recipient)
        self.no_recipient = QLabel()  # why the list is empty, and how to fill it
        self.no_recipient.setWordWrap(True)
        self.no_recipient.setStyleSheet("color: #8a5a00;")
        self.no_recipient.hide()
        form.addRow("", self.no_recipient)
        self.contents = QListWidget()
        for code, label in export.CONTENT_CHOICES.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.contents.addItem(item)
        form.addRow("内容：", self.contents)
        self.everything = QCheckBox("全部内容（默认只导出上次发给该单位以来新增或修改的内容）")
        form.addRow("", self.everything)
        self.directory = QCheckBox("导出单位及密钥目录")
        self.directory.setVisible(self.session.actor.role == COUNTY)
        form.addRow("", self.directory)
        self.folder = QLineEdit(str(Path.home()))
        pick = QPushButton("选择…")
        pick.clicked.connect(self.choose_folder)
        line = QHBoxLayout()
        line.addWidget(self.folder, 1)
        line.addWidget(pick)
        form.addRow("保存到（文件夹或U盘）：", line)
        self.export_progress = QProgressBar()
        self.export_progress.setRange(0, 100)
        self.export_progress.setValue(0)
        self.btn_export = QPushButton("导出")
        self.btn_export.clicked.connect(self.start_export)
        form.addRow(self.export_progress)
        form.addRow(self.btn_export)
        self._allow(self.btn_export, "export")
        return box

    def _import_box(self) -> QGroupBox:
        box = QGroupBox("导入数据包")
        col = QVBoxLayout(box)
        buttons = QHBoxLayout()
        self.btn_open = QPushButton("选择数据包并校验…")
        self.btn_open.clicked.connect(self.choose_package)
        self.btn_confirm = QPushButton("确认导入")
        self.btn_confirm.setEnabled(False)
        self.btn_confirm.clicked.connect(self.confirm_import)
        self.btn_receipt = QPushButton("打印回执…")
        self.btn_receipt.setEnabled(False)
        self.btn_receipt.clicked.connect(self.print_receipt)
        for b in (self.btn_open, self.btn_confirm, self.btn_receipt):
            buttons.addWidget(b)
        self._allow(self.btn_open, "import")
        col.addLayout(buttons)
        self.steps = QListWidget()
        self.steps.setMaximumHeight(170)
        col.addWidget(self.steps)
        self._reset_steps()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        col.addWidget(self.summary)
        # 第一条 集约建设: arriving applications that repeat what is held here (or each other)
        self.duplicates_title = QLabel()
        self.duplicates_title.setWordWrap(True)
        col.addWidget(self.duplicates_title)
        self.duplicates = QTextBrowser()
        self.duplicates.setOpenLinks(False)
        self.duplicates.setMaximumHeight(220)
        self.duplicates.hide()
        col.addWidget(self.duplicates)
        self.preview_table = readonly_table(["内容", "记录", "处理", "说明"], single=False)
        col.addWidget(self.preview_table, 1)
        return box

    # ---- dialogs (patched in tests) ---------------------------------------------------------------
    @classmethod
    def ask_passphrase(cls, parent) -> str | None:
        text, ok = QInputDialog.getText(parent, "签名密钥口令", "请输入本机签名密钥口令：", QLineEdit.EchoMode.Password)
        return text if ok else None

    @classmethod
    def ask_new_passphrase(cls, parent) -> str | None:
        first, ok = QInputDialog.getText(parent, "生成签名密钥", "设置密钥口令（至少8个字符，请牢记）：",
                                         QLineEdit.EchoMode.Password)
        if not ok:
            return None
        again, ok = QInputDialog.getText(parent, "生成签名密钥", "再次输入口令：", QLineEdit.EchoMode.Password)
        if not ok:
            return None
        if again != first:
            QMessageBox.warning(parent, "生成签名密钥", "两次输入的口令不一致，未生成密钥。")
            return None
        return first

    def make_key(self) -> None:
        secret = self.ask_new_passphrase(self)
        if secret is None:
            return
        try:
            keyring.setup_keys(self.session.store, self.session.actor, secret)
        except GovisError as exc:
            self._say(exc.message, error=True)
            return
        self._say("已生成本机签名密钥。请打印密钥登记表，盖章后报县政府办公室登记。")
        self.refresh()

    @classmethod
    def ask_fingerprint(cls, parent, message: str) -> str | None:
        text, ok = QInputDialog.getText(parent, "确认县政府办公室公钥指纹", message)
        return text if ok and text.strip() else None

    @classmethod
    def ask_open_file(cls, parent) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "选择数据包", str(Path.home()), "数据包 (*.zip)")
        return path or None

    @classmethod
    def ask_save_pdf(cls, parent, name: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "保存PDF", str(Path.home() / name), "PDF (*.pdf)")
        return path or None

    @classmethod
    def ask_folder(cls, parent, start: str) -> str | None:
        return QFileDialog.getExistingDirectory(parent, "选择保存位置（文件夹或U盘）", start) or None

    @classmethod
    def confirm(cls, parent, text: str) -> bool:
        return QMessageBox.question(parent, "确认导入", text) == QMessageBox.StandardButton.Yes

    # ---- refresh ----------------------------------------------------------------------------------
    loaded = True  # the lists are read at construction and after each export or import

    def load(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        store, actor = self.session.store, self.session.actor
        info = keyring.key_info(store, actor)
        if info["has_key"]:
            self.key_label.setText(f"本机：{actor.org_name}（{actor.org_code}，{ROLES.get(actor.role, actor.role)}）"
                                   f"    公钥指纹：{info['fingerprint_groups']}")
        else:
            self.key_label.setText("本机尚未生成签名密钥：生成后才能导出数据包。")
        self.btn_key_form.setEnabled(info["has_key"])
        self.btn_make_key.setVisible(not info["has_key"])
        current = self.recipient.currentData()
        self.recipient.clear()
        for org in export.recipients(store, actor):
            self.recipient.addItem(f"{org['name']}（{org['code']}）", org["code"])
        if current:
            i = self.recipient.findData(current)
            if i >= 0:
                self.recipient.setCurrentIndex(i)
        why = pending.why_no_recipients(store, actor)
        self.no_recipient.setText(why or "")
        self.no_recipient.setVisible(bool(why))
        self.recipient.setEnabled(not why)
        rows = history.packages(store)
        self.packages.setRowCount(len(rows))
        for r, p in enumerate(rows):
            cells = [p["processed_at"][:19].replace("T", " "), "发出" if p["direction"] == "sent" else "收到",
                     p["peer_name"] or p["peer_org"], f"第{p['sequence']}号",
                     "单位及密钥目录" if p["kind"] == "directory" else "业务数据", p["state"], p["id"]]
            for c, text in enumerate(cells):
                self.packages.setItem(r, c, QTableWidgetItem(text))

    def choose_recipient(self, code: str) -> None:
        i = self.recipient.findData(code) if code else -1
        if i >= 0:
            self.recipient.setCurrentIndex(i)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def _start(self, fn, on_done, on_progress=None) -> Task:
        task = Task(fn, parent_widget=self, db_path=self.db_path, username=self.session.actor.user,
                    on_done=on_done, on_error=lambda exc, tb: self._failed(exc))
        if on_progress:
            task.thread.progressed.connect(on_progress)
        self.tasks = [t for t in self.tasks if t.state == "running"] + [task]
        return task.start()

    def _allow(self, button, right: str) -> None:
        """Enable a write button only for a person who has the right; else say why (authorize)."""
        why = self.session.may(right)
        button.setEnabled(why is None)
        if why:
            button.setToolTip(why)

    def _failed(self, exc: BaseException) -> None:
        self._allow(self.btn_export, "export")
        self.export_progress.setValue(0)  # nothing was sent: no bar left standing at 90%
        self._allow(self.btn_open, "import")
        self._say(getattr(exc, "message", None) or f"操作未完成：{exc}", error=True)

    # ---- export -----------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = self.ask_folder(self, self.folder.text())
        if folder:
            self.folder.setText(folder)

    def selected_contents(self) -> set[str] | None:
        codes = {self.contents.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.contents.count())
                 if self.contents.item(i).checkState() == Qt.CheckState.Checked}
        return None if len(codes) == self.contents.count() else codes

    def start_export(self) -> None:
        to = self.recipient.currentData()
        if not to:
            self._say("没有可发送的接收单位。单位请先导入县政府办公室的单位及密钥目录。", error=True)
            return
        passphrase = self.ask_passphrase(self)
        if passphrase is None:
            return
        kind = "directory" if self.directory.isChecked() else "records"
        contents, everything = self.selected_contents(), self.everything.isChecked()
        stamp = __import__("datetime").datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path(self.folder.text()) / f"数据包-{self.session.actor.org_code}-至-{to}-{stamp}.zip"
        actor = self.session.actor

        def work(job):
            res = export.export_package(job.store(), actor, passphrase, to, out, contents=contents,
                                        everything=everything, kind=kind,
                                        progress=lambda d, t, text: job.progress(d, t, text))
            return res.path, res.counts

        self.btn_export.setEnabled(False)
        self.export_progress.setValue(0)
        self._say("正在导出…")
        self._start(work, self._exported, self._export_progressed)

    def _export_progressed(self, done: int, total: int, text: str) -> None:
        if total:
            self.export_progress.setValue(int(100 * done / total))
        if text:
            self._say(text)

    def _exported(self, result) -> None:
        path, counts = result
        self._allow(self.btn_export, "export")
        self.export_progress.setValue(100)
        listed = "，".join(f"{k}{n}条" for k, n in counts.items() if n)
        self._say(f"已导出：{path}（{listed}）")
        self.refresh()
        self.exported.emit()

    # ---- import -----------------------------------------------------------------------------------
    def _reset_steps(self) -> None:
        self.steps.clear()
        self.step_state = {code: None for code, _ in STEPS}
        for code, label in STEPS:
            item = QListWidgetItem(f"{STEP_MARK[None]} {label}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.steps.addItem(item)

    def _step(self, code: str, state: str) -> None:
        self.step_state[code] = state
        for i, (c, label) in enumerate(STEPS):
            if c == code:
                self.steps.item(i).setText(f"{STEP_MARK[state]} {label}")

    def choose_package(self) -> None:
        path = self.ask_open_file(self)
        if path:
            self.verify(path)

    def verify(self, path: str, confirm_fingerprint: str | None = None) -> None:
        self._reset_steps()
        self.preview_table.setRowCount(0)
        self.summary.clear()
        self.duplicates_title.clear()
        self.duplicates.hide()
        self.btn_confirm.setEnabled(False)
        self.btn_receipt.setEnabled(False)
        self.preview_result = None
        self.package_path = path
        actor = self.session.actor

        def work(job):
            steps = []
            try:
                pv = importer.preview(job.store(), actor, path, confirm_fingerprint=confirm_fingerprint,
                                      on_step=lambda c, s: steps.append((c, s)))
            except Exception as exc:  # noqa: BLE001 -- handed to the GUI thread with the steps so far
                return steps, exc
            return steps, pv

        self.btn_open.setEnabled(False)
        self._say("正在校验数据包…")
        self._start(work, self._verified)

    def _verified(self, result) -> None:
        steps, outcome = result
        self._allow(self.btn_open, "import")
        for code, state in steps:
            self._step(code, state)
        if isinstance(outcome, AlreadyImported):
            self._say(outcome.message)
            return
        if isinstance(outcome, Exception):
            if getattr(outcome, "reason_code", "") == "unknown_signer" and not getattr(self, "_asked_fp", False):
                fp = self.ask_fingerprint(self, "数据包的签名密钥尚未登记。如这是县政府办公室的单位及密钥目录，"
                                                "请对照其盖章的密钥登记表输入公钥指纹（8组即可）：")
                if fp:
                    self._asked_fp = True
                    try:
                        self.verify(self.package_path, fp)
                    finally:
                        self._asked_fp = False
                    return
            self._failed(outcome)
            return
        self.show_preview(outcome)

    def show_preview(self, pv: importer.Preview) -> None:
        self.preview_result = pv
        m, t = pv.manifest, pv.totals()
        self.summary.setText(f"来自{pv.sender_name}（{m['sender']}）的第{m['sequence']}号数据包，校验全部通过。"
                             f"新增 {t['new']}，修改 {t['changed']}，无变化 {t['unchanged']}，冲突 {t['conflict']}。"
                             # an older version's package: which version, what was defaulted or left out
                             + "".join(f"\n版本说明：{note}" for note in pv.opened.format_notes))
        self.preview_table.setRowCount(len(pv.items))
        for r, item in enumerate(pv.items):
            action = importer.ACTION_LABELS.get(item.action, item.action)
            for c, text in enumerate((item.sheet, item.label, action, item.detail)):
                self.preview_table.setItem(r, c, QTableWidgetItem(text))
        self.show_duplicates(pv.duplicates)
        self.btn_confirm.setEnabled(True)
        self._say("请核对预览，确认无误后点“确认导入”。")

    def show_duplicates(self, checks) -> None:
        """疑似重复建设 (第一条): the check's suggestion only; the county office records the finding."""
        table = arrivals_html(checks)
        self.duplicates.setHtml(table)
        self.duplicates.setVisible(bool(table))
        if table:
            n = sum(1 for c in checks if c.similar)
            self.duplicates_title.setText(f"<b style='color:#c0392b'>疑似重复建设（第一条）：</b>{n}个导入的项目与本机已有"
                                          "或同批项目内容相似，请在项目的“相似项目”页审查认定。")
        elif checks:
            self.duplicates_title.setText("疑似重复建设（第一条）：导入的项目与本机已有项目均无内容相似。")
        else:
            self.duplicates_title.clear()

    def confirm_import(self) -> None:
        pv = self.preview_result
        if pv is None:
            return
        t = pv.totals()
        if not self.confirm(self, f"将新增 {t['new']} 条、修改 {t['changed']} 条记录（冲突 {t['conflict']} 条保留本机）。"
                                  "导入前会自动备份数据库。确认导入吗？"):
            return
        actor = self.session.actor
        self.btn_confirm.setEnabled(False)
        self._say("正在导入…")
        self._start(lambda job: importer.apply(job.store(), actor, pv), self._imported)

    def _imported(self, rc: dict) -> None:
        self.last_receipt = rc
        self.preview_result = None
        self.btn_receipt.setEnabled(True)
        self._say(f"已导入第{rc['sequence']}号数据包（新增 {rc['totals']['new']}，修改 {rc['totals']['changed']}）。"
                  f"导入前的备份：{rc['backup'] or '—'}")
        self.refresh()
        self.imported.emit()

    # ---- printing ---------------------------------------------------------------------------------
    def print_receipt(self) -> None:
        rc = self.last_receipt
        if rc is None:
            rc = history.receipt(self.session.store)
        if rc is None:
            return
        path = self.ask_save_pdf(self, f"数据包接收回执-{rc['package_id'][:8]}.pdf")
        if path:
            receipt.receipt_pdf(rc, path)
            self._say(f"已生成数据包接收回执：{path}")

    def print_key_form(self) -> None:
        path = self.ask_save_pdf(self, "密钥登记表.pdf")
        if path:
            receipt.key_form_pdf(self.session.store, self.session.actor, path)
            self._say(f"已生成密钥登记表：{path}")
