"""``python -m dedupe_articles``: the same command as ``dedupe-articles``."""

from __future__ import annotations

import sys

from dedupe_articles.cli import main

if __name__ == "__main__":
    sys.exit(main())
