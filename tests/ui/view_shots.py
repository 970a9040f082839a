"""Screenshots of 统计分析, the ledger, a record table and the print preview (issue 11, items 8-10):

    python -m tests.ui.view_shots OUT_FOLDER [statistics|statistics-empty|ledger-no-hits|print-preview|record-empty|
                                              annual-round|annual-plan]

Builds a demo county (and an empty one) in a temp folder, shows the real main window offscreen at
1280x800 and saves `widget.grab()` of it."""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GOVIS_TEST_FAST_HASH", "1")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

TODAY = dt.date(2026, 11, 26)
FILES = {"record-empty": "record-table-empty"}  # screenshot names in docs/screenshots


def wait(app, until, rounds=400):
    import time

    for _ in range(rounds):
        app.processEvents()
        if until():
            return
        time.sleep(0.02)


def demo_db(folder: Path) -> str:
    from desktop_app.cli import main

    path = str(folder / "demo.db")
    main(["--db", path, "demo", "--today", TODAY.isoformat(), "--force", "--quiet"])
    return path


def empty_db(folder: Path) -> str:
    from tests.core.builders import make_county

    path = str(folder / "empty.db")
    make_county(path).store.close()
    return path


def window(app, path: str, folder: Path):
    from desktop_app.services.session import Session
    from desktop_app.ui.main_window import MainWindow

    session = Session.open(path)
    session.today_override = TODAY
    settings = QSettings(str(folder / "shots.ini"), QSettings.Format.IniFormat)
    w = MainWindow(session, path, settings)
    w.resize(1440, 900)
    w.show()
    return w


def main(out: str, which: list[str]) -> None:
    from desktop_app.ui.app import make_app

    app = make_app()
    out_dir = Path(out)
    folder = Path(tempfile.mkdtemp(prefix="govis-shots-"))
    demo = demo_db(folder)
    for name in which:
        if name == "statistics-empty":
            w = window(app, empty_db(folder), folder)
        else:
            w = window(app, demo, folder)
        if name.startswith("statistics"):
            w.show_page("statistics")
            wait(app, lambda w=w: w.pages["statistics"].loaded)
            target = w
            if name == "statistics-risk":  # the risk levels below the grid
                bar = w.pages["statistics"].scroll.verticalScrollBar()
                wait(app, lambda: False, rounds=10)
                bar.setValue(bar.maximum())
        elif name == "risk-rating":
            from desktop_app.ui.risk_ratings import RiskRatingDialog

            w.show_page("workbench")
            dlg = RiskRatingDialog(w.session, w)
            dlg.show()
            top = min(dlg.shown, key=lambda r: (r.suggested, r.code))
            dlg.select_project(top.code)
            target = dlg
        elif name == "ledger-no-hits":
            w.show_page("ledger")
            page = w.pages["ledger"]
            wait(app, lambda page=page: page.loaded)
            page.search.setText("区块链电子证照")
            target = w
        elif name == "print-preview":
            from desktop_app.ui.print_preview import preview_document

            row = next(r for r in w.session.ledger() if r["status"] == "in_construction")
            dlg = preview_document(w, w.session, "application", project_id=row["id"])
            dlg.resize(900, 800)
            dlg.go_to_page(1)
            target = dlg
        elif name in ("annual-round", "annual-plan"):  # issue 12: 年度申报 on the demo county
            w.show_page("annual")
            page = w.pages["annual"]
            wait(app, lambda page=page: page.loaded)
            if name == "annual-plan":  # the plan being carried out: its budget has O&M lines too
                page.year.setValue(2026)
            page.tabs.setCurrentIndex(0 if name == "annual-round" else 1)
            target = w
        elif name == "record-empty":
            row = next(r for r in w.session.ledger() if r["status"] == "draft")
            w.open_project(row["id"], "construction")
            target = w.project_windows[row["id"]]
            target.resize(1100, 760)
        wait(app, lambda: False, rounds=25)
        target.grab().save(str(out_dir / f"{FILES.get(name, name)}.png"))
        print("saved", out_dir / f"{FILES.get(name, name)}.png")
        w.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["statistics", "statistics-empty"])
    QApplication.instance().quit()
