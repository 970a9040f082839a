"""文件 → 导入原有台账: choose the file and sheet → header row and column mapping → units → preview → done.

All reading, previewing and writing is `services.ledger_import` run in `ui.worker` (the thread's own
database connection); this module only shows what it returns and collects the user's corrections."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop_app.errors import GovisError
from desktop_app.services import ledger_import as L
from desktop_app.services.ledger_import import values as V
from desktop_app.services.ledger_import.mapping import (
    BY_KEY,
    IGNORED,
    TARGETS,
    Mapping,
    auto_mapping,
    headers_of,
)
from desktop_app.services.ledger_import.plan import ACTION_LABELS, INVALID, KEPT, build_plan, change_text
from desktop_app.services.ledger_import.reading import read_sheet, sheet_names
from desktop_app.ui.errors import show_error
from desktop_app.ui.worker import run_task

NOT_IMPORTED = "（不导入）"
UNREGISTERED = "（未登记，不导入）"
ACTION_COLOURS = {INVALID: QColor("#c62828"), KEPT: QColor("#b85c00")}
DUPLICATE_COLOUR = QColor("#b9770e")  # 第一条: like a held project (the 相似项目 tab's 部分重复 colour)


def column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class LedgerImportWizard(QWizard):
    """Emits `imported(OpChanges)` once the rows are written."""

    imported = Signal(object)

    def __init__(self, session, db_path: str, parent=None):
        super().__init__(parent)
        self.session, self.db_path = session, str(db_path)
        self.path: str | None = None
        self.sheet = None            # reading.Sheet
        self.loaded_mapping: Mapping | None = None
        self.mapping: Mapping | None = None
        self.plan = None             # plan.Plan
        self.changes = None
        self.task = None
        self.setWindowTitle("导入原有台账")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.file_page, self.mapping_page = FilePage(self), MappingPage(self)
        self.units_page, self.preview_page, self.done_page = UnitsPage(self), PreviewPage(self), DonePage(self)
        for p in (self.file_page, self.mapping_page, self.units_page, self.preview_page, self.done_page):
            self.addPage(p)
        self.resize(960, 640)

    def run(self, fn, on_done, label: str):
        """`fn(job)` on the worker thread; `on_done(result)` back here. Refusals are shown as they are."""
        self.task = run_task(fn, parent_widget=self, title="导入原有台账", label=label, db_path=self.db_path,
                             username=self.session.actor.user, on_done=on_done)
        return self.task

    def plan_in_worker(self, on_done) -> None:
        sheet, mapping, source, today = self.sheet, self.mapping, f"{Path(self.path).name}·{self.sheet.name}", \
            self.session.today

        def work(job):
            return build_plan(job.store(), sheet, mapping, source, today)

        def done(plan):
            self.plan = plan
            on_done(plan)

        self.run(work, done, "正在比对台账与本机项目…")


class FilePage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第一步：选择台账文件和工作表")
        self.setSubTitle("可导入 Excel 工作簿（.xlsx、.xls）或 CSV 文件（UTF-8 或 GBK）。")
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("尚未选择文件")
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.sheet_combo = QComboBox()
        self.sheet_combo.currentTextChanged.connect(self.sheet_chosen)
        load = QPushButton("使用保存的列对应关系…")
        load.setToolTip("上次导入同样格式的台账时保存的 .json 文件")
        load.clicked.connect(self.load_mapping)
        self.mapping_label = QLabel("")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("台账文件："))
        lay.addLayout(row)
        lay.addWidget(QLabel("工作表："))
        lay.addWidget(self.sheet_combo)
        r2 = QHBoxLayout()
        r2.addWidget(load)
        r2.addWidget(self.mapping_label, 1)
        lay.addLayout(r2)
        lay.addWidget(self.status)
        lay.addStretch(1)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择原有台账", str(Path.home()),
                                              "台账文件 (*.xlsx *.xls *.csv);;所有文件 (*)")
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> None:
        self.w.path, self.w.sheet = path, None
        self.path_edit.setText(path)
        try:
            names = sheet_names(path)
        except L.LedgerFileError as exc:
            self.status.setText(f"<span style='color:#c62828'>{exc.message}</span>")
            self.sheet_combo.clear()
            self.completeChanged.emit()
            return
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(names)
        self.sheet_combo.blockSignals(False)
        self.sheet_chosen(names[0])

    def sheet_chosen(self, name: str) -> None:
        if not name or not self.w.path:
            return
        self.w.sheet = None
        self.status.setText(f"正在读取工作表「{name}」…")
        self.completeChanged.emit()
        path = self.w.path

        def done(sheet):
            self.w.sheet = sheet
            self.status.setText(f"已读取工作表「{sheet.name}」：{len(sheet.rows)} 行有内容（空行不计）。")
            self.completeChanged.emit()

        task = self.w.run(lambda job: read_sheet(path, name), done, "正在读取台账…")
        task.on_error = lambda exc, tb: (self.status.setText(
            f"<span style='color:#c62828'>{getattr(exc, 'message', exc)}</span>"), self.completeChanged.emit())

    def load_mapping(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择列对应关系文件", str(Path.home()), "列对应关系 (*.json)")
        if path:
            try:
                self.w.loaded_mapping = Mapping.load(path)
            except GovisError as exc:
                show_error(self, exc)
                return
            self.mapping_label.setText(f"将使用：{Path(path).name}")

    def isComplete(self) -> bool:
        return self.w.sheet is not None and bool(self.w.sheet.rows)


class MappingPage(QWizardPage):
    """Header row and, per column of it, the field it fills (auto-filled, editable) and amounts' unit."""

    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第二步：表头和列对应")
        self.setSubTitle("已按表头名称自动对应，请逐列核对；金额单位取自表头，如“总投资（万元）”。")
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 1_000_000)
        self.header_spin.valueChanged.connect(self.header_changed)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["列", "台账表头", "第一行数据", "对应到", "金额单位"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color:#c62828")
        save = QPushButton("保存列对应关系…")
        save.setToolTip("保存为 .json，下次导入同样格式的台账（或 govis ledger import --mapping）时使用")
        save.clicked.connect(self.save_mapping)
        top = QHBoxLayout()
        top.addWidget(QLabel("表头在第"))
        top.addWidget(self.header_spin)
        top.addWidget(QLabel("行"))
        top.addStretch(1)
        top.addWidget(save)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.problem)
        self.combos: list[QComboBox] = []
        self.unit_combos: list[QComboBox] = []

    def initializePage(self) -> None:
        sheet = self.w.sheet
        m = self.w.loaded_mapping or auto_mapping(sheet.rows)
        if m is None:
            m = Mapping(sheet.rows[0][0])
            self.problem.setText("没有找到表头行（应含 项目名称、建设单位、年度、总投资 等），请指定表头所在行。")
        self.w.mapping = m
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(m.header_row)
        self.header_spin.blockSignals(False)
        self.fill(m)

    def header_changed(self, row: int) -> None:
        headers = dict(self.w.sheet.rows).get(row)
        m = auto_mapping([(row, headers)]) if headers else None
        if m is None:
            m = Mapping(row)
        m.units_of_orgs = self.w.mapping.units_of_orgs if self.w.mapping else {}
        self.w.mapping = m
        self.fill(m)

    def fill(self, m: Mapping) -> None:
        headers = headers_of(self.w.sheet.rows, m.header_row)
        first = next((v for n, v in self.w.sheet.rows if n > m.header_row), [])
        by_col = {c: k for k, c in m.columns.items()}
        self.table.setRowCount(len(headers))
        self.combos, self.unit_combos = [], []
        choices = [t for t in TARGETS if t.key not in IGNORED]
        for i, h in enumerate(headers):
            self.table.setItem(i, 0, _ro(column_letter(i)))
            self.table.setItem(i, 1, _ro(h))
            self.table.setItem(i, 2, _ro(V.text(first[i]) if i < len(first) and first[i] is not None else ""))
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for t in choices:
                combo.addItem(t.label + ("（必填）" if t.key in ("name", "unit", "plan_year", "total") else ""), t.key)
            key = by_col.get(i)
            combo.setCurrentIndex(max(0, combo.findData(key)) if key else 0)
            combo.currentIndexChanged.connect(self.validate)
            self.table.setCellWidget(i, 3, combo)
            unit = QComboBox()
            unit.addItem("万元", V.WAN)
            unit.addItem("元", V.YUAN)
            unit.setCurrentIndex(unit.findData(m.units.get(key) or V.unit_in_text(h) or V.WAN))
            self.table.setCellWidget(i, 4, unit)
            self.combos.append(combo)
            self.unit_combos.append(unit)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(3, 200)
        self.validate()

    def set_target(self, column: int, key: str | None) -> None:
        """Correct one column's field (the wizard test does what a person does with the combo)."""
        combo = self.combos[column]
        combo.setCurrentIndex(combo.findData(key) if key else 0)

    def current(self) -> Mapping:
        old = self.w.mapping
        m = Mapping(self.header_spin.value(), units_of_orgs=dict(old.units_of_orgs) if old else {},
                    procurement_default=old.procurement_default if old else "open_tender",
                    sheet=self.w.sheet.name)
        for i, (combo, unit) in enumerate(zip(self.combos, self.unit_combos)):
            key = combo.currentData()
            if key:
                m.columns[key] = i
                if BY_KEY[key].money:
                    m.units[key] = unit.currentData()
        return m

    def validate(self) -> bool:
        m = self.current()
        used: dict[str, int] = {}
        twice = []
        for combo in self.combos:
            key = combo.currentData()
            if key:
                used[key] = used.get(key, 0) + 1
                if used[key] == 2:
                    twice.append(BY_KEY[key].label)
        for i, combo in enumerate(self.combos):
            self.unit_combos[i].setEnabled(bool(combo.currentData()) and BY_KEY[combo.currentData()].money)
        text = ""
        if m.missing():
            text = f"还须指定：{'、'.join(m.missing())}。"
        if twice:
            text += f"以下各项对应了不止一列：{'、'.join(twice)}，每项只能对应一列。"
        self.problem.setText(text)
        self.completeChanged.emit()
        return not text

    def isComplete(self) -> bool:
        return bool(self.combos) and not self.problem.text()

    def validatePage(self) -> bool:
        if not self.validate():
            return False
        self.w.mapping = self.current()
        return True

    def save_mapping(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存列对应关系", str(Path.home() / "台账列对应关系.json"),
                                              "列对应关系 (*.json)")
        if path:
            try:
                self.current().save(path)
            except Exception as exc:  # noqa: BLE001  (a full disk, a read-only folder: said in Chinese)
                show_error(self, exc)


class UnitsPage(QWizardPage):
    """Ledger unit names against registered organisations: matched, suggested (pre-selected, to confirm),
    unknown (to be registered first, or pointed at the right one)."""

    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第三步：建设单位")
        self.setSubTitle("台账中的单位名称与本机登记的单位逐一对应。名称相近的已预选建议，请核对；"
                         "未登记的单位请先在“单位与密钥”中登记，或选择对应的单位。")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["台账中的名称", "行数", "对应本机单位", "情况"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel("")
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        self.combos: list[tuple[object, QComboBox]] = []
        self.ready = False

    def initializePage(self) -> None:
        self.ready = False
        self.summary.setText("正在比对…")
        self.w.plan_in_worker(self.show_units)

    def show_units(self, plan) -> None:
        orgs = self.w.session.organisations()
        self.table.setRowCount(len(plan.units))
        self.combos = []
        for i, u in enumerate(plan.units):
            self.table.setItem(i, 0, _ro(u.text))
            self.table.setItem(i, 1, _ro(str(u.rows)))
            combo = QComboBox()
            combo.addItem(UNREGISTERED, None)
            for o in orgs:
                combo.addItem(f"{o['name']}（{o['code']}）", o["code"])
            pick = u.org or u.suggestion
            combo.setCurrentIndex(combo.findData(pick["code"]) if pick else 0)
            self.table.setCellWidget(i, 2, combo)
            if u.org:
                state, colour = f"已对应（按{u.how}）", None
            elif u.suggestion:
                state, colour = "名称相近，已预选建议，请核对", ACTION_COLOURS[KEPT]
            else:
                state, colour = "未登记", ACTION_COLOURS[INVALID]
            item = _ro(state)
            if colour:
                item.setForeground(QBrush(colour))
            self.table.setItem(i, 3, item)
            self.combos.append((u, combo))
        self.table.resizeColumnsToContents()
        known = sum(1 for u in plan.units if u.org)
        self.summary.setText(f"台账中共 {len(plan.units)} 个单位名称：已对应 {known} 个，"
                             f"名称相近 {sum(1 for u in plan.units if not u.org and u.suggestion)} 个，"
                             f"未登记 {sum(1 for u in plan.units if not u.org and not u.suggestion)} 个。")
        self.ready = True
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.ready

    def validatePage(self) -> bool:
        """Every choice that is not the exact match becomes part of the mapping (saved with it)."""
        chosen = dict(self.w.mapping.units_of_orgs)
        for u, combo in self.combos:
            code = combo.currentData()
            if code and (u.org is None or u.org["code"] != code):
                chosen[u.text] = code
            elif code is None:
                chosen.pop(u.text, None)
        self.w.mapping.units_of_orgs = chosen
        return True


class PlanModel(QAbstractTableModel):
    HEADERS = ("行号", "处理", "项目名称", "建设单位", "疑似重复", "说明")
    NOTE = 5

    def __init__(self, rows=()):
        super().__init__()
        self.rows = list(rows)
        self.duplicates: dict = {}  # sheet row -> similarity_batch.ArrivalCheck (第一条)

    def duplicate_text(self, r) -> str:
        check = self.duplicates.get(r.row)
        if check is None:
            return ""
        c = check.similar[0]
        more = f"等{len(check.similar)}个" if len(check.similar) > 1 else ""
        return f"{c.level_label}：{c.code} {c.name}{more}（{c.percent}%）"

    def duplicate_tip(self, r) -> str:
        check = self.duplicates.get(r.row)
        if check is None:
            return ""
        return "\n".join(f"{c.code} {c.name}（{'台账中的另一行' if c.arriving else c.unit or '本机'}）相似度{c.percent}%，"
                         f"建议认定{c.level_label}；相同的表述：{'、'.join(c.overlap) or '—'}" for c in check.similar)

    def rowCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            note = "；".join(r.reasons) if r.reasons else change_text(r) or "；".join(r.assumed)
            return (str(r.row), ACTION_LABELS[r.action], r.name, r.unit, self.duplicate_text(r),
                    note)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 4 and r.row in self.duplicates:
            return QBrush(DUPLICATE_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and r.action in ACTION_COLOURS:
            return QBrush(ACTION_COLOURS[r.action])
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return self.duplicate_tip(r) or None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.NOTE:
            return self.data(index)
        return None


class PreviewPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第四步：预览")
        self.setSubTitle("确认后才写入；全部写入在一个事务中完成，导入的项目标记为“由台账导入”，核对后取消标记。")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.view = QTableView()
        self.model = PlanModel()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.skip = QCheckBox("跳过有误的行，只导入无误的行")
        self.skip.toggled.connect(lambda _on: self.completeChanged.emit())
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.skip)
        self.ready = False
        self.setButtonText(QWizard.WizardButton.NextButton, "导入")

    def initializePage(self) -> None:
        self.ready = False
        self.summary.setText("正在比对…")
        self.w.plan_in_worker(self.show_plan)

    def show_plan(self, plan) -> None:
        self.model.beginResetModel()
        self.model.rows = plan.rows
        self.model.duplicates = plan.duplicates
        self.model.endResetModel()
        for col, width in enumerate((50, 90, 240, 170, 330)):
            self.view.setColumnWidth(col, width)
        text = f"{plan.source}：{plan.summary()}。"
        if plan.invalid:
            text += f"<br><span style='color:#c62828'>有 {len(plan.invalid)} 行有误（见红色行），" \
                    "改正台账后重新导入，或勾选下方“跳过有误的行”。</span>"
        if plan.of(KEPT):
            text += "<br>“已有（不覆盖）”：本机已有该项目（由单位填报或已核对），台账中的不同之处不写入。"
        if plan.duplicates:
            text += f"<br><span style='color:#b9770e'>有 {len(plan.duplicates)} 行与本机已有项目或台账中其他行内容相似" \
                    "（见“疑似重复”列，鼠标停留可看相同的表述）。导入后请在项目的“相似项目”页审查认定（第一条）。</span>"
        if not plan.writes:
            text += "<br>没有需要写入的项目。"
        self.summary.setText(text)
        self.skip.setVisible(bool(plan.invalid))
        self.ready = True
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        plan = self.w.plan
        return self.ready and plan is not None and bool(plan.writes) and (not plan.invalid or self.skip.isChecked())

    def validatePage(self) -> bool:
        """The write runs in the worker; the wizard moves on when it is done."""
        if self.w.changes is not None:
            return True
        plan, actor, today = self.w.plan, self.w.session.actor, self.w.session.today_override

        def done(changes):
            self.w.changes = changes
            self.w.imported.emit(changes)
            self.w.next()

        self.ready = False
        self.completeChanged.emit()
        task = self.w.run(lambda job: L.apply(job.store(), actor, plan, today), done, "正在写入…")
        default_error = task.on_error

        def failed(exc, tb):
            self.ready = True
            self.completeChanged.emit()
            if default_error:
                default_error(exc, tb)
            else:
                show_error(self, exc, tb)

        task.on_error = failed
        return False


class DonePage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("完成")
        self.label = QLabel("")
        self.label.setWordWrap(True)
        QVBoxLayout(self).addWidget(self.label)

    def initializePage(self) -> None:
        c = self.w.plan.counts()
        self.label.setText(
            f"已导入：新增 {c['new']} 个项目，更新 {c['update']} 个；无变化 {c['same']} 个"
            + (f"，有误未导入 {c['invalid']} 行" if c["invalid"] else "") + "。<br><br>"
            "导入的项目归属其建设单位，状态按台账中的日期确定（有验收日期为“通过验收”，有合同或开工日期为“建设中”），"
            "并标记为“由台账导入”。请对照纸质档案核对后取消标记。<br>导入前已自动备份数据库。")


def _ro(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item
