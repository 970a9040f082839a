"""Entry point for the frozen program: no arguments opens the window, arguments run the CLI."""

import sys

from desktop_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
