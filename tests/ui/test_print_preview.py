"""Print preview, printing at 100 % onto A4, saving, and the batch print worker (offscreen)."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import pytest

pytest.importorskip("PySide6.QtPdf")
pytest.importorskip("PySide6.QtPdfWidgets")

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from desktop_app.documents import FontRegistry, set_default_registry
from desktop_app.services import operations as ops
from desktop_app.services.session import Session
from desktop_app.ui import print_preview as PP
from tests.core import builders as B
from tests.documents.filled_county import TODAY, showcase
from tests.documents.pdfcheck import compact, page_sizes, page_texts


@pytest.fixture(scope="module", autouse=True)
def bundled_fonts():
    set_default_registry(FontRegistry.bundled())
    yield
    set_default_registry(None)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    c = B.make_county(tmp_path_factory.mktemp("preview") / "county.db")
    project = showcase(c)
    draft = B.new_project(c, c.unit2, name="县卫生健康信息平台")
    session = Session(c.store, c.county, today_override=TODAY)
    yield session, project, draft
    c.store.close()


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: seen.append((title, text)))
    return seen


def pdf_printer(path):
    def ask(cls, printer, parent):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return True
    return classmethod(ask)


def test_preview_shows_every_page_and_saves_the_bytes(qtbot, county, tmp_path, monkeypatch):
    session, project, _ = county
    dlg = PP.preview_document(None, session, "acceptance", project_id=project["id"])
    qtbot.addWidget(dlg)
    assert dlg.view.document() is dlg.document
    assert dlg.document.pageCount() == len(page_sizes(dlg.data)) >= 1
    assert "竣工验收意见书" in dlg.windowTitle() and dlg.file_name == f"{project['code']}-竣工验收意见书.pdf"
    target = tmp_path / "saved"
    monkeypatch.setattr(PP.PrintPreviewDialog, "ask_save_path", classmethod(lambda cls, p, s: str(target)))
    saved = dlg.save_as()
    assert saved == tmp_path / "saved.pdf" and saved.read_bytes() == dlg.data


def test_print_puts_each_page_on_a_full_a4_sheet(qtbot, county, tmp_path, monkeypatch):
    session, project, _ = county
    out = tmp_path / "printed.pdf"
    monkeypatch.setattr(PP.PrintPreviewDialog, "ask_printer", pdf_printer(out))
    dlg = PP.preview_document(None, session, "application", project_id=project["id"])
    qtbot.addWidget(dlg)
    pages = dlg.print_document()
    assert pages == dlg.document.pageCount() == len(page_sizes(out.read_bytes()))
    for w, h in page_sizes(out.read_bytes()):  # A4 portrait, the whole sheet
        assert abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5


def test_landscape_ledger_prints_landscape(qtbot, county, tmp_path):
    session, _, _ = county
    dlg = PP.preview_document(None, session, "ledger")
    qtbot.addWidget(dlg)
    out = tmp_path / "ledger.pdf"
    printer = dlg.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    assert PP.print_pdf(dlg.data, printer) == dlg.document.pageCount()
    for w, h in page_sizes(out.read_bytes()):
        assert abs(w - 841.9) < 1.5 and abs(h - 595.3) < 1.5


def test_cancelled_print_dialog_prints_nothing(qtbot, county, monkeypatch):
    session, project, _ = county
    monkeypatch.setattr(PP.PrintPreviewDialog, "ask_printer", classmethod(lambda cls, printer, parent: False))
    dlg = PP.preview_document(None, session, "contract", project_id=project["id"])
    qtbot.addWidget(dlg)
    assert dlg.print_document() == 0


def test_missing_record_is_explained_not_raised(qtbot, county, warnings):
    session, _, draft = county
    assert PP.preview_document(None, session, "acceptance", project_id=draft["id"]) is None
    assert warnings and "竣工验收意见书" in warnings[0][1] and "尚未进行竣工验收" in warnings[0][1]


def test_batch_print_builds_each_project_in_a_worker(qtbot, county, tmp_path, monkeypatch):
    session, project, draft = county
    results = []
    task = PP.batch_print(None, session, "acceptance", 2027, on_result=results.append)
    assert task.job.db_path == session.store.path  # the worker opens its own connection
    qtbot.waitUntil(lambda: bool(results), timeout=20000)
    result = results[0]
    assert [code for code, _, _ in result["built"]] == [project["code"]]
    assert [code for code, _ in result["skipped"]] == [draft["code"]]
    assert "张国强" in compact("".join(page_texts(result["built"][0][2])))

    dlg = PP.BatchResultDialog(result)
    qtbot.addWidget(dlg)
    monkeypatch.setattr(PP.BatchResultDialog, "ask_folder", classmethod(lambda cls, parent: str(tmp_path)))
    written = dlg.save_all()
    assert [p.name for p in written] == [f"{project['code']}-竣工验收意见书.pdf"]
    out = tmp_path / "all.pdf"
    monkeypatch.setattr(PP.PrintPreviewDialog, "ask_printer", pdf_printer(out))
    assert dlg.print_all() == len(page_sizes(result["built"][0][2]))


def test_batch_print_can_be_cancelled(qtbot, tmp_path):
    from desktop_app import demo
    from desktop_app.models.store import Store

    store = Store.open(tmp_path / "demo.db")
    demo.generate(store, projects=120, seed=3, today=TODAY)
    session = Session(store, ops.installation_actor(store), today_override=TODAY)
    results = []
    task = PP.batch_print(None, session, "application", 2027, on_result=results.append)
    task.cancel()
    assert task.wait(20000)
    qtbot.waitUntil(lambda: task.state != "running", timeout=5000)
    assert task.state == "cancelled" and not results
    store.close()


def test_year_documents_are_not_batched(county):
    session, _, _ = county
    with pytest.raises(ValueError):
        PP.batch_print(None, session, "ledger", 2027)


def test_project_window_offers_printing_for_records(qtbot, monkeypatch, tmp_path):
    """The construction tab's contract table prints the selected contract's 合同备案表."""
    from desktop_app.ui.project_window import ProjectWindow

    calls = []
    monkeypatch.setattr(PP, "preview_document", lambda parent, session, code, **kw: calls.append((code, kw)))
    c = B.make_county(tmp_path / "w.db")
    project = showcase(c)
    win = ProjectWindow(Session(c.store, c.unit, today_override=TODAY), project["id"], "construction")
    qtbot.addWidget(win)
    section = win.section("contract")
    assert [b.text() for b in section.print_buttons] == ["打印《合同备案表》…"]
    assert not section.print_buttons[0].isEnabled()
    section.table.selectRow(0)
    assert section.print_buttons[0].isEnabled()
    section.print_buttons[0].click()
    assert calls and calls[-1][0] == "contract" and calls[-1][1]["record_id"] == section.selected_row()["id"]
    opinions = win.section("expert_opinion")
    opinions.table.selectRow(0)
    opinions.print_buttons[0].click()
    assert calls[-1][0] == "review" and calls[-1][1]["record_id"] == opinions.selected_row()["review_id"]
    win.print_button.click()
    assert calls[-1][0] == "application"


def test_main_window_print_menu(qtbot, monkeypatch, tmp_path):
    """打印 menu: the ledger, a year's plan summary, and batch printing of one kind for a plan year."""
    from desktop_app.ui import main_window as MW

    calls = []
    monkeypatch.setattr(PP, "preview_document", lambda parent, session, code, **kw: calls.append((code, kw)))
    monkeypatch.setattr(PP, "batch_print", lambda parent, session, code, year: calls.append(("batch", code, year)))
    c = B.make_county(tmp_path / "m.db")
    showcase(c)
    session = Session(c.store, c.county, today_override=TODAY)
    win = MW.MainWindow(session, str(tmp_path / "m.db"))
    qtbot.addWidget(win)
    monkeypatch.setattr(MW.MainWindow, "ask_year", classmethod(lambda cls, parent, title, default: 2027))
    monkeypatch.setattr(MW.MainWindow, "ask_item", classmethod(lambda cls, parent, title, label, items: "合同备案表"))
    win.act_print_ledger.trigger()
    assert calls[-1] == ("ledger", {"year": None})
    win.act_print_summary.trigger()
    assert calls[-1] == ("plan-summary", {"year": 2027})
    win.act_batch_print.trigger()
    assert calls[-1] == ("batch", "contract", 2027)


def test_attach_a_file_to_a_selected_record(qtbot, monkeypatch, tmp_path):
    from desktop_app.ui.project_window import ProjectWindow
    from desktop_app.ui.record_table import RecordSection

    c = B.make_county(tmp_path / "a.db")
    project = showcase(c)
    scan = tmp_path / "合同扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 stamped contract")
    monkeypatch.setattr(RecordSection, "choose_file", classmethod(lambda cls, parent: str(scan)))
    win = ProjectWindow(Session(c.store, c.unit, today_override=TODAY), project["id"], "construction")
    qtbot.addWidget(win)
    section = win.section("contract")
    assert not section.attach_button.isEnabled()
    section.table.selectRow(0)
    contract = section.selected_row()
    att = section.attach_to_selected()
    assert att["record_kind"] == "contract" and att["record_id"] == contract["id"]
    listed = [a for a in win.session.attachments(project["id"]) if a["id"] == att["id"]]
    assert listed and listed[0]["filename"] == "合同扫描件.pdf"
    # a unit that is neither lead nor co-builder may not attach
    ops.add_organisation(c.store, c.county, "MYGAJ", "蒙阴县公安局", "unit")
    other = Session(c.store, B.actor_for(c.store, "MYGAJ"), today_override=TODAY)
    with pytest.raises(ops.Refused):
        other.attach_file(project["id"], str(scan), "contract", contract["id"])


def _multi_page(qtbot, county):
    session, project, _ = county
    dlg = PP.preview_document(None, session, "application", project_id=project["id"])
    qtbot.addWidget(dlg)
    dlg.resize(800, 700)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.document.pageCount() >= 2, "the application form should span pages"
    return dlg


def test_preview_pages_next_previous_and_count(qtbot, county):
    dlg = _multi_page(qtbot, county)
    bar, n = dlg.controls, dlg.document.pageCount()
    assert bar.page_count.text() == f"共 {n} 页" and bar.page_box.maximum() == n
    assert dlg.current_page() == 0 and not bar.prev_button.isEnabled() and bar.next_button.isEnabled()
    bar.next_button.click()
    assert dlg.current_page() == 1 and bar.page_box.value() == 2 and bar.prev_button.isEnabled()
    assert bar.state_text().startswith(f"第 2 页，共 {n} 页")
    bar.prev_button.click()
    assert dlg.current_page() == 0 and bar.page_box.value() == 1
    bar.page_box.setValue(n)  # typing a page number jumps there
    assert dlg.current_page() == n - 1 and not bar.next_button.isEnabled()
    bar.next_page()  # past the end stays on the last page
    assert dlg.current_page() == n - 1


def test_preview_zoom_and_fit(qtbot, county):
    from PySide6.QtPdfWidgets import QPdfView

    dlg = _multi_page(qtbot, county)
    bar, view = dlg.controls, dlg.view
    assert view.zoomMode() == QPdfView.ZoomMode.FitToWidth and bar.fit_width_button.isChecked()
    fitted = bar.effective_zoom()
    bar.zoom_in_button.click()
    assert view.zoomMode() == QPdfView.ZoomMode.Custom and view.zoomFactor() > fitted
    assert not bar.fit_width_button.isChecked() and bar.zoom_box.currentText() == f"{round(view.zoomFactor() * 100)}%"
    bigger = view.zoomFactor()
    bar.zoom_out_button.click()
    bar.zoom_out_button.click()
    assert view.zoomFactor() < bigger
    bar.zoom_box.setCurrentIndex(bar.zoom_box.findText("100%"))
    bar.zoom_box.activated.emit(bar.zoom_box.currentIndex())
    assert view.zoomFactor() == 1.0 and view.zoomMode() == QPdfView.ZoomMode.Custom
    bar.fit_page_button.click()
    assert view.zoomMode() == QPdfView.ZoomMode.FitInView and bar.fit_page_button.isChecked()
    whole = bar.effective_zoom()
    assert 0 < whole < fitted  # a whole A4 page in a wide window is smaller than the page at full width
    assert "适合整页" in bar.state_text()
    bar.fit_width_button.click()
    assert view.zoomMode() == QPdfView.ZoomMode.FitToWidth and abs(bar.effective_zoom() - fitted) < 0.01
