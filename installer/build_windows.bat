@echo off
rem Build the Windows program on a Windows PC with Python 3.11 (PyInstaller cannot cross-build).
python -m venv .build-venv || exit /b 1
.build-venv\Scripts\pip install . pyinstaller || exit /b 1
.build-venv\Scripts\pyinstaller --noconfirm installer\govis.spec || exit /b 1
echo Folder build: dist\govis   Installer: iscc installer\govis.iss
