"""The console script's entry point: `main`, with Ctrl-C during start-up ending as it does later.

click turns a KeyboardInterrupt into "Aborted!" and exit 1 once a command runs; one that lands
while the CLI's modules are still importing would otherwise print a traceback. This module
imports nothing heavy, so the window before the handler below is a few milliseconds.
"""

from __future__ import annotations

import sys


def run() -> None:
    try:
        from fivetran_codegen.cli.main import main
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        raise SystemExit(1) from None
    main()
