"""The Qt binding keeps Python's reference counts: PySide6 6.12.0 on Python 3.11 dropped a reference to
None on every call of a method that returns nothing, and the program aborted after some thousands of
them (none_dealloc). pyproject keeps that version out; this catches any binding that does it again."""

import sys

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setVisible(False)
        label.setText("y")
        label.setGeometry(QRect(0, 0, 10, 10))
    assert sys.getrefcount(None) - before > -50  # 600 calls: a leaking binding loses about 600
