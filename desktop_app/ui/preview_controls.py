"""The print preview's bar: page navigation (上一页 / 第 N 页 共 M 页 / 下一页) and zoom (缩小, a percentage,
放大, 适合宽度, 适合整页) over a QPdfView. Keys: PageUp/PageDown, Ctrl+Home/End, Ctrl++ / Ctrl+- / Ctrl+0."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
FIT_WIDTH, FIT_PAGE = "适合宽度", "适合整页"


class PreviewControls(QWidget):
    def __init__(self, view: QPdfView, parent=None):
        super().__init__(parent)
        self.view = view
        self.nav = view.pageNavigator()
        self.prev_button = QPushButton("◀ 上一页")
        self.next_button = QPushButton("下一页 ▶")
        self.page_box = QSpinBox()
        self.page_box.setPrefix("第 ")
        self.page_box.setSuffix(" 页")
        self.page_count = QLabel()
        self.zoom_out_button = QPushButton("－")
        self.zoom_in_button = QPushButton("＋")
        self.zoom_out_button.setToolTip("缩小（Ctrl+-）")
        self.zoom_in_button.setToolTip("放大（Ctrl++）")
        for b in (self.zoom_out_button, self.zoom_in_button):
            b.setFixedWidth(b.fontMetrics().horizontalAdvance("＋") + 24)
        self.zoom_box = QComboBox()
        self.zoom_box.setEditable(False)
        self.zoom_box.setToolTip("显示比例（只影响屏幕显示，打印总是 100%）")
        for factor in ZOOM_STEPS:
            self.zoom_box.addItem(f"{round(factor * 100)}%", factor)
        self.fit_width_button = QPushButton(FIT_WIDTH)
        self.fit_page_button = QPushButton(FIT_PAGE)
        self.fit_width_button.setToolTip("页面宽度充满窗口")
        self.fit_page_button.setToolTip("整页显示在窗口内（Ctrl+0）")
        for b in (self.fit_width_button, self.fit_page_button):
            b.setCheckable(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.prev_button, self.page_box, self.page_count, self.next_button):
            lay.addWidget(w)
        lay.addStretch(1)
        for w in (self.zoom_out_button, self.zoom_box, self.zoom_in_button, self.fit_width_button,
                  self.fit_page_button):
            lay.addWidget(w)

        self.prev_button.clicked.connect(self.prev_page)
        self.next_button.clicked.connect(self.next_page)
        self.page_box.valueChanged.connect(lambda n: self.go_to_page(n - 1))
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_box.activated.connect(lambda i: self.set_zoom(self.zoom_box.itemData(i)))
        self.fit_width_button.clicked.connect(self.fit_width)
        self.fit_page_button.clicked.connect(self.fit_page)
        self.nav.currentPageChanged.connect(self._page_changed)
        view.zoomModeChanged.connect(lambda _m: self._show_state())
        view.zoomFactorChanged.connect(lambda _f: self._show_state())
        window = parent or view
        for keys, slot in ((QKeySequence.StandardKey.MoveToPreviousPage, self.prev_page),
                           (QKeySequence.StandardKey.MoveToNextPage, self.next_page),
                           (QKeySequence.StandardKey.MoveToStartOfDocument, lambda: self.go_to_page(0)),
                           (QKeySequence.StandardKey.MoveToEndOfDocument, lambda: self.go_to_page(self.pages() - 1)),
                           (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
                           (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
                           ("Ctrl+0", self.fit_page)):
            QShortcut(QKeySequence(keys), window, activated=slot)
        self.document_changed()

    # ---- pages ----
    def pages(self) -> int:
        doc = self.view.document()
        return doc.pageCount() if doc is not None else 0

    def _page_changed(self, _page: int) -> None:
        # the navigator reports a last page change while the view is torn down (PySide6 6.11): nothing to show
        if shiboken6.isValid(self.nav) and shiboken6.isValid(self):
            self._show_state()

    def current_page(self) -> int:
        """0-based."""
        return self.nav.currentPage()

    def document_changed(self) -> None:
        n = max(1, self.pages())
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, n)
        self.page_box.blockSignals(False)
        self.page_count.setText(f"共 {self.pages()} 页")
        self._show_state()

    def go_to_page(self, page: int) -> None:
        page = max(0, min(page, self.pages() - 1))
        if self.pages() and page != self.current_page():
            self.nav.jump(page, QPointF(), self.nav.currentZoom())
        self._show_state()

    def next_page(self) -> None:
        self.go_to_page(self.current_page() + 1)

    def prev_page(self) -> None:
        self.go_to_page(self.current_page() - 1)

    # ---- zoom ----
    def effective_zoom(self) -> float:
        """The scale the view draws at now: the factor itself, or what a fit mode works out to."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom or self.view.document() is None or not self.pages():
            return self.view.zoomFactor()
        size = self.view.document().pagePointSize(self.current_page())
        dpi = self.view.logicalDpiX() / 72.0
        margins = self.view.documentMargins()
        viewport = self.view.viewport()
        width = (viewport.width() - margins.left() - margins.right()) / (size.width() * dpi)
        if mode == QPdfView.ZoomMode.FitToWidth:
            return width
        height = (viewport.height() - margins.top() - margins.bottom()) / (size.height() * dpi)
        return min(width, height)

    def set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], factor)))
        self._show_state()

    def zoom_in(self) -> None:
        now = self.effective_zoom()
        self.set_zoom(next((z for z in ZOOM_STEPS if z > now + 0.005), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        now = self.effective_zoom()
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < now - 0.005), ZOOM_STEPS[0]))

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._show_state()

    def fit_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self._show_state()

    def _show_state(self) -> None:
        page, n = self.current_page(), self.pages()
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.prev_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < n - 1)
        mode = self.view.zoomMode()
        self.fit_width_button.setChecked(mode == QPdfView.ZoomMode.FitToWidth)
        self.fit_page_button.setChecked(mode == QPdfView.ZoomMode.FitInView)
        i = self.zoom_box.findData(self.view.zoomFactor())
        if mode != QPdfView.ZoomMode.Custom or i < 0:
            text = f"{round(self.effective_zoom() * 100)}%"
            i = self.zoom_box.findText(text)
            if i < 0:  # a fit mode's own percentage: shown, not offered as a step
                self.zoom_box.setPlaceholderText(text)
        self.zoom_box.setCurrentIndex(i)
        zoom = self.effective_zoom()
        self.zoom_in_button.setEnabled(zoom < ZOOM_STEPS[-1] - 0.005)
        self.zoom_out_button.setEnabled(zoom > ZOOM_STEPS[0] + 0.005)

    def state_text(self) -> str:
        """第 N 页，共 M 页 · 比例 (for the dialog's status line and tests)."""
        mode = {QPdfView.ZoomMode.FitToWidth: FIT_WIDTH, QPdfView.ZoomMode.FitInView: FIT_PAGE}.get(
            self.view.zoomMode(), "")
        zoom = f"{round(self.effective_zoom() * 100)}%" + (f"（{mode}）" if mode else "")
        return f"第 {self.current_page() + 1} 页，共 {self.pages()} 页 · {zoom}"

