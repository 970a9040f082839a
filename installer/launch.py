"""Entry point of the frozen programs: no arguments opens the window, arguments run the CLI."""

import os
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    # the windowed govis.exe has no console: print() and argparse would write to None
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    sys.exit(main())
