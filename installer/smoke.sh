#!/usr/bin/env bash
# Build the Linux bundle from a fresh virtual environment and run the frozen program offscreen:
#   govis-cli --version (= pyproject's version), govis --version, govis-cli selftest, the window for a few
#   seconds on a demo county, and check that nothing was written inside the program folder.
# Usage: installer/smoke.sh [WORK_DIR]   (default: a new temporary folder, removed on success)
# Environment: PYTHON (default python3.11, else python3), GOVIS_BUNDLE_MAX_MB (default 250).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
MAX_MB=${GOVIS_BUNDLE_MAX_MB:-250}
WORK=${1:-$(mktemp -d -t govis-smoke-XXXXXX)}
KEEP=${1:+1}
mkdir -p "$WORK"
started=$SECONDS
step() { printf '[smoke %4ds] %s\n' $((SECONDS - started)) "$*"; }

step "fresh venv in $WORK/venv ($("$PYTHON" --version))"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --upgrade pip
# the program as a user installs it (one Qt binding: PySide6 only), plus the builder
"$WORK/venv/bin/pip" install -q "$ROOT" "pyinstaller>=6.10,<7"
if "$WORK/venv/bin/python" -c "import PyQt5" 2>/dev/null || "$WORK/venv/bin/python" -c "import PyQt6" 2>/dev/null; then
  echo "smoke: a second Qt binding is installed in the build venv" >&2; exit 1
fi
step "pyinstaller installer/govis.spec"
build_started=$SECONDS
"$WORK/venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$WORK/dist" --workpath "$WORK/build" \
  installer/govis.spec
step "built in $((SECONDS - build_started)) s"
APP="$WORK/dist/govis"

size_mb=$(du -sm "$APP" | cut -f1)
step "bundle size: ${size_mb} MB (limit ${MAX_MB} MB); largest parts:"
du -sm "$APP"/_internal/* 2>/dev/null | sort -rn | sed -n '1,12s/^/    /p'  # sed reads all: no SIGPIPE
listing() { (cd "$APP" && find . -printf '%p %s %T@\n' | sort); }
before=$(listing)

want=$(sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)
got=$("$APP/govis-cli" --version)
step "govis-cli --version: $got"
[ "$got" = "govis $want" ] || { echo "smoke: expected 'govis $want'" >&2; exit 1; }
got=$("$APP/govis" --version)
[ "$got" = "govis $want" ] || { echo "smoke: govis --version said '$got'" >&2; exit 1; }

export QT_QPA_PLATFORM=offscreen
# a home of its own: the frozen program must not need (or touch) the builder's data folder
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/data" XDG_CONFIG_HOME="$WORK/home/config"
mkdir -p "$HOME"
step "govis-cli selftest"
"$APP/govis-cli" selftest
step "the window on a demo county (offscreen, 15 s)"
set +e
timeout 15 "$APP/govis" --demo >"$WORK/window.log" 2>&1
rc=$?
set -e
if [ $rc -ne 124 ]; then  # 124: still running when timeout stopped it, i.e. the window was up
  echo "smoke: the window ended by itself (exit $rc):" >&2; tail -20 "$WORK/window.log" >&2; exit 1
fi

[ "$before" = "$(listing)" ] || { echo "smoke: files were written inside $APP" >&2;
  diff <(echo "$before") <(listing) >&2; exit 1; }
if [ "$size_mb" -gt "$MAX_MB" ]; then echo "smoke: bundle is ${size_mb} MB, over ${MAX_MB} MB" >&2; exit 1; fi
step "passed in $((SECONDS - started)) s (bundle ${size_mb} MB)"
[ -n "$KEEP" ] || rm -rf "$WORK"
