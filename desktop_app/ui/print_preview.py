"""Preview, print and save an official document; batch-build one kind for a plan year.

    preview_document(parent, session, "contract", project_id=pid, record_id=rid)   # 预览/打印 a record
    batch_print(parent, session, "acceptance", 2027)                                # every project of 2027

The PDF bytes come from desktop_app.documents.filled (no SQL here). Printing renders each page with
QPdfDocument.render at the printer's resolution (capped, see MAX_DPI) onto the full A4 sheet, so a
form prints at 100 %, never scaled to the printable area.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.documents import filled
from desktop_app.documents.errors import DocumentError
from desktop_app.errors import GovisError
from desktop_app.services import atomic_file
from desktop_app.ui.preview_controls import PreviewControls
from desktop_app.ui.worker import Task, run_task

# A 1200 dpi printer would need a 550 MB image per A4 page; 600 dpi is more than a stamp needs.
MAX_DPI = 600


def _load(data: bytes, parent) -> tuple[QPdfDocument, QBuffer]:
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument(parent)
    doc.load(buffer)
    return doc, buffer


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Print PDF bytes onto `printer` at 100 % (A4, orientation per page). Returns pages printed."""
    return print_many([data], printer)


def print_many(documents: list[bytes], printer: QPrinter) -> int:
    """Print several PDFs in one job, each page on its own sheet."""
    holder = QWidget()  # parent of the temporary documents and buffers
    printer.setFullPage(True)
    painter = QPainter()
    printed = 0
    try:
        for data in documents:
            doc, _buffer = _load(data, holder)
            for page in range(doc.pageCount()):
                size_pt = doc.pagePointSize(page)
                orientation = (QPageLayout.Orientation.Landscape if size_pt.width() > size_pt.height()
                               else QPageLayout.Orientation.Portrait)
                printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
                printer.setPageOrientation(orientation)
                if printed == 0:
                    if not painter.begin(printer):
                        raise GovisError("无法开始打印：打印机不可用或输出文件无法写入。")
                elif not printer.newPage():
                    raise GovisError("打印机拒绝了新的一页，打印已中止。")
                target = printer.paperRect(QPrinter.Unit.DevicePixel).toRect()
                dpi = min(printer.resolution(), MAX_DPI)
                pixels = QSize(round(size_pt.width() * dpi / 72), round(size_pt.height() * dpi / 72))
                image = doc.render(page, pixels)
                painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
                printed += 1
            doc.close()
    finally:
        if painter.isActive():
            painter.end()
        holder.deleteLater()
    return printed


class PrintPreviewDialog(QDialog):
    """Shows a document's pages; 打印 sends it to a printer, 另存为PDF writes the bytes."""

    def __init__(self, data: bytes, title: str, file_name: str = "文书.pdf", parent=None):
        super().__init__(parent)
        self.data, self.file_name = data, file_name
        self.setWindowTitle(f"{title} — 打印预览")
        self.resize(900, 1000)
        self.document, self._buffer = _load(data, self)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.controls = PreviewControls(self.view, self)
        self.info = QLabel(f"共 {self.document.pageCount()} 页。打印时请选择A4纸、100%（实际大小），不要“适合页面”。")
        self.print_button = QPushButton("打印…")
        self.save_button = QPushButton("另存为PDF…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        lay = QVBoxLayout(self)
        lay.addWidget(self.controls)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.info)
        lay.addWidget(buttons)

    # page and zoom, for the menu-less keyboard user and for tests (the bar above does the same)
    def go_to_page(self, page: int) -> None:
        self.controls.go_to_page(page)

    def current_page(self) -> int:
        return self.controls.current_page()

    # dialogs a test can patch
    @classmethod
    def ask_printer(cls, printer: QPrinter, parent) -> bool:
        dlg = QPrintDialog(printer, parent)
        dlg.setWindowTitle("打印")
        return dlg.exec() == QDialog.DialogCode.Accepted

    @classmethod
    def ask_save_path(cls, parent, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(parent, "另存为PDF", suggested, "PDF 文件 (*.pdf)")
        return path

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)
        printer.setDocName(Path(self.file_name).stem)
        return printer

    def print_document(self) -> int:
        printer = self.make_printer()
        if not self.ask_printer(printer, self):
            return 0
        try:
            pages = print_pdf(self.data, printer)
        except GovisError as exc:
            QMessageBox.warning(self, "打印", exc.message)
            return 0
        self.info.setText(f"已发送打印：{pages} 页。")
        return pages

    def save_as(self) -> Path | None:
        path = self.ask_save_path(self, self.file_name)
        if not path:
            return None
        target = Path(path if path.lower().endswith(".pdf") else path + ".pdf")
        try:
            atomic_file.write_bytes(target, self.data)
        except atomic_file.FileWriteError as exc:
            QMessageBox.warning(self, "另存为PDF", exc.message)
            return None
        self.info.setText(f"已保存：{target}")
        return target


def preview_document(parent, session, kind: str, *, project_id: str | None = None, record_id: str | None = None,
                     year: int | None = None) -> PrintPreviewDialog | None:
    """Fill `kind` for a project (and record), show the preview. A refusal is shown, not raised."""
    doc = filled.get(kind)
    try:
        data = filled.render(session.store, kind, project=project_id, record_id=record_id, year=year,
                             today=session.today)
    except (DocumentError, GovisError) as exc:
        QMessageBox.warning(parent, f"打印《{doc.name}》", getattr(exc, "message", None) or str(exc))
        return None
    project = session.store.get("project", project_id) if project_id else None
    dlg = PrintPreviewDialog(data, doc.name, filled.file_name(kind, project, year), parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg


# ---------------------------------------------------------------- batch


def _batch_job(kind: str, year: int, today):
    """The worker's function: its own Store (job.store()), returns plain data only."""

    def work(job) -> dict:
        store = job.store()
        projects = filled.projects_of_year(store, year)
        built: list[tuple[str, str, bytes]] = []
        skipped: list[tuple[str, str]] = []
        for n, p in enumerate(projects):
            job.progress(n, len(projects), f"正在生成 {p['code']} {p['name']}（{n + 1}/{len(projects)}）")
            try:
                data = filled.render(store, kind, project=p["code"], today=today)
            except DocumentError as exc:
                skipped.append((p["code"], str(exc)))
                continue
            built.append((p["code"], filled.file_name(kind, p), data))
        job.progress(len(projects), len(projects), "生成完毕")
        return {"kind": kind, "year": year, "built": built, "skipped": skipped}

    return work


class BatchResultDialog(QDialog):
    """What a batch produced: print all of it in one job, or save each PDF to a folder."""

    def __init__(self, result: dict, parent=None):
        super().__init__(parent)
        self.result = result
        name = filled.get(result["kind"]).name
        self.setWindowTitle(f"{result['year']}年度《{name}》批量打印")
        text = f"已生成 {len(result['built'])} 份《{name}》。"
        if result["skipped"]:
            text += f"\n以下 {len(result['skipped'])} 个项目没有生成：\n" + "\n".join(
                f"  {code}：{why}" for code, why in result["skipped"][:12])
            if len(result["skipped"]) > 12:
                text += "\n  ……"
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.print_button = QPushButton("全部打印…")
        self.save_button = QPushButton("保存到文件夹…")
        for b in (self.print_button, self.save_button):
            b.setEnabled(bool(result["built"]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_all)
        self.save_button.clicked.connect(self.save_all)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(buttons)

    @classmethod
    def ask_folder(cls, parent) -> str:
        return QFileDialog.getExistingDirectory(parent, "选择保存文件夹")

    def print_all(self) -> int:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not PrintPreviewDialog.ask_printer(printer, self):
            return 0
        try:
            return print_many([data for _, _, data in self.result["built"]], printer)
        except GovisError as exc:
            QMessageBox.warning(self, "打印", exc.message)
            return 0

    def save_all(self) -> list[Path]:
        folder = self.ask_folder(self)
        if not folder:
            return []
        written = []
        try:
            for _, name, data in self.result["built"]:
                target = Path(folder) / name
                atomic_file.write_bytes(target, data)
                written.append(target)
        except atomic_file.FileWriteError as exc:
            QMessageBox.warning(self, "保存", f"{exc.message}（已保存 {len(written)} 个文件）")
        self.label.setText(self.label.text() + f"\n已保存 {len(written)} 个文件到 {folder}")
        return written


def batch_print(parent, session, kind: str, year: int, on_result=None) -> Task:
    """Build `kind` for every project of plan year `year` off the GUI thread (cancellable).

    The worker opens its own Store from session.store.path and sends back only bytes; the result
    dialog opens on the GUI thread. `on_result(result_dict)` replaces that dialog (tests, scripts).
    """
    doc = filled.get(kind)
    if doc.needs not in (filled.PROJECT, filled.RECORD):
        raise ValueError(f"《{doc.name}》不是逐个项目打印的文书")

    def done(result: dict) -> None:
        if on_result is not None:
            on_result(result)
            return
        dlg = BatchResultDialog(result, parent)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()

    return run_task(_batch_job(kind, year, session.today), parent_widget=parent,
                    title=f"批量生成《{doc.name}》", label=f"正在生成{year}年度各项目的《{doc.name}》…",
                    db_path=session.store.path, username=session.actor.user, on_done=done)
