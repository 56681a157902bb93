"""Rewrite codegen/fivetran_codegen/unicode13_visible.txt from Python 3.10's Unicode database:

    .venv-py3.10-lowest/bin/python scripts/write_unicode13_table.py

(the virtualenv `python3 .ci/support_range.py lowest` makes). Any Python with Unicode 13.0 will do.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from fivetran_codegen import unicode13

TABLE = Path(unicode13.__file__).with_name(unicode13.TABLE)


def main() -> int:
    if unicodedata.unidata_version != unicode13.VERSION:
        print(
            f"this Python has Unicode {unicodedata.unidata_version}, not {unicode13.VERSION}; "
            "run it on Python 3.10",
            file=sys.stderr,
        )
        return 2
    TABLE.write_text(unicode13.table_text(unicodedata.category), encoding="ascii")
    print(f"wrote {TABLE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
