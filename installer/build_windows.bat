@echo off
rem Build the Windows program and its installer on a Windows PC (PyInstaller cannot cross-build).
rem Needs: Python 3.11 64-bit (PYTHON, default "py -3.11"), Inno Setup 6.5+ (ISCC on PATH or in its
rem default folder), internet for pip and the Chinese installer messages (once).
rem Result: dist\govis\ (the program folder) and dist\govis-setup-VERSION.exe (the installer).
setlocal
cd /d "%~dp0\.."
if "%PYTHON%"=="" set "PYTHON=py -3.11"

rem a clean virtual environment with one Qt binding (PySide6, from pyproject.toml)
if exist .build-venv rmdir /s /q .build-venv
%PYTHON% -m venv .build-venv || goto :fail
.build-venv\Scripts\python -m pip install --upgrade pip || goto :fail
.build-venv\Scripts\python -m pip install . "pyinstaller>=6.10,<7" || goto :fail
for /f "usebackq delims=" %%v in (`.build-venv\Scripts\python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"`) do set "VERSION=%%v"
echo govis %VERSION%

.build-venv\Scripts\pyinstaller --noconfirm installer\govis.spec || goto :fail
rem the frozen program checks itself before it is packed
dist\govis\govis-cli.exe --version || goto :fail
dist\govis\govis-cli.exe selftest || goto :fail

rem Inno Setup ships Chinese only as an unofficial translation: fetched once, from a pinned commit
if not exist installer\languages\ChineseSimplified.isl (
  if not exist installer\languages mkdir installer\languages
  curl.exe -fsSL -o installer\languages\ChineseSimplified.isl https://raw.githubusercontent.com/jrsoftware/issrc/09b24879e5be49278ef223dc3d1b07c856369ea2/Files/Languages/Unofficial/ChineseSimplified.isl || goto :fail
)
set "ISCC=ISCC.exe"
where ISCC.exe >nul 2>nul || set "ISCC=%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe"
"%ISCC%" /DAppVersion=%VERSION% installer\govis.iss || goto :fail
echo Program folder: dist\govis   Installer: dist\govis-setup-%VERSION%.exe
exit /b 0

:fail
echo Build failed. 1>&2
exit /b 1
